"""Chronology exports in the layout case reviews use: date and time, agency, source,
event, action or outcome, significance, and an empty analysis column for the review's
author. CSV, XLSX, DOCX and PDF from the same rows.

Interface (stable; the views and the API call `render`):

    render(rows: Sequence[ExportRow], fmt: str, *, title: str, subtitle: str = "") -> Export

Every writer reads the same `COLUMNS`. Dates are shown in Europe/London to the precision
the event is known to; an entry recorded more than a day after its event's period says
so in the source column ("recorded 20 Mar 2025"), which keeps the date column a real date
in the spreadsheet. CSV cells that a spreadsheet would run as a formula are prefixed
with a quote; XLSX cells are typed as text, which no spreadsheet runs. The PDF is laid
out here (lines wrapped, rows paged, the header row on every page) and drawn with
ReportLab, in DejaVu Sans."""

import calendar
import csv
import datetime as dt
import functools
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

from django.utils.text import slugify

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.pdfgen.textobject import PDFTextObject

FORMATS = ("csv", "xlsx", "docx", "pdf")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}

LONDON = ZoneInfo("Europe/London")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Recorded this many days after the event's period ended: the source column says when.
RECORDED_LATE_AFTER_DAYS = 1


@dataclass(frozen=True)
class ExportRow:
    event_at: dt.datetime  # aware; shown in Europe/London to `precision`
    precision: str  # DatePrecision value: "time", "day" or "month"
    agency: str
    source: str  # the agency's own reference, may be ""
    event_type: str  # EntryCategory label
    summary: str
    detail: str
    outcome: str
    significance: str  # Significance label
    recorded_at: dt.datetime
    children: str  # the children it is about, for a family chronology


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


def render(rows: Sequence[ExportRow], fmt: str, *, title: str, subtitle: str = "") -> Export:
    if fmt not in WRITERS:
        raise ValueError(f"Unknown export format {fmt!r}: expected one of {FORMATS}")
    content = WRITERS[fmt](rows, printable(title), printable(subtitle))
    return Export(content=content, content_type=CONTENT_TYPES[fmt], filename=filename(title, fmt))


def filename(title: str, fmt: str, today: dt.date | None = None) -> str:
    """`chronology-<slug of title>-<YYYY-MM-DD>.<ext>`, today's date in London."""
    today = today or dt.datetime.now(LONDON).date()
    slug = slugify(title).removeprefix("chronology").strip("-")[:60].strip("-")
    return "-".join(part for part in ("chronology", slug, today.isoformat()) if part) + f".{fmt}"


# --- Cell text, shared by every format -----------------------------------------------

# Characters XML 1.0 cannot hold (DOCX and XLSX are XML; the PDF would show boxes):
# C0 controls other than tab and newline, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """Text with newlines normalised and the characters no document format can hold
    dropped (pasted text brings vertical tabs, form feeds and NULs)."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def format_event_date(at: dt.datetime, precision: str) -> str:
    """In Europe/London, to the precision: 14 Mar 2025 09:30, 14 Mar 2025 or Mar 2025."""
    local = at.astimezone(LONDON)
    month = f"{MONTHS[local.month - 1]} {local.year}"
    if precision == "month":
        return month
    if precision == "day":
        return f"{local.day} {month}"
    if precision == "time":
        return f"{local.day} {month} {local:%H:%M}"
    raise ValueError(f"Unknown date precision {precision!r}")


def _period_last_day(row: ExportRow) -> dt.date:
    local = row.event_at.astimezone(LONDON).date()
    if row.precision == "month":
        return local.replace(day=calendar.monthrange(local.year, local.month)[1])
    return local


def _source(row: ExportRow) -> str:
    recorded = row.recorded_at.astimezone(LONDON)
    if (recorded.date() - _period_last_day(row)).days <= RECORDED_LATE_AFTER_DAYS:
        return row.source
    hint = f"recorded {format_event_date(recorded, 'day')}"
    return f"{row.source}\n{hint}" if row.source else hint


def _event(row: ExportRow) -> str:
    lines = (
        f"{row.event_type}: {row.summary}" if row.event_type else row.summary,
        row.detail.strip(),
        f"About: {row.children}" if row.children else "",
    )
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Column:
    heading: str
    share: int  # percentage of the page width (PDF, DOCX); spreadsheet widths follow it
    text: Callable[[ExportRow], str]


COLUMNS = (  # the date first: the spreadsheet writes it as a date cell
    Column("Date and time", 12, lambda row: format_event_date(row.event_at, row.precision)),
    Column("Agency", 11, lambda row: row.agency),
    Column("Source", 11, _source),
    Column("Event", 27, _event),
    Column("Action or outcome", 17, lambda row: row.outcome),
    Column("Significance", 8, lambda row: row.significance),
    Column("Analysis", 14, lambda row: ""),
)
HEADINGS = [column.heading for column in COLUMNS]


def cells(row: ExportRow) -> list[str]:
    return [printable(column.text(row)) for column in COLUMNS]


# --- CSV ------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet would read as a formula, prefixed with a quote (OWASP, CSV
    injection)."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _csv(rows: Sequence[ExportRow], title: str, subtitle: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    for row in rows:
        writer.writerow([spreadsheet_safe(text) for text in cells(row)])
    return out.getvalue().encode("utf-8-sig")  # the BOM tells Excel it is UTF-8


# --- XLSX -----------------------------------------------------------------------------

XLSX_DATE_FORMATS = {"time": "d mmm yyyy hh:mm", "day": "d mmm yyyy", "month": "mmm yyyy"}


def _xlsx(rows: Sequence[ExportRow], title: str, subtitle: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook(write_only=True)
    book.properties.title, book.properties.subject = title, subtitle
    sheet = book.create_sheet("Chronology")
    for number, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.share * 1.6
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddHeader.center.text = title.replace("&", "&&")
    sheet.oddFooter.right.text = "Page &P of &N"

    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)

    def cell(value, number_format: str | None = None) -> WriteOnlyCell:
        made = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            made.data_type = "s"  # text, even "=…": openpyxl would otherwise write a formula
        made.alignment = wrap
        if number_format:
            made.number_format = number_format
        return made

    header = [cell(heading) for heading in HEADINGS]
    for made in header:
        made.font = bold
    sheet.append(header)
    for row in rows:  # the date as a date cell, the other columns as text
        local = row.event_at.astimezone(LONDON).replace(tzinfo=None)
        when = local if row.precision == "time" else local.date()
        texts = cells(row)[1:]
        sheet.append([cell(when, XLSX_DATE_FORMATS[row.precision])] + [cell(t) for t in texts])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- DOCX -----------------------------------------------------------------------------

DOCX_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DOCX_TEXT_WIDTH_TWIPS = 15593  # A4 landscape (16838) less two 12.5 mm margins (709 each)


def _docx_cell(text: str, width: int, header: bool = False) -> str:
    """A table cell as WordprocessingML: a line break (w:br) for each newline; the
    header's cells bold on light grey."""
    runs = "<w:br/>".join(
        f'<w:t xml:space="preserve">{xml_escape(line)}</w:t>' for line in text.split("\n")
    )
    style = "<w:rPr><w:b/></w:rPr>" if header else ""
    shading = '<w:shd w:val="clear" w:color="auto" w:fill="F3F2F1"/>' if header else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>'
        f"<w:p><w:r>{style}{runs}</w:r></w:p></w:tc>"
    )


def _docx(rows: Sequence[ExportRow], title: str, subtitle: str) -> bytes:
    """The table is written as XML in one piece: through python-docx's row and cell
    objects 5,000 rows took 3.3 s, as XML 0.45 s (bench/chronology_export.py)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Mm, Pt

    document = Document()
    document.core_properties.title = title
    document.styles["Normal"].font.size = Pt(9)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(12.5))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for xml in (  # "Page X of Y" as Word fields, which Word and LibreOffice fill in
        '<w:r {ns}><w:t xml:space="preserve">Page </w:t></w:r>',
        '<w:fldSimple {ns} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>',
        '<w:r {ns}><w:t xml:space="preserve"> of </w:t></w:r>',
        '<w:fldSimple {ns} w:instr="NUMPAGES"><w:r><w:t>1</w:t></w:r></w:fldSimple>',
    ):
        footer._p.append(parse_xml(xml.format(ns=DOCX_NS)))

    document.add_heading(title, level=0)
    if subtitle:
        document.add_paragraph(subtitle, style="Subtitle")

    widths = [DOCX_TEXT_WIDTH_TWIPS * column.share // 100 for column in COLUMNS]
    header = "".join(_docx_cell(h, w, header=True) for h, w in zip(HEADINGS, widths, strict=True))
    body = "".join(
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        + "".join(_docx_cell(text, w) for text, w in zip(cells(row), widths, strict=True))
        + "</w:tr>"
        for row in rows
    )
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    table = parse_xml(
        f"<w:tbl {DOCX_NS}>"
        '<w:tblPr><w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0"'
        ' w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
        f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{header}</w:tr>"
        f"{body}</w:tbl>"
    )
    document.element.body.sectPr.addprevious(table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF ------------------------------------------------------------------------------
# Laid out here and drawn with ReportLab's canvas. WeasyPrint took 37 to 84 s for 5,000
# entries, most of it laying out the HTML table box by box and line by line; wrapping the
# text here and drawing the lines takes 1.5 to 2.5 s (bench/chronology_export.py).

MM = 72 / 25.4  # PDF lengths are in points
PAGE_WIDTH, PAGE_HEIGHT = 297 * MM, 210 * MM  # A4 landscape
MARGIN_TOP, MARGIN_SIDE, MARGIN_BOTTOM = 12 * MM, 10 * MM, 14 * MM
TABLE_WIDTH = PAGE_WIDTH - 2 * MARGIN_SIDE
CELL_PADDING_X, CELL_PADDING_Y = 3, 1.5


def rgb(colour: str) -> tuple[float, float, float]:
    """A colour written #rrggbb as red, green and blue from 0 to 1: given a string,
    ReportLab would parse it again on every page."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return red, green, blue


INK, QUIET_INK = rgb("#0b0c0c"), rgb("#505a5f")
BORDER, HEADER_FILL = rgb("#b1b4b6"), rgb("#f3f2f1")
# DejaVu Sans (Debian's fonts-dejavu-core, on every machine) has the Latin, Greek and
# Cyrillic alphabets; the PDF embeds the glyphs it uses.
FONT_DIR = "/usr/share/fonts/truetype/dejavu"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"


@functools.cache
def _set_up_reportlab() -> None:
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # Compressed streams as binary, not also as ASCII85 text: a quarter smaller, and the
    # encoding (pure Python) took a third of the time. A setting for the whole process;
    # nothing else here uses ReportLab.
    rl_config.useA85 = 0
    for name in (REGULAR, BOLD):
        pdfmetrics.registerFont(TTFont(name, f"{FONT_DIR}/{name}.ttf"))


@dataclass(frozen=True)
class TextStyle:
    font: str
    size: float
    leading: float  # baseline to baseline

    def baseline(self, top: float) -> float:
        """Where the first line sits for text starting at `top`: half the leading above
        the line, then DejaVu Sans's ascent (0.93 em), as a browser places it."""
        return top - (self.leading - self.size) / 2 - 0.93 * self.size

    def select(self, text: "PDFTextObject") -> None:
        """Make this the font and leading of what `text` writes next."""
        text.setFont(self.font, self.size, self.leading)

    def measurer(self) -> Callable[[str], float]:
        """A text's width in points; each text's remembered, as words repeat."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return functools.cache(
            functools.partial(stringWidth, fontName=self.font, fontSize=self.size)
        )


TITLE = TextStyle(BOLD, 16, 20)
SUBTITLE = TextStyle(REGULAR, 10, 13)
HEADING = TextStyle(BOLD, 8, 10.4)
CELL = TextStyle(REGULAR, 8, 10.4)
FOOTER = TextStyle(REGULAR, 7, 9)


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """The lines of `text` at most `width` wide, at least one: its own line breaks kept,
    spaces between words made one, a word wider than a line (a long URL) broken between
    characters. Characters are composed first (NFC): the font has no combining marks."""
    space = measure(" ")
    lines = []
    for paragraph in unicodedata.normalize("NFC", text).split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split():
            word_width = measure(word)
            if line and used + space + word_width <= width:
                line.append(word)
                used += space + word_width
                continue
            if line:
                lines.append(" ".join(line))
            if word_width > width:
                *whole, word = _break_word(word, width, measure)
                lines += whole
                word_width = measure(word)
            line, used = [word], word_width
        lines.append(" ".join(line))
    return lines


def _break_word(word: str, width: float, measure: Callable[[str], float]) -> list[str]:
    pieces, piece, used = [], "", 0.0
    for character in word:
        character_width = measure(character)
        if piece and used + character_width > width:
            pieces.append(piece)
            piece, used = "", 0.0
        piece += character
        used += character_width
    return [*pieces, piece]


def elide(text: str, width: float, measure: Callable[[str], float]) -> str:
    """`text` on one line (and composed, as `wrap` has it), cut short with an ellipsis
    where wider than `width`."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if measure(text) <= width:
        return text
    while text and measure(f"{text}…") > width:
        text = text[:-1]
    return f"{text}…"


@dataclass(frozen=True)
class PdfRow:
    """A table row wrapped to the column widths: the lines of each cell."""

    lines: list[list[str]]

    @property
    def height(self) -> float:
        return max(map(len, self.lines)) * CELL.leading + 2 * CELL_PADDING_Y

    def split(self, count: int) -> tuple["PdfRow", "PdfRow"]:
        """The first `count` lines of each cell, and the rest."""
        return PdfRow([c[:count] for c in self.lines]), PdfRow([c[count:] for c in self.lines])


def paginate(rows: Iterable[PdfRow], first: float, then: float) -> list[list[PdfRow]]:
    """The rows of each page, given the height below the header row on the first page
    and on the others. A row that does not fit moves to the next page whole if it fits
    there and this page has rows already; otherwise it is split at the line that fills
    this page, and goes on on the next."""
    pages: list[list[PdfRow]] = []
    page: list[PdfRow] = []
    left = first
    for row in rows:
        while row.height > left:
            lines_left = int((left - 2 * CELL_PADDING_Y) // CELL.leading)
            if lines_left and not (page and row.height <= then):
                head, row = row.split(lines_left)
                page.append(head)
            pages.append(page)
            page, left = [], then
        page.append(row)
        left -= row.height
    pages.append(page)
    return pages


def _pdf(rows: Sequence[ExportRow], title: str, subtitle: str) -> bytes:
    """The title and subtitle, then the table; on every page the header row, ruled cells
    and a footer with the title and "Page N of M". Text is drawn as text, never read as
    markup, so none needs escaping."""
    from reportlab.pdfgen.canvas import Canvas

    _set_up_reportlab()
    widths = [TABLE_WIDTH * column.share / 100 for column in COLUMNS]

    def table_row(texts: list[str], measure: Callable[[str], float]) -> PdfRow:
        return PdfRow(
            [
                wrap(text, w - 2 * CELL_PADDING_X, measure)
                for text, w in zip(texts, widths, strict=True)
            ]
        )

    intro = [(TITLE, wrap(title, TABLE_WIDTH, TITLE.measurer()))]
    if subtitle:
        intro.append((SUBTITLE, wrap(subtitle, TABLE_WIDTH, SUBTITLE.measurer())))
    intro_height = sum(len(lines) * style.leading + 3 * MM for style, lines in intro)
    header = table_row(HEADINGS, HEADING.measurer())
    below_header = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM - header.height
    measure = CELL.measurer()
    pages = paginate(
        (table_row(cells(row), measure) for row in rows), below_header - intro_height, below_header
    )

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    canvas.setTitle(title)
    canvas.setSubject(subtitle)
    canvas.setAuthor("")  # ReportLab's default is "anonymous"
    canvas.setCreator("Threadline")
    footer_measure = FOOTER.measurer()
    for number, page in enumerate(pages, start=1):
        text = canvas.beginText()
        text.setFillColorRGB(*INK)
        top = PAGE_HEIGHT - MARGIN_TOP
        if number == 1:
            for style, lines in intro:
                style.select(text)
                _write(text, lines, MARGIN_SIDE, top, style)
                top -= len(lines) * style.leading + 3 * MM
        _draw_table(canvas, text, header, page, widths, top)
        canvas.drawText(text)
        _draw_footer(canvas, title, f"Page {number} of {len(pages)}", footer_measure)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _write(text: "PDFTextObject", lines: list[str], x: float, top: float, style: TextStyle) -> None:
    """`lines` from `top` down in the style `text` has selected (selected once, not for
    each of thousands of cells)."""
    text.setTextOrigin(x, style.baseline(top))
    for line in lines:
        text.textLine(line)


def _draw_table(
    canvas: "Canvas",
    text: "PDFTextObject",
    header: PdfRow,
    rows: list[PdfRow],
    widths: list[float],
    top: float,
) -> None:
    """The header row and `rows` from `top` down, ruled; their text into `text`."""
    lefts = list(itertools.accumulate(widths, initial=MARGIN_SIDE))
    tops = list(itertools.accumulate((-row.height for row in [header, *rows]), initial=top))
    canvas.setFillColorRGB(*HEADER_FILL)
    canvas.rect(MARGIN_SIDE, tops[1], TABLE_WIDTH, header.height, stroke=0, fill=1)
    for style, styled, row_tops in ((HEADING, [header], tops[:1]), (CELL, rows, tops[1:])):
        style.select(text)
        for row, row_top in zip(styled, row_tops, strict=False):  # tops: one more
            for lines, left in zip(row.lines, lefts, strict=False):  # lefts: one more
                _write(text, lines, left + CELL_PADDING_X, row_top - CELL_PADDING_Y, style)
    canvas.setStrokeColorRGB(*BORDER)
    canvas.setLineWidth(0.5)
    canvas.lines(
        [(x, tops[0], x, tops[-1]) for x in lefts] + [(lefts[0], y, lefts[-1], y) for y in tops]
    )


def _draw_footer(
    canvas: "Canvas", title: str, page_label: str, measure: Callable[[str], float]
) -> None:
    baseline = MARGIN_BOTTOM / 2 - FOOTER.size / 2
    canvas.setFont(FOOTER.font, FOOTER.size)
    canvas.setFillColorRGB(*QUIET_INK)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_SIDE, baseline, page_label)
    room = TABLE_WIDTH - measure(page_label) - 10 * MM
    canvas.drawString(MARGIN_SIDE, baseline, elide(title, room, measure))


WRITERS: dict[str, Callable[[Sequence[ExportRow], str, str], bytes]] = {
    "csv": _csv,
    "xlsx": _xlsx,
    "docx": _docx,
    "pdf": _pdf,
}
