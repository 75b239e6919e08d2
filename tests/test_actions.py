"""Actions: added, listed by due date with overdue flags, done or dropped once."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from cosa import audit
from cosa.domain import actions, search
from cosa.errors import UserError
from cosa.models import Action

from .conftest import Cli
from .weekly import (
    CircleInfo,
    add_meeting,
    days_ago,
    head,
    make_circle,
    one_error_line,
    workspace_store,
)


@pytest.fixture
def circle(cli: Cli, ws_home: Path) -> CircleInfo:
    with workspace_store(ws_home) as store:
        info = make_circle(store)
        make_circle(store, names=("Cat Cole",))
        add_meeting(store, info.id, days_ago(3))
    return info


def test_due_weekdays_read_forwards_and_the_action_is_searchable(store: Any) -> None:
    info = make_circle(store)
    aid = actions.add(store, info.id, "Find a dentist", owner="Ann", due="friday")
    row = actions.get(store, aid)
    due = date.fromisoformat(row["due"])
    assert due.weekday() == 4 and date.today() <= due < date.today() + timedelta(days=7)
    assert (row["status"], row["overdue"], row["owner"]) == ("open", False, "Ann")
    assert [h["record_id"] for h in search.search(store, "dentist")] == [aid]
    actions.done(store, aid, note="Registered with the practice")
    assert [h["record_id"] for h in search.search(store, "practice")] == [aid]
    assert audit.verify(store).ok


def test_due_within_accepts_days_and_weeks(store: Any) -> None:
    assert [actions.parse_days("--due-within", v) for v in ("7", "7d", "2w", 0)] == [7, 7, 14, 0]
    for bad in ("soon", "36h", "-3"):
        with pytest.raises(UserError, match="invalid --due-within"):
            actions.parse_days("--due-within", bad)


def test_action_list_filters_overdue_due_within_owner_and_all(cli: Cli, circle: CircleInfo) -> None:
    cli("action", "add", "1", "Ring the hostel", "--owner", "Ann Able", "--due", "-2d")
    cli("action", "add", "1", "Book the review", "--owner", "Coordinator", "--due", "+3d")
    cli("action", "add", "2", "Bus pass form", "--owner", "anna", "--due", "+20d")
    cli("action", "add", "1", "Think about a course")
    cli("action", "add", "1", "Old thing", "--due", "-9d")
    cli("action", "done", "5", "--note", "Done at last")
    rows = cli.json("action", "list")
    for row in rows:
        Action.model_validate(row)
    assert [(r["id"], r["overdue"]) for r in rows] == [
        (1, True),
        (2, False),
        (3, False),
        (4, False),
    ]
    assert [r["id"] for r in cli.json("action", "list", "--overdue")] == [1]
    assert [r["id"] for r in cli.json("action", "list", "--due-within", "7d")] == [1, 2]
    assert [r["id"] for r in cli.json("action", "list", "--due-within", "3w")] == [1, 2, 3]
    assert [r["id"] for r in cli.json("action", "list", "--owner", "ANN")] == [1, 3]
    assert [r["id"] for r in cli.json("action", "list", "CM-0001")] == [1, 2, 4]
    everything = cli.json("action", "list", "--all")
    assert [(r["id"], r["status"]) for r in everything][-1] == (5, "done")
    assert everything[-1]["closed_note"] == "Done at last" and not everything[-1]["overdue"]
    assert cli("action", "list", "--csv").stdout.startswith("id,member_code,circle_id,text")
    cli("audit", "verify")


def test_an_action_is_done_or_dropped_once(cli: Cli, circle: CircleInfo) -> None:
    cli("action", "add", "1", "Ring the hostel", "--meeting", "1")
    cli("action", "add", "1", "Visit the library")
    assert cli.json("action", "list")[0]["meeting_id"] == 1
    cli("action", "done", "1", "--on", "yesterday")
    cli("action", "drop", "2", "--reason", "CM not interested")
    before = head(cli)
    one_error_line(cli("action", "done", "1", code=1), "action 1 is already done")
    one_error_line(cli("action", "drop", "1", "--reason", "x", code=1), "action 1 is already done")
    one_error_line(cli("action", "done", "2", code=1), "action 2 is already dropped")
    assert head(cli) == before
    done, dropped = cli.json("action", "list", "--all")
    assert (done["status"], done["closed_on"]) == ("done", days_ago(1))
    assert (dropped["status"], dropped["closed_note"]) == ("dropped", "CM not interested")
    assert cli.json("action", "list") == []
    cli("audit", "verify")


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (["add", "1", "  "], 1, "action text must not be empty"),
        (["add", "1", "x", "--due", "someday"], 1, "invalid --due 'someday'"),
        (["add", "1", "x", "--due", "2026-02-30"], 1, "invalid --due '2026-02-30'"),
        (["add", "1", "x", "--meeting", "9"], 1, "meeting 9 not found"),
        (["add", "2", "x", "--meeting", "1"], 1, "meeting 1 belongs to circle 1, not 2"),
        (["add", "5", "x"], 1, "circle 5 not found"),
        (["add", "1"], 2, None),
        (["done", "42"], 1, "action 42 not found"),
        (["done", "1", "--on", "+2d"], 1, "invalid --on"),
        (["drop", "1"], 2, None),
        (["drop", "1", "--reason", " "], 1, "--reason must not be empty"),
        (["list", "--due-within", "soon"], 1, "invalid --due-within 'soon'"),
        (["edit", "1"], 2, None),
    ],
)
def test_bad_action_commands_fail_in_one_line_and_write_nothing(
    cli: Cli, circle: CircleInfo, args: list[str], code: int, error: str | None
) -> None:
    cli("action", "add", "1", "Existing")
    before = head(cli)
    result = cli("action", *args, code=code)
    if error:
        one_error_line(result, error)
    assert head(cli) == before
