"""Referrals: received, source, referrer, documents, decisions with grouped reasons."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cosa import audit
from cosa.domain import members, referrals
from cosa.errors import UserError
from cosa.models import Referral

from .conftest import Cli

# -- domain ----------------------------------------------------------------------------------


def test_a_referral_is_added_undecided_and_decided_later(store: Any) -> None:
    members.add(store, mappa_category=1, mappa_level=1)
    rid = referrals.add(
        store,
        received="2026-01-02",
        source="Probation",
        referrer=" Pat, PP ",
        documents="OASys, ARMS",
    )
    row = referrals.get(store, str(rid))
    assert (row["source"], row["referrer"], row["decision"], row["member_code"]) == (
        "probation",
        "Pat, PP",
        None,
        None,
    )
    changed = referrals.decide(
        store,
        rid,
        "Accepted",
        reason_group="person",
        reason="motivated",
        on="2026-01-20",
        member="cm-0001",
    )
    assert changed == [
        "decided_by",
        "decided_on",
        "decision",
        "member_id",
        "reason",
        "reason_group",
    ]
    row = referrals.get(store, f"#{rid}")
    assert (row["decision"], row["decided_on"], row["decided_by"], row["member_code"]) == (
        "accepted",
        "2026-01-20",
        "tester",
        "CM-0001",
    )
    assert audit.entries(store, record_type="referral")[-1]["action"] == "referral.decide"
    assert audit.verify(store).ok


def test_referrals_are_listed_by_decision_including_undecided(store: Any) -> None:
    first = referrals.add(store, received="2026-01-01", source="police")
    second = referrals.add(store, received="2026-02-01", source="self")
    third = referrals.add(store, received="2025-12-01", source="prison")
    referrals.decide(store, first, "waiting", by="Sam Coordinator")
    referrals.decide(store, third, "declined", reason_group="sentence", on="2026-01-01")
    assert [r["id"] for r in referrals.list_(store)] == [third, first, second]
    assert [r["id"] for r in referrals.list_(store, decision="undecided")] == [second]
    assert [r["id"] for r in referrals.list_(store, decision="WAITING")] == [first]
    assert referrals.get(store, first)["decided_by"] == "Sam Coordinator"
    with pytest.raises(UserError, match="invalid --decision 'maybe'") as err:
        referrals.list_(store, decision="maybe")
    assert "undecided" in (err.value.hint or "")


def test_bad_referral_input_names_the_field(store: Any) -> None:
    rid = referrals.add(store, received="2026-01-10", source="probation")
    cases: list[tuple[Any, str]] = [
        (lambda: referrals.add(store, received="2026-13-01", source="police"), "--received"),
        (lambda: referrals.add(store, received="today", source="magic"), "invalid --source"),
        (lambda: referrals.add(store, received="today", source="police", member="CM-9999"),
         "no core member CM-9999"),
        (lambda: referrals.decide(store, rid, "maybe"), "invalid decision 'maybe'"),
        (lambda: referrals.decide(store, rid, "declined", reason_group="money"),
         "invalid --reason-group 'money'"),
        (lambda: referrals.decide(store, rid, "declined", on="2026-01-09"),
         "before the referral was received"),
        (lambda: referrals.decide(store, 99, "declined"), "referral 99 not found"),
        (lambda: referrals.get(store, "first"), "invalid referral number 'first'"),
    ]  # fmt: skip
    head = store.audit_head()
    for call, expected in cases:
        with pytest.raises(UserError, match=expected):
            call()
    assert store.audit_head() == head


TEXT = st.text(min_size=1, max_size=60).filter(lambda s: s.strip())
DAY = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    referrer=TEXT,
    documents=TEXT,
    reason=TEXT,
    received=DAY,
    source=st.sampled_from(["probation", "police", "youth team", "self"]),
    decision=st.sampled_from(referrals.DECISIONS),
    by=TEXT,
)
def test_referrals_round_trip_arbitrary_unicode_through_the_store(
    store: Any,
    referrer: str,
    documents: str,
    reason: str,
    received: date,
    source: str,
    decision: str,
    by: str,
) -> None:
    rid = referrals.add(
        store, received=received, source=source, referrer=referrer, documents=documents
    )
    referrals.decide(store, rid, decision, reason=reason, on=received, by=by)
    model = Referral.model_validate(referrals.get(store, rid))
    assert (model.received_on, model.source, model.decision) == (
        received.isoformat(),
        source,
        decision,
    )
    assert (model.referrer, model.documents, model.reason, model.decided_by) == (
        referrer.strip(),
        documents.strip(),
        reason.strip(),
        by.strip(),
    )
    assert Referral.model_validate_json(model.model_dump_json()) == model


# -- CLI -------------------------------------------------------------------------------------


def test_referral_cli_add_list_show_decide(cli: Cli) -> None:
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli(
        "referral", "add", "--received", "2026-01-02", "--source", "probation",
        "--referrer", "Pat (PP)", "--documents", "OASys; ARMS", "--member", "CM-0001",
    )  # fmt: skip
    cli("referral", "add", "--received", "2026-01-05", "--source", "self")
    listed = cli.json("referral", "list")
    assert [(r["id"], r["member_code"], r["decision"]) for r in listed] == [
        (1, "CM-0001", None),
        (2, None, None),
    ]
    out = cli("referral", "decide", "2", "declined", "--reason-group", "problem",
              "--reason", "denies offence", "--on", "2026-01-20", "--by", "Sam")  # fmt: skip
    assert "Referral 2: declined on 2026-01-20" in out.stderr
    shown = cli.json("referral", "show", "2")
    assert (shown["decision"], shown["reason_group"], shown["reason"], shown["decided_by"]) == (
        "declined",
        "problem",
        "denies offence",
        "Sam",
    )
    assert [r["id"] for r in cli.json("referral", "list", "--decision", "declined")] == [2]
    assert [r["id"] for r in cli.json("referral", "list", "--decision", "undecided")] == [1]
    table = cli("referral", "list").stdout
    assert "undecided" in table and "declined" in table
    assert cli("referral", "list", "--csv").stdout.splitlines()[0].startswith("id,received_on")
    text = cli("referral", "show", "2").stdout
    assert "problem / denies offence" in text and "2026-01-20 by Sam" in text
    cli("audit", "verify")


def test_bad_referral_input_on_the_cli_writes_nothing(cli: Cli) -> None:
    cli("referral", "add", "--received", "2026-01-02", "--source", "police")
    before = cli.json("audit", "verify")["entries"]
    failures = [
        (["referral", "add", "--received", "2026-02-30", "--source", "police"],
         "invalid --received '2026-02-30'"),
        (["referral", "add", "--received", "today", "--source", "court"], "invalid --source"),
        (["referral", "add", "--received", "today", "--source", "police", "--member", "CM-9999"],
         "no core member CM-9999"),
        (["referral", "decide", "1", "approved"], "invalid decision 'approved'"),
        (["referral", "decide", "1", "declined", "--reason-group", "money"],
         "invalid --reason-group 'money'"),
        (["referral", "decide", "9", "accepted"], "referral 9 not found"),
        (["referral", "show", "9"], "referral 9 not found"),
        (["referral", "list", "--decision", "maybe"], "invalid --decision 'maybe'"),
    ]  # fmt: skip
    for args, expected in failures:
        result = cli(*args, code=1)
        assert result.stderr.startswith(f"Error: {expected}"), (args, result.stderr)
    cli("referral", "add", "--source", "police", code=2)  # --received is required
    assert cli.json("audit", "verify")["entries"] == before
    assert cli.json("referral", "show", "1")["decision"] is None
