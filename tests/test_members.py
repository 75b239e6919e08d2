"""Core members: codes, identity kept apart, legal status, MAPPA, risk, consent."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cosa import audit
from cosa.domain import members
from cosa.errors import UserError
from cosa.models import CoreMember, MemberIdentity

from .conftest import Cli

SECRET = "Zoë Secretname-Łukasz"


def add_pro(store: Any, name: str, agency: str, role: str = "probation") -> int:
    """A professional row (written the audited way, independent of the pro commands)."""
    with store.atomic():
        return int(
            store.insert(
                "professionals", "professional", {"name": name, "agency": agency, "role": role}
            )
        )


def audit_size(cli: Cli) -> int:
    return int(cli.json("audit", "verify")["entries"])


# -- domain ----------------------------------------------------------------------------------


def test_codes_are_assigned_after_the_highest_code_in_use(store: Any) -> None:
    assert members.add(store, mappa_category=1, mappa_level=1)[1] == "CM-0001"
    assert members.add(store, "cm-0010", mappa_category=2, mappa_level=1)[1] == "CM-0010"
    assert members.add(store, mappa_category=1, mappa_level=3)[1] == "CM-0011"
    assert [m["code"] for m in members.list_(store)] == ["CM-0001", "CM-0010", "CM-0011"]


def test_a_given_code_is_normalised_and_a_taken_code_is_refused(store: Any) -> None:
    assert members.add(store, "CM-00012", mappa_category=1, mappa_level=1)[1] == "CM-0012"
    with pytest.raises(UserError, match="CM-0012 already exists"):
        members.add(store, "CM-0012", mappa_category=1, mappa_level=1)
    for bad in ("CM-12", "X-0001", "CM-0000", "CM-00a1", "0001"):
        with pytest.raises(UserError, match="invalid member code"):
            members.add(store, bad, mappa_category=1, mappa_level=1)
    assert len(members.list_(store)) == 1


def test_mappa_outside_its_ranges_is_refused_naming_the_allowed_values(store: Any) -> None:
    with pytest.raises(UserError) as err:
        members.add(store, mappa_category=7, mappa_level=1)
    assert err.value.message == "invalid --mappa-category '7' (allowed: 1, 2, 3, 4)"
    with pytest.raises(UserError, match=r"--mappa-level '0' \(allowed: 1, 2, 3\)"):
        members.add(store, mappa_category=4, mappa_level=0)
    _, code = members.add(store, mappa_category=4, mappa_level=3)
    with pytest.raises(UserError, match="--mappa-level '4'"):
        members.edit(store, code, mappa_level=4)
    assert members.get(store, code)["mappa_level"] == 3


def test_a_member_is_found_by_code_in_any_case_and_unknown_codes_say_so(store: Any) -> None:
    members.add(store, mappa_category=1, mappa_level=1)
    assert members.get(store, "cm-0001")["code"] == "CM-0001"
    assert members.get(store, " CM-1 ")["code"] == "CM-0001"
    with pytest.raises(UserError, match="no core member CM-9999"):
        members.get(store, "CM-9999")
    with pytest.raises(UserError, match="invalid core member 'John'"):
        members.get(store, "John")


def test_identity_lives_apart_and_each_view_is_audited_without_content(store: Any) -> None:
    mid, code = members.add(
        store, mappa_category=1, mappa_level=2, legal_name=SECRET, date_of_birth="1970-02-03"
    )
    assert "legal_name" not in members.get(store, code)
    assert SECRET not in repr(members.detail(store, code))
    who = members.identity(store, code)
    assert who is not None
    assert (who["legal_name"], who["date_of_birth"]) == (SECRET, "1970-02-03")
    views = audit.entries(store, action="member.identity.view")
    assert [(e["record_type"], e["record_id"], e["fields"], e["detail"]) for e in views] == [
        ("member", mid, [], None)
    ]
    assert SECRET not in repr(audit.entries(store))
    assert audit.verify(store).ok


def test_identity_view_of_a_member_without_identity_is_still_audited(store: Any) -> None:
    members.add(store, mappa_category=1, mappa_level=1)
    assert members.identity(store, "CM-0001") is None
    assert len(audit.entries(store, action="member.identity.view")) == 1


def test_edit_changes_clears_and_creates_identity_fields(store: Any) -> None:
    _, code = members.add(store, mappa_category=1, mappa_level=1, release_date="2026-01-05")
    changed = members.edit(
        store, code, mappa_level=2, release_date="", address="Approved Premises, Room 4"
    )
    assert changed == ["address", "mappa_level", "release_date"]
    row = members.get(store, code)
    assert (row["mappa_level"], row["release_date"]) == (2, None)
    assert members.edit(store, code, mappa_level="2") == []
    assert members.edit(store, code, address="", contact="07700 900000") == ["address", "contact"]
    who = members.identity(store, code)
    assert who is not None and (who["address"], who["contact"]) == (None, "07700 900000")
    identity_actions = [e["action"] for e in audit.entries(store, record_type="member_identity")]
    assert identity_actions == ["member.identity.add", "member.identity.edit"]
    assert audit.verify(store).ok


def test_licence_dates_must_be_in_order_and_real(store: Any) -> None:
    with pytest.raises(UserError, match="--licence-end 2026-01-01 is before --licence-start"):
        members.add(
            store,
            mappa_category=1,
            mappa_level=1,
            licence_start="2026-06-01",
            licence_end="2026-01-01",
        )
    with pytest.raises(UserError, match=r"invalid --dob '2026-02-30'"):
        members.add(store, mappa_category=1, mappa_level=1, date_of_birth="2026-02-30")
    _, code = members.add(store, mappa_category=1, mappa_level=1, licence_start="2026-06-01")
    with pytest.raises(UserError, match="before --licence-start"):
        members.edit(store, code, licence_end="2026-05-31")
    assert members.list_(store)[0]["licence_end"] is None


def test_licence_conditions_have_start_and_end_dates(store: Any) -> None:
    mid, code = members.add(store, mappa_category=1, mappa_level=1)
    cid = members.add_condition(store, code, " No unsupervised contact ", start="2026-01-01")
    members.add_condition(store, code, "Curfew 19:00-07:00", start="2026-01-01", end="2026-06-30")
    with pytest.raises(UserError, match="--to 2025-01-01 is before --from"):
        members.add_condition(store, code, "x", start="2026-01-01", end="2025-01-01")
    assert members.end_condition(store, code, str(cid), on="2026-12-31") == "2026-12-31"
    with pytest.raises(UserError, match="has no licence condition 99"):
        members.end_condition(store, code, "99")
    rows = members.conditions(store, mid)
    assert [(r["text"], r["end_date"]) for r in rows] == [
        ("No unsupervised contact", "2026-12-31"),
        ("Curfew 19:00-07:00", "2026-06-30"),
    ]


def test_risk_assessments_are_stored_as_given(store: Any) -> None:
    _, code = members.add(store, mappa_category=1, mappa_level=1)
    members.add_risk(
        store,
        code,
        instrument="oasys rosh",
        scale="RoSH",
        value="high",
        on="2026-01-05",
        source="Kent Probation",
        version="v6",
    )
    with pytest.raises(UserError, match="invalid --instrument 'Static-99'") as err:
        members.add_risk(
            store, code, instrument="Static-99", scale="s", value="3", on="today", source="x"
        )
    assert "OSP/C" in (err.value.hint or "")
    with pytest.raises(UserError, match="--value must not be empty"):
        members.add_risk(
            store, code, instrument="ARMS", scale="s", value=" ", on="today", source="x"
        )
    [row] = members.risks_of(store, code)
    assert (row["instrument"], row["version"], row["scale"], row["value"]) == (
        "OASys RoSH",
        "v6",
        "RoSH",
        "high",
    )
    assert (row["assessed_on"], row["source"]) == ("2026-01-05", "Kent Probation")


def test_consent_names_a_professional_or_an_agency_and_covers_them(store: Any) -> None:
    pat = add_pro(store, "Pat Probation", "Kent Probation")
    pete = add_pro(store, "Pete Police", "Kent Police", "police")
    tess = add_pro(store, "Tess Treatment", "Lucy Faithfull", "treatment")
    mid, code = members.add(store, mappa_category=1, mappa_level=1)
    one = members.consent(store, code, "pat", on="2026-01-10")
    assert (one["professional_id"], one["agency"], one["known_agency"]) == (pat, None, True)
    two = members.consent(store, code, "  kent   POLICE ", on="2026-01-10")
    assert (two["professional_id"], two["agency"]) == (None, "Kent Police")
    covers = members.consent_covers
    assert covers(store, mid, pat, date(2026, 1, 10))
    assert covers(store, mid, pete, "2026-02-01")  # through the agency
    assert not covers(store, mid, pat, "2026-01-09")  # before consent was given
    assert not covers(store, mid, tess, "2026-02-01")
    assert not covers(store, mid, 999, "2026-02-01")


def test_withdrawn_consent_stops_covering_from_the_day_of_withdrawal(store: Any) -> None:
    pat = add_pro(store, "Pat Probation", "Kent Probation")
    mid, code = members.add(store, mappa_category=1, mappa_level=1)
    members.consent(store, code, "Kent Probation", on="2026-01-01")
    with pytest.raises(UserError, match="no open consent to share with Pat Probation"):
        members.consent(store, code, "pat", withdraw=True)
    with pytest.raises(UserError, match="is before the consent was given"):
        members.consent(store, code, "kent probation", on="2025-12-31", withdraw=True)
    row = members.consent(store, code, "kent probation", on="2026-03-01", withdraw=True)
    assert row["withdrawn_on"] == "2026-03-01"
    assert members.consent_covers(store, mid, pat, "2026-02-28")
    assert not members.consent_covers(store, mid, pat, "2026-03-01")
    members.consent(store, code, "Kent Probation", on="2026-04-01")  # given again
    assert members.consent_covers(store, mid, pat, "2026-04-01")
    assert audit.verify(store).ok


def test_consent_twice_is_refused_and_an_unknown_agency_is_flagged(store: Any) -> None:
    add_pro(store, "Pat Probation", "Kent Probation")
    _, code = members.add(store, mappa_category=1, mappa_level=1)
    members.consent(store, code, "1")
    with pytest.raises(UserError, match="already consents to sharing with Pat Probation"):
        members.consent(store, code, "Pat")
    row = members.consent(store, code, "Kent Probaton")
    assert row["agency"] == "Kent Probaton" and row["known_agency"] is False
    with pytest.raises(UserError, match="pro 7 not found"):
        members.consent(store, code, "7")


def test_an_ambiguous_professional_prefix_lists_the_candidates(store: Any) -> None:
    add_pro(store, "Pat Probation", "Kent Probation")
    add_pro(store, "Patrick Police", "Kent Police", "police")
    _, code = members.add(store, mappa_category=1, mappa_level=1)
    with pytest.raises(UserError, match="'pa' matches several pros: 1 Pat Probation"):
        members.consent(store, code, "pa")
    assert members.consent(store, code, "pat probation")["professional_id"] == 1
    emile = add_pro(store, "Émile Zola", "Paris Probation")
    assert members.consent(store, code, "ÉMILE")["professional_id"] == emile


TEXT = st.text(min_size=1, max_size=40).filter(lambda s: s.strip())
DAY = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(date.isoformat)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    legal=st.fixed_dictionaries(
        {
            "legal_name": TEXT,
            "aliases": TEXT,
            "address": TEXT,
            "contact": TEXT,
            "date_of_birth": DAY,
        }
    ),
    status=st.fixed_dictionaries(
        {
            "notification_requirements": TEXT,
            "other_orders": TEXT,
            "sentence_date": DAY,
            "release_date": DAY,
            "mappa_verified": DAY,
        }
    ),
    category=st.sampled_from(members.MAPPA_CATEGORIES),
    level=st.sampled_from(members.MAPPA_LEVELS),
)
def test_members_round_trip_arbitrary_unicode_through_the_store(
    store: Any, legal: dict[str, str], status: dict[str, str], category: int, level: int
) -> None:
    mid, code = members.add(store, mappa_category=category, mappa_level=level, **legal, **status)
    model = CoreMember.model_validate(members.get(store, code))
    assert (model.id, model.code, model.mappa_category, model.mappa_level) == (
        mid,
        code,
        category,
        level,
    )
    for key, value in status.items():
        assert getattr(model, key) == value.strip()
    who = MemberIdentity.model_validate(members.identity(store, code))
    for key, value in legal.items():
        assert getattr(who, key) == value.strip()
    again = CoreMember.model_validate_json(model.model_dump_json())
    assert again == model


# -- CLI -------------------------------------------------------------------------------------


def test_member_cli_never_shows_identity_outside_an_audited_view(cli: Cli) -> None:
    cli(
        "member",
        "add",
        "--mappa-category",
        "1",
        "--mappa-level",
        "2",
        "--name",
        SECRET,
        "--aliases",
        "J. Q.",
        "--dob",
        "1970-02-03",
        "--licence-end",
        "2028-01-01",
    )
    listed = cli.json("member", "list")
    assert [(m["id"], m["code"], m["mappa_level"]) for m in listed] == [(1, "CM-0001", 2)]
    assert set(listed[0]) >= {"id", "uuid", "code", "licence_end"}
    outputs = [
        cli("member", "list").output,
        cli("member", "list", "--csv").output,
        cli("member", "list", "--json").output,
        cli("member", "show", "CM-0001").output,
        cli("member", "show", "cm-0001", "--json").output,
        cli("audit", "--json").output,
    ]
    assert not any(SECRET in out or "1970-02-03" in out for out in outputs)
    assert "identity" not in cli.json("member", "show", "CM-0001")
    assert not cli.json("audit", "--action", "member.identity.view")

    shown = cli.json("member", "show", "CM-0001", "--identity")
    assert shown["identity"]["legal_name"] == SECRET
    assert shown["identity"]["date_of_birth"] == "1970-02-03"
    text = cli("member", "show", "CM-0001", "--identity").stdout
    assert SECRET in text and "audit trail" in text
    views = cli.json("audit", "--action", "member.identity.view")
    assert [(v["record_type"], v["record_id"], v["fields"], v["detail"]) for v in views] == [
        ("member", 1, [], None),
        ("member", 1, [], None),
    ]
    assert SECRET not in cli("audit", "--json").stdout
    cli("audit", "verify")


def test_member_cli_add_edit_conditions_risk_and_consent(cli: Cli) -> None:
    out = cli("member", "add", "CM-0042", "--mappa-category", "3", "--mappa-level", "1")
    assert "CM-0042" in out.stderr
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    assert [m["code"] for m in cli.json("member", "list")] == ["CM-0042", "CM-0043"]
    result = cli(
        "member", "edit", "cm-0042", "--mappa-verified", "2026-01-02", "--other-orders", "SHPO"
    )
    assert "Updated CM-0042: mappa_verified, other_orders" in result.stderr
    assert "Nothing changed" in cli("member", "edit", "CM-0042", "--other-orders", "SHPO").stderr
    cli("member", "condition", "add", "CM-0042", "Reside at AP", "--from", "2026-01-01")
    cli("member", "condition", "end", "CM-0042", "1", "--on", "2026-03-01")
    [cond] = cli.json("member", "condition", "list", "CM-0042")
    assert (cond["text"], cond["start_date"], cond["end_date"]) == (
        "Reside at AP",
        "2026-01-01",
        "2026-03-01",
    )
    cli(
        "member", "risk", "add", "CM-0042", "--instrument", "RM2000", "--scale", "risk category",
        "--value", "medium", "--on", "2026-01-05", "--source", "Kent Police",
    )  # fmt: skip
    [risk] = cli.json("member", "risk", "list", "CM-0042")
    assert (risk["instrument"], risk["value"], risk["source"]) == (
        "RM2000",
        "medium",
        "Kent Police",
    )
    assert "RM2000" in cli("member", "risk", "list", "CM-0042", "--csv").stdout
    out = cli("member", "consent", "CM-0042", "--recipient", "Kent Probation", "--on", "2026-01-01")
    assert "agency 'Kent Probation'" in out.stderr and "check the spelling" in out.stderr
    out = cli("member", "consent", "CM-0042", "--recipient", "Kent Probation", "--withdraw")
    assert "withdrew" in out.stderr and "check the spelling" not in out.stderr
    shown = cli.json("member", "show", "CM-0042")
    assert shown["code"] == "CM-0042" and shown["other_orders"] == "SHPO"
    assert [c["text"] for c in shown["conditions"]] == ["Reside at AP"]
    assert [r["instrument"] for r in shown["risks"]] == ["RM2000"]
    [consent] = shown["consents"]
    assert consent["agency"] == "Kent Probation" and consent["withdrawn_on"]
    text = cli("member", "show", "CM-0042").stdout
    assert "category 3, level 1 (verified 2026-01-02)" in text and "agency: Kent Probation" in text
    cli("audit", "verify")


RISK_STATIC_99 = [
    "member",
    "risk",
    "add",
    "CM-0001",
    "--instrument",
    "Static-99",
    "--scale",
    "s",
    "--value",
    "1",
    "--on",
    "today",
    "--source",
    "x",
]


def test_bad_member_input_is_one_line_exit_1_and_writes_nothing(cli: Cli) -> None:
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1", "--name", "A")
    before = audit_size(cli)
    result = cli("member", "add", "--mappa-category", "7", "--mappa-level", "1", code=1)
    assert result.stderr == "Error: invalid --mappa-category '7' (allowed: 1, 2, 3, 4)\n"
    failures = [
        (["member", "add", "--mappa-category", "1", "--mappa-level", "9"], "--mappa-level '9'"),
        (["member", "add", "CM-0001", "--mappa-category", "1", "--mappa-level", "1"], "exists"),
        (["member", "add", "CM-1", "--mappa-category", "1", "--mappa-level", "1"], "member code"),
        (
            ["member", "add", "--mappa-category", "1", "--mappa-level", "1", "--dob", "2026-02-30"],
            "invalid --dob '2026-02-30'",
        ),
        (["member", "edit", "CM-9999", "--other-orders", "x"], "no core member CM-9999"),
        (
            ["member", "edit", "CM-0001", "--released", "01/31/2026"],
            "month-first reading 31 January 2026",
        ),
        (["member", "show", "CM-9999", "--identity"], "no core member CM-9999"),
        (["member", "condition", "add", "CM-0001", "x", "--from", "soon"], "invalid --from"),
        (RISK_STATIC_99, "invalid --instrument 'Static-99'"),
        (["member", "consent", "CM-9999", "--recipient", "Kent Police"], "no core member"),
        (["member", "consent", "CM-0001", "--recipient", "x", "--withdraw"], "no open consent"),
    ]
    for args, expected in failures:
        result = cli(*args, code=1)
        assert expected in result.stderr, (args, result.stderr)
        assert result.stderr.startswith("Error: ") and "Traceback" not in result.output
    assert cli("member", "add", "--mappa-category", "x", "--mappa-level", "1", code=2)
    assert audit_size(cli) == before
    assert len(cli.json("member", "list")) == 1
    cli("audit", "verify")
