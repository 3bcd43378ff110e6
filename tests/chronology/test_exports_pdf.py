"""The chronology PDF, read back with pypdf as a PDF reader sees it: the page size, the
text of each page in reading order, the header row and footer on every page; and the
line wrapping and page breaking it is laid out with."""

import io
import unicodedata

from pypdf import PdfReader

from threadline.chronology.exports import HEADINGS, PdfRow, paginate, render, wrap

from .test_exports import ROWS, TITLE, make_row

MM = 72 / 25.4


def read_pdf(content: bytes) -> list[list[str]]:
    """The lines of text on each page, in reading order."""
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    pages = PdfReader(io.BytesIO(content)).pages
    return [[line.strip() for line in page.extract_text().splitlines()] for page in pages]


def header_row(lines: list[str]) -> list[str]:
    start = lines.index(HEADINGS[0])
    return lines[start : start + len(HEADINGS)]


def test_pdf_is_a4_landscape_and_starts_with_the_title():
    export = render(ROWS, "pdf", title=TITLE, subtitle="1 Jan 2023 to 31 Mar 2025")
    assert export.content_type == "application/pdf"
    assert export.filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(export.content))
    box = reader.pages[0].mediabox
    assert (round(box.width / MM), round(box.height / MM)) == (297, 210)
    assert reader.metadata.title == TITLE
    assert b"DejaVuSans" in export.content  # the font it embeds

    (lines,) = read_pdf(export.content)
    assert lines[:2] == [TITLE, "1 Jan 2023 to 31 Mar 2025"]
    assert lines[2:9] == HEADINGS
    assert lines[9:12] == ["14 Mar 2025 09:30", "Northbridge Police", "PND-4411"]
    text = "\n".join(lines)
    assert "Mother and child seen.\nNo injuries observed." in text
    assert "recorded 9 Jul 2024" in text  # the source column's lateness note
    assert lines[-2:] == ["Page 1 of 1", TITLE]  # the footer


def test_pdf_pages_repeat_the_header_and_number_themselves():
    pages = read_pdf(render(ROWS * 40, "pdf", title=TITLE, subtitle="All agencies").content)
    assert 6 <= len(pages) <= 20  # 120 entries of four to six lines
    for number, lines in enumerate(pages, start=1):
        assert header_row(lines) == HEADINGS
        assert lines[-2:] == [f"Page {number} of {len(pages)}", TITLE]
    assert "All agencies" in pages[0] and "All agencies" not in pages[1]
    assert sum(lines.count("PND-4411") for lines in pages) == 40


def test_an_entry_longer_than_a_page_goes_on_over_the_next():
    detail = "\n".join(f"Line {n} of the school's account." for n in range(1, 121))
    rows = [make_row(), make_row(detail=detail), make_row(summary="The last entry")]
    pages = read_pdf(render(rows, "pdf", title=TITLE).content)
    assert len(pages) >= 3
    assert all(header_row(lines) == HEADINGS for lines in pages)
    found = [line for lines in pages for line in lines if line.startswith("Line ")]
    assert found == [f"Line {n} of the school's account." for n in range(1, 121)]
    assert "Incident: The last entry" in pages[-1]


def test_pdf_shows_text_as_text():
    summary = "<script>alert(1)</script> & (a \\ b"
    export = render(
        [make_row(event_type="", summary=summary)], "pdf", title="<b>Riley</b> & (family"
    )
    (lines,) = read_pdf(export.content)
    assert lines[0] == "<b>Riley</b> & (family"
    assert summary in lines
    (lines,) = read_pdf(render(ROWS, "pdf", title=TITLE).content)
    assert "<Primary> School" in lines


def test_pdf_draws_names_in_other_alphabets():
    names = "Łukasz Wójcik, Σοφία, Дмитрий"
    decomposed = unicodedata.normalize("NFD", "Zoë Nguyễn")  # as some systems send it
    export = render(
        [make_row(summary=f"{decomposed} seen", children=names)],
        "pdf",
        title=f"Chronology for {decomposed}",
    )
    (lines,) = read_pdf(export.content)
    assert lines[0] == "Chronology for Zoë Nguyễn"
    assert "Incident: Zoë Nguyễn seen" in lines
    assert f"About: {names}" in lines
    assert lines[-1] == "Chronology for Zoë Nguyễn"


def test_an_empty_pdf_has_the_header_row_and_one_page():
    (lines,) = read_pdf(render([], "pdf", title=TITLE).content)
    assert header_row(lines) == HEADINGS
    assert "Page 1 of 1" in lines


def test_wrap_keeps_words_whole_and_the_texts_own_line_breaks():
    # Widths in characters: `len` measures each character as 1.
    assert wrap("aa bb  cc", 5, len) == ["aa bb", "cc"]
    assert wrap("one\n\ntwo three", 9, len) == ["one", "", "two three"]
    assert wrap("", 9, len) == [""]
    assert wrap("Zoe\u0308", 9, len) == ["Zoë"]  # composed: one character


def test_wrap_breaks_only_a_word_wider_than_the_line():
    assert wrap("see https://x.invalid/abc ok", 8, len) == [
        "see",
        "https://",
        "x.invali",
        "d/abc ok",
    ]


def rows_of(*line_counts: int) -> list[PdfRow]:
    return [
        PdfRow([[f"{n}.{line}" for line in range(count)], []])
        for n, count in enumerate(line_counts)
    ]


def line_counts(pages: list[list[PdfRow]]) -> list[list[int]]:
    return [[len(row.lines[0]) for row in page] for page in pages]


def test_paginate_moves_a_row_that_does_not_fit_to_the_next_page():
    space = 3 * rows_of(2)[0].height  # three two-line rows
    assert line_counts(paginate(rows_of(2, 2, 2, 2), space, space)) == [[2, 2, 2], [2]]
    assert line_counts(paginate(rows_of(2, 2, 2, 2), space / 3, space)) == [[2], [2, 2, 2]]
    assert line_counts(paginate(rows_of(2, 2, 4), space, space)) == [[2, 2], [4]]


def test_paginate_splits_a_row_longer_than_a_page():
    space = 3 * rows_of(2)[0].height  # six lines when the row is alone on the page
    rows = rows_of(2, 12, 1)
    pages = paginate(rows, space, space)
    assert line_counts(pages) == [[2, 4], [6], [2, 1]]
    pieces = [line for page in pages for row in page for line in row.lines[0]]
    assert pieces == [line for row in rows for line in row.lines[0]]


def test_paginate_gives_an_empty_table_one_page():
    assert paginate([], 100, 100) == [[]]
