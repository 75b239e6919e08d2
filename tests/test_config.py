"""`cosa config`: settings are validated, audited and used."""

from __future__ import annotations

from .conftest import Cli


def test_settings_list_with_defaults(cli: Cli) -> None:
    rows = {r["key"]: r for r in cli.json("config", "list")}
    assert rows["report_classification"]["value"] == "OFFICIAL-SENSITIVE"
    assert rows["small_count_threshold"]["set"] is False


def test_a_setting_is_validated_audited_and_reset(cli: Cli) -> None:
    cli("config", "set", "small_count_threshold", "10")
    assert {r["key"]: r for r in cli.json("config", "list")}["small_count_threshold"][
        "value"
    ] == "10"
    assert "from 2 to 20" in cli("config", "set", "small_count_threshold", "0", code=1).output
    assert "unknown setting" in cli("config", "set", "colour", "red", code=1).output
    cli("config", "unset", "small_count_threshold")
    actions = [e["action"] for e in cli.json("audit")]
    assert actions.count("setting.set") == 1 and "setting.unset" in actions
    cli("audit", "verify")


def test_the_operator_setting_is_a_label_beside_the_person_in_the_audit(cli: Cli) -> None:
    from cosa.workspace import os_user

    cli("config", "set", "operator", "Jo Coordinator")
    cli("volunteer", "add", "Ann")
    assert cli.json("audit")[-1]["operator"] == f"{os_user()} (as Jo Coordinator)"
    cli("--operator", "Sam", "volunteer", "add", "Ben")
    assert cli.json("audit")[-1]["operator"] == f"{os_user()} (as Sam)"
