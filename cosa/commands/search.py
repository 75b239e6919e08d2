"""`cosa search TEXT`: full-text search over minutes, amendments, notes, concerns, contacts."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from cosa import audit
from cosa.commands.common import CsvOpt, JsonOpt, open_store
from cosa.domain import circles
from cosa.domain import search as search_domain
from cosa.output import message, model_json, safe, table
from cosa.screen import stdout_is_tty

#: Private snippet marks, turned into `[word]` (plain, JSON) or bold (terminal), so brackets
#: that are part of the text itself are never mistaken for a match.
OPEN, CLOSE = "\x02", "\x03"
LABELS = {"concern_note": "concern note"}


def _plain(snippet: str) -> str:
    return " ".join(snippet.replace(OPEN, "[").replace(CLOSE, "]").split())


def _record(hit: dict[str, Any]) -> str:
    label = f"{LABELS.get(hit['record_type'], hit['record_type'])} {hit['record_id']}"
    if hit["record_type"] == "amendment" and hit["meeting_id"]:
        label += f" (meeting {hit['meeting_id']})"
    elif hit["record_type"] in ("concern_note", "escalation") and hit["concern_id"]:
        label += f" (concern {hit['concern_id']})"
    return label


def search(
    ctx: typer.Context,
    text: Annotated[
        list[str], typer.Argument(help="Words to find (all must match; the last may be a prefix).")
    ],
    circle: Annotated[
        str | None,
        typer.Option("--circle", help="Only this circle (number or core member's code)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most N results.", min=1)] = 20,
    best: Annotated[
        bool, typer.Option("--best", help="Order by relevance (bm25) instead of newest first.")
    ] = False,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """Search minutes, amendments, concerns, notes and contacts; newest first.

    Shows each hit's record, circle, date and a snippet with the matching words marked.
    """
    store = open_store(ctx)
    circle_id = circles.resolve_circle(store, circle)["id"] if circle is not None else None
    hits = search_domain.hits(
        store, " ".join(text), limit=limit, circle_id=circle_id, marks=(OPEN, CLOSE), best=best
    )
    audit.record_view(
        store, "search", detail={"results": [[h["record_type"], h["record_id"]] for h in hits]}
    )
    if json_:
        from cosa.models import SearchHit

        model_json(SearchHit, [{**h, "snippet": _plain(h["snippet"])} for h in hits])
        return
    if not hits and not csv_:
        message("no matches")
        return
    if stdout_is_tty() and not csv_:
        _rich(hits)
        return
    rows = [{**h, "record": _record(h), "snippet": _plain(h["snippet"])} for h in hits]
    table(
        rows,
        [("record", "Record"), ("code", "Circle"), ("date", "Date"), ("snippet", "Snippet")],
        csv_out=csv_,
    )


def _rich(hits: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    t = Table(header_style="bold", show_edge=False)
    for header in ("Record", "Circle", "Date", "Snippet"):
        t.add_column(header, overflow="fold")
    for h in hits:
        snippet = Text()
        bold = False
        for part in " ".join(h["snippet"].split()).replace(CLOSE, OPEN).split(OPEN):
            snippet.append(safe(part), style="bold" if bold else None)
            bold = not bold
        t.add_row(Text(safe(_record(h))), Text(safe(h["code"] or "")), h["date"] or "", snippet)
    Console(no_color=bool(os.environ.get("NO_COLOR")), force_terminal=True).print(t)
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("search")(search)
