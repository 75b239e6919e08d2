"""Shared parameter aliases and helpers for every command group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cosa.store import Store
from cosa.workspace import Options

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Output JSON (the stable, documented format).")
]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Output CSV.")]
#: A list's optional first argument: only this circle's records.
OptionalCircleArg = Annotated[
    str | None, typer.Argument(help="Only this circle (number or core member's code).")
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force", help="Replace an existing output file (only ever a regular file, never a link)."
    ),
]
OutFileOpt = Annotated[Path, typer.Option("--output", "-o", help="File to write.", dir_okay=False)]


def options(ctx: typer.Context) -> Options:
    root = ctx.find_root()
    if not isinstance(root.obj, Options):
        root.obj = Options()
    return root.obj


def open_store(ctx: typer.Context) -> Store:
    """Open the workspace's store (session key, passphrase sources or prompt)."""
    opts = options(ctx)
    store = opts.workspace.open(opts)
    ctx.call_on_close(store.close)
    return store


LimitOpt = Annotated[int, typer.Option("--limit", help="Show at most N rows (0 = all).", min=0)]


def limited(rows: list[Any], limit: int) -> list[Any]:
    """The first `limit` rows (all when 0)."""
    return rows[:limit] if limit else rows
