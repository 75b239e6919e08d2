"""The terminal: colour for red/amber/green, and a pager for long output.

Both apply only when stdout is a terminal, so piped output (`cosa … | grep`, scripts, `--json`)
is never coloured and never paged. `NO_COLOR` (any non-empty value) turns colour off
(https://no-color.org). Long output of the read-only commands in `PAGED` goes through
`$PAGER`, else `less -R` (with `LESS=FRX` unless set: quit when it fits, keep colour, leave the
screen as it was); `cosa --no-pager …` or an empty `PAGER` turns the pager off. Nothing that can
prompt is paged (its question would go into the pager). Stdlib only.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable

#: Commands whose output can be long and that never prompt on stdout.
PAGED = frozenset(
    {
        "status",
        "search",
        "audit",
        "meeting list",
        "meeting show",
        "contact list",
        "concern list",
        "concern show",
        "action list",
        "review list",
        "volunteer list",
        "volunteer show",
        "member list",
        "pro list",
        "referral list",
        "circle list",
        "circle show",
        "disclosure list",
        "retention",
        "lookup list",
    }
)

#: ANSI colours for the values of RAG and severity columns.
RAG_COLOURS = {"red": "31", "amber": "33", "green": "32"}
#: The same for rich (used by tables on a terminal).
RAG_STYLES = {"red": "bold red", "amber": "bold yellow", "green": "green"}


def stdout_is_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def colour() -> bool:
    """Colour only on a terminal, and never with NO_COLOR set."""
    return not os.environ.get("NO_COLOR") and stdout_is_tty()


def paint(value: str) -> str:
    """`value` coloured when it is red, amber or green and colour is on; else unchanged."""
    code = RAG_COLOURS.get(value.strip().lower())
    if code is None or not colour():
        return value
    return f"\x1b[{code}m{value}\x1b[0m"


class _Screen(io.StringIO):
    """Holds a command's output for the pager; a terminal as far as the output code knows."""

    def isatty(self) -> bool:
        return True


def _pager_command() -> str | None:
    pager = os.environ.get("PAGER")
    if pager is not None:
        return pager.strip() or None
    return "less -R" if shutil.which("less") else None


def start(path: str, *, no_pager: bool) -> Callable[[], None] | None:
    """Hold stdout for `path`'s output when it may need a pager; returns the function that
    shows it (through the pager if it is taller than the terminal), or None."""
    if no_pager or path not in PAGED or not stdout_is_tty() or _pager_command() is None:
        return None
    real = sys.stdout
    held = _Screen()
    sys.stdout = held

    def finish() -> None:
        sys.stdout = real
        text = held.getvalue()
        command = _pager_command()
        if command is None or text.count("\n") < shutil.get_terminal_size().lines:
            real.write(text)
            real.flush()
            return
        # The pager gets no COSA_* variable (COSA_PASSPHRASE…), like the editor.
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith("COSA_")}
        env.setdefault("LESS", "FRX")
        try:
            subprocess.run(command, shell=True, input=text, text=True, env=env, check=False)
        except OSError:
            real.write(text)
            real.flush()

    return finish
