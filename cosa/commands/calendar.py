"""`cosa calendar`: planned meetings and due dates as an iCalendar (.ics) file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cosa.commands.common import open_store
from cosa.grammar import DATE_HELP_SHORT
from cosa.output import message

DATE_FORMS = DATE_HELP_SHORT


def calendar(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The .ics file to write.", dir_okay=False)
    ],
    from_: Annotated[
        str | None, typer.Option("--from", help=f"First day (default today; {DATE_FORMS}).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Last day (default 12 weeks after --from).")
    ] = None,
    circle: Annotated[
        str | None,
        typer.Option("--circle", help="Only this circle (number or core member's code)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write planned meetings, reviews, actions, DBS re-checks, supervision and follow-ups
    due to an iCalendar file (codes, circle numbers and first names only)."""
    from cosa.domain import calendar as cal

    count = cal.write(open_store(ctx), output, force=force, from_=from_, to=to, circle=circle)
    message(f"Wrote {count} events to {output}")


def register(app: typer.Typer) -> None:
    app.command("calendar")(calendar)
