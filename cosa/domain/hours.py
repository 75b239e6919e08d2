"""Volunteer hours: the one place every report counts them.

A volunteer's hours are of two kinds, and each hour is counted once:

* **meeting hours** — every *held* meeting counts its length (`duration_minutes`) once for
  each volunteer recorded present at it (attendance `present`, or `late` where recorded).
  They are computed from the meetings and their attendance whenever a figure is asked for,
  never stored as copies, so a corrected attendance, a changed length or a voided meeting
  changes every figure at once. A meeting with no length recorded counts 0 hours.
* **logged hours** — entries typed with `cosa volunteer hours`, for work *outside* meetings
  (preparation, contacts, calls, training, admin), each for one circle (`circle_id`) or for
  none. Travel time is part of these entries only.

A circle's hours are its held meetings' hours plus the hours logged for that circle; a
volunteer's hours are all their meeting hours plus all their logged hours, whichever circle
(or none) they are for. The circle report, the volunteers report, the quarterly return and
`volunteer show` all read their hours through `rows` here.

Every function takes a period `start`..`end` (ISO dates, both included): meeting hours fall on
the meeting's date, logged hours on the entry's date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cosa import history
from cosa.store import Store

#: Attendance statuses that count as being at the meeting.
PRESENT = ("present", "late")
#: The activity under which meeting hours are shown beside the logged activities.
MEETING = "meeting"


@dataclass(frozen=True)
class HoursRow:
    """Hours of one volunteer, for one circle (or none), in one month, of one activity."""

    volunteer_id: int
    circle_id: int | None
    month: str  # YYYY-MM
    activity: str  # MEETING for meeting hours, else the logged entry's activity
    hours: float
    travel_hours: float

    @property
    def from_meetings(self) -> bool:
        return self.activity == MEETING


def rows(
    store: Store,
    start: str,
    end: str,
    *,
    circle_id: int | None = None,
    volunteer_id: int | None = None,
    coordinator: str | None = None,
) -> list[HoursRow]:
    """Meeting and logged hours in `start`..`end`, grouped by volunteer, circle, month and
    activity; only one circle's or one volunteer's when asked. With `coordinator`, only the
    hours for a circle that person coordinated on the day (a meeting's date, a logged
    entry's date; logged hours for no circle belong to no coordinator). In a circle received
    from another workspace, the hours before it arrived are the sender's to count
    (`cosa.history.counted_here`)."""
    where_m = [
        "m.state = 'held'",
        "m.date BETWEEN :start AND :end",
        "m.duration_minutes > 0",
        history.counted_here("m.circle_id", "m.date"),
    ]
    where_h = [
        "h.date BETWEEN :start AND :end",
        f"(h.circle_id IS NULL OR {history.counted_here('h.circle_id', 'h.date')})",
    ]
    if circle_id is not None:
        where_m.append("m.circle_id = :circle")
        where_h.append("h.circle_id = :circle")
    if volunteer_id is not None:
        where_m.append("a.volunteer_id = :volunteer")
        where_h.append("h.volunteer_id = :volunteer")
    if coordinator is not None:
        where_m.append(history.coordinated_by("m.circle_id", "m.date"))
        where_h.append(
            f"h.circle_id IS NOT NULL AND {history.coordinated_by('h.circle_id', 'h.date')}"
        )
    present = ", ".join(f"'{s}'" for s in PRESENT)
    sql = (
        "SELECT a.volunteer_id, m.circle_id, substr(m.date, 1, 7) AS month,"
        f" '{MEETING}' AS activity, total(m.duration_minutes) / 60.0 AS hours,"
        " 0.0 AS travel"
        " FROM meetings m JOIN meeting_attendance a ON a.meeting_id = m.id"
        f" AND a.status IN ({present})"
        f" WHERE {' AND '.join(where_m)}"
        " GROUP BY a.volunteer_id, m.circle_id, month"
        " UNION ALL"
        " SELECT h.volunteer_id, h.circle_id, substr(h.date, 1, 7) AS month, h.activity,"
        " total(h.hours) AS hours, total(h.travel_hours) AS travel"
        f" FROM volunteer_hours h WHERE {' AND '.join(where_h)}"
        " GROUP BY h.volunteer_id, h.circle_id, month, h.activity"
    )
    params = {
        "start": start,
        "end": end,
        "circle": circle_id,
        "volunteer": volunteer_id,
        "coordinator": coordinator,
    }
    return [
        HoursRow(
            volunteer_id=int(r["volunteer_id"]),
            circle_id=None if r["circle_id"] is None else int(r["circle_id"]),
            month=str(r["month"]),
            activity=str(r["activity"]),
            hours=float(r["hours"]),
            travel_hours=float(r["travel"]),
        )
        for r in store.query(sql, params)
    ]


def totals(items: Iterable[HoursRow]) -> dict[str, float]:
    """`hours` (meeting + logged), `meeting_hours`, `logged_hours` and `travel_hours`,
    rounded to 0.1."""
    meeting = logged = travel = 0.0
    for r in items:
        if r.from_meetings:
            meeting += r.hours
        else:
            logged += r.hours
        travel += r.travel_hours
    return {
        "hours": round(meeting + logged, 1),
        "meeting_hours": round(meeting, 1),
        "logged_hours": round(logged, 1),
        "travel_hours": round(travel, 1),
    }


def by_volunteer(items: Iterable[HoursRow]) -> dict[int, dict[str, float]]:
    """`totals` for each volunteer with any hours."""
    groups: dict[int, list[HoursRow]] = {}
    for r in items:
        groups.setdefault(r.volunteer_id, []).append(r)
    return {vid: totals(group) for vid, group in groups.items()}


def by_circle(items: Iterable[HoursRow]) -> dict[int | None, dict[str, float]]:
    """`totals` for each circle (None: hours logged for no circle)."""
    groups: dict[int | None, list[HoursRow]] = {}
    for r in items:
        groups.setdefault(r.circle_id, []).append(r)
    return {cid: totals(group) for cid, group in groups.items()}


def by_month(items: Iterable[HoursRow], months: Iterable[str] = ()) -> dict[str, float]:
    """Hours (meeting + logged, without travel) by month, every month of `months` included."""
    result = dict.fromkeys(months, 0.0)
    for r in items:
        result[r.month] = result.get(r.month, 0.0) + r.hours
    return {m: round(h, 1) for m, h in sorted(result.items())}


def by_activity(items: Iterable[HoursRow], *, digits: int | None = 1) -> list[dict[str, Any]]:
    """Hours, travel hours and how many volunteers gave them, by activity (`meeting` for
    meeting hours), most hours first; rounded to `digits` (None: not rounded)."""
    groups: dict[str, list[HoursRow]] = {}
    for r in items:
        groups.setdefault(r.activity, []).append(r)

    def sum_of(values: Iterable[float]) -> float:
        total = sum(values)
        return total if digits is None else round(total, digits)

    result: list[dict[str, Any]] = [
        {
            "activity": activity,
            "hours": sum_of(r.hours for r in group),
            "travel_hours": sum_of(r.travel_hours for r in group),
            "volunteers": len({r.volunteer_id for r in group}),
        }
        for activity, group in groups.items()
    ]
    result.sort(key=lambda a: (-a["hours"], a["activity"]))
    return result


def hours_by_circle(store: Store, volunteer_id: int, start: str, end: str) -> list[dict[str, Any]]:
    """One volunteer's hours in `start`..`end` by circle: `circle_id` (None for hours logged
    for no circle), `member_code`, then `totals`. Circles in number order, no circle last."""
    grouped = by_circle(rows(store, start, end, volunteer_id=volunteer_id))
    ids = sorted(cid for cid in grouped if cid is not None)
    codes: dict[int, str] = {}
    if ids:
        marks = ", ".join("?" * len(ids))
        codes = {
            int(r["id"]): str(r["code"])
            for r in store.query(
                "SELECT c.id, m.code FROM circles c JOIN core_members m ON m.id = c.member_id"
                f" WHERE c.id IN ({marks})",
                ids,
            )
        }
    order: list[int | None] = [*ids, None] if None in grouped else list(ids)
    return [
        {"circle_id": cid, "member_code": codes.get(cid) if cid else None, **grouped[cid]}
        for cid in order
    ]
