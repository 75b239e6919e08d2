"""The docs are checked: every command has help, and docs/cli.md matches --help."""

from __future__ import annotations

import typer

from cosa.cli import app

from .gen_cli_docs import DOCS, command_paths, render


def test_every_command_has_help_text() -> None:
    root = typer.main.get_command(app)
    for path in command_paths():
        cmd = root
        for name in path:
            cmd = cmd.commands[name]  # type: ignore[attr-defined]
        assert (cmd.help or "").strip(), f"`cosa {' '.join(path)}` has no help text"
        for param in cmd.params:
            if param.name not in ("help",) and getattr(param, "help", "x") is not None:
                continue
            if param.param_type_name == "option":
                assert param.help, f"`cosa {' '.join(path)}` option {param.name} has no help"


def test_cli_reference_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `python -m tests.gen_cli_docs`"
    )
