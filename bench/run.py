"""Benchmark: everyday cosa commands as whole processes, against the process floor.

    python bench/run.py [--runs 7] [--workdir bench/out] [--rebuild] [--only TEXT] [--small-only]

Builds (once, cached in the work dir) a 10-year workspace with `cosa demo --scale large`, a
small one with `cosa demo --scale small` and a medium one of ~50 MB (`--scale medium`, for
`cosa doctor`), unlocks them (kernel keyring), then times each command as a fresh process:
median and spread of several runs, the ratio to the *floor* (a bare Python process that
imports sqlcipher3, opens the same large database with its raw key and runs one indexed
query), the ratio large/small (cost must not grow with the data), and peak memory (max RSS
of the child). Also the passphrase path without a session against the KDF's own cost, and
`cosa doctor` on the medium workspace. One entry lays out a meeting's minutes of 1 MB (a
pasted transcript, added once to the newest active circle as today's social meeting).
`--only minutes --small-only` times just that on the small workspace. Prints a Markdown
table; nothing here is asserted: speed is measured, never tested with timers in the suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASSPHRASE = "benchmark passphrase, fictional data"
HERE = Path(__file__).resolve().parent

FLOOR = """
import sys, sqlcipher3
key = sys.stdin.readline().strip()
conn = sqlcipher3.connect(sys.argv[1])
conn.execute("PRAGMA cipher_log_level = NONE")
conn.execute(f"PRAGMA key = \\"x'{key}'\\"")
conn.execute("SELECT id, date FROM meetings WHERE circle_id = 1 ORDER BY date DESC LIMIT 20").fetchall()
"""


def cosa_bin() -> str:
    exe = shutil.which("cosa", path=str(Path(sys.executable).parent)) or shutil.which("cosa")
    if not exe:
        sys.exit("cosa is not installed in this environment (pip install .)")
    return exe


def run_once(
    argv: list[str], env: dict[str, str], stdin: str | None = None
) -> tuple[float, int, int]:
    """(seconds, exit code, peak RSS in KiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        env=env,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if stdin is not None:
        assert proc.stdin is not None
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:  # a refusal timed as if it were the command would be a lie
        sys.exit(f"{' '.join(argv[:4])}… exited {proc.returncode}: {err.strip()[:300]}")
    return elapsed, proc.returncode, int(usage.ru_maxrss)


def measure(
    argv: list[str], env: dict[str, str], runs: int, stdin: str | None = None
) -> dict[str, float]:
    run_once(argv, env, stdin)  # warm the page cache and bytecode
    times, peaks = [], []
    for _ in range(runs):
        t, _code, rss = run_once(argv, env, stdin)
        times.append(t)
        peaks.append(rss)
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "rss_mb": max(peaks) / 1024,
    }


def build(home: Path, scale: str, env: dict[str, str], rebuild: bool) -> None:
    if (home / "cosa.db").exists() and not rebuild:
        return
    if home.exists():
        shutil.rmtree(home)
    start = time.perf_counter()
    subprocess.run([cosa_bin(), "--home", str(home), "demo", "--scale", scale, "--no-reports"],
                   env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    print(f"built {scale} workspace in {time.perf_counter() - start:.1f} s", file=sys.stderr)


def data_key_hex(home: Path, env: dict[str, str]) -> str:
    code = (
        "import sys; from pathlib import Path; from cosa.workspace import Options, Workspace;"
        "s = Workspace(Path(sys.argv[1])).open(Options()); print(s.data_key.hex()); s.close()"
    )
    out = subprocess.run([sys.executable, "-c", code, str(home)], env=env, check=True,
                         capture_output=True, text=True)  # fmt: skip
    return out.stdout.strip()


def newest_active_circle(home: Path, env: dict[str, str]) -> str:
    """The core member code of the newest active circle (meetings can be added to it)."""
    out = subprocess.run([cosa_bin(), "--home", str(home), "circle", "list", "--status", "active", "--json"],
                         env=env, check=True, capture_output=True, text=True)  # fmt: skip
    import json

    return str(json.loads(out.stdout)[-1]["member_code"])


MINUTES_BYTES = 1_000_000


def big_minutes(path: Path, size: int = MINUTES_BYTES) -> Path:
    """A fictional Markdown transcript of `size` bytes: a few headings and lists, then
    speakers' lines with no blank line between them (the worst case for layout)."""
    words = [
        "the",
        "circle",
        "met",
        "and",
        "talked",
        "about",
        "housing",
        "work",
        "hope",
        "plans",
        "probation",
        "week",
    ]
    lines = ["## Check-in", "", "- **Housing**: forms sent", "- *Work*: interview on Friday", "",
             "## Transcript", ""]  # fmt: skip
    total, i = 0, 0
    while total < size:
        line = f"Speaker {i % 5}: " + " ".join(
            words[(i + j) % len(words)] for j in range(i % 17 + 4)
        )
        lines.append(line)
        total += len(line.encode()) + 1
        i += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def big_minutes_meeting(home: Path, env: dict[str, str], circle: str, text: Path) -> str:
    """The id of today's social meeting of `circle` holding the 1 MB minutes (added once)."""
    import json
    import re
    from datetime import date

    today = date.today().isoformat()
    listed = subprocess.run([cosa_bin(), "--home", str(home), "meeting", "list", circle, "--from", today,
                             "--json"], env=env, check=True, capture_output=True, text=True)  # fmt: skip
    for m in json.loads(listed.stdout):
        if m["type"] == "social" and m["date"] == today:
            return str(m["id"])
    added = subprocess.run([cosa_bin(), "--home", str(home), "meeting", "add", circle, "--on", today,
                            "--type", "social", "--minutes-file", str(text)],
                           env=env, check=True, capture_output=True, text=True)  # fmt: skip
    found = re.search(r"Recorded meeting (\d+)", added.stderr)
    if not found:
        sys.exit(f"could not add the 1 MB minutes meeting: {added.stderr.strip()}")
    return found.group(1)


KDF = """
from argon2.low_level import Type, hash_secret_raw
from cosa.vault import DEFAULT_KDF as k
hash_secret_raw(b"x" * 20, b"s" * 16, k["t"], k["m"], k["p"], 32, Type.ID)
"""


def kdf_seconds(env: dict[str, str], runs: int) -> float:
    """The KDF's own cost as a command pays it: a fresh process that loads Argon2 and derives
    one key (first touch of its 64 MiB included), minus a bare Python process."""
    kdf = measure([sys.executable, "-c", KDF], env, runs)["median"]
    bare = measure([sys.executable, "-c", "pass"], env, runs)["median"]
    return kdf - bare


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--only", metavar="TEXT", help="time only the commands named with TEXT")
    parser.add_argument("--small-only", action="store_true",
                        help="the small workspace only (no floor, no ratios: a quick check)")  # fmt: skip
    args = parser.parse_args()

    args.workdir.mkdir(parents=True, exist_ok=True)
    secret = args.workdir / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n")
    os.chmod(secret, 0o600)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("COSA_")}
    base_env.update(NO_COLOR="1", COSA_PASSPHRASE_FILE=str(secret))
    large, small = args.workdir / "large", args.workdir / "small"
    medium = args.workdir / "medium"
    build(small, "small", base_env, args.rebuild)
    if not args.small_only:
        build(large, "large", base_env, args.rebuild)
        build(medium, "medium", base_env, args.rebuild)

    cosa = cosa_bin()
    out = Path(tempfile.mkdtemp(prefix="cosa-bench-"))
    commands = {
        "cosa --help": ["--help"],
        "status": ["status"],
        "meeting list CIRCLE": ["meeting", "list", "CIRCLE"],
        "search WORD": ["search", "housing"],
        "concern list --open": ["concern", "list", "--open"],
        "meeting add … --minutes …": ["meeting", "add", "CIRCLE", "--on", "yesterday", "--type", "social",
                                      "--force", "--minutes", "Benchmark minutes: a short social meeting."],
        "report quarter": ["report", "quarter", "2026-Q3", "-o", str(out / "q.pdf"), "--force"],
        "report circle": ["report", "circle", "CIRCLE", "-o", str(out / "c.pdf"), "--force"],
        "report minutes (1 MB of minutes)": ["report", "minutes", "BIG", "-o", str(out / "m.pdf"), "--force"],
    }  # fmt: skip
    if args.only:
        commands = {k: v for k, v in commands.items() if args.only in k}
    text = big_minutes(out / "minutes.md")
    results: dict[str, dict[str, dict[str, float]]] = {}
    homes = (("small", small),) if args.small_only else (("small", small), ("large", large))
    for label, home in homes:
        env = dict(base_env, COSA_HOME=str(home))
        active = newest_active_circle(home, env)
        subprocess.run(
            [cosa, "unlock", "--for", "30m"], env=env, check=True, stderr=subprocess.DEVNULL
        )
        session_env = {k: v for k, v in env.items() if k != "COSA_PASSPHRASE_FILE"}
        results[label] = {}
        wanted = any("BIG" in argv for argv in commands.values())
        try:  # a failing command stops the run: the session ends even then
            big = big_minutes_meeting(home, env, active, text) if wanted else ""
            for name, argv in commands.items():
                runs = 3 if name.startswith("report") else args.runs
                argv = [{"CIRCLE": active, "BIG": big}.get(a, a) for a in argv]
                results[label][name] = measure([cosa, *argv], session_env, runs)
        finally:
            subprocess.run([cosa, "lock"], env=env, check=False, stderr=subprocess.DEVNULL)
        results[label]["status (no session, passphrase file)"] = measure(
            [cosa, "status"], dict(env), args.runs
        )

    if args.small_only:
        print("\n| command (small workspace) | median (min–max) | peak RSS |\n|---|---|---|")
        for name, r in results["small"].items():
            print(f"| `{name}` | {r['median'] * 1000:.0f} ms ({r['min'] * 1000:.0f}–"
                  f"{r['max'] * 1000:.0f}) | {r['rss_mb']:.0f} MB |")  # fmt: skip
        shutil.rmtree(out, ignore_errors=True)
        return
    doctor = doctor_seconds(medium, base_env, args.runs) if not args.only else None
    key = data_key_hex(large, dict(base_env, COSA_HOME=str(large)))
    floor = measure(
        [sys.executable, "-c", FLOOR, str(large / "cosa.db")], base_env, args.runs, stdin=key + "\n"
    )
    kdf = kdf_seconds(base_env, args.runs)
    shutil.rmtree(out, ignore_errors=True)

    f = floor["median"]
    print(f"\nFloor (python + sqlcipher3 + open large db + one indexed query): {f * 1000:.0f} ms; "
          f"Argon2id KDF alone: {kdf * 1000:.0f} ms; runs per command: {args.runs} (reports: 3)\n")  # fmt: skip
    print("| command | large: median (min–max) | × floor | large/small | peak RSS |")
    print("|---|---|---|---|---|")
    for name in results["large"]:
        lg, sm = results["large"][name], results["small"][name]
        print(
            f"| `{name}` | {lg['median'] * 1000:.0f} ms ({lg['min'] * 1000:.0f}–{lg['max'] * 1000:.0f}) "
            f"| {lg['median'] / f:.1f}× | {lg['median'] / sm['median']:.2f} | {lg['rss_mb']:.0f} MB |"
        )
    ns = results["large"]["status (no session, passphrase file)"]["median"]
    ss = results["large"]["status"]["median"]
    print(
        f"\nPassphrase path adds {(ns - ss) * 1000:.0f} ms = {(ns - ss) / kdf:.2f}× the KDF's own cost."
    )
    if doctor is not None:
        mb = (medium / "cosa.db").stat().st_size / 1e6
        print(f"`cosa doctor` (the default check, unlocked) on the {mb:.0f} MB medium workspace: "
              f"{doctor['median'] * 1000:.0f} ms ({doctor['min'] * 1000:.0f}–{doctor['max'] * 1000:.0f}),"
              f" peak RSS {doctor['rss_mb']:.0f} MB (target < 1 s on 50 MB).")  # fmt: skip


def doctor_seconds(home: Path, base_env: dict[str, str], runs: int) -> dict[str, float]:
    """`cosa doctor` on the medium workspace (`cosa demo --scale medium`, ~50 MB)."""
    env = dict(base_env, COSA_HOME=str(home))
    subprocess.run([cosa_bin(), "unlock", "--for", "30m"], env=env, check=True,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    session_env = {k: v for k, v in env.items() if k != "COSA_PASSPHRASE_FILE"}
    try:
        return measure([cosa_bin(), "doctor"], session_env, runs)
    finally:
        subprocess.run([cosa_bin(), "lock"], env=env, check=False, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
