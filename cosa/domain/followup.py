"""Follow-up after a circle ends, and outcomes.

`circle end` schedules follow-up checks (`followup_checks`) at the months in the setting
`followup_months` (default 3, 6 and 12) after the ending, each due on the ending day plus
that many months (clamped to the month's end). A follow-up contact (`cosa followup add`, by a
volunteer or a professional, on or after the ending) completes the earliest open check due
no more than `EARLY_DAYS` after it. Open checks due within `WARNING_DAYS` (or overdue) show in
`cosa status`. The ended circle stays closed to ordinary meetings, contacts and concerns.

Outcomes (`cosa outcome add`): recall, breach, reconviction, charge, or none (a check that
found nothing), with the offence type where there is one and the source of the news. They
may be recorded while the circle runs and after it ended.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cosa import dates
from cosa.domain import resolve
from cosa.domain.circles import resolve_circle
from cosa.domain.members import DateLike, in_transaction, required_date
from cosa.domain.volunteers import check_choice, clean_text
from cosa.errors import UserError
from cosa.store import Row, Store

MONTHS_SETTING = "followup_months"
MONTHS_DEFAULT = (3, 6, 12)
#: A follow-up contact completes a check due up to this many days after it.
EARLY_DAYS = 30
#: Open checks due within this many days show in `cosa status`.
WARNING_DAYS = 14
OUTCOME_KINDS = ("recall", "breach", "reconviction", "charge", "none")
OFFENCES = ("sexual-contact", "sexual-non-contact", "violent", "other")
SOURCES = ("probation", "police", "other")
MODES = ("phone", "visit", "meeting", "letter", "email", "message", "other")


def months(store: Store) -> tuple[int, ...]:
    """The follow-up intervals in months (setting `followup_months`)."""
    raw = store.setting(MONTHS_SETTING)
    if raw is None:
        return MONTHS_DEFAULT
    try:
        out = tuple(sorted({int(p) for p in raw.split(",") if p.strip()}))
    except ValueError:
        out = ()
    if not out or min(out) < 1:
        raise UserError(
            f"the setting {MONTHS_SETTING} is '{raw}'",
            hint="it must be whole numbers of months, e.g. 3,6,12",
        )
    return out


def due_after(ended_on: str, n_months: int) -> str:
    start = date.fromisoformat(ended_on)
    return dates.iso(dates.parse_date(f"+{n_months}m", today=start)) or ""


def schedule(store: Store, circle_id: int, ended_on: str) -> list[int]:
    """Schedule the follow-up checks of a circle that ended (inside the caller's
    transaction); returns their ids."""
    return [
        store.insert(
            "followup_checks",
            "followup_check",
            {"circle_id": circle_id, "months": n, "due_on": due_after(ended_on, n)},
            action="followup_check.schedule",
        )
        for n in months(store)
    ]


def checks(store: Store, circle_id: int) -> list[Row]:
    return store.query(
        "SELECT * FROM followup_checks WHERE circle_id = ? ORDER BY due_on, id", (circle_id,)
    )


def _by(store: Store, ref: str) -> tuple[Row | None, Row | None]:
    """(volunteer, None) or (None, professional) named by `--by`."""
    found: list[tuple[str, Row]] = []
    errors: list[str] = []
    for table, kind in (("volunteers", "volunteer"), ("professionals", "pro")):
        try:
            found.append((kind, resolve.person(store, table, kind, ref)))
        except UserError as exc:
            errors.append(exc.message)
    if not found:
        raise UserError(
            f"--by: no volunteer or professional matches '{ref.strip()}'",
            hint="`cosa volunteer list` and `cosa pro list` show them",
        )
    if len(found) > 1:
        raise UserError(
            f"--by '{ref.strip()}' names both volunteer {found[0][1]['id']} {found[0][1]['name']}"
            f" and professional {found[1][1]['id']} {found[1][1]['name']}",
            hint="use more of the name",
        )
    kind, row = found[0]
    return (row, None) if kind == "volunteer" else (None, row)


@in_transaction
def add(
    store: Store,
    circle: str | int,
    *,
    on: DateLike,
    by: str,
    mode: str | None = None,
    note: str | None = None,
) -> Row:
    """Record a follow-up contact after the ending; returns it with `check_months` (the
    scheduled check it completed, if any)."""
    row = resolve_circle(store, circle)
    day = required_date("--on", on)
    if row["status"] != "ended":
        raise UserError(
            f"circle {row['id']} ({row['member_code']}) has not ended; follow-up comes after"
            " the ending",
            hint="record contacts while it runs with `cosa contact add`",
        )
    if day < row["ended_on"]:
        raise UserError(
            f"--on {day} is before circle {row['id']} ended ({row['ended_on']});"
            " follow-up comes after the ending"
        )
    vol, pro = _by(store, by)
    values: dict[str, Any] = {
        "circle_id": row["id"],
        "on_date": day,
        "volunteer_id": vol["id"] if vol else None,
        "professional_id": pro["id"] if pro else None,
        "mode": check_choice("--mode", mode, MODES) if mode else None,
        "note": clean_text("--note", note),
    }
    latest = (date.fromisoformat(day) + timedelta(days=EARLY_DAYS)).isoformat()
    with store.atomic():
        fid = store.insert("followups", "followup", values)
        check = store.one(
            "SELECT * FROM followup_checks WHERE circle_id = ? AND done_on IS NULL"
            " AND due_on <= ? ORDER BY due_on, id LIMIT 1",
            (row["id"], latest),
        )
        if check is not None:
            store.update(
                "followup_checks",
                "followup_check",
                check["id"],
                {"done_on": day, "followup_id": fid},
                action="followup_check.done",
            )
    out = store.one("SELECT * FROM followups WHERE id = ?", (fid,))
    assert out is not None
    return {**out, "check_months": check["months"] if check else None}


_FOLLOWUPS = (
    "SELECT f.*, m.code AS member_code, v.name AS volunteer_name, p.name AS professional_name"
    " FROM followups f JOIN circles c ON c.id = f.circle_id"
    " JOIN core_members m ON m.id = c.member_id"
    " LEFT JOIN volunteers v ON v.id = f.volunteer_id"
    " LEFT JOIN professionals p ON p.id = f.professional_id"
)


def list_(store: Store, circle: str | int | None = None) -> list[Row]:
    """Follow-up contacts, most recent first (of one circle, or all)."""
    if circle is None:
        rows = store.query(f"{_FOLLOWUPS} ORDER BY f.on_date DESC, f.id DESC")
    else:
        cid = resolve_circle(store, circle)["id"]
        rows = store.query(
            f"{_FOLLOWUPS} WHERE f.circle_id = ? ORDER BY f.on_date DESC, f.id DESC", (cid,)
        )
    for r in rows:
        r["by"] = r["volunteer_name"] or r["professional_name"]
    return rows


@in_transaction
def add_outcome(
    store: Store,
    circle: str | int,
    *,
    on: DateLike,
    kind: str,
    source: str,
    offence: str | None = None,
    note: str | None = None,
) -> int:
    """Record an outcome (while the circle runs or after it ended); returns its id."""
    row = resolve_circle(store, circle)
    values: dict[str, Any] = {
        "circle_id": row["id"],
        "on_date": required_date("--on", on),
        "kind": check_choice("--type", kind, OUTCOME_KINDS),
        "offence": check_choice("--offence", offence, OFFENCES) if offence else None,
        "source": check_choice("--source", source, SOURCES),
        "note": clean_text("--note", note),
    }
    if values["kind"] == "none" and values["offence"]:
        raise UserError("--offence does not go with --type none")
    if row["start_date"] and values["on_date"] < row["start_date"]:
        raise UserError(
            f"--on {values['on_date']} is before circle {row['id']} started ({row['start_date']})"
        )
    with store.atomic():
        return store.insert("outcomes", "outcome", values)


def outcomes(store: Store, circle: str | int | None = None) -> list[Row]:
    """Outcomes, most recent first (of one circle, or all)."""
    sql = (
        "SELECT o.*, m.code AS member_code FROM outcomes o JOIN circles c ON c.id = o.circle_id"
        " JOIN core_members m ON m.id = c.member_id"
    )
    if circle is None:
        return store.query(f"{sql} ORDER BY o.on_date DESC, o.id DESC")
    cid = resolve_circle(store, circle)["id"]
    return store.query(f"{sql} WHERE o.circle_id = ? ORDER BY o.on_date DESC, o.id DESC", (cid,))


def due(store: Store, today: date | None = None) -> list[Row]:
    """Open follow-up checks due within `WARNING_DAYS` days (or overdue), soonest first."""
    day = today or date.today()
    rows = store.query(
        "SELECT f.id, f.circle_id, m.code AS member_code, f.months, f.due_on, c.ended_on"
        " FROM followup_checks f JOIN circles c ON c.id = f.circle_id"
        " JOIN core_members m ON m.id = c.member_id"
        " WHERE f.done_on IS NULL AND f.due_on <= ? ORDER BY f.due_on, f.id",
        ((day + timedelta(days=WARNING_DAYS)).isoformat(),),
    )
    for r in rows:
        r["days_left"] = (date.fromisoformat(r["due_on"]) - day).days
    return rows
