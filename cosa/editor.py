"""Writing minutes in `$EDITOR` without leaving plaintext behind.

The temp file lives in a private directory (0700; a user-only ACL on Windows) under the
platform's private base (`cosa.tempdir`: `$XDG_RUNTIME_DIR` or `/dev/shm` on Linux, the
per-user temp dir on macOS, `%LOCALAPPDATA%\\cosa\\drafts` on Windows) and is overwritten
with zeros and removed afterwards, also when the editor fails or the user presses Ctrl-C.

When the terminal closes while the editor is open (SIGHUP, or SIGTERM), the draft is wiped
the same way and an empty marker file (`cosa-draft-wiped-<uid>`, in the same private place)
is left; the next cosa command that opens a workspace says so and removes it. Drafts of cosa
processes that were killed outright are wiped at the next edit.

The editor runs without any `COSA_*` variable in its environment (COSA_PASSPHRASE,
COSA_PASSPHRASE_FILE…): it has no business with the workspace's secrets.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

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


class Hangup(KeyboardInterrupt):
    """The terminal closed (SIGHUP) or cosa was told to stop (SIGTERM) during the editor."""


def _hang_up(signum: int, frame: object) -> None:
    raise Hangup


_DRAFT_DIR = re.compile(r"cosa-edit-(\d+)-.*")


def notice_path() -> Path:
    """Where a wiped draft is noted (an empty file: its time is the news)."""
    from cosa.tempdir import private_base

    return private_base() / f"cosa-draft-wiped-{os.getuid() if hasattr(os, 'getuid') else 0}"


def _leave_notice() -> None:
    with contextlib.suppress(OSError):
        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        os.close(os.open(notice_path(), flags, 0o600))
        os.utime(notice_path())


def take_notice() -> str | None:
    """The note to show if a draft was wiped since the last command (and forget it)."""
    path = notice_path()
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not os.path.isfile(path) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        return None
    with contextlib.suppress(OSError):
        path.unlink()
    from datetime import datetime

    when = datetime.fromtimestamp(st.st_mtime).strftime("%Y-%m-%d %H:%M")
    return (
        f"note: the terminal closed while text was being written in the editor ({when}); the"
        " draft was wiped and nothing was saved, so please write it again"
    )


def editor_env() -> dict[str, str]:
    """The editor's environment: ours without any COSA_* variable."""
    return {k: v for k, v in os.environ.items() if not k.upper().startswith("COSA_")}


def _wipe_abandoned_drafts(base: Path) -> None:
    """Wipe the draft directories of cosa processes that no longer run (killed mid-edit)."""
    if os.name != "posix":
        return
    try:
        entries = list(base.iterdir())
    except OSError:
        return
    for entry in entries:
        match = _DRAFT_DIR.fullmatch(entry.name)
        if match is None or entry.is_symlink() or not entry.is_dir():
            continue
        try:
            if entry.stat().st_uid != os.getuid():
                continue
            os.kill(int(match.group(1)), 0)
            continue  # still editing
        except ProcessLookupError:
            pass
        except OSError:
            continue
        with contextlib.suppress(OSError):
            for leftover in entry.iterdir():
                _shred(leftover)
            entry.rmdir()


def editor_command() -> list[str]:
    import shlex
    import shutil

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
    import subprocess

    from cosa.tempdir import private_base, private_dir

    _wipe_abandoned_drafts(private_base())
    try:
        tmpdir = private_dir(f"cosa-edit-{os.getpid()}-")
    except OSError as exc:
        raise UserError(
            f"cannot make a private directory for the editor's draft: {exc}",
            hint="pass --minutes or --minutes-file instead",
        ) from None
    path = tmpdir / f"minutes{suffix}"
    previous = _catch_hangups()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(initial)
        try:
            result = subprocess.run([*editor_command(), str(path)], check=False, env=editor_env())
        except FileNotFoundError:
            raise UserError(
                "could not start the editor", hint="set EDITOR, or pass --minutes / --minutes-file"
            ) from None
        if result.returncode != 0:
            raise UserError(f"the editor exited with status {result.returncode}; nothing was saved")
        return path.read_text(encoding="utf-8")
    except Hangup:
        _leave_notice()
        raise
    finally:
        for leftover in tmpdir.iterdir() if tmpdir.exists() else []:
            _shred(leftover)  # the file, and any swap/backup file the editor left
        with contextlib.suppress(OSError):
            tmpdir.rmdir()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _catch_hangups() -> dict[int, Any]:
    """Turn SIGHUP/SIGTERM into `Hangup` while the editor runs (main thread only)."""
    previous: dict[int, Any] = {}
    for name in ("SIGHUP", "SIGTERM"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
            previous[signum] = signal.signal(signum, _hang_up)
    return previous


def strip_template(text: str, template: str) -> str | None:
    """The minutes without comment lines; None when the template was left unchanged."""

    def body(t: str) -> str:
        return "\n".join(line for line in t.splitlines() if not line.startswith("#")).strip()

    edited = body(text)
    if not edited or edited == body(template):
        return None
    return "\n".join(line for line in text.splitlines() if not line.startswith("# ")).strip()
