"""Concerns: what worries a circle, with notes, escalations to professionals and closure.

Concerns are append-only. A concern is never edited or deleted: a correction or an update
is a dated note (`note`), sharing it with a professional is an escalation (`escalate`, with
the lawful basis and the response), and it ends with `close` (a date and a note; once).
A concern recorded in error (typed twice, raised on the wrong circle) is voided (`void`, with
a reason): it stays in the audit trail, `concern show` and the subject access pack, and
leaves every list, status section, figure and report. One that was escalated cannot be
voided: the escalation happened.
Records entered after the fact carry the date things happened (default today, never in the
future). A red concern means someone may be at risk now: the command reminds the
coordinator to tell police or probation at once (999 if harm is imminent).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cosa import dates
from cosa.domain import lookups, resolve, search
from cosa.domain.circles import resolve_circle
from cosa.domain.members import consent_covers, number_ref, reword
from cosa.domain.volunteers import check_choice, clean_text, parse_day
from cosa.errors import UserError
from cosa.store import Row, Store

TABLE = "concerns"
SEVERITIES = ("red", "amber", "green")
#: Severity order for lists and the status dashboard (most urgent first).
SEVERITY_RANK = {"red": 0, "amber": 1, "green": 2}
VIA = ("phone", "email", "secure email", "in person")
BASES = ("consent", "legal duty", "vital interests", "public task", "override")
RED_REMINDER = (
    "RED concern: tell the police or probation now (999 if someone is in immediate danger),"
    " then record it with `cosa concern escalate`."
)

DateLike = str | date | None


# -- shared checks ---------------------------------------------------------------------------


def check_circle_open_on(circle: Row, day: str, doing: str) -> None:
    """Refuse a record dated after the circle ended (or before the circle existed at all)."""
    if circle.get("ended_on") and day > circle["ended_on"]:
        raise UserError(
            f"circle {circle['id']} ended on {circle['ended_on']}; cannot {doing} dated {day}"
        )


def check_meeting(store: Store, meeting_id: int | str | None, circle_id: int) -> int | None:
    """The id of a meeting of this circle (None stays None)."""
    if meeting_id is None:
        return None
    mid = number_ref("meeting", meeting_id)
    row = store.one("SELECT id, circle_id, state FROM meetings WHERE id = ?", (mid,))
    if row is None:
        raise UserError(f"meeting {mid} not found", hint="`cosa meeting list` shows them")
    if row["state"] != "held":
        raise UserError(f"meeting {mid} is {row['state']}: nothing can be raised at it")
    if row["circle_id"] != circle_id:
        raise UserError(f"meeting {mid} belongs to circle {row['circle_id']}, not {circle_id}")
    return mid


def meeting_date(store: Store, meeting_id: int) -> str:
    return str(store.scalar("SELECT date FROM meetings WHERE id = ?", (meeting_id,)))


def event_day(field: str, value: DateLike) -> str:
    """The day something happened: today by default, never in the future."""
    day = parse_day(field, value if value is not None else date.today(), not_future=True)
    assert day is not None
    return day


def event_time(field: str, value: str | datetime | None) -> str | None:
    """A datetime something happened (None stays None), never in the future."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        if not value.strip():
            return None
        try:
            moment = dates.parse_datetime(value)
        except UserError as exc:
            raise reword(exc, "date", field) from None
    if moment > datetime.now():
        raise UserError(f"invalid {field} '{dates.iso(moment)}': must not be in the future")
    return dates.iso(moment)


# -- concerns --------------------------------------------------------------------------------


def add(
    store: Store,
    circle_id: int | str,
    *,
    severity: str,
    category: str,
    text: str,
    on: str | date | None = None,
    meeting_id: int | None = None,
    raised_by: str | None = None,
) -> int:
    """Record a concern; returns its id. `circle_id` may also be what a user typed (`CM-0003`).

    The date defaults to the meeting's date when `meeting_id` is given, else today.

    Usable inside an outer `store.atomic()` (it nests as a savepoint).
    """
    circle = resolve_circle(store, circle_id)
    meeting = check_meeting(store, meeting_id, circle["id"])
    if on is None and meeting is not None:
        on = meeting_date(store, meeting)
    values = {
        "circle_id": circle["id"],
        "severity": check_choice("--severity", severity, SEVERITIES),
        "category": lookups.check(store, "concern-category", category, field="--category"),
        "text": clean_text("concern text", text, required=True),
        "date": event_day("--on", on),
        "meeting_id": meeting,
        "raised_by": clean_text("--raised-by", raised_by),
    }
    check_circle_open_on(circle, values["date"], "record a concern")
    with store.atomic():
        cid = store.insert(TABLE, "concern", values)
        search.index(
            store, "concern", cid, values["text"], circle_id=circle["id"], date=values["date"]
        )
    return cid


def check_not_void(concern: Row, doing: str) -> None:
    """Refuse to add to a void concern (it was recorded in error)."""
    if concern["void_reason"] is not None:
        raise UserError(
            f"concern {concern['id']} is void (recorded in error: {concern['void_reason']});"
            f" cannot {doing}",
            hint="raise a new concern with `cosa concern add` if something did happen",
        )


def get(store: Store, ref: str | int) -> Row:
    cid = number_ref("concern", ref)
    row = store.one(
        "SELECT c.*, m.code AS member_code FROM concerns c"
        " JOIN circles ci ON ci.id = c.circle_id JOIN core_members m ON m.id = ci.member_id"
        " WHERE c.id = ?",
        (cid,),
    )
    if row is None:
        raise UserError(f"concern {cid} not found", hint="`cosa concern list` shows them")
    return row


def list_(
    store: Store,
    circle: str | int | None = None,
    *,
    open_only: bool = False,
    severity: str | None = None,
    include_void: bool = False,
) -> list[Row]:
    """Concerns, most urgent first (open before closed, red before amber before green, oldest
    first; void ones, only with `include_void`, last). `open_only` reads the `concerns_open`
    partial index."""
    where: list[str] = []
    params: list[Any] = []
    if not include_void:
        where.append("c.void_reason IS NULL")
    if circle is not None:
        where.append("c.circle_id = ?")
        params.append(resolve_circle(store, circle)["id"])
    if open_only:
        where.append("c.closed_on IS NULL")
    if severity is not None:
        where.append("c.severity = ?")
        params.append(check_choice("--severity", severity, SEVERITIES))
    sql = (
        "SELECT c.*, m.code AS member_code,"
        " (SELECT count(*) FROM escalations e WHERE e.concern_id = c.id) AS escalation_count"
        " FROM concerns c JOIN circles ci ON ci.id = c.circle_id"
        " JOIN core_members m ON m.id = ci.member_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += (
        " ORDER BY c.void_reason IS NOT NULL, c.closed_on IS NOT NULL,"
        " CASE c.severity WHEN 'red' THEN 0 WHEN 'amber' THEN 1 ELSE 2 END, c.date, c.id"
    )
    return [_with_status(r) for r in store.query(sql, params)]


def _with_status(row: Row) -> Row:
    if row["void_reason"] is not None:
        row["status"] = "void"
    else:
        row["status"] = "closed" if row["closed_on"] else "open"
    return row


def _hours_between(start: str, end: str | None) -> float | None:
    if end is None:
        return None
    delta = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    return round(delta.total_seconds() / 3600, 1)


def escalations(store: Store, concern_id: int) -> list[Row]:
    """A concern's escalations in time order, each with `professional_name`, `agency` and
    `response_hours` (from escalation to response; null while there is no response time)."""
    rows = store.query(
        "SELECT e.*, p.name AS professional_name, p.agency FROM escalations e"
        " JOIN professionals p ON p.id = e.professional_id WHERE e.concern_id = ?"
        " ORDER BY e.at, e.id",
        (concern_id,),
    )
    for r in rows:
        r["response_hours"] = _hours_between(r["at"], r["response_at"])
    return rows


def notes(store: Store, concern_id: int) -> list[Row]:
    return store.query(
        "SELECT * FROM concern_notes WHERE concern_id = ? ORDER BY date, id", (concern_id,)
    )


def detail(store: Store, ref: str | int) -> Row:
    """A concern with its notes, escalations and the contact it came from (if any)."""
    row = _with_status(get(store, ref))
    contact = store.one("SELECT id FROM contacts WHERE concern_id = ?", (row["id"],))
    esc = escalations(store, row["id"])
    return {
        **row,
        "escalation_count": len(esc),
        "contact_id": contact["id"] if contact else None,
        "notes": notes(store, row["id"]),
        "escalations": esc,
    }


def note(store: Store, ref: str | int, text: str, *, on: DateLike = None) -> int:
    """Add a dated note to a concern (open or closed): the way to correct or update one."""
    concern = get(store, ref)
    check_not_void(concern, "add a note")
    values = {
        "concern_id": concern["id"],
        "text": clean_text("note text", text, required=True),
        "date": event_day("--on", on),
    }
    if values["date"] < concern["date"]:
        raise UserError(
            f"invalid --on {values['date']}: before the concern was raised ({concern['date']})"
        )
    with store.atomic():
        nid = store.insert("concern_notes", "concern_note", values)
        search.index(
            store,
            "concern_note",
            nid,
            values["text"],
            circle_id=concern["circle_id"],
            date=values["date"],
        )
    return nid


def escalate(
    store: Store,
    ref: str | int,
    *,
    to: str,
    via: str,
    at: str | datetime | None = None,
    shared: str | None = None,
    basis: str | None = None,
    response: str | None = None,
    response_at: str | datetime | None = None,
) -> int:
    """Record that a concern was passed to a professional: how, when, what, on what basis.

    Without `basis`, the core member's consent must cover the professional on that day
    (then the basis is `consent`); `consent` given explicitly is checked the same way.
    """
    concern = get(store, ref)
    check_not_void(concern, "record an escalation")
    pro = resolve.person(store, "professionals", "pro", to)
    moment = event_time("--at", at) or dates.iso(datetime.now())
    assert moment is not None
    day = moment[:10]
    if day < concern["date"]:
        raise UserError(f"invalid --at {moment}: before the concern was raised ({concern['date']})")
    if concern["closed_on"] and day > concern["closed_on"]:
        raise UserError(
            f"concern {concern['id']} was closed on {concern['closed_on']}; cannot record an"
            f" escalation on {day}",
            hint="raise a new concern if something new has happened",
        )
    member_id = store.scalar("SELECT member_id FROM circles WHERE id = ?", (concern["circle_id"],))
    covered = consent_covers(store, int(member_id), int(pro["id"]), day)
    chosen = check_choice("--basis", basis, BASES) if basis is not None else None
    if chosen is None and not covered:
        raise UserError(
            f"--basis is required: {concern['member_code']} has no consent covering"
            f" {pro['name']} ({pro['agency']}) on {day}",
            hint=f"choose one of: {', '.join(BASES)}",
        )
    if chosen == "consent" and not covered:
        raise UserError(
            f"--basis consent: {concern['member_code']} has no consent covering {pro['name']}"
            f" ({pro['agency']}) on {day}",
            hint="record it with `cosa member consent`, or choose another basis",
        )
    values = {
        "concern_id": concern["id"],
        "professional_id": pro["id"],
        "via": check_choice("--via", via, VIA),
        "at": moment,
        "shared": clean_text("--shared", shared),
        "basis": chosen or "consent",
        **_response(moment, response, response_at),
    }
    with store.atomic():
        eid = store.insert("escalations", "escalation", values)
        _index_escalation(store, eid, values, concern)
        from cosa.domain.disclosures import record_escalation

        record_escalation(store, eid)
    return eid


def _response(moment: str, response: str | None, response_at: str | datetime | None) -> Row:
    text = clean_text("--response", response)
    when = event_time("--response-at", response_at)
    if when is not None and text is None:
        raise UserError("--response-at goes with --response TEXT")
    if when is not None and when < moment:
        raise UserError(f"invalid --response-at {when}: before the escalation ({moment})")
    return {"response": text, "response_at": when}


def _index_escalation(store: Store, eid: int, values: Row, concern: Row) -> None:
    body = "\n".join(t for t in (values.get("shared"), values.get("response")) if t)
    search.index(
        store, "escalation", eid, body, circle_id=concern["circle_id"], date=values["at"][:10]
    )


def respond(
    store: Store, escalation: str | int, text: str, *, at: str | datetime | None = None
) -> Row:
    """Record the response to an escalation that has none yet (once: it is then fixed)."""
    eid = number_ref("escalation", escalation)
    row = store.one("SELECT * FROM escalations WHERE id = ?", (eid,))
    if row is None:
        raise UserError(f"escalation {eid} not found", hint="`cosa concern show ID` lists them")
    if row["response"] is not None:
        raise UserError(
            f"escalation {eid} already has a response (recorded {row['updated_at']})",
            hint="add a note to the concern to correct or add to it",
        )
    changes = _response(row["at"], text, at or datetime.now())
    if changes["response"] is None:
        raise UserError("the response text must not be empty")
    concern = get(store, row["concern_id"])
    with store.atomic():
        store.update("escalations", "escalation", eid, changes, "escalation.respond")
        _index_escalation(store, eid, {**row, **changes}, concern)
    return {**row, **changes}


def respond_to_concern(
    store: Store,
    ref: str | int,
    text: str,
    *,
    escalation: str | int | None = None,
    at: str | datetime | None = None,
) -> Row:
    """Record the response to a concern's latest escalation, or to `escalation` (which must
    belong to the concern)."""
    concern = get(store, ref)
    if escalation is not None:
        eid = number_ref("escalation", escalation)
        owner = store.one("SELECT concern_id FROM escalations WHERE id = ?", (eid,))
        if owner is None or owner["concern_id"] != concern["id"]:
            raise UserError(
                f"escalation {eid} is not one of concern {concern['id']}'s escalations",
                hint=f"`cosa concern show {concern['id']}` lists them",
            )
    else:
        latest = store.one(
            "SELECT id FROM escalations WHERE concern_id = ? ORDER BY at DESC, id DESC LIMIT 1",
            (concern["id"],),
        )
        if latest is None:
            raise UserError(
                f"concern {concern['id']} has no escalation to respond to",
                hint=f"record one with `cosa concern escalate {concern['id']} …`",
            )
        eid = latest["id"]
    return respond(store, eid, text, at=at)


def close(store: Store, ref: str | int, *, note: str, on: DateLike = None) -> Row:
    """Close an open concern with a date and a note; a closed concern stays closed."""
    concern = get(store, ref)
    check_not_void(concern, "close it")
    if concern["closed_on"]:
        raise UserError(
            f"concern {concern['id']} is already closed ({concern['closed_on']},"
            f" by {concern['closed_by']})",
            hint="add a note with `cosa concern note` instead",
        )
    changes = {
        "closed_on": event_day("--on", on),
        "closed_note": clean_text("--note", note, required=True),
        "closed_by": store.operator,
    }
    if changes["closed_on"] < concern["date"]:
        raise UserError(
            f"invalid --on {changes['closed_on']}: before the concern was raised"
            f" ({concern['date']})"
        )
    with store.atomic():
        store.update(TABLE, "concern", concern["id"], changes, "concern.close")
        search.index(
            store,
            "concern",
            concern["id"],
            f"{concern['text']}\n{changes['closed_note']}",
            circle_id=concern["circle_id"],
            date=concern["date"],
        )
    return {**concern, **changes}


def void(store: Store, ref: str | int, *, reason: str | None) -> Row:
    """Mark a concern recorded in error (typed twice, raised on the wrong circle): kept, with
    its notes, for the audit trail, `concern show` and the subject access pack; left out of
    every list, status section, figure and report, and of search. Open or closed; never one
    that was escalated (that happened). Returns the concern after."""
    concern = _with_status(get(store, ref))
    if concern["void_reason"] is not None:
        raise UserError(f"concern {concern['id']} is already void ({concern['void_reason']})")
    why = clean_text("--reason", reason)
    if not why:
        raise UserError("--reason is required", hint="why the concern was recorded in error")
    count = int(
        store.scalar("SELECT count(*) FROM escalations WHERE concern_id = ?", (concern["id"],))
    )
    if count:
        raise UserError(
            f"concern {concern['id']} was escalated ({count} escalation{'s' if count > 1 else ''}"
            "): that happened, so it cannot be void as recorded in error",
            hint=f"correct it with `cosa concern note {concern['id']} …`"
            f" or end it with `cosa concern close {concern['id']} --note …`",
        )
    with store.atomic():
        store.update(TABLE, "concern", concern["id"], {"void_reason": why}, "concern.void")
        search.unindex(store, "concern", concern["id"])
        for row in notes(store, concern["id"]):
            search.unindex(store, "concern_note", row["id"])
    return _with_status(get(store, concern["id"]))


def standing_at_meeting(store: Store, meeting_id: int) -> list[int]:
    """The ids of the concerns raised at a meeting that are not void (they still count)."""
    return [
        int(r["id"])
        for r in store.query(
            "SELECT id FROM concerns WHERE meeting_id = ? AND void_reason IS NULL ORDER BY id",
            (meeting_id,),
        )
    ]
