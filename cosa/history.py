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

import re
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


# -- whose circle it was ---------------------------------------------------------------------
#
# A circle's coordinator is history too: `circle_coordinators` (m100) holds who coordinated
# it from which day (`circle add`, `circle assign`, `cosa receive`); `circles.coordinator`
# keeps the latest for lists. Lists and `status` (about now) filter by that column; a report
# about a period asks whose the circle was on the day each thing happened, here.


#: Column names of `circle_coordinators` and `circles` that a caller's bare column would be
#: taken for inside `coordinator_on`'s subqueries.
_BARE = re.compile(
    r"(?<![\w.:'])(id|uuid|circle_id|coordinator|on_date|note|created_at|updated_at|created_by"
    r"|updated_by|member_id|type|status|start_date|ended_on|ending_reason|ending_note"
    r"|meeting_day|meeting_time|duration_minutes|venue|cadence_days|forced_reason)(?![\w(])"
)


def coordinator_on(circle: str, day: str) -> str:
    """SQL for the coordinator of the circle `circle` on the day `day` (both SQL
    expressions): the latest `circle_coordinators` entry on or before the day (ties: the
    later entry); before the first entry, the first one; a circle without history, its
    `circles.coordinator`. Name columns with their table (`meetings.date`, not `date`):
    inside the subqueries a bare `id`, `circle_id` or `on_date` would mean theirs."""
    for expr in (circle, day):
        if _BARE.search(expr):
            raise ValueError(f"qualify the columns of {expr!r} with their table")
    return (
        "coalesce("
        f"(SELECT hcc1.coordinator FROM circle_coordinators hcc1 WHERE hcc1.circle_id = {circle}"
        f" AND hcc1.on_date <= substr({day}, 1, 10)"
        " ORDER BY hcc1.on_date DESC, hcc1.id DESC LIMIT 1),"
        f" (SELECT hcc2.coordinator FROM circle_coordinators hcc2 WHERE hcc2.circle_id = {circle}"
        " ORDER BY hcc2.on_date, hcc2.id LIMIT 1),"
        f" (SELECT hci.coordinator FROM circles hci WHERE hci.id = {circle}))"
    )


def coordinated_by(circle: str, day: str, who: str = ":coordinator") -> str:
    """SQL that is true when the circle `circle` was coordinated on `day` by `who` (a
    parameter, compared case-insensitively)."""
    return f"{coordinator_on(circle, day)} = {who} COLLATE NOCASE"


def last_day_in(day_ended: str, last: str = ":qe") -> str:
    """SQL for the last day of a period (`last`) on which a circle that ended on
    `day_ended` (NULL: running) still ran: the day a circle's state at the period's end is
    attributed to its coordinator."""
    return f"(CASE WHEN {day_ended} IS NOT NULL AND {day_ended} < {last} THEN {day_ended} ELSE {last} END)"


def ran_until(circle: str) -> str:
    """SQL for the last day the circle (a table alias or name, e.g. `circles`) ran in this
    workspace: its ending, else the day it was sent to another workspace (`cosa transfer`
    without `--keep`; the receiver counts it from then on), else NULL (still running)."""
    return (
        f"coalesce({circle}.ended_on, (SELECT substr(min(htr.created_at), 1, 10)"
        f" FROM transfers htr WHERE htr.circle_uuid = {circle}.uuid"
        " AND htr.direction = 'out' AND htr.kept = 0))"
    )


def received_on(circle: str) -> str:
    """SQL for the day this workspace received the circle `circle` (an id expression) from
    another one (`cosa receive`), or NULL when the circle began here."""
    return (
        "(SELECT substr(min(hrv.created_at), 1, 10) FROM transfers hrv"
        " WHERE hrv.direction = 'in' AND hrv.circle_uuid ="
        f" (SELECT hrc.uuid FROM circles hrc WHERE hrc.id = {circle}))"
    )


def counted_here(circle: str, day: str) -> str:
    """SQL that is true when what happened in the circle `circle` on `day` is this
    workspace's to count: everything, except, in a circle received from another workspace,
    what happened before the day it arrived. Those records came in the bundle, and the
    sender counts them: each day of a circle's life is counted by one workspace, so the
    returns of both (`cosa report merge`) count it once. Name columns with their table."""
    for expr in (circle, day):
        if _BARE.search(expr):
            raise ValueError(f"qualify the columns of {expr!r} with their table")
    return f"coalesce(substr({day}, 1, 10) >= {received_on(circle)}, 1)"


def counted(circle: str, day: str, coordinator: bool) -> str:
    """SQL that is true for what a report counts of what happened in the circle on `day`:
    this workspace's days of it (`counted_here`) and, for a report filtered to a coordinator
    (the `:coordinator` parameter), only what happened while that person coordinated it."""
    here = counted_here(circle, day)
    return f"{here} AND {coordinated_by(circle, day)}" if coordinator else here


def coordinated_between(circle: str, first: str, last: str, who: str = ":coordinator") -> str:
    """SQL that is true when `who` coordinated the circle `circle` on at least one day from
    `first` to `last` (SQL expressions): on the first day, or from a handover inside the
    span (the coordinator changes only at handovers, so that is every day checked)."""
    return (
        f"({coordinated_by(circle, first, who)} OR EXISTS (SELECT 1 FROM circle_coordinators hx"
        f" WHERE hx.circle_id = {circle} AND hx.on_date > substr({first}, 1, 10)"
        f" AND hx.on_date <= substr({last}, 1, 10) AND {coordinated_by(circle, 'hx.on_date', who)}))"
    )
