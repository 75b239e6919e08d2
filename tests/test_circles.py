"""Circles: resolving, members and roles, outer circle, phases, status, goals, ending."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cosa import audit
from cosa.domain import circles, members, volunteers
from cosa.domain.circles import resolve_circle
from cosa.errors import UserError
from cosa.models import CircleDetail

from .conftest import Cli
from .people import ready_cli, ready_volunteer
from .test_members import add_pro


def new_member(store: Any) -> str:
    return members.add(store, mappa_category=1, mappa_level=1)[1]


# -- resolving -------------------------------------------------------------------------------


def test_a_circle_is_found_by_number_or_its_core_members_code(store: Any) -> None:
    code = new_member(store)
    other = new_member(store)
    cid = circles.add(store, member=code)
    circles.add(store, member=other)
    assert resolve_circle(store, cid)["id"] == cid
    assert resolve_circle(store, f"#{cid}")["member_code"] == code
    assert resolve_circle(store, "cm-0001")["id"] == cid
    assert resolve_circle(store, "CM-0002")["member_code"] == "CM-0002"
    with pytest.raises(UserError, match="circle 99 not found"):
        resolve_circle(store, "99")
    with pytest.raises(UserError, match="no core member CM-9999"):
        resolve_circle(store, "CM-9999")
    with pytest.raises(UserError, match="invalid circle 'tuesday group'"):
        resolve_circle(store, "tuesday group")
    new_member(store)
    with pytest.raises(UserError, match="CM-0003 has no circle"):
        resolve_circle(store, "CM-0003")


def test_a_code_prefers_the_open_circle_and_is_ambiguous_with_several(store: Any) -> None:
    code = new_member(store)
    first = circles.add(store, member=code)
    circles.end(store, first, on="2026-01-01", reason="circle broke down")
    assert resolve_circle(store, code)["id"] == first  # the only circle, though ended
    second = circles.add(store, member=code)
    assert resolve_circle(store, code)["id"] == second  # the open one
    third = circles.add(store, member=code, force=True, reason="moving area; handover")
    with pytest.raises(UserError) as err:
        resolve_circle(store, code)
    assert err.value.message == (
        f"CM-0001 has several circles: {second} (forming), {third} (forming)"
    )
    assert err.value.hint == "use the circle number"
    for cid in (second, third):
        circles.end(store, cid, on="2026-02-01", reason="completed")
    with pytest.raises(UserError, match=rf"{first} \(ended, ended 2026-01-01\), {second}"):
        resolve_circle(store, code)


# -- adding ----------------------------------------------------------------------------------


def test_a_second_open_circle_needs_force_and_a_reason(store: Any) -> None:
    code = new_member(store)
    first = circles.add(store, member=code, circle_type="through the gate", start="2026-01-05")
    row = circles.get(store, first)
    assert (row["type"], row["status"], row["start_date"], row["coordinator"]) == (
        "through-the-gate",
        "forming",
        "2026-01-05",
        "tester",
    )
    head = store.audit_head()
    with pytest.raises(
        UserError, match=rf"CM-0001 already has a circle that has not ended: {first}"
    ):
        circles.add(store, member=code)
    with pytest.raises(UserError, match="--force needs --reason"):
        circles.add(store, member=code, force=True)
    with pytest.raises(UserError, match="--reason goes with --force"):
        circles.add(store, member=code, reason="why not")
    assert store.audit_head() == head
    second = circles.add(store, member=code, force=True, reason="split circle trial")
    assert circles.get(store, second)["forced_reason"] == "split circle trial"


def test_circle_settings_are_validated_and_editable(store: Any) -> None:
    code = new_member(store)
    cid = circles.add(
        store, member=code, day="Tue", time="6:30pm", duration="1h30m", venue=" V-07 "
    )
    row = circles.get(store, cid)
    assert (row["meeting_day"], row["meeting_time"], row["duration_minutes"]) == (
        "tuesday",
        "18:30",
        90,
    )
    assert (row["venue"], row["cadence_days"]) == ("V-07", 7)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"day": "someday"}, "invalid --day 'someday'"),
        ({"time": "25:00"}, "invalid --time '25:00'"),
        ({"duration": "-5"}, "invalid --duration '-5'"),
        ({"cadence_days": 0}, r"invalid --cadence-days '0'"),
        ({"circle_type": "book club"}, "invalid --type 'book club'"),
        ({"start": "2026-02-30"}, "invalid --start '2026-02-30'"),
        ({"coordinator": ""}, "--coordinator must not be empty"),
    ]
    for kwargs, expected in bad:
        with pytest.raises(UserError, match=expected):
            circles.edit(store, cid, **kwargs)
    changed = circles.edit(store, cid, day="thursday", venue="", cadence_days=14)
    assert changed == ["cadence_days", "meeting_day", "venue"]
    row = circles.get(store, cid)
    assert (row["meeting_day"], row["venue"], row["cadence_days"]) == ("thursday", None, 14)


# -- members ---------------------------------------------------------------------------------


def test_a_volunteer_cannot_be_a_current_member_twice_but_can_rejoin(store: Any) -> None:
    cid = circles.add(store, member=new_member(store))
    ann = ready_volunteer(store, "Ann Able")
    row = circles.join(store, cid, "ann", role="Primary", on="2026-01-01")
    assert (row["volunteer_id"], row["role"], row["volunteer_name"]) == (ann, "primary", "Ann Able")
    with pytest.raises(
        UserError, match=r"Ann Able is already a member of circle 1 \(since 2026-01-01\)"
    ):
        circles.join(store, cid, "1")
    with pytest.raises(UserError, match="--on 2025-12-31 is before Ann Able joined"):
        circles.leave(store, cid, "ann", on="2025-12-31")
    assert circles.leave(store, cid, "ann", on="2026-02-01")["left_on"] == "2026-02-01"
    with pytest.raises(UserError, match="Ann Able is not a current member of circle 1"):
        circles.leave(store, cid, "ann")
    circles.join(store, cid, "ann", role="minute taker", on="2026-03-01")
    history = circles.detail(store, cid)["members"]
    assert [(m["role"], m["joined_on"], m["left_on"]) for m in history] == [
        ("minute-taker", "2026-03-01", None),
        ("primary", "2026-01-01", "2026-02-01"),
    ]
    assert audit.verify(store).ok


def test_a_volunteer_who_left_cannot_join(store: Any) -> None:
    cid = circles.add(store, member=new_member(store))
    bob = ready_volunteer(store, "Bob Gone")
    volunteers.leave(store, str(bob), reason="moved away")
    with pytest.raises(UserError, match=r"Bob Gone cannot join circle 1 .*: left on"):
        circles.join(store, cid, "bob")
    with pytest.raises(UserError, match="invalid --role 'boss'"):
        circles.join(store, cid, "bob", role="boss")
    with pytest.raises(UserError, match="no volunteer matches 'zed'"):
        circles.join(store, cid, "zed")
    assert circles.detail(store, cid)["members"] == []


def test_an_ambiguous_volunteer_prefix_lists_the_candidates(store: Any) -> None:
    cid = circles.add(store, member=new_member(store))
    ready_volunteer(store, "Ann Able")
    ready_volunteer(store, "Anna Bee")
    with pytest.raises(UserError, match="'an' matches several volunteers: 1 Ann Able, 2 Anna Bee"):
        circles.join(store, cid, "an")
    circles.join(store, cid, "ann able")  # an exact name wins over a longer one
    circles.join(store, cid, "anna")


def test_current_members_include_the_joining_and_the_leaving_day(store: Any) -> None:
    cid = circles.add(store, member=new_member(store))
    ready_volunteer(store, "Ann Able")
    ready_volunteer(store, "Bob Bee")
    circles.join(store, cid, "ann", on="2026-01-10")
    circles.join(store, cid, "bob", on="2026-01-20")
    circles.leave(store, cid, "ann", on="2026-02-01")

    def names(day: str | date) -> list[str]:
        return [m["volunteer_name"] for m in circles.current_members(store, cid, day)]

    assert names("2026-01-09") == []
    assert names("2026-01-10") == ["Ann Able"]
    assert names(date(2026, 2, 1)) == ["Ann Able", "Bob Bee"]
    assert names("2026-02-02") == ["Bob Bee"]


# -- outer circle, phases, status, ending ----------------------------------------------------


def test_professionals_are_linked_and_unlinked_with_dates(store: Any) -> None:
    cid = circles.add(store, member=new_member(store))
    add_pro(store, "Pat Probation", "Kent Probation")
    add_pro(store, "Pete Police", "Kent Police", "police")
    assert circles.link(store, cid, "pat", on="2026-01-01")["name"] == "Pat Probation"
    circles.link(store, cid, "2", on="2026-01-02")
    with pytest.raises(UserError, match="Pat Probation is already in circle 1's outer circle"):
        circles.link(store, cid, "pat")
    with pytest.raises(UserError, match="'p' matches several pros"):
        circles.link(store, cid, "p")
    circles.unlink(store, cid, "pete", on="2026-03-01")
    with pytest.raises(UserError, match="Pete Police is not in circle 1's outer circle"):
        circles.unlink(store, cid, "pete")
    links = circles.detail(store, cid)["links"]
    assert [(x["professional_name"], x["agency"], x["unlinked_on"]) for x in links] == [
        ("Pat Probation", "Kent Probation", None),
        ("Pete Police", "Kent Police", "2026-03-01"),
    ]


def test_the_first_phase_1_makes_a_forming_circle_active(store: Any) -> None:
    cid = circles.add(store, member=new_member(store), circle_type="through-the-gate")
    row = circles.set_phase(store, cid, "Pre-release", on="2026-01-01")
    assert (row["phase"], row["status"], row["start_date"]) == ("pre-release", "forming", None)
    row = circles.set_phase(store, cid, "phase 1", on="2026-03-01")
    assert (row["phase"], row["status"], row["start_date"]) == ("phase 1", "active", "2026-03-01")
    with pytest.raises(UserError, match="already in phase 1"):
        circles.set_phase(store, cid, "phase 1")
    with pytest.raises(UserError, match="--on 2026-02-01 is before the current phase began"):
        circles.set_phase(store, cid, "phase 2", on="2026-02-01")
    with pytest.raises(UserError, match="invalid phase 'phase 3'"):
        circles.set_phase(store, cid, "phase 3")
    circles.set_status(store, cid, "paused")
    row = circles.set_phase(store, cid, "phase 2", on="2027-03-01")
    assert (row["phase"], row["status"]) == ("phase 2", "paused")
    phases = [(p["phase"], p["started_on"]) for p in circles.phases(store, cid)]
    assert phases == [
        ("pre-release", "2026-01-01"),
        ("phase 1", "2026-03-01"),
        ("phase 2", "2027-03-01"),
    ]


def test_status_is_set_by_hand_except_ended(store: Any) -> None:
    cid = circles.add(store, member=new_member(store))
    assert circles.set_status(store, cid, "active") == ["status"]
    assert circles.set_status(store, cid, "active") == []
    with pytest.raises(UserError, match="invalid status 'ended'"):
        circles.set_status(store, cid, "ended")
    assert [r["id"] for r in circles.list_(store, status="active")] == [cid]
    assert circles.list_(store, status="paused") == []
    with pytest.raises(UserError, match="invalid --status 'closed'"):
        circles.list_(store, status="closed")


def test_ending_closes_memberships_and_links_and_is_final(store: Any) -> None:
    code = new_member(store)
    cid = circles.add(store, member=code, start="2026-01-01")
    ready_volunteer(store, "Ann Able")
    add_pro(store, "Pat Probation", "Kent Probation")
    circles.join(store, cid, "ann", on="2026-01-01")
    circles.link(store, cid, "pat", on="2026-01-01")
    with pytest.raises(UserError, match="--on 2025-12-01 is before the circle started"):
        circles.end(store, cid, on="2025-12-01", reason="completed")
    with pytest.raises(UserError, match="invalid --reason 'bored'"):
        circles.end(store, cid, on="2026-06-01", reason="bored")
    row = circles.end(store, code, on="2026-06-01", reason="recalled", note="breach of licence")
    assert (row["status"], row["ended_on"], row["ending_reason"], row["ending_note"]) == (
        "ended",
        "2026-06-01",
        "recalled",
        "breach of licence",
    )
    detail = circles.detail(store, cid)
    assert [m["left_on"] for m in detail["members"]] == ["2026-06-01"]
    assert [x["unlinked_on"] for x in detail["links"]] == ["2026-06-01"]
    assert circles.current_members(store, cid, "2026-06-02") == []
    head = store.audit_head()
    for call in (
        lambda: circles.end(store, cid, on="2026-07-01", reason="completed"),
        lambda: circles.join(store, cid, "ann"),
        lambda: circles.set_phase(store, cid, "phase 1"),
        lambda: circles.set_status(store, cid, "active"),
        lambda: circles.link(store, cid, "pat"),
        lambda: circles.add_goal(store, cid, domain="leisure", text="x"),
    ):
        with pytest.raises(UserError, match="ended on 2026-06-01"):
            call()
    assert store.audit_head() == head
    assert audit.verify(store).ok


# -- goals -----------------------------------------------------------------------------------


def test_goals_are_added_and_given_an_outcome(store: Any) -> None:
    cid = circles.add(store, member=new_member(store))
    gid = circles.add_goal(
        store, "CM-0001", domain="Work or Education", text="Find volunteering", review="2026-06-01"
    )
    goal = circles.get_goal(store, gid)
    assert (goal["domain"], goal["outcome"], goal["review_on"]) == (
        "work or education",
        "open",
        "2026-06-01",
    )
    assert circles.set_goal(store, gid, "not achieved", note="no offers", on="2026-07-01") == [
        "outcome",
        "outcome_note",
        "outcome_on",
    ]
    goal = circles.get_goal(store, gid)
    assert (goal["outcome"], goal["outcome_on"], goal["outcome_note"]) == (
        "not-achieved",
        "2026-07-01",
        "no offers",
    )
    circles.set_goal(store, gid, "open", review="")
    goal = circles.get_goal(store, gid)
    assert (goal["outcome"], goal["outcome_on"], goal["review_on"]) == ("open", None, None)
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: circles.add_goal(store, cid, domain="money", text="x"), "invalid --domain"),
        (lambda: circles.add_goal(store, cid, domain="leisure", text=" "), "goal text must not"),
        (lambda: circles.set_goal(store, gid, "done"), "invalid outcome 'done'"),
        (lambda: circles.set_goal(store, 99, "achieved"), "goal 99 not found"),
    ]
    for call, expected in cases:
        with pytest.raises(UserError, match=expected):
            call()
    assert [g["id"] for g in circles.goals_of(store, cid)] == [gid]


# -- round trip ------------------------------------------------------------------------------

TEXT = st.text(min_size=1, max_size=40).filter(lambda s: s.strip())


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    coordinator=TEXT,
    venue=TEXT,
    volunteer=TEXT,
    goal=TEXT,
    note=TEXT,
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    role=st.sampled_from(circles.ROLES),
    outcome=st.sampled_from(circles.OUTCOMES),
)
def test_circles_round_trip_arbitrary_unicode_through_the_store(
    store: Any,
    coordinator: str,
    venue: str,
    volunteer: str,
    goal: str,
    note: str,
    start: date,
    role: str,
    outcome: str,
) -> None:
    code = new_member(store)
    cid = circles.add(store, member=code, coordinator=coordinator, venue=venue, start=start)
    vid = ready_volunteer(store, volunteer, on="1999-12-31")
    circles.join(store, cid, str(vid), role=role, on=start, override="DBS re-checked by then")
    gid = circles.add_goal(store, cid, domain="leisure", text=goal)
    circles.set_goal(store, gid, outcome, note=note, on=start)
    circles.end(store, cid, on=start, reason="other", note=note)
    model = CircleDetail.model_validate(circles.detail(store, cid))
    assert (model.member_code, model.coordinator, model.venue) == (
        code,
        coordinator.strip(),
        venue.strip(),
    )
    assert (model.start_date, model.ended_on, model.ending_note) == (
        start.isoformat(),
        start.isoformat(),
        note.strip(),
    )
    [member] = model.members
    assert (member.volunteer_name, member.role, member.left_on) == (
        volunteer.strip(),
        role,
        start.isoformat(),
    )
    [g] = model.goals
    assert (g.text, g.outcome, g.outcome_note) == (goal.strip(), outcome, note.strip())
    assert CircleDetail.model_validate_json(model.model_dump_json()) == model


# -- CLI -------------------------------------------------------------------------------------


def test_circle_cli_scenario_from_forming_to_ended(cli: Cli) -> None:
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "2")
    ready_cli(cli, "Ann Able")
    ready_cli(cli, "Anna Bee")
    cli("pro", "add", "Pat Probation", "--agency", "Kent Probation", "--role", "probation")
    out = cli(
        "circle", "add", "--member", "cm-0001", "--type", "community", "--coordinator", "me",
        "--day", "tue", "--time", "18:30", "--duration", "90", "--venue", "V7",
    )  # fmt: skip
    assert "Added circle 1 (CM-0001), forming" in out.stderr
    out = cli("circle", "join", "CM-0001", "ann able", "--role", "primary", "--on", "2026-01-06")
    assert "Ann Able joined circle 1 (CM-0001) as primary from 2026-01-06" in out.stderr
    cli("circle", "join", "1", "anna", "--role", "minute-taker", "--on", "2026-01-06")
    result = cli("circle", "join", "1", "an", code=1)
    assert "matches several volunteers: 1 Ann Able, 2 Anna Bee" in result.stderr
    cli("circle", "link", "CM-0001", "pat", "--on", "2026-01-06")
    out = cli("circle", "phase", "CM-0001", "phase 1", "--on", "2026-01-13")
    assert "Circle 1 (CM-0001) is in phase 1 (active)" in out.stderr
    cli("circle", "goal", "add", "CM-0001", "Move on", "--domain", "accommodation")
    cli("circle", "goal", "set", "1", "partly", "--note", "bedsit found")
    cli("circle", "leave", "CM-0001", "anna", "--on", "2026-03-01")
    cli("circle", "edit", "CM-0001", "--cadence-days", "14")

    [listed] = cli.json("circle", "list")
    assert (listed["id"], listed["member_code"], listed["status"], listed["phase"]) == (
        1,
        "CM-0001",
        "active",
        "phase 1",
    )
    assert (listed["member_count"], listed["start_date"], listed["cadence_days"]) == (
        1,
        "2026-01-13",
        14,
    )
    shown = cli.json("circle", "show", "cm-0001")
    assert [(m["volunteer_name"], m["role"], m["left_on"]) for m in shown["members"]] == [
        ("Ann Able", "primary", None),
        ("Anna Bee", "minute-taker", "2026-03-01"),
    ]
    assert [link["professional_name"] for link in shown["links"]] == ["Pat Probation"]
    assert [p["phase"] for p in shown["phases"]] == ["phase 1"]
    assert [(g["domain"], g["outcome"]) for g in shown["goals"]] == [("accommodation", "partly")]
    assert [g["text"] for g in cli.json("circle", "goal", "list", "1")] == ["Move on"]
    text = cli("circle", "show", "1").stdout
    assert "tuesday 18:30 for 90 min every 14 days" in text and "Pat Probation" in text
    assert "CM-0001" in cli("circle", "list").stdout
    assert cli("circle", "list", "--csv").stdout.startswith("id,member_code,type,status")
    cli("circle", "status", "1", "paused")
    assert [c["id"] for c in cli.json("circle", "list", "--status", "paused")] == [1]
    cli("circle", "link", "1", "pat", "--unlink", "--on", "2026-04-01")
    out = cli("circle", "end", "CM-0001", "--on", "2026-06-30", "--reason", "completed")
    assert "ended on 2026-06-30: completed" in out.stderr
    shown = cli.json("circle", "show", "1")
    assert (shown["status"], shown["ending_reason"]) == ("ended", "completed")
    assert all(m["left_on"] for m in shown["members"])
    cli("circle", "add", "--member", "CM-0001")  # the first one has ended
    assert [c["status"] for c in cli.json("circle", "list")] == ["ended", "forming"]
    cli("audit", "verify")


def test_bad_circle_input_is_one_line_exit_1_and_writes_nothing(cli: Cli) -> None:
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli("volunteer", "add", "Ann Able")
    cli("circle", "add", "--member", "CM-0001")
    before = cli.json("audit", "verify")["entries"]
    failures = [
        (["circle", "add", "--member", "CM-9999"], "no core member CM-9999"),
        (["circle", "add", "--member", "CM-0001"], "CM-0001 already has a circle"),
        (["circle", "add", "--member", "CM-0001", "--force"], "--force needs --reason"),
        (["circle", "add", "--member", "CM-0001", "--type", "picnic", "--force", "--reason", "x"],
         "invalid --type 'picnic'"),
        (["circle", "edit", "1", "--start", "2026-02-30"], "invalid --start '2026-02-30'"),
        (["circle", "edit", "1", "--day", "funday"], "invalid --day 'funday'"),
        (["circle", "join", "1", "Zed"], "no volunteer matches 'Zed'"),
        (["circle", "join", "1", "ann", "--role", "chair"], "invalid --role 'chair'"),
        (["circle", "join", "CM-9999", "ann"], "no core member CM-9999"),
        (["circle", "join", "7", "ann"], "circle 7 not found"),
        (["circle", "leave", "1", "ann"], "Ann Able is not a current member"),
        (["circle", "link", "1", "nobody"], "no pro matches 'nobody'"),
        (["circle", "phase", "1", "phase 9"], "invalid phase 'phase 9'"),
        (["circle", "status", "1", "ended"], "invalid status 'ended'"),
        (["circle", "end", "1", "--on", "2026-13-01", "--reason", "completed"], "invalid --on"),
        (["circle", "end", "1", "--on", "today", "--reason", "fine"], "invalid --reason 'fine'"),
        (["circle", "goal", "add", "1", "x", "--domain", "money"], "invalid --domain"),
        (["circle", "goal", "set", "5", "achieved"], "goal 5 not found"),
        (["circle", "show", "CM-0002"], "no core member CM-0002"),
        (["circle", "list", "--status", "done"], "invalid --status 'done'"),
    ]  # fmt: skip
    for args, expected in failures:
        result = cli(*args, code=1)
        assert result.stderr.startswith(f"Error: {expected}"), (args, result.stderr)
    cli("circle", "add", "--member", "CM-0001", "--cadence-days", "weekly", code=2)
    assert cli.json("audit", "verify")["entries"] == before
    assert cli.json("circle", "show", "1")["members"] == []


def test_a_goal_is_searchable_from_the_moment_it_is_added(store: Any) -> None:
    from cosa.domain import search

    circles.add(store, member=new_member(store))
    gid = circles.add_goal(store, "CM-0001", domain="leisure", text="Join the allotment society")
    assert [(h["record_type"], h["record_id"]) for h in search.search(store, "allotment")] == [
        ("goal", gid)
    ]
    circles.set_goal(store, gid, "partly", note="waiting list for a plot", on="2026-07-01")
    assert search.search(store, "plot") and search.search(store, "allotment")
    assert audit.verify(store).ok


def test_a_volunteer_who_leaves_leaves_their_circles_the_same_day(store: Any) -> None:
    cid = circles.add(store, member=new_member(store), start="2026-01-05")
    vid = ready_volunteer(store, "Ann Able")
    circles.join(store, cid, str(vid), on="2026-01-05")
    volunteers.leave(store, str(vid), reason="moved away", on="2026-03-01")
    assert circles.current_members(store, cid, "2026-03-02") == []
    assert [m["volunteer_id"] for m in circles.current_members(store, cid, "2026-03-01")] == [vid]
    assert audit.verify(store).ok
