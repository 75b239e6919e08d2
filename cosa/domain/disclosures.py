"""Disclosures: what left the provider about a core member, to whom, and on what basis.

`share` makes the share pack of one meeting for one professional and records it as a
disclosure, in one transaction with the file. It is refused (nothing written) when

* the meeting's minutes are not approved;
* the professional's active dates have ended;
* the core member's consent does not cover the professional or their agency on the day
  (`members.consent_covers`), unless an override gives its reason.

The lawful basis is `consent` when consent covers the recipient; with `--override REASON` it
is the basis named with `--basis` (legal duty, vital interests, public task) or `override`.
The record keeps the recipient as they were (name, role, agency), the items shared, what was
removed, the file's name and SHA-256 and whether it was encrypted; its UUID is printed on the
pack as the disclosure reference. Disclosures are append-only: never edited, and deleted only
with the core member's whole file when the retention schedule says so (`cosa retention`). The
insert is the audit entry (`share`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from cosa.domain import meetings, resolve
from cosa.domain.circles import resolve_circle
from cosa.domain.members import consent_covers, resolve_member
from cosa.domain.volunteers import check_choice, clean_text
from cosa.errors import UserError
from cosa.store import Row, Store

TABLE = "disclosures"
KIND = "share pack"
#: Lawful bases for an override (consent needs no override).
OVERRIDE_BASES = ("override", "legal duty", "vital interests", "public task")
BASES = ("consent", *OVERRIDE_BASES)

ESCALATION = "escalation"
SUBJECT_ACCESS = "subject access pack"
RAW_RETURN = "raw return"
RESEARCH_EXTRACT = "research extract"
NOTIFICATION = "notification"
KINDS = (KIND, ESCALATION, SUBJECT_ACCESS, RAW_RETURN, RESEARCH_EXTRACT, NOTIFICATION)
#: The lawful basis of a notification (`meeting told`): telling the probation practitioner
#: what a meeting raised is part of the public-protection task the provider delivers with
#: probation (the core member cannot freely refuse it, so it is not consent).
NOTIFICATION_BASIS = "public task"

_SELECT = (
    "SELECT d.*, m.code AS member_code FROM disclosures d"
    " LEFT JOIN core_members m ON m.id = d.member_id"
)


def recipient_of(pro: Row) -> str:
    """A professional as a disclosure records them: name (role, agency)."""
    return f"{pro['name']} ({pro['role']}, {pro['agency']})"


def record_escalation(store: Store, escalation_id: int, *, action: str = "disclose") -> int:
    """Record an escalation (`cosa concern escalate`) as a disclosure: the professional, the
    day, the concern and what was shared, its basis. In the escalation's transaction."""
    e = store.one(
        "SELECT e.*, c.circle_id, c.meeting_id, c.severity, c.category, ci.member_id,"
        " p.name, p.role, p.agency FROM escalations e JOIN concerns c ON c.id = e.concern_id"
        " JOIN circles ci ON ci.id = c.circle_id JOIN professionals p ON p.id = e.professional_id"
        " WHERE e.id = ?",
        (escalation_id,),
    )
    assert e is not None
    # what was said stays in the escalation itself (anonymised with it), never copied here
    items = [
        f"concern {e['concern_id']} ({e['severity']}, {e['category']}) by {e['via']}",
        f"escalation {escalation_id}"
        + (": what was shared is recorded there" if e["shared"] else ""),
    ]
    values = {
        "member_id": e["member_id"],
        "circle_id": e["circle_id"],
        "meeting_id": e["meeting_id"],
        "professional_id": e["professional_id"],
        "recipient": recipient_of(e),
        "disclosed_on": str(e["at"])[:10],
        "kind": ESCALATION,
        "items": json.dumps(items, ensure_ascii=False),
        "basis": e["basis"],
        "override_reason": None,
        "removed": "[]",
        "escalation_id": escalation_id,
    }
    return store.insert(TABLE, "disclosure", values, action)


def record_file(
    store: Store,
    *,
    kind: str,
    recipient: str,
    on: str,
    basis: str,
    items: list[str],
    file_name: str,
    sha256: str,
    encrypted: bool,
    member_id: int | None = None,
    sar_id: int | None = None,
    removed: list[str] | None = None,
) -> int:
    """Record a file that left the provider (a subject access pack, a raw return); call it
    inside the transaction that writes the file."""
    values = {
        "member_id": member_id,
        "recipient": recipient,
        "disclosed_on": on,
        "kind": kind,
        "items": json.dumps(items, ensure_ascii=False),
        "basis": basis,
        "removed": json.dumps(removed or [], ensure_ascii=False),
        "file_name": file_name,
        "sha256": sha256,
        "encrypted": 1 if encrypted else 0,
        "sar_id": sar_id,
    }
    return store.insert(TABLE, "disclosure", values, "disclose")


def record_told(
    store: Store,
    meeting_ref: str | int,
    recipient: str,
    *,
    on: str | date | None = None,
    via: str | None = None,
    note: str | None = None,
    today: date | None = None,
) -> int:
    """Record that a meeting's information was passed to a professional (a phone call, an
    email): a disclosure of kind `notification`, basis `public task`. To a probation
    professional it clears the meeting's "probation to be told" status item.

    Refused (nothing written) for a void or cancelled meeting, a professional not active on
    the day, a day before the meeting or in the future. Returns the disclosure's id.
    """
    from cosa.domain.concerns import VIA
    from cosa.domain.members import date_field

    meeting = meetings.get(store, meeting_ref)
    if meeting["state"] != "held":
        raise UserError(
            f"meeting {meeting['id']} was {meeting['state']} ({meeting['state_reason']});"
            " there is nothing to tell"
        )
    pro = resolve.person(store, "professionals", "pro", recipient)
    now = (today or date.today()).isoformat()
    day = date_field("--on", on) or now
    if day > now:
        raise UserError(f"invalid --on {day}: in the future", hint="record it once it happened")
    if day < meeting["date"]:
        raise UserError(f"invalid --on {day}: before meeting {meeting['id']} ({meeting['date']})")
    if (pro["active_from"] and pro["active_from"] > day) or (
        pro["active_to"] and pro["active_to"] < day
    ):
        raise UserError(
            f"{pro['name']} ({pro['agency']}) is not active on {day}",
            hint="record who was told: the professional who holds the case (`cosa pro list --active`)",
        )
    how = check_choice("--via", via, VIA) if via is not None else None
    items = [f"meeting {meeting['id']} ({meeting['date']}, {meeting['type']})"]
    if how:
        items.append(f"by {how}")
    values = {
        "member_id": store.scalar(
            "SELECT member_id FROM circles WHERE id = ?", (meeting["circle_id"],)
        ),
        "circle_id": meeting["circle_id"],
        "meeting_id": meeting["id"],
        "professional_id": pro["id"],
        "recipient": recipient_of(pro),
        "disclosed_on": day,
        "kind": NOTIFICATION,
        "items": json.dumps(items, ensure_ascii=False),
        "basis": NOTIFICATION_BASIS,
        "removed": "[]",
        "note": clean_text("--note", note),
    }
    with store.atomic():
        return store.insert(TABLE, "disclosure", values, "meeting.told")


def _basis(
    covered: bool, override: str | None, basis: str | None, refusal: str
) -> tuple[str, str | None]:
    reason = clean_text("--override", override)
    chosen = check_choice("--basis", basis, BASES) if basis is not None else None
    if reason is None:
        if chosen not in (None, "consent"):
            raise UserError(f"--basis {chosen} goes with --override REASON (why you share)")
        if not covered:
            raise UserError(
                refusal,
                hint="record consent with `cosa member consent`, or share anyway with "
                "--override REASON (recorded as the lawful basis)",
            )
        return "consent", None
    if chosen == "consent":
        raise UserError("--basis consent cannot go with --override", hint="leave --basis out")
    return chosen or "override", reason


def share(
    store: Store,
    meeting_ref: str | int,
    to: str,
    path: Path | None = None,
    *,
    override: str | None = None,
    basis: str | None = None,
    names: str = "first",
    password: Callable[[], str | None] | None = None,
    classification: str | None = None,
    today: date | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Write the share pack of an approved meeting for a professional and record the
    disclosure; returns the disclosure row (with `path` and `size`).

    `path` defaults to `share-CM-…-meeting-N-for-RECIPIENT.pdf` in the current directory
    (so packs of one meeting for different people never replace each other); an existing
    file is refused unless `force`. `password` is asked for (called) only once everything
    has been checked.
    """
    from cosa.reports import publish
    from cosa.reports import share as pack

    day = (today or date.today()).isoformat()
    meeting = meetings.get(store, meeting_ref)
    if not meeting["approved_at"]:
        raise UserError(
            f"meeting {meeting['id']}'s minutes are not approved; only approved minutes are shared",
            hint=f"read and approve them first: `cosa meeting approve {meeting['id']}`",
        )
    mode = check_choice("--volunteer-names", names, pack.SHARE_NAME_MODES)
    pro = resolve.person(store, "professionals", "pro", to)
    if pro["active_to"] and pro["active_to"] < day:
        raise UserError(
            f"{pro['name']} ({pro['agency']}) is not active since {pro['active_to']}",
            hint="share with the professional who holds the case now (`cosa pro list --active`)",
        )
    circle = resolve_circle(store, meeting["circle_id"])
    covered = consent_covers(store, circle["member_id"], pro["id"], day)
    chosen, reason = _basis(
        covered,
        override,
        basis,
        f"{circle['member_code']} has not consented to sharing with {pro['name']}"
        f" ({pro['agency']}) on {day}; nothing was shared",
    )
    if path is not None:
        publish.check_target(path, force=force)
    reference = str(uuid.uuid4())
    data = publish.collect(
        store,
        classification,
        pack.data,
        meeting["id"],
        pro,
        names=mode,
        basis=chosen,
        reason=reason,
        reference=reference,
        on=day,
    )
    path = publish.check_target(path or Path.cwd() / f"{data['_file']}.pdf", force=force)
    secret = password() if password is not None else None
    blob = publish.render_pdf(data, pack.render, password=secret)
    d = data["disclosure"]
    values = {
        "uuid": reference,
        "member_id": circle["member_id"],
        "circle_id": circle["id"],
        "meeting_id": meeting["id"],
        "professional_id": pro["id"],
        "recipient": d["recipient"],
        "disclosed_on": day,
        "kind": KIND,
        "items": json.dumps(d["items"], ensure_ascii=False),
        "basis": chosen,
        "override_reason": reason,
        "removed": json.dumps(d["removed"], ensure_ascii=False),
        "file_name": path.name,
        "encrypted": 1 if secret else 0,
    }
    ids: list[int] = []

    def record(digests: list[str]) -> None:
        ids.append(store.insert(TABLE, "disclosure", {**values, "sha256": digests[0]}, "share"))

    publish.write_recorded(store, [(path, blob)], record, force=force)
    return {**get(store, ids[0]), "path": str(path), "size": len(blob)}


def _decoded(row: Row) -> Row:
    row["items"] = json.loads(row["items"])
    row["removed"] = json.loads(row["removed"])
    row["encrypted"] = bool(row["encrypted"])
    return row


def get(store: Store, ref: str | int) -> Row:
    from cosa.domain.members import number_ref

    did = number_ref("disclosure", ref)
    row = store.one(f"{_SELECT} WHERE d.id = ?", (did,))
    if row is None:
        raise UserError(f"disclosure {did} not found", hint="`cosa disclosure list` shows them")
    return _decoded(row)


def list_(
    store: Store,
    *,
    member: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
) -> list[Row]:
    """Disclosures of every kind in date order, optionally about one core member or of one
    kind; `limit` keeps the most recent ones."""
    where, args = [], []
    if member is not None:
        where.append("d.member_id = ?")
        args.append(resolve_member(store, member)["id"])
    if kind is not None:
        where.append("d.kind = ?")
        args.append(check_choice("--type", kind, KINDS))
    sql = _SELECT + (f" WHERE {' AND '.join(where)}" if where else "")
    if limit is not None:
        if limit < 1:
            raise UserError(f"invalid --limit {limit}: it must be 1 or more")
        sql = f"SELECT * FROM ({sql} ORDER BY d.disclosed_on DESC, d.id DESC LIMIT {int(limit)})"
        rows = store.query(f"{sql} ORDER BY disclosed_on, id", args)
    else:
        rows = store.query(f"{sql} ORDER BY d.disclosed_on, d.id", args)
    return [_decoded(r) for r in rows]
