"""The PDF engine, read back with pypdf: page furniture, Unicode, escaping, encryption, output."""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PasswordType, PdfReader
from reportlab.platypus import Flowable, Spacer

from cosa.errors import UserError
from cosa.reports import pdf
from cosa.reports.output import write_pdf

NAME = "Zoë Łukasiewicz"
MARKUP = "Fish & chips <b>not bold</b> & <i>not italic</i>"
AUDIT_HEAD = "seq 1234 · 9f2c4e1ab07d"
PERIOD = "1 Jul 2026 \u2013 30 Sep 2026"  # an en dash, as the reports print it
GENERATED = datetime(2026, 11, 26, 14, 3, tzinfo=UTC)


def meta(**overrides: str) -> pdf.ReportMeta:
    fields: dict[str, str] = {
        "title": "Circle review",
        "period": PERIOD,
        "operator": "Coordinator One",
        "audit_head": AUDIT_HEAD,
        "subject": "Circle C-014",
    }
    fields.update(overrides)
    return pdf.ReportMeta(generated_at=GENERATED, **fields)


def long_story() -> list[Flowable]:
    rows: list[list[object]] = [
        [date(2026, 7, 1 + i % 28), "Circle meeting", 3 + i % 3, 1.5 + (i % 4) * 0.25, None]
        for i in range(70)
    ]
    rows[3][4] = MARKUP
    return [
        pdf.heading("Summary"),
        pdf.kv_table([("Core member", NAME), ("Coordinator", None), ("Notes", MARKUP)]),
        pdf.para(f"{NAME} attended 11 of 12 meetings. {MARKUP}"),
        pdf.heading("Meetings"),
        pdf.table(["Date", "Type", "Attended", "Hours", "Notes"], rows),
        pdf.heading("Trends"),
        pdf.bar_chart("Volunteer hours by month", ["Jul", "Aug", "Sep"], [12, 15.5, 9]),
        pdf.line_chart(
            "Attendance by meeting",
            [f"{d} Jul" for d in range(1, 9)],
            {"Volunteers": [4, 5, 4, 3, 5, 5, 4, 4], "Core member": [1, 1, 1, 0, 1, 1, 1, 1]},
        ),
        pdf.rag_chart(
            "Risk over time",
            [(f"W{i}", ("green", "Amber", "red")[i % 3]) for i in range(1, 14)],
        ),
    ]


@pytest.fixture(scope="module")
def report() -> bytes:
    return pdf.build_pdf(meta(), long_story())


@pytest.fixture(scope="module")
def texts(report: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(report)).pages]


# --- the layout -----------------------------------------------------------------------------


def test_a_long_report_runs_to_several_pages(texts: list[str]) -> None:
    assert len(texts) >= 3


def test_every_page_carries_the_classification_and_its_page_number(texts: list[str]) -> None:
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, f"page {number}: header and footer"
        assert f"Page {number} of {total}" in text
        assert "Circle review · Circle C-014" in text
        assert PERIOD in text
        assert "Generated 26 Nov 2026 14:03 UTC by Coordinator One" in text


def test_only_the_last_page_carries_the_audit_head(texts: list[str]) -> None:
    assert f"Audit head: {AUDIT_HEAD}" in texts[-1]
    for text in texts[:-1]:
        assert "Audit head" not in text
        assert AUDIT_HEAD not in text


def test_unicode_names_survive_extraction(texts: list[str]) -> None:
    assert NAME in texts[0]


def test_markup_characters_are_printed_literally(texts: list[str]) -> None:
    everything = "\n".join(texts)
    assert everything.count(MARKUP) >= 2  # the kv table and the paragraph
    assert "Fish & chips <b>not bold</b>" in everything  # inside the long table too


def test_the_table_header_repeats_on_each_page_it_spans(texts: list[str]) -> None:
    table_pages = [t for t in texts if "Circle meeting" in t]
    assert len(table_pages) >= 2
    for text in table_pages:
        assert "Attended" in text and "Hours" in text


def test_numbers_in_a_column_share_their_decimals(texts: list[str]) -> None:
    everything = "\n".join(texts)
    assert "1.50" in everything and "2.00" in everything and "2.25" in everything


def test_every_page_has_drawn_content(report: bytes) -> None:
    for page in PdfReader(io.BytesIO(report)).pages:
        contents = page.get_contents()
        assert contents is not None and contents.get_data().strip()


def test_charts_are_drawn_with_their_labels(texts: list[str]) -> None:
    everything = "\n".join(texts)
    for label in ("Volunteer hours by month", "Attendance by meeting", "Risk over time"):
        assert label in everything
    assert "Volunteers" in everything and "Core member" in everything  # the legend
    assert "Green" in everything and "Amber" in everything and "Red" in everything


def test_document_information_names_the_report_and_its_author(report: bytes) -> None:
    info = PdfReader(io.BytesIO(report)).metadata
    assert info is not None
    assert info.title == "Circle review — Circle C-014"
    assert info.author == "Coordinator One"
    assert info.subject == "OFFICIAL-SENSITIVE"
    assert info.creator == "cosa"


def test_section_headings_become_bookmarks_on_their_pages(report: bytes) -> None:
    reader = PdfReader(io.BytesIO(report))
    entries = [
        (item.title, reader.get_destination_page_number(item))
        for item in reader.outline
        if not isinstance(item, list)
    ]
    assert [title for title, _ in entries] == ["Summary", "Meetings", "Trends"]
    pages = [page for _, page in entries]
    assert pages[0] == 0
    assert pages == sorted(pages) and pages[-1] > 0


def test_a_heading_over_a_long_table_starts_on_the_same_page(report: bytes) -> None:
    reader = PdfReader(io.BytesIO(report))
    pages = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    assert pages["Meetings"] == 0  # no half-empty first page
    assert "Circle meeting" in reader.pages[0].extract_text()


def test_a_heading_is_never_left_alone_at_the_foot_of_a_page() -> None:
    rows: list[list[object]] = [[i, "row"] for i in range(80)]
    story = [Spacer(1, 600), pdf.heading("Late section"), pdf.table(["N", "What"], rows)]
    reader = PdfReader(io.BytesIO(pdf.build_pdf(meta(), story)))
    assert "Late section" not in reader.pages[0].extract_text()
    assert "Late section" in reader.pages[1].extract_text()
    assert "Late section" in [item.title for item in reader.outline]


def test_a_custom_classification_is_printed_on_every_page() -> None:
    marking = "OFFICIAL — CIRCLE USE ONLY"
    data = pdf.build_pdf(meta(classification=marking), [pdf.para("Short.")])
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert text.count(marking) >= 2
    assert "OFFICIAL-SENSITIVE" not in text
    assert "Page 1 of 1" in text and f"Audit head: {AUDIT_HEAD}" in text


def test_empty_data_gives_notes_instead_of_blank_charts_and_tables() -> None:
    story = [
        pdf.bar_chart("Hours", [], []),
        pdf.line_chart("Attendance", [], {}),
        pdf.rag_chart("Risk", []),
        pdf.table(["A", "B"], []),
        pdf.kv_table([]),
    ]
    text = PdfReader(io.BytesIO(pdf.build_pdf(meta(), story))).pages[0].extract_text()
    assert text.count("No data for this period.") == 3
    assert text.count("None recorded.") == 2


def test_inconsistent_chart_data_is_refused() -> None:
    with pytest.raises(ValueError):
        pdf.bar_chart("Hours", ["Jul"], [1, 2])
    with pytest.raises(ValueError):
        pdf.line_chart("Attendance", ["a", "b"], {"x": [1]})
    with pytest.raises(ValueError, match="purple"):
        pdf.rag_chart("Risk", [("W1", "purple")])
    with pytest.raises(ValueError):
        pdf.table(["A", "B"], [["only one"]])


def test_styles_use_the_bundled_font() -> None:
    styles = pdf.styles()
    for name in ("title", "h2", "h3", "body", "small", "cell", "cellbold"):
        assert styles[name].fontName.startswith("DejaVuSans")


def test_the_bundled_fonts_ship_with_their_licence() -> None:
    fonts = Path(pdf.__file__).parent / "fonts"
    assert (fonts / "DejaVuSans.ttf").is_file() and (fonts / "DejaVuSans-Bold.ttf").is_file()
    licence = (fonts / "LICENSE").read_text()
    assert "Bitstream Vera" in licence and "DejaVu changes are in public domain" in licence


def test_importing_the_package_does_not_load_reportlab() -> None:
    code = "import sys, cosa.reports; print('reportlab' in sys.modules, 'pypdf' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_helpers_work_before_anything_else_has_touched_the_fonts() -> None:
    code = (
        "from cosa.reports import pdf; pdf.table(['Name'], [['Zoë']]); "
        "pdf.bar_chart('t', ['a'], [1])"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


# --- protection -----------------------------------------------------------------------------


def test_encryption_is_aes_256_revision_6(report: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf.encrypt_pdf(report, "open sesame")))
    assert reader.is_encrypted
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert encrypt["/V"] == 5
    assert encrypt["/R"] == 6


def test_the_right_password_opens_the_pdf(report: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf.encrypt_pdf(report, "open sesame")))
    assert reader.decrypt("open sesame") != PasswordType.NOT_DECRYPTED
    assert NAME in reader.pages[0].extract_text()
    assert reader.metadata is not None and reader.metadata.author == "Coordinator One"


def test_a_wrong_password_does_not(report: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf.encrypt_pdf(report, "open sesame")))
    assert reader.decrypt("open sesame!") == PasswordType.NOT_DECRYPTED


def test_nothing_readable_is_left_in_the_encrypted_bytes() -> None:
    data = pdf.build_pdf(meta(operator="Plainly Visible Operator"), [pdf.para("x")])
    assert b"Plainly Visible Operator" in data  # the unencrypted info dictionary
    assert b"Plainly Visible Operator" not in pdf.encrypt_pdf(data, "pw")


def test_an_empty_password_is_refused(report: bytes) -> None:
    with pytest.raises(ValueError):
        pdf.encrypt_pdf(report, "")


def test_generated_passwords_are_grouped_unambiguous_and_fresh() -> None:
    passwords = {pdf.generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){5}", password)
        assert not set(password) & set("01ilo")


# --- output ---------------------------------------------------------------------------------


def test_write_pdf_writes_a_private_file_and_returns_its_digest(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    digest = write_pdf(target, b"%PDF-1.4 test")
    assert target.read_bytes() == b"%PDF-1.4 test"
    assert digest == hashlib.sha256(b"%PDF-1.4 test").hexdigest()
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(UserError, match="already exists"):
        write_pdf(target, b"second")
    assert write_pdf(target, b"second", force=True) == hashlib.sha256(b"second").hexdigest()
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["report.pdf"]


def test_write_pdf_refuses_a_missing_directory(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "report.pdf"
    with pytest.raises(UserError) as caught:
        write_pdf(target, b"data")
    assert "does not exist" in caught.value.message
    assert "\n" not in caught.value.message
    assert not target.parent.exists()
