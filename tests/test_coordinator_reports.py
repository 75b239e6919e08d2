"""`--coordinator NAME|me` on the reports that cover several circles: quarter, return,
concerns and volunteers. Whose a circle was comes from its dated coordinator history.

The world: the fictional provider of tests/reports_world.py, where Coordinator Øyvind ran
both circles, and Bea took circle 1 over on 1 August 2025 (in the middle of 2025-Q3).
Every figure is recomputed here from the records, with the rule written out in Python
(`whose`), and compared with the report's `--json`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cosa import vault
from cosa.domain import circles, expenses
from cosa.reports import returns
from cosa.reports.data import suppress
from cosa.store import Row, Store
from cosa.workspace import Options, Workspace

from . import reports_world
from .conftest import CHEAP_KDF, PASSPHRASE, Cli, all_workspace_bytes

OPERATOR = "Coordinator Øyvind"
BEA = "Bea"
BEA_PASSPHRASE = "bea's very own passphrase"
HANDOVER = "2025-08-01"
Q3 = ("2025-07-01", "2025-09-30")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("owners") / "ws"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vault, "DEFAULT_KDF", dict(CHEAP_KDF))
        ws = Workspace(home)
        store = ws.create(PASSPHRASE, vault.new_recovery_code(), OPERATOR)
        try:
            from cosa.domain import users

            users.add(ws, store, BEA, "coordinator", BEA_PASSPHRASE)
            built = reports_world.build(store)
            circles.assign(store, built.circle, BEA, on=HANDOVER, note="Øyvind moves on")
            expenses.add(store, "Ann Smith", on="2025-07-10", amount="12.40", circle="1")
            expenses.add(store, "Ann Smith", on="2025-08-10", amount="7.00", circle="1", miles=9)
            expenses.add(store, "Bob Jones", on="2025-08-11", amount="3.00")  # no circle
        finally:
            store.close()
    yield home


@pytest.fixture
def cli(template: Path, ws_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Cli:
    shutil.copytree(template, ws_home)
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    monkeypatch.chdir(tmp_path)
    return Cli()


@pytest.fixture
def store(cli: Cli, ws_home: Path) -> Iterator[Store]:
    opened = Workspace(ws_home).open(Options(), use_session=False)
    try:
        yield opened
    finally:
        opened.close()


def whose(store: Store, circle_id: int, day: str) -> str:
    """Who coordinated the circle on the day: the latest handover on or before it (the
    first one before any)."""
    rows = store.query(
        "SELECT coordinator, on_date FROM circle_coordinators WHERE circle_id = ?"
        " ORDER BY on_date, id",
        (circle_id,),
    )
    who = str(rows[0]["coordinator"])
    for r in rows:
        if r["on_date"] <= day[:10]:
            who = str(r["coordinator"])
    return who


def mine(
    store: Store, who: str, sql: str, day: str = "date", circle: str = "circle_id"
) -> list[Row]:
    """The rows of `sql` (selecting `day` and `circle`) that happened in `who`'s circles."""
    return [r for r in store.query(sql) if whose(store, int(r[circle]), str(r[day])) == who]


def test_the_world_has_two_coordinators_and_a_handover_inside_the_quarter(store: Store) -> None:
    assert whose(store, 1, "2025-07-31") == OPERATOR
    assert whose(store, 1, HANDOVER) == BEA
    assert whose(store, 2, "2025-08-20") == OPERATOR
    assert store.scalar("SELECT coordinator FROM circles WHERE id = 1") == BEA


# -- the quarter -----------------------------------------------------------------------------


def test_a_coordinators_quarter_counts_what_happened_in_their_circles_on_the_day(
    cli: Cli, store: Store
) -> None:
    whole = cli.json("report", "quarter", "2025-Q3")
    for who in (OPERATOR, BEA):
        data = cli.json("report", "quarter", "2025-Q3", "--coordinator", who)
        assert data["coordinator"] == who
        assert data["report"]["title"] == f"Quarterly return for {who}'s circles"
        in_q = f"BETWEEN '{Q3[0]}' AND '{Q3[1]}'"
        held = mine(store, who, f"SELECT * FROM meetings WHERE state = 'held' AND date {in_q}")
        cancelled = mine(
            store, who, f"SELECT * FROM meetings WHERE state = 'cancelled' AND date {in_q}"
        )
        raised = mine(
            store, who, f"SELECT * FROM concerns WHERE void_reason IS NULL AND date {in_q}"
        )
        assert data["meetings_held"] == suppress(len(held), 5)
        assert data["meetings_cancelled"] == suppress(len(cancelled), 5)
        assert data["concerns"]["total"] == suppress(len(raised), 5)
        for key in data["provider_wide"]:
            assert data[key] == whole[key], key
    assert whole["coordinator"] is None and whole["provider_wide"] == []


# -- the return ------------------------------------------------------------------------------


def recomputed_cells(store: Store, who: str) -> dict[tuple[str, str], float]:
    """The return's measures about circles for 2025-Q3, for `who`, from the records."""
    in_q = f"BETWEEN '{Q3[0]}' AND '{Q3[1]}'"
    cells: dict[tuple[str, str], float] = {}

    def add(measure: str, breakdown: str, value: float) -> None:
        cells[(measure, breakdown)] = cells.get((measure, breakdown), 0) + value

    for m in mine(store, who, f"SELECT * FROM meetings WHERE state != 'void' AND date {in_q}"):
        add("meetings_held" if m["state"] == "held" else "meetings_cancelled", m["type"], 1)
    for c in mine(store, who, f"SELECT * FROM contacts WHERE date {in_q}"):
        add("contacts", c["mode"], 1)
        add("contact_minutes", c["mode"], c["duration_minutes"] or 0)
    for c in mine(store, who, f"SELECT * FROM concerns WHERE void_reason IS NULL AND date {in_q}"):
        add("concerns", f"{c['category']} / {c['severity']}", 1)
    for e in mine(
        store,
        who,
        "SELECT e.at, c.circle_id, p.role FROM escalations e JOIN concerns c"
        " ON c.id = e.concern_id JOIN professionals p ON p.id = e.professional_id"
        f" WHERE substr(e.at, 1, 10) {in_q}",
        day="at",
    ):
        add("escalations", e["role"], 1)
    for c in store.query("SELECT * FROM circles WHERE start_date IS NOT NULL"):
        if Q3[0] <= c["start_date"] <= Q3[1] and whose(store, c["id"], c["start_date"]) == who:
            add("circles_started", c["type"], 1)
        ended = c["ended_on"]
        if c["start_date"] <= Q3[1] and (ended is None or ended >= Q3[0]):
            last_day = min(ended or Q3[1], Q3[1])
            if whose(store, c["id"], last_day) == who:
                add("circles_active", c["type"], 1)
        if ended and Q3[0] <= ended <= Q3[1] and whose(store, c["id"], ended) == who:
            add("circles_ended", c["type"], 1)
            add("circles_ended_by_reason", c["ending_reason"], 1)
    return {k: v for k, v in cells.items() if v}


CHECKED = (
    "meetings_held",
    "meetings_cancelled",
    "contacts",
    "contact_minutes",
    "concerns",
    "escalations",
    "circles_started",
    "circles_active",
    "circles_ended",
    "circles_ended_by_reason",
)


def test_a_coordinators_return_recomputes_from_the_records_and_adds_up_to_the_whole(
    store: Store,
) -> None:
    whole = returns.data(store, "2025-Q3")
    parts: list[returns.Cell] = []
    for who in (OPERATOR, BEA):
        data = returns.data(store, "2025-Q3", coordinator=who)
        raw = {(m, b): v for m, b, v in data["_raw"]}
        got = {k: v for k, v in raw.items() if k[0] in CHECKED}
        assert got == recomputed_cells(store, who), who
        assert got, "the coordinator has nothing to count"
        for m, b, v in whole["_raw"]:
            if m in returns.PROVIDER_WIDE_MEASURES:
                assert raw[(m, b)] == v, (m, b)
        parts += [c for c in data["_raw"] if c[0] not in returns.PROVIDER_WIDE_MEASURES]
    # every record about a circle counts for exactly one coordinator
    circle_cells = [c for c in whole["_raw"] if c[0] not in returns.PROVIDER_WIDE_MEASURES]
    assert returns.merge(parts) == returns.merge(circle_cells)


def test_a_coordinators_return_json_is_suppressed_and_says_whose_it_is(
    cli: Cli, store: Store
) -> None:
    data = cli.json("report", "return", "--period", "2025-Q3", "--coordinator", BEA)
    assert data["coordinator"] == BEA
    assert data["report"]["title"] == f"Return for {BEA}'s circles"
    assert data["provider_wide_measures"] == [
        m for m in returns.MEASURES if m in returns.PROVIDER_WIDE_MEASURES
    ]
    assert "volunteer_hours" in data["provider_wide_measures"]
    cells = [(m, b, v) for (m, b), v in recomputed_cells(store, BEA).items()]
    expected = {
        (f.measure, f.breakdown): (f.value, f.suppressed)
        for f in returns.suppress(cells, 5)
        if f.measure in CHECKED
    }
    got = {
        (m["measure"], m["breakdown"]): (m["value"], m["suppressed"])
        for m in data["measures"]
        if m["measure"] in CHECKED
    }
    assert got == expected
    # small counts are withheld: Bea's 3 held meetings show as "<5", never as 3
    assert data["meetings_held"] == "<5"
    assert ("meetings_held", "total") in got and got[("meetings_held", "total")] == (None, "small")
    assert all(
        m["value"] is None or not 0 < m["value"] < 5
        for m in data["measures"]
        if returns.MEASURES[m["measure"]].per is None
    )
    csv = cli("report", "return", "--period", "2025-Q3", "--coordinator", BEA, "--csv").stdout
    assert f"({BEA}'s circles),2025-Q3,meetings_held,total,,small" in csv


def test_a_raw_return_is_the_whole_providers(cli: Cli, ws_home: Path) -> None:
    before = all_workspace_bytes(ws_home)
    out = cli("report", "return", "--period", "2025-Q3", "--raw", "--recipient", "Circles UK",
              "--coordinator", BEA, code=1).output  # fmt: skip
    assert "leave out --coordinator" in out
    assert all_workspace_bytes(ws_home) == before


# -- the escalation log ------------------------------------------------------------------------


def test_a_coordinators_escalation_log_holds_the_concerns_raised_in_their_circles(
    cli: Cli, store: Store
) -> None:
    span = ("--from", "2025-01-01", "--to", "2025-12-31")
    whole = cli.json("report", "concerns", *span)
    seen: list[int] = []
    for who in (OPERATOR, BEA):
        data = cli.json("report", "concerns", *span, "--coordinator", who)
        assert data["coordinator"] == who
        assert data["report"]["title"] == f"Escalation log for {who}'s circles"
        raised = mine(
            store,
            who,
            "SELECT * FROM concerns WHERE void_reason IS NULL"
            " AND date BETWEEN '2025-01-01' AND '2025-12-31'",
        )
        assert [c["id"] for c in data["concerns"]] == [c["id"] for c in raised]
        escalations = store.query(
            "SELECT id FROM escalations WHERE concern_id IN"
            f" ({','.join(str(c['id']) for c in raised) or 'NULL'}) ORDER BY at, id"
        )
        assert [e["id"] for e in data["escalations"]] == [e["id"] for e in escalations]
        s = data["summary"]
        assert s["concerns"] == len(raised)
        assert s["by_severity"] == {
            rag: sum(c["severity"] == rag for c in raised) for rag in ("red", "amber", "green")
        }
        assert s["open"] == sum(c["closed_on"] is None for c in raised)
        assert s["escalations"] == len(escalations)
        seen += [c["id"] for c in data["concerns"]]
    assert sorted(seen) == sorted(c["id"] for c in whole["concerns"])
    assert whole["coordinator"] is None
    assert seen and all(seen)


# -- the volunteers report ---------------------------------------------------------------------


def days(first: str, last: str) -> Iterator[str]:
    from datetime import date, timedelta

    day = date.fromisoformat(first)
    while day.isoformat() <= last:
        yield day.isoformat()
        day += timedelta(days=1)


def test_a_coordinators_volunteers_report_counts_their_volunteers_hours_and_expenses(
    cli: Cli, store: Store
) -> None:
    first, last = "2025-01-01", "2025-12-31"
    span = ("--from", first, "--to", last, "--all")
    for who in (OPERATOR, BEA):
        data = cli.json("report", "volunteers", *span, "--coordinator", who)
        assert data["coordinator"] == who and data["provider_wide"] == ["pipeline"]
        # volunteers: members of one of their circles on a day they coordinated it
        members = store.query("SELECT * FROM circle_members")
        theirs = {
            m["volunteer_id"]
            for m in members
            if any(
                whose(store, m["circle_id"], day) == who
                for day in days(max(m["joined_on"], first), min(m["left_on"] or last, last))
            )
        }
        assert {v["id"] for v in data["volunteers"]} == theirs
        # hours: held meetings' length for each volunteer present, and hours logged for
        # one of their circles, on a day they coordinated it
        hours: dict[int, float] = {}
        for m in mine(
            store,
            who,
            "SELECT m.date, m.circle_id, m.duration_minutes, a.volunteer_id FROM meetings m"
            " JOIN meeting_attendance a ON a.meeting_id = m.id"
            " AND a.status IN ('present', 'late') WHERE m.state = 'held'"
            f" AND m.date BETWEEN '{first}' AND '{last}'",
        ):
            v = m["volunteer_id"]
            hours[v] = hours.get(v, 0) + (m["duration_minutes"] or 0) / 60
        for h in mine(
            store,
            who,
            "SELECT * FROM volunteer_hours WHERE circle_id IS NOT NULL"
            f" AND date BETWEEN '{first}' AND '{last}'",
        ):
            hours[h["volunteer_id"]] = hours.get(h["volunteer_id"], 0) + h["hours"]
        for v in data["volunteers"]:
            assert v["hours"] == round(hours.get(v["id"], 0), 1), v["name"]
        assert data["hours_total"]["hours"] == round(sum(hours.values()), 1)
        # expenses: claims for one of their circles (a claim for no circle is no one's)
        claims = mine(
            store,
            who,
            "SELECT * FROM volunteer_expenses WHERE circle_id IS NOT NULL"
            f" AND date BETWEEN '{first}' AND '{last}'",
        )
        assert data["expenses"]["claims"] == len(claims) == 1
        assert data["expenses"]["claimed_pence"] == sum(c["amount_pence"] for c in claims)
        # vetting: each volunteer's latest check, theirs whole
        for v in data["volunteers"]:
            latest = store.one(
                "SELECT decision FROM volunteer_vetting WHERE volunteer_id = ?"
                " ORDER BY coalesce(checked_on, issued_on) DESC, id DESC LIMIT 1",
                (v["id"],),
            )
            assert v["dbs_decision"] == (latest["decision"] if latest else None)
    whole = cli.json("report", "volunteers", *span)
    assert whole["coordinator"] is None and whole["expenses"]["claims"] == 3


# -- who is asked for ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "report",
    [
        ("quarter", "2025-Q3"),
        ("return", "--period", "2025-Q3"),
        ("concerns",),
        ("volunteers",),
    ],
)
def test_an_unknown_coordinator_is_one_line_and_writes_nothing(
    cli: Cli, ws_home: Path, report: tuple[str, ...]
) -> None:
    before = all_workspace_bytes(ws_home)
    result = cli("report", *report, "--coordinator", "Zed", "--json", code=1)
    assert result.output.strip().splitlines()[0] == (
        "Error: --coordinator 'Zed' is not a user of this workspace and has coordinated no"
        " circle here"
    )
    assert "Traceback" not in result.output
    assert all_workspace_bytes(ws_home) == before


@pytest.mark.parametrize(
    "report",
    [
        ("quarter", "2025-Q3"),
        ("return", "--period", "2025-Q3"),
        ("concerns", "--from", "2025-01-01"),
        ("volunteers", "--from", "2025-01-01"),
    ],
)
def test_me_is_whoever_unlocked(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, report: tuple[str, ...]
) -> None:
    assert cli.json("report", *report, "--coordinator", "me")["coordinator"] == OPERATOR
    monkeypatch.setenv("COSA_PASSPHRASE", BEA_PASSPHRASE)
    mine_ = cli.json("report", *report, "--coordinator", "me")
    assert mine_["coordinator"] == BEA
    assert mine_ == {
        **cli.json("report", *report, "--coordinator", "bea"),
        "report": mine_["report"],
    }


def test_a_filtered_pdf_says_whose_circles_it_counts(
    cli: Cli, tmp_path: Path, ws_home: Path
) -> None:
    from pypdf import PdfReader

    for report, words in (
        (("return", "--period", "2025-Q3"), f"Return for {BEA}'s circles"),
        (("concerns", "--from", "2025-01-01"), f"Escalation log for {BEA}'s circles"),
        (("volunteers", "--from", "2025-01-01"), f"Volunteers in {BEA}'s circles"),
    ):
        out = tmp_path / f"{report[0]}.pdf"
        cli("report", *report, "--coordinator", BEA, "-o", str(out))
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(out).pages).split())
        assert words in text, report[0]
    store = Workspace(ws_home).open(Options(), use_session=False)
    try:
        details = [
            json.loads(r["detail"])
            for r in store.query(
                "SELECT detail FROM audit WHERE action IN"
                " ('report.return', 'report.concerns', 'report.volunteers')"
            )
        ]
    finally:
        store.close()
    assert [d.get("coordinator") for d in details] == [BEA, BEA, BEA]


def test_a_coordinators_csv_labels_the_provider_wide_rows_as_the_whole_providers(
    cli: Cli,
) -> None:
    """Review: every row of a filtered CSV said "(Bea's circles)", referrals and volunteers
    too, though those are the whole provider's (the JSON lists them, the CSV did not)."""
    import csv
    import io

    text = cli("report", "return", "--period", "2025-Q3", "--coordinator", BEA, "--csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    whole = {r["provider"] for r in rows if r["measure"] in returns.PROVIDER_WIDE_MEASURES}
    mine_ = {r["provider"] for r in rows if r["measure"] not in returns.PROVIDER_WIDE_MEASURES}
    assert {r["measure"] for r in rows} & returns.PROVIDER_WIDE_MEASURES
    assert whole == {"provider"}
    assert mine_ == {f"provider ({BEA}'s circles)"}


def test_a_removed_coordinator_is_found_in_any_case_as_a_user_is(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review: a former coordinator's name was matched by SQLite's NOCASE, which folds ASCII
    only: `coordinator øyvind` was refused once Øyvind was no longer a user."""
    monkeypatch.setenv("COSA_PASSPHRASE", BEA_PASSPHRASE)
    cli("user", "remove", OPERATOR)
    for spelt in (OPERATOR, OPERATOR.lower(), OPERATOR.upper()):
        data = cli.json("report", "quarter", "2025-Q3", "--coordinator", spelt)
        assert data["coordinator"] == OPERATOR, spelt


def test_me_under_an_unlock_session_is_whoever_unlocked(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from .session_backend import install

    install(tmp_path / "credentials.json", monkeypatch.setattr)
    monkeypatch.setenv("COSA_PASSPHRASE", BEA_PASSPHRASE)
    cli("unlock")
    monkeypatch.delenv("COSA_PASSPHRASE")
    data = cli.json("report", "return", "--period", "2025-Q3", "--coordinator", "me")
    assert data["coordinator"] == BEA
    assert data["report"]["operator"] == BEA
    cli("lock")
