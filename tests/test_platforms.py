"""Each platform-specific module driven with the platform faked (sys.platform, and fakes of
`msvcrt`, `fcntl`, `icacls`/`whoami`), so the Windows and macOS paths run on Linux CI."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from cosa import editor, filelock, permissions, tempdir
from cosa.errors import UserError

SID = "S-1-5-21-1004336348-1177238915-682003330-1001"


class FakeWindowsTools:
    """Stands in for `whoami` and `icacls`; records every command."""

    def __init__(self, fail: str | None = None) -> None:
        self.commands: list[list[str]] = []
        self.fail = fail

    def __call__(self, args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.commands.append(list(args))
        if args[0] == self.fail:
            return subprocess.CompletedProcess(args, 5, "", "Access is denied.\r\n")
        if args[0] == "whoami":
            return subprocess.CompletedProcess(args, 0, f'"office\\\\ann","{SID}"\r\n', "")
        return subprocess.CompletedProcess(args, 0, "", "")


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> FakeWindowsTools:
    tools = FakeWindowsTools()
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(subprocess, "run", tools)
    permissions.user_sid.cache_clear()
    yield tools
    permissions.user_sid.cache_clear()


# --- permissions ------------------------------------------------------------------------------


def test_on_posix_private_means_0700_directories_and_0600_files(tmp_path: Path) -> None:
    d, f = tmp_path / "d", tmp_path / "f"
    d.mkdir(mode=0o777)
    f.write_text("x")
    os.chmod(f, 0o666)
    permissions.restrict_dir(d)
    permissions.restrict_file(f)
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    assert stat.S_IMODE(f.stat().st_mode) == 0o600


def test_on_windows_a_directory_gets_a_user_only_inherited_acl(
    windows: FakeWindowsTools, tmp_path: Path
) -> None:
    permissions.restrict_dir(tmp_path)
    assert windows.commands == [
        ["whoami", "/user", "/fo", "csv", "/nh"],
        ["icacls", str(tmp_path), "/inheritance:r", "/grant:r", f"*{SID}:(OI)(CI)F", "/q"],
    ]


def test_on_windows_a_file_gets_a_user_only_acl_and_the_sid_is_asked_once(
    windows: FakeWindowsTools, tmp_path: Path
) -> None:
    permissions.restrict_file(tmp_path / "a")
    permissions.restrict_file(tmp_path / "b")
    assert [c[0] for c in windows.commands] == ["whoami", "icacls", "icacls"]
    assert windows.commands[-1][-2:] == [f"*{SID}:F", "/q"]
    assert not os.path.exists(tmp_path / "a")  # chmod was not used (it would need the file)


def test_on_windows_a_failing_icacls_is_an_error_unless_best_effort(
    monkeypatch: pytest.MonkeyPatch, windows: FakeWindowsTools, tmp_path: Path
) -> None:
    windows.fail = "icacls"
    with pytest.raises(OSError, match="icacls failed: Access is denied"):
        permissions.restrict_dir(tmp_path)
    permissions.try_restrict_dir(tmp_path)  # e.g. a FAT stick: no ACLs, no error


def test_a_workspace_directory_is_made_private_through_the_platform_module(
    windows: FakeWindowsTools, tmp_path: Path
) -> None:
    from cosa.fsutil import ensure_private_dir

    ensure_private_dir(tmp_path / "ws")
    assert windows.commands[-1][:2] == ["icacls", str(tmp_path / "ws")]


# --- file locking -----------------------------------------------------------------------------


def test_on_posix_the_key_file_lock_is_an_exclusive_flock(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import fcntl

    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(fcntl, "flock", lambda fd, op: calls.append((fd, op)))
    monkeypatch.setattr(sys, "platform", "darwin")
    with filelock.locked(tmp_path / "cosa.lock"):
        assert calls and calls[0][1] == fcntl.LOCK_EX


def test_the_posix_lock_excludes_another_process(tmp_path: Path) -> None:
    lock = tmp_path / "cosa.lock"
    probe = (
        "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR)\n"
        "try: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "except BlockingIOError: sys.exit(7)\n"
    )
    with filelock.locked(lock):
        held = subprocess.run([sys.executable, "-c", probe, str(lock)], check=False)
    free = subprocess.run([sys.executable, "-c", probe, str(lock)], check=False)
    assert (held.returncode, free.returncode) == (7, 0)


def _fake_msvcrt(monkeypatch: pytest.MonkeyPatch, busy: int) -> list[tuple[int, int, int]]:
    calls: list[tuple[int, int, int]] = []

    def locking(fd: int, mode: int, nbytes: int) -> None:
        calls.append((os.lseek(fd, 0, os.SEEK_CUR), mode, nbytes))
        if len(calls) <= busy:
            raise OSError(errno.EDEADLK, "Resource deadlock avoided")

    fake = types.ModuleType("msvcrt")
    fake.LK_LOCK = 1  # type: ignore[attr-defined]
    fake.locking = locking  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.setattr(sys, "platform", "win32")
    return calls


def test_on_windows_the_lock_is_msvcrt_locking_of_the_first_byte(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = _fake_msvcrt(monkeypatch, busy=0)
    with filelock.locked(tmp_path / "cosa.lock"):
        assert calls == [(0, 1, 1)]


def test_on_windows_a_busy_lock_is_waited_for_not_given_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = _fake_msvcrt(monkeypatch, busy=3)
    with filelock.locked(tmp_path / "cosa.lock"):
        assert len(calls) == 4


# --- the editor's private directory -----------------------------------------------------------


def test_on_linux_drafts_go_to_the_runtime_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert tempdir.private_base() == runtime
    draft = tempdir.private_dir("cosa-edit-1-")
    assert draft.parent == runtime and stat.S_IMODE(draft.stat().st_mode) == 0o700


def test_on_linux_without_a_runtime_dir_drafts_go_to_dev_shm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not (os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK)):
        pytest.skip("no writable /dev/shm here")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    assert tempdir.private_base() == Path("/dev/shm")


def test_on_macos_drafts_go_to_the_per_user_temp_dir_never_dev_shm(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tempfile

    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # ignored off Linux
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "T"))
    (tmp_path / "T").mkdir()
    assert tempdir.private_base() == tmp_path / "T"
    draft = tempdir.private_dir("cosa-edit-1-")
    assert draft.parent == tmp_path / "T" and stat.S_IMODE(draft.stat().st_mode) == 0o700


def test_on_windows_drafts_go_to_local_app_data_with_a_user_only_acl(
    monkeypatch: pytest.MonkeyPatch, windows: FakeWindowsTools, tmp_path: Path
) -> None:
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "AppData" / "Local"))
    (tmp_path / "AppData" / "Local").mkdir(parents=True)
    base = tmp_path / "AppData" / "Local" / "cosa" / "drafts"
    draft = tempdir.private_dir("cosa-edit-1-")
    assert draft.parent == base
    icacls = [c for c in windows.commands if c[0] == "icacls"]
    assert [c[1] for c in icacls] == [str(base), str(draft)]
    assert all(c[2:4] == ["/inheritance:r", "/grant:r"] for c in icacls)
    second = tempdir.private_dir("cosa-edit-2-")  # the base is restricted once, when made
    assert [c[1] for c in windows.commands if c[0] == "icacls"] == [
        str(base),
        str(draft),
        str(second),
    ]


def test_when_the_draft_directory_cannot_be_made_private_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch, windows: FakeWindowsTools, tmp_path: Path
) -> None:
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    (tmp_path / "cosa" / "drafts").mkdir(parents=True)
    windows.fail = "icacls"
    monkeypatch.setattr(editor, "_wipe_abandoned_drafts", lambda base: None)
    with pytest.raises(UserError, match="cannot make a private directory"):
        editor.edit_text("secret minutes")
    assert list((tmp_path / "cosa" / "drafts").iterdir()) == []
