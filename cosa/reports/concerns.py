"""`cosa report concerns [--from --to]`: the escalation log.

The period defaults to the twelve months up to today; `--from` reaches further back.

Every concern raised in the period (all circles; with `--coordinator`, the circles that
person coordinated on the day the concern was raised, `cosa.history.coordinated_by`) with its RAG, category, status and closure,
and every escalation of those concerns: to whom (name, role, agency), how, when, what was
shared, on what lawful basis, and the response with the hours it took. An internal record
for the provider, its auditors and the ICO: names of professionals are kept, core members
appear by code. Two queries, whatever the size of the log.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from cosa import history
from cosa.reports.data import (
    date_range,
    format_day,
    format_moment,
    median,
    period_label,
    slug,
)
from cosa.store import Store
from cosa.words import count

KIND = "concerns"


def _hours(start: str, end: str | None) -> float | None:
    if not end:
        return None
    delta = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    return round(delta.total_seconds() / 3600, 1)


DEFAULT_DAYS = 365


def data(
    store: Store,
    from_: str | date | None = None,
    to: str | date | None = None,
    *,
    coordinator: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Concerns raised from `from_` to `to` (default: the twelve months up to today); with
    `coordinator`, only those raised in a circle that person coordinated that day, and their
    escalations (whenever made)."""
    start, end = date_range(from_, to)
    if start is None:
        until = date.fromisoformat(end) if end else (today or date.today())
        start = (until - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    where, params = ["c.date >= :start", "c.void_reason IS NULL"], {"start": start}
    if end:
        where.append("c.date <= :end")
        params["end"] = end
    if coordinator is not None:
        where.append(history.coordinated_by("c.circle_id", "c.date"))
        params["coordinator"] = coordinator
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    concerns = store.query(
        "SELECT c.id, c.date, c.circle_id, m.code AS member_code, c.severity, c.category,"
        " c.text, c.raised_by, c.closed_on, c.closed_note,"
        " (SELECT count(*) FROM concern_notes n WHERE n.concern_id = c.id) AS notes"
        " FROM concerns c JOIN circles ci ON ci.id = c.circle_id"
        " JOIN core_members m ON m.id = ci.member_id" + clause + " ORDER BY c.date, c.id",
        params,
    )
    escalations = store.query(
        "SELECT e.id, e.concern_id, e.at, e.via, e.shared, e.basis, e.response, e.response_at,"
        " p.name AS professional, p.role, p.agency, c.severity, m.code AS member_code"
        " FROM escalations e JOIN concerns c ON c.id = e.concern_id"
        " JOIN circles ci ON ci.id = c.circle_id JOIN core_members m ON m.id = ci.member_id"
        " JOIN professionals p ON p.id = e.professional_id" + clause + " ORDER BY e.at, e.id",
        params,
    )
    counts: dict[int, int] = {}
    for e in escalations:
        counts[e["concern_id"]] = counts.get(e["concern_id"], 0) + 1
        e["response_hours"] = _hours(e["at"], e["response_at"])
    for c in concerns:
        c["escalations"] = counts.get(c["id"], 0)
        c["status"] = "closed" if c["closed_on"] else "open"
    first = start
    last = end or (today or date.today()).isoformat()
    waits = [e["response_hours"] for e in escalations if e["response_hours"] is not None]
    summary = {
        "concerns": len(concerns),
        "by_severity": {
            s: sum(c["severity"] == s for c in concerns) for s in ("red", "amber", "green")
        },
        "open": sum(c["status"] == "open" for c in concerns),
        "escalated": sum(1 for c in concerns if c["escalations"]),
        "red_not_escalated": sum(
            1 for c in concerns if c["severity"] == "red" and not c["escalations"]
        ),
        "escalations": len(escalations),
        "awaiting_response": sum(1 for e in escalations if not e["response"]),
        "median_response_hours": median(waits),
    }
    return {
        "report": {
            "kind": KIND,
            "title": "Escalation log"
            + (f" for {coordinator}'s circles" if coordinator is not None else ""),
            "subject": "concerns and escalations",
            "period": period_label(first, last),
            "from": first,
            "to": last,
        },
        "coordinator": coordinator,
        "summary": summary,
        "concerns": concerns,
        "escalations": escalations,
        "_file": f"escalation-log-{last}" + (f"-{slug(coordinator)}" if coordinator else ""),
    }


def _stacked(moment: str) -> str:
    """'22 Jul 2025' over '19:00', to fit a narrow column."""
    return f"{format_day(moment)}\n{moment[11:16]}" if len(moment) > 10 else format_day(moment)


def render(data: dict[str, Any]) -> list[Any]:
    from cosa.reports.cells import wrapped_table
    from cosa.reports.pdf import heading, kv_table, para

    s = data["summary"]
    story: list[Any] = []
    if data.get("coordinator"):
        story.append(
            para(
                f"Concerns raised in the circles {data['coordinator']} coordinated on the day"
                " each was raised, with all their escalations.",
                "small",
            )
        )
    story.append(heading("Summary"))
    wait = s["median_response_hours"]
    story.append(
        kv_table(
            [
                (
                    "Concerns",
                    f"{s['concerns']} (red {s['by_severity']['red']}, amber "
                    f"{s['by_severity']['amber']}, green {s['by_severity']['green']}); "
                    f"{s['open']} still open",
                ),
                (
                    "Escalated",
                    f"{count(s['escalated'], 'concern')}, {count(s['escalations'], 'escalation')}",
                ),
                ("Red concerns not escalated", s["red_not_escalated"]),
                ("Awaiting a response", s["awaiting_response"]),
                ("Median time to a response", "—" if wait is None else f"{wait:g} hours"),
            ]
        )
    )
    story.append(heading("Escalations"))
    story.append(
        wrapped_table(
            ["When", "Concern", "RAG", "To", "How, basis", "Shared", "Response", "Hours"],
            [
                [
                    _stacked(e["at"]),
                    f"{e['member_code']}\n#{e['concern_id']}",
                    e["severity"].upper(),
                    f"{e['professional']} ({e['role']}, {e['agency']})",
                    f"{e['via']}\n{e['basis']}",
                    e["shared"],
                    (
                        f"{e['response']} ({format_moment(e['response_at'])})"
                        if e["response_at"]
                        else e["response"]
                    )
                    or "awaiting",
                    e["response_hours"],
                ]
                for e in data["escalations"]
            ],
            ("30 Sep 2025", "CM-0000", "AMBER", 3, "vital interests", 2, 2.4, "999.9"),
        )
    )
    story.append(heading("Concerns"))
    story.append(
        wrapped_table(
            ["Concern", "Date", "RAG", "Category", "What", "Escalated", "Closed"],
            [
                [
                    f"{c['member_code']}\n#{c['id']}",
                    format_day(c["date"]),
                    c["severity"].upper(),
                    c["category"],
                    c["text"] + (f"\nClosed: {c['closed_note']}" if c["closed_note"] else ""),
                    c["escalations"],
                    format_day(c["closed_on"]) if c["closed_on"] else "—",
                ]
                for c in data["concerns"]
            ],
            ("CM-0000", "30 Sep 2025", "AMBER", 1, 2, "999", "30 Sep 2025"),
        )
    )
    if any(c["notes"] for c in data["concerns"]):
        story.append(para("Notes added to concerns are listed by `cosa concern show ID`.", "small"))
    return story
