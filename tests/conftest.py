"""Shared fixtures: every test gets its own workspace location, never the real home."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cosa import vault
from cosa.cli import app
from cosa.workspace import Workspace

PASSPHRASE = "correct horse battery staple"
CHEAP_KDF = {"t": 1, "m": 8 * 1024, "p": 1}


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point everything at tmp_path and make new key slots cheap to derive.

    The KDF parameters are stored per slot, so a workspace made here opens cheaply in a
    subprocess too; production defaults are untouched (tests/test_vault.py checks them).
    """
    monkeypatch.setattr(vault, "DEFAULT_KDF", dict(CHEAP_KDF))
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("COSA_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("NO_COLOR", "1")
    for var in ("COSA_PASSPHRASE", "COSA_PASSPHRASE_FILE", "COSA_OPERATOR", "COSA_DEBUG"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(autouse=True)
def _session_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With COSA_TEST_SESSION_BACKEND=keyring (the second run in .ci/run), unlock sessions go
    to a `keyring` backend (tests/session_backend.py) as on macOS and Windows."""
    from .session_backend import FILE_VAR, install, keyring_mode

    if keyring_mode():
        path = tmp_path / "credentials.json"
        monkeypatch.setenv(FILE_VAR, str(path))
        install(path, monkeypatch.setattr)


class _NoNetworkSocket(socket.socket):
    """An internet socket that cannot be made (Unix sockets still work)."""

    def __init__(self, family: Any = -1, type: Any = -1, proto: int = -1, fileno: Any = None):
        if fileno is None and family in (-1, socket.AF_INET, socket.AF_INET6):
            raise OSError("a test tried to use the network; cosa never opens a connection")
        super().__init__(family, type, proto, fileno)


def _refuse_connection(*args: Any, **kwargs: Any) -> Any:
    raise OSError("a test tried to use the network; cosa never opens a connection")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with internet sockets blocked (SPEC §7: no code path opens one)."""
    monkeypatch.setattr(socket, "socket", _NoNetworkSocket)
    monkeypatch.setattr(socket, "create_connection", _refuse_connection)


@pytest.fixture
def ws_home(tmp_path: Path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def recovery_code(tmp_path: Path) -> str:
    return (tmp_path / "recovery.txt").read_text().strip()


@pytest.fixture
def initialised(ws_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace created through the CLI, with COSA_PASSPHRASE set for later commands."""
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    result = CliRunner().invoke(app, ["init", "--recovery-file", str(tmp_path / "recovery.txt")])
    assert result.exit_code == 0, result.output
    return ws_home


@pytest.fixture
def store(ws_home: Path) -> Any:
    """A keyed, migrated store for domain tests (no CLI)."""
    s = Workspace(ws_home).create(PASSPHRASE, vault.new_recovery_code(), "tester")
    yield s
    s.close()


class Cli:
    """Run `cosa` in-process: `cli("volunteer", "list", "--json")`."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int | None = 0, input: str | None = None) -> Any:
        """Run `cosa args…` and check its exit code (`code=None`: any code)."""
        result = self.runner.invoke(app, list(args), input=input, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, f"exit {result.exit_code}: {result.output}"
        return result

    def json(self, *args: str) -> Any:
        import json

        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def cli(initialised: Path) -> Cli:
    return Cli()


@pytest.fixture
def raw_cli() -> Cli:
    return Cli()


def all_workspace_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in home.iterdir() if p.is_file())


def run_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COSA_")}
    env.update({"COSA_HOME": str(tmp_path / "ws"), "NO_COLOR": "1"}, **extra)
    return env


FileWriter = Callable[[str], Path]
