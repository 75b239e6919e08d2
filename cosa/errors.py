"""The one exception family for errors a user can act on, and the exit codes they map to.

Every failure that is the user's or the data's (not a bug) is raised as a `CosaError`
subclass. `cosa.cli.main` is the single place that turns one into `Error: …` on stderr and an
exit code; nothing else prints errors or calls `sys.exit`.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    USER_ERROR = 1  # not found, invalid value, conflict
    USAGE = 2  # Typer/Click usage errors
    LOCKED = 3  # locked, wrong passphrase, no passphrase available
    INTEGRITY = 4  # damaged file, broken audit chain, rollback detected
    INTERRUPTED = 130


class CosaError(Exception):
    """An error for the user: one line, an optional hint, and an exit code."""

    exit_code: ExitCode = ExitCode.USER_ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UserError(CosaError):
    """Bad input, unknown record, conflict: exit 1."""


class LockedError(CosaError):
    """No key available, wrong passphrase or recovery code: exit 3."""

    exit_code = ExitCode.LOCKED


class IntegrityError(CosaError):
    """A damaged file, a broken audit chain or a rolled-back database: exit 4."""

    exit_code = ExitCode.INTEGRITY
