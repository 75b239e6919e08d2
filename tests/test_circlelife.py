"""A circle's whole life: follow-up after the ending, outcomes, agreements, documents and
the calendar."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest

from cosa import audit
from cosa.domain import agreements, circles, documents, followup, meetings, members, pros, status
from cosa.errors import UserError
from cosa.store import Store
from tests.conftest import Cli
from tests.people import ready_volunteer
from tests.weekly import days_ago, days_on, make_circle, make_pro, workspace_store

# -- follow-up and outcomes ------------------------------------------------------------------


def test_ending_a_circle_schedules_checks_at_3_6_and_12_months(store: Store) -> None:
    c = make_circle(store, start=400)
    with store.atomic():
        store.update("circles", "circle", c.id, {"start_date": "2025-01-01"})
    circles.end(store, c.id, on="2026-01-31", reason="completed")
    got = [(r["months"], r["due_on"]) for r in followup.checks(store, c.id)]
    assert got == [(3, "2026-04-30"), (6, "2026-07-31"), (12, "2027-01-31")]


def test_the_intervals_are_a_setting(store: Store) -> None:
    from cosa.domain import settings

    settings.set_(store, "followup_months", "6, 24")
    c = make_circle(store)
    circles.end(store, c.id, on="today", reason="completed")
    assert [r["months"] for r in followup.checks(store, c.id)] == [6, 24]


def test_due_checks_show_in_status_until_a_follow_up_is_recorded(store: Store) -> None:
    c = make_circle(store, start=400)
    ended = (date.today() - timedelta(days=92)).isoformat()
    circles.end(store, c.id, on=ended, reason="completed")
    due = status.status(store)["followups_due"]
    assert [(r["circle_id"], r["months"]) for r in due] == [(c.id, 3)]
    row = followup.add(store, c.id, on="today", by="Ann", mode="phone", note="doing well")
    assert row["check_months"] == 3
    assert status.status(store)["followups_due"] == []
    assert audit.verify(store).ok


def test_a_follow_up_before_the_ending_or_of_a_running_circle_is_refused(store: Store) -> None:
    c = make_circle(store, start=100)
    with pytest.raises(UserError, match="has not ended"):
        followup.add(store, c.id, on="today", by="Ann")
    circles.end(store, c.id, on=days_ago(10), reason="completed")
    head = store.audit_head()
    with pytest.raises(UserError, match="before circle"):
        followup.add(store, c.id, on=days_ago(11), by="Ann")
    assert store.audit_head() == head


def test_outcomes_are_recorded_while_running_and_after_and_checked(store: Store) -> None:
    c = make_circle(store, start=100)
    followup.add_outcome(store, c.id, on=days_ago(5), kind="none", source="probation")
    circles.end(store, c.id, on=days_ago(2), reason="completed")
    followup.add_outcome(
        store, c.id, on="today", kind="recall", offence="other", source="police", note="x"
    )
    assert [o["kind"] for o in followup.outcomes(store, c.id)] == ["recall", "none"]
    head = store.audit_head()
    with pytest.raises(UserError, match="invalid --type"):
        followup.add_outcome(store, c.id, on="today", kind="arrest", source="police")
    assert store.audit_head() == head


def test_an_ended_circle_stays_closed_to_meetings(cli: Cli, initialised: Path) -> None:
    with workspace_store(initialised) as store:
        c = make_circle(store, start=100)
        circles.end(store, c.id, on=days_ago(1), reason="completed")
    result = cli("meeting", "add", str(c.id), "--present", "Ann Able", code=1)
    assert "ended" in result.output


def test_the_circle_report_shows_follow_up_and_outcomes(store: Store) -> None:
    from cosa.reports import circle as circle_report

    c = make_circle(store, start=200)
    circles.end(store, c.id, on=days_ago(100), reason="completed")
    followup.add(store, c.id, on=days_ago(5), by="Ann")
    followup.add_outcome(store, c.id, on=days_ago(3), kind="breach", source="probation")
    data = circle_report.data(store, str(c.id))
    assert [f["months"] for f in data["followup_checks"]] == [3, 6, 12]
    assert data["followup_checks"][0]["done_on"] == days_ago(5)
    assert [o["kind"] for o in data["outcomes"]] == ["breach"]
    by_sql = store.scalar("SELECT count(*) FROM outcomes WHERE circle_id = ?", (c.id,))
    assert data["summary"]["outcomes"] == by_sql


def test_cli_followup_and_outcome_lists(cli: Cli, initialised: Path) -> None:
    with workspace_store(initialised) as store:
        c = make_circle(store, start=200)
        circles.end(store, c.id, on=days_ago(100), reason="completed")
    cli("followup", "add", str(c.id), "--on", "today", "--by", "Bob", "--mode", "visit")
    cli("outcome", "add", str(c.id), "--on", "today", "--type", "none", "--source", "probation")
    assert cli.json("followup", "list")[0]["by"] == "Bob Baker"
    assert cli.json("outcome", "list", "--limit", "1")[0]["kind"] == "none"
    assert "visit" in cli("followup", "list", "--csv").stdout
    out = cli("outcome", "add", str(c.id), "--on", "today", "--type", "x", "--source", "police",
              code=1).output  # fmt: skip
    assert out.startswith("Error: invalid --type")


# -- agreements ------------------------------------------------------------------------------


def test_the_re_sign_rule(store: Store) -> None:
    c = make_circle(store, start=30)
    agreements.add(store, c.id, version="v1", on=days_ago(20))
    assert status.status(store)["agreements_to_sign"] == []  # nobody signed yet
    for who in ("CM", "Ann", "Bob"):
        agreements.sign(store, c.id, who, on=days_ago(19))
    assert status.status(store)["agreements_to_sign"] == []
    ready_volunteer(store, "Cat Carter")
    circles.join(store, c.id, "Cat Carter", on=days_ago(5))
    [row] = status.status(store)["agreements_to_sign"]
    assert (row["circle_id"], row["version"], row["missing"]) == (c.id, "v1", "Cat Carter")
    agreements.sign(store, c.id, "Cat", on="today")
    assert status.status(store)["agreements_to_sign"] == []


def test_signing_for_someone_outside_the_circle_is_refused(store: Store) -> None:
    c = make_circle(store)
    ready_volunteer(store, "Dan Outsider")  # could join any circle, but has not joined this one
    make_pro(store)
    agreements.add(store, c.id, version="v1", on=days_ago(3))
    head = store.audit_head()
    with pytest.raises(UserError, match="not in circle"):
        agreements.sign(store, c.id, "Dan", on="today")
    with pytest.raises(UserError, match="not in circle"):
        agreements.sign(store, c.id, "Pat", on="today")
    with pytest.raises(UserError, match="not the core member"):
        agreements.sign(store, c.id, "CM-0999", on="today")
    assert store.audit_head() == head
    circles.link(store, c.id, "Pat", on=days_ago(3))
    agreements.sign(store, c.id, "Pat", on="today")
    with pytest.raises(UserError, match="already signed"):
        agreements.sign(store, c.id, "Pat", on="today")


def test_consent_records_the_agreement_version_it_rests_on(store: Store) -> None:
    c = make_circle(store)
    pros.add(store, "Pat Probation", agency="Probation Service", role="probation")
    agreements.add(store, c.id, version="v2", on=days_ago(2))
    row = members.consent(store, c.code, "Pat")
    assert row["agreement_id"] is not None
    [listed] = members.consents(store, members.get(store, c.code)["id"])
    assert listed["agreement_version"] == "v2"


def test_cli_agreement_with_a_scan(cli: Cli, initialised: Path, tmp_path: Path) -> None:
    with workspace_store(initialised) as store:
        c = make_circle(store)
    scan = tmp_path / "agreement.pdf"
    scan.write_bytes(b"%PDF-1.4 signed agreement")
    cli("agreement", "add", str(c.id), "--version", "v1", "--on", "-2d", "--file", str(scan))
    cli("agreement", "sign", str(c.id), "CM", "--on", "today")
    shown = cli.json("agreement", "show", str(c.id))
    assert shown["signatures"][0]["role"] == "CM"
    assert shown["missing"] == ["Ann Able", "Bob Baker"]
    assert cli.json("document", "list", f"circle:{c.id}")[0]["kind"] == "agreement"
    bad = tmp_path / "agreement.txt"
    bad.write_text("x")
    out = cli("agreement", "add", str(c.id), "--version", "v2", "--on", "today", "--file",
              str(bad), code=1).output  # fmt: skip
    assert "PDF, JPG or PNG" in out


# -- documents -------------------------------------------------------------------------------


def test_a_document_round_trips_byte_for_byte_and_is_audited(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    with workspace_store(initialised) as store:
        c = make_circle(store)
    data = os.urandom(50_000) + b"\x00\xff"
    src = tmp_path / "oasys.pdf"
    src.write_bytes(data)
    cli("document", "add", f"member:{c.code}", str(src), "--title", "OASys summary")
    [doc] = cli.json("document", "list", f"member:{c.code}")
    assert doc["sha256"] == hashlib.sha256(data).hexdigest() and doc["size"] == len(data)
    out = tmp_path / "back.pdf"
    cli("document", "get", str(doc["id"]), "-o", str(out))
    assert out.read_bytes() == data
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # refuses an existing file without --force, writing nothing (not even an audit entry)
    head = cli.json("audit", "--limit", "1")[-1]["seq"]
    result = cli("document", "get", str(doc["id"]), "-o", str(out), code=1)
    assert "already exists" in result.output
    assert cli.json("audit", "--limit", "1")[-1]["seq"] == head
    cli("document", "get", str(doc["id"]), "-o", str(out), "--force")
    actions = [e["action"] for e in cli.json("audit")]
    assert "document.add" in actions and actions.count("document.get") == 2
    # never a loose file: the bytes are nowhere in the workspace directory in the clear
    for p in initialised.iterdir():
        assert data[:64] not in p.read_bytes()
    cli("audit", "verify")


def test_bad_document_input_is_one_line_exit_1_and_nothing_written(
    cli: Cli, initialised: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with workspace_store(initialised) as store:
        make_circle(store)
    src = tmp_path / "f.pdf"
    src.write_bytes(b"%PDF")
    head = cli.json("audit", "--limit", "1")[-1]["seq"]
    for args, words in [
        (["nothing:1", str(src)], "invalid record"),
        (["circle:99", str(src)], "circle 99 not found"),
        (["member:CM-0099", str(src)], "no core member"),
        (["circle:1", str(tmp_path / "missing.pdf")], "does not exist"),
        (["circle:1", str(tmp_path)], "not a regular file"),
    ]:
        result = cli("document", "add", *args, "--title", "t", code=1)
        assert result.output.startswith("Error:") and words in result.output, result.output
    monkeypatch.setattr(documents, "MAX_BYTES", 3)
    result = cli("document", "add", "circle:1", str(src), "--title", "t", code=1)
    assert "larger than 20 MB" in result.output
    assert cli.json("audit", "--limit", "1")[-1]["seq"] == head


def test_a_damaged_document_is_refused_on_get(store: Store, tmp_path: Path) -> None:
    c = make_circle(store)
    src = tmp_path / "a.png"
    src.write_bytes(b"\x89PNG data")
    doc = documents.add(store, f"circle:{c.id}", src, title="photo")
    with store.atomic():
        store.execute("UPDATE documents SET content = ? WHERE id = ?", (b"other", doc["id"]))
    from cosa.errors import IntegrityError

    with pytest.raises(IntegrityError):
        documents.save(store, doc["id"], tmp_path / "out.png")
    assert not (tmp_path / "out.png").exists()


def test_documents_go_into_backup_and_export_and_leave_with_retention(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    import base64
    import json

    from cosa.domain import retention

    data = b"REFERRAL-DOC-" + os.urandom(2000)
    src = tmp_path / "ref.pdf"
    src.write_bytes(data)
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli("referral", "add", "--received", "2018-01-01", "--source", "probation",
        "--member", "CM-0001")  # fmt: skip
    cli("referral", "decide", "1", "declined", "--on", "2018-02-01")
    cli("document", "add", "referral:1", str(src), "--title", "Referral form")
    # backup and restore
    bak = tmp_path / "b.cosabak"
    cli("backup", str(bak))
    cli("restore", str(bak), "--home", str(tmp_path / "restored"))
    out = tmp_path / "r.pdf"
    cli("--home", str(tmp_path / "restored"), "document", "get", "1", "-o", str(out))
    assert out.read_bytes() == data
    # export (plain, confirmed)
    exp = tmp_path / "e.json"
    cli("export", str(exp), "--plain", "--yes")
    exported = json.loads(exp.read_text())
    [d] = exported["records"]["document"]
    assert base64.b64decode(d["content"]) == data
    # retention: the declined referral goes, with its document, from the database pages
    with workspace_store(initialised) as store:
        erased = retention.apply(store)
        assert any(e.record_type == "referral" for e in erased)
        assert store.scalar("SELECT count(*) FROM documents") == 0
        retention.scrub(store)
        assert data[:40] not in _plaintext_pages(store, tmp_path)
    cli("audit", "verify")


def _plaintext_pages(store: Store, tmp_path: Path) -> bytes:
    """The database's pages decrypted (sqlcipher_export to a plain copy)."""
    plain = tmp_path / "plain.db"
    store.conn.execute(f"ATTACH DATABASE '{plain}' AS plain KEY ''")
    store.conn.execute("SELECT sqlcipher_export('plain')")
    store.conn.execute("DETACH DATABASE plain")
    return plain.read_bytes()


# -- calendar --------------------------------------------------------------------------------


def _unfold(text: str) -> list[str]:
    """RFC 5545 content lines, unfolded by hand (independent of the icalendar library)."""
    return re.sub(r"\r\n[ \t]", "", text).split("\r\n")


def test_the_calendar_holds_planned_meetings_and_nothing_identifying(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    with workspace_store(initialised) as store:
        c = make_circle(store, start=30, day="tuesday")
        with store.atomic():
            store.update(
                "circles", "circle", c.id, {"meeting_time": "18:30", "venue": "Secret Hall"}
            )
        from cosa.domain import actions

        actions.add(store, c.id, "Ring the housing officer", owner="Ann Able", due=days_on(3))
        expected = meetings.scheduled_days(
            circles.get(store, c.id), date.today(), date.today() + timedelta(weeks=4)
        )
    out = tmp_path / "cosa.ics"
    cli("calendar", "-o", str(out), "--to", "+4w")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    raw = out.read_bytes().decode()
    lines = _unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT")
    starts = sorted(
        ln.split(":", 1)[1]
        for i, ln in enumerate(lines)
        if ln.startswith("DTSTART") and "Meeting" in _event_summary(lines, i)
    )
    assert starts == [d.strftime("%Y%m%dT183000") for d in expected]
    assert all(date.fromisoformat(d.isoformat()).weekday() == 1 for d in expected)
    for secret in ("Able", "Baker", "Secret Hall", "housing officer"):
        assert secret not in raw
    # refuses to overwrite without --force
    result = cli("calendar", "-o", str(out), code=1)
    assert "already exists" in result.output
    cli("calendar", "-o", str(out), "--force")


def _event_summary(lines: list[str], i: int) -> str:
    j = i
    while j > 0 and lines[j] != "BEGIN:VEVENT":
        j -= 1
    k = i
    while k < len(lines) and lines[k] != "END:VEVENT":
        k += 1
    return next((ln for ln in lines[j:k] if ln.startswith("SUMMARY")), "")
