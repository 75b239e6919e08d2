"""Export: the whole workspace as one documented JSON document, encrypted unless asked not to.

For handover when a provider closes or passes its circles on: every record of every record
type, the lookups, the settings and the audit trail, read in one snapshot. The JSON layout
is documented in docs/export.md; in short::

    {
      "format": "cosa-export", "version": 1,
      "cosa_version": "0.1.0",
      "schema": {"version": 10, "migrations": ["m001_foundation", ...]},
      "exported_at": "YYYY-MM-DD HH:MM:SS", "operator": "...", "workspace": "<uuid>",
      "audit_head": {"seq": int, "hash": "<hex>"},   # the head the data was read at
      "counts": {"<record type>": int, ...},
      "settings": {"<key>": "<value>", ...},
      "lookups": {"<kind>": ["<value>", ...], ...},  # active values, in their order
      "records": {"<record type>": [{<column>: <value>, ...}, ...], ...},
      "audit": [{"seq": 1, "at": ..., "operator": ..., "action": ..., ...}, ...]
    }

The file has one record (and one audit entry) per line. Records are the rows as stored
(every column, ordered by id), keyed by the record type of `cosa.migrations.RECORD_TABLES`
(`volunteer`, `member`, `meeting`, …). The export's own audit entry (`export`) comes after
`audit_head`.

**Encrypted envelope** (the default). The file is UTF-8 JSON::

    {
      "format": "cosa-export-encrypted",
      "version": 1,
      "cipher": "AES-256-GCM",
      "compression": "gzip",
      "kdf": {"alg": "argon2id", "t": 3, "m": 65536, "p": 1, "salt": "<base64, 16 bytes>"},
      "nonce": "<base64, 12 bytes>",
      "ciphertext": "<base64: AES-256-GCM ciphertext followed by its 16-byte tag>"
    }

key = Argon2id(password as UTF-8, salt, time cost t, memory m KiB, parallelism p, 32 bytes);
the plaintext is the gzip-compressed export JSON; the GCM associated data is the canonical
JSON (keys sorted, no spaces, ASCII) of the envelope without "nonce" and "ciphertext", so
no header field can be changed unnoticed. `cosa export --decrypt FILE -o OUT` reads it back
(no workspace needed), and docs/export.md shows the same in a few lines of Python.

Every export is written atomically with mode 0600 and is an audit entry (`export`: file
name, SHA-256 of the file, encrypted or plain, record counts) in the same transaction as the
write: if either fails, neither is kept.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cosa import __version__, vault
from cosa.errors import IntegrityError, LockedError, UserError
from cosa.fsutil import check_output, write_output
from cosa.migrations import RECORD_TABLES
from cosa.store import Store, now

FORMAT = "cosa-export"
VERSION = 1
ENVELOPE = "cosa-export-encrypted"
ENVELOPE_VERSION = 1
CIPHER = "AES-256-GCM"
MIN_PASSWORD = vault.MIN_PASSPHRASE

#: Bounds for the KDF parameters of a file being read (a crafted file must not make us
#: allocate gigabytes or spin for minutes).
_KDF_LIMITS = {"t": (1, 20), "m": (8, 4 * 1024 * 1024), "p": (1, 16)}
_PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


@dataclass(frozen=True)
class Exported:
    path: Path
    sha256: str
    size: int
    encrypted: bool
    counts: dict[str, int]


# -- the document ------------------------------------------------------------------------------


@contextmanager
def _snapshot(store: Store) -> Iterator[None]:
    """One read transaction, so the document is one consistent state of the workspace."""
    if store.conn.in_transaction:
        yield
        return
    store.conn.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        if store.conn.in_transaction:
            store.conn.execute("COMMIT")


def _json_default(value: Any) -> Any:
    """Blobs (a document's bytes, `documents.content`) as base64 text."""
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot export a {type(value).__name__}")


def build(store: Store) -> dict[str, Any]:
    """The export document (see the module docstring and docs/export.md)."""
    with _snapshot(store):
        records: dict[str, list[dict[str, Any]]] = {}
        for rtype, table in sorted(RECORD_TABLES.items()):
            records[rtype] = store.query(f"SELECT * FROM {table} ORDER BY id")
        lookups: dict[str, list[str]] = {}
        for row in records.get("lookup", []):
            if row["active"]:
                lookups.setdefault(str(row["kind"]), []).append(str(row["value"]))
        for kind in lookups:
            order = {
                str(r["value"]): (r["position"], r["id"])
                for r in records["lookup"]
                if r["kind"] == kind
            }
            lookups[kind].sort(key=lambda v: order[v])
        seq, head = store.audit_head()
        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "cosa_version": __version__,
            "schema": {
                "version": store.schema_version(),
                "migrations": [
                    r["name"]
                    for r in store.query("SELECT name FROM schema_migrations ORDER BY rowid")
                ],
            },
            "exported_at": now(),
            "operator": store.operator,
            "workspace": getattr(store, "workspace_id", None),
            "audit_head": {"seq": seq, "hash": head},
            "counts": {rtype: len(rows) for rtype, rows in records.items()},
            "settings": {
                str(r["key"]): r["value"]
                for r in store.query("SELECT key, value FROM settings ORDER BY key")
            },
            "lookups": lookups,
            "records": records,
            "audit": store.query("SELECT * FROM audit ORDER BY seq"),
        }
    return doc


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_json_default)
_dumps = _ENCODER.encode


def to_bytes(doc: dict[str, Any]) -> bytes:
    """The document as UTF-8 JSON, one record (and one audit entry) per line: readable, and
    written with the C encoder (an indenting dump of a large workspace is ten times slower)."""
    parts = ["{\n"]
    keys = list(doc)
    for n, key in enumerate(keys):
        value = doc[key]
        parts.append(f" {_dumps(key)}: ")
        if key == "records":
            parts.append("{\n")
            types = list(value)
            for i, rtype in enumerate(types):
                parts.append(f"  {_dumps(rtype)}: ")
                parts.append(_list(value[rtype], "   "))
                parts.append(",\n" if i < len(types) - 1 else "\n")
            parts.append(" }")
        elif key == "audit":
            parts.append(_list(value, "  "))
        else:
            parts.append(_dumps(value))
        parts.append(",\n" if n < len(keys) - 1 else "\n")
    parts.append("}\n")
    return "".join(parts).encode("utf-8")


def _list(rows: list[Any], indent: str) -> str:
    if not rows:
        return "[]"
    return "[\n" + ",\n".join(indent + _dumps(r) for r in rows) + "\n" + indent[:-1] + "]"


# -- the envelope ------------------------------------------------------------------------------


def generate_password(groups: int = 6, size: int = 4) -> str:
    """A password to read out or type: 6 dash-separated groups of 4 (about 119 bits)."""
    return "-".join(
        "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(size)) for _ in range(groups)
    )


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the export password must be at least {MIN_PASSWORD} characters")


def _aad(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def seal(plaintext: bytes, password: str) -> bytes:
    """The encrypted envelope of `plaintext` (see the module docstring)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    kdf = vault.new_kdf_params()
    header: dict[str, Any] = {
        "format": ENVELOPE,
        "version": ENVELOPE_VERSION,
        "cipher": CIPHER,
        "compression": "gzip",
        "kdf": kdf,
    }
    key = vault.derive_kek(password.encode("utf-8"), kdf)
    nonce = secrets.token_bytes(12)
    body = gzip.compress(plaintext, compresslevel=6, mtime=0)
    ct = AESGCM(key).encrypt(nonce, body, _aad(header))
    envelope = {
        **header,
        "nonce": base64.b64encode(nonce).decode("ascii"),
        "ciphertext": base64.b64encode(ct).decode("ascii"),
    }
    return (json.dumps(envelope, indent=1) + "\n").encode("ascii")


def _damaged(what: str) -> IntegrityError:
    return IntegrityError(
        f"{what} is not a cosa export, or it is damaged",
        hint="check that the whole file was copied",
    )


def parse(blob: bytes, what: str = "the file") -> dict[str, Any]:
    """The JSON object in an export file (plain or envelope); damaged → exit 4."""
    try:
        doc = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _damaged(what) from None
    if not isinstance(doc, dict) or doc.get("format") not in (FORMAT, ENVELOPE):
        raise _damaged(what)
    return doc


def is_encrypted(doc: dict[str, Any]) -> bool:
    return doc.get("format") == ENVELOPE


def _kdf(header: dict[str, Any], what: str) -> dict[str, Any]:
    kdf = header.get("kdf")
    if not isinstance(kdf, dict) or kdf.get("alg") != "argon2id":
        raise _damaged(what)
    for name, (low, high) in _KDF_LIMITS.items():
        value = kdf.get(name)
        if not isinstance(value, int) or not low <= value <= high:
            raise _damaged(what)
    if not isinstance(kdf.get("salt"), str):
        raise _damaged(what)
    return kdf


def open_envelope(doc: dict[str, Any], password: str, what: str = "the file") -> bytes:
    """The plaintext export JSON (bytes) inside an encrypted envelope."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if doc.get("version") != ENVELOPE_VERSION:
        raise UserError(
            f"{what} is an encrypted export of version {doc.get('version')}, which this cosa"
            " cannot read",
            hint="use a newer cosa",
        )
    header = {k: v for k, v in doc.items() if k not in ("nonce", "ciphertext")}
    if header.get("cipher") != CIPHER or header.get("compression") != "gzip":
        raise _damaged(what)
    kdf = _kdf(header, what)
    try:
        nonce = base64.b64decode(str(doc["nonce"]), validate=True)
        ct = base64.b64decode(str(doc["ciphertext"]), validate=True)
        key = vault.derive_kek(password.encode("utf-8"), kdf)
    except (KeyError, ValueError):
        raise _damaged(what) from None
    if len(nonce) != 12:
        raise _damaged(what)
    try:
        body = AESGCM(key).decrypt(nonce, ct, _aad(header))
    except (InvalidTag, ValueError):
        raise LockedError(
            f"wrong password for {what}, or the file was altered",
            hint="the password was shown once when the export was made",
        ) from None
    try:
        return gzip.decompress(body)
    except (OSError, EOFError):  # pragma: no cover - authenticated, so only a bug gets here
        raise _damaged(what) from None


def decrypt(blob: bytes, password: str, what: str = "the file") -> bytes:
    """The export JSON in an encrypted export file, checked to be a cosa export."""
    doc = parse(blob, what)
    if not is_encrypted(doc):
        raise UserError(f"{what} is a plain export: it is not encrypted")
    plain = open_envelope(doc, password, what)
    inner = parse(plain, what)
    if inner.get("format") != FORMAT:
        raise _damaged(what)
    return plain


# -- writing -----------------------------------------------------------------------------------


def check_target(path: Path, force: bool = False) -> Path:
    """Refuse an output path we cannot write (or may not replace), before any work is done."""
    return check_output(Path(path), force)


def write(store: Store, path: Path, *, password: str | None, force: bool = False) -> Exported:
    """Write the export (encrypted with `password`, plain when None) and its audit entry,
    all or nothing."""
    path = check_target(path, force)
    if password is not None:
        check_password(password)
    doc = build(store)
    plain = to_bytes(doc)
    blob = seal(plain, password) if password is not None else plain
    digest = hashlib.sha256(blob).hexdigest()
    counts = {k: v for k, v in doc["counts"].items() if v}
    written = False
    try:
        with store.atomic():
            store.audit(
                "export",
                detail={
                    "file": path.name,
                    "sha256": digest,
                    "format": "encrypted" if password is not None else "plain",
                    "encrypted": password is not None,
                    "records": sum(counts.values()),
                    "counts": counts,
                    "audit_head": doc["audit_head"]["seq"],
                },
            )
            write_output(path, blob, force=force)
            written = True
    except BaseException:
        if written:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return Exported(path, digest, len(blob), password is not None, counts)
