"""`cosa report …`: PDF reports (and their data as JSON), each one an audit entry.

Every report takes `-o FILE.pdf` (default: a name saying what it is, in the current
directory, e.g. `circle-CM-0003-2026-11-26.pdf`), `--json` (the data the PDF is built from,
to stdout, instead of the PDF), `--encrypt` / `--password-file PATH` (AES-256), `--for WHO`
(recorded in the audit entry) and `--classification TEXT`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cosa import secrets_input
from cosa.commands.common import ForceOpt, JsonOpt, open_store
from cosa.errors import UserError
from cosa.output import dump_json, message
from cosa.store import Store

app = typer.Typer(
    help="PDF reports: minutes, circle review, quarterly return, volunteers, subject access, "
    "escalation log.",
    no_args_is_help=True,
)

#: PDF passwords chosen by a person: at least this long, and never the workspace passphrase.
#: (Generated ones are 6 groups of 4, 29 characters.)
MIN_PASSWORD = 12

OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="PDF file to write (default: a descriptive name in the current directory).",
        dir_okay=False,
    ),
]
EncryptOpt = Annotated[
    bool,
    typer.Option(
        "--encrypt",
        help="Protect the PDF with AES-256 and a password (asked twice on a terminal, empty "
        "to generate one; generated when not interactive).",
    ),
]
PasswordFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help="Encrypt with the password on the first line of this file (implies --encrypt).",
        dir_okay=False,
    ),
]
ForOpt = Annotated[
    str | None,
    typer.Option("--for", help="Who the report is for (recorded in the audit trail)."),
]
ClassificationOpt = Annotated[
    str | None,
    typer.Option(
        "--classification",
        help="Classification line on every page (default: setting report_classification, "
        "else OFFICIAL-SENSITIVE).",
    ),
]
FromOpt = Annotated[str | None, typer.Option("--from", help="First day of the period.")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last day of the period.")]
NamesOpt = Annotated[
    str,
    typer.Option(
        "--volunteer-names",
        help="How volunteers appear: full, first (first names) or code (Volunteer 12).",
    ),
]


def pdf_password(
    store: Store, encrypt: bool, password_file: Path | None
) -> tuple[str | None, bool]:
    """(password or None, whether it was generated): from the file, a prompt, or generated."""
    if password_file is not None:
        secret = secrets_input.read_secret_file(password_file, "password")
        check_password(secret, store)
        return secret, False
    if not encrypt:
        return None, False
    if secrets_input.interactive():
        for _ in range(3):
            first = secrets_input.prompt_hidden(
                "Password for the PDF (empty: generate one for you): "
            )
            if not first:
                break
            try:
                check_password(first, store)
            except UserError as exc:
                message(f"  {exc.message}")
                continue
            if secrets_input.prompt_hidden("Repeat the password: ") == first:
                return first, False
            message("  the two entries differ; try again")
        else:
            raise UserError("no password was set; nothing was written")
    from cosa.reports.pdf import generate_password

    return generate_password(), True


def check_password(secret: str, store: Store) -> None:
    if len(secret) < MIN_PASSWORD:
        raise UserError(f"the PDF password must be at least {MIN_PASSWORD} characters")
    workspace = getattr(store, "workspace", None)
    if workspace is not None and workspace.is_passphrase(store, secret):
        raise UserError(
            "the PDF password must not be the workspace passphrase",
            hint="the PDF leaves the office: give it a password of its own (or let cosa make one)",
        )


def target(out: Path | None, data: dict[str, Any]) -> Path:
    return out if out is not None else Path.cwd() / f"{data['_file']}.pdf"


def deliver(
    store: Store,
    data: dict[str, Any],
    render: Any,
    *,
    out: Path | None,
    json_: bool,
    encrypt: bool,
    password_file: Path | None,
    for_: str | None,
    attachments: dict[str, bytes] | None = None,
    extra: dict[str, Path] | None = None,
    force: bool = False,
) -> None:
    """Print the data (`--json`), or write the PDF; either way an audit entry."""
    from cosa.reports import publish

    if json_:
        dump_json(publish.export_json(store, data, for_=for_))
        return
    path = publish.check_target(target(out, data), force)
    for extra_path in (extra or {}).values():
        publish.check_target(extra_path, force)
    password, generated = pdf_password(store, encrypt, password_file)
    done = publish.publish(
        store,
        data,
        render,
        path,
        password=password,
        for_=for_,
        attachments=attachments,
        extra=extra,
        force=force,
    )
    note = ", encrypted (AES-256)" if done.encrypted else ""
    message(f"Wrote {done.path} ({done.size:,} bytes{note}; SHA-256 {done.sha256})")
    for name, extra_path in (extra or {}).items():
        message(f"Wrote {extra_path} ({name})")
    if generated:
        message(f"Password (shown once; send it separately from the file): {password}")


@app.command("minutes")
def minutes(
    ctx: typer.Context,
    meeting: Annotated[str, typer.Argument(help="Meeting number.")],
    out: OutOpt = None,
    force: ForceOpt = False,
    names: NamesOpt = "full",
    json_: JsonOpt = False,
    encrypt: EncryptOpt = False,
    password_file: PasswordFileOpt = None,
    for_: ForOpt = None,
    classification: ClassificationOpt = None,
) -> None:
    """One meeting's minutes with attendance, concerns and actions (DRAFT if not approved)."""
    from cosa.reports import minutes as report
    from cosa.reports.publish import collect

    store = open_store(ctx)
    data = collect(store, classification, report.data, meeting, names=names)
    deliver(
        store,
        data,
        report.render,
        out=out,
        force=force,
        json_=json_,
        encrypt=encrypt,
        password_file=password_file,
        for_=for_,
    )


@app.command("circle")
def circle(
    ctx: typer.Context,
    circle_ref: Annotated[
        str, typer.Argument(metavar="CIRCLE", help="Circle number or its core member's code.")
    ],
    from_: FromOpt = None,
    to: ToOpt = None,
    out: OutOpt = None,
    force: ForceOpt = False,
    names: NamesOpt = "first",
    json_: JsonOpt = False,
    encrypt: EncryptOpt = False,
    password_file: PasswordFileOpt = None,
    for_: ForOpt = None,
    classification: ClassificationOpt = None,
) -> None:
    """Review / end-of-circle report: meetings, attendance, contacts, concerns, actions,
    goals, risk trend and volunteer hours, with charts (period default: the circle's life)."""
    from cosa.reports import circle as report
    from cosa.reports.publish import collect

    store = open_store(ctx)
    data = collect(store, classification, report.data, circle_ref, from_, to, names=names)
    deliver(
        store,
        data,
        report.render,
        out=out,
        force=force,
        json_=json_,
        encrypt=encrypt,
        password_file=password_file,
        for_=for_,
    )


@app.command("quarter")
def quarter(
    ctx: typer.Context,
    period: Annotated[
        str, typer.Argument(metavar="QUARTER", help="Calendar quarter, e.g. 2026-Q3.")
    ],
    out: OutOpt = None,
    force: ForceOpt = False,
    json_: JsonOpt = False,
    encrypt: EncryptOpt = False,
    password_file: PasswordFileOpt = None,
    for_: ForOpt = None,
    classification: ClassificationOpt = None,
) -> None:
    """Funder / national return: aggregates only, no names or codes, small counts (<5)
    suppressed in the PDF and the JSON alike."""
    from cosa.reports import quarter as report
    from cosa.reports.publish import collect

    store = open_store(ctx)
    data = collect(store, classification, report.data, period)
    deliver(
        store,
        data,
        report.render,
        out=out,
        force=force,
        json_=json_,
        encrypt=encrypt,
        password_file=password_file,
        for_=for_,
    )


@app.command("volunteers")
def volunteers_cmd(
    ctx: typer.Context,
    from_: Annotated[
        str | None, typer.Option("--from", help="First day for hours (default: a year ago).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Last day for hours (default today).")
    ] = None,
    include_left: Annotated[
        bool, typer.Option("--all", help="Include volunteers who have left.")
    ] = False,
    out: OutOpt = None,
    force: ForceOpt = False,
    json_: JsonOpt = False,
    encrypt: EncryptOpt = False,
    password_file: PasswordFileOpt = None,
    for_: ForOpt = None,
    classification: ClassificationOpt = None,
) -> None:
    """Volunteers: DBS vetting and re-checks due, training, supervision due, hours."""
    from cosa.reports import volunteers as report
    from cosa.reports.publish import collect

    store = open_store(ctx)
    data = collect(store, classification, report.data, from_, to, include_left=include_left)
    deliver(
        store,
        data,
        report.render,
        out=out,
        force=force,
        json_=json_,
        encrypt=encrypt,
        password_file=password_file,
        for_=for_,
    )


@app.command("concerns")
def concerns_cmd(
    ctx: typer.Context,
    from_: Annotated[
        str | None,
        typer.Option("--from", help="Concerns raised on or after this day (default: a year ago)."),
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Concerns raised on or before this day.")
    ] = None,
    out: OutOpt = None,
    force: ForceOpt = False,
    json_: JsonOpt = False,
    encrypt: EncryptOpt = False,
    password_file: PasswordFileOpt = None,
    for_: ForOpt = None,
    classification: ClassificationOpt = None,
) -> None:
    """The escalation log: every concern and each escalation (to whom, how, when, basis,
    response and how long it took). Default: the last twelve months."""
    from cosa.reports import concerns as report
    from cosa.reports.publish import collect

    store = open_store(ctx)
    data = collect(store, classification, report.data, from_, to)
    deliver(
        store,
        data,
        report.render,
        out=out,
        force=force,
        json_=json_,
        encrypt=encrypt,
        password_file=password_file,
        for_=for_,
    )


@app.command("member")
def member_cmd(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Core member code, e.g. CM-0003.")],
    out: OutOpt = None,
    force: ForceOpt = False,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json-out",
            help="Also write the pack as JSON to this file (0600; not encrypted).",
            dir_okay=False,
        ),
    ] = None,
    json_: JsonOpt = False,
    encrypt: EncryptOpt = False,
    password_file: PasswordFileOpt = None,
    for_: ForOpt = None,
    classification: ClassificationOpt = None,
) -> None:
    """Subject access pack: everything held about one core member (PDF with the JSON
    attached), volunteers and professionals reduced to role labels, with what was withheld."""
    from cosa.reports import member as report
    from cosa.reports.publish import collect

    store = open_store(ctx)
    data = collect(store, classification, report.data, code)
    if json_out is not None and (encrypt or password_file is not None):
        message(f"Note: {json_out} is not encrypted; the JSON inside the PDF is.")
    deliver(
        store,
        data,
        report.render,
        out=out,
        force=force,
        json_=json_,
        encrypt=encrypt,
        password_file=password_file,
        for_=for_ or "the core member (subject access)",
        attachments=None if json_ else report.attachment(data),
        extra={"json": json_out} if json_out is not None else None,
    )
    message("Before you release it:")
    for line in report.BEFORE_RELEASE:
        message(f"  - {line}")
