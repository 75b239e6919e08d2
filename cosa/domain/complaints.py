"""The complaints register: data protection complaints made to the provider.

Under the Data (Use and Access) Act 2025 a controller must acknowledge a complaint within 30
days of receiving it and answer it without undue delay. Each complaint records the day it was
received, who complained (as they described themselves: the register is the provider's, not
part of any core member's file) and what it is about; then the day it was acknowledged and
the day it was answered with its outcome (`upheld`, `partly`, `not-upheld`). Each step is
set once, audited, never overwritten.

The acknowledgement is due `ACKNOWLEDGE_DAYS` days after receipt; `cosa status` lists
complaints not yet acknowledged whose acknowledgement is due within 7 days or overdue.
"""

from __future__ import annotations

from datetime import date, timedelta

from cosa.domain.members import DateLike, in_transaction, number_ref, required_date
from cosa.domain.volunteers import check_choice, clean_text
from cosa.errors import UserError
from cosa.store import Row, Store

TABLE = "complaints"
ACKNOWLEDGE_DAYS = 30
DUE_SOON_DAYS = 7
OUTCOMES = ("upheld", "partly", "not-upheld")


def acknowledge_by(received_on: str) -> str:
    """The last day to acknowledge a complaint received on `received_on`."""
    return (date.fromisoformat(received_on) + timedelta(days=ACKNOWLEDGE_DAYS)).isoformat()


def _with_state(row: Row, today: date) -> Row:
    row["acknowledge_by"] = acknowledge_by(row["received_on"])
    if row["responded_on"]:
        row["state"] = "answered"
    elif row["acknowledged_on"]:
        row["state"] = "acknowledged"
    else:
        row["state"] = "received"
    row["days_left"] = (
        None
        if row["acknowledged_on"] or row["responded_on"]
        else (date.fromisoformat(row["acknowledge_by"]) - today).days
    )
    return row


def _get(store: Store, ref: str | int) -> Row:
    cid = number_ref("complaint", ref)
    row = store.one("SELECT * FROM complaints WHERE id = ?", (cid,))
    if row is None:
        raise UserError(f"complaint {cid} not found", hint="`cosa complaint list` shows them")
    return row


def get(store: Store, ref: str | int, *, today: date | None = None) -> Row:
    return _with_state(_get(store, ref), today or date.today())


@in_transaction
def add(
    store: Store, *, on: DateLike, complainant: str, about: str, note: str | None = None
) -> int:
    received = required_date("--on", on)
    if received > date.today().isoformat():
        raise UserError(f"--on {received} is in the future")
    values = {
        "received_on": received,
        "complainant": clean_text("--complainant", complainant, required=True),
        "about": clean_text("--about", about, required=True),
        "note": clean_text("--note", note),
    }
    return store.insert(TABLE, "complaint", values)


def _step(store: Store, ref: str | int, on: DateLike, doing: str) -> tuple[Row, str]:
    row = _get(store, ref)
    day = required_date("--on", on)
    if day < row["received_on"]:
        raise UserError(
            f"--on {day} is before complaint {row['id']} was received ({row['received_on']})"
        )
    if row["responded_on"]:
        raise UserError(
            f"complaint {row['id']} was answered on {row['responded_on']}; cannot {doing}"
        )
    return row, day


@in_transaction
def acknowledge(store: Store, ref: str | int, *, on: DateLike) -> Row:
    row, day = _step(store, ref, on, "acknowledge it")
    if row["acknowledged_on"]:
        raise UserError(f"complaint {row['id']} was acknowledged on {row['acknowledged_on']}")
    store.update(TABLE, "complaint", row["id"], {"acknowledged_on": day}, "complaint.acknowledge")
    return get(store, row["id"])


@in_transaction
def respond(store: Store, ref: str | int, *, on: DateLike, outcome: str) -> Row:
    row, day = _step(store, ref, on, "answer it again")
    chosen = check_choice("--outcome", outcome, OUTCOMES)
    if row["acknowledged_on"] and day < row["acknowledged_on"]:
        raise UserError(f"--on {day} is before the acknowledgement ({row['acknowledged_on']})")
    changes = {"responded_on": day, "outcome": chosen}
    if not row["acknowledged_on"]:
        changes["acknowledged_on"] = day  # the answer acknowledges it
    store.update(TABLE, "complaint", row["id"], changes, "complaint.respond")
    return get(store, row["id"])


def list_(
    store: Store, *, open_only: bool = False, limit: int | None = None, today: date | None = None
) -> list[Row]:
    """Complaints, newest first (`limit` of them)."""
    if limit is not None and limit < 1:
        raise UserError(f"invalid --limit {limit}: it must be 1 or more")
    sql = "SELECT * FROM complaints"
    if open_only:
        sql += " WHERE responded_on IS NULL"
    sql += " ORDER BY received_on DESC, id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    day = today or date.today()
    return [_with_state(r, day) for r in store.query(sql)]


def due(store: Store, today: date) -> list[Row]:
    """Complaints not yet acknowledged whose acknowledgement is due within 7 days or overdue."""
    horizon = (today + timedelta(days=DUE_SOON_DAYS - ACKNOWLEDGE_DAYS)).isoformat()
    rows = store.query(
        "SELECT * FROM complaints WHERE acknowledged_on IS NULL AND responded_on IS NULL"
        " AND received_on <= ? ORDER BY received_on, id",
        (horizon,),
    )
    return [_with_state(r, today) for r in rows]
