"""`cosa report circle CIRCLE [--from --to]`: the review / end-of-circle report.

The period defaults to the circle's life: from its start (else its first meeting, else the
day it was added) to its ending (else today). Everything is read with a fixed number of
aggregate queries on the circle's indexes (`meetings_circle_date`, `contacts_circle_date`,
`concerns_circle_date`, …), never a query per meeting, so a ten-year circle reports in
well under a second.

Volunteer hours are this circle's own (`cosa.domain.hours`): the length of each held meeting
for every volunteer present, plus the hours logged for this circle (`volunteer hours
--circle`). A volunteer in two circles has each hour in one circle only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cosa.domain import hours as hour_figures
from cosa.domain import lookups
from cosa.domain.circles import resolve_circle
from cosa.domain.reviews import RISK_ITEM_KIND, item_kind
from cosa.reports.data import (
    ThirdParties,
    VolunteerNames,
    date_range,
    format_day,
    format_moment,
    hours,
    median,
    month_label,
    months_between,
    period_label,
    rate,
)
from cosa.store import Row, Store
from cosa.words import count

KIND = "circle"
ATTENDED = ("yes", "late")


def _period(store: Store, circle: Row, start: str | None, end: str | None) -> tuple[str, str]:
    if start is None:
        start = circle["start_date"] or store.scalar(
            "SELECT min(date) FROM meetings WHERE circle_id = ? AND state = 'held'",
            (circle["id"],),
        )
        start = start or str(circle["created_at"])[:10]
    if end is None:
        end = circle["ended_on"] or date.today().isoformat()
    if end < start:
        end = start
    return str(start), str(end)


def data(
    store: Store,
    ref: str | int,
    from_: str | date | None = None,
    to: str | date | None = None,
    *,
    names: str = "first",
) -> dict[str, Any]:
    circle = resolve_circle(store, ref)
    cid = circle["id"]
    start, end = _period(store, circle, *date_range(from_, to))
    span = {"c": cid, "start": start, "end": end}

    members = store.query(
        "SELECT cm.volunteer_id, v.name, cm.role, cm.joined_on, cm.left_on FROM circle_members cm"
        " JOIN volunteers v ON v.id = cm.volunteer_id WHERE cm.circle_id = :c"
        " AND cm.joined_on <= :end AND (cm.left_on IS NULL OR cm.left_on >= :start)"
        " ORDER BY cm.joined_on, cm.id",
        span,
    )
    who = VolunteerNames(names, [{"id": m["volunteer_id"], "name": m["name"]} for m in members])
    redact = who.redactor(ThirdParties.load(store))
    links = store.query(
        "SELECT p.name, p.agency, p.role, l.linked_on, l.unlinked_on FROM circle_links l"
        " JOIN professionals p ON p.id = l.professional_id WHERE l.circle_id = :c"
        " ORDER BY l.linked_on, l.id",
        span,
    )
    phases = store.query(
        "SELECT phase, started_on FROM circle_phases WHERE circle_id = :c ORDER BY started_on, id",
        span,
    )

    # meetings: by type, and one row per meeting for the timelines (attendance aggregated)
    # (held meetings only; total() is 0.0, never NULL, for a type whose meetings all lack
    # core-member attendance, e.g. a volunteers-only briefing)
    by_type = store.query(
        "SELECT type, count(*) AS held,"
        " CAST(total(cm_attended = 'yes') AS INTEGER) AS cm_yes,"
        " CAST(total(cm_attended = 'late') AS INTEGER) AS cm_late,"
        " CAST(total(cm_attended = 'no') AS INTEGER) AS cm_no,"
        " CAST(total(cm_attended IS NULL) AS INTEGER) AS cm_unknown,"
        " sum(coalesce(duration_minutes, 0)) AS minutes,"
        " CAST(total(approved_at IS NOT NULL AND approved_at <= minutes_due_at) AS INTEGER)"
        " AS on_time"
        " FROM meetings WHERE circle_id = :c AND date BETWEEN :start AND :end"
        " AND state = 'held' GROUP BY type ORDER BY held DESC, type",
        span,
    )
    cancelled = int(
        store.scalar(
            "SELECT count(*) FROM meetings WHERE circle_id = :c AND date BETWEEN :start AND :end"
            " AND state = 'cancelled'",
            span,
        )
        or 0
    )
    # volunteer attendance: each member at each held meeting (with attendance recorded) held
    # while they were a member: present, apologies, or absent (neither)
    volunteer_attendance = store.query(
        "SELECT cm.volunteer_id, count(*) AS meetings,"
        " CAST(total(a.status = 'present') AS INTEGER) AS present,"
        " CAST(total(a.status = 'apologies') AS INTEGER) AS apologies,"
        " CAST(total(a.id IS NULL) AS INTEGER) AS absent"
        " FROM circle_members cm JOIN meetings m ON m.circle_id = cm.circle_id"
        " AND m.date >= cm.joined_on AND (cm.left_on IS NULL OR m.date <= cm.left_on)"
        " LEFT JOIN meeting_attendance a ON a.meeting_id = m.id"
        " AND a.volunteer_id = cm.volunteer_id"
        " WHERE cm.circle_id = :c AND m.state = 'held' AND m.date BETWEEN :start AND :end"
        " AND EXISTS (SELECT 1 FROM meeting_attendance x WHERE x.meeting_id = m.id)"
        " GROUP BY cm.volunteer_id",
        span,
    )
    by_volunteer_attendance = {r["volunteer_id"]: r for r in volunteer_attendance}
    timeline = store.query(
        "SELECT m.date, m.type, m.rag, m.cm_attended,"
        " (SELECT count(*) FROM meeting_attendance a WHERE a.meeting_id = m.id"
        "  AND a.status = 'present') AS present"
        " FROM meetings m WHERE m.circle_id = :c AND m.date BETWEEN :start AND :end"
        " AND m.state = 'held' ORDER BY m.date, m.id",
        span,
    )
    held = sum(r["held"] for r in by_type)
    recorded = sum(r["held"] - r["cm_unknown"] for r in by_type)
    attended = sum(r["cm_yes"] + r["cm_late"] for r in by_type)
    months: dict[str, dict[str, int]] = {
        month: {"held": 0, "cm": 0, "recorded": 0} for month in months_between(start, end)
    }
    for m in timeline:
        month = months.setdefault(m["date"][:7], {"held": 0, "cm": 0, "recorded": 0})
        month["held"] += 1
        month["recorded"] += m["cm_attended"] is not None
        month["cm"] += m["cm_attended"] in ATTENDED

    # individual contacts
    contact_modes = store.query(
        "SELECT mode, count(*) AS n, sum(coalesce(duration_minutes, 0)) AS minutes FROM contacts"
        " WHERE circle_id = :c AND date BETWEEN :start AND :end GROUP BY mode ORDER BY n DESC",
        span,
    )
    contact_people = store.query(
        "SELECT k.volunteer_id, v.name, count(*) AS n,"
        " sum(coalesce(k.duration_minutes, 0)) AS minutes FROM contacts k"
        " JOIN volunteers v ON v.id = k.volunteer_id"
        " WHERE k.circle_id = :c AND k.date BETWEEN :start AND :end"
        " GROUP BY k.volunteer_id ORDER BY n DESC, v.name",
        span,
    )

    # concerns and escalations
    concern_rows = store.query(
        "SELECT c.id, c.date, c.severity, c.category, c.text, c.closed_on,"
        " count(e.id) AS escalations FROM concerns c LEFT JOIN escalations e"
        " ON e.concern_id = c.id WHERE c.circle_id = :c AND c.date BETWEEN :start AND :end"
        " AND c.void_reason IS NULL"
        " GROUP BY c.id ORDER BY c.date, c.id",
        span,
    )
    escalation_rows = store.query(
        "SELECT e.concern_id, e.at, e.via, e.basis, e.response_at, p.role, p.agency,"
        " c.severity FROM escalations e JOIN concerns c ON c.id = e.concern_id"
        " JOIN professionals p ON p.id = e.professional_id"
        " WHERE c.circle_id = :c AND substr(e.at, 1, 10) BETWEEN :start AND :end"
        " ORDER BY e.at, e.id",
        span,
    )

    # actions raised in the period (at a meeting in it, or recorded in it)
    action_rows = store.query(
        "SELECT a.id, a.text, a.owner, a.due, a.status, a.closed_on,"
        " coalesce(m.date, substr(a.created_at, 1, 10)) AS raised FROM actions a"
        " LEFT JOIN meetings m ON m.id = a.meeting_id WHERE a.circle_id = :c"
        " AND coalesce(m.date, substr(a.created_at, 1, 10)) BETWEEN :start AND :end"
        " ORDER BY a.status != 'open', a.due IS NULL, a.due, a.id",
        span,
    )
    today = date.today().isoformat()

    # goals (the circle's, whatever the period) with their latest update
    goal_rows = store.query(
        "SELECT g.id, g.domain, g.text, g.outcome, g.outcome_on, g.review_on,"
        " (SELECT u.progress FROM goal_updates u WHERE u.goal_id = g.id"
        "  ORDER BY u.date DESC, u.id DESC LIMIT 1) AS latest"
        " FROM circle_goals g WHERE g.circle_id = :c ORDER BY g.id",
        span,
    )

    # dynamic risk: first and latest score of each item within the period
    scores = store.query(
        "SELECT rr.date, s.item, s.score FROM risk_reviews rr"
        " JOIN risk_review_scores s ON s.risk_review_id = rr.id"
        " WHERE rr.circle_id = :c AND rr.date BETWEEN :start AND :end"
        " ORDER BY rr.date, rr.id, s.id",
        span,
    )
    trend: dict[str, dict[str, Any]] = {}
    for s in scores:
        entry = trend.setdefault(
            s["item"],
            {
                "item": s["item"],
                "kind": item_kind(s["item"]),
                "first_date": s["date"],
                "first": s["score"],
                "reviews": 0,
            },
        )
        entry.update(latest_date=s["date"], latest=s["score"])
        entry["reviews"] += 1
    order = {item: i for i, item in enumerate(lookups.values(store, RISK_ITEM_KIND))}
    for entry in trend.values():
        entry["change"] = entry["latest"] - entry["first"]
        better = entry["change"] < 0 if entry["kind"] == "risk" else entry["change"] > 0
        entry["improved"] = None if entry["change"] == 0 else better
    risk = sorted(trend.values(), key=lambda e: (order.get(e["item"], len(order)), e["item"]))

    # volunteer hours: this circle's held meetings, and hours logged for this circle
    hour_rows = hour_figures.rows(store, start, end, circle_id=cid)
    by_month = hour_figures.by_month(hour_rows, months_between(start, end))
    by_volunteer = hour_figures.by_volunteer(hour_rows)
    hour_totals = hour_figures.totals(hour_rows)

    reviews = store.query(
        "SELECT date, decision, rag, next_review, note FROM reviews WHERE circle_id = :c"
        " AND date BETWEEN :start AND :end ORDER BY date, id",
        span,
    )

    severity_counts = {
        s: sum(c["severity"] == s for c in concern_rows) for s in ("red", "amber", "green")
    }
    status_counts = {
        s: sum(a["status"] == s for a in action_rows) for s in ("open", "done", "dropped")
    }
    responses = [
        _hours_between(e["at"], e["response_at"]) for e in escalation_rows if e["response_at"]
    ]
    summary = {
        "meetings_held": held,
        "meetings_cancelled": cancelled,
        "volunteer_absences": sum(r["absent"] for r in volunteer_attendance),
        "volunteer_apologies": sum(r["apologies"] for r in volunteer_attendance),
        "cm_attendance_rate": rate(attended, recorded),
        "cm_attended": attended,
        "cm_recorded": recorded,
        "minutes_on_time": sum(r["on_time"] for r in by_type),
        "contacts": sum(r["n"] for r in contact_modes),
        "contact_hours": hours(sum(r["minutes"] for r in contact_modes)),
        "concerns": severity_counts,
        "escalations": len(escalation_rows),
        "median_response_hours": _median(responses),
        "actions": status_counts,
        "actions_overdue": sum(
            1 for a in action_rows if a["status"] == "open" and a["due"] and a["due"] < today
        ),
        "goals": len(goal_rows),
        "goals_achieved": sum(g["outcome"] == "achieved" for g in goal_rows),
        "goals_partly": sum(g["outcome"] == "partly" for g in goal_rows),
        "goals_not_achieved": sum(g["outcome"] == "not-achieved" for g in goal_rows),
        "goals_open": sum(g["outcome"] == "open" for g in goal_rows),
        "volunteer_hours": hour_totals["hours"],
        "meeting_hours": hour_totals["meeting_hours"],
        "logged_hours": hour_totals["logged_hours"],
        "travel_hours": hour_totals["travel_hours"],
    }
    # follow-up and outcomes: all the circle has (follow-up comes after the ending, so it
    # is not limited to the period)
    checks = store.query(
        "SELECT months, due_on, done_on FROM followup_checks WHERE circle_id = :c"
        " ORDER BY due_on, id",
        span,
    )
    followups = [
        {
            "on_date": f["on_date"],
            "by": (
                who.label(f["volunteer_id"], f["volunteer_name"])
                if f["volunteer_id"]
                else f"professional ({f['agency']})"
            ),
            "mode": f["mode"],
            "note": redact(f["note"]),
        }
        for f in store.query(
            "SELECT f.*, v.name AS volunteer_name, p.agency FROM followups f"
            " LEFT JOIN volunteers v ON v.id = f.volunteer_id"
            " LEFT JOIN professionals p ON p.id = f.professional_id"
            " WHERE f.circle_id = :c ORDER BY f.on_date, f.id",
            span,
        )
    ]
    outcomes = [
        {**o, "note": redact(o["note"])}
        for o in store.query(
            "SELECT on_date, kind, offence, source, note FROM outcomes WHERE circle_id = :c"
            " ORDER BY on_date, id",
            span,
        )
    ]
    summary["followups"] = len(followups)
    summary["followup_checks_done"] = sum(1 for c in checks if c["done_on"])
    summary["outcomes"] = len(outcomes)
    code = circle["member_code"]
    return {
        "report": {
            "kind": KIND,
            "title": "Circle report",
            "subject": f"{code} · circle {cid} · {circle['type']}",
            "period": period_label(start, end),
            "from": start,
            "to": end,
            "about": {"type": "circle", "id": cid},
            "volunteer_names": names,
        },
        "circle": {
            "id": cid,
            "member_code": code,
            "type": circle["type"],
            "status": circle["status"],
            "phase": circle["phase"],
            "coordinator": circle["coordinator"],
            "coordinators": [
                {"coordinator": r["coordinator"], "from": r["on_date"]}
                for r in store.query(
                    "SELECT coordinator, on_date FROM circle_coordinators WHERE circle_id = ?"
                    " ORDER BY on_date, id",
                    (cid,),
                )
            ],
            "start_date": circle["start_date"],
            "ended_on": circle["ended_on"],
            "ending_reason": circle["ending_reason"],
            "ending_note": redact(circle["ending_note"]),
            "phases": phases,
        },
        "summary": summary,
        "followup_checks": checks,
        "followups": followups,
        "outcomes": outcomes,
        "members": [
            {
                "volunteer": who.label(m["volunteer_id"]),
                "role": m["role"],
                "joined_on": m["joined_on"],
                "left_on": m["left_on"],
                **{
                    f"meetings_{k}": (by_volunteer_attendance.get(m["volunteer_id"]) or {}).get(
                        k, 0
                    )
                    for k in ("present", "apologies", "absent")
                },
            }
            for m in members
        ],
        "outer_circle": [
            {
                "name": p["name"],
                "agency": p["agency"],
                "role": p["role"],
                "linked_on": p["linked_on"],
                "unlinked_on": p["unlinked_on"],
            }
            for p in links
        ],
        "meetings_by_type": [
            {
                "type": r["type"],
                "held": r["held"],
                "cm_attended": r["cm_yes"] + r["cm_late"],
                "cm_late": r["cm_late"],
                "cm_absent": r["cm_no"],
                "cm_attendance_rate": rate(r["cm_yes"] + r["cm_late"], r["held"] - r["cm_unknown"]),
                "hours": hours(r["minutes"]),
                "minutes_on_time": r["on_time"],
            }
            for r in by_type
        ],
        "rag_over_time": [
            {"date": m["date"], "rag": m["rag"]} for m in timeline if m["rag"] is not None
        ],
        "attendance_by_month": [
            {
                "month": month,
                "meetings": v["held"],
                "cm_attended": v["cm"],
                "cm_attendance_rate": rate(v["cm"], v["recorded"]),
            }
            for month, v in sorted(months.items())
        ],
        "volunteers_present_avg": (
            round(sum(m["present"] for m in timeline) / len(timeline), 1) if timeline else None
        ),
        "contacts_by_mode": [
            {"mode": r["mode"], "contacts": r["n"], "hours": hours(r["minutes"])}
            for r in contact_modes
        ],
        "contacts_by_volunteer": [
            {
                "volunteer": who.label(r["volunteer_id"], r["name"]),
                "contacts": r["n"],
                "hours": hours(r["minutes"]),
            }
            for r in contact_people
        ],
        "concerns": [
            {
                "id": c["id"],
                "date": c["date"],
                "severity": c["severity"],
                "category": c["category"],
                "text": redact(c["text"]),
                "escalations": c["escalations"],
                "closed_on": c["closed_on"],
            }
            for c in concern_rows
        ],
        "escalations": [
            {
                "concern_id": e["concern_id"],
                "at": e["at"],
                "to": f"{e['role']} ({e['agency']})",
                "via": e["via"],
                "basis": e["basis"],
                "severity": e["severity"],
                "response_hours": _hours_between(e["at"], e["response_at"]),
            }
            for e in escalation_rows
        ],
        "actions": [
            {
                "id": a["id"],
                "raised": a["raised"],
                "text": redact(a["text"]),
                "owner": redact(a["owner"]),
                "due": a["due"],
                "status": a["status"],
                "overdue": a["status"] == "open" and bool(a["due"]) and a["due"] < today,
            }
            for a in action_rows
        ],
        "goals": [
            {
                "id": g["id"],
                "domain": g["domain"],
                "text": redact(g["text"]),
                "outcome": g["outcome"],
                "outcome_on": g["outcome_on"],
                "latest_update": redact(g["latest"]),
            }
            for g in goal_rows
        ],
        "risk_trend": risk,
        "volunteer_hours_by_month": [
            {"month": month, "hours": value} for month, value in by_month.items()
        ],
        "volunteer_hours_by_volunteer": [
            {"volunteer": who.label(vid), **v}
            for vid, v in sorted(by_volunteer.items(), key=lambda kv: (-kv[1]["hours"], kv[0]))
        ],
        "reviews": [{**r, "note": redact(r["note"])} for r in reviews],
        "_file": f"circle-{code}-{end}",
    }


def _hours_between(start: str, end: str | None) -> float | None:
    if not end:
        return None
    delta = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    return round(delta.total_seconds() / 3600, 1)


def _median(values: list[float | None]) -> float | None:
    return median(v for v in values if v is not None)


# -- rendering -------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def render(data: dict[str, Any]) -> list[Any]:
    from cosa.reports.pdf import (
        bar_chart,
        heading,
        kv_table,
        line_chart,
        para,
        rag_chart,
        table,
    )

    c, s = data["circle"], data["summary"]
    story: list[Any] = []
    ending = f"{format_day(c['ended_on'])} — {c['ending_reason']}" if c["ended_on"] else "not ended"
    story.append(heading("Summary"))
    story.append(
        kv_table(
            [
                ("Core member", c["member_code"]),
                (
                    "Circle",
                    f"{c['id']} · {c['type']} · {c['status']}"
                    + (f" · {c['phase']}" if c["phase"] else ""),
                ),
                ("Coordinator", _coordinators(c)),
                ("Started", format_day(c["start_date"]) if c["start_date"] else "not started"),
                ("Ended", ending),
                (
                    "Meetings held",
                    f"{s['meetings_held']} (minutes approved within 48 h: {s['minutes_on_time']})",
                ),
                ("Meetings cancelled", s["meetings_cancelled"]),
                (
                    "Volunteer attendance",
                    f"{s['volunteer_apologies']} apologies, {s['volunteer_absences']} absent"
                    " without apology",
                ),
                (
                    "CM attendance",
                    f"{_pct(s['cm_attendance_rate'])} ({s['cm_attended']} of "
                    f"{s['cm_recorded']} meetings with attendance recorded)",
                ),
                ("Individual contacts", f"{s['contacts']} ({s['contact_hours']:g} h)"),
                (
                    "Concerns",
                    "red {red} · amber {amber} · green {green}".format(**s["concerns"])
                    + f" · {count(s['escalations'], 'escalation')}",
                ),
                (
                    "Actions",
                    "open {open} · done {done} · dropped {dropped}".format(**s["actions"])
                    + (f" · {s['actions_overdue']} overdue" if s["actions_overdue"] else ""),
                ),
                (
                    "Goals",
                    f"{s['goals']}: {s['goals_achieved']} achieved, {s['goals_partly']} "
                    f"partly achieved, {s['goals_not_achieved']} not achieved, "
                    f"{s['goals_open']} open",
                ),
                (
                    "Volunteer hours",
                    f"{s['volunteer_hours']:g} h ({s['meeting_hours']:g} h at meetings,"
                    f" {s['logged_hours']:g} h logged) + {s['travel_hours']:g} h travel",
                ),
            ]
        )
    )
    if c["ending_note"]:
        story.append(para(f"Ending note: {c['ending_note']}"))

    story.append(heading("Circle members"))
    story.append(
        table(
            ["Volunteer", "Role", "Joined", "Left", "Present", "Apologies", "Absent"],
            [
                [
                    m["volunteer"],
                    m["role"],
                    format_day(m["joined_on"]),
                    format_day(m["left_on"]) if m["left_on"] else None,
                    m["meetings_present"],
                    m["meetings_apologies"],
                    m["meetings_absent"],
                ]
                for m in data["members"]
            ],
        )
    )
    if data["outer_circle"]:
        story.append(heading("Outer circle", 3))
        story.append(
            table(
                ["Professional", "Agency", "Role", "Linked", "Unlinked"],
                [
                    [
                        p["name"],
                        p["agency"],
                        p["role"],
                        format_day(p["linked_on"]),
                        format_day(p["unlinked_on"]) if p["unlinked_on"] else None,
                    ]
                    for p in data["outer_circle"]
                ],
            )
        )

    story.append(heading("Meetings"))
    story.append(
        table(
            [
                "Type",
                "Held",
                "CM attended",
                "of which late",
                "CM absent",
                "Rate",
                "Hours",
                "Minutes on time",
            ],
            [
                [
                    r["type"],
                    r["held"],
                    r["cm_attended"],
                    r["cm_late"],
                    r["cm_absent"],
                    _pct(r["cm_attendance_rate"]),
                    r["hours"],
                    r["minutes_on_time"],
                ]
                for r in data["meetings_by_type"]
            ],
        )
    )
    story.append(
        rag_chart(
            "RAG rating by meeting",
            [(format_day(p["date"]), p["rag"]) for p in data["rag_over_time"]],
        )
    )
    months = data["attendance_by_month"]
    story.append(
        line_chart(
            "Meetings and core member attendance by month",
            [month_label(m["month"]) for m in months],
            {
                "Meetings held": [m["meetings"] for m in months],
                "Core member attended": [m["cm_attended"] for m in months],
            },
        )
    )

    story.append(heading("Individual contacts"))
    story.append(
        table(
            ["Mode", "Contacts", "Hours"],
            [[r["mode"], r["contacts"], r["hours"]] for r in data["contacts_by_mode"]],
        )
    )
    if data["contacts_by_volunteer"]:
        story.append(
            table(
                ["Volunteer", "Contacts", "Hours"],
                [
                    [r["volunteer"], r["contacts"], r["hours"]]
                    for r in data["contacts_by_volunteer"]
                ],
            )
        )

    story.append(heading("Concerns and escalations"))
    story.append(
        table(
            ["#", "Date", "RAG", "Category", "Concern", "Escalated", "Closed"],
            [
                [
                    str(x["id"]),
                    format_day(x["date"]),
                    x["severity"].upper(),
                    x["category"],
                    x["text"],
                    x["escalations"],
                    format_day(x["closed_on"]) if x["closed_on"] else "—",
                ]
                for x in data["concerns"]
            ],
        )
    )
    if data["escalations"]:
        story.append(heading("Escalations", 3))
        story.append(
            table(
                ["Concern", "When", "To", "Via", "Basis", "Response after (h)"],
                [
                    [
                        e["concern_id"],
                        format_moment(e["at"]),
                        e["to"],
                        e["via"],
                        e["basis"],
                        e["response_hours"],
                    ]
                    for e in data["escalations"]
                ],
            )
        )
        if s["median_response_hours"] is not None:
            story.append(
                para(f"Median time to a response: {s['median_response_hours']:g} hours.", "small")
            )

    story.append(heading("Actions"))
    story.append(
        table(
            ["#", "Raised", "Action", "Owner", "Due", "Status"],
            [
                [
                    str(a["id"]),
                    format_day(a["raised"]),
                    a["text"],
                    a["owner"],
                    format_day(a["due"]) if a["due"] else None,
                    "OVERDUE" if a["overdue"] else a["status"],
                ]
                for a in data["actions"]
            ],
        )
    )

    story.append(heading("Goals"))
    story.append(
        table(
            ["Domain", "Goal", "Outcome", "When", "Latest progress"],
            [
                [
                    g["domain"],
                    g["text"],
                    g["outcome"],
                    format_day(g["outcome_on"]) if g["outcome_on"] else None,
                    g["latest_update"],
                ]
                for g in data["goals"]
            ],
        )
    )

    story.append(heading("Dynamic risk review"))
    if data["risk_trend"]:
        story.append(
            para(
                "First and latest score (0 to 3) of each item in the period. For a risk factor a "
                "fall is an improvement, for a protective factor a rise.",
                "small",
            )
        )
    story.append(
        table(
            ["Item", "First", "Latest", "Change", "Direction"],
            [
                [
                    t["item"],
                    f"{t['first']} ({format_day(t['first_date'])})",
                    f"{t['latest']} ({format_day(t['latest_date'])})",
                    f"{t['change']:+d}",
                    {True: "improved", False: "worse", None: "no change"}[t["improved"]],
                ]
                for t in data["risk_trend"]
            ],
        )
    )

    story.append(heading("Volunteer hours"))
    by_month = data["volunteer_hours_by_month"]
    story.append(
        bar_chart(
            "Volunteer hours by month",
            [month_label(m["month"]) for m in by_month]
            if any(m["hours"] for m in by_month)
            else [],
            [m["hours"] for m in by_month] if any(m["hours"] for m in by_month) else [],
        )
    )
    story.append(
        table(
            ["Volunteer", "At meetings", "Logged", "Hours", "Travel hours"],
            [
                [
                    v["volunteer"],
                    v["meeting_hours"],
                    v["logged_hours"],
                    v["hours"],
                    v["travel_hours"],
                ]
                for v in data["volunteer_hours_by_volunteer"]
            ],
        )
    )
    story.append(
        para(
            "Hours at meetings are each held meeting's length for every volunteer present; "
            "logged hours are those recorded for this circle for work outside meetings. Hours "
            "given to other circles are not counted here.",
            "small",
        )
    )

    story.append(heading("Reviews"))
    story.append(
        table(
            ["Date", "Decision", "RAG", "Next review", "Note"],
            [
                [
                    format_day(r["date"]),
                    r["decision"],
                    (r["rag"] or "").upper() or None,
                    format_day(r["next_review"]) if r["next_review"] else None,
                    r["note"],
                ]
                for r in data["reviews"]
            ],
        )
    )

    story.append(heading("Follow-up after the ending"))
    story.append(
        table(
            ["Check", "Due", "Done"],
            [
                [f"{c['months']} months", format_day(c["due_on"]), format_day(c["done_on"])]
                for c in data["followup_checks"]
            ],
        )
    )
    story.append(
        table(
            ["Date", "By", "Mode", "Note"],
            [[format_day(f["on_date"]), f["by"], f["mode"], f["note"]] for f in data["followups"]],
        )
    )
    story.append(heading("Outcomes", 3))
    story.append(
        table(
            ["Date", "Outcome", "Offence", "Source", "Note"],
            [
                [format_day(o["on_date"]), o["kind"], o["offence"], o["source"], o["note"]]
                for o in data["outcomes"]
            ],
        )
    )
    return story


def _coordinators(c: dict[str, Any]) -> str:
    """The coordinator, and those before them with the day each took over (handovers)."""
    history = c.get("coordinators") or []
    if len(history) <= 1:
        return str(c["coordinator"])
    before = "; ".join(f"{h['coordinator']} from {format_day(h['from'])}" for h in history[:-1])
    return f"{c['coordinator']} (from {format_day(history[-1]['from'])}; before: {before})"
