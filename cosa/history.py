"""History as tables of dated entries, and "the value in force on a date".

A value that changes over time (a core member's address and area, MAPPA category and level,
legal status; a referral's decision) is never overwritten: each change is a row of a history
table — `member_history` (owner column `member_id`) or `referral_history` (`referral_id`) —
with the `field`, its new `value`, the day it took effect (`on_date`) and a `note`. The
value in force on a day is the latest entry on or before it (ties: the later entry). The
owner row keeps the latest value in its own column, for lists and indexes.

`value_on` (one record) and `values_on` (every record, for reports) are the one place that
answers "what was it on that day"; every report uses them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cosa.store import Row, Store

#: kind -> (history table, owner column)
TABLES: dict[str, tuple[str, str]] = {
    "member": ("member_history", "member_id"),
    "referral": ("referral_history", "referral_id"),
}

#: Fields of a core member kept as history (columns of `core_members`, plus the identity
#: `address` and the `area`, which live only here and in `member_identity`).
MEMBER_FIELDS: tuple[str, ...] = (
    "mappa_category",
    "mappa_level",
    "mappa_verified",
    "sentence_date",
    "release_date",
    "licence_start",
    "licence_end",
    "notification_requirements",
    "other_orders",
)
#: Member history fields that are identity: shown only with `member show --identity`.
IDENTITY_FIELDS: tuple[str, ...] = ("address",)


def _day(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def _table(kind: str) -> tuple[str, str]:
    return TABLES[kind]


def add(
    store: Store,
    kind: str,
    owner_id: int,
    field: str,
    value: Any,
    on: date | str,
    *,
    note: str | None = None,
    **extra: Any,
) -> int:
    """Append a dated entry (inside the caller's transaction); returns its id."""
    table, owner = _table(kind)
    values = {
        owner: owner_id,
        "field": field,
        "value": None if value is None else str(value),
        "on_date": _day(on),
        "note": note,
        **extra,
    }
    return store.insert(table, table, values)


def value_on(store: Store, kind: str, owner_id: int, field: str, on: date | str) -> str | None:
    """The value of `field` in force on the day `on` (None before the first entry)."""
    table, owner = _table(kind)
    row = store.one(
        f"SELECT value FROM {table} WHERE {owner} = ? AND field = ? AND on_date <= ?"
        " ORDER BY on_date DESC, id DESC LIMIT 1",
        (owner_id, field, _day(on)),
    )
    return None if row is None else row["value"]


def values_on(store: Store, kind: str, field: str, on: date | str) -> dict[int, str | None]:
    """owner id -> the value of `field` in force on the day `on`, for every owner with an
    entry on or before that day (one query, for reports)."""
    table, owner = _table(kind)
    rows = store.query(
        f"SELECT {owner} AS owner, value FROM ("
        f" SELECT {owner}, value, row_number() OVER"
        f"  (PARTITION BY {owner} ORDER BY on_date DESC, id DESC) AS n"
        f" FROM {table} WHERE field = ? AND on_date <= ?) WHERE n = 1",
        (field, _day(on)),
    )
    return {int(r["owner"]): r["value"] for r in rows}


def latest(store: Store, kind: str, owner_id: int, field: str) -> Row | None:
    """The latest entry of `field` (by its date, then by when it was entered)."""
    table, owner = _table(kind)
    return store.one(
        f"SELECT * FROM {table} WHERE {owner} = ? AND field = ? ORDER BY on_date DESC, id DESC"
        " LIMIT 1",
        (owner_id, field),
    )


def entries(
    store: Store, kind: str, owner_id: int, *, fields: tuple[str, ...] | None = None
) -> list[Row]:
    """Every entry of a record, oldest first (optionally only some fields)."""
    table, owner = _table(kind)
    rows = store.query(f"SELECT * FROM {table} WHERE {owner} = ? ORDER BY on_date, id", (owner_id,))
    return rows if fields is None else [r for r in rows if r["field"] in fields]
