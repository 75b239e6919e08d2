"""`cosa followup …`: follow-up contacts after a circle ended."""

from __future__ import annotations

from typing import Annotated

import typer

from cosa.commands.circle import DATE_FORMS, CircleArg
from cosa.commands.common import CsvOpt, JsonOpt, LimitOpt, OptionalCircleArg, limited, open_store
from cosa.domain import followup
from cosa.output import Column, echo, message, model_json, table

app = typer.Typer(
    help="Follow-up after a circle ended: contacts at 3, 6 and 12 months.", no_args_is_help=True
)

COLUMNS: list[Column] = [
    ("id", "#"),
    ("on_date", "Date"),
    ("circle_id", "Circle"),
    ("member_code", "Member"),
    ("by", "By"),
    ("mode", "Mode"),
    ("note", "Note"),
]
CHECK_COLUMNS: list[Column] = [
    ("months", "Months"),
    ("due_on", "Due"),
    ("done_on", "Done"),
    ("followup_id", "Follow-up"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    circle: CircleArg,
    on: Annotated[str, typer.Option("--on", help=f"Day of the contact ({DATE_FORMS}).")],
    by: Annotated[
        str, typer.Option("--by", help="The volunteer or professional (number or name).")
    ],
    mode: Annotated[
        str | None, typer.Option("--mode", help=f"One of: {', '.join(followup.MODES)}.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What was learnt.")] = None,
) -> None:
    """Record a follow-up contact after the circle ended (completes the check due)."""
    row = followup.add(open_store(ctx), circle, on=on, by=by, mode=mode, note=note)
    done = f"; the {row['check_months']}-month check is done" if row["check_months"] else ""
    message(f"Added follow-up {row['id']}{done}")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    circle: OptionalCircleArg = None,
    limit: LimitOpt = 0,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List follow-up contacts, most recent first (with a circle: also its scheduled checks)."""
    store = open_store(ctx)
    rows = limited(followup.list_(store, circle), limit)
    if json_:
        from cosa.models import Followup

        model_json(Followup, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no follow-up contacts (`cosa followup add`)")
    if circle is not None and not csv_:
        from cosa.domain.circles import resolve_circle

        echo("\nScheduled checks")
        table(
            followup.checks(store, resolve_circle(store, circle)["id"]),
            CHECK_COLUMNS,
            empty="none (the circle has not ended)",
        )
