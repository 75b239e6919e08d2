"""Referrals: who referred whom, when, with which documents, and what was decided.

A referral may arrive before the person has a core-member code; `--member` links it (at
`add` or later at `decide`). Its decisions are events, each with a date (SPEC §9: history,
not overwrites): `received` (at `add`), then any of assessed, waiting, accepted, declined,
withdrawn, each carrying a grouped reason (lookup `referral-reason`: problem, person,
sentence, other), a free-text reason and who decided (default: the operator). The
referral's `decision` columns hold the latest event after `received` (null: "undecided");
`days_waiting` counts from received to the first final decision (accepted, declined,
withdrawn), or to today while there is none.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cosa import history
from cosa.domain import lookups
from cosa.domain.members import (
    DateLike,
    day_or_today,
    number_ref,
    required_date,
    resolve_member,
)
from cosa.domain.volunteers import check_choice, clean_text
from cosa.errors import UserError
from cosa.store import Row, Store

TABLE = "referrals"
DECISIONS = ("assessed", "waiting", "accepted", "declined", "withdrawn")
FINAL = ("accepted", "declined", "withdrawn")
EVENTS = ("received", *DECISIONS)
UNDECIDED = "undecided"

_SELECT = (
    "SELECT r.*, m.code AS member_code,"
    " (SELECT min(h.on_date) FROM referral_history h WHERE h.referral_id = r.id"
    "  AND h.field = 'decision' AND h.value IN ('accepted', 'declined', 'withdrawn'))"
    " AS final_on"
    " FROM referrals r LEFT JOIN core_members m ON m.id = r.member_id"
)


def _waiting(rows: list[Row], today: date | None = None) -> list[Row]:
    day = today or date.today()
    for r in rows:
        end = date.fromisoformat(r["final_on"]) if r.get("final_on") else day
        r["days_waiting"] = max(0, (end - date.fromisoformat(r["received_on"])).days)
    return rows


def add(
    store: Store,
    *,
    received: DateLike,
    source: str,
    member: str | None = None,
    referrer: str | None = None,
    documents: str | None = None,
) -> int:
    received_on = required_date("--received", received)
    values = {
        "member_id": resolve_member(store, member)["id"] if member else None,
        "received_on": received_on,
        "source": lookups.check(store, "referral-source", source, field="--source"),
        "referrer": clean_text("--referrer", referrer),
        "documents": clean_text("--documents", documents),
    }
    with store.atomic():
        rid = store.insert(TABLE, "referral", values)
        history.add(store, "referral", rid, "decision", "received", received_on)
        return rid


def list_(store: Store, *, decision: str | None = None) -> list[Row]:
    """Referrals, oldest first; `decision` filters (`undecided` = no decision yet)."""
    if decision is None:
        return _waiting(store.query(f"{_SELECT} ORDER BY r.received_on, r.id"))
    choice = check_choice("--decision", decision, (*DECISIONS, UNDECIDED))
    if choice == UNDECIDED:
        return _waiting(
            store.query(f"{_SELECT} WHERE r.decision IS NULL ORDER BY r.received_on, r.id")
        )
    return _waiting(
        store.query(f"{_SELECT} WHERE r.decision = ? ORDER BY r.received_on, r.id", (choice,))
    )


def get(store: Store, ref: str | int) -> Row:
    rid = number_ref("referral", ref)
    row = store.one(f"{_SELECT} WHERE r.id = ?", (rid,))
    if row is None:
        raise UserError(f"referral {rid} not found", hint="`cosa referral list` shows them")
    return _waiting([row])[0]


def events(store: Store, referral_id: int) -> list[Row]:
    """The referral's events (received, assessed, …), oldest first."""
    return history.entries(store, "referral", referral_id)


def detail(store: Store, ref: str | int) -> dict[str, Any]:
    row = get(store, ref)
    return {**row, "events": events(store, row["id"])}


def decide(
    store: Store,
    ref: str | int,
    decision: str,
    *,
    reason_group: str | None = None,
    reason: str | None = None,
    on: DateLike = None,
    by: str | None = None,
    member: str | None = None,
) -> list[str]:
    """Record a decision event on a referral (earlier events are kept); the referral's
    decision columns show the latest. Returns the changed field names."""
    row = get(store, ref)
    changes: dict[str, Any] = {
        "decision": check_choice("decision", decision, DECISIONS),
        "reason_group": (
            lookups.check(store, "referral-reason", reason_group, field="--reason-group")
            if reason_group
            else None
        ),
        "reason": clean_text("--reason", reason),
        "decided_on": day_or_today("--on", on),
        "decided_by": clean_text("--by", by) or store.operator,
    }
    if changes["decided_on"] < row["received_on"]:
        raise UserError(
            f"--on {changes['decided_on']} is before the referral was received"
            f" ({row['received_on']})"
        )
    member_id = resolve_member(store, member)["id"] if member else None
    with store.atomic():
        history.add(
            store,
            "referral",
            row["id"],
            "decision",
            changes["decision"],
            changes["decided_on"],
            note=changes["reason"],
            reason_group=changes["reason_group"],
            decided_by=changes["decided_by"],
        )
        latest = history.latest(store, "referral", row["id"], "decision")
        assert latest is not None
        current: dict[str, Any] = {
            "decision": latest["value"],
            "reason_group": latest["reason_group"],
            "reason": latest["note"],
            "decided_on": latest["on_date"],
            "decided_by": latest["decided_by"],
        }
        if member_id is not None:
            current["member_id"] = member_id
        changed = store.update(TABLE, "referral", row["id"], current, action="referral.decide")
        return changed or ["decision"]
