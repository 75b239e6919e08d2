"""Moving a circle between workspaces: `cosa transfer`, `cosa receive`, `cosa workspace id`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cosa import vault
from cosa.cli import app
from cosa.domain import agreements, circles, documents, followup, reviews, search, transfer
from cosa.store import Store
from cosa.workspace import Options, Workspace

from . import reports_world
from .conftest import CHEAP_KDF, PASSPHRASE


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The fictional provider of tests/reports_world.py, built once; tests copy it."""
    home = tmp_path_factory.mktemp("sender") / "ws"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vault, "DEFAULT_KDF", dict(CHEAP_KDF))
        store = Workspace(home).create(PASSPHRASE, vault.new_recovery_code(), "sender")
        try:
            reports_world.build(store)
            circles.add_goal(store, "1", domain="accommodation", text="Keep the flat")
            scan = home.parent / "scan.pdf"
            scan.write_bytes(b"%PDF-1.4 a signed agreement\x00\xff")
            agreements.add(store, "1", version="v1", on="2025-07-01", file=scan)
            agreements.sign(store, "1", "Ann", on="2025-07-02")
            documents.add(store, "member:CM-0001", scan, title="Licence")
            reviews.add_risk_review(store, "1", scores=["sexual preoccupation=2"], on="2025-09-03")
            followup.add_outcome(store, "1", on="2025-09-04", kind="none", source="probation")
            followup.add(store, "2", on="2025-10-01", by="Eve", mode="phone")
        finally:
            store.close()
    yield home


@pytest.fixture
def two(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(sender, receiver): a copy of the world, and a new empty workspace."""
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    sender = tmp_path / "a"
    shutil.copytree(built, sender)
    receiver = tmp_path / "b"
    Workspace(receiver).create(PASSPHRASE, vault.new_recovery_code(), "receiver").close()
    return sender, receiver


def run(home: Path, *args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    assert result.exit_code == code, f"exit {result.exit_code}: {result.output}"
    return result


def opened(home: Path) -> Store:
    return Workspace(home).open(Options(), use_session=False)


def recipient_of(home: Path) -> str:
    return str(run(home, "workspace", "id").stdout.strip())


def head(home: Path) -> tuple[int, str]:
    with opened(home) as store:
        return store.audit_head()


def by_uuid(store: Store) -> dict[str, dict[str, Any]]:
    """Every row of every table a bundle carries, keyed by UUID, with the local id dropped
    and every reference to another record replaced by that record's UUID."""
    uuid_of: dict[tuple[str, int], str] = {}
    for rtype, table, _, _ in transfer.STEPS:
        for r in store.query(f"SELECT id, uuid FROM {table}"):
            uuid_of[(rtype, int(r["id"]))] = r["uuid"]
    out = {}
    for _rtype, table, _, fks in transfer.STEPS:
        for row in store.query(f"SELECT * FROM {table}"):
            item = {k: v for k, v in row.items() if k != "id"}
            for col, kind in fks.items():
                if item.get(col) is not None:
                    item[col] = uuid_of[(kind, int(item[col]))]
            out[f"{table}:{row['uuid']}"] = item
    return out


def test_workspace_id_prints_an_age_recipient(two: tuple[Path, Path]) -> None:
    sender, receiver = two
    assert recipient_of(sender).startswith("age1")
    assert recipient_of(sender) != recipient_of(receiver)


def test_a_round_trip_is_identical_for_the_circles_records_and_both_audits_verify(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    sender, receiver = two
    bundle = tmp_path / "circle1.age"
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o", str(bundle),
        "--identity")  # fmt: skip
    assert bundle.stat().st_mode & 0o777 == 0o600
    assert bundle.read_bytes().startswith(b"age-encryption.org/v1\n")
    got = run(receiver, "receive", str(bundle), "--json")
    import json

    info = json.loads(got.stdout)
    assert info["member_code"] == "CM-0001" and info["renumbered_from"] is None
    with opened(sender) as a, opened(receiver) as b:
        sent = by_uuid(a)
        received = by_uuid(b)
        circle_uuid = a.scalar("SELECT uuid FROM circles WHERE id = 1")
        assert a.scalar("SELECT status FROM circles WHERE id = 1") == "transferred"
        # every record received is the sender's, byte for byte, but for the handover to the
        # receiver: the circle's status (transferred there) and coordinator (the receiver's
        # here) differ, and the receiver's workspace adds one coordinator entry from today
        assert received, "nothing was received"
        handovers = [k for k in received if k not in sent]
        assert [k.split(":")[0] for k in handovers] == ["circle_coordinators"]
        assert received[handovers[0]]["coordinator"] == "receiver"
        for key, row in received.items():
            if key in handovers:
                continue
            if key == f"circles:{circle_uuid}":
                ignored = {"status": "x", "coordinator": "x", "updated_at": "", "updated_by": ""}
                assert {**row, **ignored} == {**sent[key], **ignored}
                assert (row["coordinator"], sent[key]["coordinator"]) == ("receiver", "sender")
                continue
            assert row == sent[key], key
        # and the circle's meetings, concerns, contacts, actions, goals all came
        for table in ("meetings", "concerns", "contacts", "actions", "circle_goals",
                      "circle_coordinators",
                      "escalations", "member_identity", "volunteers", "professionals",
                      "circle_agreements", "agreement_signatures", "documents", "risk_reviews",
                      "risk_review_scores", "outcomes", "member_consent", "circle_members",
                      "meeting_attendance"):  # fmt: skip
            assert any(k.startswith(f"{table}:") for k in received), table
        digest = transfer.sha256(bundle.read_bytes())
        assert a.scalar("SELECT peer FROM transfers WHERE bundle_sha256 = ?", (digest,)) == (
            recipient_of(receiver)
        )
        assert b.scalar("SELECT peer FROM transfers WHERE bundle_sha256 = ?", (digest,)) == (
            transfer.recipient(a)
        )
        received_entry = b.one("SELECT detail FROM audit WHERE action = 'transfer.received'")
        assert received_entry is not None and transfer.workspace_id(a) in received_entry["detail"]
        entry = b.one("SELECT detail FROM audit WHERE action = 'transfer.receive' LIMIT 1")
        assert (
            entry is not None and digest in entry["detail"] and "sender_entries" in entry["detail"]
        )
        # search finds the received minutes
        assert b.scalar("SELECT count(*) FROM search_rows") > 0
    for home in (sender, receiver):
        run(home, "audit", "verify")
        run(home, "doctor")


def test_the_senders_circle_is_read_only_after_a_transfer(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    sender, receiver = two
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o",
        str(tmp_path / "c.age"))  # fmt: skip
    before = head(sender)
    result = run(sender, "contact", "add", "1", "--by", "Ann", "--on", "1/9/2025", "--mode",
                 "phone", code=1)  # fmt: skip
    assert "transferred to another workspace; it is read-only here" in result.output
    result = run(sender, "meeting", "amend", "2", "--text", "Bob.", "--reason", "typo", code=1)
    assert "read-only" in result.output
    run(sender, "circle", "status", "1", "active", code=1)
    assert head(sender) == before
    import json

    listed = json.loads(run(sender, "circle", "list", "--status", "transferred", "--json").stdout)
    assert [c["id"] for c in listed] == [1]
    shown = run(sender, "circle", "show", "1").output
    assert "transferred" in shown
    assert run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o",
               str(tmp_path / "again.age"), code=1).output  # fmt: skip


def test_keep_leaves_the_circle_writable(two: tuple[Path, Path], tmp_path: Path) -> None:
    sender, receiver = two
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o",
        str(tmp_path / "c.age"), "--keep")  # fmt: skip
    run(sender, "contact", "add", "1", "--by", "Ann", "--on", "1/9/2025", "--mode", "phone")
    with opened(sender) as store:
        assert store.scalar("SELECT status FROM circles WHERE id = 1") == "active"


def test_a_bundle_is_refused_by_a_third_workspace(two: tuple[Path, Path], tmp_path: Path) -> None:
    sender, receiver = two
    third = tmp_path / "c"
    Workspace(third).create(PASSPHRASE, vault.new_recovery_code(), "third").close()
    bundle = tmp_path / "c.age"
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o", str(bundle))
    before = head(third)
    result = run(third, "receive", str(bundle), code=3)
    assert "was not made for this workspace" in result.output
    assert len(result.output.strip().splitlines()) <= 2  # Error + Hint
    (tmp_path / "pw.txt").write_text("a long bundle password\n")
    result = run(third, "receive", str(bundle), "--password-file", str(tmp_path / "pw.txt"),
                 code=1)  # fmt: skip
    assert "not with a password" in result.output
    assert head(third) == before


def test_receiving_twice_is_refused_and_writes_nothing(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    sender, receiver = two
    bundle = tmp_path / "c.age"
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o", str(bundle))
    run(receiver, "receive", str(bundle))
    before = head(receiver)
    result = run(receiver, "receive", str(bundle), code=1)
    assert "already received" in result.output
    assert head(receiver) == before


def test_a_tampered_bundle_is_refused_and_writes_nothing(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    sender, receiver = two
    bundle = tmp_path / "c.age"
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o", str(bundle))
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 1
    bad = tmp_path / "bad.age"
    bad.write_bytes(bytes(data))
    before = head(receiver)
    result = run(receiver, "receive", str(bad), code=4)
    assert "damaged" in result.output
    (tmp_path / "short.age").write_bytes(bytes(data[:100]))
    run(receiver, "receive", str(tmp_path / "short.age"), code=4)
    (tmp_path / "junk.age").write_bytes(b"not a bundle")
    run(receiver, "receive", str(tmp_path / "junk.age"), code=4)
    assert head(receiver) == before


def test_a_password_bundle_round_trips_and_a_wrong_password_is_refused(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    sender, receiver = two
    bundle = tmp_path / "c.age"
    (tmp_path / "pw.txt").write_text("a long bundle password\n")
    (tmp_path / "wrong.txt").write_text("not the password\n")
    run(sender, "transfer", "2", "--password-file", str(tmp_path / "pw.txt"), "-o", str(bundle))
    before = head(receiver)
    result = run(receiver, "receive", str(bundle), code=3)
    assert "password" in result.output
    result = run(receiver, "receive", str(bundle), "--password-file", str(tmp_path / "wrong.txt"),
                 code=3)  # fmt: skip
    assert "wrong password" in result.output
    assert head(receiver) == before
    run(receiver, "receive", str(bundle), "--password-file", str(tmp_path / "pw.txt"))
    with opened(receiver) as store:
        assert store.scalar("SELECT status FROM circles") == "ended"
        assert store.scalar("SELECT count(*) FROM followups") == 1
        assert store.scalar("SELECT count(*) FROM followup_checks") > 0
    run(receiver, "audit", "verify")


def test_a_taken_member_code_is_renumbered_and_recorded(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    from cosa.domain import members

    sender, receiver = two
    with opened(receiver) as store:
        members.add(store, mappa_category=1, mappa_level=1)  # takes CM-0001 here
    bundle = tmp_path / "c.age"
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o", str(bundle))
    result = run(receiver, "receive", str(bundle))
    assert "CM-0001 was taken here, so the core member was renumbered CM-0002" in result.output
    with opened(receiver) as store:
        row = store.one("SELECT member_code, member_code_sent FROM transfers")
        assert row == {"member_code": "CM-0002", "member_code_sent": "CM-0001"}
    run(receiver, "audit", "verify")


def test_people_already_here_are_matched_not_duplicated(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    sender, receiver = two
    run(sender, "transfer", "2", "--recipient", recipient_of(receiver), "-o",
        str(tmp_path / "c2.age"))  # fmt: skip
    run(receiver, "receive", str(tmp_path / "c2.age"))
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o",
        str(tmp_path / "c1.age"))  # fmt: skip
    run(receiver, "receive", str(tmp_path / "c1.age"))
    with opened(sender) as a, opened(receiver) as b:
        for table in ("volunteers", "professionals"):
            uuids = [r["uuid"] for r in b.query(f"SELECT uuid FROM {table}")]
            assert len(uuids) == len(set(uuids))
            assert set(uuids) <= {r["uuid"] for r in a.query(f"SELECT uuid FROM {table}")}
    run(receiver, "audit", "verify")


def test_an_existing_output_is_refused_and_nothing_is_marked(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    sender, receiver = two
    bundle = tmp_path / "c.age"
    bundle.write_text("keep me")
    before = head(sender)
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o", str(bundle), code=1)
    assert bundle.read_text() == "keep me"
    assert head(sender) == before
    run(sender, "transfer", "1", "--recipient", "age1nonsense", "-o", str(tmp_path / "x"), code=1)
    assert head(sender) == before


def test_the_identity_stays_out_unless_asked(two: tuple[Path, Path], tmp_path: Path) -> None:
    sender, receiver = two
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o",
        str(tmp_path / "c.age"))  # fmt: skip
    run(receiver, "receive", str(tmp_path / "c.age"))
    with opened(receiver) as store:
        assert store.scalar("SELECT count(*) FROM member_identity") == 0
        assert store.scalar("SELECT count(*) FROM core_members") == 1


def test_upgrading_gives_an_old_workspace_an_identity(tmp_path: Path) -> None:
    from .upgrade import store_without

    with store_without(tmp_path, "m110") as store:
        assert store.one("SELECT 1 FROM sqlite_master WHERE name = 'workspace_identity'") is None
        from cosa.migrations import apply_migrations

        assert "m110_transfer" in apply_migrations(store)
        assert transfer.recipient(store).startswith("age1")
        assert store.scalar("SELECT secret FROM workspace_identity").startswith("AGE-SECRET-KEY-")


def test_meetings_of_a_received_circle_can_be_recorded(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    sender, receiver = two
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o",
        str(tmp_path / "c.age"))  # fmt: skip
    run(receiver, "receive", str(tmp_path / "c.age"))
    with opened(receiver) as store:
        cid = int(store.scalar("SELECT id FROM circles"))
    run(receiver, "contact", "add", str(cid), "--by", "Ann", "--on", "1/9/2025", "--mode", "phone")
    run(receiver, "audit", "verify")


def test_a_bundle_whose_sender_entries_were_altered_or_that_names_unknown_fields_is_refused(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    import json

    from cosa import agebox
    from cosa.store import canonical

    sender, receiver = two
    with opened(sender) as store:
        doc = transfer.collect(store, 1, identity=False)
    assert doc["format"] == "cosa-transfer" and doc["version"] == transfer.VERSION == 2
    assert doc["sender"]["recipient"] == recipient_of(sender)
    to = recipient_of(receiver)
    before = head(receiver)

    altered = json.loads(canonical(doc))
    altered["audit"][0]["operator"] = "someone else"
    (tmp_path / "altered.age").write_bytes(agebox.encrypt_to(canonical(altered), to))
    result = run(receiver, "receive", str(tmp_path / "altered.age"), code=4)
    assert "was altered" in result.output

    newer = json.loads(canonical(doc))
    newer["records"][0]["rows"][0]["colour"] = "blue"
    (tmp_path / "newer.age").write_bytes(agebox.encrypt_to(canonical(newer), to))
    result = run(receiver, "receive", str(tmp_path / "newer.age"), code=1)
    assert "does not know (core_members.colour)" in result.output

    broken = json.loads(canonical(doc))
    broken["circle"] = "no such uuid"
    (tmp_path / "broken.age").write_bytes(agebox.encrypt_to(canonical(broken), to))
    run(receiver, "receive", str(tmp_path / "broken.age"), code=4)
    assert head(receiver) == before


def test_a_received_circle_keeps_its_coordinator_history_and_is_handed_to_the_receiver(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    from datetime import date

    sender, receiver = two
    (tmp_path / "bea.txt").write_text("bea's very own passphrase\n")
    run(sender, "user", "add", "Bea", "--new-passphrase-file", str(tmp_path / "bea.txt"))
    run(sender, "circle", "assign", "1", "Bea", "--on", "2025-08-01", "--note", "cover")
    sent = run(sender, "circle", "show", "1", "--json")
    sent_history = [
        (c["uuid"], c["coordinator"], c["on_date"], c["note"])
        for c in json.loads(sent.stdout)["coordinators"]
    ]
    bundle = tmp_path / "c1.age"
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o", str(bundle))
    got = json.loads(run(receiver, "receive", str(bundle), "--json").stdout)
    shown = json.loads(run(receiver, "circle", "show", str(got["circle_id"]), "--json").stdout)
    history = [
        (c["uuid"], c["coordinator"], c["on_date"], c["note"]) for c in shown["coordinators"]
    ]
    assert (
        history[:-1]
        == sent_history
        == [
            (sent_history[0][0], "sender", "2025-06-02", None),
            (sent_history[1][0], "Bea", "2025-08-01", "cover"),
        ]
    )
    with opened(sender) as a:
        sender_id = transfer.workspace_id(a)
    assert history[-1][1:] == (
        "receiver",
        date.today().isoformat(),
        f"received from workspace {sender_id}",
    )
    assert shown["coordinator"] == "receiver"
    # the receiver's lists are theirs now; reports over the past still know who it was, and
    # count nothing of it: those days are the sender's (docs/transfer.md)
    listed = json.loads(run(receiver, "circle", "list", "--coordinator", "me", "--json").stdout)
    assert [c["id"] for c in listed] == [got["circle_id"]]
    past = json.loads(
        run(receiver, "report", "quarter", "2025-Q3", "--coordinator", "bea", "--json").stdout
    )
    assert past["coordinator"] == "Bea" and past["meetings_held"] == 0
    for home in (sender, receiver):
        run(home, "audit", "verify")
    with opened(receiver) as b:
        actions = [
            r["action"]
            for r in b.query(
                "SELECT action FROM audit WHERE record_type IN ('circle', 'circle_coordinator')"
                " AND action LIKE '%receive'"
            )
        ]
    assert actions.count("circle.receive") == 1
    assert actions.count("circle_coordinator.receive") == 1


def test_a_version_1_bundle_without_coordinator_history_is_still_received(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    from cosa import agebox
    from cosa.store import canonical

    sender, receiver = two
    with opened(sender) as a, opened(receiver) as b:
        doc = transfer.collect(a, 1, identity=False)
        doc["version"] = 1
        doc["records"] = [r for r in doc["records"] if r["type"] != "circle_coordinator"]
        gone = {r["uuid"] for r in a.query("SELECT uuid FROM circle_coordinators")}
        doc["audit"] = [e for e in doc["audit"] if e["record_uuid"] not in gone]
        old = tmp_path / "old.age"
        old.write_bytes(agebox.encrypt_to(canonical(doc), transfer.recipient(b)))
    run(receiver, "receive", str(old))
    shown = run(receiver, "circle", "show", "1", "--json")
    history = json.loads(shown.stdout)["coordinators"]
    assert [c["coordinator"] for c in history] == ["receiver"]
    run(receiver, "audit", "verify")


def test_receiving_with_the_recovery_code_is_refused_and_writes_nothing(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    from cosa.errors import UserError

    sender, receiver = two
    bundle = tmp_path / "c1.age"
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o", str(bundle))
    before = head(receiver)
    with opened(receiver) as b:
        b.person = "recovery code"  # type: ignore[attr-defined]
        with pytest.raises(UserError, match="your own passphrase"):
            transfer.receive(b, bundle)
    assert head(receiver) == before


def test_a_newer_bundle_version_is_refused_by_name(two: tuple[Path, Path], tmp_path: Path) -> None:
    from cosa import agebox
    from cosa.store import canonical

    sender, receiver = two
    with opened(sender) as a, opened(receiver) as b:
        doc = transfer.collect(a, 1, identity=False)
        doc["version"] = 3
        newer = tmp_path / "newer.age"
        newer.write_bytes(agebox.encrypt_to(canonical(doc), transfer.recipient(b)))
    before = head(receiver)
    result = run(receiver, "receive", str(newer), code=1)
    assert "version 3; this cosa reads version 1 and 2" in result.output
    assert head(receiver) == before


def test_a_circle_sent_away_is_no_longer_active_in_the_senders_returns(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    """Review: a circle marked `transferred` kept no ending, so the sender's returns counted
    it as active in every period after it left (the receiver counts it too)."""
    from datetime import date, timedelta

    from cosa.reports import returns

    sender, receiver = two
    bundle = tmp_path / "c1.age"
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o", str(bundle))
    run(receiver, "receive", str(bundle))
    after = date.today() + timedelta(days=1)
    period = f"{after.isoformat()}..{(after + timedelta(days=30)).isoformat()}"
    here = f"{date.today().isoformat()}..{date.today().isoformat()}"

    def active(home: Path, period: str) -> float:
        with opened(home) as store:
            cells = returns.raw_cells(store, returns.parse_period(period))
        return sum(v for m, b, v in cells if m == "circles_active" and b != "total")

    assert active(receiver, period) == 1
    assert active(sender, here) == 1  # it ran here until the day it was sent
    assert active(sender, period) == 0


def test_the_two_workspaces_returns_count_a_transferred_circles_days_once(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    """Each day of a circle's life is counted by one workspace: the sender up to the day it
    sent the circle, the receiver from the day it arrived. So the two returns merged (`cosa
    report merge`) give what the sender's alone gave before the transfer, measure by
    measure, and what the receiver records after receipt is the receiver's."""
    from cosa.reports import returns

    sender, receiver = two
    period = returns.parse_period("2025-Q3")
    circle_measures = ("meetings_held", "contacts", "concerns", "escalations", "volunteer_hours")

    def totals(cells: list[returns.Cell]) -> dict[str, float]:
        merged = returns.merge(cells)
        return {m: round(sum(v for n, _, v in merged if n == m), 4) for m in circle_measures}

    with opened(sender) as a:
        before = totals(returns.raw_cells(a, period))
    assert all(before.values()), before  # the world has each of them in 2025-Q3
    bundle = tmp_path / "c1.age"
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o", str(bundle))
    run(receiver, "receive", str(bundle))
    cells: list[returns.Cell] = []
    for home in (sender, receiver):
        with opened(home) as store:
            cells += returns.raw_cells(store, period)
    assert totals(cells) == before
    with opened(receiver) as b:  # the days before it arrived are the sender's
        assert not any(v for m, _, v in returns.raw_cells(b, period) if m in circle_measures)
        received = b.scalar("SELECT id FROM circles")
    today = returns.parse_period(f"{date.today().year}")
    with opened(receiver) as b:
        held = sum(v for m, _, v in returns.raw_cells(b, today) if m == "meetings_held")
    run(receiver, "meeting", "add", str(received), "--on", "today", "--minutes", "First here.")
    with opened(receiver) as b:
        assert sum(v for m, _, v in returns.raw_cells(b, today) if m == "meetings_held") == held + 1


def test_a_void_concern_travels_as_it_is_void_and_out_of_search(
    two: tuple[Path, Path], tmp_path: Path
) -> None:
    import json

    sender, receiver = two
    run(sender, "concern", "void", "2", "--reason", "typed twice")
    bundle = tmp_path / "circle1.age"
    run(sender, "transfer", "1", "--recipient", recipient_of(receiver), "-o", str(bundle))
    run(receiver, "receive", str(bundle))
    listed = json.loads(run(receiver, "concern", "list", "--all", "--json").stdout)
    assert [(c["text"], c["status"], c["void_reason"]) for c in listed] == [
        ("Ann Smith saw CM-0001 near a school", "open", None),
        ("Smelled of drink", "void", "typed twice"),
    ]
    assert len(json.loads(run(receiver, "concern", "list", "--json").stdout)) == 1
    with opened(receiver) as b:
        assert search.search(b, "smelled") == []
    run(receiver, "audit", "verify")
