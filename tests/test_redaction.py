"""Redaction by identity: every variant of every third party's name, planted in every free-text
field, is absent from the subject access pack (PDF text and JSON) and from share packs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cosa.domain import (
    actions,
    circles,
    concerns,
    contacts,
    meetings,
    members,
    pros,
    referrals,
    reviews,
    volunteers,
)
from cosa.names import fold
from cosa.redact import Matcher, typed_names, unique_labels
from cosa.workspace import Options, Workspace

from .conftest import Cli
from .people import ready_volunteer
from .test_reports import cli, template, text_of, world

__all__ = ["cli", "template", "world"]  # fixtures shared with test_reports

#: How third parties' names get typed: lower case, upper case, full, accents dropped, surnames
#: alone, a name typed only as an action's owner (Kieran, no such volunteer: owners are people
#: now, but actions recorded before that keep the owner as it was typed).
PLANTED = (
    "ann ANN Ann Example met emile and EMILE, Émile Durand and durand; "
    "zoe lukasiewicz, LUKASIEWICZ, smith, gwen harper, HARPER, kieran."
)
#: Words that must not survive, folded (accents off, lower case).
SAR_FORBIDDEN = [
    "ann",
    "example",
    "emile",
    "durand",
    "zoe",
    "lukasiewicz",
    "smith",
    "gwen",
    "harper",
    "kieran",
    "bob",
    "jones",
    "olly",
    "officer",
]
#: A share pack names the meeting's volunteers by first name: those may stay.
SHARE_FORBIDDEN = [w for w in SAR_FORBIDDEN if w not in ("ann", "zoe", "bob")]


def survivors(text: str, words: list[str]) -> list[str]:
    folded = fold(text)
    return [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", folded)]


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


@pytest.fixture
def planted(world: Any, ws_home: Path) -> dict[str, int]:
    """The fictional provider with a planted sentence in every free-text field of CM-0001."""
    store = Workspace(ws_home).open(Options())
    try:
        volunteers.add(store, "Ann Example", email=None)
        volunteers.add(store, "Émile Durand", email=None)
        pros.add(store, "Gwen Harper", agency="Children's Services", role="social care")
        cid = world.circle
        mid = meetings.add(
            store,
            cid,
            date="2025-09-09",
            type="formal",
            present="Zoë,Ann,Bob",
            cm_attended="late",
            late_reason=PLANTED,
            rag="amber",
            minutes=PLANTED,
        )
        meetings.approve(store, mid)
        meetings.amend(store, mid, PLANTED, reason=PLANTED)
        con = concerns.add(
            store,
            cid,
            severity="amber",
            category="drink or drugs",
            on="2025-09-09",
            text=PLANTED,
            meeting_id=mid,
            raised_by="ann",
        )
        concerns.note(store, con, PLANTED, on="2025-09-10")
        concerns.escalate(
            store,
            con,
            to="Olly",
            via="phone",
            at="2025-09-10 10:00",
            basis="vital interests",
            shared=PLANTED,
            response=PLANTED,
            response_at="2025-09-10 12:00",
        )
        concerns.close(store, con, note=PLANTED, on="2025-09-11")
        act = actions.add(store, cid, PLANTED, owner="ann", meeting_id=mid)
        with store.atomic():  # typed before owners had to be people: older workspaces keep it
            store.update("actions", "action", act, {"owner": "ann, Kieran, PP"})
        actions.done(store, act, note=PLANTED, on="2025-09-12")
        actions.add(store, cid, "Tell the PP", owner="EMILE", meeting_id=mid)
        contacts.add(store, cid, by="Cara", on="2025-09-10", duration=20, note=PLANTED)
        reviews.add(store, cid, on="2025-09-12", attendees=PLANTED, note=PLANTED)
        reviews.add_risk_review(store, cid, on="2025-09-12", scores=["hostility=1"], note=PLANTED)
        goal = circles.add_goal(store, cid, domain="accommodation", text=PLANTED)
        circles.set_goal(store, goal, "achieved", on="2025-09-12", note=PLANTED)
        members.edit(store, "CM-0001", notification_requirements=PLANTED, other_orders=PLANTED)
        members.add_condition(store, "CM-0001", PLANTED, start="2025-09-01")
        rid = referrals.add(
            store,
            received="2025-09-01",
            source="probation",
            member="CM-0001",
            referrer="Gwen Harper",
            documents=PLANTED,
        )
        referrals.decide(store, rid, "accepted", reason_group="person", reason=PLANTED)
    finally:
        store.close()
    return {"meeting": mid}


def test_no_planted_name_survives_in_the_subject_access_pack(
    cli: Cli, planted: dict[str, int], tmp_path: Path
) -> None:
    out, side = tmp_path / "sar.pdf", tmp_path / "sar.json"
    cli("report", "member", "CM-0001", "-o", str(out), "--json-out", str(side))
    text = text_of(out)
    assert "Check-in on" in text and "volunteer A" in text  # the pack is there
    assert survivors(text, SAR_FORBIDDEN) == []
    for source in (cli.json("report", "member", "CM-0001"), json.loads(side.read_text())):
        found = [s for s in strings(source) if survivors(s, SAR_FORBIDDEN)]
        assert found == []


def test_no_planted_surname_or_outsider_survives_in_a_share_pack(
    cli: Cli, planted: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "share.pdf"
    cli("share", str(planted["meeting"]), "--recipient", "Pat", "-o", str(out))
    text = text_of(out)
    assert "Zoë" in text  # volunteers of the meeting by first name
    assert survivors(text, SHARE_FORBIDDEN) == []


def test_share_packs_give_clashing_volunteers_distinct_labels(
    cli: Cli, world: Any, ws_home: Path, tmp_path: Path
) -> None:
    store = Workspace(ws_home).open(Options())
    try:
        circles.leave(store, world.circle, "Dev", on="2025-08-31")  # six volunteers at most
        for name in ("Sam Kay", "Sam Kent"):
            ready_volunteer(store, name, on="2025-07-12")
            circles.join(store, world.circle, name, on="2025-09-01")
        mid = meetings.add(
            store,
            world.circle,
            date="2025-09-09",
            present="Sam Kay,Sam Kent",
            minutes="Sam Kay and Sam Kent both came.",
        )
        meetings.approve(store, mid)
    finally:
        store.close()
    out = tmp_path / "s.pdf"
    cli("share", str(mid), "--recipient", "Pat", "-o", str(out))
    text = text_of(out)
    assert "Sam K. and Sam K. (2) both came." in text
    assert "Kay" not in text and "Kent" not in text


def test_the_matcher_folds_case_and_accents_and_keeps_everything_else() -> None:
    m = Matcher()
    m.add(["Zoë Łukasiewicz"], "volunteer A")
    m.add(["Émile Durand"], "a volunteer", weak=True)
    text = "ZOE lukasiewicz met e\u0301mile, Zoë; DURAND. Annex émile-durand"
    assert m(text) == (
        "volunteer A met a volunteer, volunteer A; a volunteer. Annex a volunteer-a volunteer"
    )
    assert m.count == 6


def test_a_word_two_people_share_becomes_the_ambiguous_label_unless_one_is_outside() -> None:
    m = Matcher(ambiguous="a volunteer")
    m.add(["Sam Kay"], "volunteer A", key=1)
    m.add(["Sam Kent"], "volunteer B", key=2)
    m.add(["Sam Other"], "someone", key=3, weak=True)
    assert m("sam, Kay, kent, other") == "a volunteer, volunteer A, volunteer B, someone"


def test_common_words_are_names_only_when_capitalised_and_months_never_alone() -> None:
    m = Matcher()
    m.add(["Will May"], "V1")
    assert m("Will will come in May; WILL MAY; will may") == "V1 will come in May; V1; V1"


def test_typed_names_drop_roles_and_codes() -> None:
    assert typed_names("ann, Bob & PP / police and the CM") == ["ann", "Bob"]
    assert typed_names("CM-0003") == []
    assert typed_names(None) == []


def test_unique_labels_number_the_second_of_a_kind() -> None:
    assert unique_labels({1: "Sam K.", 2: "Sam K.", 3: "Ann"}) == {
        1: "Sam K.",
        2: "Sam K. (2)",
        3: "Ann",
    }
