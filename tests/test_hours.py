"""Volunteer hours: meeting hours counted from held meetings, logged hours for one circle or
none, each hour counted once (cosa.domain.hours and the reports that use it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cosa import audit
from cosa.domain import circles, hours, meetings, members, volunteers
from cosa.errors import UserError
from cosa.store import Store

from .conftest import Cli
from .people import ready_cli, ready_volunteer
from .test_demo import built

__all__ = ["built"]  # the demo fixture, shared with test_demo


def _three_circles(store: Store) -> dict[str, Any]:
    """Ann sits in three circles (60, 90 and 120-minute meetings); Bob in the first only."""
    for name in ("Ann Example", "Bob Example"):
        ready_volunteer(store, name)
    ids = []
    for minutes in (60, 90, 120):
        code = members.add(store, mappa_category=1, mappa_level=1)[1]
        cid = circles.add(store, member=code, start="2025-06-02", duration=minutes)
        circles.join(store, cid, "Ann", on="2025-06-02")
        ids.append(cid)
    circles.join(store, ids[0], "Bob", on="2025-06-02")
    return {"circles": ids}


def _meeting(store: Store, circle: int, day: str, present: str, **more: Any) -> int:
    more.setdefault("cm_attended", "yes")
    return meetings.add(store, circle, date=day, type="formal", present=present, **more)


def test_a_volunteer_in_three_circles_has_her_hours_in_the_right_circle_only(
    store: Store,
) -> None:
    one, two, three = _three_circles(store)["circles"]
    _meeting(store, one, "2025-07-01", "Ann,Bob")
    _meeting(store, two, "2025-07-02", "Ann")
    _meeting(store, three, "2025-07-03", "Ann")
    _meeting(store, three, "2025-07-10", "Ann", duration=30)  # this meeting's own length
    volunteers.log_hours(store, "Ann", on="2025-07-04", hours=2, travel_hours=1, circle=two)
    volunteers.log_hours(store, "Ann", on="2025-07-05", hours=3, activity="training")

    def circle_totals(cid: int) -> dict[str, float]:
        return hours.totals(hours.rows(store, "2025-01-01", "2025-12-31", circle_id=cid))

    assert circle_totals(one) == {
        "hours": 2.0,
        "meeting_hours": 2.0,
        "logged_hours": 0.0,
        "travel_hours": 0.0,
    }
    assert circle_totals(two) == {
        "hours": 3.5,
        "meeting_hours": 1.5,
        "logged_hours": 2.0,
        "travel_hours": 1.0,
    }
    assert circle_totals(three)["hours"] == 2.5
    from cosa.reports import circle as circle_report

    for cid, ann_there in ((one, 1.0), (two, 3.5), (three, 2.5)):
        report = circle_report.data(store, cid, "2025-06-01", "2025-12-31", names="full")
        rows = {r["volunteer"]: r["hours"] for r in report["volunteer_hours_by_volunteer"]}
        assert rows["Ann Example"] == ann_there
        assert report["summary"]["volunteer_hours"] == circle_totals(cid)["hours"]
    ann = volunteers.get(store, "Ann")["id"]
    by_circle = hours.hours_by_circle(store, ann, "2025-01-01", "2025-12-31")
    assert [(c["circle_id"], c["member_code"], c["hours"]) for c in by_circle] == [
        (one, "CM-0001", 1.0),
        (two, "CM-0002", 3.5),
        (three, "CM-0003", 2.5),
        (None, None, 3.0),
    ]
    everyone = hours.by_volunteer(hours.rows(store, "2025-01-01", "2025-12-31"))
    assert everyone[ann]["hours"] == 1.0 + 3.5 + 2.5 + 3.0
    assert sum(t["hours"] for t in everyone.values()) == 10.0 + 1.0  # Bob's one meeting
    assert hours.hours_by_circle(store, ann, "2025-07-03", "2025-07-03") == [
        {
            "circle_id": three,
            "member_code": "CM-0003",
            "hours": 2.0,
            "meeting_hours": 2.0,
            "logged_hours": 0.0,
            "travel_hours": 0.0,
        }
    ]


def test_meeting_hours_follow_corrections_and_leave_with_a_meeting_that_did_not_happen(
    store: Store,
) -> None:
    one = _three_circles(store)["circles"][0]
    kept = _meeting(store, one, "2025-07-01", "Ann,Bob")
    gone = _meeting(store, one, "2025-07-08", "Ann,Bob")

    def total() -> float:
        return hours.totals(hours.rows(store, "2025-01-01", "2025-12-31", circle_id=one))["hours"]

    assert total() == 4.0
    fix = meetings.Fields(present="Ann", apologies="Bob")
    meetings.save(store, meetings.prepare_edit(store, kept, fix))
    assert total() == 3.0
    with store.atomic():
        store.update("meetings", "meeting", gone, {"state": "void", "state_reason": "twice"})
    assert total() == 1.0
    with store.atomic():
        store.update("meetings", "meeting", gone, {"state": "cancelled"})
    assert total() == 1.0


def test_hours_for_a_circle_the_volunteer_was_not_in_that_day_are_refused(
    store: Store,
) -> None:
    one, two, _ = _three_circles(store)["circles"]
    before = store.audit_head()
    with pytest.raises(UserError, match=r"Bob Example was not a member of circle 2 \(CM-0002\)"):
        volunteers.log_hours(store, "Bob", on="2025-07-01", hours=1, circle=two)
    with pytest.raises(UserError, match="was not a member of circle 1"):
        volunteers.log_hours(store, "Bob", on="2025-06-01", hours=1, circle=one)  # before joining
    with pytest.raises(UserError, match="circle 9 not found"):
        volunteers.log_hours(store, "Bob", on="2025-07-01", hours=1, circle=9)
    assert store.audit_head() == before
    assert volunteers.log_hours(store, "Bob", on="2025-07-01", hours=1, circle="CM-0001") == 1
    assert store.scalar("SELECT circle_id FROM volunteer_hours") == one


def test_volunteer_hours_circle_through_the_cli(cli: Cli) -> None:
    ready_cli(cli, "Ann Example")
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli("circle", "add", "--member", "CM-0001", "--start", "2025-06-02")
    cli("circle", "join", "1", "Ann", "--on", "2025-06-02")
    head = cli.json("audit", "--limit", "1")[-1]["seq"]
    bad = cli("volunteer", "hours", "Ann", "--on", "2025-05-01", "--hours", "2", "--circle", "1",
              code=1)  # fmt: skip
    assert bad.output.count("\n") <= 2 and "Error: Ann Example was not a member" in bad.output
    assert cli.json("audit", "--limit", "1")[-1]["seq"] == head
    cli("volunteer", "hours", "Ann", "--on", "2025-07-01", "--hours", "2", "--circle", "CM-0001")
    data = cli.json("report", "circle", "1", "--to", "2025-12-31")
    assert (data["summary"]["logged_hours"], data["summary"]["volunteer_hours"]) == (2.0, 2.0)
    help_text = cli("volunteer", "hours", "--help").output
    assert "outside meetings" in help_text and "counted automatically" in help_text


def test_migration_m030_gives_old_entries_their_circle_only_when_certain(tmp_path: Path) -> None:
    """An upgrade: `circle`/`contact` hours of a volunteer in exactly one circle that day get
    that circle; others stay without; `audit verify` still passes."""
    from cosa import migrations

    from .upgrade import store_without

    with store_without(tmp_path, "m030") as store:
        with store.atomic():
            one, two, _ = _three_circles(store)["circles"]
            circles.leave(store, two, "Ann", on="2025-08-01")
            circles.leave(store, 3, "Ann", on="2025-08-01")
            for day, who, activity in (
                ("2025-07-01", "Bob", "circle"),  # one circle: certain
                ("2025-07-01", "Ann", "circle"),  # three circles that day: not certain
                ("2025-09-01", "Ann", "contact"),  # one circle left: certain
                ("2025-09-01", "Ann", "training"),  # not circle work
                ("2025-05-01", "Bob", "circle"),  # before joining
            ):
                store.insert(
                    "volunteer_hours",
                    "hours",
                    {
                        "volunteer_id": volunteers.get(store, who)["id"],
                        "date": day,
                        "hours": 1.0,
                        "activity": activity,
                        "travel_hours": 0.0,
                    },
                )
        assert migrations.apply_migrations(store) == ["m030_hours_circle"]
        got = [
            r["circle_id"] for r in store.query("SELECT circle_id FROM volunteer_hours ORDER BY id")
        ]
        assert got == [one, None, one, None, None]
        assert audit.verify(store).ok, audit.verify(store).problems


# -- over the demo: every hour once, and the reports agree with the records ------------------


@pytest.fixture
def demo_cli(built: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    from cosa.demo import DEMO_PASSPHRASE

    monkeypatch.setenv("COSA_HOME", str(built[0]))
    monkeypatch.setenv("COSA_PASSPHRASE", DEMO_PASSPHRASE)
    return Cli()


def _demo_store(built: tuple[Path, Path, str]) -> Store:
    """The demo's store (COSA_PASSPHRASE set by `demo_cli`)."""
    from cosa.workspace import Options, Workspace

    return Workspace(built[0]).open(Options(), use_session=False)


ALL_TIME = ("--from", "2000-01-01", "--to", "2100-12-31")

MEETING_HOURS_SQL = """
    SELECT m.id, m.circle_id, m.duration_minutes * count(a.id) / 60.0 AS hours
    FROM meetings m JOIN meeting_attendance a ON a.meeting_id = m.id
    AND a.status IN ('present', 'late')
    WHERE m.state = 'held' AND m.date BETWEEN ? AND ? GROUP BY m.id
"""


def test_the_demo_counts_every_hour_once(demo_cli: Cli, built: tuple[Path, Path, str]) -> None:
    """The circle reports' hours add up to at most the volunteers report's (the rest is hours
    for no circle), and each meeting's hours are in its own circle's report and no other."""
    store = _demo_store(built)
    try:
        circle_ids = [r["id"] for r in store.query("SELECT id FROM circles ORDER BY id")]
        per_meeting = store.query(MEETING_HOURS_SQL, ("2000-01-01", "2100-12-31"))
        no_circle = store.scalar("SELECT total(hours) FROM volunteer_hours WHERE circle_id IS NULL")
        with_circle = store.scalar("SELECT count(*) FROM volunteer_hours WHERE circle_id > 0")
    finally:
        store.close()
    assert no_circle > 0 and with_circle > 0, "the demo logs hours for circles and for none"
    everyone = demo_cli.json("report", "volunteers", "--all", *ALL_TIME)["hours_total"]
    reports = {cid: demo_cli.json("report", "circle", str(cid), *ALL_TIME) for cid in circle_ids}
    summed = sum(r["summary"]["volunteer_hours"] for r in reports.values())
    assert summed <= everyone["hours"] + 0.05 * len(reports)
    assert summed == pytest.approx(everyone["hours"] - no_circle, abs=0.05 * len(reports))
    assert sum(r["summary"]["meeting_hours"] for r in reports.values()) == pytest.approx(
        everyone["meeting_hours"], abs=0.05 * len(reports)
    )
    for cid, report in reports.items():
        own = sum(m["hours"] for m in per_meeting if m["circle_id"] == cid)
        assert report["summary"]["meeting_hours"] == round(own, 1), cid
    assert everyone["meeting_hours"] == round(sum(m["hours"] for m in per_meeting), 1)


def test_the_demo_hours_figures_reconcile_with_sql(
    demo_cli: Cli, built: tuple[Path, Path, str]
) -> None:
    """Each circle report's and the volunteers report's hours, recomputed from the records."""
    store = _demo_store(built)
    try:
        circle_rows = store.query("SELECT id, start_date, ended_on FROM circles ORDER BY id")
        circle_reports = [demo_cli.json("report", "circle", str(c["id"])) for c in circle_rows]
        expected_circles = []
        for c, report in zip(circle_rows, circle_reports, strict=True):
            span = (c["id"], report["report"]["from"], report["report"]["to"])
            meeting = store.scalar(
                "SELECT total(m.duration_minutes) / 60.0 FROM meetings m"
                " JOIN meeting_attendance a ON a.meeting_id = m.id"
                " AND a.status IN ('present', 'late') WHERE m.state = 'held'"
                " AND m.circle_id = ? AND m.date BETWEEN ? AND ?",
                span,
            )
            logged, travel = store.one(
                "SELECT total(hours) AS h, total(travel_hours) AS t FROM volunteer_hours"
                " WHERE circle_id = ? AND date BETWEEN ? AND ?",
                span,
            ).values()
            expected_circles.append(
                {
                    "volunteer_hours": round(meeting + logged, 1),
                    "meeting_hours": round(meeting, 1),
                    "logged_hours": round(logged, 1),
                    "travel_hours": round(travel, 1),
                }
            )
        report = demo_cli.json("report", "volunteers", "--all", *ALL_TIME)
        per_volunteer = {
            r["id"]: r
            for r in store.query(
                "SELECT v.id,"
                " (SELECT total(m.duration_minutes) / 60.0 FROM meeting_attendance a"
                "  JOIN meetings m ON m.id = a.meeting_id WHERE a.volunteer_id = v.id"
                "  AND a.status IN ('present', 'late') AND m.state = 'held') AS meeting,"
                " (SELECT total(hours) FROM volunteer_hours WHERE volunteer_id = v.id) AS logged,"
                " (SELECT total(travel_hours) FROM volunteer_hours WHERE volunteer_id = v.id)"
                "  AS travel FROM volunteers v"
            )
        }
    finally:
        store.close()
    got = [{k: r["summary"][k] for k in expected_circles[0]} for r in circle_reports]
    assert got == expected_circles
    for person in report["volunteers"]:
        r = per_volunteer[person["id"]]
        assert (person["meeting_hours"], person["logged_hours"], person["travel_hours"]) == (
            round(r["meeting"], 1),
            round(r["logged"], 1),
            round(r["travel"], 1),
        ), person["name"]
        assert person["hours"] == round(r["meeting"] + r["logged"], 1)
    assert report["hours_total"]["hours"] == round(
        sum(r["meeting"] + r["logged"] for r in per_volunteer.values()), 1
    )
