"""Help that teaches: every command ends its --help with examples, and every example runs."""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.core import TyperGroup
from typer.testing import CliRunner

from cosa import vault
from cosa.cli import app
from cosa.examples import EXAMPLES
from cosa.grammar import PENDING
from cosa.workspace import Workspace

from . import reports_world
from .conftest import CHEAP_KDF, PASSPHRASE
from .gen_cli_docs import command_tree
from .people import ready_volunteer

NEW_PASSPHRASE = "a brand new passphrase"


def runnable_paths() -> list[str]:
    """Every command that runs something: leaves, and groups that list by themselves."""
    return [
        " ".join(path)
        for path, cmd in command_tree()
        if path and (not isinstance(cmd, TyperGroup) or cmd.invoke_without_command)
    ]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The fictional provider of tests/reports_world.py, and Nia Brown, a volunteer ready to
    join a circle (tests/people.py), built once; tests copy it."""
    home = tmp_path_factory.mktemp("world") / "ws"
    code = vault.new_recovery_code()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vault, "DEFAULT_KDF", dict(CHEAP_KDF))
        store = Workspace(home).create(PASSPHRASE, code, "tester")
        try:
            reports_world.build(store)
            ready_volunteer(store, "Nia Brown")
        finally:
            store.close()
    (home.parent / "rec.txt").write_text(code + "\n")
    yield home


def test_every_command_has_examples_and_no_stray_ones() -> None:
    runnable = set(runnable_paths())
    owned = {p for p in runnable if not any(p == g or p.startswith(g + " ") for g in PENDING)}
    assert sorted(owned - set(EXAMPLES)) == [], "commands without examples"
    assert sorted(set(EXAMPLES) - runnable) == [], "examples of commands that do not exist"
    for path, lines in EXAMPLES.items():
        assert 1 <= len(lines) <= 3, path


@pytest.mark.parametrize("path", ["concern respond", "contact add", "audit"])
def test_help_ends_with_the_examples(path: str) -> None:
    result = CliRunner().invoke(app, [*path.split(), "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    tail = result.stdout.rstrip().split("Examples:\n")[-1].splitlines()
    assert [line.strip() for line in tail] == [f"cosa {line}" for line in EXAMPLES[path]]


@pytest.mark.parametrize("path", sorted(EXAMPLES))
def test_every_example_runs(
    path: str, world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(world, tmp_path / "ws")
    shutil.copy(world.parent / "rec.txt", tmp_path / "rec.txt")
    (tmp_path / "new.txt").write_text(NEW_PASSPHRASE + "\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    runner = CliRunner()
    try:
        for line in EXAMPLES[path]:
            result = runner.invoke(app, shlex.split(line))
            assert result.exit_code == 0, f"cosa {line}\n{result.output}"
            if not path.startswith(PENDING):
                assert "is now" not in result.stderr, f"cosa {line} uses an old spelling"
            if line.startswith(("passwd", "recover")):  # later lines need the new passphrase
                monkeypatch.setenv("COSA_PASSPHRASE", NEW_PASSPHRASE)
    finally:
        if path == "unlock":
            runner.invoke(app, ["lock"])
    assert os.environ["COSA_HOME"] == str(tmp_path / "ws")
