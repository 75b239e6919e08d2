"""The return for any period: periods, the long CSV reconciled with SQL on the demo, raw
returns merged with suppression after the merge, provisional periods, bad input."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cosa import vault
from cosa.domain import referrals, volunteers
from cosa.reports import returns
from cosa.workspace import Options, Workspace

from .conftest import PASSPHRASE, Cli
from .demo_world import build_demo
from .people import approve

DEMO_PERIOD = "2026"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small demo for the module (building it is the slow part)."""
    return build_demo(tmp_path_factory, reports=False)[0]


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# -- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("2026-Q3", "2026-07-01", "2026-09-30", "2026-Q3"),
        ("2026", "2026-01-01", "2026-12-31", "2026"),
        ("FY2026", "2026-04-01", "2027-03-31", "FY2026"),
        ("fy 2025", "2025-04-01", "2026-03-31", "FY2025"),
        ("2026-04-01..2026-09-30", "2026-04-01", "2026-09-30", "2026-04-01..2026-09-30"),
    ],
)
def test_a_period_is_a_quarter_a_year_a_financial_year_or_two_days(
    text: str, first: str, last: str, label: str
) -> None:
    p = returns.parse_period(text)
    assert (p.first.isoformat(), p.last.isoformat(), p.label) == (first, last, label)


def test_a_period_not_yet_over_is_provisional() -> None:
    p = returns.parse_period("2026-Q4")
    assert p.provisional(date(2026, 12, 31)) and not p.provisional(date(2027, 1, 1))


# -- the demo, reconciled with SQL -----------------------------------------------------------------


def sql_cells(store: Any, qs: str, qe: str) -> dict[tuple[str, str], float]:
    """Some measures recomputed straight from the tables, independently of the report."""
    q = {"qs": qs, "qe": qe}
    out: dict[tuple[str, str], float] = {}

    def put(measure: str, sql: str) -> None:
        for r in store.query(sql, q):
            if r["n"]:
                out[(measure, r["b"])] = float(r["n"])

    put(
        "referrals_received",
        "SELECT source || ' / ' || (SELECT CASE WHEN h.value IN ('received', 'assessed')"
        " THEN 'undecided' ELSE h.value END FROM referral_history h WHERE h.referral_id = r.id"
        " AND h.field = 'decision' AND h.on_date <= :qe ORDER BY h.on_date DESC, h.id DESC"
        " LIMIT 1) AS b, count(*) AS n FROM referrals r"
        " WHERE received_on >= :qs AND received_on <= :qe GROUP BY b",
    )
    put(
        "meetings_held",
        "SELECT type AS b, count(*) AS n FROM meetings WHERE state = 'held'"
        " AND date >= :qs AND date <= :qe GROUP BY b",
    )
    put(
        "meetings_cancelled",
        "SELECT type AS b, count(*) AS n FROM meetings WHERE state = 'cancelled'"
        " AND date >= :qs AND date <= :qe GROUP BY b",
    )
    put(
        "contacts",
        "SELECT mode AS b, count(*) AS n FROM contacts WHERE date >= :qs AND date <= :qe"
        " GROUP BY b",
    )
    put(
        "contact_minutes",
        "SELECT mode AS b, sum(duration_minutes) AS n FROM contacts"
        " WHERE date >= :qs AND date <= :qe GROUP BY b",
    )
    put(
        "concerns",
        "SELECT category || ' / ' || severity AS b, count(*) AS n FROM concerns"
        " WHERE date >= :qs AND date <= :qe AND void_reason IS NULL GROUP BY b",
    )
    put(
        "volunteer_hours",
        "SELECT activity AS b, sum(hours) AS n FROM volunteer_hours"
        " WHERE date >= :qs AND date <= :qe GROUP BY b"
        " UNION ALL SELECT 'meeting' AS b, total(m.duration_minutes) / 60.0 AS n FROM meetings m"
        " JOIN meeting_attendance a ON a.meeting_id = m.id WHERE m.state = 'held'"
        " AND a.status IN ('present', 'late') AND m.date >= :qs AND m.date <= :qe",
    )
    put(
        "circles_active",
        "SELECT type AS b, count(*) AS n FROM circles WHERE start_date <= :qe"
        " AND (ended_on IS NULL OR ended_on >= :qs) GROUP BY b",
    )
    put(
        "referrals_decided",
        "SELECT value AS b, count(*) AS n FROM referral_history WHERE field = 'decision'"
        " AND value IN ('accepted', 'declined') AND on_date >= :qs AND on_date <= :qe GROUP BY b",
    )
    return out


def test_the_return_csv_reconciles_with_sql_on_the_demo(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSA_PASSPHRASE", "fictional demo data only")
    store = Workspace(demo).open(Options())
    try:
        period = returns.parse_period(DEMO_PERIOD)
        raw = {(m, b): v for m, b, v in returns.raw_cells(store, period)}
        expected = sql_cells(store, period.first.isoformat(), period.last.isoformat())
        limit = 5
    finally:
        store.close()
    assert expected  # the demo has records in the period
    for key, value in expected.items():
        assert raw.get(key) == pytest.approx(value), key
    measured = {m for m, _ in expected}
    assert {k for k in raw if k[0] in measured} == set(expected)

    cli = Cli()
    text = cli("--home", str(demo), "report", "return", "--period", DEMO_PERIOD, "--csv").stdout
    figures = rows_of(text)
    assert list(figures[0]) == list(returns.CSV_HEADER)
    for f in figures:
        assert f["provider"] == "provider" and f["period"] == DEMO_PERIOD
        if "total" in f["breakdown"].split(" / "):
            continue
        value = raw.get((f["measure"], f["breakdown"]), 0)
        if f["suppressed"] == "":
            assert float(f["value"]) == pytest.approx(value), f
        elif f["suppressed"] == "small":
            assert 0 < value < limit and f["value"] == "", f
        else:
            assert f["suppressed"] == "secondary" and f["value"] == "", f
    shown = {(f["measure"], f["breakdown"]) for f in figures}
    for measure, breakdown in raw:
        assert (measure, breakdown) in shown  # every cell is in the CSV, shown or withheld
    totals = [f for f in figures if f["breakdown"] == "total" and f["suppressed"] == ""]
    for t in totals:
        cells = [v for (m, _), v in raw.items() if m == t["measure"]]
        assert float(t["value"]) == pytest.approx(sum(cells)), t


def test_the_json_of_a_return_marks_an_unfinished_period_provisional(
    demo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COSA_PASSPHRASE", "fictional demo data only")
    cli = Cli()
    this_year = str(date.today().year)
    data = cli.json("--home", str(demo), "report", "return", "--period", this_year)
    assert data["provisional"] is True and "provisional" in data["report"]["title"]
    assert data["period"] == this_year and data["measures"]
    assert not data["not_yet_measured"]  # outcomes, follow-ups and expenses are measured
    past = cli.json("--home", str(demo), "report", "return", "--period", "2020")
    assert past["provisional"] is False and past["report"]["title"] == "Return"
    out = tmp_path / "r.pdf"
    cli("--home", str(demo), "report", "return", "--period", this_year, "-o", str(out))
    from .test_reports import text_of

    assert "PROVISIONAL" in text_of(out)


# -- raw returns and the merge ---------------------------------------------------------------------


def make(home: Path, operations: list[tuple[str, str | None]]) -> None:
    """A workspace with referrals (source, decision) received today and a volunteer approved
    today."""
    store = Workspace(home).create(PASSPHRASE, vault.new_recovery_code(), "tester")
    try:
        today = date.today().isoformat()
        for source, decision in operations:
            rid = referrals.add(store, received=today, source=source)
            if decision:
                referrals.decide(store, rid, decision, reason_group="person", on=today)
        vid = volunteers.add(store, f"Volunteer of {home.name}", email=None)
        approve(store, vid, on=today)  # recruited: approved in the period
    finally:
        store.close()


def test_raw_returns_merged_equal_one_workspace_holding_both_suppressed_after_the_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    a_ops = [("probation", "accepted")] * 3 + [("police", None)]
    b_ops = [("probation", "accepted")] * 4 + [("police", "declined")] * 2
    make(tmp_path / "a", a_ops)
    make(tmp_path / "b", b_ops)
    make(tmp_path / "both", a_ops + b_ops)
    password = tmp_path / "pw"
    password.write_text("a-long-enough-password\n")
    period = str(date.today().year)
    cli = Cli()
    for name in ("a", "b"):
        result = cli(
            "--home",
            str(tmp_path / name),
            "report",
            "return",
            "--period",
            period,
            "--raw",
            "--recipient",
            "Circles UK",
            "--password-file",
            str(password),
            "-o",
            str(tmp_path / f"{name}.pdf"),
        )
        assert "Recorded as a disclosure to Circles UK" in result.stderr
        [d] = cli.json("--home", str(tmp_path / name), "disclosure", "list", "--type", "raw return")
        assert d["recipient"] == "Circles UK" and d["encrypted"] is True
        assert d["basis"] == "sharing agreement" and d["file_name"] == f"{name}.pdf"
        assert b"probation / accepted" not in (tmp_path / f"{name}.pdf").read_bytes()

    total = tmp_path / "total.csv"
    cli(
        "report",
        "merge",
        str(tmp_path / "a.pdf"),
        str(tmp_path / "b.pdf"),
        "--password-file",
        str(password),
        "-o",
        str(total),
    )
    merged = rows_of(total.read_text())
    both = rows_of(
        cli(
            "--home", str(tmp_path / "both"), "report", "return", "--period", period, "--csv"
        ).stdout
    )
    assert merged == both
    by_key = {(f["measure"], f["breakdown"]): f for f in merged}
    assert by_key[("referrals_received", "probation / accepted")]["value"] == "7"
    assert by_key[("volunteers_recruited", "")]["suppressed"] == "small"  # 2 in all
    alone = rows_of(
        cli("--home", str(tmp_path / "a"), "report", "return", "--period", period, "--csv").stdout
    )
    alone_key = {(f["measure"], f["breakdown"]): f for f in alone}
    assert alone_key[("referrals_received", "probation / accepted")]["suppressed"] == "small"

    pdf = tmp_path / "total.pdf"
    cli(
        "report",
        "merge",
        str(tmp_path / "a.pdf"),
        str(tmp_path / "b.pdf"),
        "--password-file",
        str(password),
        "-o",
        str(pdf),
    )
    from .test_reports import text_of

    assert "Merged return" in text_of(pdf)

    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password\n")
    result = cli(
        "report", "merge", str(tmp_path / "a.pdf"), "--password-file", str(wrong), "-o",
        str(tmp_path / "x.csv"), code=1,
    )  # fmt: skip
    assert "wrong password" in result.stderr and not (tmp_path / "x.csv").exists()
    result = cli("report", "merge", str(tmp_path / "a.pdf"), "-o", str(total), code=1)
    assert "already exists" in result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--period", "2026-13"], "invalid --period '2026-13'"),
        (["--period", "Q5 2026"], "invalid --period"),
        (["--period", "2026-09-30..2026-04-01"], "ends before it starts"),
        (["--period", "2026", "--raw", "-o", "raw.pdf"], "--raw needs --recipient"),
        (["--period", "2026", "--raw", "--recipient", "x", "--csv"], "leave out --json"),
    ],
)
def test_bad_return_input_is_one_line_exit_1_and_nothing_written(
    cli: Cli, ws_home: Path, tmp_path: Path, args: list[str], says: str
) -> None:
    from .test_reports import audit_entries

    before = len(audit_entries(ws_home))
    result = cli("report", "return", *args, code=1)
    assert result.stderr.startswith("Error: ") and says in result.stderr.splitlines()[0]
    assert len(audit_entries(ws_home)) == before
    assert not list(tmp_path.glob("*.pdf"))


def test_the_csv_names_the_provider_from_its_setting(cli: Cli) -> None:
    cli("config", "set", "provider_name", "Circles South, Ltd")
    cli("referral", "add", "--received", "2026-02-03", "--source", "probation")
    text = cli("report", "return", "--period", "2026-Q1", "--csv").stdout
    assert text.splitlines()[0] == ",".join(returns.CSV_HEADER)
    rows = rows_of(text)
    assert rows and all(r["provider"] == "Circles South, Ltd" for r in rows)
    assert ("referrals_received", "probation / undecided", "small") in {
        (r["measure"], r["breakdown"], r["suppressed"]) for r in rows
    }
