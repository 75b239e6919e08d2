"""`cosa complaint …`: the complaints register."""

from __future__ import annotations

from typing import Annotated

import typer

from cosa.commands.common import CsvOpt, JsonOpt, open_store
from cosa.domain import complaints
from cosa.grammar import DATE_HELP_SHORT, LimitOpt, limited
from cosa.output import Column, echo, message, model_json, record, table

app = typer.Typer(
    help="Complaints: received, acknowledged (within 30 days), answered with an outcome.",
    no_args_is_help=True,
)

COLUMNS: list[Column] = [
    ("id", "#"),
    ("received_on", "Received"),
    ("complainant", "Complainant"),
    ("about", "About"),
    ("state", "State"),
    ("acknowledge_by", "Acknowledge by"),
    ("responded_on", "Answered"),
    ("outcome", "Outcome"),
]

ComplaintArg = Annotated[str, typer.Argument(metavar="ID", help="The complaint's number.")]


@app.command("add")
def add(
    ctx: typer.Context,
    on: Annotated[str, typer.Option("--on", help=f"The day it was received ({DATE_HELP_SHORT}).")],
    complainant: Annotated[str, typer.Option("--complainant", help="Who complains.")],
    about: Annotated[str, typer.Option("--about", help="What the complaint is about.")],
    note: Annotated[str | None, typer.Option("--note", help="A note.")] = None,
) -> None:
    """Record a complaint received."""
    store = open_store(ctx)
    cid = complaints.add(store, on=on, complainant=complainant, about=about, note=note)
    row = complaints.get(store, cid)
    message(f"Complaint {cid} recorded; acknowledge it by {row['acknowledge_by']}.")
    echo(cid)


@app.command("acknowledge")
def acknowledge(
    ctx: typer.Context,
    complaint: ComplaintArg,
    on: Annotated[
        str, typer.Option("--on", help=f"The day it was acknowledged ({DATE_HELP_SHORT}).")
    ],
) -> None:
    """Record that the complaint was acknowledged."""
    row = complaints.acknowledge(open_store(ctx), complaint, on=on)
    message(f"Complaint {row['id']} acknowledged on {row['acknowledged_on']}.")


@app.command("respond")
def respond(
    ctx: typer.Context,
    complaint: ComplaintArg,
    on: Annotated[
        str, typer.Option("--on", help=f"The day the answer was sent ({DATE_HELP_SHORT}).")
    ],
    outcome: Annotated[
        str, typer.Option("--outcome", help=f"One of: {', '.join(complaints.OUTCOMES)}.")
    ],
) -> None:
    """Record the answer and its outcome."""
    row = complaints.respond(open_store(ctx), complaint, on=on, outcome=outcome)
    message(f"Complaint {row['id']} answered on {row['responded_on']} ({row['outcome']}).")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    open_: Annotated[
        bool, typer.Option("--open", help="Only complaints not yet answered.")
    ] = False,
    limit: LimitOpt = 50,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List complaints, newest first."""
    rows = limited(complaints.list_(open_store(ctx), open_only=open_), limit, quiet=json_ or csv_)
    if json_:
        from cosa.models import Complaint

        model_json(Complaint, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no complaints (`cosa complaint add`)")


@app.command("show")
def show(ctx: typer.Context, complaint: ComplaintArg, json_: JsonOpt = False) -> None:
    """Show one complaint."""
    row = complaints.get(open_store(ctx), complaint)
    if json_:
        from cosa.models import Complaint

        model_json(Complaint, row)
        return
    record(
        [
            ("Number", row["id"]),
            ("Received", row["received_on"]),
            ("Complainant", row["complainant"]),
            ("About", row["about"]),
            ("Note", row["note"]),
            ("State", row["state"]),
            ("Acknowledge by", row["acknowledge_by"]),
            ("Acknowledged", row["acknowledged_on"]),
            ("Answered", row["responded_on"]),
            ("Outcome", row["outcome"]),
        ]
    )
