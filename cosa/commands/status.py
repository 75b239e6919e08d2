"""`cosa status`: the Monday-morning dashboard."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cosa.commands.common import JsonOpt, open_store
from cosa.domain import status as status_domain
from cosa.output import Column, echo, safe, table

COLUMNS: dict[str, list[Column]] = {
    "concerns": [
        ("id", "#"),
        ("severity", "RAG"),
        ("member_code", "Member"),
        ("date", "Raised"),
        ("days_open", "Days"),
        ("category", "Category"),
        ("text", "Concern"),
        ("escalations", "Escalated"),
    ],
    "minutes_late": [
        ("meeting_id", "Meeting"),
        ("member_code", "Member"),
        ("date", "Date"),
        ("type", "Type"),
        ("minutes_due_at", "Due"),
        ("hours_late", "Hours late"),
        ("has_minutes", "Written"),
    ],
    "actions_overdue": [
        ("id", "#"),
        ("member_code", "Member"),
        ("text", "Action"),
        ("owner", "Owner"),
        ("due", "Due"),
    ],
    "circles_not_met": [
        ("id", "Circle"),
        ("member_code", "Member"),
        ("last_meeting", "Last meeting"),
        ("days_since_meeting", "Days"),
        ("cadence_days", "Cadence"),
        ("meeting_due_by", "Due by"),
    ],
    "actions_due": [
        ("id", "#"),
        ("member_code", "Member"),
        ("text", "Action"),
        ("owner", "Owner"),
        ("due", "Due"),
    ],
    "reviews_due": [
        ("circle_id", "Circle"),
        ("member_code", "Member"),
        ("last_review", "Last review"),
        ("due", "Due"),
        ("days_left", "Days left"),
    ],
    "licences_ending": [
        ("member_code", "Member"),
        ("circle_id", "Circle"),
        ("licence_end", "Licence ends"),
        ("days_left", "Days left"),
    ],
    "vetting_not_cleared": [
        ("id", "#"),
        ("name", "Volunteer"),
        ("status", "Status"),
        ("last_checked", "Issued"),
        ("decision", "Decision"),
    ],
    "vetting_overdue": [
        ("id", "#"),
        ("name", "Volunteer"),
        ("status", "Status"),
        ("last_checked", "Last checked"),
        ("recheck_due", "Re-check due"),
    ],
    "vetting_due": [
        ("id", "#"),
        ("name", "Volunteer"),
        ("status", "Status"),
        ("last_checked", "Last checked"),
        ("recheck_due", "Re-check due"),
    ],
    "supervision_overdue": [
        ("id", "#"),
        ("name", "Volunteer"),
        ("last_supervision", "Last supervision"),
        ("due_on", "Due"),
    ],
    "supervision_due": [
        ("id", "#"),
        ("name", "Volunteer"),
        ("last_supervision", "Last supervision"),
        ("due_on", "Due"),
    ],
    "followups_due": [
        ("circle_id", "Circle"),
        ("member_code", "Member"),
        ("ended_on", "Ended"),
        ("months", "Months"),
        ("due_on", "Due"),
        ("days_left", "Days left"),
    ],
    "agreements_to_sign": [
        ("circle_id", "Circle"),
        ("member_code", "Member"),
        ("version", "Agreement"),
        ("last_signed", "Last signed"),
        ("missing", "Still to sign"),
    ],
    "sars_due": [
        ("id", "SAR"),
        ("member_code", "Member"),
        ("received_on", "Received"),
        ("due", "Due"),
        ("days_left", "Days left"),
    ],
    "complaints_due": [
        ("id", "Complaint"),
        ("received_on", "Received"),
        ("complainant", "Complainant"),
        ("acknowledge_by", "Acknowledge by"),
        ("days_left", "Days left"),
    ],
    "probation_to_be_told": [
        ("meeting_id", "Meeting"),
        ("member_code", "Member"),
        ("date", "Date"),
        ("type", "Type"),
        ("concerns", "Concerns"),
    ],
    "circles": [
        ("id", "Circle"),
        ("member_code", "Member"),
        ("coordinator", "Coordinator"),
        ("last_meeting", "Last meeting"),
        ("next_meeting", "Next meeting"),
        ("cadence_days", "Cadence"),
        ("meetings_held", "Held"),
        ("meetings_cancelled", "Cancelled"),
    ],
}


#: Where the whole of a long section can be seen.
MORE: dict[str, str] = {
    "concerns": "cosa concern list --open",
    "minutes_late": "cosa meeting list",
    "actions_overdue": "cosa action list --overdue",
    "actions_due": "cosa action list --due-within 7d",
    "vetting_not_cleared": "cosa report volunteers",
    "vetting_overdue": "cosa report volunteers",
    "vetting_due": "cosa report volunteers",
    "supervision_overdue": "cosa report volunteers",
    "supervision_due": "cosa report volunteers",
    "followups_due": "cosa followup list",
    "agreements_to_sign": "cosa agreement list",
    "sars_due": "cosa sar list --open",
    "complaints_due": "cosa complaint list --open",
    "circles": "cosa circle list --status active",
}


def status(
    ctx: typer.Context,
    json_: JsonOpt = False,
    limit: Annotated[
        int,
        typer.Option("--limit", help="Rows shown per section (0 = all); --json always has all."),
    ] = 10,
    coordinator: Annotated[
        str | None,
        typer.Option(
            "--coordinator",
            help="Only the circles this user coordinates (a name, me, or all; default: me"
            " when the workspace has more than one user, else all).",
        ),
    ] = None,
) -> None:
    """The Monday-morning dashboard: concerns, late minutes, actions, circles, reviews,
    licences, vetting and supervision, most urgent first."""
    store = open_store(ctx)
    who, why = _whose(store, coordinator)
    data = status_domain.status(store, coordinator=who)
    if json_:
        from cosa.models import Status
        from cosa.output import model_json

        model_json(Status, data)
        return
    echo(f"Status on {data['today']}" + (f" for {safe(who)}'s circles{why}" if who else ""))
    for key, title in status_domain.SECTIONS.items():
        rows: list[dict[str, Any]] = data[key]
        echo(f"\n{title} ({len(rows)})")
        if not rows:
            echo("  none")
            continue
        shown = rows if limit <= 0 else rows[:limit]
        table(shown, COLUMNS[key])
        if len(shown) < len(rows):
            where = f" (`{MORE[key]}`)" if key in MORE else ""
            echo(f"  … and {len(rows) - len(shown)} more{where}")


def _whose(store: Any, coordinator: str | None) -> tuple[str | None, str]:
    """(whose circles to show, or None for everyone's; a note for the header)."""
    from cosa.domain import users

    if coordinator is not None:
        if coordinator.strip().casefold() == "all":
            return None, ""
        return users.resolve_coordinator(store, coordinator), ""
    me = users.acting(store)
    if len(getattr(store, "people", [])) > 1 and me and me != "recovery code":
        return me, " (you: the default with several users; --coordinator all shows everyone's)"
    return None, ""


def register(app: typer.Typer) -> None:
    app.command("status")(status)
