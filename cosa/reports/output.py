"""Writing a finished report to disk: atomically, 0600, and with a digest for the record.

The SHA-256 returned by `write_pdf` goes into the audit entry (and the disclosure record for
a share pack), so a file handed over can later be matched to the entry that made it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cosa.errors import UserError
from cosa.fsutil import atomic_write


def write_pdf(path: Path, data: bytes) -> str:
    """Write `data` to `path` atomically (mode 0600) and return its SHA-256 hex digest."""
    path = Path(path)
    parent = path.parent
    if not parent.is_dir():
        raise UserError(
            f"Cannot write {path.name}: directory {parent} does not exist.",
            hint="Create the directory first, or write the report somewhere else.",
        )
    if path.is_dir():
        raise UserError(f"Cannot write {path}: it is a directory.")
    digest = hashlib.sha256(data).hexdigest()
    atomic_write(path, data)
    return digest
