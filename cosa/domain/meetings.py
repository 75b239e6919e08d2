"""Meetings and their minutes: the record a coordinator makes after every circle meeting.

A meeting belongs to a circle and carries its date (and time, length, venue — by default the
circle's schedule), type (lookup `meeting-type`), who was present and who sent apologies
(current members of the circle on that day), whether the core member attended (yes / late /
no, with a reason), the coordinator's RAG rating, whether the probation practitioner must be
told, and the minutes.

Minutes are due 48 hours after the meeting (`minutes_due_at`; from the end of the meeting day
when no time is known) until they are approved. Their state is `none` (no minutes yet),
`draft`, `late` (not approved and past due) or `approved`. Approved minutes — and with them
the whole meeting record — are immutable: a correction is an *amendment* with its own text,
reason, time and operator. Minutes and amendments are kept in the search index in the same
transaction as the record.

A meeting is `held`, `cancelled` (it did not take place: a reason, perhaps `moved_to` the
date it moved to; it owes no minutes) or `void` (recorded in error: kept for the audit trail,
left out of every list, figure and report unless asked for). Figures count held meetings only.
Approved meetings can still be voided; their minutes stay readable (`meeting show --all`).
A correction of an approved meeting's structured fields (attendance, core-member attendance,
RAG, date, type) is applied to the meeting row, with its before/after kept in the amendment.

Recording a meeting is two steps so that nothing typed into an editor is lost to a bad flag:
`prepare` validates everything the user gave (and raises `UserError` before anything is
written or an editor is opened), `save` writes the meeting, its attendance, the concerns and
actions raised in it, the search entry and the audit entries in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from cosa import dates
from cosa.domain import lookups, resolve, search
from cosa.domain.circles import current_members, resolve_circle
from cosa.domain.members import DateLike, date_field, number_ref, reword
from cosa.domain.volunteers import check_choice, clean_text
from cosa.errors import UserError
from cosa.store import Row, Store, now

TABLE = "meetings"
CM_ATTENDED = ("yes", "late", "no")
RAGS = ("green", "amber", "red")
SEVERITIES = ("red", "amber", "green")
MINUTES_STATES = ("none", "draft", "late", "approved")
MINUTES_DUE = timedelta(hours=48)
STATES = ("held", "cancelled", "void")
#: How far ahead `upcoming` looks (at least one date per circle is always listed).
UPCOMING_DAYS = 28
DEFAULT_CADENCE_DAYS = 7
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
IMMUTABLE_HINT = "approved minutes are immutable; use `cosa meeting amend`"

_SELECT = """
    SELECT m.*, cm.code AS member_code,
        CASE WHEN m.approved_at IS NOT NULL THEN 'approved'
             WHEN m.state != 'held' THEN 'none'
             WHEN m.minutes_due_at < :now THEN 'late'
             WHEN m.minutes IS NULL THEN 'none'
             ELSE 'draft' END AS minutes_state
    FROM meetings m
    JOIN circles c ON c.id = m.circle_id
    JOIN core_members cm ON cm.id = c.member_id"""


@dataclass
class Fields:
    """What the user gave for a meeting; None means "not given" (empty text clears on edit)."""

    date: DateLike = None
    time: str | None = None
    duration: str | int | None = None
    type: str | None = None
    present: str | Sequence[str] | None = None
    apologies: str | Sequence[str] | None = None
    cm_attended: str | None = None
    late_reason: str | None = None
    no_meeting_reason: str | None = None
    rag: str | None = None
    notify_pp: bool | None = None
    venue: str | None = None
    minutes: str | None = None
    concerns: Sequence[str] = ()
    concern_severity: str = "amber"
    concern_category: str = "other"
    actions: Sequence[str] = ()
    owner: str | None = None
    due: DateLike = None


@dataclass
class Draft:
    """A validated meeting (new, or changes to an existing one), ready for `save`."""

    circle: Row
    day: str
    values: dict[str, Any]
    #: (volunteer id, "present" | "apologies"); None keeps the recorded attendance (edit).
    attendance: list[tuple[int, str]] | None
    concerns: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    meeting_id: int | None = None
    #: Record it even when the circle has a held meeting of the same type that day.
    force: bool = False

    def set_minutes(self, text: str | None) -> None:
        """Minutes from an editor or a file after `prepare` (None: no minutes yet)."""
        self.values["minutes"] = clean_minutes(text)


# -- field checks (also used by the prompts) -------------------------------------------------


def clean_minutes(text: str | None) -> str | None:
    """Minutes as stored: line endings normalised, trailing blanks dropped, the template's
    sections left empty dropped; empty is None."""
    if text is None:
        return None
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    cleaned = "\n".join(drop_empty_sections(lines)).strip("\n")
    return cleaned if cleaned.strip() else None


def _template_headings() -> set[str]:
    from cosa.editor import MINUTES_TEMPLATE

    return {line for line in MINUTES_TEMPLATE.splitlines() if line.startswith("## ")}


def drop_empty_sections(lines: list[str]) -> list[str]:
    """The lines without the template's `## headings` that have nothing under them."""
    headings = _template_headings()
    out: list[str] = []
    pending: list[str] = []  # a template heading and the blank lines after it
    for line in lines:
        if line in headings or line.startswith("## "):
            pending = [line] if line in headings else []
            if not pending:
                out.append(line)
            continue
        if pending:
            if not line.strip():
                pending.append(line)
                continue
            out.extend(pending)
            pending = []
        out.append(line)
    return out


def section_items(text: str | None, heading: str) -> list[str]:
    """What was written under `## heading` in the minutes: one item per line, list markers
    ("- ", "* ", "1. ") removed."""
    items: list[str] = []
    inside = False
    for line in (text or "").splitlines():
        if line.startswith("## "):
            inside = line[3:].strip().lower() == heading.lower()
            continue
        if inside and line.strip():
            item = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line).strip()
            if item:
                items.append(item)
    return items


def meeting_types(store: Store) -> list[str]:
    return lookups.values(store, "meeting-type")


def check_type(store: Store, value: str) -> str:
    return lookups.check(store, "meeting-type", value, field="--type")


def check_cm_attended(value: str) -> str:
    return check_choice("--cm-attended", value, CM_ATTENDED)


def check_rag(value: str) -> str:
    return check_choice("--rag", value, RAGS)


def meeting_day(value: DateLike, *, today: date | None = None) -> str:
    """The meeting's date: default today, weekday names in the past, never in the future."""
    today = today or date.today()
    if value is None or (isinstance(value, str) and not value.strip()):
        return today.isoformat()
    if isinstance(value, date):
        day = value
    else:
        try:
            day = dates.parse_date(value, today=today)
        except UserError as exc:
            raise reword(exc, "date", "--on") from None
    if day > today:
        raise UserError(
            f"--on {day.isoformat()} is in the future",
            hint="record a meeting after it has taken place",
        )
    return day.isoformat()


def _time(value: str) -> str:
    try:
        return dates.parse_time(value).strftime("%H:%M")
    except UserError as exc:
        raise reword(exc, "time", "--time") from None


def _duration(value: str | int) -> int:
    try:
        return dates.parse_minutes(str(value))
    except UserError as exc:
        raise reword(exc, "duration", "--duration") from None


def due_at(day: str, at: str | None) -> str:
    """When the minutes are due: 48 h after the meeting (after the day's end if no time)."""
    start = (
        datetime.combine(date.fromisoformat(day), time.fromisoformat(at))
        if at
        else datetime.combine(date.fromisoformat(day) + timedelta(days=1), time())
    )
    return str(dates.iso(start + MINUTES_DUE))


def _names(refs: str | Sequence[str] | None) -> list[str]:
    if refs is None:
        return []
    items = [refs] if isinstance(refs, str) else list(refs)
    names = [part.strip() for item in items for part in item.split(",") if part.strip()]
    return [] if [n.lower() for n in names] in (["none"], ["-"]) else names


def _who(row: Row) -> str:
    return f"{row['volunteer_id']} {row['volunteer_name']}"


def attendees(
    store: Store, circle: Row, day: str, refs: str | Sequence[str] | None, field_name: str
) -> list[Row]:
    """Current members of the circle on `day` named in `refs` (comma-separated; `all`).

    A name prefix is matched among the circle's members first (so "ann" means this circle's
    Ann even when another circle has one too); a number is a volunteer number. Everyone who is
    not a member that day is named in one error.
    """
    members = current_members(store, circle["id"], day)
    by_id = {m["volunteer_id"]: m for m in members}
    chosen: dict[int, Row] = {}
    outsiders: list[str] = []
    for ref in _names(refs):
        if ref.lower() == "all":
            chosen.update((m["volunteer_id"], m) for m in members)
            continue
        text = ref.lstrip("#")
        if text.isdigit():
            vol = resolve.person(store, "volunteers", "volunteer", text)
            match = by_id.get(vol["id"])
            if match is None:
                outsiders.append(f"{vol['id']} {vol['name']}")
            else:
                chosen[match["volunteer_id"]] = match
            continue
        hits, _ = resolve.rank(members, ref, lambda m: str(m["volunteer_name"]))
        if len(hits) == 1:
            chosen[hits[0]["volunteer_id"]] = hits[0]
        elif len(hits) > 1:
            raise UserError(
                f"{field_name} '{ref}' matches several members: {', '.join(_who(h) for h in hits)}",
                hint="use the number or more of the name",
            )
        else:
            try:
                vol = resolve.person(store, "volunteers", "volunteer", ref)
            except UserError as exc:
                if "matches several" not in exc.message:
                    raise  # nobody of that name at all
                outsiders.append(f"'{ref}'")
            else:
                outsiders.append(f"{vol['id']} {vol['name']}")
    if outsiders:
        listed = ", ".join(_who(m) for m in members) or "none"
        raise UserError(
            f"{field_name}: not a member of circle {circle['id']} ({circle['member_code']})"
            f" on {day}: {', '.join(outsiders)}",
            hint=f"members that day: {listed} (`cosa circle join` adds one)",
        )
    return list(chosen.values())


def _attendance(store: Store, circle: Row, day: str, fields: Fields) -> list[tuple[int, str]]:
    present = attendees(store, circle, day, fields.present, "--present")
    apologies = attendees(store, circle, day, fields.apologies, "--apologies")
    if "all" in (n.lower() for n in _names(fields.present)):
        sent = {a["volunteer_id"] for a in apologies}  # `all` means all but those apologising
        present = [m for m in present if m["volunteer_id"] not in sent]
    return _pair(present, apologies)


def _pair(present: list[Row], apologies: list[Row]) -> list[tuple[int, str]]:
    both = [m for m in present if m["volunteer_id"] in {a["volunteer_id"] for a in apologies}]
    if both:
        raise UserError(
            f"listed both present and with apologies: {', '.join(_who(m) for m in both)}"
        )
    return [(m["volunteer_id"], "present") for m in present] + [
        (m["volunteer_id"], "apologies") for m in apologies
    ]


def _reasons(values: dict[str, Any], fields: Fields, current: Row | None) -> None:
    """`--late-reason` only with a late core member, `--no-meeting-reason` only with no."""
    attended = values.get("cm_attended", current["cm_attended"] if current else None)
    for col, option, needs in (
        ("late_reason", "--late-reason", "late"),
        ("no_meeting_reason", "--no-meeting-reason", "no"),
    ):
        given = getattr(fields, col)
        if given is not None:
            values[col] = clean_text(option, given)
        if values.get(col) and attended != needs:
            raise UserError(f"{option} goes with --cm-attended {needs}")
        if current is not None and attended != needs and current[col] and col not in values:
            values[col] = None  # the attendance changed: its old reason no longer applies


def _extras(store: Store, circle: Row, day: str, fields: Fields) -> tuple[list[Any], list[Any]]:
    """The concerns and actions raised in the meeting, validated up front."""
    concerns: list[dict[str, Any]] = []
    if fields.concerns:
        severity = check_choice("--concern-severity", fields.concern_severity, SEVERITIES)
        category = lookups.check(
            store, "concern-category", fields.concern_category, field="--concern-category"
        )
        for text in fields.concerns:
            body = clean_text("--concern", text, required=True)
            concerns.append({"severity": severity, "category": category, "text": body, "on": day})
    elif fields.concern_severity != "amber" or fields.concern_category != "other":
        raise UserError("--concern-severity and --concern-category go with --concern TEXT")
    actions: list[dict[str, Any]] = []
    due = date_field("--due", fields.due, future=True)
    owner = clean_text("--owner", fields.owner)
    if fields.actions:
        from cosa.domain.actions import resolve_owner

        owner = resolve_owner(store, circle, owner)  # before the editor opens
        for text in fields.actions:
            body = clean_text("--action", text, required=True)
            actions.append({"text": body, "owner": owner, "due": due})
    elif owner or due:
        raise UserError("--owner and --due go with --action TEXT")
    return concerns, actions


def _check_circle_open(circle: Row, day: str) -> None:
    if circle["start_date"] and day < circle["start_date"]:
        raise UserError(
            f"circle {circle['id']} ({circle['member_code']}) started on {circle['start_date']};"
            f" a meeting on {day} cannot be recorded"
        )
    if circle["ended_on"] and day > circle["ended_on"]:
        raise UserError(
            f"circle {circle['id']} ({circle['member_code']}) ended on {circle['ended_on']};"
            f" a meeting on {day} cannot be recorded"
        )


# -- recording -------------------------------------------------------------------------------


def prepare(
    store: Store,
    circle_ref: str | int,
    fields: Fields,
    *,
    today: date | None = None,
    force: bool = False,
) -> Draft:
    """Validate a new meeting; nothing is written. Raises `UserError` naming the bad field."""
    circle = resolve_circle(store, circle_ref)
    if fields.type is not None and not fields.type.strip():
        raise UserError("--type must not be empty")
    day = meeting_day(fields.date, today=today)
    _check_circle_open(circle, day)
    at = _time(fields.time) if fields.time and fields.time.strip() else circle["meeting_time"]
    values: dict[str, Any] = {
        "circle_id": circle["id"],
        "date": day,
        "time": at,
        "duration_minutes": (
            _duration(fields.duration)
            if fields.duration is not None and str(fields.duration).strip()
            else circle["duration_minutes"]
        ),
        "type": check_type(store, fields.type) if fields.type else "formal",
        "venue": clean_text("--venue", fields.venue) or circle["venue"],
        "cm_attended": check_cm_attended(fields.cm_attended) if fields.cm_attended else None,
        "rag": check_rag(fields.rag) if fields.rag else None,
        "notify_pp": 1 if fields.notify_pp else 0,
        "minutes": clean_minutes(fields.minutes),
        "minutes_due_at": due_at(day, at),
        "late_reason": None,
        "no_meeting_reason": None,
    }
    _reasons(values, fields, None)
    attendance = _attendance(store, circle, day, fields)
    concerns, actions = _extras(store, circle, day, fields)
    return Draft(circle, day, values, attendance, concerns, actions, force=force)


def duplicate_of(
    store: Store, circle_id: int, day: str, meeting_type: str, *, but: int | None = None
) -> Row | None:
    """The circle's held meeting of that type on that day, if there is one (other than `but`)."""
    return store.one(
        "SELECT id, date, type FROM meetings WHERE circle_id = ? AND date = ? AND type = ?"
        " AND state = 'held' AND id != ? ORDER BY id LIMIT 1",
        (circle_id, day, meeting_type, but or 0),
    )


def _refuse_duplicate(store: Store, draft: Draft) -> None:
    if draft.force:
        return
    if draft.meeting_id is not None and not {"date", "type"} & draft.values.keys():
        return
    current = store.one("SELECT date, type FROM meetings WHERE id = ?", (draft.meeting_id or 0,))
    day = draft.values.get("date") or (current and current["date"])
    kind = draft.values.get("type") or (current and current["type"])
    found = duplicate_of(store, draft.circle["id"], str(day), str(kind), but=draft.meeting_id)
    if found is not None:
        raise UserError(
            f"circle {draft.circle['id']} ({draft.circle['member_code']}) already has a held"
            f" {found['type']} meeting on {found['date']}: meeting {found['id']}",
            hint="`--force` records another one anyway",
        )


def save(store: Store, draft: Draft) -> int:
    """Write a prepared meeting (new or edited) in one transaction; returns its id."""
    from cosa.domain import actions as actions_domain
    from cosa.domain import concerns as concerns_domain

    circle_id = draft.circle["id"]
    with store.atomic():  # BEGIN IMMEDIATE: the duplicate check and the insert are one step
        _refuse_duplicate(store, draft)
        if draft.meeting_id is None:
            mid = store.insert(TABLE, "meeting", draft.values)
        else:
            mid = draft.meeting_id
            store.update(TABLE, "meeting", mid, draft.values)
        if draft.attendance is not None:
            _write_attendance(store, mid, draft.attendance)
        row = store.one("SELECT date, minutes FROM meetings WHERE id = ?", (mid,))
        assert row is not None
        search.index(store, "meeting", mid, row["minutes"], circle_id=circle_id, date=row["date"])
        for c in draft.concerns:
            concerns_domain.add(
                store,
                circle_id,
                severity=c["severity"],
                category=c["category"],
                text=c["text"],
                on=c["on"],
                meeting_id=mid,
            )
        for a in draft.actions:
            actions_domain.add(
                store, circle_id, a["text"], owner=a["owner"], due=a["due"], meeting_id=mid
            )
    return mid


def _write_attendance(store: Store, mid: int, attendance: list[tuple[int, str]]) -> None:
    """Make the meeting's attendance rows exactly `attendance` (audited per row)."""
    wanted = dict(attendance)
    for row in store.query(
        "SELECT id, volunteer_id, status FROM meeting_attendance WHERE meeting_id = ?", (mid,)
    ):
        status = wanted.pop(row["volunteer_id"], None)
        if status is None:
            store.delete(
                "meeting_attendance",
                "attendance",
                row["id"],
                "attendance.remove",
                fields=["status"],
            )
        elif status != row["status"]:
            store.update("meeting_attendance", "attendance", row["id"], {"status": status})
    for vid, status in wanted.items():
        store.insert(
            "meeting_attendance",
            "attendance",
            {"meeting_id": mid, "volunteer_id": vid, "status": status},
        )


def add(
    store: Store,
    circle_ref: str | int,
    *,
    today: date | None = None,
    force: bool = False,
    **given: Any,
) -> int:
    """Record a meeting from keyword fields (see `Fields`); returns its id."""
    return save(store, prepare(store, circle_ref, Fields(**given), today=today, force=force))


# -- reading ---------------------------------------------------------------------------------


def _now(at: datetime | None = None) -> str:
    return str(dates.iso(at)) if at is not None else now()


def get(
    store: Store, ref: str | int, *, at: datetime | None = None, include_void: bool = False
) -> Row:
    """One meeting; a void one only with `include_void` (else the error says it is void)."""
    mid = number_ref("meeting", ref)
    row = store.one(f"{_SELECT} WHERE m.id = :id", {"id": mid, "now": _now(at)})
    if row is None:
        raise UserError(f"meeting {mid} not found", hint="`cosa meeting list` shows them")
    if row["state"] == "void" and not include_void:
        raise UserError(
            f"meeting {mid} is void (recorded in error: {row['state_reason']})",
            hint=f"`cosa meeting show {mid} --all` shows it",
        )
    return row


def _held(meeting: Row, doing: str) -> None:
    if meeting["state"] == "cancelled":
        raise UserError(
            f"meeting {meeting['id']} was cancelled ({meeting['state_reason']}); cannot {doing}",
            hint="a cancelled meeting owes no minutes; record the meeting that took place instead",
        )


def list_(
    store: Store,
    circle: str | int | None = None,
    *,
    start: DateLike = None,
    end: DateLike = None,
    meeting_type: str | None = None,
    state: str | None = None,
    include_void: bool = False,
    limit: int | None = None,
    at: datetime | None = None,
    coordinator: str | None = None,
) -> list[Row]:
    """Meetings, most recent first (by date, then number), optionally of one circle or of the
    circles a coordinator has now; void ones only with `include_void` (or `state="void"`)."""
    where: list[str] = []
    params: dict[str, Any] = {"now": _now(at)}
    if state is not None:
        where.append("m.state = :state")
        params["state"] = check_state(state)
    elif not include_void:
        where.append("m.state != 'void'")
    if circle is not None:
        where.append("m.circle_id = :circle")
        params["circle"] = resolve_circle(store, circle)["id"]
    if coordinator is not None:
        where.append(
            "m.circle_id IN (SELECT id FROM circles WHERE coordinator = :coordinator"
            " COLLATE NOCASE)"
        )
        params["coordinator"] = coordinator
    if (first := date_field("--from", start)) is not None:
        where.append("m.date >= :start")
        params["start"] = first
    if (last := date_field("--to", end)) is not None:
        where.append("m.date <= :end")
        params["end"] = last
    if first and last and last < first:
        raise UserError(f"--to {last} is before --from {first}")
    if meeting_type is not None:
        where.append("m.type = :type")
        params["type"] = check_type(store, meeting_type)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY m.date DESC, m.id DESC"
    if limit:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return store.query(sql, params)


def check_state(value: str) -> str:
    return check_choice("--status", value, STATES)


def absent(store: Store, meeting: Row, attendance: Sequence[Row]) -> list[Row]:
    """Members of the circle on the day of a held meeting who were neither present nor sent
    apologies (none when no attendance was recorded at all: then nobody is known absent)."""
    if meeting["state"] != "held" or not attendance:
        return []
    seen = {a["volunteer_id"] for a in attendance}
    return [
        {"volunteer_id": m["volunteer_id"], "volunteer_name": m["volunteer_name"]}
        for m in current_members(store, meeting["circle_id"], meeting["date"])
        if m["volunteer_id"] not in seen
    ]


def detail(
    store: Store, ref: str | int, *, at: datetime | None = None, include_void: bool = False
) -> dict[str, Any]:
    """A meeting with attendance (and who was absent without apology), the concerns and
    actions raised in it, and amendments."""
    meeting = get(store, ref, at=at, include_void=include_void)
    mid = meeting["id"]
    attendance = store.query(
        "SELECT a.*, v.name AS volunteer_name FROM meeting_attendance a"
        " JOIN volunteers v ON v.id = a.volunteer_id WHERE a.meeting_id = ?"
        " ORDER BY a.status DESC, v.name, a.id",
        (mid,),
    )
    return {
        **meeting,
        "attendance": attendance,
        "absent": absent(store, meeting, attendance),
        "concerns": store.query(
            "SELECT c.*, :code AS member_code,"
            " CASE WHEN c.closed_on IS NULL THEN 'open' ELSE 'closed' END AS status,"
            " (SELECT count(*) FROM escalations e WHERE e.concern_id = c.id) AS escalation_count"
            " FROM concerns c WHERE c.meeting_id = :id AND c.void_reason IS NULL ORDER BY c.id",
            {"id": mid, "code": meeting["member_code"]},
        ),
        "actions": store.query(
            "SELECT a.*, :code AS member_code,"
            " a.status = 'open' AND a.due IS NOT NULL AND a.due < :today AS overdue"
            " FROM actions a WHERE a.meeting_id = :id ORDER BY a.id",
            {"id": mid, "code": meeting["member_code"], "today": date.today().isoformat()},
        ),
        "amendments": amendments(store, mid),
    }


def amendments(store: Store, meeting_id: int) -> list[Row]:
    return store.query(
        "SELECT * FROM meeting_amendments WHERE meeting_id = ? ORDER BY id", (meeting_id,)
    )


def minutes_due(store: Store, now: datetime | None = None) -> list[Row]:
    """Meetings whose minutes are not approved yet, oldest due first, with a `late` flag.

    Each row: id, circle_id, member_code, date, type, minutes_due_at, has_minutes, late.
    Uses the partial index on unapproved meetings.
    """
    rows = store.query(
        "SELECT m.id, m.circle_id, cm.code AS member_code, m.date, m.type, m.minutes_due_at,"
        " m.minutes IS NOT NULL AS has_minutes, m.minutes_due_at < :now AS late"
        " FROM meetings m JOIN circles c ON c.id = m.circle_id"
        " JOIN core_members cm ON cm.id = c.member_id"
        " WHERE m.approved_at IS NULL AND m.state = 'held' ORDER BY m.minutes_due_at, m.id",
        {"now": _now(now)},
    )
    return [{**r, "has_minutes": bool(r["has_minutes"]), "late": bool(r["late"])} for r in rows]


# -- changing --------------------------------------------------------------------------------


def _unapproved(meeting: Row) -> None:
    if meeting["approved_at"]:
        raise UserError(
            f"meeting {meeting['id']} was approved on {meeting['approved_at']}"
            f" by {meeting['approved_by']}: {IMMUTABLE_HINT}"
        )


def prepare_edit(
    store: Store,
    ref: str | int,
    fields: Fields,
    *,
    today: date | None = None,
    force: bool = False,
) -> Draft:
    """Validate changes to a meeting whose minutes are not approved; nothing is written.

    Fields left as None stay; an empty text clears an optional field (time, duration, venue,
    RAG, CM attendance, reasons, minutes). New attendance lists replace the old ones; a new
    date is checked against the recorded attendance too.
    """
    meeting = get(store, ref)
    _unapproved(meeting)
    _held(meeting, "edit it")
    circle = resolve_circle(store, meeting["circle_id"])
    values: dict[str, Any] = {}

    def given(value: object) -> bool:
        return value is not None

    def blank(value: object) -> bool:
        return isinstance(value, str) and not value.strip()

    if given(fields.date):
        if blank(fields.date):
            raise UserError("--on must not be empty")
        values["date"] = meeting_day(fields.date, today=today)
        _check_circle_open(circle, values["date"])
    if given(fields.type):
        assert fields.type is not None
        if blank(fields.type):
            raise UserError("--type must not be empty")
        values["type"] = check_type(store, fields.type)
    simple: dict[str, tuple[Any, Callable[[Any], Any]]] = {
        "time": (fields.time, _time),
        "duration_minutes": (fields.duration, _duration),
        "venue": (fields.venue, lambda v: clean_text("--venue", v)),
        "cm_attended": (fields.cm_attended, check_cm_attended),
        "rag": (fields.rag, check_rag),
    }
    for col, (value, check) in simple.items():
        if given(value):
            values[col] = None if blank(value) else check(value)
    if fields.notify_pp is not None:
        values["notify_pp"] = 1 if fields.notify_pp else 0
    if fields.minutes is not None:
        values["minutes"] = clean_minutes(fields.minutes)
    _reasons(values, fields, meeting)
    day = str(values.get("date") or meeting["date"])
    if "date" in values or "time" in values:
        values["minutes_due_at"] = due_at(day, values.get("time", meeting["time"]))
    attendance: list[tuple[int, str]] | None = None
    if fields.present is not None or fields.apologies is not None or "date" in values:
        attendance = _edited_attendance(store, circle, meeting["id"], day, fields)
    concerns, actions = _extras(store, circle, day, fields)
    return Draft(
        circle, day, values, attendance, concerns, actions, meeting_id=meeting["id"], force=force
    )


def _edited_attendance(
    store: Store, circle: Row, meeting_id: int, day: str, fields: Fields
) -> list[tuple[int, str]]:
    """New attendance lists replace the old; a list not given keeps the recorded one, less
    anyone now on the other list. Everyone must be a member on `day`."""
    recorded = store.query(
        "SELECT volunteer_id, status FROM meeting_attendance WHERE meeting_id = ?", (meeting_id,)
    )

    def kept(status: str) -> list[str]:
        return [str(r["volunteer_id"]) for r in recorded if r["status"] == status]

    present = attendees(
        store, circle, day, fields.present if fields.present is not None else kept("present"),
        "--present",
    )  # fmt: skip
    apologies = attendees(
        store, circle, day,
        fields.apologies if fields.apologies is not None else kept("apologies"),
        "--apologies",
    )  # fmt: skip
    present_ids = {m["volunteer_id"] for m in present}
    apology_ids = {m["volunteer_id"] for m in apologies}
    if fields.present is None or "all" in (n.lower() for n in _names(fields.present)):
        present = [m for m in present if m["volunteer_id"] not in apology_ids]
    elif fields.apologies is None:
        apologies = [m for m in apologies if m["volunteer_id"] not in present_ids]
    return _pair(present, apologies)


def has_changes(draft: Draft, store: Store) -> bool:
    """Whether saving the draft would change anything (for "nothing changed" messages)."""
    if draft.concerns or draft.actions or draft.meeting_id is None:
        return True
    current = store.one("SELECT * FROM meetings WHERE id = ?", (draft.meeting_id,))
    assert current is not None
    if any(current[k] != v for k, v in draft.values.items()):
        return True
    if draft.attendance is None:
        return False
    recorded = store.query(
        "SELECT volunteer_id, status FROM meeting_attendance WHERE meeting_id = ?",
        (draft.meeting_id,),
    )
    return {(r["volunteer_id"], r["status"]) for r in recorded} != set(draft.attendance)


def approve(
    store: Store, ref: str | int, *, rag: str | None = None, at: datetime | None = None
) -> Row:
    """Approve a meeting's minutes (optionally setting its RAG); returns the meeting after.

    `at` records an approval given earlier (e.g. on paper); it defaults to now.
    """
    meeting = get(store, ref)
    _unapproved(meeting)
    _held(meeting, "approve minutes")
    if meeting["minutes"] is None:
        raise UserError(
            f"meeting {meeting['id']} has no minutes to approve",
            hint=f"add them with `cosa meeting edit {meeting['id']} --minutes-file PATH`",
        )
    changes: dict[str, Any] = {"approved_at": _now(at), "approved_by": store.operator}
    if rag is not None:
        changes["rag"] = check_rag(rag)
    with store.atomic():
        store.update(TABLE, "meeting", meeting["id"], changes, "meeting.approve")
    return get(store, meeting["id"])


#: Structured fields an amendment may correct (Fields attribute -> meetings column).
CORRECTABLE = {
    "date": "date",
    "type": "type",
    "cm_attended": "cm_attended",
    "late_reason": "late_reason",
    "no_meeting_reason": "no_meeting_reason",
    "rag": "rag",
}


def _attendance_text(store: Store, mid: int) -> str:
    rows = store.query(
        "SELECT a.status, v.id, v.name FROM meeting_attendance a JOIN volunteers v"
        " ON v.id = a.volunteer_id WHERE a.meeting_id = ? ORDER BY a.status DESC, v.id",
        (mid,),
    )
    parts = []
    for status in ("present", "apologies"):
        names = [f"{r['id']} {r['name']}" for r in rows if r["status"] == status]
        parts.append(f"{status}: {', '.join(names) or 'none'}")
    return "; ".join(parts)


def amend(
    store: Store,
    ref: str | int,
    text: str | None,
    *,
    reason: str | None = None,
    fields: Fields | None = None,
    today: date | None = None,
    force: bool = False,
) -> int:
    """Correct an approved meeting: an amendment with its own text, reason, time, operator.

    `fields` may correct the structured fields (date, type, present, apologies, core-member
    attendance and its reasons, RAG): they are applied to the meeting row, so every figure
    uses them, and the amendment keeps each one's value before and after (`changes`, JSON).
    The approved minutes text itself never changes. A reason is always required.
    """
    import json

    meeting = get(store, ref)
    if not meeting["approved_at"]:
        raise UserError(
            f"meeting {meeting['id']}'s minutes are not approved yet",
            hint=f"change them with `cosa meeting edit {meeting['id']}`",
        )
    why = clean_text("--reason", reason)
    if not why:
        raise UserError("--reason is required", hint="say why the approved record is corrected")
    fields = fields or Fields()
    draft: Draft | None = None
    changes: dict[str, list[Any]] = {}
    if fields != Fields():
        structured = Fields(
            **{k: getattr(fields, k) for k in (*CORRECTABLE, "present", "apologies")}
        )
        if structured != fields:
            raise UserError("an amendment corrects only the date, type, attendance and RAG")
        draft = _prepare_correction(store, meeting, structured, today=today, force=force)
        for col, after in draft.values.items():
            if meeting[col] != after:
                changes[col] = [meeting[col], after]
    body = clean_minutes(text)
    if text is not None and body is None:
        raise UserError("the correction must not be empty")
    if body is None and draft is None:
        raise UserError(
            "the correction is required",
            hint="its text, e.g. `meeting amend 12 'The date was …'`, or a corrected field (--rag …)",
        )
    with store.atomic():
        if draft is not None:
            before = _attendance_text(store, meeting["id"])
            _refuse_duplicate(store, draft)
            if draft.values:
                store.update(TABLE, "meeting", meeting["id"], draft.values, "meeting.amend")
            if draft.attendance is not None:
                _write_attendance(store, meeting["id"], draft.attendance)
            after = _attendance_text(store, meeting["id"])
            if after != before:
                changes["attendance"] = [before, after]
            if not changes:
                raise UserError("the corrected fields already have those values")
        if body is None:
            body = "Corrected " + "; ".join(
                f"{k}: {b if b is not None else '—'} → {a if a is not None else '—'}"
                for k, (b, a) in changes.items()
            )
        values = {
            "meeting_id": meeting["id"],
            "text": body,
            "reason": why,
            "changes": json.dumps(changes, ensure_ascii=False) if changes else None,
        }
        aid = store.insert("meeting_amendments", "amendment", values)
        search.index(store, "amendment", aid, body, circle_id=meeting["circle_id"],
                     date=str(draft.day if draft else meeting["date"]))  # fmt: skip
        if draft is not None and "date" in draft.values:
            search.index(store, "meeting", meeting["id"], meeting["minutes"],
                         circle_id=meeting["circle_id"], date=draft.day)  # fmt: skip
    return aid


def _prepare_correction(
    store: Store, meeting: Row, fields: Fields, *, today: date | None, force: bool
) -> Draft:
    """`prepare_edit` for an approved meeting (only the correctable fields)."""
    circle = resolve_circle(store, meeting["circle_id"])
    values: dict[str, Any] = {}
    if fields.date is not None:
        if not str(fields.date).strip():
            raise UserError("--on must not be empty")
        values["date"] = meeting_day(fields.date, today=today)
        _check_circle_open(circle, values["date"])
        values["minutes_due_at"] = due_at(values["date"], meeting["time"])
    if fields.type is not None:
        if not fields.type.strip():
            raise UserError("--type must not be empty")
        values["type"] = check_type(store, fields.type)
    if fields.cm_attended is not None:
        values["cm_attended"] = check_cm_attended(fields.cm_attended)
    if fields.rag is not None:
        values["rag"] = check_rag(fields.rag)
    _reasons(values, fields, meeting)
    day = str(values.get("date") or meeting["date"])
    attendance = None
    if fields.present is not None or fields.apologies is not None or "date" in values:
        attendance = _edited_attendance(store, circle, meeting["id"], day, fields)
    return Draft(circle, day, values, attendance, meeting_id=meeting["id"], force=force)


def amendment_changes(row: Row) -> dict[str, list[Any]]:
    """An amendment's corrected fields: {field: [before, after]} (empty for text only)."""
    import json

    raw = row.get("changes")
    return dict(json.loads(raw)) if raw else {}


# -- cancelled and void meetings -------------------------------------------------------------


def cancel(
    store: Store,
    circle_ref: str | int,
    *,
    on: DateLike,
    reason: str | None,
    meeting_type: str | None = None,
    moved_to: DateLike = None,
) -> int:
    """Record that a meeting did not take place (a reason; the date it moved to, if any).

    Refused when the circle has a held meeting of that type that day, or already a
    cancellation of it. A cancelled meeting owes no minutes and counts in no figure but
    `meetings_cancelled`. Returns its id.
    """
    circle = resolve_circle(store, circle_ref)
    if on is None or (isinstance(on, str) and not on.strip()):
        raise UserError("--on is required", hint="the date of the meeting that did not happen")
    day = date_field("--on", on)
    assert day is not None
    why = clean_text("--reason", reason)
    if not why:
        raise UserError("--reason is required", hint="why the meeting did not take place")
    kind = check_type(store, meeting_type) if meeting_type is not None else "formal"
    moved = date_field("--moved-to", moved_to, future=True)
    if moved is not None and moved == day:
        raise UserError(f"--moved-to {moved} is the date cancelled")
    _check_circle_open(circle, day)
    values = {
        "circle_id": circle["id"],
        "date": day,
        "time": circle["meeting_time"],
        "duration_minutes": circle["duration_minutes"],
        "type": kind,
        "venue": circle["venue"],
        "notify_pp": 0,
        "minutes_due_at": due_at(day, circle["meeting_time"]),
        "state": "cancelled",
        "state_reason": why,
        "moved_to": moved,
    }
    with store.atomic():
        for state in ("held", "cancelled"):
            found = store.one(
                "SELECT id FROM meetings WHERE circle_id = ? AND date = ? AND type = ?"
                " AND state = ? ORDER BY id LIMIT 1",
                (circle["id"], day, kind, state),
            )
            if found is not None:
                raise UserError(
                    f"circle {circle['id']} ({circle['member_code']}) has a {state} {kind}"
                    f" meeting on {day}: meeting {found['id']}",
                    hint=(
                        f"`cosa meeting void {found['id']} --reason …` if it was recorded in error"
                        if state == "held"
                        else "it is already recorded as cancelled"
                    ),
                )
        return store.insert(TABLE, "meeting", values, "meeting.cancel")


def void(store: Store, ref: str | int, *, reason: str | None) -> Row:
    """Mark a meeting recorded in error: kept (with its minutes) for the audit trail, left out
    of every list, figure and report. Approved meetings too. Returns the meeting after."""
    meeting = get(store, ref, include_void=True)
    if meeting["state"] == "void":
        raise UserError(
            f"meeting {meeting['id']} is already void ({meeting['state_reason']})",
        )
    why = clean_text("--reason", reason)
    if not why:
        raise UserError("--reason is required", hint="why the meeting was recorded in error")
    with store.atomic():
        store.update(
            TABLE, "meeting", meeting["id"], {"state": "void", "state_reason": why}, "meeting.void"
        )
        search.unindex(store, "meeting", meeting["id"])
        for amendment in amendments(store, meeting["id"]):
            search.unindex(store, "amendment", amendment["id"])
    return get(store, meeting["id"], include_void=True)


# -- the schedule ----------------------------------------------------------------------------


def _first_day(circle: Row) -> date:
    """The circle's first scheduled day: its meeting weekday on or after its start."""
    start = date.fromisoformat(str(circle["start_date"] or str(circle["created_at"])[:10]))
    weekday = (circle["meeting_day"] or "").lower()
    if weekday in WEEKDAYS:
        start += timedelta(days=(WEEKDAYS.index(weekday) - start.weekday()) % 7)
    return start


def scheduled_days(circle: Row, start: date, end: date) -> list[date]:
    """The circle's planned meeting days from `start` to `end` (inclusive): its weekday,
    every `cadence_days` (default 7) from the first one on or after its start, up to its end.
    Empty for a circle with no meeting day (it has no schedule)."""
    if (circle["meeting_day"] or "").lower() not in WEEKDAYS:
        return []
    cadence = circle["cadence_days"] or DEFAULT_CADENCE_DAYS
    first = _first_day(circle)
    last = min(end, date.fromisoformat(circle["ended_on"])) if circle["ended_on"] else end
    if start <= first:
        day = first
    else:
        day = first + timedelta(days=-(-(start - first).days // cadence) * cadence)
    days = []
    while day <= last:
        days.append(day)
        day += timedelta(days=cadence)
    return days


def _recorded_days(store: Store, circle_id: int, start: date, end: date) -> set[str]:
    return {
        r["date"]
        for r in store.query(
            "SELECT DISTINCT date FROM meetings WHERE circle_id = ? AND state != 'void'"
            " AND date BETWEEN ? AND ?",
            (circle_id, start.isoformat(), end.isoformat()),
        )
    }


def upcoming(
    store: Store,
    circle_ref: str | int | None = None,
    *,
    today: date | None = None,
    days: int = UPCOMING_DAYS,
) -> list[Row]:
    """The next planned meetings of each active circle (or of one circle) from today: every
    scheduled day within `days`, and at least the first one; days already recorded (held or
    cancelled) are skipped; circles with no meeting day have no schedule. Each row:
    circle_id, member_code, date, weekday, time, venue.
    Two queries whatever the number of circles (`status` uses it)."""
    today = today or date.today()
    where, params = "c.status = 'active'", {}
    if circle_ref is not None:
        where, params = "c.id = :id", {"id": resolve_circle(store, circle_ref)["id"]}
    circles = store.query(
        "SELECT c.id, c.start_date, c.created_at, c.meeting_day, c.meeting_time, c.venue,"
        " c.cadence_days, c.ended_on, cm.code AS member_code FROM circles c"
        f" JOIN core_members cm ON cm.id = c.member_id WHERE {where} ORDER BY c.id",
        params,
    )
    reach = today + timedelta(days=max(days, 1) + 366)
    recorded = {
        (r["circle_id"], r["date"])
        for r in store.query(
            "SELECT DISTINCT m.circle_id, m.date FROM meetings m JOIN circles c"
            f" ON c.id = m.circle_id WHERE {where} AND m.state != 'void'"
            " AND m.date BETWEEN :start AND :end",
            {**params, "start": today.isoformat(), "end": reach.isoformat()},
        )
    }
    horizon = today + timedelta(days=max(days, 1))
    out: list[Row] = []
    for circle in circles:
        if circle["ended_on"] and circle["ended_on"] < today.isoformat():
            continue
        cadence = circle["cadence_days"] or DEFAULT_CADENCE_DAYS
        planned = scheduled_days(circle, today, max(horizon, today + timedelta(cadence * 8)))
        free = [d for d in planned if (circle["id"], d.isoformat()) not in recorded]
        chosen = [d for d in free if d < horizon] or free[:1]
        out.extend(
            {
                "circle_id": circle["id"],
                "member_code": circle["member_code"],
                "date": d.isoformat(),
                "weekday": WEEKDAYS[d.weekday()],
                "time": circle["meeting_time"],
                "venue": circle["venue"],
            }
            for d in chosen
        )
    out.sort(key=lambda r: (r["date"], r["circle_id"]))
    return out


def next_unrecorded_day(store: Store, circle: Row, *, today: date | None = None) -> str:
    """The circle's most recent scheduled day (up to today) with no meeting recorded; today
    when there is none (no schedule, or every scheduled day is recorded)."""
    today = today or date.today()
    cadence = circle["cadence_days"] or DEFAULT_CADENCE_DAYS
    since = today - timedelta(days=cadence * 4)
    recorded = _recorded_days(store, circle["id"], since, today)
    for day in reversed(scheduled_days(circle, since, today)):
        if day.isoformat() not in recorded:
            return day.isoformat()
    return today.isoformat()


def members_on(store: Store, circle: Row, day: str) -> list[Row]:
    """The circle's members on a day (for prompts)."""
    return current_members(store, circle["id"], day)
