"""Long tables, quickly: text wrapped to its column before it reaches the table.

`pdf.table` draws a cell that fits its column as plain text and turns any other into a
Paragraph, which is far slower to lay out (a thousand-row escalation log spent most of its
time breaking Paragraph lines). `wrapped_table` breaks each text cell into lines that fit its
column first, from word widths measured once, so every cell stays plain text. The text is
still drawn literally: nothing here is markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth

from cosa.reports.pdf import CONTENT_WIDTH, FONT, FONT_BOLD, table

SIZE = 8.5  # pdf.table's cell font size
PADDING = 2 * 5.0 + 0.5  # pdf.table's left and right cell padding, and its margin


@cache
def _width(word: str, font: str) -> float:
    return float(stringWidth(word, font, SIZE))


def _split_word(word: str, room: float, font: str) -> list[str]:
    """A word wider than the column, in pieces that fit."""
    pieces, rest = [], word
    while rest and _width(rest, font) > room:
        cut = max(1, len(rest) - 1)
        while cut > 1 and _width(rest[:cut], font) > room:
            cut -= 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return [*pieces, rest] if rest else pieces


def wrap(text: str, width: float, *, bold: bool = False) -> str:
    """`text` with line breaks so that every line fits a column `width` points wide."""
    font = FONT_BOLD if bold else FONT
    room = width - PADDING - 0.01
    space = _width(" ", font)
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            w = _width(word, font)
            if line and used + space + w <= room:
                line.append(word)
                used += space + w
                continue
            if line:
                lines.append(" ".join(line))
            if w > room:
                *full, word = _split_word(word, room, font)
                lines += full
                w = _width(word, font)
            line, used = [word], w
        lines.append(" ".join(line))
    return "\n".join(lines)


def column_widths(headers: Sequence[str], columns: Sequence[float | str]) -> list[float]:
    """Widths in points. A column given as text is fixed: just wide enough for that sample
    and for each word of its header. A column given as a number is flexible: the flexible
    columns share what is left in proportion to their numbers."""
    fixed: dict[int, float] = {}
    for i, (header, column) in enumerate(zip(headers, columns, strict=True)):
        if isinstance(column, str):
            words = [_width(w, FONT_BOLD) for w in header.split()] or [0.0]
            fixed[i] = max(_width(column, FONT), *words) + PADDING + 0.5
    weights = {i: float(c) for i, c in enumerate(columns) if not isinstance(c, str)}
    left = max(CONTENT_WIDTH - sum(fixed.values()), 0.0)
    total = sum(weights.values()) or 1.0
    return [fixed[i] if i in fixed else left * weights[i] / total for i in range(len(columns))]


def wrapped_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], columns: Sequence[float | str]
) -> Any:
    """`pdf.table` with text cells wrapped to their columns (see `column_widths`)."""
    widths = column_widths(headers, columns)
    head = [wrap(h, w, bold=True) for h, w in zip(headers, widths, strict=True)]
    body = [
        [wrap(v, w) if isinstance(v, str) else v for v, w in zip(row, widths, strict=True)]
        for row in rows
    ]
    return table(head, body, col_widths=widths)
