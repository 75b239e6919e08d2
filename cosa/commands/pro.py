"""`cosa pro …`: outer-circle professionals."""

from __future__ import annotations

from typing import Annotated

import typer

from cosa.commands.common import CsvOpt, JsonOpt, open_store
from cosa.domain import pros
from cosa.grammar import LimitOpt, limited
from cosa.output import message, model_json, record, table

app = typer.Typer(
    help="Outer-circle professionals: probation, police, treatment, housing…",
    no_args_is_help=True,
)

ProArg = Annotated[
    str, typer.Argument(help="Professional: number, full name, first name, surname or a prefix.")
]
ROLE_HELP = "Role, from the professional-role list (`cosa lookup list professional-role`)."
COLUMNS = [
    ("id", "#"),
    ("name", "Name"),
    ("agency", "Agency"),
    ("role", "Role"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("active_from", "From"),
    ("active_to", "To"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Full name.")],
    agency: Annotated[str, typer.Option("--agency", help="Agency or team they work for.")],
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
    phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Secure email address.")] = None,
    active_from: Annotated[
        str | None, typer.Option("--from", help="Date they started in this role.")
    ] = None,
    active_to: Annotated[str | None, typer.Option("--to", help="Date they left this role.")] = None,
) -> None:
    """Add an outer-circle professional."""
    pid = pros.add(
        open_store(ctx),
        name,
        agency=agency,
        role=role,
        phone=phone,
        email=email,
        active_from=active_from,
        active_to=active_to,
    )
    message(f"Added professional {pid}: {name.strip()}")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    agency: Annotated[
        str | None, typer.Option("--agency", help="Only agencies whose name contains this.")
    ] = None,
    role: Annotated[str | None, typer.Option("--role", help="Only this role.")] = None,
    active: Annotated[
        bool, typer.Option("--active", help="Only those whose active dates cover today.")
    ] = False,
    limit: LimitOpt = 0,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List professionals by agency."""
    rows = pros.list_(open_store(ctx), agency=agency, role=role, active=active)
    rows = limited(rows, limit, quiet=json_ or csv_)
    if json_:
        from cosa.models import Professional

        model_json(Professional, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no professionals (`cosa pro add NAME`)")


@app.command("show")
def show(ctx: typer.Context, pro: ProArg, json_: JsonOpt = False) -> None:
    """Show one professional."""
    row = pros.get(open_store(ctx), pro)
    if json_:
        from cosa.models import Professional

        model_json(Professional, row)
        return
    record(
        [
            ("Number", row["id"]),
            ("Name", row["name"]),
            ("Agency", row["agency"]),
            ("Role", row["role"]),
            ("Phone", row["phone"]),
            ("Email", row["email"]),
            ("From", row["active_from"]),
            ("To", row["active_to"]),
            ("Active", row["active"]),
            ("Added", row["created_at"]),
            ("Updated", f"{row['updated_at']} by {row['updated_by']}"),
        ]
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    pro: ProArg,
    name: Annotated[str | None, typer.Option("--name", help="New full name.")] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="New agency or team.")] = None,
    role: Annotated[str | None, typer.Option("--role", help=ROLE_HELP)] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help="New phone number (empty to clear).")
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="New secure email (empty to clear).")
    ] = None,
    active_from: Annotated[
        str | None, typer.Option("--from", help="Start date (empty to clear).")
    ] = None,
    active_to: Annotated[
        str | None, typer.Option("--to", help="End date, e.g. when they moved on (empty to clear).")
    ] = None,
) -> None:
    """Change a professional's details or active dates."""
    pid, changed = pros.edit(
        open_store(ctx),
        pro,
        name=name,
        agency=agency,
        role=role,
        phone=phone,
        email=email,
        active_from=active_from,
        active_to=active_to,
    )
    message(
        f"Professional {pid}: changed {', '.join(changed)}"
        if changed
        else f"Professional {pid}: nothing changed"
    )
