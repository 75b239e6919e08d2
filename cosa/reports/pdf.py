"""The PDF engine: styles, building blocks, page furniture, in-memory build and encryption.

Report commands assemble a *story* (a list of platypus flowables) from the helpers here —
`heading`, `para`, `table`, `kv_table` and the charts — and hand it to `build_pdf` with a
`ReportMeta`. `build_pdf` puts a title block first and draws the furniture on every page:

    header   classification (centred, bold) / title · subject ........ period / rule
    footer   rule / Generated <when> by <operator> ........ Page x of y
             Audit head: <head>                      (last page only)
             classification (centred, bold)

"Page x of y" needs the page count before any page is written, so pages are buffered by
`_NumberedCanvas` and the furniture is drawn once the story is laid out (reportlab's
"NumberedCanvas" pattern: one layout pass, no second build).

User data never becomes markup: text reaches a Paragraph only through `para` (and the
table helpers that use it), which XML-escapes it; short table cells are plain strings, which
the Table draws literally (and much faster than Paragraphs on a long table). Everything is built in memory; nothing here
touches the disk except reading the bundled fonts (`fonts/`, DejaVu, see `fonts/LICENSE`).
`encrypt_pdf` applies AES-256 (PDF 2.0 security handler, /V 5 /R 6) with pypdf, also in
memory, so an unprotected copy never reaches the disk.

This module imports reportlab at the top on purpose (and registers the fonts); import it
lazily, from the command that writes a report. pypdf is imported by `encrypt_pdf` only.
"""

from __future__ import annotations

import io
import math
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

__all__ = [
    "CONTENT_WIDTH",
    "ReportMeta",
    "bar_chart",
    "build_pdf",
    "encrypt_pdf",
    "generate_password",
    "heading",
    "kv_table",
    "line_chart",
    "para",
    "rag_chart",
    "styles",
    "table",
]

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
_FONT_DIR = Path(__file__).parent / "fonts"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH: float = PAGE_WIDTH - 2 * MARGIN
_TOP_MARGIN = 23 * mm  # below the header rule
_BOTTOM_MARGIN = 26 * mm  # above the footer rule

# A quiet palette that survives greyscale printing.
INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#52606D")
RULE = colors.HexColor("#9AA5B1")
HAIRLINE = colors.HexColor("#D9DEE4")
HEADER_BG = colors.HexColor("#E4E8EE")
ZEBRA = colors.HexColor("#F4F6F9")
ACCENT = colors.HexColor("#2F6690")
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
SERIES = [
    colors.HexColor(c)
    for c in ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
]
RAG_COLOURS = {
    "green": colors.HexColor("#2E7D32"),
    "amber": colors.HexColor("#E69F00"),
    "red": colors.HexColor("#C62828"),
}
_RAG_TINTS = {
    "green": colors.HexColor("#EEF6EE"),
    "amber": colors.HexColor("#FDF5E4"),
    "red": colors.HexColor("#FBECEC"),
}

_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


@dataclass(frozen=True)
class ReportMeta:
    """What every page of a report says about the report."""

    title: str
    period: str  # a date range, or "as of 26 Nov 2026"
    generated_at: datetime
    operator: str
    audit_head: str  # "seq 1234 · 9f2c…", printed on the last page
    classification: str = "OFFICIAL-SENSITIVE"
    subject: str = ""  # optional sub-heading, e.g. a circle code


# --- fonts and styles -----------------------------------------------------------------------


@cache
def _register_fonts() -> None:
    """Register the bundled DejaVu fonts once, as family "DejaVuSans" (bold for <b>)."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, filename in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(_FONT_DIR / filename)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


_register_fonts()  # at import: every helper below may measure text in these fonts


@cache
def register_italics() -> None:
    """Register the oblique DejaVu fonts for `<i>` (only documents with emphasis pay the
    ~30 ms of loading them)."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, filename in (
        (FONT_ITALIC, "DejaVuSans-Oblique.ttf"),
        (FONT_BOLD_ITALIC, "DejaVuSans-BoldOblique.ttf"),
    ):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(_FONT_DIR / filename)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
    )


@cache
def _styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, textColor=INK)
    cell = ParagraphStyle("cell", base, fontSize=8.5, leading=10.5)
    return {
        "title": ParagraphStyle(
            "title", base, fontName=FONT_BOLD, fontSize=17, leading=21, spaceAfter=2
        ),
        "subtitle": ParagraphStyle(
            "subtitle", base, fontSize=11, leading=14, textColor=MUTED, spaceAfter=2
        ),
        "h2": ParagraphStyle(
            "h2",
            base,
            fontName=FONT_BOLD,
            fontSize=12.5,
            leading=16,
            spaceBefore=12,
            spaceAfter=5,
            keepWithNext=1,
        ),
        "h3": ParagraphStyle(
            "h3",
            base,
            fontName=FONT_BOLD,
            fontSize=10.5,
            leading=13.5,
            spaceBefore=8,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "body": ParagraphStyle("body", base, spaceAfter=5),
        "small": ParagraphStyle("small", base, fontSize=8, leading=10.5, textColor=MUTED),
        "cell": cell,
        "cellbold": ParagraphStyle("cellbold", cell, fontName=FONT_BOLD),
        "cellnum": ParagraphStyle("cellnum", cell, alignment=TA_RIGHT),
        "cellboldnum": ParagraphStyle("cellboldnum", cell, fontName=FONT_BOLD, alignment=TA_RIGHT),
        "celllabel": ParagraphStyle("celllabel", cell, fontName=FONT_BOLD, textColor=MUTED),
    }


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles by name: title, subtitle, h2, h3, body, small, cell, cellbold, …"""
    return dict(_styles())


# --- text -----------------------------------------------------------------------------------


def _markup(text: str) -> str:
    """Escape user text for a Paragraph; keep line breaks."""
    return escape(text).replace("\r\n", "\n").replace("\n", "<br/>")


def para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of *plain* text: `<`, `>` and `&` are shown, never interpreted."""
    return Paragraph(_markup(text), _styles()[style])


def heading(text: str, level: int = 2) -> Flowable:
    """A heading (1 = title size, 2 = section, 3+ = subsection); sections join the outline."""
    if level < 1:
        raise ValueError(f"heading level must be at least 1, not {level}")
    return para(text, {1: "title", 2: "h2"}.get(level, "h3"))


def format_datetime(value: datetime) -> str:
    """'26 Nov 2026 14:03' (with the zone name when the time is aware)."""
    text = f"{value.day} {value:%b %Y %H:%M}"
    zone = value.tzname()
    return f"{text} {zone}" if zone else text


def format_date(value: date) -> str:
    """'26 Nov 2026'."""
    return f"{value.day} {value:%b %Y}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if math.isfinite(value) else "—"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text`, shortened with an ellipsis to fit `width` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdfmetrics.stringWidth(text[:mid] + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


# --- tables ---------------------------------------------------------------------------------

_CELL_PAD = 5.0
_WIDTH_SAMPLE_ROWS = 200  # enough rows to judge a column's width; keeps huge tables fast


def _auto_widths(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[float]:
    """Column widths from content: narrow columns keep their natural width, wide ones share
    what is left in proportion to their natural width."""
    n = len(headers)
    natural = [pdfmetrics.stringWidth(h, FONT_BOLD, 8.5) + 2 * _CELL_PAD + 1 for h in headers]
    for row in rows[:_WIDTH_SAMPLE_ROWS]:
        for i, value in enumerate(row[:n]):
            if isinstance(value, Flowable):
                continue
            longest = max(_text(value).split("\n"), key=len)
            width = pdfmetrics.stringWidth(longest[:120], FONT, 8.5) + 2 * _CELL_PAD + 1
            natural[i] = max(natural[i], width)
    total = sum(natural)
    if total <= CONTENT_WIDTH:
        return [w * CONTENT_WIDTH / total for w in natural]
    widths = [0.0] * n
    open_cols = set(range(n))
    remaining = CONTENT_WIDTH
    while open_cols:
        share = remaining / len(open_cols)
        narrow = {i for i in open_cols if natural[i] <= share}
        if not narrow:
            wide_total = sum(natural[i] for i in open_cols)
            for i in open_cols:
                widths[i] = remaining * natural[i] / wide_total
            break
        for i in narrow:
            widths[i] = natural[i]
            remaining -= natural[i]
        open_cols -= narrow
    return widths


_CELL_SIZE = 8.5


def _cell(
    value: object,
    numeric: bool,
    decimals: int = 0,
    room: float | None = None,
    bold: bool = False,
) -> Flowable | str:
    """One table cell: a Flowable as it is; text as a plain string when it fits in `room`
    points on its lines (the Table draws it as literal text, which is much faster than a
    Paragraph on long tables), otherwise as an escaped, wrapping Paragraph."""
    if isinstance(value, Flowable):
        return value
    number = float(value) if _is_number(value) else math.nan  # type: ignore[arg-type]
    if numeric and math.isfinite(number):
        text = f"{number:,.{decimals}f}"
    else:
        text = _text(value).replace("\r\n", "\n")
    font = FONT_BOLD if bold else FONT
    if room is not None and all(
        pdfmetrics.stringWidth(line, font, _CELL_SIZE) <= room for line in text.split("\n")
    ):
        return text
    return para(text, ("cellbold" if bold else "cell") + ("num" if numeric else ""))


def _decimals(values: Sequence[object]) -> int:
    """How many decimals a column of numbers needs (0 to 2), so its figures line up."""
    return max((len(_text(v).partition(".")[2]) for v in values if isinstance(v, float)), default=0)


def table(
    headers: list[str],
    rows: list[list[object]],
    col_widths: list[float] | None = None,
) -> Flowable:
    """A data table: wrapped, escaped cells; the header row repeats on every page.

    None shows as "—"; numbers are right-aligned; dates read "26 Nov 2026"; a cell that is
    already a Flowable is used as it is. No rows gives a "None recorded." row.
    """
    n = len(headers)
    if not n:
        raise ValueError("a table needs at least one column")
    for row in rows:
        if len(row) != n:
            raise ValueError(f"row has {len(row)} cells for {n} columns: {row!r}")
    numeric = [
        any(_is_number(r[i]) for r in rows) and all(r[i] is None or _is_number(r[i]) for r in rows)
        for i in range(n)
    ]
    widths = col_widths if col_widths is not None else _auto_widths(headers, rows)
    if len(widths) != n:
        raise ValueError(f"{len(widths)} column widths for {n} columns")
    room = [w - 2 * _CELL_PAD - 0.5 for w in widths]
    decimals = [_decimals([r[i] for r in rows]) if numeric[i] else 0 for i in range(n)]
    data: list[list[Flowable | str]] = [
        [_cell(h, False, room=room[i], bold=True) for i, h in enumerate(headers)]
    ]
    data += [
        [_cell(v, numeric[i], decimals[i], room[i]) for i, v in enumerate(row)] for row in rows
    ]
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, _CELL_SIZE, 10.5),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, _CELL_SIZE, 10.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        *(("ALIGN", (i, 0), (i, -1), "RIGHT") for i in range(n) if numeric[i]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, HAIRLINE),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, RULE),
    ]
    if not rows:
        data.append([para("None recorded.", "small")] + [para("")] * (n - 1))
        commands.append(("SPAN", (0, 1), (-1, 1)))
    result = Table(
        data,
        colWidths=widths,
        repeatRows=1,
        splitInRow=1,
        hAlign="LEFT",
        style=TableStyle(commands),
    )
    result.spaceAfter = 8
    return result


def kv_table(pairs: list[tuple[str, object]]) -> Flowable:
    """A label/value block ("Circle  C-014", "Status  Active", …)."""
    if not pairs:
        return para("None recorded.", "small")
    label_width = max(pdfmetrics.stringWidth(k, FONT_BOLD, 8.5) for k, _ in pairs)
    label_width = min(label_width + 2 * _CELL_PAD + 4, CONTENT_WIDTH * 0.4)
    data = [
        [para(k, "celllabel"), _cell(v, numeric=False)]
        for k, v in pairs  # values left-aligned: a form, not a column of figures
    ]
    result = Table(
        data,
        colWidths=[label_width, CONTENT_WIDTH - label_width],
        hAlign="LEFT",
        splitInRow=1,
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, HAIRLINE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.25, HAIRLINE),
            ]
        ),
    )
    result.spaceAfter = 8
    return result


# --- charts ---------------------------------------------------------------------------------

_AXIS_FONT_SIZE = 7.0


class _Stack(Flowable):  # type: ignore[misc]
    """Flowables drawn as one unsplittable block (a chart and its title).

    Unlike KeepTogether this is not a container, so a section heading with keepWithNext can
    still be kept together with it.
    """

    def __init__(self, parts: Sequence[Flowable]) -> None:
        super().__init__()
        self._parts = list(parts)
        self._placed: list[tuple[Flowable, float, float, float]] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._placed = []
        width = height = 0.0
        for i, part in enumerate(self._parts):
            w, h = part.wrap(avail_width, avail_height)
            before = part.getSpaceBefore() if i else 0.0
            after = part.getSpaceAfter()
            self._placed.append((part, h, before, after))
            width = max(width, w)
            height += before + h + after
        self.width, self.height = width, height
        return width, height

    def draw(self) -> None:
        y = self.height
        for part, h, before, after in self._placed:
            y -= before + h
            part.drawOn(self.canv, 0, y)
            y -= after


def _no_data(title: str) -> Flowable:
    block = _Stack([para(title, "h3"), para("No data for this period.", "small")])
    block.spaceBefore = _styles()["h3"].spaceBefore
    block.spaceAfter = 6
    return block


def _chart_block(title: str, drawing: Drawing) -> Flowable:
    block = _Stack([para(title, "h3"), drawing])
    block.spaceBefore = _styles()["h3"].spaceBefore
    block.spaceAfter = 8
    return block


def _nice_step(span: float, integers: bool) -> float:
    """A 1, 2 or 5 times a power of ten tick step, giving about five ticks over `span`."""
    if span <= 0:
        return 1.0
    raw = span / 5
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return max(step, 1.0) if integers else step


def _tick_label(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _value_axis(chart: Any, values: Sequence[float], integers: bool, *, grid: bool = True) -> None:
    low = min(0.0, *values)
    high = max(0.0, *values)
    step = _nice_step(high - low, integers)
    axis = chart.valueAxis
    axis.valueMin = math.floor(low / step) * step
    axis.valueMax = max(step, math.ceil(high * 1.08 / step) * step)
    axis.valueStep = step
    axis.labels.fontName = FONT
    axis.labels.fontSize = _AXIS_FONT_SIZE
    axis.labels.fillColor = MUTED
    axis.labelTextFormat = _tick_label
    axis.strokeColor = RULE
    axis.strokeWidth = 0.5
    axis.visibleGrid = grid
    axis.gridStrokeColor = HAIRLINE
    axis.gridStrokeWidth = 0.4
    axis.visibleTicks = False


class _CategoryLayout:
    """How x-axis labels fit: shortened, thinned out and tilted when they must be."""

    def __init__(self, labels: Sequence[str], plot_width: float) -> None:
        self.labels = [_fit(str(label), FONT, _AXIS_FONT_SIZE, 80) for label in labels]
        slot = plot_width / max(1, len(labels))
        widest = max(
            (pdfmetrics.stringWidth(x, FONT, _AXIS_FONT_SIZE) for x in self.labels), default=0
        )
        self.tilted = widest + 4 > slot
        # tilted labels need a line-height and a bit across the slant; upright ones their width
        need = _AXIS_FONT_SIZE * 1.4 / math.sin(math.radians(45)) if self.tilted else widest + 4
        self.every = max(1, math.ceil(need / slot)) if slot else 1
        self.shown = [x if i % self.every == 0 else "" for i, x in enumerate(self.labels)]
        self.angle = 45 if self.tilted else 0
        self.height = (
            widest * math.sin(math.radians(self.angle)) + 8 if self.tilted else _AXIS_FONT_SIZE + 6
        )

    def apply(self, axis: Any) -> None:
        axis.categoryNames = self.shown
        axis.labels.fontName = FONT
        axis.labels.fontSize = _AXIS_FONT_SIZE
        axis.labels.fillColor = MUTED
        axis.strokeColor = RULE
        axis.strokeWidth = 0.5
        axis.visibleTicks = False
        if self.tilted:
            axis.labels.angle = self.angle
            axis.labels.boxAnchor = "ne"
            axis.labels.dx = 2
            axis.labels.dy = -3
        else:
            axis.labels.boxAnchor = "n"
            axis.labels.dy = -3


_LEGEND_FONT_SIZE = 7.5
_LEGEND_ROW = 11.0


def _legend_rows(
    items: Sequence[tuple[Any, str]], width: float
) -> list[list[tuple[Any, str, float]]]:
    """Legend entries (colour, name, width) packed into rows no wider than `width`."""
    rows: list[list[tuple[Any, str, float]]] = [[]]
    used = 0.0
    for colour, raw_name in items:
        name = _fit(raw_name, FONT, _LEGEND_FONT_SIZE, width / 2)
        entry = 12 + pdfmetrics.stringWidth(name, FONT, _LEGEND_FONT_SIZE)
        if rows[-1] and used + 12 + entry > width:
            rows.append([])
            used = 0.0
        used += (12 if rows[-1] else 0) + entry
        rows[-1].append((colour, name, entry))
    return rows


def _draw_legend(drawing: Drawing, rows: list[list[tuple[Any, str, float]]], top: float) -> None:
    """Colour swatches with names, each row right-aligned, from `top` down."""
    for row_index, row in enumerate(rows):
        y = top - 7 - row_index * _LEGEND_ROW
        x = drawing.width - sum(entry for _, _, entry in row) - 12 * (len(row) - 1)
        for colour, name, entry in row:
            drawing.add(Rect(x, y, 8, 8, fillColor=colour, strokeColor=None))
            drawing.add(
                String(
                    x + 12, y + 0.8, name, fontName=FONT, fontSize=_LEGEND_FONT_SIZE, fillColor=INK
                )
            )
            x += entry + 12


def bar_chart(
    title: str,
    labels: list[str],
    values: list[float],
    width: float = CONTENT_WIDTH,
    height: float = 170,
) -> Flowable:
    """A vertical bar chart (e.g. volunteer hours by month), values printed on the bars."""
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} values")
    if not values:
        return _no_data(title)
    integers = all(float(v).is_integer() for v in values)
    left, right_pad, top_pad = 36.0, 6.0, 12.0
    layout = _CategoryLayout(labels, width - left - right_pad)
    drawing = Drawing(width, height + layout.height)
    chart = VerticalBarChart()
    chart.x, chart.y = left, layout.height + 4
    chart.width = width - left - right_pad
    chart.height = height - top_pad - 4
    chart.data = [list(values)]
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.barSpacing = 2
    chart.groupSpacing = max(2.0, chart.width / len(values) * 0.3)
    _value_axis(chart, values, integers)
    layout.apply(chart.categoryAxis)
    if len(values) <= 24:
        chart.barLabelFormat = _tick_label
        chart.barLabels.fontName = FONT
        chart.barLabels.fontSize = 6.5
        chart.barLabels.fillColor = INK
        chart.barLabels.nudge = 6
    drawing.add(chart)
    return _chart_block(title, drawing)


def line_chart(
    title: str,
    labels: list[str],
    series: Mapping[str, Sequence[float | None]],
    width: float = CONTENT_WIDTH,
    height: float = 170,
) -> Flowable:
    """One line per series over the same categories (e.g. attendance by meeting), with a
    legend. A None value leaves a gap."""
    for name, values in series.items():
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} labels")
    present = [v for values in series.values() for v in values if v is not None]
    if not labels or not present:
        return _no_data(title)
    integers = all(float(v).is_integer() for v in present)
    left, right_pad = 36.0, 10.0
    layout = _CategoryLayout(labels, width - left - right_pad)
    legend = _legend_rows([(SERIES[i % len(SERIES)], name) for i, name in enumerate(series)], width)
    legend_h = len(legend) * _LEGEND_ROW + 5
    drawing = Drawing(width, height + layout.height + legend_h)
    chart = HorizontalLineChart()
    chart.x, chart.y = left, layout.height + 4
    chart.width = width - left - right_pad
    chart.height = height - 6
    chart.data = [list(values) for values in series.values()]
    chart.joinedLines = 1
    for i in range(len(series)):
        colour = SERIES[i % len(SERIES)]
        chart.lines[i].strokeColor = colour
        chart.lines[i].strokeWidth = 1.6
        marker = makeMarker("FilledCircle" if i % 2 == 0 else "FilledSquare")
        marker.size = 4 if len(labels) <= 40 else 0
        marker.fillColor = colour
        marker.strokeColor = colour
        chart.lines[i].symbol = marker
    _value_axis(chart, present, integers)
    layout.apply(chart.categoryAxis)
    drawing.add(chart)
    _draw_legend(drawing, legend, top=drawing.height)
    return _chart_block(title, drawing)


def rag_chart(
    title: str,
    points: list[tuple[str, str]],
    width: float = CONTENT_WIDTH,
    height: float = 96,
) -> Flowable:
    """RAG over time: one marker per point in a Red / Amber / Green band, joined in order.

    Markers carry their letter (G/A/R) so the chart still reads in greyscale; the band labels
    with their swatches are the legend.
    """
    statuses = []
    for label, status in points:
        key = status.strip().lower()
        if key not in RAG_COLOURS:
            raise ValueError(f"unknown RAG status {status!r} at {label!r}")
        statuses.append(key)
    if not points:
        return _no_data(title)
    left, right_pad, top_pad = 52.0, 6.0, 4.0
    plot_w = width - left - right_pad
    layout = _CategoryLayout([label for label, _ in points], plot_w)
    base = layout.height + 4
    band_h = (height - top_pad) / 3
    drawing = Drawing(width, height + layout.height + 4)
    rows = {"green": 0, "amber": 1, "red": 2}
    for key, row in rows.items():
        y = base + row * band_h
        drawing.add(Rect(left, y, plot_w, band_h, fillColor=_RAG_TINTS[key], strokeColor=None))
        drawing.add(Rect(4, y + band_h / 2 - 4, 8, 8, fillColor=RAG_COLOURS[key], strokeColor=None))
        drawing.add(
            String(
                16, y + band_h / 2 - 2.6, key.title(), fontName=FONT, fontSize=7.5, fillColor=INK
            )
        )
    drawing.add(Line(left, base, left + plot_w, base, strokeColor=RULE, strokeWidth=0.5))
    step = plot_w / len(points)
    xs = [left + (i + 0.5) * step for i in range(len(points))]
    ys = [base + (rows[s] + 0.5) * band_h for s in statuses]
    if len(points) > 1:
        path = [c for xy in zip(xs, ys, strict=True) for c in xy]
        drawing.add(PolyLine(path, strokeColor=MUTED, strokeWidth=0.8))
    radius = max(1.8, min(5.5, step * 0.38))
    for x, y, status in zip(xs, ys, statuses, strict=True):
        drawing.add(
            Circle(
                x,
                y,
                radius,
                fillColor=RAG_COLOURS[status],
                strokeColor=colors.white,
                strokeWidth=0.6,
            )
        )
        if radius >= 4.5:
            drawing.add(
                String(
                    x,
                    y - 2.1,
                    status[0].upper(),
                    fontName=FONT_BOLD,
                    fontSize=6,
                    fillColor=colors.white,
                    textAnchor="middle",
                )
            )
    for i, (x, text) in enumerate(zip(xs, layout.shown, strict=True)):
        if not text or i % layout.every:
            continue
        if layout.tilted:
            label = String(
                0,
                0,
                text,
                fontName=FONT,
                fontSize=_AXIS_FONT_SIZE,
                fillColor=MUTED,
                textAnchor="end",
            )
            group = Group(label)
            group.translate(x + 2, base - 4)
            group.rotate(layout.angle)
            drawing.add(group)
        else:
            drawing.add(
                String(
                    x,
                    base - 3 - _AXIS_FONT_SIZE,
                    text,
                    fontName=FONT,
                    fontSize=_AXIS_FONT_SIZE,
                    fillColor=MUTED,
                    textAnchor="middle",
                )
            )
    return _chart_block(title, drawing)


# --- the document ---------------------------------------------------------------------------


def _draw_furniture(canvas: Any, meta: ReportMeta, page: int, total: int) -> None:
    """Header and footer for one page (called once the page count is known)."""
    left, right = MARGIN, PAGE_WIDTH - MARGIN
    canvas.saveState()
    # header: classification, then title · subject … period, then a rule
    canvas.setFillColor(INK)
    canvas.setFont(FONT_BOLD, 8.5)
    canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 10 * mm, meta.classification)
    y = PAGE_HEIGHT - 16 * mm
    canvas.setFont(FONT, 8)
    canvas.setFillColor(MUTED)
    period = _fit(meta.period, FONT, 8, CONTENT_WIDTH * 0.45)
    canvas.drawRightString(right, y, period)
    title = f"{meta.title} · {meta.subject}" if meta.subject else meta.title
    room = CONTENT_WIDTH - pdfmetrics.stringWidth(period, FONT, 8) - 12
    canvas.setFont(FONT_BOLD, 9)
    canvas.setFillColor(INK)
    canvas.drawString(left, y, _fit(title, FONT_BOLD, 9, room))
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(left, PAGE_HEIGHT - 18.5 * mm, right, PAGE_HEIGHT - 18.5 * mm)
    # footer: a rule, generated-by … page x of y, the audit head (last page), classification
    canvas.line(left, 22 * mm, right, 22 * mm)
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(MUTED)
    page_text = f"Page {page} of {total}"
    canvas.drawRightString(right, 18 * mm, page_text)
    room = CONTENT_WIDTH - pdfmetrics.stringWidth(page_text, FONT, 7.5) - 12
    generated = f"Generated {format_datetime(meta.generated_at)} by {meta.operator}"
    canvas.drawString(left, 18 * mm, _fit(generated, FONT, 7.5, room))
    if page == total:
        audit = f"Audit head: {meta.audit_head}"
        canvas.drawString(left, 14 * mm, _fit(audit, FONT, 7.5, CONTENT_WIDTH))
    canvas.setFillColor(INK)
    canvas.setFont(FONT_BOLD, 8.5)
    canvas.drawCentredString(PAGE_WIDTH / 2, 8.5 * mm, meta.classification)
    canvas.restoreState()


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Buffers pages so the furniture ("Page x of y", last-page audit head) is drawn last.

    Bookmarks are buffered too: reportlab ties a bookmark to the page being *written*, which
    only happens in `save`.
    """

    def __init__(self, *args: Any, meta: ReportMeta, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cosa_meta = meta
        self._cosa_pages: list[dict[str, Any]] = []
        self._cosa_bookmarks: dict[int, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {}

    def showPage(self) -> None:  # reportlab's name
        self._cosa_pages.append(dict(self.__dict__))
        self._startPage()

    def bookmarkPage(self, *args: Any, **kwargs: Any) -> None:
        self._cosa_bookmarks.setdefault(len(self._cosa_pages), []).append((args, kwargs))

    def save(self) -> None:
        total = len(self._cosa_pages)
        for index, state in enumerate(self._cosa_pages):
            self.__dict__.update(state)
            for args, kwargs in self._cosa_bookmarks.get(index, []):
                super().bookmarkPage(*args, **kwargs)
            _draw_furniture(self, self._cosa_meta, index + 1, total)
            super().showPage()
        super().save()


_OUTLINE_LEVELS = {"h2": 0, "h3": 1}  # paragraph style -> outline level


class _KeepWithNext(KeepTogether):  # type: ignore[misc]
    """How a heading is kept with what follows it (the document's keepTogetherClass).

    A group that fits on a page moves to the next page when it does not fit here, as usual.
    A group taller than a page (a heading and a long table) starts here when there is room
    for the heading and a first slice of the table, instead of leaving a blank page behind.
    """

    min_slice = 80.0  # points of the following flowable that must fit under the heading

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        if getattr(self, "_wrapInfo", None) != (avail_width, avail_height):
            self.wrap(avail_width, avail_height)
        frame = getattr(self, "_frame", None)
        page_height = frame._height if frame is not None else avail_height
        group_height = self._H
        if group_height <= page_height:
            return list(super().split(avail_width, avail_height))
        lead = 0.0
        for part in self._content[:-1]:
            lead += part.wrap(avail_width, avail_height)[1]
            lead += part.getSpaceBefore() + part.getSpaceAfter()
        content = list(self._content)
        if avail_height >= lead + self.min_slice:
            return content
        return [self.FrameBreak(), *content]


class _Document(BaseDocTemplate):  # type: ignore[misc]
    """One frame, edge to edge between the margins; h2/h3 headings join the PDF outline (the
    reader's bookmarks pane)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, keepTogetherClass=_KeepWithNext, **kwargs)
        frame = Frame(
            self.leftMargin,
            self.bottomMargin,
            self.width,
            self.height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        )
        self.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        self._cosa_entries = 0
        self._cosa_level = -1

    def afterFlowable(self, flowable: Any) -> None:  # reportlab's hook
        if not isinstance(flowable, Paragraph):
            return
        level = _OUTLINE_LEVELS.get(flowable.style.name)
        if level is None:
            return
        level = min(level, self._cosa_level + 1)
        self._cosa_level = level
        self._cosa_entries += 1
        key = f"cosa-{self._cosa_entries}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level, closed=False)


def _title_block(meta: ReportMeta) -> list[Flowable]:
    block: list[Flowable] = [para(meta.title, "title")]
    if meta.subject:
        block.append(para(meta.subject, "subtitle"))
    details = f"{meta.period}  ·  Generated {format_datetime(meta.generated_at)} by {meta.operator}"
    block += [
        para(details, "small"),
        Spacer(1, 4),
        HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=2, spaceAfter=8),
    ]
    return block


def build_pdf(
    meta: ReportMeta,
    story: list[Flowable],
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Lay out `story` after a title block on A4 pages with header and footer; return the PDF.

    Built in memory. Document info: title (and subject line), author = operator,
    subject = classification, creator "cosa". `progress(done, total)` is called as the
    flowables are laid out.
    """
    _register_fonts()
    buffer = io.BytesIO()
    title = f"{meta.title} — {meta.subject}" if meta.subject else meta.title
    doc = _Document(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=_TOP_MARGIN,
        bottomMargin=_BOTTOM_MARGIN,
        title=title,
        author=meta.operator,
        subject=meta.classification,
        creator="cosa",
        lang="en-GB",
        displayDocTitle=True,
    )
    flowables = [*_title_block(meta), *story]
    if progress is not None:
        total = len(flowables)
        report = progress

        def on_progress(kind: str, value: int) -> None:
            if kind == "PROGRESS":  # value: flowables taken so far (splits put parts back)
                report(max(0, min(int(value), total)), total)

        doc.setProgressCallBack(on_progress)
    doc.build(flowables, canvasmaker=partial(_NumberedCanvas, meta=meta))
    return buffer.getvalue()


# --- protection -----------------------------------------------------------------------------


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """`data` re-written with AES-256 encryption (/V 5 /R 6) under `password`, in memory.

    The owner password is random and thrown away; permissions stay open, so whoever has
    `password` can read, print and copy, and nobody can open the file without it.
    """
    if not password:
        raise ValueError("an empty password would not protect the PDF")
    from pypdf import PdfReader, PdfWriter  # only encrypted reports pay for importing pypdf

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(
        user_password=password, owner_password=secrets.token_hex(32), algorithm="AES-256"
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def generate_password(groups: int = 6, group_size: int = 4) -> str:
    """A password to read aloud or type: 6 dash-separated groups of 4 (about 119 bits)."""
    return "-".join(
        "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(group_size))
        for _ in range(groups)
    )
