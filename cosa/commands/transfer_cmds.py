"""`cosa transfer`, `cosa receive` and `cosa workspace id`: moving a circle between workspaces
(docs/transfer.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cosa import secrets_input
from cosa.commands.common import ForceOpt, JsonOpt, open_store
from cosa.domain import transfer
from cosa.output import dump_json, echo, message

workspace_app = typer.Typer(help="This workspace's own details.", no_args_is_help=True)

PasswordFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help="The bundle's password, on the first line of this file (instead of a recipient).",
        dir_okay=False,
    ),
]


@workspace_app.command("id")
def workspace_id(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Print this workspace's age recipient (public): what a sender gives to `cosa transfer
    --recipient`."""
    store = open_store(ctx)
    info = {"recipient": transfer.recipient(store), "workspace": transfer.workspace_id(store)}
    if json_out:
        dump_json(info)
        return
    echo(info["recipient"])


def transfer_cmd(
    ctx: typer.Context,
    circle: Annotated[str, typer.Argument(help="The circle's number or its core member's code.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The bundle to write (FILE.age).", dir_okay=False)
    ],
    to: Annotated[
        str | None,
        typer.Option(
            "--recipient",
            help="The receiving workspace's age recipient (age1…, from its `cosa workspace id`).",
        ),
    ] = None,
    password_file: PasswordFileOpt = None,
    identity: Annotated[
        bool,
        typer.Option("--identity", help="Include the core member's identity (name, address…)."),
    ] = False,
    keep: Annotated[
        bool,
        typer.Option("--keep", help="Keep the circle writable here (a copy, not a move)."),
    ] = False,
    force: ForceOpt = False,
) -> None:
    """Write one circle, with everything that belongs to it, to an age-encrypted bundle for
    another workspace; the circle becomes read-only here unless --keep.

    The bundle holds the circle, its core member (identity only with --identity), meetings,
    minutes, amendments, contacts, concerns, actions, reviews, goals, agreements, documents,
    consents, follow-ups, the volunteers and professionals it names, and their audit entries.
    """
    password = (
        secrets_input.read_secret_file(password_file, "password")
        if password_file is not None
        else None
    )
    store = open_store(ctx)
    sent = transfer.send(
        store, circle, output, to=to, password=password, identity=identity, keep=keep, force=force
    )
    state = "stays writable here (--keep)" if sent.kept else "is read-only here from now on"
    message(
        f"Wrote {sent.path} (circle {sent.circle_id}, {sent.member_code}:"
        f" {sum(sent.counts.values()):,} records, {sent.size:,} bytes; SHA-256 {sent.sha256})."
        f" The circle {state}."
    )


def receive_cmd(
    ctx: typer.Context,
    bundle: Annotated[
        Path, typer.Argument(help="The bundle (FILE.age) to import.", dir_okay=False)
    ],
    password_file: PasswordFileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import a circle from a bundle made by `cosa transfer`, in one transaction.

    People already here (same UUID) are matched, never duplicated; a core member whose code is
    taken here gets the next free code, and the mapping is recorded.
    """
    password = (
        secrets_input.read_secret_file(password_file, "password")
        if password_file is not None
        else None
    )
    store = open_store(ctx)
    got = transfer.receive(store, bundle, password=password)
    if json_out:
        dump_json(
            {
                "circle_id": got.circle_id,
                "member_code": got.member_code,
                "renumbered_from": got.renumbered_from,
                "bundle_sha256": got.sha256,
                "sender": got.sender,
                "added": got.added,
                "matched": got.matched,
            }
        )
        return
    renumbered = (
        f"; {got.renumbered_from} was taken here, so the core member was renumbered"
        f" {got.member_code}"
        if got.renumbered_from
        else ""
    )
    matched = sum(got.matched.values())
    message(
        f"Received circle {got.circle_id} ({got.member_code}): {sum(got.added.values()):,}"
        f" records added, {matched:,} already here{renumbered}. SHA-256 {got.sha256}."
    )


def register(app: typer.Typer) -> None:
    app.command("transfer")(transfer_cmd)
    app.command("receive")(receive_cmd)
    app.add_typer(workspace_app, name="workspace")
