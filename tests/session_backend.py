"""The credential-store session backend for tests: a `keyring` backend kept in a JSON file.

`.ci/run` runs the suite a second time with `COSA_TEST_SESSION_BACKEND=keyring`: then
conftest (and `cosa_argv()` for subprocesses) put this store in place of the kernel keyring,
so every unlock session goes through `cosa.session.CredentialStore` as on macOS and Windows.
Only tests read that variable; cosa itself never does.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

MODE_VAR = "COSA_TEST_SESSION_BACKEND"
FILE_VAR = "COSA_TEST_CREDENTIALS"


def keyring_mode() -> bool:
    return os.environ.get(MODE_VAR) == "keyring"


class FileKeyring(KeyringBackend):
    """Entries in memory, or in a JSON file (0600) so that subprocesses share them."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path
        self.entries: dict[str, str] = {}
        self.writes = 0

    def _load(self) -> dict[str, str]:
        if self.path is not None and self.path.exists():
            self.entries = json.loads(self.path.read_text())
        return self.entries

    def _save(self) -> None:
        self.writes += 1
        if self.path is not None:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump(self.entries, fh)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self._load()[f"{service}\0{username}"] = password
        self._save()

    def delete_password(self, service: str, username: str) -> None:
        if self._load().pop(f"{service}\0{username}", None) is None:
            raise PasswordDeleteError("no such entry")
        self._save()


def credential_store(path: Path | None = None) -> Any:
    from cosa.session import CredentialStore

    return CredentialStore(FileKeyring(path), "the test credential store")


def install(path: Path | None, patch: Any) -> None:
    """Route sessions to a FileKeyring at `path`; the kernel keyring says it is unavailable.
    `patch(obj, name, value)` is monkeypatch.setattr (or setattr in a subprocess)."""
    from cosa import session

    def unavailable(self: object) -> None:
        raise session.SessionUnavailable("kernel keyring unavailable: disabled for this run")

    patch(session.KernelKeyring, "check", unavailable)
    patch(session, "select_backend", lambda: credential_store(path))


def cosa_argv() -> list[str]:
    """How to run cosa in a subprocess: the installed script, or in keyring mode a Python that
    installs the FileKeyring named by COSA_TEST_CREDENTIALS first."""
    if not keyring_mode():
        return [str(Path(sys.executable).parent / "cosa")]
    code = (
        "import os, sys; from pathlib import Path; sys.argv[0] = 'cosa'; "
        "from tests.session_backend import install; "
        f"install(Path(os.environ[{FILE_VAR!r}]), setattr); "
        "from cosa.cli import main; main()"
    )
    return [sys.executable, "-c", code]
