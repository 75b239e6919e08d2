"""Key slots: the data key wrapped under keys derived from each person's passphrase and the
recovery code.

The database is encrypted with a random 256-bit *data key* that never leaves memory in the
clear. `cosa.keys` holds that key wrapped (AES-256-GCM) under key-encryption keys (KEKs)
derived with Argon2id, one *slot* per secret, in the style of LUKS. Each person who uses the
workspace has a passphrase slot of their own, naming them (`user`): the slot a passphrase
unwraps tells cosa who is acting (the operator of every audit entry). Changing a passphrase
rewraps one slot; the database itself is untouched.

File layout (UTF-8 JSON, one object; written atomically with `cosa.fsutil.atomic_write`)::

    {
      "format": "cosa-keys",
      "version": 2,                           # 1: one unnamed passphrase slot (still read)
      "workspace": "<uuid4>",                 # names this workspace (session cache key)
      "key_id": "<hex>",                      # HKDF(data key, "cosa key id")[:16]
      "slots": [<slot>, ...],                 # the current data key, one slot per secret
      "pending": null | {                     # an unfinished `rotate-key` (see below)
          "key_id": "<hex>", "slots": [<slot>, ...],
          "previous": {"nonce": b64, "ct": b64},   # old data key wrapped under the new one
          "delivered": bool,                  # the new recovery code has been handed out
          "earlier": [{"key_id", "slots", "previous"}, ...]   # optional, see below
      },
      "head": {"seq": int, "hash": "<hex>"},  # audit high-water mark (rollback detection)
      "seal": {"n", "nonce", "ct", "tag"},    # optional: the audit-seal ratchet's next key,
                                              #   wrapped under the data key (`cosa.seal`)
      "seeds": [{"from", "kdf", "nonce", "ct", "user"?}],  # optional: the ratchet's seed
                                              #   (and, after `rotate-key`, a later key) under
                                              #   recovery KEKs; with "user": the ratchet key
                                              #   at "from" under a manager's passphrase KEK
      "sqlcipher": {...},                     # optional: SQLCipher settings (`cosa.store`)
      "mac": "<hex>"                          # HMAC-SHA256 over everything above
    }

The optional members are left out of the MACed body when absent, so a key file written
before they existed keeps its MAC; an open adds them (`cosa.workspace`).

    <slot> = {"kind": "passphrase" | "recovery",
              "kdf": {"alg": "argon2id", "t": int, "m": int (KiB), "p": int, "salt": b64},
              "nonce": b64, "ct": b64,        # AES-256-GCM(KEK, data key, aad)
              "user": {"name": text (1–80 printable), "role": "coordinator" | "manager"}}
                                              # passphrase slots only, version 2; one per
                                              #   person, names unique (case-insensitive)

Versions. Version 1 files (before people) have one passphrase slot without "user"; they load
unchanged (the MAC covers the version they were written with) and the first writable open
names that slot after the workspace's `operator` setting, or the OS user, as a coordinator,
and writes version 2. A version 1 file with named slots is damaged (exit 4). Unlocking tries
the people's slots in order and stops at the first that unwraps (`KeyFile.unlock`): one
Argon2id run per person tried. The wrapping (GCM associated data) is the same in both versions.

Everything read from the file is checked for shape and type when it is loaded
(`KeyFile.load`), and the KDF parameters against `KDF_BOUNDS` (t ≤ 10, m ≤ 1 GiB, p ≤ 8,
salt 16–64 bytes) before any derivation runs: a damaged or hostile file is exit 4 with one
line, never a minute-long (or endless) Argon2 run.

The GCM associated data binds each wrap to its context: ``cosa-keys/1|<kind>|<key_id>``. The
MAC key is HKDF-SHA256(data key, info="cosa keys mac"), so only a holder of the data key can
produce a valid file; canonical JSON (sorted keys, no spaces) of the object without "mac" is
what gets MACed.

`rotate-key` is crash-safe by construction. It first writes a *pending* section (the new key's
slots, the old key wrapped under the new key, delivered=false), then hands out the new recovery
code, marks it delivered, re-keys the database, and finally promotes the pending slots. Every
secret opens every intermediate state: the passphrase unwraps both generations; the old code
unwraps the old key; the new code unwraps the new key and, through "previous", the old one.
An open that finds a delivered pending rotation finishes it (see `cosa.workspace`).

A rotation that stops after writing or showing its new code but before marking it delivered
leaves a code the user may hold. A later `rotate-key` that replaces that undelivered pending
rotation keeps its recovery slot (with its "previous" box) under "earlier" (at most
`MAX_EARLIER`), so that code keeps opening the workspace (its key unwraps the current one)
until a newer code is delivered and the rotation completes, which drops "earlier".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cosa.errors import IntegrityError, LockedError, UserError
from cosa.fsutil import atomic_write

FORMAT = "cosa-keys"
VERSION = 2
#: Key file versions this cosa reads: 1 (one unnamed passphrase slot) is upgraded to 2 at the
#: first write.
READABLE_VERSIONS = (1, 2)
KEY_BYTES = 32
ROLES = ("coordinator", "manager")
MAX_NAME = 80

#: Argon2id cost for new slots: about 0.3 s on a 2-core laptop-class machine (RFC 9106's
#: second recommendation with one lane). Stored per slot, so raising it later keeps old slots
#: readable.
DEFAULT_KDF: dict[str, int] = {"t": 3, "m": 64 * 1024, "p": 1}

MIN_PASSPHRASE = 10

#: Inclusive bounds for KDF parameters read from a file (a key file or a backup's header):
#: wider than anything cosa writes, narrow enough that no file can make an unlock hang or
#: exhaust memory. m is in KiB (Argon2 also needs m ≥ 8·p).
KDF_BOUNDS: dict[str, tuple[int, int]] = {"t": (1, 10), "m": (8, 1 << 20), "p": (1, 8)}
SALT_BYTES = (16, 64)

#: Undelivered recovery codes of replaced, interrupted rotations kept usable (see above).
MAX_EARLIER = 4

# Recovery codes: Crockford base32, 6 groups of 4 data characters plus one check character.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_GROUPS = 6
_GROUP_DATA = 4


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _hkdf(key: bytes, info: bytes) -> bytes:
    # HKDF-SHA256 with an empty salt, one block (RFC 5869); stdlib only, so opening a
    # workspace from the session cache does not import `cryptography`.
    prk = hmac.new(b"\0" * 32, key, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def key_id(data_key: bytes) -> str:
    return _hkdf(data_key, b"cosa key id")[:16].hex()


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def check_kdf(kdf: Any) -> None:
    """Refuse KDF parameters of the wrong type or outside `KDF_BOUNDS` (ValueError)."""
    if not isinstance(kdf, dict):
        raise ValueError("KDF parameters are not an object")
    if kdf.get("alg") != "argon2id":
        raise ValueError(f"unknown KDF {str(kdf.get('alg'))[:20]!r}")
    for name, (low, high) in KDF_BOUNDS.items():
        value = kdf.get(name)
        if type(value) is not int or not low <= value <= high:
            raise ValueError(f"KDF parameter {name}={str(value)[:20]} is out of range")
    if kdf["m"] < 8 * kdf["p"]:
        raise ValueError(f"KDF parameter m={kdf['m']} is below 8 KiB per lane")
    salt = kdf.get("salt")
    try:
        size = len(_unb64(salt)) if isinstance(salt, str) else -1
    except ValueError:
        size = -1
    if not SALT_BYTES[0] <= size <= SALT_BYTES[1]:
        raise ValueError("the KDF salt is not 16–64 bytes of base64")


def derive_kek(secret: bytes, kdf: dict[str, Any]) -> bytes:
    """Argon2id with the slot's parameters, after checking them (exit 4 when out of bounds)."""
    from argon2.low_level import Type, hash_secret_raw

    try:
        check_kdf(kdf)
    except ValueError as exc:
        raise IntegrityError(f"refusing the key slot's KDF parameters: {exc}") from None
    return hash_secret_raw(secret, _unb64(kdf["salt"]), kdf["t"], kdf["m"], kdf["p"], 32, Type.ID)


def new_kdf_params() -> dict[str, Any]:
    return {"alg": "argon2id", **DEFAULT_KDF, "salt": _b64(secrets.token_bytes(16))}


def _aad(kind: str, kid: str) -> bytes:
    # The wrapping format is that of key file version 1 in every version.
    return f"cosa-keys/1|{kind}|{kid}".encode()


def _seal(kek: bytes, plaintext: bytes, aad: bytes) -> dict[str, str]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    return {"nonce": _b64(nonce), "ct": _b64(AESGCM(kek).encrypt(nonce, plaintext, aad))}


def _open(kek: bytes, box: dict[str, Any], aad: bytes) -> bytes | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(kek).decrypt(_unb64(box["nonce"]), _unb64(box["ct"]), aad)
    except (InvalidTag, ValueError, KeyError):
        return None


def make_slot(
    kind: str,
    kek: bytes,
    kdf: dict[str, Any],
    data_key: bytes,
    user: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A slot wrapping `data_key` under `kek`; a passphrase slot names its person (`user`)."""
    slot = {"kind": kind, "kdf": kdf, **_seal(kek, data_key, _aad(kind, key_id(data_key)))}
    if user is not None:
        slot["user"] = dict(user)
    return slot


def slot_person(slot: dict[str, Any]) -> str | None:
    """The name of the person a passphrase slot belongs to (None: a version-1 slot)."""
    user = slot.get("user")
    return str(user["name"]) if isinstance(user, dict) else None


@dataclass
class Unlocked:
    """What a secret opened: the data keys it unwraps and whose slot it was."""

    keys: list[bytes]
    person: str | None = None
    role: str = "coordinator"
    kek: bytes = field(default=b"", repr=False)


# --- recovery codes -------------------------------------------------------------------------


def _check_char(index: int, data: str) -> str:
    digest = hashlib.sha256(f"cosa-recovery|{index}|{data}".encode()).digest()
    return _ALPHABET[digest[0] % 32]


def new_recovery_code() -> str:
    """A fresh recovery code: 120 random bits as six dash-separated groups of five."""
    groups = []
    for i in range(_GROUPS):
        data = "".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_DATA))
        groups.append(data + _check_char(i, data))
    return "-".join(groups)


def normalize_recovery_code(text: str) -> str:
    """Canonical form of a typed recovery code; a mistyped group is caught here, before any KDF.

    Case, spaces and dashes are ignored; O reads as 0 and I/L as 1 (Crockford base32).
    """
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    size = _GROUP_DATA + 1
    if len(cleaned) != _GROUPS * size or any(ch not in _ALPHABET for ch in cleaned):
        raise UserError(
            "that is not a recovery code",
            hint=f"a recovery code is {_GROUPS} groups of {size} letters and digits",
        )
    groups = [cleaned[i * size : (i + 1) * size] for i in range(_GROUPS)]
    for i, group in enumerate(groups):
        if _check_char(i, group[:_GROUP_DATA]) != group[_GROUP_DATA]:
            raise UserError(
                f"recovery code group {i + 1} ({group}) has a typo",
                hint="check that group against your printed recovery sheet",
            )
    return "-".join(groups)


def recovery_secret(code: str) -> bytes:
    return normalize_recovery_code(code).replace("-", "").encode()


# --- the key file ---------------------------------------------------------------------------


@dataclass
class KeyFile:
    """The parsed contents of `cosa.keys`."""

    workspace: str
    key_id: str
    slots: list[dict[str, Any]]
    head: dict[str, Any] = field(default_factory=lambda: {"seq": 0, "hash": ""})
    pending: dict[str, Any] | None = None
    mac: str = ""
    seal: dict[str, Any] | None = None
    seeds: list[dict[str, Any]] = field(default_factory=list)
    sqlcipher: dict[str, Any] | None = None
    version: int = VERSION

    def body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "workspace": self.workspace,
            "key_id": self.key_id,
            "slots": self.slots,
            "pending": self.pending,
            "head": self.head,
            **({"seal": self.seal} if self.seal is not None else {}),
            **({"seeds": self.seeds} if self.seeds else {}),
            **({"sqlcipher": self.sqlcipher} if self.sqlcipher is not None else {}),
        }

    def compute_mac(self, data_key: bytes) -> str:
        return hmac.new(
            _hkdf(data_key, b"cosa keys mac"), _canonical(self.body()), "sha256"
        ).hexdigest()

    def verify_mac(self, data_key: bytes) -> bool:
        return hmac.compare_digest(self.compute_mac(data_key), self.mac)

    def slot(self, kind: str) -> dict[str, Any]:
        for slot in self.slots:
            if slot["kind"] == kind:
                return slot
        raise IntegrityError(f"the key file has no {kind} slot")

    def set_slot(self, new: dict[str, Any]) -> None:
        """Replace the slot of the same kind (a passphrase slot: of the same person)."""
        name = slot_person(new)
        self.slots = [
            s for s in self.slots if not (s["kind"] == new["kind"] and slot_person(s) == name)
        ] + [new]

    # -- people ------------------------------------------------------------------------------

    def people(self) -> list[dict[str, str]]:
        """The people holding a passphrase slot, in slot order: {"name", "role"}."""
        out = []
        for slot in self.slots:
            if slot["kind"] == "passphrase" and isinstance(slot.get("user"), dict):
                out.append({"name": slot["user"]["name"], "role": slot["user"]["role"]})
        return out

    def person_slot(self, name: str) -> dict[str, Any] | None:
        for slot in self.slots:
            if slot["kind"] == "passphrase" and slot_person(slot) == name:
                return slot
        return None

    def find_person(self, name: str) -> dict[str, str] | None:
        """The person called `name` (case-insensitive), or None."""
        for person in self.people():
            if person["name"].casefold() == name.strip().casefold():
                return person
        return None

    def remove_person(self, name: str) -> None:
        self.slots = [s for s in self.slots if slot_person(s) != name]
        self.seeds = [b for b in self.seeds if b.get("user") != name]

    def name_unnamed(self, name: str) -> None:
        """Give a version-1 passphrase slot (current or pending) its person."""
        groups = [self.slots]
        if self.pending:
            groups.append(self.pending["slots"])
        for slots in groups:
            for slot in slots:
                if slot["kind"] == "passphrase" and "user" not in slot:
                    slot["user"] = {"name": name, "role": "coordinator"}

    def to_bytes(self) -> bytes:
        return json.dumps({**self.body(), "mac": self.mac}, indent=1, sort_keys=True).encode()

    def save(self, path: Path, data_key: bytes) -> None:
        """MAC with `data_key` (the current key) and write atomically, as the current version."""
        self.version = VERSION
        self.mac = self.compute_mac(data_key)
        atomic_write(path, self.to_bytes())

    @classmethod
    def new(cls, data_key: bytes) -> KeyFile:
        return cls(workspace=str(uuid.uuid4()), key_id=key_id(data_key), slots=[])

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise LockedError(
                f"no key file at {path}",
                hint="is this the right workspace? (`cosa init` creates one)",
            ) from None
        except PermissionError:
            raise UserError(f"cannot read the key file {path}: permission denied") from None
        try:
            if len(raw) > MAX_KEYFILE:
                raise ValueError("it is far too large")
            obj = json.loads(raw)
            if not isinstance(obj, dict) or obj.get("format") != FORMAT:
                raise ValueError("not a cosa key file")
            version = obj.get("version")
            if type(version) is not int or version not in READABLE_VERSIONS:
                raise ValueError(f"unsupported key file version {str(version)[:20]}")
            kf = cls(
                workspace=_text(obj, "workspace"),
                key_id=_text(obj, "key_id"),
                slots=check_slots(obj["slots"]),
                head=_head(obj["head"]),
                pending=check_pending(obj.get("pending")),
                mac=_text(obj, "mac"),
                seal=check_seal(obj.get("seal")),
                seeds=check_seeds(obj.get("seeds")),
                sqlcipher=check_sqlcipher(obj.get("sqlcipher")),
                version=version,
            )
            if version == 1 and any("user" in s for s in kf.all_slots()):
                raise ValueError("a version 1 key file has named slots")
            names = [p["name"].casefold() for p in kf.people()]
            if len(names) != len(set(names)):
                raise ValueError("two slots name the same person")
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            why = exc if not isinstance(exc, KeyError) else f"{exc} is missing"
            raise IntegrityError(
                f"the key file {path} is damaged ({str(why)[:200]})",
                hint="restore cosa.keys from a backup (`cosa restore`) or run `cosa doctor`",
            ) from None
        return kf

    def all_slots(self) -> list[dict[str, Any]]:
        return [slot for slot, _kid, _previous in self._slots_with_ids()]

    # -- unwrapping --------------------------------------------------------------------------

    def candidate_keys(self, kind: str, secret: bytes) -> list[bytes]:
        """Every data key `secret` unwraps (see `unlock`)."""
        return self.unlock(kind, secret).keys

    def unlock(self, kind: str, secret: bytes) -> Unlocked:
        """The data keys `secret` unwraps and whose slot it opened.

        Slots are tried in order, one Argon2id derivation per distinct KDF parameter set
        (every person's slot has its own salt), stopping at the first set whose KEK unwraps a
        slot: the person listed k-th costs k derivations, a wrong secret one per person. A
        pending rotation's slot for a person reuses that person's KDF parameters, so it costs
        nothing more. The result lists the current key first, then a pending rotation's keys.
        """
        groups: dict[str, list[tuple[dict[str, Any], str, dict[str, Any] | None]]] = {}
        for entry in self._slots_with_ids():
            if entry[0]["kind"] == kind:
                groups.setdefault(json.dumps(entry[0]["kdf"], sort_keys=True), []).append(entry)
        for entries in groups.values():
            kek = derive_kek(secret, entries[0][0]["kdf"])
            keys: list[bytes] = []
            opened: dict[str, Any] | None = None
            for slot, kid, previous_box in entries:
                key = _open(kek, slot, _aad(kind, kid))
                if key is None:
                    continue
                opened = opened or slot
                keys.append(key)
                if previous_box is not None:
                    previous = _open(key, previous_box, _aad("previous", kid))
                    if previous is not None:
                        keys.append(previous)
            if opened is not None:
                unique: list[bytes] = []
                for key in keys:
                    if key not in unique:
                        unique.append(key)
                user = opened.get("user") or {}
                return Unlocked(unique, user.get("name"), str(user.get("role", "coordinator")), kek)
        return Unlocked([])

    def _slots_with_ids(self) -> list[tuple[dict[str, Any], str, dict[str, Any] | None]]:
        """(slot, key id it wraps, box holding the older key that key unwraps, if any)."""
        out: list[tuple[dict[str, Any], str, dict[str, Any] | None]] = [
            (s, self.key_id, None) for s in self.slots
        ]
        if self.pending:
            for group in (self.pending, *self.pending.get("earlier", [])):
                kid = str(group["key_id"])
                out += [(s, kid, group["previous"]) for s in group["slots"]]
        return out

    # -- rotation ----------------------------------------------------------------------------

    def begin_rotation(
        self,
        old_key: bytes,
        new_key: bytes,
        passphrase_kek: bytes,
        recovery_code: str,
        person: str | None = None,
    ) -> None:
        """Record a pending rotation to `new_key` (the passphrase slot keeps its KDF salt).

        Only `person`'s passphrase slot (the one rotating) is rewrapped: nobody else's
        passphrase is at hand, so the other people's slots end with the rotation and they are
        added again (`cosa user add`)."""
        new_id = key_id(new_key)
        earlier: list[dict[str, Any]] = []
        if self.pending:
            # It may have handed out its code before it stopped: keep that code usable.
            earlier = list(self.pending.get("earlier", []))
            earlier.append(
                {
                    "key_id": self.pending["key_id"],
                    "slots": [s for s in self.pending["slots"] if s["kind"] == "recovery"],
                    "previous": self.pending["previous"],
                }
            )
        own = self.person_slot(person) if person is not None else None
        own = own or self.slot("passphrase")
        pass_kdf = own["kdf"]
        rec_kdf = new_kdf_params()
        rec_kek = derive_kek(recovery_secret(recovery_code), rec_kdf)
        if self.seal is not None:
            # The new code cannot reach the old seed: give it the ratchet from here on.
            from cosa import seal

            n, current = seal.unwrap_current(old_key, self.workspace, self.seal)
            self.seeds = [b for b in self.seeds if int(b["from"]) != n]
            self.seeds.append(seal.wrap_seed(rec_kek, rec_kdf, self.workspace, n, current))
        self.pending = {
            "key_id": new_id,
            "slots": [
                make_slot("passphrase", passphrase_kek, pass_kdf, new_key, own.get("user")),
                make_slot("recovery", rec_kek, rec_kdf, new_key),
            ],
            "previous": _seal(new_key, old_key, _aad("previous", new_id)),
            "delivered": False,
        }
        if earlier:
            self.pending["earlier"] = earlier[-MAX_EARLIER:]

    def finish_rotation(self, new_key: bytes) -> None:
        """Promote the pending slots; the seal key is rewrapped under `new_key`."""
        assert self.pending is not None
        if self.seal is not None:
            from cosa import seal

            kid = str(self.pending["key_id"])
            old_key = _open(new_key, self.pending["previous"], _aad("previous", kid))
            if old_key is not None:
                n, current = seal.unwrap_current(old_key, self.workspace, self.seal)
                self.seal = seal.wrap_current(new_key, self.workspace, n, current)
        self.key_id = str(self.pending["key_id"])
        self.slots = list(self.pending["slots"])
        self.pending = None


#: A key file is a few KiB; anything much larger is not one (and is not parsed).
MAX_KEYFILE = 1 << 20


def _text(obj: dict[str, Any], name: str) -> str:
    value = obj[name]
    if not isinstance(value, str):
        raise ValueError(f"{name} is not text")
    return value


def check_slots(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or len(value) > 16:
        raise ValueError("slots is not a short list")
    for slot in value:
        if not isinstance(slot, dict) or slot.get("kind") not in ("passphrase", "recovery"):
            raise ValueError("a slot has no known kind")
        for name in ("nonce", "ct"):
            _text(slot, name)
        check_kdf(slot.get("kdf"))
        if "user" in slot:
            check_user(slot["user"], slot["kind"])
    return value


def check_user(value: Any, kind: str = "passphrase") -> dict[str, Any]:
    """A passphrase slot's person: {"name": text, "role": coordinator|manager}."""
    if kind != "passphrase" or not isinstance(value, dict) or set(value) != {"name", "role"}:
        raise ValueError("a slot's user is not a name and a role")
    name = value["name"]
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME or not name.isprintable():
        raise ValueError("a slot's user name is not a short line of text")
    if value["role"] not in ROLES:
        raise ValueError(f"a slot's user role {str(value['role'])[:20]!r} is unknown")
    return value


def _head(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("head is not an object")
    if type(value.get("seq", 0)) is not int or not isinstance(value.get("hash", ""), str):
        raise ValueError("head has the wrong types")
    return value


def _box(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("a wrapped key is not an object")
    _text(value, "nonce"), _text(value, "ct")
    return value


def check_seal(value: Any) -> dict[str, Any] | None:
    """The audit-seal ratchet's next key, wrapped under the data key (optional)."""
    if value is None:
        return None
    if not isinstance(value, dict) or type(value.get("n")) is not int or value["n"] < 0:
        raise ValueError("seal is not a wrapped ratchet key")
    for name in ("nonce", "ct", "tag"):
        _text(value, name)
    return value


def check_seeds(value: Any) -> list[dict[str, Any]]:
    """The ratchet's seed(s), wrapped under the recovery code's key (optional)."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 4096:  # one per key rotation
        raise ValueError("seeds is not a list")
    for box in value:
        if not isinstance(box, dict) or type(box.get("from")) is not int:
            raise ValueError("a seed has no position")
        if "user" in box and not isinstance(box["user"], str):
            raise ValueError("a seed's user is not text")
        _box(box)
        check_kdf(box.get("kdf"))
    return value


def check_sqlcipher(value: Any) -> dict[str, Any] | None:
    """The SQLCipher settings the database was made with (optional)."""
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) > 32:
        raise ValueError("sqlcipher is not a short object")
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value.values()):
        raise ValueError("sqlcipher settings have the wrong types")
    return value


def check_pending(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("pending is not an object")
    earlier = value.get("earlier", [])
    if not isinstance(earlier, list) or len(earlier) > MAX_EARLIER:
        raise ValueError("pending.earlier is not a short list")
    for group in (value, *earlier):
        if not isinstance(group, dict):
            raise ValueError("a pending group is not an object")
        _text(group, "key_id")
        check_slots(group["slots"])
        _box(group["previous"])
    if not isinstance(value.get("delivered", False), bool):
        raise ValueError("pending.delivered is not true or false")
    return value


def check_passphrase_strength(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserError(
            f"the passphrase must be at least {MIN_PASSPHRASE} characters",
            hint="a few unrelated words make a strong, memorable passphrase",
        )


def new_data_key() -> bytes:
    return os.urandom(KEY_BYTES)
