"""`cosa demo`: a fictional workspace, built end to end, that other commands can use."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from cosa.commands.demo import demo_home
from cosa.demo import DEMO_PASSPHRASE
from cosa.workspace import default_home

from .conftest import Cli
from .demo_world import build_demo


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """One small demo for the module (building it is the slow part)."""
    home, output = build_demo(tmp_path_factory, reports=True)
    return home, home.parent, output


def test_the_demo_says_what_it_built_and_how_to_use_it(built: tuple[Path, Path, str]) -> None:
    home, _, output = built
    assert f"Built a fictional workspace at {home}" in output
    assert DEMO_PASSPHRASE in output
    assert f"COSA_HOME={home}" in output


def test_the_demo_workspace_is_complete_and_verifies(built: tuple[Path, Path, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    home, _, _ = built
    monkeypatch.setenv("COSA_HOME", str(home))
    monkeypatch.setenv("COSA_PASSPHRASE", DEMO_PASSPHRASE)
    cli = Cli()
    assert len(cli.json("circle", "list")) == 5
    assert len(cli.json("volunteer", "list")) == 34  # 30 recruited, 4 still in the pipeline
    assert len(cli.json("meeting", "list", "--limit", "1000")) >= 150
    assert cli.json("concern", "list")
    names = " ".join(v["name"] for v in cli.json("volunteer", "list"))
    assert any(ch in names for ch in "ëŁłáéøö"), "volunteers have varied Unicode names"
    status = cli.json("status")
    assert status["counts"], status
    assert cli.json("search", "housing")
    cli("audit", "verify")
    cli("doctor")


def test_the_demo_writes_a_circle_report_and_a_quarterly_return(
    built: tuple[Path, Path, str],
) -> None:
    _, out, _ = built
    circle = out / "cosa-demo-circle-report.pdf"
    quarter = next(out.glob("cosa-demo-quarterly-return-*.pdf"))
    text = "".join(p.extract_text() for p in PdfReader(circle).pages)
    assert "Circle report" in text and "OFFICIAL-SENSITIVE" in text
    qtext = "".join(p.extract_text() for p in PdfReader(quarter).pages)
    assert "Quarterly return" in qtext and "CM-0" not in qtext


def test_the_demo_refuses_an_existing_workspace_without_force(cli: Cli, initialised: Path) -> None:
    result = cli("demo", "--home", str(initialised), "--no-reports", code=1)
    assert "already exists" in result.output


def test_the_default_demo_home_is_beside_never_the_real_workspace() -> None:
    assert demo_home(None) == default_home().parent / "cosa-demo"
    assert demo_home(None) != default_home()


def test_an_unknown_scale_is_a_one_line_error(raw_cli: Cli, tmp_path: Path) -> None:
    result = raw_cli("demo", "--home", str(tmp_path / "d"), "--scale", "huge", code=1)
    assert "invalid --scale 'huge'" in result.output
    assert not (tmp_path / "d").exists()


def test_a_ten_year_demo_in_miniature_builds_and_verifies(tmp_path: Path) -> None:
    """The shape of the medium and large demos (circles started up to ten years ago, their
    volunteers' DBS checks renewed, the gate passing on the joining day and today), small."""
    from cosa import audit, vault
    from cosa.demo import Scale, build
    from cosa.workspace import Workspace

    plan = Scale(years=10, circles=6, volunteers=24, meetings_per_circle=12,
                 contacts_per_meeting=1.0, concerns=6, active_circles=3)  # fmt: skip
    store = Workspace(tmp_path / "ws").create(DEMO_PASSPHRASE, vault.new_recovery_code(), "demo")
    try:
        counts = build(store, plan)
        assert counts["circle"] == 6 and counts["meeting"] > 0
        first = store.scalar("SELECT min(start_date) FROM circles")
        assert first < f"{date.today().year - 5}"  # circles from long ago: the hard case
        assert audit.verify(store).ok
    finally:
        store.close()


def test_doctor_finds_a_lost_search_term_index_that_fts5s_own_check_passes(
    built: tuple[Path, Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FTS5 finds a word through its term index (%_idx); emptied, every search past the
    first page of each segment comes back empty, and FTS5's own check still passes. Doctor
    searches for words the index lists (a workspace the size of the demo is needed: a tiny
    index fits in one page, found without the term index)."""
    import json
    import shutil

    from typer.testing import CliRunner

    from cosa.cli import app
    from cosa.workspace import Options, Workspace

    home = tmp_path / "ws"
    shutil.copytree(built[0], home)
    monkeypatch.setenv("COSA_PASSPHRASE", DEMO_PASSPHRASE)

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(app, ["--home", str(home), *args])
        assert result.exit_code == code, result.output
        return result.output

    assert json.loads(run("search", "bank", "--json"))
    run("doctor")
    store = Workspace(home).open(Options(home=home))
    try:
        store.conn.execute("DELETE FROM search_index_idx")
        store.conn.execute("INSERT INTO search_index(search_index) VALUES ('integrity-check')")
    finally:
        store.close()
    assert json.loads(run("search", "bank", "--json")) == []
    said = run("doctor", code=4)
    assert "FAIL  search index search_index: words in the index that no search finds" in said


def _unfold(text: str) -> list[str]:
    """RFC 5545 content lines, unfolded by hand (not with the library that wrote them)."""
    import re

    return re.sub(r"\r\n[ \t]", "", text).split("\r\n")


def _vevents(lines: list[str]) -> list[dict[str, str]]:
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None and ":" in line:
            name, value = line.split(":", 1)
            current[name.split(";", 1)[0]] = value
    return events


def test_the_demo_calendar_matches_the_planned_meetings_and_names_no_one(
    built: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from datetime import date, timedelta

    from cosa.demo import LAST

    home, _, _ = built
    monkeypatch.setenv("COSA_HOME", str(home))
    monkeypatch.setenv("COSA_PASSPHRASE", DEMO_PASSPHRASE)
    cli = Cli()
    out = tmp_path / "demo.ics"
    cli("calendar", "-o", str(out), "--to", "+8w")
    raw = out.read_bytes().decode("utf-8")
    lines = _unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    events = _vevents(lines)
    assert all({"UID", "DTSTAMP", "DTSTART", "SUMMARY"} <= e.keys() for e in events)
    circles = cli.json("circle", "list")
    for surname in LAST:
        assert surname not in raw
    for c in circles:
        if c["venue"]:
            assert c["venue"] not in raw
    for v in cli.json("volunteer", "list"):
        assert v["name"] not in raw
    today, end = date.today(), date.today() + timedelta(weeks=8)
    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    for c in circles:
        got = sorted(
            e["DTSTART"]
            for e in events
            if e["SUMMARY"] == f"Meeting: circle {c['id']} ({c['member_code']})"
        )
        expected = []
        if c["status"] == "active":
            start = date.fromisoformat(c["start_date"])
            first = start
            while first.weekday() != weekdays.index(c["meeting_day"]):
                first += timedelta(days=1)
            day = today
            while day <= end:
                if day >= first and (day - first).days % c["cadence_days"] == 0:
                    expected.append(
                        day.strftime("%Y%m%d") + "T" + c["meeting_time"].replace(":", "") + "00"
                    )
                day += timedelta(days=1)
        assert got == expected, c["id"]


def test_the_demo_has_a_whole_circle_life(
    built: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, _, _ = built
    monkeypatch.setenv("COSA_HOME", str(home))
    monkeypatch.setenv("COSA_PASSPHRASE", DEMO_PASSPHRASE)
    cli = Cli()
    status = cli.json("status")
    assert len(status["agreements_to_sign"]) == 1
    assert len(cli.json("document", "list")) >= 1
    ended = [c for c in cli.json("circle", "list") if c["status"] == "ended"]
    assert len(ended) == 2
    for c in ended:
        report = cli.json("report", "circle", str(c["id"]))
        assert report["summary"]["outcomes"] == len(cli.json("outcome", "list", str(c["id"])))
        assert [f["months"] for f in report["followup_checks"]] == [3, 6, 12]
    assert cli.json("followup", "list")
    waited = [r for r in cli.json("referral", "list") if r["decision"] == "waiting"]
    assert waited and [e["value"] for e in cli.json("referral", "show", str(waited[0]["id"]))[
        "events"]] == ["received", "assessed", "waiting"]  # fmt: skip
    moved = [m for m in cli.json("member", "list")
             if cli.json("member", "show", m["code"])["area"]]  # fmt: skip
    assert len(moved) == 1
