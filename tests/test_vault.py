"""The vault: key slots, passphrase sources, passwd, recover, rotate-key, unlock/lock."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from cosa import keyring, session, vault
from cosa.errors import LockedError, UserError
from cosa.workspace import Workspace

from .conftest import PASSPHRASE, Cli
from .session_backend import keyring_mode


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text + "\n", encoding="utf-8")
    return p


def test_production_kdf_cost_is_argon2id_with_64_mib() -> None:
    # conftest makes test slots cheap; the shipped default must stay strong.
    import importlib

    fresh = importlib.reload(vault)
    assert fresh.DEFAULT_KDF == {"t": 3, "m": 64 * 1024, "p": 1}


def test_init_creates_private_files_and_both_slots(cli: Cli, initialised: Path) -> None:
    assert stat.S_IMODE(initialised.stat().st_mode) == 0o700
    for p in initialised.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    kf = json.loads((initialised / "cosa.keys").read_text())
    assert kf["format"] == "cosa-keys" and kf["version"] == 2
    assert sorted(s["kind"] for s in kf["slots"]) == ["passphrase", "recovery"]
    assert all(s["kdf"]["alg"] == "argon2id" for s in kf["slots"])


def test_files_are_private_even_with_a_permissive_umask(
    raw_cli: Cli, ws_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    old = os.umask(0)
    try:
        raw_cli("init")
        raw_cli("volunteer", "add", "Ann")
    finally:
        os.umask(old)
    assert stat.S_IMODE(ws_home.stat().st_mode) == 0o700
    for p in ws_home.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_init_refuses_an_existing_workspace(cli: Cli) -> None:
    result = cli("init", code=1)
    assert "already exists" in result.output


def test_init_rejects_a_short_passphrase(
    raw_cli: Cli, monkeypatch: pytest.MonkeyPatch, ws_home: Path
) -> None:
    monkeypatch.setenv("COSA_PASSPHRASE", "short")
    result = raw_cli("init", code=1)
    assert "at least 10 characters" in result.output
    assert not ws_home.exists() or not any(ws_home.iterdir())


def test_init_prints_the_recovery_code_and_writes_the_file(cli: Cli, recovery_code: str) -> None:
    assert vault.normalize_recovery_code(recovery_code) == recovery_code
    assert len(recovery_code.split("-")) == 6


def test_wrong_passphrase_is_exit_3_with_one_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSA_PASSPHRASE", "not the passphrase")
    result = cli("volunteer", "list", code=3)
    assert result.output.strip() == "Error: wrong passphrase"


def test_no_passphrase_non_interactive_is_exit_3(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COSA_PASSPHRASE")
    result = cli("volunteer", "list", code=3)
    assert "locked" in result.output


def test_failed_unlocks_reach_the_audit_trail(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COSA_PASSPHRASE", "not the passphrase")
    cli("volunteer", "list", code=3)
    cli("volunteer", "list", code=3)
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    actions = [e["action"] for e in cli.json("audit")]
    assert actions.count("unlock.failed") == 2


@pytest.mark.parametrize(
    "passphrase", ['it\'s a "quoted"; pass', "Zoë Łukasiewicz ☃ 日本語 pass", "  spaces  around  "]
)
def test_awkward_passphrases_work_from_a_file(
    raw_cli: Cli, tmp_path: Path, passphrase: str
) -> None:
    pf = write(tmp_path, "pass.txt", passphrase)
    raw_cli("--passphrase-file", str(pf), "init")
    raw_cli("--passphrase-file", str(pf), "volunteer", "add", "Ann")
    assert "Ann" in raw_cli("--passphrase-file", str(pf), "volunteer", "list").stdout
    os.environ["COSA_PASSPHRASE_FILE"] = str(pf)
    try:
        assert "Ann" in raw_cli("volunteer", "list").stdout
    finally:
        del os.environ["COSA_PASSPHRASE_FILE"]


def test_passwd_changes_the_passphrase(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("volunteer", "add", "Ann")
    new = write(tmp_path, "new.txt", "a brand new passphrase")
    cli("passwd", "--new-passphrase-file", str(new))
    cli("volunteer", "list", code=3)  # old passphrase from COSA_PASSPHRASE no longer works
    monkeypatch.setenv("COSA_PASSPHRASE", "a brand new passphrase")
    assert "Ann" in cli("volunteer", "list").stdout


def test_recover_sets_a_new_passphrase(
    cli: Cli, tmp_path: Path, recovery_code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("volunteer", "add", "Ann")
    monkeypatch.delenv("COSA_PASSPHRASE")
    # the code is accepted in any case, with spaces instead of dashes
    typed = write(tmp_path, "typed.txt", recovery_code.lower().replace("-", " "))
    new = write(tmp_path, "new.txt", "recovered passphrase")
    cli("recover", "--recovery-file", str(typed), "--new-passphrase-file", str(new))
    monkeypatch.setenv("COSA_PASSPHRASE", "recovered passphrase")
    assert "Ann" in cli("volunteer", "list").stdout
    assert "vault.recover" in [e["action"] for e in cli.json("audit")]


def test_a_mistyped_recovery_code_group_is_caught_before_the_kdf(
    cli: Cli, tmp_path: Path, recovery_code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*a: object) -> bytes:
        raise AssertionError("KDF must not run for a mistyped code")

    groups = recovery_code.split("-")
    data, check = groups[2][:4], groups[2][4]
    # One check character per group catches 31 typos in 32: type the first digit wrong in a
    # way it catches (the code is random, so a fixed typo would fail 1 run in 32).
    typed = next(
        c + data[1:]
        for c in "123456789"
        if c != data[0] and vault._check_char(2, c + data[1:]) != check
    )
    groups[2] = typed + check
    typo = write(tmp_path, "typo.txt", "-".join(groups))
    monkeypatch.setattr(vault, "derive_kek", boom)
    result = cli("recover", "--recovery-file", str(typo), code=1)
    assert "group 3" in result.output


def test_a_wrong_but_well_formed_recovery_code_is_exit_3(cli: Cli, tmp_path: Path) -> None:
    other = write(tmp_path, "other.txt", vault.new_recovery_code())
    new = write(tmp_path, "new.txt", "recovered passphrase")
    result = cli(
        "recover", "--recovery-file", str(other), "--new-passphrase-file", str(new), code=3
    )
    assert "wrong recovery code" in result.output


def test_rotate_key_issues_a_new_code_and_keeps_the_data(
    cli: Cli, tmp_path: Path, ws_home: Path, recovery_code: str
) -> None:
    cli("volunteer", "add", "Ann")
    before = json.loads((ws_home / "cosa.keys").read_text())["key_id"]
    cli("rotate-key", "--recovery-file", str(tmp_path / "new-code.txt"))
    after = json.loads((ws_home / "cosa.keys").read_text())
    assert after["key_id"] != before and after["pending"] is None
    new_code = (tmp_path / "new-code.txt").read_text().strip()
    assert new_code != recovery_code
    assert "Ann" in cli("volunteer", "list").stdout
    ws = Workspace(ws_home)
    store = ws.open_with_secret(ws.load_keys(), "recovery", vault.recovery_secret(new_code), "t")
    store.close()
    with pytest.raises(LockedError):
        ws.open_with_secret(ws.load_keys(), "recovery", vault.recovery_secret(recovery_code), "t")
    cli("audit", "verify")


def test_tampered_key_file_is_an_integrity_failure(cli: Cli, ws_home: Path) -> None:
    path = ws_home / "cosa.keys"
    kf = json.loads(path.read_text())
    kf["head"]["seq"] = 0  # try to lower the high-water mark
    path.write_text(json.dumps(kf))
    result = cli("volunteer", "list", code=4)
    assert "integrity" in result.output


def test_garbage_key_file_is_exit_4(cli: Cli, ws_home: Path) -> None:
    (ws_home / "cosa.keys").write_bytes(b"\x00garbage")
    result = cli("volunteer", "list", code=4)
    assert "damaged" in result.output


def test_missing_workspace_is_a_clear_error(raw_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    result = raw_cli("volunteer", "list", code=1)
    assert "no workspace" in result.output


def test_recovery_code_round_trip_and_normalisation() -> None:
    code = vault.new_recovery_code()
    assert vault.normalize_recovery_code(code.lower()) == code
    assert vault.normalize_recovery_code(" " + code.replace("-", "  ") + " ") == code
    with pytest.raises(UserError):
        vault.normalize_recovery_code(code[:-1])


needs_keyring = pytest.mark.skipif(
    not (keyring.available() or keyring_mode()), reason="no kernel keyring here"
)


@needs_keyring
def test_unlock_then_commands_need_no_passphrase_until_lock(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("unlock", "--for", "5m")
    try:
        monkeypatch.delenv("COSA_PASSPHRASE")
        cli("volunteer", "add", "Ann")
        assert "Ann" in cli("volunteer", "list").stdout
    finally:
        cli("lock")
    cli("volunteer", "list", code=3)


@needs_keyring
def test_unlock_session_expires(cli: Cli, monkeypatch: pytest.MonkeyPatch, ws_home: Path) -> None:
    import time

    cli("unlock", "--for", "1s")
    monkeypatch.delenv("COSA_PASSPHRASE")
    time.sleep(2.1)
    cli("volunteer", "list", code=3)
    cli("lock")


@needs_keyring
def test_the_session_caches_the_data_key_not_the_passphrase(cli: Cli, ws_home: Path) -> None:
    cli("unlock")
    try:
        ws = Workspace(ws_home)
        payload = session.backend().get(ws.session_name(ws.load_keys().workspace))
        assert payload is not None and PASSPHRASE.encode() not in payload
        assert ws.session_key(ws.load_keys().workspace) in ws.load_keys().candidate_keys(
            "passphrase", PASSPHRASE.encode()
        )
    finally:
        cli("lock")


def test_unlock_says_so_when_no_keyring(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(session, "select_backend", session.KernelKeyring)
    monkeypatch.setattr(
        keyring, "_state", keyring.KeyringUnavailable("kernel keyring unavailable: test")
    )
    result = cli("unlock", code=1)
    assert "cannot keep an unlock session here: kernel keyring unavailable" in result.output


def test_rollback_of_the_database_is_detected(cli: Cli, ws_home: Path, tmp_path: Path) -> None:
    import shutil

    cli("volunteer", "add", "Ann")
    shutil.copy(ws_home / "cosa.db", tmp_path / "old.db")
    cli("volunteer", "add", "Bob")
    shutil.copy(tmp_path / "old.db", ws_home / "cosa.db")
    result = cli("volunteer", "list", code=4)
    assert "rollback detected" in result.output


def test_keyfile_slots_are_bound_to_their_kind(store: object, ws_home: Path) -> None:
    kf = Workspace(ws_home).load_keys()
    rec = kf.slot("recovery")
    pas = kf.slot("passphrase")
    # Swap the wrapped blobs: the GCM associated data must refuse them.
    rec["nonce"], pas["nonce"] = pas["nonce"], rec["nonce"]
    rec["ct"], pas["ct"] = pas["ct"], rec["ct"]
    assert kf.candidate_keys("passphrase", PASSPHRASE.encode()) == []


def test_damaged_first_page_with_the_right_key_is_integrity_not_wrong_passphrase(
    cli: Cli, ws_home: Path
) -> None:
    db = ws_home / "cosa.db"
    data = bytearray(db.read_bytes())
    data[100] ^= 0xFF
    db.write_bytes(bytes(data))
    result = cli("volunteer", "list", code=4)
    assert "does not open" in result.output


def test_init_writes_a_recovery_sheet_pdf_with_the_code(
    raw_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader

    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    sheet = tmp_path / "sheet.pdf"
    raw_cli("init", "--recovery-file", str(tmp_path / "code.txt"), "--recovery-sheet", str(sheet))
    code = (tmp_path / "code.txt").read_text().strip()
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
    reader = PdfReader(sheet)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert code in text and "KEEP IN THE SAFE" in text
