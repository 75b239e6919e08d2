"""`cosa share MEETING --recipient PRO` (the share pack) and `cosa disclosure list|show`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cosa.commands.common import CsvOpt, JsonOpt, open_store
from cosa.commands.report import (
    ClassificationOpt,
    EncryptOpt,
    ForceOpt,
    PasswordFileOpt,
    pdf_password,
)
from cosa.domain import disclosures
from cosa.grammar import LimitOpt, limited
from cosa.output import Column, message, model_json, record, table

disclosure_app = typer.Typer(
    help="Disclosures: share packs, escalations, subject access packs and raw returns "
    "(append-only).",
    no_args_is_help=True,
)

COLUMNS: list[Column] = [
    ("id", "#"),
    ("disclosed_on", "Date"),
    ("member_code", "Member"),
    ("meeting_id", "Meeting"),
    ("recipient", "Recipient"),
    ("basis", "Basis"),
    ("override_reason", "Override reason"),
    ("file_name", "File"),
    ("kind", "Kind"),
]


def share(
    ctx: typer.Context,
    meeting: Annotated[str, typer.Argument(help="Meeting number (its minutes must be approved).")],
    to: Annotated[
        str,
        typer.Option(
            "--recipient", "--to", help="The professional receiving it: number or name prefix."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="PDF file to write (default: share-CM-…-for-RECIPIENT.pdf in the current "
            "directory); an existing file is refused unless --force.",
            dir_okay=False,
        ),
    ] = None,
    force: ForceOpt = False,
    override: Annotated[
        str | None,
        typer.Option(
            "--override",
            help="Share without the core member's consent, giving the reason (recorded).",
        ),
    ] = None,
    basis: Annotated[
        str | None,
        typer.Option(
            "--basis",
            help="Lawful basis of an override: "
            f"{', '.join(disclosures.OVERRIDE_BASES)} (default override).",
        ),
    ] = None,
    names: Annotated[
        str,
        typer.Option(
            "--volunteer-names", help="How volunteers appear: first (first names) or code."
        ),
    ] = "first",
    encrypt: EncryptOpt = False,
    password_file: PasswordFileOpt = None,
    classification: ClassificationOpt = None,
) -> None:
    """Make the share pack of a meeting's approved minutes for a professional and record the
    disclosure. Refused unless the core member's consent covers the recipient, or --override
    REASON is given."""
    generated: list[str] = []

    store = open_store(ctx)

    def password() -> str | None:
        secret, made = pdf_password(store, encrypt, password_file)
        if made and secret:
            generated.append(secret)
        return secret

    row = disclosures.share(
        store,
        meeting,
        to,
        out,
        override=override,
        basis=basis,
        names=names,
        password=password,
        classification=classification,
        force=force,
    )
    note = ", encrypted (AES-256)" if row["encrypted"] else ""
    message(
        f"Wrote {row['path']} ({row['size']:,} bytes{note}; SHA-256 {row['sha256']})\n"
        f"Recorded disclosure {row['id']} to {row['recipient']} (basis: {row['basis']})."
    )
    for secret in generated:
        message(f"Password (shown once; send it separately from the file): {secret}")


@disclosure_app.command("list")
def list_cmd(
    ctx: typer.Context,
    member: Annotated[
        str | None, typer.Option("--member", help="Only disclosures about this core member.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--type", "--kind", help=f"Only one kind: {', '.join(disclosures.KINDS)}."),
    ] = None,
    limit: LimitOpt = 50,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List disclosures of every kind (share packs, escalations, subject access packs, raw
    returns, notifications): when, about whom, to whom, on what basis, which file."""
    rows = disclosures.list_(open_store(ctx), member=member, kind=kind)
    rows = limited(rows, limit, quiet=json_ or csv_, latest=True)
    if json_:
        from cosa.models import Disclosure

        model_json(Disclosure, rows)
        return
    table(
        rows, COLUMNS, csv_out=csv_, empty="no disclosures (`cosa share MEETING --recipient PRO`)"
    )


@disclosure_app.command("show")
def show(
    ctx: typer.Context,
    disclosure: Annotated[str, typer.Argument(help="Disclosure number.")],
    json_: JsonOpt = False,
) -> None:
    """Show one disclosure: recipient, basis, what was shared and removed, the file's hash."""
    row = disclosures.get(open_store(ctx), disclosure)
    if json_:
        from cosa.models import Disclosure

        model_json(Disclosure, row)
        return
    record(
        [
            ("Number", row["id"]),
            ("Kind", row["kind"]),
            ("Reference", row["uuid"]),
            ("Date", row["disclosed_on"]),
            ("Core member", row["member_code"]),
            ("Meeting", row["meeting_id"]),
            ("Escalation", row["escalation_id"]),
            ("SAR", row["sar_id"]),
            ("Recipient", row["recipient"]),
            ("Basis", row["basis"]),
            ("Override reason", row["override_reason"]),
            ("Shared", "\n".join(row["items"])),
            ("Note", row["note"]),
            ("Removed", "\n".join(row["removed"])),
            ("File", row["file_name"]),
            ("SHA-256", row["sha256"]),
            ("Encrypted", row["encrypted"]),
            ("Recorded by", f"{row['created_by']} at {row['created_at']}"),
        ]
    )


def register(app: typer.Typer) -> None:
    app.command("share")(share)
    app.add_typer(disclosure_app, name="disclosure")
