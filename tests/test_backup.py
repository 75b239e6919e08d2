"""`cosa backup`, `cosa backup --verify` and `cosa restore`."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from cosa import backup, vault
from cosa.errors import LockedError
from cosa.workspace import Workspace

from .conftest import CHEAP_KDF, PASSPHRASE, Cli, all_workspace_bytes
from .test_faults import cache_cli_command

MARKER = "Zebedee Quillfeather-Marker"


@pytest.fixture(autouse=True)
def _fast_in_process_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_cli_command(monkeypatch)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made once per module: a workspace with a few records, its recovery code and a backup
    of it. Each test gets its own copy (same layout as conftest's `initialised`)."""
    root = tmp_path_factory.mktemp("template")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(vault, "DEFAULT_KDF", dict(CHEAP_KDF))
        m.setenv("COSA_HOME", str(root / "ws"))
        m.setenv("COSA_PASSPHRASE", PASSPHRASE)
        m.setenv("NO_COLOR", "1")
        cache_cli_command(m)
        cli = Cli()
        cli("init", "--recovery-file", str(root / "recovery.txt"))
        cli("volunteer", "add", MARKER, "--email", "zq@example.org")
        cli("volunteer", "add", "Ann Example")
        cli("lookup", "add", "concern-category", "marker category")
        (root / "out").mkdir()
        cli("backup", str(root / "out" / "cosa.cosabak"))
    return root


@pytest.fixture
def cli(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A copy of the template workspace at tmp_path/ws, COSA_PASSPHRASE set."""
    import shutil

    shutil.copytree(template / "ws", tmp_path / "ws")
    shutil.copytree(template / "out", tmp_path / "out")
    shutil.copy(template / "recovery.txt", tmp_path / "recovery.txt")
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    return Cli()


@pytest.fixture
def bak(cli: Cli, tmp_path: Path) -> Path:
    """The backup of the workspace (taken after its three records were added)."""
    return tmp_path / "out" / "cosa.cosabak"


def live_counts(ws_home: Path) -> dict[str, int]:
    ws = Workspace(ws_home)
    store = ws.open_with_secret(ws.load_keys(), "passphrase", PASSPHRASE.encode(), "t")
    try:
        from cosa.migrations import RECORD_TABLES

        return {
            t: int(store.scalar(f"SELECT count(*) FROM {t}"))
            for t in sorted(set(RECORD_TABLES.values()))
        }
    finally:
        store.close()


def test_backup_round_trip_keeps_every_record_and_matches_the_manifest(
    cli: Cli, bak: Path, ws_home: Path, tmp_path: Path
) -> None:
    summary = json.loads(cli("backup", "--verify", str(bak), "--json").stdout)
    before = live_counts(ws_home)
    assert summary["counts"] == before
    assert summary["counts"]["volunteers"] == 2
    assert summary["records"] == sum(before.values())
    target = tmp_path / "restored"
    cli("restore", str(bak), "--home", str(target))
    assert live_counts(target) == summary["counts"]
    names = {v["name"] for v in cli.json("--home", str(target), "volunteer", "list")}
    assert names == {MARKER, "Ann Example"}
    cli("--home", str(target), "doctor")
    cli("--home", str(target), "audit", "verify")
    cli("doctor")


def test_backup_prints_a_summary_and_writes_a_private_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("volunteer", "add", "Ann")
    old = os.umask(0o000)  # even with a permissive umask
    try:
        result = cli("backup", str(tmp_path / "b.cosabak"))
    finally:
        os.umask(old)
    assert "verified" in result.output and "records" in result.output
    mode = stat.S_IMODE((tmp_path / "b.cosabak").stat().st_mode)
    assert mode == 0o600, oct(mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".b.cosabak")] == []


def test_the_backup_file_holds_no_plaintext(bak: Path, tmp_path: Path, cli: Cli) -> None:
    data = bak.read_bytes()
    assert data.startswith(b"COSA-BACKUP\n")
    for needle in (MARKER, "Quillfeather", "zq@example.org", "marker category", PASSPHRASE):
        assert needle.encode() not in data
        assert needle.encode("utf-16-le") not in data
    header_len = int.from_bytes(data[14:18], "big")
    header = json.loads(data[18 : 18 + header_len])
    assert set(header) == {"format", "version", "created_at", "keys", "backup_key"}
    # ... and neither does the restored workspace on disk
    target = tmp_path / "restored"
    cli("restore", str(bak), "--home", str(target))
    assert MARKER.encode() not in all_workspace_bytes(target)


def test_backup_and_restore_are_audited(cli: Cli, bak: Path, tmp_path: Path) -> None:
    entries = cli.json("audit")
    made = [e for e in entries if e["action"] == "backup"]
    assert len(made) == 1
    detail = made[0]["detail"]
    assert Path(detail["file"]).name == bak.name
    assert detail["sha256"] == backup.read_backup(bak).sha256
    assert detail["records"] >= 3
    summary = json.loads(cli("backup", "--verify", str(bak), "--json").stdout)
    target = tmp_path / "restored"
    cli("--operator", "restorer", "restore", str(bak), "--home", str(target))
    restored = cli.json("--home", str(target), "audit")
    last = restored[-1]
    assert last["action"] == "workspace.restore" and last["operator"].endswith("(as restorer)")
    assert last["detail"]["backup_created_at"] == summary["created_at"]
    assert last["detail"]["backup_audit_head"] == summary["audit_head"]
    assert restored[-2]["seq"] == summary["audit_head"]["seq"]
    kf = Workspace(target).load_keys()
    assert kf.head["seq"] == last["seq"]  # the high-water mark follows the restored chain


def test_restore_drill_with_only_the_backup_file_and_the_recovery_code(
    cli: Cli,
    bak: Path,
    ws_home: Path,
    tmp_path: Path,
    recovery_code: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The laptop is gone: a new machine has the backup file and the printed recovery code."""
    import shutil

    shutil.rmtree(ws_home)
    monkeypatch.delenv("COSA_PASSPHRASE")
    code = write(tmp_path, "typed-code.txt", recovery_code.lower().replace("-", " "))
    target = tmp_path / "new-laptop" / "cosa"
    cli("restore", str(bak), "--home", str(target), "--recovery-file", str(code))
    new_pass = write(tmp_path, "new-pass.txt", "a passphrase for the new laptop")
    cli(
        "--home",
        str(target),
        "recover",
        "--recovery-file",
        str(code),
        "--new-passphrase-file",
        str(new_pass),
    )
    monkeypatch.setenv("COSA_PASSPHRASE", "a passphrase for the new laptop")
    names = {v["name"] for v in cli.json("--home", str(target), "volunteer", "list")}
    assert MARKER in names
    cli("--home", str(target), "doctor")


def test_a_restored_workspace_opens_with_the_passphrase_and_code_valid_at_backup_time(
    cli: Cli, bak: Path, tmp_path: Path, recovery_code: str
) -> None:
    # After the backup, the live workspace gets a new passphrase and a new data key + code.
    cli("passwd", "--new-passphrase-file", str(write(tmp_path, "p.txt", "a later passphrase")))
    target = tmp_path / "restored"
    cli("restore", str(bak), "--home", str(target))  # COSA_PASSPHRASE: the old one
    restored = Workspace(target)
    for kind, secret in (
        ("passphrase", PASSPHRASE.encode()),
        ("recovery", vault.recovery_secret(recovery_code)),
    ):
        restored.open_with_secret(restored.load_keys(), kind, secret, "t").close()
    with pytest.raises(LockedError):
        restored.open_with_secret(restored.load_keys(), "passphrase", b"a later passphrase", "t")


def test_a_backup_made_after_rotate_key_opens_with_the_new_code_only(
    cli: Cli, tmp_path: Path, recovery_code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("volunteer", "add", "Ann")
    new_code = tmp_path / "new-code.txt"
    cli("rotate-key", "--recovery-file", str(new_code))
    path = tmp_path / "b.cosabak"
    cli("backup", str(path))
    monkeypatch.delenv("COSA_PASSPHRASE")
    old = write(tmp_path, "old-code.txt", recovery_code)
    result = cli("backup", "--verify", str(path), "--recovery-file", str(old), code=3)
    assert "wrong recovery code" in result.output
    cli("backup", "--verify", str(path), "--recovery-file", str(new_code))


def test_wrong_or_missing_secret_is_exit_3_and_creates_nothing(
    cli: Cli, bak: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "restored"
    monkeypatch.setenv("COSA_PASSPHRASE", "not the passphrase")
    for args in (("backup", "--verify", str(bak)), ("restore", str(bak), "--home", str(target))):
        result = cli(*args, code=3)
        assert result.output.count("Error:") == 1 and "wrong passphrase" in result.output
    other = write(tmp_path, "other.txt", vault.new_recovery_code())
    result = cli("restore", str(bak), "--home", str(target), "--recovery-file", str(other), code=3)
    assert "wrong recovery code" in result.output
    monkeypatch.delenv("COSA_PASSPHRASE")
    result = cli("restore", str(bak), "--home", str(target), code=3)
    assert "no passphrase" in result.output
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if ".restore-" in p.name]


def test_a_tampered_or_truncated_backup_is_exit_4(cli: Cli, bak: Path, tmp_path: Path) -> None:
    data = bak.read_bytes()
    bad = tmp_path / "bad.cosabak"
    for what, damaged in {
        "truncated": data[: len(data) - 1000],
        "flipped": data[:-3000] + bytes([data[-3000] ^ 0x01]) + data[-2999:],
        "not a backup": b"PK\x03\x04" + data[4:],
    }.items():
        bad.write_bytes(damaged)
        result = cli("backup", "--verify", str(bad), code=4)
        assert result.output.count("Error:") == 1, what
        cli("restore", str(bad), "--home", str(tmp_path / "r"), code=4)
        assert not (tmp_path / "r").exists()
    result = cli("backup", "--verify", str(tmp_path / "missing.cosabak"), code=1)
    assert "not found" in result.output


def test_a_backup_whose_mac_fails_is_refused_even_with_a_fixed_checksum(
    cli: Cli, bak: Path, tmp_path: Path
) -> None:
    import hashlib

    data = bytearray(bak.read_bytes())
    data[-64 - 5000] ^= 0x01  # inside the database section
    body = bytes(data[:-32])
    bad = tmp_path / "forged.cosabak"
    bad.write_bytes(body + hashlib.sha256(body).digest())
    result = cli("backup", "--verify", str(bad), code=4)
    assert "MAC" in result.output


def test_restore_refuses_an_existing_workspace_without_force(
    cli: Cli, bak: Path, ws_home: Path, tmp_path: Path
) -> None:
    cli("volunteer", "add", "Only in the live workspace")
    keys_before = (ws_home / "cosa.keys").read_bytes()
    result = cli("restore", str(bak), code=1)
    assert "already exists" in result.output and "--force" in result.output
    assert (ws_home / "cosa.keys").read_bytes() == keys_before
    stray = tmp_path / "not-a-workspace"
    stray.mkdir()
    (stray / "notes.txt").write_text("mine")
    result = cli("restore", str(bak), "--home", str(stray), code=1)
    assert "not empty" in result.output
    assert (stray / "notes.txt").read_text() == "mine"
    empty = tmp_path / "empty"
    empty.mkdir()
    cli("restore", str(bak), "--home", str(empty))  # an empty directory is fine
    assert (empty / "cosa.keys").exists()


def test_restore_force_replaces_the_workspace_and_keeps_the_old_one_aside(
    cli: Cli, bak: Path, ws_home: Path, tmp_path: Path
) -> None:
    cli("volunteer", "add", "Only in the live workspace")
    result = cli("restore", str(bak), "--force")
    assert "kept at" in result.output
    names = {v["name"] for v in cli.json("volunteer", "list")}
    assert names == {MARKER, "Ann Example"}  # the backup's state, deliberately older
    cli("volunteer", "add", "After the restore")  # no rollback alarm
    cli("audit", "verify")
    cli("doctor")
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("ws.replaced-")]
    assert len(aside) == 1
    old = {v["name"] for v in cli.json("--home", str(aside[0]), "volunteer", "list")}
    assert "Only in the live workspace" in old
    assert stat.S_IMODE(aside[0].stat().st_mode) == 0o700
    assert not [p for p in tmp_path.iterdir() if ".restore-" in p.name]


def test_an_older_copy_pasted_over_a_restored_workspace_is_still_detected(
    cli: Cli, bak: Path, ws_home: Path, tmp_path: Path
) -> None:
    import shutil

    cli("restore", str(bak), "--force")
    cli("volunteer", "add", "Later")
    shutil.copy(ws_home / "cosa.db", tmp_path / "snapshot.db")
    cli("volunteer", "add", "Even later")
    shutil.copy(tmp_path / "snapshot.db", ws_home / "cosa.db")
    for suffix in ("-wal", "-shm"):
        (ws_home / f"cosa.db{suffix}").unlink(missing_ok=True)
    result = cli("volunteer", "list", code=4)
    assert "rollback detected" in result.output


def test_verify_leaves_no_scratch_files(
    cli: Cli, bak: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "runtime"
    scratch.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(scratch))
    seen: list[Path] = []
    real = backup.private_tempdir

    def spy(size: int = 0) -> Any:
        ctx = real(size)
        path = ctx.__enter__()
        seen.append(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o700

        class Wrapper:
            def __enter__(self) -> Path:
                return path

            def __exit__(self, *exc: object) -> None:
                ctx.__exit__(*exc)

        return Wrapper()

    monkeypatch.setattr(backup, "private_tempdir", spy)
    cli("backup", "--verify", str(bak))
    assert seen and seen[0].parent == scratch
    assert list(scratch.iterdir()) == []


def test_backup_refuses_a_missing_directory_and_is_quiet_when_piped(
    cli: Cli, tmp_path: Path
) -> None:
    result = cli("backup", str(tmp_path / "nowhere" / "b.cosabak"), code=1)
    assert "does not exist" in result.output
    result = cli("backup", str(tmp_path / "b.cosabak"))
    assert "\r" not in result.output and "━" not in result.output  # no progress bar
    result = cli("backup", str(tmp_path / "b.cosabak"), "--json", "--force")  # replaces it
    data = json.loads(result.stdout)
    assert data["file"] == str(tmp_path / "b.cosabak") and data["counts"]["volunteers"] == 2


def test_restore_onto_a_workspace_whose_key_was_rotated_since(
    cli: Cli, bak: Path, tmp_path: Path, recovery_code: str
) -> None:
    cli("rotate-key", "--recovery-file", str(tmp_path / "new-code.txt"))
    cli("restore", str(bak), "--force")
    names = {v["name"] for v in cli.json("volunteer", "list")}
    assert MARKER in names
    ws = Workspace(tmp_path / "ws")
    ws.open_with_secret(
        ws.load_keys(), "recovery", vault.recovery_secret(recovery_code), "t"
    ).close()
    cli("doctor")


def test_backup_removes_temp_files_left_by_killed_backups_only(cli: Cli, tmp_path: Path) -> None:
    dead = 4_000_000
    while True:  # a pid that is not running
        try:
            os.kill(dead, 0)
            dead += 1
        except ProcessLookupError:
            break
        except PermissionError:
            dead += 1
    out = tmp_path / "out"
    stale = out / f".old.cosabak.cosa-{dead}-0123abcd.db.tmp"
    running = out / f".old.cosabak.cosa-{os.getppid()}-0123abcd.tmp"
    unrelated = out / ".notes.tmp"
    for p in (stale, running, unrelated):
        p.write_bytes(b"x")
    cli("backup", str(out / "new.cosabak"))
    assert not stale.exists() and running.exists() and unrelated.exists()


def test_a_restore_killed_while_wiping_leftover_staging_leaves_it_marked_as_staging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The staging directory of a killed restore is wiped by the next restore; killed in
    turn while wiping, it must still say it is staging (wiped again next time), never pass
    for a complete workspace and be kept aside (the slow kill -9 campaign found that)."""
    staging = tmp_path / ".ws.restore-123-abc"
    staging.mkdir()
    for name in (backup.STAGING_MARK, "cosa.db", "cosa.keys", "cosa.db-wal"):
        (staging / name).write_bytes(b"x" * 100)
    wiped: list[str] = []

    def killed_after_two(path: Path) -> None:
        if len(wiped) == 2:
            raise KeyboardInterrupt  # a kill part way through
        wiped.append(path.name)
        path.unlink()

    monkeypatch.setattr(backup, "wipe_file", killed_after_two)
    with pytest.raises(KeyboardInterrupt):
        backup._tidy_restore_leftovers(tmp_path, "ws")
    assert (staging / backup.STAGING_MARK).exists() and backup.STAGING_MARK not in wiped
    monkeypatch.setattr(backup, "wipe_file", lambda path: path.unlink())
    backup._tidy_restore_leftovers(tmp_path, "ws")
    assert not staging.exists() and not list(tmp_path.glob("ws.replaced-*"))
