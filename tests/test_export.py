"""`cosa export`: the whole workspace as documented JSON, encrypted by default, audited."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from cosa.domain import export
from cosa.migrations import RECORD_TABLES
from cosa.store import Store
from cosa.workspace import Options, Workspace

from .conftest import Cli
from .test_retention import World, build

PASSWORD = "handover password 2026"


@pytest.fixture
def world(initialised: Path) -> World:
    store = Workspace(initialised).open(Options())
    try:
        return build(store)
    finally:
        store.close()


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "pw.txt"
    path.write_text(PASSWORD + "\n")
    return path


def open_ws(home: Path) -> Store:
    return Workspace(home).open(Options())


def export_entries(home: Path) -> list[dict[str, Any]]:
    with open_ws(home) as store:
        rows = store.query("SELECT * FROM audit WHERE action = 'export' ORDER BY seq")
    for row in rows:
        row["detail"] = json.loads(row["detail"])
    return rows


def table_counts(home: Path) -> dict[str, int]:
    with open_ws(home) as store:
        return {
            rtype: int(store.scalar(f"SELECT count(*) FROM {table}"))
            for rtype, table in RECORD_TABLES.items()
        }


def private(path: Path) -> bool:
    return os.name != "posix" or stat.S_IMODE(path.stat().st_mode) == 0o600


def read_documented_way(path: Path, password: str) -> dict[str, Any]:
    """The recipe of docs/export.md: any Python with cryptography and argon2-cffi."""
    from argon2.low_level import Type, hash_secret_raw
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    env = json.loads(path.read_text())
    header = {k: v for k, v in env.items() if k not in ("nonce", "ciphertext")}
    kdf = env["kdf"]
    key = hash_secret_raw(
        password.encode(),
        base64.b64decode(kdf["salt"]),
        time_cost=kdf["t"],
        memory_cost=kdf["m"],
        parallelism=kdf["p"],
        hash_len=32,
        type=Type.ID,
    )
    aad = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    plain = AESGCM(key).decrypt(
        base64.b64decode(env["nonce"]), base64.b64decode(env["ciphertext"]), aad
    )
    doc: dict[str, Any] = json.loads(gzip.decompress(plain))
    return doc


def test_an_encrypted_export_round_trips_with_every_record_and_is_audited(
    cli: Cli, world: World, ws_home: Path, tmp_path: Path, password_file: Path
) -> None:
    out = tmp_path / "handover.cosa-export"
    result = cli("export", str(out), "--password-file", str(password_file))
    assert "encrypted (AES-256-GCM)" in result.stderr and "Password" not in result.stderr
    assert private(out)
    blob = out.read_bytes()
    assert b"Xylophonist" not in blob and b"Marmalade" not in blob
    envelope = json.loads(blob)
    assert (envelope["format"], envelope["cipher"], envelope["kdf"]["alg"]) == (
        "cosa-export-encrypted",
        "AES-256-GCM",
        "argon2id",
    )
    plain = tmp_path / "plain.json"
    cli("export", "--decrypt", str(out), "-o", str(plain), "--password-file", str(password_file))
    assert private(plain)
    doc = json.loads(plain.read_text())
    assert doc == read_documented_way(out, PASSWORD)
    counts = table_counts(ws_home)
    assert doc["format"] == "cosa-export" and doc["version"] == 1
    assert set(doc["records"]) == set(RECORD_TABLES)
    assert {k: len(v) for k, v in doc["records"].items()} == doc["counts"]
    # The export's own audit entry came after the data was read; nothing else changed.
    assert doc["counts"] == counts
    assert doc["schema"]["version"] == len(doc["schema"]["migrations"]) >= 10
    assert doc["operator"] and doc["exported_at"] and doc["workspace"]
    identity = doc["records"]["member_identity"][0]
    assert identity["legal_name"] == "Zebedee Xylophonist" and identity["member_id"] == 1
    assert doc["lookups"]["circle-type"][0] == "community"
    assert "retention_rule" in doc["records"] and doc["settings"] is not None
    assert doc["audit"][-1]["seq"] == doc["audit_head"]["seq"]
    [entry] = export_entries(ws_home)
    assert entry["seq"] == doc["audit_head"]["seq"] + 1
    detail = entry["detail"]
    assert detail["file"] == out.name
    assert detail["sha256"] == hashlib.sha256(blob).hexdigest()
    assert (detail["format"], detail["encrypted"]) == ("encrypted", True)
    assert detail["counts"]["meeting"] == counts["meeting"] == 2
    assert detail["records"] == sum(counts.values())
    cli("audit", "verify")


def test_without_a_password_one_is_generated_and_shown_once(
    cli: Cli, ws_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "e.cosa-export"
    result = cli("export", str(out))
    [line] = [x for x in result.stderr.splitlines() if x.startswith("Password")]
    password = line.rsplit(" ", 1)[1]
    assert len(password) == 29 and password not in result.stdout
    doc = json.loads(export.decrypt(out.read_bytes(), password))
    assert doc["counts"]["retention_rule"] == 6
    assert password not in json.dumps(export_entries(ws_home))


def test_the_password_is_asked_twice_on_a_terminal(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa import secrets_input

    answers = iter(["short", "long enough pass", "different one!"] + ["long enough pass"] * 2)
    monkeypatch.setattr(secrets_input, "interactive", lambda: True)
    monkeypatch.setattr(secrets_input, "prompt_hidden", lambda prompt: next(answers))
    out = tmp_path / "e.cosa-export"
    result = cli("export", str(out))
    assert "at least 10 characters" in result.stderr and "differ" in result.stderr
    export.decrypt(out.read_bytes(), "long enough pass")


def test_a_plain_export_needs_yes_or_a_confirmation_and_warns(
    cli: Cli, world: World, ws_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "plain.json"
    result = cli("export", str(out), "--plain", code=1)
    assert "warning: a plain export is not encrypted" in result.stderr
    assert "--yes" in result.stderr and not out.exists()
    assert export_entries(ws_home) == []
    from cosa import secrets_input

    with monkeypatch.context() as m:
        m.setattr(secrets_input, "interactive", lambda: True)
        result = cli("export", str(out), "--plain", input="n\n", code=1)
    assert "Nothing was written" in result.stderr and not out.exists()
    result = cli("export", str(out), "--plain", "--yes")
    assert "warning: a plain export is not encrypted" in result.stderr
    assert "PLAIN, not encrypted" in result.stderr and private(out)
    doc = json.loads(out.read_text())
    assert doc["records"]["volunteer"][0]["name"] == "Ann Keeper"
    [entry] = export_entries(ws_home)
    assert (entry["detail"]["format"], entry["detail"]["encrypted"]) == ("plain", False)
    assert entry["detail"]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    cli("export", "--decrypt", str(out), "-o", str(tmp_path / "x"), code=1)
    cli("audit", "verify")


def test_decrypting_needs_the_right_password_and_an_intact_file(
    cli: Cli, tmp_path: Path, password_file: Path
) -> None:
    out = tmp_path / "e.cosa-export"
    cli("export", str(out), "--password-file", str(password_file))
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the password\n")
    target = tmp_path / "p.json"
    result = cli(
        "export", "--decrypt", str(out), "-o", str(target), "--password-file", str(wrong), code=3
    )
    assert "wrong password" in result.stderr and not target.exists()
    # Every header field is bound to the ciphertext.
    env = json.loads(out.read_text())
    env["kdf"]["t"] += 1
    tampered = tmp_path / "t.cosa-export"
    tampered.write_text(json.dumps(env))
    pw = str(password_file)
    cli("export", "--decrypt", str(tampered), "-o", str(target), "--password-file", pw, code=3)
    truncated = tmp_path / "cut.cosa-export"
    truncated.write_bytes(out.read_bytes()[:500])
    result = cli(
        "export", "--decrypt", str(truncated), "-o", str(target), "--password-file", pw, code=4
    )
    assert "not a cosa export, or it is damaged" in result.stderr
    cli("export", "--decrypt", str(out), "--password-file", pw, code=1)  # no -o
    result = cli("export", "--decrypt", str(out), "-o", "-", "--password-file", pw)
    assert json.loads(result.stdout)["format"] == "cosa-export"
    assert not target.exists()


def test_decrypting_without_a_password_source_is_refused_not_hung(
    raw_cli: Cli, tmp_path: Path
) -> None:
    blob = export.seal(b'{"format": "cosa-export"}', "0123456789ab")
    path = tmp_path / "e.cosa-export"
    path.write_bytes(blob)
    result = raw_cli("export", "--decrypt", str(path), "-o", str(tmp_path / "o"), code=3)
    assert "--password-file" in result.stderr


def test_export_refuses_an_unwritable_target_before_doing_anything(
    cli: Cli, ws_home: Path, tmp_path: Path
) -> None:
    result = cli("export", str(tmp_path / "missing" / "e.cosa-export"), code=1)
    assert "does not exist" in result.stderr
    cli("export", code=1)
    assert export_entries(ws_home) == []


def test_a_failed_write_leaves_no_file_and_no_audit_entry(
    cli: Cli, ws_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, password_file: Path
) -> None:
    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "write_output", full)
    out = tmp_path / "e.cosa-export"
    result = cli("export", str(out), "--password-file", str(password_file), code=1)
    assert "disk is full" in result.stderr
    assert not out.exists() and export_entries(ws_home) == []
