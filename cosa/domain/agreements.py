"""Circle agreements: the document every member of a circle signs, versioned.

`agreement add` records a version (text such as `v2` or `2026-03`) with the day it was
agreed, an optional scan (PDF, JPG or PNG, kept as a document of the circle) and a note.
`agreement sign` records who signed which version on which day: a volunteer who is a member
of the circle that day, the core member (`CM` or his code), or a professional of the outer
circle that day. Anyone else is refused.

**Re-sign rule.** A circle that has not ended needs its latest agreement re-signed when,
after someone signed it, a current volunteer or the core member has not signed it (someone
joined after the last signing): `cosa status` lists it under "Agreement to re-sign" with who
is missing, until they have signed. Professionals may sign; they are not required to.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from cosa.domain import documents, resolve
from cosa.domain.circles import current_members, resolve_circle
from cosa.domain.members import DateLike, in_transaction, required_date
from cosa.domain.volunteers import clean_text
from cosa.errors import UserError
from cosa.store import Row, Store

SCAN_TYPES = {".pdf": "PDF", ".jpg": "JPG", ".jpeg": "JPG", ".png": "PNG"}


def _agreement(store: Store, circle_id: int, version: str | None) -> Row:
    if version is None:
        row = store.one(
            "SELECT * FROM circle_agreements WHERE circle_id = ?"
            " ORDER BY on_date DESC, id DESC LIMIT 1",
            (circle_id,),
        )
        if row is None:
            raise UserError(
                f"circle {circle_id} has no agreement",
                hint=f"`cosa agreement add {circle_id} --version v1 --on DATE`",
            )
        return row
    row = store.one(
        "SELECT * FROM circle_agreements WHERE circle_id = ? AND version = ?",
        (circle_id, version.strip()),
    )
    if row is None:
        raise UserError(
            f"circle {circle_id} has no agreement version '{version.strip()}'",
            hint=f"`cosa agreement list {circle_id}` shows them",
        )
    return row


@in_transaction
def add(
    store: Store,
    circle: str | int,
    *,
    version: str,
    on: DateLike,
    file: Path | str | None = None,
    note: str | None = None,
) -> Row:
    """Record an agreement version (with its scan, when given); returns it."""
    row = resolve_circle(store, circle)
    if row["status"] == "ended":
        raise UserError(
            f"circle {row['id']} ({row['member_code']}) ended on {row['ended_on']};"
            " cannot add an agreement"
        )
    text = clean_text("--version", version, required=True)
    assert text is not None
    day = required_date("--on", on)
    if store.one(
        "SELECT id FROM circle_agreements WHERE circle_id = ? AND version = ?", (row["id"], text)
    ):
        raise UserError(f"circle {row['id']} already has an agreement version '{text}'")
    data = None
    if file is not None:
        suffix = Path(file).suffix.lower()
        if suffix not in SCAN_TYPES:
            raise UserError(
                f"--file {Path(file).name}: the scan must be a PDF, JPG or PNG file",
            )
        data = documents.read_file(file)
    with store.atomic():
        doc_id = None
        if data is not None:
            assert file is not None
            doc_id = documents.store_bytes(
                store,
                "circle_id",
                row["id"],
                data,
                file_name=Path(file).name,
                title=f"Circle agreement {text}",
                kind="agreement",
            )
        aid = store.insert(
            "circle_agreements",
            "agreement",
            {
                "circle_id": row["id"],
                "version": text,
                "on_date": day,
                "document_id": doc_id,
                "note": clean_text("--note", note),
            },
        )
    out = store.one("SELECT * FROM circle_agreements WHERE id = ?", (aid,))
    assert out is not None
    return out


def _signer(store: Store, circle: Row, person: str, day: str) -> tuple[str, int, str]:
    """(signatures column, id, label) of someone in the circle on `day`; refuses anyone
    else, naming why."""
    text = person.strip()
    if re.fullmatch(r"CM(-?\d+)?", text, re.IGNORECASE | re.ASCII):
        code = str(circle["member_code"])
        if text.upper() not in ("CM", code.upper()) and text.upper().replace("-", "") != (
            code.upper().replace("-", "")
        ):
            raise UserError(f"{text} is not the core member of circle {circle['id']} ({code})")
        return "member_id", int(circle["member_id"]), code
    current = {int(m["volunteer_id"]): m for m in current_members(store, circle["id"], day)}
    linked = {
        int(r["professional_id"])
        for r in store.query(
            "SELECT professional_id FROM circle_links WHERE circle_id = ? AND linked_on <= ?"
            " AND (unlinked_on IS NULL OR unlinked_on >= ?)",
            (circle["id"], day, day),
        )
    }
    found: list[tuple[str, Row]] = []
    for table, kind in (("volunteers", "volunteer"), ("professionals", "pro")):
        try:
            found.append((kind, resolve.person(store, table, kind, text)))
        except UserError:
            continue
    inside = [
        (k, r)
        for k, r in found
        if (k == "volunteer" and int(r["id"]) in current) or (k == "pro" and int(r["id"]) in linked)
    ]
    if len(inside) == 1:
        kind, who = inside[0]
        column = "volunteer_id" if kind == "volunteer" else "professional_id"
        return column, int(who["id"]), str(who["name"])
    if len(inside) > 1:
        raise UserError(f"'{text}' names several people in circle {circle['id']}; use more of it")
    if found:
        names = " or ".join(f"{k} {r['id']} {r['name']}" for k, r in found)
        raise UserError(
            f"{names} is not in circle {circle['id']} on {day}; only its volunteers, its core"
            " member (CM) and its outer circle sign its agreement"
        )
    raise UserError(
        f"no volunteer or professional matches '{text}'",
        hint="use CM for the core member, or a volunteer's or professional's name or number",
    )


@in_transaction
def sign(
    store: Store, circle: str | int, person: str, *, on: DateLike, version: str | None = None
) -> Row:
    """Record that someone in the circle signed an agreement (default: the latest)."""
    row = resolve_circle(store, circle)
    agreement = _agreement(store, row["id"], version)
    day = required_date("--on", on)
    if day < agreement["on_date"]:
        raise UserError(
            f"--on {day} is before agreement {agreement['version']} was made"
            f" ({agreement['on_date']})"
        )
    column, pid, label = _signer(store, row, person, day)
    if store.one(
        f"SELECT id FROM agreement_signatures WHERE agreement_id = ? AND {column} = ?",
        (agreement["id"], pid),
    ):
        raise UserError(f"{label} already signed agreement {agreement['version']}")
    with store.atomic():
        store.insert(
            "agreement_signatures",
            "signature",
            {"agreement_id": agreement["id"], column: pid, "signed_on": day},
        )
    return {**agreement, "signer": label, "signed_on": day}


def signatures(store: Store, agreement_id: int) -> list[Row]:
    rows = store.query(
        "SELECT s.*, v.name AS volunteer_name, p.name AS professional_name, m.code AS member_code"
        " FROM agreement_signatures s LEFT JOIN volunteers v ON v.id = s.volunteer_id"
        " LEFT JOIN professionals p ON p.id = s.professional_id"
        " LEFT JOIN core_members m ON m.id = s.member_id"
        " WHERE s.agreement_id = ? ORDER BY s.signed_on, s.id",
        (agreement_id,),
    )
    for r in rows:
        r["signer"] = r["volunteer_name"] or r["professional_name"] or r["member_code"]
        r["role"] = (
            "volunteer" if r["volunteer_id"] else "professional" if r["professional_id"] else "CM"
        )
    return rows


def missing(store: Store, circle: Row, agreement: Row, today: date | None = None) -> list[str]:
    """Who must sign `agreement` and has not: current volunteers, and the core member."""
    day = (today or date.today()).isoformat()
    signed = signatures(store, agreement["id"])
    vols = {int(s["volunteer_id"]) for s in signed if s["volunteer_id"]}
    out = [
        str(m["volunteer_name"])
        for m in current_members(store, circle["id"], day)
        if int(m["volunteer_id"]) not in vols
    ]
    if not any(s["member_id"] for s in signed):
        out.insert(0, str(circle["member_code"]))
    return out


def detail(store: Store, circle: str | int, version: str | None = None) -> dict[str, Any]:
    row = resolve_circle(store, circle)
    agreement = _agreement(store, row["id"], version)
    signed = signatures(store, agreement["id"])
    return {
        **agreement,
        "member_code": row["member_code"],
        "signed": len(signed),
        "signatures": signed,
        "missing": [] if row["status"] == "ended" else missing(store, row, agreement),
    }


def list_(store: Store, circle: str | int | None = None) -> list[Row]:
    """Agreements with their signature counts, newest first."""
    sql = (
        "SELECT a.*, m.code AS member_code,"
        " (SELECT count(*) FROM agreement_signatures s WHERE s.agreement_id = a.id) AS signed"
        " FROM circle_agreements a JOIN circles c ON c.id = a.circle_id"
        " JOIN core_members m ON m.id = c.member_id"
    )
    if circle is None:
        return store.query(f"{sql} ORDER BY a.on_date DESC, a.id DESC")
    cid = resolve_circle(store, circle)["id"]
    return store.query(f"{sql} WHERE a.circle_id = ? ORDER BY a.on_date DESC, a.id DESC", (cid,))


def to_sign(store: Store, today: date | None = None) -> list[Row]:
    """Circles (not ended) whose latest agreement was signed by someone but not yet by every
    current volunteer and the core member (the re-sign rule)."""
    day = today or date.today()
    rows = store.query(
        "SELECT a.id, a.circle_id, a.version, a.on_date, c.member_id, m.code AS member_code,"
        " c.status, (SELECT max(s.signed_on) FROM agreement_signatures s"
        "  WHERE s.agreement_id = a.id) AS last_signed"
        " FROM circle_agreements a JOIN circles c ON c.id = a.circle_id"
        " JOIN core_members m ON m.id = c.member_id"
        " WHERE c.status NOT IN ('ended', 'transferred') AND a.id = (SELECT b.id FROM circle_agreements b"
        "  WHERE b.circle_id = a.circle_id ORDER BY b.on_date DESC, b.id DESC LIMIT 1)"
        " AND EXISTS (SELECT 1 FROM agreement_signatures s WHERE s.agreement_id = a.id)"
        " ORDER BY a.circle_id"
    )
    out = []
    for r in rows:
        circle = {"id": r["circle_id"], "member_code": r["member_code"]}
        who = missing(store, circle, r, day)
        if who:
            out.append({**r, "missing": ", ".join(who)})
    return out
