"""`cosa user …`: the people who use this workspace, each with a passphrase of their own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cosa import secrets_input
from cosa.commands.common import CsvOpt, JsonOpt, options
from cosa.domain import users
from cosa.grammar import LimitOpt, limited
from cosa.output import message, model_json, safe, table

app = typer.Typer(
    help="People: each has a passphrase slot of their own, and the audit trail names them.",
    no_args_is_help=True,
)

RoleOpt = Annotated[
    str,
    typer.Option(
        "--role", help="coordinator (runs circles, manages people) or manager (escrow, verifies)."
    ),
]


def _open_with_passphrase(ctx: typer.Context):  # type: ignore[no-untyped-def]
    """Changes to people need the acting coordinator's own passphrase, not a session."""
    opts = options(ctx)
    ws = opts.workspace
    store = ws.open(opts, use_session=False)
    ctx.call_on_close(store.close)
    return ws, store


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's name, as the audit trail shows it.")],
    role: RoleOpt = "coordinator",
    new_passphrase_file: Annotated[
        Path | None,
        typer.Option(
            "--new-passphrase-file",
            help="Read the person's passphrase from this file's first line (for scripts).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Add a person with their own passphrase (they type it twice)."""
    from cosa.vault import ROLES
    from cosa.workspace import check_person_name

    check_person_name(name)
    if role not in ROLES:
        raise typer.BadParameter("use coordinator or manager", param_hint="--role")
    ws, store = _open_with_passphrase(ctx)
    if ws.load_keys().find_person(name) is not None:  # before asking for a passphrase
        from cosa.errors import UserError

        raise UserError(f"{name.strip()} is already a user of this workspace")
    message(f"{name.strip()}: choose your own passphrase.")
    passphrase = secrets_input.new_passphrase(new_passphrase_file, env=False)
    person = users.add(ws, store, name, role, passphrase)
    message(f"Added {safe(person['name'])} ({person['role']}).")
    if role == "manager" and ws.load_keys().seal is not None:
        message("Their passphrase also verifies the audit seals from now on (`cosa audit verify`).")


@app.command("list")
def list_cmd(
    ctx: typer.Context, limit: LimitOpt = 0, json_: JsonOpt = False, csv_: CsvOpt = False
) -> None:
    """List the people with a passphrase slot."""
    ws = options(ctx).workspace
    rows = limited(users.people(ws), limit, quiet=json_ or csv_)
    if json_:
        from cosa.models import User

        model_json(User, rows)
        return
    table(rows, [("name", "Name"), ("role", "Role")], csv_out=csv_)


@app.command("remove")
def remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The person to remove.")]
) -> None:
    """Remove a person's passphrase slot (never the last user or the last coordinator)."""
    ws, store = _open_with_passphrase(ctx)
    person = users.remove(ws, store, name)
    message(f"Removed {safe(person['name'])}: their passphrase no longer opens this workspace.")
    message(
        "They may have copied the data or the data key while they had access: run"
        " `cosa rotate-key` to re-encrypt the workspace under a new key."
    )
