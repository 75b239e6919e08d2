"""`cosa contact …`: individual contacts between a volunteer and the core member."""

from __future__ import annotations

from typing import Annotated

import typer

from cosa import audit
from cosa.commands.circle import CircleArg
from cosa.commands.common import CsvOpt, JsonOpt, OptionalCircleArg, open_store
from cosa.domain import contacts
from cosa.grammar import DATE_HELP_SHORT, LimitOpt, limited
from cosa.output import Column, message, model_json, table

app = typer.Typer(
    help="Individual contacts between a volunteer and the core member.", no_args_is_help=True
)

COLUMNS: list[Column] = [
    ("id", "#"),
    ("date", "Date"),
    ("member_code", "Member"),
    ("circle_id", "Circle"),
    ("volunteer_name", "Volunteer"),
    ("mode", "Mode"),
    ("duration_minutes", "Minutes"),
    ("note", "Note"),
    ("concern_id", "Concern"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    circle: CircleArg,
    by: Annotated[
        str, typer.Option("--by", help="The volunteer who had the contact (number or name).")
    ],
    on: Annotated[
        str | None,
        typer.Option("--on", "--date", help=f"The day (default today; {DATE_HELP_SHORT})."),
    ] = None,
    mode: Annotated[
        str, typer.Option("--mode", help=f"One of: {', '.join(contacts.MODES)}.")
    ] = "phone",
    duration: Annotated[
        str | None, typer.Option("--duration", help="Length in minutes (e.g. 30, 1h).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What happened.")] = None,
    concern: Annotated[
        str | None,
        typer.Option(
            "--concern", help="A worry to record as a linked amber concern (category other)."
        ),
    ] = None,
) -> None:
    """Record a contact a volunteer had with the core member between meetings."""
    kid, concern_id = contacts.add(
        open_store(ctx),
        circle,
        by=by,
        on=on,
        mode=mode,
        duration=duration,
        note=note,
        concern=concern,
    )
    message(f"Added contact {kid}")
    if concern_id is not None:
        message(
            f"Raised {contacts.CONTACT_CONCERN_SEVERITY} concern {concern_id}"
            f" (category {contacts.CONTACT_CONCERN_CATEGORY}); see `cosa concern show {concern_id}`"
        )


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    circle: OptionalCircleArg = None,
    from_: Annotated[
        str | None, typer.Option("--from", help=f"From this date ({DATE_HELP_SHORT}).")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="Up to this date (included).")] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Only this volunteer (number or name).")
    ] = None,
    limit: LimitOpt = 50,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List contacts in date order (the most recent --limit of them)."""
    store = open_store(ctx)
    rows = contacts.list_(store, circle, from_=from_, to=to, by=by)
    rows = limited(rows, limit, quiet=json_ or csv_, latest=True)
    audit.record_view(store, "contact list", detail={"contacts": [r["id"] for r in rows]})
    if json_:
        from cosa.models import Contact

        model_json(Contact, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no contacts")
