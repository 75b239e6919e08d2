"""`cosa status`: the coordinator's Monday morning, most urgent first.

One call, a fixed handful of aggregate queries (each reads an index: `concerns_open`,
`meetings_unapproved`, `actions_open_due`, `meetings_circle_date`, `reviews_circle_date`,
`core_members_licence_end`), never a query per row, so it stays quick on a workspace with
tens of thousands of meetings. The sections, in order (keys of the returned dict):

* `concerns` — open red and amber concerns (red first, oldest first) with escalation counts;
* `vetting_not_cleared` — current circle members whose latest DBS check with a decision
  (by issue date) was not cleared;
* `minutes_late` — held meetings whose minutes are still unapproved 48 h after the meeting;
* `actions_overdue` — open actions whose due date has passed, in circles not ended or
  transferred (`cosa action list --overdue` lists those too);
* `circles_not_met` — active circles with no meeting for longer than their cadence (default 7
  days), counted from the last meeting or, before the first, from the start;
* `actions_due` — open actions due from today to 7 days on, in the same circles;
* `reviews_due` — circles (active or paused) whose next review is due within 14 days: the
  latest review's `next_review`, else 3 months after it, else 3 months after the start;
* `licences_ending` — core members with an open circle whose licence ends within 30 days;
* `vetting_overdue` — volunteers whose DBS re-check date has passed, or who were never vetted;
* `vetting_due` — volunteers whose DBS re-check is due from today to 30 days on;
* `supervision_overdue` — active volunteers whose supervision date has passed, or who were
  never supervised;
* `supervision_due` — active volunteers due supervision from today to 7 days on;
* `followups_due` — follow-up checks after a circle ended, open and due within 14 days;
* `agreements_to_sign` — circles whose latest agreement a current volunteer or the core
  member has not signed (someone joined after the last signing);
* `sars_due` — subject access requests due within 7 days or overdue (`cosa.domain.sars`);
* `complaints_due` — complaints whose acknowledgement is due within 7 days or overdue;
* `probation_to_be_told` — held meetings marked `--notify-pp` for which neither an
  escalation of a concern raised at the meeting nor a disclosure of the meeting to a
  probation professional (a share pack, or `cosa meeting told`) is recorded yet;
* `circles` — every active circle with its last held meeting, its next planned meeting (the
  schedule of `meetings.upcoming`: recorded and cancelled days skipped) and how many meetings
  it has held and had cancelled.

Cancelled and void meetings never count as met, and never owe minutes.

With a `coordinator`, every section about circles keeps only the rows of the circles that
person coordinates now (`circles.coordinator`); the sections about volunteers, subject access
requests and complaints are the provider's and stay whole. `coordinator` in the result says
whose circles were shown (None: everyone's).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from cosa.domain import agreements, followup, meetings, volunteers
from cosa.domain.reviews import next_review_after
from cosa.store import Row, Store

DEFAULT_CADENCE_DAYS = 7
ACTIONS_DUE_DAYS = 7
REVIEW_WARNING_DAYS = 14
LICENCE_WARNING_DAYS = 30
VETTING_WARNING_DAYS = 30
SUPERVISION_WARNING_DAYS = 7

#: Section keys in urgency order, with their headings.
SECTIONS: dict[str, str] = {
    "concerns": "Open red and amber concerns",
    "vetting_not_cleared": "In a circle with a DBS check not cleared",
    "probation_to_be_told": "Probation to be told (meetings marked --notify-pp)",
    "minutes_late": "Minutes late (unapproved 48 h after the meeting)",
    "actions_overdue": "Overdue actions",
    "circles_not_met": "Circles not met within their cadence",
    "actions_due": f"Actions due in the next {ACTIONS_DUE_DAYS} days",
    "reviews_due": f"Reviews due within {REVIEW_WARNING_DAYS} days",
    "licences_ending": f"Licences ending within {LICENCE_WARNING_DAYS} days",
    "vetting_overdue": "DBS re-checks overdue (or never vetted)",
    "vetting_due": f"DBS re-checks due within {VETTING_WARNING_DAYS} days",
    "supervision_overdue": "Supervision overdue (or never supervised)",
    "supervision_due": f"Supervision due within {SUPERVISION_WARNING_DAYS} days",
    "followups_due": f"Follow-up checks due within {followup.WARNING_DAYS} days",
    "agreements_to_sign": "Agreement to re-sign",
    "sars_due": "Subject access requests due within 7 days or overdue",
    "complaints_due": "Complaints to acknowledge within 7 days or overdue",
    "circles": "Active circles",
}

_CIRCLE = "JOIN circles ci ON ci.id = {alias}.circle_id JOIN core_members m ON m.id = ci.member_id"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _days(later: str | date, earlier: str | date) -> int:
    a = date.fromisoformat(later[:10]) if isinstance(later, str) else later
    b = date.fromisoformat(earlier[:10]) if isinstance(earlier, str) else earlier
    return (a - b).days


def _concerns(store: Store, today: date) -> list[Row]:
    rows = store.query(
        "SELECT c.id, c.circle_id, m.code AS member_code, c.date, c.severity, c.category,"
        " c.text, c.raised_by,"
        " (SELECT count(*) FROM escalations e WHERE e.concern_id = c.id) AS escalations,"
        " (SELECT max(at) FROM escalations e WHERE e.concern_id = c.id) AS last_escalated"
        f" FROM concerns c {_CIRCLE.format(alias='c')}"
        " WHERE c.closed_on IS NULL AND c.void_reason IS NULL AND c.severity IN ('red', 'amber')"
        " ORDER BY c.severity = 'amber', c.date, c.id"
    )
    for r in rows:
        r["days_open"] = _days(today, r["date"])
    return rows


def _minutes_late(store: Store, now: datetime) -> list[Row]:
    rows = []
    for r in meetings.minutes_due(store, now):
        if r["late"]:
            due = datetime.fromisoformat(r["minutes_due_at"])
            rows.append(
                {
                    "meeting_id": r["id"],
                    "circle_id": r["circle_id"],
                    "member_code": r["member_code"],
                    "date": r["date"],
                    "type": r["type"],
                    "minutes_due_at": r["minutes_due_at"],
                    "hours_late": int((now - due).total_seconds() // 3600),
                    "has_minutes": r["has_minutes"],
                }
            )
    return rows


def _actions(store: Store, today: date) -> tuple[list[Row], list[Row]]:
    horizon = today + timedelta(days=ACTIONS_DUE_DAYS)
    rows = store.query(
        "SELECT a.id, a.circle_id, m.code AS member_code, a.meeting_id, a.text, a.owner, a.due"
        f" FROM actions a {_CIRCLE.format(alias='a')}"
        " WHERE a.status = 'open' AND a.due <= ? AND ci.status NOT IN ('ended', 'transferred') ORDER BY a.due, a.id",
        (horizon.isoformat(),),
    )
    overdue: list[Row] = []
    due: list[Row] = []
    for r in rows:
        r["days_left"] = _days(r["due"], today)
        (overdue if r["days_left"] < 0 else due).append(r)
    return overdue, due


def _next_weekday(name: str | None, today: date) -> date | None:
    if not name or name.lower() not in _WEEKDAYS:
        return None
    return today + timedelta(days=(_WEEKDAYS.index(name.lower()) - today.weekday()) % 7)


def _circles(store: Store, today: date) -> list[Row]:
    day = today.isoformat()
    rows = store.query(
        "SELECT c.id, m.code AS member_code, c.type, c.coordinator, c.meeting_day,"
        " c.meeting_time, c.cadence_days, c.start_date, substr(c.created_at, 1, 10) AS created,"
        " (SELECT max(date) FROM meetings WHERE circle_id = c.id AND date <= :day"
        "  AND state = 'held') AS last_meeting,"
        " (SELECT count(*) FROM meetings WHERE circle_id = c.id AND state = 'held')"
        "  AS meetings_held,"
        " (SELECT count(*) FROM meetings WHERE circle_id = c.id AND state = 'cancelled')"
        "  AS meetings_cancelled"
        " FROM circles c JOIN core_members m ON m.id = c.member_id"
        " WHERE c.status = 'active' ORDER BY c.id",
        {"day": day},
    )
    planned = {r["circle_id"]: r["date"] for r in reversed(meetings.upcoming(store, today=today))}
    for r in rows:
        cadence = r["cadence_days"] or DEFAULT_CADENCE_DAYS
        created = r.pop("created")
        since = r["last_meeting"] or r["start_date"] or created
        r["cadence_days"] = cadence
        r["days_since_meeting"] = _days(today, r["last_meeting"]) if r["last_meeting"] else None
        due_by = date.fromisoformat(since) + timedelta(days=cadence)
        r["meeting_due_by"] = due_by.isoformat()
        r["not_met"] = today > due_by
        scheduled = _next_weekday(r["meeting_day"], today) or max(due_by, today)
        r["next_meeting"] = planned.get(r["id"], scheduled.isoformat())
    return rows


def _probation_to_be_told(store: Store) -> list[Row]:
    """Held meetings marked `--notify-pp` for which nothing records probation being told yet:
    no escalation of a concern raised at the meeting, and no disclosure of the meeting to a
    professional whose role is probation (a share pack, `cosa share`, or a notification,
    `cosa meeting told`)."""
    return store.query(
        "SELECT mt.id AS meeting_id, mt.circle_id, m.code AS member_code, mt.date, mt.type,"
        " (SELECT count(*) FROM concerns c WHERE c.meeting_id = mt.id AND c.void_reason IS NULL)"
        "  AS concerns"
        f" FROM meetings mt {_CIRCLE.format(alias='mt')}"
        " WHERE mt.notify_pp = 1 AND mt.state = 'held' AND NOT EXISTS (SELECT 1 FROM concerns c"
        "  JOIN escalations e ON e.concern_id = c.id WHERE c.meeting_id = mt.id)"
        " AND NOT EXISTS (SELECT 1 FROM disclosures d JOIN professionals p"
        "  ON p.id = d.professional_id WHERE d.meeting_id = mt.id AND p.role = 'probation')"
        " ORDER BY mt.date, mt.id"
    )


def _reviews_due(store: Store, today: date) -> list[Row]:
    rows = store.query(
        "SELECT c.id AS circle_id, m.code AS member_code, c.status, c.start_date,"
        " r.id AS review_id, r.date AS last_review, r.next_review"
        " FROM circles c JOIN core_members m ON m.id = c.member_id"
        " LEFT JOIN reviews r ON r.id = (SELECT id FROM reviews WHERE circle_id = c.id"
        "   ORDER BY date DESC, id DESC LIMIT 1)"
        " WHERE c.status IN ('active', 'paused') ORDER BY c.id"
    )
    horizon = (today + timedelta(days=REVIEW_WARNING_DAYS)).isoformat()
    due = []
    for r in rows:
        base = r["last_review"] or r["start_date"]
        r["due"] = r.pop("next_review") or (next_review_after(base) if base else None)
        if r["due"] is not None and r["due"] <= horizon:
            r["days_left"] = _days(r["due"], today)
            due.append(r)
    due.sort(key=lambda r: (r["due"], r["circle_id"]))
    return due


def _licences(store: Store, today: date) -> list[Row]:
    rows = store.query(
        "SELECT m.id AS member_id, m.code AS member_code, m.licence_end,"
        " (SELECT min(id) FROM circles WHERE member_id = m.id AND status NOT IN ('ended', 'transferred')) AS circle_id"
        " FROM core_members m WHERE m.licence_end BETWEEN ? AND ?"
        " AND EXISTS (SELECT 1 FROM circles WHERE member_id = m.id AND status NOT IN ('ended', 'transferred'))"
        " ORDER BY m.licence_end, m.id",
        (today.isoformat(), (today + timedelta(days=LICENCE_WARNING_DAYS)).isoformat()),
    )
    for r in rows:
        r["days_left"] = _days(r["licence_end"], today)
    return rows


def _sars_due(store: Store, today: date) -> list[Row]:
    from cosa.domain import sars

    return sars.due(store, today)


def _complaints_due(store: Store, today: date) -> list[Row]:
    from cosa.domain import complaints

    return complaints.due(store, today)


def _overdue_first(rows: list[Row], key: str, today: date) -> tuple[list[Row], list[Row]]:
    """Split rows by their due date `key`: (passed or never, from today on)."""
    day = today.isoformat()
    overdue = [r for r in rows if r[key] is None or r[key] < day]
    return overdue, [r for r in rows if r[key] is not None and r[key] >= day]


def _vetting_not_cleared(store: Store, today: date) -> list[Row]:
    """Current circle members whose latest DBS check with a decision (by issue date) was not
    cleared: the join gate refuses them, but a check that comes back after joining does not
    take anyone out of a circle by itself."""
    return store.query(
        "SELECT v.id, v.name, v.status, t.issued_on AS last_checked, t.level, t.decision,"
        " t.update_service FROM volunteers v JOIN volunteer_vetting t ON t.id = ("
        "  SELECT id FROM volunteer_vetting WHERE volunteer_id = v.id AND decision != 'pending'"
        "  AND issued_on <= :day ORDER BY issued_on DESC, id DESC LIMIT 1)"
        " WHERE t.decision NOT IN ('cleared', 'cleared-with-conditions') AND EXISTS (SELECT 1"
        "  FROM circle_members cm WHERE cm.volunteer_id = v.id AND cm.left_on IS NULL"
        "  AND cm.joined_on <= :day) ORDER BY v.name COLLATE NOCASE, v.id",
        {"day": today.isoformat()},
    )


def _vetting(store: Store, today: date) -> tuple[list[Row], list[Row]]:
    rows = volunteers.vetting_rechecks_due(store, VETTING_WARNING_DAYS, today=today)
    return _overdue_first(rows, "recheck_due", today)


def _supervision(store: Store, today: date) -> tuple[list[Row], list[Row]]:
    rows = volunteers.supervision_due(store, within_days=SUPERVISION_WARNING_DAYS, today=today)
    return _overdue_first(rows, "due_on", today)


def _only_coordinator(out: dict[str, Any], store: Store, coordinator: str) -> None:
    """Keep, in each section about circles, the rows of `coordinator`'s circles."""
    mine = {
        int(r["id"])
        for r in store.query(
            "SELECT id FROM circles WHERE coordinator = ? COLLATE NOCASE", (coordinator,)
        )
    }
    for key in SECTIONS:
        rows = out[key]
        if key in ("circles", "circles_not_met"):
            out[key] = [r for r in rows if r["id"] in mine]
        elif rows and "circle_id" in rows[0]:
            out[key] = [r for r in rows if r["circle_id"] in mine]


def status(
    store: Store, *, now: datetime | None = None, coordinator: str | None = None
) -> dict[str, Any]:
    """Everything that needs the coordinator's attention (see the module docstring)."""
    moment = (now or datetime.now()).replace(microsecond=0)
    today = moment.date()
    overdue, due = _actions(store, today)
    circles = _circles(store, today)
    vetting_overdue, vetting_due = _vetting(store, today)
    supervision_overdue, supervision_due = _supervision(store, today)
    out: dict[str, Any] = {
        "today": today.isoformat(),
        "generated_at": moment.isoformat(sep=" "),
        "concerns": _concerns(store, today),
        "vetting_not_cleared": _vetting_not_cleared(store, today),
        "probation_to_be_told": _probation_to_be_told(store),
        "minutes_late": _minutes_late(store, moment),
        "actions_overdue": overdue,
        "circles_not_met": [c for c in circles if c["not_met"]],
        "actions_due": due,
        "reviews_due": _reviews_due(store, today),
        "licences_ending": _licences(store, today),
        "vetting_overdue": vetting_overdue,
        "vetting_due": vetting_due,
        "supervision_overdue": supervision_overdue,
        "supervision_due": supervision_due,
        "followups_due": followup.due(store, today),
        "agreements_to_sign": agreements.to_sign(store, today),
        "sars_due": _sars_due(store, today),
        "complaints_due": _complaints_due(store, today),
        "circles": circles,
    }
    if coordinator is not None:
        _only_coordinator(out, store, coordinator)
    out["coordinator"] = coordinator
    out["counts"] = {key: len(out[key]) for key in SECTIONS}
    return out
