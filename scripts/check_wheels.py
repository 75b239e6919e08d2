"""Check that every dependency installs on Windows and macOS without a compiler.

For each target platform, `pip download --only-binary=:all: --no-deps` fetches every pin of
requirements.lock (which pip-compile wrote on Linux), then follows each wheel's own
requirements whose environment markers hold on that platform but not on Linux (e.g. click's
`colorama; platform_system == "Windows"`, keyring's `pywin32-ctypes; sys_platform == "win32"`):
those are not in the lock, so the newest release that fits is fetched. Where
pyproject.toml narrows a dependency on one platform only (e.g. `cryptography<49` on Intel Macs,
whose wheels stop at 48), the newest release within that range is fetched instead of the pin.
A package without a binary wheel for the platform is reported; the exit status is 1 if any is
missing.

Needs the package index (run it by hand, not in CI, which has no network):

    python scripts/check_wheels.py [--python-version 3.11] [--platform win_amd64 ...]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = ["win_amd64", "macosx_11_0_arm64", "macosx_10_15_x86_64"]


def marker_environment(platform: str, python_version: str) -> dict[str, str]:
    env = {k: str(v) for k, v in default_environment().items()}
    env.update(python_version=python_version, python_full_version=f"{python_version}.0")
    env.update(implementation_name="cpython", platform_python_implementation="CPython")
    if platform.startswith("win"):
        env.update(sys_platform="win32", platform_system="Windows", os_name="nt",
                   platform_machine="AMD64")  # fmt: skip
    else:
        machine = "arm64" if "arm64" in platform else "x86_64"
        env.update(sys_platform="darwin", platform_system="Darwin", os_name="posix",
                   platform_machine=machine)  # fmt: skip
    return env


def platform_ranges(pyproject: Path, env: dict[str, str]) -> dict[str, SpecifierSet]:
    """The dependencies pyproject.toml narrows on this platform only: a requirement whose
    marker holds in `env` but not on the machine running the check (Linux)."""
    here = {k: str(v) for k, v in default_environment().items()}
    ranges: dict[str, SpecifierSet] = {}
    for line in tomllib.loads(pyproject.read_text())["project"]["dependencies"]:
        req = Requirement(line)
        if req.marker is None or not req.marker.evaluate(env | {"extra": ""}):
            continue
        if req.marker.evaluate(here | {"extra": ""}):
            continue
        name = canonicalize_name(req.name)
        ranges[name] = ranges.get(name, SpecifierSet()) & req.specifier
    return ranges


def pins(lock: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lock.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", line)
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def download(spec: str, platform: str, python_version: str, dest: Path) -> Path | None:
    """The downloaded wheel of `spec` for `platform`, or None if there is no binary wheel."""
    before = set(dest.iterdir())
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--only-binary=:all:", "--no-deps", "--platform", platform,
         "--python-version", python_version, "--implementation", "cp", "-d", str(dest), spec],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        return None
    new = [p for p in set(dest.iterdir()) - before if p.suffix == ".whl"]
    if new:
        return new[0]
    name = canonicalize_name(Requirement(spec).name)
    for wheel in dest.glob("*.whl"):  # already there (the same wheel for another platform)
        if canonicalize_name(wheel.name.split("-")[0]) == name:
            return wheel
    return None


def requirements_of(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(meta).decode("utf-8", "replace")
    return [Requirement(line.split(":", 1)[1].strip())
            for line in text.splitlines() if line.startswith("Requires-Dist:")]  # fmt: skip


def check(platform: str, python_version: str, locked: dict[str, str], dest: Path) -> list[str]:
    env = marker_environment(platform, python_version)
    ranges = platform_ranges(ROOT / "pyproject.toml", env)
    queue = []
    for name, version in sorted(locked.items()):
        if name in ranges and version not in ranges[name]:
            print(
                f"  {platform}: {name}{ranges[name]} (pyproject.toml) instead of the pinned {version}"
            )
            queue.append(f"{name}{ranges[name]}")
        else:
            queue.append(f"{name}=={version}")
    seen = set(locked)
    missing = []
    while queue:
        spec = queue.pop(0)
        wheel = download(spec, platform, python_version, dest)
        if wheel is None:
            missing.append(spec)
            continue
        for req in requirements_of(wheel):
            name = canonicalize_name(req.name)
            if name in seen or (
                req.marker is not None and not req.marker.evaluate(env | {"extra": ""})
            ):
                continue
            seen.add(name)
            queue.append(f"{req.name}{req.specifier}")
            print(f"  {platform}: also needs {req.name}{req.specifier} (not in the lock)")
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, default=ROOT / "requirements.lock")
    parser.add_argument("--python-version", default="3.11")
    parser.add_argument("--platform", action="append", dest="platforms")
    args = parser.parse_args()
    locked = pins(args.lock)
    failed = False
    with tempfile.TemporaryDirectory(prefix="cosa-wheels-") as tmp:
        for platform in args.platforms or PLATFORMS:
            dest = Path(tmp) / platform
            dest.mkdir()
            missing = check(platform, args.python_version, locked, dest)
            if missing:
                failed = True
                print(f"{platform}: NO WHEEL for {', '.join(missing)}")
            else:
                print(f"{platform}: every dependency has a wheel ({len(locked)} pinned)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
