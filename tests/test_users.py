"""People with their own key slots: who acts is whose passphrase opened the workspace."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from cosa import vault
from cosa.workspace import Options, Workspace, os_user
from tests.conftest import PASSPHRASE, Cli, all_workspace_bytes

BOB = "bob's own long passphrase"
MAX = "the manager's passphrase"


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text + "\n")
    return str(path)


@pytest.fixture
def two(raw_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A workspace of Ann (first user, coordinator) and Bob (coordinator)."""
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    raw_cli("init", "--user", "Ann", "--recovery-file", str(tmp_path / "recovery.txt"))
    raw_cli("user", "add", "Bob", "--new-passphrase-file", _file(tmp_path, "bob.txt", BOB))
    return raw_cli


def _as(monkeypatch: pytest.MonkeyPatch, passphrase: str) -> None:
    monkeypatch.setenv("COSA_PASSPHRASE", passphrase)


def _audit(cli: Cli) -> list[dict[str, Any]]:
    return list(cli.json("audit", "--limit", "0"))


def test_the_audit_names_whose_passphrase_opened_the_workspace_not_the_claim(
    two: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSA_OPERATOR", "Someone Else")
    two("volunteer", "add", "Vera Example")
    assert _audit(two)[-1]["operator"] == "Ann (as Someone Else)"
    monkeypatch.delenv("COSA_OPERATOR")
    _as(monkeypatch, BOB)
    two("volunteer", "add", "Walt Example")
    entries = _audit(two)
    assert entries[-1]["operator"] == "Bob"
    assert [e["operator"] for e in entries if e["action"] == "user.add"] == ["Ann", "Ann"]
    assert two.json("user", "list") == [
        {"name": "Ann", "role": "coordinator"},
        {"name": "Bob", "role": "coordinator"},
    ]


def test_records_say_who_created_them(
    two: Cli, monkeypatch: pytest.MonkeyPatch, ws_home: Path
) -> None:
    _as(monkeypatch, BOB)
    two("volunteer", "add", "Walt Example")
    store = Workspace(ws_home).open(Options())
    try:
        row = store.one("SELECT created_by FROM volunteers")
    finally:
        store.close()
    assert row is not None and row["created_by"] == "Bob"


def test_one_person_cannot_change_anothers_passphrase(
    two: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    two("passwd", "Bob", code=2)  # there is no way to name someone else
    two("passwd", "--new-passphrase-file", _file(tmp_path, "new.txt", "ann's brand new phrase"))
    _as(monkeypatch, PASSPHRASE)
    assert "wrong passphrase" in two("status", code=3).output
    _as(monkeypatch, BOB)
    two("volunteer", "add", "Walt Example")
    assert _audit(two)[-1]["operator"] == "Bob"
    _as(monkeypatch, "ann's brand new phrase")
    two("volunteer", "add", "Xena Example")
    last = [e for e in _audit(two) if e["action"] == "vault.passwd"][-1]
    assert last["operator"] == "Ann" and last["detail"]["person"] == "Ann"


def test_a_passphrase_that_opens_someone_elses_slot_is_refused(
    two: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ws_home: Path
) -> None:
    before = all_workspace_bytes(ws_home)
    result = two("passwd", "--new-passphrase-file", _file(tmp_path, "b.txt", BOB), code=1)
    assert "someone else's slot" in result.output
    result = two(
        "user", "add", "Cy", "--new-passphrase-file", _file(tmp_path, "c.txt", BOB), code=1
    )
    assert "already opens someone's slot" in result.output
    assert all_workspace_bytes(ws_home) == before


def test_bad_user_changes_are_one_line_and_write_nothing(
    two: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ws_home: Path
) -> None:
    other = _file(tmp_path, "x.txt", "yet another passphrase")
    before = all_workspace_bytes(ws_home)
    for args, code, words in [
        (("user", "add", "bob", "--new-passphrase-file", other), 1, "already a user"),
        (("user", "add", "Cy", "--role", "boss", "--new-passphrase-file", other), 2, "--role"),
        (("user", "add", "me", "--new-passphrase-file", other), 1, "cannot be a person's name"),
        (("user", "remove", "Zed"), 1, "no user called"),
    ]:
        result = two(*args, code=code)
        assert words in result.output, result.output
    _as(monkeypatch, "not anyone's passphrase")
    result = two("user", "add", "Cy", "--new-passphrase-file", other, code=3)
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert errors == ["Error: wrong passphrase"]
    # the failed unlock is the only trace, and it is taken in at the next unlock
    (ws_home / "cosa.failures").unlink()
    assert all_workspace_bytes(ws_home) == before


def test_the_last_user_and_the_last_coordinator_stay(
    two: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ws_home: Path
) -> None:
    two(
        "user",
        "add",
        "Max",
        "--role",
        "manager",
        "--new-passphrase-file",
        _file(tmp_path, "m", MAX),
    )
    result = two("user", "remove", "Bob")
    assert "may have copied" in result.output and "cosa rotate-key" in result.output
    before = all_workspace_bytes(ws_home)
    assert "last coordinator" in two("user", "remove", "Ann", code=1).output
    assert all_workspace_bytes(ws_home) == before
    _as(monkeypatch, MAX)
    assert "only a coordinator" in two("user", "remove", "Ann", code=1).output
    _as(monkeypatch, BOB)
    assert "wrong passphrase" in two("status", code=3).output
    _as(monkeypatch, PASSPHRASE)
    two("user", "remove", "Max")
    assert "last user" in two("user", "remove", "Ann", code=1).output
    removed = [e["detail"] for e in _audit(two) if e["action"] == "user.remove"]
    assert [r["name"] for r in removed] == ["Bob", "Max"]


def test_a_wrong_passphrase_is_recorded_as_nobodys(
    two: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(monkeypatch, "nobody has this one")
    two("status", code=3)
    _as(monkeypatch, BOB)
    two("status")
    failed = [e for e in _audit(two) if e["action"] == "unlock.failed"]
    assert len(failed) == 1 and failed[0]["detail"]["person"] == "unknown"
    assert failed[0]["operator"] == "Bob"  # Bob's unlock took the note into the trail


def test_the_recovery_code_acts_as_the_recovery_code(
    two: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    two(
        "recover",
        "--user",
        "Bob",
        "--recovery-file",
        str(tmp_path / "recovery.txt"),
        "--new-passphrase-file",
        _file(tmp_path, "n.txt", "bob forgot and chose this"),
    )
    entry = [e for e in _audit(two) if e["action"] == "vault.recover"][-1]
    assert entry["operator"] == "recovery code" and entry["detail"]["person"] == "Bob"
    _as(monkeypatch, "bob forgot and chose this")
    two("volunteer", "add", "Walt Example")
    assert _audit(two)[-1]["operator"] == "Bob"


@pytest.fixture
def fake_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Unlock sessions in a test credential store (tests/session_backend.py), so these tests
    need no kernel keyring; this branch changes what a session holds, not where."""
    from .session_backend import install

    path = tmp_path / "credentials.json"
    install(path, monkeypatch.setattr)
    return path


def test_the_unlock_session_remembers_whose_it_is(
    two: Cli, monkeypatch: pytest.MonkeyPatch, ws_home: Path, fake_keyring: Path
) -> None:
    _as(monkeypatch, BOB)
    two("unlock")
    monkeypatch.delenv("COSA_PASSPHRASE")
    two("volunteer", "add", "Walt Example")
    assert _audit(two)[-1]["operator"] == "Bob"
    workspace_id = Workspace(ws_home).load_keys().workspace
    session = Workspace(ws_home).session(workspace_id)
    assert session is not None and session[1] == "Bob"


def _downgrade_to_version_1(home: Path) -> None:
    """Rewrite cosa.keys as cosa before people wrote it: one unnamed passphrase slot."""
    key = Workspace(home).unlock_key(Options())
    kf = vault.KeyFile.load(home / "cosa.keys")
    for slot in kf.slots:
        slot.pop("user", None)
    kf.version = 1
    kf.mac = kf.compute_mac(key)
    (home / "cosa.keys").write_bytes(kf.to_bytes())


def test_a_version_1_key_file_opens_and_names_its_person_after_the_operator_setting(
    cli: Cli, initialised: Path
) -> None:
    cli("config", "set", "operator", "Jo Coordinator")
    _downgrade_to_version_1(initialised)
    raw = json.loads((initialised / "cosa.keys").read_text())
    assert raw["version"] == 1 and "user" not in raw["slots"][0]
    cli("volunteer", "add", "Vera Example")
    raw = json.loads((initialised / "cosa.keys").read_text())
    assert raw["version"] == 2
    assert cli.json("user", "list") == [{"name": "Jo Coordinator", "role": "coordinator"}]
    assert _audit(cli)[-1]["operator"] == "Jo Coordinator"
    upgrade = [e["detail"] for e in _audit(cli) if e["action"] == "user.add"][-1]
    assert upgrade == {"name": "Jo Coordinator", "role": "coordinator", "upgrade": True}
    cli("audit", "verify")


def test_a_version_1_key_file_without_the_setting_names_the_os_user(
    cli: Cli, initialised: Path
) -> None:
    _downgrade_to_version_1(initialised)
    cli("status")
    assert cli.json("user", "list") == [{"name": os_user(), "role": "coordinator"}]


@pytest.mark.parametrize(
    "user",
    [
        "Ann",
        {"name": "Ann"},
        {"name": "", "role": "coordinator"},
        {"name": "Ann", "role": "king"},
        {"name": 7, "role": "manager"},
        {"name": "A\nB", "role": "manager"},
        {"name": "Ann", "role": "coordinator", "extra": 1},
    ],
)
def test_a_junk_user_in_the_key_file_is_damage(cli: Cli, initialised: Path, user: Any) -> None:
    path = initialised / "cosa.keys"
    raw = json.loads(path.read_text())
    next(s for s in raw["slots"] if s["kind"] == "passphrase")["user"] = user
    path.write_text(json.dumps(raw))
    result = cli("status", code=4)
    assert "is damaged" in result.output


def test_a_version_1_key_file_with_named_slots_is_damage(cli: Cli, initialised: Path) -> None:
    path = initialised / "cosa.keys"
    raw = json.loads(path.read_text())
    raw["version"] = 1
    path.write_text(json.dumps(raw))
    assert "named slots" in cli("status", code=4).output


def test_a_manager_verifies_the_seals_from_when_they_were_added(
    two: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    two("volunteer", "add", "Vera Example")
    two(
        "user",
        "add",
        "Max",
        "--role",
        "manager",
        "--new-passphrase-file",
        _file(tmp_path, "m", MAX),
    )
    two("volunteer", "add", "Walt Example")
    _as(monkeypatch, MAX)
    result = two.json("audit", "verify")
    assert result["ok"] and result["seals"]["by"] == "Max"
    assert result["seals"]["checked_from"] > 0 and result["seals"]["seals"] > 0
    assert any("before this manager was added" in n for n in result["notes"])
    _as(monkeypatch, BOB)  # a coordinator's passphrase checks no seals
    assert two.json("audit", "verify")["seals"] is None


def test_a_manager_catches_a_trail_rewritten_with_the_data_key(
    two: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ws_home: Path
) -> None:
    from cosa import seal

    two(
        "user",
        "add",
        "Max",
        "--role",
        "manager",
        "--new-passphrase-file",
        _file(tmp_path, "m", MAX),
    )
    two("volunteer", "add", "Walt Example")
    store = Workspace(ws_home).open(Options())
    try:  # a passphrase holder reseals the last seal with a key of their own
        n = store.scalar("SELECT max(n) FROM audit_seals")
        with store.atomic():
            store.conn.execute(
                "UPDATE audit_seals SET mac = ? WHERE n = ?",
                (seal.seal_mac(b"\0" * 32, n, 1, "x"), n),
            )
    finally:
        store.close()
    _as(monkeypatch, MAX)
    result = two("audit", "verify", code=4)
    assert "does not verify" in result.output


def test_unlocking_costs_one_key_derivation_per_person_tried(
    two: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ws_home: Path
) -> None:
    two(
        "user",
        "add",
        "Max",
        "--role",
        "manager",
        "--new-passphrase-file",
        _file(tmp_path, "m", MAX),
    )
    kf = Workspace(ws_home).load_keys()
    calls: list[int] = []
    real = vault.derive_kek
    monkeypatch.setattr(vault, "derive_kek", lambda s, k: calls.append(1) or real(s, k))
    for secret, person, cost in [
        (PASSPHRASE, "Ann", 1),
        (BOB, "Bob", 2),
        (MAX, "Max", 3),
        ("no", None, 3),
    ]:
        calls.clear()
        assert kf.unlock("passphrase", secret.encode()).person == person
        assert len(calls) == cost, secret


def test_measure_the_unlock_cost_with_three_people_at_the_real_kdf(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Measured, not asserted: printed for the record (`pytest -s -k measure`)."""
    monkeypatch.setattr(vault, "DEFAULT_KDF", {"t": 3, "m": 64 * 1024, "p": 1})
    key = vault.new_data_key()
    kf = vault.KeyFile.new(key)
    secrets = ["first person's phrase", "second person's phrase", "third person's phrase"]
    for i, secret in enumerate(secrets):
        kdf = vault.new_kdf_params()
        person = {"name": f"P{i}", "role": "coordinator"}
        kf.slots.append(
            vault.make_slot("passphrase", vault.derive_kek(secret.encode(), kdf), kdf, key, person)
        )
    timings = {}
    for label, secret in [("first", secrets[0]), ("third", secrets[2]), ("wrong", "nobody's")]:
        started = time.perf_counter()
        kf.unlock("passphrase", secret.encode())
        timings[label] = time.perf_counter() - started
    with capsys.disabled():
        print("\nunlock with 3 people:", ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))


# -- ownership ------------------------------------------------------------------------------


def _circle(cli: Cli, coordinator: str | None = None, start: str | None = None) -> None:
    cli("member", "add", "--mappa-category", "1", "--mappa-level", "1")
    extra = ["--coordinator", coordinator] if coordinator else []
    extra += ["--start", start] if start else []
    cli("circle", "add", "--member", cli.json("member", "list")[-1]["code"], *extra)


def test_a_new_circle_is_coordinated_by_whoever_added_it(
    two: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _circle(two)
    _as(monkeypatch, BOB)
    _circle(two)
    _circle(two, "ann")
    assert [c["coordinator"] for c in two.json("circle", "list")] == ["Ann", "Bob", "Ann"]
    assert "not a user of this workspace" in two("circle", "add", "--member", "CM-0001",
                                                  "--coordinator", "Zed", code=1).output  # fmt: skip


def test_circle_assign_records_the_handover_in_the_circles_history(two: Cli, ws_home: Path) -> None:
    _circle(two, start="2026-01-05")
    before = all_workspace_bytes(ws_home)
    for args, words in [
        (("1", "Zed"), "not a user"),
        (("1", "Ann"), "already coordinates"),
        (("1", "Bob", "--on", "2020-01-01"), "before this circle's last handover"),
        (("1", "Bob", "--on", "2099-01-01"), "in the future"),
    ]:
        assert words in two("circle", "assign", *args, code=1).output
    assert all_workspace_bytes(ws_home) == before
    result = two("circle", "assign", "1", "bob", "--on", "2026-03-02", "--note", "Ann on leave")
    assert "coordinated by Bob from 2026-03-02" in result.output
    two("circle", "assign", "1", "me", "--on", "2026-04-06")
    shown = two.json("circle", "show", "1")
    history = [(c["coordinator"], c["on_date"], c["note"]) for c in shown["coordinators"]]
    assert history[1:] == [("Bob", "2026-03-02", "Ann on leave"), ("Ann", "2026-04-06", None)]
    assert history[0][0] == "Ann" and shown["coordinator"] == "Ann"
    assert "Coordinators" in two("circle", "show", "1").output
    two("audit", "verify")


def test_coordinator_filters_circles_meetings_and_actions(
    two: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _circle(two)
    _circle(two, "Bob")
    for circle in ("1", "2"):
        two("circle", "status", circle, "active")
        two("meeting", "add", circle, "--on", "yesterday", "--no-prompt")
        two("action", "add", circle, f"Ring housing for {circle}")
    assert [c["id"] for c in two.json("circle", "list", "--coordinator", "bob")] == [2]
    assert [c["id"] for c in two.json("circle", "list", "--coordinator", "me")] == [1]
    assert [m["circle_id"] for m in two.json("meeting", "list", "--coordinator", "Bob")] == [2]
    assert [a["circle_id"] for a in two.json("action", "list", "--coordinator", "me")] == [1]
    refused = two("action", "list", "--coordinator", "nobody", code=1).output
    assert "'nobody' is not a user of this workspace" in refused


def test_status_shows_my_circles_when_the_workspace_has_several_users(
    two: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _circle(two)
    _circle(two, "Bob")
    for circle in ("1", "2"):
        two("circle", "status", circle, "active")
        two("action", "add", circle, f"Ring housing for {circle}", "--due", "yesterday")
    data = two.json("status")
    assert data["coordinator"] == "Ann"
    assert [c["id"] for c in data["circles"]] == [1]
    assert [a["circle_id"] for a in data["actions_overdue"]] == [1]
    assert "for Ann's circles (you: the default" in two("status").output
    everyone = two.json("status", "--coordinator", "all")
    assert everyone["coordinator"] is None and len(everyone["circles"]) == 2
    _as(monkeypatch, BOB)
    assert [c["id"] for c in two.json("status")["circles"]] == [2]


def test_status_shows_everything_with_one_user(cli: Cli) -> None:
    _circle(cli)
    cli("circle", "status", "1", "active")
    data = cli.json("status")
    assert data["coordinator"] is None and len(data["circles"]) == 1
    assert "circles" not in cli("status").output.splitlines()[0]


def test_migration_m100_makes_each_circles_coordinator_its_first_entry(tmp_path: Path) -> None:
    from cosa.domain import members
    from cosa.migrations import apply_migrations
    from tests.upgrade import store_without

    with store_without(tmp_path, "m100") as store:
        members.add(store, mappa_category=1, mappa_level=1)
        with store.atomic():
            for start in ("2025-05-01", None):
                store.insert(
                    "circles",
                    "circle",
                    {"member_id": 1, "type": "community", "coordinator": "Jo", "start_date": start},
                )
        apply_migrations(store)
        rows = store.query("SELECT circle_id, coordinator, on_date FROM circle_coordinators")
        created = str(store.scalar("SELECT created_at FROM circles WHERE id = 2"))[:10]
        assert [tuple(r.values()) for r in rows] == [(1, "Jo", "2025-05-01"), (2, "Jo", created)]
        from cosa.audit import verify

        assert verify(store).ok


def test_a_manager_in_an_unlock_session_gives_their_passphrase_again_to_check_seals(
    two: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_keyring: Path
) -> None:
    two(
        "user",
        "add",
        "Max",
        "--role",
        "manager",
        "--new-passphrase-file",
        _file(tmp_path, "m", MAX),
    )
    _as(monkeypatch, MAX)
    two("unlock")
    monkeypatch.delenv("COSA_PASSPHRASE")
    wrong = _file(tmp_path, "w", BOB)
    assert (
        "not Max's passphrase" in two("--passphrase-file", wrong, "audit", "verify", code=3).output
    )
    right = _file(tmp_path, "r", MAX)
    assert two.json("--passphrase-file", right, "audit", "verify")["seals"]["by"] == "Max"
    failed = [e["detail"] for e in _audit(two) if e["action"] == "unlock.failed"]
    assert [f["person"] for f in failed] == ["Max"]


def test_rotate_key_keeps_only_the_rotating_coordinator_and_says_who_to_add_again(
    two: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ws_home: Path
) -> None:
    two(
        "user",
        "add",
        "Max",
        "--role",
        "manager",
        "--new-passphrase-file",
        _file(tmp_path, "m", MAX),
    )
    _as(monkeypatch, MAX)
    before = all_workspace_bytes(ws_home)
    assert "only a coordinator" in two("rotate-key", code=1).output
    assert all_workspace_bytes(ws_home) == before
    _as(monkeypatch, PASSPHRASE)
    result = two("rotate-key", "--recovery-file", str(tmp_path / "new-code.txt"))
    assert "add them again" in result.output and "Bob, Max" in result.output
    assert two.json("user", "list") == [{"name": "Ann", "role": "coordinator"}]
    _as(monkeypatch, BOB)
    two("status", code=3)
    _as(monkeypatch, PASSPHRASE)
    two("user", "add", "Bob", "--new-passphrase-file", _file(tmp_path, "b", BOB))
    _as(monkeypatch, BOB)
    two("volunteer", "add", "Walt Example")
    assert _audit(two)[-1]["operator"] == "Bob"
    two("audit", "verify", "--recovery-file", str(tmp_path / "new-code.txt"))
