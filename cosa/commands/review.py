"""`cosa review …`: circle reviews, dynamic risk reviews and goal progress."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cosa.commands.circle import CircleArg
from cosa.commands.common import CsvOpt, JsonOpt, OptionalCircleArg, open_store
from cosa.domain import reviews
from cosa.grammar import DATE_HELP_SHORT, LimitOpt, limited
from cosa.output import Column, message, model_json, record, table

app = typer.Typer(
    help="Circle reviews, dynamic risk reviews and goal progress.", no_args_is_help=True
)

ReviewArg = Annotated[str, typer.Argument(help="Review number.")]
DateOpt = Annotated[
    str | None,
    typer.Option("--on", "--date", help=f"The day it happened (default today; {DATE_HELP_SHORT})."),
]
COLUMNS: list[Column] = [
    ("id", "#"),
    ("member_code", "Member"),
    ("circle_id", "Circle"),
    ("date", "Date"),
    ("decision", "Decision"),
    ("rag", "RAG"),
    ("next_review", "Next review"),
    ("attendees", "Attendees"),
]
TREND_COLUMNS: list[Column] = [
    ("item", "Item"),
    ("first_date", "First"),
    ("first_score", "Score"),
    ("latest_date", "Latest"),
    ("latest_score", "Score"),
    ("change", "Change"),
    ("direction", "Direction"),
    ("reviews", "Reviews"),
]
PROGRESS_COLUMNS: list[Column] = [
    ("id", "#"),
    ("date", "Date"),
    ("goal_id", "Goal"),
    ("domain", "Domain"),
    ("progress", "Progress"),
    ("note", "Note"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    circle: CircleArg,
    on: DateOpt = None,
    attendees: Annotated[
        str | None, typer.Option("--attendees", help="Who attended (names or roles).")
    ] = None,
    decision: Annotated[
        str, typer.Option("--decision", help=f"One of: {', '.join(reviews.DECISIONS)}.")
    ] = "continue",
    rag: Annotated[
        str | None, typer.Option("--rag", help=f"RAG: {', '.join(reviews.RAGS)}.")
    ] = None,
    next_review: Annotated[
        str | None,
        typer.Option("--next", help="Next review date (default 3 months after this one)."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Notes of the review.")] = None,
) -> None:
    """Record a circle review and when the next one is due."""
    store = open_store(ctx)
    rid = reviews.add(
        store,
        circle,
        on=on,
        attendees=attendees,
        decision=decision,
        rag=rag,
        next_review=next_review,
        note=note,
    )
    row = reviews.get(store, rid)
    message(f"Added review {rid} for circle {row['circle_id']}; next review {row['next_review']}")
    if row["decision"] == "end":
        message(f"To end the circle: `cosa circle end {row['circle_id']} --on … --reason …`")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    circle: OptionalCircleArg = None,
    limit: LimitOpt = 50,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List reviews in date order (the most recent --limit of them)."""
    rows = limited(reviews.list_(open_store(ctx), circle), limit, quiet=json_ or csv_, latest=True)
    if json_:
        from cosa.models import Review

        model_json(Review, rows)
        return
    table(rows, COLUMNS, csv_out=csv_, empty="no reviews")


@app.command("show")
def show(ctx: typer.Context, review: ReviewArg, json_: JsonOpt = False) -> None:
    """Show a review with the risk reviews recorded the same day."""
    row = reviews.detail(open_store(ctx), review)
    if json_:
        from cosa.models import ReviewDetail

        model_json(ReviewDetail, row)
        return
    pairs: list[tuple[str, Any]] = [
        ("Number", row["id"]),
        ("Circle", f"{row['circle_id']} ({row['member_code']})"),
        ("Date", row["date"]),
        ("Attendees", row["attendees"]),
        ("Decision", row["decision"]),
        ("RAG", row["rag"]),
        ("Next review", row["next_review"]),
        ("Note", row["note"]),
        ("Recorded", f"{row['created_at']} by {row['created_by']}"),
    ]
    for risk in row["risk_reviews"]:
        scores = "\n".join(f"{item} = {score}" for item, score in risk["scores"].items())
        pairs.append((f"Risk review {risk['id']}", scores))
    record(pairs)


@app.command("risk")
def risk(
    ctx: typer.Context,
    circle: CircleArg,
    score: Annotated[
        list[str],
        typer.Option(
            "--score",
            help='"ITEM=N" with N 0 to 3; repeat per item (lookup risk-review-item;'
            " a unique part of the name is enough).",
        ),
    ],
    on: DateOpt = None,
    note: Annotated[str | None, typer.Option("--note", help="Notes of the risk review.")] = None,
) -> None:
    """Record a dynamic risk review: score risk and protective factors 0 to 3."""
    rid = reviews.add_risk_review(open_store(ctx), circle, scores=score, on=on, note=note)
    message(f"Added risk review {rid} ({len(score)} item{'s' if len(score) != 1 else ''})")


@app.command("risk-trend")
def risk_trend(
    ctx: typer.Context, circle: CircleArg, json_: JsonOpt = False, csv_: CsvOpt = False
) -> None:
    """Show each item's first and latest score, to report change over time."""
    rows = reviews.risk_trend(open_store(ctx), circle)
    if json_:
        from cosa.models import RiskTrend

        model_json(RiskTrend, rows)
        return
    for r in rows:
        r["direction"] = {True: "better", False: "worse", None: "same"}[r["improved"]]
    table(rows, TREND_COLUMNS, csv_out=csv_, empty="no risk reviews (`cosa review risk CIRCLE`)")


@app.command("goal")
def goal(
    ctx: typer.Context,
    goal: Annotated[str, typer.Argument(help="Goal number (see `circle goal list`).")],
    progress: Annotated[str, typer.Option("--progress", help="The progress made.")],
    on: DateOpt = None,
    note: Annotated[str | None, typer.Option("--note", help="A further note.")] = None,
) -> None:
    """Record progress on a Good Lives goal (outcomes: `circle goal set`)."""
    uid = reviews.goal_progress(open_store(ctx), goal, progress=progress, on=on, note=note)
    message(f"Added progress update {uid} to goal {goal.strip().lstrip('#')}")


@app.command("progress")
def progress(
    ctx: typer.Context, circle: CircleArg, json_: JsonOpt = False, csv_: CsvOpt = False
) -> None:
    """List the progress updates on a circle's goals."""
    rows = reviews.progress_of(open_store(ctx), circle)
    if json_:
        from cosa.models import GoalUpdate

        model_json(GoalUpdate, rows)
        return
    table(rows, PROGRESS_COLUMNS, csv_out=csv_, empty="no progress updates")
