"""Unlock sessions behind one interface: the kernel keyring on Linux, the system credential
store (through `keyring`) on macOS and Windows, with cosa enforcing the times there.

The credential store is `tests/session_backend.FileKeyring` (in memory here) and the clock
is fake: `cosa.session._now` is replaced. Nothing touches the real Keychain, Credential
Manager or Secret Service."""

from __future__ import annotations

import base64
import struct
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from cosa import session
from cosa.session import HARD_LIMIT, CredentialStore, KernelKeyring, SessionUnavailable

from .conftest import Cli
from .session_backend import FileKeyring, credential_store

NAME = "cosa:test-workspace"
KEY = bytes(range(32))


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(session, "_now", fake)
    return fake


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> CredentialStore:
    chosen = credential_store()
    monkeypatch.setattr(session, "select_backend", lambda: chosen)
    return chosen  # type: ignore[no-any-return]


def entries(store: CredentialStore) -> dict[str, str]:
    kept: FileKeyring = store.store
    return kept.entries


# --- the credential store: cosa enforces idle, the 8 h limit and lock -------------------------


def test_a_session_in_the_credential_store_gives_back_its_secret(
    store: CredentialStore, clock: Clock
) -> None:
    session.start(NAME, KEY, 900)
    assert session.load(NAME) == KEY
    assert list(entries(store)) == [f"{NAME}\0unlock-session"]


def test_the_session_holds_any_bytes_not_only_a_32_byte_key(
    store: CredentialStore, clock: Clock
) -> None:
    secret = KEY + "Åsa Öberg".encode()
    session.start(NAME, secret, 900)
    assert session.load(NAME) == secret


def test_an_idle_session_expires_on_time_and_is_deleted(
    store: CredentialStore, clock: Clock
) -> None:
    session.start(NAME, KEY, 900)
    clock.advance(899)
    assert session.load(NAME) == KEY  # a use: the idle time starts again
    clock.advance(899)
    assert session.load(NAME) == KEY
    clock.advance(900)
    assert session.load(NAME) is None
    assert entries(store) == {}


def test_each_use_extends_the_idle_time_but_never_past_eight_hours(
    store: CredentialStore, clock: Clock
) -> None:
    session.start(NAME, KEY, 3600)
    for _ in range(8):
        clock.advance(3599)
        assert session.load(NAME) == KEY
    clock.advance(HARD_LIMIT - 8 * 3599 - 1)
    assert session.load(NAME) == KEY
    clock.advance(1)
    assert session.load(NAME) is None
    assert entries(store) == {}


def test_lock_deletes_the_entry_at_once(store: CredentialStore, clock: Clock) -> None:
    session.start(NAME, KEY, 900)
    assert session.end(NAME) is True
    assert entries(store) == {}
    assert session.load(NAME) is None
    assert session.end(NAME) is False


def _edit(store: CredentialStore, change: Any) -> None:
    entry = f"{NAME}\0unlock-session"
    raw = bytearray(base64.b64decode(entries(store)[entry]))
    change(raw)
    entries(store)[entry] = base64.b64encode(bytes(raw)).decode()


def test_an_edited_expiry_is_refused_and_deleted(store: CredentialStore, clock: Clock) -> None:
    session.start(NAME, KEY, 900)

    def longer(raw: bytearray) -> None:  # idle: 900 s -> 8 h, last use pushed a day ahead
        raw[25:29] = struct.pack("!I", HARD_LIMIT)
        raw[17:25] = struct.pack("!d", clock.now + 86400)

    _edit(store, longer)
    clock.advance(1000)
    assert session.load(NAME) is None
    assert entries(store) == {}


def test_a_damaged_or_foreign_entry_is_refused_and_deleted(
    store: CredentialStore, clock: Clock
) -> None:
    store.store.set_password(NAME, CredentialStore.USER, "not base64 at all!")
    assert session.load(NAME) is None
    assert entries(store) == {}
    session.start(NAME, KEY, 900)
    _edit(store, lambda raw: raw.__setitem__(40, raw[40] ^ 1))  # a bit of the secret
    assert session.load(NAME) is None
    assert entries(store) == {}


def test_a_record_moved_to_another_workspace_name_is_refused(
    store: CredentialStore, clock: Clock
) -> None:
    session.start(NAME, KEY, 900)
    other = "cosa:other-workspace"
    store.store.set_password(
        other, CredentialStore.USER, store.store.get_password(NAME, "unlock-session")
    )
    assert session.load(other) is None
    assert session.load(NAME) == KEY


def test_a_clock_set_back_before_the_session_began_ends_it(
    store: CredentialStore, clock: Clock
) -> None:
    session.start(NAME, KEY, 900)
    clock.advance(-3600)
    assert session.load(NAME) is None
    assert entries(store) == {}


def test_after_a_key_rotation_the_session_holds_the_new_key_and_keeps_its_times(
    store: CredentialStore, clock: Clock
) -> None:
    session.start(NAME, KEY, 900)
    clock.advance(600)
    assert session.replace(NAME, b"\x01" * 32) is True
    assert session.load(NAME) == b"\x01" * 32
    clock.advance(HARD_LIMIT)
    assert session.replace(NAME, KEY) is False
    assert session.load(NAME) is None


def test_start_refuses_an_idle_time_or_secret_out_of_bounds(
    store: CredentialStore, clock: Clock
) -> None:
    for idle, secret in ((0, KEY), (HARD_LIMIT + 1, KEY), (60, b""), (60, b"x" * 513)):
        with pytest.raises(ValueError):
            session.start(NAME, secret, idle)
    assert entries(store) == {}


def test_a_store_that_fails_means_no_session_never_a_traceback(
    store: CredentialStore, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    session.start(NAME, KEY, 900)

    def broken(*args: Any) -> Any:
        raise OSError("the keychain is locked")

    monkeypatch.setattr(store.store, "get_password", broken)
    assert session.load(NAME) is None
    with pytest.raises(SessionUnavailable, match="test credential store: cannot delete"):
        session.end(NAME)
    monkeypatch.setattr(store.store, "set_password", broken)
    with pytest.raises(SessionUnavailable, match="cannot store the session"):
        session.start(NAME, KEY, 900)


# --- backend selection, platform faked -------------------------------------------------------

REAL_SELECT = session.select_backend
REAL_KERNEL_CHECK = KernelKeyring.check


@pytest.fixture
def real_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """cosa's own backend selection, also in the keyring run of .ci/run."""
    monkeypatch.setattr(session, "select_backend", REAL_SELECT)
    monkeypatch.setattr(KernelKeyring, "check", REAL_KERNEL_CHECK)


def test_linux_uses_the_kernel_keyring(
    real_selection: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert isinstance(session.select_backend(), KernelKeyring)


def test_linux_without_a_kernel_keyring_has_no_session_and_never_the_secret_service(
    real_selection: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cosa import keyring

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(
        keyring, "_state", keyring.KeyringUnavailable("kernel keyring unavailable: test")
    )
    monkeypatch.delitem(sys.modules, "keyring.backends.SecretService", raising=False)
    with pytest.raises(SessionUnavailable, match="kernel keyring unavailable"):
        session.backend()
    assert session.load(NAME) is None
    assert "keyring.backends.SecretService" not in sys.modules


def _fake_backend_module(monkeypatch: pytest.MonkeyPatch, module: str, attr: str) -> type:
    class Native(FileKeyring):
        pass

    fake = types.ModuleType(f"keyring.backends.{module}")
    setattr(fake, attr, Native)
    monkeypatch.setitem(sys.modules, f"keyring.backends.{module}", fake)
    import keyring.backends

    monkeypatch.setattr(keyring.backends, module, fake, raising=False)
    return Native


def test_macos_uses_the_keychain(real_selection: None, monkeypatch: pytest.MonkeyPatch) -> None:
    native = _fake_backend_module(monkeypatch, "macOS", "Keyring")
    monkeypatch.setattr(sys, "platform", "darwin")
    chosen = session.backend()
    assert isinstance(chosen, CredentialStore) and isinstance(chosen.store, native)
    assert chosen.label == "the macOS Keychain" and not chosen.native_timeout


def test_windows_uses_the_credential_manager_for_the_logon_session_only(
    real_selection: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    native = _fake_backend_module(monkeypatch, "Windows", "WinVaultKeyring")
    monkeypatch.setattr(sys, "platform", "win32")
    chosen = session.backend()
    assert isinstance(chosen, CredentialStore) and isinstance(chosen.store, native)
    assert chosen.label == "the Windows Credential Manager"
    assert chosen.store.persist == "session"  # never CRED_PERSIST_ENTERPRISE (roaming)


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_an_unusable_credential_store_says_why(
    real_selection: None, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    monkeypatch.setattr(sys, "platform", platform)  # the real backends: unusable on Linux
    with pytest.raises(SessionUnavailable, match="cannot be used"):
        session.backend()
    assert session.load(NAME) is None


def test_other_platforms_have_no_sessions(
    real_selection: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "freebsd14")
    with pytest.raises(SessionUnavailable, match="freebsd14"):
        session.backend()


# --- the commands, on the credential store ---------------------------------------------------


def test_unlock_and_lock_work_through_the_credential_store(
    cli: Cli, store: CredentialStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli("unlock", "--for", "5m")
    assert "the test credential store" in result.output
    monkeypatch.delenv("COSA_PASSPHRASE")
    cli("volunteer", "add", "Ann")
    assert "Ann" in cli("volunteer", "list").stdout
    assert "Locked." in cli("lock").output
    assert entries(store) == {}
    cli("volunteer", "list", code=3)


def test_an_expired_credential_store_session_asks_for_the_passphrase_again(
    cli: Cli, store: CredentialStore, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("unlock", "--for", "15m")
    monkeypatch.delenv("COSA_PASSPHRASE")
    clock.advance(14 * 60)
    cli("volunteer", "list")
    clock.advance(15 * 60 + 1)
    cli("volunteer", "list", code=3)
    assert entries(store) == {}


def test_unlock_says_why_when_no_session_can_be_kept(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, ws_home: Path
) -> None:
    def none_here() -> Any:
        raise SessionUnavailable("kernel keyring unavailable: keyctl failed with EPERM")

    monkeypatch.setattr(session, "backend", none_here)
    result = cli("unlock", code=1)
    assert "cannot keep an unlock session here: kernel keyring unavailable" in result.output
    assert "Traceback" not in result.output


def test_a_credential_store_that_fails_to_start_says_why(
    real_selection: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    native = _fake_backend_module(monkeypatch, "macOS", "Keyring")

    def refuse(self: object) -> None:
        raise RuntimeError("keychain not reachable in this SSH session")

    monkeypatch.setattr(native, "__init__", refuse)
    monkeypatch.setattr(sys, "platform", "darwin")
    with pytest.raises(SessionUnavailable, match="macOS Keychain cannot be used: keychain not"):
        session.backend()
