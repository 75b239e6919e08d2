"""Circles: a core member, the volunteers around them, and the professionals behind them.

A circle starts `forming`; its first `phase 1` makes it `active`; it can be `paused`; it ends
with a date and a reason (lookup `ending-reason`), which also closes the open memberships and
outer-circle links. Members carry a role (member, primary, minute-taker) and join/leave
dates; a membership counts on every day from `joined_on` to `left_on`, both included.
Phases (lookup `circle-phase`) are a dated history; the current phase is the latest. Goals
follow Good Lives domains (lookup `goal-domain`) and end achieved / partly / not-achieved.

Commands name a circle by its number or its core member's code: `resolve_circle` is the one
place that turns what a user typed into a circle.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from cosa import dates
from cosa.domain import lookups, recruitment, resolve, search, volunteer_status
from cosa.domain.members import (
    DateLike,
    date_field,
    day_or_today,
    in_transaction,
    number_ref,
    required_date,
    resolve_member,
    reword,
)
from cosa.domain.volunteers import check_choice, clean_text
from cosa.errors import UserError
from cosa.store import Row, Store

TABLE = "circles"
STATUSES = ("forming", "active", "paused", "ended", "transferred")
SETTABLE_STATUSES = ("forming", "active", "paused")
ROLES = ("member", "primary", "minute-taker")
OUTCOMES = ("open", "achieved", "partly", "not-achieved")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ACTIVATING_PHASE = "phase 1"

_SELECT = """
    SELECT c.*, m.code AS member_code,
        (SELECT p.phase FROM circle_phases p WHERE p.circle_id = c.id
         ORDER BY p.started_on DESC, p.id DESC LIMIT 1) AS phase,
        (SELECT count(*) FROM circle_members x
         WHERE x.circle_id = c.id AND x.left_on IS NULL) AS member_count
    FROM circles c JOIN core_members m ON m.id = c.member_id"""


# -- finding circles -------------------------------------------------------------------------


def _label(row: Row) -> str:
    ended = f", ended {row['ended_on']}" if row.get("ended_on") else ""
    return f"{row['id']} ({row['status']}{ended})"


def resolve_circle(store: Store, ref: str | int) -> Row:
    """A circle by number (`3`, `#3`) or its core member's code (`CM-0003`, any case).

    By code: the member's one circle that has not ended; else, when none is open, their one
    ended circle. Several candidates is an error listing them (use the number then).
    """
    text = str(ref).strip()
    if not text:
        raise UserError("no circle given")
    if text.lstrip("#").isdigit():
        cid = int(text.lstrip("#"))
        row = store.one(f"{_SELECT} WHERE c.id = ?", (cid,))
        if row is None:
            raise UserError(f"circle {cid} not found", hint="`cosa circle list` shows them")
        return row
    if re.fullmatch(r"CM-?\d+", text, re.IGNORECASE | re.ASCII) is None:
        raise UserError(
            f"invalid circle '{text}'",
            hint="use the circle number or its core member's code, e.g. 3 or CM-0003",
        )
    member = resolve_member(store, text)
    rows = store.query(f"{_SELECT} WHERE c.member_id = ? ORDER BY c.id", (member["id"],))
    if not rows:
        raise UserError(
            f"{member['code']} has no circle", hint=f"`cosa circle add --member {member['code']}`"
        )
    candidates = [r for r in rows if r["status"] not in ("ended", "transferred")] or rows
    if len(candidates) == 1:
        return candidates[0]
    raise UserError(
        f"{member['code']} has several circles: {', '.join(_label(r) for r in candidates)}",
        hint="use the circle number",
    )


def get(store: Store, ref: str | int) -> Row:
    return resolve_circle(store, ref)


def current_members(store: Store, circle_id: int, on_date: date | str) -> list[Row]:
    """Memberships of the circle on that day, with `volunteer_name`, in joining order."""
    day = on_date.isoformat() if isinstance(on_date, date) else on_date
    return store.query(
        "SELECT cm.*, v.name AS volunteer_name FROM circle_members cm"
        " JOIN volunteers v ON v.id = cm.volunteer_id"
        " WHERE cm.circle_id = ? AND cm.joined_on <= ? AND (cm.left_on IS NULL OR cm.left_on >= ?)"
        " ORDER BY cm.joined_on, cm.id",
        (circle_id, day, day),
    )


# -- schedule fields -------------------------------------------------------------------------


def _weekday(value: str) -> str:
    text = value.strip().lower()
    for day in WEEKDAYS:
        if len(text) >= 3 and day.startswith(text):
            return day
    raise UserError(
        f"invalid --day '{value.strip()}'", hint=f"choose one of: {', '.join(WEEKDAYS)}"
    )


def _time(value: str) -> str:
    try:
        return dates.parse_time(value).strftime("%H:%M")
    except UserError as exc:
        raise reword(exc, "time", "--time") from None


def _duration(value: str | int) -> int:
    if isinstance(value, int):
        value = str(value)
    try:
        return dates.parse_minutes(value)
    except UserError as exc:
        raise reword(exc, "duration", "--duration") from None


def _cadence(value: int | str) -> int:
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise UserError(f"invalid --cadence-days '{text}' (must be a whole number, 1 or more)")
    return int(text)


_SCHEDULE = {
    "meeting_day": _weekday,
    "meeting_time": _time,
    "duration_minutes": _duration,
    "cadence_days": _cadence,
}


def _settings(store: Store, given: dict[str, Any], *, clearing: bool) -> dict[str, Any]:
    """Validate circle settings; with `clearing`, an empty text clears an optional field."""
    out: dict[str, Any] = {}
    for col, value in given.items():
        if value is None:
            continue
        if isinstance(value, str) and not value.strip():
            if col == "type":
                raise UserError("--type must not be empty")
            if clearing:
                out[col] = None
            continue
        if col == "type":
            out[col] = lookups.check(store, "circle-type", value, field="--type")
        elif col == "start_date":
            out[col] = date_field("--start", value)
        elif col in _SCHEDULE:
            out[col] = _SCHEDULE[col](value)
        else:
            out[col] = clean_text(f"--{col}", str(value))
    return out


# -- circles ---------------------------------------------------------------------------------


@in_transaction
def add(
    store: Store,
    *,
    member: str,
    circle_type: str | None = None,
    start: DateLike = None,
    coordinator: str | None = None,
    day: str | None = None,
    time: str | None = None,
    duration: str | int | None = None,
    venue: str | None = None,
    cadence_days: int | str | None = 7,
    force: bool = False,
    reason: str | None = None,
) -> int:
    """Add a forming circle for a core member.

    Refused when the member already has a circle that has not ended, unless `force` with a
    `reason` (kept on the circle as `forced_reason`).
    """
    cm = resolve_member(store, member)
    values = _settings(
        store,
        {
            "type": circle_type,
            "start_date": start,
            "coordinator": coordinator,
            "meeting_day": day,
            "meeting_time": time,
            "duration_minutes": duration,
            "venue": venue,
            "cadence_days": cadence_days,
        },
        clearing=False,
    )
    if "type" not in values:
        types = lookups.values(store, "circle-type")
        if not types:
            raise UserError("no circle types are defined", hint="`cosa lookup add circle-type X`")
        values["type"] = types[0]
    values.setdefault("coordinator", getattr(store, "person", None) or store.operator)
    forced = clean_text("--reason", reason)
    if forced and not force:
        raise UserError("--reason goes with --force (it says why a second circle is needed)")
    if force and not forced:
        raise UserError("--force needs --reason TEXT (why this member needs another circle)")
    open_ = store.query(
        "SELECT id, status FROM circles WHERE member_id = ? AND status NOT IN ('ended', 'transferred') ORDER BY id",
        (cm["id"],),
    )
    if open_ and not force:
        listed = ", ".join(f"{r['id']} ({r['status']})" for r in open_)
        raise UserError(
            f"{cm['code']} already has a circle that has not ended: {listed}",
            hint="end it first, or use --force --reason TEXT",
        )
    values.update(member_id=cm["id"], status="forming", forced_reason=forced if force else None)
    with store.atomic():
        cid = store.insert(TABLE, "circle", values)
        _record_coordinator(
            store, cid, values["coordinator"], values.get("start_date") or date.today().isoformat()
        )
        return cid


def _record_coordinator(
    store: Store, circle_id: int, coordinator: str, on: str, note: str | None = None
) -> None:
    store.insert(
        "circle_coordinators",
        "circle_coordinator",
        {"circle_id": circle_id, "coordinator": coordinator, "on_date": on, "note": note},
    )


def coordinators(store: Store, ref: str | int) -> list[Row]:
    """A circle's coordinators, earliest first: who, from which day, and the note."""
    circle = resolve_circle(store, ref)
    return store.query(
        "SELECT * FROM circle_coordinators WHERE circle_id = ? ORDER BY on_date, id",
        (circle["id"],),
    )


@in_transaction
def assign(
    store: Store,
    ref: str | int,
    coordinator: str,
    *,
    on: DateLike = None,
    note: str | None = None,
) -> Row:
    """Hand a circle over to `coordinator` from the day `on` (default today): the circle's
    coordinator changes and the handover is kept in its history (`coordinators`)."""
    circle = resolve_circle(store, ref)
    name = clean_text("USER", coordinator)
    if not name:
        raise UserError("the new coordinator's name must not be empty")
    day = day_or_today("--on", on)
    if day > date.today().isoformat():
        raise UserError(f"--on {day} is in the future: record a handover when it happens")
    if name.casefold() == str(circle["coordinator"]).casefold():
        raise UserError(f"{name} already coordinates {_label(circle)}")
    last = store.scalar(
        "SELECT max(on_date) FROM circle_coordinators WHERE circle_id = ?", (circle["id"],)
    )
    if last is not None and day < str(last):
        raise UserError(
            f"--on {day} is before this circle's last handover ({last})",
            hint="a handover is recorded on or after the one before it",
        )
    with store.atomic():
        store.update(TABLE, "circle", circle["id"], {"coordinator": name})
        _record_coordinator(store, circle["id"], name, day, clean_text("--note", note))
    return get(store, circle["id"])


@in_transaction
def edit(
    store: Store,
    ref: str | int,
    *,
    circle_type: str | None = None,
    start: DateLike = None,
    coordinator: str | None = None,
    day: str | None = None,
    time: str | None = None,
    duration: str | int | None = None,
    venue: str | None = None,
    cadence_days: int | str | None = None,
) -> list[str]:
    """Change a circle's settings and schedule (an empty text clears); returns changed fields."""
    circle = resolve_circle(store, ref)
    changes = _settings(
        store,
        {
            "type": circle_type,
            "start_date": start,
            "coordinator": coordinator,
            "meeting_day": day,
            "meeting_time": time,
            "duration_minutes": duration,
            "venue": venue,
            "cadence_days": cadence_days,
        },
        clearing=True,
    )
    if "coordinator" in changes and changes["coordinator"] is None:
        raise UserError("--coordinator must not be empty")
    with store.atomic():
        changed = store.update(TABLE, "circle", circle["id"], changes)
        if "coordinator" in changed:
            _record_coordinator(
                store, circle["id"], changes["coordinator"], date.today().isoformat()
            )
        return changed


def list_(store: Store, *, status: str | None = None, coordinator: str | None = None) -> list[Row]:
    """Circles, by status and by coordinator (a name, compared case-insensitively)."""
    where, params = ["1"], []
    if status is not None:
        where.append("c.status = ?")
        params.append(check_choice("--status", status, STATUSES))
    if coordinator is not None:
        where.append("c.coordinator = ? COLLATE NOCASE")
        params.append(coordinator)
    return store.query(f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY c.id", params)


def detail(store: Store, ref: str | int) -> dict[str, Any]:
    """A circle with its members, outer circle, phase history and goals."""
    circle = resolve_circle(store, ref)
    cid = circle["id"]
    return {
        **circle,
        "members": store.query(
            "SELECT cm.*, v.name AS volunteer_name FROM circle_members cm"
            " JOIN volunteers v ON v.id = cm.volunteer_id WHERE cm.circle_id = ?"
            " ORDER BY cm.left_on IS NOT NULL, cm.joined_on, cm.id",
            (cid,),
        ),
        "links": store.query(
            "SELECT l.*, p.name AS professional_name, p.agency, p.role FROM circle_links l"
            " JOIN professionals p ON p.id = l.professional_id WHERE l.circle_id = ?"
            " ORDER BY l.unlinked_on IS NOT NULL, l.linked_on, l.id",
            (cid,),
        ),
        "phases": phases(store, cid),
        "goals": goals(store, cid),
        "coordinators": store.query(
            "SELECT * FROM circle_coordinators WHERE circle_id = ? ORDER BY on_date, id", (cid,)
        ),
    }


def _open(circle: Row, doing: str) -> None:
    if circle["status"] == "ended":
        raise UserError(
            f"circle {circle['id']} ({circle['member_code']}) ended on {circle['ended_on']};"
            f" cannot {doing}"
        )


@in_transaction
def set_status(store: Store, ref: str | int, status: str) -> list[str]:
    circle = resolve_circle(store, ref)
    choice = check_choice("status", status, SETTABLE_STATUSES)
    _open(circle, "change its status (the ending is final)")
    with store.atomic():
        return store.update(TABLE, "circle", circle["id"], {"status": choice}, "circle.status")


@in_transaction
def end(store: Store, ref: str | int, *, on: DateLike, reason: str, note: str | None = None) -> Row:
    """End a circle; open memberships and outer-circle links end the same day, and the
    follow-up checks are scheduled (`cosa.domain.followup`)."""
    circle = resolve_circle(store, ref)
    _open(circle, "end it again")
    day = required_date("--on", on)
    if circle["start_date"] and day < circle["start_date"]:
        raise UserError(f"--on {day} is before the circle started ({circle['start_date']})")
    changes = {
        "status": "ended",
        "ended_on": day,
        "ending_reason": lookups.check(store, "ending-reason", reason, field="--reason"),
        "ending_note": clean_text("--note", note),
    }
    with store.atomic():
        store.update(TABLE, "circle", circle["id"], changes, "circle.end")
        for m in store.query(
            "SELECT id, joined_on FROM circle_members WHERE circle_id = ? AND left_on IS NULL",
            (circle["id"],),
        ):
            store.update(
                "circle_members",
                "circle_member",
                m["id"],
                {"left_on": max(day, m["joined_on"])},
                "circle_member.leave",
            )
        for vid in {
            r["volunteer_id"]
            for r in store.query(
                "SELECT volunteer_id FROM circle_members WHERE circle_id = ?", (circle["id"],)
            )
        }:
            volunteer_status.sync(store, vid)
        for link in store.query(
            "SELECT id, linked_on FROM circle_links WHERE circle_id = ? AND unlinked_on IS NULL",
            (circle["id"],),
        ):
            store.update(
                "circle_links",
                "circle_link",
                link["id"],
                {"unlinked_on": max(day, link["linked_on"])},
                "circle_link.unlink",
            )
        from cosa.domain import followup

        followup.schedule(store, circle["id"], day)
    return resolve_circle(store, circle["id"])


# -- members ---------------------------------------------------------------------------------


@in_transaction
def join(
    store: Store,
    ref: str | int,
    volunteer: str,
    *,
    role: str = "member",
    on: DateLike = None,
    override: str | None = None,
) -> Row:
    """A volunteer joins a circle through the safeguarding gate; returns the membership
    (with `volunteer_name`).

    The gate (`recruitment.join_refusals`) names every reason the volunteer may not join on
    that day; `override` (a reason) lets them through and is audited with the reasons it
    overrode. A volunteer who left cannot join even then.
    """
    circle = resolve_circle(store, ref)
    vol = resolve.person(store, "volunteers", "volunteer", volunteer)
    choice = check_choice("--role", role, ROLES)
    day = day_or_today("--on", on)
    why = None if override is None else clean_text("--override", override)
    if override is not None and why is None:
        raise UserError(
            "--override needs a reason",
            hint='e.g. --override "DBS applied for; agreed with manager"',
        )
    _open(circle, "join it")
    refusals = recruitment.join_refusals(store, vol, circle, day)
    if refusals and (why is None or vol["status"] == "left"):
        more = " (a volunteer who left cannot join, even with --override)" if why else ""
        raise UserError(
            f"{vol['name']} cannot join circle {circle['id']} ({circle['member_code']}) on"
            f" {day}: {'; '.join(refusals)}{more}",
            hint=None
            if vol["status"] == "left"
            else "--override REASON lets them join, and is audited",
        )
    current = store.one(
        "SELECT joined_on FROM circle_members WHERE circle_id = ? AND volunteer_id = ?"
        " AND left_on IS NULL",
        (circle["id"], vol["id"]),
    )
    if current is not None:
        raise UserError(
            f"{vol['name']} is already a member of circle {circle['id']}"
            f" (since {current['joined_on']})"
        )
    with store.atomic():
        mid = store.insert(
            "circle_members",
            "circle_member",
            {
                "circle_id": circle["id"],
                "volunteer_id": vol["id"],
                "role": choice,
                "joined_on": day,
            },
            "circle_member.join",
        )
        if refusals:
            store.audit(
                "circle_member.override",
                "circle_member",
                mid,
                table="circle_members",
                detail={"reason": why, "refusals": refusals},
            )
        volunteer_status.sync(store, vol["id"])
    row = store.one("SELECT * FROM circle_members WHERE id = ?", (mid,))
    assert row is not None
    return {**row, "volunteer_name": vol["name"]}


@in_transaction
def leave(store: Store, ref: str | int, volunteer: str, *, on: DateLike = None) -> Row:
    """A volunteer leaves a circle (the day given is their last); returns the membership."""
    circle = resolve_circle(store, ref)
    vol = resolve.person(store, "volunteers", "volunteer", volunteer)
    day = day_or_today("--on", on)
    current = store.one(
        "SELECT * FROM circle_members WHERE circle_id = ? AND volunteer_id = ? AND left_on IS NULL",
        (circle["id"], vol["id"]),
    )
    if current is None:
        raise UserError(f"{vol['name']} is not a current member of circle {circle['id']}")
    if day < current["joined_on"]:
        raise UserError(f"--on {day} is before {vol['name']} joined ({current['joined_on']})")
    with store.atomic():
        store.update(
            "circle_members",
            "circle_member",
            current["id"],
            {"left_on": day},
            "circle_member.leave",
        )
        volunteer_status.sync(store, vol["id"])
    return {**current, "left_on": day, "volunteer_name": vol["name"]}


# -- outer circle ----------------------------------------------------------------------------


@in_transaction
def link(store: Store, ref: str | int, pro: str, *, on: DateLike = None) -> Row:
    """Add a professional to the circle's outer circle; returns the professional."""
    circle = resolve_circle(store, ref)
    person = resolve.person(store, "professionals", "pro", pro)
    day = day_or_today("--on", on)
    _open(circle, "link a professional")
    if store.one(
        "SELECT id FROM circle_links WHERE circle_id = ? AND professional_id = ?"
        " AND unlinked_on IS NULL",
        (circle["id"], person["id"]),
    ):
        raise UserError(f"{person['name']} is already in circle {circle['id']}'s outer circle")
    with store.atomic():
        store.insert(
            "circle_links",
            "circle_link",
            {"circle_id": circle["id"], "professional_id": person["id"], "linked_on": day},
            "circle_link.link",
        )
    return person


@in_transaction
def unlink(store: Store, ref: str | int, pro: str, *, on: DateLike = None) -> Row:
    """Take a professional out of the outer circle (the link is kept, with an end date)."""
    circle = resolve_circle(store, ref)
    person = resolve.person(store, "professionals", "pro", pro)
    day = day_or_today("--on", on)
    current = store.one(
        "SELECT * FROM circle_links WHERE circle_id = ? AND professional_id = ?"
        " AND unlinked_on IS NULL",
        (circle["id"], person["id"]),
    )
    if current is None:
        raise UserError(f"{person['name']} is not in circle {circle['id']}'s outer circle")
    if day < current["linked_on"]:
        raise UserError(f"--on {day} is before the link was made ({current['linked_on']})")
    with store.atomic():
        store.update(
            "circle_links", "circle_link", current["id"], {"unlinked_on": day}, "circle_link.unlink"
        )
    return person


# -- phases ----------------------------------------------------------------------------------


def phases(store: Store, circle_id: int) -> list[Row]:
    return store.query(
        "SELECT * FROM circle_phases WHERE circle_id = ? ORDER BY started_on, id", (circle_id,)
    )


@in_transaction
def set_phase(store: Store, ref: str | int, phase: str, *, on: DateLike = None) -> Row:
    """Move the circle into a phase; the first `phase 1` makes a forming circle active.

    Returns the circle afterwards.
    """
    circle = resolve_circle(store, ref)
    choice = lookups.check(store, "circle-phase", phase, field="phase")
    day = day_or_today("--on", on)
    _open(circle, "change its phase")
    history = phases(store, circle["id"])
    if history:
        last = history[-1]
        if last["phase"] == choice:
            raise UserError(
                f"circle {circle['id']} is already in {choice} (since {last['started_on']})"
            )
        if day < last["started_on"]:
            raise UserError(
                f"--on {day} is before the current phase began ({last['phase']},"
                f" {last['started_on']})"
            )
    activate = (
        choice == ACTIVATING_PHASE
        and circle["status"] == "forming"
        and not any(p["phase"] == ACTIVATING_PHASE for p in history)
    )
    with store.atomic():
        store.insert(
            "circle_phases",
            "circle_phase",
            {"circle_id": circle["id"], "phase": choice, "started_on": day},
        )
        if activate:
            changes = {"status": "active"}
            if not circle["start_date"]:
                changes["start_date"] = day
            store.update(TABLE, "circle", circle["id"], changes, "circle.status")
    return resolve_circle(store, circle["id"])


# -- goals -----------------------------------------------------------------------------------


def goals(store: Store, circle_id: int) -> list[Row]:
    return store.query("SELECT * FROM circle_goals WHERE circle_id = ? ORDER BY id", (circle_id,))


def goals_of(store: Store, ref: str | int) -> list[Row]:
    return goals(store, resolve_circle(store, ref)["id"])


@in_transaction
def add_goal(
    store: Store, ref: str | int, *, domain: str, text: str, review: DateLike = None
) -> int:
    circle = resolve_circle(store, ref)
    values = {
        "circle_id": circle["id"],
        "domain": lookups.check(store, "goal-domain", domain, field="--domain"),
        "text": clean_text("goal text", text, required=True),
        "review_on": date_field("--due", review, future=True),
        "outcome": "open",
    }
    _open(circle, "add a goal")
    with store.atomic():
        gid = store.insert("circle_goals", "goal", values)
        index_goal(store, gid)
        return gid


def index_goal(store: Store, goal_id: int) -> None:
    """Keep a goal's search entry in step: its text, outcome note and progress updates."""
    goal = store.one("SELECT * FROM circle_goals WHERE id = ?", (goal_id,))
    if goal is None:
        return
    updates = store.query(
        "SELECT date, progress, note FROM goal_updates WHERE goal_id = ? ORDER BY date, id",
        (goal_id,),
    )
    parts = [
        goal["text"],
        goal["outcome_note"],
        *(u["progress"] for u in updates),
        *(u["note"] for u in updates),
    ]
    last = updates[-1]["date"] if updates else (goal["outcome_on"] or goal["created_at"][:10])
    search.index(
        store,
        "goal",
        goal_id,
        "\n".join(p for p in parts if p),
        circle_id=goal["circle_id"],
        date=last,
    )


def get_goal(store: Store, ref: str | int) -> Row:
    gid = number_ref("goal", ref)
    row = store.one("SELECT * FROM circle_goals WHERE id = ?", (gid,))
    if row is None:
        raise UserError(f"goal {gid} not found", hint="`cosa circle goal list CIRCLE` shows them")
    return row


@in_transaction
def set_goal(
    store: Store,
    ref: str | int,
    outcome: str,
    *,
    note: str | None = None,
    on: DateLike = None,
    review: DateLike = None,
) -> list[str]:
    """Record a goal's outcome (dated; `open` clears the date); returns the changed fields."""
    goal = get_goal(store, ref)
    choice = check_choice("outcome", outcome, OUTCOMES)
    changes: dict[str, Any] = {
        "outcome": choice,
        "outcome_on": None if choice == "open" else day_or_today("--on", on),
    }
    if note is not None:
        changes["outcome_note"] = clean_text("--note", note)
    if review is not None:
        changes["review_on"] = date_field("--due", review, future=True) if review else None
    with store.atomic():
        changed = store.update("circle_goals", "goal", goal["id"], changes, "goal.set")
        index_goal(store, goal["id"])
        return changed
