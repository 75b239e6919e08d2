"""The docs are checked: every command has help, and docs/cli.md matches --help."""

from __future__ import annotations

import typer

from cosa.cli import app

from .gen_cli_docs import DOCS, command_tree, render


def test_every_command_has_help_text() -> None:
    for path, cmd in command_tree():
        where = f"`cosa {' '.join(path)}`"
        assert (cmd.help or "").strip(), f"{where} has no help text"
        for param in cmd.params:
            if param.param_type_name == "option" and param.name != "help":
                assert getattr(param, "help", None), f"{where} option {param.name} has no help"


def test_the_root_help_lists_every_command_with_its_own_summary() -> None:
    """The registry's one-line help is what `cosa --help` shows without loading modules;
    it must name real commands, and each command's own help must exist."""
    from cosa.cli import COMMANDS

    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    assert set(root.list_commands(ctx)) == set(COMMANDS)  # type: ignore[attr-defined]
    for name in COMMANDS:
        assert root.get_command(ctx, name) is not None, name  # type: ignore[attr-defined]


def test_cli_reference_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `python -m tests.gen_cli_docs`"
    )


def test_json_reference_is_current() -> None:
    from .gen_json_docs import DOCS as JSON_DOCS
    from .gen_json_docs import render as render_json

    assert JSON_DOCS.read_text(encoding="utf-8") == render_json(), (
        "docs/json.md is stale: run `python -m tests.gen_json_docs`"
    )
