"""The recommendations section of a review's text and its numbered items, with the page
furniture and markup remnants that conversions leave behind cleaned away, and the agency
each recommendation is for."""

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class Proposed:
    number: int
    text: str
    addressed_to: str | None


# --- Cleaning ---------------------------------------------------------------------------

_BLOCK_TAG = re.compile(r"</?(?:p|br|li|div|tr|h[1-6]|ol|ul|table)\b[^<>]{0,200}>", re.I)
_INLINE_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*\b[^<>]{0,200}>")
_FIELD_CODE = re.compile(
    r"\{\s*(?:PAGE|NUMPAGES|SECTIONPAGES|HYPERLINK|REF|PAGEREF|NOTEREF|STYLEREF|SEQ|TOC|"
    r"MERGEFIELD|DATE|FORMTEXT|AUTONUM\w*|LISTNUM|FILENAME|INCLUDEPICTURE|XE|TC)\b[^{}]*\}"
    r"|HYPERLINK\s+(?:\\[a-z]\s+)?\"[^\"]*\"|\\\*\s*MERGEFORMAT|\b_(?:Toc|Ref)\d+\b"
)
_BULLETS = re.compile("[•●▪◦‣∙■□▫◆◇○➢➤✓✔\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf0a8]")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_ODD_SPACE = re.compile("[\u00a0\u2007\u202f\u2002\u2003\u2009]")
_LIST_DASH = re.compile(r"^\s*[-*]\s+")


def _clean(text: str) -> str:
    """Markup remnants out: HTML tags and entities, Markdown emphasis, Word field codes,
    bullet glyphs, soft hyphens and odd spaces. Line and page breaks are kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.replace("\u00ad\n", "")  # a soft hyphen at a line end joins the word
    text = _BLOCK_TAG.sub("\n", text)
    text = _INLINE_TAG.sub("", text)
    text = html.unescape(text)
    text = _FIELD_CODE.sub("", text)
    text = text.replace("**", "").replace("__", "")
    text = _INVISIBLE.sub("", text)
    text = _ODD_SPACE.sub(" ", text)
    text = _BULLETS.sub(" ", text)
    return re.sub(r"[\x00-\x08\x0e-\x1f\x7f]", "", text)


# --- Page furniture ---------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^(?:page\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|\d{1,4}\s*(?:of|/)\s*\d{1,4}"
    r"|[-–—]\s*\d{1,4}\s*[-–—])$",
    re.I,
)
_BARE_NUMBER = re.compile(r"^\d{1,4}$")


def _without_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Pages' lines without page numbers, and without running headers and footers: lines
    at the top (or bottom) of two or more pages that are the same but for their digits."""
    pages = [_trim([line for line in page if not _PAGE_NUMBER.match(line)]) for page in pages]
    if len(pages) < 2:
        return pages
    for _ in range(3):  # peel up to three layers of headers and footers
        seen = Counter(
            (end, _furniture_key(page[end])) for page in pages for end in {0, -1} if page
        )
        peeled = False
        for i, page in enumerate(pages):
            for end in (0, -1):
                line = page[end] if page else ""
                if line and (
                    _BARE_NUMBER.match(line)
                    or (seen[end, _furniture_key(line)] >= 2 and not _STRONG_MARKER.match(line))
                ):
                    page = _trim(page[1:] if end == 0 else page[:-1])
                    peeled = True
            pages[i] = page
        if not peeled:
            break
    return pages


def _furniture_key(line: str) -> str:
    return " ".join(re.sub(r"\d+", "#", line).casefold().split())


def _trim(page: list[str]) -> list[str]:
    """The page's lines without blank lines at its top and bottom."""
    start, end = 0, len(page)
    while start < end and not page[start]:
        start += 1
    while end > start and not page[end - 1]:
        end -= 1
    return page[start:end]


# --- Lines, headings and item numbers ---------------------------------------------------


class _Line(NamedTuple):
    text: str
    gap: bool  # after a blank line, a page break or the start of the document
    paragraph: bool  # after a blank line on the same page: a new paragraph


def _lines(text: str) -> list[_Line]:
    pages = [[line.strip() for line in page.split("\n")] for page in _clean(text).split("\f")]
    out: list[_Line] = []
    for page in _without_furniture(pages):
        gap, blank = True, False
        for line in page:
            line = _LIST_DASH.sub("", line)
            if line:
                out.append(_Line(line, gap or blank, blank))
            gap, blank = False, not line
    return out


# "1.", "1)", "1:", "1<TAB>", "1 – ", "1 The", "7.1 The", a number alone, "Recommendation 1:",
# "Rec. 1", "R1". Not "(1)": that and (i), (a), a), i. are sub-items inside a recommendation.
_MARKER = re.compile(
    r"^(?:(?i:recommendation|rec\.?)\s*(?i:no\.?\s*)?(?P<a>\d{1,2})(?!\d)\s*[:.)\-–—]?"
    r"|R(?P<b>\d{1,2})(?!\d)\s*[:.)\-–—]?"
    r"|(?:\d{1,2}\.)?(?P<c>\d{1,2})(?:\.(?!\d)|[):]|\t|\s*[–—-]\s|\s+(?=[A-Z\"'‘“(\[])|$)"
    r")\s*"
)
# Markers that never occur in a running header or footer.
_STRONG_MARKER = re.compile(
    r"^(?:(?i:recommendation|rec\.?)\s*(?i:no\.?\s*)?\d{1,2}(?!\d)|R\d{1,2}(?!\d)"
    r"|(?:\d{1,2}\.)?\d{1,2}(?:\.(?!\d)|[):]|\t))"
)
_NUMBERING = (
    r"^#*\s*(?:(?:section|part|chapter)\s+)?(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.|[A-Z][.)])?\s*"
)
_REC_HEADING = re.compile(
    _NUMBERING + r"(?:(?:summary|list|schedule|table) of (?:the )?|key |the review'?s |our |the )?"
    r"recommendations?(?!\s*(?:no\.?\s*)?\d)\b[^.]*$",
    re.I,
)
# "For the partnership", "To Northbridge Police:": who the recommendations below are for.
_SUB_HEADING = re.compile(
    r"^(?:recommendations? )?(?:for|to) (?!example\b|instance\b)[^.;,]*$", re.I
)
# Headings that end the recommendations section. The first group never starts a line of
# running prose; the second might ("Learning from …"), so needs the line before to have
# ended a sentence, or a blank line or page break, or a number or capitals of its own.
_SURE_END_WORDS = (
    "appendix", "appendices", "annexe?s?", "references", "bibliography", "glossary",
    "findings?", "terms of reference", "acknowledge?ments", "endnotes", "footnotes",
    "contents", "table of contents", "abbreviations",
)  # fmt: skip
_END_WORDS = (
    "conclusions?", "concluding", "methodology", "method", "background", "introduction",
    "next steps", "sign[- ]?off", "signed", "notes", "sources", "analysis",
    "(?:the )?(?:partnership'?s? )?response", "learning", "lessons", "summary",
    "executive summary", "overview", "chronology", "about (?:this|the) review", "distribution",
    "document control", "version control", "good practice", "themes?",
    "key practice episodes?", "scope", "purpose", "action plan", "implementation", "monitoring",
)  # fmt: skip
_SURE_END_HEADING = re.compile(_NUMBERING + rf"(?:{'|'.join(_SURE_END_WORDS)})\b[^.]*$", re.I)
_END_HEADING = re.compile(_NUMBERING + rf"(?:{'|'.join(_END_WORDS)})\b[^.]*$", re.I)
_MODAL = re.compile(
    r"\b(?:should|must|will|would|shall|could|can|may|needs?|ensures?|is|are|was|were|be|"
    r"has|have)\b",
    re.I,
)
_FIRST_LETTER = re.compile(r"[A-Za-z]")
_ENDS_SENTENCE = re.compile(r"[.:;!?)\]\"'’”]$")
# A table's header row: a tab-separated cell that names a column.
_TABLE_HEADER = re.compile(
    r"(?:^|\t)\s*(?:no\.?|number|ref\.?|recommendations?|(?:lead )?agency|timescales?|"
    r"by when|owner)\s*(?:\t|$)",
    re.I,
)
_PARAGRAPH = "\x00"  # marks where an item's next paragraph starts
MAX_GAP = 5  # numbering may skip a withdrawn recommendation or two, not a page of them


def _heading(lines: list[_Line], i: int, after_heading: bool = False) -> str | None:
    """ "rec" for a recommendations heading, "sub" for one naming whom the items under it
    are for, "end" for a heading that closes the section, else None."""
    line = lines[i]
    text = line.text.replace("’", "'")
    first = _FIRST_LETTER.search(text)
    if len(text) > 80 or first is None or not first.group().isupper():
        return None
    sure = bool(_REC_HEADING.match(text) or _SURE_END_HEADING.match(text))
    if not sure and not _END_HEADING.match(text) and not _SUB_HEADING.match(text):
        return None
    if len(text.split()) > 10 or _MODAL.search(text):
        return None
    if i + 1 < len(lines) and lines[i + 1].text[:1].islower():
        return None  # a sentence running on: not a heading
    standalone = (
        sure
        or after_heading
        or line.gap
        or text[0] in "#0123456789"
        or text.isupper()
        or bool(_ENDS_SENTENCE.search(lines[i - 1].text))
    )
    if not standalone:
        return None
    if _REC_HEADING.match(text):
        return "rec"
    return "sub" if _SUB_HEADING.match(text) else "end"


# --- Recommendations --------------------------------------------------------------------


def extract(text: str, agencies: Iterable[str] = ()) -> list[Proposed]:
    """The numbered recommendations in a review's text, in order; [] if there are none.
    `addressed_to` is one of `agencies` (or "partnership") where the text names it."""
    lines = _lines(text)
    kinds: list[str | None] = []
    for i in range(len(lines)):
        kinds.append(_heading(lines, i, after_heading=i > 0 and kinds[i - 1] is not None))
    names = [name for name in agencies if name.strip()]
    found = _best(lines, kinds, [i for i, kind in enumerate(kinds) if kind == "rec"], 1)
    if not found:  # no heading: a numbered list right after "we recommend", "recommends:"
        starts = [i for i, line in enumerate(lines) if "recommend" in line.text.lower()]
        found = _best(lines, kinds, starts, 0, max_preamble=3)
    proposed = []
    for item in found:
        text = _join(item.parts)
        # A lead-agency column says it best; then the text; then "Recommendations for …".
        addressee = (
            addressed_to(" ".join(item.cells), names)
            or addressed_to(text, names)
            or addressed_to(item.heading, names)
        )
        if text:
            proposed.append(Proposed(item.number, text, addressee))
    return proposed


@dataclass
class _Item:
    number: int
    heading: str  # the (sub-)heading it sits under
    parts: list[str]
    cells: list[str]  # a table row's other cells: lead agency, timescale
    paragraphs: int = 0  # paragraphs after the first (not sub-items)


def _best(
    lines: list[_Line],
    kinds: list[str | None],
    starts: list[int],
    skip: int,
    max_preamble: int = 100,
) -> list[_Item]:
    """The candidate section with the most recommendations (the later one on a tie)."""
    best: list[_Item] = []
    walked_to = -1
    for start in starts:
        if start < walked_to:
            continue  # a sub-heading of a section already walked
        items, walked_to = _walk(lines, kinds, start, skip, max_preamble)
        if items and len(items) >= len(best):
            best = items
    return best


def _walk(
    lines: list[_Line], kinds: list[str | None], start: int, skip: int, max_preamble: int
) -> tuple[list[_Item], int]:
    """The numbered items from `start` to the end of the section (`kinds`: each line's
    heading kind), and where it ended."""
    heading = lines[start].text
    items: list[_Item] = []
    restart, closed, preamble = True, False, 0
    i = start + skip
    while i < len(lines):
        kind = kinds[i] if i > start else None
        if kind == "end":
            break
        text = lines[i].text
        if kind in ("rec", "sub"):  # "Recommendations for Northbridge Police": may restart
            heading, restart = text, True
        elif (marker := _MARKER.match(text)) and _in_sequence(marker, items, restart):
            number = int(marker["a"] or marker["b"] or marker["c"])
            cells = [cell for cell in text[marker.end() :].split("\t") if cell.strip()]
            main = max(cells, key=len, default="")  # in a table row, the longest cell
            others = [cell for cell in cells if cell is not main]
            items.append(_Item(number, heading, [main], others))
            restart = closed = False
        elif "\t" in text and _TABLE_HEADER.search(text):  # No. | Recommendation | Agency
            closed = True
        elif items and not closed:
            if lines[i].paragraph and text[:1].isupper() and any(items[-1].parts):
                items[-1].paragraphs += 1
                items[-1].parts.append(_PARAGRAPH)
            items[-1].parts.append(text)
        elif not items:
            preamble += 1
            if preamble > max_preamble:
                break
        i += 1
    if items and not any(item.paragraphs for item in items[:-1]):
        # One paragraph each: a paragraph after the last is the report's, not the item's.
        last = items[-1].parts
        del last[last.index(_PARAGRAPH) if _PARAGRAPH in last else len(last) :]
    for item in items:
        item.parts = [part for part in item.parts if part != _PARAGRAPH]
    return items, i


def _in_sequence(marker: re.Match[str], items: list[_Item], restart: bool) -> bool:
    number = int(marker["a"] or marker["b"] or marker["c"])
    if restart or not items:
        return number >= 1
    return items[-1].number < number <= items[-1].number + MAX_GAP


def _join(parts: list[str]) -> str:
    """The lines as one line, whitespace collapsed; "multi-" + "agency" is "multi-agency"."""
    pieces: list[str] = []
    for before, part in zip(["", *parts], parts, strict=False):
        hyphenated = before[-2:-1].isalpha() and before.endswith("-") and part[:1].islower()
        pieces.append(part if hyphenated else " " + part)
    return " ".join("".join(pieces).split())


# --- Who a recommendation is for --------------------------------------------------------

# A phrase in the text → words of which the first found in an agency's name picks it.
_ALIASES = tuple(
    (re.compile(pattern, re.I), needles)
    for pattern, needles in (
        (r"\bpolice\b|\bconstabulary\b", ("police", "constabulary")),
        (r"\bICB\b|\bintegrated care board\b", ("integrated care board", "icb")),
        (
            r"\bhealth (?:partners|agencies|services|providers)\b",
            ("integrated care board", "icb", "nhs", "health"),
        ),
        (
            r"\bchildren's (?:social care|services)\b|\bCSC\b",
            ("children's social care", "children's services", "social care", "council"),
        ),
        (
            r"\bthe (?:safeguarding (?:children )?)?partnership\b"
            r"|\bsafeguarding (?:children )?partners(?:hip)?\b",
            ("partnership",),
        ),
        (r"\bschools?\b|\beducation\b", ("education", "school")),
        (r"\bprobation\b", ("probation",)),
        (r"\bhousing\b", ("housing",)),
    )
)
_SUBJECT = re.compile(r"\s+(?:should|must|will|needs? to|is asked to|to)\b", re.I)
_PARTNERSHIP = re.compile(
    r"\b(?:the (?:safeguarding (?:children )?)?partnership|safeguarding (?:children )?partners"
    r"|the (?:statutory )?safeguarding partners)\s+(?:should|must|will|needs? to|is asked to)\b"
    r"|\brecommendations? (?:for|to) the (?:safeguarding )?partnership\b",
    re.I,
)


def addressed_to(text: str, agencies: Iterable[str]) -> str | None:
    """The agency that `text` names, spelt as in `agencies`: the one that "should" act if
    several are named, else the first named. "partnership" when none of `agencies` fits
    but the partnership is asked to act; else None."""
    text = text[:1000].replace("’", "'")  # an agency asked to act is named early on
    names = list(agencies)
    found: list[tuple[bool, int, int, str]] = []  # (not the subject, position, -length, name)
    lowered = [(name.replace("’", "'").casefold(), name) for name in names]
    for low, name in lowered:
        if match := re.search(rf"(?<!\w){re.escape(low)}(?!\w)", text, re.I):
            found.append(_candidate(text, match, name, exact=True))
    for alias, needles in _ALIASES:
        if match := alias.search(text):
            for needle in needles:
                agency = next((name for low, name in lowered if needle in low), None)
                if agency is not None:
                    found.append(_candidate(text, match, agency, exact=False))
                    break
    if found:
        return min(found)[3]
    return "partnership" if _PARTNERSHIP.search(text) else None


def _candidate(
    text: str, match: re.Match[str], name: str, exact: bool
) -> tuple[bool, int, int, str]:
    subject = bool(_SUBJECT.match(text, match.end()))
    return (not subject, match.start(), -len(name) if exact else 0, name)
