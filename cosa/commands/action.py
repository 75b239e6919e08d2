"""`cosa action …`: actions agreed in or between meetings."""

from __future__ import annotations

from typing import Annotated

import typer

from cosa.commands.circle import CircleArg
from cosa.commands.common import CsvOpt, JsonOpt, OptionalCircleArg, open_store
from cosa.domain import actions, users
from cosa.grammar import DATE_HELP_SHORT, LimitOpt, limited
from cosa.output import Column, message, model_json, table

app = typer.Typer(help="Actions: who does what by when.", no_args_is_help=True)

ActionArg = Annotated[str, typer.Argument(help="Action number.")]
DoneOnOpt = Annotated[
    str | None,
    typer.Option("--on", "--date", help=f"The day (default today; {DATE_HELP_SHORT})."),
]
COLUMNS: list[Column] = [
    ("id", "#"),
    ("member_code", "Member"),
    ("circle_id", "Circle"),
    ("text", "Action"),
    ("owner", "Owner"),
    ("due", "Due"),
    ("overdue", "Overdue"),
    ("status", "Status"),
    ("closed_on", "Closed"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    circle: CircleArg,
    text: Annotated[str, typer.Argument(help="What is to be done.")],
    owner: Annotated[str | None, typer.Option("--owner", help="Who will do it.")] = None,
    due: Annotated[
        str | None,
        typer.Option("--due", help="Due date (YYYY-MM-DD, friday = the next Friday, +2w, …)."),
    ] = None,
    meeting: Annotated[
        int | None, typer.Option("--meeting", help="The meeting that agreed it.")
    ] = None,
) -> None:
    """Add an action for a circle."""
    aid = actions.add(open_store(ctx), circle, text, owner=owner, due=due, meeting_id=meeting)
    message(f"Added action {aid}")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    circle: OptionalCircleArg = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only open actions past their due date.")
    ] = False,
    due_within: Annotated[
        str | None,
        typer.Option(
            "--due-within", help="Only open actions due within this many days (7, 7d, 2w)."
        ),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only owners starting with this.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include done and dropped actions.")] = False,
    coordinator: Annotated[
        str | None,
        typer.Option("--coordinator", help="Only the circles this user coordinates (or me)."),
    ] = None,
    limit: LimitOpt = 50,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List open actions by due date (overdue first)."""
    store = open_store(ctx)
    rows = actions.list_(
        store,
        circle,
        overdue=overdue,
        due_within=due_within,
        owner=owner,
        all_=all_,
        coordinator=users.resolve_coordinator(store, coordinator),
    )
    rows = limited(rows, limit, quiet=json_ or csv_)
    if json_:
        from cosa.models import Action

        model_json(Action, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no actions")


@app.command("done")
def done(
    ctx: typer.Context,
    action: ActionArg,
    note: Annotated[str | None, typer.Option("--note", help="How it was done.")] = None,
    on: DoneOnOpt = None,
) -> None:
    """Mark an action done."""
    row = actions.done(open_store(ctx), action, note=note, on=on)
    message(f"Action {row['id']} done ({row['closed_on']})")


@app.command("drop")
def drop(
    ctx: typer.Context,
    action: ActionArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it will not be done.")],
    on: DoneOnOpt = None,
) -> None:
    """Drop an action that will not be done."""
    row = actions.drop(open_store(ctx), action, reason=reason, on=on)
    message(f"Action {row['id']} dropped ({row['closed_on']})")
