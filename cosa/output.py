"""Rendering: data to stdout as a table, plain columns, JSON or CSV; messages to stderr.

Tables use rich only when stdout is a terminal (and honour NO_COLOR); piped output is plain
aligned text without importing rich. JSON is the stable contract for scripts: each record is
serialised through its pydantic model (`cosa.models`), imported only when JSON is asked for.

Terminal safety: every string shown to a person — table cells and headers (rich or plain),
`show` records, messages, errors, hints and prompts — passes through `safe()`, which shows
control characters other than newline and tab as visible escapes (ESC as `\x1b`, C1 controls
as `\x9b`…), bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
U+061C) and invisible characters that can disguise text (zero-width space, BOM, line
separators…) as `\u202e`…, so stored text can neither drive the terminal (colours, titles, cursor)
nor reorder what is shown. JSON and CSV are data, not display: they carry the exact text.
Stored text is never changed. Rich tables get `Text` cells, so `[brackets]` in data are not
read as rich markup. Commands print through `echo`, `message`, `table` and `record`, never
`print`/`typer.echo` (a test enforces it).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ParamSpec

from cosa.screen import paint, stdout_is_tty

P = ParamSpec("P")

Column = tuple[str, str]  # (key, header)


class OutputFailed(OSError):
    """Writing to stdout or stderr failed: the reader went away, or the device failed.

    Every write in this module raises it instead of a bare OSError, so the CLI can tell a
    failure to *print* (after a committed change: still a success) from a failure to *do*.
    """


@contextlib.contextmanager
def _printing() -> Iterator[None]:
    try:
        yield
    except OutputFailed:
        raise
    except OSError as exc:
        raise OutputFailed(exc.errno, exc.strerror or str(exc)) from exc


def flush() -> None:
    with _printing():
        sys.stdout.flush()
        sys.stderr.flush()


#: Columns whose red/amber/green values are coloured on a terminal (cosa.screen).
RAG_KEYS = frozenset({"severity", "rag"})
RAG_LABELS = frozenset({"Severity", "RAG"})


#: Characters that must not reach a terminal raw: C0 controls but newline and tab, DEL, C1
#: controls, and the bidirectional embeddings, overrides, isolates and marks.
#: Also the invisible characters that can disguise text without any use in a name (zero-width
#: space, word joiner and invisible operators, BOM, Mongolian vowel separator, line and
#: paragraph separators, interlinear annotation marks). The zero-width (non-)joiners stay:
#: emoji and scripts such as Persian or Sinhala need them.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """`text` made safe to show on a terminal (see the module docstring); idempotent."""
    return _UNSAFE.sub(_escape, text)


def message(text: str) -> None:
    """A message for the person (never data): stderr."""
    with _printing():
        print(safe(text), file=sys.stderr)


def echo(text: object = "", *, err: bool = False) -> None:
    """One line for the person, on stdout (or stderr with `err`), made terminal-safe."""
    with _printing():
        print(safe(str(text)), file=sys.stderr if err else sys.stdout)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _guarded(func: Callable[P, None]) -> Callable[P, None]:
    """`func` with its write errors raised as `OutputFailed`."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        with _printing():
            func(*args, **kwargs)

    return wrapper


@_guarded
def dump_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


@_guarded
def model_json(model: Any, rows: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> None:
    """Validate `rows` (a list or one record) through a pydantic model and print JSON."""
    from pydantic import TypeAdapter

    if isinstance(rows, Mapping):
        sys.stdout.write(model.model_validate(rows).model_dump_json(indent=2) + "\n")
    else:
        adapter = TypeAdapter(list[model])
        sys.stdout.write(
            adapter.dump_json(adapter.validate_python(list(rows)), indent=2).decode() + "\n"
        )


@_guarded
def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    csv_out: bool = False,
    title: str | None = None,
    empty: str = "nothing to show",
) -> None:
    if csv_out:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([key for key, _ in columns])
        for row in rows:
            writer.writerow([_cell(row.get(key)) for key, _ in columns])
        return
    if not rows:
        message(empty)
        return
    if stdout_is_tty():
        _rich_table(rows, columns, title)
        return
    headers = [safe(h) for _, h in columns]
    body = [[safe(_cell(row.get(key)).replace("\n", " ")) for key, _ in columns] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(headers)]
    for line in [headers, *body]:
        sys.stdout.write(
            "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() + "\n"
        )


def _rich_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], title: str | None
) -> None:
    import shutil

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from cosa.screen import RAG_STYLES

    t = Table(title=safe(title) if title else None, header_style="bold", show_edge=False)
    for _, header in columns:
        t.add_column(Text(safe(header)), overflow="fold")
    for row in rows:
        cells = [Text(safe(_cell(row.get(key)))) for key, _ in columns]
        for cell, (key, _) in zip(cells, columns, strict=True):
            if key in RAG_KEYS:
                cell.stylize(RAG_STYLES.get(cell.plain.lower(), ""))
        t.add_row(*cells)
    width = shutil.get_terminal_size().columns
    Console(force_terminal=True, no_color=bool(os.environ.get("NO_COLOR")), width=width).print(t)


@_guarded
def record(pairs: Sequence[tuple[str, Any]], title: str | None = None) -> None:
    """One record as label: value lines."""
    if title:
        sys.stdout.write(safe(title) + "\n")
    width = max((len(label) for label, _ in pairs), default=0)
    for label, value in pairs:
        label = safe(label)
        text = safe(_cell(value))
        lines = text.splitlines() or [""]
        first = paint(lines[0]) if label in RAG_LABELS else lines[0]
        sys.stdout.write(f"{label.ljust(width)}  {first}\n")
        for extra in lines[1:]:
            sys.stdout.write(f"{' ' * width}  {extra}\n")
