"""Where secrets come from: files, the environment, or a hidden prompt — never argv.

Passphrase sources, in order (SPEC §2): the unlock session (handled by `cosa.workspace`),
`--passphrase-file` / `COSA_PASSPHRASE_FILE` (first line), `COSA_PASSPHRASE` (for scripts and
tests; documented as less safe), then a hidden prompt on a TTY. With none of them and no TTY
the command fails with exit 3 rather than hang.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from cosa.errors import LockedError, UserError
from cosa.output import message


def interactive() -> bool:
    """True when a person can answer a prompt (stdin and stderr are terminals)."""
    try:
        return sys.stdin.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


#: The longest passphrase, password or recovery code read from a file (characters).
MAX_SECRET = 4096


def read_secret_file(path: Path, what: str = "passphrase") -> str:
    """The first line of `path`, without its line ending (read at most `MAX_SECRET`
    characters: the file may be a device or a pipe that never ends)."""
    try:
        with open(path, encoding="utf-8") as fh:
            line = fh.readline(MAX_SECRET + 1)
    except FileNotFoundError:
        raise UserError(f"{what} file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {what} file {path}: {exc.__class__.__name__}") from None
    secret = line.rstrip("\r\n")
    if len(secret) > MAX_SECRET:
        raise UserError(f"the first line of the {what} file {path} is too long (not a {what}?)")
    if not secret:
        raise UserError(f"the {what} file {path} is empty")
    return secret


def passphrase_from_sources(passphrase_file: Path | None) -> str | None:
    """A passphrase from a file option, the environment, or None."""
    file = passphrase_file or (
        Path(os.environ["COSA_PASSPHRASE_FILE"]) if os.environ.get("COSA_PASSPHRASE_FILE") else None
    )
    if file is not None:
        return read_secret_file(file)
    env = os.environ.get("COSA_PASSPHRASE")
    if env:
        return env
    return None


def passphrase(passphrase_file: Path | None, prompt: str) -> str:
    """A passphrase from a file option or the environment, else asked once on a terminal
    with `prompt`; without a terminal, `no_secret_error`."""
    secret = passphrase_from_sources(passphrase_file)
    if secret is not None:
        return secret
    if not interactive():
        raise no_secret_error()
    return prompt_hidden(prompt)


def prompt_hidden(prompt: str) -> str:
    """A hidden prompt on the terminal (echo off)."""
    from cosa.output import safe

    return getpass.getpass(safe(prompt), stream=sys.stderr)


def no_secret_error(what: str = "passphrase") -> LockedError:
    return LockedError(
        f"the workspace is locked and no {what} is available",
        hint="run `cosa unlock`, or set COSA_PASSPHRASE_FILE (or use --passphrase-file)",
    )


def new_passphrase(passphrase_file: Path | None, *, env: bool = True) -> str:
    """A new passphrase: from a file, the environment (init), or asked twice on a TTY."""
    from cosa.vault import check_passphrase_strength

    if passphrase_file is not None:
        secret = read_secret_file(passphrase_file, "new passphrase")
    elif env and (found := passphrase_from_sources(None)) is not None:
        secret = found
    elif interactive():
        for _ in range(3):
            first = prompt_hidden("New passphrase (at least 10 characters): ")
            try:
                check_passphrase_strength(first)
            except UserError as exc:
                message(f"  {exc.message}")
                continue
            if prompt_hidden("Repeat the passphrase: ") == first:
                return first
            message("  the two entries differ; try again")
        raise UserError("no new passphrase was set")
    else:
        raise LockedError(
            "a new passphrase is needed and none is available",
            hint="pass --new-passphrase-file PATH, or run this in a terminal",
        )
    check_passphrase_strength(secret)
    return secret
