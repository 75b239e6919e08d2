"""Volunteers' expenses: claims in integer pence (never floats), paid once.

A claim has a day, an amount, optionally miles and the circle it was for, a kind (travel,
subsistence, other) and a note; `pay` records the day it was paid, once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cosa import money
from cosa.domain.circles import resolve_circle
from cosa.domain.members import number_ref
from cosa.domain.volunteers import check_choice, clean_text, get, not_after_leaving, parse_day
from cosa.errors import UserError
from cosa.store import Row, Store

TABLE = "volunteer_expenses"
RECORD = "volunteer_expense"
KINDS = ("travel", "subsistence", "other")
MAX_MILES = 2000.0


def _miles(value: float | None) -> float | None:
    if value is None:
        return None
    if not value == value or value <= 0 or value > MAX_MILES:  # NaN, negative, absurd
        raise UserError(
            f"invalid --miles '{value:g}': must be more than 0 and at most {MAX_MILES:g}"
        )
    return round(float(value), 1)


def add(
    store: Store,
    ref: str,
    *,
    on: str | date,
    amount: str,
    miles: float | None = None,
    circle: str | None = None,
    kind: str = "travel",
    note: str | None = None,
    today: date | None = None,
) -> int:
    """Record an expense claim; returns its id."""
    row = get(store, ref)
    values: dict[str, Any] = {
        "volunteer_id": row["id"],
        "date": parse_day("--on", on, required=True, not_future=True, today=today),
        "amount_pence": money.parse_pence("--amount", amount),
        "miles": _miles(miles),
        "circle_id": resolve_circle(store, circle)["id"] if circle else None,
        "kind": check_choice("--type", kind, KINDS),
        "note": clean_text("--note", note),
    }
    not_after_leaving(row, values["date"], "an expense")
    with store.atomic():
        return store.insert(TABLE, RECORD, values)


def get_expense(store: Store, ref: str | int) -> Row:
    eid = number_ref("expense", ref)
    row = store.one(f"SELECT * FROM {TABLE} WHERE id = ?", (eid,))
    if row is None:
        raise UserError(f"expense {eid} not found", hint="`cosa volunteer expense list` shows them")
    return row


def pay(
    store: Store, ref: str | int, *, on: str | date | None = None, today: date | None = None
) -> Row:
    """Record that an expense was paid on a day (once); returns the expense."""
    row = get_expense(store, ref)
    day = parse_day("--on", on or (today or date.today()), not_future=True, today=today)
    assert day is not None
    if row["paid_on"] is not None:
        raise UserError(f"expense {row['id']} was already paid on {row['paid_on']}")
    if day < row["date"]:
        raise UserError(f"invalid --on '{day}': before the expense ({row['date']})")
    with store.atomic():
        store.update(TABLE, RECORD, row["id"], {"paid_on": day}, "volunteer_expense.pay")
    return {**row, "paid_on": day}


def list_(
    store: Store,
    *,
    volunteer: str | None = None,
    unpaid: bool = False,
    from_: str | date | None = None,
    to: str | date | None = None,
    limit: int | None = None,
) -> list[Row]:
    """Claims, newest first, with `volunteer_name` and `member_code` of the circle."""
    where: list[str] = []
    params: list[Any] = []
    if volunteer is not None:
        where.append("e.volunteer_id = ?")
        params.append(get(store, volunteer)["id"])
    if unpaid:
        where.append("e.paid_on IS NULL")
    start = parse_day("--from", from_)
    end = parse_day("--to", to)
    if start:
        where.append("e.date >= ?")
        params.append(start)
    if end:
        where.append("e.date <= ?")
        params.append(end)
    if limit is not None and limit < 1:
        raise UserError(f"invalid --limit {limit}: must be 1 or more")
    sql = (
        "SELECT e.*, v.name AS volunteer_name, m.code AS member_code FROM volunteer_expenses e"
        " JOIN volunteers v ON v.id = e.volunteer_id"
        " LEFT JOIN circles c ON c.id = e.circle_id LEFT JOIN core_members m ON m.id = c.member_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY e.date DESC, e.id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return store.query(sql, params)


def totals(
    store: Store,
    start: str | None = None,
    end: str | None = None,
    *,
    coordinator: str | None = None,
) -> dict[str, Any]:
    """Claims, pence claimed, paid and unpaid, miles and claimants for claims dated in the
    period (all when no period), and pence claimed by kind. With `coordinator`, only claims
    for a circle that person coordinated on the claim's date (a claim for no circle belongs
    to no coordinator)."""
    from cosa import history

    span = {"start": start, "end": end, "coordinator": coordinator}
    cond = "(:start IS NULL OR date >= :start) AND (:end IS NULL OR date <= :end)"
    if coordinator is not None:
        cond += f" AND circle_id IS NOT NULL AND {history.coordinated_by('volunteer_expenses.circle_id', 'volunteer_expenses.date')}"
    row = store.one(
        "SELECT count(*) AS claims, coalesce(sum(amount_pence), 0) AS claimed_pence,"
        " coalesce(sum(CASE WHEN paid_on IS NOT NULL THEN amount_pence END), 0) AS paid_pence,"
        " coalesce(sum(CASE WHEN paid_on IS NULL THEN amount_pence END), 0) AS unpaid_pence,"
        " round(coalesce(sum(miles), 0), 1) AS miles, count(DISTINCT volunteer_id) AS volunteers"
        f" FROM volunteer_expenses WHERE {cond}",
        span,
    )
    assert row is not None
    by_kind = {
        r["kind"]: int(r["pence"])
        for r in store.query(
            "SELECT kind, sum(amount_pence) AS pence FROM volunteer_expenses"
            f" WHERE {cond} GROUP BY kind ORDER BY kind",
            span,
        )
    }
    return {
        **{k: (float(v) if k == "miles" else int(v)) for k, v in row.items()},
        "by_kind": by_kind,
    }
