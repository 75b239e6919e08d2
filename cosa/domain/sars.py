"""The subject access request (SAR) register: when each request came, its clock, its answer.

A SAR is a row of `sars` (the member, the day it was received, how, a note) and its history
a table of dated events (`sar_events`), never an overwrite:

* `verified` — the requester's identity was checked;
* `paused` / `resumed` — the clock stopped (waiting for proof of identity or clarification,
  as the Data (Use and Access) Act 2025 allows) and started again;
* `extended` — one or two more months (complex or numerous requests), with the reason;
* `pack` — a subject access pack made for it (`cosa report member CODE --sar ID`);
* `responded` — the answer sent, with the pack's file name and SHA-256. The pack is then also
  recorded in the disclosure register.

The due date, following the ICO's guidance: one calendar month from the day the request was
received, or from the day identity was verified when that came later (the clock does not run
before the provider can be sure who is asking); the corresponding day of the next month, or
that month's last day when it has none (31 January -> 28 or 29 February). Then the months of
any extension, then every day the clock was stopped after it started (a pause not yet
resumed counts up to today; days stopped before a verification that restarts the month are
not added again).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cosa.dates import _add_months as add_months
from cosa.domain.members import (
    DateLike,
    in_transaction,
    number_ref,
    required_date,
    resolve_member,
)
from cosa.domain.volunteers import clean_text
from cosa.errors import UserError
from cosa.store import Row, Store

TABLE = "sars"
EVENTS = "sar_events"
DUE_SOON_DAYS = 7
MAX_EXTENSION_MONTHS = 2
RECIPIENT = "the data subject"
BASIS = "subject access (UK GDPR Art. 15)"

_SELECT = "SELECT s.*, m.code AS member_code FROM sars s JOIN core_members m ON m.id = s.member_id"


@dataclass(frozen=True)
class Clock:
    """Where a request's clock stands on a day."""

    starts: str  # the day the month runs from
    paused_days: int
    extension_months: int
    paused_since: str | None  # the clock is stopped now
    due: str
    responded_on: str | None

    @property
    def state(self) -> str:
        if self.responded_on:
            return "responded"
        return "paused" if self.paused_since else "open"


def clock(sar: Row, events: list[Row], today: date) -> Clock:
    """The due date and state of a request from its events (see the module docstring)."""
    starts = sar["received_on"]
    stops: list[tuple[str, str | None]] = []  # (paused, resumed or None while stopped)
    paused_since: str | None = None
    months = 0
    responded: str | None = None
    for e in events:
        kind, day = e["kind"], e["date"]
        if kind == "verified" and day > starts:
            starts = day
        elif kind == "paused":
            paused_since = day
        elif kind == "resumed" and paused_since is not None:
            stops.append((paused_since, day))
            paused_since = None
        elif kind == "extended":
            months += int(e["months"] or 0)
        elif kind == "responded":
            responded = day
    if paused_since is not None:
        stops.append((paused_since, None))
    until = date.fromisoformat(responded) if responded else today
    # only the days stopped after the clock started count: days waiting for proof of identity
    # before a verification that restarts the month are not added a second time
    start = date.fromisoformat(starts)
    paused_days = sum(
        max(
            0,
            ((date.fromisoformat(end) if end else until) - max(date.fromisoformat(p), start)).days,
        )
        for p, end in stops
    )
    due = add_months(date.fromisoformat(starts), 1 + months) + timedelta(days=paused_days)
    return Clock(starts, paused_days, months, paused_since, due.isoformat(), responded)


def _events(store: Store, sar_id: int) -> list[Row]:
    return store.query("SELECT * FROM sar_events WHERE sar_id = ? ORDER BY date, id", (sar_id,))


def _with_clock(store: Store, row: Row, today: date, events: list[Row] | None = None) -> Row:
    c = clock(row, _events(store, row["id"]) if events is None else events, today)
    row.update(
        state=c.state,
        clock_starts=c.starts,
        paused_days=c.paused_days,
        extension_months=c.extension_months,
        paused_since=c.paused_since,
        due=c.due,
        responded_on=c.responded_on,
        days_left=(date.fromisoformat(c.due) - today).days,
    )
    return row


def _get(store: Store, ref: str | int) -> Row:
    sid = number_ref("SAR", ref)
    row = store.one(f"{_SELECT} WHERE s.id = ?", (sid,))
    if row is None:
        raise UserError(f"SAR {sid} not found", hint="`cosa sar list` shows them")
    return row


def get(store: Store, ref: str | int, *, today: date | None = None) -> Row:
    """One request with its clock and its events."""
    row = _get(store, ref)
    events = _events(store, row["id"])
    out = _with_clock(store, row, today or date.today(), events)
    out["events"] = events
    return out


@in_transaction
def add(
    store: Store, member: str, *, on: DateLike, via: str | None = None, note: str | None = None
) -> int:
    """Record a request received on `on` from a core member; returns its number."""
    m = resolve_member(store, member)
    values = {
        "member_id": m["id"],
        "received_on": required_date("--on", on),
        "via": clean_text("--via", via),
        "note": clean_text("--note", note),
    }
    if values["received_on"] > date.today().isoformat():
        raise UserError(f"--on {values['received_on']} is in the future")
    return store.insert(TABLE, "sar", values)


def _event(store: Store, sar: Row, kind: str, day: str, **values: Any) -> int:
    return store.insert(
        EVENTS,
        "sar_event",
        {"sar_id": sar["id"], "kind": kind, "date": day, **values},
        f"sar.{kind}",
    )


def _open(store: Store, ref: str | int, on: DateLike, doing: str) -> tuple[Row, str, Clock]:
    sar = _get(store, ref)
    day = required_date("--on", on)
    if day < sar["received_on"]:
        raise UserError(f"--on {day} is before SAR {sar['id']} was received ({sar['received_on']})")
    c = clock(sar, _events(store, sar["id"]), date.today())
    if c.responded_on:
        raise UserError(
            f"SAR {sar['id']} was answered on {c.responded_on}; cannot {doing}",
            hint="record a new request if the member asks again",
        )
    return sar, day, c


@in_transaction
def verify(store: Store, ref: str | int, *, on: DateLike) -> int:
    sar, day, _ = _open(store, ref, on, "verify it")
    return _event(store, sar, "verified", day)


@in_transaction
def pause(store: Store, ref: str | int, *, on: DateLike, reason: str) -> int:
    sar, day, c = _open(store, ref, on, "pause it")
    if c.paused_since:
        raise UserError(f"SAR {sar['id']} is already paused since {c.paused_since}")
    return _event(store, sar, "paused", day, reason=clean_text("--reason", reason, required=True))


@in_transaction
def resume(store: Store, ref: str | int, *, on: DateLike) -> int:
    sar, day, c = _open(store, ref, on, "resume it")
    if c.paused_since is None:
        raise UserError(
            f"SAR {sar['id']} is not paused", hint=f"`cosa sar pause {sar['id']}` stops its clock"
        )
    if day < c.paused_since:
        raise UserError(f"--on {day} is before the pause began ({c.paused_since})")
    return _event(store, sar, "resumed", day)


@in_transaction
def extend(store: Store, ref: str | int, *, months: int, reason: str) -> int:
    sar, day, c = _open(store, ref, date.today(), "extend it")
    if months not in (1, 2):
        raise UserError(f"invalid --months {months}: an extension is 1 or 2 months")
    if c.extension_months + months > MAX_EXTENSION_MONTHS:
        raise UserError(
            f"SAR {sar['id']} is already extended by {c.extension_months} month(s); "
            f"the limit is {MAX_EXTENSION_MONTHS} in all"
        )
    return _event(
        store,
        sar,
        "extended",
        day,
        months=months,
        reason=clean_text("--reason", reason, required=True),
    )


def record_pack(
    store: Store, ref: str | int, file_name: str, sha256: str, *, encrypted: bool
) -> int:
    """Link a subject access pack to its request (`report member --sar`), in the transaction
    that writes the pack."""
    sar, day, _ = _open(store, ref, date.today(), "make a pack for it")
    return _event(
        store, sar, "pack", day, file_name=file_name, sha256=sha256, encrypted=int(encrypted)
    )


def check_pack_for(store: Store, ref: str | int, member_id: int) -> Row:
    """The request a pack about `member_id` answers; refused if it is about someone else."""
    sar, _, _ = _open(store, ref, date.today(), "make a pack for it")
    if sar["member_id"] != member_id:
        raise UserError(f"SAR {sar['id']} is from {sar['member_code']}, not this core member")
    return sar


@in_transaction
def respond(store: Store, ref: str | int, *, on: DateLike, pack: Path | None = None) -> Row:
    """Record the answer; with the pack (`--pack FILE`, else the last pack made for it with
    `report member --sar`), record the pack in the disclosure register too."""
    from cosa.domain import disclosures

    sar, day, c = _open(store, ref, on, "answer it again")
    if c.paused_since:
        raise UserError(
            f"SAR {sar['id']} is paused since {c.paused_since}",
            hint=f"resume it first: `cosa sar resume {sar['id']} --on DATE`",
        )
    file_name = sha256 = None
    encrypted = False
    if pack is not None:
        path = Path(pack)
        if not path.is_file():
            raise UserError(f"--pack {path}: no such file")
        blob = path.read_bytes()
        file_name, sha256 = path.name, hashlib.sha256(blob).hexdigest()
        encrypted = b"/Encrypt" in blob
    else:
        last = store.one(
            "SELECT file_name, sha256, encrypted FROM sar_events WHERE sar_id = ?"
            " AND kind = 'pack' ORDER BY id DESC LIMIT 1",
            (sar["id"],),
        )
        if last is not None:
            file_name, sha256 = last["file_name"], last["sha256"]
            encrypted = bool(last["encrypted"])
    _event(
        store,
        sar,
        "responded",
        day,
        file_name=file_name,
        sha256=sha256,
        encrypted=None if file_name is None else int(encrypted),
    )
    if file_name is not None and sha256 is not None:
        disclosures.record_file(
            store,
            kind=disclosures.SUBJECT_ACCESS,
            recipient=f"{RECIPIENT} ({sar['member_code']})",
            on=day,
            basis=BASIS,
            items=[f"subject access pack for SAR {sar['id']}"],
            file_name=file_name,
            sha256=sha256,
            encrypted=encrypted,
            member_id=sar["member_id"],
            sar_id=sar["id"],
            removed=["third parties' names and contact details (see the pack's last section)"],
        )
    return get(store, sar["id"])


def list_(
    store: Store, *, open_only: bool = False, limit: int | None = None, today: date | None = None
) -> list[Row]:
    """Requests, newest first (`limit` of them), each with its clock."""
    day = today or date.today()
    if limit is not None and limit < 1:
        raise UserError(f"invalid --limit {limit}: it must be 1 or more")
    rows = store.query(f"{_SELECT} ORDER BY s.received_on DESC, s.id DESC")
    events: dict[int, list[Row]] = {}
    for e in store.query("SELECT * FROM sar_events ORDER BY date, id"):
        events.setdefault(int(e["sar_id"]), []).append(e)
    out = [_with_clock(store, r, day, events.get(int(r["id"]), [])) for r in rows]
    if open_only:
        out = [r for r in out if r["state"] != "responded"]
    return out[:limit] if limit is not None else out


def due(store: Store, today: date) -> list[Row]:
    """Open requests (clock running) due within `DUE_SOON_DAYS` days or overdue, most
    urgent first: the status section."""
    rows = [
        r
        for r in list_(store, open_only=True, today=today)
        if r["state"] == "open" and r["days_left"] <= DUE_SOON_DAYS
    ]
    rows.sort(key=lambda r: (r["due"], r["id"]))
    return rows
