"""Issue 14, the insider half: writes check before they write, reads of case content leave a
`view` entry, forward-secure seals, doctor, the fixture workspace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cosa import audit
from cosa.domain import concerns, contacts, meetings

from .conftest import Cli
from .test_meetings import World, build
from .weekly import days_ago, workspace_store


@pytest.fixture
def world(initialised: Path) -> World:
    with workspace_store(initialised) as store:
        w = build(store)
        meetings.add(store, w.circle, minutes="The greenhouse is finished.", date=days_ago(4))
        concerns.add(
            store, w.circle, severity="amber", category="other", text="Late home", on=days_ago(3)
        )
        contacts.add(store, w.circle, by="Ann Example", on=days_ago(2), note="Call about the bus")
        return w


def _views(home: Path) -> list[dict[str, Any]]:
    import json

    with workspace_store(home) as store:
        rows = store.query("SELECT * FROM audit WHERE action = 'view' ORDER BY seq")
    for r in rows:
        r["detail"] = json.loads(r["detail"])
    return rows


@pytest.mark.parametrize(
    ("args", "record"),
    [
        (["meeting", "show", "1"], ("meeting", 1)),
        (["concern", "show", "1"], ("concern", 1)),
        (["member", "show", "CM-0001"], ("member", 1)),
        (["circle", "show", "1"], ("circle", 1)),
        (["volunteer", "show", "Ann Example"], ("volunteer", 1)),
        (["contact", "list"], (None, None)),
        (["search", "greenhouse"], (None, None)),
    ],
)
def test_each_read_of_case_content_writes_one_view_entry(
    cli: Cli, world: World, initialised: Path, args: list[str], record: tuple[Any, Any]
) -> None:
    before = len(_views(initialised))
    cli(*args)
    views = _views(initialised)
    assert len(views) == before + 1
    view = views[-1]
    assert (view["record_type"], view["record_id"]) == record
    assert view["detail"]["command"] == " ".join(args[:2]) if args[0] != "search" else "search"
    assert view["operator"] and view["at"] and view["state_hash"] is None
    # who, what, when: never the content
    assert "greenhouse" not in str(view) and "bus" not in str(view)


def test_search_and_contact_views_name_the_records_shown(
    cli: Cli, world: World, initialised: Path
) -> None:
    cli("search", "greenhouse")
    cli("contact", "list")
    search_view, contact_view = _views(initialised)[-2:]
    assert [rid for _type, rid in search_view["detail"]["results"]] == [1]
    assert contact_view["detail"]["contacts"] == [1]


def test_lists_of_codes_and_status_write_no_view(cli: Cli, world: World, initialised: Path) -> None:
    before = len(_views(initialised))
    cli("member", "list")
    cli("volunteer", "list")
    cli("status")
    assert len(_views(initialised)) == before


def test_a_view_keeps_the_audit_trail_verifiable(cli: Cli, world: World) -> None:
    cli("meeting", "show", "1")
    cli("audit", "verify")


# -- forward-secure seals ------------------------------------------------------------------


def _reseal_with_the_data_key(home: Path, new_name: str) -> None:
    """What a passphrase holder can do: change a record, recompute the hash chain (with the
    record's new state hash), re-MAC every seal with the only ratchet key they hold, and
    raise the high-water mark in cosa.keys with the data key."""
    from cosa import seal
    from cosa.store import entry_hash, state_hash
    from cosa.workspace import Workspace

    with workspace_store(home) as store:
        conn = store.conn
        conn.execute("UPDATE volunteers SET name = ? WHERE id = 1", (new_name,))
        row = store.one("SELECT * FROM volunteers WHERE id = 1")
        last = store.scalar(
            "SELECT max(seq) FROM audit WHERE record_type = 'volunteer' AND record_id = 1"
            " AND state_hash IS NOT NULL"
        )
        conn.execute("UPDATE audit SET state_hash = ? WHERE seq = ?", (state_hash(row), last))
        prev = store.scalar("SELECT hash FROM audit WHERE seq = ?", (last - 1,))
        for entry in store.query("SELECT * FROM audit WHERE seq >= ? ORDER BY seq", (last,)):
            entry["prev_hash"] = prev
            prev = entry_hash(entry)
            conn.execute(
                "UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?",
                (entry["prev_hash"], prev, entry["seq"]),
            )
        kf = Workspace(home).load_keys()
        _n, key = seal.unwrap_current(store.data_key, kf.workspace, kf.seal)
        for s in store.query(
            "SELECT s.n, s.seq, a.hash FROM audit_seals s JOIN audit a USING (seq)"
        ):
            forged = seal.seal_mac(key, s["n"], s["seq"], s["hash"])
            conn.execute("UPDATE audit_seals SET mac = ? WHERE n = ?", (forged, s["n"]))
        seq, head = store.audit_head()
        kf.head = {"seq": seq, "hash": head}
        kf.save(home / "cosa.keys", store.data_key)


def test_a_trail_resealed_with_the_data_key_fails_verify_with_the_recovery_code(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    cli("volunteer", "add", "Ann Example")
    cli("volunteer", "add", "Bob Baker")
    code = str(tmp_path / "recovery.txt")
    _reseal_with_the_data_key(initialised, "Eve Forged")
    cli("audit", "verify")  # the chain and the mark alone cannot tell (no witness yet)
    result = cli("audit", "verify", "--recovery-file", code, code=4)
    assert "does not verify: the trail was rewritten" in result.output


def test_seals_verify_from_the_seed_after_ordinary_use(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    for name in ("Ann Example", "Bob Baker"):
        cli("volunteer", "add", name)
    cli("volunteer", "edit", "Ann Example", "--phone", "01234 567890")
    data = cli.json("audit", "verify", "--recovery-file", str(tmp_path / "recovery.txt"))
    assert data["ok"] and data["seals"]["seals"] >= 4 and data["seals"]["checked_from"] == 0


def test_the_seed_opens_only_with_the_recovery_code(
    cli: Cli, initialised: Path, recovery_code: str
) -> None:
    from cosa import seal, vault
    from cosa.workspace import Workspace

    from .conftest import PASSPHRASE

    kf = Workspace(initialised).load_keys()
    assert [int(b["from"]) for b in kf.seeds] == [0]
    assert seal.open_seeds(kf, PASSPHRASE.encode()) == []
    ((start, _k0),) = seal.open_seeds(kf, vault.recovery_secret(recovery_code))
    assert start == 0


def test_the_key_file_keeps_only_the_next_ratchet_key(cli: Cli, initialised: Path) -> None:
    from cosa import seal
    from cosa.workspace import Workspace

    cli("volunteer", "add", "Ann Example")
    with workspace_store(initialised) as store:
        last = store.scalar("SELECT max(n) FROM audit_seals")
        kf = Workspace(initialised).load_keys()
        n, _key = seal.unwrap_current(store.data_key, kf.workspace, kf.seal)
    assert n == last + 1


def test_a_key_file_left_behind_by_a_crash_still_seals_and_verifies(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    """The crash window: the database committed, cosa.keys was not rewritten (simulated by
    putting the previous key file back, which keeps its MAC and a lower mark)."""
    cli("volunteer", "add", "Ann Example")
    earlier = (initialised / "cosa.keys").read_bytes()
    cli("volunteer", "add", "Bob Baker")
    (initialised / "cosa.keys").write_bytes(earlier)
    cli("volunteer", "add", "Carol Jones")
    data = cli.json("audit", "verify", "--recovery-file", str(tmp_path / "recovery.txt"))
    assert data["ok"], data


def test_truncating_the_trail_and_seals_is_caught(cli: Cli, initialised: Path) -> None:
    cli("volunteer", "add", "Ann Example")
    cli("volunteer", "add", "Bob Baker")
    with workspace_store(initialised) as store:
        seq, _ = store.audit_head()
        n = store.scalar("SELECT max(n) FROM audit_seals")
        store.conn.execute("DELETE FROM audit WHERE seq = ?", (seq,))
        store.conn.execute("DELETE FROM volunteers WHERE id = 2")
        store.conn.execute("DELETE FROM audit_seals WHERE n = ?", (n,))
        # lower the mark with the data key too, as a passphrase holder can
        from cosa.workspace import Workspace

        kf = Workspace(initialised).load_keys()
        kf.head = dict(zip(("seq", "hash"), store.audit_head(), strict=True))
        kf.save(initialised / "cosa.keys", store.data_key)
    result = cli("audit", "verify", code=4)
    assert "seals were removed" in result.output


def test_a_joint_rollback_of_db_and_keys_is_named_by_the_witness_file(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    import shutil

    from cosa import seal

    cli("volunteer", "add", "Ann Example")
    _checkpoint(initialised)
    for name in ("cosa.db", "cosa.keys"):
        shutil.copy(initialised / name, tmp_path / name)
    cli("volunteer", "add", "Bob Baker")
    cli("audit", "verify")  # records the head outside the workspace
    assert seal.witness_path().is_relative_to(tmp_path)
    for name in ("cosa.db", "cosa.keys"):
        shutil.copy(tmp_path / name, initialised / name)
    cli("volunteer", "list")  # everything inside the workspace agrees
    result = cli("audit", "verify", code=4)
    assert "audit verify recorded audit entry" in result.output
    assert "ends before it" in result.output


def test_backups_and_reports_leave_their_head_outside_the_workspace(
    cli: Cli, world: World, initialised: Path, tmp_path: Path
) -> None:
    import json

    from cosa import seal
    from cosa.workspace import Workspace

    cli("backup", str(tmp_path / "b.cosabak"))
    ws_id = Workspace(initialised).load_keys().workspace
    sources = [w["source"] for w in seal.witnesses(f"{ws_id} {initialised.resolve()}")]
    assert f"backup {tmp_path / 'b.cosabak'}" in sources
    text = json.loads(seal.witness_path().read_text())
    assert set(text) == {f"{ws_id} {initialised.resolve()}"}


def test_rotate_key_keeps_the_seals_checkable_by_both_codes(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    cli("volunteer", "add", "Ann Example")
    cli("rotate-key", "--recovery-file", str(tmp_path / "new-code.txt"))
    cli("volunteer", "add", "Bob Baker")
    old = cli.json("audit", "verify", "--recovery-file", str(tmp_path / "recovery.txt"))
    new = cli.json("audit", "verify", "--recovery-file", str(tmp_path / "new-code.txt"))
    assert old["ok"] and new["ok"]
    assert old["seals"]["checked_from"] == 0 and new["seals"]["checked_from"] > 0
    assert any("earlier recovery code" in n for n in new["notes"])


def test_a_workspace_from_before_sealing_starts_sealing_when_given_the_code(
    raw_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The committed fixture workspace was made by cosa 0.1.0, before sealing. (Stripping the
    seed of a sealed workspace is refused instead: tests/test_attacks.py.)"""
    import shutil

    from .test_fixture_workspace import FIXTURE, PASSPHRASE, RECOVERY_CODE

    home = tmp_path / "old"
    shutil.copytree(FIXTURE, home)
    monkeypatch.setenv("COSA_HOME", str(home))
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    code = tmp_path / "old-code.txt"
    code.write_text(RECOVERY_CODE + "\n")
    raw_cli("volunteer", "add", "Dan Newcomer")
    raw_cli("audit", "verify")
    data = raw_cli.json("audit", "verify", "--recovery-file", str(code))
    assert data["ok"] and any("sealing starts" in n for n in data["notes"])
    raw_cli("volunteer", "add", "Eve Later")
    data = raw_cli.json("audit", "verify", "--recovery-file", str(code))
    assert data["ok"] and data["seals"]["seals"] == 2, data


def _checkpoint(home: Path) -> None:
    with workspace_store(home) as store:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# -- doctor ----------------------------------------------------------------------------------


def _flip(home: Path, offset: int) -> None:
    db = home / "cosa.db"
    data = bytearray(db.read_bytes())
    data[offset] ^= 0xFF
    db.write_bytes(bytes(data))


def test_doctor_names_a_damaged_first_page_as_damage_not_a_wrong_key(
    cli: Cli, initialised: Path
) -> None:
    cli("volunteer", "add", "Ann Example")
    _checkpoint(initialised)
    _flip(initialised, 100)
    result = cli("doctor", code=4)
    assert "FAIL  page HMACs (every page of cosa.db): damaged page(s): 1" in result.output
    assert "wrong" not in result.output and "locked" not in result.output


def test_doctor_names_a_damaged_page_in_the_middle(cli: Cli, initialised: Path) -> None:
    for i in range(20):
        cli("volunteer", "add", f"Volunteer {i} " + "x" * 200)
    _checkpoint(initialised)
    _flip(initialised, 4096 * 5 + 700)  # page 6
    result = cli("doctor", code=4)
    assert "damaged page(s): 6" in result.output


def test_doctor_names_a_damaged_search_index_and_nothing_else(
    cli: Cli, initialised: Path, world: World
) -> None:
    with workspace_store(initialised) as store:  # the index's own pages, emptied behind cosa
        store.conn.execute("UPDATE search_index_content SET c0 = 'words never indexed'")
    result = cli("doctor", "--json", code=4)
    checks = {c["check"]: c for c in json.loads(result.stdout)["checks"]}
    assert not checks["search index search_index"]["ok"]
    assert checks["search index search_index"]["detail"]
    assert checks["page HMACs (every page of cosa.db)"]["ok"], checks
    assert checks["integrity_check"]["ok"], checks


@pytest.mark.parametrize(
    ("damage", "stops"),
    [
        ("UPDATE search_index_data SET block = zeroblob(length(block))"
         " WHERE id = (SELECT max(id) FROM search_index_data)", False),
        ("UPDATE search_index_data SET block = x'00' WHERE id = 10", False),  # the structure
        ("UPDATE search_index_idx SET term = 'zzz' || term", False),
        ("UPDATE search_index_config SET v = 99 WHERE k = 'version'", True),
    ],
)  # fmt: skip
def test_doctor_fails_the_search_index_check_for_every_way_fts5_reports_damage(
    cli: Cli, initialised: Path, world: World, damage: str, stops: bool
) -> None:
    """FTS5 names the index in its findings as 'table "search_index"' ("fts5: corruption found
    reading blob … from table …"), not only as `main.search_index`, and reports some damage
    by stopping `integrity_check` with an error: either way the search index check fails, and
    a stopped `integrity_check` (whose other findings are lost) fails as well."""
    with workspace_store(initialised) as store:
        store.conn.execute(damage)
    result = cli("doctor", "--json", code=4)
    checks = {c["check"]: c for c in json.loads(result.stdout)["checks"]}
    assert not checks["search index search_index"]["ok"], checks
    assert "fts5" in checks["search index search_index"]["detail"], checks
    assert checks["page HMACs (every page of cosa.db)"]["ok"], checks
    assert checks["integrity_check"]["ok"] is not stops, checks  # a check that stopped failed


def test_an_sqlite_before_3_44_gets_the_search_index_checked_on_its_own(
    cli: Cli, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite runs FTS5's check inside integrity_check only from 3.44: with an older library
    (a sqlcipher3 built against the system's), doctor runs it itself."""
    from cosa.commands import audit_cmds

    checked: list[str] = []
    real = audit_cmds._search_index_check

    def spy(store: Any, name: str) -> list[str]:
        checked.append(name)
        return real(store, name)

    monkeypatch.setattr(audit_cmds, "_search_index_check", spy)
    cli("doctor")
    assert checked == []  # 3.53: integrity_check did it
    monkeypatch.setattr(audit_cmds, "sqlite_version_info", lambda: (3, 43, 2))
    assert "ok    search index search_index" in cli("doctor").output
    assert checked == ["search_index"]


def test_a_damaged_page_does_not_hide_a_damaged_search_index(
    cli: Cli, initialised: Path, world: World
) -> None:
    """`integrity_check` stops before FTS5's check when it meets enough other damage (100
    problems, or an error): the search index is then checked on its own, never called ok."""
    for i in range(40):
        cli("volunteer", "add", f"Volunteer {i} " + "x" * 200)
    with workspace_store(initialised) as store:
        store.conn.execute("UPDATE search_index_content SET c0 = 'words never indexed'")
        root = store.scalar("SELECT rootpage FROM sqlite_master WHERE name = 'volunteers'")
    _checkpoint(initialised)
    _flip(initialised, 4096 * (root - 1) + 700)  # the volunteers table's root page
    checks = {c["check"]: c for c in json.loads(cli("doctor", "--json", code=4).stdout)["checks"]}
    assert checks["page HMACs (every page of cosa.db)"]["detail"] == f"damaged page(s): {root}"
    assert not checks["integrity_check"]["ok"], checks
    assert not checks["search index search_index"]["ok"], checks


def test_doctor_says_a_file_cut_at_a_page_boundary_is_truncated(
    cli: Cli, initialised: Path
) -> None:
    import os

    for i in range(20):
        cli("volunteer", "add", f"Volunteer {i} " + "x" * 200)
    _checkpoint(initialised)
    db = initialised / "cosa.db"
    os.truncate(db, db.stat().st_size // 4096 // 2 * 4096)
    output = cli("doctor", code=4).output
    assert "with this workspace's key" not in output
    pages = db.stat().st_size // 4096
    assert f"FAIL  page HMACs (every page of cosa.db): the file ends after page {pages}" in output
    said = cli("volunteer", "list", code=4).stderr
    assert f"is cut short: the file ends after page {pages}; page 1 says it has" in said


def test_integrity_check_stopped_by_sqlite_running_out_of_memory_is_a_failed_check(
    initialised: Path, world: World
) -> None:
    """A damaged FTS5 structure record can claim a size SQLite cannot allocate: the
    check fails (exit 4 through doctor) instead of 'unexpected MemoryError'."""
    from cosa.commands import audit_cmds

    with workspace_store(initialised) as store:
        real = store.query

        def query(sql: str, params: Any = ()) -> list[dict[str, Any]]:
            if sql == "PRAGMA integrity_check":
                raise MemoryError
            return real(sql, params)

        store.query = query  # type: ignore[method-assign]
        found = audit_cmds._sqlite_checks(store, initialised / "cosa.db", False)
    assert found["integrity_check"] == ["MemoryError: "]
    assert found["search index search_index"] == ["ok"]  # checked on its own


def test_the_settings_check_reads_the_settings_entries_by_their_index(initialised: Path) -> None:
    """`audit verify` and `doctor` compare each setting with its last entry: through the
    partial index of m140, not a scan of the whole trail."""
    with workspace_store(initialised) as store:
        seen: list[str] = []
        store.conn.set_trace_callback(seen.append)
        audit.settings_problems(store)
        store.conn.set_trace_callback(None)
        plan = store.query("EXPLAIN QUERY PLAN " + next(s for s in seen if "setting.set" in s))
    assert any("audit_settings" in str(row["detail"]) for row in plan), plan


def test_doctor_checks_only_what_came_after_the_last_verified_head_unless_full(
    cli: Cli, initialised: Path
) -> None:
    cli("volunteer", "add", "Ann Example")
    cli("doctor")
    cli("volunteer", "add", "Bob Baker")
    quick = cli.json("doctor")
    audit_check = quick["checks"][-1]
    assert "since entry" in audit_check["detail"]
    full = cli.json("doctor", "--full")
    assert "since entry" not in full["checks"][-1]["detail"]
    cli("volunteer", "add", "Carol Jones")
    with workspace_store(initialised) as store:  # rows changed behind cosa
        store.conn.execute("UPDATE volunteers SET name = 'Eve' WHERE id IN (1, 3)")
    # the quick check re-hashes Carol (touched since the last verified head), not Ann …
    quick_output = cli("doctor", code=4).output
    assert "volunteer 3 was changed outside cosa" in quick_output
    assert "volunteer 1 " not in quick_output
    # … which `--full` (and `audit verify`) do
    assert "volunteer 1 was changed outside cosa" in cli("doctor", "--full", code=4).output


def test_backup_of_a_damaged_database_is_one_integrity_line(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    for i in range(20):
        cli("volunteer", "add", f"Volunteer {i} " + "x" * 200)
    _checkpoint(initialised)
    _flip(initialised, 4096 * 5 + 700)
    result = cli("backup", str(tmp_path / "b.cosabak"), code=4)
    lines = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(lines) == 1 and "damaged" in lines[0] and "unexpected" not in result.output
    assert not (tmp_path / "b.cosabak").exists()


def test_a_damaged_first_page_names_the_page_when_opening(cli: Cli, initialised: Path) -> None:
    _checkpoint(initialised)
    _flip(initialised, 100)
    result = cli("volunteer", "list", code=4)
    assert "page(s) 1 fail their check" in result.output


def test_under_an_unlock_session_a_damaged_first_page_is_damage_not_locked(
    cli: Cli, initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cosa.workspace import Options, Workspace

    _checkpoint(initialised)
    key = Workspace(initialised).unlock_key(Options())
    monkeypatch.setattr(Workspace, "session", lambda self, wid: (key, None))
    monkeypatch.delenv("COSA_PASSPHRASE")
    _flip(initialised, 100)
    result = cli("volunteer", "list", code=4)
    assert "page(s) 1 fail their check" in result.output and "locked" not in result.output
    assert "damaged page(s): 1" in cli("doctor", code=4).output


def test_a_view_that_cannot_be_recorded_is_said_once_and_the_read_goes_on(
    cli: Cli, world: World, initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contextlib import contextmanager

    import sqlcipher3

    from cosa import audit
    from cosa.store import Store

    @contextmanager
    def read_only(self: Store) -> Any:
        raise sqlcipher3.OperationalError("attempt to write a readonly database")
        yield self

    monkeypatch.setattr(audit, "_unrecorded_said", False)
    monkeypatch.setattr(Store, "atomic", read_only)
    first = cli("meeting", "show", "1")
    second = cli("search", "greenhouse")
    assert "greenhouse" in first.stdout and "1" in second.stdout
    said = first.stderr + second.stderr
    assert said.count("the workspace is read-only, so this view is not recorded") == 1
