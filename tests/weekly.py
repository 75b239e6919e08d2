"""Fixtures for the weekly-loop tests: circles with volunteers and professionals, built with
the domain functions on the CLI test workspace (or on the `store` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cosa.domain import circles, members, pros
from cosa.store import Store
from cosa.workspace import Options, Workspace
from tests.people import ready_volunteer


def days_ago(n: int) -> str:
    return (date.today() - timedelta(days=n)).isoformat()


def days_on(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


@contextmanager
def workspace_store(home: Path) -> Iterator[Store]:
    """The CLI test workspace opened as a store (COSA_PASSPHRASE is set by `initialised`)."""
    store = Workspace(home).open(Options(home=home))
    try:
        yield store
    finally:
        store.close()


@dataclass
class CircleInfo:
    id: int
    code: str
    volunteers: list[str]


def make_circle(
    store: Store,
    *,
    names: tuple[str, ...] = ("Ann Able", "Bob Baker"),
    start: int = 60,
    licence_end: str | None = None,
    cadence_days: int = 7,
    day: str | None = None,
) -> CircleInfo:
    """An active circle started `start` days ago with current volunteer members."""
    details: dict[str, Any] = {"licence_end": licence_end} if licence_end else {}
    _, code = members.add(store, mappa_category=1, mappa_level=2, **details)
    cid = circles.add(store, member=code, cadence_days=cadence_days, day=day)
    for name in names:
        if not store.one("SELECT id FROM volunteers WHERE name = ?", (name,)):
            ready_volunteer(store, name)
        circles.join(store, cid, name, on=days_ago(start))
    circles.set_phase(store, cid, "phase 1", on=days_ago(start))
    return CircleInfo(cid, code, list(names))


def make_pro(store: Store, name: str = "Pat Probation", agency: str = "Probation Service") -> int:
    return pros.add(store, name, agency=agency, role="probation")


def add_meeting(store: Store, circle_id: int, day: str, *, approved: bool = False) -> int:
    """A meeting row written the audited way (independent of the meeting commands); its
    minutes are due 48 h after the end of its day."""
    due = (date.fromisoformat(day) + timedelta(days=3)).isoformat() + " 00:00:00"
    values: dict[str, Any] = {
        "circle_id": circle_id,
        "date": day,
        "type": "formal",
        "minutes_due_at": due,
    }
    if approved:
        values.update(minutes="Met and talked.", approved_at=due, approved_by="tester")
    with store.atomic():
        return store.insert("meetings", "meeting", values)


def head(cli: Any) -> int:
    """The audit chain's last sequence number."""
    return int(cli.json("audit", "--limit", "1")[-1]["seq"])


def one_error_line(result: Any, start: str) -> None:
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith(f"Error: {start}"), result.stderr
    assert len(lines) <= 2 and all(ln.startswith(("Error:", "Hint:")) for ln in lines), lines
