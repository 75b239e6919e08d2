"""Individual contacts: a volunteer and the core member between meetings.

A contact is recorded by the circle volunteer who had it, with its date (default today, never
in the future), mode, length and a note. A worry that came up can be lifted straight into a
concern (`concern=TEXT`: amber, category "other", raised by the volunteer, linked to the
contact); the coordinator can re-grade it by closing it with a note and raising another.
"""

from __future__ import annotations

from typing import Any

from cosa import dates
from cosa.domain import concerns, resolve, search
from cosa.domain.circles import current_members, resolve_circle
from cosa.domain.members import DateLike, date_field, reword
from cosa.domain.volunteers import check_choice, clean_text
from cosa.errors import UserError
from cosa.store import Row, Store

TABLE = "contacts"
MODES = ("phone", "face to face", "accompanied appointment", "social", "text")
CONTACT_CONCERN_SEVERITY = "amber"
CONTACT_CONCERN_CATEGORY = "other"

_SELECT = (
    "SELECT k.*, v.name AS volunteer_name, m.code AS member_code FROM contacts k"
    " JOIN volunteers v ON v.id = k.volunteer_id JOIN circles ci ON ci.id = k.circle_id"
    " JOIN core_members m ON m.id = ci.member_id"
)


def _minutes(value: str | int | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return dates.parse_minutes(str(value))
    except UserError as exc:
        raise reword(exc, "duration", "--duration") from None


def add(
    store: Store,
    circle: str | int,
    *,
    by: str,
    on: DateLike = None,
    mode: str = "phone",
    duration: str | int | None = None,
    note: str | None = None,
    concern: str | None = None,
) -> tuple[int, int | None]:
    """Record a contact; returns its id and the id of the concern it raised (or None)."""
    row = resolve_circle(store, circle)
    volunteer = resolve.person(store, "volunteers", "volunteer", by)
    day = concerns.event_day("--on", on)
    if not any(
        m["volunteer_id"] == volunteer["id"] for m in current_members(store, row["id"], day)
    ):
        raise UserError(
            f"{volunteer['name']} was not a member of circle {row['id']} on {day}",
            hint="`cosa circle show CIRCLE` lists its members",
        )
    concerns.check_circle_open_on(row, day, "record a contact")
    values: dict[str, Any] = {
        "circle_id": row["id"],
        "volunteer_id": volunteer["id"],
        "date": day,
        "mode": check_choice("--mode", mode, MODES),
        "duration_minutes": _minutes(duration),
        "note": clean_text("--note", note),
    }
    concern_text = clean_text("--concern", concern)
    with store.atomic():
        concern_id = None
        if concern_text is not None:
            concern_id = concerns.add(
                store,
                row["id"],
                severity=CONTACT_CONCERN_SEVERITY,
                category=CONTACT_CONCERN_CATEGORY,
                text=concern_text,
                on=day,
                raised_by=volunteer["name"],
            )
        values["concern_id"] = concern_id
        kid = store.insert(TABLE, "contact", values)
        search.index(store, "contact", kid, values["note"], circle_id=row["id"], date=day)
    return kid, concern_id


def list_(
    store: Store,
    circle: str | int | None = None,
    *,
    from_: DateLike = None,
    to: DateLike = None,
    by: str | None = None,
) -> list[Row]:
    """Contacts in date order, each with `volunteer_name` and `member_code`."""
    where: list[str] = []
    params: list[Any] = []
    if circle is not None:
        where.append("k.circle_id = ?")
        params.append(resolve_circle(store, circle)["id"])
    if by is not None:
        where.append("k.volunteer_id = ?")
        params.append(resolve.person(store, "volunteers", "volunteer", by)["id"])
    start, end = date_field("--from", from_), date_field("--to", to)
    if start and end and end < start:
        raise UserError(f"--to {end} is before --from {start}")
    if start:
        where.append("k.date >= ?")
        params.append(start)
    if end:
        where.append("k.date <= ?")
        params.append(end)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    return store.query(sql + " ORDER BY k.date, k.id", params)


def get(store: Store, contact_id: int) -> Row:
    row = store.one(f"{_SELECT} WHERE k.id = ?", (contact_id,))
    if row is None:
        raise UserError(f"contact {contact_id} not found")
    return row
