"""Forward-secure seals of the audit trail: a hash ratchet in the spirit of systemd's Forward
Secure Sealing (journal-authenticate.c; we use a plain hash ratchet, not FSPRG).

Why. The audit chain is plain SHA-256 and the high-water mark in `cosa.keys` is MACed with a
key derived from the data key. Anyone who can unlock (the passphrase, an unlock session, the
raw key) can therefore edit a record, recompute the chain and the mark, and `audit verify`
passes. Seals make history written *before* that person got the key unforgeable by them.

Design.
- A random 256-bit seed `k0` is drawn at `init`. It is stored only wrapped under the recovery
  code's key-encryption key (Argon2id of the code, the recovery slot's KDF parameters;
  AES-256-GCM, associated data ``cosa-keys/1|seed|<workspace>|<from>``) in the `seeds` list of
  `cosa.keys` — never under the passphrase or the data key.
- Ratchet: ``k_{n+1} = SHA-256("cosa seal ratchet" | k_n)``. Seal `n` is
  ``HMAC-SHA256(k_n, "cosa-seal/1|n|seq|hash")`` over the audit head (seq, hash) at the end of
  a committing transaction, inserted into `audit_seals` in the same transaction (so a
  committed head is always sealed).
- `cosa.keys` keeps only the *next* key, ``k_{n+1}`` with its position, wrapped under
  HKDF(data key, "cosa seal wrap") (`seal`; stdlib-only encrypt-then-MAC, so opening from an
  unlock session needs no `cryptography`). It is written together with the high-water mark
  (one atomic key-file write per commit, as before); the file holding `k_n` is replaced.
- Crash window. The database commits first, the key file follows. If cosa dies between them,
  the key file still holds an older key; the next commit takes its position from the last
  seal in the database and ratchets the stored key forward, so every state stays openable and
  sealable. A key file *ahead* of the database means seals were removed (the database was
  truncated or rolled back): sealing refuses and `audit verify` says so.
- `cosa audit verify --recovery-file F` unwraps `k0`, recomputes every seal, checks that the
  positions run without a gap up to the head and that the key in `cosa.keys` is the ratchet's
  key at the position after the last seal.
- Upgrades. A workspace made before sealing has no `k0`, and the recovery code is not at hand
  when it is upgraded: sealing starts the first time the code is given (`recover`,
  `audit verify --recovery-file`) or a new one is issued (`rotate-key`). Entries before that
  are covered by the seal on the first sealed head only as far as the chain goes.
- `rotate-key` cannot unwrap the old `k0` (it does not ask for the old code): it adds a
  second seed, the ratchet's current key wrapped under the *new* code, so the new code checks
  every seal from the rotation on and the old code keeps checking everything.
- Witnesses. The last verified head is also kept outside the workspace: in every backup
  manifest (`sealed_head`), in the footer of every PDF report (the audit head), and in a small
  file in the user's config directory (`witness_path`), updated by `audit verify`, `backup`
  and `report`. Verify checks that each head recorded there is in the trail and names those
  that are not. Only these catch a joint rollback of `cosa.db` and `cosa.keys`.

Limits (also in docs/security.md).
- A holder of the data key at time t can forge seals from the key file's position at t on:
  forward security protects the past, not the future. They can also delete the seed list:
  verify with the code then fails ("no sealing seed") when the trail shows it was sealed, and
  never draws a fresh seed over it (`cosa.workspace.Workspace.start_sealing`).
- A joint rollback of both files to a state after the newest witness is not detectable.
- Overwriting `k_n` replaces the key file; the old file's blocks are not scrubbed on disk, and
  a copy of the folder (a sync client, a snapshot) keeps old keys.
- A cosa process that is running holds its key in memory while it runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cosa.errors import IntegrityError

if TYPE_CHECKING:
    from cosa.store import Store
    from cosa.vault import KeyFile

KEY_BYTES = 32

#: The most ratchet steps cosa takes to reach a seal position (about 5 s of SHA-256). Real
#: gaps are a few positions (views between changes, a crash window); a seal far ahead is
#: forged, and walking to it would hang the very check meant to catch the forger.
MAX_STEPS = 10_000_000


def ratchet(key: bytes) -> bytes:
    return hashlib.sha256(b"cosa seal ratchet|" + key).digest()


def advance(key: bytes, steps: int) -> bytes:
    for _ in range(steps):
        key = ratchet(key)
    return key


def seal_mac(key: bytes, n: int, seq: int, head_hash: str) -> str:
    return hmac.new(key, f"cosa-seal/1|{n}|{seq}|{head_hash}".encode(), "sha256").hexdigest()


def new_seed() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


# -- the current key in cosa.keys, wrapped under the data key (stdlib only) -------------------


def _wrap_key(data_key: bytes) -> bytes:
    from cosa.vault import _hkdf

    return _hkdf(data_key, b"cosa seal wrap")


def _aad(workspace: str, n: int) -> bytes:
    return f"cosa-keys/1|seal|{workspace}|{n}".encode()


def wrap_current(data_key: bytes, workspace: str, n: int, key: bytes) -> dict[str, Any]:
    wk = _wrap_key(data_key)
    nonce = secrets.token_bytes(16)
    aad = _aad(workspace, n)
    pad = hmac.new(wk, b"pad|" + nonce + aad, "sha256").digest()
    ct = bytes(a ^ b for a, b in zip(key, pad, strict=True))
    tag = hmac.new(wk, b"tag|" + nonce + ct + aad, "sha256").hexdigest()
    return {"n": n, "nonce": nonce.hex(), "ct": ct.hex(), "tag": tag}


def unwrap_current(data_key: bytes, workspace: str, box: dict[str, Any]) -> tuple[int, bytes]:
    try:
        wk = _wrap_key(data_key)
        n = int(box["n"])
        nonce, ct = bytes.fromhex(box["nonce"]), bytes.fromhex(box["ct"])
        aad = _aad(workspace, n)
        tag = hmac.new(wk, b"tag|" + nonce + ct + aad, "sha256").hexdigest()
        if len(ct) != KEY_BYTES or not hmac.compare_digest(tag, str(box["tag"])):
            raise ValueError("tag")
    except (KeyError, ValueError, TypeError):
        raise IntegrityError(
            "the seal key in cosa.keys does not unwrap", hint="run `cosa doctor`"
        ) from None
    pad = hmac.new(wk, b"pad|" + nonce + aad, "sha256").digest()
    return n, bytes(a ^ b for a, b in zip(ct, pad, strict=True))


# -- the seed, wrapped under the recovery code's KEK -----------------------------------------


def _seed_aad(workspace: str, start: int) -> bytes:
    return f"cosa-keys/1|seed|{workspace}|{start}".encode()


def wrap_seed(
    recovery_kek: bytes, kdf: dict[str, Any], workspace: str, start: int, key: bytes
) -> dict[str, Any]:
    from cosa.vault import _seal

    return {"from": start, "kdf": kdf, **_seal(recovery_kek, key, _seed_aad(workspace, start))}


def open_seeds(kf: KeyFile, secret: bytes) -> list[tuple[int, bytes]]:
    """Every (position, key) the recovery secret unwraps from the seed list, earliest first
    (one Argon2id derivation per distinct KDF parameter set)."""
    from cosa.vault import _open, derive_kek

    keks: dict[str, bytes] = {}
    found: list[tuple[int, bytes]] = []
    for box in kf.seeds:
        if "user" in box:
            continue  # a manager's (see `open_person_seeds`)
        kdf_id = json.dumps(box["kdf"], sort_keys=True)
        if kdf_id not in keks:
            keks[kdf_id] = derive_kek(secret, box["kdf"])
        key = _open(keks[kdf_id], box, _seed_aad(kf.workspace, int(box["from"])))
        if key is not None:
            found.append((int(box["from"]), key))
    return sorted(found)


def open_person_seeds(kf: KeyFile, name: str, kek: bytes) -> list[tuple[int, bytes]]:
    """The ratchet keys wrapped for the manager `name` under their passphrase KEK (the one
    their slot was opened with: the seed reuses the slot's KDF parameters)."""
    from cosa.vault import _open

    found = []
    for box in kf.seeds:
        if box.get("user") == name:
            key = _open(kek, box, _seed_aad(kf.workspace, int(box["from"])))
            if key is not None:
                found.append((int(box["from"]), key))
    return sorted(found)


# -- sealing at commit -----------------------------------------------------------------------


@dataclass
class Sealer:
    """The ratchet key a process holds: position `n` (the next seal) and `k_n`."""

    n: int
    key: bytes
    _pending: tuple[int, bytes] | None = field(default=None, repr=False)
    _table: bool = field(default=False, repr=False)

    def seal(self, store: Store, seq: int, head_hash: str) -> None:
        """Inside the committing transaction: insert the seal of (seq, hash)."""
        if not self._table:
            if store.one("SELECT 1 FROM sqlite_master WHERE name = 'audit_seals'") is None:
                return  # before migration m051: nothing to seal into yet
            self._table = True
        last = store.scalar("SELECT max(n) FROM audit_seals")
        n = 0 if last is None else int(last) + 1
        if n < self.n:
            raise IntegrityError(
                f"the audit seals end at {n - 1} but the key file's ratchet is at {self.n}:"
                " seals were removed (truncated or rolled-back database)",
                hint="run `cosa doctor`; restore a backup deliberately with `cosa restore`",
            )
        if n - self.n > MAX_STEPS:
            raise IntegrityError(
                f"the audit seals jump to position {n}, far beyond the key file's ratchet at"
                f" {self.n}: the seals were tampered with",
                hint="run `cosa audit verify --recovery-file F`; restore a backup",
            )
        key = advance(self.key, n - self.n)
        store.conn.execute(
            "INSERT INTO audit_seals (n, seq, mac) VALUES (?, ?, ?)",
            (n, seq, seal_mac(key, n, seq, head_hash)),
        )
        self._pending = (n + 1, ratchet(key))

    def committed(self) -> None:
        """After COMMIT: move to the next key; the used one is dropped."""
        if self._pending is not None:
            self.n, self.key = self._pending
            self._pending = None

    def rolled_back(self) -> None:
        self._pending = None


# -- verification with the seed --------------------------------------------------------------


@dataclass
class SealCheck:
    seals: int = 0
    checked_from: int | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def verify_seals(
    store: Store,
    kf: KeyFile,
    data_key: bytes,
    secret: bytes,
    seeds: list[tuple[int, bytes]] | None = None,
) -> SealCheck:
    """Recompute every seal from the seed the recovery secret unwraps (or from `seeds`: a
    manager's ratchet keys, `open_person_seeds`)."""
    result = SealCheck()
    what = "this recovery code" if seeds is None else "this manager's passphrase"
    seeds = open_seeds(kf, secret) if seeds is None else seeds
    if not kf.seeds:
        result.problems.append(
            "the key file has no sealing seed (made before sealing, or the seed was removed)"
        )
        return result
    if not seeds:
        result.problems.append(f"{what} does not unwrap the sealing seed")
        return result
    start, key = seeds[0]
    result.checked_from = start
    rows = store.query(
        "SELECT s.n, s.seq, s.mac, a.hash FROM audit_seals s LEFT JOIN audit a ON a.seq = s.seq"
        " ORDER BY s.n"
    )
    result.seals = len(rows)
    if start > 0:
        result.notes.append(
            f"seals before position {start} were made under an earlier recovery code;"
            " give that code to check them"
            if what == "this recovery code"
            else f"seals before position {start} were made before this manager was added;"
            " the recovery code checks them"
        )
    position, prev_seq = start, 0
    expected = rows[0]["n"] if rows else start
    for row in rows:
        n = int(row["n"])
        if n != expected:
            result.problems.append(f"audit seals {expected}–{n - 1} are missing")
        expected = n + 1
        if int(row["seq"]) <= prev_seq:
            result.problems.append(f"audit seal {n} goes back to entry {row['seq']}")
        prev_seq = int(row["seq"])
        if n < start:
            continue
        if n - position > MAX_STEPS:
            result.problems.append(f"audit seal {n} is far beyond the ratchet: forged")
            break
        key = advance(key, n - position)
        position = n
        if row["hash"] is None:
            result.problems.append(f"audit seal {n} seals entry {row['seq']}, which is missing")
        elif not hmac.compare_digest(seal_mac(key, n, row["seq"], row["hash"]), row["mac"]):
            result.problems.append(
                f"audit seal {n} (entry {row['seq']}) does not verify: the trail was rewritten"
            )
    head_seq, _ = store.audit_head()
    if rows and prev_seq != head_seq:
        result.problems.append(
            f"audit entries {prev_seq + 1}–{head_seq} are not sealed (the last seal is at"
            f" entry {prev_seq})"
        )
    if rows and rows[0]["n"] > start:
        result.problems.append(f"audit seals {start}–{rows[0]['n'] - 1} are missing")
    if kf.seal is not None:
        kn, kkey = unwrap_current(data_key, kf.workspace, kf.seal)
        after_last = expected
        if kn > after_last:
            result.problems.append(
                f"the key file's ratchet is at position {kn} but the seals end at"
                f" {after_last - 1}: seals were removed (truncation or rollback)"
            )
        elif kn >= start and (kn - start > MAX_STEPS or advance(seeds[0][1], kn - start) != kkey):
            result.problems.append(
                "the key file's seal key is not on this workspace's ratchet (resealed?)"
            )
        elif kn < after_last:
            result.notes.append(
                f"the key file's ratchet lags the seals ({kn} < {after_last}): a crash between"
                " a commit and the key-file write, or cosa.keys restored alone"
            )
    else:
        result.problems.append("the key file holds no seal key")
    return result


# -- witnesses outside the workspace ---------------------------------------------------------

MAX_WITNESSES = 20


def witness_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("cosa", appauthor=False)) / "audit-heads.json"


def witness_id(store: Store, home: Path | None = None) -> str:
    """Witnesses are kept per workspace *and* place: a backup restored to a second place is
    a second workspace with the same uuid, and goes its own way."""
    ws = getattr(store, "workspace", None)
    where = home if home is not None else (ws.home if ws is not None else store.path.parent)
    return f"{getattr(store, 'workspace_id', '?')} {Path(where).resolve()}"


def _load_witnesses() -> dict[str, Any]:
    try:
        data = json.loads(witness_path().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _well_formed(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and type(entry.get("seq")) is int
        and 0 <= entry["seq"] < 1 << 62
        and isinstance(entry.get("hash"), str)
    )


def witnesses(workspace: str) -> list[dict[str, Any]]:
    """The well-formed heads recorded for this workspace (see `damaged_witnesses`)."""
    entries = _load_witnesses().get(workspace, [])
    return [e for e in entries if _well_formed(e)] if isinstance(entries, list) else []


def damaged_witnesses(workspace: str) -> int:
    """How many of this workspace's witness entries are not well formed."""
    entries = _load_witnesses().get(workspace, [])
    if not isinstance(entries, list):
        return 1
    return sum(1 for e in entries if not _well_formed(e))


def witness(workspace: str, source: str, seq: int, head_hash: str, *, durable: bool = True) -> None:
    """Record (best effort) that `source` saw the head (seq, hash) of this workspace.

    `durable=False` skips the fsyncs (for the head after each view: a crash may lose that
    witness, never the workspace)."""
    from cosa.fsutil import atomic_write, ensure_private_dir
    from cosa.store import now

    path = witness_path()
    data = _load_witnesses()
    entries = [e for e in witnesses(workspace) if e.get("source") != source]
    entries.append({"source": source, "seq": seq, "hash": head_hash, "at": now()})
    entries.sort(key=lambda e: int(e.get("seq", 0)))
    data[workspace] = entries[-MAX_WITNESSES:]
    with contextlib.suppress(OSError):
        ensure_private_dir(path.parent)
        atomic_write(path, json.dumps(data, indent=1, sort_keys=True).encode(), durable=durable)


def forget_missing(store: Store, workspace: str) -> None:
    """After a deliberate `cosa restore`: drop the recorded heads the restored trail does not
    contain (the restore itself is in the trail, with the backup's head)."""
    from cosa.fsutil import atomic_write

    kept = [w for w in witnesses(workspace) if _contains(store, w)]
    data = _load_witnesses()
    if workspace not in data or len(kept) == len(data[workspace]):
        return
    data[workspace] = kept
    with contextlib.suppress(OSError):
        atomic_write(witness_path(), json.dumps(data, indent=1, sort_keys=True).encode())


def _contains(store: Store, w: dict[str, Any]) -> bool:
    row = store.one("SELECT hash FROM audit WHERE seq = ?", (int(w.get("seq", 0)),))
    return row is not None and row["hash"] == w.get("hash")


def last_witnessed(store: Store, workspace: str) -> tuple[int, str] | None:
    """The newest head recorded by a passing `audit verify` or `doctor` that this trail still
    contains: `doctor` re-verifies only what came after it."""
    for w in reversed(witnesses(workspace)):
        if w.get("source") in ("audit verify", "doctor") and _contains(store, w):
            return int(w["seq"]), str(w["hash"])
    return None


def check_witnesses(store: Store, workspace: str) -> list[str]:
    """Each externally recorded head that this trail does not contain, named by its source."""
    problems = []
    damaged = damaged_witnesses(workspace)
    if damaged:
        problems.append(
            f"{damaged} entr{'y' if damaged == 1 else 'ies'} of the witness file"
            f" {witness_path()} for this workspace {'is' if damaged == 1 else 'are'} damaged"
        )
    for w in witnesses(workspace):
        row = store.one("SELECT hash FROM audit WHERE seq = ?", (int(w.get("seq", 0)),))
        if row is None or row["hash"] != w.get("hash"):
            problems.append(
                f"{w.get('source')} recorded audit entry {w.get('seq')} on {w.get('at')}, and"
                " this trail "
                + ("ends before it" if row is None else "differs there")
                + f" (witness file {witness_path()})"
            )
    return problems
