"""Volunteers from enquiry to leaving: the pipeline, the gate at `circle join`, the derived
status and its history, expenses in pence, and names looked up by rank."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from cosa import audit, money
from cosa.domain import (
    actions,
    circles,
    expenses,
    members,
    pros,
    recruitment,
    resolve,
    volunteer_status,
    volunteers,
)
from cosa.errors import UserError
from cosa.store import Store

from .conftest import Cli
from .people import READY_ON, active_volunteer, approve, ready_volunteer

TODAY = date.today()


def _circle(store: Store) -> tuple[int, str]:
    _, code = members.add(store, mappa_category=1, mappa_level=1)
    return circles.add(store, member=code), code


def _refusal(store: Store, cid: int, who: str, day: str = "2026-01-05") -> str:
    with pytest.raises(UserError) as err:
        circles.join(store, cid, who, on=day)
    return err.value.message


# -- the gate --------------------------------------------------------------------------------


def test_a_volunteer_who_passes_every_check_joins_without_an_override(store: Store) -> None:
    cid, _ = _circle(store)
    ready_volunteer(store, "Ann Example")
    row = circles.join(store, cid, "ann", on="2026-01-05")
    assert row["joined_on"] == "2026-01-05"
    assert audit.entries(store, action="circle_member.override") == []


def test_an_applicant_is_refused_naming_every_reason(store: Store) -> None:
    cid, _ = _circle(store)
    volunteers.add(store, "Ann Example")
    head = store.audit_head()
    assert _refusal(store, cid, "ann") == (
        "Ann Example cannot join circle 1 (CM-0001) on 2026-01-05: not approved;"
        " no cleared enhanced DBS check; no initial training"
    )
    assert store.audit_head() == head


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        ("unapproved", "not approved until 2026-02-01"),
        ("basic", "no cleared enhanced DBS check"),
        ("pending", "no cleared enhanced DBS check"),
        ("expired", "DBS re-check overdue since 2025-01-06"),
        ("untrained", "no initial training"),
        ("conflict", "a recorded conflict with CM-0001 (lives in the same street)"),
    ],
)
def test_each_refusal_alone_is_named(store: Store, spoil: str, reason: str) -> None:
    cid, code = _circle(store)
    vid = volunteers.add(store, "Ann Example")
    approve(store, vid, on="2026-02-01" if spoil == "unapproved" else READY_ON)
    level = "basic" if spoil == "basic" else "enhanced"
    decision = "pending" if spoil == "pending" else "cleared"
    checked = None if spoil == "expired" else TODAY
    volunteers.vet(store, "ann", level=level, certificate="001234567890", issued="2022-01-06",
                   checked=checked, decision=decision)  # fmt: skip
    if spoil != "untrained":
        volunteers.train(store, "ann", kind="initial", on=READY_ON)
    else:
        volunteers.train(store, "ann", kind="supplementary", on=READY_ON)
    if spoil == "conflict":
        recruitment.conflict(store, "ann", member=code, reason="lives in the same street")
    assert _refusal(store, cid, "ann").endswith(f"on 2026-01-05: {reason}")


def test_a_seventh_volunteer_needs_an_override(store: Store) -> None:
    cid, _ = _circle(store)
    for n in range(7):
        ready_volunteer(store, f"Volunteer {n}")
    for n in range(6):
        circles.join(store, cid, f"Volunteer {n}", on="2026-01-05")
    assert _refusal(store, cid, "Volunteer 6").endswith("circle 1 already has 6 current volunteers")
    circles.leave(store, cid, "Volunteer 0", on="2026-01-05")
    assert circles.join(store, cid, "Volunteer 6", on="2026-01-06")


def test_an_override_lets_them_join_and_the_reason_is_audited(store: Store) -> None:
    cid, _ = _circle(store)
    volunteers.add(store, "Ann Example")
    row = circles.join(store, cid, "ann", on="2026-01-05", override=" DBS applied for ")
    [entry] = audit.entries(store, action="circle_member.override")
    assert entry["record_id"] == row["id"]
    assert entry["detail"] == {
        "reason": "DBS applied for",
        "refusals": ["not approved", "no cleared enhanced DBS check", "no initial training"],
    }
    assert volunteers.get(store, "ann")["status"] == "active"
    assert [o["reason"] for o in recruitment.overrides(store)] == ["DBS applied for"]
    assert audit.verify(store).ok


def test_an_override_needs_a_reason_and_does_not_let_a_leaver_join(store: Store) -> None:
    cid, _ = _circle(store)
    ready_volunteer(store, "Ann Example")
    with pytest.raises(UserError, match="--override needs a reason"):
        circles.join(store, cid, "ann", on="2026-01-05", override="  ")
    volunteers.leave(store, "ann", reason="moved away", on="2026-01-01")
    with pytest.raises(UserError, match=r"left on 2026-01-01 .a volunteer who left cannot join"):
        circles.join(store, cid, "ann", on="2026-01-05", override="we need her")


def test_the_gate_applies_to_new_joins_only(store: Store) -> None:
    cid, _ = _circle(store)
    volunteers.add(store, "Ann Example")
    circles.join(store, cid, "ann", on="2026-01-05", override="trial")
    circles.leave(store, cid, "ann", on="2026-02-01")  # leaving is never gated
    assert _refusal(store, cid, "ann", "2026-02-02").startswith("Ann Example cannot join")


def test_circle_join_through_the_cli_refuses_in_one_line_and_writes_nothing(cli: Cli) -> None:
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli("circle", "add", "--member", "CM-0001")
    cli("volunteer", "add", "Ann Example")
    before = cli.json("audit", "verify")["entries"]
    result = cli("circle", "join", "CM-0001", "ann", "--on", "2026-01-05", code=1)
    assert result.stderr.splitlines() == [
        "Error: Ann Example cannot join circle 1 (CM-0001) on 2026-01-05: not approved;"
        " no cleared enhanced DBS check; no initial training",
        "Hint: --override REASON lets them join, and is audited",
    ]
    cli("circle", "join", "CM-0001", "ann", "--on", "2026-01-05", "--override", "", code=1)
    assert cli.json("audit", "verify")["entries"] == before
    cli("circle", "join", "CM-0001", "ann", "--on", "2026-01-05", "--override", "agreed")
    assert cli.json("audit", "--action", "circle_member.override")[0]["detail"]["reason"] == (
        "agreed"
    )


# -- nothing dated after leaving -------------------------------------------------------------


def test_vetting_training_supervision_and_hours_after_leaving_are_refused(store: Store) -> None:
    ready_volunteer(store, "Ann Example")
    volunteers.leave(store, "ann", reason="moved away", on="2025-06-30")
    head = store.audit_head()
    late = "2025-07-01"
    for write in (
        lambda: volunteers.vet(store, "ann", level="enhanced", certificate="7", issued=late),
        lambda: volunteers.train(store, "ann", kind="supplementary", on=late),
        lambda: volunteers.supervise(store, "ann", on=late),
        lambda: volunteers.log_hours(store, "ann", on=late, hours=1),
        lambda: expenses.add(store, "ann", on=late, amount="1.00"),
        lambda: recruitment.set_stage(store, "ann", "matched", on=late),
    ):
        with pytest.raises(UserError, match=r"left on 2025-06-30; .* dated 2025-07-01 cannot"):
            write()
    assert store.audit_head() == head
    volunteers.log_hours(store, "ann", on="2025-06-30", hours=1)  # the last day still counts


# -- derived status --------------------------------------------------------------------------


def test_status_follows_approval_joins_leaves_and_rests_as_a_dated_history(store: Store) -> None:
    cid, _ = _circle(store)
    other, _ = _circle(store)
    vid = volunteers.add(store, "Ann Example")
    assert volunteers.get(store, "ann")["status"] == "applicant"
    for referee in ("Rita", "Ron"):
        recruitment.reference(store, "ann", referee=referee, requested="2025-01-01",
                              received="2025-01-10", outcome="satisfactory")  # fmt: skip
    recruitment.set_stage(store, "ann", "approved", on="2025-02-01")
    volunteers.vet(store, "ann", level="enhanced", certificate="1", issued="2025-01-20",
                   decision="cleared")  # fmt: skip
    volunteers.train(store, "ann", kind="initial", on="2025-01-25")
    assert volunteers.get(store, "ann")["status"] == "available"
    circles.join(store, cid, "ann", on="2025-03-01")
    circles.join(store, other, "ann", on="2025-04-01")
    circles.leave(store, cid, "ann", on="2025-05-31")  # still in the other circle
    circles.leave(store, other, "ann", on="2025-06-30")
    volunteers.rest(store, "ann", on="2025-08-01", note="new job")
    volunteers.resume(store, "ann", on="2025-10-01")
    volunteers.leave(store, "ann", reason="moved away", on="2025-12-01")
    on = {
        day: volunteer_status.status_on(store, vid, day)
        for day in (
            "2025-01-31", "2025-02-01", "2025-03-01", "2025-05-31", "2025-06-01", "2025-06-30",
            "2025-07-01", "2025-08-01", "2025-10-01", "2025-12-01",
        )
    }  # fmt: skip
    assert on == {
        "2025-01-31": "applicant",
        "2025-02-01": "available",
        "2025-03-01": "active",
        "2025-05-31": "active",
        "2025-06-01": "active",
        "2025-06-30": "active",
        "2025-07-01": "available",
        "2025-08-01": "resting",
        "2025-10-01": "available",
        "2025-12-01": "left",
    }
    history = [(h["since"], h["status"]) for h in volunteer_status.history(store, vid)]
    assert history == [
        ("2025-02-01", "available"),
        ("2025-03-01", "active"),
        ("2025-07-01", "available"),
        ("2025-08-01", "resting"),
        ("2025-10-01", "available"),
        ("2025-12-01", "left"),
    ]
    assert volunteer_status.statuses_on(store, "2025-08-15") == {vid: "resting"}
    assert audit.verify(store).ok


def test_a_backdated_join_corrects_the_history_without_overwriting_it(store: Store) -> None:
    cid, _ = _circle(store)
    vid = ready_volunteer(store, "Ann Example")
    circles.join(store, cid, "ann", on="2025-05-01")
    circles.leave(store, cid, "ann", on="2025-05-31")
    before = volunteer_status.history(store, vid)
    other, _ = _circle(store)
    circles.join(store, other, "ann", on="2025-05-15")  # recorded late, still current
    after = volunteer_status.history(store, vid)
    assert after[: len(before)] == before
    assert volunteer_status.status_on(store, vid, "2025-06-15") == "active"
    assert volunteers.get(store, "ann")["status"] == "active"


def test_ending_a_circle_makes_its_volunteers_available(store: Store) -> None:
    cid, _ = _circle(store)
    ready_volunteer(store, "Ann Example")
    circles.join(store, cid, "ann", on="2025-05-01")
    circles.end(store, cid, on="2025-09-30", reason="completed")
    assert volunteers.get(store, "ann")["status"] == "available"


def test_resting_and_resuming_refuse_the_wrong_state(store: Store) -> None:
    volunteers.add(store, "Ann Example")
    with pytest.raises(UserError, match="is not resting on"):
        volunteers.resume(store, "ann")
    volunteers.rest(store, "ann", on="2025-01-01")
    with pytest.raises(UserError, match="already resting on 2025-02-01"):
        volunteers.rest(store, "ann", on="2025-02-01")
    assert volunteers.resume(store, "ann", on="2025-03-01") == "applicant"


# -- pipeline and references -----------------------------------------------------------------


def test_approval_needs_two_satisfactory_references_received_by_then(store: Store) -> None:
    volunteers.add(store, "Ann Example")
    recruitment.reference(store, "ann", referee="Rita", requested="2025-01-01")
    recruitment.reference(store, "ann", referee="Ron", requested="2025-01-01",
                          received="2025-01-08", outcome="concerns")  # fmt: skip
    with pytest.raises(UserError, match="has 0 satisfactory references received by 2025-02-01"):
        recruitment.set_stage(store, "ann", "approved", on="2025-02-01")
    rid, completed = recruitment.reference(
        store, "ann", referee="rita", received="2025-01-20", outcome="satisfactory"
    )
    assert completed and rid == 1
    recruitment.reference(store, "ann", referee="Sam", requested="2025-01-02",
                          received="2025-02-10", outcome="satisfactory")  # fmt: skip
    with pytest.raises(UserError, match="has 1 satisfactory reference received by 2025-02-01"):
        recruitment.set_stage(store, "ann", "approved", on="2025-02-01")
    recruitment.set_stage(store, "ann", "approved", on="2025-02-10")
    assert recruitment.approved_on(store, 1) == "2025-02-10"
    with pytest.raises(UserError, match="already approved on 2025-02-10"):
        recruitment.set_stage(store, "ann", "approved", on="2025-02-11")


def test_stages_are_a_lookup_and_the_list_filters_by_the_current_stage(cli: Cli) -> None:
    cli("volunteer", "add", "Ann Example")
    cli("volunteer", "add", "Bob Baker")
    cli("volunteer", "stage", "ann", "enquiry", "--on", "2025-01-01")
    cli("volunteer", "stage", "ann", "interview", "--on", "2025-01-15", "--note", "went well")
    cli("volunteer", "stage", "bob", "enquiry", "--on", "2025-01-03")
    cli("lookup", "add", "volunteer-stage", "taster session")
    cli("volunteer", "stage", "bob", "taster session", "--on", "2025-01-04")
    assert [v["name"] for v in cli.json("volunteer", "list", "--stage", "interview")] == [
        "Ann Example"
    ]
    shown = cli.json("volunteer", "show", "ann")
    assert [(s["stage"], s["days"]) for s in shown["stages"]] == [
        ("enquiry", 14),
        ("interview", None),
    ]
    assert (shown["stage"], shown["stage_on"]) == ("interview", "2025-01-15")


# -- the return ------------------------------------------------------------------------------


def test_recruited_in_the_return_counts_approvals_in_the_quarter(store: Store) -> None:
    from cosa.reports import quarter

    for n in range(6):
        vid = volunteers.add(store, f"Volunteer {n}")
        approve(store, vid, on="2025-08-01" if n < 5 else "2025-10-01")
    volunteers.add(store, "Still Applying")  # added now, never approved
    assert quarter.data(store, "2025-Q3")["volunteers"]["recruited"] == 5
    assert quarter.data(store, "2025-Q4")["volunteers"]["recruited"] == "<5"
    assert quarter.data(store, quarter.quarter_of(TODAY))["volunteers"]["recruited"] == 0


# -- expenses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "pence"),
    [("12.40", 1240), ("12.4", 1240), ("12", 1200), ("0.01", 1), ("£1,234.50", 123450),
     ("0.10", 10), ("10000.00", 1_000_000)],
)  # fmt: skip
def test_amounts_become_integer_pence_without_floats(typed: str, pence: int) -> None:
    assert money.parse_pence("--amount", typed) == pence
    assert isinstance(money.parse_pence("--amount", typed), int)


@pytest.mark.parametrize(
    "typed", ["-1", "0", "0.00", "1.234", "1e3", "abc", "", "1,23", "10000.01"]
)
def test_bad_amounts_are_refused(typed: str) -> None:
    with pytest.raises(UserError, match="invalid --amount"):
        money.parse_pence("--amount", typed)


def test_expenses_are_claimed_paid_once_listed_and_totalled_in_pence(store: Store) -> None:
    _, code = _circle(store)
    ready_volunteer(store, "Ann Example")
    ready_volunteer(store, "Bob Baker")
    a = expenses.add(store, "ann", on="2025-03-01", amount="12.40", miles=18, circle=code)
    b = expenses.add(store, "bob", on="2025-03-02", amount="0.10", kind="subsistence")
    expenses.add(store, "ann", on="2025-04-01", amount="3.33", kind="other", note="stamps")
    expenses.pay(store, a, on="2025-03-10")
    with pytest.raises(UserError, match="already paid on 2025-03-10"):
        expenses.pay(store, a, on="2025-03-11")
    with pytest.raises(UserError, match="before the expense"):
        expenses.pay(store, b, on="2025-03-01")
    assert [e["id"] for e in expenses.list_(store, unpaid=True)] == [3, 2]
    assert [e["id"] for e in expenses.list_(store, from_="2025-03-02", to="2025-03-31")] == [2]
    assert expenses.totals(store, "2025-03-01", "2025-03-31") == {
        "claims": 2, "claimed_pence": 1250, "paid_pence": 1240, "unpaid_pence": 10,
        "miles": 18.0, "volunteers": 2, "by_kind": {"subsistence": 10, "travel": 1240},
    }  # fmt: skip
    [row] = store.query("SELECT typeof(amount_pence) AS t FROM volunteer_expenses WHERE id = 1")
    assert row["t"] == "integer"
    assert expenses.list_(store, volunteer="ann")[1]["member_code"] == code


def test_expense_list_json_and_csv_carry_pence(cli: Cli) -> None:
    cli("volunteer", "add", "Ann Example")
    cli("volunteer", "expense", "add", "ann", "--on", "2025-03-01", "--amount", "12.40",
        "--miles", "18")  # fmt: skip
    cli("volunteer", "expense", "add", "ann", "--on", "2025-03-02", "--amount", "1")
    cli("volunteer", "expense", "pay", "1", "--on", "2025-03-05")
    [unpaid] = cli.json("volunteer", "expense", "list", "--unpaid")
    assert (unpaid["id"], unpaid["amount_pence"], unpaid["paid_on"]) == (2, 100, None)
    csv_lines = cli("volunteer", "expense", "list", "--csv", "--limit", "1").stdout.splitlines()
    assert csv_lines[0].split(",")[4] == "amount_pence" and csv_lines[1].split(",")[4] == "100"
    assert "£12.40" in cli("volunteer", "expense", "list").stdout
    shown = cli.json("volunteer", "show", "ann")
    assert (shown["expenses_claimed_pence"], shown["expenses_unpaid_pence"]) == (1340, 100)


# -- names -----------------------------------------------------------------------------------

README_NAMES = ("Ann Example", "Bob Baker", "Carol Jones", "Annie Moss", "Tom Hardy", "Tom Archer")


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Ann Example", "Ann Example"),  # 1. the exact full name
        ("ann", "Ann Example"),  # 2. a whole first name of one person, despite Annie
        ("ANNIE", "Annie Moss"),
        ("archer", "Tom Archer"),  # 2. a surname
        ("moss", "Annie Moss"),
        ("Tom H", "Tom Hardy"),  # 3. a prefix of the full name
        ("exam", "Ann Example"),  # 3. a prefix of a word
        ("carol j", "Carol Jones"),
        ("bob", "Bob Baker"),
    ],
)
def test_names_are_found_by_rank(store: Store, typed: str, found: str) -> None:
    for name in README_NAMES:
        volunteers.add(store, name)
    assert volunteers.get(store, typed)["name"] == found


@pytest.mark.parametrize(
    ("typed", "listed"),
    [("tom", "6 Tom Archer, 5 Tom Hardy"), ("an", "1 Ann Example, 4 Annie Moss")],
)
def test_an_ambiguous_name_lists_the_candidates(store: Store, typed: str, listed: str) -> None:
    for name in README_NAMES:
        volunteers.add(store, name)
    with pytest.raises(UserError, match="matches several volunteers") as err:
        volunteers.get(store, typed)
    assert err.value.message == f"'{typed}' matches several volunteers: {listed}"


def test_case_and_accents_are_ignored(store: Store) -> None:
    volunteers.add(store, "Zoë Łukasiewicz")
    volunteers.add(store, "Émile Ó Briain")
    assert volunteers.get(store, "zoe")["name"] == "Zoë Łukasiewicz"
    assert volunteers.get(store, "LUKASIEWICZ")["name"] == "Zoë Łukasiewicz"
    assert volunteers.get(store, "emile o")["name"] == "Émile Ó Briain"
    assert resolve.fold("  Ørjan   SØNDERGAARD ") == "orjan sondergaard"


def test_professionals_are_found_by_surname_too(store: Store) -> None:
    pros.add(store, "Pat Probation", agency="NPS", role="probation")
    pros.add(store, "Pat Police", agency="TVP", role="police")
    assert pros.get(store, "probation")["name"] == "Pat Probation"
    with pytest.raises(UserError, match="matches several pros"):
        pros.get(store, "pat")


def test_action_owners_are_people_cosa_knows_and_free_text_is_refused(store: Store) -> None:
    cid, _ = _circle(store)
    active_volunteer(store, "Ann Example")
    volunteers.add(store, "Annie Moss")
    pros.add(store, "Pat Probation", agency="NPS", role="probation")
    assert actions.resolve_owner(store, circles.get(store, cid), "ann") == "Ann Example"
    assert actions.resolve_owner(store, circles.get(store, cid), "probation") == "Pat Probation"
    assert actions.resolve_owner(store, circles.get(store, cid), "COORDINATOR") == "Coordinator"
    head = store.audit_head()
    with pytest.raises(UserError, match="--owner 'the housing man' is not a volunteer"):
        actions.add(store, cid, "Ring housing", owner="the housing man")
    assert store.audit_head() == head


def test_a_meeting_refuses_an_unknown_owner_before_writing_anything(store: Store) -> None:
    from cosa.domain import meetings

    cid, _ = _circle(store)
    active_volunteer(store, "Ann Example")
    head = store.audit_head()
    with pytest.raises(UserError, match="--owner 'Zed' is not a volunteer, a professional"):
        meetings.add(store, cid, date="2025-01-07", actions=["Ring the PP"], owner="Zed")
    assert store.audit_head() == head
    meetings.add(store, cid, date="2025-01-07", actions=["Ring the PP"], owner="example")
    assert [a["owner"] for a in actions.list_(store)] == ["Ann Example"]


# -- the volunteer page ----------------------------------------------------------------------


def test_the_volunteer_page_shows_circles_pipeline_conflicts_and_expenses(
    cli: Cli, ws_home: Path
) -> None:
    from .weekly import workspace_store

    with workspace_store(ws_home) as store:
        cid, code = _circle(store)
        _, other_code = _circle(store)
        members.add(store, mappa_category=1, mappa_level=1)
        active_volunteer(store, "Bob Baker")  # in circle 1 from 2020
        ready_volunteer(store, "Ann Example")
        circles.join(store, 2, "ann", on="2024-01-01")
        circles.join(store, cid, "ann", on="2025-01-01")
        circles.leave(store, cid, "ann", on="2025-06-30")
        recruitment.conflict(store, "ann", member="CM-0003", reason="knows the victim")
        expenses.add(store, "ann", on="2025-03-01", amount="7.20", miles=16, circle=code)
    text = cli("volunteer", "show", "example").stdout
    assert f"1 ({code}) member, 2025-01-01 – 2025-06-30" in text
    assert f"2 ({other_code}) member, since 2024-01-01" in text
    assert "CM-0003: knows the victim" in text
    assert "2020-01-06 approved (current)" in text
    assert "1 claim, £7.20; unpaid £7.20" in text
    shown = cli.json("volunteer", "show", "example")
    assert [c["left_on"] for c in shown["circles"]] == [None, "2025-06-30"]
    assert shown["status"] == "active" and shown["approved_on"] == READY_ON


# -- reports reconciled with SQL on the demo ---------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from cosa import demo, vault

    path = tmp_path_factory.mktemp("demo") / "cosa.db"
    store = Store.open(path, vault.new_data_key(), create=True)
    demo.build(store, "small", today=TODAY)
    yield store
    store.close()


def test_the_volunteers_report_figures_match_sql_on_the_demo(demo_store: Store) -> None:
    from statistics import median

    from cosa.reports import volunteers as report

    store = demo_store
    data = report.data(store, include_left=True, today=TODAY)
    start, end = data["report"]["from"], data["report"]["to"]
    # status in force today, from the dated history
    counts = {
        r["status"]: r["n"]
        for r in store.query(
            "SELECT h.status, count(*) AS n FROM volunteer_status_history h WHERE h.id = ("
            " SELECT id FROM volunteer_status_history WHERE volunteer_id = h.volunteer_id"
            " AND since <= ? ORDER BY since DESC, id DESC LIMIT 1) GROUP BY h.status",
            (TODAY.isoformat(),),
        )
    }
    never = store.scalar(
        "SELECT count(*) FROM volunteers v WHERE NOT EXISTS (SELECT 1 FROM"
        " volunteer_status_history h WHERE h.volunteer_id = v.id AND h.since <= ?)",
        (TODAY.isoformat(),),
    )
    counts["applicant"] = counts.get("applicant", 0) + never
    assert {k: v for k, v in data["by_status"].items() if v} == counts
    assert counts.get("active") and counts.get("available") and counts.get("left")
    # pipeline: reached, at it now, days to the next stage
    rows = store.query(
        "SELECT volunteer_id, stage, date, lead(date) OVER w AS next_date,"
        " lead(volunteer_id) OVER w AS next_vid FROM volunteer_stages"
        " WINDOW w AS (ORDER BY volunteer_id, date, id)"
    )
    left = {r["id"] for r in store.query("SELECT id FROM volunteers WHERE left_on IS NOT NULL")}
    for stage in data["pipeline"]:
        mine = [r for r in rows if r["stage"] == stage["stage"]]
        days = [
            (date.fromisoformat(r["next_date"]) - date.fromisoformat(r["date"])).days
            for r in mine
            if r["next_vid"] == r["volunteer_id"]
        ]
        assert stage["reached"] == len({r["volunteer_id"] for r in mine})
        assert stage["moved_on"] == len(days)
        assert stage["current"] == sum(
            1 for r in mine if r["next_vid"] != r["volunteer_id"] and r["volunteer_id"] not in left
        )
        assert stage["median_days"] == (median(days) if days else None)
    assert any(s["current"] for s in data["pipeline"] if s["stage"] != "approved")
    # expenses in the period, in pence
    e = store.one(
        "SELECT count(*) AS claims, sum(amount_pence) AS claimed,"
        " sum(CASE WHEN paid_on IS NOT NULL THEN amount_pence ELSE 0 END) AS paid"
        " FROM volunteer_expenses WHERE date BETWEEN ? AND ?",
        (start, end),
    )
    assert e is not None and e["claims"] > 0
    assert (data["expenses"]["claims"], data["expenses"]["claimed_pence"]) == (
        e["claims"], e["claimed"]
    )  # fmt: skip
    assert data["expenses"]["paid_pence"] == e["paid"]
    assert data["expenses_unpaid_pence"] == store.scalar(
        "SELECT sum(amount_pence) FROM volunteer_expenses WHERE paid_on IS NULL"
    )
    # overrides: the audited joins
    assert len(data["overrides"]) == store.scalar(
        "SELECT count(*) FROM audit a JOIN circle_members cm ON cm.id = a.record_id"
        " WHERE a.action = 'circle_member.override' AND cm.joined_on BETWEEN ? AND ?",
        (start, end),
    )
    assert data["overrides"], "the demo has an overridden join"
    assert audit.verify(store).ok


def test_the_return_counts_recruits_and_expenses_like_sql_on_the_demo(demo_store: Store) -> None:
    from cosa.reports import quarter

    store = demo_store
    label = quarter.quarter_of(TODAY - timedelta(days=92))
    data = quarter.data(store, label)
    qs, qe = data["report"]["from"], data["report"]["to"]
    recruited = store.scalar(
        "SELECT count(*) FROM (SELECT volunteer_id, min(date) AS first FROM volunteer_stages"
        " WHERE stage = 'approved' GROUP BY volunteer_id) WHERE first BETWEEN ? AND ?",
        (qs, qe),
    )
    limit = data["suppression"]["threshold"]
    expect = f"<{limit}" if 0 < recruited < limit else recruited
    assert data["volunteers"]["recruited"] == expect
    claims = store.one(
        "SELECT count(*) AS n, count(DISTINCT volunteer_id) AS people, sum(amount_pence) AS p"
        " FROM volunteer_expenses WHERE date BETWEEN ? AND ?",
        (qs, qe),
    )
    assert claims is not None
    if claims["people"] >= limit:
        assert data["volunteer_expenses"]["claimed_pence"] == claims["p"]
    assert data["volunteer_expenses"]["claims"] == (
        f"<{limit}" if 0 < claims["n"] < limit else claims["n"]
    )


# -- the upgrade -----------------------------------------------------------------------------


def test_migration_m040_approves_volunteers_in_circles_on_their_first_join(tmp_path: Path) -> None:
    """An upgrade: volunteers already in circles are approved on the day they first joined,
    their status history is built, and `audit verify` still passes."""
    from cosa import migrations, vault

    store = Store.open(tmp_path / "old.db", vault.new_data_key(), create=True, migrate=False)
    saved = list(migrations.MIGRATIONS)
    migrations.MIGRATIONS[:] = [fn for fn in saved if fn.__name__ < "m040"]
    try:
        migrations.apply_migrations(store)
        with store.atomic():  # written as the old code did: plain audited inserts
            m = store.insert("core_members", "member",
                             {"number": 1, "code": "CM-0001", "mappa_category": 1, "mappa_level": 1})  # fmt: skip
            c = store.insert("circles", "circle",
                             {"member_id": m, "type": "community", "coordinator": "Sam"})  # fmt: skip
            ids = {
                name: store.insert("volunteers", "volunteer", {"name": name, "status": status})
                for name, status in (
                    ("Ann Example", "applicant"), ("Bob Baker", "available"),
                    ("Carol Jones", "in training"), ("Dan Gone", "left"),
                )
            }  # fmt: skip
            store.update("volunteers", "volunteer", ids["Dan Gone"],
                         {"left_on": "2025-03-01", "left_reason": "moved"})  # fmt: skip
            for name, joined, left in (
                ("Ann Example", "2025-02-01", None),
                ("Ann Example", "2024-11-01", "2024-12-31"),
                ("Dan Gone", "2024-06-01", "2025-03-01"),
            ):
                store.insert("circle_members", "circle_member",
                             {"circle_id": c, "volunteer_id": ids[name], "joined_on": joined,
                              "left_on": left})  # fmt: skip
    finally:
        migrations.MIGRATIONS[:] = saved
    assert "m040_volunteer_pipeline" in migrations.apply_migrations(store)
    assert recruitment.approved_on(store, ids["Ann Example"]) == "2024-11-01"
    assert recruitment.approved_on(store, ids["Dan Gone"]) == "2024-06-01"
    assert recruitment.approved_on(store, ids["Bob Baker"]) is not None  # said available
    assert recruitment.approved_on(store, ids["Carol Jones"]) is None
    assert recruitment.current_stage(store, ids["Carol Jones"])["stage"] == "training"
    status = {n: volunteers.get(store, str(i))["status"] for n, i in ids.items()}
    assert status == {
        "Ann Example": "active",
        "Bob Baker": "available",
        "Carol Jones": "applicant",
        "Dan Gone": "left",
    }
    assert volunteer_status.status_on(store, ids["Ann Example"], "2025-01-15") == "available"
    assert volunteer_status.status_on(store, ids["Dan Gone"], "2025-02-01") == "active"
    assert audit.verify(store).ok, audit.verify(store).problems
    store.close()
