"""Volunteers: the people who sit in circles — status, DBS vetting, training, supervision, hours.

Vetting keeps facts *about* a DBS certificate (level, number, issue date, Update Service
subscription, last status check, decision), never its content. Certificates do not expire;
a re-check is due `vetting_recheck_years` (a workspace setting, default 3) after the later of
the issue date and the last status check. Active volunteers are due supervision every
`supervision_interval_days` (default 56). Each `vet`, `train`, `supervise` and `hours` call
appends a record; a volunteer who leaves keeps them (status `left`, with date and reason).

The helpers at the top (`check_choice`, `clean_text`, `check_email`, `parse_day`,
`check_hours`) turn what a user typed into stored values or a one-line `UserError` that names
the field and the allowed values; other domain modules use them too.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from cosa import dates
from cosa.domain import resolve, volunteer_status
from cosa.errors import UserError
from cosa.store import Store

#: Derived from what happened (see `cosa.domain.volunteer_status`); resting and left by hand.
STATUSES = volunteer_status.STATUSES
LEVELS = ("basic", "standard", "enhanced", "enhanced-barred")
DECISIONS = ("cleared", "cleared-with-conditions", "not-cleared", "pending")
TRAINING_KINDS = ("initial", "supplementary")
SUPERVISION_KINDS = ("individual", "group")
ACTIVITIES = ("circle", "contact", "training", "supervision", "admin", "other")
#: Statuses whose volunteers are expected to have regular supervision.
SUPERVISED_STATUSES = ("active",)
#: A volunteer with one of these statuses and no vetting at all is listed as a re-check due.
MUST_BE_VETTED = ("available", "active")

RECHECK_YEARS_SETTING = "vetting_recheck_years"
RECHECK_YEARS_DEFAULT = 3
SUPERVISION_SETTING = "supervision_interval_days"
SUPERVISION_DEFAULT = 56
MAX_HOURS_PER_DAY = 24.0

TABLE = "volunteers"
VETTING = "volunteer_vetting"
TRAINING = "volunteer_training"
SUPERVISION = "volunteer_supervision"
HOURS = "volunteer_hours"

# -- input helpers (shared with other domain modules) --------------------------------------


def check_choice(field: str, value: str, allowed: tuple[str, ...] | list[str]) -> str:
    norm = value.strip().lower().replace("_", " ").replace("-", " ")
    for choice in allowed:
        if norm == choice.replace("-", " "):
            return choice
    raise UserError(f"invalid {field} '{value}'", hint=f"choose one of: {', '.join(allowed)}")


def clean_text(field: str, value: str | None, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise UserError(f"{field} is required")
        return None
    text = value.strip()
    if not text:
        if required:
            raise UserError(f"{field} must not be empty")
        return None
    return text


def check_email(field: str, value: str | None) -> str | None:
    """A stripped email address (or None when empty): one @, no spaces, text on both sides."""
    text = clean_text(field, value)
    if text is None:
        return None
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in text):
        raise UserError(f"invalid {field} '{text}'", hint="use an address like name@example.org")
    return text


def parse_day(
    field: str,
    value: str | date | None,
    *,
    required: bool = False,
    not_future: bool = False,
    today: date | None = None,
) -> str | None:
    """An ISO date for storage from a typed date (or a `date`); errors name `field`."""
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise UserError(f"{field} is required", hint=dates.DATE_HINT)
        return None
    if isinstance(value, date):
        day = value
    else:
        try:
            day = dates.parse_date(value, today=today)
        except UserError as exc:
            raise UserError(
                exc.message.replace("invalid date", f"invalid {field}", 1), hint=exc.hint
            ) from None
    if not_future and day > (today or date.today()):
        raise UserError(f"invalid {field} '{day.isoformat()}': must not be in the future")
    return dates.iso(day)


def check_hours(
    field: str,
    value: float | None,
    *,
    required: bool = False,
    allow_zero: bool = False,
    maximum: float | None = None,
) -> float | None:
    """Hours rounded to 0.01: finite, positive (or zero if allowed), at most `maximum`."""
    if value is None:
        if required:
            raise UserError(f"{field} is required")
        return None
    bound = f"{'0' if allow_zero else 'more than 0'}"
    if maximum is not None:
        bound += f" to {maximum:g}" if allow_zero else f" and at most {maximum:g}"
    hint = f"give a number of hours, {'from ' if allow_zero else ''}{bound}, e.g. 1.5"
    if not math.isfinite(value):
        raise UserError(f"invalid {field} '{value}': not a number", hint=hint)
    hours = round(float(value), 2)
    if hours < 0 or (hours == 0 and not allow_zero):
        raise UserError(f"invalid {field} '{value:g}': must be {bound}", hint=hint)
    if maximum is not None and hours > maximum:
        raise UserError(f"invalid {field} '{value:g}': must be at most {maximum:g}", hint=hint)
    return hours


def add_years(day: date, years: int) -> date:
    """`day` moved by whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _int_setting(store: Store, key: str, default: int, unit: str) -> int:
    raw = store.setting(key)
    if raw is None:
        return default
    try:
        number = int(raw.strip())
    except ValueError:
        number = 0
    if number < 1:
        raise UserError(
            f"the setting {key} is '{raw}'", hint=f"it must be a whole number of {unit}, 1 or more"
        )
    return number


def recheck_years(store: Store) -> int:
    """Years from the last DBS check (or issue) until a re-check is due."""
    return _int_setting(store, RECHECK_YEARS_SETTING, RECHECK_YEARS_DEFAULT, "years")


def supervision_interval(store: Store) -> int:
    """Days between supervision sessions for active volunteers."""
    return _int_setting(store, SUPERVISION_SETTING, SUPERVISION_DEFAULT, "days")


def _recheck_due(last_checked: str | None, years: int) -> str | None:
    if last_checked is None:
        return None
    return add_years(date.fromisoformat(last_checked), years).isoformat()


# -- volunteers ------------------------------------------------------------------------------


def add(
    store: Store,
    name: str,
    *,
    email: str | None = None,
    phone: str | None = None,
) -> int:
    """Add a volunteer (an applicant until approved through the pipeline)."""
    values = {
        "name": clean_text("name", name, required=True),
        "email": check_email("--email", email),
        "phone": clean_text("--phone", phone),
        "status": "applicant",
    }
    with store.atomic():
        return store.insert(TABLE, "volunteer", values)


def edit(
    store: Store,
    ref: str,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> tuple[int, list[str]]:
    """Change the given fields (None leaves a field alone; an empty email/phone clears it).

    Returns the volunteer's id and the names of the fields that really changed. (The status
    is derived; `rest`, `resume` and `leave` set the by-hand ones.)
    """
    if name is None and email is None and phone is None:
        raise UserError("nothing to change", hint="give --name, --email or --phone")
    row = get(store, ref)
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = clean_text("--name", name, required=True)
    if email is not None:
        changes["email"] = check_email("--email", email)
    if phone is not None:
        changes["phone"] = clean_text("--phone", phone)
    with store.atomic():
        return row["id"], store.update(TABLE, "volunteer", row["id"], changes)


def leave(
    store: Store,
    ref: str,
    *,
    reason: str,
    on: str | date | None = None,
    today: date | None = None,
) -> int:
    """Record that a volunteer left (status `left`, the date and the reason); their current
    circle memberships end on the same day (not before the day they joined)."""
    row = get(store, ref)
    text = clean_text("--reason", reason, required=True)
    left_on = parse_day("--on", on or (today or date.today()), not_future=True, today=today)
    if row["status"] == "left":
        raise UserError(f"volunteer {row['id']} already left on {row['left_on']}")
    later = _done_after(store, int(row["id"]), str(left_on))
    if later is not None:
        what, day = later
        raise UserError(
            f"{row['name']} has {what} dated {day}, after --on {left_on}",
            hint=f"leave on or after {day} (records dated after leaving are refused)",
        )
    with store.atomic():
        store.update(
            TABLE,
            "volunteer",
            row["id"],
            {"left_on": left_on, "left_reason": text},
            action="volunteer.leave",
        )
        for m in store.query(
            "SELECT id, joined_on FROM circle_members WHERE volunteer_id = ? AND left_on IS NULL",
            (row["id"],),
        ):
            store.update(
                "circle_members",
                "circle_member",
                m["id"],
                {"left_on": max(left_on, m["joined_on"])},
                action="circle_member.leave",
            )
        assert left_on is not None
        volunteer_status.set_by_hand(store, row["id"], "left", left_on, text)
    return int(row["id"])


def _done_after(store: Store, vid: int, day: str) -> tuple[str, str] | None:
    """The latest record of what the volunteer did after `day` (hours, a meeting they were
    present at, a contact, an expense), as (what, date); None when there is none."""
    row = store.one(
        "SELECT what, max(d) AS d FROM ("
        " SELECT 'hours' AS what, max(date) AS d FROM volunteer_hours WHERE volunteer_id = :v"
        " UNION ALL SELECT 'a meeting they were present at', max(m.date) FROM meetings m"
        "  JOIN meeting_attendance a ON a.meeting_id = m.id WHERE a.volunteer_id = :v"
        "  AND m.state = 'held' AND a.status IN ('present', 'late')"
        " UNION ALL SELECT 'a contact', max(date) FROM contacts WHERE volunteer_id = :v"
        " UNION ALL SELECT 'an expense', max(date) FROM volunteer_expenses WHERE volunteer_id = :v"
        ") WHERE d > :day",
        {"v": vid, "day": day},
    )
    return None if row is None or row["d"] is None else (str(row["what"]), str(row["d"]))


def rest(
    store: Store,
    ref: str,
    *,
    on: str | date | None = None,
    note: str | None = None,
    today: date | None = None,
) -> str:
    """Set a volunteer resting from a day (by hand); returns the day."""
    row = get(store, ref)
    day = parse_day("--on", on or (today or date.today()), not_future=True, today=today)
    assert day is not None
    not_after_leaving(row, day, "a rest")
    if volunteer_status.status_on(store, row["id"], day) == "resting":
        raise UserError(f"{row['name']} is already resting on {day}")
    with store.atomic():
        volunteer_status.set_by_hand(store, row["id"], "resting", day, clean_text("--note", note))
    return day


def resume(
    store: Store,
    ref: str,
    *,
    on: str | date | None = None,
    note: str | None = None,
    today: date | None = None,
) -> str:
    """End a volunteer's rest from a day; returns the status they go back to."""
    row = get(store, ref)
    day = parse_day("--on", on or (today or date.today()), not_future=True, today=today)
    assert day is not None
    if volunteer_status.status_on(store, row["id"], day) != "resting":
        raise UserError(f"{row['name']} is not resting on {day}")
    back = volunteer_status.derived_without_rest(store, row["id"], day)
    with store.atomic():
        volunteer_status.set_by_hand(store, row["id"], back, day, clean_text("--note", note))
    return back


def not_after_leaving(row: dict[str, Any], day: str | None, what: str) -> None:
    """Refuse a record dated after the volunteer left."""
    if day is not None and row.get("left_on") and day > row["left_on"]:
        raise UserError(
            f"{row['name']} left on {row['left_on']}; {what} dated {day} cannot be recorded"
        )


def list_(
    store: Store, *, status: str | None = None, stage: str | None = None
) -> list[dict[str, Any]]:
    """Volunteers by name, each with `last_checked` and `recheck_due` from their vetting and
    their current pipeline `stage` (`stage_on`). Filters: current status, current stage.

    (A volunteer who left has no re-check due.)
    """
    sql = (
        "SELECT v.*, (SELECT max(coalesce(checked_on, issued_on)) FROM volunteer_vetting"
        " WHERE volunteer_id = v.id) AS last_checked, s.stage, s.date AS stage_on"
        " FROM volunteers v LEFT JOIN volunteer_stages s ON s.id = ("
        "   SELECT id FROM volunteer_stages WHERE volunteer_id = v.id"
        "   ORDER BY date DESC, id DESC LIMIT 1)"
    )
    where: list[str] = []
    params: list[str] = []
    if status:
        where.append("v.status = ?")
        params.append(check_choice("--status", status, STATUSES))
    if stage:
        from cosa.domain import lookups

        where.append("s.stage = ?")
        params.append(lookups.check(store, "volunteer-stage", stage, field="--stage"))
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = store.query(sql + " ORDER BY v.name COLLATE NOCASE, v.id", params)
    years = recheck_years(store) if rows else RECHECK_YEARS_DEFAULT
    for r in rows:
        due = _recheck_due(r["last_checked"], years)
        r["recheck_due"] = None if r["status"] == "left" else due
    return rows


def get(store: Store, ref: str) -> dict[str, Any]:
    return resolve.person(store, TABLE, "volunteer", ref)


# -- vetting, training, supervision, hours ---------------------------------------------------


def vet(
    store: Store,
    ref: str,
    *,
    level: str,
    certificate: str,
    issued: str | date,
    update_service: bool = False,
    checked: str | date | None = None,
    decision: str = "pending",
    today: date | None = None,
) -> tuple[int, str]:
    """Record a DBS check: the certificate's level, number and issue date, never its content.

    Returns the new record's id and the date its re-check is due.
    """
    row = get(store, ref)
    number = _certificate_number(certificate)
    values = {
        "volunteer_id": row["id"],
        "level": check_choice("--level", level, LEVELS),
        "certificate": number,
        "issued_on": parse_day("--issued", issued, required=True, not_future=True, today=today),
        "update_service": 1 if update_service else 0,
        "checked_on": parse_day("--checked", checked, not_future=True, today=today),
        "decision": check_choice("--decision", decision, DECISIONS),
    }
    not_after_leaving(row, values["checked_on"] or values["issued_on"], "a DBS check")
    if values["checked_on"] is not None and values["checked_on"] < values["issued_on"]:
        raise UserError(
            f"invalid --checked '{values['checked_on']}': before the certificate was issued"
            f" ({values['issued_on']})"
        )
    for other in store.query(
        "SELECT volunteer_id, issued_on, level FROM volunteer_vetting WHERE certificate = ?",
        (number,),
    ):
        if other["volunteer_id"] != row["id"]:
            raise UserError(
                f"certificate {number} is already recorded for volunteer {other['volunteer_id']}",
                hint="check the number: a certificate belongs to one person",
            )
        if (other["issued_on"], other["level"]) != (values["issued_on"], values["level"]):
            raise UserError(
                f"certificate {number} was recorded as {other['level']}, issued"
                f" {other['issued_on']}",
                hint="a status check of the same certificate keeps its level and issue date",
            )
    due = _recheck_due(values["checked_on"] or values["issued_on"], recheck_years(store))
    with store.atomic():
        return store.insert(VETTING, "vetting", values), str(due)


def _certificate_number(text: str) -> str:
    number = "".join((text or "").split())
    if not number:
        raise UserError("--certificate must not be empty", hint="give the certificate number")
    if len(number) > 32 or not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in number):
        raise UserError(
            "invalid --certificate: give the certificate number only (letters, digits, dashes;"
            " a DBS number has 12 digits)",
            hint="cosa keeps the number, level, dates and decision, never the certificate content",
        )
    return number


def train(
    store: Store,
    ref: str,
    *,
    kind: str,
    on: str | date,
    provider: str | None = None,
    hours: float | None = None,
    title: str | None = None,
) -> int:
    """Record initial or supplementary training a volunteer attended."""
    row = get(store, ref)
    values = {
        "volunteer_id": row["id"],
        "kind": check_choice("--type", kind, TRAINING_KINDS),
        "date": parse_day("--on", on, required=True, not_future=True),
        "provider": clean_text("--provider", provider),
        "hours": check_hours("--hours", hours),
        "title": clean_text("--title", title),
    }
    not_after_leaving(row, values["date"], "training")
    with store.atomic():
        return store.insert(TRAINING, "training", values)


def supervise(
    store: Store,
    ref: str,
    *,
    on: str | date,
    kind: str = "individual",
    wellbeing: str | None = None,
    note: str | None = None,
) -> int:
    """Record a supervision session (individual or group) with its wellbeing check."""
    row = get(store, ref)
    values = {
        "volunteer_id": row["id"],
        "date": parse_day("--on", on, required=True, not_future=True),
        "kind": check_choice("--type", kind, SUPERVISION_KINDS),
        "wellbeing": clean_text("--wellbeing", wellbeing),
        "note": clean_text("--note", note),
    }
    not_after_leaving(row, values["date"], "supervision")
    with store.atomic():
        return store.insert(SUPERVISION, "supervision", values)


def log_hours(
    store: Store,
    ref: str,
    *,
    on: str | date,
    hours: float,
    activity: str = "circle",
    travel_hours: float = 0.0,
    circle: str | int | None = None,
) -> int:
    """Record a volunteer's hours on one day for one activity, plus travel time, for one
    circle (`circle`: number or core member code) or for none.

    Hours at meetings are counted from the meetings themselves (`cosa.domain.hours`); these
    entries are for work outside meetings. A circle the volunteer was not a member of that
    day is refused."""
    row = get(store, ref)
    day = str(parse_day("--on", on, required=True))
    circle_id = None if circle is None else _member_circle(store, row, circle, day)
    values = {
        "volunteer_id": row["id"],
        "circle_id": circle_id,
        "date": day,
        "hours": check_hours("--hours", hours, required=True, maximum=MAX_HOURS_PER_DAY),
        "activity": check_choice("--activity", activity, ACTIVITIES),
        "travel_hours": check_hours(
            "--travel-hours", travel_hours, allow_zero=True, maximum=MAX_HOURS_PER_DAY
        ),
    }
    not_after_leaving(row, values["date"], "hours")
    with store.atomic():
        return store.insert(HOURS, "hours", values)


def _member_circle(store: Store, volunteer: dict[str, Any], ref: str | int, day: str) -> int:
    """The circle `ref`, which `volunteer` must have been a member of on `day`."""
    from cosa.domain.circles import resolve_circle  # circles imports this module

    circle = resolve_circle(store, ref)
    member = store.scalar(
        "SELECT count(*) FROM circle_members WHERE circle_id = ? AND volunteer_id = ?"
        " AND joined_on <= ? AND (left_on IS NULL OR left_on >= ?)",
        (circle["id"], volunteer["id"], day, day),
    )
    if not member:
        raise UserError(
            f"{volunteer['name']} was not a member of circle {circle['id']}"
            f" ({circle['member_code']}) on {day}",
            hint="give the circle they worked for that day, or no --circle for work outside"
            " circles (training, admin)",
        )
    return int(circle["id"])


def vettings(store: Store, volunteer_id: int) -> list[dict[str, Any]]:
    """A volunteer's vetting records, latest check first, each with its `recheck_due`."""
    rows = store.query(
        "SELECT * FROM volunteer_vetting WHERE volunteer_id = ?"
        " ORDER BY coalesce(checked_on, issued_on) DESC, id DESC",
        (volunteer_id,),
    )
    years = recheck_years(store) if rows else RECHECK_YEARS_DEFAULT
    for r in rows:
        r["update_service"] = bool(r["update_service"])
        r["recheck_due"] = _recheck_due(r["checked_on"] or r["issued_on"], years)
    return rows


def trainings(store: Store, volunteer_id: int) -> list[dict[str, Any]]:
    return store.query(
        "SELECT * FROM volunteer_training WHERE volunteer_id = ? ORDER BY date, id",
        (volunteer_id,),
    )


def supervisions(store: Store, volunteer_id: int) -> list[dict[str, Any]]:
    return store.query(
        "SELECT * FROM volunteer_supervision WHERE volunteer_id = ? ORDER BY date, id",
        (volunteer_id,),
    )


def hours_entries(store: Store, volunteer_id: int) -> list[dict[str, Any]]:
    return store.query(
        "SELECT * FROM volunteer_hours WHERE volunteer_id = ? ORDER BY date, id",
        (volunteer_id,),
    )


def hours_totals(store: Store, volunteer_id: int) -> dict[str, Any]:
    """Entries, hours and travel hours in total, and hours by activity."""
    rows = store.query(
        "SELECT activity, count(*) AS n, total(hours) AS hours, total(travel_hours) AS travel"
        " FROM volunteer_hours WHERE volunteer_id = ? GROUP BY activity",
        (volunteer_id,),
    )
    order = {a: i for i, a in enumerate(ACTIVITIES)}
    rows.sort(key=lambda r: order.get(r["activity"], len(order)))
    by_activity = {r["activity"]: round(r["hours"], 2) for r in rows}
    return {
        "entries": sum(r["n"] for r in rows),
        "hours": round(sum(r["hours"] for r in rows), 2),
        "travel_hours": round(sum(r["travel"] for r in rows), 2),
        "by_activity": by_activity,
    }


def circles_of(store: Store, volunteer_id: int) -> list[dict[str, Any]]:
    """A volunteer's memberships, current first, then by joining date (latest first)."""
    return store.query(
        "SELECT cm.circle_id, m.code AS member_code, cm.role, cm.joined_on, cm.left_on"
        " FROM circle_members cm JOIN circles c ON c.id = cm.circle_id"
        " JOIN core_members m ON m.id = c.member_id WHERE cm.volunteer_id = ?"
        " ORDER BY cm.left_on IS NOT NULL, cm.joined_on DESC, cm.id DESC",
        (volunteer_id,),
    )


def next_supervision(store: Store, row: dict[str, Any]) -> str | None:
    """When an active volunteer's next supervision is due (None: not supervised, or never
    supervised yet, which `status` lists as due now)."""
    if row["status"] not in SUPERVISED_STATUSES:
        return None
    last = store.scalar(
        "SELECT max(date) FROM volunteer_supervision WHERE volunteer_id = ?", (row["id"],)
    )
    if last is None:
        return None
    return (date.fromisoformat(last) + timedelta(days=supervision_interval(store))).isoformat()


def detail(store: Store, ref: str) -> dict[str, Any]:
    """One volunteer's page: vetting (latest first), training, supervision, hours logged in
    total and this quarter's hours by circle (meetings and logged, `cosa.domain.hours`), circles (current and past), pipeline, references, conflicts, expenses and the
    status history."""
    from cosa.domain import expenses, recruitment
    from cosa.domain import hours as hour_figures

    row = get(store, ref)
    vid = int(row["id"])
    today = date.today()
    quarter = f"{today.year}-Q{(today.month + 2) // 3}"
    q_start, q_end = (d.isoformat() for d in dates.parse_quarter(quarter))
    vetting = vettings(store, vid)
    stage = recruitment.current_stage(store, vid)
    claims = expenses.list_(store, volunteer=str(vid))
    return {
        **row,
        "last_checked": (vetting[0]["checked_on"] or vetting[0]["issued_on"]) if vetting else None,
        "recheck_due": vetting[0]["recheck_due"] if vetting and row["status"] != "left" else None,
        "vetting": vetting,
        "training": trainings(store, vid),
        "supervision": supervisions(store, vid),
        "next_supervision": next_supervision(store, row),
        "hours": hours_totals(store, vid),
        "hours_quarter": quarter,
        "hours_by_circle": hour_figures.hours_by_circle(store, vid, q_start, q_end),
        "circles": circles_of(store, vid),
        "stage": stage["stage"] if stage else None,
        "stage_on": stage["date"] if stage else None,
        "approved_on": recruitment.approved_on(store, vid),
        "stages": recruitment.stages(store, vid),
        "references": recruitment.references(store, vid),
        "conflicts": recruitment.conflicts(store, vid),
        "expenses": claims,
        "expenses_claimed_pence": sum(int(e["amount_pence"]) for e in claims),
        "expenses_unpaid_pence": sum(int(e["amount_pence"]) for e in claims if not e["paid_on"]),
        "status_history": volunteer_status.history(store, vid),
    }


# -- what is due (for `cosa status`) ---------------------------------------------------------


def vetting_rechecks_due(
    store: Store, within_days: int = 0, *, today: date | None = None
) -> list[dict[str, Any]]:
    """Volunteers (not left) whose DBS re-check is due by today + `within_days`.

    Also lists available and active volunteers with no vetting at all (`recheck_due` None).
    Each row: `id`, `name`, `status`, `last_checked`, `recheck_due`, `level`, `decision`,
    `update_service`; never-vetted volunteers first, then by due date.
    """
    horizon = ((today or date.today()) + timedelta(days=within_days)).isoformat()
    years = recheck_years(store)
    rows = store.query(
        "SELECT v.id, v.name, v.status, t.level, t.decision, t.update_service,"
        " coalesce(t.checked_on, t.issued_on) AS last_checked"
        " FROM volunteers v LEFT JOIN volunteer_vetting t ON t.id = ("
        "   SELECT id FROM volunteer_vetting WHERE volunteer_id = v.id"
        "   ORDER BY coalesce(checked_on, issued_on) DESC, id DESC LIMIT 1)"
        " WHERE v.status != 'left'"
    )
    due = []
    for r in rows:
        r["recheck_due"] = _recheck_due(r["last_checked"], years)
        r["update_service"] = None if r["level"] is None else bool(r["update_service"])
        never_vetted = r["recheck_due"] is None and r["status"] in MUST_BE_VETTED
        if never_vetted or (r["recheck_due"] is not None and r["recheck_due"] <= horizon):
            due.append(r)
    due.sort(key=lambda r: (r["recheck_due"] is not None, r["recheck_due"] or "", r["name"]))
    return due


def supervision_due(
    store: Store,
    interval_days: int | None = None,
    *,
    within_days: int = 0,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Active volunteers whose next supervision is due by today + `within_days`.

    The next session is due `interval_days` (default: the `supervision_interval_days`
    setting, 56) after the last one; a volunteer never supervised is due now (`due_on` None).
    Each row: `id`, `name`, `status`, `last_supervision`, `due_on`; never-supervised first.
    """
    interval = supervision_interval(store) if interval_days is None else interval_days
    if interval < 1:
        raise UserError(f"invalid supervision interval {interval}: must be 1 day or more")
    horizon = (today or date.today()) + timedelta(days=within_days)
    marks = ", ".join("?" for _ in SUPERVISED_STATUSES)
    rows = store.query(
        "SELECT v.id, v.name, v.status,"
        " (SELECT max(date) FROM volunteer_supervision WHERE volunteer_id = v.id)"
        " AS last_supervision"
        f" FROM volunteers v WHERE v.status IN ({marks})",
        SUPERVISED_STATUSES,
    )
    due = []
    for r in rows:
        last = r["last_supervision"]
        next_on = date.fromisoformat(last) + timedelta(days=interval) if last else None
        r["due_on"] = next_on.isoformat() if next_on else None
        if next_on is None or next_on <= horizon:
            due.append(r)
    due.sort(key=lambda r: (r["due_on"] is not None, r["due_on"] or "", r["name"]))
    return due
