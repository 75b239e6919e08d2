"""Writing an output file the user named: never over an existing file unless `force`, never
over anything that is not a regular file, always atomic and 0600 (SPEC §9 "outputs never
clobber").

Kept for its callers; the one implementation (race-aware, with one-line reasons for bad
paths) is `cosa.fsutil.check_output` / `cosa.fsutil.write_output`.
"""

from __future__ import annotations

from pathlib import Path

from cosa import fsutil


def check_output(path: Path, *, force: bool = False) -> None:
    """Refuse `path` as an output (see `cosa.fsutil.check_output`)."""
    fsutil.check_output(Path(path), force)


def write_output(path: Path, data: bytes, *, force: bool = False) -> Path:
    """Write `data` to `path` (0600, atomically, never clobbering: `cosa.fsutil`)."""
    path = Path(path)
    fsutil.write_output(path, data, force=force)
    return path
