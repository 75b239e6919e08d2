"""Recruiting volunteers, and the safeguarding gate every circle join passes through.

The pipeline is a dated list of stages (lookup `volunteer-stage`: enquiry, application,
interview, references, training, vetting, approved, matched — a provider can add its own);
the current stage is the latest. `approved` needs two satisfactory references and is the day
a volunteer counts as recruited. References record the referee, when they were asked and
answered, and the outcome. A conflict (lives near the core member, knows the victim, …) bars
the volunteer from that core member's circles.

`join_refusals` is the gate: every reason a volunteer may not join a circle on a day. The
circle join refuses when there is any, naming them all, unless overridden with a reason.
"""

from __future__ import annotations

from datetime import date

from cosa.domain import lookups, volunteer_status
from cosa.domain.members import resolve_member
from cosa.domain.volunteers import (
    check_choice,
    clean_text,
    get,
    not_after_leaving,
    parse_day,
    recheck_years,
)
from cosa.errors import UserError
from cosa.store import Row, Store

STAGE_KIND = "volunteer-stage"
APPROVED = "approved"
OUTCOMES = ("satisfactory", "concerns")
REFERENCES_NEEDED = 2
MAX_CIRCLE_VOLUNTEERS = 6
ENHANCED = ("enhanced", "enhanced-barred")
CLEARED = ("cleared", "cleared-with-conditions")

STAGES = "volunteer_stages"
REFERENCES = "volunteer_references"
CONFLICTS = "volunteer_conflicts"


# -- pipeline --------------------------------------------------------------------------------


def set_stage(
    store: Store,
    ref: str,
    stage: str,
    *,
    on: str | date | None = None,
    note: str | None = None,
    today: date | None = None,
) -> tuple[int, str]:
    """Record that a volunteer reached a pipeline stage on a day; returns (id, stage)."""
    row = get(store, ref)
    choice = lookups.check(store, STAGE_KIND, stage, field="stage")
    day = parse_day("--on", on or (today or date.today()), not_future=True, today=today)
    assert day is not None
    not_after_leaving(row, day, "a pipeline stage")
    if choice == APPROVED:
        if approved_on(store, row["id"]) is not None:
            raise UserError(
                f"{row['name']} was already approved on {approved_on(store, row['id'])}"
            )
        good = satisfactory_references(store, row["id"], day)
        if good < REFERENCES_NEEDED:
            raise UserError(
                f"{row['name']} has {good} satisfactory reference{'s' if good != 1 else ''}"
                f" received by {day}; {REFERENCES_NEEDED} are needed before approval",
                hint="record them with `cosa volunteer reference`",
            )
    values = {
        "volunteer_id": row["id"],
        "stage": choice,
        "date": day,
        "note": clean_text("--note", note),
    }
    with store.atomic():
        sid = store.insert(STAGES, "volunteer_stage", values)
        if choice == APPROVED:
            volunteer_status.sync(store, row["id"])
    return sid, choice


def stages(store: Store, vid: int) -> list[Row]:
    """A volunteer's pipeline, oldest first, each with `days` spent until the next stage."""
    rows = store.query(
        "SELECT * FROM volunteer_stages WHERE volunteer_id = ? ORDER BY date, id", (vid,)
    )
    for i, here in enumerate(rows):
        after = rows[i + 1] if i + 1 < len(rows) else None
        here["days"] = (
            (date.fromisoformat(after["date"]) - date.fromisoformat(here["date"])).days
            if after
            else None
        )
    return rows


def current_stage(store: Store, vid: int) -> Row | None:
    return store.one(
        "SELECT stage, date FROM volunteer_stages WHERE volunteer_id = ?"
        " ORDER BY date DESC, id DESC LIMIT 1",
        (vid,),
    )


def approved_on(store: Store, vid: int) -> str | None:
    value = store.scalar(
        "SELECT min(date) FROM volunteer_stages WHERE volunteer_id = ? AND stage = ?",
        (vid, APPROVED),
    )
    return None if value is None else str(value)


# -- references ------------------------------------------------------------------------------


def satisfactory_references(store: Store, vid: int, by: str) -> int:
    return int(
        store.scalar(
            "SELECT count(*) FROM volunteer_references WHERE volunteer_id = ?"
            " AND outcome = 'satisfactory' AND received_on <= ?",
            (vid, by),
        )
    )


def reference(
    store: Store,
    ref: str,
    *,
    referee: str,
    requested: str | date | None = None,
    received: str | date | None = None,
    outcome: str | None = None,
    today: date | None = None,
) -> tuple[int, bool]:
    """Record a reference, or the answer to one already requested from the same referee.

    Returns (id, whether an existing request was completed).
    """
    row = get(store, ref)
    name = clean_text("--referee", referee, required=True)
    asked = parse_day("--requested", requested, not_future=True, today=today)
    answered = parse_day("--received", received, not_future=True, today=today)
    result = check_choice("--outcome", outcome, OUTCOMES) if outcome is not None else None
    if (answered is None) != (result is None):
        raise UserError("--received and --outcome go together", hint="give both, or neither")
    if asked is None and answered is None:
        raise UserError("give --requested, or --received with --outcome")
    for day in (asked, answered):
        if day is not None:
            not_after_leaving(row, day, "a reference")
    pending = store.one(
        "SELECT * FROM volunteer_references WHERE volunteer_id = ? AND received_on IS NULL"
        " AND lower(referee) = lower(?) ORDER BY id DESC LIMIT 1",
        (row["id"], name),
    )
    if pending is not None and answered is not None and asked is None:
        if answered < pending["requested_on"]:
            raise UserError(
                f"invalid --received '{answered}': before it was requested"
                f" ({pending['requested_on']})"
            )
        with store.atomic():
            store.update(
                REFERENCES,
                "volunteer_reference",
                pending["id"],
                {"received_on": answered, "outcome": result},
                "volunteer_reference.receive",
            )
        return int(pending["id"]), True
    if asked is not None and answered is not None and answered < asked:
        raise UserError(f"invalid --received '{answered}': before --requested ({asked})")
    values = {
        "volunteer_id": row["id"],
        "referee": name,
        "requested_on": asked,
        "received_on": answered,
        "outcome": result,
    }
    with store.atomic():
        return store.insert(REFERENCES, "volunteer_reference", values), False


def references(store: Store, vid: int) -> list[Row]:
    return store.query(
        "SELECT * FROM volunteer_references WHERE volunteer_id = ?"
        " ORDER BY coalesce(requested_on, received_on), id",
        (vid,),
    )


# -- conflicts -------------------------------------------------------------------------------


def conflict(
    store: Store,
    ref: str,
    *,
    member: str,
    reason: str,
    on: str | date | None = None,
    today: date | None = None,
) -> int:
    """Record a conflict between a volunteer and a core member; returns its id."""
    row = get(store, ref)
    cm = resolve_member(store, member)
    values = {
        "volunteer_id": row["id"],
        "member_id": cm["id"],
        "reason": clean_text("--reason", reason, required=True),
        "date": parse_day("--on", on or (today or date.today()), not_future=True, today=today),
    }
    with store.atomic():
        return store.insert(CONFLICTS, "volunteer_conflict", values)


def conflicts(store: Store, vid: int) -> list[Row]:
    return store.query(
        "SELECT c.*, m.code AS member_code FROM volunteer_conflicts c"
        " JOIN core_members m ON m.id = c.member_id WHERE c.volunteer_id = ? ORDER BY c.id",
        (vid,),
    )


# -- the gate --------------------------------------------------------------------------------


def join_refusals(
    store: Store, volunteer: Row, circle: Row, day: str, *, today: date | None = None
) -> list[str]:
    """Every reason `volunteer` may not join `circle` on `day` (ISO); empty when they may.

    A join dated in the past makes a member who is in the circle today, so the checks must
    hold today as well as on `day`: the reasons of both days are given (each once)."""
    now = (today or date.today()).isoformat()
    reasons = _refusals_on(store, volunteer, circle, day)
    if day < now:
        reasons += [r for r in _refusals_on(store, volunteer, circle, now) if r not in reasons]
    return reasons


def _refusals_on(store: Store, volunteer: Row, circle: Row, day: str) -> list[str]:
    vid = int(volunteer["id"])
    reasons: list[str] = []
    if volunteer["status"] == "left":
        reasons.append(f"left on {volunteer['left_on']}")
    approved = approved_on(store, vid)
    if approved is None:
        reasons.append("not approved")
    elif approved > day:
        reasons.append(f"not approved until {approved}")
    vetting = store.one(
        "SELECT level, decision, coalesce(checked_on, issued_on) AS last_checked"
        " FROM volunteer_vetting WHERE volunteer_id = ? AND issued_on <= ?"
        f" AND level IN ({', '.join('?' for _ in ENHANCED)})"
        f" AND decision IN ({', '.join('?' for _ in CLEARED)})"
        " ORDER BY coalesce(checked_on, issued_on) DESC, id DESC LIMIT 1",
        (vid, day, *ENHANCED, *CLEARED),
    )
    if vetting is None:
        reasons.append("no cleared enhanced DBS check")
    else:
        from cosa.domain.volunteers import add_years

        due = add_years(date.fromisoformat(vetting["last_checked"]), recheck_years(store))
        if due.isoformat() < day:  # due that day is not yet overdue (as in `status`)
            reasons.append(f"DBS re-check overdue since {due.isoformat()}")
        latest = store.one(
            "SELECT issued_on, decision FROM volunteer_vetting WHERE volunteer_id = ?"
            " AND issued_on <= ? AND decision != 'pending' ORDER BY issued_on DESC, id DESC"
            " LIMIT 1",
            (vid, day),
        )
        if latest is not None and latest["decision"] not in CLEARED:
            reasons.append(f"the latest DBS check (issued {latest['issued_on']}) was not cleared")
    trained = store.scalar(
        "SELECT count(*) FROM volunteer_training WHERE volunteer_id = ? AND kind = 'initial'"
        " AND date <= ?",
        (vid, day),
    )
    if not trained:
        reasons.append("no initial training")
    clash = store.one(
        "SELECT reason FROM volunteer_conflicts WHERE volunteer_id = ? AND member_id = ?"
        " ORDER BY id LIMIT 1",
        (vid, circle["member_id"]),
    )
    if clash is not None:
        reasons.append(f"a recorded conflict with {circle['member_code']} ({clash['reason']})")
    # the new member stays from `day` on, so count the circle's volunteers on `day` and on
    # every later day someone joined (a back-dated join must not make a seventh today)
    seated = max(
        int(
            store.scalar(
                "SELECT count(*) FROM circle_members WHERE circle_id = ? AND joined_on <= ?"
                " AND (left_on IS NULL OR left_on >= ?)",
                (circle["id"], on, on),
            )
        )
        for on in [
            day,
            *(
                str(r["joined_on"])
                for r in store.query(
                    "SELECT DISTINCT joined_on FROM circle_members WHERE circle_id = ?"
                    " AND joined_on > ?",
                    (circle["id"], day),
                )
            ),
        ]
    )
    if seated >= MAX_CIRCLE_VOLUNTEERS:
        reasons.append(f"circle {circle['id']} already has {seated} current volunteers")
    return reasons


def overrides(
    store: Store,
    start: str | None = None,
    end: str | None = None,
    *,
    coordinator: str | None = None,
) -> list[Row]:
    """Joins let through the gate with `--override`: audit entries with their reasons (with
    `coordinator`: joins to a circle that person coordinated on the day of joining)."""
    import json

    from cosa import history

    mine = (
        f" AND {history.coordinated_by('cm.circle_id', 'cm.joined_on')}"
        if coordinator is not None
        else ""
    )

    rows = store.query(
        "SELECT a.seq, a.at, a.operator, a.record_id, a.detail, cm.circle_id, cm.volunteer_id,"
        " cm.joined_on, v.name AS volunteer_name FROM audit a"
        " JOIN circle_members cm ON cm.id = a.record_id"
        " JOIN volunteers v ON v.id = cm.volunteer_id"
        " WHERE a.action = 'circle_member.override'"
        " AND (:start IS NULL OR cm.joined_on >= :start) AND (:end IS NULL OR cm.joined_on <= :end)"
        f"{mine} ORDER BY cm.joined_on, a.seq",
        {"start": start, "end": end, "coordinator": coordinator},
    )
    for r in rows:
        detail = json.loads(r.pop("detail") or "{}")
        r["reason"] = detail.get("reason")
        r["refusals"] = detail.get("refusals", [])
    return rows
