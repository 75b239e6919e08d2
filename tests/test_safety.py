"""Hardening (issue 14): terminal-safe output, outputs that never clobber, bounded key files,
read-only and interrupted runs, PDF passwords and what erasure says about backups."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cosa import output
from tests.conftest import Cli

ESC_NAME = "Eve \x1b[31mRed\x1b[0m \x1b]0;pwned\x07 \u202etxt.exe"
#: The hostile pieces, raw. (A terminal's own styling from cosa, e.g. bold headers or a red
#: RAG value, is allowed: only what came from the data must not arrive raw.)
RAW = ("\x1b[31m", "\x1b]0;", "\x07", "\u202e")


def _assert_terminal_safe(text: str) -> None:
    for piece in RAW:
        assert piece not in text, repr(text)


# -- terminal-safe output ----------------------------------------------------------------------


def test_safe_shows_controls_and_bidi_as_visible_escapes() -> None:
    assert output.safe("a\x1b[31mb\x07\u202ec\n\td\x9b") == "a\\x1b[31mb\\x07\\u202ec\n\td\\x9b"
    assert output.safe(output.safe(ESC_NAME)) == output.safe(ESC_NAME)
    assert output.safe("Zoë, عربي, 漢字") == "Zoë, عربي, 漢字"


def test_a_hostile_name_is_shown_safely_in_list_show_and_errors_but_exact_in_json(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("volunteer", "add", ESC_NAME)
    cli("volunteer", "add", ESC_NAME + " two")
    piped = cli("volunteer", "list")
    _assert_terminal_safe(piped.stdout)
    assert "\\x1b[31mRed" in piped.stdout and "\\u202etxt.exe" in piped.stdout
    shown = cli("volunteer", "show", "1")
    _assert_terminal_safe(shown.stdout)
    assert "\\x1b]0;pwned\\x07" in shown.stdout
    error = cli("volunteer", "show", "Eve", code=1)
    _assert_terminal_safe(error.stderr)
    assert "matches several volunteers" in error.stderr and "\\x1b[31m" in error.stderr
    assert [v["name"] for v in cli.json("volunteer", "list")] == [ESC_NAME, ESC_NAME + " two"]
    assert ESC_NAME in cli("volunteer", "list", "--csv").stdout
    # On a terminal (rich table): the same, and [markup] in data is not rich markup.
    monkeypatch.setattr(output, "stdout_is_tty", lambda: True)
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no name wraps inside its cell
    cli("volunteer", "add", "[bold]Mallory[/bold]")
    tty = cli("volunteer", "list")
    _assert_terminal_safe(tty.stdout)
    assert "\\x1b[31mRed" in tty.stdout and "[bold]Mallory[/bold]" in tty.stdout


def test_messages_naming_a_hostile_name_are_safe(cli: Cli) -> None:
    added = cli("volunteer", "add", ESC_NAME)
    _assert_terminal_safe(added.stderr)
    assert "\\x1b[31m" in added.stderr


def test_no_command_prints_around_the_terminal_safe_helpers() -> None:
    """Human output goes through cosa.output (safe); a stray print/typer.echo would bypass it."""
    import re

    root = Path(__file__).resolve().parents[1] / "cosa"
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name in ("output.py",) or path.parent.name == "reports":
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"(?<![\w.])print\(|typer\.echo\(|click\.echo\(|\.secho\(", line):
                if path.name == "cli.py" and "__version__" in line:
                    continue
                offenders.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert offenders == []


# -- interrupted runs --------------------------------------------------------------------------


def _eof_getpass(prompt: str = "", stream: Any = None) -> str:
    raise EOFError  # what getpass raises at Ctrl-D on an empty line


def test_ctrl_d_at_the_passphrase_prompt_is_cancelled_with_exit_130(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa import secrets_input

    monkeypatch.delenv("COSA_PASSPHRASE")
    monkeypatch.setattr(secrets_input, "interactive", lambda: True)
    monkeypatch.setattr(secrets_input.getpass, "getpass", _eof_getpass)
    result = cli("volunteer", "list", code=130)
    assert result.stderr.strip() == "cancelled"


def test_ctrl_d_at_a_confirmation_is_cancelled_with_exit_130_and_nothing_written(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa import secrets_input

    monkeypatch.setattr(secrets_input, "interactive", lambda: True)
    result = cli("export", str(tmp_path / "all.json"), "--plain", input="", code=130)
    assert result.stderr.strip().endswith("cancelled")
    assert not (tmp_path / "all.json").exists()


def test_a_committed_write_exits_0_when_printing_its_confirmation_fails(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EIO, "Input/output error")  # the terminal went away

    with monkeypatch.context() as patch:
        patch.setattr(output, "print", broken, raising=False)
        cli("volunteer", "add", "Ann Example", code=0)
    assert [v["name"] for v in cli.json("volunteer", "list")] == ["Ann Example"]


def test_an_io_error_before_anything_is_committed_still_fails(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from cosa.domain import volunteers

    def broken(*args: Any, **kwargs: Any) -> int:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(volunteers, "add", broken)
    result = cli("volunteer", "add", "Ann Example", code=1)
    assert "I/O error" in result.stderr


# -- outputs never clobber ---------------------------------------------------------------------


def _audit_head(cli: Cli) -> int:
    return int(cli.json("audit", "--limit", "1")[-1]["seq"])


def _hostile_targets(tmp_path: Path) -> dict[str, Path]:
    """Stand-ins for a device node and a system file: a FIFO and a symlink to a file.

    (A directory is refused by the option parser itself, exit 2; see the fsutil test.)"""
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    victim = tmp_path / "passwd"
    victim.write_text("root:x:0:0\n")
    link = tmp_path / "link.pdf"
    link.symlink_to(victim)
    return {"a FIFO": fifo, "a symbolic link": link}


@pytest.mark.parametrize(
    "command",
    [
        ("report", "volunteers", "-o", "{}"),
        ("backup", "{}"),
        ("export", "{}", "--password-file", "{pw}"),
        ("export", "{}", "--plain", "--yes"),
    ],
    ids=["report", "backup", "export", "export-plain"],
)
def test_an_output_never_replaces_an_existing_file_without_force_nor_anything_else_at_all(
    cli: Cli, tmp_path: Path, command: tuple[str, ...]
) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text("a long enough export password\n")

    def args(target: Path, *more: str) -> list[str]:
        return [a.format(target, pw=pw) for a in command] + list(more)

    existing = tmp_path / "existing.out"
    existing.write_bytes(b"keep me")
    head = _audit_head(cli)
    refused = cli(*args(existing), code=1)
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert existing.read_bytes() == b"keep me"
    assert len(refused.stderr.strip().splitlines()) <= 2  # Error: … and its Hint
    for kind, target in _hostile_targets(tmp_path).items():
        before = target.lstat()
        result = cli(*args(target, "--force"), code=1)
        assert kind in result.stderr and "Traceback" not in result.stderr
        assert target.lstat().st_ino == before.st_ino
    assert (tmp_path / "passwd").read_text() == "root:x:0:0\n"
    assert _audit_head(cli) == head  # nothing was written, not even an audit entry
    cli(*args(existing, "--force"))
    assert existing.read_bytes() != b"keep me"
    assert oct(existing.stat().st_mode & 0o777) == "0o600"


def test_bad_output_paths_get_one_line_reasons(cli: Cli, tmp_path: Path) -> None:
    import os

    cases = {
        tmp_path / "missing" / "r.pdf": "does not exist",
        tmp_path / "file.txt" / "r.pdf": "not a directory",
        tmp_path / ("x" * 300 + ".pdf"): "too long",
    }
    (tmp_path / "file.txt").write_text("")
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        cases[locked / "r.pdf"] = "permission denied"
    for path, why in cases.items():
        result = cli("report", "volunteers", "-o", str(path), code=1)
        assert why in result.stderr and "unexpected" not in result.stderr, result.stderr


def test_a_file_that_appears_while_writing_is_not_replaced(tmp_path: Path) -> None:
    from cosa import fsutil
    from cosa.errors import UserError

    target = tmp_path / "report.pdf"
    tmp = tmp_path / ".cosa-x.tmp"
    tmp.write_bytes(b"new")
    target.write_bytes(b"appeared meanwhile")  # after the early check, before the rename
    with pytest.raises(UserError, match="already exists"):
        fsutil.place_output(tmp, target)
    assert target.read_bytes() == b"appeared meanwhile" and not tmp.exists()
    tmp.write_bytes(b"new")
    target.unlink()
    target.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UserError, match="symbolic link"):
        fsutil.place_output(tmp, target, force=True)
    assert target.is_symlink() and not tmp.exists()
    (tmp_path / "folder").mkdir()
    with pytest.raises(UserError, match="a directory"):
        fsutil.write_output(tmp_path / "folder", b"x", force=True)


def test_init_refuses_an_existing_recovery_file_before_creating_anything(
    raw_cli: Cli, tmp_path: Path, ws_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSA_PASSPHRASE", "correct horse battery staple")
    existing = tmp_path / "code.txt"
    existing.write_text("an older code\n")
    raw_cli("init", "--recovery-file", str(existing), code=1)
    assert existing.read_text() == "an older code\n" and not ws_home.exists()
    raw_cli(
        "init", "--recovery-sheet", str(_hostile_targets(tmp_path)["a FIFO"]), "--force", code=1
    )
    assert not ws_home.exists()
    raw_cli("init", "--recovery-file", str(existing), "--force")
    assert existing.read_text() != "an older code\n"


def test_decrypting_an_export_refuses_an_existing_output(cli: Cli, tmp_path: Path) -> None:

    pw = tmp_path / "pw.txt"
    pw.write_text("a long enough export password\n")
    export = tmp_path / "all.cosa-export"
    cli("export", str(export), "--password-file", str(pw))
    out = tmp_path / "plain.json"
    out.write_text("mine")
    args = ("export", "--decrypt", str(export), "-o", str(out), "--password-file", str(pw))
    cli(*args, code=1)
    assert out.read_text() == "mine"
    cli(*args, "--force")
    assert json.loads(out.read_text())["format"]


# -- clean up and bound ------------------------------------------------------------------------


def test_a_stale_copy_of_the_key_file_is_wiped_at_the_next_open(
    cli: Cli, ws_home: Path, tmp_path: Path
) -> None:
    import os

    stale = ws_home / ".cosa.keys.k3y5tmp0.tmp"
    stale.write_bytes((ws_home / "cosa.keys").read_bytes())
    witness = tmp_path / "witness"  # a second name for the same inode shows the overwrite
    os.link(stale, witness)
    size = witness.stat().st_size
    cli("status")
    assert not stale.exists()
    assert witness.read_bytes() == b"\0" * size


def _edit_keys(ws_home: Path, change: Any) -> None:
    path = ws_home / "cosa.keys"
    obj = json.loads(path.read_text())
    change(obj)
    path.write_text(json.dumps(obj))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("t", 2**31),
        ("t", 11),
        ("m", 2**40),
        ("m", 1),
        ("p", 9),
        ("p", 0),
        ("t", "3"),
        ("t", True),
        ("salt", "c2hvcnQ="),
        ("salt", "A" * 200),
        ("salt", "not base64!"),
        ("alg", "scrypt"),
    ],
)
def test_kdf_parameters_out_of_bounds_are_refused_before_any_kdf_runs(
    cli: Cli, ws_home: Path, name: str, value: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import argon2.low_level

    def set_param(obj: dict[str, Any]) -> None:
        for slot in obj["slots"]:
            slot["kdf"][name] = value

    _edit_keys(ws_home, set_param)

    def no_kdf(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("a KDF ran with parameters out of bounds")

    monkeypatch.setattr(argon2.low_level, "hash_secret_raw", no_kdf)
    started = time.monotonic()
    result = cli("status", code=4)
    assert time.monotonic() - started < 2
    assert "damaged" in result.stderr and "unexpected" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2  # Error: … / Hint: …


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[" * 100_000,
        "[]",
        '{"format": "cosa-keys", "version": 1}',
        "\xff\xfe",
    ],
)
def test_a_malformed_key_file_is_exit_4_with_one_line(cli: Cli, ws_home: Path, text: str) -> None:
    (ws_home / "cosa.keys").write_bytes(text.encode("latin-1"))
    result = cli("status", code=4)
    assert "damaged" in result.stderr and "unexpected" not in result.stderr


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("workspace",), 5),
        (("head",), []),
        (("head", "seq"), "12"),
        (("slots",), {"kind": "passphrase"}),
        (("slots", 0, "nonce"), None),
        (("slots", 0, "kind"), "backdoor"),
        (("pending",), "yes"),
        (("mac",), 0),
    ],
)
def test_wrong_types_in_the_key_file_are_exit_4(
    cli: Cli, ws_home: Path, where: tuple[Any, ...], value: Any
) -> None:
    def change(obj: Any) -> None:
        for key in where[:-1]:
            obj = obj[key]
        obj[where[-1]] = value

    _edit_keys(ws_home, change)
    result = cli("status", code=4)
    assert "damaged" in result.stderr and "unexpected" not in result.stderr


# -- read-only workspaces ----------------------------------------------------------------------


def _make_read_only(home: Path) -> None:
    import os

    for path in home.iterdir():
        os.chmod(path, 0o400)
    os.chmod(home, 0o500)


def _writable_again(home: Path) -> None:
    import os

    os.chmod(home, 0o700)
    for path in home.iterdir():
        os.chmod(path, 0o600)


def test_a_read_only_workspace_lists_shows_verifies_backs_up_and_refuses_writes(
    cli: Cli, ws_home: Path, tmp_path: Path
) -> None:
    cli("volunteer", "add", "Ann Example")
    cli("volunteer", "add", "Bob Example")
    before = sorted(p.name for p in ws_home.iterdir())
    _make_read_only(ws_home)
    try:
        assert [v["name"] for v in cli.json("volunteer", "list")] == ["Ann Example", "Bob Example"]
        cli("volunteer", "show", "1")
        cli("status")
        cli("audit", "verify")
        cli("doctor")
        backed = cli("backup", str(tmp_path / "ro.cosabak"))
        assert "read-only" in backed.stderr
        cli("backup", "--verify", str(tmp_path / "ro.cosabak"))
        refused = cli("volunteer", "add", "Cy Example", code=1)
        assert refused.stderr.startswith("Error: the workspace is read-only")
        assert "unexpected" not in refused.stderr
        new_pass = tmp_path / "new-pass.txt"
        new_pass.write_text("another long passphrase\n")
        refused = cli("passwd", "--new-passphrase-file", str(new_pass), code=1)
        assert refused.stderr.startswith("Error: the workspace is read-only")
        assert sorted(p.name for p in ws_home.iterdir()) == before  # not even a -shm file
    finally:
        _writable_again(ws_home)
    cli("volunteer", "add", "Cy Example")
    assert len(cli.json("volunteer", "list")) == 3


# -- the editor --------------------------------------------------------------------------------


def _editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    import os

    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    script = tmp_path / "editor.sh"
    script.write_text("#!/bin/sh\n" + body)
    os.chmod(script, 0o700)
    monkeypatch.setenv("EDITOR", str(script))
    return run


def test_the_editor_gets_no_cosa_secrets_in_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa import editor

    seen = tmp_path / "env.txt"
    _editor(tmp_path, monkeypatch, f'env > "{seen}"\n')
    monkeypatch.setenv("COSA_PASSPHRASE", "correct horse battery staple")
    monkeypatch.setenv("COSA_PASSPHRASE_FILE", str(tmp_path / "pass.txt"))
    editor.edit_text("minutes\n")
    names = [line.split("=", 1)[0] for line in seen.read_text().splitlines()]
    assert "EDITOR" in names and not [n for n in names if n.startswith("COSA_")]
    assert "correct horse" not in seen.read_text()


def test_a_hangup_during_the_editor_wipes_the_draft_and_the_next_command_says_so(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa import editor

    log = tmp_path / "draft-path.txt"
    run = _editor(
        tmp_path,
        monkeypatch,
        f'echo "$1" > "{log}"\necho "secret minutes" >> "$1"\nkill -HUP $PPID\nsleep 10\n',
    )
    with pytest.raises(editor.Hangup):
        editor.edit_text("# Minutes\n")
    draft = Path(log.read_text().strip())
    assert not draft.exists() and not draft.parent.exists()
    assert [p.name for p in run.iterdir()] == [editor.notice_path().name]
    told = cli("status")
    assert "the draft was wiped" in told.stderr
    assert list(run.iterdir()) == []
    assert "the draft was wiped" not in cli("status").stderr


def test_drafts_of_a_killed_cosa_are_wiped_at_the_next_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa import editor

    run = _editor(tmp_path, monkeypatch, "exit 0\n")
    dead = run / "cosa-edit-999999999-abcd"  # no such process
    dead.mkdir()
    (dead / "minutes.md").write_text("plaintext minutes")
    editor.edit_text("x\n")
    assert list(run.iterdir()) == []


# -- passwords for files that leave the workspace ----------------------------------------------


def test_a_pdf_password_is_at_least_12_characters_and_never_the_passphrase(
    cli: Cli, tmp_path: Path
) -> None:
    from tests.conftest import PASSPHRASE

    pw = tmp_path / "pw.txt"
    out = tmp_path / "v.pdf"
    for secret, why in (("password", "at least 12"), (PASSPHRASE, "workspace passphrase")):
        pw.write_text(secret + "\n")
        result = cli("report", "volunteers", "-o", str(out), "--password-file", str(pw), code=1)
        assert why in result.stderr and not out.exists()
    pw.write_text(PASSPHRASE + "\n")
    result = cli("export", str(tmp_path / "e.cosa-export"), "--password-file", str(pw), code=1)
    assert "workspace passphrase" in result.stderr
    pw.write_text("a different long password\n")
    cli("report", "volunteers", "-o", str(out), "--password-file", str(pw))
    generated = cli("report", "volunteers", "-o", str(tmp_path / "g.pdf"), "--encrypt")
    shown = generated.stderr.split("Password (shown once; send it separately from the file): ")
    assert len(shown[1].strip()) >= 12


def test_without_a_passphrase_in_hand_the_check_unwraps_the_passphrase_slot(
    store: Any, ws_home: Path
) -> None:
    from cosa.workspace import Workspace
    from tests.conftest import PASSPHRASE

    assert not hasattr(store, "passphrase_digest")  # as when opened from an unlock session
    assert Workspace(ws_home).is_passphrase(store, PASSPHRASE)
    assert not Workspace(ws_home).is_passphrase(store, PASSPHRASE + "!")


# -- erasure and backups -----------------------------------------------------------------------


def test_erasure_says_that_earlier_backups_still_hold_the_records_and_lists_them(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    from cosa.workspace import Options, Workspace
    from tests.test_retention import build

    store = Workspace(initialised).open(Options())
    try:
        build(store)
    finally:
        store.close()
    kept = tmp_path / "before.cosabak"
    gone = tmp_path / "gone.cosabak"
    cli("backup", str(kept))
    cli("backup", str(gone))
    gone.unlink()
    result = cli("retention", "--apply", "--yes")
    assert "Backups made before this erasure still hold the erased records" in result.stderr
    lines = result.stderr.splitlines()
    assert [line for line in lines if line.endswith(str(kept))]
    assert [line for line in lines if str(gone) in line and "no longer there" in line]


def test_the_temp_file_of_a_killed_write_is_wiped_at_the_next_write_there(
    cli: Cli, tmp_path: Path
) -> None:
    import os

    stale = tmp_path / ".cosa-999999999-k1ll3d.tmp"
    stale.write_bytes(b"a whole report in clear")
    witness = tmp_path / "witness"
    os.link(stale, witness)
    cli("report", "volunteers", "-o", str(tmp_path / "v.pdf"))
    assert not stale.exists() and witness.read_bytes() == b"\0" * 23


def test_a_usage_error_quoting_what_was_typed_is_terminal_safe(cli: Cli) -> None:
    result = cli("audit", "--limit", "\x1b]0;pwned\x07", code=2)
    _assert_terminal_safe(result.stderr)
    assert "\\x1b]0;pwned\\x07" in result.stderr


def test_a_backup_to_a_long_but_valid_name_works(cli: Cli, tmp_path: Path) -> None:
    name = "é" * 100 + ".cosabak"  # 208 bytes: valid, but no room for a temp name around it
    cli("backup", str(tmp_path / name))
    assert (tmp_path / name).is_file()


def test_a_read_only_workspace_opens_whatever_its_path_contains(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa import vault
    from cosa.workspace import Options, Workspace
    from tests.conftest import PASSPHRASE

    home = tmp_path / "w s%3F?#é"
    Workspace(home).create(PASSPHRASE, vault.new_recovery_code(), "tester").close()
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    _make_read_only(home)
    try:
        store = Workspace(home).open(Options(home=home))
        assert store.read_only and store.audit_head()[0] >= 1
        store.close()
    finally:
        _writable_again(home)


def test_demo_refuses_existing_pdfs_before_building_anything(raw_cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "cosa-demo-circle-report.pdf").write_bytes(b"mine")
    home = tmp_path / "demo-ws"
    result = raw_cli("demo", "--home", str(home), "--out", str(out), code=1)
    assert "already exists" in result.stderr and not home.exists()
    assert (out / "cosa-demo-circle-report.pdf").read_bytes() == b"mine"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_real_process_whose_stdout_fails_after_the_commit_exits_0(
    initialised: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    from tests.conftest import PASSPHRASE, run_env

    bak = tmp_path / "b.cosabak"
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "cosa", "backup", str(bak), "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=run_env(tmp_path, COSA_PASSPHRASE=PASSPHRASE),
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    assert "saved, but its confirmation could not be printed" in done.stderr
    assert "Traceback" not in done.stderr and bak.is_file()


def test_the_temp_files_of_a_killed_backup_are_wiped_at_the_next_open(
    cli: Cli, ws_home: Path, tmp_path: Path
) -> None:
    import os

    cli("backup", str(tmp_path / "done.cosabak"))
    assert not list(ws_home.glob("cosa.backup-temp.*"))  # a finished backup leaves no note
    elsewhere = tmp_path / "usb"
    elsewhere.mkdir()
    temps = [elsewhere / ".b.cosabak.cosa-999999999-0123abcd.db.tmp"]
    temps.append(elsewhere / ".b.cosabak.cosa-999999999-0123abcd.tmp")
    decoy = elsewhere / "precious.txt"  # a tampered note must not wipe anything else
    for path in (*temps, decoy):
        path.write_bytes(b"data")
    witness = tmp_path / "witness"
    os.link(temps[0], witness)
    note = ws_home / "cosa.backup-temp.999999999"
    note.write_text(json.dumps([str(p) for p in (*temps, decoy)]))
    cli("status")
    assert not note.exists() and not any(p.exists() for p in temps)
    assert witness.read_bytes() == b"\0" * 4 and decoy.read_bytes() == b"data"


def test_a_transaction_that_only_records_a_view_is_not_a_committed_change(store: Any) -> None:
    from cosa.store import committed_writes

    before = committed_writes()
    with store.atomic():
        store.audit("view", "volunteer", 1)
    assert committed_writes() == before
    with store.atomic():
        store.audit("config.set", detail={"key": "x"})
    assert committed_writes() == before + 1
