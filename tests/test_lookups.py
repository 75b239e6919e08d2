"""Lookups: provider-specific lists with defaults, extendable."""

from __future__ import annotations

from typing import Any

import pytest

from cosa.domain import lookups
from cosa.errors import UserError

from .conftest import Cli


def test_defaults_are_seeded_and_checked_case_insensitively(store: Any) -> None:
    assert "through-the-gate" in lookups.values(store, "circle-type")
    assert lookups.check(store, "circle-type", "Through The Gate") == "through-the-gate"
    assert lookups.check(store, "ending-reason", "cm withdrew") == "CM withdrew"


def test_an_invalid_value_lists_the_choices(store: Any) -> None:
    with pytest.raises(UserError) as err:
        lookups.check(store, "meeting-type", "picnic", field="type")
    assert "invalid type 'picnic'" in err.value.message
    assert "formal" in (err.value.hint or "")


def test_lookup_add_extends_a_list_and_is_audited(cli: Cli) -> None:
    cli("lookup", "add", "meeting-type", "walk and talk")
    values = [r["value"] for r in cli.json("lookup", "list", "meeting-type")]
    assert values[-1] == "walk and talk"
    assert cli.json("audit", "--type", "lookup")[-1]["action"] == "lookup.add"
    assert "already" in cli("lookup", "add", "meeting-type", "Walk And Talk", code=1).output
    assert "unknown lookup" in cli("lookup", "add", "nonsense", "x", code=1).output
    cli("audit", "verify")
