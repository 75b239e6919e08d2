"""Concerns: raise, list, show, note, escalate, respond, close — append-only, audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cosa import audit
from cosa.domain import actions, concerns, members, search
from cosa.errors import UserError
from cosa.models import ConcernDetail

from .conftest import Cli
from .weekly import (
    CircleInfo,
    add_meeting,
    days_ago,
    head,
    make_circle,
    make_pro,
    one_error_line,
    workspace_store,
)


@pytest.fixture
def circle(cli: Cli, ws_home: Path) -> CircleInfo:
    with workspace_store(ws_home) as store:
        info = make_circle(store)
        make_pro(store, "Pat Probation", "Probation Service")
        make_pro(store, "Paul Police", "Thames Valley Police")
    return info


def _add(cli: Cli, *extra: str, severity: str = "amber") -> int:
    cli(
        "concern", "add", "1", "--severity", severity, "--category", "drink or drugs",
        "Smelt of alcohol at the meeting", *extra,
    )  # fmt: skip
    return int(cli.json("concern", "list")[-1]["id"])


# -- domain ----------------------------------------------------------------------------------


def test_a_concern_is_recorded_with_its_date_and_indexed_for_search(store: Any) -> None:
    info = make_circle(store)
    cid = concerns.add(
        store, info.id, severity="Amber", category="Drink_or drugs", text=" Bottle in bag ",
        on=days_ago(3), raised_by="Ann",
    )  # fmt: skip
    row = concerns.get(store, cid)
    assert (row["severity"], row["category"], row["text"], row["date"], row["raised_by"]) == (
        "amber", "drink or drugs", "Bottle in bag", days_ago(3), "Ann",
    )  # fmt: skip
    assert [(h["record_type"], h["record_id"]) for h in search.search(store, "bottle")] == [
        ("concern", cid)
    ]
    assert audit.verify(store).ok


def test_concerns_and_actions_can_be_written_inside_an_outer_transaction(store: Any) -> None:
    info = make_circle(store)
    with store.atomic():
        cid = concerns.add(store, info.id, severity="red", category="other", text="One")
        aid = actions.add(store, info.id, "Ring probation", owner="Coordinator", due="+2d")
        with pytest.raises(UserError), store.atomic():
            concerns.add(store, info.id, severity="red", category="other", text="   ")
    assert concerns.get(store, cid)["text"] == "One"
    assert actions.get(store, aid)["owner"] == "Coordinator"
    with pytest.raises(RuntimeError), store.atomic():
        concerns.add(store, info.id, severity="red", category="other", text="Two")
        raise RuntimeError("the meeting failed")
    assert [c["text"] for c in concerns.list_(store)] == ["One"]
    assert search.search(store, "two") == []
    assert audit.verify(store).ok


def test_a_concern_linked_to_a_meeting_takes_the_meeting_date(store: Any) -> None:
    info = make_circle(store)
    other = make_circle(store, names=("Cat Cole",))
    mid = add_meeting(store, info.id, days_ago(4))
    cid = concerns.add(store, info.id, severity="green", category="other", text="x", meeting_id=mid)
    assert (concerns.get(store, cid)["date"], concerns.get(store, cid)["meeting_id"]) == (
        days_ago(4), mid,
    )  # fmt: skip
    with pytest.raises(UserError, match=f"meeting {mid} belongs to circle {info.id}, not"):
        concerns.add(store, other.id, severity="green", category="other", text="x", meeting_id=mid)
    with pytest.raises(UserError, match="meeting 99 not found"):
        concerns.add(store, info.id, severity="green", category="other", text="x", meeting_id=99)


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ({"severity": "purple"}, "invalid --severity 'purple'"),
        ({"category": "gossip"}, "invalid --category 'gossip'"),
        ({"text": "  "}, "concern text must not be empty"),
        ({"on": "+2d"}, "invalid --on"),
        ({"on": "2026-02-30"}, "invalid --on '2026-02-30'"),
        ({"raised_by": None, "meeting_id": 5}, "meeting 5 not found"),
    ],
)
def test_bad_concern_input_is_one_error_and_writes_nothing(
    store: Any, given: dict[str, Any], error: str
) -> None:
    info = make_circle(store)
    before = store.audit_head()
    values: dict[str, Any] = {"severity": "red", "category": "other", "text": "t", **given}
    with pytest.raises(UserError, match=error.replace("(", r"\(")):
        concerns.add(store, info.id, **values)
    assert store.audit_head() == before


def test_open_concern_lists_read_the_partial_index(store: Any, monkeypatch: Any) -> None:
    make_circle(store)
    query, seen = store.query, []
    monkeypatch.setattr(
        store, "query", lambda sql, params=(): seen.append((sql, params)) or query(sql, params)
    )
    concerns.list_(store, open_only=True)
    concerns.list_(store, open_only=True, severity="red")
    monkeypatch.undo()
    for sql, params in seen:
        plan = " ".join(r["detail"] for r in store.query("EXPLAIN QUERY PLAN " + sql, params))
        assert "USING INDEX concerns_open" in plan, plan


# -- CLI -------------------------------------------------------------------------------------


def test_a_red_concern_reminds_to_tell_police_or_probation_now(
    cli: Cli, circle: CircleInfo
) -> None:
    result = cli(
        "concern", "add", circle.code, "--severity", "red", "--category", "access to children",
        "Seen near a school", "--on", "yesterday", "--raised-by", "Ann Able",
    )  # fmt: skip
    assert "Added red concern 1 for circle 1 (CM-0001)" in result.stderr
    assert "tell the police or probation now (999" in result.stderr
    (row,) = cli.json("concern", "list")
    assert row["severity"] == "red" and row["date"] == days_ago(1) and row["status"] == "open"
    assert row["member_code"] == "CM-0001" and row["escalation_count"] == 0
    amber = cli("concern", "add", "1", "--severity", "amber", "--category", "other", "t")
    assert "999" not in amber.stderr
    cli("audit", "verify")


def test_concern_list_filters_open_and_severity_most_urgent_first(
    cli: Cli, circle: CircleInfo
) -> None:
    for severity, day in (("green", "-5d"), ("amber", "-4d"), ("red", "-1d"), ("red", "-3d")):
        _add(cli, "--on", day, severity=severity)
    cli("concern", "close", "4", "--note", "Dealt with by probation")
    rows = cli.json("concern", "list")
    assert [(r["id"], r["status"]) for r in rows] == [
        (3, "open"), (2, "open"), (1, "open"), (4, "closed"),
    ]  # fmt: skip
    assert [r["id"] for r in cli.json("concern", "list", "--open")] == [3, 2, 1]
    assert [r["id"] for r in cli.json("concern", "list", "1", "--open", "--severity", "RED")] == [3]
    csv = cli("concern", "list", "--csv").stdout.splitlines()
    assert csv[0].startswith("id,member_code,circle_id,date,severity")
    assert len(csv) == 5
    cli("concern", "list", "--severity", "pink", code=1)


def test_escalation_records_basis_and_response_time(cli: Cli, circle: CircleInfo) -> None:
    _add(cli, "--on", "-2d", severity="red")
    cli(
        "concern", "escalate", "1", "--recipient", "pat", "--via", "secure_email",
        "--at", f"{days_ago(2)} 09:30", "--shared", "What was seen", "--basis", "legal duty",
        "--response", "Home visit booked", "--response-at", f"{days_ago(2)} 15:00",
    )  # fmt: skip
    detail = cli.json("concern", "show", "1")
    ConcernDetail.model_validate(detail)
    (esc,) = detail["escalations"]
    assert (esc["professional_name"], esc["via"], esc["basis"], esc["response_hours"]) == (
        "Pat Probation", "secure email", "legal duty", 5.5,
    )  # fmt: skip
    assert esc["at"] == f"{days_ago(2)} 09:30:00"
    assert detail["escalation_count"] == 1
    shown = cli("concern", "show", "1").stdout
    assert "Escalations" in shown and "Pat Probation" in shown and "5.5" in shown
    cli("audit", "verify")


def test_without_consent_a_basis_is_required_and_consent_cannot_be_claimed(
    cli: Cli, circle: CircleInfo, ws_home: Path
) -> None:
    _add(cli, "--on", "-2d")
    before = head(cli)
    result = cli("concern", "escalate", "1", "--recipient", "Paul", "--via", "phone", code=1)
    one_error_line(result, "--basis is required: CM-0001 has no consent covering Paul Police")
    result = cli(
        "concern",
        "escalate",
        "1",
        "--recipient",
        "Paul",
        "--via",
        "phone",
        "--basis",
        "consent",
        code=1,
    )
    one_error_line(result, "--basis consent: CM-0001 has no consent covering Paul Police")
    assert head(cli) == before
    with workspace_store(ws_home) as store:
        members.consent(store, circle.code, "Thames Valley Police", on="-10d")
    cli("concern", "escalate", "1", "--recipient", "Paul", "--via", "phone")
    assert cli.json("concern", "show", "1")["escalations"][0]["basis"] == "consent"


def test_respond_takes_the_concern_number_and_answers_its_latest_escalation(
    cli: Cli, circle: CircleInfo
) -> None:
    _add(cli, "--on", "-3d")  # concern 1, no escalation yet
    before = head(cli)
    one_error_line(cli("concern", "respond", "1", "x", code=1), "concern 1 has no escalation")
    assert head(cli) == before
    _add(cli, "--on", "-3d")  # concern 2
    for at in ("-3d 10:00", "-2d 10:00"):
        cli("concern", "escalate", "2", "--recipient", "Pat", "--via", "phone",
            "--basis", "public task", "--at", at)  # fmt: skip
    cli(
        "concern",
        "escalate",
        "1",
        "--recipient",
        "Pat",
        "--via",
        "phone",
        "--basis",
        "public task",
        "--at",
        "-1d 09:00",
    )  # fmt: skip  (escalation 3)
    before = head(cli)
    one_error_line(
        cli("concern", "respond", "2", "x", "--escalation", "3", code=1),
        "escalation 3 is not one of concern 2's escalations",
    )
    assert head(cli) == before
    cli("concern", "respond", "2", "Seen the next day")
    first, latest = cli.json("concern", "show", "2")["escalations"]
    assert (first["response"], latest["response"]) == (None, "Seen the next day")
    cli("concern", "respond", "2", "Late reply", "--escalation", "1")
    assert cli.json("concern", "show", "2")["escalations"][0]["response"] == "Late reply"


def test_a_response_is_recorded_later_once(cli: Cli, circle: CircleInfo) -> None:
    _add(cli, "--on", "-1d")
    cli("concern", "escalate", "1", "--recipient", "Pat", "--via", "phone", "--basis", "public task",
        "--at", "-1d 10:00")  # fmt: skip
    assert cli.json("concern", "show", "1")["escalations"][0]["response"] is None
    cli("concern", "respond", "1", "Will raise at MAPPA", "--at", "-1d 12:15")
    esc = cli.json("concern", "show", "1")["escalations"][0]
    assert (esc["response"], esc["response_hours"]) == ("Will raise at MAPPA", 2.2)
    before = head(cli)
    one_error_line(cli("concern", "respond", "1", "Again", code=1), "escalation 1 already has")
    assert head(cli) == before


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--recipient", "Nobody", "--via", "phone", "--basis", "override"], "no pro matches 'Nobody'"),
        (["--recipient", "Pat", "--via", "pigeon", "--basis", "override"], "invalid --via 'pigeon'"),
        (["--recipient", "Pat", "--via", "phone", "--basis", "whim"], "invalid --basis 'whim'"),
        (["--recipient", "Pat", "--via", "phone", "--basis", "override", "--at", "+1d"], "invalid --at"),
        (["--recipient", "Pat", "--via", "phone", "--basis", "override", "--at", "-9d"],
         "invalid --at"),
        (["--recipient", "Pat", "--via", "phone", "--basis", "override", "--response-at", "-1d"],
         "--response-at goes with --response"),
        (["--recipient", "Pat", "--via", "phone", "--basis", "override", "--at", "-1d 10:00",
          "--response", "ok", "--response-at", "-1d 09:00"], "invalid --response-at"),
    ],
)  # fmt: skip
def test_bad_escalations_are_refused_and_write_nothing(
    cli: Cli, circle: CircleInfo, args: list[str], error: str
) -> None:
    _add(cli, "--on", "-2d")
    before = head(cli)
    one_error_line(cli("concern", "escalate", "1", *args, code=1), error)
    assert head(cli) == before


def test_concerns_are_append_only_corrections_are_notes(cli: Cli, circle: CircleInfo) -> None:
    _add(cli, "--on", "-3d")
    before = head(cli)
    for verb in ("edit", "delete", "remove"):
        result = cli("concern", verb, "1", "--text", "changed", code=2)
        assert f"No such command '{verb}'" in result.stderr
    assert head(cli) == before
    cli("concern", "note", "1", "Correction: it was beer, not wine", "--on", "-2d")
    cli("concern", "close", "1", "--note", "Discussed; seen by the worker", "--on", "yesterday")
    before = head(cli)
    result = cli("concern", "close", "1", "--note", "again", code=1)
    one_error_line(result, "concern 1 is already closed")
    assert head(cli) == before
    cli("concern", "note", "1", "Late addition after closing")
    detail = cli.json("concern", "show", "1")
    assert detail["text"] == "Smelt of alcohol at the meeting"
    assert [n["text"] for n in detail["notes"]] == [
        "Correction: it was beer, not wine", "Late addition after closing",
    ]  # fmt: skip
    assert (detail["status"], detail["closed_on"], detail["closed_note"]) == (
        "closed", days_ago(1), "Discussed; seen by the worker",
    )  # fmt: skip
    cli("audit", "verify")


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (["add", "9", "--severity", "red", "--category", "other", "t"], 1,
         "circle 9 not found"),
        (["add", "CM-0042", "--severity", "red", "--category", "other", "t"], 1,
         "no core member CM-0042"),
        (["add", "1", "--severity", "red", "--category", "other"], 2, None),
        (["add", "1", "--severity", "red", "--category", "other", "t", "--on",
          "2026-13-01"], 1, "invalid --on '2026-13-01'"),
        (["add", "1", "--severity", "red", "--category", "other", "t", "--meeting",
          "x"], 2, None),
        (["show", "99"], 1, "concern 99 not found"),
        (["note", "99", "text"], 1, "concern 99 not found"),
        (["note", "1", "  "], 1, "note text must not be empty"),
        (["note", "1", "x", "--on", "-30d"], 1, "invalid --on"),
        (["close", "1", "--note", " "], 1, "--note must not be empty"),
        (["close", "1", "--note", "x", "--on", "-30d"], 1, "invalid --on"),
        (["close", "abc", "--note", "x"], 1, "invalid concern number 'abc'"),
    ],
)  # fmt: skip
def test_bad_concern_commands_fail_in_one_line_and_write_nothing(
    cli: Cli, circle: CircleInfo, args: list[str], code: int, error: str | None
) -> None:
    _add(cli, "--on", "-3d")
    before = head(cli)
    result = cli("concern", *args, code=code)
    if error:
        one_error_line(result, error)
    assert head(cli) == before


def test_search_finds_concern_note_and_escalation_words(
    cli: Cli, circle: CircleInfo, ws_home: Path
) -> None:
    _add(cli, "--on", "-3d")
    cli("concern", "note", "1", "Landlord phoned about noise")
    cli("concern", "escalate", "1", "--recipient", "Pat", "--via", "phone", "--basis", "override",
        "--shared", "Drinking again", "--response", "Breathalyser arranged")  # fmt: skip
    cli("concern", "close", "1", "--note", "Abstinent since")
    with workspace_store(ws_home) as store:
        found = {
            word: [(h["record_type"], h["record_id"]) for h in search.search(store, word)]
            for word in ("alcohol", "landlord", "breathalyser", "abstinent")
        }
        store.conn.execute("INSERT INTO search_index (search_index) VALUES ('integrity-check')")
    assert found == {
        "alcohol": [("concern", 1)],
        "landlord": [("concern_note", 1)],
        "breathalyser": [("escalation", 1)],
        "abstinent": [("concern", 1)],
    }


# -- void: a concern recorded in error -------------------------------------------------------


def test_a_void_concern_leaves_the_lists_and_search_and_keeps_its_reason(
    cli: Cli, circle: CircleInfo, ws_home: Path
) -> None:
    _add(cli, "--on", "-3d")
    _add(cli, "--on", "-2d", severity="red")
    cli("concern", "note", "2", "Landlord phoned about noise")
    result = cli("concern", "void", "2", "--reason", "typed twice")
    assert "Voided concern 2" in result.stderr
    assert [c["id"] for c in cli.json("concern", "list")] == [1]
    assert [c["id"] for c in cli.json("concern", "list", "--open")] == [1]
    listed = cli.json("concern", "list", "--all")
    assert [(c["id"], c["status"], c["void_reason"]) for c in listed] == [
        (1, "open", None), (2, "void", "typed twice"),
    ]  # fmt: skip
    detail = cli.json("concern", "show", "2")
    assert (detail["status"], detail["void_reason"]) == ("void", "typed twice")
    shown = cli("concern", "show", "2").stdout
    assert "VOID (recorded in error)" in shown and "typed twice" in shown
    with workspace_store(ws_home) as store:
        assert [h["record_id"] for h in search.search(store, "alcohol")] == [1]
        assert search.search(store, "landlord") == []
        voids = store.query("SELECT record_id, fields FROM audit WHERE action = 'concern.void'")
    assert [v["record_id"] for v in voids] == [2]
    cli("audit", "verify")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["void", "1"], "--reason is required"),
        (["void", "1", "--reason", "  "], "--reason is required"),
        (["void", "2", "--reason", "again"], "concern 2 is already void (typed twice)"),
        (["void", "3", "--reason", "wrong circle"],
         "concern 3 was escalated (1 escalation): that happened, so it cannot be void"),
        (["void", "99", "--reason", "x"], "concern 99 not found"),
        (["note", "2", "more"], "concern 2 is void (recorded in error: typed twice);"
         " cannot add a note"),
        (["close", "2", "--note", "x"], "concern 2 is void (recorded in error: typed twice);"
         " cannot close it"),
        (["escalate", "2", "--recipient", "Pat", "--via", "phone", "--basis", "override"],
         "concern 2 is void (recorded in error: typed twice); cannot record an escalation"),
    ],
)  # fmt: skip
def test_bad_voids_and_writes_to_a_void_concern_fail_in_one_line_and_write_nothing(
    cli: Cli, circle: CircleInfo, args: list[str], error: str
) -> None:
    _add(cli, "--on", "-3d")
    _add(cli, "--on", "-3d")
    _add(cli, "--on", "-3d")
    cli("concern", "void", "2", "--reason", "typed twice")
    cli("concern", "escalate", "3", "--recipient", "Pat", "--via", "phone", "--basis", "override")
    before = head(cli)
    result = cli("concern", *args, code=1)
    one_error_line(result, error)
    assert head(cli) == before


def test_an_escalated_concern_cannot_be_voided_and_is_told_to_note_or_close(
    cli: Cli, circle: CircleInfo
) -> None:
    _add(cli, "--on", "-3d")
    cli("concern", "escalate", "1", "--recipient", "Pat", "--via", "phone", "--basis", "override")
    result = cli("concern", "void", "1", "--reason", "wrong circle", code=1)
    assert "cosa concern note 1" in result.stderr and "cosa concern close 1" in result.stderr


def test_a_concern_of_a_transferred_circle_cannot_be_voided(store: Any) -> None:
    info = make_circle(store)
    cid = concerns.add(store, info.id, severity="amber", category="other", text="t")
    with store.atomic():
        store.update("circles", "circle", info.id, {"status": "transferred"})
    before = store.audit_head()
    with pytest.raises(UserError, match="read-only here"):
        concerns.void(store, cid, reason="typed twice")
    assert store.audit_head() == before
    assert concerns.get(store, cid)["void_reason"] is None


def test_voiding_a_meeting_says_which_of_its_concerns_still_count(
    cli: Cli, circle: CircleInfo, ws_home: Path
) -> None:
    with workspace_store(ws_home) as store:
        mid = add_meeting(store, circle.id, days_ago(5))
        other = add_meeting(store, circle.id, days_ago(4))
    for _ in range(3):
        _add(cli, "--meeting", str(mid))
    cli("concern", "void", "2", "--reason", "typed twice")
    result = cli("meeting", "void", str(mid), "--reason", "wrong circle")
    assert "Concerns 1 and 3, raised at this meeting, still count" in result.stderr
    assert "cosa concern void N --reason" in result.stderr
    assert [c["id"] for c in cli.json("concern", "list")] == [1, 3]
    quiet = cli("meeting", "void", str(other), "--reason", "typed twice")
    assert "still count" not in quiet.stderr


def test_migration_m142_adds_the_void_reason_and_keeps_the_audit_verified(
    tmp_path: Path,
) -> None:
    from cosa import migrations

    from .upgrade import store_without

    with store_without(tmp_path, "m142") as store:
        info = make_circle(store)
        with store.atomic():
            store.insert(
                "concerns", "concern",
                {"circle_id": info.id, "date": days_ago(1), "severity": "red",
                 "category": "other", "text": "t"},
            )  # fmt: skip
        assert migrations.apply_migrations(store) == ["m142_concern_void"]
        assert store.scalar("SELECT void_reason FROM concerns") is None
        assert audit.verify(store).ok, audit.verify(store).problems
        assert [c["status"] for c in concerns.list_(store)] == ["open"]


def test_status_counts_only_the_standing_concerns_of_a_meeting_probation_is_to_be_told_of(
    store: Any,
) -> None:
    from cosa.domain import status

    info = make_circle(store)
    mid = add_meeting(store, info.id, days_ago(2))
    with store.atomic():
        store.update("meetings", "meeting", mid, {"notify_pp": 1})
    first = concerns.add(
        store, info.id, severity="amber", category="other", text="a", meeting_id=mid
    )
    concerns.add(store, info.id, severity="amber", category="other", text="b", meeting_id=mid)
    assert [r["concerns"] for r in status._probation_to_be_told(store)] == [2]
    concerns.void(store, first, reason="typed twice")
    assert [r["concerns"] for r in status._probation_to_be_told(store)] == [1]
    assert [c["id"] for c in status._concerns(store, date.today())] == [first + 1]
