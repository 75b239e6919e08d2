"""The committed fixture workspace (made by cosa 0.1.0, before sealing): every later version
must open it, migrate it and verify it. Never edit the fixture; copy it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import Cli

FIXTURE = Path(__file__).parent / "fixtures" / "workspace-0.1.0"
PASSPHRASE = "fixture passphrase 0.1.0"
RECOVERY_CODE = "0A1BK-2C3DQ-4E5F6-6G7H1-8J9KK-0M1N0"  # fictional, made for the fixture


@pytest.fixture
def old_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "ws"
    shutil.copytree(FIXTURE, home)
    monkeypatch.setenv("COSA_HOME", str(home))
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    return home


def test_the_fixture_workspace_opens_migrates_and_verifies(raw_cli: Cli, old_home: Path) -> None:
    from cosa.migrations import MIGRATIONS

    raw_cli("audit", "verify")
    assert "All checks passed" in raw_cli("doctor").output
    data = raw_cli.json("doctor", "--full")
    assert data["ok"] and any(f"{len(MIGRATIONS)} of" in c["detail"] for c in data["checks"])
    assert "Ann Example" in raw_cli("volunteer", "list").stdout
    assert "greenhouse" in raw_cli("meeting", "show", "1").stdout
    raw_cli("volunteer", "edit", "Carol Jones", "--phone", "07000 000000")
    raw_cli("audit", "verify")


def test_the_fixture_workspace_records_its_sqlcipher_settings_on_upgrade(
    raw_cli: Cli, old_home: Path
) -> None:
    assert "sqlcipher" not in json.loads((old_home / "cosa.keys").read_text())
    raw_cli("status")
    recorded = json.loads((old_home / "cosa.keys").read_text())["sqlcipher"]
    assert recorded["cipher_page_size"] == "4096" and recorded["major_version"] == "4"
    assert recorded["kdf_algorithm"] == "PBKDF2_HMAC_SHA512"
    assert recorded["hmac_algorithm"] == "HMAC_SHA512"


def test_the_fixture_workspace_starts_sealing_when_given_its_recovery_code(
    raw_cli: Cli, old_home: Path, tmp_path: Path
) -> None:
    code = tmp_path / "code.txt"
    code.write_text(RECOVERY_CODE + "\n")
    first = raw_cli.json("audit", "verify", "--recovery-file", str(code))
    assert first["ok"] and any("sealing starts" in n for n in first["notes"])
    raw_cli("volunteer", "add", "Dan Other")
    again = raw_cli.json("audit", "verify", "--recovery-file", str(code))
    assert again["ok"] and again["seals"]["seals"] == 2 and not again["notes"]


def test_sqlcipher_settings_that_differ_from_the_record_are_refused(
    raw_cli: Cli, old_home: Path
) -> None:
    from cosa.workspace import Options, Workspace

    raw_cli("status")
    ws = Workspace(old_home)
    store = ws.open(Options())
    key = store.data_key
    store.close()
    ws.update_keys(key, lambda kf: kf.sqlcipher.update(cipher_page_size="1024"))
    result = raw_cli("status", code=4)
    assert "SQLCipher settings differ" in result.output and "cipher_page_size" in result.output
