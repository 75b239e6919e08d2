"""`cosa volunteer …`"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cosa import audit
from cosa.commands.common import CsvOpt, JsonOpt, open_store
from cosa.domain import volunteers
from cosa.output import message, model_json, record, table

app = typer.Typer(help="Volunteers: vetting, training, supervision, hours.", no_args_is_help=True)

VolunteerArg = Annotated[str, typer.Argument(help="Volunteer number or unique name prefix.")]
OnOpt = Annotated[
    str, typer.Option("--on", help="Date (YYYY-MM-DD, today, yesterday, mon, -3d, …).")
]
COLUMNS = [
    ("id", "#"),
    ("name", "Name"),
    ("status", "Status"),
    ("recheck_due", "DBS re-check due"),
    ("email", "Email"),
    ("phone", "Phone"),
]
CURRENT = ", ".join(volunteers.CURRENT_STATUSES)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Full name.")],
    email: Annotated[str | None, typer.Option("--email", help="Email address.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
    status: Annotated[str, typer.Option("--status", help=f"One of: {CURRENT}.")] = "applicant",
) -> None:
    """Add a volunteer."""
    store = open_store(ctx)
    vid = volunteers.add(store, name, email=email, phone=phone, status=status)
    message(f"Added volunteer {vid}: {name.strip()}")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option("--status", help=f"Only this status: {', '.join(volunteers.STATUSES)}."),
    ] = None,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List volunteers with their status and when their DBS re-check is due."""
    rows = volunteers.list_(open_store(ctx), status=status)
    if json_:
        from cosa.models import Volunteer

        model_json(Volunteer, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no volunteers (`cosa volunteer add NAME`)")


@app.command("show")
def show(ctx: typer.Context, volunteer: VolunteerArg, json_: JsonOpt = False) -> None:
    """Show one volunteer: vetting and re-check due date, training, supervision, hours."""
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
        ("Status", row["status"]),
    ]
    if row["status"] == "left":
        pairs.append(("Left", f"{row['left_on']}: {row['left_reason']}"))
    pairs += [("Email", row["email"]), ("Phone", row["phone"])]
    pairs += _vetting_lines(row)
    pairs.append(("Training", "\n".join(_training_line(t) for t in row["training"]) or "none"))
    pairs.append(("Supervision", _supervision_text(row["supervision"])))
    pairs.append(("Hours", _hours_text(row["hours"])))
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


def _hours_text(totals: dict[str, Any]) -> str:
    if not totals["entries"]:
        return "none"
    by = ", ".join(f"{a} {h:g}" for a, h in totals["by_activity"].items())
    return (
        f"{totals['hours']:g} h + {totals['travel_hours']:g} h travel"
        f" in {totals['entries']} entries ({by})"
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
    status: Annotated[
        str | None,
        typer.Option("--status", help=f"New status: {CURRENT} (leaving: `volunteer leave`)."),
    ] = None,
) -> None:
    """Change a volunteer's name, contact details or status."""
    vid, changed = volunteers.edit(
        open_store(ctx), volunteer, name=name, email=email, phone=phone, status=status
    )
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
        str, typer.Option("--kind", help=f"One of: {', '.join(volunteers.TRAINING_KINDS)}.")
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
        typer.Option("--kind", help=f"One of: {', '.join(volunteers.SUPERVISION_KINDS)}."),
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
) -> None:
    """Record a volunteer's hours on one day (funders count them, and travel)."""
    rid = volunteers.log_hours(
        open_store(ctx),
        volunteer,
        on=on,
        hours=hours,
        activity=activity,
        travel_hours=travel_hours,
    )
    message(f"Recorded hours {rid}.")
