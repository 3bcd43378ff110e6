"""The chronology exports, read back with real parsers: the csv module, openpyxl and
python-docx (the PDF in test_exports_pdf.py)."""

import csv
import datetime as dt
import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook

from threadline.chronology.exports import (
    CONTENT_TYPES,
    HEADINGS,
    ExportRow,
    filename,
    format_event_date,
    render,
)

UTC = dt.UTC
TITLE = "Chronology for Alex Example"


def make_row(**overrides) -> ExportRow:
    fields = {
        "event_at": dt.datetime(2025, 3, 14, 9, 30, tzinfo=UTC),
        "precision": "time",
        "agency": "Northbridge Police",
        "source": "PND-4411",
        "event_type": "Incident",
        "summary": "Police called to the home after a neighbour heard shouting",
        "detail": "Mother and child seen.\nNo injuries observed.",
        "outcome": "Referral to children's services",
        "significance": "Significant",
        "recorded_at": dt.datetime(2025, 3, 14, 15, 0, tzinfo=UTC),
        "children": "",
    }
    return ExportRow(**(fields | overrides))


ROWS = [
    make_row(),
    make_row(
        event_at=dt.datetime(2024, 6, 30, 23, 0, tzinfo=UTC),  # midnight, 1 Jul, in BST
        precision="day",
        agency="Riverside Health Visiting",
        source="",
        event_type="Missed appointment",
        summary="Zoë Ó'Brien not brought to the 1-year review",
        detail="",
        outcome='=HYPERLINK("http://example.invalid","click")',
        significance="Routine",
        recorded_at=dt.datetime(2024, 7, 9, 10, 0, tzinfo=UTC),  # eight days later
        children="Zoë Ó'Brien, Sam Ó'Brien",
    ),
    make_row(
        event_at=dt.datetime(2023, 11, 1, 0, 0, tzinfo=UTC),
        precision="month",
        agency="St Aldhelm's <Primary> School & Nursery",
        source="SCH/77",
        summary="Attendance fell below 80%",
        detail="Pasted text with a vertical tab\x0band a form feed\x0c.",
        outcome="",
        significance="Critical",
        recorded_at=dt.datetime(2023, 11, 30, 12, 0, tzinfo=UTC),
    ),
]


def test_dates_in_london_to_their_precision():
    summer = dt.datetime(2025, 7, 1, 8, 5, tzinfo=UTC)
    assert format_event_date(summer, "time") == "1 Jul 2025 09:05"
    assert format_event_date(dt.datetime(2025, 1, 1, 8, 5, tzinfo=UTC), "time") == (
        "1 Jan 2025 08:05"
    )
    assert format_event_date(dt.datetime(2024, 6, 30, 23, 0, tzinfo=UTC), "day") == "1 Jul 2024"
    assert format_event_date(summer, "month") == "Jul 2025"
    with pytest.raises(ValueError):
        format_event_date(summer, "week")


def test_filename_and_content_types():
    assert filename(TITLE, "pdf", dt.date(2025, 3, 14)) == (
        "chronology-for-alex-example-2025-03-14.pdf"
    )
    assert filename("Ézé & family", "csv", dt.date(2025, 3, 14)) == (
        "chronology-eze-family-2025-03-14.csv"
    )
    export = render(ROWS, "xlsx", title=TITLE)
    assert export.content_type == CONTENT_TYPES["xlsx"]
    assert re.fullmatch(r"chronology-for-alex-example-\d{4}-\d{2}-\d{2}\.xlsx", export.filename)
    with pytest.raises(ValueError):
        render(ROWS, "odt", title=TITLE)


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_csv_reads_back_in_the_review_layout():
    export = render(ROWS, "csv", title=TITLE)
    assert export.content_type == "text/csv; charset=utf-8"
    header, first, second, third = read_csv(export.content)
    assert header == HEADINGS
    assert first == [
        "14 Mar 2025 09:30",
        "Northbridge Police",
        "PND-4411",
        "Incident: Police called to the home after a neighbour heard shouting\n"
        "Mother and child seen.\nNo injuries observed.",
        "Referral to children's services",
        "Significant",
        "",
    ]
    # Recorded eight days late: the source column says when; the children are named.
    assert second[:3] == ["1 Jul 2024", "Riverside Health Visiting", "recorded 9 Jul 2024"]
    assert second[3].endswith("\nAbout: Zoë Ó'Brien, Sam Ó'Brien")
    assert third[0] == "Nov 2023"
    assert third[2] == "SCH/77"  # recorded within the month: no lateness note
    assert "\x0b" not in third[3] and "\x0c" not in third[3]


@pytest.mark.parametrize("text", ["=1+1", "+44 7700 900000", "-2", "@SUM(A1:A9)", "\t=1"])
def test_csv_cells_a_spreadsheet_would_run_are_quoted(text):
    export = render(
        [make_row(summary="x", event_type="", detail="", outcome=text)], "csv", title="t"
    )
    assert read_csv(export.content)[1][4] == f"'{text}"


def test_csv_leaves_ordinary_text_alone():
    export = render([make_row(outcome="Plan: 1 = agreed")], "csv", title="t")
    assert read_csv(export.content)[1][4] == "Plan: 1 = agreed"


def test_xlsx_has_a_bold_frozen_header_real_dates_and_text_cells():
    export = render(ROWS, "xlsx", title=TITLE, subtitle="1 Jan 2023 to 31 Mar 2025")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [cell.value for cell in sheet[1]] == HEADINGS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["F"].width

    when = sheet["A2"]
    assert when.value == dt.datetime(2025, 3, 14, 9, 30)  # London wall-clock time
    assert when.number_format == "d mmm yyyy hh:mm"
    assert sheet["A3"].value == dt.datetime(2024, 7, 1)  # the day, in London
    assert sheet["A3"].number_format == "d mmm yyyy"
    assert sheet["A4"].number_format == "mmm yyyy"
    assert sheet["B2"].value == "Northbridge Police"
    assert sheet["D2"].alignment.wrap_text

    formula = sheet["E3"]  # stored as text, so no spreadsheet runs it
    assert formula.data_type == "s"
    assert formula.value == '=HYPERLINK("http://example.invalid","click")'


def test_docx_is_landscape_with_a_repeating_header_row():
    export = render(ROWS, "docx", title=TITLE, subtitle="1 Jan 2023 to 31 Mar 2025")
    document = Document(io.BytesIO(export.content))
    section = document.sections[0]
    assert section.page_width > section.page_height
    texts = [p.text for p in document.paragraphs]
    assert texts[:2] == [TITLE, "1 Jan 2023 to 31 Mar 2025"]

    (table,) = document.tables
    assert [cell.text for cell in table.rows[0].cells] == HEADINGS
    header_properties = table.rows[0]._tr.trPr.xml
    assert "tblHeader" in header_properties  # Word repeats it at the top of each page
    assert len(table.rows) == 1 + len(ROWS)
    first = [cell.text for cell in table.rows[1].cells]
    assert first[0] == "14 Mar 2025 09:30"
    assert first[3].endswith("Mother and child seen.\nNo injuries observed.")
    assert table.rows[3].cells[1].text == "St Aldhelm's <Primary> School & Nursery"
    assert "PAGE" in section.footer.paragraphs[0]._p.xml  # "Page X of Y" fields


def test_an_empty_export_is_still_a_document():
    for fmt in ("csv", "xlsx", "docx", "pdf"):
        assert render([], fmt, title=TITLE).content
