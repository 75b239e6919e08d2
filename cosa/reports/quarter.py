"""`cosa report quarter YYYY-Qn`: the funder / national return.

Aggregates only: no names, no codes, no dates finer than the quarter. Every count from 1 to
`small_count_threshold` minus 1 (setting, default 5) is shown as "<5" — in the PDF and in
`--json` alike — and wherever one small count could be worked out from a total, a second
cell is withheld as "*" (see `cosa.reports.data.suppress_lines`). Rates and medians are shown
only when they rest on at least `threshold` events; hours only where at least `threshold`
volunteers contributed.

Definitions (Q = the quarter's first to last day):

* referrals: received in Q, by source and by the decision in force at the end of Q (the
  latest decision event on or before Q's last day; `undecided` when only received or
  assessed);
* circles: *started* (start date in Q), *active* (started by the end of Q and not ended
  before it began), *ended* (ending date in Q); phase as at the end of Q; ending reasons; a
  circle sent to another workspace (`cosa transfer` without `--keep`) runs here until the
  day it was sent (`cosa.history.ran_until`);
* meetings: held in Q, by type (`meetings_held` in all; `meetings_cancelled`: cancelled, not
  held; void meetings, recorded in error, count nowhere); core member attendance = attended (on time or late) ÷
  meetings with attendance recorded; minutes on time = approved within 48 hours;
* contacts: individual contacts in Q by mode, with hours;
* concerns: raised in Q by category and RAG; escalations made in Q by the recipient's role,
  with the median hours to a response;
* volunteers: *recruited* (approved — pipeline stage `approved` — in Q), *trained* (initial training in Q), *vetted* (a DBS
  check issued or status-checked in Q and cleared), *active* (a circle member at any time
  in Q), *left* (left in Q); hours in Q by activity: `meeting` for the length of each held
  meeting for every volunteer present, the others as logged (`cosa.domain.hours`), with travel; expenses claimed in Q
  (claims, pence claimed and paid, miles; amounts only where at least `threshold`
  volunteers claimed);
* goals: outcomes recorded in Q.

Each section is one or two aggregate queries on a date index, so the return takes well
under a second on a ten-year workspace.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from cosa import dates, history
from cosa.domain import hours as hour_figures
from cosa.domain import lookups
from cosa.errors import UserError
from cosa.reports.data import (
    SECONDARY,
    format_day,
    median,
    slug,
    suppress,
    suppress_lines,
    threshold,
)
from cosa.store import Store

KIND = "quarter"
DECISIONS = ("accepted", "declined", "waiting", "withdrawn", "undecided")
RAGS = ("red", "amber", "green")
CLEARED = ("cleared", "cleared-with-conditions")


def _order(store: Store, kind: str, seen: Sequence[str]) -> list[str]:
    """Lookup values in their configured order, then any others seen in the data."""
    known = lookups.values(store, kind)
    return [v for v in known if v in seen] + sorted(v for v in seen if v not in known)


def matrix(
    row_labels: Sequence[str],
    columns: Sequence[str],
    counts: dict[tuple[str, str], int],
    limit: int,
    *,
    row_totals: bool = True,
    col_totals: bool = True,
) -> dict[str, Any]:
    """A suppressed table of counts: {columns, rows: [{label, values, total}], totals, total}."""
    cells = [[int(counts.get((r, c), 0)) for c in columns] for r in row_labels]
    shown, rtot, ctot, grand = suppress_lines(
        cells, limit, row_totals=row_totals, col_totals=col_totals, ncols=len(columns)
    )
    table: dict[str, Any] = {
        "columns": list(columns),
        "rows": [
            {"label": label, "values": values, **({"total": rtot[i]} if row_totals else {})}
            for i, (label, values) in enumerate(zip(row_labels, shown, strict=True))
        ],
    }
    if col_totals:
        table["totals"] = ctot
        if row_totals:
            table["total"] = grand
    return table


def _rate(part: int, whole: int, limit: int) -> int | str | None:
    """A whole percentage resting on at least `limit` events, else withheld."""
    if whole == 0:
        return None
    if whole < limit:
        return SECONDARY
    return round(100 * part / whole)


def _pairs(rows: list[dict[str, Any]], row_key: str, col_key: str) -> dict[tuple[str, str], int]:
    return {(str(r[row_key]), str(r[col_key])): int(r["n"]) for r in rows}


def data(store: Store, quarter: str, coordinator: str | None = None) -> dict[str, Any]:
    try:
        first, last = dates.parse_quarter(quarter)
    except UserError as exc:
        raise UserError(exc.message.replace("quarter", "QUARTER", 1), hint=exc.hint) from None
    label = f"{first.year}-Q{(first.month + 2) // 3}"
    return period_data(store, first, last, label, coordinator=coordinator)


#: Sections a coordinator's return counts for the whole provider (they belong to no circle).
PROVIDER_WIDE = ("referrals", "volunteers", "volunteer_hours", "volunteer_expenses")


def period_data(
    store: Store, first: date, last: date, label: str, *, coordinator: str | None = None
) -> dict[str, Any]:
    """The return's sections for any period from `first` to `last` (`label` names it);
    `cosa report return` builds on it (`cosa.reports.returns`). With `coordinator`, the
    sections about circles (circles, phases, endings, meetings, attendance, minutes,
    contacts, concerns, escalations, goals) count what happened in the circles that person
    coordinated on the day it happened (`cosa.history.coordinator_on`);
    the `PROVIDER_WIDE` sections stay whole."""
    qs, qe = first.isoformat(), last.isoformat()
    q = {"qs": qs, "qe": qe, "coordinator": coordinator}

    def mine(circle: str, day: str) -> str:
        return history.counted(circle, day, coordinator is not None)

    def only(circle: str, day: str) -> str:
        return f" AND {mine(circle, day)}"

    ran = history.ran_until("circles")
    at_end = history.last_day_in(ran)

    limit = threshold(store)

    # -- referrals
    in_force = history.values_on(store, "referral", "decision", qe)
    counted: dict[tuple[str, str], int] = {}
    for r in store.query(
        "SELECT id, source FROM referrals WHERE received_on BETWEEN :qs AND :qe", q
    ):
        decision = in_force.get(int(r["id"])) or "received"
        key = (r["source"], "undecided" if decision in ("received", "assessed") else decision)
        counted[key] = counted.get(key, 0) + 1
    rows: list[dict[str, Any]] = [
        {"source": s, "decision": d, "n": n} for (s, d), n in counted.items()
    ]
    sources = _order(store, "referral-source", sorted({r["source"] for r in rows}))
    referrals = matrix(sources, DECISIONS, _pairs(rows, "source", "decision"), limit)

    # -- circles
    rows = store.query(
        "SELECT type,"
        f" sum(start_date BETWEEN :qs AND :qe AND {mine('circles.id', 'circles.start_date')}) AS started,"
        f" sum(start_date <= :qe AND ({ran} IS NULL OR {ran} >= :qs)"
        f"  AND {mine('circles.id', at_end)}) AS active,"
        f" sum(ended_on BETWEEN :qs AND :qe AND {mine('circles.id', 'circles.ended_on')}) AS ended"
        " FROM circles WHERE start_date IS NOT NULL GROUP BY type",
        q,
    )
    types = _order(store, "circle-type", [r["type"] for r in rows if r["active"] or r["ended"]])
    flat = {
        (r["type"], col): int(r[col] or 0) for r in rows for col in ("started", "active", "ended")
    }
    circles = matrix(types, ("started", "active", "ended"), flat, limit, row_totals=False)
    rows = store.query(
        "SELECT coalesce((SELECT p.phase FROM circle_phases p WHERE p.circle_id = c.id"
        "  AND p.started_on <= :qe ORDER BY p.started_on DESC, p.id DESC LIMIT 1), 'no phase')"
        " AS phase, count(*) AS n FROM circles c WHERE c.start_date <= :qe"
        f" AND coalesce({history.ran_until('c')}, :qe) > :qe{only('c.id', ':qe')} GROUP BY 1",
        q,
    )
    phases = _order(store, "circle-phase", [r["phase"] for r in rows])
    by_phase = matrix(
        phases, ("circles",), _pairs_one(rows, "phase", "circles"), limit, row_totals=False
    )
    rows = store.query(
        "SELECT ending_reason AS reason, count(*) AS n FROM circles"
        f" WHERE ended_on BETWEEN :qs AND :qe{only('circles.id', 'circles.ended_on')} GROUP BY 1",
        q,
    )
    reasons = _order(store, "ending-reason", [r["reason"] for r in rows])
    endings = matrix(
        reasons, ("circles",), _pairs_one(rows, "reason", "circles"), limit, row_totals=False
    )

    # -- meetings, attendance, minutes on time
    rows = store.query(
        "SELECT type, count(*) AS n,"
        " sum(cm_attended IN ('yes', 'late')) AS attended,"
        " sum(cm_attended IS NOT NULL) AS recorded,"
        " sum(approved_at IS NOT NULL AND approved_at <= minutes_due_at) AS on_time,"
        " sum(approved_at IS NOT NULL AND approved_at > minutes_due_at) AS late,"
        " sum(approved_at IS NULL) AS unapproved"
        " FROM meetings WHERE date BETWEEN :qs AND :qe AND state = 'held'"
        f"{only('meetings.circle_id', 'meetings.date')} GROUP BY type",
        q,
    )
    cancelled = int(
        store.scalar(
            "SELECT count(*) FROM meetings WHERE date BETWEEN :qs AND :qe AND state = 'cancelled'"
            + only("meetings.circle_id", "meetings.date"),
            q,
        )
        or 0
    )
    rows_held = rows
    mtypes = _order(store, "meeting-type", [r["type"] for r in rows])
    meetings = matrix(
        mtypes, ("meetings",), _pairs_one(rows, "type", "meetings"), limit, row_totals=False
    )
    attended = sum(int(r["attended"] or 0) for r in rows)
    recorded = sum(int(r["recorded"] or 0) for r in rows)
    timing = {
        ("meetings", col): sum(int(r[col] or 0) for r in rows)
        for col in ("on_time", "late", "unapproved")
    }
    in_the = f"Meetings in the {_word(label)}"
    minutes = matrix(
        [in_the],
        ("on_time", "late", "unapproved"),
        {(in_the, k[1]): v for k, v in timing.items()},
        limit,
        col_totals=False,
    )
    attendance = {
        "meetings_with_attendance": suppress(recorded, limit),
        "rate": _rate(attended, recorded, limit),
    }

    # -- contacts
    rows = store.query(
        "SELECT mode, count(*) AS n, sum(coalesce(duration_minutes, 0)) AS minutes"
        f" FROM contacts WHERE date BETWEEN :qs AND :qe{only('contacts.circle_id', 'contacts.date')}"
        " GROUP BY mode ORDER BY n DESC, mode",
        q,
    )
    contacts = matrix(
        [r["mode"] for r in rows],
        ("contacts",),
        _pairs_one(rows, "mode", "contacts"),
        limit,
        row_totals=False,
    )
    contact_hours = _hours_column(
        [r["mode"] for r in rows],
        [float(r["minutes"] or 0) / 60 for r in rows],
        [int(r["n"]) for r in rows],
        limit,
    )

    # -- concerns and escalations
    rows = store.query(
        "SELECT category, severity, count(*) AS n FROM concerns WHERE date BETWEEN :qs AND :qe"
        " AND void_reason IS NULL"
        f"{only('concerns.circle_id', 'concerns.date')} GROUP BY 1, 2",
        q,
    )
    categories = _order(store, "concern-category", [r["category"] for r in rows])
    concerns = matrix(categories, RAGS, _pairs(rows, "category", "severity"), limit)
    esc = store.query(
        "SELECT p.role, e.at, e.response_at FROM escalations e"
        " JOIN professionals p ON p.id = e.professional_id"
        " WHERE e.at >= :qs AND e.at < date(:qe, '+1 day')"
        + only("(SELECT c.circle_id FROM concerns c WHERE c.id = e.concern_id)", "e.at"),
        q,
    )
    roles = _order(store, "professional-role", sorted({e["role"] for e in esc}))
    esc_counts: dict[tuple[str, str], int] = {}
    waits: dict[str, list[float]] = {}
    for e in esc:
        esc_counts[(e["role"], "escalations")] = esc_counts.get((e["role"], "escalations"), 0) + 1
        if e["response_at"]:
            esc_counts[(e["role"], "responded")] = esc_counts.get((e["role"], "responded"), 0) + 1
            waits.setdefault(e["role"], []).append(_hours(e["at"], e["response_at"]))
    escalations = matrix(roles, ("escalations", "responded"), esc_counts, limit, row_totals=False)
    for row in escalations["rows"]:
        values = waits.get(row["label"], [])
        row["median_response_hours"] = (
            median(values) if len(values) >= limit else (SECONDARY if values else None)
        )
    every_wait = [w for values in waits.values() for w in values]
    escalations["median_response_hours"] = (
        median(every_wait) if len(every_wait) >= limit else (SECONDARY if every_wait else None)
    )

    # -- volunteers
    vol = store.one(
        "SELECT"
        " (SELECT count(*) FROM (SELECT volunteer_id FROM volunteer_stages"
        "  WHERE stage = 'approved' GROUP BY volunteer_id HAVING min(date) BETWEEN :qs AND :qe))"
        "  AS recruited,"
        " (SELECT count(DISTINCT volunteer_id) FROM volunteer_training"
        "  WHERE kind = 'initial' AND date BETWEEN :qs AND :qe) AS trained,"
        " (SELECT count(DISTINCT volunteer_id) FROM volunteer_vetting"
        f"  WHERE decision IN ({', '.join(repr(d) for d in CLEARED)})"
        "  AND (issued_on BETWEEN :qs AND :qe OR checked_on BETWEEN :qs AND :qe)) AS vetted,"
        " (SELECT count(DISTINCT volunteer_id) FROM circle_members"
        "  WHERE joined_on <= :qe AND (left_on IS NULL OR left_on >= :qs)) AS active,"
        " (SELECT count(*) FROM volunteers WHERE left_on BETWEEN :qs AND :qe) AS left",
        q,
    )
    assert vol is not None
    volunteers = {k: suppress(int(v or 0), limit) for k, v in vol.items()}
    hour_rows = hour_figures.rows(store, qs, qe)
    rows = [
        {
            "activity": a["activity"],
            "hours": a["hours"],
            "travel": a["travel_hours"],
            "people": a["volunteers"],
        }
        for a in hour_figures.by_activity(hour_rows, digits=None)
    ]
    contributors = len(hour_figures.by_volunteer(hour_rows))
    hours = _volunteer_hours(rows, contributors, limit)
    from cosa.domain import expenses as expense_claims

    spent = expense_claims.totals(store, qs, qe)
    shown = spent["volunteers"] >= limit
    volunteer_expenses = {
        "claims": suppress(spent["claims"], limit),
        "volunteers": suppress(spent["volunteers"], limit),
        "claimed_pence": spent["claimed_pence"] if shown else (SECONDARY if spent["claims"] else 0),
        "paid_pence": spent["paid_pence"] if shown else (SECONDARY if spent["claims"] else 0),
        "miles": spent["miles"] if shown else (SECONDARY if spent["claims"] else 0),
    }

    # -- goals
    rows = store.query(
        "SELECT outcome, count(*) AS n FROM circle_goals WHERE outcome != 'open'"
        f" AND outcome_on BETWEEN :qs AND :qe{only('circle_goals.circle_id', 'circle_goals.outcome_on')} GROUP BY outcome",
        q,
    )
    outcomes = [
        o for o in ("achieved", "partly", "not-achieved") if any(r["outcome"] == o for r in rows)
    ]
    goals = matrix(
        outcomes, ("goals",), _pairs_one(rows, "outcome", "goals"), limit, row_totals=False
    )

    return {
        "report": {
            "kind": KIND,
            "title": "Quarterly return"
            + (f" for {coordinator}'s circles" if coordinator is not None else ""),
            "subject": label,
            "period": f"{label} ({format_day(first)} \u2013 {format_day(last)})",
            "from": qs,
            "to": qe,
        },
        "quarter": label,
        "suppression": {
            "threshold": limit,
            "note": (
                f'Counts from 1 to {limit - 1} are shown as "<{limit}". A cell marked '
                f'"{SECONDARY}" is withheld so that a small number cannot be worked out from '
                f"a total, or because it rests on fewer than {limit} events or volunteers."
            ),
        },
        "referrals": referrals,
        "circles": circles,
        "circles_by_phase": by_phase,
        "ending_reasons": endings,
        "meetings": meetings,
        "meetings_held": suppress(sum(int(r["n"]) for r in rows_held), limit),
        "meetings_cancelled": suppress(cancelled, limit),
        "cm_attendance": attendance,
        "minutes_on_time": minutes,
        "contacts": {**contacts, "hours": contact_hours},
        "concerns": concerns,
        "escalations": escalations,
        "volunteers": volunteers,
        "volunteer_hours": hours,
        "volunteer_expenses": volunteer_expenses,
        "goals": goals,
        "coordinator": coordinator,
        "provider_wide": list(PROVIDER_WIDE) if coordinator is not None else [],
        "_file": f"quarter-{label}" + (f"-{slug(coordinator)}" if coordinator else ""),
    }


def _pairs_one(rows: list[dict[str, Any]], key: str, column: str) -> dict[tuple[str, str], int]:
    """The counts `n` of a one-column table, keyed by (row[key], column)."""
    return {(str(r[key]), column): int(r["n"]) for r in rows}


def _hours(start: str, end: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600


def _hide_one_line(values: list[float], hidden: list[bool]) -> tuple[list[bool], bool]:
    """(cells hidden, total hidden) so that exactly one hidden cell cannot be derived."""
    hidden = list(hidden)
    total_hidden = False
    if sum(hidden) == 1:
        candidates = [(v, i) for i, v in enumerate(values) if not hidden[i] and v]
        if candidates:
            hidden[min(candidates)[1]] = True
        else:
            total_hidden = True
    return hidden, total_hidden


def _hours_column(
    labels: list[str], values: list[float], counts: list[int], limit: int
) -> dict[str, Any]:
    """Hours per row, withheld where the row's count is below the threshold."""
    hidden, total_hidden = _hide_one_line(values, [0 < c < limit for c in counts])
    total = sum(values)
    return {
        "rows": [
            {"label": label, "hours": SECONDARY if h else round(v, 1)}
            for label, v, h in zip(labels, values, hidden, strict=True)
        ],
        "total": SECONDARY if total_hidden or 0 < sum(counts) < limit else round(total, 1),
    }


def _volunteer_hours(rows: list[dict[str, Any]], contributors: int, limit: int) -> dict[str, Any]:
    order = (hour_figures.MEETING, "circle", "contact", "training", "supervision", "admin", "other")
    rows = sorted(rows, key=lambda r: order.index(r["activity"]) if r["activity"] in order else 99)
    people = [int(r["people"]) for r in rows]
    small = [0 < p < limit for p in people]
    hours_hidden, hours_total_hidden = _hide_one_line([float(r["hours"]) for r in rows], small)
    travel_hidden, travel_total_hidden = _hide_one_line([float(r["travel"]) for r in rows], small)
    few = 0 < contributors < limit
    return {
        "rows": [
            {
                "activity": r["activity"],
                "volunteers": suppress(int(r["people"]), limit),
                "hours": SECONDARY if hh else round(float(r["hours"]), 1),
                "travel_hours": SECONDARY if th else round(float(r["travel"]), 1),
            }
            for r, hh, th in zip(rows, hours_hidden, travel_hidden, strict=True)
        ],
        "volunteers": suppress(contributors, limit),
        "hours": SECONDARY
        if few or hours_total_hidden
        else round(sum(float(r["hours"]) for r in rows), 1),
        "travel_hours": SECONDARY
        if few or travel_total_hidden
        else round(sum(float(r["travel"]) for r in rows), 1),
    }


# -- rendering -------------------------------------------------------------------------------


def _pct(value: Any) -> object:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return f"{value:.0f}%"


def _text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def counts_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> Any:
    """A table whose first column is a label and every other column a figure (numbers, "<5",
    "*"), all right-aligned; a last row labelled "Total" is set in bold."""
    from reportlab.platypus import TableStyle

    from cosa.reports.pdf import FONT_BOLD, table

    body = [[row[0], *(_text(v) for v in row[1:])] for row in rows]
    result = table(list(headers), body)
    commands: list[tuple[Any, ...]] = [("ALIGN", (1, 0), (-1, -1), "RIGHT")]
    if rows and rows[-1][0] == "Total":
        commands.append(("FONT", (0, -1), (-1, -1), FONT_BOLD, 8.5, 10.5))
    result.setStyle(TableStyle(commands))
    return result


def _matrix_table(t: dict[str, Any], first: str, headers: Sequence[str] | None = None) -> Any:
    heads = [first, *(headers or [c.replace("_", " ").capitalize() for c in t["columns"]])]
    has_row_totals = bool(t["rows"]) and "total" in t["rows"][0]
    if has_row_totals:
        heads.append("Total")
    body: list[list[object]] = [
        [r["label"], *r["values"], *([r["total"]] if has_row_totals else [])] for r in t["rows"]
    ]
    if "totals" in t and t["rows"]:
        body.append(["Total", *t["totals"], *([t["total"]] if has_row_totals else [])])
    return counts_table(heads, body)


def _word(label: str) -> str:
    """What to call the period: "quarter" for `2026-Q3`, else "period" (a year, a financial
    year or two days: `cosa report return`)."""
    return "quarter" if re.fullmatch(r"\d{4}-Q[1-4]", label) else "period"


def render(data: dict[str, Any]) -> list[Any]:
    from cosa.reports.pdf import heading, kv_table, para

    word = _word(str(data.get("quarter") or data.get("period") or ""))
    story: list[Any] = []
    story.append(
        para(
            "Aggregates only: this return names no person and no core member, and gives no date "
            f"finer than the {word}. " + data["suppression"]["note"],
            "small",
        )
    )
    if data.get("coordinator"):
        story.append(
            para(
                f"Circles, meetings, attendance, minutes, contacts, concerns, escalations and"
                f" goals are those of the circles {data['coordinator']} coordinated on the day"
                " each happened (a circle's state at the end of the period: on its last day"
                f" in the {word}); referrals and volunteers are the whole provider's.",
                "small",
            )
        )
    story.append(heading("Referrals"))
    story.append(para(f"Referrals received in the {word}, by source and decision.", "small"))
    story.append(_matrix_table(data["referrals"], "Source"))

    story.append(heading("Circles"))
    story.append(_matrix_table(data["circles"], "Type"))
    story.append(heading(f"Phase at the end of the {word}", 3))
    story.append(_matrix_table(data["circles_by_phase"], "Phase", ["Circles"]))
    story.append(heading("Circles ended, by reason", 3))
    story.append(_matrix_table(data["ending_reasons"], "Ending reason", ["Circles"]))

    story.append(heading("Meetings"))
    story.append(_matrix_table(data["meetings"], "Meeting type", ["Meetings"]))
    a = data["cm_attendance"]
    story.append(
        kv_table(
            [
                ("Core member attendance", _pct(a["rate"])),
                ("Meetings with attendance recorded", a["meetings_with_attendance"]),
                ("Meetings cancelled (did not take place)", data["meetings_cancelled"]),
            ]
        )
    )
    story.append(heading("Minutes approved within 48 hours", 3))
    story.append(
        _matrix_table(data["minutes_on_time"], "", ["On time", "Late", "Not yet approved"])
    )

    story.append(heading("Individual contacts"))
    contacts = data["contacts"]
    rows: list[list[object]] = [
        [r["label"], r["values"][0], h["hours"]]
        for r, h in zip(contacts["rows"], contacts["hours"]["rows"], strict=True)
    ]
    if rows:
        rows.append(["Total", contacts["totals"][0], contacts["hours"]["total"]])
    story.append(counts_table(["Mode", "Contacts", "Hours"], rows))

    story.append(heading("Concerns"))
    story.append(para(f"Concerns raised in the {word}, by category and RAG.", "small"))
    story.append(_matrix_table(data["concerns"], "Category", ["Red", "Amber", "Green"]))
    story.append(heading("Escalations", 3))
    esc = data["escalations"]
    rows = [[r["label"], *r["values"], r["median_response_hours"]] for r in esc["rows"]]
    if rows:
        rows.append(["Total", *esc["totals"], esc["median_response_hours"]])
    story.append(
        counts_table(
            ["Recipient's role", "Escalations", "Responded", "Median hours to response"], rows
        )
    )

    story.append(heading("Volunteers"))
    v = data["volunteers"]
    story.append(
        counts_table(
            ["", "Recruited", "Trained", "Vetted", "Active in a circle", "Left"],
            [["Volunteers", v["recruited"], v["trained"], v["vetted"], v["active"], v["left"]]],
        )
    )
    story.append(heading("Volunteer hours", 3))
    h = data["volunteer_hours"]
    rows = [[r["activity"], r["volunteers"], r["hours"], r["travel_hours"]] for r in h["rows"]]
    if rows:
        rows.append(["Total", h["volunteers"], h["hours"], h["travel_hours"]])
    story.append(counts_table(["Activity", "Volunteers", "Hours", "Travel hours"], rows))
    story.append(heading("Volunteer expenses", 3))
    e = data["volunteer_expenses"]
    from cosa.money import format_pence

    def money(value: Any) -> Any:
        return format_pence(value) if isinstance(value, int) else value

    story.append(
        counts_table(
            ["Claims", "Volunteers", "Claimed", "Paid", "Miles"],
            [
                [
                    e["claims"],
                    e["volunteers"],
                    money(e["claimed_pence"]),
                    money(e["paid_pence"]),
                    e["miles"],
                ]
            ],
        )
    )

    story.append(heading("Goals"))
    story.append(para(f"Good Lives goals with an outcome recorded in the {word}.", "small"))
    story.append(_matrix_table(data["goals"], "Outcome", ["Goals"]))
    return story


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month + 2) // 3}"
