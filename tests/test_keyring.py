"""Tests for cosa.keyring against the real kernel keyring (skipped where there is none)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest

from cosa import keyring

NO_KEYRING = "kernel session keyring not usable here (not Linux, or keyctl blocked)"
needs_keyring = pytest.mark.skipif(not keyring.available(), reason=NO_KEYRING)


@pytest.fixture
def names() -> Iterator[list[str]]:
    """Hands out unique key names; every one is dropped afterwards."""
    made: list[str] = []
    yield made
    if keyring.available():
        for name in made:
            keyring.drop(name)


def fresh(names: list[str]) -> str:
    name = f"cosa-test:{uuid.uuid4()}"
    names.append(name)
    return name


@needs_keyring
def test_round_trip_binary_payload(names: list[str]) -> None:
    for secret in (b"\x00abc\x00\x00def\x00", os.urandom(32), b"\x00" * 32):
        name = fresh(names)
        keyring.store(name, secret, 60)
        assert keyring.load(name) == secret


@needs_keyring
def test_payload_larger_than_first_read_buffer(names: list[str]) -> None:
    name = fresh(names)
    secret = os.urandom(32767)  # the kernel's maximum for "user" keys
    keyring.store(name, secret, 60)
    assert keyring.load(name) == secret


@needs_keyring
def test_store_replaces_existing_key(names: list[str]) -> None:
    name = fresh(names)
    keyring.store(name, b"first", 60)
    keyring.store(name, b"second, and longer than the first", 60)
    assert keyring.load(name) == b"second, and longer than the first"
    assert keyring.drop(name) is True
    assert keyring.load(name) is None  # one drop removes it: no older copy left behind


@needs_keyring
def test_drop_makes_it_gone(names: list[str]) -> None:
    name = fresh(names)
    keyring.store(name, os.urandom(32), 60)
    assert keyring.drop(name) is True
    assert keyring.load(name) is None
    assert keyring.drop(name) is False
    assert keyring.set_timeout(name, 60) is False


@needs_keyring
def test_missing_key(names: list[str]) -> None:
    name = fresh(names)
    assert keyring.load(name) is None
    assert keyring.set_timeout(name, 60) is False
    assert keyring.drop(name) is False


@needs_keyring
def test_timeouts(names: list[str]) -> None:
    # The kernel counts whole seconds: a 1 s key may expire at once, so nothing asserts
    # that a 1 s key is still there; one shared sleep keeps the test fast.
    expires = fresh(names)
    keyring.store(expires, b"gone soon", 1)

    shortened = fresh(names)
    keyring.store(shortened, b"shortened", 60)
    assert keyring.set_timeout(shortened, 1) is True

    extended = fresh(names)
    keyring.store(extended, b"extended", 2)
    assert keyring.set_timeout(extended, 60) is True

    replaced = fresh(names)
    keyring.store(replaced, b"old", 1)
    keyring.store(replaced, b"new", 60)  # a replacement gets the new timeout

    time.sleep(1.3)
    assert keyring.load(expires) is None
    assert keyring.load(shortened) is None
    assert keyring.set_timeout(expires, 60) is False
    assert keyring.load(extended) == b"extended"
    assert keyring.load(replaced) == b"new"

    # An expired key can be stored again under the same name.
    keyring.store(expires, b"back", 60)
    assert keyring.load(expires) == b"back"


@needs_keyring
def test_invalid_arguments(names: list[str]) -> None:
    name = fresh(names)
    with pytest.raises(ValueError):
        keyring.store(name, b"", 60)
    with pytest.raises(ValueError):
        keyring.store(name, b"x" * 32768, 60)
    with pytest.raises(ValueError):
        keyring.store(name, b"x", 0)
    with pytest.raises(ValueError):
        keyring.store("", b"x", 60)
    with pytest.raises(ValueError):
        keyring.load("bad\0name")
    assert keyring.load(name) is None


@needs_keyring
def test_libkeyutils_fallback(monkeypatch: pytest.MonkeyPatch, names: list[str]) -> None:
    monkeypatch.setattr(keyring, "_arch", lambda: None)  # as on an unknown architecture
    monkeypatch.setattr(keyring, "_state", None)
    if keyring._load_keyutils() is None:
        pytest.skip("libkeyutils.so.1 not installed")
    assert keyring.available()
    assert keyring._backend().name == "libkeyutils"
    name = fresh(names)
    secret = b"\x00" + os.urandom(31)
    keyring.store(name, secret, 60)
    assert keyring.load(name) == secret
    assert keyring.set_timeout(name, 30) is True
    assert keyring.drop(name) is True
    assert keyring.load(name) is None


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_unavailable_off_linux(monkeypatch: pytest.MonkeyPatch, platform: str) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(keyring, "_state", None)  # forget the cached probe
    assert keyring.available() is False
    with pytest.raises(keyring.KeyringUnavailable, match="not Linux") as info:
        keyring.store("cosa-test:never", b"secret", 60)
    assert "\n" not in str(info.value)
    with pytest.raises(keyring.KeyringUnavailable):
        keyring.load("cosa-test:never")
    with pytest.raises(keyring.KeyringUnavailable):
        keyring.drop("cosa-test:never")


class _Blocked(keyring._Backend):
    """What a seccomp policy that denies keyctl/add_key looks like from user space."""

    def __init__(self, err: int) -> None:
        self.err = err

    def add_key(self, key_type: bytes, description: bytes, payload: bytes, ring: int) -> int:
        raise OSError(self.err, os.strerror(self.err))

    def keyctl(self, op: int, *args: int) -> int:
        raise OSError(self.err, os.strerror(self.err))


@pytest.mark.parametrize(("err", "word"), [(errno.EPERM, "seccomp"), (errno.ENOSYS, "support")])
def test_unavailable_when_blocked(monkeypatch: pytest.MonkeyPatch, err: int, word: str) -> None:
    monkeypatch.setattr(keyring, "_make_backend", lambda: _Blocked(err))
    monkeypatch.setattr(keyring, "_state", None)
    assert keyring.available() is False
    with pytest.raises(keyring.KeyringUnavailable, match=word):
        keyring.store("cosa-test:never", b"secret", 60)
    with pytest.raises(keyring.KeyringUnavailable):
        keyring.load("cosa-test:never")


def test_import_is_cheap_and_platform_neutral() -> None:
    code = (
        "import sys; sys.platform = 'win32'; import cosa.keyring as k; "
        "assert 'ctypes.util' not in sys.modules; "
        "assert k._state is None; "
        "print(k.available())"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(keyring.__file__)))
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        cwd=root,
        env={**os.environ, "PYTHONPATH": root},
    )
    assert out.stdout.strip() == "False"
