"""Monitoring of case reviews: the progress chart is an accessible SVG with every text
escaped; the board report is a PDF of only what its reader may see, audited, read in the
same number of queries however many reviews it covers."""

import datetime as dt
import io
import xml.etree.ElementTree as ET

import pypdf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.reviews import monitoring, selectors, services
from threadline.reviews.models import Action, ActionStatus, Review
from threadline.reviews.services import ProposedRecommendation

SVG = "{http://www.w3.org/2000/svg}"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _series(weeks=12, end=dt.date(2026, 11, 29)):
    """A made-up progress(): two more actions each week, closing one a week from week 6."""
    series = []
    for w in range(weeks):
        closed = max(0, w - 5)
        counts = {s: 0 for s in ActionStatus}
        counts[ActionStatus.CLOSED] = closed
        counts[ActionStatus.IN_PROGRESS] = 2 * w - closed
        counts[ActionStatus.NOT_STARTED] = 2 if w else 0
        series.append((end - dt.timedelta(weeks=weeks - 1 - w), counts))
    return series


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 (our own output; it must be well-formed XML)


def _texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text")]


def test_the_progress_chart_is_an_svg_with_a_text_alternative_and_a_bar_a_week():
    series = _series()
    svg = _parse(monitoring.progress_chart_svg(series, title="Progress of actions"))

    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    assert svg.get("viewBox") == "0 0 960 308" and svg.get("width") == "100%"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title.text == "Progress of actions"
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert desc.text == (
        "12 weeks to 29 Nov 2026: 6 of 24 actions closed, 6 evidenced or closed."
        " At 29 Nov 2026: 2 not started, 16 in progress, 0 done — awaiting evidence,"
        " 0 evidenced, 6 closed. At 13 Sep 2026: 0 actions, 0 closed."
    )
    weeks = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "app-progress-chart__week"]
    assert len(weeks) == 11  # the first week has no actions: no bar
    assert weeks[-1].find(f"{SVG}title").text == (
        "Week to 29 Nov 2026: 24 actions (2 not started, 16 in progress, 6 closed)"
    )
    texts = _texts(svg)
    assert {"Not started", "In progress", "Done — awaiting evidence", "Closed"} <= set(texts)
    assert "29 Nov" in texts and "13 Sep" in texts and "2026" in texts  # week labels
    assert {"0", "5", "10", "25"} <= set(texts) and "30" not in texts  # the count axis


def test_the_chart_escapes_its_title_and_says_when_there_is_nothing_to_show():
    empty = [(day, {s: 0 for s in ActionStatus}) for day, _ in _series(weeks=3)]
    markup = monitoring.progress_chart_svg(empty, title='Child <R> & "S"')

    svg = _parse(markup)
    assert svg.find(f"{SVG}title").text == 'Child <R> & "S"'
    assert "Child &lt;R&gt; &amp;" in markup
    assert svg.find(f"{SVG}desc").text == "3 weeks to 29 Nov 2026: no actions yet."
    assert "No actions to show" in _texts(svg)
    nothing = _parse(monitoring.progress_chart_svg([], title="x"))
    assert nothing.find(f"{SVG}desc").text == "No weeks to show."


# --- the board report ---------------------------------------------------------------------


def _action(actor, recommendation, description, owner=None, overdue_days=0):
    action = services.add_action(
        actor=actor,
        recommendation=recommendation,
        description=description,
        owner=owner or actor,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        measure_of_success="Dip sample",
    )
    if overdue_days:
        Action.objects.filter(pk=action.pk).update(
            due_on=timezone.localdate() - dt.timedelta(days=overdue_days)
        )
    return action


def _close(action, partnership, lead):
    services.add_evidence(
        actor=lead,
        action=action,
        files=[SimpleUploadedFile("e.pdf", PDF, content_type="application/pdf")],
    )
    services.update_action(actor=lead, action=action, status="awaiting_evidence", rag="green")
    services.decide_evidence(actor=partnership, action=action, accept=True)
    services.close_action(actor=partnership, action=action)


def _review(open_review, partnership, police_lead, world, title="Child R"):
    """A review with a recommendation to the police (one action closed, one overdue) and
    one to children's social care (an action the police may not see)."""
    review = open_review(title=title)
    to_police, to_social_care = services.add_recommendations(
        actor=partnership,
        review=review,
        items=[
            ProposedRecommendation(1, "Police refer every domestic incident", police_lead.agency),
            ProposedRecommendation(2, "Ask about new partners", world.social_care),
        ],
    )
    _close(_action(police_lead, to_police, "Brief response officers"), partnership, police_lead)
    _action(police_lead, to_police, "Audit call handling", overdue_days=4)
    _action(
        world.safeguarding_lead,
        to_social_care,
        "Add a new-partner question to assessments",
        owner=world.social_worker,
    )
    return review


def _text(document) -> str:
    assert document.content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(document.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_board_report_shows_figures_agencies_overdue_actions_and_each_review(
    world, open_review, partnership, police_lead
):
    review = _review(open_review, partnership, police_lead, world)
    document = monitoring.board_report(actor=partnership, reviews=Review.objects.all())

    assert document.content_type == "application/pdf"
    assert document.filename == f"board-report-{timezone.localdate().isoformat()}.pdf"
    text = _text(document)
    assert "Northmoor Safeguarding Children Partnership" in text
    assert "1 review: 1 open, 0 published, 0 closed" in text
    assert "3 actions; 1 overdue; 33% evidenced or closed (1 of 3)" in text
    assert "Child R" in text and "Rapid review" in text
    assert "Northmoor Police" in text and "Northmoor Children's Social Care" in text
    assert "Audit call handling" in text and "4 days overdue" in text
    assert "Add a new-partner question to assessments" in text
    assert "Notify the serious incident to the national Panel" in text  # an open clock task
    event = AuditEvent.objects.get(action="export")
    assert event.summary == "Exported the board report (1 review)"
    assert (event.object_id, event.actor) == (str(review.pk), partnership)


def test_the_board_report_holds_only_what_its_reader_may_see(
    world, open_review, partnership, police_lead
):
    _review(open_review, partnership, police_lead, world)
    open_review(title="Child S")  # nothing asked of the police

    # The caller passes every review: the report narrows it to the policy's.
    text = _text(monitoring.board_report(actor=police_lead, reviews=Review.objects.all()))
    assert "Child R" in text and "Audit call handling" in text
    assert "Child S" not in text
    assert "Add a new-partner question" not in text  # children's social care's own action
    assert "2 actions; 1 overdue" in text

    nothing = monitoring.board_report(actor=world.outsider, reviews=Review.objects.all())
    assert "0 reviews" in _text(nothing)
    assert AuditEvent.objects.filter(
        action="export", summary="Exported the board report (0 reviews)", object_id=""
    ).exists()


def test_the_board_report_reads_as_many_queries_for_three_reviews_as_for_one(
    world, open_review, partnership, police_lead
):
    _review(open_review, partnership, police_lead, world)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            monitoring.board_report(actor=partnership, reviews=Review.objects.all())
        return len(captured)

    one = queries()
    for title in ("Child S", "Child T"):
        _review(open_review, partnership, police_lead, world, title=title)
    assert selectors.actions_visible_to(partnership).count() == 9
    assert queries() == one
