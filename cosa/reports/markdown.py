"""Minutes as Markdown, laid out as PDF flowables (minutes, share packs, subject access).

Minutes are written in a small subset of Markdown, the one the meeting template uses:

    # Heading / ## Heading          a heading (### and deeper: a smaller one)
    - item / * item / + item        a bullet list (indent by two spaces to nest)
    1. item / 1) item               a numbered list (the numbers as written)
    **bold** __bold__ *em* _em_     emphasis, within one line; \\* and \\_ are literal
    ---                             a rule
    a blank line                    ends a paragraph or a list

Lines inside a paragraph keep their breaks, as the coordinator typed them. A heading with
nothing under it before the next heading of the same or a higher level (an empty template
section) is left out. Anything else is text: the parser never fails, whatever is stored.

Safety: every piece of stored text is XML-escaped before the few tags made here (`<b>`,
`<i>`, `<br/>`) are added, so `<`, `&` and markup-like text are shown, never interpreted.
Control characters and bidi overrides are shown as `\\x07`, `\\u202e` (as on the terminal).
Should reportlab still refuse a piece, that piece is printed as plain text.

Speed: reportlab lays a paragraph out again each time it is split over a page, so one
paragraph of n characters costs O(n²). Every paragraph and list item here is cut into
Paragraphs of at most `CHUNK` characters (at line breaks, else at spaces), so the work is
linear in the text: 1 MB of minutes takes seconds, not minutes. `parse` is pure Python and
imports no reportlab; `flowables` imports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

#: The most characters of source text in one Paragraph (see "Speed" above).
CHUNK = 2000

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_BULLET = re.compile(r"( *)([-*+])[ \t]+(.*)")
_NUMBER = re.compile(r"( *)(\d{1,9})([.)])[ \t]+(.*)")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_BOLD = re.compile(r"(\*\*|__)(?=[^\s<>])([^<>]*?[^\s<>])\1")
_ITALIC_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*<>])([^<>*]*?[^\s*<>])\*(?![\w*])")
_ITALIC_UNDERSCORE = re.compile(r"(?<![\w_])_(?=[^\s_<>])([^<>_]*?[^\s_<>])_(?![\w_])")
_ESCAPED = {"\\\\": "&#92;", "\\*": "&#42;", "\\_": "&#95;", "\\#": "&#35;", "\\`": "&#96;"}


@dataclass
class Block:
    """One piece of the minutes: `heading` (level), `para`, `item` (level, marker) or
    `rule`; `lines` as written (without markers)."""

    kind: str
    lines: list[str] = field(default_factory=list)
    level: int = 0
    marker: str = ""

    @property
    def content(self) -> bool:
        return self.kind != "heading"


def visible(text: str) -> str:
    """`text` with CR/LF line ends made `\\n`, tabs as spaces, and control characters and
    bidi overrides shown escaped (`\\x07`, `\\u202e`)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")

    def show(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(show, text)


def parse(text: str) -> list[Block]:
    """The blocks of `text`, empty sections left out. Linear in the text."""
    blocks: list[Block] = []
    current: Block | None = None  # the paragraph or list item lines are added to
    for line in visible(text).split("\n"):
        if not line.strip():
            current = None
            continue
        if heading := _HEADING.fullmatch(line):
            blocks.append(Block("heading", [heading.group(2) or ""], level=len(heading.group(1))))
            current = None
        elif _RULE.fullmatch(line):
            blocks.append(Block("rule"))
            current = None
        elif bullet := _BULLET.fullmatch(line):
            current = Block("item", [bullet.group(3)], len(bullet.group(1)) // 2, "•")
            blocks.append(current)
        elif number := _NUMBER.fullmatch(line):
            marker = number.group(2) + number.group(3)
            current = Block("item", [number.group(4)], len(number.group(1)) // 2, marker)
            blocks.append(current)
        elif current is not None:
            current.lines.append(line.strip() if current.kind == "item" else line)
        else:
            current = Block("para", [line])
            blocks.append(current)
    return _without_empty_sections(blocks)


def _without_empty_sections(blocks: list[Block]) -> list[Block]:
    """Drop each heading with no content before the next heading of its level or higher."""
    kept: list[Block] = []
    content_ahead = False
    highest_since = 7  # the highest heading (smallest level) between here and that content
    for block in reversed(blocks):
        if block.content:
            content_ahead, highest_since = True, 7
            kept.append(block)
            continue
        if content_ahead and highest_since > block.level:
            kept.append(block)
        highest_since = min(highest_since, block.level)
    kept.reverse()
    return kept


def inline(line: str) -> str:
    """One line of text as Paragraph markup: escaped, with `<b>` and `<i>` for emphasis."""
    text = escape(line)
    for raw, entity in _ESCAPED.items():
        text = text.replace(raw, entity)
    text = _BOLD.sub(r"<b>\2</b>", text)
    text = _ITALIC_STAR.sub(r"<i>\1</i>", text)
    return _ITALIC_UNDERSCORE.sub(r"<i>\1</i>", text)


def chunks(lines: list[str], limit: int = CHUNK) -> list[list[str]]:
    """`lines` in groups of at most `limit` characters; a longer line is cut at spaces (or,
    with none near, anywhere) into pieces that are lines of their own."""
    groups: list[list[str]] = []
    group: list[str] = []
    size = 0
    for line in lines:
        for piece in _pieces(line, limit):
            if group and size + len(piece) > limit:
                groups.append(group)
                group, size = [], 0
            group.append(piece)
            size += len(piece) + 1
    if group:
        groups.append(group)
    return groups


def _pieces(line: str, limit: int) -> list[str]:
    pieces = []
    while len(line) > limit:
        cut = line.rfind(" ", limit // 2, limit)
        cut = cut if cut > 0 else limit
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


def flowables(text: str | None) -> list[Any]:
    """The minutes `text` as reportlab flowables (headings, paragraphs, list items, rules)."""
    from reportlab.platypus.flowables import HRFlowable

    from cosa.reports import pdf

    styles = _styles()
    story: list[Any] = []
    for block in parse(text or ""):
        if block.kind == "rule":
            story.append(HRFlowable(width="100%", thickness=0.5, color=pdf.RULE, spaceAfter=5))
            continue
        groups = chunks(block.lines)
        if block.kind == "heading":  # a heading longer than a chunk goes on as text
            first = styles["heading" if block.level <= 2 else "subheading"]
            story.append(_paragraph(" ".join(groups[0]), first))
            story += [_paragraph(" ".join(group), styles["body"]) for group in groups[1:]]
            continue
        base = "body" if block.kind == "para" else f"item{min(block.level, 3)}"
        for i, group in enumerate(groups):
            last = i == len(groups) - 1
            style = styles[base if last else f"{base}-cont"]
            bullet = block.marker if i == 0 and block.kind == "item" else None
            story.append(_paragraph("\n".join(group), style, bullet))
    return story


def _paragraph(text: str, style: Any, bullet: str | None = None) -> Any:
    """A Paragraph of `text` (lines joined with `<br/>`), plain text if reportlab refuses."""
    from reportlab.platypus import Paragraph

    from cosa.reports.pdf import register_italics

    markup = "<br/>".join(inline(line) for line in text.split("\n"))
    if "<i>" in markup:
        register_italics()
    try:
        return Paragraph(markup, style, bulletText=bullet)
    except ValueError:  # reportlab's markup parser; the text is shown as it is instead
        plain = escape(text).replace("\n", "<br/>")
        return Paragraph(plain, style, bulletText=bullet)


_STYLE_CACHE: dict[str, Any] = {}


def _styles() -> dict[str, Any]:
    """Heading, body and list styles (kept out of the PDF outline: minutes may have many)."""
    if _STYLE_CACHE:
        return _STYLE_CACHE
    from reportlab.lib.styles import ParagraphStyle

    from cosa.reports import pdf

    base = pdf.styles()
    body = base["body"]
    found: dict[str, Any] = {
        "heading": ParagraphStyle("minutes-heading", base["h3"]),
        "subheading": ParagraphStyle(
            "minutes-subheading",
            body,
            fontName=pdf.FONT_BOLD,
            spaceBefore=5,
            spaceAfter=2,
            keepWithNext=1,
        ),
        "body": body,
        "body-cont": ParagraphStyle("minutes-body-cont", body, spaceAfter=0),
    }
    for level in range(4):
        indent = 14 + 14 * level
        item = ParagraphStyle(
            f"minutes-item{level}",
            body,
            leftIndent=indent,
            bulletIndent=indent - 11,
            bulletFontName=pdf.FONT,
            bulletFontSize=body.fontSize,
            spaceAfter=2,
        )
        found[f"item{level}"] = item
        found[f"item{level}-cont"] = ParagraphStyle(f"minutes-item{level}-cont", item, spaceAfter=0)
    _STYLE_CACHE.update(found)
    return _STYLE_CACHE
