"""Recommendations found in messy review documents: plain text in several layouts, Word
and PDF files made here, who each recommendation is for, and files that cannot be read.
The reviews, children, places and agencies are invented."""

import io
import re
import string

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from threadline.reviews.extraction import (
    MAX_BYTES,
    ExtractionError,
    Proposed,
    addressed_to,
    document_text,
    extract,
)

POLICE = "Northbridge Police"
TRUST = "Riverside NHS Foundation Trust"
PARTNERSHIP = "Northbridge Safeguarding Children Partnership"
CSC = "Northbridge Children's Social Care"
ICB = "Northbridge and Westmere Integrated Care Board"
AGENCIES = [POLICE, TRUST, PARTNERSHIP, CSC, ICB]
TITLE = "Child Safeguarding Practice Review: Child P"


def numbers_and_texts(found: list[Proposed]) -> list[tuple[int, str]]:
    return [(p.number, p.text) for p in found]


# --- Plain-text layouts -----------------------------------------------------------------


def test_tab_separated_numbers_after_numbered_findings():
    text = (
        f"{TITLE}\n\nFindings\n\n1.\tAgencies did not share what they knew about Mr K.\n"
        "2.\tPoppy's voice was not heard.\n\nRecommendations for the partnership\n\n"
        "1\tNorthbridge Police should ensure that domestic abuse notifications\n"
        "\treach Poppy's school within 24 hours.\n"
        "2\tThe ICB should commission multi-\n\tagency training on neglect.\n\n"
        "Appendix A: Glossary\n1.\tMASH: multi-agency safeguarding hub.\n"
    )
    assert extract(text, AGENCIES) == [
        Proposed(
            1,
            "Northbridge Police should ensure that domestic abuse notifications reach "
            "Poppy's school within 24 hours.",
            POLICE,
        ),
        Proposed(2, "The ICB should commission multi-agency training on neglect.", ICB),
    ]


def test_page_breaks_inside_a_recommendation_with_running_headers_and_footers():
    text = (
        f"{TITLE}\nOFFICIAL-SENSITIVE\nThe review was commissioned in May.\n"
        "RECOMMENDATIONS\n1) The partnership should review the escalation\npolicy so that\n"
        f"Page 12 of 30\nOFFICIAL-SENSITIVE\f{TITLE}\nOFFICIAL-SENSITIVE\n"
        "practitioners know how to challenge decisions.\n"
        "2) Riverside NHS Foundation Trust should make sure that health\n"
        "visitors see the baby\n13\f\n"
        f"{TITLE}\nOFFICIAL-SENSITIVE\nalone at every contact.\n\nReferences\n"
        "1) Working Together to Safeguard Children.\nPage 14 of 30\nOFFICIAL-SENSITIVE\n"
    )
    assert numbers_and_texts(extract(text)) == [
        (
            1,
            "The partnership should review the escalation policy so that practitioners "
            "know how to challenge decisions.",
        ),
        (
            2,
            "Riverside NHS Foundation Trust should make sure that health visitors see the "
            "baby alone at every contact.",
        ),
    ]


def test_recommendation_labels_with_sub_items():
    text = (
        "Learning\nPractitioners were over-optimistic.\n\nRecommendations\n\n"
        "Recommendation 1: Northbridge Children’s Social Care should:\n"
        "(i) review how pre-birth assessments are started;\n"
        "(ii) audit ten plans a year.\n"
        "Recommendation 2\nThe police should share records with:\n"
        "(a) health visitors; and\n(b) the school nurse.\n"
        "Glossary\nCSC: children's social care.\n"
    )
    assert extract(text, AGENCIES) == [
        Proposed(
            1,
            "Northbridge Children’s Social Care should: (i) review how pre-birth assessments "
            "are started; (ii) audit ten plans a year.",
            CSC,
        ),
        Proposed(
            2,
            "The police should share records with: (a) health visitors; and (b) the school nurse.",
            POLICE,
        ),
    ]


def test_skipped_numbering_and_the_report_s_own_paragraph_after_the_list():
    text = (
        "Recommendations\n1. Audit neglect referrals.\n2. Train GPs on coercive control.\n"
        "4. Publish the learning within\n2.5 months.\n\nThe partnership will respond "
        "within three months.\n\nSigned\n"
    )
    assert numbers_and_texts(extract(text)) == [
        (1, "Audit neglect referrals."),
        (2, "Train GPs on coercive control."),
        (4, "Publish the learning within 2.5 months."),
    ]


def test_markup_remnants_are_cleaned():
    text = (
        "<h2>Recommendations</h2>\n"
        "**1.**\u00a0The partnership should <i>strengthen</i> the &amp; front door "
        "{ PAGE \\* MERGEFORMAT }arrangements.\n"
        "<p><b>2.</b> Northbridge Police should re\u00adview • the MARAC refer\u00ad\nral "
        'process (see HYPERLINK "https://example.org/marac" the protocol).</p>\n'
        "3\u00a0– Health partners should\u200b act.\n"
    )
    assert numbers_and_texts(extract(text)) == [
        (1, "The partnership should strengthen the & front door arrangements."),
        (2, "Northbridge Police should review the MARAC referral process (see the protocol)."),
        (3, "Health partners should act."),
    ]


def test_section_ends_at_the_next_heading_and_skips_the_contents_page():
    text = (
        "Contents\n1. Introduction 3\n2. Findings 5\n3. Recommendations 9\n4. Appendix 11\n\f"
        "1. Introduction\nThe partnership agreed terms of reference:\n1. Why was Poppy not "
        "seen?\n2. Was the plan followed?\n\f3. Recommendations\n"
        "3.1 The partnership should test its threshold document.\n"
        "3.2 Schools should record every concern.\n4. Appendix\n4.1 Terms of reference.\n"
    )
    assert numbers_and_texts(extract(text)) == [
        (1, "The partnership should test its threshold document."),
        (2, "Schools should record every concern."),
    ]


def test_sub_headings_by_agency_restart_numbering_and_suggest_the_addressee():
    text = (
        "Recommendations for Northbridge Police\nR1 Review call handling.\n"
        "R2 Train response officers.\n\nRecommendations for the partnership\n"
        "R1 Publish a neglect strategy.\nFor Riverside NHS Foundation Trust\n"
        "R2 Audit supervision.\n\nNext steps\n"
    )
    assert extract(text, AGENCIES) == [
        Proposed(1, "Review call handling.", POLICE),
        Proposed(2, "Train response officers.", POLICE),
        Proposed(1, "Publish a neglect strategy.", PARTNERSHIP),
        Proposed(2, "Audit supervision.", TRUST),
    ]


def test_a_numbered_list_after_recommend_without_a_heading():
    text = (
        "Introduction\nPoppy was two.\n1. She lived with her mother.\n\n"
        "Having considered the findings, the panel recommends that:\n"
        "1. the partnership seeks assurance on neglect; and\n"
        "2. schools record concerns within a day.\n\nConclusion\nPoppy deserved better.\n"
    )
    assert numbers_and_texts(extract(text)) == [
        (1, "the partnership seeks assurance on neglect; and"),
        (2, "schools record concerns within a day."),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Findings\n1. Agencies did not share information.\n2. Poppy was not seen alone.\n",
        "Recommendations\nThe partnership will publish its response in the autumn.\n",
        "",
    ],
)
def test_no_recommendations(text):
    assert extract(text) == []


# --- Who a recommendation is for --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NORTHBRIDGE POLICE should audit call handling.", POLICE),
        ("The police should audit call handling.", POLICE),
        ("The ICB should commission training.", ICB),
        ("Health partners should review supervision.", ICB),
        ("Children’s social care should review pre-birth work.", CSC),
        ("The partnership should test the threshold document.", PARTNERSHIP),
        ("Safeguarding partners should seek assurance.", PARTNERSHIP),
        ("Working with Riverside NHS Foundation Trust, the police should act.", POLICE),
        ("GPs should ask about fathers.", None),
    ],
)
def test_addressed_to_an_agency(text, expected):
    assert addressed_to(text, AGENCIES) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The partnership should test the threshold document.", "partnership"),
        ("Safeguarding partners should seek assurance.", "partnership"),
        ("The police should audit call handling.", None),
    ],
)
def test_addressed_to_without_a_matching_agency(text, expected):
    assert addressed_to(text, ["Farshire Probation"]) == expected


# --- Word and PDF files -----------------------------------------------------------------


def docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_paragraphs_automatic_numbers_and_a_recommendations_table():
    document = docx.Document()
    document.add_heading(TITLE, 0)
    document.add_heading("Findings", 1)
    document.add_paragraph("Finding 1: nobody saw Poppy alone.")
    document.add_heading("Recommendations", 1)
    document.add_paragraph("Automatically numbered, as Word does:")
    document.add_paragraph("The partnership should review the escalation policy.", "List Number")
    document.add_paragraph(
        "Riverside NHS Foundation Trust should audit supervision.", "List Number"
    )
    document.add_heading("Recommendations for individual agencies", 2)
    table = document.add_table(rows=3, cols=3)
    rows = [
        ("No.", "Recommendation", "Lead agency"),
        ("3", "Record every concern about fathers.", POLICE),
        ("4", "Ask Poppy's school what it knows.\n(i) before each conference", "All"),
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_heading("Appendix A: Glossary", 1)
    document.add_paragraph("MASH: multi-agency safeguarding hub.", "List Number")

    text = document_text(docx_bytes(document), "review.docx")

    assert extract(text, AGENCIES) == [
        Proposed(1, "The partnership should review the escalation policy.", PARTNERSHIP),
        Proposed(2, "Riverside NHS Foundation Trust should audit supervision.", TRUST),
        Proposed(3, "Record every concern about fathers.", POLICE),
        Proposed(4, "Ask Poppy's school what it knows. (i) before each conference", None),
    ]


PDF_HTML = """<html><head><style>
@page {{ size: A5; margin: 2cm;
  @top-center {{ content: "{title}"; font-size: 8pt }}
  @bottom-center {{ content: "Page " counter(page) " of " counter(pages); font-size: 8pt }} }}
body {{ font-family: sans-serif; font-size: 10pt }}
</style></head><body>
<h1>{title}</h1>
<h2>Findings</h2>
<ol><li>Agencies did not share information about Mr K.</li>
<li>Nobody asked Poppy what life was like at home.</li></ol>
<h2>Recommendations</h2>
<p>The review makes three recommendations.</p>
<ol>
<li>The partnership should <b>review</b> its escalation policy so that practitioners
&amp; managers know how to challenge decisions.</li>
<li>Northbridge Police should make sure that domestic abuse notifications reach the
child's school and health visitor within one working day,
<p style="break-before: page; margin: 0">including at weekends and on bank holidays.</p></li>
<li>Riverside NHS Foundation Trust should audit safeguarding supervision for midwives.</li>
</ol>
<h2>Appendix A: Glossary</h2>
<ol><li>MARAC: multi-agency risk assessment conference.</li></ol>
</body></html>"""


@pytest.fixture(scope="module")
def review_pdf() -> bytes:
    return HTML(string=PDF_HTML.format(title=TITLE)).write_pdf()


def test_pdf_with_a_page_break_inside_a_recommendation(review_pdf):
    text = document_text(review_pdf, "review.pdf")

    assert len(PdfReader(io.BytesIO(review_pdf)).pages) == 2
    assert extract(text, AGENCIES) == [
        Proposed(
            1,
            "The partnership should review its escalation policy so that practitioners & "
            "managers know how to challenge decisions.",
            PARTNERSHIP,
        ),
        Proposed(
            2,
            "Northbridge Police should make sure that domestic abuse notifications reach the "
            "child's school and health visitor within one working day, including at weekends "
            "and on bank holidays.",
            POLICE,
        ),
        Proposed(
            3,
            "Riverside NHS Foundation Trust should audit safeguarding supervision for midwives.",
            TRUST,
        ),
    ]


def encrypted(pdf: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password, "owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_protected_only_against_editing_is_read(review_pdf):
    text = document_text(encrypted(review_pdf, ""), "review.pdf")
    assert [p.number for p in extract(text)] == [1, 2, 3]


# --- Plain-text encodings and unreadable files ------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "\ufeffRecommendations\n1. Ask Zoë’s father.\n".encode(),
        "Recommendations\n1. Ask Zoë’s father.\n".encode("cp1252"),
        "Recommendations\n1. Ask Zoë’s father.\n".encode("utf-16"),
    ],
)
def test_text_encodings(content):
    assert extract(document_text(content, "review.txt")) == [Proposed(1, "Ask Zoë’s father.", None)]


def zip_with(name: str, data: bytes) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"a" * (MAX_BYTES + 1), "review.txt", "The file is larger than 10 MB"),
        (bytes(range(256)) * 40, "review.txt", "not a plain-text, Word (.docx) or PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "scan.png", "not a plain-text, Word"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", "review.pdf", "not a readable PDF"),
        (zip_with("word/document.xml", b"<not-xml"), "review.docx", "not a readable Word"),
        (zip_with("content.xml", b"<office/>"), "review.odt", "not a plain-text, Word"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "review.doc", "save it as .docx"),
    ],
)
def test_unreadable_files(content, filename, message):
    with pytest.raises(ExtractionError, match=re.escape(message)):
        document_text(content, filename)


def test_password_protected_pdf(review_pdf):
    with pytest.raises(ExtractionError, match="password-protected"):
        document_text(encrypted(review_pdf, "open-sesame"), "review.pdf")


def test_a_pdf_without_text_may_be_a_scan():
    with pytest.raises(ExtractionError, match="may be a scanned image"):
        document_text(HTML(string="<p></p>").write_pdf(), "scan.pdf")


# --- Any layout of any list -------------------------------------------------------------

WORD = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=9)
# Each recommendation's first word, one each: never a heading's word ("Endnotes").
SUBJECTS = ["Northbridge", "Riverside", "Westmere", "Agencies", "Schools", "Practitioners"]
DRESS = st.sampled_from(["{}", "{}", "{}", "{},", "({})", "{}'s", "{}-{}", "{}.", "{};"])


@st.composite
def review_documents(draw) -> tuple[str, list[tuple[int, str]]]:
    """A review whose recommendations are laid out at random, and what they say: every
    word is different, so no line of a recommendation repeats like a running header."""
    sizes = draw(st.lists(st.integers(1, 25), min_size=1, max_size=6))
    words = iter(
        draw(st.lists(WORD, min_size=2 * sum(sizes), max_size=2 * sum(sizes), unique=True))
    )
    subjects = iter(draw(st.permutations(SUBJECTS)))
    items, number = [], 0
    for size in sizes:
        dressed = [next(subjects)] + [
            draw(DRESS).format(next(words), next(words)) for _ in range(size)
        ]
        number += draw(st.integers(1, 3))
        items.append((number, " ".join(dressed)))
    label = draw(st.sampled_from(["{}. ", "{}) ", "{}\t", "{} ", "Recommendation {}: ", "R{} "]))
    width = draw(st.integers(12, 90))
    indent = draw(st.sampled_from(["", "\t", "   "]))
    lines: list[str] = []
    for number, text in items:
        first, *rest = wrap(text, width)
        first = label.format(number) + first
        lines += [first, *(indent + line for line in rest)]
        if draw(st.booleans()):
            lines.append("")
    breaks = draw(st.sets(st.integers(1, len(lines) - 1), max_size=4)) if len(lines) > 1 else set()
    footer = draw(st.sampled_from(["Page {} of {}", "{}", "- {} -", "Northbridge SCP | {}"]))
    pages, page = [], [TITLE, "Findings", "1. Agencies did not share.", "Recommendations"]
    for i, line in enumerate(lines):
        if i in breaks:
            pages.append(page)
            page = [TITLE]
        page.append(line)
    pages.append([*page, "Appendix A: Glossary", "1. MASH: multi-agency safeguarding hub."])
    text = "\f".join(
        "\n".join([*page, footer.format(n, len(pages))]) for n, page in enumerate(pages, 1)
    )
    return text.replace("\n", draw(st.sampled_from(["\n", "\r\n"]))), items


def wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(review_documents())
def test_any_layout_gives_back_the_same_numbers_and_texts(document):
    text, items = document
    assert numbers_and_texts(extract(text)) == [(n, " ".join(t.split())) for n, t in items]
