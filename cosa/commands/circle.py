"""`cosa circle …`: circles, their members, outer circle, phases, goals and ending."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer import _click as click

from cosa import audit
from cosa.commands.common import CsvOpt, JsonOpt, LimitOpt, limited, open_store
from cosa.domain import circles, users
from cosa.grammar import DATE_HELP_SHORT, deprecated_spelling
from cosa.output import Column, echo, message, model_json, record, table

app = typer.Typer(
    help="Circles: members and roles, outer circle, schedule, phases, goals, ending.",
    no_args_is_help=True,
)
goal_app = typer.Typer(help="Good Lives goals of a circle.", no_args_is_help=True)
app.add_typer(goal_app, name="goal")

DATE_FORMS = DATE_HELP_SHORT
CircleArg = Annotated[
    str, typer.Argument(help="Circle number or its core member's code (e.g. 3 or CM-0003).")
]
VolunteerArg = Annotated[
    str, typer.Argument(help="Volunteer: number, name, first name, surname or a unique prefix.")
]
ProArg = Annotated[
    str, typer.Argument(help="Professional: number, name, first name, surname or a unique prefix.")
]
OnOpt = Annotated[str | None, typer.Option("--on", help=f"Date (default today; {DATE_FORMS}).")]
TypeOpt = Annotated[
    str | None, typer.Option("--type", help="Circle type (lookup circle-type, e.g. community).")
]
StartOpt = Annotated[str | None, typer.Option("--start", help=f"Start date ({DATE_FORMS}).")]
CoordinatorOpt = Annotated[
    str | None,
    typer.Option("--coordinator", help="The coordinator: a user's name, or me (default: you)."),
]
CoordinatorFilterOpt = Annotated[
    str | None,
    typer.Option("--coordinator", help="Only circles this user coordinates (a name, or me)."),
]
DayOpt = Annotated[str | None, typer.Option("--day", help="Meeting day (monday … sunday).")]
TimeOpt = Annotated[str | None, typer.Option("--time", help="Meeting time (e.g. 18:30).")]
DurationOpt = Annotated[
    str | None, typer.Option("--duration", help="Meeting length (e.g. 90, 1h30m).")
]
VenueOpt = Annotated[
    str | None, typer.Option("--venue", help="Venue code (never the address: venues are secret).")
]

COLUMNS: list[Column] = [
    ("id", "#"),
    ("member_code", "Member"),
    ("type", "Type"),
    ("status", "Status"),
    ("phase", "Phase"),
    ("start_date", "Started"),
    ("coordinator", "Coordinator"),
    ("member_count", "Volunteers"),
    ("meeting_day", "Day"),
]
MEMBER_COLUMNS: list[Column] = [
    ("volunteer_id", "#"),
    ("volunteer_name", "Volunteer"),
    ("role", "Role"),
    ("joined_on", "Joined"),
    ("left_on", "Left"),
]
LINK_COLUMNS: list[Column] = [
    ("professional_id", "#"),
    ("professional_name", "Professional"),
    ("agency", "Agency"),
    ("role", "Role"),
    ("linked_on", "Linked"),
    ("unlinked_on", "Unlinked"),
]
PHASE_COLUMNS: list[Column] = [("phase", "Phase"), ("started_on", "From")]
GOAL_COLUMNS: list[Column] = [
    ("id", "#"),
    ("domain", "Domain"),
    ("text", "Goal"),
    ("review_on", "Review"),
    ("outcome", "Outcome"),
    ("outcome_on", "On"),
]


def _section(title: str, rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> None:
    echo(f"\n{title}")
    if rows:
        table(rows, columns)
    else:
        echo("  none")


def _name(row: dict[str, Any], *, capital: bool = False) -> str:
    return f"{'Circle' if capital else 'circle'} {row['id']} ({row['member_code']})"


@app.command("add")
def add(
    ctx: typer.Context,
    member: Annotated[str, typer.Option("--member", help="The core member's code, e.g. CM-0003.")],
    type_: TypeOpt = None,
    start: StartOpt = None,
    coordinator: CoordinatorOpt = None,
    day: DayOpt = None,
    time: TimeOpt = None,
    duration: DurationOpt = None,
    venue: VenueOpt = None,
    cadence_days: Annotated[
        int, typer.Option("--cadence-days", help="Days between formal meetings.")
    ] = 7,
    force: Annotated[
        bool,
        typer.Option("--force", help="Add even though the member has a circle that has not ended."),
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (required with --force).")
    ] = None,
) -> None:
    """Add a circle for a core member (status: forming)."""
    store = open_store(ctx)
    if coordinator is not None:
        coordinator = users.resolve_user(store, coordinator)
    cid = circles.add(
        store,
        member=member,
        circle_type=type_,
        start=start,
        coordinator=coordinator,
        day=day,
        time=time,
        duration=duration,
        venue=venue,
        cadence_days=cadence_days,
        force=force,
        reason=reason,
    )
    message(f"Added {_name(circles.get(store, cid))}, forming")


@app.command("edit")
def edit(
    ctx: typer.Context,
    circle: CircleArg,
    type_: TypeOpt = None,
    start: StartOpt = None,
    coordinator: CoordinatorOpt = None,
    day: DayOpt = None,
    time: TimeOpt = None,
    duration: DurationOpt = None,
    venue: VenueOpt = None,
    cadence_days: Annotated[
        int | None, typer.Option("--cadence-days", help="Days between formal meetings.")
    ] = None,
) -> None:
    """Change a circle's type, start, coordinator or schedule ("" clears a field)."""
    store = open_store(ctx)
    if coordinator:
        coordinator = users.resolve_user(store, coordinator)
    changed = circles.edit(
        store,
        circle,
        circle_type=type_,
        start=start,
        coordinator=coordinator,
        day=day,
        time=time,
        duration=duration,
        venue=venue,
        cadence_days=cadence_days,
    )
    row = circles.get(store, circle)
    message(f"Updated {_name(row)}: {', '.join(changed)}" if changed else "Nothing changed.")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option("--status", help=f"Only this status: {', '.join(circles.STATUSES)}."),
    ] = None,
    coordinator: CoordinatorFilterOpt = None,
    limit: LimitOpt = 0,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List circles with their core member, status, phase and volunteers."""
    store = open_store(ctx)
    who = users.resolve_coordinator(store, coordinator)
    rows = limited(circles.list_(store, status=status, coordinator=who), limit)
    if json_:
        from cosa.models import Circle

        model_json(Circle, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no circles (`cosa circle add --member CM-…`)")


@app.command("show")
def show(ctx: typer.Context, circle: CircleArg, json_: JsonOpt = False) -> None:
    """Show a circle: members, outer circle, schedule, phases, goals and ending."""
    store = open_store(ctx)
    row = circles.detail(store, circle)
    audit.record_view(store, "circle show", "circle", row["id"])
    if json_:
        from cosa.models import CircleDetail

        model_json(CircleDetail, row)
        return
    when = " ".join(
        str(v)
        for v in (
            row["meeting_day"],
            row["meeting_time"],
            f"for {row['duration_minutes']} min" if row["duration_minutes"] else None,
            f"every {row['cadence_days']} days" if row["cadence_days"] else None,
        )
        if v
    )
    ending = (
        f"{row['ended_on']}: {row['ending_reason']}"
        + (f" ({row['ending_note']})" if row["ending_note"] else "")
        if row["ended_on"]
        else None
    )
    record(
        [
            ("Number", row["id"]),
            ("Core member", row["member_code"]),
            ("Type", row["type"]),
            ("Status", row["status"]),
            ("Phase", row["phase"]),
            ("Started", row["start_date"]),
            ("Coordinator", row["coordinator"]),
            ("Meets", when),
            ("Venue", row["venue"]),
            ("Ended", ending),
            ("Forced because", row["forced_reason"]),
            ("Added", row["created_at"]),
            ("Updated", f"{row['updated_at']} by {row['updated_by']}"),
        ]
    )
    _section("Members", row["members"], MEMBER_COLUMNS)
    _section("Outer circle", row["links"], LINK_COLUMNS)
    _section("Phases", row["phases"], PHASE_COLUMNS)
    _section("Goals", row["goals"], GOAL_COLUMNS)
    _section(
        "Coordinators",
        row["coordinators"],
        [("on_date", "From"), ("coordinator", "Coordinator"), ("note", "Note")],
    )


@app.command("assign")
def assign(
    ctx: typer.Context,
    circle: CircleArg,
    user: Annotated[str, typer.Argument(help="The new coordinator: a user's name, or me.")],
    on: OnOpt = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Why, or what was handed over.")
    ] = None,
) -> None:
    """Hand a circle over to another coordinator (kept in the circle's history)."""
    store = open_store(ctx)
    row = circles.assign(store, circle, users.resolve_user(store, user), on=on, note=note)
    since = circles.coordinators(store, row["id"])[-1]["on_date"]
    message(f"{_name(row, capital=True)} is coordinated by {row['coordinator']} from {since}.")


@app.command("join")
def join(
    ctx: typer.Context,
    circle: CircleArg,
    volunteer: VolunteerArg,
    role: Annotated[
        str, typer.Option("--role", help=f"One of: {', '.join(circles.ROLES)}.")
    ] = "member",
    on: OnOpt = None,
    override: Annotated[
        str | None,
        typer.Option(
            "--override",
            help="Let a volunteer the safeguarding gate refuses join anyway: the reason (audited).",
        ),
    ] = None,
) -> None:
    """A volunteer joins a circle, through the safeguarding gate.

    Refused, naming every reason, unless the volunteer is approved, has a cleared enhanced
    DBS check that is not due a re-check (and no later check not cleared), has had initial
    training, has not left, has no recorded conflict with the core member, and the circle has
    fewer than 6 volunteers. A join dated in the past is checked on that day and today.
    """
    store = open_store(ctx)
    member = circles.join(store, circle, volunteer, role=role, on=on, override=override)
    message(
        f"{member['volunteer_name']} joined {_name(circles.get(store, circle))}"
        f" as {member['role']} from {member['joined_on']}"
    )


@app.command("leave")
def leave(ctx: typer.Context, circle: CircleArg, volunteer: VolunteerArg, on: OnOpt = None) -> None:
    """A volunteer leaves a circle (the date is their last day)."""
    store = open_store(ctx)
    row = circles.leave(store, circle, volunteer, on=on)
    message(f"{row['volunteer_name']} left {_name(circles.get(store, circle))} on {row['left_on']}")


@app.command("link")
def link(
    ctx: typer.Context,
    circle: CircleArg,
    pro: ProArg,
    unlink: Annotated[
        bool, typer.Option("--unlink", help="Take the professional out of the outer circle.")
    ] = False,
    on: OnOpt = None,
) -> None:
    """Link a professional to the circle's outer circle (or unlink them)."""
    store = open_store(ctx)
    if unlink:
        person = circles.unlink(store, circle, pro, on=on)
        message(f"{person['name']} left the outer circle of {_name(circles.get(store, circle))}")
    else:
        person = circles.link(store, circle, pro, on=on)
        message(f"{person['name']} joined the outer circle of {_name(circles.get(store, circle))}")


@app.command("phase")
def phase(
    ctx: typer.Context,
    circle: CircleArg,
    phase: Annotated[
        str, typer.Argument(help="Phase (lookup circle-phase: pre-release, phase 1, phase 2).")
    ],
    on: OnOpt = None,
) -> None:
    """Move a circle into a phase; the first phase 1 makes a forming circle active."""
    row = circles.set_phase(open_store(ctx), circle, phase, on=on)
    message(f"{_name(row, capital=True)} is in {row['phase']} ({row['status']})")


@app.command("status")
def status(
    ctx: typer.Context,
    circle: CircleArg,
    status: Annotated[str, typer.Argument(help=f"One of: {', '.join(circles.SETTABLE_STATUSES)}.")],
) -> None:
    """Set a circle's status by hand (ending a circle is `circle end`)."""
    store = open_store(ctx)
    changed = circles.set_status(store, circle, status)
    row = circles.get(store, circle)
    message(f"{_name(row, capital=True)} is {row['status']}" if changed else "Nothing changed.")


@app.command("end")
def end(
    ctx: typer.Context,
    circle: CircleArg,
    on: Annotated[str, typer.Option("--on", help=f"Date the circle ended ({DATE_FORMS}).")],
    reason: Annotated[
        str, typer.Option("--reason", help="Ending reason (lookup ending-reason, e.g. completed).")
    ],
    note: Annotated[str | None, typer.Option("--note", help="A note on the ending.")] = None,
) -> None:
    """End a circle; open memberships and outer-circle links end the same day."""
    row = circles.end(open_store(ctx), circle, on=on, reason=reason, note=note)
    message(f"{_name(row, capital=True)} ended on {row['ended_on']}: {row['ending_reason']}")


# -- goals -----------------------------------------------------------------------------------


@goal_app.command("add")
def goal_add(
    ctx: typer.Context,
    circle: CircleArg,
    domain: Annotated[
        str, typer.Option("--domain", help="Good Lives domain (lookup goal-domain).")
    ],
    text: Annotated[str | None, typer.Argument(help="The goal in words.")] = None,
    old_text: Annotated[
        str | None, typer.Option("--text", hidden=True, help="Old spelling of TEXT.")
    ] = None,
    review: Annotated[
        str | None,
        typer.Option(
            "--due", "--review", help=f"Review date: when to look at it again ({DATE_FORMS})."
        ),
    ] = None,
) -> None:
    """Add a Good Lives goal to a circle."""
    if old_text is not None:
        deprecated_spelling("--text", "the TEXT argument")
    text = text if text is not None else old_text
    if text is None:
        raise click.exceptions.UsageError("Missing argument 'TEXT' (the goal in words).", ctx)
    store = open_store(ctx)
    gid = circles.add_goal(store, circle, domain=domain, text=text, review=review)
    message(f"Added goal {gid} to {_name(circles.get(store, circle))}")


@goal_app.command("list")
def goal_list(
    ctx: typer.Context,
    circle: CircleArg,
    limit: LimitOpt = 0,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List a circle's goals."""
    rows = limited(circles.goals_of(open_store(ctx), circle), limit)
    if json_:
        from cosa.models import Goal

        model_json(Goal, rows)
        return
    table(rows, GOAL_COLUMNS, csv_out=csv_, empty="no goals (`cosa circle goal add CIRCLE`)")


@goal_app.command("set")
def goal_set(
    ctx: typer.Context,
    goal: Annotated[str, typer.Argument(help="Goal number (see `circle goal list`).")],
    outcome: Annotated[str, typer.Argument(help=f"One of: {', '.join(circles.OUTCOMES)}.")],
    note: Annotated[str | None, typer.Option("--note", help="A note on the outcome.")] = None,
    on: OnOpt = None,
    review: Annotated[
        str | None,
        typer.Option("--due", "--review", help=f'New review date ({DATE_FORMS}; "" clears).'),
    ] = None,
) -> None:
    """Record a goal's outcome: achieved, partly, not-achieved (or open again)."""
    store = open_store(ctx)
    changed = circles.set_goal(store, goal, outcome, note=note, on=on, review=review)
    row = circles.get_goal(store, goal)
    message(f"Goal {row['id']}: {row['outcome']}" if changed else "Nothing changed.")
