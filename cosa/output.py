"""Rendering: data to stdout as a table, plain columns, JSON or CSV; messages to stderr.

Tables use rich only when stdout is a terminal (and honour NO_COLOR); piped output is plain
aligned text without importing rich. JSON is the stable contract for scripts: each record is
serialised through its pydantic model (`cosa.models`), imported only when JSON is asked for.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from cosa.screen import paint, stdout_is_tty

Column = tuple[str, str]  # (key, header)


#: Columns whose red/amber/green values are coloured on a terminal (cosa.screen).
RAG_KEYS = frozenset({"severity", "rag"})
RAG_LABELS = frozenset({"Severity", "RAG"})


def message(text: str) -> None:
    """A message for the person (never data): stderr."""
    print(text, file=sys.stderr)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def dump_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


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
    headers = [h for _, h in columns]
    body = [[_cell(row.get(key)).replace("\n", " ") for key, _ in columns] for row in rows]
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

    t = Table(title=title, header_style="bold", show_edge=False)
    for _, header in columns:
        t.add_column(header, overflow="fold")
    for row in rows:
        cells = [Text(_cell(row.get(key))) for key, _ in columns]
        for cell, (key, _) in zip(cells, columns, strict=True):
            if key in RAG_KEYS:
                cell.stylize(RAG_STYLES.get(cell.plain.lower(), ""))
        t.add_row(*cells)
    width = shutil.get_terminal_size().columns
    Console(force_terminal=True, no_color=bool(os.environ.get("NO_COLOR")), width=width).print(t)


def record(pairs: Sequence[tuple[str, Any]], title: str | None = None) -> None:
    """One record as label: value lines."""
    if title:
        sys.stdout.write(title + "\n")
    width = max((len(label) for label, _ in pairs), default=0)
    for label, value in pairs:
        text = _cell(value)
        lines = text.splitlines() or [""]
        first = paint(lines[0]) if label in RAG_LABELS else lines[0]
        sys.stdout.write(f"{label.ljust(width)}  {first}\n")
        for extra in lines[1:]:
            sys.stdout.write(f"{' ' * width}  {extra}\n")
