"""A review document's text, from the bytes of a plain-text, Word (.docx) or PDF file."""

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

MAX_BYTES = 10 * 1024 * 1024


class ExtractionError(ValueError):
    """The upload cannot be read; the message is fit to show to the person who sent it."""


def document_text(content: bytes, filename: str) -> str:
    """The text of a plain-text, Word (.docx) or PDF document, sniffed from its bytes
    (the filename only improves the error messages). PDF pages are separated by form feeds."""
    if len(content) > MAX_BYTES:
        raise ExtractionError("The file is larger than 10 MB")
    if b"%PDF-" in content[:1024]:
        return _pdf_text(content)
    if content.startswith(b"PK\x03\x04"):
        return _docx_text(content, filename)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ExtractionError(
            "Older Word (.doc) files cannot be read: save it as .docx or PDF and upload that"
        )
    return _plain_text(content)


def _plain_text(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_a_document() from None
    elif b"\x00" in content:
        raise _not_a_document()
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1252")
            except UnicodeDecodeError:
                raise _not_a_document() from None
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f\v")
    if controls > max(2, len(text) // 100):
        raise _not_a_document()
    return text


def _not_a_document() -> ExtractionError:
    return ExtractionError("The file is not a plain-text, Word (.docx) or PDF document")


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not _decrypts_without_password(reader):
            raise ExtractionError(
                "The PDF is password-protected: upload a copy without the password"
            )
        pages = [_page_text(page) for page in reader.pages]
    except ExtractionError:
        raise
    except Exception:  # pypdf raises many kinds of error on a damaged file
        raise ExtractionError("The file is not a readable PDF") from None
    text = "\f".join(pages)
    if pages and not text.strip():
        raise ExtractionError("The PDF has no text to read: it may be a scanned image")
    return text


def _page_text(page: Any) -> str:
    """The page's text in reading order: layout mode puts list numbers that were drawn
    apart from their paragraph (as HTML-made PDFs do) back beside it."""
    try:
        return page.extract_text(extraction_mode="layout") or ""
    except Exception:  # layout mode is stricter about odd fonts than plain mode
        return page.extract_text() or ""


def _decrypts_without_password(reader: Any) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # an unsupported cipher is as unreadable as a wrong password
        return False


def _docx_text(content: bytes, filename: str) -> str:
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            is_docx = "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        is_docx = False
    if not is_docx:
        if filename.lower().endswith(".docx"):
            raise ExtractionError("The file is not a readable Word (.docx) document")
        raise _not_a_document()
    try:
        document = docx.Document(io.BytesIO(content))
        numbers = _ListNumbers(document)
        return "\n".join(_docx_blocks(document, numbers))
    except Exception:  # python-docx and lxml raise many kinds of error on a damaged file
        raise ExtractionError("The file is not a readable Word (.docx) document") from None


def _docx_blocks(container: Any, numbers: "_ListNumbers") -> Iterator[str]:
    """Paragraphs in document order, each a line followed by a blank one; a table row as
    one line of tab-separated cells (a cell's paragraphs joined by spaces)."""
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells, seen = [], []
                for cell in row.cells:
                    if cell._tc not in seen:  # a merged cell repeats across its span
                        seen.append(cell._tc)
                        cells.append(" ".join(" ".join(_docx_blocks(cell, numbers)).split()))
                yield "\t".join(cells)
                yield ""
        else:
            label = numbers.label(block)
            yield f"{label}\t{block.text}" if label else block.text
            yield ""


class _ListNumbers:
    """The numbers Word draws for automatically numbered paragraphs, which are not part of
    the paragraph's text: "1.", "(a)", "ii." from the numbering definitions."""

    def __init__(self, document: Any) -> None:
        self.numbering = document.part.numbering_part.element
        self.counters: dict[str, list[int | None]] = {}

    def label(self, paragraph: Any) -> str:
        found = self._num_pr(paragraph)
        if found is None:
            return ""
        num_id, level = found
        levels = self._levels(num_id)
        if level not in levels:
            return ""
        counters = self.counters.setdefault(num_id, [None] * 9)
        current = counters[level]
        counters[level] = levels[level][0] if current is None else current + 1
        counters[level + 1 :] = [None] * (8 - level)
        _, _, template = levels[level]

        def render(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            start, fmt, _ = levels.get(k, (1, "decimal", ""))
            return _format_number(counters[k] or start, fmt)

        return re.sub(r"%([1-9])", render, template)

    def _num_pr(self, paragraph: Any) -> tuple[str, int] | None:
        p_pr = paragraph._p.pPr
        num_pr = p_pr.numPr if p_pr is not None else None
        style = paragraph.style
        while num_pr is None and style is not None:
            style_p_pr = style.element.pPr
            num_pr = style_p_pr.numPr if style_p_pr is not None else None
            style = style.base_style
        if num_pr is None or num_pr.numId is None or num_pr.numId.val in (None, 0):
            return None
        level = num_pr.ilvl.val if num_pr.ilvl is not None else 0
        return str(num_pr.numId.val), int(level)

    def _levels(self, num_id: str) -> dict[int, tuple[int, str, str]]:
        """level → (start, number format, label template) for one list."""
        from docx.oxml.ns import qn

        def val(element: Any, *path: str) -> str | None:
            for tag in path:
                element = element.find(qn(tag)) if element is not None else None
            return element.get(qn("w:val")) if element is not None else None

        num = next(
            (n for n in self.numbering.iterchildren(qn("w:num")) if n.get(qn("w:numId")) == num_id),
            None,
        )
        if num is None:
            return {}
        abstract_id = val(num, "w:abstractNumId")
        abstract = next(
            (
                a
                for a in self.numbering.iterchildren(qn("w:abstractNum"))
                if a.get(qn("w:abstractNumId")) == abstract_id
            ),
            None,
        )
        overrides = {
            o.get(qn("w:ilvl")): val(o, "w:startOverride")
            for o in num.iterchildren(qn("w:lvlOverride"))
        }
        levels = {}
        for lvl in abstract.iterchildren(qn("w:lvl")) if abstract is not None else ():
            ilvl = lvl.get(qn("w:ilvl")) or "0"
            start = int(overrides.get(ilvl) or val(lvl, "w:start") or 1)
            fmt = val(lvl, "w:numFmt") or "decimal"
            levels[int(ilvl)] = (start, fmt, val(lvl, "w:lvlText") or "")
        return levels


def _format_number(n: int, fmt: str) -> str:
    if fmt == "bullet":
        return "•"
    if fmt == "none":
        return ""
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in zip(
        (1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1),
        ("M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"),
        strict=True,
    ):
        count, n = divmod(n, value)
        out += numeral * count
    return out
