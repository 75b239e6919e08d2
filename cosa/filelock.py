"""An exclusive, blocking lock on a file, for read-modify-write of `cosa.keys`.

Platform code kept apart, chosen at run time: `fcntl.flock` on POSIX; on Windows
`msvcrt.locking` of the file's first byte (`LK_LOCK` gives up after about ten seconds with
OSError, so it is retried until the lock is had). Either lock is released when the file is
closed, so a killed process never leaves it held.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cosa.fsutil import PRIVATE_FILE


def _lock_posix(fd: int) -> None:
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX)


def _lock_windows(fd: int) -> None:
    import importlib

    msvcrt = importlib.import_module("msvcrt")  # (not imported by name: mypy runs on Linux)
    os.lseek(fd, 0, os.SEEK_SET)  # locking() locks from the current position
    while True:
        try:
            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
            return
        except OSError as exc:
            if exc.errno != errno.EDEADLK:  # EDEADLOCK: still held after LK_LOCK's tries
                raise


def _locker() -> Callable[[int], None]:
    return _lock_windows if sys.platform == "win32" else _lock_posix


@contextmanager
def locked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        _locker()(fd)
        yield
    finally:
        os.close(fd)
