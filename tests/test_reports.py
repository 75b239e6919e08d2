"""Reports, read back from the PDFs with pypdf: counts, names, suppression, furniture, audit."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PasswordType, PdfReader

from cosa import vault
from cosa.reports.data import SECONDARY, ThirdParties, VolunteerNames, suppress_lines
from cosa.workspace import Options, Workspace

from . import reports_world
from .conftest import CHEAP_KDF, PASSPHRASE, Cli

OPERATOR = "Coordinator Øyvind"
ALL_NAMES = [*reports_world.VOLUNTEERS, "Eve Adams", "Pat Probation", "Olly Officer"]
SURNAMES = ["Łukasiewicz", "Smith", "Jones", "Mendes", "Patel", "Adams", "Probation", "Officer"]


# -- the fictional provider, built once and copied for each test ------------------------------


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Any]]:
    home = tmp_path_factory.mktemp("world") / "ws"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vault, "DEFAULT_KDF", dict(CHEAP_KDF))
        store = Workspace(home).create(PASSPHRASE, vault.new_recovery_code(), OPERATOR)
        try:
            built = reports_world.build(store)
        finally:
            store.close()
    yield home, built


@pytest.fixture
def world(
    template: tuple[Path, Any], ws_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Any:
    """A copy of the fictional provider in this test's workspace; the CLI can open it."""
    source, built = template
    shutil.copytree(source, ws_home)
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("COSA_OPERATOR", OPERATOR)
    monkeypatch.chdir(tmp_path)
    return built


@pytest.fixture
def cli(world: Any) -> Cli:
    return Cli()


def pages(path: Path, password: str | None = None) -> list[str]:
    reader = PdfReader(path)
    if password is not None:
        assert reader.decrypt(password) != PasswordType.NOT_DECRYPTED
    return [page.extract_text() for page in reader.pages]


def text_of(path: Path) -> str:
    return "\n".join(pages(path))


def audit_entries(home: Path, action: str | None = None) -> list[dict[str, Any]]:
    """Audit entries read straight from the store (quicker than `cosa audit --json`)."""
    store = Workspace(home).open(Options())
    try:
        rows = store.query("SELECT * FROM audit ORDER BY seq")
    finally:
        store.close()
    for row in rows:
        row["detail"] = json.loads(row["detail"]) if row["detail"] else None
    return [r for r in rows if action is None or r["action"] == action]


REPORTS = {
    "minutes": ["minutes", "2"],
    "circle": ["circle", "CM-0001"],
    "quarter": ["quarter", "2025-Q3"],
    "volunteers": ["volunteers"],
    "member": ["member", "CM-0001"],
    "concerns": ["concerns"],
}


# -- every report ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(REPORTS))
def test_every_report_is_a_private_pdf_with_classification_pages_and_audit_head(
    cli: Cli, tmp_path: Path, ws_home: Path, kind: str
) -> None:
    out = tmp_path / f"{kind}.pdf"
    result = cli("report", *REPORTS[kind], "-o", str(out))
    assert f"Wrote {out}" in result.stderr
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    reader = PdfReader(out)
    texts = [page.extract_text() for page in reader.pages]
    total = len(texts)
    for number, (page, text) in enumerate(zip(reader.pages, texts, strict=True), start=1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, f"{kind} page {number}"
        assert f"Page {number} of {total}" in text
        assert f"by {OPERATOR}" in text
        contents = page.get_contents()
        assert contents is not None and contents.get_data().strip()
    assert "Audit head: seq " in texts[-1]
    assert all("Audit head" not in t for t in texts[:-1])
    # the audit entry names the file and its digest, and the head printed is the one before it
    entry = audit_entries(ws_home, f"report.{kind}")[-1]
    assert entry["detail"]["file"] == out.name
    assert entry["detail"]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"Audit head: seq {entry['seq'] - 1} " in texts[-1]
    cli("audit", "verify")


def test_without_output_a_report_gets_a_descriptive_name_in_the_current_directory(
    cli: Cli, tmp_path: Path
) -> None:
    cli("report", "quarter", "2025-q3")
    cli("report", "circle", "1", "--to", "2025-09-30")
    cli("report", "minutes", "2")
    names = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert names == [
        "circle-CM-0001-2025-09-30.pdf",
        "minutes-CM-0001-2025-07-01-meeting-2.pdf",
        "quarter-2025-Q3.pdf",
    ]


def test_json_is_the_data_of_the_pdf_and_is_audited_too(
    cli: Cli, tmp_path: Path, ws_home: Path
) -> None:
    data = cli.json("report", "circle", "CM-0001")
    assert data["report"]["kind"] == "circle"
    assert data["report"]["classification"] == "OFFICIAL-SENSITIVE"
    assert data["report"]["operator"] == OPERATOR
    assert "_file" not in data
    assert not list(tmp_path.glob("*.pdf"))
    entry = audit_entries(ws_home, "report.circle")[-1]
    assert entry["detail"]["format"] == "json"
    assert entry["record_type"] == "circle" and entry["record_id"] == 1


def test_the_classification_comes_from_the_option_or_the_setting(
    cli: Cli, tmp_path: Path, ws_home: Path
) -> None:
    out = tmp_path / "a.pdf"
    cli("report", "volunteers", "-o", str(out), "--classification", "OFFICIAL")
    text = text_of(out)
    assert text.count("OFFICIAL\n") + text.count("OFFICIAL ") >= 2
    assert "OFFICIAL-SENSITIVE" not in text
    set_setting(ws_home, "report_classification", "SECRET — PROVIDER USE")
    cli("report", "volunteers", "-o", str(out), "--force")
    assert "SECRET — PROVIDER USE" in pages(out)[0]


def set_setting(home: Path, key: str, value: str) -> None:
    store = Workspace(home).open(Options())
    try:
        with store.atomic():
            store.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value)
            )
    finally:
        store.close()


def test_a_report_that_cannot_be_written_changes_nothing(
    cli: Cli, tmp_path: Path, ws_home: Path
) -> None:
    before = len(audit_entries(ws_home))
    result = cli("report", "quarter", "2025-Q3", "-o", str(tmp_path / "no" / "q.pdf"), code=1)
    assert "does not exist" in result.stderr
    cli("report", "quarter", "2025-Q5", code=1)
    cli("report", "minutes", "999", code=1)
    cli("report", "circle", "CM-0001", "--from", "2025-09-01", "--to", "2025-08-01", code=1)
    assert len(audit_entries(ws_home)) == before


# -- encryption ------------------------------------------------------------------------------


def test_an_encrypted_report_is_aes_256_r6_with_a_generated_password_shown_once(
    cli: Cli, tmp_path: Path, ws_home: Path
) -> None:
    out = tmp_path / "q.pdf"
    result = cli("report", "quarter", "2025-Q3", "-o", str(out), "--encrypt")
    line = next(x for x in result.stderr.splitlines() if x.startswith("Password"))
    password = line.rsplit(": ", 1)[1]
    assert password not in result.stdout
    reader = PdfReader(out)
    assert reader.is_encrypted
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert encrypt["/R"] == 6 and encrypt["/V"] == 5
    assert reader.decrypt(password + "x") == PasswordType.NOT_DECRYPTED
    assert "Quarterly return" in pages(out, password)[0]
    assert b"Quarterly return" not in out.read_bytes()
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert audit_entries(ws_home, "report.quarter")[-1]["detail"]["encrypted"] is True


def test_a_password_file_sets_the_password_and_implies_encryption(cli: Cli, tmp_path: Path) -> None:
    secret = tmp_path / "pw.txt"
    secret.write_text("tangerine-kite-42\n")
    out = tmp_path / "m.pdf"
    result = cli("report", "member", "CM-0001", "-o", str(out), "--password-file", str(secret))
    assert "Password" not in result.stderr
    reader = PdfReader(out)
    assert reader.decrypt("tangerine-kite-42") != PasswordType.NOT_DECRYPTED
    assert reader.trailer["/Encrypt"].get_object()["/R"] == 6
    assert "tangerine-kite-42-" not in result.stderr
    secret.write_text("short\n")
    result = cli(
        "report",
        "member",
        "CM-0001",
        "-o",
        str(tmp_path / "x.pdf"),
        "--password-file",
        str(secret),
        code=1,
    )
    assert "at least 12 characters" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


# -- minutes ---------------------------------------------------------------------------------


def test_minutes_show_attendance_minutes_concerns_and_actions(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "m.pdf"
    cli("report", "minutes", "5", "-o", str(out))
    text = text_of(out)
    assert "Meeting minutes" in text and "DRAFT" not in text
    for name in reports_world.VOLUNTEERS:
        assert name in text
    assert "apologies" in text and "primary" in text
    assert "Ann Smith drove CM-0001 to the housing office" in text
    assert "talked about the week & <plans>." in text  # printed literally
    assert "access to children" in text and "Ann Smith saw CM-0001 near a school" in text
    assert "no — unwell" in text and "RED" in text
    out2 = tmp_path / "a.pdf"
    cli("report", "minutes", "2", "-o", str(out2))
    assert "Ann Smith to call the housing office" in text_of(out2)


def test_unapproved_minutes_are_marked_draft_on_every_page(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "d.pdf"
    cli("report", "minutes", "8", "-o", str(out))
    for text in pages(out):
        assert "DRAFT" in text
    assert cli.json("report", "minutes", "8")["meeting"]["approved"] is False


def test_minutes_can_name_volunteers_by_first_name_or_code(cli: Cli) -> None:
    first = json.dumps(
        cli.json("report", "minutes", "5", "--volunteer-names", "first"), ensure_ascii=False
    )
    assert "Ann" in first and "Zoë" in first
    for surname in SURNAMES[:5]:
        assert surname not in first
    coded = json.dumps(
        cli.json("report", "minutes", "5", "--volunteer-names", "code"), ensure_ascii=False
    )
    assert "Volunteer 2" in coded
    assert "Ann" not in coded and "Zoë" not in coded
    cli("report", "minutes", "5", "--volunteer-names", "nick", code=1)


# -- circle ----------------------------------------------------------------------------------


def test_the_circle_report_counts_the_circles_life(cli: Cli, tmp_path: Path) -> None:
    data = cli.json("report", "circle", "CM-0001", "--to", "2025-09-30")
    s = data["summary"]
    assert data["report"]["period"] == "2 Jun 2025 – 30 Sep 2025"
    assert s["meetings_held"] == 8
    assert (s["cm_attended"], s["cm_recorded"], s["cm_attendance_rate"]) == (7, 8, 87.5)
    assert (s["contacts"], s["contact_hours"]) == (3, 2.2)
    assert s["concerns"] == {"red": 1, "amber": 1, "green": 0}
    assert s["escalations"] == 1 and s["median_response_hours"] == 5.0
    assert (s["goals"], s["goals_achieved"]) == (2, 1)
    # 29 volunteers present at 90-minute meetings, and 25 h logged for the circle
    assert (s["meeting_hours"], s["logged_hours"], s["travel_hours"]) == (43.5, 25.0, 2.5)
    assert s["volunteer_hours"] == 68.5
    formal = next(r for r in data["meetings_by_type"] if r["type"] == "formal")
    assert (formal["held"], formal["cm_attended"], formal["cm_late"], formal["cm_absent"]) == (
        6,
        5,
        1,
        1,
    )
    trend = {t["item"]: t for t in data["risk_trend"]}
    assert trend["risk: hostility"]["change"] == -1
    assert trend["risk: hostility"]["improved"] is True
    assert trend["protective: stable accommodation"]["change"] == 2
    assert [m["hours"] for m in data["volunteer_hours_by_month"]] == [1.5, 34, 27, 6]

    out = tmp_path / "c.pdf"
    cli("report", "circle", "CM-0001", "--to", "2025-09-30", "-o", str(out))
    text = text_of(out)
    for label in (
        "Circle report",
        "RAG rating by meeting",
        "Meetings and core member attendance by month",
        "Volunteer hours by month",
        "Dynamic risk review",
        "88% (7 of 8 meetings with attendance recorded)",
        "red 1 · amber 1 · green 0 · 1 escalation",
        "Move to own flat",
        "police (Thames Valley Police)",
        "68.5 h (43.5 h at meetings, 25 h logged) + 2.5 h travel",
    ):
        assert label in text, label


def test_the_circle_report_names_volunteers_by_first_name_unless_asked(
    cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "c.pdf"
    cli("report", "circle", "1", "-o", str(out))
    text = text_of(out)
    assert "Zoë" in text and "Ann" in text
    for surname in SURNAMES[:5]:
        assert surname not in text
    full = json.dumps(
        cli.json("report", "circle", "1", "--volunteer-names", "full"), ensure_ascii=False
    )
    assert "Zoë Łukasiewicz" in full


def test_a_period_limits_the_circle_report(cli: Cli) -> None:
    data = cli.json("report", "circle", "CM-0001", "--from", "2025-08-01", "--to", "2025-08-31")
    assert data["summary"]["meetings_held"] == 2
    assert data["summary"]["contacts"] == 1
    assert data["summary"]["concerns"] == {"red": 0, "amber": 1, "green": 0}
    assert [m["month"] for m in data["attendance_by_month"]] == ["2025-08"]


# -- quarter ---------------------------------------------------------------------------------


def small_numbers(value: Any, limit: int = 5) -> list[Any]:
    """Every integer from 1 to limit - 1 anywhere in `value`."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value] if 0 < value < limit else []
    if isinstance(value, dict):
        return [x for v in value.values() for x in small_numbers(v, limit)]
    if isinstance(value, list):
        return [x for v in value for x in small_numbers(v, limit)]
    return []


def test_the_quarterly_return_suppresses_small_counts_in_the_json(cli: Cli) -> None:
    data = cli.json("report", "quarter", "2025-Q3")
    body = {k: v for k, v in data.items() if k not in ("report", "suppression")}
    assert small_numbers(body) == []
    ref = data["referrals"]
    probation = next(r for r in ref["rows"] if r["label"] == "probation")
    police = next(r for r in ref["rows"] if r["label"] == "police")
    assert probation["values"] == ["<5", "<5", "<5", 0, "<5"]
    assert police["total"] == "<5"
    assert ref["total"] == 6
    assert probation["total"] == SECONDARY  # else 6 - 5 would give the police's 1 away
    assert data["meetings"]["totals"] == [8]
    assert data["cm_attendance"] == {"meetings_with_attendance": 8, "rate": 88}
    assert data["minutes_on_time"]["rows"][0]["total"] == 8
    assert data["volunteer_hours"]["hours"] == 67.0  # 7 meetings × 4 present × 1.5 h + 25 h
    meeting_row = data["volunteer_hours"]["rows"][0]
    assert (meeting_row["activity"], meeting_row["volunteers"]) == ("meeting", "<5")
    assert data["volunteers"]["active"] == 6 and data["volunteers"]["trained"] == 6
    assert data["volunteers"]["left"] == "<5"
    assert data["escalations"]["median_response_hours"] == SECONDARY  # one response only


def test_the_quarterly_return_names_nobody_and_generalises_dates(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "q.pdf"
    cli("report", "quarter", "2025-Q3", "-o", str(out))
    text = text_of(out)
    assert "Quarterly return" in text and "2025-Q3" in text
    assert "<5" in text and "small number cannot be worked out" in text
    assert "CM-0" not in text
    for name in [*ALL_NAMES, *SURNAMES, "Zoë", "Secretname", "Secret Hall", "NPS", "Thames"]:
        assert name not in text, name
    for day in ("22 Jul", "2025-07", "5 Aug", "Aug 2025", "Sep 2025 "):
        assert day not in text, day
    raw = json.dumps(cli.json("report", "quarter", "2025-Q3"), ensure_ascii=False)
    for name in [*ALL_NAMES, "CM-0001", "Secret Hall"]:
        assert name not in raw


def test_the_suppression_threshold_is_a_setting(cli: Cli, ws_home: Path) -> None:
    set_setting(ws_home, "small_count_threshold", "3")
    data = cli.json("report", "quarter", "2025-Q3")
    assert data["suppression"]["threshold"] == 3
    assert data["referrals"]["totals"][0] == 3  # accepted: 3 is no longer small
    assert small_numbers({k: v for k, v in data.items() if k != "report"}, 3) == []
    set_setting(ws_home, "small_count_threshold", "none")
    cli("report", "quarter", "2025-Q3", code=1)


def test_an_empty_quarter_is_all_zeros(cli: Cli, tmp_path: Path) -> None:
    data = cli.json("report", "quarter", "2020-Q1")
    assert data["meetings"]["rows"] == [] and data["cm_attendance"]["rate"] is None
    cli("report", "quarter", "2020-Q1", "-o", str(tmp_path / "e.pdf"))
    assert "None recorded." in text_of(tmp_path / "e.pdf")


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(0, 12), min_size=cols, max_size=cols), min_size=1, max_size=5
        )
    ),
    st.booleans(),
    st.booleans(),
)
def test_no_small_count_can_be_worked_out_from_a_suppressed_table(
    cells: list[list[int]], row_totals: bool, col_totals: bool
) -> None:
    limit = 5
    shown, rtot, ctot, grand = suppress_lines(
        cells, limit, row_totals=row_totals, col_totals=col_totals
    )
    grid = [[*row, rtot[i]] for i, row in enumerate(shown)] + [[*ctot, grand]]
    nrows, ncols = len(cells), len(cells[0])
    truth = [[*row, sum(row)] for row in cells] + [
        [*(sum(r[j] for r in cells) for j in range(ncols)), sum(map(sum, cells))]
    ]
    for i in range(nrows + 1):
        for j in range(ncols + 1):
            value = grid[i][j]
            if isinstance(value, int):
                assert value == truth[i][j]
                assert not 0 < value < limit
            else:
                assert value in ("<5", SECONDARY)
    lines = []
    if row_totals:
        lines += [
            [(i, j) for j in range(ncols + 1)] for i in range(nrows + (1 if col_totals else 0))
        ]
    if col_totals:
        lines += [
            [(i, j) for i in range(nrows + 1)] for j in range(ncols + (1 if row_totals else 0))
        ]
    for line in lines:
        *inner, total = line
        if isinstance(grid[total[0]][total[1]], int):
            hidden = [p for p in inner if not isinstance(grid[p[0]][p[1]], int)]
            assert len(hidden) != 1, (cells, grid)


# -- volunteers ------------------------------------------------------------------------------


def test_the_volunteers_report_flags_rechecks_and_supervision(cli: Cli, tmp_path: Path) -> None:
    data = cli.json("report", "volunteers")
    assert [p["name"] for p in data["volunteers"]] == [
        "Ann Smith",
        "Bob Jones",
        "Cara Mendes",
        "Dev Patel",
        "Zoë Łukasiewicz",
    ]
    ann = data["volunteers"][0]
    assert ann["recheck_due"] == "2027-01-10"
    assert ann["supervision_flag"] == "overdue" and ann["next_supervision"] == "2025-09-26"
    assert data["by_status"]["active"] == 5
    everyone = cli.json("report", "volunteers", "--all", "--from", "2025-01-01")
    assert "Eve Adams" in [p["name"] for p in everyone["volunteers"]]
    assert sum(m["hours"] for m in everyone["hours_by_month"]) == 68.5
    assert everyone["hours_total"] == {
        "hours": 68.5,
        "meeting_hours": 43.5,
        "logged_hours": 25.0,
        "travel_hours": 2.5,
    }
    out = tmp_path / "v.pdf"
    cli("report", "volunteers", "--all", "--from", "2025-01-01", "-o", str(out))
    text = text_of(out)
    assert "Zoë Łukasiewicz" in text and "Eve Adams" in text
    assert "DBS re-checks due" in text and "OVERDUE" in text
    assert "Volunteer hours by month" in text


# -- subject access --------------------------------------------------------------------------


def test_the_subject_access_pack_holds_his_data_and_no_third_party_names(
    cli: Cli, tmp_path: Path, ws_home: Path
) -> None:
    out, js = tmp_path / "sar.pdf", tmp_path / "sar.json"
    result = cli("report", "member", "CM-0001", "-o", str(out), "--json-out", str(js))
    assert "Before you release it" in result.stderr
    if os.name == "posix":
        assert stat.S_IMODE(js.stat().st_mode) == 0o600
    text = text_of(out)
    data = json.loads(js.read_text())
    raw = json.dumps(data, ensure_ascii=False)
    for blob in (text, raw):
        assert reports_world.LEGAL_NAME in blob  # his own data
        assert "volunteer A" in blob and "volunteer E" in blob
        assert "probation practitioner (NPS Thames Valley)" in blob
        assert "police offender manager (Thames Valley Police)" in blob
        for name in [*ALL_NAMES, *SURNAMES, "Zoë", "Ann ", "Pat ", "Olly"]:
            assert name not in blob, name
    assert "What was withheld, and why" in text
    assert "Names and contact details of volunteers" in text
    circle = data["circles"][0]
    assert len(circle["meetings"]) == 8 and len(circle["contacts"]) == 3
    assert circle["meetings"][1]["present"] == [
        "volunteer A",
        "volunteer B",
        "volunteer C",
        "volunteer D",
    ]
    assert "volunteer B drove CM-0001 to the housing office" in circle["meetings"][1]["minutes"]
    assert circle["concerns"][0]["escalations"][0]["to"] == (
        "police offender manager (Thames Valley Police)"
    )
    assert data["referrals"][0]["referrer"] == "referrer (probation)"
    entry = audit_entries(ws_home, "report.member")[-1]
    assert entry["detail"]["json_sha256"] == hashlib.sha256(js.read_bytes()).hexdigest()
    assert entry["detail"]["for"] == "the core member (subject access)"


def test_the_subject_access_pack_carries_its_json_inside_the_encrypted_pdf(
    cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "sar.pdf"
    result = cli("report", "member", "CM-0001", "-o", str(out), "--encrypt")
    password = result.stderr.split("separately from the file): ")[1].split()[0]
    reader = PdfReader(out)
    assert reader.decrypt(password) != PasswordType.NOT_DECRYPTED
    [(name, [content])] = list(reader.attachments.items())
    assert name == "CM-0001-subject-access.json"
    assert json.loads(content)["member"]["code"] == "CM-0001"
    raw = out.read_bytes()
    assert b"CM-0001" not in raw and b"subject-access" not in raw  # names and streams too


# -- escalation log --------------------------------------------------------------------------


def test_the_escalation_log_lists_every_escalation_with_its_response_time(
    cli: Cli, tmp_path: Path
) -> None:
    data = cli.json("report", "concerns", "--from", "2025-07-01", "--to", "2025-09-30")
    assert data["summary"]["concerns"] == 2 and data["summary"]["escalations"] == 1
    [esc] = data["escalations"]
    assert (esc["professional"], esc["basis"], esc["response_hours"]) == (
        "Olly Officer",
        "vital interests",
        5.0,
    )
    out = tmp_path / "e.pdf"
    cli("report", "concerns", "--from", "2025-01-01", "-o", str(out))
    text = text_of(out)
    assert "Escalation log" in text and "Olly Officer" in text and "vital interests" in text
    assert "Smelled of drink" in text and "CM-0001" in text
    assert cli.json("report", "concerns", "--from", "2025-08-01")["summary"]["escalations"] == 0
    assert cli.json("report", "concerns")["summary"]["concerns"] == 0  # the last twelve months


# -- no query per row ------------------------------------------------------------------------


def count_queries(home: Path, fn: Any) -> int:
    from cosa.reports.publish import collect

    store = Workspace(home).open(Options())
    statements: list[str] = []
    try:
        store.conn.set_trace_callback(statements.append)
        collect(store, None, fn)
    finally:
        store.close()
    return len(statements)


def test_reports_run_a_fixed_number_of_queries_whatever_the_data(world: Any, ws_home: Path) -> None:
    from cosa.domain import contacts, meetings
    from cosa.reports import circle, concerns, member, quarter

    def run_all() -> list[int]:
        return [
            count_queries(ws_home, lambda s: circle.data(s, "1")),
            count_queries(ws_home, lambda s: quarter.data(s, "2025-Q3")),
            count_queries(ws_home, lambda s: member.data(s, "CM-0001")),
            count_queries(ws_home, lambda s: concerns.data(s)),
        ]

    before = run_all()
    store = Workspace(ws_home).open(Options())
    try:
        for day in ("2025-09-09", "2025-09-16", "2025-09-23"):
            meetings.add(
                store,
                1,
                date=day,
                present="Ann,Bob",
                cm_attended="yes",
                minutes="More.",
                concerns=["Another worry"],
            )
            contacts.add(store, 1, by="Cara", on=day, duration=20)
    finally:
        store.close()
    assert run_all() == before


# -- helpers ---------------------------------------------------------------------------------


def test_the_redactor_replaces_every_name_of_everyone_but_common_words_only_capitalised() -> None:
    names = VolunteerNames("code", [{"id": 3, "name": "Will May"}])
    people = ThirdParties(
        volunteers=[{"id": 3, "name": "Will May"}, {"id": 9, "name": "Ann Other"}],
        professionals=[],
        typed=[],
    )
    redact = names.redactor(people)
    text = redact("WILL MAY said Will will come in May; may be. ann other came. Ann too.")
    assert text == (
        "Volunteer 3 said Volunteer 3 will come in May; may be. Volunteer 9 came. Volunteer 9 too."
    )
    assert VolunteerNames("code").redactor(ThirdParties([], [], []))("unchanged") == "unchanged"


def test_first_names_get_a_surname_initial_when_two_share_one() -> None:
    names = VolunteerNames(
        "first",
        [{"id": 1, "name": "Ann Smith"}, {"id": 2, "name": "Ann Jones"}, {"id": 3, "name": "Bob"}],
    )
    assert [names.label(i) for i in (1, 2, 3)] == ["Ann S.", "Ann J.", "Bob"]


def test_reading_a_report_needs_no_reportlab_for_json(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; import cosa.reports.quarter, cosa.reports.circle, cosa.reports.member, "
        "cosa.reports.publish; print('reportlab' in sys.modules, 'pypdf' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_pdf_bytes_are_never_left_unencrypted_on_disk(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "c.pdf"
    cli("report", "circle", "1", "-o", str(out), "--encrypt")
    assert b"Circle report" not in out.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".pdf") == ["c.pdf"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".c.pdf")]
    assert io.BytesIO(out.read_bytes()).read(5) == b"%PDF-"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")
def test_the_chart_pages_render_as_images(cli: Cli, tmp_path: Path) -> None:
    import subprocess

    out = tmp_path / "c.pdf"
    cli("report", "circle", "1", "--to", "2025-09-30", "-o", str(out))
    blank = tmp_path / "blank.pdf"
    cli("report", "concerns", "-o", str(blank))  # an (almost) empty log: little ink
    for pdf in (out, blank):
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "40",
                "-png",
                "-f",
                "1",
                "-l",
                "2",
                str(pdf),
                str(pdf.with_suffix("")),
            ],
            check=True,
            capture_output=True,
        )
    drawn = sorted(tmp_path.glob("c-*.png"))
    assert len(drawn) == 2
    quiet = min(p.stat().st_size for p in tmp_path.glob("blank-*.png"))
    for png in drawn:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > quiet  # charts and tables draw more than an empty page


def test_on_a_terminal_the_password_is_asked_twice_or_generated_when_left_empty(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cosa import secrets_input
    from cosa.commands.report import pdf_password
    from cosa.errors import UserError

    monkeypatch.setattr(secrets_input, "interactive", lambda: True)
    answers = iter(["short", "long enough 1", "different", "long enough 2", "long enough 2"])
    monkeypatch.setattr(secrets_input, "prompt_hidden", lambda prompt: next(answers))
    no_store: Any = object()  # (no workspace: only the length is checked)
    assert pdf_password(no_store, True, None) == ("long enough 2", False)
    monkeypatch.setattr(secrets_input, "prompt_hidden", lambda prompt: "")
    password, generated = pdf_password(no_store, True, None)
    assert generated and password and len(password) == 29
    monkeypatch.setattr(secrets_input, "prompt_hidden", lambda prompt: "x")
    with pytest.raises(UserError, match="no password was set"):
        pdf_password(no_store, True, None)
    assert pdf_password(no_store, False, None) == (None, False)


def test_the_circle_report_names_its_coordinators_with_each_handover(
    cli: Cli, tmp_path: Path
) -> None:
    (tmp_path / "bea.txt").write_text("bea's very own passphrase\n")
    cli("user", "add", "Bea", "--new-passphrase-file", str(tmp_path / "bea.txt"))
    cli("circle", "assign", "1", "Bea", "--on", "today")
    data = cli.json("report", "circle", "1")
    history = data["circle"]["coordinators"]
    assert [h["coordinator"] for h in history] == [OPERATOR, "Bea"]
    assert data["circle"]["coordinator"] == "Bea"
    out = tmp_path / "c.pdf"
    cli("report", "circle", "1", "-o", str(out))
    assert f"before: {OPERATOR} from" in " ".join(text_of(out).split())
