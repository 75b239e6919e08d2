"""Generate docs/cli.md from the commands' own --help (run: python -m tests.gen_cli_docs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import typer
from typer.testing import CliRunner

from cosa.cli import app

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def command_paths() -> Iterator[list[str]]:
    root = typer.main.get_command(app)

    def walk(cmd: object, path: list[str]) -> Iterator[list[str]]:
        yield path
        commands = getattr(cmd, "commands", None)
        if commands:
            for name in sorted(commands):
                yield from walk(commands[name], [*path, name])

    yield from walk(root, [])


def render() -> str:
    runner = CliRunner()
    parts = [
        "# cosa command reference\n",
        "Generated from `--help` by `python -m tests.gen_cli_docs`; do not edit by hand.\n",
    ]
    for path in command_paths():
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"}, terminal_width=100)
        title = " ".join(["cosa", *path])
        parts.append(f"## `{title}`\n\n```text\n{result.stdout.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(render(), encoding="utf-8")
    print(f"wrote {DOCS}")
