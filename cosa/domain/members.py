"""Core members: the person a circle is for, known everywhere by a pseudonymous code.

A core member is `CM-0001`, `CM-0002`, … in minutes, lists and reports. The identity fields
(legal name, aliases, date of birth, address / Approved Premises, contact) live in a separate
table, `member_identity`, read only by `identity()`, which records an audit entry
(`member.identity.view`, no content) every time. Legal status (sentence and licence dates,
licence conditions, notification requirements, other orders), MAPPA category and level,
external risk assessments (stored as given: cosa never scores an instrument) and consent to
share with professionals or whole agencies hang off the member.

`consent_covers` answers "may this professional receive this member's information on this
day?" for the share command.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar

from cosa import dates, history
from cosa.domain import lookups, resolve
from cosa.domain.volunteers import clean_text
from cosa.errors import UserError
from cosa.store import Row, Store

TABLE = "core_members"
MAPPA_CATEGORIES = (1, 2, 3, 4)
MAPPA_LEVELS = (1, 2, 3)
CODE_HINT = "use CM- and at least four digits, e.g. CM-0007"

#: Legal-status columns of `core_members`: column -> (option name, kind).
LEGAL_FIELDS: dict[str, tuple[str, str]] = {
    "mappa_verified": ("--mappa-verified", "date"),
    "sentence_date": ("--sentenced", "date"),
    "release_date": ("--released", "date"),
    "licence_start": ("--licence-start", "date"),
    "licence_end": ("--licence-end", "date"),
    "notification_requirements": ("--notifications", "text"),
    "other_orders": ("--other-orders", "text"),
}
#: Columns of `member_identity`: column -> (option name, kind).
IDENTITY_FIELDS: dict[str, tuple[str, str]] = {
    "legal_name": ("--name", "text"),
    "aliases": ("--aliases", "text"),
    "date_of_birth": ("--dob", "date"),
    "address": ("--address", "text"),
    "contact": ("--contact", "text"),
}

DateLike = str | date | None
P = ParamSpec("P")
T = TypeVar("T")


def in_transaction(fn: Callable[Concatenate[Store, P], T]) -> Callable[Concatenate[Store, P], T]:
    """Run a domain function's checks and writes in one write transaction.

    `BEGIN IMMEDIATE` serialises writers, so a check such as "not already a member" still
    holds when the write happens, even with two cosa commands running at once.
    """

    @functools.wraps(fn)
    def wrapper(store: Store, /, *args: P.args, **kwargs: P.kwargs) -> T:
        with store.atomic():
            return fn(store, *args, **kwargs)

    return wrapper


# -- field helpers shared by the people-and-circles domain modules ---------------------------


def reword(exc: UserError, kind: str, field: str) -> UserError:
    """A parsing error from `cosa.dates` ("invalid date '…'") renamed after the option."""
    text = exc.message
    if text.startswith(f"invalid {kind} "):
        text = f"invalid {field} " + text[len(f"invalid {kind} ") :]
    return UserError(text, hint=exc.hint)


def date_field(field: str, value: DateLike, *, future: bool = False) -> str | None:
    """ISO text of a date the user typed (None stays None); errors name the option."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return dates.iso(dates.parse_date(value, future=future))
    except UserError as exc:
        raise reword(exc, "date", field) from None


def required_date(field: str, value: DateLike, *, future: bool = False) -> str:
    parsed = date_field(field, value, future=future)
    if parsed is None:
        raise UserError(f"{field} is required")
    return parsed


def day_or_today(field: str, value: DateLike) -> str:
    return date_field(field, value) or date.today().isoformat()


def number_ref(kind: str, ref: str | int) -> int:
    """A record number typed by the user (`12` or `#12`)."""
    text = str(ref).strip().lstrip("#")
    if not text.isdigit():
        raise UserError(f"invalid {kind} number '{str(ref).strip()}'", hint="use the number")
    return int(text)


def _fields(
    specs: Mapping[str, tuple[str, str]], given: Mapping[str, DateLike], *, clearing: bool
) -> dict[str, str | None]:
    """Validate the given fields; with `clearing`, an empty text means "clear this field"."""
    out: dict[str, str | None] = {}
    for col, value in given.items():
        if value is None:
            continue
        field, kind = specs[col]
        if isinstance(value, str) and not value.strip():
            if not clearing:
                continue
            out[col] = None
        elif kind == "date":
            out[col] = date_field(field, value)
        else:
            out[col] = clean_text(field, str(value))
    return out


def _split(details: Mapping[str, DateLike]) -> tuple[dict[str, DateLike], dict[str, DateLike]]:
    unknown = set(details) - set(LEGAL_FIELDS) - set(IDENTITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown core member field(s): {', '.join(sorted(unknown))}")
    legal = {k: v for k, v in details.items() if k in LEGAL_FIELDS}
    identity = {k: v for k, v in details.items() if k in IDENTITY_FIELDS}
    return legal, identity


def check_mappa(field: str, value: int | str, allowed: tuple[int, ...]) -> int:
    text = str(value).strip()
    if not text.isdigit() or int(text) not in allowed:
        raise UserError(f"invalid {field} '{text}' (allowed: {', '.join(str(a) for a in allowed)})")
    return int(text)


def _check_licence(row: Mapping[str, Any]) -> None:
    start, end = row.get("licence_start"), row.get("licence_end")
    if start and end and end < start:
        raise UserError(f"--licence-end {end} is before --licence-start {start}")


# -- codes -----------------------------------------------------------------------------------


def format_code(number: int) -> str:
    return f"CM-{number:04d}"


def parse_code(text: str) -> int:
    """The number of a code given to `member add` (`CM-` and at least four digits)."""
    m = re.fullmatch(r"CM-(\d{4,})", text.strip(), re.IGNORECASE | re.ASCII)
    if m is None or int(m[1]) == 0:
        raise UserError(f"invalid member code '{text.strip()}'", hint=CODE_HINT)
    return int(m[1])


def resolve_member(store: Store, ref: str) -> Row:
    """A core member by code, case-insensitive (`CM-0003`, `cm-0003`, `cm-3`)."""
    text = ref.strip()
    m = re.fullmatch(r"CM-?(\d+)", text, re.IGNORECASE | re.ASCII)
    if m is None:
        raise UserError(
            f"invalid core member '{text}'",
            hint="core members are named by their code, e.g. CM-0003",
        )
    row = store.one(f"SELECT * FROM {TABLE} WHERE number = ?", (int(m[1]),))
    if row is None:
        raise UserError(
            f"no core member {format_code(int(m[1]))}", hint="`cosa member list` shows them"
        )
    return row


# -- core members ----------------------------------------------------------------------------


def add(
    store: Store,
    code: str | None = None,
    *,
    mappa_category: int | str,
    mappa_level: int | str,
    on: DateLike = None,
    **details: DateLike,
) -> tuple[int, str]:
    """Add a core member; returns (id, code). `details` are LEGAL_FIELDS and IDENTITY_FIELDS;
    their values start the member's history from the day `on` (default today)."""
    legal, identity = _split(details)
    known_from = day_or_today("--on", on)
    values: dict[str, Any] = {
        "mappa_category": check_mappa("--mappa-category", mappa_category, MAPPA_CATEGORIES),
        "mappa_level": check_mappa("--mappa-level", mappa_level, MAPPA_LEVELS),
        **_fields(LEGAL_FIELDS, legal, clearing=False),
    }
    _check_licence(values)
    who = _fields(IDENTITY_FIELDS, identity, clearing=False)
    number = parse_code(code) if code is not None else None
    with store.atomic():
        if number is None:
            number = int(
                store.scalar("SELECT coalesce(max(number), 0) + 1 FROM member_codes_issued")
            )
        elif store.one(f"SELECT id FROM {TABLE} WHERE number = ?", (number,)):
            raise UserError(
                f"core member {format_code(number)} already exists",
                hint="leave the code out to get the next free one",
            )
        elif store.one("SELECT number FROM member_codes_issued WHERE number = ?", (number,)):
            raise UserError(
                f"the code {format_code(number)} was used before and is never reissued",
                hint="leave the code out to get the next free one",
            )
        store.execute("INSERT INTO member_codes_issued (number) VALUES (?)", (number,))
        values.update(number=number, code=format_code(number))
        mid = store.insert(TABLE, "member", values)
        today = known_from
        for field in history.MEMBER_FIELDS:
            if values.get(field) is not None:
                history.add(store, "member", mid, field, values[field], today)
        if who:
            store.insert(
                "member_identity",
                "member_identity",
                {"member_id": mid, **who},
                action="member.identity.add",
            )
            if who.get("address"):
                history.add(store, "member", mid, "address", who["address"], today)
    return mid, format_code(number)


def _record_history(
    store: Store, member_id: int, changes: Mapping[str, Any], day: str
) -> dict[str, Any]:
    """Append a dated entry per changed field; returns the columns' new current values (the
    latest entry of each field, which a back-dated change does not displace)."""
    current: dict[str, Any] = {}
    for field, value in changes.items():
        history.add(store, "member", member_id, field, value, day)
        latest = history.latest(store, "member", member_id, field)
        assert latest is not None
        value_now = latest["value"]
        if field in ("mappa_category", "mappa_level") and value_now is not None:
            value_now = int(value_now)
        current[field] = value_now
    return current


def edit(
    store: Store,
    ref: str,
    *,
    mappa_category: int | str | None = None,
    mappa_level: int | str | None = None,
    on: DateLike = None,
    **details: DateLike,
) -> list[str]:
    """Change the given fields (an empty text clears one) as from the day `on` (default
    today): each change is a dated entry of the member's history. Returns the changed field
    names."""
    legal, identity = _split(details)
    member = resolve_member(store, ref)
    day = day_or_today("--on", on)
    changes: dict[str, Any] = _fields(LEGAL_FIELDS, legal, clearing=True)
    if mappa_category is not None:
        changes["mappa_category"] = check_mappa(
            "--mappa-category", mappa_category, MAPPA_CATEGORIES
        )
    if mappa_level is not None:
        changes["mappa_level"] = check_mappa("--mappa-level", mappa_level, MAPPA_LEVELS)
    _check_licence({**member, **changes})
    who = _fields(IDENTITY_FIELDS, identity, clearing=True)
    with store.atomic():
        changes = {k: v for k, v in changes.items() if member.get(k) != v}
        changed = store.update(
            TABLE, "member", member["id"], _record_history(store, member["id"], changes, day)
        )
        changed = sorted(set(changed) | set(changes))
        current = store.one("SELECT * FROM member_identity WHERE member_id = ?", (member["id"],))
        if "address" in who and (current or {}).get("address") != who["address"]:
            history.add(store, "member", member["id"], "address", who["address"], day)
            latest = history.latest(store, "member", member["id"], "address")
            assert latest is not None
            who["address"] = latest["value"]  # a back-dated address does not displace a later one
            if current is not None and current.get("address") == who["address"]:
                changed.append("address")
        if current is not None:
            changed += store.update(
                "member_identity",
                "member_identity",
                current["id"],
                who,
                action="member.identity.edit",
            )
        elif any(v is not None for v in who.values()):
            new = {k: v for k, v in who.items() if v is not None}
            store.insert(
                "member_identity",
                "member_identity",
                {"member_id": member["id"], **new},
                action="member.identity.add",
            )
            changed += sorted(new)
    return sorted(set(changed))


@in_transaction
def move(
    store: Store,
    ref: str,
    *,
    on: DateLike,
    address: str | None = None,
    area: str | None = None,
    note: str | None = None,
) -> Row:
    """A core member moves: a dated entry for the new address (identity) and/or area; the
    identity row keeps the latest address. Returns the member."""
    member = resolve_member(store, ref)
    day = required_date("--on", on)
    new_address = clean_text("--address", address)
    new_area = clean_text("--area", area)
    if new_address is None and new_area is None:
        raise UserError("give the new --address, the new --area, or both")
    text = clean_text("--note", note)
    with store.atomic():
        if new_area is not None:
            history.add(store, "member", member["id"], "area", new_area, day, note=text)
        if new_address is not None:
            history.add(store, "member", member["id"], "address", new_address, day, note=text)
            latest = history.latest(store, "member", member["id"], "address")
            assert latest is not None
            ident = store.one("SELECT id FROM member_identity WHERE member_id = ?", (member["id"],))
            if ident is None:
                store.insert(
                    "member_identity",
                    "member_identity",
                    {"member_id": member["id"], "address": latest["value"]},
                    action="member.identity.add",
                )
            else:
                store.update(
                    "member_identity",
                    "member_identity",
                    ident["id"],
                    {"address": latest["value"]},
                    action="member.move",
                )
    return member


def history_of(store: Store, ref: str, *, identity: bool = False) -> list[Row]:
    """The member's dated entries, oldest first; addresses only with `identity` (and then
    the caller has audited the identity view)."""
    member = resolve_member(store, ref)
    rows = history.entries(store, "member", member["id"])
    if identity:
        return rows
    return [r for r in rows if r["field"] not in history.IDENTITY_FIELDS]


def list_(store: Store) -> list[Row]:
    """Every core member, without identity, in code order."""
    return store.query(f"SELECT * FROM {TABLE} ORDER BY number")


def get(store: Store, ref: str) -> Row:
    return resolve_member(store, ref)


def detail(store: Store, ref: str, *, identity: bool = False) -> dict[str, Any]:
    """A member with conditions, risk assessments, consents, the current area and the
    dated history (address entries only with `identity`: the caller audits that view)."""
    member = resolve_member(store, ref)
    mid = member["id"]
    area = history.latest(store, "member", mid, "area")
    return {
        **member,
        "conditions": conditions(store, mid),
        "risks": risks(store, mid),
        "consents": consents(store, mid),
        "area": None if area is None else area["value"],
        "history": history_of(store, ref, identity=identity),
    }


def identity(store: Store, ref: str) -> Row | None:
    """The member's identity fields; every call is an audited view (no content logged)."""
    member = resolve_member(store, ref)
    with store.atomic():
        store.audit("member.identity.view", "member", member["id"])
    return store.one("SELECT * FROM member_identity WHERE member_id = ?", (member["id"],))


# -- licence conditions ----------------------------------------------------------------------


def add_condition(
    store: Store, ref: str, text: str, *, start: DateLike = None, end: DateLike = None
) -> int:
    member = resolve_member(store, ref)
    values = {
        "member_id": member["id"],
        "text": clean_text("condition", text, required=True),
        "start_date": date_field("--from", start),
        "end_date": date_field("--to", end),
    }
    if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
        raise UserError(f"--to {values['end_date']} is before --from {values['start_date']}")
    with store.atomic():
        return store.insert("member_conditions", "member_condition", values)


def end_condition(store: Store, ref: str, condition: str | int, *, on: DateLike = None) -> str:
    """Set a licence condition's end date (default today); returns it."""
    member = resolve_member(store, ref)
    cid = number_ref("condition", condition)
    row = store.one(
        "SELECT * FROM member_conditions WHERE id = ? AND member_id = ?", (cid, member["id"])
    )
    if row is None:
        raise UserError(
            f"{member['code']} has no licence condition {cid}",
            hint=f"`cosa member condition list {member['code']}` shows them",
        )
    end = day_or_today("--on", on)
    if row["start_date"] and end < row["start_date"]:
        raise UserError(f"--on {end} is before the condition's start {row['start_date']}")
    with store.atomic():
        store.update("member_conditions", "member_condition", cid, {"end_date": end})
    return end


def conditions(store: Store, member_id: int) -> list[Row]:
    return store.query(
        "SELECT * FROM member_conditions WHERE member_id = ? ORDER BY start_date, id", (member_id,)
    )


# -- external risk assessments ---------------------------------------------------------------


def add_risk(
    store: Store,
    ref: str,
    *,
    instrument: str,
    scale: str,
    value: str,
    on: DateLike,
    source: str,
    version: str | None = None,
) -> int:
    """Record an assessment as given by the partner agency (cosa never scores one)."""
    member = resolve_member(store, ref)
    values = {
        "member_id": member["id"],
        "instrument": lookups.check(store, "risk-instrument", instrument, field="--instrument"),
        "version": clean_text("--version", version),
        "scale": clean_text("--scale", scale, required=True),
        "value": clean_text("--value", value, required=True),
        "assessed_on": required_date("--on", on),
        "source": clean_text("--source", source, required=True),
    }
    with store.atomic():
        return store.insert("member_risk", "member_risk", values)


def risks(store: Store, member_id: int) -> list[Row]:
    return store.query(
        "SELECT * FROM member_risk WHERE member_id = ? ORDER BY assessed_on, id", (member_id,)
    )


def risks_of(store: Store, ref: str) -> list[Row]:
    return risks(store, resolve_member(store, ref)["id"])


# -- consent to share ------------------------------------------------------------------------


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _consent_target(store: Store, to: str) -> tuple[Row | None, str | None]:
    """(professional, None) or (None, agency): a number or name prefix names a professional,
    anything else an agency (spelt as a professional's agency when one matches)."""
    text = " ".join(to.split())
    if not text:
        raise UserError("--recipient must name a professional or an agency")
    key = text.casefold()  # as resolve.person: Python folds non-ASCII names, SQLite does not
    named = any(
        str(r["name"]).casefold().startswith(key)
        for r in store.query("SELECT name FROM professionals")
    )
    if text.isdigit() or named:
        return resolve.person(store, "professionals", "pro", text), None
    for row in store.query("SELECT DISTINCT agency FROM professionals WHERE agency IS NOT NULL"):
        if _norm(row["agency"]) == _norm(text):
            return None, str(row["agency"])
    return None, text


def _target_label(pro: Row | None, agency: str | None) -> str:
    if pro is not None:
        return f"{pro['name']} ({pro['agency']})" if pro.get("agency") else str(pro["name"])
    return f"agency '{agency}'"


@in_transaction
def consent(
    store: Store, ref: str, to: str, *, on: DateLike = None, withdraw: bool = False
) -> dict[str, Any]:
    """Record consent to share with a professional or an agency, or withdraw it.

    Returns the consent row plus `label` (who it names) and `known_agency` (False when an
    agency was named that no professional on record works for: perhaps a typo).
    """
    member = resolve_member(store, ref)
    pro, agency = _consent_target(store, to)
    day = day_or_today("--on", on)
    open_rows = [
        r
        for r in store.query(
            "SELECT * FROM member_consent WHERE member_id = ? AND withdrawn_on IS NULL ORDER BY id",
            (member["id"],),
        )
        if (pro is not None and r["professional_id"] == pro["id"])
        or (pro is None and r["professional_id"] is None and _norm(r["agency"]) == _norm(agency))
    ]
    label = _target_label(pro, agency)
    with store.atomic():
        if withdraw:
            if not open_rows:
                raise UserError(
                    f"{member['code']} has no open consent to share with {label}",
                    hint=f"`cosa member show {member['code']}` lists the consents",
                )
            given = open_rows[0]
            if day < given["given_on"]:
                raise UserError(f"--on {day} is before the consent was given ({given['given_on']})")
            store.update(
                "member_consent",
                "member_consent",
                given["id"],
                {"withdrawn_on": day},
                action="member_consent.withdraw",
            )
            cid = given["id"]
        else:
            if open_rows:
                raise UserError(
                    f"{member['code']} already consents to sharing with {label}"
                    f" (since {open_rows[0]['given_on']})"
                )
            cid = store.insert(
                "member_consent",
                "member_consent",
                {
                    "member_id": member["id"],
                    "professional_id": pro["id"] if pro is not None else None,
                    "agency": agency,
                    "given_on": day,
                    "agreement_id": agreement_in_force(store, member["id"], day),
                },
            )
    row = store.one("SELECT * FROM member_consent WHERE id = ?", (cid,))
    assert row is not None
    known = pro is not None or any(
        _norm(r["agency"]) == _norm(agency)
        for r in store.query("SELECT DISTINCT agency FROM professionals")
    )
    return {**row, "label": label, "known_agency": known}


def agreement_in_force(store: Store, member_id: int, day: str) -> int | None:
    """The circle agreement a consent given on `day` rests on: the latest version of any of
    the member's circles agreed on or before that day (None when there is none)."""
    row = store.one(
        "SELECT a.id FROM circle_agreements a JOIN circles c ON c.id = a.circle_id"
        " WHERE c.member_id = ? AND a.on_date <= ? ORDER BY a.on_date DESC, a.id DESC LIMIT 1",
        (member_id, day),
    )
    return None if row is None else int(row["id"])


def consents(store: Store, member_id: int) -> list[Row]:
    return store.query(
        "SELECT c.*, p.name AS professional_name, p.agency AS professional_agency,"
        " a.version AS agreement_version"
        " FROM member_consent c LEFT JOIN professionals p ON p.id = c.professional_id"
        " LEFT JOIN circle_agreements a ON a.id = c.agreement_id"
        " WHERE c.member_id = ? ORDER BY c.given_on, c.id",
        (member_id,),
    )


def consent_covers(store: Store, member_id: int, professional_id: int, on_date: date | str) -> bool:
    """True if, on `on_date`, an unwithdrawn consent names this professional or their agency.

    A consent covers the days from `given_on` up to (not including) `withdrawn_on`.
    """
    day = on_date.isoformat() if isinstance(on_date, date) else on_date
    pro = store.one("SELECT agency FROM professionals WHERE id = ?", (professional_id,))
    if pro is None:
        return False
    rows = store.query(
        "SELECT professional_id, agency FROM member_consent WHERE member_id = ?"
        " AND given_on <= ? AND (withdrawn_on IS NULL OR withdrawn_on > ?)",
        (member_id, day, day),
    )
    agency = _norm(pro["agency"])
    return any(
        r["professional_id"] == professional_id or (agency and _norm(r["agency"]) == agency)
        for r in rows
    )
