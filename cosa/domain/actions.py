"""Actions: who will do what by when, agreed at a meeting or between meetings.

An action is `open` until it is `done` (with an optional note) or `dropped` (with a reason);
either is dated and final. Due dates read forwards ("friday" is the next Friday); an action
is overdue when its due date has passed while it is still open.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cosa import dates
from cosa.domain import resolve, search
from cosa.domain.circles import resolve_circle
from cosa.domain.concerns import check_meeting, meeting_date
from cosa.domain.members import date_field, number_ref
from cosa.domain.volunteers import clean_text, parse_day
from cosa.errors import UserError
from cosa.store import Row, Store

TABLE = "actions"
STATUSES = ("open", "done", "dropped")

DateLike = str | date | None


def add(
    store: Store,
    circle_id: int | str,
    text: str,
    *,
    owner: str | None = None,
    due: str | date | None = None,
    meeting_id: int | None = None,
) -> int:
    """Record an open action; returns its id. `circle_id` may also be a typed reference.

    Usable inside an outer `store.atomic()` (it nests as a savepoint).
    """
    circle = resolve_circle(store, circle_id)
    values = {
        "circle_id": circle["id"],
        "text": clean_text("action text", text, required=True),
        "owner": resolve_owner(store, circle, owner),
        "due": date_field("--due", due, future=True),
        "meeting_id": check_meeting(store, meeting_id, circle["id"]),
        "status": "open",
    }
    day = meeting_date(store, values["meeting_id"]) if values["meeting_id"] else None
    with store.atomic():
        aid = store.insert(TABLE, "action", values)
        search.index(
            store,
            "action",
            aid,
            values["text"],
            circle_id=circle["id"],
            date=day or date.today().isoformat(),
        )
    return aid


COORDINATOR = "Coordinator"


def resolve_owner(store: Store, circle: Row, typed: str | None) -> str | None:
    """The full name of an action's owner: a volunteer, a professional, or the coordinator
    (`coordinator`, or the circle's coordinator by name). Names are looked up as everywhere
    (`cosa.domain.resolve`), among the circle's own people first; free text is refused."""
    text = clean_text("--owner", typed)
    if text is None:
        return None
    if resolve.fold(text) == "coordinator":
        return COORDINATOR
    people = [
        ("volunteer", int(r["id"]), str(r["name"]), r["mine"])
        for r in store.query(
            "SELECT v.id, v.name, EXISTS (SELECT 1 FROM circle_members cm WHERE"
            " cm.volunteer_id = v.id AND cm.circle_id = ? AND cm.left_on IS NULL) AS mine"
            " FROM volunteers v ORDER BY v.name, v.id",
            (circle["id"],),
        )
    ]
    people += [
        ("professional", int(r["id"]), str(r["name"]), r["mine"])
        for r in store.query(
            "SELECT p.id, p.name, EXISTS (SELECT 1 FROM circle_links l WHERE"
            " l.professional_id = p.id AND l.circle_id = ? AND l.unlinked_on IS NULL) AS mine"
            " FROM professionals p ORDER BY p.name, p.id",
            (circle["id"],),
        )
    ]
    people.append(("coordinator", 0, str(circle["coordinator"]), 1))
    own, decisive = resolve.rank([p for p in people if p[3]], text, lambda p: p[2])
    hits = own if decisive else resolve.rank(people, text, lambda p: p[2])[0]
    if len({h[2] for h in hits}) == 1:
        return hits[0][2]
    if not hits:
        raise UserError(
            f"--owner '{text}' is not a volunteer, a professional or the coordinator",
            hint="an action's owner is a person cosa knows: add them first, or use coordinator",
        )
    raise resolve.ambiguous("owner", text, [f"{h[0]} {h[1]} {h[2]}" for h in hits])


_SELECT = (
    "SELECT a.*, m.code AS member_code FROM actions a JOIN circles ci ON ci.id = a.circle_id"
    " JOIN core_members m ON m.id = ci.member_id"
)


def _with_flags(row: Row, today: str) -> Row:
    row["overdue"] = row["status"] == "open" and row["due"] is not None and row["due"] < today
    return row


def get(store: Store, ref: str | int) -> Row:
    aid = number_ref("action", ref)
    row = store.one(f"{_SELECT} WHERE a.id = ?", (aid,))
    if row is None:
        raise UserError(f"action {aid} not found", hint="`cosa action list` shows them")
    return _with_flags(row, date.today().isoformat())


def parse_days(field: str, value: str | int) -> int:
    """A number of days: `7`, `7d`, `2w` (0 allowed: today only)."""
    text = str(value).strip().lower()
    if text.isdigit():
        return int(text)
    hint = "use a number of days, e.g. 7, 7d or 2w"
    try:
        span = dates.parse_duration(text)
    except UserError:
        raise UserError(f"invalid {field} '{text}'", hint=hint) from None
    if span % timedelta(days=1):
        raise UserError(f"invalid {field} '{text}': must be whole days", hint=hint)
    return span.days


def list_(
    store: Store,
    circle: str | int | None = None,
    *,
    overdue: bool = False,
    due_within: str | int | None = None,
    owner: str | None = None,
    all_: bool = False,
    today: date | None = None,
    coordinator: str | None = None,
) -> list[Row]:
    """Open actions by due date (undated last); `all_` adds done and dropped ones;
    `coordinator`: only the actions of the circles that user coordinates now.

    `overdue`: due before today. `due_within`: due by today + that many days (overdue ones
    included). `owner`: owners starting with that text, any case.
    """
    day = today or date.today()
    where: list[str] = []
    params: list[Any] = []
    if circle is not None:
        where.append("a.circle_id = ?")
        params.append(resolve_circle(store, circle)["id"])
    if coordinator is not None:
        where.append("a.circle_id IN (SELECT id FROM circles WHERE coordinator = ? COLLATE NOCASE)")
        params.append(coordinator)
    if not all_ or overdue or due_within is not None:
        where.append("a.status = 'open'")
    if overdue:
        where.append("a.due < ?")
        params.append(day.isoformat())
    if due_within is not None:
        where.append("a.due <= ?")
        params.append((day + timedelta(days=parse_days("--due-within", due_within))).isoformat())
    who = clean_text("--owner", owner)
    if who is not None:
        escaped = who.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("lower(a.owner) LIKE ? ESCAPE '\\'")
        params.append(escaped + "%")
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY a.status != 'open', a.due IS NULL, a.due, a.id"
    return [_with_flags(r, day.isoformat()) for r in store.query(sql, params)]


def _finish(
    store: Store, ref: str | int, status: str, note: str | None, on: DateLike, verb: str
) -> Row:
    action = get(store, ref)
    if action["status"] != "open":
        raise UserError(
            f"action {action['id']} is already {action['status']} ({action['closed_on']})",
            hint="add a new action if more needs doing",
        )
    day = parse_day("--on", on if on is not None else date.today(), not_future=True)
    assert day is not None
    changes = {"status": status, "closed_on": day, "closed_note": note}
    with store.atomic():
        store.update(TABLE, "action", action["id"], changes, f"action.{verb}")
        body = "\n".join(t for t in (action["text"], note) if t)
        search.index(store, "action", action["id"], body, circle_id=action["circle_id"], date=day)
    return {**action, **changes, "overdue": False}


def done(store: Store, ref: str | int, *, note: str | None = None, on: DateLike = None) -> Row:
    """Mark an open action done (dated, with an optional note)."""
    return _finish(store, ref, "done", clean_text("--note", note), on, "done")


def drop(store: Store, ref: str | int, *, reason: str, on: DateLike = None) -> Row:
    """Drop an open action that will not be done, saying why."""
    return _finish(store, ref, "dropped", clean_text("--reason", reason, required=True), on, "drop")
