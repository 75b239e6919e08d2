"""`cosa agreement …`: the circle agreement, versioned, and who signed it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cosa.commands.circle import DATE_FORMS, CircleArg
from cosa.commands.common import CsvOpt, JsonOpt, LimitOpt, OptionalCircleArg, limited, open_store
from cosa.domain import agreements
from cosa.output import Column, echo, message, model_json, record, table

app = typer.Typer(help="Circle agreements: versions, scans and signatures.", no_args_is_help=True)

VersionOpt = Annotated[
    str | None, typer.Option("--version", help="Agreement version (default: the latest).")
]
COLUMNS: list[Column] = [
    ("id", "#"),
    ("circle_id", "Circle"),
    ("member_code", "Member"),
    ("version", "Version"),
    ("on_date", "Agreed"),
    ("signed", "Signatures"),
    ("document_id", "Document"),
]
SIGNATURE_COLUMNS: list[Column] = [
    ("signed_on", "Signed"),
    ("signer", "Who"),
    ("role", "As"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    circle: CircleArg,
    version: Annotated[str, typer.Option("--version", help="Version, e.g. v1 or 2026-03.")],
    on: Annotated[str, typer.Option("--on", help=f"Day it was agreed ({DATE_FORMS}).")],
    file: Annotated[
        Path | None,
        typer.Option("--file", help="The signed scan (PDF, JPG or PNG), kept encrypted."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note.")] = None,
) -> None:
    """Record a version of the circle's agreement."""
    row = agreements.add(open_store(ctx), circle, version=version, on=on, file=file, note=note)
    scan = f" with document {row['document_id']}" if row["document_id"] else ""
    message(f"Added agreement {row['version']} for circle {row['circle_id']}{scan}")


@app.command("sign")
def sign(
    ctx: typer.Context,
    circle: CircleArg,
    person: Annotated[
        str,
        typer.Argument(help="A volunteer or professional (number or name), or CM."),
    ],
    on: Annotated[str, typer.Option("--on", help=f"Day of signing ({DATE_FORMS}).")],
    version: VersionOpt = None,
) -> None:
    """Record that someone in the circle signed its agreement."""
    row = agreements.sign(open_store(ctx), circle, person, on=on, version=version)
    message(f"{row['signer']} signed agreement {row['version']} on {row['signed_on']}")


@app.command("show")
def show(
    ctx: typer.Context, circle: CircleArg, version: VersionOpt = None, json_: JsonOpt = False
) -> None:
    """Show an agreement, who signed it and who has still to sign."""
    row = agreements.detail(open_store(ctx), circle, version)
    if json_:
        from cosa.models import AgreementDetail

        model_json(AgreementDetail, row)
        return
    record(
        [
            ("Circle", f"{row['circle_id']} ({row['member_code']})"),
            ("Version", row["version"]),
            ("Agreed", row["on_date"]),
            ("Document", row["document_id"]),
            ("Note", row["note"]),
            ("Still to sign", ", ".join(row["missing"]) or "nobody"),
        ]
    )
    echo("\nSignatures")
    table(row["signatures"], SIGNATURE_COLUMNS, empty="none yet")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    circle: OptionalCircleArg = None,
    limit: LimitOpt = 0,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List agreements, newest first."""
    rows = limited(agreements.list_(open_store(ctx), circle), limit)
    if json_:
        from cosa.models import Agreement

        model_json(Agreement, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no agreements (`cosa agreement add`)")
