"""Individual contacts: recorded by a circle volunteer, listed, searchable, can raise a concern."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cosa import audit
from cosa.domain import circles, contacts, search, volunteers
from cosa.errors import UserError
from cosa.models import Contact

from .conftest import Cli
from .weekly import CircleInfo, days_ago, head, make_circle, one_error_line, workspace_store


@pytest.fixture
def circle(cli: Cli, ws_home: Path) -> CircleInfo:
    with workspace_store(ws_home) as store:
        info = make_circle(store, names=("Ann Able", "Bob Baker"))
        make_circle(store, names=("Cat Cole",))
        volunteers.add(store, "Dan Dowd", status="active")
        circles.leave(store, info.id, "Bob", on=days_ago(10))
    return info


def test_a_contact_is_recorded_by_a_member_of_the_circle(store: Any) -> None:
    info = make_circle(store)
    kid, concern_id = contacts.add(
        store, info.code, by="ann", on="-2d", mode="Face_to_face", duration="1h15m",
        note="Went to the job centre together",
    )  # fmt: skip
    row = contacts.get(store, kid)
    assert (row["volunteer_name"], row["date"], row["mode"], row["duration_minutes"]) == (
        "Ann Able", days_ago(2), "face to face", 75,
    )  # fmt: skip
    assert concern_id is None and row["concern_id"] is None
    assert [h["record_id"] for h in search.search(store, "job centre")] == [kid]
    assert audit.verify(store).ok


def test_a_contact_can_raise_a_linked_amber_concern(cli: Cli, circle: CircleInfo) -> None:
    result = cli(
        "contact", "add", "CM-0001", "--by", "Ann", "--on", "-1d", "--mode", "phone",
        "--note", "Sounded low", "--concern", "Talked about ending it all",
    )  # fmt: skip
    assert "Raised amber concern 1" in result.stderr
    (contact,) = cli.json("contact", "list")
    Contact.model_validate(contact)
    assert contact["concern_id"] == 1
    concern = cli.json("concern", "show", "1")
    assert (concern["severity"], concern["category"], concern["raised_by"], concern["date"]) == (
        "amber", "other", "Ann Able", days_ago(1),
    )  # fmt: skip
    assert concern["contact_id"] == contact["id"]
    cli("audit", "verify")


def test_contact_list_filters_by_circle_dates_and_volunteer(cli: Cli, circle: CircleInfo) -> None:
    cli("contact", "add", "1", "--by", "Ann", "--on", "-20d", "--note", "First")
    cli("contact", "add", "1", "--by", "Bob", "--on", "-15d", "--mode", "text")
    cli("contact", "add", "1", "--by", "Ann", "--on", "-2d", "--mode", "social")
    cli("contact", "add", "2", "--by", "Cat", "--mode", "accompanied appointment")
    assert [c["id"] for c in cli.json("contact", "list")] == [1, 2, 3, 4]
    assert [c["id"] for c in cli.json("contact", "list", "1")] == [1, 2, 3]
    assert [c["id"] for c in cli.json("contact", "list", "--by", "ann")] == [1, 3]
    assert [c["id"] for c in cli.json("contact", "list", "--from", "-16d", "--to", "-1d")] == [2, 3]
    csv = cli("contact", "list", "CM-0002", "--csv").stdout.splitlines()
    assert csv[0].startswith("id,date,member_code") and "accompanied appointment" in csv[1]
    text = cli("contact", "list").stdout
    assert "Ann Able" in text and "First" in text
    one_error_line(cli("contact", "list", "--from", "-1d", "--to", "-5d", code=1), "--to")


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (["1", "--by", "Cat"], 1, "Cat Cole was not a member of circle 1 on"),
        (["1", "--by", "Dan"], 1, "Dan Dowd was not a member of circle 1"),
        (["1", "--by", "Bob"], 1, "Bob Baker was not a member of circle 1"),
        (["1", "--by", "Nobody"], 1, "no volunteer matches 'Nobody'"),
        (["7", "--by", "Ann"], 1, "circle 7 not found"),
        (["1", "--by", "Ann", "--mode", "carrier pigeon"], 1, "invalid --mode 'carrier pigeon'"),
        (["1", "--by", "Ann", "--on", "tomorrow"], 1, "invalid --on"),
        (["1", "--by", "Ann", "--on", "2026-02-30"], 1, "invalid --on '2026-02-30'"),
        (["1", "--by", "Ann", "--duration", "-5"], 1, "invalid --duration"),
        (["1", "--by", "Ann", "--concern", " "], 0, None),
        (["1"], 2, None),
    ],
)
def test_bad_contacts_fail_in_one_line_and_write_nothing(
    cli: Cli, circle: CircleInfo, args: list[str], code: int, error: str | None
) -> None:
    before = head(cli)
    result = cli("contact", "add", *args, code=code)
    if code == 0:  # an empty --concern is no concern
        assert cli.json("concern", "list") == []
        return
    if error:
        one_error_line(result, error)
    assert head(cli) == before


def test_a_volunteer_who_has_left_can_still_record_a_past_contact(
    cli: Cli, circle: CircleInfo
) -> None:
    cli("contact", "add", "1", "--by", "Bob", "--on", "-11d")
    assert cli.json("contact", "list", "--by", "bob")[0]["date"] == days_ago(11)


def test_a_contact_after_the_circle_ended_is_refused(store: Any) -> None:
    info = make_circle(store)
    contacts.add(store, info.id, by="Ann", on="-5d")
    circles.end(store, info.id, on="-3d", reason="completed")
    with pytest.raises(UserError, match="was not a member of circle"):
        contacts.add(store, info.id, by="Ann", on="-1d")
