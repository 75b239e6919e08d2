"""An auditor's reconciliation: what the reports say, recomputed from the records with SQL on
the demo, and the safeguarding gate against a later DBS result. Each test here failed before
the fix it guards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cosa.domain import circles, members, volunteers
from cosa.errors import UserError
from cosa.reports import returns
from cosa.workspace import Options, Workspace

from .demo_world import build_demo
from .people import ready_volunteer


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small demo for the module (building it is the slow part)."""
    return build_demo(tmp_path_factory, reports=False)[0]


@pytest.fixture
def demo_store(demo: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("COSA_PASSPHRASE", "fictional demo data only")
    store = Workspace(demo).open(Options())
    yield store
    store.close()


PERIODS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026", "FY2026", "2026-04-01..2026-09-30"]


def cells(store: Any, period: str, measure: str) -> dict[str, float]:
    p = returns.parse_period(period)
    return {b: v for m, b, v in returns.raw_cells(store, p) if m == measure}


@pytest.mark.parametrize("period", PERIODS)
def test_the_return_csv_counts_volunteers_recruited_on_their_approval_date(
    demo_store: Any, period: str
) -> None:
    p = returns.parse_period(period)
    expected = demo_store.scalar(
        "SELECT count(*) FROM (SELECT volunteer_id FROM volunteer_stages WHERE stage = 'approved'"
        " GROUP BY volunteer_id HAVING min(date) BETWEEN ? AND ?)",
        (p.first.isoformat(), p.last.isoformat()),
    )
    assert cells(demo_store, period, "volunteers_recruited").get("", 0) == expected


@pytest.mark.parametrize("period", PERIODS)
def test_the_return_csv_counts_every_volunteer_hour_once_meetings_included(
    demo_store: Any, period: str
) -> None:
    p = returns.parse_period(period)
    span = (p.first.isoformat(), p.last.isoformat())
    meeting = demo_store.scalar(
        "SELECT total(m.duration_minutes) / 60.0 FROM meetings m JOIN meeting_attendance a"
        " ON a.meeting_id = m.id WHERE m.state = 'held' AND a.status IN ('present', 'late')"
        " AND m.date BETWEEN ? AND ?",
        span,
    )
    logged = demo_store.scalar(
        "SELECT total(hours) FROM volunteer_hours WHERE date BETWEEN ? AND ?", span
    )
    hours = cells(demo_store, period, "volunteer_hours")
    assert hours.get("meeting", 0) == pytest.approx(meeting)
    assert sum(hours.values()) == pytest.approx(meeting + logged)


@pytest.mark.parametrize("period", PERIODS)
def test_the_return_csv_takes_the_referral_decision_in_force_at_the_period_end(
    demo_store: Any, period: str
) -> None:
    p = returns.parse_period(period)
    qs, qe = p.first.isoformat(), p.last.isoformat()
    expected: dict[str, float] = {}
    for r in demo_store.query(
        "SELECT r.source, (SELECT h.value FROM referral_history h WHERE h.referral_id = r.id"
        " AND h.field = 'decision' AND h.on_date <= :qe ORDER BY h.on_date DESC, h.id DESC"
        " LIMIT 1) AS decision FROM referrals r WHERE r.received_on BETWEEN :qs AND :qe",
        {"qs": qs, "qe": qe},
    ):
        d = r["decision"] if r["decision"] not in (None, "received", "assessed") else "undecided"
        key = f"{r['source']} / {d}"
        expected[key] = expected.get(key, 0) + 1
    assert cells(demo_store, period, "referrals_received") == expected
    decided: dict[str, float] = {}
    for r in demo_store.query(
        "SELECT h.value FROM referral_history h WHERE h.field = 'decision'"
        " AND h.value IN ('accepted', 'declined') AND h.on_date BETWEEN :qs AND :qe",
        {"qs": qs, "qe": qe},
    ):
        decided[r["value"]] = decided.get(r["value"], 0) + 1
    assert cells(demo_store, period, "referrals_decided") == decided


def test_the_demo_has_a_referral_whose_decision_changed_after_a_quarter_ended(
    demo_store: Any,
) -> None:
    """The referral test above is only a test if some decision in force at a period's end
    differs from today's."""
    assert demo_store.scalar(
        "SELECT count(*) FROM referrals r JOIN referral_history h ON h.referral_id = r.id"
        " WHERE h.field = 'decision' AND h.value != r.decision AND h.on_date <= '2026-09-30'"
        " AND NOT EXISTS (SELECT 1 FROM referral_history x WHERE x.referral_id = r.id"
        "  AND x.field = 'decision' AND x.on_date > h.on_date AND x.on_date <= '2026-09-30')"
        " AND r.received_on BETWEEN '2026-07-01' AND '2026-09-30'"
    )


# -- the gate ----------------------------------------------------------------------------------


def test_a_later_dbs_check_not_cleared_bars_a_join_an_earlier_clearance_does_not_outweigh(
    store: Any,
) -> None:
    vid = ready_volunteer(store, "Dora Vale", on="2024-01-08")
    volunteers.vet(
        store,
        str(vid),
        level="enhanced",
        certificate="001234567890",
        issued="2025-06-02",
        decision="not-cleared",
    )
    _, code = members.add(store, mappa_category=1, mappa_level=1)
    cid = circles.add(store, member=code, start="2025-06-01")
    head = store.scalar("SELECT max(seq) FROM audit")
    with pytest.raises(UserError, match="not cleared"):
        circles.join(store, cid, str(vid), on="2025-07-01")
    assert store.scalar("SELECT max(seq) FROM audit") == head
    # back-dated to before the later check, they would still be in the circle today
    with pytest.raises(UserError, match="not cleared"):
        circles.join(store, cid, str(vid), on="2025-06-01")
    assert store.scalar("SELECT max(seq) FROM audit") == head


# -- values in force on a date -----------------------------------------------------------------


def test_the_research_extract_gives_mappa_in_force_at_each_circles_start(demo_store: Any) -> None:
    from cosa.reports import extract

    expected = sorted(
        (r["type"], r["start_date"][:7], r["category"], r["level"], r["contacts"])
        for r in demo_store.query(
            "SELECT c.type, c.start_date,"
            " (SELECT CAST(h.value AS INTEGER) FROM member_history h WHERE h.member_id = c.member_id"
            "  AND h.field = 'mappa_category' AND h.on_date <= c.start_date"
            "  ORDER BY h.on_date DESC, h.id DESC LIMIT 1) AS category,"
            " (SELECT CAST(h.value AS INTEGER) FROM member_history h WHERE h.member_id = c.member_id"
            "  AND h.field = 'mappa_level' AND h.on_date <= c.start_date"
            "  ORDER BY h.on_date DESC, h.id DESC LIMIT 1) AS level,"
            " (SELECT count(*) FROM contacts k WHERE k.circle_id = c.id) AS contacts"
            " FROM circles c WHERE c.start_date BETWEEN '2026-01-01' AND '2026-12-31'"
        )
    )
    got = sorted(
        (
            r["circle_type"],
            r["start_month"],
            int(r["mappa_category"]),
            int(r["mappa_level"]),
            r["contacts"],
        )
        for r in extract.rows(demo_store, "2026-01-01", "2026-12-31")
        if r["start_month"].startswith("2026")
    )
    assert got == expected
    # the demo moves a member's MAPPA level after the circle started, so this is a test
    assert demo_store.scalar(
        "SELECT count(*) FROM member_history h JOIN circles c ON c.member_id = h.member_id"
        " WHERE h.field LIKE 'mappa%' AND h.on_date > c.start_date"
    )


# -- the SAR clock -----------------------------------------------------------------------------


def test_days_waiting_for_proof_of_identity_are_not_counted_twice_when_verification_restarts() -> (
    None
):
    """Paused on receipt to wait for proof of identity, verified and resumed ten days later:
    the month runs from the verification, and the ten days before it add nothing more."""
    from datetime import date

    from cosa.domain import sars

    def due(*events: tuple[str, str]) -> str:
        rows = [{"kind": k, "date": d, "months": None} for k, d in events]
        return sars.clock({"received_on": "2026-01-05"}, rows, date(2026, 6, 1)).due

    waited = (("paused", "2026-01-05"), ("verified", "2026-01-15"), ("resumed", "2026-01-15"))
    assert due(*waited) == "2026-02-15"
    # a pause that runs on after the verification still stops the clock for those days
    assert due(("paused", "2026-01-05"), ("verified", "2026-01-15"), ("resumed", "2026-01-18")) == (
        "2026-02-18"
    )
    # a pause after the verification counts in full, as before
    assert due(("verified", "2026-01-15"), ("paused", "2026-01-20"), ("resumed", "2026-01-25")) == (
        "2026-02-20"
    )


@pytest.mark.parametrize("period", ["2026-Q3", "2026"])
def test_the_return_counts_volunteers_with_hours_once_and_prints_no_total_that_counts_them_twice(
    demo_store: Any, period: str
) -> None:
    p = returns.parse_period(period)
    span = (p.first.isoformat(), p.last.isoformat())
    people = demo_store.scalar(
        "SELECT count(*) FROM (SELECT a.volunteer_id FROM meetings m JOIN meeting_attendance a"
        " ON a.meeting_id = m.id WHERE m.state = 'held' AND a.status IN ('present', 'late')"
        " AND m.duration_minutes > 0 AND m.date BETWEEN ? AND ?"
        " UNION SELECT volunteer_id FROM volunteer_hours WHERE date BETWEEN ? AND ?)",
        (*span, *span),
    )
    assert cells(demo_store, period, "volunteers_with_hours") == {"": people}
    by_activity = cells(demo_store, period, "volunteers_logging_hours")
    assert sum(by_activity.values()) > people  # the demo has volunteers in two activities
    figures = returns.suppress(returns.raw_cells(demo_store, p), 5)
    shown = {(f.measure, f.breakdown): f for f in figures}
    assert ("volunteers_logging_hours", "total") not in shown
    assert shown[("volunteers_with_hours", "")].value == people
    assert shown[("volunteer_hours", "total")].value is not None  # the hours total stays


# -- cancelled meetings leave the calendar -------------------------------------------------------


def test_the_calendar_leaves_out_a_cancelled_meeting_and_shows_the_day_it_moved_to(
    store: Any,
) -> None:
    from datetime import date, timedelta

    from cosa.domain import calendar as cal
    from cosa.domain import meetings

    from .weekly import make_circle

    c = make_circle(store, start=30, day="tuesday")
    planned = meetings.scheduled_days(
        circles.get(store, c.id), date.today(), date.today() + timedelta(weeks=4)
    )
    cancelled, moved_to = planned[1], planned[1] + timedelta(days=2)
    meetings.cancel(
        store, c.id, on=cancelled.isoformat(), reason="venue closed", moved_to=moved_to.isoformat()
    )
    days = [
        e["day"]
        for e in cal.events(store, to=(date.today() + timedelta(weeks=4)).isoformat())
        if e["kind"] == "meeting"
    ]
    assert cancelled.isoformat() not in days
    assert moved_to.isoformat() in days
    assert sorted(days) == sorted(
        [d.isoformat() for d in planned if d != cancelled] + [moved_to.isoformat()]
    )
    # a void cancellation (recorded in error) leaves the planned meeting as it was
    mid = store.scalar("SELECT id FROM meetings WHERE state = 'cancelled'")
    meetings.void(store, mid, reason="cancelled the wrong circle")
    days = [
        e["day"]
        for e in cal.events(store, to=(date.today() + timedelta(weeks=4)).isoformat())
        if e["kind"] == "meeting"
    ]
    assert sorted(days) == [d.isoformat() for d in planned]


# -- suppression: a table without row totals --------------------------------------------------


def test_a_table_without_row_totals_withholds_no_column_total_as_if_the_last_were_their_sum() -> (
    None
):
    """The circles table (started / active / ended, no row totals): the column totals are not
    a line with a total, so a small 'started' total does not make 'active' or 'ended' "*"."""
    from cosa.reports.data import suppress_lines

    _, _, totals, _ = suppress_lines([[1, 2, 0], [2, 3, 0]], 5, row_totals=False, ncols=3)
    assert totals == ["<5", 5, 0]
    _, _, totals, _ = suppress_lines([[0, 2, 0], [0, 2, 0]], 5, row_totals=False, ncols=3)
    assert totals == [0, "<5", 0]  # never "*" on a zero
    # the same with columns and rows swapped
    _, totals, _, _ = suppress_lines([[1, 2], [2, 3], [0, 0]], 5, col_totals=False, ncols=2)
    assert totals == ["<5", 5, 0]


@pytest.mark.parametrize("quarter", ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"])
def test_the_quarters_circles_table_agrees_with_the_returns_measures(
    demo_store: Any, quarter: str
) -> None:
    from cosa.reports import quarter as quarterly

    p = returns.parse_period(quarter)
    table = quarterly.period_data(demo_store, p.first, p.last, quarter)["circles"]
    figures = {
        (f.measure, f.breakdown): f for f in returns.suppress(returns.raw_cells(demo_store, p), 5)
    }
    for column, shown in zip(table["columns"], table["totals"], strict=True):
        f = figures.get((f"circles_{column}", "total"))
        if f is None:
            assert shown == 0, (column, shown)
        elif f.suppressed:
            assert shown in ("<5", "*"), (column, shown)
        else:
            assert shown == f.value, (column, shown)


# -- the circle report's other figures, recounted ----------------------------------------------


def test_the_circle_reports_contacts_concerns_actions_and_goals_reconcile_with_sql(
    demo: Path, demo_store: Any
) -> None:
    import statistics
    from datetime import date, datetime

    from cosa.reports import circle as circle_report

    today = date.today().isoformat()
    for cid in [r["id"] for r in demo_store.query("SELECT id FROM circles ORDER BY id")]:
        data = circle_report.data(demo_store, str(cid))
        p = {"c": cid, "a": data["report"]["from"], "b": data["report"]["to"], "t": today}
        s = data["summary"]

        def one(sql: str, p: dict[str, Any] = p) -> Any:
            return demo_store.scalar(sql, p)

        assert s["contacts"] == one(
            "SELECT count(*) FROM contacts WHERE circle_id = :c AND date BETWEEN :a AND :b"
        )
        assert s["contact_hours"] == round(
            one(
                "SELECT total(duration_minutes) / 60.0 FROM contacts WHERE circle_id = :c"
                " AND date BETWEEN :a AND :b"
            ),
            1,
        )
        for sev in ("red", "amber", "green"):
            assert s["concerns"][sev] == one(
                "SELECT count(*) FROM concerns WHERE circle_id = :c AND date BETWEEN :a AND :b"
                f" AND severity = '{sev}' AND void_reason IS NULL"
            )
        escalations = demo_store.query(
            "SELECT e.at, e.response_at FROM escalations e JOIN concerns x ON x.id = e.concern_id"
            " WHERE x.circle_id = :c AND substr(e.at, 1, 10) BETWEEN :a AND :b",
            p,
        )
        assert s["escalations"] == len(escalations)
        waits = [
            (
                datetime.fromisoformat(e["response_at"]) - datetime.fromisoformat(e["at"])
            ).total_seconds()
            / 3600
            for e in escalations
            if e["response_at"]
        ]
        if waits:
            assert s["median_response_hours"] == pytest.approx(statistics.median(waits), abs=0.1)
        raised = (
            "SELECT a.* FROM actions a LEFT JOIN meetings m ON m.id = a.meeting_id"
            " WHERE a.circle_id = :c"
            " AND coalesce(m.date, substr(a.created_at, 1, 10)) BETWEEN :a AND :b"
        )
        for status in ("open", "done", "dropped"):
            assert s["actions"][status] == one(
                f"SELECT count(*) FROM ({raised}) WHERE status = '{status}'"
            )
        assert s["actions_overdue"] == one(
            f"SELECT count(*) FROM ({raised}) WHERE status = 'open' AND due < :t"
        )
        assert s["goals"] == one("SELECT count(*) FROM circle_goals WHERE circle_id = :c")
        for key, outcome in (
            ("goals_achieved", "achieved"),
            ("goals_partly", "partly"),
            ("goals_not_achieved", "not-achieved"),
            ("goals_open", "open"),
        ):
            assert s[key] == one(
                f"SELECT count(*) FROM circle_goals WHERE circle_id = :c AND outcome = '{outcome}'"
            )
        present = demo_store.query(
            "SELECT (SELECT count(*) FROM meeting_attendance a WHERE a.meeting_id = m.id"
            " AND a.status = 'present') AS n FROM meetings m WHERE m.circle_id = :c"
            " AND m.state = 'held' AND m.date BETWEEN :a AND :b",
            p,
        )
        assert data["volunteers_present_avg"] == round(
            sum(r["n"] for r in present) / len(present), 1
        )


# -- the gate and back-dated joins --------------------------------------------------------------


def _cleared_in_2020(store: Any, name: str) -> int:
    """Approved, trained and DBS-cleared in January 2020, never re-checked: the re-check fell
    due in January 2023."""
    from cosa.domain import recruitment

    with store.atomic():
        vid = volunteers.add(store, name)
        for referee in ("Referee One", "Referee Two"):
            recruitment.reference(
                store,
                str(vid),
                referee=referee,
                requested="2020-01-06",
                received="2020-01-06",
                outcome="satisfactory",
            )
        recruitment.set_stage(store, str(vid), "approved", on="2020-01-06")
        volunteers.vet(
            store,
            str(vid),
            level="enhanced",
            certificate="001122334455",
            issued="2020-01-06",
            checked="2020-01-06",
            decision="cleared",
        )
        volunteers.train(store, str(vid), kind="initial", on="2020-01-06")
    return vid


def test_a_back_dated_join_is_refused_when_the_volunteer_would_be_in_the_circle_today_unfit(
    store: Any,
) -> None:
    """Joining on a day in 2021, when the DBS check was in date, makes a current member today,
    when it is not: the gate looks at today too."""
    vid = _cleared_in_2020(store, "Olive Stale")
    _, code = members.add(store, mappa_category=1, mappa_level=1)
    cid = circles.add(store, member=code, start="2021-01-04")
    head = store.scalar("SELECT max(seq) FROM audit")
    with pytest.raises(UserError, match="re-check overdue"):
        circles.join(store, cid, str(vid), on="2021-06-01")
    assert store.scalar("SELECT max(seq) FROM audit") == head
    circles.join(store, cid, str(vid), on="2021-06-01", override="re-check applied for")


def test_a_back_dated_join_cannot_make_a_seventh_current_volunteer_without_override(
    store: Any,
) -> None:
    _, code = members.add(store, mappa_category=1, mappa_level=1)
    cid = circles.add(store, member=code, start="2020-01-06")
    for i in range(6):
        circles.join(store, cid, str(ready_volunteer(store, f"Seated {i}")), on="2024-01-08")
    late = ready_volunteer(store, "Back Dated")
    with pytest.raises(UserError, match="already has 6 current volunteers"):
        circles.join(store, cid, str(late), on="2023-01-09")
    assert (
        store.scalar(
            "SELECT count(*) FROM circle_members WHERE circle_id = ? AND left_on IS NULL", (cid,)
        )
        == 6
    )


# -- a return for a year says "period", not "quarter" -------------------------------------------


def test_a_return_for_a_year_never_calls_its_period_a_quarter(
    demo: Path, demo_store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .conftest import Cli
    from .test_reports import text_of

    data = returns.data(demo_store, "2026")
    assert "quarter" not in str(data["minutes_on_time"]).lower()
    monkeypatch.setenv("COSA_PASSPHRASE", "fictional demo data only")
    out = tmp_path / "year.pdf"
    Cli()("--home", str(demo), "report", "return", "--period", "2026", "-o", str(out))
    assert "quarter" not in text_of(out).lower()
    q = tmp_path / "q.pdf"
    Cli()("--home", str(demo), "report", "quarter", "2026-Q3", "-o", str(q))
    assert "in the quarter" in text_of(q)  # the quarterly return still says so


# -- outcomes, follow-ups and expenses are measured, now that they are recorded ---------------


@pytest.mark.parametrize("period", ["2026-Q3", "2026-Q4", "2026", "FY2026"])
def test_the_return_measures_outcomes_follow_ups_and_expenses_like_sql(
    demo_store: Any, period: str
) -> None:
    p = returns.parse_period(period)
    q = {"qs": p.first.isoformat(), "qe": p.last.isoformat()}

    def grouped(sql: str) -> dict[str, float]:
        return {str(r["b"]): float(r["n"]) for r in demo_store.query(sql, q) if r["n"]}

    outcome = (
        "SELECT o.kind AS b, count(*) AS n FROM outcomes o JOIN circles c ON c.id = o.circle_id"
        " WHERE o.kind != 'none' AND o.on_date BETWEEN :qs AND :qe AND {when} GROUP BY 1"
    )
    during = grouped(outcome.format(when="(c.ended_on IS NULL OR o.on_date <= c.ended_on)"))
    after = grouped(outcome.format(when="c.ended_on IS NOT NULL AND o.on_date > c.ended_on"))
    assert cells(demo_store, period, "outcomes_during_circle") == during
    assert cells(demo_store, period, "outcomes_at_follow_up") == after
    assert cells(demo_store, period, "follow_ups_done") == grouped(
        "SELECT '' AS b, count(*) AS n FROM followups WHERE on_date BETWEEN :qs AND :qe"
    )
    assert cells(demo_store, period, "volunteer_expense_claims") == grouped(
        "SELECT kind AS b, count(*) AS n FROM volunteer_expenses WHERE date BETWEEN :qs AND :qe"
        " GROUP BY 1"
    )
    assert cells(demo_store, period, "volunteer_expenses_pence") == grouped(
        "SELECT kind AS b, sum(amount_pence) AS n FROM volunteer_expenses"
        " WHERE date BETWEEN :qs AND :qe GROUP BY 1"
    )
    assert not returns.data(demo_store, period)["not_yet_measured"]


def test_the_demo_has_outcomes_follow_ups_and_expenses_in_2026(demo_store: Any) -> None:
    for table, column in (
        ("outcomes", "on_date"),
        ("followups", "on_date"),
        ("volunteer_expenses", "date"),
    ):
        assert demo_store.scalar(f"SELECT count(*) FROM {table} WHERE {column} LIKE '2026-%'")


# -- a DBS check not cleared for a volunteer already in a circle ---------------------------------


def test_status_names_a_circle_volunteer_whose_latest_dbs_check_was_not_cleared(
    store: Any,
) -> None:
    """The gate stops a join; a volunteer already seated whose new check comes back not
    cleared must not sit on silently."""
    from cosa.domain import status as status_domain
    from cosa.models import Status

    from .weekly import make_circle

    make_circle(store, names=("Ann Able", "Bob Baker"))
    bob = store.scalar("SELECT id FROM volunteers WHERE name = 'Bob Baker'")
    assert status_domain.status(store)["vetting_not_cleared"] == []
    volunteers.vet(
        store,
        str(bob),
        level="enhanced",
        certificate="009988776655",
        issued=date_ago(3),
        decision="not-cleared",
    )
    data = status_domain.status(store)
    rows = data["vetting_not_cleared"]
    assert [(r["name"], r["decision"], r["last_checked"]) for r in rows] == [
        ("Bob Baker", "not-cleared", date_ago(3))
    ]
    assert data["counts"]["vetting_not_cleared"] == 1
    Status.model_validate(data)


def date_ago(n: int) -> str:
    from datetime import date, timedelta

    return (date.today() - timedelta(days=n)).isoformat()


# -- leaving cannot be dated before what the volunteer did ---------------------------------------


def test_a_volunteer_cannot_be_recorded_as_leaving_before_hours_they_gave(store: Any) -> None:
    """Hours dated after leaving are refused; a leave dated before hours already given would
    leave them counted after the volunteer left."""
    vid = ready_volunteer(store, "Len Later")
    volunteers.log_hours(store, str(vid), on=date_ago(5), hours=2, activity="admin")
    head = store.scalar("SELECT max(seq) FROM audit")
    with pytest.raises(UserError, match=date_ago(5)):
        volunteers.leave(store, str(vid), reason="moved away", on=date_ago(10))
    assert store.scalar("SELECT max(seq) FROM audit") == head
    assert store.scalar("SELECT left_on FROM volunteers WHERE id = ?", (vid,)) is None
    volunteers.leave(store, str(vid), reason="moved away", on=date_ago(5))


def test_a_volunteer_cannot_be_recorded_as_leaving_before_a_meeting_they_were_present_at(
    store: Any,
) -> None:
    from .weekly import make_circle

    c = make_circle(store, names=("Pam Present", "Bob Baker"), start=30)
    from cosa.domain import meetings

    meetings.add(store, c.id, date=date_ago(3), present=["Pam Present"], cm_attended="yes")
    with pytest.raises(UserError, match=date_ago(3)):
        volunteers.leave(store, "Pam Present", reason="moved away", on=date_ago(10))


# -- the four quarters add up to the year -------------------------------------------------------

#: Measures that count events by their date: the quarters' cells add up to the year's.
FLOWS = (
    "referrals_decided", "referral_days_waiting", "circles_started", "circles_ended",
    "circles_ended_by_reason", "meetings_held", "meetings_cancelled",
    "meetings_attendance_recorded", "meetings_cm_attended", "minutes_approval", "contacts",
    "contact_minutes", "concerns", "escalations", "escalations_responded",
    "escalation_response_hours", "volunteers_recruited", "volunteers_left", "volunteer_hours",
    "volunteer_travel_hours", "goals", "risk_change_circles", "risk_change",
    "outcomes_during_circle", "outcomes_at_follow_up", "follow_ups_done",
    "volunteer_expense_claims", "volunteer_expenses_pence",
)  # fmt: skip


def test_the_four_quarters_raw_cells_add_up_to_the_year(demo_store: Any) -> None:
    year = {
        (m, b): v
        for m, b, v in returns.raw_cells(demo_store, returns.parse_period("2026"))
        if m in FLOWS
    }
    summed: dict[tuple[str, str], float] = {}
    for q in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"):
        for m, b, v in returns.raw_cells(demo_store, returns.parse_period(q)):
            if m in FLOWS:
                summed[(m, b)] = summed.get((m, b), 0.0) + v
    assert set(summed) == set(year)
    for key, value in year.items():
        assert summed[key] == pytest.approx(value), key

    # referrals received add up by source, whatever their decision at each period's end
    def by_source(period: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for m, b, v in returns.raw_cells(demo_store, returns.parse_period(period)):
            if m == "referrals_received":
                source = b.split(" / ")[0]
                out[source] = out.get(source, 0.0) + v
        return out

    quarters: dict[str, float] = {}
    for q in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"):
        for source, v in by_source(q).items():
            quarters[source] = quarters.get(source, 0.0) + v
    assert quarters == by_source("2026")
