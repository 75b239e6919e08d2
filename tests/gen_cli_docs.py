"""Generate docs/cli.md from the commands' own --help (run: python -m tests.gen_cli_docs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import typer
from typer._click import core as click
from typer.core import TyperGroup
from typer.testing import CliRunner

from cosa.cli import app

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def command_tree() -> Iterator[tuple[list[str], click.Command]]:
    """Every command and group with its path, loading the lazy top-level groups."""
    root = typer.main.get_command(app)
    ctx = click.Context(root)

    def walk(cmd: click.Command, path: list[str]) -> Iterator[tuple[list[str], click.Command]]:
        yield path, cmd
        if isinstance(cmd, TyperGroup):
            names = cmd.list_commands(ctx) if not path else sorted(cmd.list_commands(ctx))
            for name in names:
                sub = cmd.get_command(ctx, name)
                assert sub is not None, name
                yield from walk(sub, [*path, name])

    yield from walk(root, [])


def command_paths() -> Iterator[list[str]]:
    for path, _ in command_tree():
        yield path


def render() -> str:
    runner = CliRunner()
    parts = [
        "# cosa command reference\n",
        "Generated from `--help` by `python -m tests.gen_cli_docs`; do not edit by hand.\n",
    ]
    for path in command_paths():
        result = runner.invoke(
            app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"}, terminal_width=100
        )
        title = " ".join(["cosa", *path])
        parts.append(f"## `{title}`\n\n```text\n{result.stdout.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(render(), encoding="utf-8")
    print(f"wrote {DOCS}")
