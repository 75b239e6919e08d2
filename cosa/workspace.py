"""A workspace on disk: where it is, how it is created, and how it is unlocked.

A workspace is a directory (0700) holding `cosa.db` (SQLCipher), `cosa.keys` (key slots, see
`cosa.vault`), `cosa.lock` (serialises rewrites of the key file) and, after a failed unlock,
`cosa.failures` (timestamps only; moved into the audit trail at the next successful unlock).

Opening checks, in order: the key file parses; a key comes from the unlock session or a secret
unwraps a slot; the database opens with it; the key file's MAC verifies; the database's audit
chain reaches at least the high-water mark recorded in the key file (an older copy of the
database is detected here); an interrupted key rotation is finished or reported.
"""

from __future__ import annotations

import getpass
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cosa import permissions, vault
from cosa.errors import IntegrityError, LockedError, UserError
from cosa.fsutil import PRIVATE_FILE, ensure_private_dir, wipe_file
from cosa.output import message
from cosa.session import HARD_LIMIT
from cosa.store import Store, WrongKey, now

DB_NAME = "cosa.db"
KEYS_NAME = "cosa.keys"
LOCK_NAME = "cosa.lock"
FAILURES_NAME = "cosa.failures"

#: The SQLCipher settings a workspace is written with, recorded in cosa.keys at `init` (or at
#: the first open after an upgrade) and checked at every open: a SQLCipher build with other
#: defaults would otherwise fail to read the database, or silently write a different format.
SQLCIPHER_SETTINGS: dict[str, str] = {
    "cipher_page_size": "4096",
    "kdf_algorithm": "PBKDF2_HMAC_SHA512",
    "hmac_algorithm": "HMAC_SHA512",
    "cipher": "AES-256-CBC",
    "major_version": "4",
}


def sqlcipher_settings(store: Store) -> dict[str, str]:
    def pragma(name: str) -> str:
        return str(store.scalar(f"PRAGMA {name}") or "")

    version = pragma("cipher_version")
    return {
        "cipher_page_size": pragma("cipher_page_size"),
        "kdf_algorithm": pragma("cipher_kdf_algorithm"),
        "hmac_algorithm": pragma("cipher_hmac_algorithm"),
        "cipher": pragma("cipher"),
        "major_version": version.split(".")[0],
    }


SESSION_HARD_LIMIT = HARD_LIMIT


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("cosa", appauthor=False))


def resolve_home(home: Path | None) -> Path:
    if home is not None:
        return home.expanduser()
    env = os.environ.get("COSA_HOME")
    return Path(env).expanduser() if env else default_home()


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass
class Options:
    """Root options every command shares."""

    home: Path | None = None
    operator: str | None = None
    passphrase_file: Path | None = None

    @property
    def workspace(self) -> Workspace:
        return Workspace(resolve_home(self.home))

    def explicit_operator(self) -> str | None:
        return self.operator or os.environ.get("COSA_OPERATOR") or None


class Workspace:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.db_path = home / DB_NAME
        self.keys_path = home / KEYS_NAME
        self.lock_path = home / LOCK_NAME
        self.failures_path = home / FAILURES_NAME

    def exists(self) -> bool:
        return self.keys_path.exists() or self.db_path.exists()

    @property
    def read_only(self) -> bool:
        """True when cosa may not change this workspace: its directory, database or key file
        cannot be written, or has every write permission bit off (which counts even for root,
        whom the kernel would let write anyway: someone made it read-only on purpose).

        A read-only workspace opens read-only (`Store.open(read_only=True)`): reading,
        `status`, `backup` and `doctor` work, every write says "the workspace is read-only",
        and nothing is tidied up on open (failed-unlock notes, stale key copies, migrations).
        """
        for path in (self.home, self.db_path, self.keys_path):
            try:
                mode = path.stat().st_mode
            except FileNotFoundError:
                continue
            if not mode & 0o222 or not os.access(path, os.W_OK):
                return True
        return False

    def session_name(self, workspace_id: str) -> str:
        return f"cosa:{workspace_id}"

    # -- creation ----------------------------------------------------------------------------

    def create(
        self, passphrase: str, recovery_code: str, user: str, label: str | None = None
    ) -> Store:
        """Create the data key, the first person's passphrase slot (`user`, a coordinator),
        the recovery slot and the database. Refuses an existing workspace."""

        if self.exists():
            raise UserError(
                f"a workspace already exists at {self.home}",
                hint="use --home DIR for another workspace",
            )
        ensure_private_dir(self.home)
        from cosa import seal

        data_key = vault.new_data_key()
        kf = vault.KeyFile.new(data_key)
        user = check_person_name(user)
        for kind, secret in (
            ("passphrase", passphrase.encode()),
            ("recovery", vault.recovery_secret(recovery_code)),
        ):
            kdf = vault.new_kdf_params()
            kek = vault.derive_kek(secret, kdf)
            person = {"name": user, "role": "coordinator"} if kind == "passphrase" else None
            kf.set_slot(vault.make_slot(kind, kek, kdf, data_key, person))
        seed = seal.new_seed()
        kf.seeds = [seal.wrap_seed(kek, kdf, kf.workspace, 0, seed)]  # the recovery KEK
        kf.seal = seal.wrap_current(data_key, kf.workspace, 0, seed)
        kf.sqlcipher = dict(SQLCIPHER_SETTINGS)
        from cosa.filelock import locked

        with locked(self.lock_path):
            kf.save(self.keys_path, data_key)
        try:
            store = Store.open(
                self.db_path, data_key, operator=operator_name(user, label), create=True
            )
            store.person = user  # type: ignore[attr-defined]
            self._secure_files()
            self._check_sqlcipher(store, kf, data_key)
            self._attach(store, kf, data_key)
            with store.atomic():
                store.audit("workspace.init", detail={"workspace": kf.workspace, "sealed": True})
                store.audit("user.add", detail={"name": user, "role": "coordinator"})
        except BaseException:
            for p in (self.db_path, self.keys_path, self.lock_path):
                for suffix in ("", "-wal", "-shm"):
                    Path(str(p) + suffix).unlink(missing_ok=True)
            raise
        return store

    def _secure_files(self) -> None:
        for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", KEYS_NAME, LOCK_NAME):
            path = self.home / name
            if path.exists():
                permissions.try_restrict_file(path)

    # -- opening -----------------------------------------------------------------------------

    def load_keys(self) -> vault.KeyFile:
        if not self.home.is_dir() or not self.keys_path.exists():
            raise UserError(
                f"no workspace at {self.home}",
                hint="run `cosa init`, or point --home / COSA_HOME at your workspace",
            )
        return vault.KeyFile.load(self.keys_path)

    def open(self, opts: Options, *, use_session: bool = True) -> Store:
        """Open the store with a key from the session cache or the passphrase sources."""
        from cosa import secrets_input

        kf = self.load_keys()
        operator = opts.explicit_operator()
        if use_session:
            session = self.session(kf.workspace)
            if session is not None:
                key, person = session
                store = self._open_with(kf, [key], operator, person=person)
                if store is not None:
                    return store
                if self._proves(kf, key):
                    raise self._damaged_error(key)
        secret = secrets_input.passphrase_from_sources(opts.passphrase_file)
        if secret is not None:
            return self.open_with_secret(kf, "passphrase", secret.encode(), operator)
        if not secrets_input.interactive():
            raise secrets_input.no_secret_error()
        for attempt in range(3):
            secret = secrets_input.prompt_hidden(f"Passphrase for {self.home}: ")
            try:
                return self.open_with_secret(kf, "passphrase", secret.encode(), operator)
            except LockedError:
                if attempt == 2:
                    raise
                message("  wrong passphrase, try again")
        raise AssertionError("unreachable")

    def open_with_secret(
        self, kf: vault.KeyFile, kind: str, secret: bytes, operator: str | None
    ) -> Store:
        """Open with a passphrase (whose slot names the person acting) or the recovery code
        (the person is "recovery code"); `operator` is only a label shown beside the name."""
        unlocked = kf.unlock(kind, secret)
        keys = unlocked.keys
        if not keys:
            self.record_failure(kind)
            what = "passphrase" if kind == "passphrase" else "recovery code"
            raise LockedError(f"wrong {what}")
        person = unlocked.person if kind == "passphrase" else RECOVERY_PERSON
        store = self._open_with(kf, keys, operator, person=person)
        if store is None:
            raise self._damaged_error(keys[0])
        if kind == "passphrase":
            store.passphrase_digest = _digest(secret)  # type: ignore[attr-defined]
            store.slot_kek = unlocked.kek  # type: ignore[attr-defined]
        return store

    def _damaged_error(self, key: bytes) -> IntegrityError:
        """The key is proven right (key file MAC or slot), so this is damage or a swap."""
        from cosa.pagecheck import cut_short, damaged_pages

        try:
            pages, bad = damaged_pages(self.db_path, key)
        except OSError:
            pages, bad = 0, []
        short = None if bad else cut_short(self.db_path, key, pages)
        if short:
            what = f"is cut short: {short}"
        else:
            where = f": page(s) {', '.join(map(str, bad))} fail their check" if bad else ""
            what = f"does not open with this workspace's key{where}"
        return IntegrityError(
            f"the database {self.db_path} {what}",
            hint="it is damaged or was replaced; run `cosa doctor` or restore a backup",
        )

    @staticmethod
    def _proves(kf: vault.KeyFile, key: bytes) -> bool:
        """The key file's MAC proves `key` is this workspace's data key."""
        return vault.key_id(key) == kf.key_id and kf.verify_mac(key)

    def unlock_key(self, opts: Options) -> bytes:
        """The data key, proven by the key file's MAC, without opening the database (for
        `doctor`, which must name damage the database cannot be opened to see)."""
        from cosa import secrets_input

        kf = self.load_keys()
        session = self.session(kf.workspace)
        if session is not None and self._proves(kf, session[0]):
            return session[0]
        secret = secrets_input.passphrase(opts.passphrase_file, f"Passphrase for {self.home}: ")
        keys = kf.candidate_keys("passphrase", secret.encode())
        if not keys:
            self.record_failure("passphrase")
            raise LockedError("wrong passphrase")
        proven = [k for k in keys if self._proves(kf, k)]
        return proven[0] if proven else keys[0]

    def open_with_key(self, key: bytes, operator: str | None) -> Store:
        store = self._open_with(self.load_keys(), [key], operator)
        if store is None:
            raise self._damaged_error(key)
        return store

    def is_passphrase(self, store: Store, candidate: str) -> bool:
        """Whether `candidate` is this workspace's passphrase (e.g. offered as a PDF password).

        Compared with the passphrase this process opened the workspace with, when it did (no
        cost); otherwise (an unlock session) by trying to unwrap the passphrase slot with it,
        which costs one key derivation, paid only when someone chooses a password.
        """
        known = getattr(store, "passphrase_digest", None)
        if known is not None:
            return hmac.compare_digest(known, _digest(candidate.encode()))
        return bool(self.load_keys().candidate_keys("passphrase", candidate.encode()))

    def _open_with(
        self,
        kf: vault.KeyFile,
        keys: list[bytes],
        operator: str | None,
        *,
        person: str | None = None,
    ) -> Store | None:
        """Open the database with whichever of `keys` fits; None if none does.

        `person` is whose slot (or session) gave the key; None where no slot says (a raw key:
        `doctor`, `restore`), then the OS user stands in. `operator` is a label only."""
        read_only = self.read_only
        for key in keys:
            try:
                store = Store.open(
                    self.db_path,
                    key,
                    operator=operator_name(person or os_user(), operator),
                    migrate=False,
                    read_only=read_only,
                )
            except WrongKey:
                continue
            try:
                kid = vault.key_id(key)
                if read_only:
                    self._open_read_only(store, kf, key)
                    self._attach(store, kf, key)
                    self._apply_operator(store, person, operator, kf)
                    return store
                if kf.pending and kid == kf.pending["key_id"]:
                    # The database was re-keyed but the key file not yet promoted: finish.
                    self._finish_rotation_file(key)
                    kf = self.load_keys()
                elif kid != kf.key_id:
                    raise IntegrityError("the key file does not belong to this database")
                if not kf.verify_mac(key):
                    raise IntegrityError(
                        f"the key file {self.keys_path} fails its integrity check (tampered?)"
                    )
                self._check_high_water(store, kf, key)
                kf = self._check_sqlcipher(store, kf, key)
                from cosa.migrations import apply_migrations

                self._attach(store, kf, key)
                apply_migrations(store)
                if kf.pending and kf.pending.get("delivered"):
                    pending_key = [k for k in keys if vault.key_id(k) == kf.pending["key_id"]]
                    if pending_key:
                        self.rekey(store, key, pending_key[0])
                elif kf.pending:
                    message(
                        "warning: an interrupted key rotation was found; "
                        "run `cosa rotate-key` to finish it"
                    )
                kf = self._name_first_person(store, kf, key)
                self._ingest_failures(store)
                self._apply_operator(store, person, operator, kf)
                self._remove_stale_key_copies()
                self._tell_about_wiped_drafts()
                return store
            except BaseException:
                store.close()
                raise
        return None

    def _open_read_only(self, store: Store, kf: vault.KeyFile, key: bytes) -> None:
        """The checks of an open that cannot write anything (see `read_only`)."""
        from cosa.migrations import MIGRATIONS
        from cosa.store import read_only_error

        if vault.key_id(key) != kf.key_id:
            error = read_only_error()
            error.message += "; it holds an interrupted key rotation that must be finished first"
            raise error
        if not kf.verify_mac(key):
            raise IntegrityError(
                f"the key file {self.keys_path} fails its integrity check (tampered?)"
            )
        self._check_high_water(store, kf, key)
        done = {r["name"] for r in store.query("SELECT name FROM schema_migrations")}
        known = {fn.__name__ for fn in MIGRATIONS}
        if done - known:
            raise IntegrityError(
                "this workspace was written by a newer version of cosa",
                hint="upgrade cosa before opening it",
            )
        if known - done:
            error = read_only_error()
            error.message += "; it must be upgraded to this version of cosa first"
            raise error

    def _tell_about_wiped_drafts(self) -> None:
        from cosa import editor

        note = editor.take_notice()
        if note:
            message(note)

    def _remove_stale_key_copies(self) -> None:
        """Wipe copies of `cosa.keys` left by a crash between writing and renaming (and the
        temp files of backups that were killed: see `cosa.backup.wipe_abandoned_temps`).

        Such a copy holds the slots of its time, so it would still open with a passphrase that
        `passwd` has since replaced. Removed under the key-file lock, so a running write never
        loses its own temp file; skipped quietly where the workspace cannot be written.
        """
        if any(self.home.glob("cosa.backup-temp.*")):
            from cosa.backup import wipe_abandoned_temps

            wipe_abandoned_temps(self.home)
        pattern = f".{KEYS_NAME}.*.tmp"
        try:
            if not any(self.home.glob(pattern)):
                return
            from cosa.filelock import locked

            with locked(self.lock_path):
                for path in self.home.glob(pattern):
                    wipe_file(path)
        except OSError:
            pass

    def _apply_operator(
        self, store: Store, person: str | None, label: str | None, kf: vault.KeyFile
    ) -> None:
        """The operator of every audit entry: the person whose slot opened the workspace,
        with `--operator` / `COSA_OPERATOR` / the `operator` setting as a label beside it."""
        if person is None:
            people = kf.people()
            person = people[0]["name"] if len(people) == 1 else os_user()
        store.person = person  # type: ignore[attr-defined]
        store.people = kf.people()  # type: ignore[attr-defined]
        label = label or store.setting("operator") or None
        store.operator = operator_name(person, label)

    def _name_first_person(self, store: Store, kf: vault.KeyFile, key: bytes) -> vault.KeyFile:
        """A version-1 key file's unnamed passphrase slot becomes the first person, named
        after the `operator` setting or the OS user (a coordinator)."""
        if not any(s["kind"] == "passphrase" and "user" not in s for s in kf.all_slots()):
            return kf
        name = check_person_name(store.setting("operator") or os_user())
        kf = self.update_keys(key, lambda f: f.name_unnamed(name))
        with store.atomic():
            store.audit("user.add", detail={"name": name, "role": "coordinator", "upgrade": True})
        return kf

    def _check_high_water(self, store: Store, kf: vault.KeyFile, key: bytes) -> None:
        seq, head_hash = int(kf.head.get("seq", 0)), str(kf.head.get("hash", ""))
        if seq == 0:
            return
        row = store.one("SELECT hash FROM audit WHERE seq = ?", (seq,))
        if row is None or row["hash"] != head_hash:
            check_pages(self.db_path, key)  # a damaged audit page is damage, not a rollback
            db_seq, _ = store.audit_head()
            raise IntegrityError(
                f"rollback detected: the database's audit trail ends at entry {db_seq} but the "
                f"key file records entry {seq}" + ("" if row is None else " with a different hash"),
                hint="the database was replaced by an older or altered copy; restore a backup"
                " deliberately with `cosa restore`",
            )

    def _attach(self, store: Store, kf: vault.KeyFile, key: bytes) -> None:
        from cosa import seal

        store.data_key = key  # type: ignore[attr-defined]
        store.workspace = self  # type: ignore[attr-defined]
        store.workspace_id = kf.workspace  # type: ignore[attr-defined]
        sealer = None
        if kf.seal is not None:
            sealer = seal.Sealer(*seal.unwrap_current(key, kf.workspace, kf.seal))
        store.sealer = sealer
        store.on_commit = lambda seq, h: self._write_head(key, seq, h, sealer)
        # Views do not move the mark in cosa.keys (two fsyncs on every read); the head after
        # one goes to the witness file outside the workspace instead, so putting back an
        # older cosa.db to erase the views is named by `audit verify` and `doctor`.
        witness = seal.witness_id(store, self.home)
        store.on_view = lambda seq, h: seal.witness(witness, "last view", seq, h, durable=False)

    def _check_sqlcipher(self, store: Store, kf: vault.KeyFile, key: bytes) -> vault.KeyFile:
        """The database must use the SQLCipher settings recorded in cosa.keys (a workspace
        from before they were recorded gets them now)."""
        actual = sqlcipher_settings(store)
        if kf.sqlcipher is None:
            try:
                return self.update_keys(key, lambda f: setattr(f, "sqlcipher", actual))
            except OSError:  # a read-only workspace: recorded at the first writable open
                return kf
        if kf.sqlcipher != actual:
            differ = sorted(k for k in kf.sqlcipher.keys() | actual.keys()
                            if kf.sqlcipher.get(k) != actual.get(k))  # fmt: skip
            raise IntegrityError(
                "the database's SQLCipher settings differ from those recorded in cosa.keys"
                f" ({', '.join(differ)})",
                hint="this SQLCipher build or its defaults changed; use the cosa release that"
                " wrote the workspace, or run `cosa doctor`",
            )
        return kf

    # -- the high-water mark and the seal ratchet --------------------------------------------

    def _mirror_head(self, store: Store, key: bytes) -> None:
        self._write_head(key, *store.audit_head(), store.sealer)

    def _write_head(self, key: bytes, seq: int, head_hash: str, sealer: Any = None) -> None:
        """Raise the key file's high-water mark to (seq, hash) and move its seal key forward
        to the sealer's position, in one key-file write; never lowers either."""
        from cosa import seal
        from cosa.filelock import locked

        with locked(self.lock_path):
            kf = vault.KeyFile.load(self.keys_path)
            if kf.key_id != vault.key_id(key) or not kf.verify_mac(key):
                return  # rotated by another process meanwhile; its own writes keep the mark
            changed = False
            if int(kf.head.get("seq", 0)) < seq:
                kf.head = {"seq": seq, "hash": head_hash}
                changed = True
            if sealer is not None and kf.seal is not None and int(kf.seal["n"]) < sealer.n:
                kf.seal = seal.wrap_current(key, kf.workspace, sealer.n, sealer.key)
                changed = True
            if changed:
                kf.save(self.keys_path, key)

    def start_sealing(self, store: Store, secret: bytes) -> int | None:
        """Draw a sealing seed for a workspace made before sealing, now that the recovery
        code is at hand (`recover`, `audit verify --recovery-file`); returns the position
        sealing starts at, or None if the workspace already has a seed."""
        from cosa import seal

        key: bytes = store.data_key  # type: ignore[attr-defined]
        kf = self.load_keys()
        if kf.seeds:
            return None
        slot = kf.slot("recovery")
        kek = vault.derive_kek(secret, slot["kdf"])
        if vault._open(kek, slot, vault._aad("recovery", kf.key_id)) != key:
            raise LockedError("wrong recovery code")
        if _was_sealed(store):
            # A workspace that was sealed always keeps its seed (restore and rotate-key carry
            # it): starting afresh would bless whatever was rewritten before the new seed.
            raise IntegrityError(
                "the audit trail was sealed, but cosa.keys holds no sealing seed: the seed was"
                " removed, so the trail cannot be checked with the recovery code (tampering?)",
                hint="restore cosa.keys (or the workspace) from a backup; run `cosa doctor`",
            )
        last = store.scalar("SELECT max(n) FROM audit_seals")
        n = 0 if last is None else int(last) + 1
        seed = seal.new_seed()

        def begin(f: vault.KeyFile) -> None:
            f.seeds = [seal.wrap_seed(kek, slot["kdf"], f.workspace, n, seed)]
            f.seal = seal.wrap_current(key, f.workspace, n, seed)

        self._attach(store, self.update_keys(key, begin), key)
        with store.atomic():
            store.audit("audit.seal.start", detail={"from": n})
        return n

    # -- slots -------------------------------------------------------------------------------

    def update_keys(self, key: bytes, change: Callable[[vault.KeyFile], None]) -> vault.KeyFile:
        """Read-modify-write the key file under the lock, MACed with `key`."""
        from cosa.filelock import locked
        from cosa.store import read_only_error

        if self.read_only:
            raise read_only_error()

        with locked(self.lock_path):
            kf = vault.KeyFile.load(self.keys_path)
            change(kf)
            kf.save(self.keys_path, key)
        return kf

    def _finish_rotation_file(self, new_key: bytes) -> None:
        def promote(kf: vault.KeyFile) -> None:
            if kf.pending:
                kf.finish_rotation(new_key)

        self.update_keys(new_key, promote)

    def rekey(self, store: Store, old_key: bytes, new_key: bytes) -> None:
        """Re-encrypt the database under `new_key`, then promote the pending slots."""
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._finish_rotation_file(new_key)
        kf = self.load_keys()
        self._attach(store, kf, new_key)
        self.replace_session_key(kf.workspace, old_key, new_key)

    # -- unlock session ----------------------------------------------------------------------

    def session_key(self, workspace_id: str) -> bytes | None:
        found = self.session(workspace_id)
        return None if found is None else found[0]

    def session(self, workspace_id: str) -> tuple[bytes, str | None] | None:
        """The live unlock session's data key and whose it is (the person named after the key;
        None for a session started before people had slots). See `cosa.session`."""
        from cosa import session

        payload = session.load(self.session_name(workspace_id))
        if payload is None or len(payload) < vault.KEY_BYTES:
            return None
        try:
            person = payload[vault.KEY_BYTES :].decode() or None
        except UnicodeDecodeError:
            return None
        return bytes(payload[: vault.KEY_BYTES]), person

    def open_session_only(self, operator: str | None) -> Store | None:
        """The store if an unlock session holds its key, else None: never a prompt, never a
        passphrase source (for shell completion)."""
        kf = self.load_keys()
        session = self.session(kf.workspace)
        if session is None:
            return None
        return self._open_with(kf, [session[0]], operator, person=session[1])

    def start_session(
        self, workspace_id: str, key: bytes, idle_s: int, person: str | None = None
    ) -> datetime:
        """Keep the data key, followed by the name of the person who unlocked, in the session
        store (so every command of the session acts as that person); SessionUnavailable if no
        session can be kept here."""
        from cosa import session

        payload = key + (person or "").encode()
        return session.start(
            self.session_name(workspace_id), payload, min(idle_s, SESSION_HARD_LIMIT)
        )

    def end_session(self, workspace_id: str) -> bool:
        from cosa import session

        try:
            return session.end(self.session_name(workspace_id))
        except session.SessionUnavailable:
            return False

    def replace_session_key(self, workspace_id: str, old_key: bytes, new_key: bytes) -> None:
        from cosa import session

        name = self.session_name(workspace_id)
        payload = session.load(name)
        if payload is not None and len(payload) >= vault.KEY_BYTES:
            session.replace(name, new_key + payload[vault.KEY_BYTES :])  # whose stays

    # -- failed unlocks ----------------------------------------------------------------------

    def record_failure(self, kind: str, person: str = "unknown") -> None:
        """Note a failed unlock (time, secret kind, and whose it was where cosa knows: a wrong
        passphrase matches no one's slot, so it is "unknown") for the audit trail."""
        try:
            fd = os.open(self.failures_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                fh.write(f"{now()}\t{kind}\t{person.replace(chr(9), ' ')[:80]}\n")
        except OSError:
            pass

    def _ingest_failures(self, store: Store) -> None:
        try:
            lines = self.failures_path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return
        with store.atomic():
            for line in lines:
                at, _, rest = line.partition("\t")
                kind, _, person = rest.partition("\t")
                store.audit(
                    "unlock.failed",
                    detail={
                        "failed_at": at[:19],
                        "secret": kind[:20],
                        "person": person[:80] or "unknown",
                    },
                )
        self.failures_path.unlink(missing_ok=True)


def _was_sealed(store: Store) -> bool:
    """Whether this workspace's trail shows it was sealed: seals in the database, a start of
    sealing, or an init made with a seed."""
    if store.scalar("SELECT 1 FROM audit_seals LIMIT 1") is not None:
        return True
    if store.scalar("SELECT 1 FROM audit WHERE action = 'audit.seal.start' LIMIT 1"):
        return True
    import json

    detail = store.scalar("SELECT detail FROM audit WHERE action = 'workspace.init' LIMIT 1")
    try:
        return bool(json.loads(detail or "{}").get("sealed"))
    except (ValueError, AttributeError):
        return False


#: The person acting when the recovery code opened the workspace.
RECOVERY_PERSON = "recovery code"


def operator_name(person: str, label: str | None = None) -> str:
    """The operator recorded in the audit trail: the person, with a label beside it when one
    was given (`--operator`, `COSA_OPERATOR`, `config set operator`): "Ann (as duty)"."""
    label = (label or "").strip()
    if not label or label.casefold() == person.casefold():
        return person
    return f"{person} (as {label})"


def check_person_name(name: str) -> str:
    """A person's name: one printable line of 1–80 characters (UserError otherwise)."""
    name = name.strip()
    if not 0 < len(name) <= vault.MAX_NAME or not name.isprintable():
        raise UserError("a person's name is one line of 1 to 80 printable characters")
    if name.casefold() in (RECOVERY_PERSON, "me", "all"):
        raise UserError(f"{name!r} cannot be a person's name (cosa uses that word itself)")
    return name


def _digest(secret: bytes) -> bytes:
    import hashlib

    return hashlib.sha256(b"cosa passphrase check|" + secret).digest()


def check_pages(db_path: Path, key: bytes) -> None:
    """Raise a one-line integrity error naming the pages of `db_path` that fail their HMAC."""
    from cosa.pagecheck import damaged_pages

    _pages, bad = damaged_pages(db_path, key)
    if bad:
        raise IntegrityError(
            f"the database is damaged: page(s) {', '.join(map(str, bad))} fail their check",
            hint="run `cosa doctor`; restore a backup (`cosa restore`)",
        )


def write_secret_file(path: Path, text: str, *, force: bool = False) -> None:
    """Write a secret (a recovery code) alone to `path`, 0600, atomically, never clobbering."""
    from cosa.fsutil import write_output

    write_output(path, (text + "\n").encode(), force=force)
