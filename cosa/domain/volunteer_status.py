"""A volunteer's status: derived from what happened, kept as a dated history.

* `applicant` until they are approved (pipeline stage `approved`);
* `available` when approved and in no circle;
* `active` on every day they are a current member of a circle;
* `resting` and `left` are set by hand (`volunteer rest`/`resume`, `volunteer leave`); a
  rest ends when it is resumed, leaving is final.

The history is the table `volunteer_status_history`: entries (`status`, `since`) that are
only ever appended. `sync` compares the status the facts give on every day something changed
with the entry in force that day and appends an entry wherever they differ, so a backdated
event corrects the history without overwriting it (at one date, the later entry wins).
`status_on` / `statuses_on` are the one place that answers "the status in force on a day";
`volunteers.status` mirrors the latest entry for quick lists.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cosa.store import Store

TABLE = "volunteer_status_history"
RECORD = "volunteer_status"
STATUSES = ("applicant", "available", "active", "resting", "left")
HAND_SET = ("resting", "left")


def _facts(store: Store, vid: int) -> dict[str, Any]:
    approved = store.scalar(
        "SELECT min(date) FROM volunteer_stages WHERE volunteer_id = ? AND stage = 'approved'",
        (vid,),
    )
    spans = [
        (str(r["joined_on"]), r["left_on"])
        for r in store.query(
            "SELECT joined_on, left_on FROM circle_members WHERE volunteer_id = ?", (vid,)
        )
    ]
    return {"approved": approved, "spans": spans}


def derive(facts: dict[str, Any], hand: list[dict[str, Any]], day: str) -> str:
    """The status the facts give on `day` (ISO); `hand` are the by-hand entries in order."""
    in_force = [h for h in hand if h["since"] <= day]
    if any(h["status"] == "left" for h in in_force):
        return "left"
    if in_force and in_force[-1]["status"] == "resting":
        return "resting"
    if any(j <= day and (left is None or left >= day) for j, left in facts["spans"]):
        return "active"
    if facts["approved"] is not None and facts["approved"] <= day:
        return "available"
    return "applicant"


def history(store: Store, vid: int) -> list[dict[str, Any]]:
    """Every entry of a volunteer's status history, oldest first (at one date, by id)."""
    return store.query(
        f"SELECT * FROM {TABLE} WHERE volunteer_id = ? ORDER BY since, id", (int(vid),)
    )


def _in_force(entries: list[dict[str, Any]], day: str) -> str | None:
    found = None
    for e in entries:
        if e["since"] <= day:
            found = e["status"]
    return found


def sync(store: Store, vid: int) -> str:
    """Append the history entries the facts call for; returns the latest status (an
    applicant has no entries until something happens). Call inside the write transaction
    that changed the facts.
    """
    vid = int(vid)
    facts = _facts(store, vid)
    entries = history(store, vid)
    hand = [e for e in entries if e["by_hand"]]
    days = {e["since"] for e in entries}
    if facts["approved"] is not None:
        days.add(facts["approved"])
    for joined, left in facts["spans"]:
        days.add(joined)
        if left is not None:
            days.add((date.fromisoformat(left) + timedelta(days=1)).isoformat())
    for day in sorted(days):
        want = derive(facts, hand, day)
        if _in_force(entries, day) != want:
            rid = store.insert(
                TABLE, RECORD, {"volunteer_id": vid, "status": want, "since": day, "by_hand": 0}
            )
            entries.append({"id": rid, "status": want, "since": day, "by_hand": 0})
            entries.sort(key=lambda e: (e["since"], e["id"]))
    latest = entries[-1]["status"] if entries else "applicant"
    store.update("volunteers", "volunteer", vid, {"status": latest}, "volunteer.status")
    return str(latest)


def set_by_hand(store: Store, vid: int, status: str, since: str, note: str | None = None) -> str:
    """Append a by-hand entry (`resting`, `left`, or the derived status that ends a rest)."""
    store.insert(
        TABLE,
        RECORD,
        {"volunteer_id": int(vid), "status": status, "since": since, "by_hand": 1, "note": note},
    )
    return sync(store, vid)


def derived_without_rest(store: Store, vid: int, day: str) -> str:
    """The status on `day` if no rest were in force (what a resumed volunteer goes back to)."""
    return derive(_facts(store, int(vid)), [], day)


def status_on(store: Store, vid: int, day: date | str) -> str:
    """The status in force on `day`: the latest history entry on or before it."""
    iso = day.isoformat() if isinstance(day, date) else day
    value = store.scalar(
        f"SELECT status FROM {TABLE} WHERE volunteer_id = ? AND since <= ?"
        " ORDER BY since DESC, id DESC LIMIT 1",
        (int(vid), iso),
    )
    return str(value) if value is not None else "applicant"


def statuses_on(store: Store, day: date | str) -> dict[int, str]:
    """Every volunteer's status in force on `day` (volunteer id → status), in one query."""
    iso = day.isoformat() if isinstance(day, date) else day
    rows = store.query(
        "SELECT v.id, (SELECT h.status FROM volunteer_status_history h"
        "  WHERE h.volunteer_id = v.id AND h.since <= ? ORDER BY h.since DESC, h.id DESC LIMIT 1)"
        " AS status FROM volunteers v",
        (iso,),
    )
    return {int(r["id"]): str(r["status"] or "applicant") for r in rows}
