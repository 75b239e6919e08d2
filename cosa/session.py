"""Unlock sessions: keep a secret (the data key) for a while so commands skip the KDF.

One interface, two backends, chosen at run time by platform:

- **Linux: the kernel keyring** (`cosa.keyring`), as before. The kernel enforces the idle
  timeout even if cosa is killed; a use resets it (`KEYCTL_SET_TIMEOUT`). Never the desktop
  Secret Service (SPEC §2): if the kernel keyring cannot be used, there is no session and
  cosa asks for the passphrase at each command.
- **macOS and Windows: the system credential store** (the login Keychain, the Windows
  Credential Manager) through the `keyring` package's native backends, instantiated
  directly — never `keyring.get_keyring()`, whose configuration could route the secret to
  a plaintext file backend. On Windows the credential is stored with *session* persistence:
  it lives for the logon session only and never roams with the profile. These stores have
  no timeouts, so cosa enforces them itself (below).
- Anywhere else (e.g. the BSDs): no sessions; cosa prompts.

What is stored, under the name `cosa:<workspace id>`, is one record::

    version (1 byte) | started | deadline | last use (3 doubles, unix time) | idle (uint32)
    | secret | HMAC-SHA256

The HMAC is keyed with the secret and covers the name and every field, so an edited
deadline, idle time or last use (or a record moved to another name) is refused and deleted.
(Whoever can *read* the record holds the secret anyway, which is more than a longer session.)

cosa checks every record it reads, on every backend: past the deadline (at most 8 h after
`cosa unlock`), idle for longer than its idle time (where cosa tracks idle, i.e. the
credential store), a clock that went back before the session started or before its last
use, or a record that does not verify: the record is deleted and the caller prompts. On the
credential store each use rewrites the record with the new last use, which is what extends
the idle time there.

Residual race, credential store only: a command that read the record just before
`cosa lock` deleted it may write it back (with its new last use) right after; the kernel
keyring does not have this race (a revoked key cannot have its timeout reset).

The secret is bytes in, bytes out: this module does not know what it holds.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import struct
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol

#: No session outlives this, whatever `--for` says and however often it is used.
HARD_LIMIT = 8 * 3600
#: The longest secret a session holds (a credential blob on Windows is at most 2560 bytes).
MAX_SECRET = 512
#: How far the clock may step back (NTP adjustments) before a session is refused.
CLOCK_SLACK = 60

_VERSION = 2
_HEADER = struct.Struct("!BdddI")
_MAC_SIZE = 32
_MAC_CONTEXT = b"cosa unlock session\0"


class SessionUnavailable(Exception):
    """No unlock session can be kept here; the message (one line) says why."""


def _now() -> float:
    return time.time()


# --------------------------------------------------------------------------- backends


class Backend(Protocol):
    #: Where the session is kept, for messages ("the kernel keyring").
    label: str
    #: True where the store itself expires an idle entry (then `touch` only resets it).
    native_timeout: bool

    def check(self) -> None:
        """Raise SessionUnavailable (saying why) if this store cannot be used."""

    def put(self, name: str, payload: bytes, timeout_s: int) -> None:
        """Store `payload` under `name`, replacing any; expiring in `timeout_s` if native."""

    def get(self, name: str) -> bytes | None:
        """The payload under `name`, or None."""

    def touch(self, name: str, payload: bytes, timeout_s: int) -> bool:
        """Record a use: reset the native timeout, or store the updated `payload`."""

    def delete(self, name: str) -> bool:
        """Remove `name` at once; True if something was removed."""


class KernelKeyring:
    """The Linux kernel session keyring (see `cosa.keyring`)."""

    label = "the kernel keyring"
    native_timeout = True

    def check(self) -> None:
        from cosa import keyring

        try:
            keyring.check()
        except keyring.KeyringUnavailable as exc:
            raise SessionUnavailable(str(exc)) from None

    def put(self, name: str, payload: bytes, timeout_s: int) -> None:
        from cosa import keyring

        try:
            keyring.store(name, payload, timeout_s)
        except keyring.KeyringUnavailable as exc:
            raise SessionUnavailable(str(exc)) from None

    def get(self, name: str) -> bytes | None:
        from cosa import keyring

        try:
            return keyring.load(name)
        except keyring.KeyringUnavailable as exc:
            raise SessionUnavailable(str(exc)) from None

    def touch(self, name: str, payload: bytes, timeout_s: int) -> bool:
        from cosa import keyring

        try:
            # never re-adds: a key revoked by `cosa lock` meanwhile stays gone
            return keyring.set_timeout(name, timeout_s)
        except keyring.KeyringUnavailable as exc:
            raise SessionUnavailable(str(exc)) from None

    def delete(self, name: str) -> bool:
        from cosa import keyring

        try:
            return keyring.drop(name)
        except keyring.KeyringUnavailable as exc:
            raise SessionUnavailable(str(exc)) from None


class CredentialStore:
    """A `keyring` package backend (macOS Keychain, Windows Credential Manager).

    The entry's service is the session name and its user name `unlock-session`; the payload
    is stored as base64 text (the stores hold text). (On Windows, `keyring` moves the value
    it replaces to the target `unlock-session@<name>`; deleting removes both.)
    """

    USER = "unlock-session"
    native_timeout = False

    def __init__(self, store: Any, label: str) -> None:
        self.store = store  # a keyring.backend.KeyringBackend
        self.label = label

    #: platform: (module, class, label, attributes set on the instance)
    NATIVE: ClassVar[dict[str, tuple[str, str, str, dict[str, str]]]] = {
        "darwin": ("keyring.backends.macOS", "Keyring", "the macOS Keychain", {}),
        # CRED_PERSIST_SESSION: gone at logoff, never written to the roaming profile
        "win32": (
            "keyring.backends.Windows",
            "WinVaultKeyring",
            "the Windows Credential Manager",
            {"persist": "session"},
        ),
    }

    @classmethod
    def system(cls) -> CredentialStore:
        """The native store of this platform; SessionUnavailable where there is none."""
        import importlib

        native = cls.NATIVE.get(sys.platform)
        if native is None:
            raise SessionUnavailable(f"no system credential store on {sys.platform}")
        module, name, label, attributes = native
        try:
            backend_class = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as exc:
            raise SessionUnavailable(
                f"the `keyring` package is missing or broken ({exc}); reinstall cosa"
            ) from None
        try:
            backend_class.priority  # noqa: B018 - raises where the store is unusable
            store = backend_class()
            for attribute, value in attributes.items():
                setattr(store, attribute, value)
        except Exception as exc:
            raise SessionUnavailable(f"{label} cannot be used: {exc}") from None
        return cls(store, label)

    def check(self) -> None:
        return None  # `system()` checked it

    def _errors(self, what: str, exc: Exception) -> SessionUnavailable:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return SessionUnavailable(f"{self.label}: cannot {what} the session ({first})")

    def put(self, name: str, payload: bytes, timeout_s: int) -> None:
        import base64

        try:
            self.store.set_password(name, self.USER, base64.b64encode(payload).decode("ascii"))
        except Exception as exc:  # keyring.errors.*, pywintypes.error, OSError
            raise self._errors("store", exc) from None

    def get(self, name: str) -> bytes | None:
        import base64
        import binascii

        try:
            text = self.store.get_password(name, self.USER)
        except Exception as exc:
            raise self._errors("read", exc) from None
        if text is None:
            return None
        try:
            return base64.b64decode(text.encode("ascii"), validate=True)
        except (ValueError, binascii.Error, UnicodeError):
            return b""  # not ours, or damaged: refused (and deleted) by the caller

    def touch(self, name: str, payload: bytes, timeout_s: int) -> bool:
        self.put(name, payload, timeout_s)
        return True

    def delete(self, name: str) -> bool:
        try:
            from keyring.errors import PasswordDeleteError
        except ImportError:  # pragma: no cover - keyring is there when this store is
            raise SessionUnavailable("the `keyring` package is missing") from None
        try:
            if self.store.get_password(name, self.USER) is None:
                return False
            self.store.delete_password(name, self.USER)
        except PasswordDeleteError:
            return False
        except Exception as exc:
            raise self._errors("delete", exc) from None
        return True


def select_backend() -> Backend:
    """This platform's session store (not yet checked for usability)."""
    if sys.platform.startswith("linux"):
        return KernelKeyring()
    if sys.platform in ("darwin", "win32"):
        return CredentialStore.system()
    raise SessionUnavailable(f"no unlock sessions on this platform ({sys.platform})")


def backend() -> Backend:
    """The usable session store here, or SessionUnavailable saying why."""
    chosen = select_backend()
    chosen.check()
    return chosen


# --------------------------------------------------------------------------- the record


@dataclass
class Record:
    started: float
    deadline: float
    last_use: float
    idle: int
    secret: bytes

    def pack(self, name: str) -> bytes:
        body = _HEADER.pack(_VERSION, self.started, self.deadline, self.last_use, self.idle)
        body += self.secret
        return body + _mac(name, body, self.secret)

    @classmethod
    def unpack(cls, name: str, payload: bytes) -> Record | None:
        """The record if `payload` is a well-formed, authentic record for `name`."""
        if len(payload) < _HEADER.size + 1 + _MAC_SIZE or payload[0] != _VERSION:
            return None
        body, mac = payload[:-_MAC_SIZE], payload[-_MAC_SIZE:]
        _version, started, deadline, last_use, idle = _HEADER.unpack(body[: _HEADER.size])
        secret = body[_HEADER.size :]
        if not hmac.compare_digest(mac, _mac(name, body, secret)):
            return None
        return cls(started, deadline, last_use, idle, secret)

    def stale(self, now: float, *, track_idle: bool) -> bool:
        return (
            now >= self.deadline
            or self.deadline - self.started > HARD_LIMIT
            or not 1 <= self.idle <= HARD_LIMIT
            or now < self.started - CLOCK_SLACK
            or now < self.last_use - CLOCK_SLACK
            or (track_idle and now >= self.last_use + self.idle)
        )

    def timeout(self, now: float) -> int:
        """Seconds until this session locks if unused (for a native timeout)."""
        return max(1, int(min(self.idle, self.deadline - now)))


def _mac(name: str, body: bytes, secret: bytes) -> bytes:
    message = _MAC_CONTEXT + name.encode("utf-8") + b"\0" + body
    return hmac.new(secret, message, hashlib.sha256).digest()


# --------------------------------------------------------------------------- public API


def start(name: str, secret: bytes, idle_s: int) -> datetime:
    """Keep `secret` under `name` for `idle_s` seconds of inactivity (at most 8 h in all).
    Returns when it locks if unused; SessionUnavailable if it cannot be kept."""
    if not 1 <= idle_s <= HARD_LIMIT:
        raise ValueError(f"idle time must be 1..{HARD_LIMIT} seconds")
    if not 1 <= len(secret) <= MAX_SECRET:
        raise ValueError(f"a session holds 1..{MAX_SECRET} bytes")
    store = backend()
    now = _now()
    record = Record(now, now + HARD_LIMIT, now, idle_s, bytes(secret))
    store.put(name, record.pack(name), record.timeout(now))
    return datetime.fromtimestamp(now + min(idle_s, HARD_LIMIT))


def load(name: str) -> bytes | None:
    """The secret of the live session `name` (counting as a use), else None. A stale or
    forged record is deleted. Never raises for an unusable store: no session, then."""
    try:
        store = backend()
        payload = store.get(name)
    except SessionUnavailable:
        return None
    if payload is None:
        return None
    now = _now()
    record = Record.unpack(name, payload)
    if record is None or record.stale(now, track_idle=not store.native_timeout):
        with contextlib.suppress(SessionUnavailable):
            store.delete(name)
        return None
    record.last_use = now
    try:
        if not store.touch(name, record.pack(name), record.timeout(now)):
            return None  # gone meanwhile (locked, or expired this very second)
    except SessionUnavailable:
        return None
    return record.secret


def replace(name: str, secret: bytes) -> bool:
    """Put `secret` in the live session `name`, keeping its times (after a key rotation).
    False if there is no live session."""
    if not 1 <= len(secret) <= MAX_SECRET:
        raise ValueError(f"a session holds 1..{MAX_SECRET} bytes")
    try:
        store = backend()
        payload = store.get(name)
    except SessionUnavailable:
        return False
    record = None if payload is None else Record.unpack(name, payload)
    now = _now()
    if record is None or record.stale(now, track_idle=not store.native_timeout):
        return False
    record.secret = bytes(secret)
    record.last_use = now
    try:
        store.put(name, record.pack(name), record.timeout(now))
    except SessionUnavailable:
        return False
    return True


def end(name: str) -> bool:
    """End the session `name` now; True if there was one. SessionUnavailable if the store
    cannot be reached (there can be no session there either)."""
    return backend().delete(name)
