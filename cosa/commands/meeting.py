"""`cosa meeting …`: record meetings, write and approve minutes, amend approved minutes.

`meeting add` is the command coordinators run most. Everything is a flag; on a terminal, the
fields left out are asked for (type, who was present, apologies, core member attendance, RAG)
and `$EDITOR` opens on the minutes template (cosa.editor). `--no-prompt` skips both.
`meeting add` prints the new meeting's number on stdout (for scripts) and a one-line summary
on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from cosa import audit, secrets_input
from cosa.commands.common import CsvOpt, JsonOpt, OptionalCircleArg, open_store
from cosa.domain import concerns, meetings, users
from cosa.errors import UserError
from cosa.grammar import DATE_HELP_SHORT, LimitOpt, deprecated_spelling
from cosa.output import Column, echo, message, model_json, record, safe, table
from cosa.store import Row, Store

app = typer.Typer(
    help="Meetings and minutes: record, cancel, void, list, show, edit, approve, amend.",
    no_args_is_help=True,
)

DATE_FORMS = DATE_HELP_SHORT
CircleArg = Annotated[
    str, typer.Argument(help="Circle number or its core member's code (e.g. 3 or CM-0003).")
]
MeetingArg = Annotated[str, typer.Argument(help="Meeting number (see `cosa meeting list`).")]
DateOpt = Annotated[
    str | None,
    typer.Option("--on", "--date", help=f"When the meeting was (default today; {DATE_FORMS})."),
]
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force", help="Record it even if the circle has a held meeting of this type that day."
    ),
]
AllOpt = Annotated[bool, typer.Option("--all", help="Include void meetings (recorded in error).")]
TimeOpt = Annotated[
    str | None,
    typer.Option("--time", help="Start time, e.g. 18:30 (default: the circle's meeting time)."),
]
DurationOpt = Annotated[
    str | None,
    typer.Option("--duration", help="Length, e.g. 90 or 1h30m (default: the circle's)."),
]
TypeOpt = Annotated[
    str | None,
    typer.Option(
        "--type",
        help="Meeting type (lookup meeting-type: formal, review, social, …; default formal).",
    ),
]
PresentOpt = Annotated[
    str | None,
    typer.Option(
        "--present",
        help="Volunteers present: names, name prefixes or numbers, comma-separated; all (all"
        " but those with --apologies); none.",
    ),
]
ApologiesOpt = Annotated[
    str | None,
    typer.Option("--apologies", help="Volunteers who sent apologies (comma-separated)."),
]
CmAttendedOpt = Annotated[
    str | None, typer.Option("--cm-attended", help="Did the core member attend: yes, late or no.")
]
LateReasonOpt = Annotated[
    str | None, typer.Option("--late-reason", help="Why the core member was late (with late).")
]
NoMeetingReasonOpt = Annotated[
    str | None,
    typer.Option(
        "--no-meeting-reason", help="Why the core member did not attend / no meeting (with no)."
    ),
]
RagOpt = Annotated[
    str | None, typer.Option("--rag", help="The coordinator's RAG rating: green, amber or red.")
]
VenueOpt = Annotated[
    str | None,
    typer.Option("--venue", help="Venue code, never the address (default: the circle's)."),
]
MinutesOpt = Annotated[str | None, typer.Option("--minutes", help="The minutes, as text.")]
MinutesFileOpt = Annotated[
    str | None,
    typer.Option("--minutes-file", help="Read the minutes from this file (`-` = stdin)."),
]
ConcernOpt = Annotated[
    list[str] | None,
    typer.Option("--concern", help="A concern raised in the meeting (repeatable)."),
]
SeverityOpt = Annotated[
    str,
    typer.Option("--concern-severity", help="Severity of the --concern(s): red, amber or green."),
]
CategoryOpt = Annotated[
    str,
    typer.Option(
        "--concern-category", help="Category of the --concern(s) (lookup concern-category)."
    ),
]
ActionOpt = Annotated[
    list[str] | None, typer.Option("--action", help="An action agreed (repeatable).")
]
OwnerOpt = Annotated[str | None, typer.Option("--owner", help="Who owns the --action(s).")]
DueOpt = Annotated[
    str | None,
    typer.Option("--due", help="When the --action(s) are due (a weekday means the next one)."),
]
NoPromptOpt = Annotated[
    bool,
    typer.Option(
        "--no-prompt", help="On a terminal too: ask nothing and open no editor (fields stay empty)."
    ),
]

COLUMNS: list[Column] = [
    ("id", "#"),
    ("member_code", "Circle"),
    ("date", "Date"),
    ("type", "Type"),
    ("cm_attended", "CM attended"),
    ("rag", "RAG"),
    ("minutes_state", "Minutes"),
    ("state", "State"),
]
UPCOMING_COLUMNS: list[Column] = [
    ("circle_id", "Circle"),
    ("member_code", "Member"),
    ("date", "Date"),
    ("weekday", "Day"),
    ("time", "Time"),
    ("venue", "Venue"),
]
CONCERN_COLUMNS: list[Column] = [
    ("id", "#"),
    ("severity", "Severity"),
    ("category", "Category"),
    ("text", "Concern"),
    ("closed_on", "Closed"),
]
ACTION_COLUMNS: list[Column] = [
    ("id", "#"),
    ("text", "Action"),
    ("owner", "Owner"),
    ("due", "Due"),
    ("status", "Status"),
]


def _read_minutes(path: str) -> str:
    """The text of `--minutes-file` (`-` = standard input); empty is an error."""
    if path == "-":
        text = sys.stdin.read()
        where = "standard input"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UserError(f"minutes file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(
                f"cannot read the minutes file {path}: {exc.__class__.__name__}"
            ) from None
        where = f"the minutes file {path}"
    if not text.strip():
        raise UserError(f"no minutes in {where} (it is empty)")
    return text


def _minutes_text(minutes: str | None, minutes_file: str | None) -> str | None:
    if minutes is not None and minutes_file is not None:
        raise UserError("give --minutes or --minutes-file, not both")
    if minutes_file is not None:
        return _read_minutes(minutes_file)
    return minutes


def _fields(**given: Any) -> meetings.Fields:
    given["concerns"] = tuple(given.pop("concern") or ())
    given["actions"] = tuple(given.pop("action") or ())
    return meetings.Fields(**given)


# -- prompting -------------------------------------------------------------------------------


def _ask(text: str, default: str, check: Callable[[str], Any], *, show: bool = True) -> Any:
    """A prompt on stderr whose answer goes through a domain check (re-asked when invalid)."""

    def proc(value: str) -> Any:
        try:
            return check(value.strip())
        except UserError as exc:
            # Click prints this itself, not through cosa.output: it may quote stored text.
            text = exc.message + (f"; {exc.hint}" if exc.hint else "")
            raise typer.BadParameter(safe(text)) from None

    # Ctrl-D (end of input) or Ctrl-C here raises typer.Abort: the CLI says "cancelled"
    # and exits 130; nothing has been written yet.
    return typer.prompt(safe(text), default=default, value_proc=proc, err=True, show_default=show)


def _optional(check: Callable[[str], str]) -> Callable[[str], str | None]:
    return lambda value: check(value) if value else None


def _prompt_missing(store: Store, draft: meetings.Draft, fields: meetings.Fields) -> None:
    """Ask for what the user left out: date, type, present, apologies, CM attendance, RAG."""
    circle, day = draft.circle, draft.day
    if fields.date is None:
        default = meetings.next_unrecorded_day(store, circle)
        fields.date = day = _ask(
            f"Date of the meeting ({DATE_FORMS})", default, meetings.meeting_day
        )
    if fields.type is None:
        types = ", ".join(meetings.meeting_types(store))
        fields.type = _ask(
            f"Meeting type ({types})", "formal", lambda v: meetings.check_type(store, v)
        )
    members = meetings.members_on(store, circle, day)
    if members and fields.present is None and fields.apologies is None:
        names = ", ".join(f"{m['volunteer_id']} {m['volunteer_name']}" for m in members)
        message(f"Members of circle {circle['id']} ({circle['member_code']}) on {day}: {names}")

        def who(option: str) -> Callable[[str], list[str]]:
            def check(value: str) -> list[str]:
                if value.lower() in ("", "none", "-"):
                    return []
                found = meetings.attendees(store, circle, day, value, option)
                return [str(m["volunteer_id"]) for m in found]

            return check

        present: list[str] = _ask(
            "Present (names or numbers, comma-separated; all; none)", "all", who("present")
        )
        fields.present = present
        if len(present) < len(members):
            fields.apologies = _ask(
                "Apologies from (empty for none)", "", who("apologies"), show=False
            )
    if fields.cm_attended is None:
        fields.cm_attended = _ask(
            "Did the core member attend (yes, late, no)", "yes", meetings.check_cm_attended
        )
        if fields.cm_attended == "late" and fields.late_reason is None:
            fields.late_reason = _ask("Why late (optional)", "", str, show=False) or None
        if fields.cm_attended == "no" and fields.no_meeting_reason is None:
            fields.no_meeting_reason = _ask("Why not (optional)", "", str, show=False) or None
    if fields.rag is None:
        fields.rag = _ask(
            "RAG rating (green, amber, red; empty to set it when approving)",
            "",
            _optional(meetings.check_rag),
            show=False,
        )


def _edit_minutes(draft: meetings.Draft, current: str | None = None) -> str | None:
    """Open $EDITOR on the minutes (or the template); None when left unchanged."""
    from cosa import editor

    title = f"circle {draft.circle['id']} ({draft.circle['member_code']}), meeting on {draft.day}"
    template = editor.MINUTES_TEMPLATE.format(title=title)
    if current is None:
        return editor.strip_template(editor.edit_text(template), template)
    return editor.edit_text(current + "\n")


def _choose(text: str, choices: Sequence[str], default: str) -> str:
    def check(value: str) -> str:
        low = value.lower()
        hits = [c for c in choices if c.startswith(low)] if low else [default]
        if len(hits) != 1:
            raise UserError(f"answer one of: {', '.join(choices)}")
        return hits[0]

    return str(_ask(text, default, check))


def _records_from_sections(store: Store, draft: meetings.Draft) -> None:
    """After the editor: offer each line under "Concerns" and "Actions" as a concern
    (severity, category) or an action (owner, due), added to the draft."""
    from cosa.domain import concerns as concerns_domain
    from cosa.domain import lookups
    from cosa.domain.members import date_field

    found = [
        (item, default)
        for heading, default in (("Concerns", "concern"), ("Actions", "action"))
        for item in meetings.section_items(draft.values.get("minutes"), heading)
    ]
    if not found:
        return
    message("Under Concerns and Actions you wrote:")
    categories = ", ".join(lookups.values(store, "concern-category"))
    for item, default in found:
        message(f"  {item}")
        kind = _choose(
            "Record it as a concern, an action, or nothing",
            ("concern", "action", "nothing"),
            default,
        )
        if kind == "concern":
            severity = _choose("Severity (red, amber, green)", concerns_domain.SEVERITIES, "amber")
            category = _ask(
                f"Category ({categories})",
                "other",
                lambda v: lookups.check(store, "concern-category", v, field="category"),
            )
            draft.concerns.append(
                {"severity": severity, "category": category, "text": item, "on": draft.day}
            )
        elif kind == "action":
            owner = _ask("Owner (empty for none)", "", str, show=False) or None
            due = _ask(
                "Due (empty for none; a weekday means the next one)",
                "",
                _optional(lambda v: str(date_field("due", v, future=True))),
                show=False,
            )
            draft.actions.append({"text": item, "owner": owner, "due": due})


def _confirm_duplicate(store: Store, draft: meetings.Draft) -> None:
    """On a terminal, a held meeting of the same type that day is asked about (not refused)."""
    if draft.force or not secrets_input.interactive():
        return
    values = draft.values
    found = meetings.duplicate_of(
        store, draft.circle["id"], draft.day, str(values.get("type")), but=draft.meeting_id
    )
    if found is None:
        return
    try:
        again = typer.confirm(
            safe(
                f"Circle {draft.circle['id']} ({draft.circle['member_code']}) already has a held"
                f" {found['type']} meeting on {found['date']} (meeting {found['id']})."
                " Record another one?"
            ),
            default=False,
            err=True,
        )
    except typer.Abort:
        raise KeyboardInterrupt from None
    draft.force = again


def _red_warning(draft: meetings.Draft) -> None:
    from cosa.domain import concerns as concerns_domain

    if any(c["severity"] == "red" for c in draft.concerns):
        message(concerns_domain.RED_REMINDER)


# -- commands --------------------------------------------------------------------------------


@app.command("add")
def add(
    ctx: typer.Context,
    circle: CircleArg,
    date: DateOpt = None,
    time: TimeOpt = None,
    duration: DurationOpt = None,
    type_: TypeOpt = None,
    present: PresentOpt = None,
    apologies: ApologiesOpt = None,
    cm_attended: CmAttendedOpt = None,
    late_reason: LateReasonOpt = None,
    no_meeting_reason: NoMeetingReasonOpt = None,
    rag: RagOpt = None,
    notify_pp: Annotated[
        bool, typer.Option("--notify-pp", help="The probation practitioner must be told.")
    ] = False,
    venue: VenueOpt = None,
    minutes: MinutesOpt = None,
    minutes_file: MinutesFileOpt = None,
    concern: ConcernOpt = None,
    concern_severity: SeverityOpt = "amber",
    concern_category: CategoryOpt = "other",
    action: ActionOpt = None,
    owner: OwnerOpt = None,
    due: DueOpt = None,
    no_prompt: NoPromptOpt = False,
    force: ForceOpt = False,
) -> None:
    """Record a meeting that took place: attendance, RAG, minutes, concerns and actions raised.

    Prints the new meeting's number on stdout. Minutes are due 48 hours after the meeting
    until approved. On a terminal, missing fields (the date first) are asked for and $EDITOR
    opens on the minutes template (leave it unchanged for "no minutes yet"; empty sections are
    dropped); what you write under Concerns and Actions can then be recorded as concerns and
    actions. --no-prompt skips that. A second held meeting of the same type on the same day is
    refused (asked about on a terminal) unless --force. A meeting that did not take place is
    `cosa meeting cancel`.
    """
    store = open_store(ctx)
    fields = _fields(
        date=date,
        time=time,
        duration=duration,
        type=type_,
        present=present,
        apologies=apologies,
        cm_attended=cm_attended,
        late_reason=late_reason,
        no_meeting_reason=no_meeting_reason,
        rag=rag,
        notify_pp=notify_pp,
        venue=venue,
        minutes=_minutes_text(minutes, minutes_file),
        concern=concern,
        concern_severity=concern_severity,
        concern_category=concern_category,
        action=action,
        owner=owner,
        due=due,
    )
    if fields.minutes is not None and not fields.minutes.strip():
        raise UserError("--minutes must not be empty", hint="leave it out for no minutes yet")
    draft = meetings.prepare(store, circle, fields, force=force)
    if not no_prompt and secrets_input.interactive():
        _prompt_missing(store, draft, fields)
        draft = meetings.prepare(store, circle, fields, force=force)
        _confirm_duplicate(store, draft)  # before the editor: nothing typed is lost
        if fields.minutes is None:
            draft.set_minutes(_edit_minutes(draft))
            _records_from_sections(store, draft)
    mid = meetings.save(store, draft)
    row = meetings.get(store, mid)
    echo(mid)
    state = {"late": " (late already)", "none": " (no minutes yet)"}.get(row["minutes_state"], "")
    message(
        f"Recorded meeting {mid} for {row['member_code']} on {row['date']};"
        f" minutes due by {row['minutes_due_at'][:16]}{state}"
    )
    _red_warning(draft)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    circle: OptionalCircleArg = None,
    start: Annotated[str | None, typer.Option("--from", help="From this date.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Up to this date.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Only this meeting type.")] = None,
    state: Annotated[
        str | None,
        typer.Option("--status", "--state", help="Only this status: held, cancelled or void."),
    ] = None,
    all_: AllOpt = False,
    upcoming: Annotated[
        bool,
        typer.Option(
            "--upcoming",
            help="The planned meetings of the next 4 weeks from each active circle's schedule"
            " (day, cadence), without the days already recorded or cancelled.",
        ),
    ] = False,
    coordinator: Annotated[
        str | None,
        typer.Option("--coordinator", help="Only the circles this user coordinates (or me)."),
    ] = None,
    limit: LimitOpt = 50,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List meetings, most recent first, with CM attendance, RAG, minutes state and state.

    Minutes state: none, draft, late (not approved 48 h after the meeting) or approved.
    State: held, cancelled (did not take place) or void (recorded in error; only with --all).
    """
    store = open_store(ctx)
    if upcoming:
        if start or end or type_ or state or all_ or coordinator:
            raise UserError("--upcoming goes with a circle, --limit, --json or --csv only")
        planned = meetings.upcoming(store, circle)
        shown = planned[:limit] if limit else planned
        if json_:
            from cosa.models import Upcoming

            model_json(Upcoming, shown)
        else:
            table(shown, UPCOMING_COLUMNS, csv_out=csv_, empty="no meetings planned")
        if len(shown) < len(planned):
            message(f"(showing the first {limit}; --limit 0 shows all)")
        return
    rows = meetings.list_(
        store,
        circle,
        start=start,
        end=end,
        meeting_type=type_,
        state=state,
        include_void=all_,
        limit=limit + 1 if limit else None,
        coordinator=users.resolve_coordinator(store, coordinator),
    )
    more = bool(limit) and len(rows) > limit
    rows = rows[:limit] if limit else rows
    if json_:
        from cosa.models import Meeting

        model_json(Meeting, rows)
    else:
        table(rows, COLUMNS, csv_out=csv_, empty="no meetings (`cosa meeting add CIRCLE`)")
    if more:
        message(f"(showing the {limit} most recent; --limit 0 shows all)")


def _when(row: Row) -> str:
    text = str(row["date"])
    if row["time"]:
        text += f" {row['time']}"
    if row["duration_minutes"]:
        text += f", {row['duration_minutes']} min"
    return text


def _cm_line(row: Row) -> str:
    text = str(row["cm_attended"] or "not recorded")
    reason = row["late_reason"] or row["no_meeting_reason"]
    return f"{text}: {reason}" if reason else text


def _minutes_line(row: Row) -> str:
    state = row["minutes_state"]
    if state == "approved":
        return f"approved {row['approved_at'][:16]} by {row['approved_by']}"
    due = f"due by {row['minutes_due_at'][:16]}"
    if state == "late":
        return f"late ({'draft' if row['minutes'] else 'none yet'}; were {due})"
    return f"{'draft' if state == 'draft' else 'none yet'}, {due}"


def _people(rows: Sequence[Row], status: str) -> str:
    names = [r["volunteer_name"] for r in rows if r["status"] == status]
    return ", ".join(names) or "none recorded"


def _state_line(row: Row) -> str:
    if row["state"] == "cancelled":
        moved = f"; moved to {row['moved_to']}" if row["moved_to"] else ""
        return f"cancelled: {row['state_reason']}{moved}"
    if row["state"] == "void":
        return f"VOID (recorded in error): {row['state_reason']}"
    return "held"


@app.command("show")
def show(
    ctx: typer.Context, meeting: MeetingArg, all_: AllOpt = False, json_: JsonOpt = False
) -> None:
    """Show a meeting: attendance (and who was absent without apology), concerns, actions,
    minutes and their amendments. A void meeting only with --all."""
    store = open_store(ctx)
    row = meetings.detail(store, meeting, include_void=all_)
    audit.record_view(store, "meeting show", "meeting", row["id"])
    if json_:
        from cosa.models import MeetingDetail

        model_json(MeetingDetail, row)
        return
    if row["state"] == "cancelled":
        record(
            [
                ("Meeting", row["id"]),
                ("Circle", f"{row['circle_id']} ({row['member_code']})"),
                ("When", _when(row)),
                ("Type", row["type"]),
                ("State", _state_line(row)),
                ("Recorded", f"{row['created_at'][:16]} by {row['created_by']}"),
            ]
        )
        return
    absent = ", ".join(a["volunteer_name"] for a in row["absent"])
    pairs: list[tuple[str, Any]] = [
        ("Meeting", row["id"]),
        ("Circle", f"{row['circle_id']} ({row['member_code']})"),
        ("When", _when(row)),
        ("Type", row["type"]),
        ("State", _state_line(row)),
        ("Venue", row["venue"]),
        ("Core member", _cm_line(row)),
        ("RAG", row["rag"] or "not set"),
        ("Notify PP", bool(row["notify_pp"])),
        ("Present", _people(row["attendance"], "present")),
        ("Apologies", _people(row["attendance"], "apologies")),
        ("Absent", absent or ("none" if row["attendance"] else "not recorded")),
        ("Minutes", _minutes_line(row)),
        ("Recorded", f"{row['created_at'][:16]} by {row['created_by']}"),
        ("Updated", f"{row['updated_at'][:16]} by {row['updated_by']}"),
    ]
    record(pairs)
    for title, rows, columns in (
        ("Concerns raised", row["concerns"], CONCERN_COLUMNS),
        ("Actions agreed", row["actions"], ACTION_COLUMNS),
    ):
        if rows:
            echo(f"\n{title}")
            table(rows, columns)
    echo("\nMinutes")
    echo(row["minutes"] or "  none yet")
    if row["amendments"]:
        echo("\nAmendments")
        for a in row["amendments"]:
            reason = f" — {a['reason']}" if a["reason"] else ""
            echo(f"{a['id']}. {a['created_at'][:16]} by {a['created_by']}{reason}")
            for line in a["text"].splitlines():
                echo(f"   {line}")
            for col, (before, after) in meetings.amendment_changes(a).items():
                echo(f"   {col}: {before if before is not None else '—'} → {after}")


@app.command("edit")
def edit(
    ctx: typer.Context,
    meeting: MeetingArg,
    date: DateOpt = None,
    time: TimeOpt = None,
    duration: DurationOpt = None,
    type_: TypeOpt = None,
    present: PresentOpt = None,
    apologies: ApologiesOpt = None,
    cm_attended: CmAttendedOpt = None,
    late_reason: LateReasonOpt = None,
    no_meeting_reason: NoMeetingReasonOpt = None,
    rag: RagOpt = None,
    notify_pp: Annotated[
        bool | None,
        typer.Option("--notify-pp/--no-notify-pp", help="Whether the PP must be told."),
    ] = None,
    venue: VenueOpt = None,
    minutes: MinutesOpt = None,
    minutes_file: MinutesFileOpt = None,
    concern: ConcernOpt = None,
    concern_severity: SeverityOpt = "amber",
    concern_category: CategoryOpt = "other",
    action: ActionOpt = None,
    owner: OwnerOpt = None,
    due: DueOpt = None,
    force: ForceOpt = False,
) -> None:
    """Change a meeting whose minutes are not approved yet (empty text clears a field).

    --present/--apologies replace the recorded lists. --concern and --action add new ones.
    With no options on a terminal, $EDITOR opens on the minutes.
    """
    store = open_store(ctx)
    fields = _fields(
        date=date,
        time=time,
        duration=duration,
        type=type_,
        present=present,
        apologies=apologies,
        cm_attended=cm_attended,
        late_reason=late_reason,
        no_meeting_reason=no_meeting_reason,
        rag=rag,
        notify_pp=notify_pp,
        venue=venue,
        minutes=_minutes_text(minutes, minutes_file),
        concern=concern,
        concern_severity=concern_severity,
        concern_category=concern_category,
        action=action,
        owner=owner,
        due=due,
    )
    draft = meetings.prepare_edit(store, meeting, fields, force=force)
    nothing_given = fields == meetings.Fields(notify_pp=None)
    if nothing_given:
        if not secrets_input.interactive():
            raise UserError(
                "nothing to change", hint="give options, e.g. --minutes-file PATH or --rag amber"
            )
        current = meetings.get(store, draft.meeting_id or 0)["minutes"]
        draft.set_minutes(_edit_minutes(draft, current))
    if not meetings.has_changes(draft, store):
        message(f"Meeting {draft.meeting_id}: nothing changed.")
        return
    mid = meetings.save(store, draft)
    row = meetings.get(store, mid)
    message(f"Updated meeting {mid} ({row['member_code']}, {row['date']}).")
    _red_warning(draft)


@app.command("approve")
def approve(
    ctx: typer.Context,
    meeting: MeetingArg,
    rag: Annotated[
        str | None, typer.Option("--rag", help="Set the RAG rating as you approve.")
    ] = None,
) -> None:
    """Approve a meeting's minutes; from then on they change only by `meeting amend`."""
    row = meetings.approve(open_store(ctx), meeting, rag=rag)
    message(
        f"Approved the minutes of meeting {row['id']} ({row['member_code']}, {row['date']})"
        + (f"; RAG {row['rag']}" if row["rag"] else "; no RAG rating set")
    )


@app.command("amend")
def amend(
    ctx: typer.Context,
    meeting: MeetingArg,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why it is corrected (required).")
    ] = None,
    text: Annotated[
        str | None,
        typer.Argument(help="The correction (on a terminal, $EDITOR opens without it)."),
    ] = None,
    old_text: Annotated[
        str | None, typer.Option("--text", hidden=True, help="Old spelling of TEXT.")
    ] = None,
    date: DateOpt = None,
    type_: TypeOpt = None,
    present: PresentOpt = None,
    apologies: ApologiesOpt = None,
    cm_attended: CmAttendedOpt = None,
    late_reason: LateReasonOpt = None,
    no_meeting_reason: NoMeetingReasonOpt = None,
    rag: RagOpt = None,
    force: ForceOpt = False,
) -> None:
    """Correct an approved meeting: an amendment with its own text, reason, time and operator.

    --on, --type, --present, --apologies, --cm-attended and --rag correct the meeting's
    record itself (every figure uses the corrected values); the amendment keeps each value
    before and after. The approved minutes text never changes. --reason is required.
    """
    if old_text is not None:
        deprecated_spelling("--text", "the TEXT argument")
    text = text if text is not None else old_text
    store = open_store(ctx)
    row = meetings.get(store, meeting)
    fields = meetings.Fields(
        date=date,
        type=type_,
        present=present,
        apologies=apologies,
        cm_attended=cm_attended,
        late_reason=late_reason,
        no_meeting_reason=no_meeting_reason,
        rag=rag,
    )
    structured = fields != meetings.Fields()
    if text is None and not structured:
        if not secrets_input.interactive() or not row["approved_at"] or not (reason or "").strip():
            meetings.amend(store, row["id"], None, reason=reason)  # raises the right error
        from cosa import editor

        template = (
            f"# Amendment to the approved minutes of meeting {row['id']}"
            f" ({row['member_code']}, {row['date']}).\n"
            "# Lines starting with '#' are removed. Leave it empty to cancel.\n"
        )
        text = editor.strip_template(editor.edit_text(template), template)
        if text is None:
            message("No amendment written.")
            return
    aid = meetings.amend(store, row["id"], text, reason=reason, fields=fields, force=force)
    message(f"Added amendment {aid} to meeting {row['id']} ({row['member_code']}, {row['date']}).")


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    circle: CircleArg,
    on: Annotated[
        str | None,
        typer.Option("--on", help=f"The date of the meeting that did not happen ({DATE_FORMS})."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why it did not take place (required).")
    ] = None,
    type_: Annotated[
        str | None, typer.Option("--type", help="Meeting type (default formal).")
    ] = None,
    moved_to: Annotated[
        str | None,
        typer.Option("--moved-to", help="The date it moved to (record that meeting when held)."),
    ] = None,
) -> None:
    """Record a meeting that did not take place: it owes no minutes and counts in no figure
    but "meetings cancelled". Prints its number on stdout.

    Postponing is a cancellation (with --moved-to) plus the meeting on the new date.
    """
    store = open_store(ctx)
    mid = meetings.cancel(
        store, circle, on=on, reason=reason, meeting_type=type_, moved_to=moved_to
    )
    row = meetings.get(store, mid)
    echo(mid)
    moved = f"; moved to {row['moved_to']}" if row["moved_to"] else ""
    message(f"Recorded meeting {mid} for {row['member_code']} on {row['date']} as cancelled{moved}")


@app.command("void")
def void(
    ctx: typer.Context,
    meeting: MeetingArg,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why it was recorded in error (required).")
    ] = None,
) -> None:
    """Void a meeting recorded in error (approved ones too): it leaves every list, figure and
    report, and stays in the audit trail and in `meeting show --all`. The concerns raised at
    it still count: it names them (`cosa concern void` each one recorded in error too).
    """
    store = open_store(ctx)
    row = meetings.void(store, meeting, reason=reason)
    message(f"Voided meeting {row['id']} ({row['member_code']}, {row['date']}).")
    standing = concerns.standing_at_meeting(store, row["id"])
    if standing:
        numbers = [str(n) for n in standing]
        which = ", ".join(numbers[:-1]) + " and " + numbers[-1] if len(numbers) > 1 else numbers[0]
        verb = "still count" if len(numbers) > 1 else "still counts"
        message(
            f"Concern{'s' if len(numbers) > 1 else ''} {which}, raised at this meeting, {verb};"
            " if recorded in error too: cosa concern void N --reason …"
        )


@app.command("told")
def told(
    ctx: typer.Context,
    meeting: MeetingArg,
    recipient: Annotated[
        str,
        typer.Option("--recipient", help="The professional told: number or unique name prefix."),
    ],
    on: Annotated[
        str | None,
        typer.Option("--on", help=f"The day they were told (default today; {DATE_HELP_SHORT})."),
    ] = None,
    via: Annotated[
        str | None, typer.Option("--via", help="How: phone, email, secure email, in person.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What was said.")] = None,
) -> None:
    """Record that a meeting's information was passed to a professional (a call, an email):
    a disclosure of kind "notification" (basis public task). Telling probation clears the
    meeting's "probation to be told" item in `cosa status`. Prints the disclosure's number.
    """
    from cosa.domain import disclosures

    store = open_store(ctx)
    did = disclosures.record_told(store, meeting, recipient, on=on, via=via, note=note)
    row = disclosures.get(store, did)
    echo(did)
    message(
        f"Recorded disclosure {did}: meeting {row['meeting_id']} told to {row['recipient']}"
        f" on {row['disclosed_on']}"
    )
