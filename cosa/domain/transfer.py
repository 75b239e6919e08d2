"""Moving a circle from one workspace to another: `cosa transfer` and `cosa receive`.

A bundle is a standard age file (`cosa.agebox`) holding one JSON document (docs/transfer.md):

    {"format": "cosa-transfer", "version": 1, "sender": {"workspace", "recipient"},
     "made_at", "circle": UUID, "identity": bool,
     "records": [{"type", "table", "rows": [...]}, ...],   # in insertion order
     "audit": [entry, ...],                                 # the sender's entries
     "search": [{"type", "uuid", "date", "body"}, ...]}

Rows carry every column except the local `id`; a column that points at another record
(`circle_id`, `volunteer_id`, …) carries that record's UUID instead of the sender's number,
and a blob is `{"base64": "…"}`. Audit entries carry `record_uuid` beside the sender's
`record_id`, and their own `hash`, so the receiver can check each one.

Receiving is one transaction. The circle must be new here (its UUID unknown); every other
record already here (same UUID: a volunteer, a professional, the core member and their
records, from an earlier transfer) is matched, never duplicated. A core member whose number
is taken here is renumbered to the next free code, and the `transfers` record keeps both
codes. Each imported record gets one `transfer.receive` audit entry whose detail names the
sender's workspace, the bundle's SHA-256 and the sender's entries for that record (their
hashes, times, operators and actions): the receiver's own chain stays one unbroken chain that
`audit verify` checks, and the sender's history travels with the record.

The sender marks the circle `transferred` (unless `--keep`): `Store` then refuses every new
or changed record of that circle (`Store.check_circle_writable`).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cosa import agebox
from cosa.domain.circles import resolve_circle
from cosa.errors import IntegrityError, LockedError, UserError
from cosa.fsutil import check_output, write_output
from cosa.store import Row, Store, canonical, entry_hash, now, sha256

FORMAT = "cosa-transfer"
#: 2: the circle's coordinator history (`circle_coordinator`) travels with it.
VERSION = 2
#: Versions this cosa receives (a version 1 bundle has no coordinator history).
READS = (1, 2)
MAX_BUNDLE = 512 * 1024 * 1024

#: What a bundle holds, in insertion order: (record type, table, the rows to take as SQL over
#: the ids already chosen, the columns that point at other records and their types).
#: `{member}` etc. are replaced by the ids chosen so far; `:circle` is the circle's id.
Step = tuple[str, str, str, dict[str, str]]
STEPS: list[Step] = [
    ("member", "core_members", "id IN ({member})", {}),
    ("member_identity", "member_identity", "member_id IN ({member})", {"member_id": "member"}),
    ("member_condition", "member_conditions", "member_id IN ({member})", {"member_id": "member"}),
    ("member_risk", "member_risk", "member_id IN ({member})", {"member_id": "member"}),
    ("member_history", "member_history", "member_id IN ({member})", {"member_id": "member"}),
    ("volunteer", "volunteers", "id IN ({volunteer})", {}),
    ("professional", "professionals", "id IN ({professional})", {}),
    ("circle", "circles", "id = :circle", {"member_id": "member"}),
    ("circle_coordinator", "circle_coordinators", "circle_id = :circle", {"circle_id": "circle"}),
    ("circle_member", "circle_members", "circle_id = :circle",
     {"circle_id": "circle", "volunteer_id": "volunteer"}),
    ("circle_link", "circle_links", "circle_id = :circle",
     {"circle_id": "circle", "professional_id": "professional"}),
    ("circle_phase", "circle_phases", "circle_id = :circle", {"circle_id": "circle"}),
    ("document", "documents",
     "circle_id = :circle OR (member_id IN ({member}) AND referral_id IS NULL)",
     {"circle_id": "circle", "member_id": "member"}),
    ("agreement", "circle_agreements", "circle_id = :circle",
     {"circle_id": "circle", "document_id": "document"}),
    ("signature", "agreement_signatures", "agreement_id IN ({agreement})",
     {"agreement_id": "agreement", "volunteer_id": "volunteer",
      "professional_id": "professional", "member_id": "member"}),
    ("member_consent", "member_consent",
     "member_id IN ({member}) AND (agreement_id IS NULL OR agreement_id IN ({agreement}))",
     {"member_id": "member", "professional_id": "professional", "agreement_id": "agreement"}),
    ("goal", "circle_goals", "circle_id = :circle", {"circle_id": "circle"}),
    ("goal_update", "goal_updates", "goal_id IN ({goal})", {"goal_id": "goal"}),
    ("meeting", "meetings", "circle_id = :circle", {"circle_id": "circle"}),
    ("attendance", "meeting_attendance", "meeting_id IN ({meeting})",
     {"meeting_id": "meeting", "volunteer_id": "volunteer"}),
    ("amendment", "meeting_amendments", "meeting_id IN ({meeting})", {"meeting_id": "meeting"}),
    ("concern", "concerns", "circle_id = :circle", {"circle_id": "circle", "meeting_id": "meeting"}),
    ("concern_note", "concern_notes", "concern_id IN ({concern})", {"concern_id": "concern"}),
    ("escalation", "escalations", "concern_id IN ({concern})",
     {"concern_id": "concern", "professional_id": "professional"}),
    ("contact", "contacts", "circle_id = :circle",
     {"circle_id": "circle", "volunteer_id": "volunteer", "concern_id": "concern"}),
    ("action", "actions", "circle_id = :circle", {"circle_id": "circle", "meeting_id": "meeting"}),
    ("review", "reviews", "circle_id = :circle", {"circle_id": "circle"}),
    ("risk_review", "risk_reviews", "circle_id = :circle",
     {"circle_id": "circle", "review_id": "review"}),
    ("risk_score", "risk_review_scores", "risk_review_id IN ({risk_review})",
     {"risk_review_id": "risk_review"}),
    ("followup", "followups", "circle_id = :circle",
     {"circle_id": "circle", "volunteer_id": "volunteer", "professional_id": "professional"}),
    ("followup_check", "followup_checks", "circle_id = :circle",
     {"circle_id": "circle", "followup_id": "followup"}),
    ("outcome", "outcomes", "circle_id = :circle", {"circle_id": "circle"}),
]  # fmt: skip

#: The volunteers and professionals a circle's records name.
PEOPLE_SQL = {
    "volunteer": """
        SELECT volunteer_id AS id FROM circle_members WHERE circle_id = :circle
        UNION SELECT volunteer_id FROM contacts WHERE circle_id = :circle
        UNION SELECT a.volunteer_id FROM meeting_attendance a
              JOIN meetings m ON m.id = a.meeting_id WHERE m.circle_id = :circle
        UNION SELECT volunteer_id FROM followups WHERE circle_id = :circle
        UNION SELECT s.volunteer_id FROM agreement_signatures s
              JOIN circle_agreements g ON g.id = s.agreement_id WHERE g.circle_id = :circle""",
    "professional": """
        SELECT professional_id AS id FROM circle_links WHERE circle_id = :circle
        UNION SELECT e.professional_id FROM escalations e
              JOIN concerns c ON c.id = e.concern_id WHERE c.circle_id = :circle
        UNION SELECT professional_id FROM followups WHERE circle_id = :circle
        UNION SELECT s.professional_id FROM agreement_signatures s
              JOIN circle_agreements g ON g.id = s.agreement_id WHERE g.circle_id = :circle
        UNION SELECT professional_id FROM member_consent WHERE member_id = :member""",
}

#: Index entries (`cosa.domain.search`) travel with their records.
SEARCHED = ("meeting", "amendment", "concern", "concern_note", "escalation", "contact",
            "action", "review", "goal")  # fmt: skip


# -- the workspace's identity ----------------------------------------------------------------


def recipient(store: Store) -> str:
    """This workspace's age recipient (public): what a sender passes to `--recipient`."""
    return str(store.scalar("SELECT recipient FROM workspace_identity WHERE id = 1"))


def _secret(store: Store) -> str:
    return str(store.scalar("SELECT secret FROM workspace_identity WHERE id = 1"))


def workspace_id(store: Store) -> str:
    return str(getattr(store, "workspace_id", "") or recipient(store))


# -- sending ---------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"base64"}:
        return base64.b64decode(value["base64"])
    return value


def collect(store: Store, circle_id: int, *, identity: bool) -> dict[str, Any]:
    """The bundle's document (before encryption) for one circle."""
    circle = store.one("SELECT id, member_id FROM circles WHERE id = ?", (circle_id,))
    assert circle is not None
    params = {"circle": circle_id, "member": circle["member_id"]}
    chosen: dict[str, list[int]] = {"member": [int(circle["member_id"])]}
    for kind, sql in PEOPLE_SQL.items():
        chosen[kind] = sorted(int(r["id"]) for r in store.query(sql, params) if r["id"] is not None)
    uuids: dict[tuple[str, int], str] = {}
    records: list[dict[str, Any]] = []
    for rtype, table, where, fks in STEPS:
        if rtype == "member_identity" and not identity:
            continue
        ids = {k: ",".join(str(i) for i in v) or "NULL" for k, v in chosen.items()}
        rows = store.query(f"SELECT * FROM {table} WHERE {where.format(**ids)} ORDER BY id", params)
        chosen[rtype] = [int(r["id"]) for r in rows]
        out = []
        for row in rows:
            uuids[(rtype, int(row["id"]))] = str(row["uuid"])
            item = {}
            for col, value in row.items():
                if col == "id":
                    continue
                if col in fks and value is not None:
                    target = uuids.get((fks[col], int(value)))
                    if target is None:
                        raise UserError(
                            f"{rtype.replace('_', ' ')} {row['id']} points at"
                            f" {fks[col].replace('_', ' ')} {value}, which does not belong to"
                            f" circle {circle_id}; the circle cannot be moved as it is"
                        )
                    value = target
                item[col] = _encode(value)
            out.append(item)
        records.append({"type": rtype, "table": table, "rows": out})
    audit = []
    for (rtype, rid), uid in uuids.items():
        for e in store.query(
            "SELECT * FROM audit WHERE record_type = ? AND record_id = ? AND action != 'view'"
            " ORDER BY seq",
            (rtype, rid),
        ):
            audit.append({**e, "record_uuid": uid})
    audit.sort(key=lambda e: int(e["seq"]))
    search = []
    for (rtype, rid), uid in uuids.items():
        if rtype not in SEARCHED:
            continue
        hit = store.one(
            "SELECT i.body, i.date FROM search_rows r JOIN search_index i ON i.rowid = r.row"
            " WHERE r.record_type = ? AND r.record_id = ?",
            (rtype, rid),
        )
        if hit is not None:
            search.append({"type": rtype, "uuid": uid, "date": hit["date"], "body": hit["body"]})
    return {
        "format": FORMAT,
        "version": VERSION,
        "sender": {"workspace": workspace_id(store), "recipient": recipient(store)},
        "made_at": now(),
        "circle": uuids[("circle", circle_id)],
        "identity": identity,
        "records": records,
        "audit": audit,
        "search": search,
    }


@dataclass
class Sent:
    path: Path
    sha256: str
    size: int
    counts: dict[str, int]
    circle_id: int
    member_code: str
    kept: bool


def send(
    store: Store,
    circle_ref: str,
    output: Path,
    *,
    to: str | None = None,
    password: str | None = None,
    identity: bool = False,
    keep: bool = False,
    force: bool = False,
) -> Sent:
    """Write one circle's bundle to `output`, record it, and (unless `keep`) make the circle
    read-only here. Nothing is written when anything fails."""
    if (to is None) == (password is None):
        raise UserError("give either --recipient AGE-RECIPIENT or --password-file FILE")
    if to is not None:
        to = agebox.check_recipient(to)
        if to == recipient(store):
            raise UserError("that recipient is this workspace; a circle moves to another one")
    check_output(output, force)
    circle = resolve_circle(store, circle_ref)
    if circle["status"] == "transferred":
        raise UserError(f"circle {circle['id']} ({circle['member_code']}) was already transferred")
    doc = collect(store, int(circle["id"]), identity=identity)
    plain = canonical(doc)
    blob = (
        agebox.encrypt_to(plain, to)
        if to is not None
        else agebox.encrypt_with_password(plain, password or "")
    )
    digest = sha256(blob)
    counts = {r["type"]: len(r["rows"]) for r in doc["records"] if r["rows"]}
    with store.atomic():
        store.insert(
            "transfers",
            "transfer",
            {
                "direction": "out",
                "circle_uuid": doc["circle"],
                "bundle_sha256": digest,
                "peer": to or "password",
                "member_code": circle["member_code"],
                "member_code_sent": circle["member_code"],
                "counts": json.dumps(counts, sort_keys=True),
                "kept": int(keep),
            },
            "transfer.send",
        )
        store.audit(
            "transfer.send",
            "circle",
            int(circle["id"]),
            detail={
                "bundle_sha256": digest,
                "recipient": to or "password",
                "identity": identity,
                "records": sum(counts.values()),
                "kept": keep,
            },
        )
        if not keep:
            store.update(
                "circles", "circle", int(circle["id"]), {"status": "transferred"}, "circle.transfer"
            )
        write_output(output, blob, force=force)
    return Sent(output, digest, len(blob), counts, int(circle["id"]), circle["member_code"], keep)


# -- receiving -------------------------------------------------------------------------------


@dataclass
class Received:
    circle_id: int
    member_code: str
    renumbered_from: str | None
    sha256: str
    sender: str
    added: dict[str, int]
    matched: dict[str, int]


def read_bundle(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BUNDLE:
            raise UserError(f"{path.name} is too large to be a transfer bundle")
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"file not found: {path}") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a directory, not a bundle") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None


def open_bundle(store: Store, blob: bytes, name: str, password: str | None) -> dict[str, Any]:
    """Decrypt and check a bundle's document (no write)."""
    if agebox.is_age(blob) and agebox.needs_password(blob):
        if password is None:
            raise LockedError(
                f"{name} is protected by a password", hint="give --password-file FILE"
            )
        plain = agebox.decrypt(blob, name, password=password)
    else:
        if password is not None:
            raise UserError(
                f"{name} was made for a workspace's recipient, not with a password",
                hint="leave out --password-file",
            )
        plain = agebox.decrypt(blob, name, secret=_secret(store))
    try:
        doc = json.loads(plain)
    except ValueError:
        raise IntegrityError(f"{name} does not hold a transfer document") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise IntegrityError(f"{name} does not hold a transfer document")
    if doc.get("version") not in READS:
        raise UserError(
            f"{name} is a transfer bundle of version {doc.get('version')}; this cosa reads"
            f" version {' and '.join(str(v) for v in READS)}",
            hint="upgrade cosa on the older side",
        )
    for entry in doc["audit"]:
        if entry_hash(entry) != entry["hash"]:
            raise IntegrityError(f"{name}: the sender's audit entry {entry['seq']} was altered")
    return doc


def receive(store: Store, path: Path, *, password: str | None = None) -> Received:
    """Import a bundle into this workspace, all in one transaction."""
    import sqlcipher3

    try:
        return _receive(store, path, password)
    except (KeyError, TypeError, ValueError, AttributeError, sqlcipher3.IntegrityError) as exc:
        # age authenticates the bundle, so this is a sender's cosa writing something this
        # one cannot place; the transaction was rolled back.
        raise IntegrityError(
            f"{path.name} does not hold a transfer this workspace can import"
            f" ({type(exc).__name__}: {str(exc)[:80]}); nothing was written"
        ) from None


def _receive(store: Store, path: Path, password: str | None) -> Received:
    from cosa.domain import users

    receiver = users.acting(store)
    if not receiver or receiver == "recovery code":
        raise UserError(
            "a received circle is handed over to whoever receives it: open the workspace with"
            " your own passphrase (not the recovery code)"
        )
    blob = read_bundle(path)
    digest = sha256(blob)
    doc = open_bundle(store, blob, path.name, password)
    sender = str(doc["sender"]["workspace"])
    sender_recipient = str(doc["sender"]["recipient"])
    if sender == workspace_id(store):
        raise UserError(f"{path.name} was sent by this workspace")
    if store.one("SELECT 1 FROM transfers WHERE direction = 'in' AND bundle_sha256 = ?", (digest,)):
        raise UserError(f"{path.name} was already received here; nothing was written")
    here = store.one("SELECT id, status FROM circles WHERE uuid = ?", (doc["circle"],))
    if here is not None:
        raise UserError(
            f"the circle in {path.name} is already in this workspace (circle {here['id']},"
            f" {here['status']}); nothing was written"
        )
    by_uuid: dict[str, list[dict[str, Any]]] = {}
    for entry in doc["audit"]:
        by_uuid.setdefault(entry["record_uuid"], []).append(
            {k: entry[k] for k in ("seq", "at", "operator", "action", "hash")}
        )
    local: dict[tuple[str, str], int] = {}
    added: dict[str, int] = {}
    matched: dict[str, int] = {}
    renumbered: tuple[str, str] | None = None
    member_code = ""
    with store.atomic():
        for group in doc["records"]:
            rtype, table = group["type"], group["table"]
            fks = _fks(rtype, table)
            columns = {c["name"] for c in store.query(f"PRAGMA table_info({table})")}
            for raw in group["rows"]:
                uid = raw["uuid"]
                existing = store.one(f"SELECT id FROM {table} WHERE uuid = ?", (uid,))
                if existing is not None:
                    local[(rtype, uid)] = int(existing["id"])
                    matched[rtype] = matched.get(rtype, 0) + 1
                    continue
                row = {}
                for col, value in raw.items():
                    if col not in columns:
                        raise UserError(
                            f"{path.name} has a field this cosa does not know ({table}.{col})",
                            hint="upgrade cosa on this side",
                        )
                    if col in fks and value is not None:
                        value = local.get((fks[col], value))
                        if value is None:
                            raise IntegrityError(f"{path.name}: {table}.{col} names no record")
                    row[col] = _decode(value)
                if rtype == "member_identity" and store.one(
                    "SELECT 1 FROM member_identity WHERE member_id = ?", (row["member_id"],)
                ):
                    continue  # the member is known here with an identity already: keep ours
                if rtype == "member":
                    renumbered = _member_number(store, row)
                    member_code = str(row["code"])
                rid = store.insert_received(
                    table,
                    rtype,
                    row,
                    "transfer.receive",
                    {
                        "from": sender,
                        "bundle_sha256": digest,
                        "sender_entries": by_uuid.get(uid, []),
                    },
                )
                local[(rtype, uid)] = rid
                added[rtype] = added.get(rtype, 0) + 1
        circle_id = local[("circle", doc["circle"])]
        if not member_code:
            member_code = str(
                store.scalar(
                    "SELECT m.code FROM circles c JOIN core_members m ON m.id = c.member_id"
                    " WHERE c.id = ?",
                    (circle_id,),
                )
            )
        _index(store, doc, local, circle_id)
        _hand_over(store, circle_id, receiver, sender)
        store.insert(
            "transfers",
            "transfer",
            {
                "direction": "in",
                "circle_uuid": doc["circle"],
                "bundle_sha256": digest,
                "peer": sender_recipient,
                "member_code": member_code,
                "member_code_sent": renumbered[0] if renumbered else member_code,
                "counts": json.dumps(added, sort_keys=True),
                "kept": 0,
            },
            "transfer.receive",
        )
        store.audit(
            "transfer.received",
            "circle",
            circle_id,
            detail={
                "from": sender,
                "from_recipient": sender_recipient,
                "bundle_sha256": digest,
                "added": added,
                "matched": matched,
                "renumbered": list(renumbered) if renumbered else None,
            },
        )
    sent_code = renumbered[0] if renumbered else None
    return Received(circle_id, member_code, sent_code, digest, sender, added, matched)


def _hand_over(store: Store, circle_id: int, receiver: str, sender: str) -> None:
    """The circle's coordinator here is the person who received it, from today: a handover
    after the history that came with it (the sender's coordinators stay as history)."""
    from datetime import date

    store.update("circles", "circle", circle_id, {"coordinator": receiver}, "circle.receive")
    store.insert(
        "circle_coordinators",
        "circle_coordinator",
        {
            "circle_id": circle_id,
            "coordinator": receiver,
            "on_date": date.today().isoformat(),
            "note": f"received from workspace {sender}",
        },
        "circle_coordinator.receive",
    )


def _fks(rtype: str, table: str) -> dict[str, str]:
    for step in STEPS:
        if step[0] == rtype and step[1] == table:
            return step[3]
    raise IntegrityError(f"a transfer bundle holds an unknown kind of record ({rtype})")


def _member_number(store: Store, row: Row) -> tuple[str, str] | None:
    """Keep the core member's number if it is free here, else the next free one; returns
    (sent code, new code) when renumbered. Codes are never reissued (`member_codes_issued`)."""
    from cosa.domain.members import format_code

    number = int(row["number"])
    taken = store.one(
        "SELECT 1 FROM core_members WHERE number = ?"
        " UNION SELECT 1 FROM member_codes_issued WHERE number = ?",
        (number, number),
    )
    old = str(row["code"])
    if taken:
        number = int(store.scalar("SELECT coalesce(max(number), 0) + 1 FROM member_codes_issued"))
        number = max(
            number, int(store.scalar("SELECT coalesce(max(number), 0) + 1 FROM core_members"))
        )
        row["number"], row["code"] = number, format_code(number)
    store.execute("INSERT INTO member_codes_issued (number) VALUES (?)", (number,))
    return (old, str(row["code"])) if taken else None


def _index(
    store: Store, doc: dict[str, Any], local: dict[tuple[str, str], int], circle_id: int
) -> None:
    from cosa.domain import search

    for hit in doc.get("search", []):
        rid = local.get((hit["type"], hit["uuid"]))
        if rid is not None:
            search.index(
                store, hit["type"], rid, hit["body"], circle_id=circle_id, date=hit["date"]
            )


def history(store: Store) -> list[Row]:
    """Every bundle sent or received here, newest first."""
    return store.query("SELECT * FROM transfers ORDER BY id DESC")
