"""Meetings: `cosa meeting add|list|show|edit|approve|amend`, prompts, the editor, bad input."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cosa import secrets_input
from cosa.domain import circles, meetings, members
from cosa.errors import UserError
from cosa.models import Meeting, MeetingDetail
from cosa.store import Store
from cosa.workspace import os_user
from tests.people import ready_volunteer

from .conftest import PASSPHRASE, Cli
from .weekly import days_ago, workspace_store

START = days_ago(100)


@dataclass
class World:
    circle: int
    code: str
    other: int
    other_code: str


def build(store: Store) -> World:
    """Circle 1 (CM-0001, Thursdays 18:30, 90 min, venue V-7): Ann Example, Bob Baker, Carol
    Jones. Circle 2 (CM-0002): Anna Outsider and Dan Other. Nobody else."""
    _, code = members.add(store, mappa_category=1, mappa_level=2)
    cid = circles.add(store, member=code, day="thursday", time="18:30", duration=90, venue="V-7")
    _, other_code = members.add(store, mappa_category=1, mappa_level=1)
    other = circles.add(store, member=other_code)
    for name in ("Ann Example", "Bob Baker", "Carol Jones", "Anna Outsider", "Dan Other"):
        ready_volunteer(store, name)
    for circle, names in ((cid, ("Ann Example", "Bob Baker", "Carol Jones")),
                          (other, ("Anna Outsider", "Dan Other"))):  # fmt: skip
        for name in names:
            circles.join(store, circle, name, on=START)
        circles.set_phase(store, circle, "phase 1", on=START)
    return World(cid, code, other, other_code)


@pytest.fixture
def world(initialised: Path) -> World:
    with workspace_store(initialised) as store:
        return build(store)


@pytest.fixture
def dworld(store: Store) -> World:
    return build(store)


def _head(cli: Cli) -> int:
    return int(cli.json("audit", "--limit", "1")[-1]["seq"])


def _add(cli: Cli, *args: str, input: str | None = None) -> int:
    result = cli("meeting", "add", *args, input=input)
    return int(result.stdout.split()[-1])


@pytest.fixture
def editor_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$EDITOR: appends a line under "## Check-in" and logs the path it was given.

    EDITOR_EXIT makes it fail; EDITOR_KEEP leaves the file unchanged."""
    log = tmp_path / "editor.log"
    script = tmp_path / "fake-editor"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$1" >> "{log}"\n'
        'if [ -n "$EDITOR_KEEP" ]; then exit 0; fi\n'
        'sed -i "s/^## Check-in$/## Check-in\\nCM spoke about the allotment and his sister./"'
        ' "$1"\n'
        'echo "Edited line." >> "$1"\n'
        'exit "${EDITOR_EXIT:-0}"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    return log


# -- meeting add: every field as a flag --------------------------------------------------------


def test_meeting_add_records_every_flag_and_prints_the_number_on_stdout(
    cli: Cli, world: World
) -> None:
    result = cli(
        "meeting", "add", world.code, "--on", days_ago(1), "--time", "19:00",
        "--duration", "1h30m", "--type", "Review", "--present", "ann, bob", "--apologies", "3",
        "--cm-attended", "late", "--late-reason", "bus was late", "--rag", "amber",
        "--notify-pp", "--venue", "V-9", "--minutes", "We talked about the allotment.",
        "--concern", "New girlfriend has children", "--concern", "Drinking again",
        "--concern-severity", "red", "--concern-category", "new relationship",
        "--action", "Ann to call the PP", "--action", "Bob to find the leaflet",
        "--owner", "Ann", "--due", "+7d",
    )  # fmt: skip
    assert result.stdout.strip() == "1"
    due = (date.today() + timedelta(days=1)).isoformat()
    assert result.stderr.strip() == (
        f"Recorded meeting 1 for CM-0001 on {days_ago(1)}; minutes due by {due} 19:00\n"
        "RED concern: tell the police or probation now (999 if someone is in immediate danger),"
        " then record it with `cosa concern escalate`."
    )
    m = cli.json("meeting", "show", "1")
    MeetingDetail.model_validate(m)
    assert {
        k: m[k]
        for k in (
            "circle_id",
            "member_code",
            "date",
            "time",
            "duration_minutes",
            "type",
            "venue",
            "cm_attended",
            "late_reason",
            "rag",
            "notify_pp",
            "minutes",
            "minutes_due_at",
        )
    } == {
        "circle_id": world.circle,
        "member_code": "CM-0001",
        "date": days_ago(1),
        "time": "19:00",
        "duration_minutes": 90,
        "type": "review",
        "venue": "V-9",
        "cm_attended": "late",
        "late_reason": "bus was late",
        "rag": "amber",
        "notify_pp": True,
        "minutes": "We talked about the allotment.",
        "minutes_due_at": f"{due} 19:00:00",
    }
    assert [(a["volunteer_name"], a["status"]) for a in m["attendance"]] == [
        ("Ann Example", "present"),
        ("Bob Baker", "present"),
        ("Carol Jones", "apologies"),
    ]
    assert [
        (c["text"], c["severity"], c["category"], c["date"], c["meeting_id"]) for c in m["concerns"]
    ] == [
        ("New girlfriend has children", "red", "new relationship", days_ago(1), 1),
        ("Drinking again", "red", "new relationship", days_ago(1), 1),
    ]
    plus7 = (date.today() + timedelta(days=7)).isoformat()
    assert [(a["text"], a["owner"], a["due"], a["meeting_id"]) for a in m["actions"]] == [
        ("Ann to call the PP", "Ann Example", plus7, 1),
        ("Bob to find the leaflet", "Ann Example", plus7, 1),
    ]
    assert [e["action"] for e in cli.json("audit", "--limit", "9")] == (
        ["meeting.add"] + ["attendance.add"] * 3 + ["concern.add"] * 2 + ["action.add"] * 2
        + ["view"]  # `meeting show` above
    )  # fmt: skip
    cli("audit", "verify")


def test_meeting_add_defaults_to_today_formal_and_the_circle_schedule(
    cli: Cli, world: World
) -> None:
    result = cli("meeting", "add", "1")
    assert result.stdout.strip() == "1"
    today = date.today()
    assert result.stderr.strip() == (
        f"Recorded meeting 1 for CM-0001 on {today}; minutes due by"
        f" {today + timedelta(days=2)} 18:30 (no minutes yet)"
    )
    m = cli.json("meeting", "show", "1")
    assert (m["date"], m["type"], m["time"], m["duration_minutes"], m["venue"]) == (
        today.isoformat(),
        "formal",
        "18:30",
        90,
        "V-7",
    )
    assert (m["cm_attended"], m["rag"], m["notify_pp"], m["minutes"], m["attendance"]) == (
        None,
        None,
        False,
        None,
        [],
    )
    assert m["minutes_state"] == "none"
    cli("audit", "verify")


def test_minutes_are_due_48_hours_after_the_meeting_or_after_the_day_without_a_time(
    store: Store, dworld: World
) -> None:
    assert meetings.due_at("2026-11-26", "18:30") == "2026-11-28 18:30:00"
    assert meetings.due_at("2026-11-26", None) == "2026-11-29 00:00:00"
    mid = meetings.add(store, dworld.other_code, date="2026-11-26", today=date(2026, 11, 27))
    assert meetings.get(store, mid)["minutes_due_at"] == "2026-11-29 00:00:00"


def test_weekday_names_mean_the_last_such_day_and_the_future_is_refused(
    store: Store, dworld: World
) -> None:
    thursday = date(2026, 11, 26)
    assert meetings.meeting_day("mon", today=thursday) == "2026-11-23"
    assert meetings.meeting_day("thursday", today=thursday) == "2026-11-19"  # before today
    assert meetings.meeting_day("today", today=thursday) == "2026-11-26"
    assert meetings.meeting_day(None, today=thursday) == "2026-11-26"
    with pytest.raises(UserError, match="--on 2026-11-27 is in the future"):
        meetings.meeting_day("tomorrow", today=thursday)


def test_present_accepts_names_prefixes_numbers_and_all_matching_this_circle_first(
    cli: Cli, world: World
) -> None:
    # "an" alone is ambiguous among all volunteers (Ann Example, Anna Outsider) but not in
    # circle 1, whose only Ann is Ann Example.
    cli("volunteer", "show", "an", code=1)
    mid = _add(cli, "1", "--present", "an,#2", "--apologies", "CAROL J")
    names = [(a["volunteer_id"], a["status"]) for a in cli.json("meeting", "show", str(mid))[
        "attendance"]]  # fmt: skip
    assert sorted(names) == [(1, "present"), (2, "present"), (3, "apologies")]
    mid = _add(cli, "1", "--present", "all", "--force")
    assert len(cli.json("meeting", "show", str(mid))["attendance"]) == 3
    mid = _add(cli, "1", "--present", "all", "--apologies", "bob", "--force")
    names = [(a["volunteer_id"], a["status"]) for a in cli.json("meeting", "show", str(mid))[
        "attendance"]]  # fmt: skip
    assert sorted(names) == [(1, "present"), (2, "apologies"), (3, "present")]
    mid = _add(cli, "1", "--present", "none", "--apologies", "all", "--force")
    shown = cli.json("meeting", "show", str(mid))
    assert {a["status"] for a in shown["attendance"]} == {"apologies"}
    assert shown["absent"] == []


def test_attendance_must_be_members_of_the_circle_on_the_meeting_day(
    store: Store, dworld: World
) -> None:
    with pytest.raises(UserError) as err:
        meetings.add(store, 1, present="ann,Dan,anna")
    assert err.value.message == (
        f"--present: not a member of circle 1 (CM-0001) on {date.today()}:"
        " 5 Dan Other, 4 Anna Outsider"
    )
    assert "1 Ann Example, 2 Bob Baker, 3 Carol Jones" in (err.value.hint or "")
    with pytest.raises(UserError, match=f"not a member of circle 1 .CM-0001. on {days_ago(100)}"):
        meetings.add(store, 1, date=days_ago(100), present="dan")
    with pytest.raises(UserError, match=f"started on {START}; a meeting on {days_ago(101)}"):
        meetings.add(store, 1, date=days_ago(101), present="ann")
    circles.leave(store, 1, "bob", on=days_ago(10))
    assert meetings.add(store, 1, date=days_ago(10), present="bob")
    with pytest.raises(UserError, match=r"not a member .* 2 Bob Baker"):
        meetings.add(store, 1, date=days_ago(9), present="bob")
    with pytest.raises(UserError, match="listed both present and with apologies: 1 Ann"):
        meetings.add(store, 1, present="ann", apologies="1")


def test_a_failure_after_the_meeting_row_leaves_nothing_behind(
    store: Store, dworld: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa.domain import actions

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(actions, "add", broken)
    head = store.audit_head()
    with pytest.raises(RuntimeError):
        meetings.add(store, 1, present="ann", minutes="Allotment talk", concerns=["x"],
                     actions=["y"])  # fmt: skip
    assert store.audit_head() == head
    for table in ("meetings", "meeting_attendance", "concerns", "actions", "search_index"):
        assert store.scalar(f"SELECT count(*) FROM {table}") == 0


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["CM-0099"], "Error: no core member CM-0099"),
        (["99"], "Error: circle 99 not found"),
        (["1", "--present", "Zed"], "Error: no volunteer matches 'Zed'"),
        (["1", "--present", "ann,dan"], "Error: --present: not a member of circle 1"),
        (["1", "--apologies", "4"], "Error: --apologies: not a member of circle 1"),
        (["1", "--cm-attended", "maybe"], "Error: invalid --cm-attended 'maybe'"),
        (["1", "--rag", "purple"], "Error: invalid --rag 'purple'"),
        (["1", "--type", "party"], "Error: invalid --type 'party'"),
        (["1", "--on", "2026-02-30"], "Error: invalid --on '2026-02-30': day is out of range"),
        (["1", "--on", "tomorrow"], "is in the future"),
        (["1", "--time", "25:00"], "Error: invalid --time '25:00'"),
        (["1", "--duration", "-5"], "Error: invalid --duration '-5'"),
        (["1", "--late-reason", "bus"], "Error: --late-reason goes with --cm-attended late"),
        (["1", "--cm-attended", "yes", "--no-meeting-reason", "ill"], "goes with --cm-attended no"),
        (["1", "--minutes", "a", "--minutes-file", "-"], "give --minutes or --minutes-file"),
        (["1", "--minutes", "  "], "Error: --minutes must not be empty"),
        (["1", "--minutes-file", "/nonexistent/m.txt"], "Error: minutes file not found"),
        (["1", "--minutes-file", "-"], "Error: no minutes in standard input (it is empty)"),
        (["1", "--concern", "x", "--concern-category", "weather"], "invalid --concern-category"),
        (["1", "--concern", "x", "--concern-severity", "pink"], "invalid --concern-severity"),
        (["1", "--concern-severity", "red"], "go with --concern TEXT"),
        (["1", "--concern", " "], "Error: --concern must not be empty"),
        (["1", "--owner", "Ann"], "Error: --owner and --due go with --action TEXT"),
        (["1", "--action", "x", "--due", "2026-13-01"], "Error: invalid --due"),
    ],
)
def test_bad_input_is_one_line_exit_1_and_writes_nothing(
    cli: Cli, world: World, args: list[str], error: str
) -> None:
    head = _head(cli)
    result = cli("meeting", "add", *args, input="", code=1)
    assert error in result.stderr
    assert result.stderr.splitlines()[0].startswith("Error: ")
    assert len(result.stderr.splitlines()) <= 2  # Error: … and maybe Hint: …
    assert result.stdout == ""
    assert _head(cli) == head
    assert cli.json("meeting", "list") == []


def test_malformed_usage_is_exit_2(cli: Cli, world: World) -> None:
    assert "Missing argument" in cli("meeting", "add", code=2).stderr
    assert "No such option" in cli("meeting", "add", "1", "--colour", "x", code=2).stderr
    cli("meeting", "list", "--limit", "-1", code=2)


def test_an_ended_circle_takes_no_meetings_after_its_end(store: Store, dworld: World) -> None:
    circles.end(store, 2, on=days_ago(5), reason="completed")
    assert meetings.add(store, 2, date=days_ago(5))
    with pytest.raises(UserError, match=r"ended on .*; a meeting on .* cannot be recorded"):
        meetings.add(store, 2, date=days_ago(4))


# -- minutes from files and stdin ----------------------------------------------------------------


def test_minutes_come_from_a_file_or_stdin(cli: Cli, world: World, tmp_path: Path) -> None:
    path = tmp_path / "minutes.md"
    path.write_text("## Check-in\r\nAll well.  \r\n\r\n", encoding="utf-8")
    mid = _add(cli, "1", "--minutes-file", str(path))
    assert cli.json("meeting", "show", str(mid))["minutes"] == "## Check-in\nAll well."
    mid = _add(cli, "1", "--minutes-file", "-", "--force", input="Zoë was there.\n")
    assert cli.json("meeting", "show", str(mid))["minutes"] == "Zoë was there."
    cli("audit", "verify")


# -- list and show -----------------------------------------------------------------------------


def test_list_is_most_recent_first_with_filters_and_minutes_states(cli: Cli, world: World) -> None:
    late = _add(cli, "1", "--on", days_ago(10))
    draft = _add(cli, "1", "--on", "today", "--minutes", "draft text")
    approved = _add(cli, "1", "--on", days_ago(1), "--minutes", "ok", "--type", "social")
    cli("meeting", "approve", str(approved))
    none = _add(cli, "2", "--cm-attended", "no", "--rag", "red")
    rows = cli.json("meeting", "list")
    for row in rows:
        Meeting.model_validate(row)
    assert [(r["id"], r["minutes_state"]) for r in rows] == [
        (none, "none"),
        (draft, "draft"),
        (approved, "approved"),
        (late, "late"),
    ]
    assert [r["id"] for r in cli.json("meeting", "list", "CM-0001")] == [draft, approved, late]
    assert [r["id"] for r in cli.json("meeting", "list", "--type", "social")] == [approved]
    assert [r["id"] for r in cli.json("meeting", "list", "--from", "-2d", "--to", "yesterday")] == [
        approved
    ]
    assert [r["id"] for r in cli.json("meeting", "list", "--to", days_ago(5))] == [late]
    text = cli("meeting", "list").stdout.splitlines()
    assert text[0].split() == ["#", "Circle", "Date", "Type", "CM", "attended", "RAG", "Minutes",
                               "State"]  # fmt: skip
    assert text[1].split() == [str(none), "CM-0002", str(date.today()), "formal", "no", "red",
                               "none", "held"]  # fmt: skip
    csv = cli("meeting", "list", "--csv").stdout.splitlines()
    assert csv[0] == "id,member_code,date,type,cm_attended,rag,minutes_state,state"
    assert csv[-1] == f"{late},CM-0001,{days_ago(10)},formal,,,late,held"
    result = cli("meeting", "list", "--limit", "2")
    assert len(result.stdout.splitlines()) == 3
    assert "showing the 2 most recent; --limit 0 shows all" in result.stderr
    assert len(cli.json("meeting", "list", "--limit", "0")) == 4
    cli("meeting", "list", "--from", "today", "--to", "-1d", code=1)
    assert "no meetings" in cli("meeting", "list", "--type", "prison").stderr


def test_list_uses_the_indexes(store: Store, dworld: World) -> None:
    def plan(sql: str, params: dict[str, Any]) -> str:
        return " ".join(r["detail"] for r in store.query("EXPLAIN QUERY PLAN " + sql, params))

    sql = meetings._SELECT + " WHERE m.circle_id = :c ORDER BY m.date DESC, m.id DESC LIMIT 5"
    detail = plan(sql, {"c": 1, "now": "x"})
    assert "meetings_circle_date" in detail and "TEMP B-TREE" not in detail
    detail = plan(meetings._SELECT + " ORDER BY m.date DESC, m.id DESC LIMIT 5", {"now": "x"})
    assert "meetings_date" in detail and "TEMP B-TREE" not in detail


def test_show_prints_attendance_concerns_actions_minutes_and_amendments(
    cli: Cli, world: World
) -> None:
    mid = _add(
        cli, "1", "--present", "ann,bob", "--apologies", "carol", "--cm-attended", "late",
        "--late-reason", "bus", "--minutes", "Line one.\nLine two.", "--concern", "Worried",
        "--action", "Call PP", "--owner", "Ann",
    )  # fmt: skip
    cli("meeting", "approve", str(mid), "--rag", "green")
    cli("--operator", "Cora Ordinator", "meeting", "amend", str(mid), "--text", "Line 2 was wrong.",
        "--reason", "typo")  # fmt: skip
    out = cli("meeting", "show", str(mid)).stdout
    assert "Core member  late: bus" in out
    assert "Present      Ann Example, Bob Baker" in out
    assert "Apologies    Carol Jones" in out
    assert "RAG          green" in out
    assert "Concerns raised" in out and "Worried" in out
    assert "Actions agreed" in out and "Call PP" in out
    assert "Minutes\nLine one.\nLine two.\n" in out
    assert (
        "\nAmendments\n1. " in out
        and f" by {os_user()} (as Cora Ordinator) — typo\n   Line 2 was wrong.\n" in out
    )
    shown = cli.json("meeting", "show", str(mid))
    assert [(a["text"], a["reason"], a["created_by"]) for a in shown["amendments"]] == [
        ("Line 2 was wrong.", "typo", f"{os_user()} (as Cora Ordinator)")
    ]
    cli("meeting", "show", "99", code=1)
    cli("meeting", "show", "x", code=1)


# -- edit, approve, amend ----------------------------------------------------------------------


def test_edit_changes_fields_replaces_attendance_and_clears_with_empty_text(
    cli: Cli, world: World
) -> None:
    mid = str(_add(cli, "1", "--present", "ann", "--apologies", "bob", "--cm-attended", "late",
                   "--late-reason", "bus", "--minutes", "first draft"))  # fmt: skip
    result = cli("meeting", "edit", mid, "--present", "ann,bob", "--cm-attended", "yes",
                 "--time", "", "--minutes", "second draft", "--no-notify-pp", "--notify-pp")  # fmt: skip
    assert result.stderr.strip() == f"Updated meeting {mid} (CM-0001, {date.today()})."
    m = cli.json("meeting", "show", mid)
    assert sorted((a["volunteer_name"], a["status"]) for a in m["attendance"]) == [
        ("Ann Example", "present"),
        ("Bob Baker", "present"),
    ]
    assert (m["cm_attended"], m["late_reason"], m["time"], m["minutes"], m["notify_pp"]) == (
        "yes",
        None,
        None,
        "second draft",
        True,
    )
    assert m["minutes_due_at"] == f"{date.today() + timedelta(days=3)} 00:00:00"
    cli("meeting", "edit", mid, "--on", days_ago(3), "--concern", "Late-found worry",
        "--action", "Follow up")  # fmt: skip
    m = cli.json("meeting", "show", mid)
    assert m["date"] == days_ago(3) and m["minutes_state"] == "late"
    assert [c["date"] for c in m["concerns"]] == [days_ago(3)]
    assert [a["text"] for a in m["actions"]] == ["Follow up"]
    assert "nothing changed" in cli("meeting", "edit", mid, "--rag", "").stderr
    cli("meeting", "edit", mid, "--minutes", "")
    assert cli.json("meeting", "show", mid)["minutes"] is None
    assert "nothing to change" in cli("meeting", "edit", mid, code=1).stderr
    cli("audit", "verify")


def test_edit_to_a_date_before_someone_joined_is_refused(cli: Cli, world: World) -> None:
    mid = str(_add(cli, "1", "--present", "ann"))
    head = _head(cli)
    result = cli("meeting", "edit", mid, "--on", days_ago(200), code=1)
    assert f"started on {START}" in result.stderr
    cli("circle", "join", "1", "Dan Other", "--on", days_ago(10))
    head = _head(cli)
    result = cli("meeting", "edit", mid, "--present", "dan", "--on", days_ago(20), code=1)
    assert result.stderr.startswith("Error: --present: not a member of circle 1")
    assert _head(cli) == head


def test_approve_needs_minutes_and_makes_the_meeting_immutable(cli: Cli, world: World) -> None:
    mid = str(_add(cli, "1"))
    assert "has no minutes to approve" in cli("meeting", "approve", mid, code=1).stderr
    cli("meeting", "edit", mid, "--minutes", "Checked in.")
    result = cli("--operator", "Cora", "meeting", "approve", mid, "--rag", "amber")
    assert result.stderr.strip() == (
        f"Approved the minutes of meeting {mid} (CM-0001, {date.today()}); RAG amber"
    )
    m = cli.json("meeting", "show", mid)
    assert (m["approved_by"], m["rag"], m["minutes_state"]) == (
        f"{os_user()} (as Cora)",
        "amber",
        "approved",
    )
    assert m["approved_at"][:10] == date.today().isoformat()
    head = _head(cli)
    for args in (["--minutes", "changed"], ["--rag", "red"], ["--present", "ann"]):
        result = cli("meeting", "edit", mid, *args, code=1)
        assert "approved minutes are immutable; use `cosa meeting amend`" in result.stderr
    assert "was approved on" in cli("meeting", "approve", mid, code=1).stderr
    assert _head(cli) == head
    cli("audit", "verify")


def test_amend_is_only_for_approved_minutes_and_keeps_a_history(cli: Cli, world: World) -> None:
    mid = str(_add(cli, "1", "--minutes", "Original."))
    assert "not approved yet" in cli("meeting", "amend", mid, "x", code=1).stderr
    cli("meeting", "approve", mid)
    assert "--reason is required" in cli("meeting", "amend", mid, "x", code=1).stderr
    assert (
        "the correction is required" in cli("meeting", "amend", mid, "--reason", "r", code=1).stderr
    )
    assert "must not be empty" in cli("meeting", "amend", mid, " ", "--reason", "r",
                                      code=1).stderr  # fmt: skip
    cli("--operator", "First", "meeting", "amend", mid, "One.", "--reason", "typo")
    cli("--operator", "Second", "meeting", "amend", mid, "Two.", "--reason", "PP asked")
    m = cli.json("meeting", "show", mid)
    assert m["minutes"] == "Original."
    assert [(a["text"], a["reason"], a["created_by"]) for a in m["amendments"]] == [
        ("One.", "typo", f"{os_user()} (as First)"),
        ("Two.", "PP asked", f"{os_user()} (as Second)"),
    ]
    actions = [e["action"] for e in cli.json("audit", "--limit", "3")]
    assert actions == ["amendment.add"] * 2 + ["view"]  # `meeting show` above
    cli("audit", "verify")


def test_minutes_due_lists_unapproved_meetings_with_a_late_flag(
    store: Store, dworld: World
) -> None:
    today = date(2026, 11, 26)
    a = meetings.add(store, 1, date="2026-11-20", time="18:00", today=today)
    b = meetings.add(store, 2, date="2026-11-25", minutes="draft", today=today)
    c = meetings.add(store, 1, date="2026-11-24", minutes="done", today=today)
    meetings.approve(store, c)
    rows = meetings.minutes_due(store, datetime(2026, 11, 26, 12, 0))
    assert [
        (r["id"], r["member_code"], r["minutes_due_at"], r["has_minutes"], r["late"]) for r in rows
    ] == [
        (a, "CM-0001", "2026-11-22 18:00:00", False, True),
        (b, "CM-0002", "2026-11-28 00:00:00", True, False),
    ]
    assert [r["late"] for r in meetings.minutes_due(store, datetime(2026, 11, 28, 0, 0, 1))] == [
        True,
        True,
    ]
    plan = " ".join(
        r["detail"]
        for r in store.query(
            "EXPLAIN QUERY PLAN SELECT id FROM meetings WHERE approved_at IS NULL"
            " AND state = 'held' ORDER BY minutes_due_at"
        )
    )
    assert "meetings_unapproved" in plan


# -- the prompt path (a faked terminal) --------------------------------------------------------


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secrets_input, "interactive", lambda: True)


def test_on_a_terminal_missing_fields_are_asked_for_and_the_editor_opens(
    cli: Cli, world: World, tty: None, editor_script: Path
) -> None:
    answers = "\n".join(["party", "social", "ann, bob", "dan", "carol", "late", "the bus",
                         "amber"]) + "\n"  # fmt: skip
    result = cli("meeting", "add", "1", "--on", days_ago(1), input=answers)
    assert result.stdout.split()[-1] == "1"
    err = result.stderr
    assert "Meeting type (formal, review, social, emergency, briefing, prison) [formal]:" in err
    assert "Error: invalid --type 'party'; choose one of" in err
    assert "Members of circle 1 (CM-0001) on" in err and "1 Ann Example, 2 Bob Baker" in err
    assert "Error: apologies: not a member of circle 1" in err
    assert "Did the core member attend (yes, late, no) [yes]:" in err
    assert "Recorded meeting 1 for CM-0001" in err
    m = cli.json("meeting", "show", "1")
    assert (m["type"], m["cm_attended"], m["late_reason"], m["rag"]) == (
        "social",
        "late",
        "the bus",
        "amber",
    )
    assert sorted((a["volunteer_name"], a["status"]) for a in m["attendance"]) == [
        ("Ann Example", "present"),
        ("Bob Baker", "present"),
        ("Carol Jones", "apologies"),
    ]
    # the template's sections left empty are dropped
    assert m["minutes"] == (
        "## Check-in\nCM spoke about the allotment and his sister.\n\n## Next meeting\nEdited line."
    )
    assert "# Minutes" not in m["minutes"] and "Lines starting" not in m["minutes"]
    cli("audit", "verify")


def test_on_a_terminal_defaults_are_taken_with_enter_and_an_unchanged_template_is_no_minutes(
    cli: Cli, world: World, tty: None, editor_script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR_KEEP", "1")
    result = cli("meeting", "add", "1", input="\n\n\n\n\n")
    assert "Apologies" not in result.stderr  # everyone was present
    assert "(no minutes yet)" in result.stderr or "(late already)" in result.stderr
    m = cli.json("meeting", "show", "1")
    # the date defaults to the circle's last scheduled day (Thursdays) with no record
    day = date.fromisoformat(m["date"])
    assert day.weekday() == 3 and 0 <= (date.today() - day).days < 7
    assert (m["type"], m["cm_attended"], m["rag"], m["minutes"]) == ("formal", "yes", None, None)
    assert len(m["attendance"]) == 3
    assert len(editor_script.read_text().splitlines()) == 1


def test_on_a_terminal_given_fields_are_not_asked_and_no_prompt_skips_everything(
    cli: Cli, world: World, tty: None, editor_script: Path
) -> None:
    result = cli("meeting", "add", "1", "--on", "today", "--type", "formal", "--present", "ann",
                 "--cm-attended", "yes", "--rag", "green", "--minutes", "Given.")  # fmt: skip
    assert "Meeting type" not in result.stderr and "Present" not in result.stderr
    assert "Date of the meeting" not in result.stderr
    assert not editor_script.exists()
    cli("meeting", "add", "1", "--no-prompt", "--force")
    assert not editor_script.exists()
    assert cli.json("meeting", "show", "2")["cm_attended"] is None


def test_ctrl_c_or_end_of_input_at_a_prompt_exits_130_and_records_nothing(
    cli: Cli, world: World, tty: None, editor_script: Path
) -> None:
    head = _head(cli)
    result = cli("meeting", "add", "1", input="formal\n", code=130)
    assert result.stderr.strip().endswith("cancelled")
    assert _head(cli) == head
    assert not editor_script.exists()


def test_an_editor_failure_records_nothing(
    cli: Cli, world: World, tty: None, editor_script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR_EXIT", "3")
    head = _head(cli)
    result = cli("meeting", "add", "1", "--on", "today", "--type", "formal", "--present", "ann",
                 "--cm-attended", "yes", "--rag", "green", code=1)  # fmt: skip
    assert "the editor exited with status 3; nothing was saved" in result.stderr
    assert _head(cli) == head
    tmp = Path(editor_script.read_text().strip())
    assert not tmp.exists() and not tmp.parent.exists()


def test_edit_with_no_options_on_a_terminal_opens_the_minutes_in_the_editor(
    cli: Cli, world: World, tty: None, editor_script: Path
) -> None:
    mid = str(_add(cli, "1", "--no-prompt", "--minutes", "Kept line."))
    cli("meeting", "edit", mid)
    assert cli.json("meeting", "show", mid)["minutes"] == "Kept line.\nEdited line."
    cli("meeting", "approve", mid)
    cli("meeting", "amend", mid, "--reason", "spelling")
    amendment = cli.json("meeting", "show", mid)["amendments"][0]
    assert (amendment["text"], amendment["reason"]) == ("Edited line.", "spelling")


# -- a real terminal: the installed `cosa` under a pseudo-terminal -----------------------------


def _run_in_pty(
    argv: list[str], env: dict[str, str], typed: bytes = b"", timeout: float = 60.0
) -> tuple[int, str]:
    """Run `argv` with a pseudo-terminal as its stdin/stdout/stderr, `typed` waiting in the
    terminal's input; returns (exit code, what the terminal showed)."""
    pty = pytest.importorskip("pty")
    try:
        pid, fd = pty.fork()
    except OSError as exc:  # pragma: no cover - no ptys available
        pytest.skip(f"no pseudo-terminal: {exc}")
    if pid == 0:  # pragma: no cover - the child
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    if typed:
        os.write(fd, typed)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                pytest.fail(f"cosa did not finish in {timeout:.0f} s; output so far: {out!r}")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_the_real_editor_path_saves_the_minutes_and_leaves_no_temp_file(
    cli: Cli, world: World, tmp_path: Path
) -> None:
    exe = Path(sys.executable).parent / "cosa"
    if not exe.exists():
        found = shutil.which("cosa")
        if found is None:
            pytest.skip("the cosa console script is not installed")
        exe = Path(found)
    log = tmp_path / "editor-paths"
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\n"
        f'echo "$1" >> "{log}"\n'
        f'if [ -t 0 ] && [ -t 1 ]; then echo tty >> "{log}"; fi\n'
        'echo "backup copy" > "$1~"\n'  # like an editor's backup file: must be removed too
        'echo "Written in a real terminal." >> "$1"\n'
        'exit "${EDITOR_EXIT:-0}"\n'
    )
    editor.chmod(0o755)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ["HOME"],
        "TMPDIR": str(tmp_path),
        "COSA_HOME": os.environ["COSA_HOME"],
        "COSA_PASSPHRASE": PASSPHRASE,
        "EDITOR": str(editor),
        "TERM": "dumb",
        "NO_COLOR": "1",
    }
    argv = [str(exe), "meeting", "add", "1", "--type", "formal", "--present", "all",
            "--cm-attended", "yes", "--rag", "green", "--on", "today"]  # fmt: skip
    code, out = _run_in_pty(argv, env)
    assert code == 0, out
    assert "Recorded meeting 1 for CM-0001" in out
    assert log.read_text().splitlines()[1] == "tty"  # the editor ran on the terminal
    first = Path(log.read_text().splitlines()[0])
    assert first.name == "minutes.md" and first.parent.name.startswith("cosa-edit-")
    assert not first.exists() and not first.parent.exists()
    minutes = cli.json("meeting", "show", "1")["minutes"]
    assert minutes.endswith("## Next meeting\nWritten in a real terminal.")

    code, out = _run_in_pty([*argv[:-1], "yesterday"], {**env, "EDITOR_EXIT": "1"})
    assert code == 1, out
    assert "the editor exited with status 1; nothing was saved" in out
    second = Path(log.read_text().splitlines()[2])
    assert second != first
    assert not second.exists() and not second.parent.exists()
    assert [m["id"] for m in cli.json("meeting", "list")] == [1]

    # The prompts on a real terminal: answers typed ahead, Enter takes a default.
    code, out = _run_in_pty(argv[:4], env, typed=b"\nreview\n\nlate\n\namber\n")
    assert code == 0, out
    assert "Meeting type (formal, review, social" in out and "Recorded meeting 2" in out
    shown = cli.json("meeting", "show", "2")
    assert (shown["type"], shown["cm_attended"], shown["late_reason"], shown["rag"]) == (
        "review",
        "late",
        None,
        "amber",
    )
    assert len(shown["attendance"]) == 3
    assert shown["minutes"].endswith("Written in a real terminal.")
    third = Path(log.read_text().splitlines()[4])
    assert not third.exists() and not third.parent.exists()
    cli("audit", "verify")


def test_meeting_json_round_trips_through_the_models(cli: Cli, world: World) -> None:
    _add(cli, "1", "--minutes", "x", "--concern", "c", "--action", "a")
    shown = cli.json("meeting", "show", "1")
    assert json.loads(MeetingDetail.model_validate(shown).model_dump_json()) == shown


def test_migration_m020_marks_existing_meetings_held_and_keeps_the_audit_true(
    tmp_path: Path,
) -> None:
    """An upgrade: meetings recorded before meeting states existed are `held`, and `audit
    verify` still passes because the migration re-audits the changed rows."""
    from cosa import audit, migrations

    from .upgrade import store_without

    with store_without(tmp_path, "m020", "m021") as store:
        with store.atomic():
            world = build(store)
            store.insert(
                "meetings",
                "meeting",
                {"circle_id": world.circle, "date": days_ago(3), "type": "formal",
                 "minutes_due_at": f"{days_ago(1)} 00:00:00"},
            )  # fmt: skip
        assert migrations.apply_migrations(store) == [
            "m020_meeting_states",
            "m021_meeting_corrections",
        ]
        assert [r["state"] for r in store.query("SELECT state FROM meetings")] == ["held"]
        assert audit.verify(store).ok, audit.verify(store).problems
