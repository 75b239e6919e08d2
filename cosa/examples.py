"""Examples shown at the end of every command's `--help` (tests/test_help.py runs each one)."""

from __future__ import annotations

#: command path -> example command lines (without the leading `cosa `).
EXAMPLES: dict[str, list[str]] = {}


def epilog(path: str) -> str | None:
    lines = EXAMPLES.get(path)
    if not lines:
        return None
    return "\b\nExamples:\n" + "\n".join(f"  cosa {line}" for line in lines)
