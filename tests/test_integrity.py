"""Issue 14, the insider half: writes check before they write, reads of case content leave a
`view` entry, forward-secure seals, doctor, the fixture workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cosa.domain import concerns, contacts, meetings

from .conftest import Cli
from .test_meetings import World, build
from .weekly import days_ago, workspace_store


@pytest.fixture
def world(initialised: Path) -> World:
    with workspace_store(initialised) as store:
        w = build(store)
        meetings.add(store, w.circle, minutes="The greenhouse is finished.", date=days_ago(4))
        concerns.add(
            store, w.circle, severity="amber", category="other", text="Late home", on=days_ago(3)
        )
        contacts.add(store, w.circle, by="Ann Example", on=days_ago(2), note="Call about the bus")
        return w


def _views(home: Path) -> list[dict[str, Any]]:
    import json

    with workspace_store(home) as store:
        rows = store.query("SELECT * FROM audit WHERE action = 'view' ORDER BY seq")
    for r in rows:
        r["detail"] = json.loads(r["detail"])
    return rows


@pytest.mark.parametrize(
    ("args", "record"),
    [
        (["meeting", "show", "1"], ("meeting", 1)),
        (["concern", "show", "1"], ("concern", 1)),
        (["member", "show", "CM-0001"], ("member", 1)),
        (["circle", "show", "1"], ("circle", 1)),
        (["volunteer", "show", "Ann Example"], ("volunteer", 1)),
        (["contact", "list"], (None, None)),
        (["search", "greenhouse"], (None, None)),
    ],
)
def test_each_read_of_case_content_writes_one_view_entry(
    cli: Cli, world: World, initialised: Path, args: list[str], record: tuple[Any, Any]
) -> None:
    before = len(_views(initialised))
    cli(*args)
    views = _views(initialised)
    assert len(views) == before + 1
    view = views[-1]
    assert (view["record_type"], view["record_id"]) == record
    assert view["detail"]["command"] == " ".join(args[:2]) if args[0] != "search" else "search"
    assert view["operator"] and view["at"] and view["state_hash"] is None
    # who, what, when: never the content
    assert "greenhouse" not in str(view) and "bus" not in str(view)


def test_search_and_contact_views_name_the_records_shown(
    cli: Cli, world: World, initialised: Path
) -> None:
    cli("search", "greenhouse")
    cli("contact", "list")
    search_view, contact_view = _views(initialised)[-2:]
    assert [rid for _type, rid in search_view["detail"]["results"]] == [1]
    assert contact_view["detail"]["contacts"] == [1]


def test_lists_of_codes_and_status_write_no_view(cli: Cli, world: World, initialised: Path) -> None:
    before = len(_views(initialised))
    cli("member", "list")
    cli("volunteer", "list")
    cli("status")
    assert len(_views(initialised)) == before


def test_a_view_keeps_the_audit_trail_verifiable(cli: Cli, world: World) -> None:
    cli("meeting", "show", "1")
    cli("audit", "verify")
