"""Writing an output file the user named: never over an existing file unless `force`, never
over anything that is not a regular file, always atomic and 0600 (SPEC §9 "outputs never
clobber").

Minimal on purpose: a shared no-clobber writer is being built in `cosa/fsutil.py`; this one
is meant to be replaced by it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cosa.errors import UserError
from cosa.fsutil import atomic_write


def check_output(path: Path, *, force: bool = False) -> None:
    """Refuse `path` as an output: an existing path unless `force`, and anything that is
    not a regular file (a directory, a FIFO, a device, a symlink) always."""
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            raise UserError(f"{path} exists and is not a regular file; refusing to replace it")
        if not force:
            raise UserError(f"{path} already exists", hint="use --force to replace it")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"the folder {parent} does not exist")


def write_output(path: Path, data: bytes, *, force: bool = False) -> Path:
    """Write `data` to `path` (0600, atomically) after `check_output`."""
    path = Path(path)
    check_output(path, force=force)
    atomic_write(path, data)
    return path
