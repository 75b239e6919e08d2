"""Referrals: who referred whom, when, with which documents, and what was decided.

A referral may arrive before the person has a core-member code; `--member` links it (at
`add` or later at `decide`). The decision (accepted, declined, waiting, withdrawn) carries a
grouped reason (lookup `referral-reason`: problem, person, sentence, other), a free-text
reason, the date and who decided (default: the operator). Undecided referrals have no
decision (listed as "undecided").
"""

from __future__ import annotations

from typing import Any

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
DECISIONS = ("accepted", "declined", "waiting", "withdrawn")
UNDECIDED = "undecided"

_SELECT = (
    "SELECT r.*, m.code AS member_code FROM referrals r"
    " LEFT JOIN core_members m ON m.id = r.member_id"
)


def add(
    store: Store,
    *,
    received: DateLike,
    source: str,
    member: str | None = None,
    referrer: str | None = None,
    documents: str | None = None,
) -> int:
    values = {
        "member_id": resolve_member(store, member)["id"] if member else None,
        "received_on": required_date("--received", received),
        "source": lookups.check(store, "referral-source", source, field="--source"),
        "referrer": clean_text("--referrer", referrer),
        "documents": clean_text("--documents", documents),
    }
    with store.atomic():
        return store.insert(TABLE, "referral", values)


def list_(store: Store, *, decision: str | None = None) -> list[Row]:
    """Referrals, oldest first; `decision` filters (`undecided` = no decision yet)."""
    if decision is None:
        return store.query(f"{_SELECT} ORDER BY r.received_on, r.id")
    choice = check_choice("--decision", decision, (*DECISIONS, UNDECIDED))
    if choice == UNDECIDED:
        return store.query(f"{_SELECT} WHERE r.decision IS NULL ORDER BY r.received_on, r.id")
    return store.query(f"{_SELECT} WHERE r.decision = ? ORDER BY r.received_on, r.id", (choice,))


def get(store: Store, ref: str | int) -> Row:
    rid = number_ref("referral", ref)
    row = store.one(f"{_SELECT} WHERE r.id = ?", (rid,))
    if row is None:
        raise UserError(f"referral {rid} not found", hint="`cosa referral list` shows them")
    return row


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
    """Record (or change) the decision on a referral; returns the changed field names."""
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
    if member:
        changes["member_id"] = resolve_member(store, member)["id"]
    with store.atomic():
        return store.update(TABLE, "referral", row["id"], changes, action="referral.decide")
