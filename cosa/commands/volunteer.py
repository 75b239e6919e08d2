"""`cosa volunteer …`"""

from __future__ import annotations

from typing import Annotated

import typer

from cosa.commands.common import CsvOpt, JsonOpt, open_store
from cosa.domain import volunteers
from cosa.output import message, model_json, record, table

app = typer.Typer(help="Volunteers: vetting, training, supervision, hours.", no_args_is_help=True)

VolunteerArg = Annotated[str, typer.Argument(help="Volunteer number or unique name prefix.")]
COLUMNS = [
    ("id", "#"),
    ("name", "Name"),
    ("status", "Status"),
    ("email", "Email"),
    ("phone", "Phone"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Full name.")],
    email: Annotated[str | None, typer.Option("--email", help="Email address.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
    status: Annotated[
        str, typer.Option("--status", help="applicant, in training, available, active, resting.")
    ] = "applicant",
) -> None:
    """Add a volunteer."""
    store = open_store(ctx)
    vid = volunteers.add(store, name, email=email, phone=phone, status=status)
    message(f"Added volunteer {vid}: {name.strip()}")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option("--status", help="Only volunteers with this status.")
    ] = None,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List volunteers."""
    rows = volunteers.list_(open_store(ctx), status=status)
    if json_:
        from cosa.models import Volunteer

        model_json(Volunteer, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no volunteers yet (`cosa volunteer add NAME`)")


@app.command("show")
def show(ctx: typer.Context, volunteer: VolunteerArg, json_: JsonOpt = False) -> None:
    """Show one volunteer."""
    row = volunteers.get(open_store(ctx), volunteer)
    if json_:
        from cosa.models import Volunteer

        model_json(Volunteer, row)
        return
    record(
        [
            ("Number", row["id"]),
            ("Name", row["name"]),
            ("Status", row["status"]),
            ("Email", row["email"]),
            ("Phone", row["phone"]),
            ("Added", row["created_at"]),
            ("Updated", f"{row['updated_at']} by {row['updated_by']}"),
        ]
    )
