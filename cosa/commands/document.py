"""`cosa document …`: files kept encrypted inside the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cosa.commands.common import CsvOpt, JsonOpt, LimitOpt, limited, open_store
from cosa.domain import documents
from cosa.output import Column, message, model_json, table

app = typer.Typer(
    help="Documents (scans, referral papers) kept encrypted in the workspace.",
    no_args_is_help=True,
)

RecordHelp = "The record, e.g. circle:3, member:CM-0003, referral:2 or volunteer:7."
COLUMNS: list[Column] = [
    ("id", "#"),
    ("record", "Record"),
    ("title", "Title"),
    ("kind", "Kind"),
    ("file_name", "File"),
    ("size", "Bytes"),
    ("created_at", "Added"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    record: Annotated[str, typer.Argument(help=RecordHelp)],
    file: Annotated[Path, typer.Argument(help=f"The file (at most {documents.MAX_LABEL}).")],
    title: Annotated[str, typer.Option("--title", help="What the document is.")],
    kind: Annotated[
        str | None, typer.Option("--type", "--kind", help="A kind, e.g. OASys, agreement, letter.")
    ] = None,
) -> None:
    """Store a file against a record (its bytes stay inside the encrypted workspace)."""
    row = documents.add(open_store(ctx), record, file, title=title, kind=kind)
    message(f"Added document {row['id']} to {row['record']} ({row['size']} bytes)")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    record: Annotated[str | None, typer.Argument(help=f"Only this record. {RecordHelp}")] = None,
    limit: LimitOpt = 0,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List documents, newest first (never their content)."""
    rows = limited(documents.list_(open_store(ctx), record), limit)
    if json_:
        from cosa.models import Document

        model_json(Document, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no documents (`cosa document add`)")


@app.command("get")
def get(
    ctx: typer.Context,
    document: Annotated[str, typer.Argument(help="Document number.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.", dir_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a document's bytes to a file (checked against its SHA-256; 0600)."""
    row = documents.save(open_store(ctx), document, output, force=force)
    message(f"Wrote document {row['id']} to {output} ({row['size']} bytes)")
