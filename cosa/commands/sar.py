"""`cosa sar …`: the subject access request register and its due dates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cosa.commands.common import CsvOpt, JsonOpt, open_store
from cosa.domain import sars
from cosa.grammar import DATE_HELP_SHORT, LimitOpt, limited
from cosa.output import Column, echo, message, model_json, record, table

app = typer.Typer(
    help="Subject access requests: received, verified, paused, extended, answered; due dates.",
    no_args_is_help=True,
)

COLUMNS: list[Column] = [
    ("id", "#"),
    ("member_code", "Member"),
    ("received_on", "Received"),
    ("state", "State"),
    ("due", "Due"),
    ("days_left", "Days left"),
    ("responded_on", "Answered"),
]

SarArg = Annotated[str, typer.Argument(metavar="ID", help="The request's number.")]
OnOpt = Annotated[str, typer.Option("--on", help=f"The day it happened ({DATE_HELP_SHORT}).")]


def _done(row: dict[str, object], what: str) -> None:
    message(f"SAR {row['id']} ({row['member_code']}): {what}; due {row['due']} ({row['state']}).")


@app.command("add")
def add(
    ctx: typer.Context,
    member: Annotated[str, typer.Option("--member", help="The core member asking (code).")],
    on: Annotated[
        str, typer.Option("--on", help=f"The day the request was received ({DATE_HELP_SHORT}).")
    ],
    via: Annotated[
        str | None, typer.Option("--via", help="How it came (letter, email, in person…).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note.")] = None,
) -> None:
    """Record a subject access request received from a core member."""
    store = open_store(ctx)
    sid = sars.add(store, member, on=on, via=via, note=note)
    _done(sars.get(store, sid), "recorded")
    echo(sid)


@app.command("verify")
def verify(ctx: typer.Context, sar: SarArg, on: OnOpt) -> None:
    """Record that the requester's identity was checked (the month runs from here when
    this is later than the day the request came)."""
    store = open_store(ctx)
    sars.verify(store, sar, on=on)
    _done(sars.get(store, sar), "identity verified")


@app.command("pause")
def pause(
    ctx: typer.Context,
    sar: SarArg,
    on: OnOpt,
    reason: Annotated[
        str, typer.Option("--reason", help="Why the clock stops (waiting for ID, clarification).")
    ],
) -> None:
    """Stop the clock (waiting for proof of identity or clarification)."""
    store = open_store(ctx)
    sars.pause(store, sar, on=on, reason=reason)
    _done(sars.get(store, sar), "clock stopped")


@app.command("resume")
def resume(ctx: typer.Context, sar: SarArg, on: OnOpt) -> None:
    """Start the clock again; the paused days are added to the due date."""
    store = open_store(ctx)
    sars.resume(store, sar, on=on)
    _done(sars.get(store, sar), "clock running again")


@app.command("extend")
def extend(
    ctx: typer.Context,
    sar: SarArg,
    months: Annotated[int, typer.Option("--months", help="1 or 2 (2 in all at most).")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why (the request is complex or numerous).")
    ],
) -> None:
    """Extend the time to answer by one or two months (tell the requester within the first
    month, with the reason)."""
    store = open_store(ctx)
    sars.extend(store, sar, months=months, reason=reason)
    _done(sars.get(store, sar), f"extended by {months} month(s)")


@app.command("respond")
def respond(
    ctx: typer.Context,
    sar: SarArg,
    on: Annotated[
        str, typer.Option("--on", help=f"The day the answer was sent ({DATE_HELP_SHORT}).")
    ],
    pack: Annotated[
        Path | None,
        typer.Option(
            "--pack",
            help="The pack sent (default: the last made with `report member --sar ID`).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Record the answer; the pack sent is recorded in the disclosure register."""
    row = sars.respond(open_store(ctx), sar, on=on, pack=pack)
    _done(row, f"answered on {row['responded_on']}")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    open_: Annotated[bool, typer.Option("--open", help="Only requests not yet answered.")] = False,
    limit: LimitOpt = 50,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List requests, newest first, with their due dates."""
    rows = limited(sars.list_(open_store(ctx), open_only=open_), limit, quiet=json_ or csv_)
    if json_:
        from cosa.models import Sar

        model_json(Sar, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no subject access requests (`cosa sar add`)")


@app.command("show")
def show(ctx: typer.Context, sar: SarArg, json_: JsonOpt = False) -> None:
    """Show one request: its clock and every step."""
    row = sars.get(open_store(ctx), sar)
    if json_:
        from cosa.models import Sar

        model_json(Sar, row)
        return
    record(
        [
            ("Number", row["id"]),
            ("Core member", row["member_code"]),
            ("Received", row["received_on"]),
            ("Via", row["via"]),
            ("Note", row["note"]),
            ("State", row["state"]),
            ("Clock starts", row["clock_starts"]),
            ("Paused days", row["paused_days"]),
            ("Extension", f"{row['extension_months']} month(s)"),
            ("Due", f"{row['due']} ({row['days_left']} days left)"),
            ("Answered", row["responded_on"]),
        ]
    )
    table(
        row["events"],
        [
            ("date", "Date"),
            ("kind", "Step"),
            ("months", "Months"),
            ("reason", "Reason"),
            ("file_name", "File"),
        ],
        empty="no steps yet",
    )
