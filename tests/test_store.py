"""The store, migrations, audit chain, doctor and plaintext-at-rest."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from cosa import audit
from cosa.domain import volunteers
from cosa.migrations import MIGRATIONS

from .conftest import Cli, all_workspace_bytes

SCHEMA_FILE = Path(__file__).with_name("schema.sql")


def schema_of(store: Any) -> str:
    rows = store.query(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type, name"
    )
    return "\n".join(r["sql"].strip() + ";" for r in rows) + "\n"


def test_blank_database_ends_at_exactly_the_expected_schema(store: Any) -> None:
    assert store.schema_version() == len(MIGRATIONS)
    assert schema_of(store) == SCHEMA_FILE.read_text(), (
        "update tests/schema.sql with the new migration"
    )


def test_migrations_are_recorded_once_and_reapplying_is_a_no_op(store: Any) -> None:
    from cosa.migrations import apply_migrations

    assert apply_migrations(store) == []
    names = [r["name"] for r in store.query("SELECT name FROM schema_migrations ORDER BY name")]
    assert names == [fn.__name__ for fn in MIGRATIONS]  # each once, applied in number order


def test_store_refuses_a_database_from_a_newer_cosa(store: Any) -> None:
    from cosa.errors import IntegrityError
    from cosa.migrations import apply_migrations

    with store.atomic():
        store.execute("INSERT INTO schema_migrations VALUES ('m999_future', 'now')")
    with pytest.raises(IntegrityError, match="newer version"):
        apply_migrations(store)


def test_pragmas_keep_plaintext_off_disk(store: Any) -> None:
    assert store.scalar("PRAGMA temp_store") == 2  # MEMORY
    assert store.scalar("PRAGMA secure_delete") == 1
    assert store.scalar("PRAGMA journal_mode") == "wal"
    assert store.scalar("PRAGMA cipher_version")


def test_atomic_rolls_back_everything_including_the_audit_entry(store: Any) -> None:
    before = store.audit_head()
    with pytest.raises(RuntimeError), store.atomic():
        store.insert("volunteers", "volunteer", {"name": "Ann", "status": "active"})
        raise RuntimeError("boom")
    assert store.audit_head() == before
    assert store.query("SELECT * FROM volunteers") == []


def test_nested_atomic_uses_savepoints(store: Any) -> None:
    with store.atomic():
        volunteers.add(store, "Ann")
        with pytest.raises(ValueError), store.atomic():
            volunteers.add(store, "Bob")
            raise ValueError
    assert [r["name"] for r in volunteers.list_(store)] == ["Ann"]
    assert audit.verify(store).ok


def test_writes_outside_atomic_are_refused(store: Any) -> None:
    with pytest.raises(RuntimeError):
        store.insert("volunteers", "volunteer", {"name": "Ann"})


def test_every_write_is_audited_with_fields_and_a_state_hash(store: Any) -> None:
    vid = volunteers.add(store, "Ann", email="ann@example.org")
    with store.atomic():
        store.update("volunteers", "volunteer", vid, {"email": "ann@new.example", "name": "Ann"})
    entries = audit.entries(store, record_type="volunteer")
    assert [e["action"] for e in entries] == ["volunteer.add", "volunteer.edit"]
    assert entries[1]["fields"] == ["email"]
    result = audit.verify(store)
    assert result.ok and result.records >= 1


def test_verify_detects_an_edited_record(store: Any) -> None:
    volunteers.add(store, "Ann")
    store.conn.execute("UPDATE volunteers SET name = 'Eve'")
    result = audit.verify(store)
    assert not result.ok and "changed outside cosa" in result.problems[0]


def test_verify_detects_an_edited_or_deleted_audit_row(store: Any) -> None:
    volunteers.add(store, "Ann")
    volunteers.add(store, "Bob")
    store.conn.execute("UPDATE audit SET operator = 'mallory' WHERE seq = 2")
    assert "altered" in " ".join(audit.verify(store).problems)
    store.conn.execute("DELETE FROM audit WHERE seq = 2")
    assert "missing" in " ".join(audit.verify(store).problems)


def test_audit_verify_cli_exit_4_on_a_tampered_row(cli: Cli, initialised: Path) -> None:
    cli("volunteer", "add", "Ann")
    cli("audit", "verify")
    _tamper(initialised, "UPDATE audit SET action = 'nothing' WHERE seq = 2")
    result = cli("audit", "verify", code=4)
    assert "altered" in result.output


def test_audit_verify_cli_exit_4_on_a_deleted_row(cli: Cli, initialised: Path) -> None:
    cli("volunteer", "add", "Ann")
    cli("volunteer", "add", "Bob")
    _tamper(initialised, "DELETE FROM audit WHERE seq = 2")
    cli("audit", "verify", code=4)


def _checkpoint(home: Path) -> None:
    """Move everything from the WAL into cosa.db, so the file alone is the database."""
    from cosa.workspace import Options, Workspace

    store = Workspace(home).open(Options())
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def _tamper(home: Path, sql: str) -> None:
    from cosa.workspace import Options, Workspace

    store = Workspace(home).open(Options())
    store.conn.execute(sql)
    store.close()


def test_doctor_passes_on_a_healthy_workspace(cli: Cli) -> None:
    cli("volunteer", "add", "Ann")
    result = cli("doctor")
    assert "All checks passed" in result.output
    assert cli.json("doctor")["ok"] is True


def test_doctor_exit_4_on_a_flipped_byte_in_the_database(cli: Cli, initialised: Path) -> None:
    for i in range(40):
        cli("volunteer", "add", f"Volunteer {i} " + "x" * 200)
    db = initialised / "cosa.db"
    data = bytearray(db.read_bytes())
    assert len(data) > 4096 * 3
    data[4096 * 2 + 500] ^= 0x01  # a byte inside page 3
    db.write_bytes(bytes(data))
    result = cli("doctor", code=4)
    assert "FAIL" in result.output and "damaged" not in result.output.split("FAIL")[0]


def test_doctor_names_a_rollback(cli: Cli, initialised: Path, tmp_path: Path) -> None:
    cli("volunteer", "add", "Ann")
    shutil.copy(initialised / "cosa.db", tmp_path / "old.db")
    cli("volunteer", "add", "Bob")
    shutil.copy(tmp_path / "old.db", initialised / "cosa.db")
    result = cli("doctor", code=4)
    assert "rollback detected" in result.output


MARKER = "PLAINTEXT-MARKER-Zoë-7731"


def test_plaintext_never_at_rest(cli: Cli, initialised: Path, tmp_path: Path) -> None:
    cli("volunteer", "add", MARKER, "--email", "marker@example.org")
    for i in range(300):  # enough rows that sorting could spill to a temp file
        cli("volunteer", "add", f"{MARKER} {i:04d}") if i % 100 == 0 else None
    _bulk_insert(initialised, 3000)
    assert MARKER in cli("volunteer", "list", "--csv").stdout  # a sort over every row
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "cosa.db" for p in files)
    for p in files:
        data = p.read_bytes()
        for needle in (MARKER.encode(), MARKER.encode("utf-16-le"), b"marker@example.org"):
            assert needle not in data, f"plaintext found in {p}"
    assert MARKER.encode() not in all_workspace_bytes(initialised)


def _bulk_insert(home: Path, n: int) -> None:
    from cosa.workspace import Options, Workspace

    store = Workspace(home).open(Options())
    with store.atomic():
        for i in range(n):
            volunteers.add(store, f"{MARKER} bulk {i:05d} " + "y" * 100)
    # keep the WAL around while we look at it: open a reader, then scan
    store.close()


def test_the_database_is_not_readable_by_plain_sqlite(cli: Cli, initialised: Path) -> None:
    cli("volunteer", "add", "Ann")
    conn = sqlite3.connect(initialised / "cosa.db")
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT * FROM sqlite_master").fetchall()
    conn.close()


def test_an_old_encrypted_page_pasted_back_is_detected(
    cli: Cli, initialised: Path, tmp_path: Path
) -> None:
    """SQLCipher's page HMAC does not cover the page's age: an old page of the same database
    authenticates. The record hashes and the audit chain must catch it."""
    for i in range(30):
        cli("volunteer", "add", f"Volunteer {i:02d} " + "x" * 150)
    old = (initialised / "cosa.db").read_bytes()
    cli("volunteer", "edit", "Volunteer 07", "--email", "changed@example.org")
    cli("volunteer", "add", "Late Addition")
    new = (initialised / "cosa.db").read_bytes()
    page = 4096
    changed = [
        n
        for n in range(1, min(len(old), len(new)) // page)  # page 1 (index 0) always changes
        if old[n * page : (n + 1) * page] != new[n * page : (n + 1) * page]
    ]
    assert changed, "the edit should have changed some pages"
    for n in changed:
        spliced = new[: n * page] + old[n * page : (n + 1) * page] + new[(n + 1) * page :]
        (initialised / "cosa.db").write_bytes(spliced)
        result = cli("doctor", code=4)
        assert "FAIL" in result.output
    (initialised / "cosa.db").write_bytes(new)
    cli("doctor")


def test_an_edit_after_a_page_replay_never_launders_it(cli: Cli, initialised: Path) -> None:
    """Hole 1 of issue 14: replay each page an edit changed, then make an ordinary edit. The
    edit is refused (the record no longer matches its audit trail), or the open refuses (an
    audit page: the high-water mark), or the page held only index data and doctor still
    fails: never does the edit make the old page pass as cosa's own."""
    for i in range(30):
        cli("volunteer", "add", f"Volunteer {i:02d} " + "x" * 150, "--email", "old@example.org")
    _checkpoint(initialised)
    old = (initialised / "cosa.db").read_bytes()
    cli("volunteer", "edit", "Volunteer 07", "--email", "new@example.org")
    _checkpoint(initialised)
    new = (initialised / "cosa.db").read_bytes()
    page = 4096
    pages = [
        n
        for n in range(1, min(len(old), len(new)) // page)
        if old[n * page : (n + 1) * page] != new[n * page : (n + 1) * page]
    ]
    assert pages
    for n in pages:
        spliced = new[: n * page] + old[n * page : (n + 1) * page] + new[(n + 1) * page :]
        (initialised / "cosa.db").write_bytes(spliced)
        result = cli("volunteer", "edit", "Volunteer 07", "--phone", "01234 567890", code=None)
        assert result.exit_code in (0, 4), result.output
        cli("doctor", code=4)


def test_an_edit_of_a_reverted_row_is_refused_and_verify_still_fails(
    cli: Cli, initialised: Path
) -> None:
    """The row put back as it was (what a replayed page of the row does): before, the next
    ordinary edit hashed the reverted row as the new state and `audit verify` passed again."""
    cli("volunteer", "add", "Ann Example", "--email", "old@example.org")
    store = _open(initialised)
    before = store.one("SELECT * FROM volunteers WHERE id = 1")
    store.close()
    cli("volunteer", "edit", "Ann Example", "--email", "new@example.org")
    head = _open(initialised)
    sets = ", ".join(f"{k} = :{k}" for k in before if k != "id")
    head.conn.execute(f"UPDATE volunteers SET {sets} WHERE id = :id", before)
    entries = head.audit_head()
    head.close()
    result = cli("volunteer", "edit", "Ann Example", "--phone", "01234 567890", code=4)
    assert result.output.startswith(
        "Error: volunteer 1: record changed outside cosa; run `cosa doctor`"
    )
    check = _open(initialised)
    assert check.audit_head() == entries  # nothing written
    assert check.one("SELECT phone FROM volunteers WHERE id = 1") == {"phone": None}
    check.close()
    assert "volunteer 1 was changed outside cosa" in cli("audit", "verify", code=4).output
    shown = cli("volunteer", "show", "Ann Example")
    assert "was changed outside cosa" in shown.stderr
    assert shown.stderr.count("changed outside cosa") == 1


def _open(home: Path) -> Any:
    from cosa.workspace import Options, Workspace

    return Workspace(home).open(Options())


def test_reaudit_keeps_record_hashes_true_after_a_column_is_added(store: Any) -> None:
    """A migration that adds a column changes every row's hash; `reaudit` records the new
    states so `audit verify` still passes (and would fail without it)."""
    from cosa import audit
    from cosa.migrations import reaudit

    with store.atomic():
        store.insert("volunteers", "volunteer", {"name": "Ann Example"})
    with store.atomic():
        store.execute("ALTER TABLE volunteers ADD COLUMN nickname TEXT")
    assert not audit.verify(store).ok
    with store.atomic():
        assert reaudit(store, "volunteer") == 1
    assert audit.verify(store).ok
