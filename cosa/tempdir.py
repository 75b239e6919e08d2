"""Where the `$EDITOR` draft of minutes is written: a private directory, per platform.

- **Linux**: `$XDG_RUNTIME_DIR` (per-user, 0700, memory-backed under systemd) or else
  `/dev/shm` (memory-backed, shared: the draft's own directory is 0700), so the plaintext
  never reaches a disk; failing both, the system temp directory.
- **macOS**: the per-user temp directory (`$TMPDIR`, `/var/folders/…/T/`, 0700 and owned by
  the user; no memory-backed file system is available without root).
- **Windows**: `%LOCALAPPDATA%\\cosa\\drafts`, inside the user's profile (which only the user
  and administrators can read), with its ACL narrowed to the user alone (`cosa.permissions`).
- Elsewhere: the system temp directory.

Each draft gets its own 0700 (user-only ACL on Windows) directory inside that base.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def private_base() -> Path:
    """The base directory for private drafts on this platform (created if needed)."""
    if sys.platform.startswith("linux"):
        for candidate in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):
            if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK):
                return Path(candidate)
    elif sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        if local and os.path.isdir(local):
            from cosa.permissions import restrict_dir

            base = Path(local) / "cosa" / "drafts"
            if not base.is_dir():
                base.mkdir(parents=True, exist_ok=True)
                restrict_dir(base)
            return base
    return Path(tempfile.gettempdir())


def private_dir(prefix: str) -> Path:
    """A new directory that only the user can enter, for one draft."""
    from cosa.permissions import restrict_dir

    path = Path(tempfile.mkdtemp(prefix=prefix, dir=private_base()))  # 0700 on POSIX
    try:
        restrict_dir(path)
    except OSError:
        path.rmdir()
        raise
    return path
