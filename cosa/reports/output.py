"""Writing a finished report to disk: atomically, 0600, and with a digest for the record.

The SHA-256 returned by `write_pdf` goes into the audit entry (and the disclosure record for
a share pack), so a file handed over can later be matched to the entry that made it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cosa.fsutil import write_output


def write_pdf(path: Path, data: bytes, *, force: bool = False) -> str:
    """Write `data` to `path` atomically (mode 0600, never clobbering: see `cosa.fsutil`)
    and return its SHA-256 hex digest."""
    digest = hashlib.sha256(data).hexdigest()
    write_output(Path(path), data, force=force)
    return digest
