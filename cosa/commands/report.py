"""`cosa report …`: PDF reports (and their data as JSON), each one an audit entry.

Every report takes `-o FILE.pdf` (default: a name saying what it is, in the current
directory, e.g. `circle-CM-0003-2026-11-26.pdf`), `--json` (the data the PDF is built from,
to stdout, instead of the PDF), `--encrypt` / `--password-file PATH` (AES-256), `--for WHO`
(recorded in the audit entry) and `--classification TEXT`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from cosa import secrets_input
from cosa.commands.common import JsonOpt, open_store
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
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")]
RecipientOpt = Annotated[
    str | None,
    typer.Option(
        "--recipient", "--for", help="Who receives the report (recorded in the audit trail)."
    ),
]
ForOpt = Annotated[
    str | None,
    typer.Option(
        "--recipient", "--for", help="Who the report is for (recorded in the audit trail)."
    ),
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
CoordinatorOpt = Annotated[
    str | None,
    typer.Option(
        "--coordinator",
        help="Only what happened in the circles this user (a name, or me) coordinated on the"
        " day (their circle history); what belongs to no circle stays provider-wide.",
    ),
]
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
    also: Callable[[Path, str, bool], None] | None = None,
) -> None:
    """Print the data (`--json`), or write the PDF; either way an audit entry (and `also`,
    called with the path, SHA-256 and whether it is encrypted, in the same transaction)."""
    from cosa.reports import publish

    if json_:
        dump_json(publish.export_json(store, data, for_=for_))
        return
    path = publish.check_target(target(out, data), force=force)
    for extra_path in (extra or {}).values():
        publish.check_target(extra_path, force=force)
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
        also=also,
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
        json_=json_,
        encrypt=encrypt,
        password_file=password_file,
        for_=for_,
        force=force,
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
        json_=json_,
        encrypt=encrypt,
        password_file=password_file,
        for_=for_,
        force=force,
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
    recipient: RecipientOpt = None,
    classification: ClassificationOpt = None,
    coordinator: CoordinatorOpt = None,
) -> None:
    """Funder / national return: aggregates only, no names or codes, small counts (<5)
    suppressed in the PDF and the JSON alike."""
    from cosa.domain import users
    from cosa.reports import quarter as report
    from cosa.reports.publish import collect

    store = open_store(ctx)
    who = users.resolve_coordinator(store, coordinator)
    data = collect(store, classification, report.data, period, coordinator=who)
    deliver(
        store,
        data,
        report.render,
        out=out,
        json_=json_,
        encrypt=encrypt,
        password_file=password_file,
        for_=recipient,
        force=force,
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
    coordinator: CoordinatorOpt = None,
) -> None:
    """Volunteers: DBS vetting and re-checks due, training, supervision due, hours."""
    from cosa.domain import users
    from cosa.reports import volunteers as report
    from cosa.reports.publish import collect

    store = open_store(ctx)
    who = users.resolve_coordinator(store, coordinator)
    data = collect(
        store, classification, report.data, from_, to, include_left=include_left, coordinator=who
    )
    deliver(
        store,
        data,
        report.render,
        out=out,
        json_=json_,
        encrypt=encrypt,
        password_file=password_file,
        for_=for_,
        force=force,
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
    coordinator: CoordinatorOpt = None,
) -> None:
    """The escalation log: every concern and each escalation (to whom, how, when, basis,
    response and how long it took). Default: the last twelve months."""
    from cosa.domain import users
    from cosa.reports import concerns as report
    from cosa.reports.publish import collect

    store = open_store(ctx)
    who = users.resolve_coordinator(store, coordinator)
    data = collect(store, classification, report.data, from_, to, coordinator=who)
    deliver(
        store,
        data,
        report.render,
        out=out,
        json_=json_,
        encrypt=encrypt,
        password_file=password_file,
        for_=for_,
        force=force,
    )


@app.command("member")
def member_cmd(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Core member code, e.g. CM-0003.")],
    sar: Annotated[
        str | None,
        typer.Option(
            "--sar",
            help="The subject access request this pack answers (its number): the pack is "
            "linked to it and recorded as a disclosure when you `cosa sar respond`.",
        ),
    ] = None,
    out: OutOpt = None,
    force: ForceOpt = False,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json-output",
            "--json-out",
            help="Also write the pack as JSON to this file (0600; not encrypted).",
            dir_okay=False,
        ),
    ] = None,
    json_: JsonOpt = False,
    encrypt: EncryptOpt = False,
    password_file: PasswordFileOpt = None,
    recipient: RecipientOpt = None,
    classification: ClassificationOpt = None,
) -> None:
    """Subject access pack: everything held about one core member (PDF with the JSON
    attached), volunteers and professionals reduced to role labels, with what was withheld."""
    from cosa.domain import sars
    from cosa.reports import member as report
    from cosa.reports.publish import collect

    store = open_store(ctx)
    data = collect(store, classification, report.data, code)
    linked = None
    if sar is not None:
        linked = sars.check_pack_for(store, sar, data["report"]["about"]["id"])
        if json_:
            raise UserError("--sar links a PDF pack to the request; leave out --json")
    if json_out is not None and (encrypt or password_file is not None):
        message(f"Note: {json_out} is not encrypted; the JSON inside the PDF is.")

    def link(path: Path, sha256: str, encrypted: bool) -> None:
        if linked is not None:
            sars.record_pack(store, linked["id"], path.name, sha256, encrypted=encrypted)

    deliver(
        store,
        data,
        report.render,
        out=out,
        json_=json_,
        encrypt=encrypt,
        password_file=password_file,
        for_=recipient or "the core member (subject access)",
        attachments=None if json_ else report.attachment(data),
        extra={"json": json_out} if json_out is not None else None,
        force=force,
        also=link,
    )
    if linked is not None:
        message(
            f"Linked to SAR {linked['id']}; record the answer with "
            f"`cosa sar respond {linked['id']} --on DATE`."
        )
    message("Before you release it:")
    for line in report.BEFORE_RELEASE:
        message(f"  - {line}")


@app.command("return")
def return_cmd(
    ctx: typer.Context,
    period: Annotated[
        str,
        typer.Option(
            "--period",
            metavar="PERIOD",
            help="2026-Q3, 2026, FY2026 (1 April to 31 March) or 2026-04-01..2026-09-30.",
        ),
    ],
    out: OutOpt = None,
    force: ForceOpt = False,
    json_: JsonOpt = False,
    csv_: Annotated[
        bool,
        typer.Option(
            "--csv",
            help="Print the measures as CSV (provider, period, measure, breakdown, value, "
            "suppressed) instead of the PDF.",
        ),
    ] = False,
    raw: Annotated[
        bool,
        typer.Option(
            "--raw",
            help="Unsuppressed counts for a national body under a sharing agreement: an "
            "encrypted PDF with the CSV attached, recorded as a disclosure (needs --recipient).",
        ),
    ] = False,
    encrypt: EncryptOpt = False,
    password_file: PasswordFileOpt = None,
    recipient: RecipientOpt = None,
    classification: ClassificationOpt = None,
    coordinator: CoordinatorOpt = None,
) -> None:
    """The return for any period: aggregates only, small counts suppressed (PDF, --json,
    --csv); --raw for a national body; a period not yet over is marked provisional."""
    from cosa.domain import users
    from cosa.reports import returns
    from cosa.reports.publish import collect, export_json

    if raw and (json_ or csv_):
        raise UserError("--raw writes an encrypted PDF; leave out --json and --csv")
    if raw and coordinator is not None:
        raise UserError(
            "--raw is the provider's whole return for a national body; leave out --coordinator"
        )
    if raw and not recipient:
        raise UserError(
            "--raw needs --recipient: who receives the unsuppressed counts",
            hint="e.g. --recipient 'Circles UK (data sharing agreement 2026)'",
        )
    store = open_store(ctx)
    who = users.resolve_coordinator(store, coordinator)
    data = collect(store, classification, returns.data, period, coordinator=who)
    if csv_:
        export_json(store, data, for_=recipient, format="csv")  # the audit entry
        sys.stdout.write(
            returns.to_csv(returns.csv_provider(data), data["period"], data["_figures"])
        )
        return
    if not raw:
        deliver(
            store,
            data,
            returns.render,
            out=out,
            json_=json_,
            encrypt=encrypt,
            password_file=password_file,
            for_=recipient,
            force=force,
        )
        return
    _raw_return(store, data, out, force, password_file, str(recipient))


def _raw_return(
    store: Store,
    data: dict[str, Any],
    out: Path | None,
    force: bool,
    password_file: Path | None,
    recipient: str,
) -> None:
    from datetime import date

    from cosa.domain import disclosures
    from cosa.reports import publish, returns

    figures = returns.unsuppressed(data["_raw"])
    data = {**data, "_figures": figures, "_file": f"{data['_file']}-raw"}
    data["report"] = {**data["report"], "kind": "return.raw", "title": "Raw return (unsuppressed)"}
    csv_text = returns.to_csv(data["provider"], data["period"], figures)
    path = publish.check_target(target(out, data), force=force)
    password, generated = pdf_password(store, True, password_file)

    def record(path: Path, sha256: str, encrypted: bool) -> None:
        disclosures.record_file(
            store,
            kind=disclosures.RAW_RETURN,
            recipient=recipient,
            on=date.today().isoformat(),
            basis="sharing agreement",
            items=[f"unsuppressed counts of the return for {data['period']}"],
            file_name=path.name,
            sha256=sha256,
            encrypted=encrypted,
        )

    done = publish.publish(
        store,
        data,
        returns.render_raw,
        path,
        password=password,
        for_=recipient,
        attachments={returns.RAW_ATTACHMENT: csv_text.encode()},
        force=force,
        also=record,
    )
    message(
        f"Wrote {done.path} ({done.size:,} bytes, encrypted (AES-256); SHA-256 {done.sha256})\n"
        f"Recorded as a disclosure to {recipient}."
    )
    if generated:
        message(f"Password (shown once; send it separately from the file): {password}")


@app.command("merge")
def merge_cmd(
    inputs: Annotated[
        list[Path],
        typer.Argument(metavar="RAW...", help="Raw returns (`report return --raw`) to add up."),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="total.csv or total.pdf (refused if it exists).", dir_okay=False
        ),
    ],
    password_files: Annotated[
        list[Path] | None,
        typer.Option(
            "--password-file",
            help="The raw returns' password: one file for all, or one per return in order "
            "(else asked for on a terminal).",
            dir_okay=False,
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--threshold", help="Counts below this are suppressed (2 or more).")
    ] = 5,
    force: ForceOpt = False,
) -> None:
    """Add raw returns up and suppress small counts once, after merging (CSV or PDF)."""
    from cosa.fsutil import write_output
    from cosa.reports import publish, returns

    if limit < 2:
        raise UserError(f"invalid --threshold {limit}: it must be 2 or more")
    if out.suffix.lower() not in (".csv", ".pdf"):
        raise UserError(f"{out.name}: the output must be a .csv or .pdf file")
    files = list(password_files or [])
    if files and len(files) not in (1, len(inputs)):
        raise UserError("give one --password-file for all returns, or one per return")
    publish.check_target(out, force=force)
    cells: list[Any] = []
    providers: list[str] = []
    periods: list[str] = []
    for i, source in enumerate(inputs):
        if files:
            secret = secrets_input.read_secret_file(files[min(i, len(files) - 1)], "password")
        elif secrets_input.interactive():
            secret = secrets_input.prompt_hidden(f"Password for {source.name}: ")
        else:
            raise UserError(f"no password for {source.name}", hint="give --password-file PATH")
        text = _raw_csv(source, secret)
        got_providers, got_periods, got = returns.read_raw_csv(text, source.name)
        providers += [p for p in got_providers if p not in providers]
        periods += [p for p in got_periods if p not in periods]
        cells += got
    merged = returns.merged_data(cells, providers, periods, limit)
    if out.suffix.lower() == ".csv":
        blob = returns.to_csv(" + ".join(providers), ", ".join(periods), merged["_figures"])
        write_output(out, blob.encode(), force=force)
    else:
        from cosa.reports import pdf

        meta = pdf.ReportMeta(
            title="Merged return",
            period=", ".join(periods),
            generated_at=datetime.now().replace(microsecond=0),
            operator="—",
            audit_head="—",
            classification="OFFICIAL",
            subject="",
        )
        write_output(out, pdf.build_pdf(meta, returns.render_merged(merged)), force=force)
    message(f"Wrote {out}: {len(inputs)} return(s) from {', '.join(providers)} added up.")


def _raw_csv(source: Path, password: str) -> str:
    from pypdf import PasswordType, PdfReader

    from cosa.reports import returns

    if not source.is_file():
        raise UserError(f"{source}: no such file")
    try:
        reader = PdfReader(source)
    except Exception:
        raise UserError(f"{source.name} is not a PDF") from None
    if reader.is_encrypted and reader.decrypt(password) == PasswordType.NOT_DECRYPTED:
        raise UserError(f"wrong password for {source.name}")
    blobs = reader.attachments.get(returns.RAW_ATTACHMENT)
    if not blobs:
        raise UserError(f"{source.name} is not a raw return (no {returns.RAW_ATTACHMENT} inside)")
    return blobs[0].decode()


@app.command("extract")
def extract_cmd(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help="First day of the period.")],
    to: Annotated[str, typer.Option("--to", help="Last day of the period.")],
    out: Annotated[
        Path,
        typer.Option("--output", "-o", help="CSV file to write (0600).", dir_okay=False),
    ],
    recipient: Annotated[
        str,
        typer.Option("--recipient", help="Who receives it (recorded as a disclosure)."),
    ],
    k: Annotated[
        int,
        typer.Option("--k", help="Each combination of quasi-identifiers is shared by k rows."),
    ] = 5,
    force: ForceOpt = False,
) -> None:
    """Research extract: one row per circle active in the period, random ids, dates to the
    month, ages in bands, k-anonymous; recorded as a disclosure."""
    from datetime import date

    from cosa.domain import disclosures
    from cosa.reports import extract, publish
    from cosa.reports.data import snapshot

    extract.check_k(k)
    path = publish.check_target(out, force=force)
    store = open_store(ctx)
    with snapshot(store):
        blob, written, dropped, start, end = extract.build(store, from_, to, k)

    def record(digests: list[str]) -> None:
        disclosures.record_file(
            store,
            kind=disclosures.RESEARCH_EXTRACT,
            recipient=recipient,
            on=date.today().isoformat(),
            basis="research (pseudonymised, k-anonymous)",
            items=[f"{written} circles active from {start} to {end}, k = {k}"],
            file_name=path.name,
            sha256=digests[0],
            encrypted=False,
            removed=[f"{dropped} circle(s) in groups smaller than k"] if dropped else [],
        )

    [digest] = publish.write_recorded(store, [(path, blob)], record)
    message(
        f"Wrote {path}: {written} circle(s), {dropped} left out (groups smaller than {k}); "
        f"SHA-256 {digest}. Recorded as a disclosure to {recipient}."
    )
