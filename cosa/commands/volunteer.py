"""`cosa volunteer …`"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cosa import audit
from cosa.commands.common import CsvOpt, JsonOpt, open_store
from cosa.domain import volunteers
from cosa.grammar import DATE_HELP_SHORT, LimitOpt, limited
from cosa.output import message, model_json, record, table
from cosa.words import count

app = typer.Typer(
    help="Volunteers: recruitment, vetting, training, supervision, hours, expenses.",
    no_args_is_help=True,
)
expense_app = typer.Typer(help="Volunteers' expense claims (money in pence).", no_args_is_help=True)
app.add_typer(expense_app, name="expense")

VolunteerArg = Annotated[
    str,
    typer.Argument(help="Volunteer: number, full name, first name, surname or a unique prefix."),
]
DATE_FORMS = DATE_HELP_SHORT
OnOpt = Annotated[str, typer.Option("--on", help=f"Date ({DATE_FORMS}).")]
OnTodayOpt = Annotated[
    str | None, typer.Option("--on", help=f"Date (default today; {DATE_FORMS}).")
]
NoteOpt = Annotated[str | None, typer.Option("--note", help="A note.")]
COLUMNS = [
    ("id", "#"),
    ("name", "Name"),
    ("status", "Status"),
    ("stage", "Stage"),
    ("recheck_due", "DBS re-check due"),
    ("email", "Email"),
    ("phone", "Phone"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Full name.")],
    email: Annotated[str | None, typer.Option("--email", help="Email address.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
) -> None:
    """Add a volunteer (an applicant until approved: `cosa volunteer stage V approved`)."""
    store = open_store(ctx)
    vid = volunteers.add(store, name, email=email, phone=phone)
    message(f"Added volunteer {vid}: {name.strip()}")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option("--status", help=f"Only this status: {', '.join(volunteers.STATUSES)}."),
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option("--stage", help="Only those whose current pipeline stage is this."),
    ] = None,
    limit: LimitOpt = 0,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List volunteers with their status, pipeline stage and DBS re-check date."""
    rows = volunteers.list_(open_store(ctx), status=status, stage=stage)
    rows = limited(rows, limit, quiet=json_ or csv_)
    if json_:
        from cosa.models import Volunteer

        model_json(Volunteer, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no volunteers (`cosa volunteer add NAME`)")


@app.command("show")
def show(ctx: typer.Context, volunteer: VolunteerArg, json_: JsonOpt = False) -> None:
    """Show one volunteer: circles, pipeline, vetting and re-check, training, supervision,
    hours, expenses and conflicts."""
    store = open_store(ctx)
    row = volunteers.detail(store, volunteer)
    audit.record_view(store, "volunteer show", "volunteer", row["id"])
    if json_:
        from cosa.models import VolunteerDetail

        model_json(VolunteerDetail, row)
        return
    pairs: list[tuple[str, Any]] = [
        ("Number", row["id"]),
        ("Name", row["name"]),
        ("Status", _status_text(row)),
    ]
    if row["status"] == "left":
        pairs.append(("Left", f"{row['left_on']}: {row['left_reason']}"))
    pairs += [("Email", row["email"]), ("Phone", row["phone"])]
    pairs.append(("Circles", _circles_text(row["circles"])))
    pairs.append(("Pipeline", _pipeline_text(row)))
    pairs.append(("References", _references_text(row["references"])))
    pairs.append(
        (
            "Conflicts",
            "\n".join(f"{c['member_code']}: {c['reason']} ({c['date']})" for c in row["conflicts"])
            or "none",
        )
    )
    pairs += _vetting_lines(row)
    pairs.append(("Training", "\n".join(_training_line(t) for t in row["training"]) or "none"))
    pairs.append(("Supervision", _supervision_text(row["supervision"])))
    if row["next_supervision"]:
        pairs.append(("Next supervision", row["next_supervision"]))
    pairs.append(("Hours logged", _hours_text(row["hours"])))
    pairs.append((f"Hours {row['hours_quarter']}", _hours_by_circle_text(row["hours_by_circle"])))
    pairs.append(("Expenses", _expenses_text(row)))
    pairs += [
        ("Added", row["created_at"]),
        ("Updated", f"{row['updated_at']} by {row['updated_by']}"),
    ]
    record(pairs)


def _vetting_lines(row: dict[str, Any]) -> list[tuple[str, Any]]:
    if not row["vetting"]:
        return [("DBS", "no vetting recorded")]
    v = row["vetting"][0]
    text = f"{v['level']}, certificate {v['certificate']} issued {v['issued_on']}"
    if v["update_service"]:
        text += ", Update Service"
    if v["checked_on"]:
        text += f", checked {v['checked_on']}"
    text += f": {v['decision']}"
    return [("DBS", text), ("Re-check due", row["recheck_due"] or "not needed (left)")]


def _status_text(row: dict[str, Any]) -> str:
    history = row["status_history"]
    if not history:
        return str(row["status"])
    since = history[-1]["since"]
    for entry in reversed(history):  # the start of the latest run of this status
        if entry["status"] != history[-1]["status"]:
            break
        since = entry["since"]
    return f"{row['status']} (since {since})"


def _circles_text(rows: list[dict[str, Any]]) -> str:
    lines = []
    for c in rows:
        when = (
            f"since {c['joined_on']}" if not c["left_on"] else f"{c['joined_on']} – {c['left_on']}"
        )
        lines.append(f"{c['circle_id']} ({c['member_code']}) {c['role']}, {when}")
    return "\n".join(lines) or "none"


def _pipeline_text(row: dict[str, Any]) -> str:
    if not row["stages"]:
        return "no stages recorded"
    lines = []
    for s in row["stages"]:
        took = f" ({s['days']} days)" if s["days"] is not None else " (current)"
        lines.append(f"{s['date']} {s['stage']}{took}")
    return "\n".join(lines)


def _references_text(rows: list[dict[str, Any]]) -> str:
    lines = []
    for r in rows:
        state = f"received {r['received_on']}: {r['outcome']}" if r["received_on"] else "awaited"
        asked = f"requested {r['requested_on']}, " if r["requested_on"] else ""
        lines.append(f"{r['referee']} ({asked}{state})")
    return "\n".join(lines) or "none"


def _expenses_text(row: dict[str, Any]) -> str:
    from cosa.money import format_pence

    claims = row["expenses"]
    if not claims:
        return "none"
    return (
        f"{len(claims)} claim{'s' if len(claims) != 1 else ''},"
        f" {format_pence(row['expenses_claimed_pence'])};"
        f" unpaid {format_pence(row['expenses_unpaid_pence'])}"
    )


def _training_line(t: dict[str, Any]) -> str:
    extra = ", ".join(
        x for x in (t["provider"], f"{t['hours']:g} h" if t["hours"] is not None else None) if x
    )
    text = f"{t['date']} {t['kind']}"
    if t["title"]:
        text += f" — {t['title']}"
    return f"{text} ({extra})" if extra else text


def _supervision_text(sessions: list[dict[str, Any]], shown: int = 5) -> str:
    if not sessions:
        return "none"
    lines = [f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}"]
    for s in sessions[-shown:]:
        line = f"{s['date']} {s['kind']}"
        if s["wellbeing"]:
            line += f" — wellbeing: {s['wellbeing']}"
        lines.append(line)
    return "\n".join(lines)


def _hours_by_circle_text(rows: list[dict[str, Any]]) -> str:
    """This quarter's hours, one line per circle (meetings + logged), then those for no circle."""
    lines = [
        f"{r['member_code'] or 'no circle'}: {r['hours']:g} h"
        f" ({r['meeting_hours']:g} at meetings, {r['logged_hours']:g} logged)"
        for r in rows
    ]
    return "\n".join(lines) or "none"


def _hours_text(totals: dict[str, Any]) -> str:
    if not totals["entries"]:
        return "none"
    by = ", ".join(f"{a} {h:g}" for a, h in totals["by_activity"].items())
    return (
        f"{totals['hours']:g} h + {totals['travel_hours']:g} h travel"
        f" in {count(totals['entries'], 'entry')} ({by})"
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    volunteer: VolunteerArg,
    name: Annotated[str | None, typer.Option("--name", help="New full name.")] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="New email address (empty to clear).")
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help="New phone number (empty to clear).")
    ] = None,
) -> None:
    """Change a volunteer's name or contact details (the status is derived: see `rest`)."""
    vid, changed = volunteers.edit(open_store(ctx), volunteer, name=name, email=email, phone=phone)
    message(
        f"Volunteer {vid}: changed {', '.join(changed)}"
        if changed
        else f"Volunteer {vid}: nothing changed"
    )


@app.command("leave")
def leave(
    ctx: typer.Context,
    volunteer: VolunteerArg,
    reason: Annotated[str, typer.Option("--reason", help="Why they left.")],
    on: Annotated[str | None, typer.Option("--on", help="When they left (default today).")] = None,
) -> None:
    """Record that a volunteer left (status left, with date and reason)."""
    vid = volunteers.leave(open_store(ctx), volunteer, reason=reason, on=on)
    message(f"Volunteer {vid} left.")


@app.command("vet")
def vet(
    ctx: typer.Context,
    volunteer: VolunteerArg,
    level: Annotated[
        str, typer.Option("--level", help=f"DBS level: {', '.join(volunteers.LEVELS)}.")
    ],
    certificate: Annotated[
        str,
        typer.Option("--certificate", help="Certificate number only (never its content)."),
    ],
    issued: Annotated[str, typer.Option("--issued", help="Date the certificate was issued.")],
    update_service: Annotated[
        bool,
        typer.Option(
            "--update-service/--no-update-service",
            help="Whether the volunteer subscribes to the DBS Update Service.",
        ),
    ] = False,
    checked: Annotated[
        str | None,
        typer.Option("--checked", help="Date of the last status check (Update Service)."),
    ] = None,
    decision: Annotated[
        str, typer.Option("--decision", help=f"One of: {', '.join(volunteers.DECISIONS)}.")
    ] = "pending",
) -> None:
    """Record a DBS check (level, certificate number, dates, decision)."""
    rid, due = volunteers.vet(
        open_store(ctx),
        volunteer,
        level=level,
        certificate=certificate,
        issued=issued,
        update_service=update_service,
        checked=checked,
        decision=decision,
    )
    message(f"Recorded DBS check {rid}; re-check due {due}.")


@app.command("train")
def train(
    ctx: typer.Context,
    volunteer: VolunteerArg,
    kind: Annotated[
        str,
        typer.Option("--type", "--kind", help=f"One of: {', '.join(volunteers.TRAINING_KINDS)}."),
    ],
    on: OnOpt,
    provider: Annotated[
        str | None, typer.Option("--provider", help="Who gave the training.")
    ] = None,
    hours: Annotated[float | None, typer.Option("--hours", help="Length in hours.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="What the training was.")] = None,
) -> None:
    """Record training a volunteer attended."""
    rid = volunteers.train(
        open_store(ctx), volunteer, kind=kind, on=on, provider=provider, hours=hours, title=title
    )
    message(f"Recorded training {rid}.")


@app.command("supervise")
def supervise(
    ctx: typer.Context,
    volunteer: VolunteerArg,
    on: OnOpt,
    kind: Annotated[
        str,
        typer.Option(
            "--type", "--kind", help=f"One of: {', '.join(volunteers.SUPERVISION_KINDS)}."
        ),
    ] = "individual",
    wellbeing: Annotated[
        str | None, typer.Option("--wellbeing", help="How the volunteer is (wellbeing check).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Notes of the session.")] = None,
) -> None:
    """Record a supervision session with its wellbeing check."""
    rid = volunteers.supervise(
        open_store(ctx), volunteer, on=on, kind=kind, wellbeing=wellbeing, note=note
    )
    message(f"Recorded supervision {rid}.")


@app.command("hours")
def hours(
    ctx: typer.Context,
    volunteer: VolunteerArg,
    on: OnOpt,
    hours: Annotated[float, typer.Option("--hours", help="Hours given (more than 0, ≤ 24).")],
    activity: Annotated[
        str, typer.Option("--activity", help=f"One of: {', '.join(volunteers.ACTIVITIES)}.")
    ] = "circle",
    travel_hours: Annotated[
        float, typer.Option("--travel-hours", help="Travel time in hours.")
    ] = 0.0,
    circle: Annotated[
        str | None,
        typer.Option(
            "--circle",
            help="The circle the work was for (number or core member code); the volunteer"
            " must have been a member that day. Leave out for training, admin and other work"
            " for no circle.",
        ),
    ] = None,
) -> None:
    """Record a volunteer's hours on one day for work outside meetings (preparation,
    contacts, calls, training, admin), and travel.

    Time at meetings is counted automatically: every held meeting counts its length for each
    volunteer recorded present, so do not log it again here. Funders count both.
    """
    rid = volunteers.log_hours(
        open_store(ctx),
        volunteer,
        on=on,
        hours=hours,
        activity=activity,
        travel_hours=travel_hours,
        circle=circle,
    )
    message(f"Recorded hours {rid}.")


@app.command("rest")
def rest(
    ctx: typer.Context, volunteer: VolunteerArg, on: OnTodayOpt = None, note: NoteOpt = None
) -> None:
    """Set a volunteer resting from a day (until `volunteer resume`)."""
    day = volunteers.rest(open_store(ctx), volunteer, on=on, note=note)
    message(f"Resting from {day}.")


@app.command("resume")
def resume(
    ctx: typer.Context, volunteer: VolunteerArg, on: OnTodayOpt = None, note: NoteOpt = None
) -> None:
    """End a volunteer's rest; their status is derived again (applicant/available/active)."""
    back = volunteers.resume(open_store(ctx), volunteer, on=on, note=note)
    message(f"Back from resting: {back}.")


@app.command("stage")
def stage(
    ctx: typer.Context,
    volunteer: VolunteerArg,
    stage: Annotated[
        str,
        typer.Argument(
            help="Pipeline stage (lookup volunteer-stage): enquiry, application, interview,"
            " references, training, vetting, approved, matched."
        ),
    ],
    on: OnTodayOpt = None,
    note: NoteOpt = None,
) -> None:
    """Record that a volunteer reached a recruitment stage (approved needs 2 references)."""
    from cosa.domain import recruitment

    sid, choice = recruitment.set_stage(open_store(ctx), volunteer, stage, on=on, note=note)
    message(f"Recorded stage {sid}: {choice}.")


@app.command("reference")
def reference(
    ctx: typer.Context,
    volunteer: VolunteerArg,
    referee: Annotated[str, typer.Option("--referee", help="The referee's name.")],
    requested: Annotated[
        str | None, typer.Option("--requested", help="When the reference was asked for.")
    ] = None,
    received: Annotated[
        str | None, typer.Option("--received", help="When it came back (with --outcome).")
    ] = None,
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="satisfactory or concerns.")
    ] = None,
) -> None:
    """Record a reference (asked for, and/or received with its outcome).

    Giving --received and --outcome for a referee already asked completes that request.
    """
    from cosa.domain import recruitment

    rid, completed = recruitment.reference(
        open_store(ctx),
        volunteer,
        referee=referee,
        requested=requested,
        received=received,
        outcome=outcome,
    )
    message(f"{'Completed' if completed else 'Recorded'} reference {rid}.")


@app.command("conflict")
def conflict(
    ctx: typer.Context,
    volunteer: VolunteerArg,
    member: Annotated[str, typer.Option("--member", help="The core member's code (CM-0003).")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why (lives nearby, knows the victim, …).")
    ],
    on: OnTodayOpt = None,
) -> None:
    """Record a conflict: the volunteer may not join that core member's circles."""
    from cosa.domain import recruitment

    cid = recruitment.conflict(open_store(ctx), volunteer, member=member, reason=reason, on=on)
    message(f"Recorded conflict {cid}.")


EXPENSE_COLUMNS = [
    ("id", "#"),
    ("date", "Date"),
    ("volunteer_name", "Volunteer"),
    ("kind", "Kind"),
    ("amount", "Amount"),
    ("miles", "Miles"),
    ("member_code", "Circle"),
    ("paid_on", "Paid"),
    ("note", "Note"),
]


@expense_app.command("add")
def expense_add(
    ctx: typer.Context,
    volunteer: VolunteerArg,
    on: OnOpt,
    amount: Annotated[str, typer.Option("--amount", help="Pounds and pence, e.g. 12.40.")],
    miles: Annotated[float | None, typer.Option("--miles", help="Miles travelled.")] = None,
    circle: Annotated[
        str | None, typer.Option("--circle", help="The circle it was for (number or CM code).")
    ] = None,
    kind: Annotated[
        str, typer.Option("--type", "--kind", help="travel, subsistence or other.")
    ] = "travel",
    note: NoteOpt = None,
) -> None:
    """Record an expense claim."""
    from cosa.domain import expenses
    from cosa.money import format_pence, parse_pence

    eid = expenses.add(
        open_store(ctx),
        volunteer,
        on=on,
        amount=amount,
        miles=miles,
        circle=circle,
        kind=kind,
        note=note,
    )
    message(f"Recorded expense {eid}: {format_pence(parse_pence('--amount', amount))}.")


@expense_app.command("pay")
def expense_pay(
    ctx: typer.Context,
    expense: Annotated[str, typer.Argument(help="The expense's number.")],
    on: OnTodayOpt = None,
) -> None:
    """Record that an expense claim was paid (once)."""
    from cosa.domain import expenses

    row = expenses.pay(open_store(ctx), expense, on=on)
    message(f"Expense {row['id']} paid on {row['paid_on']}.")


@expense_app.command("list")
def expense_list(
    ctx: typer.Context,
    volunteer: Annotated[
        str | None, typer.Option("--volunteer", help="Only this volunteer's claims.")
    ] = None,
    unpaid: Annotated[bool, typer.Option("--unpaid", help="Only claims not yet paid.")] = False,
    from_: Annotated[str | None, typer.Option("--from", help="Claims dated on or after.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Claims dated on or before.")] = None,
    limit: LimitOpt = 0,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List expense claims, newest first (amounts in pence in --json and --csv)."""
    from cosa.domain import expenses
    from cosa.money import format_pence

    rows = expenses.list_(open_store(ctx), volunteer=volunteer, unpaid=unpaid, from_=from_, to=to)
    rows = limited(rows, limit, quiet=json_ or csv_)
    if json_:
        from cosa.models import Expense

        model_json(Expense, rows)
        return
    columns = EXPENSE_COLUMNS
    if csv_:
        columns = [("amount_pence", "Amount (pence)") if c[0] == "amount" else c for c in columns]
    else:
        rows = [{**r, "amount": format_pence(r["amount_pence"])} for r in rows]
    table(rows, columns, csv_out=csv_, empty="no expense claims")
