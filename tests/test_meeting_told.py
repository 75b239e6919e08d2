"""`cosa meeting told`: a meeting's information passed to a professional, recorded as a
disclosure (kind "notification"), which clears the "probation to be told" status item."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from cosa import audit, migrations

from .conftest import Cli
from .test_meetings import World, _add, _head, build
from .upgrade import store_without
from .weekly import days_ago, workspace_store


@pytest.fixture
def world(initialised: Path) -> World:
    with workspace_store(initialised) as store:
        return build(store)


def _told_items(cli: Cli) -> list[int]:
    return [i["meeting_id"] for i in cli.json("status")["probation_to_be_told"]]


def _pros(cli: Cli) -> None:
    cli("pro", "add", "Pat Probation", "--agency", "Probation Service", "--role", "probation")
    cli("pro", "add", "Olly Officer", "--agency", "Thames Valley Police", "--role", "police")


def test_told_to_probation_clears_the_status_item_and_an_unrelated_disclosure_does_not(
    cli: Cli, world: World
) -> None:
    mid = _add(cli, "1", "--on", days_ago(3), "--notify-pp", "--minutes", "Talked.")
    _pros(cli)
    assert _told_items(cli) == [mid]
    assert "Probation to be told" in cli("status").stdout
    # told to the police: a disclosure, but not probation
    cli("meeting", "told", str(mid), "--recipient", "Olly", "--via", "phone")
    # an earlier meeting told to probation is not this one
    earlier = _add(cli, "1", "--on", days_ago(10), "--minutes", "Earlier.")
    cli("meeting", "told", str(earlier), "--recipient", "Pat", "--via", "email")
    assert _told_items(cli) == [mid]
    result = cli("meeting", "told", str(mid), "--recipient", "Pat", "--on", days_ago(2),
                 "--via", "phone", "--note", "Rang the PP about the new friend")  # fmt: skip
    did = int(result.stdout)
    assert "told to Pat Probation (probation, Probation Service)" in result.stderr
    assert _told_items(cli) == []
    row = cli.json("disclosure", "show", str(did))
    assert (row["kind"], row["basis"], row["meeting_id"], row["disclosed_on"]) == (
        "notification",
        "public task",
        mid,
        days_ago(2),
    )
    assert row["note"] == "Rang the PP about the new friend"
    assert row["items"] == [f"meeting {mid} ({days_ago(3)}, formal)", "by phone"]


def test_disclosure_list_json_and_the_subject_access_pack_carry_the_notification(
    cli: Cli, world: World
) -> None:
    mid = _add(cli, "1", "--on", days_ago(3), "--notify-pp", "--minutes", "Talked.")
    _pros(cli)
    cli("meeting", "told", str(mid), "--recipient", "Pat", "--via", "secure email",
        "--note", "Sent the PP the meeting's worry")  # fmt: skip
    listed = cli.json("disclosure", "list", "--type", "notification")
    assert [(d["meeting_id"], d["recipient"], d["disclosed_on"]) for d in listed] == [
        (mid, "Pat Probation (probation, Probation Service)", date.today().isoformat())
    ]
    assert "notification" in cli("disclosure", "list").stdout
    member = cli.json("report", "member", "CM-0001", "--json")
    assert [(d["kind"], d["basis"], d["what"]) for d in member["disclosures"]] == [
        (
            "notification",
            "public task",
            [f"meeting {mid} ({days_ago(3)}, formal)", "by secure email",
             "Sent the PP the meeting's worry"],
        )
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("future", "in the future"),
        ("before", "before meeting"),
        ("cancelled", "was cancelled"),
        ("void", "is void"),
        ("inactive", "is not active"),
        ("via", "invalid --via"),
    ],
)
def test_bad_input_is_refused_in_one_line_and_writes_nothing(
    cli: Cli, world: World, case: str, expected: str
) -> None:
    mid = _add(cli, "1", "--on", days_ago(3), "--notify-pp", "--minutes", "Talked.")
    _pros(cli)
    args = [str(mid), "--recipient", "Pat"]
    if case == "future":
        args += ["--on", (date.today() + timedelta(days=1)).isoformat()]
    elif case == "before":
        args += ["--on", days_ago(4)]
    elif case == "cancelled":
        cancelled = cli("meeting", "cancel", "1", "--on", days_ago(17), "--reason", "Ill")
        args[0] = cancelled.stdout.strip()
    elif case == "void":
        cli("meeting", "void", str(mid), "--reason", "Recorded twice")
    elif case == "inactive":
        cli("pro", "edit", "Pat", "--to", days_ago(5))
    elif case == "via":
        args += ["--via", "pigeon"]
    head = _head(cli)
    result = cli("meeting", "told", *args, code=1)
    assert expected in result.stderr
    assert result.stderr.count("Error:") == 1 and "Traceback" not in result.stderr
    assert _head(cli) == head
    assert cli.json("disclosure", "list") == []


def test_migration_m120_adds_the_note_and_keeps_the_audit_verified(tmp_path: Path) -> None:
    from cosa.domain import pros

    with store_without(tmp_path, "m120") as store:
        with store.atomic():
            pid = pros.add(store, "Pat Probation", agency="NPS", role="probation")
            store.insert(
                "disclosures",
                "disclosure",
                {"professional_id": pid, "recipient": "Pat Probation (probation, NPS)",
                 "disclosed_on": "2025-07-01", "kind": "escalation", "items": json.dumps([]),
                 "basis": "consent", "removed": "[]"},
            )  # fmt: skip
        assert migrations.apply_migrations(store) == ["m120_disclosure_note"]
        assert store.scalar("SELECT note FROM disclosures") is None
        assert audit.verify(store).ok, audit.verify(store).problems


def test_status_finds_the_meetings_to_tell_probation_of_by_their_index(
    initialised: Path,
) -> None:
    """`status` reads only the held meetings marked --notify-pp (m141), not every meeting:
    on a ten-year workspace the scan cost more than the rest of `status` together."""
    from cosa.domain import status

    with workspace_store(initialised) as store:
        seen: list[str] = []
        store.conn.set_trace_callback(seen.append)
        status._probation_to_be_told(store)
        store.conn.set_trace_callback(None)
        plan = store.query("EXPLAIN QUERY PLAN " + seen[-1])
    assert any("meetings_notify_pp" in str(row["detail"]) for row in plan), plan
