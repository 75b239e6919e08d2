"""`cosa lookup …`: the provider-specific lists."""

from __future__ import annotations

from typing import Annotated

import typer

from cosa.commands.common import CsvOpt, JsonOpt, open_store
from cosa.domain import lookups
from cosa.grammar import LimitOpt, limited
from cosa.output import dump_json, message, table

app = typer.Typer(
    help="Lists that vary by provider: circle types, ending reasons, concern categories…",
    no_args_is_help=True,
)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    kind: Annotated[
        str | None, typer.Argument(help="Which list (e.g. circle-type); all when omitted.")
    ] = None,
    limit: LimitOpt = 0,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List lookup values."""
    rows = limited(lookups.list_(open_store(ctx), kind), limit, quiet=json_ or csv_)
    if json_:
        dump_json(
            [
                {"id": r["id"], "kind": r["kind"], "value": r["value"], "active": bool(r["active"])}
                for r in rows
            ]
        )
        return
    table(rows, [("kind", "List"), ("value", "Value"), ("active", "Active")], csv_out=csv_)


@app.command("add")
def add(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="Which list (e.g. concern-category).")],
    value: Annotated[str, typer.Argument(help="The new value.")],
) -> None:
    """Add a value to a lookup list."""
    lookups.add(open_store(ctx), kind, value)
    message(f"Added '{value.strip()}' to {kind}.")
