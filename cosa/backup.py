"""Backups: the whole workspace as one encrypted, self-verifying file; and restoring one.

A backup is the live database exported with SQLCipher under its own fresh random *backup key*
Kb (not the live data key K), wrapped together with what is needed to open it with the same
passphrase or recovery code that opened the workspace when the backup was taken. Nothing in
the file is plaintext record data: the database pages are SQLCipher-encrypted under Kb, the
manifest is AES-256-GCM-encrypted under a key derived from Kb, and the clear header holds
only wrapped keys.

File layout (all integers big-endian)::

    offset  size
    0       12      magic  b"COSA-BACKUP\\n"
    12      2       format version (u16) = 1
    14      4       header length H (u32)
    18      H       header: UTF-8 JSON, in the clear (below)
    ..      4       manifest length M (u32)
    ..      M       manifest: 12-byte nonce + AES-256-GCM ciphertext (below)
    ..      8       database length D (u64)
    ..      D       the database: a standalone SQLCipher 4 file (rollback journal, not WAL),
                    keyed with Kb in raw-key mode
    ..      32      MAC: HMAC-SHA256(HKDF(Kb, "cosa backup mac"), every byte before it)
    ..      32      checksum: SHA-256 of every byte before it (finds accidental damage,
                    e.g. a truncated copy, before any passphrase is asked for)

Header::

    {"format": "cosa-backup", "version": 1, "created_at": "YYYY-MM-DD HH:MM:SS",
     "keys": {"key_id": "<hex>", "slots": [<slot>, ...], "pending": null | {...}},
     "backup_key": {"nonce": b64, "ct": b64}}

"keys" is a copy of the workspace's key slots at backup time (see `cosa.vault`): they wrap K
under the passphrase and recovery-code KEKs (Argon2id), so the passphrase or the recovery
code that was valid then opens the backup. "backup_key" is Kb wrapped under K with AES-256-GCM
and the associated data ``cosa-backup/1|backup-key|<key_id>``.

The manifest is JSON encrypted under HKDF(Kb, "cosa backup manifest") with the associated
data ``cosa-backup/1|manifest|`` + SHA-256(header bytes)::

    {"format": "cosa-backup-manifest", "version": 1, "created_at": ..., "workspace": "<uuid>",
     "cosa_version": "...", "schema": {"version": int, "migrations": [name, ...]},
     "audit_head": {"seq": int, "hash": "<hex>"}, "audit_entries": int,
     "counts": {"<table>": int, ...}, "db_bytes": int, "db_sha256": "<hex>",
     "sealed_head": null | {"n": int, "seq": int, "hash": "<hex>"},   # the last seal's head
     "seal": null | {...}, "seeds": [...]}   # cosa.keys' seal ratchet and seeds (`cosa.seal`)

(Manifests written before sealing have no "sealed_head", "seal" or "seeds"; a restore of
such a backup simply starts without sealing.)

Opening checks, in order: the structure and the checksum (damage: exit 4); a secret unwraps K
from a slot (else exit 3); K unwraps Kb; the MAC (so a truncated, altered or spliced file —
a header or database taken from another backup — is refused); the manifest decrypts; the
database's SHA-256 matches the manifest; SQLCipher's `cipher_integrity_check`, SQLite's
`integrity_check`, and the row counts and audit head match the manifest.

Writing: the export goes to a temp file next to the target, is verified (the checks above),
assembled into a second temp file (0600) that is fsynced and re-read (checksum, MAC, manifest,
the embedded database's hash) and only then renamed over the target (`os.replace`, then the
directory is fsynced). A crash leaves the old target (or none) plus a hidden temp file that
the next backup to the same name removes; never a partial file under the final name.

Restoring builds a complete new workspace in a hidden staging directory next to the target,
``.<home>.restore-<pid>-…`` (database re-keyed from Kb back to K with `PRAGMA rekey`, a new
`cosa.keys` with the backup's slots, MAC and high-water mark, then the `workspace.restore`
audit entry), and moves it into place with one rename — on Linux an atomic exchange with the
old workspace (`renameat2`), which is kept aside as ``<home>.replaced-<time>`` rather than
deleted. The staging directory carries a marker file until it is complete; the next restore
removes a killed restore's marked staging directory and keeps an unmarked one (a complete
workspace) under the ``.replaced-`` name. The restored workspace opens with the passphrase and
recovery code that opened the live one when the backup was made.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import hmac
import json
import os
import re
import secrets
import struct
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cosa import vault
from cosa.errors import IntegrityError, LockedError, UserError
from cosa.fsutil import PRIVATE_FILE, atomic_write, ensure_private_dir, fsync_dir, wipe_file
from cosa.store import Store, now

MAGIC = b"COSA-BACKUP\n"
VERSION = 1
FORMAT = "cosa-backup"
MANIFEST_FORMAT = "cosa-backup-manifest"
CHUNK = 1 << 20
STAGING_MARK = ".cosa-restore-staging"  # in a restore's staging dir until it is complete
_DIGEST = 32
_NONCE = 12
_PREFIX = struct.Struct(">HI")  # version, header length
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_MAX_HEADER = 1 << 20
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")
#: Bounds on the KDF parameters a backup's slots may ask for (a forged file must not make
#: cosa spend minutes or gigabytes before it can say "wrong passphrase").
_MAX_MANIFEST = 16 << 20

#: progress(phase, done, total): told how long work advances (total 0 = unknown).
Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


# --- small crypto helpers (stdlib HKDF; `cryptography` imported where used) ----------------


def _hkdf(key: bytes, info: bytes) -> bytes:
    prk = hmac.new(b"\0" * 32, key, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def _mac_key(kb: bytes) -> bytes:
    return _hkdf(kb, b"cosa backup mac")


def _manifest_key(kb: bytes) -> bytes:
    return _hkdf(kb, b"cosa backup manifest")


def _backup_key_aad(kid: str) -> bytes:
    return f"cosa-backup/{VERSION}|backup-key|{kid}".encode()


def _manifest_aad(header: bytes) -> bytes:
    return f"cosa-backup/{VERSION}|manifest|".encode() + hashlib.sha256(header).digest()


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(_NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(blob[:_NONCE], blob[_NONCE:], aad)
    except (InvalidTag, ValueError):
        return None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


# --- reading a backup file ------------------------------------------------------------------


def _damaged(path: Path, why: str) -> IntegrityError:
    return IntegrityError(
        f"the backup {path} is damaged ({why})",
        hint="use another backup; this file cannot be trusted",
    )


@dataclass
class BackupFile:
    """A backup file whose structure and checksum are sound (nothing decrypted yet)."""

    path: Path
    size: int
    header_bytes: bytes
    header: dict[str, Any]
    manifest_blob: bytes
    db_offset: int
    db_length: int
    mac: bytes
    sha256: str  # of the whole file

    @property
    def created_at(self) -> str:
        return str(self.header.get("created_at", "?"))

    def keyfile(self) -> vault.KeyFile:
        keys = self.header["keys"]
        return vault.KeyFile(
            workspace="",
            key_id=str(keys["key_id"]),
            slots=list(keys["slots"]),
            pending=keys.get("pending"),
        )

    def unlock(self, kind: str, secret: bytes) -> Unlocked:
        """Unwrap K with the passphrase or recovery code, then Kb; check the MAC; read the
        manifest. Wrong secret: LockedError (exit 3); anything else wrong: exit 4."""
        try:
            _check_slots(self.header["keys"])
            candidates = self.keyfile().candidate_keys(kind, secret)
        except Exception as exc:  # a forged header: bad base64, KDF parameters, …
            raise _damaged(self.path, f"its key slots are unreadable ({exc})") from None
        if not candidates:
            what = "passphrase" if kind == "passphrase" else "recovery code"
            raise LockedError(
                f"wrong {what} for the backup {self.path}",
                hint="use the passphrase or recovery code that were valid when it was made",
            )
        blob = self._backup_key_blob()
        for data_key in candidates:
            kb = _decrypt(data_key, blob, _backup_key_aad(vault.key_id(data_key)))
            if kb is not None:
                break
        else:
            raise _damaged(self.path, "its backup key does not unwrap")
        if not hmac.compare_digest(self._compute_mac(kb), self.mac):
            raise _damaged(self.path, "its MAC does not verify: altered or spliced")
        return self._finish_unlock(data_key, kb)

    def _backup_key_blob(self) -> bytes:
        box = self.header["backup_key"]
        try:
            return _unb64(str(box["nonce"])) + _unb64(str(box["ct"]))
        except ValueError:
            raise _damaged(self.path, "its wrapped backup key is unreadable") from None

    def _finish_unlock(self, data_key: bytes, kb: bytes) -> Unlocked:
        plain = _decrypt(_manifest_key(kb), self.manifest_blob, _manifest_aad(self.header_bytes))
        if plain is None:
            raise _damaged(self.path, "its manifest does not decrypt")
        try:
            manifest = json.loads(plain)
            if manifest.get("format") != MANIFEST_FORMAT:
                raise ValueError("not a cosa backup manifest")
            _ = manifest["workspace"], manifest["audit_head"]["seq"], manifest["db_sha256"]
            _ = list(manifest["schema"]["migrations"])
            for table, count in manifest["counts"].items():
                if not _IDENTIFIER.fullmatch(table) or not isinstance(count, int):
                    raise ValueError(f"bad count entry {table!r}")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _damaged(self.path, f"its manifest is unreadable: {exc}") from None
        if int(manifest.get("db_bytes", -1)) != self.db_length:
            raise _damaged(self.path, "its database length disagrees with the manifest")
        return Unlocked(self, data_key, kb, manifest)

    def _compute_mac(self, kb: bytes) -> bytes:
        mac = hmac.new(_mac_key(kb), digestmod=hashlib.sha256)
        with open(self.path, "rb") as fh:
            remaining = self.db_offset + self.db_length
            while remaining:
                chunk = fh.read(min(CHUNK, remaining))
                if not chunk:
                    raise _damaged(self.path, "it changed while being read")
                mac.update(chunk)
                remaining -= len(chunk)
        return mac.digest()

    def copy_database(self, dest: IO[bytes], progress: Progress = _no_progress) -> str:
        """Copy the embedded database to `dest`; returns its SHA-256."""
        digest = hashlib.sha256()
        with open(self.path, "rb") as fh:
            fh.seek(self.db_offset)
            done = 0
            while done < self.db_length:
                chunk = fh.read(min(CHUNK, self.db_length - done))
                if not chunk:
                    raise _damaged(self.path, "it changed while being read")
                digest.update(chunk)
                dest.write(chunk)
                done += len(chunk)
                progress("Reading the backup", done, self.db_length)
        return digest.hexdigest()


def read_backup(path: Path, progress: Progress = _no_progress) -> BackupFile:
    """Parse a backup file's structure and check its checksum (no secret needed)."""
    path = Path(path).expanduser()
    try:
        size = path.stat().st_size
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise UserError(f"backup file not found: {path}") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a directory, not a backup file") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None
    with fh:
        head = fh.read(len(MAGIC) + _PREFIX.size)
        if not head.startswith(MAGIC):
            raise IntegrityError(
                f"{path} is not a cosa backup", hint="pass a file made by `cosa backup`"
            )
        if len(head) < len(MAGIC) + _PREFIX.size:
            raise _damaged(path, "truncated")
        version, header_len = _PREFIX.unpack(head[len(MAGIC) :])
        if version != VERSION:
            # Every version ends with the same checksum: tell damage from a newer format.
            if size < len(head) + _DIGEST or not _checksum_ok(fh, size):
                raise _damaged(path, "checksum mismatch")
            raise UserError(
                f"{path} is a version {version} backup; this cosa reads version {VERSION}",
                hint="use the cosa version that made it",
            )
        try:
            if header_len > _MAX_HEADER:
                raise ValueError("header too large")
            header_bytes = _read_exact(fh, header_len)
            (manifest_len,) = _U32.unpack(_read_exact(fh, _U32.size))
            if manifest_len > _MAX_MANIFEST or manifest_len <= _NONCE:
                raise ValueError("bad manifest length")
            manifest_blob = _read_exact(fh, manifest_len)
            (db_len,) = _U64.unpack(_read_exact(fh, _U64.size))
            db_offset = fh.tell()
            if db_offset + db_len + 2 * _DIGEST > size:
                raise ValueError("truncated")
            if db_offset + db_len + 2 * _DIGEST < size:
                raise ValueError("unexpected bytes at the end")
            fh.seek(db_offset + db_len)
            mac = _read_exact(fh, _DIGEST)
        except ValueError as exc:
            raise _damaged(path, str(exc)) from None
        fh.seek(0)
        checksum = hashlib.sha256()
        whole = hashlib.sha256()
        remaining = size - _DIGEST
        done = 0
        while remaining:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                raise _damaged(path, "it changed while being read")
            checksum.update(chunk)
            whole.update(chunk)
            remaining -= len(chunk)
            done += len(chunk)
            progress("Checking the backup", done, size)
        trailer = fh.read(_DIGEST)
        if not hmac.compare_digest(checksum.digest(), trailer):
            raise _damaged(path, "checksum mismatch")
        whole.update(trailer)
    try:
        header = json.loads(header_bytes)
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise ValueError("not a cosa backup header")
        keys = header["keys"]
        _ = keys["key_id"], keys["slots"], header["backup_key"]["nonce"], header["backup_key"]["ct"]
        for slot in keys["slots"]:
            _ = slot["kind"], slot["kdf"]["salt"], slot["nonce"], slot["ct"]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _damaged(path, f"unreadable header: {exc}") from None
    return BackupFile(
        path=path,
        size=size,
        header_bytes=header_bytes,
        header=header,
        manifest_blob=manifest_blob,
        db_offset=db_offset,
        db_length=db_len,
        mac=mac,
        sha256=whole.hexdigest(),
    )


def _check_slots(keys: dict[str, Any]) -> None:
    """The header's slots: shapes, types, at most 16 per group, KDF parameters in bounds."""
    vault.check_slots(keys["slots"])
    vault.check_pending(keys.get("pending"))


def _checksum_ok(fh: IO[bytes], size: int) -> bool:
    fh.seek(0)
    digest = hashlib.sha256()
    remaining = size - _DIGEST
    while remaining:
        chunk = fh.read(min(CHUNK, remaining))
        if not chunk:
            return False
        digest.update(chunk)
        remaining -= len(chunk)
    return hmac.compare_digest(digest.digest(), fh.read(_DIGEST))


def _read_exact(fh: IO[bytes], n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise ValueError("truncated")
    return data


# --- checking an exported database ----------------------------------------------------------


def _connect(path: Path, key: bytes) -> Any:
    """A connection to a standalone SQLCipher file keyed with `key` (WrongKey-safe)."""
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA secure_delete = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def _first(row: Any) -> Any:
    """The first column of a row (a tuple, or a dict from the store's row factory)."""
    return next(iter(row.values())) if isinstance(row, dict) else row[0]


def _snapshot(conn: Any, tables: list[str]) -> dict[str, Any]:
    """Counts per table, audit head and applied migrations, read through `conn`."""

    def scalar(sql: str) -> Any:
        return _first(conn.execute(sql).fetchone())

    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    if isinstance(row, dict):
        row = (row["seq"], row["hash"])
    head = {"seq": int(row[0]), "hash": str(row[1])} if row else {"seq": 0, "hash": ""}
    names = conn.execute("SELECT name FROM schema_migrations ORDER BY rowid").fetchall()
    return {
        "counts": {t: int(scalar(f"SELECT count(*) FROM {t}")) for t in tables},
        "audit_entries": int(scalar("SELECT count(*) FROM audit")),
        "audit_head": head,
        "migrations": [str(_first(n)) for n in names],
    }


def check_database(path: Path, key: bytes, manifest: dict[str, Any]) -> list[str]:
    """Problems found in the database file at `path` against `manifest` (empty: all good)."""
    import sqlcipher3

    try:
        conn = _connect(path, key)
    except sqlcipher3.DatabaseError as exc:
        return [f"the database does not open with its key ({exc})"]
    problems: list[str] = []
    try:
        cipher = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]
        if cipher:
            problems.append("cipher_integrity_check: " + "; ".join(cipher[:3]))
        values = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        if values != ["ok"]:
            problems.append("integrity_check: " + "; ".join(values[:3]))
        if problems:
            return problems
        snap = _snapshot(conn, sorted(manifest["counts"]))
        for table, expected in sorted(manifest["counts"].items()):
            if snap["counts"][table] != int(expected):
                problems.append(f"{table}: {snap['counts'][table]} rows, manifest says {expected}")
        if snap["audit_head"] != manifest["audit_head"]:
            problems.append("the audit head differs from the manifest")
        if snap["audit_entries"] != int(manifest.get("audit_entries", snap["audit_entries"])):
            problems.append("the number of audit entries differs from the manifest")
        if snap["migrations"] != list(manifest["schema"]["migrations"]):
            problems.append("the schema differs from the manifest")
    except sqlcipher3.DatabaseError as exc:
        problems.append(f"the database is damaged ({exc})")
    finally:
        conn.close()
    return problems


# --- unlocked backups: verify and restore ---------------------------------------------------


@dataclass
class Unlocked:
    file: BackupFile
    data_key: bytes
    backup_key: bytes
    manifest: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        m = self.manifest
        return {
            "file": str(self.file.path),
            "sha256": self.file.sha256,
            "created_at": m.get("created_at"),
            "workspace": m["workspace"],
            "cosa_version": m.get("cosa_version"),
            "schema_version": m["schema"]["version"],
            "audit_head": m["audit_head"],
            "audit_entries": m.get("audit_entries"),
            "counts": m["counts"],
            "records": sum(int(v) for v in m["counts"].values()),
        }


def _scratch_root(size: int) -> Path | None:
    """A RAM-backed place with room for `size` bytes, if there is one (else the temp dir)."""
    for candidate in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            try:
                st = os.statvfs(candidate)
            except (OSError, AttributeError):
                continue
            if st.f_bavail * st.f_frsize > 2 * size + (16 << 20):
                return Path(candidate)
    return None


@contextlib.contextmanager
def private_tempdir(size: int = 0) -> Iterator[Path]:
    """A private (0700) scratch directory, in RAM where there is room, wiped afterwards."""
    root = _scratch_root(size)
    try:
        path = Path(tempfile.mkdtemp(prefix="cosa-", dir=root))
    except OSError:
        path = Path(tempfile.mkdtemp(prefix="cosa-"))
    try:
        yield path
    finally:
        _wipe_tree(path)


def _wipe_tree(path: Path) -> None:
    """Wipe and remove a directory tree. A restore's staging mark goes last: a restore killed
    while wiping leaves a directory still marked as staging (wiped again by the next one),
    never a half-wiped one that looks like a complete workspace."""
    with contextlib.suppress(FileNotFoundError):
        for child in sorted(path.iterdir(), key=lambda c: c.name == STAGING_MARK):
            if child.is_dir() and not child.is_symlink():
                _wipe_tree(child)
            else:
                wipe_file(child)
        path.rmdir()


def verify(unlocked: Unlocked, progress: Progress = _no_progress) -> dict[str, Any]:
    """Check the embedded database against the manifest; returns the summary (exit 4 if bad)."""
    path = unlocked.file.path
    with private_tempdir(unlocked.file.db_length) as scratch:
        db = scratch / "backup.db"
        with _private_open(db) as fh:
            digest = unlocked.file.copy_database(fh, progress)
        if digest != unlocked.manifest["db_sha256"]:
            raise _damaged(path, "the database differs from the manifest")
        progress("Checking integrity", 0, 0)
        problems = check_database(db, unlocked.backup_key, unlocked.manifest)
    if problems:
        raise _damaged(path, "; ".join(problems[:3]))
    return unlocked.summary()


@contextlib.contextmanager
def _private_open(path: Path) -> Iterator[IO[bytes]]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


@dataclass
class Restored:
    home: Path
    kept_aside: Path | None
    summary: dict[str, Any] = field(default_factory=dict)


def check_restore_target(home: Path, force: bool) -> None:
    """Refuse to replace an existing workspace (or a non-empty directory) without --force."""
    from cosa.workspace import Workspace

    if home.exists() and not home.is_dir():
        raise UserError(f"{home} exists and is not a directory")
    if force or not home.exists():
        return
    if Workspace(home).exists():
        raise UserError(
            f"a workspace already exists at {home}",
            hint="restore into another directory with --home DIR, or replace it with --force"
            " (the current workspace is kept aside, not deleted)",
        )
    if any(home.iterdir()):
        raise UserError(
            f"{home} is not empty and holds no workspace",
            hint="restore into a new or empty directory (--home DIR), or use --force",
        )


def restore(
    unlocked: Unlocked,
    home: Path,
    *,
    force: bool,
    operator: str | None,
    progress: Progress = _no_progress,
) -> Restored:
    """Rebuild the workspace from the backup at `home`, replacing it only with `force`."""
    from cosa.migrations import MIGRATIONS
    from cosa.workspace import DB_NAME, KEYS_NAME, LOCK_NAME, Workspace

    home = Path(os.path.abspath(home.expanduser()))
    if home.is_symlink():
        home = home.resolve()
    check_restore_target(home, force)
    manifest = unlocked.manifest
    unknown = set(manifest["schema"]["migrations"]) - {fn.__name__ for fn in MIGRATIONS}
    if unknown:
        raise UserError(
            "this backup was made by a newer version of cosa "
            f"(unknown migrations: {', '.join(sorted(unknown))})",
            hint="upgrade cosa before restoring it",
        )
    parent = home.parent
    parent.mkdir(parents=True, exist_ok=True)
    _tidy_restore_leftovers(parent, home.name)
    staging = Path(tempfile.mkdtemp(prefix=f".{home.name}.restore-{os.getpid()}-", dir=parent))
    try:
        ensure_private_dir(staging)
        (staging / STAGING_MARK).touch(mode=PRIVATE_FILE)
        db = staging / DB_NAME
        with _private_open(db) as fh:
            digest = unlocked.file.copy_database(fh, progress)
        if digest != manifest["db_sha256"]:
            raise _damaged(unlocked.file.path, "the database differs from the manifest")
        progress("Checking integrity", 0, 0)
        problems = check_database(db, unlocked.backup_key, manifest)
        if problems:
            raise _damaged(unlocked.file.path, "; ".join(problems[:3]))
        progress("Re-keying", 0, 0)
        _rekey(db, unlocked.backup_key, unlocked.data_key)
        keys = unlocked.file.header["keys"]
        kf = vault.KeyFile(
            workspace=str(manifest["workspace"]),
            key_id=vault.key_id(unlocked.data_key),
            slots=list(keys["slots"]),
            pending=keys.get("pending"),
            head=dict(manifest["audit_head"]),
            seal=manifest.get("seal"),
            seeds=list(manifest.get("seeds") or []),
        )
        if kf.key_id != str(keys["key_id"]):
            raise _damaged(unlocked.file.path, "its key slots do not match its data key")
        kf.save(staging / KEYS_NAME, unlocked.data_key)
        ws = Workspace(staging)
        store = ws._open_with(kf, [unlocked.data_key], operator)
        if store is None:  # pragma: no cover - the key was just set with PRAGMA rekey
            raise IntegrityError("the restored database does not open with its key")
        try:
            with store.atomic():
                store.audit(
                    "workspace.restore",
                    detail={
                        "backup": str(unlocked.file.path),
                        "backup_sha256": unlocked.file.sha256,
                        "backup_created_at": manifest.get("created_at"),
                        "backup_audit_head": manifest["audit_head"],
                    },
                )
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            from cosa import seal

            seal.forget_missing(store, seal.witness_id(store, home))
        finally:
            store.close()
        ws._secure_files()
        (staging / STAGING_MARK).unlink()
        fsync_dir(staging)
        progress("Moving into place", 0, 0)
        aside = _move_into_place(staging, home, home / LOCK_NAME)
    except BaseException:
        _wipe_tree(staging)
        raise
    return Restored(home=home, kept_aside=aside, summary=unlocked.summary())


def _rekey(db: Path, old: bytes, new: bytes) -> None:
    conn = _connect(db, old)
    try:
        conn.execute(f"PRAGMA rekey = \"x'{new.hex()}'\"")
    finally:
        conn.close()


def _move_into_place(staging: Path, home: Path, lock: Path) -> Path | None:
    """Put `staging` at `home` in one step; an existing `home` is kept aside, never deleted."""
    parent = home.parent
    if not home.exists() or (home.is_dir() and not any(home.iterdir())):
        os.rename(staging, home)  # (replaces an empty directory)
        fsync_dir(parent)
        return None
    aside = _aside_name(home)
    from cosa.filelock import locked

    # Hold the old workspace's key-file lock so no command rewrites its cosa.keys meanwhile.
    with locked(lock) if lock.parent.is_dir() else contextlib.nullcontext():
        try:
            if _exchange(staging, home):
                fsync_dir(parent)
                os.rename(staging, aside)
            else:
                os.rename(home, aside)
                os.rename(staging, home)
        except OSError as exc:
            if exc.errno in (errno.EBUSY, errno.EXDEV, errno.EPERM, errno.EACCES):
                raise UserError(
                    f"cannot replace {home} ({exc.strerror}; is it a mount point?)",
                    hint="restore into a new directory with --home DIR and move it yourself",
                ) from None
            raise
    fsync_dir(parent)
    return aside


def _aside_name(home: Path) -> Path:
    stamp = now().replace(" ", "-").replace(":", "")
    aside = home.parent / f"{home.name}.replaced-{stamp}"
    n = 1
    while aside.exists():
        n += 1
        aside = home.parent / f"{home.name}.replaced-{stamp}-{n}"
    return aside


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directory entries (Linux renameat2 RENAME_EXCHANGE).

    Returns False where that is unavailable (other systems, old kernels or filesystems); the
    caller then uses two renames.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


#: A backup's temp files: `.<name>.cosa-<pid>-<8 hex>.tmp` (and `.db.tmp`, `-journal`).
_BACKUP_TEMP = re.compile(r"\..+\.cosa-(\d+)-[0-9a-f]{8}\.(db\.)?tmp(-journal)?")


def _leftovers(directory: Path, pattern: re.Pattern[str]) -> Iterator[Path]:
    """Entries named by `pattern` (group 1: a pid) of processes no longer running (POSIX)."""
    if os.name != "posix":
        return
    try:
        entries = list(directory.iterdir())
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        pid_text = match.group(1)
        if int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
            continue  # still running
        except ProcessLookupError:
            yield entry
        except PermissionError:
            continue


def _remove_stale(directory: Path) -> None:
    """Remove the temp files of backups (to any name) that were killed before they finished."""
    for entry in _leftovers(directory, _BACKUP_TEMP):
        with contextlib.suppress(OSError):
            wipe_file(entry)


def _tidy_restore_leftovers(parent: Path, name: str) -> None:
    """Deal with the staging directories of restores that were killed.

    One still marked as staging was never moved into place: it is removed. One without the
    mark is a complete workspace — the new one just before it was moved, or the one a killed
    `--force` exchanged out of place — so it is kept, under the usual `.replaced-` name.
    """
    for entry in _leftovers(parent, re.compile(re.escape(f".{name}.restore-") + r"(\d+)-.*")):
        if not entry.is_dir() or entry.is_symlink():
            continue
        with contextlib.suppress(OSError):
            if (entry / STAGING_MARK).exists():
                _wipe_tree(entry)
            else:
                os.rename(entry, _aside_name(parent / name))


# --- making a backup ------------------------------------------------------------------------


@dataclass
class Created:
    path: Path
    sha256: str
    size: int
    manifest: dict[str, Any]
    recorded: bool = True  # False: a read-only workspace could not record it in its audit

    @property
    def records(self) -> int:
        return sum(int(v) for v in self.manifest["counts"].values())


def _export(store: Store, dest: Path, kb: bytes) -> dict[str, Any]:
    """Export the live database into `dest` under `kb`, as one consistent snapshot."""
    from cosa.migrations import RECORD_TABLES

    conn = store.conn
    with contextlib.suppress(Exception):
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute(f"ATTACH DATABASE ? AS bak KEY \"x'{kb.hex()}'\"", (str(dest),))
    try:
        conn.execute("PRAGMA bak.cipher_log_level = NONE")
        conn.execute("PRAGMA bak.journal_mode = DELETE")
        conn.execute("BEGIN")  # a read transaction: everything below sees one snapshot
        try:
            snap = _snapshot(conn, sorted(set(RECORD_TABLES.values())))
            sealed = conn.execute(
                "SELECT s.n, s.seq, a.hash FROM audit_seals s JOIN audit a ON a.seq = s.seq"
                " ORDER BY s.n DESC LIMIT 1"
            ).fetchone()
            snap["sealed_head"] = dict(sealed) if sealed else None
            conn.execute("SELECT sqlcipher_export('bak')")
            for pragma in ("user_version", "application_id"):
                value = int(_first(conn.execute(f"PRAGMA main.{pragma}").fetchone()))
                conn.execute(f"PRAGMA bak.{pragma} = {value}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("DETACH DATABASE bak")
    return snap


def create(
    store: Store, dest: Path, progress: Progress = _no_progress, *, force: bool = False
) -> Created:
    """Write a verified backup of the open workspace to `dest` (atomically, 0600, never
    clobbering: see `cosa.fsutil.check_output`) and audit it."""
    from cosa import __version__
    from cosa.fsutil import check_output, place_output

    dest = Path(os.path.abspath(Path(dest).expanduser()))
    directory = dest.parent
    check_output(dest, force)
    data_key: bytes = store.data_key  # type: ignore[attr-defined]
    ws = store.workspace  # type: ignore[attr-defined]
    kf = ws.load_keys()
    if kf.key_id != vault.key_id(data_key):
        raise IntegrityError(
            "the key file does not belong to this database", hint="run `cosa doctor`"
        )
    _remove_stale(directory)
    # (the name is shortened so that a long but valid file name still leaves room for these)
    token = f".{dest.name[:40]}.cosa-{os.getpid()}-{secrets.token_hex(4)}"
    db_tmp = directory / f"{token}.db.tmp"
    out_tmp = directory / f"{token}.tmp"
    temps = (db_tmp, out_tmp, Path(f"{db_tmp}-journal"))
    note = None if store.read_only else _note_temps(ws.home, temps)
    kb = secrets.token_bytes(vault.KEY_BYTES)
    try:
        # 1. export a consistent snapshot under Kb and verify it by reopening it.
        progress("Checking pages", 0, 0)
        with contextlib.suppress(Exception):
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        from cosa.workspace import check_pages

        check_pages(ws.db_path, data_key)  # a damaged page, even one no row uses now
        progress("Exporting", 0, 0)
        os.close(os.open(db_tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        snap = _export(store, db_tmp, kb)
        created_at = now()
        manifest: dict[str, Any] = {
            "format": MANIFEST_FORMAT,
            "version": VERSION,
            "created_at": created_at,
            "workspace": kf.workspace,
            "cosa_version": __version__,
            "schema": {"version": len(snap["migrations"]), "migrations": snap["migrations"]},
            "audit_head": snap["audit_head"],
            "audit_entries": snap["audit_entries"],
            "counts": snap["counts"],
            "sealed_head": snap["sealed_head"],
            "seal": kf.seal,
            "seeds": kf.seeds,
        }
        progress("Verifying the export", 0, 0)
        problems = check_database(db_tmp, kb, manifest)
        if problems:
            raise IntegrityError(
                "the backup did not verify: " + "; ".join(problems[:3]),
                hint="run `cosa doctor` on the workspace",
            )
        manifest["db_bytes"] = db_tmp.stat().st_size
        manifest["db_sha256"] = _file_sha256(db_tmp)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": created_at,
            "keys": {"key_id": kf.key_id, "slots": kf.slots, "pending": kf.pending},
            "backup_key": dict(
                zip(
                    ("nonce", "ct"),
                    _split(_encrypt(data_key, kb, _backup_key_aad(kf.key_id))),
                    strict=True,
                )
            ),
        }
        header_bytes = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
        manifest_blob = _encrypt(
            _manifest_key(kb),
            json.dumps(manifest, sort_keys=True).encode(),
            _manifest_aad(header_bytes),
        )
        # 2. assemble the file next to the target, fsync it.
        size = _assemble(out_tmp, db_tmp, header_bytes, manifest_blob, kb, progress)
        # 3. re-read what is on disk before it gets the final name.
        written = read_backup(out_tmp, progress)
        check = unlock_with_key(written, data_key)
        if check.manifest != manifest or _section_sha256(written) != manifest["db_sha256"]:
            raise IntegrityError(
                "the backup file did not read back as written", hint="check the disk"
            )
        place_output(out_tmp, dest, force=force)
    finally:
        for p in temps:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        if note is not None:
            with contextlib.suppress(OSError):
                note.unlink()
    created = Created(path=dest, sha256=written.sha256, size=size, manifest=manifest)
    if store.read_only:
        created.recorded = False
        return created
    with store.atomic():
        store.audit(
            "backup",
            detail={"file": str(dest), "sha256": created.sha256, "records": created.records},
        )
    from cosa import seal

    head = manifest["audit_head"]
    seal.witness(seal.witness_id(store), f"backup {dest}", int(head["seq"]), str(head["hash"]))
    return created


#: In the workspace, while a backup runs: where its temp files are (paths only, no content),
#: so that the next open can wipe them if the backup was killed (`wipe_abandoned_temps`).
TEMP_NOTE = "cosa.backup-temp."


def _note_temps(home: Path, temps: tuple[Path, ...]) -> Path | None:
    note = home / f"{TEMP_NOTE}{os.getpid()}"
    try:
        atomic_write(note, json.dumps([str(p) for p in temps]).encode())
    except OSError:
        return None
    return note


def wipe_abandoned_temps(home: Path) -> None:
    """Wipe the temp files of backups of this workspace that were killed (their process is
    gone), wherever they were being written; called at the next open that can write."""
    for note in home.glob(f"{TEMP_NOTE}*"):
        pid = note.name[len(TEMP_NOTE) :]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except (OSError, OverflowError):
            continue
        try:
            listed = json.loads(note.read_bytes())
        except (OSError, ValueError):
            listed = []
        for name in listed if isinstance(listed, list) else []:
            path = Path(str(name))
            # Only what a backup names its temp files: a tampered note cannot wipe others.
            if _BACKUP_TEMP.fullmatch(path.name) and path.is_file() and not path.is_symlink():
                wipe_file(path)
        with contextlib.suppress(OSError):
            note.unlink()


def recorded(store: Store) -> list[dict[str, Any]]:
    """Every backup this workspace's audit trail records: when, where, and whether a file is
    still at that path (for erasure, which cannot reach into them)."""
    found = []
    for row in store.query("SELECT at, detail FROM audit WHERE action = 'backup' ORDER BY seq"):
        try:
            detail = json.loads(row["detail"] or "{}")
        except ValueError:
            detail = {}
        file = str(detail.get("file") or "?")
        found.append({"at": row["at"], "file": file, "present": os.path.isfile(file)})
    return found


def _split(blob: bytes) -> tuple[str, str]:
    return _b64(blob[:_NONCE]), _b64(blob[_NONCE:])


def unlock_with_key(bf: BackupFile, data_key: bytes) -> Unlocked:
    """Like `BackupFile.unlock` with the data key already in hand (no KDF)."""
    kb = _decrypt(data_key, bf._backup_key_blob(), _backup_key_aad(vault.key_id(data_key)))
    if kb is None or not hmac.compare_digest(bf._compute_mac(kb), bf.mac):
        raise _damaged(bf.path, "it does not read back with its key")
    return bf._finish_unlock(data_key, kb)


def _section_sha256(bf: BackupFile) -> str:
    class _Null:
        def write(self, data: bytes) -> int:
            return len(data)

    return bf.copy_database(_Null())  # type: ignore[arg-type]


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _assemble(
    out: Path,
    db: Path,
    header: bytes,
    manifest_blob: bytes,
    kb: bytes,
    progress: Progress,
) -> int:
    db_len = db.stat().st_size
    mac = hmac.new(_mac_key(kb), digestmod=hashlib.sha256)
    checksum = hashlib.sha256()
    written = 0

    def put(fh: IO[bytes], data: bytes) -> None:
        nonlocal written
        mac.update(data)
        checksum.update(data)
        fh.write(data)
        written += len(data)

    with _private_open(out) as fh:
        put(fh, MAGIC + _PREFIX.pack(VERSION, len(header)) + header)
        put(fh, _U32.pack(len(manifest_blob)) + manifest_blob)
        put(fh, _U64.pack(db_len))
        done = 0
        with open(db, "rb") as src:
            while chunk := src.read(CHUNK):
                put(fh, chunk)
                done += len(chunk)
                progress("Writing the backup", done, db_len)
        if done != db_len:
            raise IntegrityError("the export changed while being written", hint="try again")
        tag = mac.digest()
        checksum.update(tag)
        fh.write(tag)
        fh.write(checksum.digest())
    return written + 2 * _DIGEST
