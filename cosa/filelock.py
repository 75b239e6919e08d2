"""An exclusive, blocking lock on a file, for read-modify-write of `cosa.keys`.

Platform code kept apart: `fcntl.flock` on POSIX, `msvcrt.locking` on Windows. The lock is
released when the file is closed, so a killed process never leaves it held.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cosa.fsutil import PRIVATE_FILE


@contextmanager
def locked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
