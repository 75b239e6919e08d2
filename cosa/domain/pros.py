"""Professionals: the outer circle (probation, police, treatment, prison, housing, …).

A professional has a name, an agency, a role from the `professional-role` lookup, contact
details (phone, secure email) and optional active dates: someone who moved on keeps their
record (disclosures and links refer to it) with an end date. "Active" means the dates cover
today (a missing date is open-ended).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cosa.domain import lookups, resolve
from cosa.domain.volunteers import check_email, clean_text, parse_day
from cosa.errors import UserError
from cosa.store import Store

TABLE = "professionals"
RECORD_TYPE = "professional"
ROLE_KIND = "professional-role"
#: Fields `edit` can change; optional ones are cleared with an empty value.
EDITABLE = ("name", "agency", "role", "phone", "email", "active_from", "active_to")


def _values(
    store: Store,
    *,
    name: str | None,
    agency: str | None,
    role: str | None,
    phone: str | None,
    email: str | None,
    active_from: str | date | None,
    active_to: str | date | None,
) -> dict[str, Any]:
    """Validated stored values for the fields given (None: not given)."""
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = clean_text("name", name, required=True)
    if agency is not None:
        values["agency"] = clean_text("--agency", agency, required=True)
    if role is not None:
        values["role"] = lookups.check(store, ROLE_KIND, role, field="--role")
    if phone is not None:
        values["phone"] = clean_text("--phone", phone)
    if email is not None:
        values["email"] = check_email("--email", email)
    if active_from is not None:
        values["active_from"] = parse_day("--from", active_from)
    if active_to is not None:
        values["active_to"] = parse_day("--to", active_to)
    return values


def _check_dates(active_from: str | None, active_to: str | None) -> None:
    if active_from and active_to and active_to < active_from:
        raise UserError(f"invalid --to '{active_to}': before --from ({active_from})")


def add(
    store: Store,
    name: str,
    *,
    agency: str,
    role: str,
    phone: str | None = None,
    email: str | None = None,
    active_from: str | date | None = None,
    active_to: str | date | None = None,
) -> int:
    values = _values(
        store,
        name=name,
        agency=agency,
        role=role,
        phone=phone,
        email=email,
        active_from=active_from,
        active_to=active_to,
    )
    _check_dates(values.get("active_from"), values.get("active_to"))
    with store.atomic():
        return store.insert(TABLE, RECORD_TYPE, values)


def edit(
    store: Store,
    ref: str,
    *,
    name: str | None = None,
    agency: str | None = None,
    role: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    active_from: str | date | None = None,
    active_to: str | date | None = None,
) -> tuple[int, list[str]]:
    """Change the given fields (None: unchanged; an empty phone, email or date clears it).

    Returns the professional's id and the names of the fields that really changed.
    """
    if all(v is None for v in (name, agency, role, phone, email, active_from, active_to)):
        raise UserError(
            "nothing to change",
            hint="give --name, --agency, --role, --phone, --email, --from or --to",
        )
    row = get(store, ref)
    changes = _values(
        store,
        name=name,
        agency=agency,
        role=role,
        phone=phone,
        email=email,
        active_from=active_from,
        active_to=active_to,
    )
    merged = {**row, **changes}
    _check_dates(merged["active_from"], merged["active_to"])
    with store.atomic():
        return int(row["id"]), store.update(TABLE, RECORD_TYPE, row["id"], changes)


def _with_active(row: dict[str, Any], today: str) -> dict[str, Any]:
    row["active"] = (row["active_from"] or "") <= today and (
        row["active_to"] is None or row["active_to"] >= today
    )
    return row


def list_(
    store: Store,
    *,
    agency: str | None = None,
    role: str | None = None,
    active: bool = False,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Professionals by agency and name; `agency` matches part of the name, any case."""
    day = (today or date.today()).isoformat()
    sql, params = "SELECT * FROM professionals", []
    if role is not None:
        sql += " WHERE role = ?"
        params.append(lookups.check(store, ROLE_KIND, role, field="--role"))
    rows = store.query(sql + " ORDER BY agency COLLATE NOCASE, name COLLATE NOCASE, id", params)
    part = " ".join((agency or "").split()).casefold()  # SQLite's lower() is ASCII-only
    rows = [_with_active(r, day) for r in rows if part in " ".join(r["agency"].split()).casefold()]
    return [r for r in rows if r["active"]] if active else rows


def get(store: Store, ref: str, *, today: date | None = None) -> dict[str, Any]:
    """A professional by number or unique case-insensitive name prefix."""
    row = resolve.person(store, TABLE, "pro", ref)
    return _with_active(row, (today or date.today()).isoformat())
