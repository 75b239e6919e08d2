"""The store: one SQLCipher database per workspace, opened one way, migrated on open.

`Store.open` is the only place that calls `sqlcipher3.connect`. It refuses a library that is
not SQLCipher, silences SQLCipher's own logging *before* keying (so a wrong key prints
nothing), keys with the raw 256-bit data key (no per-open KDF: the key slots in `cosa.keys`
carry the Argon2id cost), proves the key with a cheap read, then sets the pragmas that keep
plaintext off disk (`temp_store=MEMORY`, `secure_delete`) and make concurrent invocations
safe (WAL, `busy_timeout`, `BEGIN IMMEDIATE` for every write), and applies pending
migrations.

Every write goes through `Store.atomic()` and appends an audit entry in the same transaction
(`Store.audit`). Entries form a SHA-256 hash chain; each write entry also carries the hash of
the record's new state, so `cosa audit verify` can detect rows edited behind cosa's back.
Just before the outermost transaction commits, `sealer` (when the workspace has one) seals
the new head into `audit_seals` (`cosa.seal`); after it commits, `on_commit` is told the new
chain head so that the workspace can mirror it, MACed, into `cosa.keys` together with the
ratchet's next key (rollback detection, forward-secure sealing).

`update` and `delete` first check that the row is still the state its last audit entry
recorded (`check_record`): a row put back from an old page, or edited with the raw key, is
refused (exit 4) instead of being laundered into the trail by the next ordinary edit.

A read-only workspace (see `cosa.workspace.Workspace.read_only`) is opened with
`read_only=True`: SQLite's `mode=ro`, plus `immutable=1` when there is no write-ahead log to
read (a read-only WAL database otherwise needs a `-shm` file it may not create), and no
pragma that writes. `atomic()` then refuses every write with "the workspace is read-only".
"""

from __future__ import annotations

import errno
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cosa.errors import IntegrityError, UserError

if TYPE_CHECKING:
    from cosa.seal import Sealer

GENESIS = "0" * 64
BUSY_TIMEOUT_MS = 15_000

Row = dict[str, Any]


#: Audited transactions committed by this process that changed something, i.e. wrote more
#: than `view` entries (see `committed_writes`).
_committed = 0


def committed_writes() -> int:
    """How many audited write transactions this process has committed.

    The CLI uses it to tell a failure to print a confirmation (the change is saved: exit 0,
    so that a retry does not repeat it) from a failure before anything was saved.
    """
    return _committed


class WrongKey(Exception):
    """The database did not open with the given key (or is not a database at all)."""


def read_only_error() -> UserError:
    return UserError(
        "the workspace is read-only",
        hint="reading, `status`, `backup` and `doctor` work; to change records, make the"
        " workspace directory and its files writable again",
    )


_URI_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.~")


def _read_only_uri(path: Path) -> str:
    """An SQLite URI opening `path` read-only (percent-encoded byte by byte, no urllib)."""
    import os

    raw = os.fsencode(path.resolve())
    quoted = "".join(chr(b) if b in _URI_SAFE else f"%{b:02X}" for b in raw)
    wal = Path(f"{path}-wal")
    has_log = wal.exists() and wal.stat().st_size > 0
    return f"file:{quoted}?mode=ro" + ("" if has_log else "&immutable=1")


def now() -> str:
    return datetime.now().replace(microsecond=0).isoformat(sep=" ")


def _canonical_default(value: Any) -> str:
    """Blobs (a document's bytes) enter a record's hash by their SHA-256, so hashing a row
    costs no more memory than the blob itself; anything else by its text."""
    if isinstance(value, bytes | bytearray | memoryview):
        return "sha256:" + hashlib.sha256(value).hexdigest()
    return str(value)


def canonical(obj: Any) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_canonical_default
    ).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def state_hash(row: Mapping[str, Any] | None) -> str:
    return "deleted" if row is None else sha256(canonical(dict(row)))


def entry_hash(entry: Mapping[str, Any]) -> str:
    fields = (
        "seq",
        "at",
        "operator",
        "action",
        "record_type",
        "record_id",
        "fields",
        "state_hash",
        "detail",
        "prev_hash",
    )
    return sha256(canonical([entry[f] for f in fields]))


class Store:
    """An open, keyed, migrated workspace database."""

    def __init__(self, conn: Any, path: Path, operator: str) -> None:
        self.conn = conn
        self.path = path
        self.operator = operator
        self._depth = 0
        self._audited = False
        self._changed = False  # an audited change other than a `view` entry
        self.read_only = False
        self.on_commit: Callable[[int, str], None] | None = None
        #: Told the new head after a transaction of `view` entries only (no key-file write).
        self.on_view: Callable[[int, str], None] | None = None
        self._warned: set[tuple[str, int]] = set()
        self.sealer: Sealer | None = None
        #: Records this transaction inserted or updated (their new state is cosa's own).
        self._written: set[tuple[str, int]] = set()
        #: Records found not to match their audit trail before pending migrations ran
        #: (`cosa.migrations.apply_migrations`); `reaudit` leaves them flagged.
        self.untrusted: set[tuple[str, int]] = set()

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        key: bytes,
        *,
        operator: str = "unknown",
        create: bool = False,
        migrate: bool = True,
        read_only: bool = False,
    ) -> Store:
        import sqlcipher3

        if not create and not path.exists():
            raise IntegrityError(f"the database {path} is missing", hint="restore it from a backup")
        if read_only:
            conn = sqlcipher3.connect(
                _read_only_uri(path),
                uri=True,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        else:
            conn = sqlcipher3.connect(
                str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
            )
        try:
            version = conn.execute("PRAGMA cipher_version").fetchone()
            if not version or not version[0]:
                raise IntegrityError("the linked SQLite library is not SQLCipher; refusing to run")
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            try:
                (tables,) = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlcipher3.DatabaseError as exc:
                if not is_wrong_key(exc):
                    raise  # a full disk, an I/O error, a busy database: not the key's fault
                raise WrongKey(str(exc)) from None
            if not tables and not create:
                # An empty file opens with any key; stop before anything writes to it.
                raise IntegrityError(
                    f"the database {path} is empty",
                    hint="it was truncated or never finished; restore a backup (`cosa restore`)",
                )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("PRAGMA foreign_keys = ON")
            if not read_only:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise IntegrityError(f"could not switch the database to WAL mode ({mode})")
                conn.execute("PRAGMA synchronous = FULL")
        except BaseException:
            conn.close()
            raise
        conn.row_factory = _dict_row
        store = cls(conn, path, operator)
        store.read_only = read_only
        if migrate and not read_only:
            from cosa.migrations import apply_migrations

            apply_migrations(store)
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries -----------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Row]:
        return list(self.conn.execute(sql, params).fetchall())

    def one(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Row | None:
        row: Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def scalar(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else next(iter(row.values()))

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        self._require_tx()
        return self.conn.execute(sql, params)

    def script(self, sql: str) -> None:
        """Run several statements inside the current transaction.

        (`executescript` would COMMIT first, breaking the migration's atomicity.)
        """
        import sqlcipher3

        self._require_tx()
        buf = ""
        for line in sql.splitlines(keepends=True):
            buf += line
            if sqlcipher3.complete_statement(buf):
                self.conn.execute(buf)
                buf = ""
        if buf.strip():
            raise ValueError(f"incomplete SQL statement: {buf.strip()[:60]}")

    # -- transactions ------------------------------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[Store]:
        """A write transaction: `BEGIN IMMEDIATE` outermost, a savepoint when nested."""
        if self.read_only:
            raise read_only_error()
        if self._depth == 0:
            self.conn.execute("BEGIN IMMEDIATE")
            self._audited = False
            self._changed = False
            self._written = set()
        else:
            self.conn.execute(f"SAVEPOINT sp{self._depth}")
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO sp{self._depth}")
                self.conn.execute(f"RELEASE sp{self._depth}")
            raise
        self._depth -= 1
        if self._depth > 0:
            self.conn.execute(f"RELEASE sp{self._depth}")
            return
        head = self.audit_head() if self._audited else None
        try:
            if head is not None and self.sealer is not None:
                self.sealer.seal(self, *head)
            self.conn.execute("COMMIT")
        except BaseException:
            if self.sealer is not None:
                self.sealer.rolled_back()
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        if head is not None and self._changed:
            global _committed
            _committed += 1
        if self.sealer is not None:
            self.sealer.committed()
        if head is not None and not self._changed and self.on_view is not None:
            self.on_view(*head)  # best effort, never raises (`cosa.seal.witness`)
        if head is not None and self._changed and self.on_commit is not None:
            # A transaction of `view` entries only is sealed in the database but does not
            # rewrite cosa.keys (two fsyncs, ~20 ms): reads stay fast, and the next change
            # moves the mark and the ratchet past the views (see cosa.seal, limits).
            try:
                self.on_commit(*head)
            except OSError as exc:
                # Committed: the change is saved, so the command must not report failure (a
                # retry would repeat it). The next write raises the mark again.
                from cosa.output import message

                message(
                    "warning: saved, but the audit high-water mark in cosa.keys could not be"
                    f" updated ({exc.strerror or exc}); it catches up at the next change"
                )

    def _require_tx(self) -> None:
        if self._depth == 0:
            raise RuntimeError("writes must run inside Store.atomic()")

    # -- generic record writes (audited) -----------------------------------------------------

    @staticmethod
    def _check_text(values: Mapping[str, Any]) -> None:
        """Refuse text that cannot be stored as UTF-8 (lone surrogates, e.g. from a badly
        encoded argv), naming the field, instead of failing deep inside SQLite."""
        for key, value in values.items():
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    field = key.replace("_", " ")
                    raise UserError(
                        f"{field} contains characters that are not valid text"
                    ) from None

    def insert(
        self, table: str, record_type: str, values: Mapping[str, Any], action: str | None = None
    ) -> int:
        """Insert a record with its uuid/timestamps/operator and audit it; returns its id."""
        self._require_tx()
        self._check_text(values)
        self.check_circle_writable(table, values)
        stamp = now()
        row = {
            "uuid": str(uuid.uuid4()),
            "created_at": stamp,
            "updated_at": stamp,
            "created_by": self.operator,
            "updated_by": self.operator,
            **values,
        }
        rid = self._insert_row(table, record_type, row)
        self.audit(action or f"{record_type}.add", record_type, rid, sorted(values), table=table)
        return rid

    def insert_received(
        self,
        table: str,
        record_type: str,
        row: Mapping[str, Any],
        action: str,
        detail: Mapping[str, Any],
    ) -> int:
        """Insert a record exactly as another workspace sent it (its uuid, timestamps and
        operators kept) and audit it with `detail`; returns its local id."""
        self._require_tx()
        self._check_text(row)
        rid = self._insert_row(table, record_type, row)
        fields = sorted(c for c in row if c != "uuid")
        self.audit(action, record_type, rid, fields, table=table, detail=detail)
        return rid

    def _insert_row(self, table: str, record_type: str, row: Mapping[str, Any]) -> int:
        cols = ", ".join(row)
        marks = ", ".join(f":{c}" for c in row)
        cur = self.conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", row)
        rid = int(cur.lastrowid)
        self._written.add((record_type, rid))
        return rid

    def update(
        self,
        table: str,
        record_type: str,
        rid: int,
        changes: Mapping[str, Any],
        action: str | None = None,
    ) -> list[str]:
        """Update the fields that really change, audit their names; returns them."""
        self._require_tx()
        current = self.one(f"SELECT * FROM {table} WHERE id = ?", (rid,))
        if current is None:
            raise UserError(f"{record_type} {rid} not found")
        self._check_text(changes)
        changed = {k: v for k, v in changes.items() if current.get(k) != v}
        if not changed:
            return []
        self.check_record(record_type, rid, current)
        self.check_circle_writable(table, current)
        changed_cols = {**changed, "updated_at": now(), "updated_by": self.operator}
        sets = ", ".join(f"{c} = :{c}" for c in changed_cols)
        self.conn.execute(
            f"UPDATE {table} SET {sets} WHERE id = :_id", {**changed_cols, "_id": rid}
        )
        self._written.add((record_type, rid))
        self.audit(action or f"{record_type}.edit", record_type, rid, sorted(changed), table=table)
        return sorted(changed)

    def delete(
        self,
        table: str,
        record_type: str,
        rid: int,
        action: str | None = None,
        *,
        fields: Sequence[str] = (),
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a record after checking it is as cosa last left it, and audit the deletion."""
        self._require_tx()
        current = self.one(f"SELECT * FROM {table} WHERE id = ?", (rid,))
        if current is None:
            raise UserError(f"{record_type} {rid} not found")
        self.check_record(record_type, rid, current)
        self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (rid,))
        self.audit(
            action or f"{record_type}.delete",
            record_type,
            rid,
            fields,
            deleted=True,
            detail=detail,
        )

    # -- write-time and read-time record checks ---------------------------------------------

    def check_circle_writable(self, table: str, row: Mapping[str, Any]) -> None:
        """Refuse a new or changed record of a circle moved to another workspace (`cosa
        transfer`, `cosa.domain.transfer`): that circle is read-only here. One place for every
        write path (meetings, contacts, concerns, hours, shares…); deleting (retention) stays
        possible."""
        if table == "circles":
            cid = row.get("id")
        elif "circle_id" in row:
            cid = row["circle_id"]
        elif table in _CIRCLE_PARENTS:
            column, parent = _CIRCLE_PARENTS[table]
            if row.get(column) is None:
                return
            cid = self.scalar(f"SELECT circle_id FROM {parent} WHERE id = ?", (row[column],))
        else:
            return
        if cid is None:
            return
        try:
            frozen = self.one(
                "SELECT c.id, m.code FROM circles c JOIN core_members m ON m.id = c.member_id"
                " WHERE c.id = ? AND c.status = 'transferred'",
                (cid,),
            )
        except Exception as exc:  # an early migration: no circles table yet
            if "no such" in str(exc):
                return
            raise
        if frozen is not None:
            raise UserError(
                f"circle {frozen['id']} ({frozen['code']}) was transferred to another workspace;"
                " it is read-only here",
                hint="the workspace that received it keeps it now (`cosa transfer --keep` leaves"
                " a writable copy)",
            )

    def audited_state(self, record_type: str, rid: int) -> str | None:
        """The state hash the record's last state-carrying audit entry recorded (one look-up
        in the partial index `audit_record_state`), or None if it has none."""
        return self.scalar(  # type: ignore[no-any-return]
            "SELECT state_hash FROM audit WHERE record_type = ? AND record_id = ?"
            " AND state_hash IS NOT NULL ORDER BY seq DESC LIMIT 1",
            (record_type, rid),
        )

    def record_matches(self, record_type: str, rid: int, row: Mapping[str, Any]) -> bool:
        return self.audited_state(record_type, rid) == state_hash(row)

    def check_record(self, record_type: str, rid: int, row: Mapping[str, Any]) -> None:
        """Refuse to change a record whose stored state is not the one its last audit entry
        recorded (an old page pasted back, a row edited with the raw key): writing over it
        would launder the change into the audit trail."""
        if not self.record_matches(record_type, rid, row):
            raise IntegrityError(
                f"{record_type.replace('_', ' ')} {rid}: record changed outside cosa;"
                " run `cosa doctor`",
                hint="nothing was written; restore a backup if the record was tampered with",
            )

    def warn_if_changed(self, record_type: str, rid: int, row: Mapping[str, Any]) -> bool:
        """For reads that show one record: say once on stderr if it was changed outside cosa.
        Returns whether it matches."""
        if self.record_matches(record_type, rid, row):
            return True
        key = (record_type, rid)
        if key not in self._warned:
            self._warned.add(key)
            from cosa.output import message

            message(
                f"warning: {record_type.replace('_', ' ')} {rid} was changed outside cosa"
                " (it does not match its audit trail); run `cosa doctor`"
            )
        return False

    # -- audit -------------------------------------------------------------------------------

    def audit(
        self,
        action: str,
        record_type: str | None = None,
        record_id: int | None = None,
        fields: Sequence[str] = (),
        *,
        table: str | None = None,
        detail: Mapping[str, Any] | None = None,
        deleted: bool = False,
        at: str | None = None,
        rehash: bool = False,
    ) -> int:
        """Append an audit entry in the current transaction; returns its sequence number.

        With `table`, the entry records the hash of the record's state after the write (or
        "deleted"), so `audit verify` can later prove the row was not changed behind cosa.
        A record this transaction did not itself insert or update is checked against its last
        audited state first (`check_record`): recording a state cosa did not write would
        launder a replayed or raw-key edit. Only `rehash` (a migration's `reaudit`, after a
        schema change, for rows checked before it) skips that.
        """
        self._require_tx()
        shash: str | None = None
        if deleted:
            shash = state_hash(None)
        elif table is not None and record_id is not None:
            row = self.one(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
            if (
                row is not None
                and not rehash
                and record_type is not None
                and (record_type, record_id) not in self._written
            ):
                self.check_record(record_type, record_id, row)
            shash = state_hash(row)
        last = self.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        seq = int(last["seq"]) + 1 if last else 1
        entry: dict[str, Any] = {
            "seq": seq,
            "at": at or now(),
            "operator": self.operator,
            "action": action,
            "record_type": record_type,
            "record_id": record_id,
            "fields": json.dumps(list(fields)),
            "state_hash": shash,
            "detail": json.dumps(dict(detail), sort_keys=True, default=str) if detail else None,
            "prev_hash": last["hash"] if last else GENESIS,
        }
        entry["hash"] = entry_hash(entry)
        if action != "view":
            self._changed = True
        self.conn.execute(
            "INSERT INTO audit (seq, at, operator, action, record_type, record_id, fields,"
            " state_hash, detail, prev_hash, hash) VALUES (:seq, :at, :operator, :action,"
            " :record_type, :record_id, :fields, :state_hash, :detail, :prev_hash, :hash)",
            entry,
        )
        self._audited = True
        if action != "view":  # a read recorded is not a change a retry would repeat
            self._changed = True
        return seq

    def audit_head(self) -> tuple[int, str]:
        last = self.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        return (int(last["seq"]), str(last["hash"])) if last else (0, GENESIS)

    def schema_version(self) -> int:
        return int(self.scalar("SELECT count(*) FROM schema_migrations") or 0)

    # -- settings ----------------------------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.one("SELECT value FROM settings WHERE key = ?", (key,))
        return default if row is None else str(row["value"])


#: Records that belong to a circle through a parent record: table -> (column, parent table).
_CIRCLE_PARENTS = {
    "meeting_attendance": ("meeting_id", "meetings"),
    "meeting_amendments": ("meeting_id", "meetings"),
    "concern_notes": ("concern_id", "concerns"),
    "escalations": ("concern_id", "concerns"),
    "goal_updates": ("goal_id", "circle_goals"),
    "risk_review_scores": ("risk_review_id", "risk_reviews"),
    "agreement_signatures": ("agreement_id", "circle_agreements"),
}


def _dict_row(cursor: Any, row: tuple[Any, ...]) -> Row:
    return {d[0]: v for d, v in zip(cursor.description, row, strict=True)}


def _errorname(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


def is_wrong_key(exc: BaseException) -> bool:
    """SQLCipher's answer to a wrong key, or to a file that is not (or no longer) a database."""
    name = _errorname(exc)
    if name:
        return name == "SQLITE_NOTADB" or name.startswith("SQLITE_CORRUPT")
    return "not a database" in str(exc).lower()


#: errno values that mean "no room to write": no space, over quota, over the file size limit.
_NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in _NO_ROOM
    text = str(exc).lower()
    return (
        _errorname(exc) == "SQLITE_FULL"
        or "database or disk is full" in text
        or "no space left" in text
    )


def is_io_error(exc: BaseException) -> bool:
    """A failed read, write or sync reported by the disk (SQLite's IOERR family, or EIO)."""
    if isinstance(exc, OSError):
        return exc.errno == errno.EIO
    return _errorname(exc).startswith("SQLITE_IOERR") or "disk i/o error" in str(exc).lower()


def is_read_only(exc: BaseException) -> bool:
    """SQLite refusing to write a database it opened read-only (or cannot write)."""
    return _errorname(exc).startswith("SQLITE_READONLY") or "readonly database" in str(exc)


def is_damaged(exc: BaseException) -> bool:
    """A SQLCipher error that means the file itself is damaged (not a usage error)."""
    text = str(exc).lower()
    return type(exc).__name__ in ("DatabaseError", "OperationalError") and (
        "malformed" in text or "not a database" in text or "corrupt" in text
    )
