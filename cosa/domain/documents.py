"""Documents: scanned agreements, referral papers and other files, kept inside the workspace.

A document belongs to one record — a circle, a core member, a referral or a volunteer —
named as `circle:3`, `member:CM-0003`, `referral:2` or `volunteer:7`. Its bytes are stored in
the encrypted database (a BLOB in `documents.content`), never as a loose file, with their
size and SHA-256; at most `MAX_BYTES` (20 MB). Adding and getting a document are audited
(`document.add`, `document.get`); `get` checks the SHA-256 before writing and writes only
where no file exists (unless `--force`), 0600 and atomically. Documents go into backups
(they are in the database), into the export (base64) and are erased by retention with their
record (they hang off it by a foreign key).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

from cosa.domain import resolve
from cosa.domain.members import resolve_member
from cosa.domain.volunteers import clean_text
from cosa.errors import IntegrityError, UserError
from cosa.store import Row, Store

MAX_BYTES = 20 * 1024 * 1024
MAX_LABEL = "20 MB"
#: RECORD kinds -> the documents column that names the owner.
OWNERS = {
    "circle": "circle_id",
    "member": "member_id",
    "referral": "referral_id",
    "volunteer": "volunteer_id",
}
RECORD_HINT = "use circle:3, member:CM-0003, referral:2 or volunteer:7"
_COLUMNS = (
    "d.id, d.uuid, d.created_at, d.updated_at, d.created_by, d.updated_by, d.circle_id,"
    " d.member_id, d.referral_id, d.volunteer_id, d.title, d.kind, d.file_name, d.size,"
    " d.sha256"
)


def parse_record(store: Store, text: str) -> tuple[str, int, str]:
    """(documents column, owner id, label) of a RECORD reference like `circle:3`."""
    kind, sep, ref = text.strip().partition(":")
    kind = kind.strip().lower()
    ref = ref.strip()
    if not sep or kind not in OWNERS or not ref:
        raise UserError(f"invalid record '{text.strip()}'", hint=RECORD_HINT)
    if kind == "member":
        row = resolve_member(store, ref)
        return OWNERS[kind], int(row["id"]), f"member:{row['code']}"
    if kind == "volunteer":
        row = resolve.person(store, "volunteers", "volunteer", ref)
        return OWNERS[kind], int(row["id"]), f"volunteer:{row['id']}"
    number = ref.lstrip("#")
    if not number.isdigit():
        raise UserError(f"invalid {kind} number '{ref}'", hint=RECORD_HINT)
    table = "circles" if kind == "circle" else "referrals"
    if store.one(f"SELECT id FROM {table} WHERE id = ?", (int(number),)) is None:
        raise UserError(f"{kind} {int(number)} not found", hint=f"`cosa {kind} list` shows them")
    return OWNERS[kind], int(number), f"{kind}:{int(number)}"


def read_file(path: Path | str) -> bytes:
    """The bytes of a file to store: a readable regular file of at most `MAX_BYTES`."""
    p = Path(path)
    try:
        info = os.stat(p)
    except FileNotFoundError:
        raise UserError(f"{p} does not exist") from None
    except OSError as exc:
        raise UserError(f"cannot read {p}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise UserError(f"{p} is not a regular file")
    if info.st_size > MAX_BYTES:
        raise UserError(f"{p} is larger than {MAX_LABEL}, the most a document may be")
    try:
        with open(p, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UserError(f"cannot read {p}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise UserError(f"{p} is larger than {MAX_LABEL}, the most a document may be")
    return data


def store_bytes(
    store: Store,
    column: str,
    owner_id: int,
    data: bytes,
    *,
    file_name: str,
    title: str,
    kind: str | None = None,
) -> int:
    """Insert a document (inside the caller's transaction); returns its id."""
    values: dict[str, Any] = {
        column: owner_id,
        "title": clean_text("--title", title, required=True),
        "kind": clean_text("--type", kind),
        "file_name": clean_text("FILE", file_name, required=True),
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "content": data,
    }
    return store.insert("documents", "document", values)


def add(store: Store, record: str, path: Path | str, *, title: str, kind: str | None = None) -> Row:
    """Store a file's bytes against a record; returns the document (without its bytes)."""
    column, owner_id, _label = parse_record(store, record)
    data = read_file(path)
    with store.atomic():
        did = store_bytes(
            store, column, owner_id, data, file_name=Path(path).name, title=title, kind=kind
        )
    return get(store, did)


def _with_record(row: Row) -> Row:
    for kind, column in OWNERS.items():
        if row.get(column) is not None:
            label = row.get("member_code") if kind == "member" else row[column]
            row["record"] = f"{kind}:{label}"
    return row


_SELECT = (
    f"SELECT {_COLUMNS}, m.code AS member_code FROM documents d"
    " LEFT JOIN core_members m ON m.id = d.member_id"
)


def get(store: Store, ref: str | int) -> Row:
    text = str(ref).strip().lstrip("#")
    if not text.isdigit():
        raise UserError(f"invalid document number '{str(ref).strip()}'", hint="use the number")
    row = store.one(f"{_SELECT} WHERE d.id = ?", (int(text),))
    if row is None:
        raise UserError(f"document {int(text)} not found", hint="`cosa document list` shows them")
    return _with_record(row)


def list_(store: Store, record: str | None = None) -> list[Row]:
    """Documents (never their bytes), newest first; of one record when given."""
    if record is None:
        rows = store.query(f"{_SELECT} ORDER BY d.id DESC")
    else:
        column, owner_id, _label = parse_record(store, record)
        rows = store.query(f"{_SELECT} WHERE d.{column} = ? ORDER BY d.id DESC", (owner_id,))
    return [_with_record(r) for r in rows]


def content(store: Store, ref: str | int) -> tuple[Row, bytes]:
    """A document and its bytes, checked against the stored SHA-256; the read is audited
    (`document.get`)."""
    row = get(store, ref)
    blob = store.scalar("SELECT content FROM documents WHERE id = ?", (row["id"],))
    if blob is None:
        raise UserError(f"document {row['id']} was erased under the retention schedule")
    data = bytes(blob)
    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise IntegrityError(
            f"document {row['id']} does not match its SHA-256; it was damaged or altered",
            hint="restore it from a backup",
        )
    with store.atomic():
        store.audit("document.get", "document", row["id"], detail={"sha256": row["sha256"]})
    return row, data


def save(store: Store, ref: str | int, output: Path | str, *, force: bool = False) -> Row:
    """Write a document's bytes to `output` (refusing an existing file unless `force`)."""
    from cosa.noclobber import check_output, write_output

    out = Path(output)
    check_output(out, force=force)  # before the audited read: a refusal writes nothing
    row, data = content(store, ref)
    write_output(out, data, force=force)
    return row
