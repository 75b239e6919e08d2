"""Cache a secret in the Linux kernel's key retention service (the session keyring).

`cosa unlock` keeps the database's *data key* (never the passphrase) here for a limited time
so that later commands skip the Argon2id KDF; `cosa lock` drops it at once (SPEC §2).

Why the kernel **session** keyring:

- The secret lives in kernel memory: it is never written to disk, never swapped, and it is
  gone when the login session ends or the machine reboots.
- The kernel enforces the timeout (`KEYCTL_SET_TIMEOUT`) even if cosa crashes or is killed;
  an expired or revoked key cannot be read by anyone.
- It is scoped to the login session: processes of that session (which *possess* the key
  through the session keyring) can read it; other processes of the same user outside the
  session can at most see that it exists (default permissions: possessor all, user view).
  Root can read it, as root can read everything.

Why not the alternatives:

- Never the desktop keyring (Secret Service, GNOME Keyring, KWallet): it persists secrets to
  disk, needs D-Bus and a desktop session, and hands secrets to any application of the
  desktop that asks.
- Never an environment variable or "token": the environment is inherited by every child
  process, is readable via /proc/PID/environ, and ends up in crash reports and debug logs.

Interface: `available()`, `check()`, `store()`, `load()`, `set_timeout()`, `drop()`, all acting on keys
of type "user" in the session keyring (`KEY_SPEC_SESSION_KEYRING`). When there is no kernel
keyring (not Linux, kernel without keys support, or the calls blocked with ENOSYS/EPERM, e.g.
by a container's seccomp profile) they raise `KeyringUnavailable` (one line, says why) and the
caller falls back to prompting.

Notes for callers:

- Timeouts have one-second granularity: the kernel stores `now_in_whole_seconds + timeout`,
  so a key may expire up to one second *earlier* than `timeout_s` after storing it.
- Replacing a key (`store` on an existing name) updates it in place; the kernel clears its
  expiry on update and `store` then sets the new timeout right away. If setting the timeout
  fails, the freshly stored key is revoked rather than left without a timeout.
- `drop` revokes and unlinks a live key. An already expired key can no longer be found by
  name, so it stays linked (unreadable by anyone) until the kernel's key garbage collector
  frees it (by default five minutes after expiry).
- Without a session keyring of its own (no pam_keyinit, e.g. in some containers), the kernel
  uses the per-user "user session" keyring, which is shared by all sessions of that user.

Implementation: raw `add_key`/`keyctl` system calls through libc's `syscall()` with a
per-architecture table of syscall numbers; where the architecture is not in the table, the
libkeyutils.so.1 wrappers are used if present. Importing this module does nothing but define
names (stdlib only: ctypes, errno, os, sys); all platform work happens on first use.
Nothing here logs or prints a secret.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys

__all__ = ["KeyringUnavailable", "available", "check", "drop", "load", "set_timeout", "store"]


class KeyringUnavailable(Exception):
    """The kernel keyring cannot be used here; the message (one line) says why."""


# --------------------------------------------------------------------------- constants

_KEY_TYPE = b"user"
_KEY_SPEC_SESSION_KEYRING = -3

_KEYCTL_GET_KEYRING_ID = 0
_KEYCTL_REVOKE = 3
_KEYCTL_UNLINK = 9
_KEYCTL_SEARCH = 10
_KEYCTL_READ = 11
_KEYCTL_SET_TIMEOUT = 15

# Linux errno values; spelled out because the errno module lacks them off Linux.
_ENOKEY = 126
_EKEYEXPIRED = 127
_EKEYREVOKED = 128
_NOT_PRESENT = frozenset({_ENOKEY, _EKEYEXPIRED, _EKEYREVOKED})

_MAX_PAYLOAD = 32767  # the kernel's limit for "user" keys
_MAX_DESCRIPTION = 4095
_MAX_TIMEOUT = 2**32 - 1  # KEYCTL_SET_TIMEOUT takes an unsigned int
_READ_BUFFER = 256  # first KEYCTL_READ buffer; grown to the exact size when too small


# --------------------------------------------------------------------------- platform layer
#
# Everything that touches ctypes, libc or the kernel is below, down to `_backend()`.

# Syscall numbers (add_key, request_key, keyctl) and the pointer size the ABI implies.
# x86_64 and i386: arch/x86/entry/syscalls/syscall_{64,32}.tbl; arm (EABI):
# arch/arm/tools/syscall.tbl; aarch64, riscv64, loongarch64: include/uapi/asm-generic/unistd.h.
_SYSCALLS: dict[str, tuple[int, int, int, int]] = {
    "x86_64": (248, 249, 250, 8),
    "i386": (286, 287, 288, 4),
    "aarch64": (217, 218, 219, 8),
    "riscv64": (217, 218, 219, 8),
    "loongarch64": (217, 218, 219, 8),
    "arm": (309, 310, 311, 4),
}


def _platform_supported() -> bool:
    return sys.platform.startswith("linux")


def _arch() -> str | None:
    """This process's syscall ABI as a `_SYSCALLS` key, or None if unknown or ambiguous."""
    # The interpreter's multiarch tuple describes the process (a 32-bit Python on a 64-bit
    # kernel says i386, x32 says gnux32); uname() describes the kernel.
    multiarch = str(getattr(sys.implementation, "_multiarch", "") or "")
    if multiarch:
        if multiarch.endswith(("gnux32", "muslx32")):
            return None
        machine = multiarch.split("-", 1)[0]
    else:
        machine = os.uname().machine
    if machine in {"i386", "i486", "i586", "i686"}:
        machine = "i386"
    elif machine == "arm64":
        machine = "aarch64"
    elif machine.startswith("arm") and not machine.startswith("arm64"):
        machine = "arm"
    entry = _SYSCALLS.get(machine)
    if entry is None or entry[3] != ctypes.sizeof(ctypes.c_void_p):
        return None
    return machine


_ULONG_MASK = (1 << (8 * ctypes.sizeof(ctypes.c_ulong))) - 1


def _oserror() -> OSError:
    err = ctypes.get_errno()
    return OSError(err, os.strerror(err))


class _Backend:
    """The two kernel entry points, raising OSError(errno) on failure."""

    name = "none"

    def add_key(self, key_type: bytes, description: bytes, payload: bytes, ring: int) -> int:
        raise NotImplementedError

    def keyctl(self, op: int, *args: int) -> int:
        raise NotImplementedError


class _SyscallBackend(_Backend):
    """Raw system calls through libc's `long syscall(long number, ...)`."""

    name = "syscall"

    def __init__(self, libc: ctypes.CDLL, add_key_nr: int, keyctl_nr: int) -> None:
        # syscall() is variadic; every argument is passed full register width (long,
        # size_t or pointer) so nothing is left with undefined upper bits.
        add_proto = ctypes.CFUNCTYPE(
            ctypes.c_long,
            ctypes.c_long,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_long,
            use_errno=True,
        )
        ctl_proto = ctypes.CFUNCTYPE(
            ctypes.c_long,
            ctypes.c_long,
            ctypes.c_long,
            ctypes.c_ulong,
            ctypes.c_ulong,
            ctypes.c_ulong,
            ctypes.c_ulong,
            use_errno=True,
        )
        self._add = add_proto(("syscall", libc))
        self._ctl = ctl_proto(("syscall", libc))
        self._add_nr = add_key_nr
        self._ctl_nr = keyctl_nr

    def add_key(self, key_type: bytes, description: bytes, payload: bytes, ring: int) -> int:
        serial = int(self._add(self._add_nr, key_type, description, payload, len(payload), ring))
        if serial == -1:
            raise _oserror()
        return serial

    def keyctl(self, op: int, *args: int) -> int:
        a = [x & _ULONG_MASK for x in args] + [0] * (4 - len(args))
        result = int(self._ctl(self._ctl_nr, op, a[0], a[1], a[2], a[3]))
        if result == -1:
            raise _oserror()
        return result


class _KeyutilsBackend(_Backend):
    """libkeyutils.so.1: `add_key()` and the variadic `long keyctl(int, ...)`."""

    name = "libkeyutils"

    def __init__(self, lib: ctypes.CDLL) -> None:
        add_proto = ctypes.CFUNCTYPE(
            ctypes.c_int32,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_int32,
            use_errno=True,
        )
        ctl_proto = ctypes.CFUNCTYPE(
            ctypes.c_long,
            ctypes.c_int,
            ctypes.c_ulong,
            ctypes.c_ulong,
            ctypes.c_ulong,
            ctypes.c_ulong,
            use_errno=True,
        )
        self._add = add_proto(("add_key", lib))
        self._ctl = ctl_proto(("keyctl", lib))

    def add_key(self, key_type: bytes, description: bytes, payload: bytes, ring: int) -> int:
        serial = int(self._add(key_type, description, payload, len(payload), ring))
        if serial == -1:
            raise _oserror()
        return serial

    def keyctl(self, op: int, *args: int) -> int:
        a = [x & _ULONG_MASK for x in args] + [0] * (4 - len(args))
        result = int(self._ctl(op, a[0], a[1], a[2], a[3]))
        if result == -1:
            raise _oserror()
        return result


def _load_keyutils() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libkeyutils.so.1", use_errno=True)
    except OSError:
        pass
    from ctypes.util import find_library  # slow (may run ldconfig): only on this fallback

    path = find_library("keyutils")
    if path is None:
        return None
    try:
        return ctypes.CDLL(path, use_errno=True)
    except OSError:
        return None


def _make_backend() -> _Backend:
    """Pick raw syscalls if this ABI is known, else libkeyutils; raise KeyringUnavailable."""
    if not _platform_supported():
        raise KeyringUnavailable(
            f"kernel keyring unavailable: not Linux (platform {sys.platform!r})"
        )
    arch = _arch()
    if arch is not None:
        try:
            add_key_nr, _request_key_nr, keyctl_nr, _ = _SYSCALLS[arch]
            libc = ctypes.CDLL(None, use_errno=True)  # the process's own libc
            return _SyscallBackend(libc, add_key_nr, keyctl_nr)
        except (OSError, AttributeError):
            pass  # no usable syscall() in the process; try libkeyutils
    lib = _load_keyutils()
    if lib is not None:
        try:
            return _KeyutilsBackend(lib)
        except AttributeError:
            pass
    raise KeyringUnavailable(
        "kernel keyring unavailable: unknown syscall numbers for this architecture "
        "and libkeyutils.so.1 not found"
    )


def _probe() -> _Backend:
    backend = _make_backend()
    try:
        backend.keyctl(_KEYCTL_GET_KEYRING_ID, _KEY_SPEC_SESSION_KEYRING, 0)
    except OSError as exc:
        raise _unavailable(exc, "keyctl") from None
    return backend


_state: _Backend | KeyringUnavailable | None = None


def _backend() -> _Backend:
    """The probed backend (cached), or raise the cached KeyringUnavailable."""
    global _state
    if _state is None:
        try:
            _state = _probe()
        except KeyringUnavailable as exc:
            _state = exc
    if isinstance(_state, KeyringUnavailable):
        raise KeyringUnavailable(str(_state))
    return _state


# --------------------------------------------------------------------------- helpers


def _unavailable(exc: OSError, call: str) -> KeyringUnavailable:
    err = exc.errno if exc.errno is not None else 0
    code = errno.errorcode.get(err, str(err))
    if err == errno.ENOSYS:
        why = "the kernel has no key retention support or the call is blocked"
    elif err == errno.EPERM:
        why = "the call is not permitted (blocked by a seccomp policy, e.g. in a container?)"
    elif err == errno.EACCES:
        why = "the session keyring is not accessible (after su/sudo without a new session?)"
    elif err == errno.EDQUOT:
        why = "the key quota of this user is exhausted"
    else:
        why = os.strerror(err) if err else "unknown error"
    return KeyringUnavailable(f"kernel keyring unavailable: {call} failed with {code}: {why}")


def _description(name: str) -> bytes:
    if not isinstance(name, str) or not name:
        raise ValueError("key name must be a non-empty string")
    data = name.encode("utf-8")
    if b"\0" in data or len(data) > _MAX_DESCRIPTION:
        raise ValueError(f"key name must be 1..{_MAX_DESCRIPTION} bytes without NUL")
    return data


def _check_timeout(timeout_s: int) -> None:
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, int):
        raise TypeError("timeout_s must be an int")
    if not 1 <= timeout_s <= _MAX_TIMEOUT:
        # 0 would mean "never expires": never wanted for a cached secret.
        raise ValueError(f"timeout_s must be between 1 and {_MAX_TIMEOUT} seconds")


def _session_keyring(backend: _Backend) -> int:
    """The serial of the keyring to use: the process's session keyring, or — when the process
    has none (no pam_keyinit: containers, some service managers) — the user-session keyring
    that the kernel searches in its place. Resolving it without "create" matters: asking
    add_key for KEY_SPEC_SESSION_KEYRING would give such a process a fresh anonymous session
    keyring that dies with it, and the next command would not find the key.
    """
    try:
        return backend.keyctl(_KEYCTL_GET_KEYRING_ID, _KEY_SPEC_SESSION_KEYRING, 0)
    except OSError as exc:
        raise _unavailable(exc, "KEYCTL_GET_KEYRING_ID") from None


def _search(backend: _Backend, description: bytes) -> int | None:
    """Serial of the "user" key `description` reachable from the session keyring, or None."""
    key_type = ctypes.create_string_buffer(_KEY_TYPE)
    desc = ctypes.create_string_buffer(description)
    try:
        return backend.keyctl(
            _KEYCTL_SEARCH,
            _session_keyring(backend),
            ctypes.addressof(key_type),
            ctypes.addressof(desc),
            0,  # do not link the found key anywhere
        )
    except OSError as exc:
        if exc.errno in _NOT_PRESENT:
            return None
        raise _unavailable(exc, "KEYCTL_SEARCH") from None


def _read(backend: _Backend, serial: int) -> bytes | None:
    """The payload of key `serial`; the intermediate buffer is zeroed before returning."""
    size = _READ_BUFFER
    for _ in range(4):  # the payload may be replaced (grown) between two reads
        buf = ctypes.create_string_buffer(size)
        try:
            try:
                length = backend.keyctl(_KEYCTL_READ, serial, ctypes.addressof(buf), size)
            except OSError as exc:
                if exc.errno in _NOT_PRESENT or exc.errno == errno.EACCES:
                    return None  # gone meanwhile, or a key we may not read: not ours
                raise _unavailable(exc, "KEYCTL_READ") from None
            if length <= size:
                return ctypes.string_at(ctypes.addressof(buf), length)
            size = length
        finally:
            ctypes.memset(buf, 0, ctypes.sizeof(buf))
    raise KeyringUnavailable("kernel keyring unavailable: KEYCTL_READ kept changing size")


def _discard(backend: _Backend, serial: int) -> bool:
    """Revoke key `serial` and unlink it from the session keyring; True if either worked."""
    done = False
    for op, args in (
        (_KEYCTL_REVOKE, (serial,)),
        (_KEYCTL_UNLINK, (serial, _session_keyring(backend))),
    ):
        try:
            backend.keyctl(op, *args)
            done = True
        except OSError as exc:
            if exc.errno in _NOT_PRESENT:
                done = True  # already dead: as good as revoked
            elif exc.errno not in (errno.ENOENT, errno.EACCES):
                raise _unavailable(exc, "KEYCTL_REVOKE/UNLINK") from None
    return done


# --------------------------------------------------------------------------- public API


def available() -> bool:
    """True if the kernel session keyring can be used (probed once, then cached)."""
    try:
        _backend()
    except KeyringUnavailable:
        return False
    return True


def check() -> None:
    """Raise KeyringUnavailable, saying why in one line, if the kernel keyring cannot be used."""
    _backend()


def store(name: str, secret: bytes, timeout_s: int) -> None:
    """Add or replace the "user" key `name` in the session keyring, expiring in `timeout_s`.

    Raises KeyringUnavailable if the keyring cannot be used or the key cannot be stored;
    ValueError/TypeError for an empty or oversized name/secret or a bad timeout.
    """
    description = _description(name)
    if not isinstance(secret, bytes | bytearray | memoryview):
        raise TypeError("secret must be bytes")
    payload = bytes(secret)
    if not 1 <= len(payload) <= _MAX_PAYLOAD:
        raise ValueError(f"secret must be 1..{_MAX_PAYLOAD} bytes")
    _check_timeout(timeout_s)
    backend = _backend()
    for attempt in range(2):
        try:
            serial = backend.add_key(_KEY_TYPE, description, payload, _session_keyring(backend))
        except OSError as exc:
            raise _unavailable(exc, "add_key") from None
        try:
            backend.keyctl(_KEYCTL_SET_TIMEOUT, serial, timeout_s)
            return
        except OSError as exc:
            # Never leave the secret behind without a timeout.
            _discard(backend, serial)
            if exc.errno in _NOT_PRESENT and attempt == 0:
                continue  # add_key updated an expired/revoked key in place: add a fresh one
            raise _unavailable(exc, "KEYCTL_SET_TIMEOUT") from None
    raise KeyringUnavailable("kernel keyring unavailable: the stored key kept expiring")


def load(name: str) -> bytes | None:
    """The secret stored under `name`, or None if absent, expired or revoked.

    Raises KeyringUnavailable only if the keyring itself cannot be used.
    """
    description = _description(name)
    backend = _backend()
    serial = _search(backend, description)
    if serial is None:
        return None
    return _read(backend, serial)


def set_timeout(name: str, timeout_s: int) -> bool:
    """Reset the key's timeout to `timeout_s` from now; False if there is no such key."""
    description = _description(name)
    _check_timeout(timeout_s)
    backend = _backend()
    serial = _search(backend, description)
    if serial is None:
        return False
    try:
        backend.keyctl(_KEYCTL_SET_TIMEOUT, serial, timeout_s)
    except OSError as exc:
        if exc.errno in _NOT_PRESENT:
            return False
        raise _unavailable(exc, "KEYCTL_SET_TIMEOUT") from None
    return True


def drop(name: str) -> bool:
    """Revoke and unlink the key `name` so it is unreadable at once; True if one was dropped.

    Raises KeyringUnavailable if the keyring cannot be used.
    """
    description = _description(name)
    backend = _backend()
    dropped = False
    for _ in range(8):  # a match may also sit in a keyring nested in the session keyring
        serial = _search(backend, description)
        if serial is None:
            return dropped
        if not _discard(backend, serial):
            raise KeyringUnavailable("kernel keyring unavailable: could not revoke the key")
        dropped = True
    raise KeyringUnavailable("kernel keyring unavailable: the key could not be dropped")
