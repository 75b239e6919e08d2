"""`cosa outcome …`: recall, breach, reconviction, charge — or none."""

from __future__ import annotations

from typing import Annotated

import typer

from cosa.commands.circle import DATE_FORMS, CircleArg
from cosa.commands.common import CsvOpt, JsonOpt, LimitOpt, OptionalCircleArg, limited, open_store
from cosa.domain import followup
from cosa.output import Column, message, model_json, table

app = typer.Typer(
    help="Outcomes: recall, breach, reconviction, charge or none (during or after a circle).",
    no_args_is_help=True,
)

COLUMNS: list[Column] = [
    ("id", "#"),
    ("on_date", "Date"),
    ("circle_id", "Circle"),
    ("member_code", "Member"),
    ("kind", "Outcome"),
    ("offence", "Offence"),
    ("source", "Source"),
    ("note", "Note"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    circle: CircleArg,
    on: Annotated[str, typer.Option("--on", help=f"Day of the outcome ({DATE_FORMS}).")],
    kind: Annotated[
        str, typer.Option("--type", "--kind", help=f"One of: {', '.join(followup.OUTCOME_KINDS)}.")
    ],
    source: Annotated[
        str, typer.Option("--source", help=f"One of: {', '.join(followup.SOURCES)}.")
    ],
    offence: Annotated[
        str | None,
        typer.Option("--offence", help=f"Offence type: {', '.join(followup.OFFENCES)}."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note.")] = None,
) -> None:
    """Record an outcome (while the circle runs or after it ended)."""
    oid = followup.add_outcome(
        open_store(ctx), circle, on=on, kind=kind, source=source, offence=offence, note=note
    )
    message(f"Added outcome {oid}")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    circle: OptionalCircleArg = None,
    limit: LimitOpt = 0,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List outcomes, most recent first."""
    rows = limited(followup.outcomes(open_store(ctx), circle), limit)
    if json_:
        from cosa.models import Outcome

        model_json(Outcome, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no outcomes (`cosa outcome add`)")
