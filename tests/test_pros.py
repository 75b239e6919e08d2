"""Professionals: the outer circle (add, list with filters, show, edit)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cosa import audit
from cosa.domain import lookups, pros
from cosa.errors import UserError
from cosa.models import Professional

from .conftest import Cli

TODAY = date(2026, 11, 26)


def _head(cli: Cli) -> int:
    return int(cli.json("audit", "--limit", "1")[-1]["seq"])


# -- domain ----------------------------------------------------------------------------------


def test_a_professional_is_added_with_a_role_from_the_lookup(store: Any) -> None:
    pid = pros.add(
        store,
        " Pat Probation ",
        agency="NPS Thames Valley",
        role="Social_Care",
        email="pat@probation.gov.uk",
        active_from="2025-01-01",
    )
    row = pros.get(store, "pat", today=TODAY)
    assert (row["id"], row["name"], row["role"], row["active_from"], row["active"]) == (
        pid,
        "Pat Probation",
        "social care",
        "2025-01-01",
        True,
    )
    assert audit.entries(store, record_type="professional")[0]["action"] == "professional.add"
    assert audit.verify(store).ok


def test_a_role_added_to_the_lookup_is_accepted(store: Any) -> None:
    with pytest.raises(UserError, match="invalid --role 'chaplain'") as err:
        pros.add(store, "Rev Green", agency="HMP Bullingdon", role="chaplain")
    assert "probation, police, treatment, prison" in (err.value.hint or "")
    assert "cosa lookup add professional-role" in (err.value.hint or "")
    lookups.add(store, "professional-role", "chaplain")
    pros.add(store, "Rev Green", agency="HMP Bullingdon", role="Chaplain")
    assert pros.get(store, "rev")["role"] == "chaplain"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"name": "  "}, "name must not be empty"),
        ({"agency": ""}, "--agency must not be empty"),
        ({"role": "wizard"}, "invalid --role 'wizard'"),
        ({"email": "pat at police"}, "invalid --email 'pat at police'"),
        ({"active_from": "2026-02-30"}, "invalid --from '2026-02-30': day is out of range"),
        ({"active_to": "never"}, "invalid --to 'never': not a date"),
        ({"active_from": "2026-05-01", "active_to": "2026-04-01"}, "before --from"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    store: Any, changes: dict[str, str], error: str
) -> None:
    before = store.audit_head()
    args = {"name": "Pat", "agency": "Police", "role": "police"}
    with pytest.raises(UserError, match=error):
        pros.add(store, **{**args, **changes})  # type: ignore[arg-type]
    assert store.audit_head() == before
    assert store.query("SELECT * FROM professionals") == []


def test_list_filters_by_agency_role_and_active_dates(store: Any) -> None:
    pros.add(store, "Pat", agency="NPS Thames Valley", role="probation")
    pros.add(store, "Ian", agency="Thames Valley Police", role="police", active_to="2026-01-31")
    pros.add(store, "Una", agency="Éire Housing", role="housing", active_from="2027-01-01")
    pros.add(store, "Sam", agency="Thames Valley Police", role="police", active_from="2020-01-01")

    def names(**kw: Any) -> list[str]:
        return [r["name"] for r in pros.list_(store, today=TODAY, **kw)]

    assert names() == ["Pat", "Ian", "Sam", "Una"]  # by agency, then name
    assert names(agency="thames valley") == ["Pat", "Ian", "Sam"]
    assert names(agency="ÉIRE") == ["Una"]  # case-insensitive beyond ASCII
    assert names(role="Police") == ["Ian", "Sam"]
    assert names(active=True) == ["Pat", "Sam"]
    assert names(agency="police", active=True) == ["Sam"]
    with pytest.raises(UserError, match="invalid --role 'cop'"):
        pros.list_(store, role="cop")


def test_edit_changes_and_clears_fields_and_checks_the_dates(store: Any) -> None:
    pid = pros.add(
        store, "Pat", agency="NPS", role="probation", phone="0100", active_from="2025-01-01"
    )
    assert pros.edit(store, "pat", agency="NPS South", phone="", active_to="2026-06-30") == (
        pid,
        ["active_to", "agency", "phone"],
    )
    row = pros.get(store, str(pid), today=TODAY)
    assert (row["agency"], row["phone"], row["active_to"], row["active"]) == (
        "NPS South",
        None,
        "2026-06-30",
        False,
    )
    assert pros.edit(store, "pat", active_to="") == (pid, ["active_to"])
    assert pros.edit(store, "pat", role="probation") == (pid, [])
    before = store.audit_head()
    with pytest.raises(UserError, match="invalid --to '2024-01-01': before --from"):
        pros.edit(store, "pat", active_to="2024-01-01")
    with pytest.raises(UserError, match="nothing to change"):
        pros.edit(store, "pat")
    with pytest.raises(UserError, match="no pro matches 'zed'"):
        pros.edit(store, "zed", name="Zed")
    assert store.audit_head() == before
    assert audit.verify(store).ok


def test_a_professional_is_found_by_number_or_unique_prefix(store: Any) -> None:
    pros.add(store, "Jo Smith", agency="Police", role="police")
    pros.add(store, "Jo Brown", agency="NPS", role="probation")
    assert pros.get(store, "jo s")["name"] == "Jo Smith"
    assert pros.get(store, "2")["name"] == "Jo Brown"
    with pytest.raises(UserError, match="'jo' matches several pros: 2 Jo Brown, 1 Jo Smith"):
        pros.get(store, "jo")
    with pytest.raises(UserError, match="pro 9 not found"):
        pros.get(store, "9")


# -- round-trip ------------------------------------------------------------------------------

TEXT = st.text().map(str.strip).filter(bool)
PLAIN = st.text(
    st.characters(exclude_characters="@", exclude_categories=("Zs", "Cc", "Zl", "Zp", "Cs"))
)
EMAIL = st.builds(lambda a, b: f"{a}@{b}", PLAIN.filter(bool), PLAIN.filter(bool)).filter(
    lambda e: not any(ch.isspace() for ch in e)
)
DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=TEXT,
    agency=TEXT,
    role=st.sampled_from(lookups.DEFAULTS["professional-role"]),
    phone=st.none() | TEXT,
    email=st.none() | EMAIL,
    days=st.lists(DAYS, min_size=2, max_size=2).map(sorted),
    open_from=st.booleans(),
    open_to=st.booleans(),
)
def test_a_professional_round_trips_with_any_unicode(
    store: Any,
    name: str,
    agency: str,
    role: str,
    phone: str | None,
    email: str | None,
    days: list[date],
    open_from: bool,
    open_to: bool,
) -> None:
    given_ = {
        "name": name,
        "agency": agency,
        "role": role,
        "phone": phone,
        "email": email,
        "active_from": None if open_from else days[0].isoformat(),
        "active_to": None if open_to else days[1].isoformat(),
    }
    pid = pros.add(store, **given_)  # type: ignore[arg-type]
    back = Professional.model_validate(pros.get(store, str(pid), today=TODAY))
    assert back.model_dump(include=set(given_)) == given_
    assert back.active == (
        (given_["active_from"] or "") <= "2026-11-26" <= (given_["active_to"] or "9")
    )
    assert Professional.model_validate_json(back.model_dump_json()) == back


# -- the command line ------------------------------------------------------------------------


def test_a_professional_scenario_through_the_cli(cli: Cli) -> None:
    cli("pro", "add", "Pat Probation", "--agency", "NPS Thames Valley", "--role", "probation",
        "--phone", "01865 000000", "--email", "pat@justice.gov.uk", "--from", "2025-01-01")  # fmt: skip
    cli("pro", "add", "Ian Police", "--agency", "Thames Valley Police", "--role", "Police",
        "--to", "2020-12-31")  # fmt: skip
    listed = cli.json("pro", "list")
    assert [(p["id"], p["name"], p["role"], p["active"]) for p in listed] == [
        (1, "Pat Probation", "probation", True),
        (2, "Ian Police", "police", False),
    ]
    assert [p["id"] for p in cli.json("pro", "list", "--active")] == [1]
    assert [p["id"] for p in cli.json("pro", "list", "--role", "police")] == [2]
    assert [p["id"] for p in cli.json("pro", "list", "--agency", "police")] == [2]
    shown = cli.json("pro", "show", "pat")
    assert {k: shown[k] for k in ("agency", "phone", "email", "active_from", "active_to")} == {
        "agency": "NPS Thames Valley",
        "phone": "01865 000000",
        "email": "pat@justice.gov.uk",
        "active_from": "2025-01-01",
        "active_to": None,
    }
    assert "Agency   NPS Thames Valley" in cli("pro", "show", "1").stdout
    csv_lines = cli("pro", "list", "--csv").stdout.splitlines()
    assert csv_lines[0] == "id,name,agency,role,phone,email,active_from,active_to"
    assert csv_lines[1].startswith("1,Pat Probation,NPS Thames Valley,probation,")

    result = cli("pro", "edit", "ian", "--to", "", "--email", "ian@police.uk")
    assert "changed active_to, email" in result.stderr
    assert cli.json("pro", "show", "ian")["active"] is True
    assert "nothing changed" in cli("pro", "edit", "ian", "--role", "police").stderr
    cli("audit", "verify")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["add", "X", "--agency", "Y", "--role", "wizard"], "Error: invalid --role 'wizard'"),
        (["add", "X", "--agency", "Y", "--role", "police", "--from", "2026-02-30"],
         "Error: invalid --from '2026-02-30'"),
        (["edit", "nobody", "--name", "Z"], "Error: no pro matches 'nobody'"),
        (["edit", "pat", "--to", "2020-01-01"], "Error: invalid --to '2020-01-01': before --from"),
        (["edit", "pat"], "Error: nothing to change"),
        (["show", "42"], "Error: pro 42 not found"),
        (["list", "--role", "cop"], "Error: invalid --role 'cop'"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_1_and_writes_nothing(
    cli: Cli, args: list[str], error: str
) -> None:
    cli("pro", "add", "Pat", "--agency", "NPS", "--role", "probation", "--from", "2025-01-01")
    before = _head(cli)
    result = cli("pro", *args, code=1)
    lines = result.stderr.splitlines()
    assert lines[0].startswith(error), result.stderr
    assert len(lines) <= 2 and all(ln.startswith(("Error:", "Hint:")) for ln in lines)
    assert _head(cli) == before
    cli("audit", "verify")


@pytest.mark.parametrize(
    "args",
    [
        ["add", "X", "--role", "police"],
        ["add", "X", "--agency", "Y"],
        ["add", "--agency", "Y", "--role", "police"],
        ["list", "--active", "yes"],
    ],
)
def test_malformed_options_exit_2_and_write_nothing(cli: Cli, args: list[str]) -> None:
    cli("pro", "add", "Pat", "--agency", "NPS", "--role", "probation")
    before = _head(cli)
    cli("pro", *args, code=2)
    assert _head(cli) == before
