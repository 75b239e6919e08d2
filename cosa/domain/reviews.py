"""Circle reviews, dynamic risk reviews and goal progress.

A review records who attended, the decision (continue, extend, phase-2, end), the
coordinator's RAG and when the next review is due (default three months on). A dynamic risk
review scores items from the lookup `risk-review-item` (risk and protective factors) 0 to 3;
`risk_trend` compares each item's first and latest score so change over time can be
reported (for a risk factor a fall is an improvement, for a protective factor a rise).
Goal progress updates are dated notes against a circle's Good Lives goals.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cosa import dates
from cosa.domain import lookups, search
from cosa.domain.circles import get_goal, index_goal, resolve_circle
from cosa.domain.concerns import check_circle_open_on, event_day
from cosa.domain.members import DateLike, date_field, number_ref
from cosa.domain.volunteers import check_choice, clean_text
from cosa.errors import UserError
from cosa.store import Row, Store

TABLE = "reviews"
DECISIONS = ("continue", "extend", "phase-2", "end")
RAGS = ("green", "amber", "red")
SCORES = (0, 1, 2, 3)
#: Months from one review (or the circle's start) to the next.
REVIEW_MONTHS = 3
RISK_ITEM_KIND = "risk-review-item"
PROTECTIVE_PREFIX = "protective"

_SELECT = (
    "SELECT r.*, m.code AS member_code FROM reviews r JOIN circles ci ON ci.id = r.circle_id"
    " JOIN core_members m ON m.id = ci.member_id"
)


def _decision(typed: str) -> str:
    """`phase 2` (the phase lookup's spelling) and `phase2` mean the decision `phase-2`."""
    return "-".join(typed.strip().lower().replace("-", " ").split()).replace("phase2", "phase-2")


def next_review_after(day: str | date) -> str:
    """The default next review: `REVIEW_MONTHS` months on (the day clamped to the month end)."""
    start = date.fromisoformat(day) if isinstance(day, str) else day
    return dates.iso(dates.parse_date(f"+{REVIEW_MONTHS}m", today=start)) or ""


# -- reviews ---------------------------------------------------------------------------------


def add(
    store: Store,
    circle: str | int,
    *,
    on: DateLike = None,
    attendees: str | None = None,
    decision: str = "continue",
    rag: str | None = None,
    next_review: DateLike = None,
    note: str | None = None,
) -> int:
    """Record a circle review; the next review defaults to three months after it."""
    row = resolve_circle(store, circle)
    day = event_day("--on", on)
    values = {
        "circle_id": row["id"],
        "date": day,
        "attendees": clean_text("--attendees", attendees),
        "decision": check_choice("--decision", _decision(decision), DECISIONS),
        "rag": check_choice("--rag", rag, RAGS) if rag is not None else None,
        "next_review": date_field("--next", next_review, future=True) or next_review_after(day),
        "note": clean_text("--note", note),
    }
    if values["next_review"] <= day:
        raise UserError(f"invalid --next {values['next_review']}: must be after the review ({day})")
    check_circle_open_on(row, day, "record a review")
    with store.atomic():
        rid = store.insert(TABLE, "review", values)
        search.index(store, "review", rid, values["note"], circle_id=row["id"], date=day)
    return rid


def get(store: Store, ref: str | int) -> Row:
    rid = number_ref("review", ref)
    row = store.one(f"{_SELECT} WHERE r.id = ?", (rid,))
    if row is None:
        raise UserError(f"review {rid} not found", hint="`cosa review list` shows them")
    return row


def list_(store: Store, circle: str | int | None = None) -> list[Row]:
    if circle is None:
        return store.query(f"{_SELECT} ORDER BY r.date, r.id")
    cid = resolve_circle(store, circle)["id"]
    return store.query(f"{_SELECT} WHERE r.circle_id = ? ORDER BY r.date, r.id", (cid,))


def detail(store: Store, ref: str | int) -> Row:
    """A review with the dynamic risk reviews recorded for it (same circle, same day)."""
    row = get(store, ref)
    return {**row, "risk_reviews": _risk_reviews(store, "rr.review_id = ?", (row["id"],))}


# -- dynamic risk reviews --------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).lower()


def match_item(items: list[str], typed: str) -> str:
    """The one item whose name is or contains what was typed (any case)."""
    want = _norm(typed)
    if not want:
        raise UserError("a --score needs an item name before '='")
    exact = [i for i in items if _norm(i) == want]
    if exact:
        return exact[0]
    hits = [i for i in items if want in _norm(i)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise UserError(
            f"unknown risk review item '{typed.strip()}'",
            hint=f"choose one of: {', '.join(items)} (or `cosa lookup add {RISK_ITEM_KIND}`)",
        )
    raise UserError(
        f"'{typed.strip()}' matches several items: {', '.join(hits)}",
        hint="type more of the name",
    )


def parse_scores(store: Store, scores: list[str]) -> dict[str, int]:
    """`["hostility=2", "stable accommodation=3"]` -> {item: score}, each item once."""
    if not scores:
        raise UserError('give at least one --score "ITEM=N"', hint="N is 0, 1, 2 or 3")
    items = lookups.values(store, RISK_ITEM_KIND)
    out: dict[str, int] = {}
    for text in scores:
        name, eq, number = text.rpartition("=")
        if not eq:
            raise UserError(f"invalid --score '{text}'", hint='use "ITEM=N", e.g. "hostility=2"')
        item = match_item(items, name)
        value = number.strip()
        if not value.isdigit() or int(value) not in SCORES:
            raise UserError(
                f"invalid --score '{text.strip()}': the score must be 0, 1, 2 or 3",
                hint="0 = not present / none, 3 = strongly present",
            )
        if item in out:
            raise UserError(f"'{item}' is scored twice")
        out[item] = int(value)
    return out


def add_risk_review(
    store: Store,
    circle: str | int,
    *,
    scores: list[str],
    on: DateLike = None,
    note: str | None = None,
) -> int:
    """Score risk and protective items for a circle; linked to that day's review if any."""
    row = resolve_circle(store, circle)
    day = event_day("--on", on)
    parsed = parse_scores(store, scores)
    check_circle_open_on(row, day, "record a risk review")
    review_id = store.scalar(
        "SELECT max(id) FROM reviews WHERE circle_id = ? AND date = ?", (row["id"], day)
    )
    with store.atomic():
        rid = store.insert(
            "risk_reviews",
            "risk_review",
            {
                "circle_id": row["id"],
                "review_id": review_id,
                "date": day,
                "note": clean_text("--note", note),
            },
        )
        for item, score in parsed.items():
            store.insert(
                "risk_review_scores",
                "risk_score",
                {"risk_review_id": rid, "item": item, "score": score},
            )
    return rid


def _risk_reviews(store: Store, where: str, params: tuple[Any, ...]) -> list[Row]:
    rows = store.query(
        "SELECT rr.*, s.item, s.score FROM risk_reviews rr"
        " LEFT JOIN risk_review_scores s ON s.risk_review_id = rr.id"
        f" WHERE {where} ORDER BY rr.date, rr.id, s.id",
        params,
    )
    reviews: dict[int, Row] = {}
    for r in rows:
        item, score = r.pop("item"), r.pop("score")
        review = reviews.setdefault(r["id"], {**r, "scores": {}})
        if item is not None:
            review["scores"][item] = score
    return list(reviews.values())


def risk_reviews(store: Store, circle: str | int) -> list[Row]:
    cid = resolve_circle(store, circle)["id"]
    return _risk_reviews(store, "rr.circle_id = ?", (cid,))


def item_kind(item: str) -> str:
    return "protective" if _norm(item).startswith(PROTECTIVE_PREFIX) else "risk"


def risk_trend(store: Store, circle: str | int) -> list[Row]:
    """Per item scored: first and latest score with dates, the change and its direction.

    `improved` is True when a risk item fell or a protective item rose, False for the
    opposite, None when unchanged or scored once. Items in lookup order, then others.
    """
    reviews = risk_reviews(store, circle)
    order = {item: i for i, item in enumerate(lookups.values(store, RISK_ITEM_KIND))}
    trend: dict[str, Row] = {}
    for review in reviews:
        for item, score in review["scores"].items():
            entry = trend.get(item)
            if entry is None:
                trend[item] = entry = {
                    "item": item,
                    "kind": item_kind(item),
                    "first_date": review["date"],
                    "first_score": score,
                    "reviews": 0,
                }
            entry.update(latest_date=review["date"], latest_score=score)
            entry["reviews"] += 1
    for entry in trend.values():
        change = entry["latest_score"] - entry["first_score"]
        entry["change"] = change
        better = change < 0 if entry["kind"] == "risk" else change > 0
        entry["improved"] = None if change == 0 else better
    return sorted(trend.values(), key=lambda e: (order.get(e["item"], len(order)), e["item"]))


# -- goal progress ---------------------------------------------------------------------------


def goal_progress(
    store: Store,
    goal: str | int,
    *,
    progress: str,
    on: DateLike = None,
    note: str | None = None,
) -> int:
    """Add a dated progress update to a goal; the goal's search entry gains its words."""
    row = get_goal(store, goal)
    values = {
        "goal_id": row["id"],
        "date": event_day("--on", on),
        "progress": clean_text("--progress", progress, required=True),
        "note": clean_text("--note", note),
    }
    with store.atomic():
        uid = store.insert("goal_updates", "goal_update", values)
        index_goal(store, row["id"])
    return uid


def goal_updates(store: Store, goal_id: int) -> list[Row]:
    return store.query("SELECT * FROM goal_updates WHERE goal_id = ? ORDER BY date, id", (goal_id,))


def progress_of(store: Store, circle: str | int) -> list[Row]:
    """Goal updates of a circle's goals in date order, with the goal's domain and text."""
    cid = resolve_circle(store, circle)["id"]
    return store.query(
        "SELECT u.*, g.circle_id, g.domain, g.text AS goal, g.outcome FROM goal_updates u"
        " JOIN circle_goals g ON g.id = u.goal_id WHERE g.circle_id = ? ORDER BY u.date, u.id",
        (cid,),
    )
