"""Private files and directories on every platform: only the user may read them.

- **POSIX** (Linux, macOS): `chmod` 0700 for directories, 0600 for files.
- **Windows**: `chmod` only sets the read-only flag there, so the access control list is
  replaced instead, with the system's own `icacls` tool: inheritance from the parent is cut
  (`/inheritance:r`) and the user alone is granted full control (`/grant:r *SID:F`); a
  directory's grant is inherited by everything created in it (`(OI)(CI)`), so the files
  of a workspace need no call of their own. The user is named by SID (from `whoami /user`),
  which, unlike a user name, cannot be ambiguous or localised. Administrators and SYSTEM lose
  their inherited access: a backup tool running as SYSTEM must be given access explicitly.
  `icacls` and `whoami` ship with every Windows since Vista; a subprocess keeps this module
  free of ctypes declarations of the Win32 security API.

`restrict_dir` / `restrict_file` raise OSError when the permissions cannot be set;
`try_restrict_dir` / `try_restrict_file` ignore that (file systems without permissions).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def restrict_dir(path: Path) -> None:
    """Make the directory `path` accessible to the user only."""
    if sys.platform == "win32":
        _icacls(path, "(OI)(CI)F")
    else:
        os.chmod(path, PRIVATE_DIR)


def restrict_file(path: Path) -> None:
    """Make the file `path` readable and writable by the user only."""
    if sys.platform == "win32":
        _icacls(path, "F")
    else:
        os.chmod(path, PRIVATE_FILE)


def try_restrict_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        restrict_dir(path)


def try_restrict_file(path: Path) -> None:
    with contextlib.suppress(OSError):
        restrict_file(path)


# --- Windows ----------------------------------------------------------------------------------


def _run(args: list[str]) -> str:
    import subprocess

    try:
        done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        raise OSError(f"could not run {args[0]}: {exc}") from None
    if done.returncode != 0:
        first = (done.stderr or done.stdout).strip().splitlines()
        raise OSError(f"{args[0]} failed: {first[0] if first else done.returncode}")
    return done.stdout


@functools.cache
def user_sid() -> str:
    """The current user's SID, e.g. `S-1-5-21-…-1001` (Windows)."""
    # `whoami /user /fo csv /nh` prints one line: "DOMAIN\\user","S-1-5-21-..."
    out = _run(["whoami", "/user", "/fo", "csv", "/nh"]).strip()
    sid = out.rsplit(",", 1)[-1].strip().strip('"')
    if not sid.startswith("S-1-"):
        raise OSError(f"whoami gave no SID: {out[:80]!r}")
    return sid


def _icacls(path: Path, rights: str) -> None:
    _run(["icacls", str(path), "/inheritance:r", "/grant:r", f"*{user_sid()}:{rights}", "/q"])
