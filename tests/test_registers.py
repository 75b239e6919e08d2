"""The subject access request and complaint registers: due dates, clocks, bad input."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from cosa.domain import sars
from cosa.domain.complaints import acknowledge_by

from .conftest import Cli
from .test_reports import audit_entries, cli, template, world

__all__ = ["cli", "template", "world"]  # fixtures shared with test_reports


def due(received: str, *events: tuple[str, str, int | None], today: str = "2026-12-01") -> str:
    sar = {"received_on": received}
    rows = [{"kind": k, "date": d, "months": m} for k, d, m in events]
    return sars.clock(sar, rows, date.fromisoformat(today)).due


# -- the clock ---------------------------------------------------------------------------------


def test_a_sar_is_due_on_the_same_day_of_the_next_month() -> None:
    assert due("2026-03-03") == "2026-04-03"
    assert due("2026-12-15") == "2027-01-15"


def test_across_a_month_end_the_due_date_is_the_last_day_of_the_shorter_month() -> None:
    assert due("2026-01-31") == "2026-02-28"
    assert due("2026-03-31") == "2026-04-30"
    assert due("2026-08-31") == "2026-09-30"


def test_in_a_leap_year_the_end_of_january_falls_due_on_the_leap_day() -> None:
    assert due("2024-01-31") == "2024-02-29"
    assert due("2024-01-29") == "2024-02-29"
    assert due("2024-02-29") == "2024-03-29"


def test_a_later_verification_starts_the_month_again_an_earlier_one_does_not() -> None:
    assert due("2026-01-10", ("verified", "2026-01-20", None)) == "2026-02-20"
    assert due("2026-01-10", ("verified", "2026-01-10", None)) == "2026-02-10"


def test_paused_days_are_added_to_the_due_date() -> None:
    paused = (("paused", "2026-02-02", None), ("resumed", "2026-02-07", None))
    assert due("2026-01-31", *paused) == "2026-03-05"  # 28 Feb + 5 days
    two = (*paused, ("paused", "2026-02-10", None), ("resumed", "2026-02-12", None))
    assert due("2026-01-31", *two) == "2026-03-07"


def test_a_pause_not_yet_resumed_counts_up_to_today() -> None:
    c = sars.clock(
        {"received_on": "2026-01-01"},
        [{"kind": "paused", "date": "2026-01-10", "months": None}],
        date(2026, 1, 15),
    )
    assert c.state == "paused" and c.paused_since == "2026-01-10"
    assert c.due == "2026-02-06"  # 1 Feb + 5 days stopped so far


def test_an_extension_adds_calendar_months_from_the_start() -> None:
    assert due("2026-01-31", ("extended", "2026-02-10", 2)) == "2026-04-30"
    assert due("2025-11-30", ("extended", "2025-12-01", 2)) == "2026-02-28"
    extended_and_paused = (
        ("extended", "2026-01-05", 1),
        ("paused", "2026-01-06", None),
        ("resumed", "2026-01-16", None),
    )
    assert due("2025-12-31", *extended_and_paused) == "2026-03-10"  # 28 Feb + 10 days


def test_a_complaint_must_be_acknowledged_within_30_days() -> None:
    assert acknowledge_by("2026-01-31") == "2026-03-02"
    assert acknowledge_by("2024-02-01") == "2024-03-02"  # 29 days in February 2024


# -- the commands -------------------------------------------------------------------------------


def head(home: Path) -> int:
    return len(audit_entries(home))


def test_a_sar_from_receipt_to_answer_with_its_pack_in_the_disclosure_register(
    cli: Cli, ws_home: Path, tmp_path: Path
) -> None:
    sid = cli("sar", "add", "--member", "CM-0001", "--on", "2026-01-31", "--via", "letter")
    assert sid.stdout.strip() == "1"
    cli("sar", "verify", "1", "--on", "2026-02-02")
    cli("sar", "pause", "1", "--on", "2026-02-03", "--reason", "asked which circle he means")
    assert cli.json("sar", "show", "1")["state"] == "paused"
    cli("sar", "resume", "1", "--on", "2026-02-06")
    cli("sar", "extend", "1", "--months", "1", "--reason", "ten years of minutes")
    shown = cli.json("sar", "show", "1")
    assert shown["clock_starts"] == "2026-02-02" and shown["paused_days"] == 3
    assert shown["due"] == "2026-04-05"  # 2 Feb + 2 months + 3 days
    assert [e["kind"] for e in shown["events"]] == ["verified", "paused", "resumed", "extended"]

    out = tmp_path / "pack.pdf"
    result = cli("report", "member", "CM-0001", "--sar", "1", "-o", str(out))
    assert "Linked to SAR 1" in result.stderr
    cli("sar", "respond", "1", "--on", "2026-03-20")
    shown = cli.json("sar", "show", "1")
    assert shown["state"] == "responded" and shown["responded_on"] == "2026-03-20"
    [d] = cli.json("disclosure", "list", "--type", "subject access pack")
    import hashlib

    assert d["sar_id"] == 1 and d["member_code"] == "CM-0001" and d["professional_id"] is None
    assert d["file_name"] == "pack.pdf"
    assert d["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert d["recipient"] == "the data subject (CM-0001)" and d["disclosed_on"] == "2026-03-20"
    assert cli.json("sar", "list", "--open") == []
    cli("audit", "verify")


def test_a_pack_given_at_answer_is_hashed_and_recorded(cli: Cli, tmp_path: Path) -> None:
    cli("sar", "add", "--member", "CM-0002", "--on", "2026-11-20")
    pack = tmp_path / "sent.pdf"
    pack.write_bytes(b"%PDF-1.7 the pack as sent")
    cli("sar", "respond", "1", "--on", "2026-11-30", "--pack", str(pack))
    [d] = cli.json("disclosure", "list", "--type", "subject access pack")
    assert d["file_name"] == "sent.pdf" and d["member_code"] == "CM-0002"


@pytest.mark.parametrize(
    ("steps", "bad", "says"),
    [
        ([], ["sar", "respond", "1", "--on", "2026-01-30"], "before SAR 1 was received"),
        ([], ["sar", "verify", "1", "--on", "2026-01-01"], "before SAR 1 was received"),
        ([], ["sar", "resume", "1", "--on", "2026-02-10"], "SAR 1 is not paused"),
        ([], ["sar", "extend", "1", "--months", "3", "--reason", "x"], "1 or 2 months"),
        (
            [["sar", "extend", "1", "--months", "2", "--reason", "big"]],
            ["sar", "extend", "1", "--months", "1", "--reason", "more"],
            "the limit is 2",
        ),
        (
            [["sar", "pause", "1", "--on", "2026-02-01", "--reason", "ID"]],
            ["sar", "pause", "1", "--on", "2026-02-02", "--reason", "ID"],
            "already paused",
        ),
        (
            [["sar", "pause", "1", "--on", "2026-02-01", "--reason", "ID"]],
            ["sar", "respond", "1", "--on", "2026-02-02"],
            "is paused",
        ),
        (
            [["sar", "respond", "1", "--on", "2026-02-01"]],
            ["sar", "respond", "1", "--on", "2026-02-02"],
            "was answered on 2026-02-01",
        ),
        ([], ["sar", "respond", "1", "--on", "2026-02-02", "--pack", "nope.pdf"], "no such file"),
        ([], ["sar", "show", "7"], "SAR 7 not found"),
        ([], ["sar", "add", "--member", "CM-0001", "--on", "2099-01-01"], "in the future"),
        ([], ["sar", "add", "--member", "CM-0009", "--on", "2026-01-01"], "CM-0009"),
        (
            [],
            ["report", "member", "CM-0002", "--sar", "1", "-o", "x.pdf"],
            "SAR 1 is from CM-0001",
        ),
    ],
)
def test_bad_sar_input_is_one_line_exit_1_and_nothing_written(
    cli: Cli, ws_home: Path, tmp_path: Path, steps: list[list[str]], bad: list[str], says: str
) -> None:
    cli("sar", "add", "--member", "CM-0001", "--on", "2026-01-31")
    for step in steps:
        cli(*step)
    before = head(ws_home)
    result = cli(*bad, code=1)
    assert result.stderr.startswith("Error: ") and says in result.stderr.splitlines()[0]
    assert head(ws_home) == before
    assert not (tmp_path / "x.pdf").exists()


def test_status_shows_sars_due_within_a_week_and_overdue_but_not_paused_ones(cli: Cli) -> None:
    today = date.today()
    for days_ago in (40, 25, 10):
        cli("sar", "add", "--member", "CM-0001", "--on", (today - timedelta(days_ago)).isoformat())
    cli("sar", "add", "--member", "CM-0002", "--on", (today - timedelta(35)).isoformat())
    cli("sar", "pause", "4", "--on", (today - timedelta(30)).isoformat(), "--reason", "ID")
    status: dict[str, Any] = cli.json("status")
    assert [s["id"] for s in status["sars_due"]] == [1, 2]
    assert status["sars_due"][0]["days_left"] < 0 <= status["sars_due"][1]["days_left"] <= 7
    text = cli("status").stdout
    assert "Subject access requests due within 7 days or overdue (2)" in text


def test_a_complaint_is_acknowledged_then_answered_and_leaves_status(
    cli: Cli, ws_home: Path
) -> None:
    today = date.today()
    received = (today - timedelta(days=25)).isoformat()
    cli("complaint", "add", "--on", received, "--complainant", "CM's sister", "--about", "a leak")
    cli("complaint", "add", "--on", today.isoformat(), "--complainant", "x", "--about", "y")
    [due_now] = cli.json("status")["complaints_due"]
    assert due_now["id"] == 1 and due_now["days_left"] == 5
    assert due_now["acknowledge_by"] == (today + timedelta(days=5)).isoformat()
    cli("complaint", "acknowledge", "1", "--on", today.isoformat())
    assert cli.json("status")["complaints_due"] == []
    before = head(ws_home)
    bad = cli("complaint", "respond", "1", "--on", today.isoformat(), "--outcome", "maybe", code=1)
    assert "--outcome" in bad.stderr and head(ws_home) == before
    early = (today - timedelta(days=30)).isoformat()
    cli("complaint", "respond", "1", "--on", early, "--outcome", "partly", code=1)
    cli("complaint", "acknowledge", "1", "--on", today.isoformat(), code=1)
    assert head(ws_home) == before
    cli("complaint", "respond", "1", "--on", today.isoformat(), "--outcome", "partly")
    shown = cli.json("complaint", "show", "1")
    assert shown["state"] == "answered" and shown["outcome"] == "partly"
    assert [c["id"] for c in cli.json("complaint", "list", "--open")] == [2]
    assert cli("complaint", "list", "--csv").stdout.startswith("id,received_on,complainant")
    cli("audit", "verify")


def test_migration_m080_keeps_share_packs_and_records_old_escalations_as_disclosures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade: the disclosures table is rebuilt with its rows, ids and hashes intact, every
    escalation made before becomes a disclosure, and `audit verify` still passes."""
    from cosa import audit, migrations
    from cosa.domain import disclosures

    from . import reports_world
    from .upgrade import store_without

    with store_without(tmp_path, "m080") as store:
        with monkeypatch.context() as mp:  # the code of the time did not record escalations
            mp.setattr(disclosures, "record_escalation", lambda *a, **k: 0)
            built = reports_world.build(store)
            shared = disclosures.share(
                store, built.approved, "Pat", tmp_path / "pack.pdf", today=date(2025, 7, 2)
            )
        assert migrations.apply_migrations(store) == ["m080_disclosure_register"]
        rows = disclosures.list_(store)
        assert [(r["id"], r["kind"]) for r in rows] == [(1, "share pack"), (2, "escalation")]
        assert rows[0]["sha256"] == shared["sha256"] and rows[0]["uuid"] == shared["uuid"]
        assert rows[1]["escalation_id"] == 1 and rows[1]["basis"] == "vital interests"
        assert rows[1]["recipient"] == "Olly Officer (police, Thames Valley Police)"
        assert rows[1]["disclosed_on"] == "2025-07-22" and rows[1]["file_name"] is None
        assert audit.verify(store).ok, audit.verify(store).problems
