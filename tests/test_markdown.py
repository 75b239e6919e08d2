"""Minutes written in Markdown, laid out in minutes PDFs, share packs and subject access packs
(cosa.reports.markdown): structure, escaping, and layout work that grows with the text only."""

from __future__ import annotations

import io
import re
import sys
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from cosa.reports import markdown
from cosa.reports.markdown import CHUNK, Block, inline, parse

from .conftest import Cli
from .test_reports import cli, template, text_of, world

__all__ = ["cli", "template", "world"]  # fixtures shared with test_reports

MINUTES = """\
## Check-in

CM-0001 said the **flat** is *nearly* ready.
He starts on _Monday_.

## Concerns

## Actions

- Ann to call the housing office
- Bob to book the review
  before Friday
  1. first step
  2) second step

### Notes
Nothing else.
"""


def kinds(blocks: list[Block]) -> list[tuple[str, int, str, list[str]]]:
    return [(b.kind, b.level, b.marker, b.lines) for b in blocks]


def test_minutes_parse_into_headings_paragraphs_and_lists_without_empty_sections() -> None:
    assert kinds(parse(MINUTES)) == [
        ("heading", 2, "", ["Check-in"]),
        (
            "para",
            0,
            "",
            ["CM-0001 said the **flat** is *nearly* ready.", "He starts on _Monday_."],
        ),
        ("heading", 2, "", ["Actions"]),
        ("item", 0, "•", ["Ann to call the housing office"]),
        ("item", 0, "•", ["Bob to book the review", "before Friday"]),
        ("item", 1, "1.", ["first step"]),
        ("item", 1, "2)", ["second step"]),
        ("heading", 3, "", ["Notes"]),
        ("para", 0, "", ["Nothing else."]),
    ]


def test_an_empty_section_goes_but_a_section_with_content_in_a_subsection_stays() -> None:
    text = "# Top\n## Empty\n## Full\n### Sub\ntext\n## Trailing\n### Also empty\n"
    assert [(b.kind, b.lines) for b in parse(text)] == [
        ("heading", ["Top"]),
        ("heading", ["Full"]),
        ("heading", ["Sub"]),
        ("para", ["text"]),
    ]
    assert parse("## Concerns\n\n## Actions\n") == []


def test_what_only_looks_like_markdown_stays_text() -> None:
    blocks = parse("#hashtag\n####### seven\n*not a list\n2*3*4 = 24\n## C#\n---\n")
    assert kinds(blocks) == [
        ("para", 0, "", ["#hashtag", "####### seven", "*not a list", "2*3*4 = 24"]),
        ("heading", 2, "", ["C#"]),
        ("rule", 0, "", []),
    ]
    assert inline("2*3*4 and snake_case_name") == "2*3*4 and snake_case_name"


def test_emphasis_becomes_tags_and_everything_else_is_escaped() -> None:
    assert inline("**bold** and *em* and __b__ and _e_") == (
        "<b>bold</b> and <i>em</i> and <b>b</b> and <i>e</i>"
    )
    assert inline("**a *b* c**") == "<b>a <i>b</i> c</b>"
    assert inline("**a *b** c*") == "<b>a *b</b> c*"  # crossing markers: no crossing tags
    assert inline("<b>x</b> & <br/> &amp;") == ("&lt;b&gt;x&lt;/b&gt; &amp; &lt;br/&gt; &amp;amp;")
    assert inline(r"\*literal\* \\") == "&#42;literal&#42; &#92;"
    assert inline('<font color="red">**x**</font>') == (
        '&lt;font color="red"&gt;<b>x</b>&lt;/font&gt;'
    )


def test_control_characters_and_bidi_overrides_are_shown_escaped() -> None:
    assert markdown.visible("a\x07b\u202ec\r\nd\x00") == "a\\x07b\\u202ec\nd\\x00"
    [block] = parse("bell\x1b[31m red\u2066")
    assert block.lines == ["bell\\x1b[31m red\\u2066"]


def pdf_text(text: str) -> str:
    from cosa.reports import pdf

    meta = pdf.ReportMeta("Minutes test", "today", datetime(2026, 1, 1), "tester", "seq 1")
    blob = pdf.build_pdf(meta, markdown.flowables(text))
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(blob)).pages)


def test_a_pdf_shows_headings_and_list_items_and_no_markdown_marks() -> None:
    text = pdf_text(MINUTES)
    for shown in ("Check-in", "Actions", "Ann to call the housing office", "Notes", "1.", "2)"):
        assert shown in text, shown
    assert "nearly" in text and "flat" in text
    assert "##" not in text and "**" not in text and "Concerns" not in text
    assert "•" in text


def test_hostile_markup_in_the_minutes_is_printed_not_obeyed() -> None:
    hostile = (
        '## <font size="80">Big</font> & <b>bold</b>\n\n'
        "- <para>unclosed <i>tags & &amp; entities\n"
        "**<br/>** \x07 ]]> <![CDATA[ x ]]> <img src=x/>\n"
    )
    text = pdf_text(hostile)
    assert '<font size="80">Big</font> & <b>bold</b>' in text
    assert "<para>unclosed <i>tags & &amp; entities" in text
    assert "<br/>" in text and "\\x07" in text and "<img src=x/>" in text


def test_long_minutes_are_cut_into_bounded_paragraphs() -> None:
    """Layout is linear when no Paragraph holds more than CHUNK characters: a pasted
    transcript (200 KB of lines, no blank line) and one 200 KB line are both cut."""
    transcript = "\n".join(f"Speaker {i % 7}: something was said here" for i in range(6000))
    one_line = " ".join(["word"] * 40_000) + "x" * 5000  # and a run with no space at all
    for text in (transcript, one_line, f"- {transcript}", f"## {one_line}\n\nBody."):
        assert len(text) >= 200_000
        story = markdown.flowables(text)
        sizes = [len(p.getPlainText()) for p in story]
        assert max(sizes) <= CHUNK
        assert len(story) <= 2 * len(text) // CHUNK + 2
        assert sum(sizes) >= (len(text) - text.count("\n")) * 0.99  # nothing lost
    chunks = markdown.chunks(["a" * 4500, "b c " * 600])
    assert [sum(len(line) for line in group) for group in chunks] == [2000, 2000, 500, 1999, 400]


def test_two_hundred_kilobytes_of_minutes_make_a_pdf() -> None:
    transcript = "\n".join(f"Speaker {i % 7}: **point** {i} & <more>" for i in range(6500))
    assert len(transcript) > 200_000
    text = pdf_text(transcript)
    assert "Speaker 3: point 6499 & <more>" in text.replace("\n", " ") or re.search(
        r"point\s+6499\s+&\s+<more>", text
    )


# -- through the commands --------------------------------------------------------------------


def test_markdown_minutes_in_the_minutes_pdf_the_share_pack_and_the_subject_access_pack(
    cli: Cli, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(MINUTES.replace("Ann", "Ann Smith"), encoding="utf-8")
    added = cli(
        "meeting", "add", "CM-0001", "--date", "2025-09-09", "--type", "formal",
        "--present", "Ann,Bob", "--cm-attended", "yes", "--minutes-file", str(notes),
    )  # fmt: skip
    mid = re.search(r"Recorded meeting (\d+)", added.stderr)
    assert mid, added.stderr
    cli("meeting", "approve", mid.group(1))
    outputs = {
        "minutes": ("report", "minutes", mid.group(1)),
        "share": ("share", mid.group(1), "--recipient", "Pat"),
        "member": ("report", "member", "CM-0001"),
    }
    for name, args in outputs.items():
        out = tmp_path / f"{name}.pdf"
        cli(*args, "-o", str(out))
        text = text_of(out)
        assert "Check-in" in text and "to book the review" in text, name
        assert "##" not in text and "**nearly**" not in text, name
        assert "Concerns\n" not in text.split("Check-in", 1)[1].split("Actions", 1)[0], name


# -- progress --------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_report_shows_progress_on_a_terminal_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cosa.reports import pdf, publish

    story = markdown.flowables("\n\n".join(f"Paragraph {i}." for i in range(400)))
    seen: list[tuple[int, int]] = []
    meta = pdf.ReportMeta("Progress", "today", datetime(2026, 1, 1), "tester", "seq 1")
    pdf.build_pdf(meta, story, lambda done, total: seen.append((done, total)))
    total = seen[0][1]
    assert total >= len(story) and seen[-1] == (total, total)
    assert all(0 <= d <= t == total for d, t in seen)

    with publish.layout_progress(len(story)) as progress:  # stderr is not a terminal here
        assert progress is None
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with publish.layout_progress(10) as progress:  # a short report
        assert progress is None
    with publish.layout_progress(len(story)) as progress:
        assert progress is not None
        progress(len(story) // 2, len(story))
    assert "Laying out the PDF" in terminal.getvalue()
