"""`cosa report minutes MEETING`: one meeting's minutes with attendance, concerns and actions.

Unapproved minutes are printed all the same, marked DRAFT in the title on every page and in
a banner. Volunteers appear by full name (the coordinator's own copy) unless
`--volunteer-names first|code` asks for less; the share pack (`cosa share`) is the version
that leaves the provider.
"""

from __future__ import annotations

from typing import Any

from cosa.domain import meetings
from cosa.domain.circles import resolve_circle
from cosa.errors import UserError
from cosa.reports.data import (
    ThirdParties,
    VolunteerNames,
    format_day,
    format_moment,
)
from cosa.store import Row, Store

KIND = "minutes"


def _roles(store: Store, circle_id: int, day: str) -> dict[int, str]:
    rows = store.query(
        "SELECT volunteer_id, role FROM circle_members WHERE circle_id = ? AND joined_on <= ?"
        " AND (left_on IS NULL OR left_on >= ?) ORDER BY joined_on, id",
        (circle_id, day, day),
    )
    return {r["volunteer_id"]: r["role"] for r in rows}


def meeting_record(
    store: Store, ref: str | int, names: str, *, professionals: bool = False
) -> dict[str, Any]:
    """The meeting, its attendance, concerns (with escalation counts), actions and amendments,
    volunteers named as `names` asks and their names replaced in the free text; with
    `professionals`, professionals' names too (the circle's outer circle by role and agency,
    anyone else as "a professional"). Members of the circle that day who neither came nor
    sent apologies are in the attendance as `absent`. A void meeting (recorded in error) or a
    cancelled one (no minutes) has no record to make."""
    meeting = meetings.get(store, ref)
    mid = meeting["id"]
    if meeting["state"] == "cancelled":
        raise UserError(
            f"meeting {mid} was cancelled ({meeting['state_reason']}): it has no minutes",
            hint="`cosa meeting show` shows the cancellation",
        )
    circle = resolve_circle(store, meeting["circle_id"])
    attendance = store.query(
        "SELECT a.volunteer_id, a.status, v.name FROM meeting_attendance a"
        " JOIN volunteers v ON v.id = a.volunteer_id WHERE a.meeting_id = ?"
        " ORDER BY a.status DESC, v.name, a.id",
        (mid,),
    )
    members = store.query(
        "SELECT DISTINCT v.id, v.name FROM circle_members cm JOIN volunteers v"
        " ON v.id = cm.volunteer_id WHERE cm.circle_id = ? ORDER BY cm.joined_on, cm.id",
        (circle["id"],),
    )
    who = VolunteerNames(names, [{"id": a["volunteer_id"], "name": a["name"]} for a in attendance])
    who.extend(members)
    people = ThirdParties.load(store)
    if professionals:
        from cosa.reports.member import ProfessionalLabels

        linked = store.query(
            "SELECT DISTINCT p.id, p.name, p.role, p.agency FROM circle_links l"
            " JOIN professionals p ON p.id = l.professional_id WHERE l.circle_id = ?"
            " ORDER BY p.id",
            (circle["id"],),
        )
        redact = who.redactor(
            people, professionals=ProfessionalLabels(linked), mentioned=[p["id"] for p in linked]
        )
    else:
        redact = who.redactor(people)
    roles = _roles(store, circle["id"], meeting["date"])
    concerns = store.query(
        "SELECT c.id, c.date, c.severity, c.category, c.text, c.raised_by, c.closed_on,"
        " count(e.id) AS escalations FROM concerns c LEFT JOIN escalations e"
        " ON e.concern_id = c.id WHERE c.meeting_id = ? AND c.void_reason IS NULL"
        " GROUP BY c.id ORDER BY c.id",
        (mid,),
    )
    actions = store.query(
        "SELECT id, text, owner, due, status, closed_on FROM actions WHERE meeting_id = ?"
        " ORDER BY id",
        (mid,),
    )
    amendments = store.query(
        "SELECT id, created_at, created_by, text, reason FROM meeting_amendments"
        " WHERE meeting_id = ? ORDER BY id",
        (mid,),
    )
    record: dict[str, Any] = {
        "meeting": {
            "id": mid,
            "circle_id": circle["id"],
            "member_code": circle["member_code"],
            "date": meeting["date"],
            "time": meeting["time"],
            "duration_minutes": meeting["duration_minutes"],
            "type": meeting["type"],
            "venue": meeting["venue"],
            "cm_attended": meeting["cm_attended"],
            "late_reason": redact(meeting["late_reason"]),
            "no_meeting_reason": redact(meeting["no_meeting_reason"]),
            "rag": meeting["rag"],
            "notify_pp": bool(meeting["notify_pp"]),
            "minutes_due_at": meeting["minutes_due_at"],
            "approved": meeting["approved_at"] is not None,
            "approved_at": meeting["approved_at"],
            "approved_by": meeting["approved_by"],
            "minutes": redact(meeting["minutes"]),
        },
        "attendance": [
            {
                "volunteer": who.label(a["volunteer_id"]),
                "role": roles.get(a["volunteer_id"], "member"),
                "status": a["status"],
            }
            for a in attendance
        ]
        + [
            {
                "volunteer": who.label(a["volunteer_id"]),
                "role": roles.get(a["volunteer_id"], "member"),
                "status": "absent",
            }
            for a in meetings.absent(store, meeting, attendance)
        ],
        "amendments": [
            {
                "at": a["created_at"],
                "by": a["created_by"],
                "reason": redact(a["reason"]),
                "text": redact(a["text"]),
            }
            for a in amendments
        ],
        "concerns": [
            {
                "id": c["id"],
                "severity": c["severity"],
                "category": c["category"],
                "text": redact(c["text"]),
                "raised_by": redact(c["raised_by"]),
                "escalations": c["escalations"],
                "status": "closed" if c["closed_on"] else "open",
            }
            for c in concerns
        ],
        "actions": [
            {
                "id": a["id"],
                "text": redact(a["text"]),
                "owner": redact(a["owner"]),
                "due": a["due"],
                "status": a["status"],
            }
            for a in actions
        ],
    }
    record["_replacements"] = redact.count
    return record


def data(store: Store, ref: str | int, *, names: str = "full") -> dict[str, Any]:
    record = meeting_record(store, ref, names)
    m = record["meeting"]
    draft = not m["approved"]
    return {
        "report": {
            "kind": KIND,
            "title": "Meeting minutes" + (" — DRAFT, not approved" if draft else ""),
            "subject": f"{m['member_code']} · circle {m['circle_id']} · meeting {m['id']}",
            "period": format_day(m["date"]),
            "from": m["date"],
            "to": m["date"],
            "about": {"type": "meeting", "id": m["id"]},
            "volunteer_names": names,
        },
        **{k: v for k, v in record.items() if not k.startswith("_")},
        "_file": f"minutes-{m['member_code']}-{m['date']}-meeting-{m['id']}",
    }


# -- rendering -------------------------------------------------------------------------------


def _when(m: Row) -> str:
    parts = [format_day(m["date"])]
    if m["time"]:
        parts.append(m["time"])
    if m["duration_minutes"]:
        parts.append(f"({m['duration_minutes']} min)")
    return " ".join(parts)


def _attended(m: Row) -> str:
    value = m["cm_attended"]
    if value is None:
        return "not recorded"
    if value == "late" and m["late_reason"]:
        return f"late — {m['late_reason']}"
    if value == "no" and m["no_meeting_reason"]:
        return f"no — {m['no_meeting_reason']}"
    return str(value)


def approval_text(m: Row) -> str:
    if m["approved"]:
        return f"Approved {format_moment(m['approved_at'])} by {m['approved_by']}"
    return f"DRAFT — not approved (due {format_moment(m['minutes_due_at'])})"


def minutes_story(record: dict[str, Any], *, venue: bool = True) -> list[Any]:
    """The flowables for one meeting's record (shared with the share pack)."""
    from cosa.reports import markdown
    from cosa.reports.pdf import heading, kv_table, para, table

    m = record["meeting"]
    story: list[Any] = []
    if not m["approved"]:
        story.append(
            para(
                "DRAFT: these minutes have not been approved by the coordinator and may change.",
                "h3",
            )
        )
    pairs: list[tuple[str, object]] = [
        ("Core member", m["member_code"]),
        ("Circle", m["circle_id"]),
        ("Meeting", f"{m['id']} · {m['type']}"),
        ("When", _when(m)),
    ]
    if venue:
        pairs.append(("Venue", m["venue"]))
    pairs += [
        ("Core member attended", _attended(m)),
        ("RAG", (m["rag"] or "not set").upper() if m["rag"] else "not set"),
        ("Probation to be told", "yes" if m["notify_pp"] else "no"),
        ("Minutes", approval_text(m)),
    ]
    story.append(kv_table(pairs))
    story.append(heading("Attendance"))
    story.append(
        table(
            ["Volunteer", "Role", "Attendance"],
            [[a["volunteer"], a["role"], a["status"]] for a in record["attendance"]],
        )
    )
    story.append(heading("Minutes"))
    text = m["minutes"]
    if text and text.strip():
        story += markdown.flowables(text)
    else:
        story.append(para("No minutes have been written yet.", "small"))
    if record["amendments"]:
        story.append(heading("Amendments"))
        story.append(
            table(
                ["Made", "By", "Reason", "Amendment"],
                [
                    [format_moment(a["at"]), a["by"], a["reason"], a["text"]]
                    for a in record["amendments"]
                ],
            )
        )
    story.append(heading("Concerns raised"))
    story.append(
        table(
            ["#", "RAG", "Category", "Concern", "Escalations", "Status"],
            [
                [
                    str(c["id"]),
                    c["severity"].upper(),
                    c["category"],
                    c["text"],
                    c["escalations"],
                    c["status"],
                ]
                for c in record["concerns"]
            ],
        )
    )
    story.append(heading("Actions agreed"))
    story.append(
        table(
            ["#", "Action", "Owner", "Due", "Status"],
            [
                [
                    str(a["id"]),
                    a["text"],
                    a["owner"],
                    format_day(a["due"]) if a["due"] else None,
                    a["status"],
                ]
                for a in record["actions"]
            ],
        )
    )
    return story


def render(data: dict[str, Any]) -> list[Any]:
    return minutes_story(data)
