"""Fault injection against real `cosa` processes: kill -9, concurrency, a full disk, I/O
errors, damaged files, and no network.

Every scenario runs the installed `cosa` as a subprocess on a workspace made in-process (with
the cheap test KDF, so each process unlocks in milliseconds). The expensive campaigns are
marked `slow` (CI runs them); each has a small variant in the default run. Set
COSA_FAULT_REPORT=FILE to append the campaigns' figures to FILE.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cosa import backup, vault
from cosa.cli import app
from cosa.workspace import Workspace

from .conftest import CHEAP_KDF, PASSPHRASE, Cli, run_env

ROOT = Path(__file__).resolve().parent.parent


def cosa_binary() -> str:
    """The installed console script: next to this interpreter (a venv), else on PATH."""
    beside = Path(sys.executable).parent / "cosa"
    if beside.exists():
        return str(beside)
    found = shutil.which("cosa")
    if found is None:
        pytest.skip("the `cosa` console script is not installed")
    return found


def report(line: str) -> None:
    """Figures for the closing note: printed (see with -s) and appended to $COSA_FAULT_REPORT."""
    print(line)
    target = os.environ.get("COSA_FAULT_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


_COMMANDS: dict[int, Any] = {}


def cache_cli_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Typer rebuilds the whole click command tree on every in-process invoke (~0.2-0.5 s with
    every group registered); build it once."""
    import typer.testing

    real = typer.testing._get_command

    def cached(typer_app: Any) -> Any:
        if id(typer_app) not in _COMMANDS:
            _COMMANDS[id(typer_app)] = real(typer_app)
        return _COMMANDS[id(typer_app)]

    monkeypatch.setattr(typer.testing, "_get_command", cached)


@pytest.fixture(autouse=True)
def _fast_in_process_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_cli_command(monkeypatch)


@dataclass
class Ws:
    """A workspace on disk plus a way to run `cosa` against it in a subprocess."""

    home: Path
    tmp: Path
    env: dict[str, str]
    code: str
    binary: str = field(default_factory=cosa_binary)

    def cmd(self, *args: str) -> list[str]:
        return [self.binary, *args]

    def run(self, *args: str, timeout: float = 120, **kw: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.cmd(*args),
            env=kw.pop("env", self.env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **kw,
        )

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = self.run(*args)
        assert result.returncode == 0, f"{args}: exit {result.returncode}: {result.stderr}"
        return result

    def killed_run(
        self, args: Sequence[str], delay: float, prefix: Sequence[str] = ()
    ) -> tuple[int, str]:
        """Run, SIGKILL after `delay` s if still running; (returncode, stderr); -9 = killed."""
        proc = subprocess.Popen(
            [*prefix, *self.cmd(*args)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
        return proc.returncode, err

    # -- in-process checks (same code as the CLI, without a process start) ----------------

    def opens_with(self, kind: str, secret: bytes) -> None:
        ws = Workspace(self.home)
        ws.open_with_secret(ws.load_keys(), kind, secret, "checker").close()

    def names(self) -> set[str]:
        return {v["name"] for v in Cli().json("volunteer", "list")}

    def lookups(self, kind: str = "concern-category") -> set[str]:
        result = Cli()("lookup", "list", kind, "--json")
        return {v["value"] for v in json.loads(result.stdout)}

    def doctor(self) -> None:
        Cli()("doctor")
        Cli()("audit", "verify")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One fresh workspace (cheap KDF) per module; each test works on its own copy."""
    home = tmp_path_factory.mktemp("template") / "ws"
    code = vault.new_recovery_code()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(vault, "DEFAULT_KDF", dict(CHEAP_KDF))
        Workspace(home).create(PASSPHRASE, code, "tester").close()
    return home, code


def make_ws(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    template: tuple[Path, str],
    home: Path | None = None,
) -> Ws:
    home = home or tmp_path / "ws"
    source, code = template
    shutil.copytree(source, home)
    monkeypatch.setenv("COSA_HOME", str(home))
    monkeypatch.setenv("COSA_PASSPHRASE", PASSPHRASE)
    env = run_env(tmp_path, COSA_PASSPHRASE=PASSPHRASE, COSA_HOME=str(home))
    return Ws(home=home, tmp=tmp_path, env=env, code=code)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: tuple[Path, str]) -> Ws:
    return make_ws(tmp_path, monkeypatch, template)


def timed(ws: Ws, *args: str) -> float:
    start = time.perf_counter()
    ws.ok(*args)
    return time.perf_counter() - start


def kill_delay(rng: random.Random, duration: float) -> float:
    """Mostly late in the run (where the writes are: start-up is most of a run), some anywhere."""
    if rng.random() < 0.7:
        return rng.uniform(0.5 * duration, 1.0 * duration)
    return rng.uniform(0.02, duration)


# --- kill -9 during write commands ---------------------------------------------------------


def backup_is_whole_or_absent(path: Path, must_exist: bool) -> None:
    if not path.exists():
        assert not must_exist, f"{path.name} reported success but is missing"
        return
    bf = backup.read_backup(path)
    backup.verify(bf.unlock("passphrase", PASSPHRASE.encode()))


def kill_campaign(ws: Ws, kills_wanted: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    add = timed(ws, "volunteer", "add", "Calibration Vol")
    durations = {"volunteer": add, "lookup": add, "backup": 1.3 * add}
    vols: set[str] = {"Calibration Vol"}
    killed_vols: set[str] = set()
    cats: set[str] = set()
    backups: dict[Path, bool] = {}
    by_command = {k: {"killed": 0, "completed": 0} for k in durations}
    stats: dict[str, Any] = {"runs": 0, "kills": 0, "completed": 0, "by_command": by_command}
    start = time.perf_counter()
    i = 0
    while stats["kills"] < kills_wanted:
        i += 1
        kind = rng.choice(["volunteer", "volunteer", "lookup", "backup"])
        if kind == "volunteer":
            args: tuple[str, ...] = ("volunteer", "add", f"Fault Vol {i}")
        elif kind == "lookup":
            args = ("lookup", "add", "concern-category", f"fault category {i}")
        else:
            args = ("backup", str(ws.tmp / f"b-{i}.cosabak"))
        start_run = time.perf_counter()
        rc, err = ws.killed_run(args, kill_delay(rng, durations[kind]))
        if rc == 0:  # follow the machine's speed, so most runs are killed late in their life
            durations[kind] = 0.7 * durations[kind] + 0.3 * (time.perf_counter() - start_run)
        stats["runs"] += 1
        assert rc in (0, -signal.SIGKILL), f"{args}: exit {rc}: {err[-500:]}"
        outcome = "killed" if rc else "completed"
        stats["kills" if rc else "completed"] += 1
        by_command[kind][outcome] += 1
        if rc and kind == "volunteer":
            killed_vols.add(args[2])
        if not rc and kind == "volunteer":
            vols.add(args[2])
        elif not rc and kind == "lookup":
            cats.add(args[3])
        elif kind == "backup":
            backups[Path(args[1])] = not rc
        if i % 25 == 0:
            assert vols <= ws.names()
    present = ws.names()
    assert vols <= present, "a volunteer add that reported success is missing"
    # kills that landed after the commit (the record is there, success was never reported)
    stats["volunteer_kills_after_commit"] = len(killed_vols & present)
    stats["backup_kills_after_rename"] = sum(
        1 for p, ok in backups.items() if not ok and p.exists()
    )
    assert cats <= ws.lookups(), "a lookup add that reported success is missing"
    for path, succeeded in backups.items():
        backup_is_whole_or_absent(path, succeeded)
    ws.doctor()
    stats["seconds"] = round(time.perf_counter() - start, 1)
    stats["leftover_temp_files"] = len(list(ws.tmp.glob(".b-*")))
    return stats


def test_kill_9_during_writes_loses_nothing_that_reported_success(ws: Ws) -> None:
    report(f"kill -9 (fast): {kill_campaign(ws, kills_wanted=2, seed=1)}")


@pytest.mark.slow
def test_kill_9_campaign_of_at_least_100_kills(ws: Ws) -> None:
    stats = kill_campaign(ws, kills_wanted=110, seed=20261126)
    report(f"kill -9 campaign: {stats}")
    assert stats["kills"] >= 100


def complete_workspaces(parent: Path, name: str) -> list[Path]:
    """Directories that hold a whole workspace: the home, kept-aside ones, unmoved staging."""
    found = []
    for d in [
        parent / name,
        *parent.glob(f"{name}.replaced-*"),
        *parent.glob(f".{name}.restore-*"),
    ]:
        if (d / "cosa.keys").exists() and not (d / backup.STAGING_MARK).exists():
            found.append(d)
    return found


def restore_kill_campaign(ws: Ws, runs: int, seed: int) -> dict[str, Any]:
    """restore killed at random moments, into a new directory and over the live workspace
    (--force): the target is whole (old or new), and the replaced workspace is never lost."""
    Cli()("volunteer", "add", "In the backup")
    bak = ws.tmp / "r.cosabak"
    Cli()("backup", str(bak))
    Cli()("volunteer", "add", "Only live")
    duration = timed(ws, "restore", str(bak), "--home", str(ws.tmp / "probe"))
    rng = random.Random(seed)
    stats = {"runs": 0, "kills": 0, "completed": 0}
    for n in range(runs):
        force = n % 2 == 0
        target = ws.home if force else ws.tmp / f"restored-{n}"
        args = ("restore", str(bak), *(("--force",) if force else ("--home", str(target))))
        rc, err = ws.killed_run(args, kill_delay(rng, duration))
        stats["runs"] += 1
        stats["kills" if rc else "completed"] += 1
        assert rc in (0, -signal.SIGKILL), err[-500:]
        if target.exists() or rc == 0:
            restored = Workspace(target)
            restored.open_with_secret(
                restored.load_keys(), "recovery", vault.recovery_secret(ws.code), "t"
            ).close()
            Cli()("--home", str(target), "doctor")
        if force:
            # The live workspace (with "Only live") is at home or kept aside: never lost.
            holders = []
            for d in complete_workspaces(ws.tmp, ws.home.name):
                names = {v["name"] for v in Cli().json("--home", str(d), "volunteer", "list")}
                holders += [d] if "Only live" in names else []
            assert holders, "the replaced workspace was lost"
    return stats


def test_kill_9_during_restore_leaves_a_whole_workspace(ws: Ws) -> None:
    report(f"restore kill -9 (fast): {restore_kill_campaign(ws, 1, seed=7)}")


@pytest.mark.slow
def test_kill_9_during_restore_campaign(ws: Ws) -> None:
    report(f"restore kill -9 campaign: {restore_kill_campaign(ws, 16, seed=8)}")


# --- rotate-key under kill -9 ---------------------------------------------------------------


def rotate_campaign(ws: Ws, points: list[tuple[Sequence[str], float]], seed: int) -> dict[str, Any]:
    """Run `rotate-key` killed at each point; after each, both secrets still open it."""
    rng = random.Random(seed)
    code_file = ws.tmp / "new-code.txt"
    expected = ws.code
    stats = {"runs": 0, "kills": 0, "completed": 0, "codes_issued": 0, "opened": 0}
    start = time.perf_counter()
    for prefix, delay in points:
        before = code_file.read_text() if code_file.exists() else None
        rc, err = ws.killed_run(
            ("rotate-key", "--recovery-file", str(code_file), "--force"), delay, prefix
        )
        stats["runs"] += 1
        assert rc in (0, -signal.SIGKILL), f"rotate-key exit {rc}: {err[-500:]}"
        stats["kills" if rc else "completed"] += 1
        after = code_file.read_text() if code_file.exists() else None
        if after != before:
            assert after is not None
            expected = after.strip()
            stats["codes_issued"] += 1
        checks = [
            ("passphrase", PASSPHRASE.encode()),
            ("recovery", vault.recovery_secret(expected)),
        ]
        rng.shuffle(checks)
        for kind, secret in checks:
            ws.opens_with(kind, secret)
            stats["opened"] += 1
        ws.doctor()
    stats["seconds"] = round(time.perf_counter() - start, 1)
    return stats


def random_points(ws: Ws, runs: int, seed: int) -> list[tuple[Sequence[str], float]]:
    duration = timed(ws, "rotate-key", "--recovery-file", str(ws.tmp / "calibration.txt"))
    ws.code = (ws.tmp / "calibration.txt").read_text().strip()  # the newest code now
    rng = random.Random(seed)
    return [((), kill_delay(rng, duration)) for _ in range(runs)]


def test_rotate_key_killed_at_random_points_keeps_both_secrets_working(ws: Ws) -> None:
    Cli()("volunteer", "add", "Rot Ann")
    stats = rotate_campaign(ws, random_points(ws, 1, seed=3), seed=3)
    report(f"rotate-key kill -9 (fast): {stats}")
    assert "Rot Ann" in ws.names()


@pytest.mark.slow
def test_rotate_key_kill_campaign(ws: Ws) -> None:
    Cli()("volunteer", "add", "Rot Ann")
    stats = rotate_campaign(ws, random_points(ws, 30, seed=11), seed=11)
    report(f"rotate-key kill -9 campaign (random moments): {stats}")
    assert stats["runs"] >= 20 and "Rot Ann" in ws.names()


def strace_kill_points(syscall: str, whens: Sequence[int]) -> list[tuple[Sequence[str], float]]:
    """Kill exactly on entry to the n-th `syscall` (strace fault injection; skip without it)."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed")
    return [
        (
            (strace, "-f", "-qq", "-o", "/dev/null", "-e", f"trace={syscall}",
             "-e", f"inject={syscall}:signal=KILL:when={n}"),
            120.0,
        )
        for n in whens
    ]  # fmt: skip


# rotate-key's renames, in order: 1 pending rotation written, 2 the new code's file,
# 3 "delivered", 4 slots promoted (after the re-key), 5 high-water mark.


class Crash(BaseException):
    """Stands in for kill -9 in-process: nothing after it runs (no cleanup writes either)."""


def test_a_code_handed_out_by_an_interrupted_rotation_survives_the_next_one(
    ws: Ws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped after writing the new code but before marking it delivered, then stopped again
    before the next code is written: the first new code is the newest the user holds, so it
    must still open the workspace — and keep doing so after `recover` with it — until a newer
    code is delivered. (Found by this campaign; fixed with the key file's "earlier" list.)"""
    from cosa.commands import vault_cmds

    cli, code_file = Cli(), ws.tmp / "new-code.txt"
    real_show = vault_cmds._show_recovery_code

    def crash_after_writing(code: str, path: Path | None, force: bool) -> None:
        real_show(code, path, force)
        raise Crash

    def crash_before_writing(code: str, path: Path | None, force: bool) -> None:
        raise Crash

    for stop in (crash_after_writing, crash_before_writing, crash_before_writing):
        monkeypatch.setattr(vault_cmds, "_show_recovery_code", stop)
        with pytest.raises(Crash):
            cli("rotate-key", "--recovery-file", str(code_file), "--force")
        handed_out = code_file.read_text().strip()
        ws.opens_with("passphrase", PASSPHRASE.encode())
        ws.opens_with("recovery", vault.recovery_secret(handed_out))
    ws.opens_with("recovery", vault.recovery_secret(ws.code))  # the pre-rotation code too
    monkeypatch.delenv("COSA_PASSPHRASE")
    new_pass = ws.tmp / "new-pass.txt"
    new_pass.write_text("a recovered passphrase\n")
    cli("recover", "--recovery-file", str(code_file), "--new-passphrase-file", str(new_pass))
    ws.opens_with("recovery", vault.recovery_secret(handed_out))
    monkeypatch.setenv("COSA_PASSPHRASE", "a recovered passphrase")
    monkeypatch.setattr(vault_cmds, "_show_recovery_code", real_show)
    cli("rotate-key", "--recovery-file", str(code_file), "--force")
    ws.opens_with("recovery", vault.recovery_secret(code_file.read_text().strip()))
    from cosa.errors import LockedError

    with pytest.raises(LockedError):  # a completed rotation retires the older codes
        ws.opens_with("recovery", vault.recovery_secret(handed_out))
    ws.doctor()


@pytest.mark.slow
def test_a_code_handed_out_by_a_killed_rotation_survives_the_next_killed_rotation(ws: Ws) -> None:
    """The same with real processes: SIGKILL at rename 3 (code written, not yet marked
    delivered), then at rename 2 (the next rotation begun, its code not yet written)."""
    Cli()("volunteer", "add", "Rot Ann")
    points = strace_kill_points("rename", [3]) + strace_kill_points("rename", [2])
    stats = rotate_campaign(ws, points, seed=4)
    assert stats["codes_issued"] == 1 and stats["kills"] == 2


@pytest.mark.slow
def test_rotate_key_killed_at_every_rename_fsync_and_during_the_rekey(ws: Ws) -> None:
    Cli()("volunteer", "add", "Rot Ann")
    points = strace_kill_points("rename", range(1, 6))
    points += strace_kill_points("rename", [3, 2, 3, 3, 2, 1, 4])
    points += strace_kill_points("fsync", range(1, 22))
    points += strace_kill_points("pwrite64", [1, 5, 20, 60, 120, 200, 300, 400, 440])
    stats = rotate_campaign(ws, points, seed=6)
    report(f"rotate-key killed at each rename, fsync and during the rekey: {stats}")


# --- concurrent invocations -----------------------------------------------------------------


def concurrent_writes(ws: Ws, procs: int, writes: int) -> dict[str, Any]:
    failures: list[str] = []

    def worker(p: int) -> None:
        for j in range(writes):
            result = ws.run("volunteer", "add", f"Conc {p}-{j}")
            if result.returncode != 0:
                failures.append(f"{p}-{j}: exit {result.returncode}: {result.stderr.strip()}")

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(p,)) for p in range(procs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    assert not failures, failures[:5]
    wanted = {f"Conc {p}-{j}" for p in range(procs) for j in range(writes)}
    assert wanted <= ws.names()
    ws.doctor()
    ws_ = Workspace(ws.home)
    store = ws_.open_with_secret(ws_.load_keys(), "passphrase", PASSPHRASE.encode(), "t")
    try:
        assert ws_.load_keys().head["seq"] == store.audit_head()[0], "high-water mark lags"
    finally:
        store.close()
    return {"processes": procs, "writes_each": writes, "seconds": round(seconds, 1)}


def test_concurrent_invocations_all_succeed(ws: Ws) -> None:
    report(f"concurrency (fast): {concurrent_writes(ws, 4, 1)}")


@pytest.mark.slow
def test_four_processes_times_fifty_writes(ws: Ws) -> None:
    report(f"concurrency: {concurrent_writes(ws, 4, 50)}")


# --- a full disk ----------------------------------------------------------------------------


@contextlib.contextmanager
def small_tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root?); the RLIMIT_FSIZE variant runs")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def fill(directory: Path, leave: int) -> Path:
    """Fill the filesystem holding `directory`, then free `leave` bytes."""
    filler = directory / "filler"
    with open(filler, "wb") as fh:
        block = b"\0" * 65536
        with contextlib.suppress(OSError):
            while True:
                fh.write(block)
                fh.flush()
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave))
    return filler


def assert_clean_disk_full_error(result: subprocess.CompletedProcess[str]) -> None:
    err = result.stderr[-600:]
    assert result.returncode == 1, err
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, err
    assert "disk" in errors[0], err


def disk_full_sweep(ws: Ws, free_space: Sequence[int], big: str) -> dict[str, Any]:
    before = ws.names()
    outcomes = {"failed_cleanly": 0, "succeeded": 0}
    for n, leave in enumerate(free_space):
        filler = fill(ws.home.parent, leave)
        name = f"Big {n} {big}"
        result = ws.run("volunteer", "add", name)
        filler.unlink()
        if result.returncode == 0:
            outcomes["succeeded"] += 1
            before.add(name)
        else:
            assert_clean_disk_full_error(result)
            outcomes["failed_cleanly"] += 1
        assert ws.names() == before, "a failed add changed the data, or a success is missing"
        ws.doctor()
    Cli()("volunteer", "add", "After the disk was freed")
    return outcomes


@pytest.fixture
def tmpfs_ws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: tuple[Path, str]
) -> Iterator[Ws]:
    with small_tmpfs(tmp_path / "mnt", "6m") as mnt:
        yield make_ws(tmp_path, monkeypatch, template, home=mnt / "ws")


def test_disk_full_on_a_small_tmpfs_is_a_clean_error(tmpfs_ws: Ws) -> None:
    Cli()("volunteer", "add", "Early Ann")
    outcomes = disk_full_sweep(tmpfs_ws, [0], "x" * 100_000)
    assert outcomes["failed_cleanly"] >= 1
    assert "Early Ann" in tmpfs_ws.names()
    report(f"disk full (tmpfs, fast): {outcomes}")


@pytest.mark.slow
def test_disk_full_at_many_fill_levels(tmpfs_ws: Ws) -> None:
    Cli()("volunteer", "add", "Early Ann")
    levels = [0, 1024, 4096, 8192, 16384, 32768, 65536, 98304, 131072, 200_000, 300_000]
    outcomes = disk_full_sweep(tmpfs_ws, levels, "y" * 100_000)
    report(f"disk full (tmpfs, {len(levels)} fill levels): {outcomes}")
    assert outcomes["failed_cleanly"] >= 1


def _limit_file_size(limit: int) -> Any:
    import resource  # POSIX only

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_file_size_limit_is_a_clean_error_and_keeps_earlier_data(ws: Ws) -> None:
    """The variant that runs where no tmpfs can be mounted: RLIMIT_FSIZE (EFBIG on write)."""
    Cli()("volunteer", "add", "Early Ann")
    # 64 KiB: room for the 32 KiB WAL index and the key file, not for a 120 KB record's WAL
    result = ws.run(
        "volunteer", "add", "Big " + "z" * 120_000, preexec_fn=_limit_file_size(64 * 1024)
    )
    assert_clean_disk_full_error(result)
    assert ws.names() == {"Early Ann"}
    ws.doctor()
    Cli()("volunteer", "add", "After")


# --- I/O errors at write and fsync ----------------------------------------------------------


def io_error_sweep(ws: Ws, syscalls: dict[str, Sequence[int]]) -> dict[str, Any]:
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed")
    outcomes: dict[str, Any] = {"before": 0, "after": 0, "exit_codes": {}, "errors": set()}
    names = ws.names()
    for syscall, whens in syscalls.items():
        for n in whens:
            name = f"IO {syscall} {n}"
            result = subprocess.run(
                [strace, "-f", "-qq", "-o", "/dev/null", "-e", f"trace={syscall}",
                 "-e", f"inject={syscall}:error=EIO:when={n}",
                 *ws.cmd("volunteer", "add", name)],
                env=ws.env, capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
            assert result.returncode in (0, 1), f"{syscall}#{n}: {result.stderr}"
            assert "Traceback" not in result.stderr
            codes = outcomes["exit_codes"]
            codes[result.returncode] = codes.get(result.returncode, 0) + 1
            outcomes["errors"] |= {
                line.split(":", 1)[1].strip()[:60]
                for line in result.stderr.splitlines()
                if line.startswith(("Error:", "warning:"))
            }
            now_names = ws.names()
            if name in now_names:
                outcomes["after"] += 1
                names.add(name)
            else:
                assert result.returncode == 1, f"{syscall}#{n} reported success, data absent"
                outcomes["before"] += 1
            assert now_names == names, f"{syscall}#{n}: the database is neither before nor after"
            ws.doctor()
    return outcomes


def test_io_errors_leave_the_database_entirely_before_or_after(ws: Ws) -> None:
    outcomes = io_error_sweep(ws, {"pwrite64": [2]})
    report(f"I/O errors (fast): {outcomes}")


@pytest.mark.slow
def test_io_error_at_every_fsync_and_write(ws: Ws) -> None:
    outcomes = io_error_sweep(ws, {"fsync": range(1, 8), "pwrite64": range(1, 16)})
    report(f"I/O errors at every fsync and pwrite64 of `volunteer add`: {outcomes}")


# --- garbage, truncated and swapped files ---------------------------------------------------


def damage_variants(data: bytes, other: bytes) -> dict[str, bytes]:
    rng = random.Random(len(data))
    return {
        "garbage": rng.randbytes(len(data)),
        "truncated": data[: len(data) // 2],
        "empty": b"",
        "swapped with another workspace's": other,
        "a flipped byte": data[:100] + bytes([data[100] ^ 0x40]) + data[101:],
    }


def assert_one_line_failure(result: Any, codes: tuple[int, ...] = (3, 4)) -> None:
    assert result.exit_code in codes, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output


@pytest.mark.parametrize("name", ["cosa.db", "cosa.keys"])
def test_damaged_workspace_files_are_exit_3_or_4_and_never_overwritten(
    ws: Ws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    Cli()("volunteer", "add", "Ann")
    other_home = tmp_path / "other"
    Workspace(other_home).create(PASSPHRASE, vault.new_recovery_code(), "t").close()
    original = (ws.home / name).read_bytes()
    for what, damaged in damage_variants(original, (other_home / name).read_bytes()).items():
        for extra in ("-wal", "-shm"):
            (ws.home / f"cosa.db{extra}").unlink(missing_ok=True)
        (ws.home / name).write_bytes(damaged)
        snapshot = {p.name: p.read_bytes() for p in ws.home.iterdir() if p.name.startswith("cosa.")}
        for args in (("volunteer", "list"), ("doctor",), ("volunteer", "add", "Bob")):
            result = Cli().runner.invoke(app, list(args))
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                f"{what} {name}: {args} raised {result.exception!r}"
            )
            assert_one_line_failure(result)
            for fname in ("cosa.db", "cosa.keys"):
                assert (ws.home / fname).read_bytes() == snapshot[fname], (
                    f"{what} {name}: `{' '.join(args)}` rewrote {fname}"
                )
        (ws.home / name).write_bytes(original)
    ws.doctor()


def test_a_damaged_database_gives_no_traceback_in_a_real_process(ws: Ws) -> None:
    db = ws.home / "cosa.db"
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 3])
    for args in (("backup", str(ws.tmp / "x.cosabak")),):
        result = ws.run(*args)
        assert result.returncode == 4, result.stderr
        assert "Traceback" not in result.stderr
        assert len([x for x in result.stderr.splitlines() if x.startswith("Error:")]) == 1
    assert not (ws.tmp / "x.cosabak").exists()


def splice(a: bytes, b: bytes, section: str) -> bytes:
    """Backup `a` with one section taken from `b`, lengths and checksum redone: only the MAC
    can tell."""
    import hashlib
    import struct

    def parts(data: bytes) -> dict[str, bytes]:
        pos = len(backup.MAGIC) + 2
        out = {}
        for name, fmt in (("header", ">I"), ("manifest", ">I"), ("database", ">Q")):
            size = struct.calcsize(fmt)
            (n,) = struct.unpack(fmt, data[pos : pos + size])
            out[name] = data[pos + size : pos + size + n]
            pos += size + n
        out["mac"] = data[pos : pos + 32]
        return out

    pa = parts(a)
    pa[section] = parts(b)[section]
    body = (
        a[: len(backup.MAGIC) + 2]
        + struct.pack(">I", len(pa["header"]))
        + pa["header"]
        + struct.pack(">I", len(pa["manifest"]))
        + pa["manifest"]
        + struct.pack(">Q", len(pa["database"]))
        + pa["database"]
        + pa["mac"]
    )
    return body + hashlib.sha256(body).digest()


def test_garbage_truncated_and_spliced_backups_are_refused(ws: Ws, tmp_path: Path) -> None:
    cli = Cli()
    cli("volunteer", "add", "Ann")
    a, b = tmp_path / "a.cosabak", tmp_path / "b.cosabak"
    cli("backup", str(a))
    cli("backup", str(b))
    good = a.read_bytes()
    other = b.read_bytes()
    variants = {
        "garbage": random.Random(1).randbytes(len(good)),
        "empty": b"",
        "magic only": good[:14],
        "cut in the header": good[:100],
        "cut in the database": good[: len(good) // 2],
        "missing its last byte": good[:-1],
        "an extra byte": good + b"\0",
        "a flipped byte in the database": good[:-5000] + bytes([good[-5000] ^ 1]) + good[-4999:],
        "another backup's database": splice(good, other, "database"),
        "another backup's manifest": splice(good, other, "manifest"),
        "another backup's header": splice(good, other, "header"),
    }
    target = tmp_path / "restored"
    keys_before = (ws.home / "cosa.keys").read_bytes()
    for what, data in variants.items():
        bad = tmp_path / "bad.cosabak"
        bad.write_bytes(data)
        for args in (
            ("backup", "--verify", str(bad)),
            ("restore", str(bad), "--home", str(target)),
            ("restore", str(bad), "--force"),
        ):
            result = cli.runner.invoke(app, list(args))
            assert result.exit_code == 4, f"{what}: {args}: {result.output}"
            assert_one_line_failure(result, (4,))
        assert not target.exists(), f"{what}: a restore left a directory behind"
        assert bad.read_bytes() == data
    assert (ws.home / "cosa.keys").read_bytes() == keys_before
    assert not [p for p in tmp_path.iterdir() if ".restore-" in p.name]
    ws.doctor()


def rechecksummed(body: bytes) -> bytes:
    import hashlib

    return body + hashlib.sha256(body).digest()


def test_forged_backup_headers_and_newer_formats_are_refused_cleanly(
    ws: Ws, tmp_path: Path
) -> None:
    cli = Cli()
    good_path = tmp_path / "a.cosabak"
    cli("backup", str(good_path))
    good = good_path.read_bytes()
    bad = tmp_path / "bad.cosabak"
    # a newer format (checksum intact): a user error naming the version, not "damaged"
    bad.write_bytes(rechecksummed(good[:12] + b"\x00\x02" + good[14:-32]))
    result = cli.runner.invoke(app, ["backup", "--verify", str(bad)])
    assert result.exit_code == 1 and "version 2" in result.output, result.output
    # the same bytes with a broken checksum: damaged
    bad.write_bytes(good[:12] + b"\x00\x02" + good[14:])
    assert cli.runner.invoke(app, ["backup", "--verify", str(bad)]).exit_code == 4
    # a forged header asking for a 1 TiB KDF, or carrying junk base64: refused before any KDF
    hlen = int.from_bytes(good[14:18], "big")
    header = json.loads(good[18 : 18 + hlen])
    for forge in ("kdf", "base64"):
        forged = json.loads(json.dumps(header))
        if forge == "kdf":
            forged["keys"]["slots"][0]["kdf"]["m"] = 1 << 30
        else:
            forged["backup_key"]["nonce"] = "!!not base64!!"
        hb = json.dumps(forged).encode()
        bad.write_bytes(
            rechecksummed(good[:14] + len(hb).to_bytes(4, "big") + hb + good[18 + hlen : -32])
        )
        result = cli.runner.invoke(app, ["backup", "--verify", str(bad)])
        assert_one_line_failure(result, (4,))


# --- no network -----------------------------------------------------------------------------

NETWORK_MODULES = {
    "socket", "ssl", "http", "urllib", "urllib2", "urllib3", "requests", "httpx", "aiohttp",
    "smtplib", "ftplib", "poplib", "imaplib", "nntplib", "telnetlib", "xmlrpc", "socketserver",
    "asyncio", "websocket", "websockets", "paramiko", "email.mime", "webbrowser",
}  # fmt: skip


def test_no_module_of_cosa_imports_a_network_client() -> None:
    offenders = []
    for path in sorted((ROOT / "cosa").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                if name in NETWORK_MODULES or name.split(".")[0] in NETWORK_MODULES:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert not offenders, offenders


def test_sockets_are_blocked_during_the_tests() -> None:
    with pytest.raises(OSError, match="network"):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(OSError, match="network"):
        socket.create_connection(("127.0.0.1", 9))


def test_a_full_disk_after_the_commit_is_not_reported_as_nothing_written(
    ws: Ws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The high-water mark is written to cosa.keys after the database commit; when that write
    fails the change is saved, so the command must not say it failed (a retry would add the
    record twice). The next write raises the mark again."""
    import errno

    from cosa import vault as vault_mod

    def no_space(path: Path, data: bytes, mode: int = 0o600) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    cli = Cli()
    with monkeypatch.context() as m:
        m.setattr(vault_mod, "atomic_write", no_space)
        result = cli("volunteer", "add", "Saved Ann")
    assert "warning" in result.output and "high-water mark" in result.output
    assert "Saved Ann" in ws.names()
    cli("volunteer", "add", "Next Bob")
    ws.doctor()
