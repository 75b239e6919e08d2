"""`cosa config …`: workspace settings."""

from __future__ import annotations

from typing import Annotated

import typer

from cosa.commands.common import CsvOpt, JsonOpt, open_store
from cosa.domain import settings
from cosa.grammar import LimitOpt, limited
from cosa.output import dump_json, message, table

app = typer.Typer(
    help="Workspace settings: operator, classification line, thresholds.", no_args_is_help=True
)
KeyArg = Annotated[str, typer.Argument(help="The setting's name (see `cosa config list`).")]


@app.command("list")
def list_cmd(
    ctx: typer.Context, limit: LimitOpt = 0, json_: JsonOpt = False, csv_: CsvOpt = False
) -> None:
    """List the settings with their values and defaults."""
    rows = limited(settings.list_(open_store(ctx)), limit, quiet=json_ or csv_)
    if json_:
        dump_json(rows)
        return
    columns = [("key", "Setting"), ("value", "Value"), ("default", "Default"), ("help", "Meaning")]
    table(rows, columns, csv_out=csv_)


@app.command("set")
def set_cmd(
    ctx: typer.Context, key: KeyArg, value: Annotated[str, typer.Argument(help="The new value.")]
) -> None:
    """Change a setting (audited)."""
    clean = settings.set_(open_store(ctx), key, value)
    message(f"{key} = {clean}")


@app.command("unset")
def unset_cmd(ctx: typer.Context, key: KeyArg) -> None:
    """Go back to a setting's default (audited)."""
    settings.unset(open_store(ctx), key)
    message(f"{key} is back to its default.")
