"""`cosa calendar`: planned meetings and due dates as an iCalendar file (RFC 5545).

For import into the laptop's calendar, so the events carry only what may sit in a calendar
that syncs and shows on a lock screen: circle numbers, core member codes and volunteers'
first names. Never surnames, venues, minutes, concern or action text.

Events, between `--from` and `--to` (default: today and 12 weeks on):

* planned meetings of active circles: every `cadence_days` (default 7) on the circle's
  meeting day from the first such day on or after its start, at its meeting time for its
  duration (90 minutes when unset; all-day when no time is set), leaving out a day recorded
  as cancelled and adding the day a cancelled meeting moved to (`--moved-to`); void
  records change nothing. Circles without a meeting day have no planned meetings. (A small generator of its own: `meeting list --upcoming`
  is being built beside it and the two are to be unified.)
* reviews due (as in `cosa status`: the latest review's next date, else 3 months after it or
  after the start), actions due (open), DBS re-checks due, supervision due, and follow-up
  checks due after a circle ended — all-day events.

Each event has a stable UID (`cosa-<kind>-<id>-<day>@cosa`), so importing again updates
rather than duplicates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from cosa.domain import meetings
from cosa.domain.circles import resolve_circle
from cosa.domain.members import DateLike, date_field
from cosa.domain.reviews import next_review_after
from cosa.domain.volunteers import supervision_due, vetting_rechecks_due
from cosa.errors import UserError
from cosa.store import Store

DEFAULT_WEEKS = 12
DEFAULT_DURATION_MINUTES = 90


def first_name(name: str | None) -> str:
    parts = (name or "").split()
    return parts[0] if parts else "?"


def events(
    store: Store,
    *,
    from_: DateLike = None,
    to: DateLike = None,
    circle: str | int | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """The calendar's events, in date order: dicts with `uid`, `kind`, `summary`, `day`,
    and for timed meetings `start` and `end` (naive local date-times)."""
    now = today or date.today()
    start = date.fromisoformat(date_field("--from", from_) or now.isoformat())
    end = date.fromisoformat(
        date_field("--to", to) or (start + timedelta(weeks=DEFAULT_WEEKS)).isoformat()
    )
    if end < start:
        raise UserError(f"--to {end} is before --from {start}")
    only = resolve_circle(store, circle)["id"] if circle is not None else None
    s, e = start.isoformat(), end.isoformat()
    out: list[dict[str, Any]] = []

    def add(kind: str, rid: Any, day: date | str, summary: str, **extra: Any) -> None:
        d = date.fromisoformat(day) if isinstance(day, str) else day
        if start <= d <= end:
            out.append(
                {
                    "uid": f"cosa-{kind}-{rid}-{d.isoformat()}@cosa",
                    "kind": kind,
                    "summary": summary,
                    "day": d.isoformat(),
                    **extra,
                }
            )

    circles = store.query(
        "SELECT c.id, c.status, c.start_date, c.created_at, c.ended_on, c.meeting_day,"
        " c.meeting_time, c.duration_minutes, c.cadence_days, m.code AS member_code"
        " FROM circles c JOIN core_members m ON m.id = c.member_id"
        " WHERE c.status NOT IN ('ended', 'transferred') ORDER BY c.id"
    )
    circles = [c for c in circles if only is None or c["id"] == only]
    ids = {int(c["id"]) for c in circles}
    for c in circles:
        label = f"circle {c['id']} ({c['member_code']})"
        if c["status"] == "active":
            # a cancelled meeting is not planned any more; the day it moved to is
            held: set[str] = set()
            cancelled: set[str] = set()
            moved: set[date] = set()
            for m in store.query(
                "SELECT date, state, moved_to FROM meetings WHERE circle_id = ?"
                " AND state != 'void' AND (date BETWEEN ? AND ? OR moved_to BETWEEN ? AND ?)",
                (c["id"], s, e, s, e),
            ):
                (held if m["state"] == "held" else cancelled).add(m["date"])
                if m["state"] == "cancelled" and m["moved_to"]:
                    moved.add(date.fromisoformat(m["moved_to"]))
            off = cancelled - held
            days = {d for d in meetings.scheduled_days(c, start, end) if d.isoformat() not in off}
            days |= {d for d in moved if d.isoformat() not in off}
            for day in sorted(days):
                extra: dict[str, Any] = {"circle_id": c["id"]}
                if c["meeting_time"]:
                    begin = datetime.combine(day, time.fromisoformat(c["meeting_time"]))
                    minutes = int(c["duration_minutes"] or DEFAULT_DURATION_MINUTES)
                    extra.update(start=begin, end=begin + timedelta(minutes=minutes))
                add("meeting", c["id"], day, f"Meeting: {label}", **extra)
        if c["status"] in ("active", "paused"):
            last = store.one(
                "SELECT date, next_review FROM reviews WHERE circle_id = ?"
                " ORDER BY date DESC, id DESC LIMIT 1",
                (c["id"],),
            )
            base = (last or {}).get("date") or c["start_date"]
            due = (last or {}).get("next_review") or (next_review_after(base) if base else None)
            if due:
                add("review", c["id"], due, f"Review due: {label}", circle_id=c["id"])
    for a in store.query(
        "SELECT a.id, a.circle_id, a.due, m.code AS member_code FROM actions a"
        " JOIN circles c ON c.id = a.circle_id JOIN core_members m ON m.id = c.member_id"
        " WHERE a.status = 'open' AND a.due BETWEEN ? AND ? ORDER BY a.due, a.id",
        (s, e),
    ):
        if a["circle_id"] in ids or only is None:
            label = f"circle {a['circle_id']} ({a['member_code']})"
            add("action", a["id"], a["due"], f"Action {a['id']} due: {label}")
    for f in store.query(
        "SELECT f.id, f.circle_id, f.months, f.due_on, m.code AS member_code"
        " FROM followup_checks f JOIN circles c ON c.id = f.circle_id"
        " JOIN core_members m ON m.id = c.member_id"
        " WHERE f.done_on IS NULL AND f.due_on BETWEEN ? AND ? ORDER BY f.due_on, f.id",
        (s, e),
    ):
        if only is None or f["circle_id"] == only:
            label = f"circle {f['circle_id']} ({f['member_code']})"
            add("followup", f["id"], f["due_on"], f"Follow-up ({f['months']} months): {label}")
    if only is None:
        horizon = max(0, (end - now).days)
        for v in vetting_rechecks_due(store, horizon, today=now):
            if v["recheck_due"]:
                add("dbs", v["id"], v["recheck_due"], f"DBS re-check: {first_name(v['name'])}")
        for v in supervision_due(store, within_days=horizon, today=now):
            if v["due_on"]:
                add("supervision", v["id"], v["due_on"], f"Supervision: {first_name(v['name'])}")
    out.sort(key=lambda ev: (ev["day"], ev["kind"], ev["uid"]))
    return out


def ics(store: Store, **kwargs: Any) -> tuple[bytes, int]:
    """The iCalendar file's bytes and its number of events."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//cosa//Circles of Support and Accountability//EN")
    cal.add("version", "2.0")
    stamp = datetime.now(UTC).replace(microsecond=0)
    evs = events(store, **kwargs)
    for ev in evs:
        item = icalendar.Event()
        item.add("uid", ev["uid"])
        item.add("dtstamp", stamp)
        item.add("summary", ev["summary"])
        if "start" in ev:
            item.add("dtstart", ev["start"])
            item.add("dtend", ev["end"])
        else:
            item.add("dtstart", date.fromisoformat(ev["day"]))
        item.add("categories", [ev["kind"]])
        cal.add_component(item)
    return cal.to_ical(), len(evs)


def write(store: Store, output: Any, *, force: bool = False, **kwargs: Any) -> int:
    """Write the calendar to `output` (0600, never over an existing file without `force`);
    returns the number of events. Audited as `calendar.export`."""
    from cosa.noclobber import check_output, write_output

    check_output(output, force=force)
    data, count = ics(store, **kwargs)
    with store.atomic():
        store.audit("calendar.export", detail={"events": count})
    write_output(output, data, force=force)
    return count
