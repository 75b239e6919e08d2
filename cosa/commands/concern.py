"""`cosa concern …`: concerns, their notes, escalations and closure (append-only)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer import _click as click

from cosa import audit
from cosa.commands.circle import CircleArg
from cosa.commands.common import CsvOpt, JsonOpt, OptionalCircleArg, open_store
from cosa.domain import concerns
from cosa.grammar import DATE_HELP_SHORT, LimitOpt, deprecated_spelling, limited
from cosa.output import Column, echo, message, model_json, record, table

app = typer.Typer(
    help="Concerns: raise, note, escalate, close and void (append-only: no edit, no delete).",
    no_args_is_help=True,
)

ConcernArg = Annotated[str, typer.Argument(help="Concern number.")]
OnOpt = Annotated[
    str | None,
    typer.Option("--on", "--date", help=f"The day it happened (default today; {DATE_HELP_SHORT})."),
]
SEVERITIES = ", ".join(concerns.SEVERITIES)

COLUMNS: list[Column] = [
    ("id", "#"),
    ("member_code", "Member"),
    ("circle_id", "Circle"),
    ("date", "Date"),
    ("severity", "RAG"),
    ("category", "Category"),
    ("text", "Concern"),
    ("escalation_count", "Escalated"),
    ("status", "Status"),
    ("closed_on", "Closed"),
]
ESCALATION_COLUMNS: list[Column] = [
    ("id", "#"),
    ("at", "At"),
    ("professional_name", "To"),
    ("agency", "Agency"),
    ("via", "Via"),
    ("basis", "Basis"),
    ("shared", "Shared"),
    ("response", "Response"),
    ("response_at", "Response at"),
    ("response_hours", "Hours"),
]
NOTE_COLUMNS: list[Column] = [("id", "#"), ("date", "Date"), ("text", "Note")]


@app.command("add")
def add(
    ctx: typer.Context,
    circle: CircleArg,
    severity: Annotated[str, typer.Option("--severity", help=f"RAG: {SEVERITIES}.")],
    category: Annotated[
        str, typer.Option("--category", help="Category (lookup concern-category).")
    ],
    text: Annotated[str | None, typer.Argument(help="What the concern is.")] = None,
    old_text: Annotated[
        str | None, typer.Option("--text", hidden=True, help="Old spelling of TEXT.")
    ] = None,
    on: OnOpt = None,
    meeting: Annotated[
        int | None, typer.Option("--meeting", help="The meeting it was raised at.")
    ] = None,
    raised_by: Annotated[
        str | None, typer.Option("--raised-by", help="Who raised it (a name or a role).")
    ] = None,
) -> None:
    """Raise a concern about a circle (red: tell police or probation now)."""
    if old_text is not None:
        deprecated_spelling("--text", "the TEXT argument")
    text = text if text is not None else old_text
    if text is None:
        raise click.exceptions.UsageError("Missing argument 'TEXT' (what the concern is).", ctx)
    store = open_store(ctx)
    cid = concerns.add(
        store,
        circle,
        severity=severity,
        category=category,
        text=text,
        on=on,
        meeting_id=meeting,
        raised_by=raised_by,
    )
    row = concerns.get(store, cid)
    message(
        f"Added {row['severity']} concern {cid} for circle {row['circle_id']} ({row['member_code']})"
    )
    if row["severity"] == "red":
        message(concerns.RED_REMINDER)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    circle: OptionalCircleArg = None,
    open_: Annotated[bool, typer.Option("--open", help="Only open concerns.")] = False,
    severity: Annotated[
        str | None, typer.Option("--severity", help=f"Only this RAG: {SEVERITIES}.")
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Include void concerns (recorded in error), last.")
    ] = False,
    limit: LimitOpt = 50,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List concerns, open and most severe first (void ones only with --all)."""
    rows = concerns.list_(
        open_store(ctx), circle, open_only=open_, severity=severity, include_void=all_
    )
    if json_:
        from cosa.models import Concern

        model_json(Concern, limited(rows, limit, quiet=True))
        return
    table(limited(rows, limit, quiet=csv_), COLUMNS, csv_out=csv_, empty="no concerns")


@app.command("show")
def show(ctx: typer.Context, concern: ConcernArg, json_: JsonOpt = False) -> None:
    """Show a concern with its notes and escalations (and response times)."""
    store = open_store(ctx)
    row = concerns.detail(store, concern)
    audit.record_view(store, "concern show", "concern", row["id"])
    if json_:
        from cosa.models import ConcernDetail

        model_json(ConcernDetail, row)
        return
    closed = (
        f"{row['closed_on']} by {row['closed_by']}: {row['closed_note']}"
        if row["closed_on"]
        else None
    )
    pairs: list[tuple[str, Any]] = [
        ("Number", row["id"]),
        ("Circle", f"{row['circle_id']} ({row['member_code']})"),
        ("Date", row["date"]),
        ("Severity", row["severity"]),
        ("Category", row["category"]),
        ("Concern", row["text"]),
        ("Raised by", row["raised_by"]),
        ("Meeting", row["meeting_id"]),
        ("Contact", row["contact_id"]),
        ("Status", row["status"] if row["void_reason"] is None else "VOID (recorded in error)"),
        ("Void", row["void_reason"]),
        ("Closed", closed),
        ("Recorded", f"{row['created_at']} by {row['created_by']}"),
    ]
    record([(label, value) for label, value in pairs if value is not None])
    for title, rows, columns in (
        ("Notes", row["notes"], NOTE_COLUMNS),
        ("Escalations", row["escalations"], ESCALATION_COLUMNS),
    ):
        echo(f"\n{title}")
        if rows:
            table(rows, columns)
        else:
            echo("  none")


@app.command("note")
def note(
    ctx: typer.Context,
    concern: ConcernArg,
    text: Annotated[str, typer.Argument(help="The note: an update or a correction.")],
    on: OnOpt = None,
) -> None:
    """Add a dated note to a concern (the way to correct or update it)."""
    nid = concerns.note(open_store(ctx), concern, text, on=on)
    message(f"Added note {nid} to concern {concern.strip().lstrip('#')}")


@app.command("escalate")
def escalate(
    ctx: typer.Context,
    concern: ConcernArg,
    to: Annotated[
        str,
        typer.Option(
            "--recipient", "--to", help="The professional told: number or unique name prefix."
        ),
    ],
    via: Annotated[str, typer.Option("--via", help=f"One of: {', '.join(concerns.VIA)}.")],
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="When (default now; a date and optional time, e.g. '26/11/2026 9:05')."
        ),
    ] = None,
    shared: Annotated[str | None, typer.Option("--shared", help="What was shared.")] = None,
    basis: Annotated[
        str | None,
        typer.Option(
            "--basis",
            help=f"Lawful basis: {', '.join(concerns.BASES)}"
            " (default consent, when the member's consent covers the professional).",
        ),
    ] = None,
    response: Annotated[
        str | None, typer.Option("--response", help="The professional's response.")
    ] = None,
    response_at: Annotated[
        str | None, typer.Option("--response-at", help="When the response came.")
    ] = None,
) -> None:
    """Record that a concern was passed to a professional: how, when, what, on what basis."""
    store = open_store(ctx)
    eid = concerns.escalate(
        store,
        concern,
        to=to,
        via=via,
        at=at,
        shared=shared,
        basis=basis,
        response=response,
        response_at=response_at,
    )
    message(f"Recorded escalation {eid} of concern {concern.strip().lstrip('#')}")


@app.command("respond")
def respond(
    ctx: typer.Context,
    concern: ConcernArg,
    text: Annotated[str, typer.Argument(help="The professional's response.")],
    escalation: Annotated[
        str | None,
        typer.Option("--escalation", help="The escalation answered (default: the latest)."),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="When the response came (default now).")
    ] = None,
) -> None:
    """Record the response to a concern's latest escalation (or to --escalation N)."""
    row = concerns.respond_to_concern(open_store(ctx), concern, text, escalation=escalation, at=at)
    message(f"Recorded the response to escalation {row['id']} ({row['response_at']})")


@app.command("close")
def close(
    ctx: typer.Context,
    concern: ConcernArg,
    note: Annotated[str, typer.Option("--note", help="Why it is closed: what was done.")],
    on: OnOpt = None,
) -> None:
    """Close an open concern with a date and a note (once: it stays closed)."""
    row = concerns.close(open_store(ctx), concern, note=note, on=on)
    message(f"Closed concern {row['id']} on {row['closed_on']}")


@app.command("void")
def void(
    ctx: typer.Context,
    concern: ConcernArg,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why it was recorded in error (required).")
    ] = None,
) -> None:
    """Void a concern recorded in error (typed twice, on the wrong circle): it leaves every
    list, status section, figure and report, and stays in the audit trail, `concern show`
    and the subject access pack. An escalated concern cannot be voided (note or close it).
    """
    row = concerns.void(open_store(ctx), concern, reason=reason)
    message(f"Voided concern {row['id']} ({row['member_code']}, {row['date']}).")
