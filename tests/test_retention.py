"""Retention: rules as data, what is due, erasure that leaves no trace, holds and exceptions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from cosa import audit
from cosa.domain import (
    actions,
    circles,
    concerns,
    contacts,
    meetings,
    members,
    pros,
    referrals,
    retention,
    reviews,
    search,
    volunteers,
)
from cosa.errors import UserError
from cosa.migrations import RECORD_COLUMNS, RECORD_TABLES
from cosa.store import Store
from cosa.workspace import Options, Workspace

from .conftest import Cli
from .people import approve, make_ready

TODAY = date(2026, 11, 26)

#: One made-up word per kind of content of CM-0001's file, to find any trace of it later.
MEMBER_WORDS = {
    "legal name": "xylophonist",
    "alias": "zebadiah",
    "address": "wombat",
    "contact": "07700900123",
    "condition": "zanzibarcondition",
    "notifications": "notifyemu",
    "referrer": "walrusname",
    "documents": "walrusdocs",
    "coordinator": "jerboa",
    "venue": "quagga",
    "ending note": "meerkat",
    "minutes": "marmalade",
    "late reason": "tramcancelled",
    "amendment": "gooseberry",
    "concern": "pangolin",
    "concern note": "aardvarknote",
    "closing note": "closedkiwi",
    "escalation shared": "capybara",
    "escalation response": "dugong",
    "action": "kumquat",
    "contact note": "narwhal",
    "review": "ocelot",
    "review attendees": "attendeeibis",
    "risk review": "okapi",
    "goal": "tapir",
    "goal progress": "tapirprogress",
    "goal outcome": "outcomeyak",
}
#: Words of the search index among them (minutes, amendment, concern, notes, escalation,
#: action, contact, review, goal).
INDEXED = [
    "marmalade",
    "gooseberry",
    "pangolin",
    "aardvarknote",
    "closedkiwi",
    "capybara",
    "dugong",
    "kumquat",
    "narwhal",
    "ocelot",
    "tapir",
    "tapirprogress",
    "outcomeyak",
]
DECLINED_WORDS = ["yolandadeclined", "bilbydocs"]
LEAVER_WORDS = ["leaverson", "qx998877", "wallabysupervision", "aberdeenmove", "quentin@"]


@dataclass
class World:
    cm1: str
    cm2: str
    cm3: str
    circle1: int
    circle3: int
    meeting: int
    leaver: int
    keeper: int


def build(store: Store) -> World:
    """A provider with history: CM-0001's circle ran 2012–2014; CM-0002 was declined in
    2015 and never had a circle; CM-0003's circle is active; Quentin left in 2016."""
    keeper = volunteers.add(store, "Ann Keeper")
    leaver = volunteers.add(
        store, "Quentin Leaverson", email="quentin@example.org", phone="01234 567890"
    )
    volunteers.vet(
        store,
        str(leaver),
        level="enhanced",
        certificate="QX998877",
        issued="2011-06-01",
        decision="cleared",
    )
    volunteers.train(store, str(leaver), kind="initial", on="2011-07-01", hours=12)
    volunteers.supervise(store, str(leaver), on="2012-05-01", note="wallabysupervision")
    volunteers.log_hours(store, str(leaver), on="2012-02-01", hours=2)
    approve(store, leaver, on="2011-07-02")
    make_ready(store, keeper, on="2011-01-03")
    pros.add(store, "Pat Probation", agency="NPS", role="probation")

    _, cm1 = members.add(
        store,
        mappa_category=1,
        mappa_level=2,
        legal_name="Zebedee Xylophonist",
        aliases="Zebadiah",
        date_of_birth="1970-01-01",
        address="12 Wombat Lane",
        contact="07700900123",
        notification_requirements="notifyemu weekly",
    )
    members.add_condition(store, cm1, "No contact zanzibarcondition", start="2011-12-01")
    members.add_risk(
        store,
        cm1,
        instrument="OASys RoSH",
        scale="RoSH",
        value="medium",
        on="2011-11-01",
        source="NPS",
    )
    members.consent(store, cm1, "NPS", on="2011-12-01")
    ref1 = referrals.add(
        store,
        received="2011-10-01",
        source="probation",
        member=cm1,
        referrer="Officer Walrusname",
        documents="walrusdocs OASys",
    )
    referrals.decide(store, ref1, "accepted", on="2011-11-01")
    circle1 = circles.add(
        store,
        member=cm1,
        circle_type="community",
        start="2012-01-10",
        coordinator="Jerboa Coordinator",
        venue="Quagga Hall",
    )
    circles.join(store, circle1, "Ann", on="2012-01-10")
    # entered as history: his 2011 DBS check is long due a re-check today, and a join dated
    # in the past is checked today too (he leaves the circle with its ending, below)
    circles.join(store, circle1, "Quentin", on="2012-01-10", override="historical record")
    circles.link(store, circle1, "Pat", on="2012-01-10")
    circles.set_phase(store, circle1, "phase 1", on="2012-01-10")
    goal = circles.add_goal(store, circle1, domain="accommodation", text="Tapir flat")
    reviews.goal_progress(store, goal, progress="tapirprogress made", on="2012-03-01")
    circles.set_goal(store, goal, "achieved", on="2012-06-01", note="outcomeyak")
    meeting = meetings.add(
        store,
        circle1,
        date="2012-02-01",
        type="formal",
        present="Ann,Quentin",
        cm_attended="late",
        late_reason="tramcancelled",
        rag="green",
        minutes="Marmalade check-in went well.",
    )
    meetings.approve(store, meeting, at=datetime(2012, 2, 2, 10, 0))
    meetings.amend(store, meeting, "Correction about gooseberry", reason="typo")
    concern = concerns.add(
        store,
        circle1,
        severity="amber",
        category="access to children",
        on="2012-02-01",
        text="Pangolin seen near a school",
        meeting_id=meeting,
        raised_by="Ann Keeper",
    )
    concerns.note(store, concern, "Followed up aardvarknote", on="2012-02-02")
    concerns.escalate(
        store,
        concern,
        to="Pat",
        via="phone",
        at="2012-02-02 10:00",
        shared="capybara details",
        response="dugong visited",
        response_at="2012-02-03 10:00",
    )
    concerns.close(store, concern, note="closedkiwi resolved", on="2012-02-10")
    actions.add(store, circle1, "Kumquat phone call", owner="Ann Keeper", meeting_id=meeting)
    contacts.add(store, circle1, by="Ann", on="2012-02-05", note="Narwhal coffee")
    reviews.add(
        store,
        circle1,
        on="2012-04-01",
        attendees="attendeeibis",
        decision="continue",
        note="Ocelot review",
    )
    reviews.add_risk_review(store, circle1, on="2012-04-01", scores=["hostility=2"], note="okapi")
    circles.end(store, circle1, on="2014-06-30", reason="completed", note="meerkat farewell")

    _, cm2 = members.add(store, mappa_category=1, mappa_level=1, legal_name="Yolandadeclined")
    ref2 = referrals.add(
        store, received="2014-12-01", source="police", member=cm2, documents="bilbydocs"
    )
    referrals.decide(store, ref2, "declined", reason_group="person", on="2015-01-05")

    _, cm3 = members.add(store, mappa_category=2, mappa_level=1, legal_name="Active Person")
    circle3 = circles.add(store, member=cm3, circle_type="community", start="2026-01-05")
    circles.join(store, circle3, "Ann", on="2026-01-05")
    circles.set_phase(store, circle3, "phase 1", on="2026-01-05")
    meetings.add(
        store,
        circle3,
        date="2026-02-03",
        type="formal",
        present="Ann",
        cm_attended="yes",
        rag="green",
        minutes="Platypus active words.",
    )

    volunteers.leave(store, str(leaver), reason="aberdeenmove", on="2016-03-01")
    return World(cm1, cm2, cm3, circle1, circle3, meeting, leaver, keeper)


@pytest.fixture
def world(store: Store) -> World:
    return build(store)


def text_hits(store: Store, word: str) -> list[str]:
    """Every table.column (shadow tables of the search index included) holding `word`."""
    needle = word.lower()
    hits = []
    tables = [
        r["name"]
        for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    for table in tables:
        for row in store.conn.execute(f'SELECT * FROM "{table}"'):
            for column, value in row.items():
                if isinstance(value, str) and needle in value.lower():
                    hits.append(f"{table}.{column}")
                elif isinstance(value, bytes) and needle.encode() in value.lower():
                    hits.append(f"{table}.{column} (bytes)")
    return hits


def assert_no_trace(store: Store, words: list[str]) -> None:
    for word in words:
        assert text_hits(store, word) == [], word
        assert not search.vocabulary_contains(store, word), word


def due_keys(store: Store, **kw: Any) -> set[tuple[str, int, str]]:
    return {(r["record_type"], r["id"], r["status"]) for r in retention.due(store, **kw)}


def count(store: Store, table: str) -> int:
    return int(store.scalar(f"SELECT count(*) FROM {table}"))


def verified(store: Store) -> None:
    result = audit.verify(store)
    assert result.ok, result.problems
    problems = store.query("PRAGMA foreign_key_check")
    assert problems == []


# -- rules -------------------------------------------------------------------------------------


def test_default_rules_follow_uk_cosa_practice(store: Store) -> None:
    rules = {r["record_type"]: r for r in retention.rules(store)}
    assert list(rules) == ["member", "volunteer", "vetting", "referral", "professional", "audit"]
    assert (rules["member"]["trigger"], rules["member"]["period"], rules["member"]["action"]) == (
        "circle end",
        "6y",
        "review",
    )
    assert rules["volunteer"]["trigger"] == "volunteer leaving"
    assert (rules["volunteer"]["period"], rules["volunteer"]["action"]) == ("6y", "review")
    assert (rules["vetting"]["period"], rules["vetting"]["action"]) == ("6m", "delete")
    assert rules["referral"]["trigger"] == "referral decision"
    assert (rules["referral"]["period"], rules["referral"]["action"]) == ("2y", "delete")
    assert (rules["audit"]["period"], rules["audit"]["action"]) == ("never", "keep")
    assert all(r["note"] for r in rules.values())
    verified(store)


def test_a_rule_is_changed_with_its_fields_validated_and_audited(store: Store) -> None:
    rule, changed = retention.set_rule(store, "member", period="7 years", action="Anonymise")
    assert (rule["period"], rule["action"], changed) == ("7y", "anonymise", ["action", "period"])
    assert retention.set_rule(store, "member", period="84m")[0]["period"] == "84m"
    last = store.one("SELECT * FROM audit ORDER BY seq DESC LIMIT 1")
    assert last is not None and last["action"] == "retention_rule.set"
    for kwargs, text in (
        ({"period": "six years"}, "invalid --period 'six years'"),
        ({"period": "0y"}, "invalid --period '0y'"),
        ({"action": "shred"}, "invalid --action 'shred'"),
        ({"trigger": "birthday"}, "invalid --trigger 'birthday'"),
        ({}, "nothing to change"),
    ):
        with pytest.raises(UserError, match=text):
            retention.set_rule(store, "member", **kwargs)
    with pytest.raises(UserError, match="invalid --action 'delete'"):
        retention.set_rule(store, "professional", action="delete")
    with pytest.raises(UserError, match="audit entries are never erased"):
        retention.set_rule(store, "audit", period="1y")
    with pytest.raises(UserError, match="invalid TYPE 'minutes'"):
        retention.set_rule(store, "minutes", period="1y")
    verified(store)


def test_periods_read_like_people_write_them() -> None:
    for text, canonical in (("6y", "6y"), ("6 years", "6y"), ("18m", "18m"), ("2 weeks", "2w")):
        assert retention.parse_period(text) == canonical
    assert retention.describe_period("1y") == "1 year"
    assert retention.describe_period("18m") == "18 months"


# -- what is due -------------------------------------------------------------------------------


def test_due_lists_what_the_rules_reach_with_trigger_and_due_dates(
    store: Store, world: World
) -> None:
    rows = {(r["record_type"], r["id"]): r for r in retention.due(store, today=TODAY)}
    expected = {("member", 1), ("volunteer", world.leaver), ("vetting", 1), ("referral", 2)}
    assert set(rows) == expected
    member = rows[("member", 1)]
    assert (member["label"], member["trigger_date"], member["due_on"]) == (
        "CM-0001",
        "2014-06-30",
        "2020-06-30",
    )
    assert (member["action"], member["status"], member["rule"]) == (
        "review",
        "due",
        "circle end + 6 years",
    )
    assert rows[("vetting", 1)]["due_on"] == "2016-09-01"
    assert rows[("referral", 2)]["due_on"] == "2017-01-05"
    assert rows[("volunteer", world.leaver)]["due_on"] == "2022-03-01"
    # Nothing for the active circle's member, the declined member (the referral carries
    # him), the volunteer who stays, or the professional (no end date).
    assert not retention.due(store, today=date(2016, 1, 1))


def test_due_dates_clamp_to_the_end_of_the_month(store: Store) -> None:
    vid = volunteers.add(store, "Leap Day")
    volunteers.leave(store, str(vid), reason="moved", on="2024-02-29")
    retention.set_rule(store, "volunteer", period="1y")
    [row] = retention.due(store, today=TODAY)
    assert row["due_on"] == "2025-02-28"
    retention.set_rule(store, "volunteer", period="1m")
    [row] = retention.due(store, today=TODAY)
    assert row["due_on"] == "2024-03-29"


def test_as_of_shows_what_falls_due_later(store: Store) -> None:
    vid = volunteers.add(store, "Recent Leaver")
    volunteers.leave(store, str(vid), reason="moved", on="2026-01-15")
    assert ("vetting", vid, "due") not in due_keys(store, today=TODAY)
    assert due_keys(store, today=TODAY) == set()
    assert due_keys(store, today=TODAY, as_of=date(2032, 1, 15)) == {("volunteer", vid, "due")}


# -- anonymise ---------------------------------------------------------------------------------


def test_anonymising_a_member_removes_every_identifying_word_and_keeps_the_statistics(
    store: Store, world: World
) -> None:
    before = {t: count(store, t) for t in ("meetings", "concerns", "escalations", "contacts")}
    assert all(search.vocabulary_contains(store, w) for w in INDEXED)
    assert text_hits(store, "xylophonist") == ["member_identity.legal_name"]
    retention.set_rule(store, "member", action="anonymise")
    done = retention.apply(store, today=TODAY)
    [erased] = [d for d in done if d.record_type == "member"]
    assert (erased.action, erased.label, erased.rule) == (
        "anonymise",
        "CM-0001",
        "circle end + 6 years",
    )
    assert erased.rows["meeting"] == 1 and erased.rows["member_identity"] == 1
    assert_no_trace(store, list(MEMBER_WORDS.values()))
    # Statistics survive: rows, dates, categories, RAG, attendance.
    assert {t: count(store, t) for t in before} == before
    m = store.one("SELECT * FROM meetings WHERE id = ?", (world.meeting,))
    assert m is not None
    assert (m["date"], m["rag"], m["cm_attended"], m["minutes"]) == (
        "2012-02-01",
        "green",
        "late",
        retention.MARKER,
    )
    c = store.one("SELECT * FROM concerns")
    assert c is not None and (c["category"], c["severity"], c["text"]) == (
        "access to children",
        "amber",
        retention.MARKER,
    )
    who = store.one("SELECT * FROM member_identity WHERE member_id = 1")
    assert who is not None
    assert (who["legal_name"], who["date_of_birth"]) == (retention.MARKER, None)
    assert store.scalar("SELECT code FROM core_members WHERE id = 1") == "CM-0001"
    assert search.search(store, "marmalade") == []
    # Other members' words are untouched.
    assert search.vocabulary_contains(store, "platypus")
    verified(store)
    # Done once: not due again under an anonymise rule, due again under a delete rule.
    assert ("member", 1, "due") not in due_keys(store, today=TODAY)
    retention.set_rule(store, "member", action="delete")
    assert ("member", 1, "due") in due_keys(store, today=TODAY)


def test_anonymising_a_volunteer_keeps_hours_and_training(store: Store, world: World) -> None:
    retention.set_rule(store, "volunteer", action="anonymise")
    retention.set_rule(store, "vetting", action="anonymise")
    retention.apply(store, today=TODAY)
    v = store.one("SELECT * FROM volunteers WHERE id = ?", (world.leaver,))
    assert v is not None
    assert (v["name"], v["email"], v["phone"], v["left_on"]) == (
        retention.MARKER,
        None,
        None,
        "2016-03-01",
    )
    assert count(store, "volunteer_hours") == 1
    assert (
        store.scalar(
            "SELECT count(*) FROM volunteer_training WHERE volunteer_id = ?", (world.leaver,)
        )
        == 1
    )
    assert_no_trace(store, LEAVER_WORDS)
    assert store.scalar("SELECT name FROM volunteers WHERE id = ?", (world.keeper,)) == "Ann Keeper"
    verified(store)


def test_anonymising_a_professional_clears_name_and_contact_details(store: Store) -> None:
    pid = pros.add(
        store,
        "Olga Oldofficer",
        agency="Police",
        role="police",
        phone="0999",
        email="olga@police.example",
        active_to="2015-01-01",
    )
    assert due_keys(store, today=TODAY) == {("professional", pid, "due")}
    erased = retention.erase(store, "professional", "Olga", action="anonymise", today=TODAY)
    assert erased.rule == retention.BY_HAND
    row = store.one("SELECT * FROM professionals WHERE id = ?", (pid,))
    assert row is not None and (row["name"], row["phone"], row["email"], row["agency"]) == (
        retention.MARKER,
        None,
        None,
        "Police",
    )
    assert_no_trace(store, ["oldofficer", "olga@"])
    with pytest.raises(UserError, match="already anonymised"):
        retention.erase(store, "professional", str(pid), action="anonymise")
    verified(store)


# -- delete ------------------------------------------------------------------------------------


def test_deleting_a_member_removes_his_whole_file_and_nothing_else(
    store: Store, world: World
) -> None:
    retention.set_rule(store, "member", action="delete")
    others = count(store, "meetings") - 1
    done = {d.record_type: d for d in retention.apply(store, today=TODAY)}
    assert done["member"].action == "delete"
    assert done["member"].rows["meeting"] == 1 and done["member"].rows["concern"] == 1
    assert store.one("SELECT 1 AS x FROM core_members WHERE id = 1") is None
    for table in (
        "member_conditions",
        "member_risk",
        "member_consent",
        "referrals",
        "circle_links",
        "circle_goals",
        "goal_updates",
        "meeting_amendments",
        "contacts",
        "concerns",
        "concern_notes",
        "escalations",
        "actions",
        "reviews",
        "risk_reviews",
        "risk_review_scores",
    ):
        assert count(store, table) == 0, table
    # CM-0003's file is whole (CM-0002 went with his declined referral).
    for table in ("member_identity", "circle_members", "circle_phases", "meeting_attendance"):
        assert count(store, table) == 1, table
    assert count(store, "meetings") == others
    assert store.one("SELECT 1 AS x FROM circles WHERE id = ?", (world.circle1,)) is None
    assert store.one("SELECT 1 AS x FROM circles WHERE id = ?", (world.circle3,)) is not None
    assert_no_trace(store, list(MEMBER_WORDS.values()))
    assert_no_trace(store, DECLINED_WORDS)
    assert search.vocabulary_contains(store, "platypus")
    # The audit keeps that it happened — who, when, what kind, which rule — not the content.
    entry = store.one(
        "SELECT * FROM audit WHERE action = 'retention.erase' AND record_type = 'member'"
    )
    assert entry is not None and entry["state_hash"] == "deleted"
    detail = json.loads(entry["detail"])
    assert detail["action"] == "delete" and detail["rule"] == "circle end + 6 years"
    assert detail["due_on"] == "2020-06-30" and detail["rows"]["meeting"] == 1
    assert entry["operator"] == "tester"
    verified(store)


def test_a_declined_referral_takes_the_identity_of_someone_who_never_had_a_circle(
    store: Store, world: World
) -> None:
    done = retention.apply(store, today=TODAY)
    assert {(d.record_type, d.action) for d in done} == {
        ("referral", "delete"),
        ("vetting", "delete"),
    }
    assert store.one("SELECT 1 AS x FROM core_members WHERE code = 'CM-0002'") is None
    assert_no_trace(store, DECLINED_WORDS)
    assert_no_trace(store, ["qx998877"])
    # Reviews are listed, never erased on their own.
    assert store.one("SELECT 1 AS x FROM core_members WHERE code = 'CM-0001'") is not None
    assert store.one("SELECT 1 AS x FROM volunteers WHERE id = ?", (world.leaver,)) is not None
    verified(store)


def test_a_declined_referral_of_a_member_with_a_circle_goes_alone(store: Store) -> None:
    _, cm = members.add(store, mappa_category=1, mappa_level=1, legal_name="Keep Me")
    circles.add(store, member=cm, circle_type="community", start="2020-01-01")
    rid = referrals.add(store, received="2018-01-01", source="probation", member=cm)
    referrals.decide(store, rid, "withdrawn", on="2018-02-01")
    [erased] = retention.apply(store, today=TODAY)
    assert (erased.record_type, erased.rows) == (
        "referral",
        {"referral": 1, "referral_history": 2},
    )
    assert store.one("SELECT 1 AS x FROM core_members") is not None
    verified(store)


def test_deleting_a_volunteer_keeps_a_placeholder_when_circle_records_refer_to_them(
    store: Store, world: World
) -> None:
    alone = volunteers.add(store, "Solo Leaver", email="solo@example.org")
    volunteers.log_hours(store, str(alone), on="2013-01-01", hours=1)
    volunteers.leave(store, str(alone), reason="moved", on="2014-01-01")
    retention.set_rule(store, "volunteer", action="delete")
    done = {(d.record_type, d.id): d for d in retention.apply(store, today=TODAY)}
    placeholder = done[("volunteer", world.leaver)]
    assert placeholder.note and "circle records refer to it" in placeholder.note
    row = store.one("SELECT * FROM volunteers WHERE id = ?", (world.leaver,))
    assert row is not None and row["name"] == retention.MARKER
    for table in ("volunteer_vetting", "volunteer_training", "volunteer_supervision"):
        sql = f"SELECT count(*) FROM {table} WHERE volunteer_id = ?"
        assert store.scalar(sql, (world.leaver,)) == 0, table
    assert store.one("SELECT 1 AS x FROM volunteers WHERE id = ?", (alone,)) is None
    assert "volunteer" in done[("volunteer", alone)].rows
    assert count(store, "meeting_attendance") == 3  # the circles' records stay whole
    assert_no_trace(store, [*LEAVER_WORDS, "solo@"])
    # Deleted as far as it can be: not due again.
    assert not {k for k in due_keys(store, today=TODAY) if k[0] == "volunteer"}
    verified(store)


def test_apply_checkpoints_and_truncates_the_write_ahead_log(store: Store, world: World) -> None:
    retention.set_rule(store, "member", action="delete")
    retention.apply(store, today=TODAY)
    wal = Path(str(store.path) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert store.scalar("PRAGMA freelist_count") == 0


def test_apply_in_one_transaction_leaves_everything_when_it_fails(
    store: Store, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    retention.set_rule(store, "member", action="delete")
    head = store.audit_head()
    calls = {"n": 0}
    real = retention._delete_rows

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(retention, "_delete_rows", failing)
    with pytest.raises(RuntimeError):
        retention.apply(store, today=TODAY)
    assert store.audit_head() == head
    assert count(store, "core_members") == 3 and count(store, "volunteer_vetting") == 2
    assert search.vocabulary_contains(store, "marmalade")


# -- holds and exceptions ----------------------------------------------------------------------


def test_a_legal_hold_exempts_the_record_and_its_bundle_until_released(
    store: Store, world: World
) -> None:
    retention.set_rule(store, "member", action="delete")
    retention.set_rule(store, "volunteer", action="delete")
    retention.hold(store, "member", "cm-0001", reason="civil claim", today=TODAY)
    retention.hold(store, "vetting", "1", reason="DBS dispute", today=TODAY)
    rows = {(r["record_type"], r["id"]): r for r in retention.due(store, today=TODAY)}
    assert rows[("member", 1)]["status"] == "held"
    assert rows[("member", 1)]["hold_reason"] == "civil claim"
    # The vetting record's hold holds its volunteer too.
    assert rows[("volunteer", world.leaver)]["status"] == "held"
    assert rows[("volunteer", world.leaver)]["hold_reason"] == "DBS dispute"
    done = retention.apply(store, today=TODAY)
    assert {d.record_type for d in done} == {"referral"}
    assert search.vocabulary_contains(store, "marmalade")
    with pytest.raises(UserError, match="already on hold"):
        retention.hold(store, "member", "CM-0001", reason="again")
    with pytest.raises(UserError, match=r"is on hold since .*: civil claim"):
        retention.erase(store, "member", "CM-0001", action="delete")
    retention.release(store, "member", "CM-0001", today=TODAY)
    with pytest.raises(UserError, match="is not on hold"):
        retention.release(store, "member", "CM-0001")
    assert ("member", 1, "due") in due_keys(store, today=TODAY)
    verified(store)


def test_a_hold_on_a_referral_holds_its_member_and_the_other_way_round(
    store: Store, world: World
) -> None:
    retention.set_rule(store, "member", action="delete")
    retention.hold(store, "referral", "1", reason="complaint")
    assert ("member", 1, "held") in due_keys(store, today=TODAY)
    retention.hold(store, "member", "CM-0002", reason="SAR open")
    assert ("referral", 2, "held") in due_keys(store, today=TODAY)


def test_an_exception_keeps_a_record_until_its_date_and_shows_the_reason(
    store: Store, world: World
) -> None:
    retention.set_rule(store, "member", action="delete")
    retention.keep(
        store, "member", "CM-0001", until="2030-01-01", reason="review board", today=TODAY
    )
    row = next(r for r in retention.due(store, today=TODAY) if r["record_type"] == "member")
    assert (row["status"], row["kept_until"], row["keep_reason"]) == (
        "kept",
        "2030-01-01",
        "review board",
    )
    assert "member" not in {d.record_type for d in retention.apply(store, today=TODAY)}
    assert ("member", 1, "due") in due_keys(store, today=date(2030, 1, 2))
    [listed] = [h for h in retention.holds(store, today=TODAY) if h["kind"] == "exception"]
    assert (listed["label"], listed["until"]) == ("CM-0001", "2030-01-01")
    with pytest.raises(UserError, match="must be after today"):
        retention.keep(store, "member", "CM-0001", until="2020-01-01", reason="x", today=TODAY)
    # Erasing the record takes its exceptions (their reasons are free text) with it.
    retention.erase(store, "member", "CM-0001", action="delete", today=date(2031, 1, 1))
    assert count(store, "retention_exceptions") == 0
    verified(store)


# -- the schema is classified ------------------------------------------------------------------


def test_every_text_column_of_every_record_table_is_classified_for_anonymisation(
    store: Store,
) -> None:
    common = {line.split()[0] for line in RECORD_COLUMNS.strip().splitlines()}
    missing = []
    for table in sorted(set(RECORD_TABLES.values())):
        for col in store.query(f"PRAGMA table_info({table})"):
            name = str(col["name"])
            if name in common or str(col["type"]).upper() != "TEXT":
                continue
            if retention.is_date_column(name):
                continue
            if name in retention.ANONYMISE.get(table, {}) or name in retention.KEPT.get(table, ()):
                continue
            missing.append(f"{table}.{name}")
    assert missing == [], (
        "classify these text columns in cosa/domain/retention.py (ANONYMISE or KEPT): "
        + ", ".join(missing)
    )


# -- the command line --------------------------------------------------------------------------


@pytest.fixture
def old_world(initialised: Path) -> World:
    store = Workspace(initialised).open(Options())
    try:
        return build(store)
    finally:
        store.close()


def open_ws(home: Path) -> Store:
    return Workspace(home).open(Options())


def test_cli_lists_rules_and_changes_one(cli: Cli) -> None:
    rules = cli.json("retention", "rules")
    assert [r["record_type"] for r in rules][:3] == ["member", "volunteer", "vetting"]
    assert all("id" in r and r["what"] for r in rules)
    result = cli("retention", "rules")
    assert "volunteer leaving" in result.stdout and "6 months" in result.stdout
    result = cli("retention", "rule", "set", "member", "--period", "7y", "--action", "anonymise")
    assert "Rule member: circle end + 7 years, anonymise" in result.stderr
    cli("retention", "rule", "set", "audit", "--period", "1y", code=1)
    cli("retention", "rule", "set", "member", "--period", "soon", code=1)
    cli("audit", "verify")


def test_cli_lists_what_is_due_as_table_json_and_csv(cli: Cli, old_world: World) -> None:
    result = cli("retention")
    assert "CM-0001" in result.stdout and "circle end + 6 years" in result.stdout
    assert "2 to review, 2 to delete" in result.stderr
    rows = cli.json("retention")
    assert {(r["record_type"], r["id"]) for r in rows} >= {("member", 1), ("referral", 2)}
    assert all(r["status"] == "due" for r in rows)
    csv = cli("retention", "--csv").stdout.splitlines()
    assert csv[0].startswith("record_type,id,label,rule")
    assert cli.json("retention", "--as-of", "2000-01-01") == []
    assert "invalid --as-of 'someday'" in cli("retention", "--as-of", "someday", code=1).stderr
    cli("retention", "--apply", "--as-of", "2030-01-01", code=1)


def test_cli_apply_refuses_without_a_terminal_or_yes_and_changes_nothing(
    cli: Cli, old_world: World, ws_home: Path
) -> None:
    with open_ws(ws_home) as store:
        head = store.audit_head()
    result = cli("retention", "--apply", code=1)
    assert "needs a confirmation" in result.stderr and "--yes" in result.stderr
    assert "delete     referral 2" in result.stderr
    with open_ws(ws_home) as store:
        assert store.audit_head() == head
        assert count(store, "referrals") == 2


def test_cli_apply_asks_on_a_terminal(
    cli: Cli, old_world: World, ws_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa import secrets_input

    monkeypatch.setattr(secrets_input, "interactive", lambda: True)
    result = cli("retention", "--apply", input="n\n", code=1)
    assert "Erase these 2 records?" in result.stderr and "Nothing was changed" in result.stderr
    with open_ws(ws_home) as store:
        assert count(store, "referrals") == 2
    result = cli("retention", "--apply", input="y\n")
    assert "Erased 2 records" in result.stderr
    with open_ws(ws_home) as store:
        assert count(store, "referrals") == 1


def test_cli_apply_with_yes_erases_then_audit_and_doctor_pass(
    cli: Cli, old_world: World, ws_home: Path
) -> None:
    cli("retention", "rule", "set", "member", "--action", "delete")
    cli("retention", "rule", "set", "volunteer", "--action", "anonymise")
    cli("retention", "hold", "volunteer", "Quentin", "--reason", "tribunal")
    done = json.loads(cli("retention", "--apply", "--yes", "--json").stdout)
    assert {(d["record_type"], d["action"]) for d in done} == {
        ("member", "delete"),
        ("referral", "delete"),
    }
    assert all("label" in d and d["rows"] for d in done)
    listed = cli.json("retention")
    assert {(r["record_type"], r["status"]) for r in listed} == {
        ("volunteer", "held"),
        ("vetting", "held"),
    }
    holds = cli.json("retention", "holds")
    assert [(h["kind"], h["label"], h["reason"]) for h in holds] == [
        ("hold", f"volunteer {old_world.leaver} (Quentin Leaverson)", "tribunal")
    ]
    cli("retention", "release", "volunteer", "Quentin")
    # An exception on the vetting record keeps its volunteer's file whole too.
    cli("retention", "keep", "vetting", "1", "--until", "+1y", "--reason", "appeal")
    listed = cli.json("retention")
    assert {(r["record_type"], r["status"], r["keep_reason"]) for r in listed} == {
        ("volunteer", "kept", "appeal"),
        ("vetting", "kept", "appeal"),
    }
    assert "kept until" in cli("retention").stdout
    result = cli("retention", "--apply", "--yes")
    assert "Nothing to anonymise or delete today" in result.stderr
    with open_ws(ws_home) as store:
        assert_no_trace(store, [*MEMBER_WORDS.values(), *DECLINED_WORDS])
        assert text_hits(store, "leaverson") == ["volunteers.name"]
    cli("audit", "verify")
    cli("doctor")


def test_cli_erase_by_hand_confirms_and_respects_holds(
    cli: Cli, old_world: World, ws_home: Path
) -> None:
    cli("retention", "hold", "member", "CM-0001", "--reason", "inquiry")
    result = cli("retention", "erase", "member", "CM-0001", "--action", "delete", "--yes", code=1)
    assert "on hold since" in result.stderr and "inquiry" in result.stderr
    cli("retention", "release", "member", "CM-0001")
    result = cli("retention", "erase", "member", "CM-0001", "--action", "delete", code=1)
    assert "needs a confirmation" in result.stderr
    result = cli("retention", "erase", "member", "CM-0001", "--action", "delete", "--yes")
    assert "CM-0001" in result.stdout
    with open_ws(ws_home) as store:
        assert_no_trace(store, list(MEMBER_WORDS.values()))
    cli("retention", "erase", "member", "CM-0001", "--action", "delete", "--yes", code=1)
    cli("audit", "verify")
    cli("doctor")


def test_a_deleted_members_code_is_never_given_to_someone_else(store: Store, world: World) -> None:
    from cosa.domain import members

    before = {r["code"] for r in store.query("SELECT code FROM core_members")}
    retention.set_rule(store, "member", action="delete")
    retention.apply(store, today=TODAY)
    gone = before - {r["code"] for r in store.query("SELECT code FROM core_members")}
    assert gone, "the world has a member due for deletion"
    _, code = members.add(store, mappa_category=1, mappa_level=1)
    assert code not in before and code > max(before)
    with pytest.raises(UserError, match="never reissued"):
        members.add(store, min(gone), mappa_category=1, mappa_level=1)
