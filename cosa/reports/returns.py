"""`cosa report return --period P`: the return for any period, as a PDF, JSON or long CSV;
`--raw` unsuppressed for a national body; `cosa report merge` to add returns up.

A period is a quarter (`2026-Q3`), a calendar year (`2026`), a financial year (`FY2026`: 1
April 2026 to 31 March 2027) or two days (`2026-04-01..2026-09-30`). A period not yet over
is *provisional* (its figures will still change).

The PDF and `--json` hold the quarterly return's sections computed for the period (see
`cosa.reports.quarter`, whose data function this module reuses) plus the measures below.
`--csv` writes the measures in a fixed long format that national bodies can concatenate
across providers:

    provider,period,measure,breakdown,value,suppressed

* `measure` is one of `MEASURES` (defined in docs/reports.md), `breakdown` is "" for a
  single figure, `a` for one dimension, `a / b` for two, with `total` rows;
* `suppressed` is "" (shown), `small` (1 to threshold-1) or `secondary` (withheld so that a
  small count cannot be worked out by subtraction); `value` is empty when suppressed.

Every figure is a *sum*, so returns add up: counts, minutes, hours, days and score changes
(never a median or a rate; those are worked out from sums and counts after merging). The
raw return (`--raw`) holds the same rows unsuppressed, inside an AES-256 encrypted PDF (an
attachment `return.csv`); it is audited as a disclosure. `merge` opens raw returns with their
passwords, adds them up by (measure, breakdown) and applies suppression once, after merging,
so a count of 3 here and 4 there is shown as 7.

Measures that need records this version does not hold yet are listed in `NOT_YET_MEASURED`;
a new measure is a function added to `COLLECTORS` with its definitions in `MEASURES`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cosa import dates, history
from cosa.domain import hours as hour_figures
from cosa.errors import UserError
from cosa.reports.data import SECONDARY, format_day, median, slug, suppress_lines, threshold
from cosa.store import Store

KIND = "return"
CSV_HEADER = ("provider", "period", "measure", "breakdown", "value", "suppressed")
RAW_ATTACHMENT = "return.csv"
#: Decisions that leave a referral undecided.
UNDECIDED = ("received", "assessed")
PROVIDER_SETTING = "provider_name"

PERIOD_HINT = "use 2026-Q3, 2026, FY2026 (April to March) or 2026-04-01..2026-09-30"


# -- periods -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    label: str

    def provisional(self, today: date) -> bool:
        return self.last >= today


def parse_period(text: str) -> Period:
    """A period as typed (see the module docstring); anything else is refused."""
    s = text.strip()
    m = re.fullmatch(r"(\d{4})", s)
    if m:
        year = int(m[1])
        return Period(date(year, 1, 1), date(year, 12, 31), str(year))
    m = re.fullmatch(r"(?i)fy\s*(\d{4})", s)
    if m:
        year = int(m[1])
        return Period(date(year, 4, 1), date(year + 1, 3, 31), f"FY{year}")
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})", s)
    if m:
        try:
            first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        except ValueError:
            raise UserError(f"invalid --period '{text}': not a date", hint=PERIOD_HINT) from None
        if last < first:
            raise UserError(f"invalid --period '{text}': it ends before it starts")
        return Period(first, last, f"{first.isoformat()}..{last.isoformat()}")
    try:
        first, last = dates.parse_quarter(s)
    except UserError:
        raise UserError(f"invalid --period '{text}'", hint=PERIOD_HINT) from None
    return Period(first, last, f"{first.year}-Q{(first.month + 2) // 3}")


# -- measures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A figure of the return: a count, or a sum (`per` names the count that says how many
    records or people it rests on: the sum is withheld wherever that count is)."""

    name: str
    definition: str
    per: str | None = None
    #: False for a count of people by a breakdown a person can be in twice: its sum is not a
    #: total, so no `total` row is printed (the measure's people are counted once elsewhere)
    total: bool = True


#: Every measure, in the order of the CSV, with its definition (also in docs/reports.md).
MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("referrals_received", "referrals received in the period, by source / the decision in force at the "
                "period's end (undecided while only received or assessed)"),
        Measure("referrals_decided", "decisions to accept or decline a referral made in the period (the "
                "decision's date in the referral's history), by decision"),
        Measure("referral_days_waiting", "days from receipt to decision of those referrals, summed",
                per="referrals_decided"),
        Measure("circles_started", "circles whose start date is in the period, by type"),
        Measure("circles_active", "circles started by the period's end and not ended (or sent to another "
                "workspace) before it began, by type"),
        Measure("circles_ended", "circles whose ending date is in the period, by type"),
        Measure("circles_ended_by_reason", "circles ended in the period, by ending reason"),
        Measure("meetings_held", "meetings held in the period (not cancelled, not void), by type"),
        Measure("meetings_cancelled", "meetings in the period recorded as cancelled, by type"),
        Measure("meetings_attendance_recorded", "meetings held in the period with the core member's attendance recorded"),
        Measure("meetings_cm_attended", "meetings held in the period the core member attended (on time or late)"),
        Measure("minutes_approval", "meetings held in the period by when their minutes were approved: "
                "on time (within 48 hours), late, not approved"),
        Measure("contacts", "individual contacts in the period, by mode"),
        Measure("contact_minutes", "minutes of those contacts, summed", per="contacts"),
        Measure("concerns", "concerns raised in the period, by category / RAG"),
        Measure("escalations", "escalations made in the period, by the recipient's role"),
        Measure("escalations_responded", "escalations made in the period with a response recorded, by role"),
        Measure("escalation_response_hours", "hours from escalation to response, summed", per="escalations_responded"),
        Measure("volunteers_recruited", "volunteers approved (pipeline stage `approved`, first time) in the period"),
        Measure("volunteers_trained", "volunteers with initial training in the period"),
        Measure("volunteers_vetted", "volunteers with a cleared DBS check issued or status-checked in the period"),
        Measure("volunteers_active", "volunteers who were a circle member at any time in the period"),
        Measure("volunteers_left", "volunteers who left in the period"),
        Measure("volunteers_logging_hours", "volunteers with hours in the period, by activity "
                "(`meeting`: present at a held meeting; the others as logged)",
                total=False),
        Measure("volunteers_with_hours", "volunteers with hours in the period (meeting or logged), "
                "each counted once"),
        Measure("volunteer_hours", "volunteer hours in the period, summed, by activity: `meeting` "
                "for each held meeting's length for every volunteer present, the others as logged", per="volunteers_logging_hours"),
        Measure("volunteer_travel_hours", "travel hours logged in the period, summed, by activity",
                per="volunteers_logging_hours"),
        Measure("goals", "Good Lives goals with an outcome recorded in the period, by outcome"),
        Measure("risk_change_circles", "circles ended in the period with an item scored at two or more "
                "dynamic risk reviews, by item"),
        Measure("risk_change", "last score minus first score of those items, summed (a fall in a risk "
                "item and a rise in a protective item are improvements)", per="risk_change_circles"),
        Measure("outcomes_during_circle", "recalls, breaches, reconvictions and charges dated in the "
                "period while the circle ran (on or before its ending), by kind"),
        Measure("outcomes_at_follow_up", "recalls, breaches, reconvictions and charges dated in the "
                "period after the circle ended, by kind"),
        Measure("follow_ups_done", "follow-up contacts after a circle ended, dated in the period"),
        Measure("volunteer_expense_claims", "volunteer expense claims dated in the period, by kind"),
        Measure("volunteer_expenses_pence", "pence claimed in those claims, summed, by kind",
                per="volunteer_expense_claims"),
    )
}  # fmt: skip

#: Measures a coordinator's return (`--coordinator`) counts for the whole provider, as
#: `cosa report quarter` does its `PROVIDER_WIDE` sections: referrals and volunteers belong
#: to no one circle.
PROVIDER_WIDE_MEASURES = frozenset(m for m in MEASURES if m.startswith(("referral", "volunteer")))

#: Measures the national return asks for that need records this version does not hold yet
#: (none: outcomes, follow-ups and expenses are recorded and measured).
NOT_YET_MEASURED: dict[str, str] = {}

Cell = tuple[str, str, float]  # measure, breakdown, value
Collector = Callable[[Store, dict[str, str]], list[Cell]]


def _only(q: dict[str, str], circle: str, day: str) -> str:
    """` AND …` keeping what this workspace counts of what happened in the circle on `day`
    (`cosa.history.counted_here`: not the days before a received circle arrived) and, with
    `--coordinator`, only in `q["coordinator"]`'s circles on that day: the rules of `cosa
    report quarter` (`cosa.history.coordinated_by`)."""
    return f" AND {_mine(q, circle, day)}"


def _mine(q: dict[str, str], circle: str, day: str) -> str:
    return history.counted(circle, day, bool(q.get("coordinator")))


def _cells(measure: str, rows: Iterable[Any], key: Callable[[Any], str], value: str) -> list[Cell]:
    return [(measure, key(r), float(r[value] or 0)) for r in rows if r[value]]


def _referrals(store: Store, q: dict[str, str]) -> list[Cell]:
    """Referrals received in the period by the decision in force at its end, and decisions
    (accepted or declined) made in it: both from the referrals' dated decision history."""
    in_force = history.values_on(store, "referral", "decision", q["qe"])
    received: dict[str, int] = {}
    for r in store.query(
        "SELECT id, source FROM referrals WHERE received_on BETWEEN :qs AND :qe", q
    ):
        decision = in_force.get(int(r["id"])) or "received"
        key = f"{r['source']} / {'undecided' if decision in UNDECIDED else decision}"
        received[key] = received.get(key, 0) + 1
    out: list[Cell] = [("referrals_received", k, float(n)) for k, n in received.items()]
    rows = store.query(
        "SELECT h.value AS decision, count(*) AS n,"
        " sum(julianday(h.on_date) - julianday(r.received_on)) AS days"
        " FROM referral_history h JOIN referrals r ON r.id = h.referral_id"
        " WHERE h.field = 'decision' AND h.value IN ('accepted', 'declined')"
        " AND h.on_date BETWEEN :qs AND :qe GROUP BY 1",
        q,
    )
    out += _cells("referrals_decided", rows, lambda r: str(r["decision"]), "n")
    out += _cells("referral_days_waiting", rows, lambda r: str(r["decision"]), "days")
    return out


def referral_waits(store: Store, period: Period) -> list[float]:
    """Days from receipt to each decision (accepted or declined) made in the period."""
    return [
        float(r["days"])
        for r in store.query(
            "SELECT julianday(h.on_date) - julianday(r.received_on) AS days"
            " FROM referral_history h JOIN referrals r ON r.id = h.referral_id"
            " WHERE h.field = 'decision' AND h.value IN ('accepted', 'declined')"
            " AND h.on_date BETWEEN ? AND ?",
            (period.first.isoformat(), period.last.isoformat()),
        )
    ]


def _circles(store: Store, q: dict[str, str]) -> list[Cell]:
    ran = history.ran_until("circles")
    rows = store.query(
        "SELECT type,"
        f" sum(start_date BETWEEN :qs AND :qe AND {_mine(q, 'circles.id', 'circles.start_date')}) AS started,"
        f" sum(start_date <= :qe AND ({ran} IS NULL OR {ran} >= :qs)"
        f"  AND {_mine(q, 'circles.id', history.last_day_in(ran))}) AS active,"
        f" sum(ended_on BETWEEN :qs AND :qe AND {_mine(q, 'circles.id', 'circles.ended_on')}) AS ended"
        " FROM circles WHERE start_date IS NOT NULL GROUP BY type",
        q,
    )
    out: list[Cell] = []
    for col in ("started", "active", "ended"):
        out += _cells(f"circles_{col}", rows, lambda r: str(r["type"]), col)
    out += _cells(
        "circles_ended_by_reason",
        store.query(
            "SELECT ending_reason AS reason, count(*) AS n FROM circles"
            f" WHERE ended_on BETWEEN :qs AND :qe{_only(q, 'circles.id', 'circles.ended_on')} GROUP BY 1",
            q,
        ),
        lambda r: str(r["reason"]),
        "n",
    )
    return out


def _meetings(store: Store, q: dict[str, str]) -> list[Cell]:
    rows = store.query(
        "SELECT type, sum(state = 'held') AS held, sum(state = 'cancelled') AS cancelled,"
        " sum(state = 'held' AND cm_attended IS NOT NULL) AS recorded,"
        " sum(state = 'held' AND cm_attended IN ('yes', 'late')) AS attended,"
        " sum(state = 'held' AND approved_at IS NOT NULL AND approved_at <= minutes_due_at)"
        "  AS on_time,"
        " sum(state = 'held' AND approved_at IS NOT NULL AND approved_at > minutes_due_at)"
        "  AS late,"
        " sum(state = 'held' AND approved_at IS NULL) AS unapproved"
        " FROM meetings WHERE date BETWEEN :qs AND :qe AND state != 'void'"
        f"{_only(q, 'meetings.circle_id', 'meetings.date')} GROUP BY type",
        q,
    )
    out = _cells("meetings_held", rows, lambda r: str(r["type"]), "held")
    out += _cells("meetings_cancelled", rows, lambda r: str(r["type"]), "cancelled")
    for measure, col in (
        ("meetings_attendance_recorded", "recorded"),
        ("meetings_cm_attended", "attended"),
    ):
        total = sum(int(r[col] or 0) for r in rows)
        if total:
            out.append((measure, "", float(total)))
    for col, label in (("on_time", "on time"), ("late", "late"), ("unapproved", "not approved")):
        total = sum(int(r[col] or 0) for r in rows)
        if total:
            out.append(("minutes_approval", label, float(total)))
    return out


def _contacts(store: Store, q: dict[str, str]) -> list[Cell]:
    rows = store.query(
        "SELECT mode, count(*) AS n, sum(coalesce(duration_minutes, 0)) AS minutes"
        f" FROM contacts WHERE date BETWEEN :qs AND :qe{_only(q, 'contacts.circle_id', 'contacts.date')}"
        " GROUP BY mode",
        q,
    )
    return _cells("contacts", rows, lambda r: str(r["mode"]), "n") + _cells(
        "contact_minutes", rows, lambda r: str(r["mode"]), "minutes"
    )


def _concerns(store: Store, q: dict[str, str]) -> list[Cell]:
    out = _cells(
        "concerns",
        store.query(
            "SELECT category, severity, count(*) AS n FROM concerns"
            " WHERE date BETWEEN :qs AND :qe AND void_reason IS NULL"
            f"{_only(q, 'concerns.circle_id', 'concerns.date')}"
            " GROUP BY 1, 2",
            q,
        ),
        lambda r: f"{r['category']} / {r['severity']}",
        "n",
    )
    rows = store.query(
        "SELECT p.role, count(*) AS n, count(e.response_at) AS responded,"
        " sum((julianday(e.response_at) - julianday(e.at)) * 24) AS hours"
        " FROM escalations e JOIN professionals p ON p.id = e.professional_id"
        " WHERE e.at >= :qs AND e.at < date(:qe, '+1 day')"
        + _only(q, "(SELECT c.circle_id FROM concerns c WHERE c.id = e.concern_id)", "e.at")
        + " GROUP BY 1",
        q,
    )
    out += _cells("escalations", rows, lambda r: str(r["role"]), "n")
    out += _cells("escalations_responded", rows, lambda r: str(r["role"]), "responded")
    out += [
        ("escalation_response_hours", str(r["role"]), round(float(r["hours"]), 2))
        for r in rows
        if r["hours"]
    ]
    return out


def _volunteers(store: Store, q: dict[str, str]) -> list[Cell]:
    cleared = "'cleared', 'cleared-with-conditions'"
    row = store.one(
        "SELECT"
        " (SELECT count(*) FROM (SELECT volunteer_id FROM volunteer_stages"
        "  WHERE stage = 'approved' GROUP BY volunteer_id HAVING min(date) BETWEEN :qs AND :qe))"
        "  AS recruited,"
        " (SELECT count(DISTINCT volunteer_id) FROM volunteer_training"
        "  WHERE kind = 'initial' AND date BETWEEN :qs AND :qe) AS trained,"
        " (SELECT count(DISTINCT volunteer_id) FROM volunteer_vetting"
        f"  WHERE decision IN ({cleared})"
        "  AND (issued_on BETWEEN :qs AND :qe OR checked_on BETWEEN :qs AND :qe)) AS vetted,"
        " (SELECT count(DISTINCT volunteer_id) FROM circle_members"
        "  WHERE joined_on <= :qe AND (left_on IS NULL OR left_on >= :qs)) AS active,"
        " (SELECT count(*) FROM volunteers WHERE left_on BETWEEN :qs AND :qe) AS left",
        q,
    )
    assert row is not None
    out: list[Cell] = [(f"volunteers_{k}", "", float(v)) for k, v in row.items() if v]
    hour_rows = hour_figures.rows(store, q["qs"], q["qe"])
    rows = [
        {"activity": a["activity"], "people": a["volunteers"], "hours": a["hours"],
         "travel": a["travel_hours"]}
        for a in hour_figures.by_activity(hour_rows, digits=None)
    ]  # fmt: skip
    out += _cells("volunteers_logging_hours", rows, lambda r: str(r["activity"]), "people")
    people = len(hour_figures.by_volunteer(hour_rows))
    if people:
        out.append(("volunteers_with_hours", "", float(people)))
    out += _cells("volunteer_hours", rows, lambda r: str(r["activity"]), "hours")
    out += _cells("volunteer_travel_hours", rows, lambda r: str(r["activity"]), "travel")
    return out


def _goals(store: Store, q: dict[str, str]) -> list[Cell]:
    return _cells(
        "goals",
        store.query(
            "SELECT outcome, count(*) AS n FROM circle_goals WHERE outcome != 'open'"
            f" AND outcome_on BETWEEN :qs AND :qe{_only(q, 'circle_goals.circle_id', 'circle_goals.outcome_on')}"
            " GROUP BY outcome",
            q,
        ),
        lambda r: str(r["outcome"]),
        "n",
    )


def _risk_change(store: Store, q: dict[str, str]) -> list[Cell]:
    rows = store.query(
        "SELECT rr.circle_id, s.item, s.score FROM risk_reviews rr"
        " JOIN risk_review_scores s ON s.risk_review_id = rr.id"
        " JOIN circles c ON c.id = rr.circle_id"
        f" WHERE c.ended_on BETWEEN :qs AND :qe{_only(q, 'c.id', 'c.ended_on')}"
        " ORDER BY rr.circle_id, rr.date, rr.id, s.id",
        q,
    )
    first: dict[tuple[int, str], int] = {}
    last: dict[tuple[int, str], int] = {}
    times: dict[tuple[int, str], int] = {}
    for r in rows:
        key = (int(r["circle_id"]), str(r["item"]))
        first.setdefault(key, int(r["score"]))
        last[key] = int(r["score"])
        times[key] = times.get(key, 0) + 1
    circles: dict[str, int] = {}
    change: dict[str, int] = {}
    for key, n in times.items():
        if n >= 2:
            item = key[1]
            circles[item] = circles.get(item, 0) + 1
            change[item] = change.get(item, 0) + last[key] - first[key]
    return [("risk_change_circles", i, float(n)) for i, n in circles.items()] + [
        ("risk_change", i, float(v)) for i, v in change.items() if v
    ]


def _outcomes(store: Store, q: dict[str, str]) -> list[Cell]:
    """Outcomes (not `none`) dated in the period, while the circle ran or after its ending;
    follow-up contacts dated in the period."""
    rows = store.query(
        "SELECT o.kind, sum(c.ended_on IS NULL OR o.on_date <= c.ended_on) AS during,"
        " sum(c.ended_on IS NOT NULL AND o.on_date > c.ended_on) AS after"
        " FROM outcomes o JOIN circles c ON c.id = o.circle_id"
        " WHERE o.kind != 'none' AND o.on_date BETWEEN :qs AND :qe"
        f"{_only(q, 'o.circle_id', 'o.on_date')} GROUP BY 1",
        q,
    )
    out = _cells("outcomes_during_circle", rows, lambda r: str(r["kind"]), "during")
    out += _cells("outcomes_at_follow_up", rows, lambda r: str(r["kind"]), "after")
    done = store.scalar(
        "SELECT count(*) FROM followups WHERE on_date BETWEEN :qs AND :qe"
        + _only(q, "followups.circle_id", "followups.on_date"),
        q,
    )
    if done:
        out.append(("follow_ups_done", "", float(done)))
    return out


def _expenses(store: Store, q: dict[str, str]) -> list[Cell]:
    rows = store.query(
        "SELECT kind, count(*) AS n, sum(amount_pence) AS pence FROM volunteer_expenses"
        " WHERE date BETWEEN :qs AND :qe GROUP BY 1",
        q,
    )
    return _cells("volunteer_expense_claims", rows, lambda r: str(r["kind"]), "n") + _cells(
        "volunteer_expenses_pence", rows, lambda r: str(r["kind"]), "pence"
    )


#: Functions that count the measures; a branch that adds records adds its collector here.
COLLECTORS: list[Collector] = [
    _referrals,
    _circles,
    _meetings,
    _contacts,
    _concerns,
    _volunteers,
    _goals,
    _risk_change,
    _outcomes,
    _expenses,
]


def raw_cells(store: Store, period: Period, coordinator: str | None = None) -> list[Cell]:
    """Every measure's unsuppressed cells for the period (no totals); with `coordinator`,
    the measures about circles count only that person's (`PROVIDER_WIDE_MEASURES` stay
    whole)."""
    q = {
        "qs": period.first.isoformat(),
        "qe": period.last.isoformat(),
        "coordinator": coordinator or "",
    }
    out: list[Cell] = []
    for collect in COLLECTORS:
        out += collect(store, q)
    unknown = {m for m, _, _ in out} - MEASURES.keys()
    assert not unknown, f"measures without a definition: {unknown}"
    return out


# -- suppression ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    measure: str
    breakdown: str
    value: float | None  # None when suppressed
    suppressed: str  # "", "small", "secondary"


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def _shape(cells: list[Cell]) -> tuple[list[str], list[str]]:
    rows: list[str] = []
    cols: list[str] = []
    for _, b, _ in cells:
        r, _, c = b.partition(" / ")
        if r not in rows:
            rows.append(r)
        if c and c not in cols:
            cols.append(c)
    return sorted(rows), sorted(cols)


def _suppress_counts(measure: str, cells: list[Cell], limit: int) -> list[Figure]:
    values = {b: v for _, b, v in cells}
    if list(values) == [""]:
        v = values[""]
        small = 0 < v < limit
        return [Figure(measure, "", None if small else _num(v), "small" if small else "")]
    rows, cols = _shape(cells)
    two = bool(cols)
    columns = cols if two else [""]
    grid = [[int(values.get(f"{r} / {c}" if two else r, 0)) for c in columns] for r in rows]
    shown, rtot, ctot, grand = suppress_lines(
        grid, limit, row_totals=two, col_totals=True, ncols=len(columns)
    )
    out: list[Figure] = []

    def add(breakdown: str, raw: float, cell: object) -> None:
        if isinstance(cell, str):
            kind = "secondary" if cell == SECONDARY else "small"
            out.append(Figure(measure, breakdown, None, kind))
        else:
            out.append(Figure(measure, breakdown, _num(raw), ""))

    for i, r in enumerate(rows):
        for j, c in enumerate(columns):
            if grid[i][j] or isinstance(shown[i][j], str):
                add(f"{r} / {c}" if two else r, grid[i][j], shown[i][j])
        if two:
            add(f"{r} / total", sum(grid[i]), rtot[i])
    if two:
        for j, c in enumerate(columns):
            add(f"total / {c}", sum(row[j] for row in grid), ctot[j])
    add("total", sum(map(sum, grid)), grand)
    return out


def _suppress_sums(
    measure: str, cells: list[Cell], counts: dict[str, Figure], limit: int
) -> list[Figure]:
    """A sum is withheld wherever its count is; if that hides exactly one cell, a second one
    is withheld too (else the total), so it cannot be worked out by subtraction."""
    labels = [b for _, b, _ in sorted(cells, key=lambda c: c[1])]
    values = {b: v for _, b, v in cells}

    def hidden_count(b: str) -> bool:
        f = counts.get(b)
        return f is None or f.suppressed != ""

    hidden = [hidden_count(b) for b in labels]
    total_hidden = hidden_count("total")
    if sum(hidden) == 1 and not total_hidden:
        others = [(values[b], i) for i, b in enumerate(labels) if not hidden[i] and values[b]]
        if others:
            hidden[min(others)[1]] = True
        else:
            total_hidden = True
    out = [
        Figure(measure, b, None if h else _num(values[b]), "secondary" if h else "")
        for b, h in zip(labels, hidden, strict=True)
    ]
    total = sum(values.values())
    out.append(
        Figure(
            measure,
            "total",
            None if total_hidden else _num(total),
            "secondary" if total_hidden else "",
        )
    )
    return out


def suppress(cells: Iterable[Cell], limit: int) -> list[Figure]:
    """The return's figures, small counts and what they would reveal withheld, with totals."""
    by_measure: dict[str, list[Cell]] = {}
    for cell in cells:
        by_measure.setdefault(cell[0], []).append(cell)
    done: dict[str, list[Figure]] = {}
    for name, spec in MEASURES.items():
        if spec.per is None and name in by_measure:
            done[name] = _suppress_counts(name, by_measure[name], limit)
    for name, spec in MEASURES.items():
        if spec.per is not None and name in by_measure:
            counts = {f.breakdown: f for f in done.get(spec.per, [])}
            done[name] = _suppress_sums(name, by_measure[name], counts, limit)
    return [
        f
        for name, spec in MEASURES.items()
        for f in done.get(name, [])
        if spec.total or f.breakdown != "total"
    ]


def unsuppressed(cells: Iterable[Cell]) -> list[Figure]:
    return [Figure(m, b, _num(v), "") for m, b, v in cells]


def merge(cells: Iterable[Cell]) -> list[Cell]:
    """Cells added up by (measure, breakdown)."""
    total: dict[tuple[str, str], float] = {}
    for m, b, v in cells:
        total[(m, b)] = total.get((m, b), 0.0) + float(v)
    return [(m, b, v) for (m, b), v in sorted(total.items())]


# -- CSV -----------------------------------------------------------------------------------------


def provider_name(store: Store) -> str:
    return store.setting(PROVIDER_SETTING) or "provider"


def csv_provider(data: dict[str, Any]) -> Callable[[str], str]:
    """The CSV's provider column for a measure: the provider, and whose circles when
    filtered, but for the measures that stay the whole provider's (`provider_wide_measures`)."""
    who = data.get("coordinator")
    whole = frozenset(data.get("provider_wide_measures") or ())

    def provider(measure: str) -> str:
        theirs = who and measure not in whole
        return str(data["provider"]) + (f" ({who}'s circles)" if theirs else "")

    return provider


def to_csv(provider: str | Callable[[str], str], period: str, figures: Sequence[Figure]) -> str:
    """The long CSV; `provider` is the provider column, or a function of the measure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for f in figures:
        value = "" if f.value is None else f.value
        name = provider(f.measure) if callable(provider) else provider
        writer.writerow([name, period, f.measure, f.breakdown, value, f.suppressed])
    return out.getvalue()


def read_raw_csv(text: str, source: str) -> tuple[list[str], list[str], list[Cell]]:
    """(providers, periods, cells) of a raw return's CSV; refuses a suppressed one."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if tuple(header or ()) != CSV_HEADER:
        raise UserError(f"{source} is not a cosa return (its CSV header differs)")
    providers: list[str] = []
    periods: list[str] = []
    cells: list[Cell] = []
    for row in reader:
        provider, period, measure, breakdown, value, suppressed = row
        if suppressed or value == "":
            raise UserError(
                f"{source} is a suppressed return; only raw returns (--raw) can be merged"
            )
        if measure not in MEASURES:
            raise UserError(f"{source}: unknown measure '{measure}'")
        if provider not in providers:
            providers.append(provider)
        if period not in periods:
            periods.append(period)
        cells.append((measure, breakdown, float(value)))
    return providers, periods, cells


# -- the report ----------------------------------------------------------------------------------


def data(
    store: Store,
    period_text: str,
    *,
    coordinator: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The return for a period: the quarterly return's sections for that period, the
    measures (suppressed) and, not shown, the raw cells (`_raw`). With `coordinator`, what
    is about circles is that person's circles' (the rule of `cosa report quarter`)."""
    from cosa.reports import quarter

    period = parse_period(period_text)
    day = today or date.today()
    body = quarter.period_data(
        store, period.first, period.last, period.label, coordinator=coordinator
    )
    limit = threshold(store)
    cells = raw_cells(store, period, coordinator)
    figures = suppress(cells, limit)
    waits = referral_waits(store, period)
    provisional = period.provisional(day)
    title = (
        "Return"
        + (f" for {coordinator}'s circles" if coordinator is not None else "")
        + (" (provisional)" if provisional else "")
    )
    body["report"].update(
        kind=KIND,
        title=title,
        subject=period.label,
        period=f"{period.label} ({format_day(period.first)} \u2013 {format_day(period.last)})"
        + (" — provisional: the period is not over" if provisional else ""),
    )
    body.pop("quarter", None)
    body.update(
        period=period.label,
        provisional=provisional,
        provider=provider_name(store),
        provider_wide_measures=(
            [m for m in MEASURES if m in PROVIDER_WIDE_MEASURES] if coordinator is not None else []
        ),
        referral_median_days_waiting=(
            median(waits) if len(waits) >= limit else (SECONDARY if waits else None)
        ),
        measures=[f.__dict__ for f in figures],
        not_yet_measured=NOT_YET_MEASURED,
        _figures=figures,
        _raw=cells,
        _file=f"return-{period.label.replace('..', '-to-')}"
        + (f"-{slug(coordinator)}" if coordinator else ""),
    )
    return body


def render(data: dict[str, Any]) -> list[Any]:
    from cosa.reports import quarter
    from cosa.reports.pdf import heading, para

    story: list[Any] = []
    if data["provisional"]:
        story.append(
            para(
                "PROVISIONAL: the period is not over; these figures will still change.",
                "cellbold",
            )
        )
    story += quarter.render(data)
    story.append(heading("Measures"))
    story.append(
        para(
            "Every measure of the return, as in its CSV (`cosa report return --csv`); "
            "definitions in docs/reports.md. Median days from referral to decision: "
            f"{_show(data['referral_median_days_waiting'])}.",
            "small",
        )
    )
    if data.get("provider_wide_measures"):
        story.append(
            para(
                f"Filtered to {data['coordinator']}: measures of referrals and volunteers are"
                " the whole provider's; the others count the circles they coordinated on the"
                " day each thing happened.",
                "small",
            )
        )
    story.append(measures_table(data["_figures"], data["suppression"]["threshold"]))
    if data["not_yet_measured"]:
        story.append(
            para(
                "Not yet measured (this version does not hold the records): "
                + "; ".join(data["not_yet_measured"].values())
                + ".",
                "small",
            )
        )
    return story


def _show(value: object) -> str:
    return "—" if value is None else str(value)


def measures_table(figures: Sequence[Figure], limit: int) -> Any:
    from cosa.reports.quarter import counts_table

    rows: list[list[object]] = [
        [
            f.measure.replace("_", " "),
            f.breakdown or "—",
            f.value
            if f.value is not None
            else (f"<{limit}" if f.suppressed == "small" else SECONDARY),
        ]
        for f in figures
    ]
    return counts_table(["Measure", "Breakdown", "Value"], rows)


def merged_data(
    cells: list[Cell], providers: list[str], periods: list[str], limit: int
) -> dict[str, Any]:
    """The data of `cosa report merge`: suppression applied once, to the sums."""
    figures = suppress(merge(cells), limit)
    return {
        "report": {
            "kind": "merge",
            "title": "Merged return",
            "subject": ", ".join(periods),
            "period": ", ".join(periods),
        },
        "providers": providers,
        "periods": periods,
        "threshold": limit,
        "measures": [f.__dict__ for f in figures],
        "_figures": figures,
    }


def render_merged(data: dict[str, Any]) -> list[Any]:
    from cosa.reports.pdf import heading, para

    return [
        para(
            f"The returns of {len(data['providers'])} provider(s) added up: "
            f"{', '.join(data['providers'])}. Counts from 1 to {data['threshold'] - 1} are "
            f'withheld ("<"), and "{SECONDARY}" where a small count could be worked out.',
            "small",
        ),
        heading("Measures"),
        measures_table(data["_figures"], data["threshold"]),
    ]


def render_raw(data: dict[str, Any]) -> list[Any]:
    from cosa.reports.pdf import heading, para

    return [
        para(
            "UNSUPPRESSED: every count of the return, however small, for a national body under "
            "a data sharing agreement. Keep it encrypted; merge it with `cosa report merge`, "
            "which suppresses small counts after adding returns up. The same rows are attached "
            f"as {RAW_ATTACHMENT}.",
            "cellbold",
        ),
        heading("Measures"),
        measures_table(data["_figures"], data["suppression"]["threshold"]),
    ]
