"""Shell completion: enum and lookup values always; names and codes only with an unlock session,
never from a passphrase source and never with a prompt."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import PASSPHRASE, Cli, run_env
from .session_backend import FILE_VAR, MODE_VAR, cosa_argv, keyring_mode


def complete(words: str, tmp_path: Path, **env: str) -> list[str]:
    """What bash completion offers for the last word of `words` (the real installed `cosa`)."""
    parts = words.split(" ")
    environment = run_env(
        tmp_path, _COSA_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(len(parts) - 1)
    )
    environment.update(env)
    if keyring_mode():  # the session is in the test credential store, not the kernel's
        environment.update({MODE_VAR: "keyring", FILE_VAR: os.environ[FILE_VAR]})
        environment["PYTHONPATH"] = str(Path(__file__).parent.parent)
    done = subprocess.run(
        cosa_argv(), env=environment, capture_output=True, text=True, timeout=60,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Passphrase" not in done.stderr
    return [line for line in done.stdout.splitlines() if line]


@pytest.fixture
def world(cli: Cli) -> Cli:
    cli("volunteer", "add", "Ann Able")
    cli("volunteer", "add", "Andy Ash")
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    cli("lookup", "add", "concern-category", "online contact")
    return cli


def test_enum_values_complete_without_a_workspace(tmp_path: Path) -> None:
    assert complete("cosa concern add 1 --severity ", tmp_path) == ["red", "amber", "green"]
    assert complete("cosa contact add 1 --mode ph", tmp_path) == ["phone"]
    assert complete("cosa review add 1 --decision ph", tmp_path) == ["phase-2"]


def test_lookup_values_complete_from_the_defaults_when_locked(tmp_path: Path) -> None:
    assert complete("cosa concern add 1 --category dr", tmp_path) == ["drink or drugs"]
    assert complete("cosa circle phase 1 ph", tmp_path) == ["phase 1", "phase 2"]


def test_names_are_not_offered_without_a_session_even_with_a_passphrase_source(
    world: Cli, tmp_path: Path
) -> None:
    env = {"COSA_PASSPHRASE": PASSPHRASE}
    assert complete("cosa contact add 1 --by A", tmp_path, **env) == []
    assert complete("cosa member show C", tmp_path, **env) == []


def test_names_codes_and_local_lookups_complete_with_an_unlock_session(
    world: Cli, tmp_path: Path
) -> None:
    world("unlock", "--for", "5m")
    try:
        assert complete("cosa contact add 1 --by An", tmp_path) == ["Andy Ash", "Ann Able"]
        assert complete("cosa volunteer show ann", tmp_path) == ["Ann Able"]
        assert complete("cosa member show C", tmp_path) == ["CM-0001"]
        assert complete("cosa concern add 1 --category on", tmp_path) == ["online contact"]
    finally:
        world("lock")
    assert complete("cosa member show C", tmp_path) == []
