"""Writing minutes in `$EDITOR` without leaving plaintext behind.

The temp file lives in a private 0700 directory — under `$XDG_RUNTIME_DIR` or `/dev/shm`
(memory-backed) when available, else the system temp dir — and is overwritten with zeros and
removed afterwards, also when the editor fails or the user presses Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cosa.errors import UserError

MINUTES_TEMPLATE = """\
# Minutes — {title}
# Lines starting with '#' are removed. Leave the template unchanged for "no minutes yet".

## Check-in

## Practical updates

## Accountability

## Support

## Concerns

## Actions

## Next meeting
"""


def _private_base() -> Path | None:
    for candidate in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK):
            return Path(candidate)
    return None


def editor_command() -> list[str]:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        editor = (
            "notepad" if sys.platform == "win32" else ("nano" if shutil.which("nano") else "vi")
        )
    return shlex.split(editor, posix=sys.platform != "win32")


def _shred(path: Path) -> None:
    with contextlib.suppress(OSError):
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.write(b"\0" * size)
            fh.flush()
            os.fsync(fh.fileno())
    with contextlib.suppress(OSError):
        path.unlink()


def edit_text(initial: str, *, suffix: str = ".md") -> str:
    """Open `initial` in the user's editor; return the edited text."""
    base = _private_base()
    tmpdir = Path(tempfile.mkdtemp(prefix="cosa-edit-", dir=base))
    os.chmod(tmpdir, 0o700)
    path = tmpdir / f"minutes{suffix}"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(initial)
        try:
            result = subprocess.run([*editor_command(), str(path)], check=False)
        except FileNotFoundError:
            raise UserError(
                "could not start the editor", hint="set EDITOR, or pass --minutes / --minutes-file"
            ) from None
        if result.returncode != 0:
            raise UserError(f"the editor exited with status {result.returncode}; nothing was saved")
        return path.read_text(encoding="utf-8")
    finally:
        for leftover in tmpdir.iterdir() if tmpdir.exists() else []:
            _shred(leftover)  # the file, and any swap/backup file the editor left
        with contextlib.suppress(OSError):
            tmpdir.rmdir()


def strip_template(text: str, template: str) -> str | None:
    """The minutes without comment lines; None when the template was left unchanged."""

    def body(t: str) -> str:
        return "\n".join(line for line in t.splitlines() if not line.startswith("#")).strip()

    edited = body(text)
    if not edited or edited == body(template):
        return None
    return "\n".join(line for line in text.splitlines() if not line.startswith("# ")).strip()
