"""An independent attack on the hardening of issue 14, as an insider (a passphrase holder) and
as someone who can write the workspace folder. Each test fails if the defence it names is
missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from cosa import audit
from cosa.errors import IntegrityError
from cosa.store import Store

from .conftest import Cli

# -- laundering: every way a row gets a new audited state must check the old one first ------


def _add_volunteer(store: Store, name: str = "Ann Example") -> int:
    with store.atomic():
        return store.insert("volunteers", "volunteer", {"name": name})


def test_an_entry_that_records_a_state_does_not_launder_a_row_changed_outside_cosa(
    store: Store,
) -> None:
    """`store.audit(..., table=...)` for a record this transaction did not write (e.g.
    `retention.erase` of a subject with nothing left to anonymise) would record the replayed
    row as its new audited state."""
    vid = _add_volunteer(store)
    store.conn.execute("UPDATE volunteers SET name = 'Replayed' WHERE id = ?", (vid,))
    with pytest.raises(IntegrityError, match="record changed outside cosa"), store.atomic():
        store.audit("retention.erase", "volunteer", vid, table="volunteers")
    assert not audit.verify(store).ok


def test_an_entry_after_a_write_in_the_same_transaction_still_records_the_new_state(
    store: Store,
) -> None:
    with store.atomic():
        mid = store.insert("volunteers", "volunteer", {"name": "Ann Example"})
        store.audit("volunteer.override", "volunteer", mid, table="volunteers")
        store.update("volunteers", "volunteer", mid, {"name": "Ann Other"})
        store.audit("volunteer.note", "volunteer", mid, table="volunteers")
    assert audit.verify(store).ok, audit.verify(store).problems


def test_an_upgrade_does_not_launder_rows_changed_before_it(tmp_path: Path) -> None:
    """A migration that changes an audited table re-records every row's state (`reaudit`).
    A row replayed or edited before the upgrade must stay flagged, not be blessed."""
    from cosa import migrations

    from .upgrade import store_without

    with store_without(tmp_path, "m030") as store:
        with store.atomic():
            vid = store.insert("volunteers", "volunteer", {"name": "Ann Example"})
            ok, bad = (
                store.insert(
                    "volunteer_hours",
                    "hours",
                    {"volunteer_id": vid, "date": "2025-07-01", "hours": 1.0,
                     "activity": "training", "travel_hours": 0.0},
                )
                for _ in range(2)
            )  # fmt: skip
        store.conn.execute("UPDATE volunteer_hours SET hours = 40 WHERE id = ?", (bad,))
        store.conn.execute(
            "INSERT INTO volunteer_hours (uuid, created_at, updated_at, created_by, updated_by,"
            " volunteer_id, date, hours, activity) VALUES ('u', 'x', 'x', 'x', 'x', ?,"
            " '2025-07-02', 9, 'training')",
            (vid,),
        )
        assert migrations.apply_migrations(store) == ["m030_hours_circle"]
        problems = audit.verify(store).problems
        assert f"hours {bad} was changed outside cosa" in problems
        assert f"hours {bad + 1} has no audit entry" in problems
        assert not any(f"hours {ok} " in p for p in problems)
        with pytest.raises(IntegrityError), store.atomic():
            store.update("volunteer_hours", "hours", bad, {"hours": 2.0})


def test_a_setting_put_back_behind_cosa_fails_verify(cli: Cli, initialised: Path) -> None:
    """Settings are not records, so no state hash covers them: an old page of the settings
    table pasted back (e.g. the small-count threshold of funder returns lowered) would pass
    verify and doctor for ever."""
    from .weekly import workspace_store

    cli("config", "set", "small_count_threshold", "10")
    cli("config", "set", "report_classification", "SECRET")
    cli("config", "unset", "report_classification")
    cli("audit", "verify")
    with workspace_store(initialised) as store:
        store.conn.execute("UPDATE settings SET value = '2' WHERE key = 'small_count_threshold'")
        store.conn.execute(
            "INSERT INTO settings (key, value) VALUES ('report_classification', 'X')"
        )
    result = cli("audit", "verify", code=4)
    assert "setting small_count_threshold was changed outside cosa" in result.output
    assert "setting report_classification was changed outside cosa" in result.output
    assert "changed outside cosa" in cli("doctor", code=4).output


# -- terminal injection ----------------------------------------------------------------------

HOSTILE = "Eve\x1b]0;pwned\x07\x1b[2J\x9b31m\u202etxt"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def _safe(text: str) -> None:
    for piece in RAW:
        assert piece not in text, repr(text)


def test_a_mistyped_root_option_is_quoted_safely(raw_cli: Cli) -> None:
    """Usage errors of the root's own options are raised before the group's `invoke`."""
    result = raw_cli("--bogus" + HOSTILE, code=2)
    _safe(result.output)
    assert "\\u202e" in result.output


def test_invisible_characters_that_can_disguise_text_are_shown_escaped() -> None:
    from cosa.output import safe

    for char in ("\u200b", "\u2028", "\u2029", "\u2060", "\ufeff", "\u180e", "\ufff9"):
        assert safe(f"Ann{char}Example") == f"Ann\\u{ord(char):04x}Example"
    # Joiners stay: they are part of emoji and of scripts such as Persian or Sinhala.
    assert safe("نامه\u200cها 👩\u200d👧") == "نامه\u200cها 👩\u200d👧"


def test_errors_at_the_meeting_prompts_are_safe_when_they_quote_stored_text(
    cli: Cli, initialised: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Click prints a prompt's own error message itself, not through cosa.output; the list of
    meeting types it quotes is stored text (`cosa lookup add`)."""
    from cosa import secrets_input

    from .test_meetings import build
    from .weekly import workspace_store

    with workspace_store(initialised) as store:
        build(store)
    cli("lookup", "add", "meeting-type", HOSTILE)
    monkeypatch.setattr(secrets_input, "interactive", lambda: True)
    monkeypatch.setenv("EDITOR", "true")
    result = cli("meeting", "add", "1", input="\nparty\n", code=None)
    assert "choose one of" in result.stderr
    _safe(result.stderr)


# -- the key file: junk in every field is exit 4 before any key derivation -------------------

_KDF = {"alg": "argon2id", "t": 1, "m": 8192, "p": 1, "salt": "AAAAAAAAAAAAAAAAAAAAAA=="}
_BOX = {"nonce": "AAAA", "ct": "AAAA"}

JUNK: list[tuple[str, object]] = [
    ("seal", "x"),
    ("seal", {"n": "1", "nonce": "a", "ct": "b", "tag": "c"}),
    ("seal", {"n": -1, "nonce": "a", "ct": "b", "tag": "c"}),
    ("seal", {"n": True, "nonce": "a", "ct": "b", "tag": "c"}),
    ("seal", {"n": 1, "nonce": 5, "ct": "b", "tag": "c"}),
    ("seeds", "x"),
    ("seeds", [1]),
    ("seeds", [{"from": "0", "kdf": _KDF, **_BOX}]),
    ("seeds", [{"from": 0, "kdf": {**_KDF, "t": 2**31}, **_BOX}]),
    ("seeds", [{"from": 0, "kdf": {**_KDF, "m": 2**40}, **_BOX}]),
    ("seeds", [{"from": 0, "kdf": _KDF, "nonce": None, "ct": "a"}]),
    ("seeds", [{"from": 0, "kdf": _KDF, **_BOX}] * 5000),
    ("sqlcipher", "x"),
    ("sqlcipher", {"cipher_page_size": [4096]}),
    ("sqlcipher", {"cipher_page_size": True}),
    ("sqlcipher", {str(i): i for i in range(40)}),
    ("head", []),
    ("head", {"seq": "5", "hash": ""}),
    ("pending", {"key_id": 1, "slots": [], "previous": _BOX}),
    ("pending", {"key_id": "k", "slots": [{"kind": "passphrase", "kdf": {**_KDF, "p": 0},
                                           **_BOX}], "previous": _BOX}),
    ("slots", [{"kind": "passphrase", "kdf": {**_KDF, "t": 2**31}, **_BOX}]),
    ("slots", [{"kind": "passphrase", "kdf": {**_KDF, "t": 3.0}, **_BOX}]),
    ("slots", [{"kind": "passphrase", "kdf": {**_KDF, "salt": "AAAA"}, **_BOX}]),
    ("slots", [{"kind": "passphrase", "kdf": {**_KDF, "alg": "scrypt"}, **_BOX}]),
    ("slots", [{"kind": "passphrase", "kdf": {**_KDF, "m": 8, "p": 8}, **_BOX}]),
    ("slots", [{"kind": "passphrase", "kdf": _KDF, **_BOX}] * 17),
    ("version", 3),  # a version newer than this cosa writes
    ("workspace", 7),
]  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"), JUNK, ids=[f"{f}-{i}" for i, (f, _) in enumerate(JUNK)]
)
def test_junk_in_any_key_file_field_is_exit_4_before_any_key_derivation(
    cli: Cli, initialised: Path, monkeypatch: pytest.MonkeyPatch, field: str, value: object
) -> None:
    import json

    import argon2.low_level

    path = initialised / "cosa.keys"
    data = json.loads(path.read_text())
    data[field] = value
    path.write_text(json.dumps(data))

    def no_kdf(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a key derivation ran on a damaged key file")

    monkeypatch.setattr(argon2.low_level, "hash_secret_raw", no_kdf)
    result = cli("volunteer", "list", code=4)
    assert result.output.count("\n") <= 2 and "damaged" in result.output


@pytest.mark.parametrize(
    "raw", [b"", b"{", b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe", b"0" * (2 << 20)]
)
def test_a_key_file_that_is_not_json_is_exit_4(cli: Cli, initialised: Path, raw: bytes) -> None:
    (initialised / "cosa.keys").write_bytes(raw)
    assert "damaged" in cli("status", code=4).output


def test_a_key_file_swapped_in_from_another_workspace_is_refused_as_integrity(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    """Same passphrase, other workspace: its slot unwraps a data key, but not this one's."""
    other = tmp_path / "other"
    cli("--home", str(other), "init", "--recovery-file", str(tmp_path / "other.txt"))
    cli("volunteer", "add", "Ann Example")
    (initialised / "cosa.keys").write_bytes((other / "cosa.keys").read_bytes())
    result = cli("volunteer", "list", code=4)
    assert "does not open with this workspace's key" in result.output
    assert "Ann Example" not in result.output


# -- outputs ---------------------------------------------------------------------------------


def test_demo_force_never_deletes_a_real_workspace(cli: Cli, initialised: Path) -> None:
    """`--force` replaces a previous *demo*; pointed at a real workspace it used to unlink
    its cosa.db and cosa.keys without asking for anything."""
    cli("volunteer", "add", "Ann Example")
    before = {p.name: p.read_bytes() for p in initialised.iterdir() if p.is_file()}
    for args in (("--home", str(initialised), "demo"), ("demo", "--home", str(initialised))):
        result = cli(*args, "--force", "--no-reports", code=1)
        assert "not a demo" in result.output
    assert {p.name: p.read_bytes() for p in initialised.iterdir() if p.is_file()} == before
    assert "Ann Example" in cli("volunteer", "list").stdout


def test_demo_force_replaces_a_previous_demo(raw_cli: Cli, tmp_path: Path) -> None:
    home = tmp_path / "demo"
    raw_cli("demo", "--home", str(home), "--no-reports")
    first = (home / "cosa.keys").read_bytes()
    raw_cli("demo", "--home", str(home), "--no-reports", "--force")
    assert (home / "cosa.keys").read_bytes() != first
    assert oct((home / "cosa.demo").stat().st_mode & 0o777) == "0o600"


def _outputs(tmp_path: Path) -> dict[str, list[str]]:
    """Every command that writes a file for the user, with PATH where the file goes."""
    pw = tmp_path / "pw.txt"
    if tmp_path.is_dir():
        pw.write_text("a long export password 1\n")
    return {
        "report quarter": ["report", "quarter", "2026-Q3", "-o", "PATH"],
        "report volunteers": ["report", "volunteers", "-o", "PATH"],
        "report circle": ["report", "circle", "1", "-o", "PATH"],
        "report member": ["report", "member", "CM-0001", "-o", "PATH"],
        "report member json": ["report", "member", "CM-0001", "-o", str(tmp_path / "m.pdf"),
                               "--json-output", "PATH"],
        "report return": ["report", "return", "--period", "2026", "-o", "PATH"],
        "report extract": ["report", "extract", "--from", "2025-01-01", "--to", "2026-12-31",
                           "-o", "PATH", "--recipient", "University"],
        "calendar": ["calendar", "-o", "PATH"],
        "backup": ["backup", "PATH"],
        "export": ["export", "PATH", "--password-file", str(pw)],
        "document get": ["document", "get", "1", "-o", "PATH"],
        "rotate-key": ["rotate-key", "--recovery-file", "PATH"],
        "init": ["--home", str(tmp_path / "new-ws"), "init", "--recovery-file", "PATH"],
    }  # fmt: skip


OUTPUTS = list(_outputs(Path("/nonexistent")))


@pytest.mark.parametrize("command", OUTPUTS)
def test_no_output_clobbers_a_file_or_replaces_a_fifo_link_or_directory(
    cli: Cli, initialised: Path, tmp_path: Path, command: str
) -> None:
    import os

    from .test_meetings import build
    from .weekly import workspace_store

    with workspace_store(initialised) as store:
        build(store)
    doc = tmp_path / "letter.txt"
    doc.write_text("a letter")
    cli("document", "add", "member:CM-0001", str(doc), "--title", "Letter")
    args = _outputs(tmp_path)[command]
    targets = tmp_path / "targets"
    targets.mkdir()
    victim = targets / "victim"
    victim.write_text("keep me")
    existing = targets / "existing"
    existing.write_text("keep me")
    fifo = targets / "fifo"
    os.mkfifo(fifo)
    link = targets / "link"
    link.symlink_to(victim)
    directory = targets / "dir"
    directory.mkdir()
    keys = (initialised / "cosa.keys").read_bytes()

    def run(path: Path, *extra: str) -> str:
        result = cli(*[str(path) if a == "PATH" else a for a in args], *extra, code=None)
        # A directory may be refused by the option's own type (a usage error, exit 2).
        assert result.exit_code in ((1, 2) if path == directory else (1,)), result.output
        return str(result.output)

    assert "already exists" in run(existing)
    for path in (fifo, link):
        assert "not a regular file" in run(path, "--force")
    assert "directory" in run(directory, "--force")
    assert existing.read_text() == victim.read_text() == "keep me"
    assert fifo.is_fifo() and link.is_symlink() and directory.is_dir()
    assert not any(directory.iterdir())
    assert (initialised / "cosa.keys").read_bytes() == keys  # nothing rotated or written


# -- secrets and plaintext -------------------------------------------------------------------

MARKER = "Zebedee-Quux-7731"


def test_no_plaintext_on_disk_after_a_session_of_writes_a_failed_edit_and_exports(
    cli: Cli, initialised: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workspace, TMPDIR, the runtime dir (editor drafts) and the config dir (witnesses)
    hold no plaintext; only the explicit plain outputs (.ics, a document written out) do."""
    import os

    from cosa import secrets_input

    from .test_meetings import build
    from .weekly import workspace_store

    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run_dir))
    exports = tmp_path / "exports"
    exports.mkdir()
    with workspace_store(initialised) as store:
        build(store)
    cli("volunteer", "edit", "Ann Example", "--phone", MARKER)
    cli("meeting", "add", "1", "--on", "yesterday", "--type", "formal", "--present", "ann",
        "--cm-attended", "yes", "--rag", "amber", "--minutes", f"{MARKER} was discussed.",
        "--concern", f"{MARKER} concern", "--action", f"{MARKER} action")  # fmt: skip
    cli("search", MARKER)
    cli("meeting", "show", "1")
    doc = exports / "in.txt"
    doc.write_text(f"letter {MARKER}")
    cli("document", "add", "member:CM-0001", str(doc), "--title", "Letter")
    doc.unlink()
    cli("document", "get", "1", "-o", str(exports / "out.txt"))
    cli("calendar", "-o", str(exports / "plan.ics"))
    pw = tmp_path / "pw.txt"
    pw.write_text("a long export password 1\n")
    cli("export", str(tmp_path / "handover.cosa-export"), "--password-file", str(pw))
    cli("backup", str(tmp_path / "copy.cosabak"))
    cli("report", "member", "CM-0001", "-o", str(tmp_path / "sar.pdf"), "--password-file",
        str(pw))  # fmt: skip
    # a failed edit in $EDITOR: the draft (holding the minutes) must not stay behind
    editor = tmp_path / "bad-editor"
    editor.write_text(f'#!/bin/sh\necho "{MARKER} draft" >> "$1"\nexit 3\n')
    editor.chmod(0o700)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setattr(secrets_input, "interactive", lambda: True)
    assert "the editor exited with status 3" in cli("meeting", "edit", "1", code=1).stderr
    leaks = []
    for root, _dirs, files in os.walk(tmp_path):
        for name in files:
            path = Path(root) / name
            if path.is_relative_to(exports) or path.name in ("bad-editor",) or path.is_symlink():
                continue
            if not path.is_file():
                continue
            if MARKER.encode() in path.read_bytes():
                leaks.append(str(path.relative_to(tmp_path)))
    assert leaks == []
    assert MARKER.encode() in (exports / "out.txt").read_bytes()  # the scan can see plaintext


@pytest.mark.parametrize("how", ["env", "file", "damaged"])
def test_a_debug_traceback_of_a_failing_open_never_shows_the_passphrase(
    initialised: Path, tmp_path: Path, how: str
) -> None:
    import os
    import subprocess
    import sys

    from .conftest import PASSPHRASE

    env = {k: v for k, v in os.environ.items() if k != "COSA_PASSPHRASE"}
    env["COSA_DEBUG"] = "1"
    secret = f"wrong {MARKER} passphrase"
    if how == "env":
        env["COSA_PASSPHRASE"] = secret
    elif how == "file":
        (tmp_path / "pass.txt").write_text(secret + "\n")
        env["COSA_PASSPHRASE_FILE"] = str(tmp_path / "pass.txt")
    else:
        secret = PASSPHRASE
        env["COSA_PASSPHRASE"] = secret
        db = initialised / "cosa.db"
        data = bytearray(db.read_bytes())
        data[100:400] = b"\0" * 300  # page 1 damaged
        db.write_bytes(bytes(data))
    result = subprocess.run(
        [sys.executable, "-m", "cosa", "volunteer", "list"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Traceback" in result.stderr  # COSA_DEBUG=1 did show one
    assert secret not in result.stderr + result.stdout
    assert MARKER not in result.stderr + result.stdout


def test_the_passphrase_is_not_an_option(raw_cli: Cli) -> None:
    for flag in ("--passphrase", "--password", "--pass"):
        assert raw_cli(flag, "x", "status", code=2).exit_code == 2


# -- resealing with the data key only --------------------------------------------------------


@pytest.mark.parametrize("drop_seals", [False, True])
def test_stripping_the_seed_does_not_let_verify_start_a_fresh_one_over_a_rewritten_trail(
    cli: Cli, initialised: Path, tmp_path: Path, drop_seals: bool
) -> None:
    """A passphrase holder rewrites a record, removes `seeds` and `seal` from cosa.keys (re-MACed
    with the data key) and perhaps every seal. `audit verify --recovery-file` used to take
    the workspace for one made before sealing, draw a new seed and pass."""
    from cosa.store import entry_hash, state_hash
    from cosa.workspace import Workspace

    from .weekly import workspace_store

    cli("volunteer", "add", "Ann Example")
    cli("volunteer", "add", "Bob Baker")
    with workspace_store(initialised) as store:
        conn = store.conn
        conn.execute("UPDATE volunteers SET name = 'Eve Forged' WHERE id = 1")
        row = store.one("SELECT * FROM volunteers WHERE id = 1")
        last = store.scalar(
            "SELECT max(seq) FROM audit WHERE record_type = 'volunteer' AND record_id = 1"
        )
        conn.execute("UPDATE audit SET state_hash = ? WHERE seq = ?", (state_hash(row), last))
        prev = store.scalar("SELECT hash FROM audit WHERE seq = ?", (last - 1,))
        for entry in store.query("SELECT * FROM audit WHERE seq >= ? ORDER BY seq", (last,)):
            entry["prev_hash"] = prev
            prev = entry_hash(entry)
            conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?",
                         (entry["prev_hash"], prev, entry["seq"]))  # fmt: skip
        if drop_seals:
            conn.execute("DELETE FROM audit_seals")
        kf = Workspace(initialised).load_keys()
        kf.seeds, kf.seal = [], None
        kf.head = dict(zip(("seq", "hash"), store.audit_head(), strict=True))
        kf.save(initialised / "cosa.keys", store.data_key)
    code = str(tmp_path / "recovery.txt")
    result = cli("audit", "verify", "--recovery-file", code, code=4)
    assert "no sealing seed" in result.output
    assert not Workspace(initialised).load_keys().seeds  # no fresh seed was drawn


def test_recover_on_a_workspace_whose_seed_was_stripped_warns_and_still_lets_the_user_in(
    cli: Cli, initialised: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa.workspace import Workspace

    from .weekly import workspace_store

    cli("volunteer", "add", "Ann Example")
    with workspace_store(initialised) as store:
        kf = Workspace(initialised).load_keys()
        kf.seeds, kf.seal = [], None
        kf.save(initialised / "cosa.keys", store.data_key)
    new = tmp_path / "new.txt"
    new.write_text("a brand new passphrase\n")
    monkeypatch.delenv("COSA_PASSPHRASE")
    code = str(tmp_path / "recovery.txt")
    result = cli("recover", "--recovery-file", code, "--new-passphrase-file", str(new))
    assert "no sealing seed" in result.output and "New passphrase set" in result.output
    monkeypatch.setenv("COSA_PASSPHRASE", "a brand new passphrase")
    cli("volunteer", "list")


def test_putting_back_an_older_cosa_db_to_erase_views_is_named_by_verify(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    """Views do not move the high-water mark in cosa.keys, so a copy of cosa.db taken after
    the last change, put back by someone with no key at all, used to erase the views since."""
    import shutil

    from .weekly import workspace_store

    cli("volunteer", "add", "Ann Example")
    with workspace_store(initialised) as store:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(initialised / "cosa.db", tmp_path / "cosa.db")
    cli("volunteer", "show", "1")  # a view entry
    with workspace_store(initialised) as store:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(tmp_path / "cosa.db", initialised / "cosa.db")
    result = cli("audit", "verify", code=4)
    assert "last view recorded audit entry" in result.output and "ends before it" in result.output
    assert "last view" in cli("doctor", code=4).output


# -- terminal injection across the human outputs ----------------------------------------------


@pytest.mark.parametrize("tty", [False, True])
def test_hostile_stored_text_reaches_no_human_output_raw(
    cli: Cli, initialised: Path, monkeypatch: pytest.MonkeyPatch, tty: bool
) -> None:
    from cosa import output, screen
    from cosa.commands import search

    from .test_meetings import build
    from .weekly import workspace_store

    monkeypatch.setenv("PAGER", "")
    with workspace_store(initialised) as store:
        build(store)
    cli("volunteer", "add", f"Zed {HOSTILE}")
    cli("volunteer", "edit", "Ann Example", "--phone", HOSTILE)
    cli("meeting", "add", "1", "--on", "yesterday", "--type", "formal", "--present", "ann",
        "--cm-attended", "yes", "--rag", "red", "--minutes", f"findme {HOSTILE} [bold red]x",
        "--concern", f"findme concern {HOSTILE}", "--action", f"action {HOSTILE}",
        "--owner", "Ann Example", "--due", "tomorrow")  # fmt: skip
    cli("config", "set", "report_classification", f"OFFICIAL {HOSTILE}")
    cli("lookup", "add", "concern-category", f"cat {HOSTILE}")
    cli("concern", "add", "1", f"second {HOSTILE}", "--severity", "amber",
        "--category", f"cat {HOSTILE}", "--raised-by", HOSTILE)  # fmt: skip
    cli("document", "add", "member:CM-0001", __file__, "--title", f"doc {HOSTILE}")
    for module in (output, screen, search):
        monkeypatch.setattr(module, "stdout_is_tty", lambda: tty)
    commands = [
        ("status",), ("audit",), ("search", "findme"), ("meeting", "show", "1"),
        ("meeting", "list", "1"), ("concern", "list"), ("concern", "show", "1"),
        ("action", "list"), ("volunteer", "list"), ("volunteer", "show", "Ann"),
        ("circle", "show", "1"), ("member", "show", "CM-0001"), ("config", "list"),
        ("lookup", "list"), ("document", "list"), ("volunteer", "show", "Zed"),
        ("volunteer", "show", HOSTILE),
    ]  # fmt: skip
    for args in commands:
        result = cli(*args, code=None)
        assert result.exit_code in (0, 1), (args, result.output)
        # (on a terminal, rich's own styling uses ESC: only the hostile pieces count)
        for piece in ("\x1b]0;", "\x07", "\x1b[2J", "\x9b", "\u202e"):
            assert piece not in result.stdout and piece not in result.stderr, (args, result.output)


@pytest.mark.parametrize(
    "entry",
    [{"seq": "x", "hash": "h"}, {"seq": 10**30, "hash": "h"}, {"seq": [1], "hash": "h"},
     {"seq": 1, "hash": ["h"]}, {"seq": True, "hash": "h"}, "junk", {"source": "s"}],
)  # fmt: skip
def test_junk_in_the_witness_file_is_named_not_a_crash(
    cli: Cli, initialised: Path, entry: object
) -> None:
    """The witness file lives outside the workspace, where anything may write it."""
    import json

    from cosa import seal

    cli("volunteer", "add", "Ann Example")
    cli("audit", "verify")  # writes the witness file
    path = seal.witness_path()
    data = json.loads(path.read_text())
    for entries in data.values():
        entries.append(entry)
    path.write_text(json.dumps(data))
    for args in (("audit", "verify"), ("doctor",)):
        result = cli(*args, code=None)
        assert "unexpected" not in result.output, result.output
        assert result.exit_code == 4 and "witness file" in result.output, result.output


def test_a_forged_seal_far_ahead_cannot_make_verify_with_the_recovery_code_hang(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    """A passphrase holder who adds a seal at position 10^15 would make the ratchet walk
    10^15 steps: the check meant to catch them would never finish."""
    import time

    from .weekly import workspace_store

    cli("volunteer", "add", "Ann Example")
    with workspace_store(initialised) as store:
        seq, _ = store.audit_head()
        store.conn.execute(
            "INSERT INTO audit_seals (n, seq, mac) VALUES (?, ?, 'x')", (10**15, seq)
        )
    started = time.monotonic()
    result = cli("audit", "verify", "--recovery-file", str(tmp_path / "recovery.txt"), code=4)
    assert time.monotonic() - started < 20
    assert "missing" in result.output
    started = time.monotonic()
    assert "seal" in cli("volunteer", "add", "Bob Baker", code=4).output
    assert time.monotonic() - started < 20


def test_a_passphrase_file_without_an_end_is_refused_not_read_for_ever(
    initialised: Path, raw_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """COSA_PASSPHRASE_FILE=/dev/zero (or a huge file with no newline) was read whole into
    memory, then handed to Argon2."""
    monkeypatch.delenv("COSA_PASSPHRASE")
    big = tmp_path / "big"
    big.write_bytes(b"x" * (8 << 20))
    for path in (big, Path("/dev/zero")):
        monkeypatch.setenv("COSA_PASSPHRASE_FILE", str(path))
        result = raw_cli("volunteer", "list", code=1)
        assert "too long" in result.output
