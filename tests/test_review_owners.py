"""`--coordinator` on the period reports, tried at the edges: handovers on a quarter's first
and last days, two handovers in one quarter, a circle handed back to its first coordinator,
and a handover on the day a circle ended. Every record about a circle counts for exactly one
coordinator, so the coordinators' figures add up to the whole provider's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cosa import vault
from cosa.domain import circles, expenses, users
from cosa.reports import concerns, returns, volunteers
from cosa.store import Store
from cosa.workspace import Workspace

from . import reports_world
from .conftest import PASSPHRASE

A, B, C = "Coordinator Øyvind", "Bea", "Cy"
EVERYONE = (A, B, C)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Circle 1: Øyvind from its start (2 June 2025), Bea from 1 July (Q3's first day), Cy
    from 5 August (a meeting day), Øyvind again from 30 September (Q3's last day). Circle 2:
    Øyvind, then Bea from 20 August, the day it ended."""
    home = tmp_path_factory.mktemp("review-owners") / "ws"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vault, "DEFAULT_KDF", {"t": 1, "m": 8 * 1024, "p": 1})
        ws = Workspace(home)
        store = ws.create(PASSPHRASE, vault.new_recovery_code(), A)
        try:
            users.add(ws, store, B, "coordinator", "bea's very own passphrase")
            users.add(ws, store, C, "coordinator", "cy's very own passphrase")
            built = reports_world.build(store)
            for who, on in ((B, "2025-07-01"), (C, "2025-08-05"), (A, "2025-09-30")):
                circles.assign(store, built.circle, who, on=on)
            circles.assign(store, built.other_circle, B, on="2025-08-20")
            expenses.add(store, "Ann Smith", on="2025-07-10", amount="12.40", circle="1")
            expenses.add(store, "Ann Smith", on="2025-08-10", amount="7.00", circle="1")
            expenses.add(store, "Bob Jones", on="2025-08-11", amount="3.00")  # no circle
            yield store
        finally:
            store.close()


def circle_cells(data: dict[str, object]) -> list[returns.Cell]:
    raw: list[returns.Cell] = data["_raw"]  # type: ignore[assignment]
    return [c for c in raw if c[0] not in returns.PROVIDER_WIDE_MEASURES]


@pytest.mark.parametrize("period", ["2025-Q2", "2025-Q3", "2025", "2025-07-01..2025-07-01"])
def test_the_coordinators_returns_add_up_to_the_whole_at_every_handover(
    world: Store, period: str
) -> None:
    whole = returns.data(world, period)
    parts: list[returns.Cell] = []
    for who in EVERYONE:
        parts += circle_cells(returns.data(world, period, coordinator=who))
    assert returns.merge(parts) == returns.merge(circle_cells(whole))


def test_each_edge_counts_for_the_coordinator_of_that_day(world: Store) -> None:
    def cells(who: str, period: str = "2025-Q3") -> dict[tuple[str, str], float]:
        return {(m, b): v for m, b, v in returns.data(world, period, coordinator=who)["_raw"]}

    # circle 1 was Øyvind's again on Q3's last day: its state at the end of Q3 is his
    assert cells(A)[("circles_active", "community")] == 1
    assert ("circles_active", "community") not in cells(B)
    assert ("circles_active", "community") not in cells(C)
    # and Øyvind's in Q2, before any handover
    assert cells(A, "2025-Q2")[("circles_active", "community")] == 1
    # circle 2 was handed to Bea on the day it ended: its ending and state are hers
    assert cells(B)[("circles_ended", "young people")] == 1
    assert cells(B)[("circles_active", "young people")] == 1
    assert ("circles_ended", "young people") not in cells(A)
    # the meeting of 1 July (Bea's first day) is Bea's; that of 5 August (Cy's first) Cy's
    first_day = returns.data(world, "2025-07-01..2025-07-01", coordinator=B)["_raw"]
    assert ("meetings_held", "formal", 1.0) in first_day
    assert cells(C)[("meetings_held", "social")] == 1
    assert ("meetings_held", "social") not in cells(B)


def test_the_coordinators_hours_expenses_and_concerns_add_up_to_the_whole(world: Store) -> None:
    span = ("2025-01-01", "2025-12-31")
    whole = volunteers.data(world, *span, include_left=True)
    parts = [volunteers.data(world, *span, include_left=True, coordinator=w) for w in EVERYONE]
    no_circle_hours = world.scalar("SELECT count(*) FROM volunteer_hours WHERE circle_id IS NULL")
    assert no_circle_hours == 0
    for key in ("hours", "meeting_hours", "logged_hours", "travel_hours"):
        assert round(sum(p["hours_total"][key] for p in parts), 1) == whole["hours_total"][key]
    assert sum(p["expenses"]["claims"] for p in parts) == whole["expenses"]["claims"] - 1
    assert sum(p["expenses"]["claimed_pence"] for p in parts) == (
        whole["expenses"]["claimed_pence"] - 300
    )
    raised = [
        c["id"] for w in EVERYONE for c in concerns.data(world, *span, coordinator=w)["concerns"]
    ]
    assert sorted(raised) == sorted(c["id"] for c in concerns.data(world, *span)["concerns"])
    # every volunteer of circle 1 is in the roster of each coordinator who had it in 2025
    for p in parts:
        assert {"Ann Smith", "Bob Jones"} <= {v["name"] for v in p["volunteers"]}
