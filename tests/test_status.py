"""`cosa status`: every kind of item surfaces, in urgency order, from a fixed set of queries."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from cosa.domain import actions, circles, concerns, reviews, volunteers
from cosa.domain import status as status_domain
from cosa.models import Status
from cosa.store import Store

from .conftest import Cli
from .people import READY_ON, approve
from .weekly import add_meeting, days_ago, days_on, make_circle, workspace_store


def vetted(store: Store, name: str, issued: date) -> None:
    """A volunteer who may join circles, whose only DBS check was issued on `issued` (so the
    re-check falls due three years later: no status check since)."""
    vid = volunteers.add(store, name)
    approve(store, vid)
    volunteers.vet(
        store, str(vid), level="enhanced", certificate=f"{700000000000 + vid}", issued=issued,
        decision="cleared",
    )  # fmt: skip
    volunteers.train(store, str(vid), kind="initial", on=READY_ON)


def build(store: Store) -> None:
    """Something in every section, and a near miss next to each."""
    # vetting: Bob's re-check is due today (due, not overdue); Cat's fell due 30 days ago;
    # the others were status-checked today (tests/people.py)
    vetted(store, "Bob Baker", volunteers.add_years(date.today(), -3))
    vetted(store, "Cat Cole", volunteers.add_years(date.today(), -3) - timedelta(days=30))
    a = make_circle(store, names=("Ann Able", "Bob Baker"), licence_end=days_on(45))
    b = make_circle(store, names=(), licence_end=days_on(20))
    # Cat joined while her check was valid; entered now, the gate sees it has lapsed since
    circles.join(store, b.id, "Cat Cole", on=days_ago(60), override="joined while vetted")
    make_circle(store, names=("Dan Dowd",), start=100)
    d = make_circle(store, names=("Eve Evans",), licence_end=days_on(5))
    actions.add(store, d.id, "Left open in a circle that ended", due=days_ago(4))
    circles.end(store, d.id, on=days_ago(1), reason="completed")
    # meetings: a met 5 days ago (minutes not approved: late), b 10 days ago (approved)
    add_meeting(store, a.id, days_ago(6), approved=True)
    add_meeting(store, a.id, days_ago(5))
    add_meeting(store, b.id, days_ago(10), approved=True)
    # concerns
    concerns.add(store, a.id, severity="red", category="other", text="Red one", on=days_ago(3))
    concerns.add(store, b.id, severity="amber", category="other", text="Amber one", on="-2d")
    concerns.add(store, a.id, severity="green", category="other", text="Green one")
    closed = concerns.add(store, b.id, severity="red", category="other", text="Closed red")
    concerns.close(store, closed, note="Sorted")
    # actions
    actions.add(store, a.id, "Overdue one", owner="Ann", due=days_ago(2))
    actions.add(store, b.id, "Due soon", due=days_on(3))
    actions.add(store, a.id, "Due later", due=days_on(20))
    actions.add(store, a.id, "No date")
    finished = actions.add(store, a.id, "Was overdue", due=days_ago(9))
    actions.done(store, finished)
    # reviews: b's next review in 10 days; c never reviewed, started 100 days ago
    reviews.add(store, b.id, on=days_ago(20), next_review=days_on(10))
    # vetting and supervision
    volunteers.vet(
        store, "Ann", level="enhanced", certificate="001122334455", issued=days_ago(365),
        decision="cleared",
    )  # fmt: skip
    volunteers.supervise(store, "Ann", on=days_ago(1))
    approve(store, volunteers.add(store, "Fay Ford"))  # approved, never vetted


def test_an_empty_workspace_says_none_in_every_section(cli: Cli) -> None:
    data = cli.json("status")
    Status.model_validate(data)
    assert data["counts"] == dict.fromkeys(status_domain.SECTIONS, 0)
    text = cli("status").stdout
    assert text.count("  none") == len(status_domain.SECTIONS)
    for title in status_domain.SECTIONS.values():
        assert f"{title} (0)" in text


def test_status_surfaces_each_kind_of_item(cli: Cli, ws_home: Path) -> None:
    with workspace_store(ws_home) as store:
        build(store)
    data = cli.json("status")
    Status.model_validate(data)
    assert [k for k in data if k in status_domain.SECTIONS] == list(status_domain.SECTIONS)
    assert data["today"] == date.today().isoformat()
    assert [(c["text"], c["severity"], c["days_open"]) for c in data["concerns"]] == [
        ("Red one", "red", 3), ("Amber one", "amber", 2),
    ]  # fmt: skip
    (late,) = data["minutes_late"]
    assert (late["member_code"], late["date"], late["has_minutes"]) == (
        "CM-0001", days_ago(5), False,
    )  # fmt: skip
    assert late["hours_late"] >= 48
    assert [(a["text"], a["days_left"]) for a in data["actions_overdue"]] == [("Overdue one", -2)]
    assert [(a["text"], a["days_left"]) for a in data["actions_due"]] == [("Due soon", 3)]
    assert [c["member_code"] for c in data["circles_not_met"]] == ["CM-0002", "CM-0003"]
    not_met = data["circles_not_met"][0]
    assert (not_met["last_meeting"], not_met["days_since_meeting"]) == (days_ago(10), 10)
    assert data["circles_not_met"][1]["last_meeting"] is None
    assert [(r["member_code"], r["last_review"]) for r in data["reviews_due"]] == [
        ("CM-0003", None), ("CM-0002", days_ago(20)),
    ]  # fmt: skip
    assert data["reviews_due"][0]["due"] == reviews.next_review_after(days_ago(100))
    assert data["reviews_due"][1]["days_left"] == 10
    assert [(x["member_code"], x["days_left"]) for x in data["licences_ending"]] == [
        ("CM-0002", 20)
    ]
    # overdue (or never done) and upcoming are separate sections
    assert [v["name"] for v in data["vetting_overdue"]] == ["Fay Ford", "Cat Cole"]
    assert data["vetting_overdue"][1]["recheck_due"] == days_ago(30)
    assert [v["name"] for v in data["vetting_due"]] == ["Bob Baker"]  # due today: not overdue
    # never supervised; Ann was supervised yesterday, and Eve's only circle has ended (so she
    # is available, not active, and not due supervision)
    assert [v["name"] for v in data["supervision_overdue"]] == ["Bob Baker", "Cat Cole", "Dan Dowd"]
    assert data["supervision_due"] == []
    assert [c["member_code"] for c in data["circles"]] == ["CM-0001", "CM-0002", "CM-0003"]
    first = data["circles"][0]
    assert (first["last_meeting"], first["not_met"], first["cadence_days"]) == (
        days_ago(5), False, 7,
    )  # fmt: skip
    assert data["counts"] == {k: len(data[k]) for k in status_domain.SECTIONS}

    text = cli("status").stdout
    assert text.startswith(f"Status on {date.today().isoformat()}")
    positions = [text.index(f"{title} (") for title in status_domain.SECTIONS.values()]
    assert positions == sorted(positions)
    for needle in ("Red one", "Amber one", "Overdue one", "Due soon", "Bob Baker", "CM-0003"):
        assert needle in text
    for absent in ("Green one", "Closed red", "Due later", "No date", "Was overdue", "CM-0004"):
        assert absent not in text
    cli("audit", "verify")


def test_next_meeting_follows_the_regular_meeting_day(store: Store) -> None:
    info = make_circle(store, day="thursday")
    add_meeting(store, info.id, days_ago(1), approved=True)
    (row,) = status_domain.status(store)["circles"]
    nxt = date.fromisoformat(row["next_meeting"])
    assert nxt.weekday() == 3 and 0 <= (nxt - date.today()).days < 7


def _statements(store: Store) -> int:
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        status_domain.status(store)
    finally:
        store.conn.set_trace_callback(None)
    return len(seen)


def test_status_runs_a_fixed_number_of_queries_whatever_the_data(store: Store) -> None:
    make_circle(store, names=("Gil Gray", "Hal Hart"))
    small = _statements(store)
    build(store)
    for n in range(3):
        info = make_circle(store, names=(f"Extra {n}",))
        add_meeting(store, info.id, days_ago(4 + n))
        concerns.add(store, info.id, severity="red", category="other", text=f"Extra {n}")
        actions.add(store, info.id, "More", due=days_ago(1))
    assert _statements(store) == small <= 20


def test_long_sections_show_the_first_rows_and_say_how_many_more(cli: Cli, ws_home: Path) -> None:
    with workspace_store(ws_home) as store:
        info = make_circle(store, names=("Ann Able",))
        for i in range(13):
            actions.add(store, info.id, f"Old action {i:02d}", due=days_ago(30 - i))
    text = cli("status", "--limit", "5").stdout
    assert (
        "Overdue actions (13)" in text and "Old action 04" in text and "Old action 05" not in text
    )
    assert "… and 8 more (`cosa action list --overdue`)" in text
    assert len(cli.json("status")["actions_overdue"]) == 13


def test_supervision_overdue_and_due_soon_are_separate_sections(store: Store) -> None:
    make_circle(store, names=("Ann Able", "Bob Baker", "Cat Cole"))
    volunteers.supervise(store, "Ann", on=days_ago(70))  # due 14 days ago (every 56 days)
    volunteers.supervise(store, "Bob", on=days_ago(52))  # due in 4 days
    volunteers.supervise(store, "Cat", on=days_ago(10))  # due in 46 days: neither
    data = status_domain.status(store)
    assert [(r["name"], r["due_on"]) for r in data["supervision_overdue"]] == [
        ("Ann Able", days_ago(14))
    ]
    assert [(r["name"], r["due_on"]) for r in data["supervision_due"]] == [
        ("Bob Baker", days_on(4))
    ]
    assert status_domain.SECTIONS["supervision_overdue"].startswith("Supervision overdue")
