"""The case-review pages: opening a review, its page, the agencies' reports, the review
chronology, recommendations typed in or extracted from the review document (nothing
saved before it is confirmed), action plans closed on evidence, monitoring and search;
the GOV.UK error summary when a service refuses; who may do what; audited downloads."""

import datetime as dt
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.notices.models import NoticeRecipient
from threadline.reviews import services
from threadline.reviews.models import Action, AgencyReport, Recommendation, Review
from threadline.reviews.services import ProposedRecommendation
from threadline.web.demo import fictional_nhs_number

from ..web.test_pages import date_fields, error_summary, text

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REVIEW_DOCUMENT = b"""Child R: a rapid review

Introduction
Riley was taken to hospital with a head injury.

Recommendations

1. Northmoor Police should refer every domestic incident at an address with children
to the front door within 24 hours.
2. The partnership should audit multi-agency referrals every six months.

Conclusion
The panel thanks the family.
"""


def page(response) -> str:
    return unescape(text(response))


def problems(response) -> list[str]:
    return [unescape(message) for message in error_summary(response)]


def url(name: str, record=None, **kwargs) -> str:
    if record is None:
        return reverse(name, kwargs=kwargs)
    key = {
        Review: "review_id",
        AgencyReport: "report_id",
        Recommendation: "recommendation_id",
        Action: "action_id",
    }[type(record)]
    return reverse(name, kwargs={key: record.pk, **kwargs})


def pdf(name="report.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def officer(partnership):
    """The partnership officer's browser (a client of its own: tests sign others in on
    `client`)."""
    browser = Client()
    browser.force_login(partnership)
    return browser


@pytest.fixture
def review(open_review):
    return open_review()


@pytest.fixture
def asked(review, partnership, police_lead):
    """The police asked for their report, and addressed a recommendation."""
    (report,) = services.request_reports(
        actor=partnership,
        review=review,
        agencies=[police_lead.agency],
        due_on=TODAY + dt.timedelta(days=20),
    )
    (recommendation,) = services.add_recommendations(
        actor=partnership,
        review=review,
        items=[ProposedRecommendation(1, "Police refer every incident", police_lead.agency)],
    )
    return report, recommendation


def new_review(world, **fields) -> dict:
    return {
        "title": "Child R",
        "review_type": "rapid_review",
        "incident_summary": "Riley was taken to hospital with a serious head injury.",
        **date_fields("incident_on", TODAY - dt.timedelta(days=3)),
        **date_fields("aware_on", TODAY - dt.timedelta(days=2)),
        "children": fictional_nhs_number(5),
        **date_fields("scope_from", dt.date(2025, 2, 1)),
        **date_fields("scope_to", TODAY - dt.timedelta(days=3)),
        "terms_of_reference": "How did agencies share what they knew?\nWho saw Riley?",
        "panel": [str(world.team_manager.pk)],
        **fields,
    }


# --- opening a review and its page --------------------------------------------------------


def test_a_partnership_officer_opens_a_review_for_a_child(officer, world, household, partnership):
    world.child.nhs_number = fictional_nhs_number(5)
    world.child.save()
    listing = page(officer.get(url("review-list")))
    assert "Open a review" in listing and "There are no case reviews you can see" in listing
    assert "Team manager" in page(officer.get(url("review-create")))
    response = officer.post(url("review-create"), new_review(world))
    review = Review.objects.get()
    assert response["Location"] == review.get_absolute_url()
    assert list(review.children.all()) == [world.child]
    assert {(m.practitioner, m.role) for m in review.panel.all()} == {
        (partnership, "chair"),
        (world.team_manager, "member"),
    }
    shown = page(officer.get(response["Location"]))
    assert "Rapid review: Child R opened" in shown
    assert "3 people's records are under legal hold for this review" in shown
    assert "Dean Voss (Household of Riley Marsh)" in shown  # managers see who is held
    assert "Notify the serious incident to the national Panel" in shown
    assert "Complete the rapid review and send it to the Panel" in shown
    assert "Who saw Riley?" in shown
    assert "Child R Rapid review Open" in page(officer.get(url("review-list")))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"children": "999 000 0000"}, "No child with NHS number 999 000 0000"),
        ({"title": ""}, "Enter how the review names the child"),
        ({"review_type": ""}, "Choose the kind of review"),
        (
            date_fields("scope_to", dt.date(2025, 1, 1)),
            "The scope period must end after it starts",
        ),
    ],
)
def test_a_bad_review_shows_the_error_summary_and_saves_nothing(
    officer, world, household, fields, message
):
    world.child.nhs_number = fictional_nhs_number(5)
    world.child.save()
    response = officer.post(url("review-create"), new_review(world, **fields))
    assert response.status_code == 200
    assert message in problems(response)
    assert "Error: Open a review" in response.content.decode()
    assert not Review.objects.exists()


def test_only_a_partnership_officer_opens_a_review(client, world):
    client.force_login(world.safeguarding_lead)
    assert "Open a review" not in page(client.get(url("review-list")))
    assert client.get(url("review-create")).status_code == 403
    assert client.post(url("review-create"), new_review(world)).status_code == 403
    assert not Review.objects.exists()


def test_who_sees_a_review(client, world, review, police_lead, partnership):
    client.force_login(police_lead)
    assert client.get(url("review-detail", review)).status_code == 404
    services.request_reports(
        actor=partnership,
        review=review,
        agencies=[police_lead.agency],
        due_on=TODAY + dt.timedelta(days=5),
    )
    shown = page(client.get(url("review-detail", review)))
    assert "3 people's records are under legal hold" in shown
    assert "Dean Voss" not in shown  # the names are for the partnership
    assert "Case reviews" in shown  # the menu item, for a safeguarding lead
    assert "Request agency reports" not in shown and "Close the review" not in shown
    event = AuditEvent.objects.filter(action="view", object_id=str(review.pk)).last()
    assert event.actor == police_lead and event.child_id == world.child.pk
    client.force_login(world.outsider)
    assert client.get(url("review-detail", review)).status_code == 404
    assert client.post(url("review-detail", review)).status_code == 405


def test_milestones_and_their_errors(officer, review):
    form = page(officer.get(url("review-detail", review)))
    assert "Record what happened" in form
    fields = {"milestone-milestone": "notified", **date_fields("milestone-on", review.aware_on)}
    response = officer.post(url("review-milestone", review), fields)
    assert response["Location"] == review.get_absolute_url()
    review.refresh_from_db()
    assert review.notified_on == review.aware_on
    early = date_fields("milestone-on", review.aware_on - dt.timedelta(days=1))
    refused = officer.post(
        url("review-milestone", review),
        {"milestone-milestone": "rapid_review_completed", **early},
    )
    assert problems(refused)[0].startswith("This date cannot be before the local authority")


def test_a_review_closes_only_when_every_action_is_closed(officer, review, asked, police_lead):
    _, recommendation = asked
    services.add_action(
        actor=police_lead,
        recommendation=recommendation,
        description="Brief officers",
        owner=police_lead,
        due_on=TODAY + dt.timedelta(days=30),
        measure_of_success="Dip sample",
    )
    refused = officer.post(url("review-close", review))
    assert refused.status_code == 200
    assert problems(refused)[0].startswith("1 action is not closed yet")
    review.refresh_from_db()
    assert review.status == "open"


# --- agencies' reports --------------------------------------------------------------------


def test_reports_requested_submitted_returned_and_read(
    client, officer, world, review, police_lead, partnership
):
    refused = officer.post(url("review-reports-request", review), {"agencies": []})
    assert set(problems(refused)) == {
        "Choose the agencies to ask",
        "Enter the date the reports are due",
    }
    response = officer.post(
        url("review-reports-request", review),
        {
            "agencies": [str(police_lead.agency.pk)],
            **date_fields("due_on", TODAY + dt.timedelta(days=20)),
        },
    )
    assert response["Location"] == review.get_absolute_url()
    report = AgencyReport.objects.get()
    assert NoticeRecipient.objects.filter(practitioner=police_lead).exists()

    client.force_login(police_lead)
    assert "Send your agency's report" in page(client.get(url("review-report", report)))
    answers = {
        "what_was_known": "Two domestic incidents.",
        "when_known": "March 2026.",
        "what_was_done": "DASH risk assessments.",
        "what_differently": "Refer every incident.",
    }
    refused = client.post(url("review-report-submit", report), answers | {"when_known": ""})
    assert set(problems(refused)) == {"Say when it knew", "Attach the report"}
    response = client.post(url("review-report-submit", report), answers | {"document": pdf()})
    assert response["Location"] == url("review-report", report)
    report.refresh_from_db()
    assert report.status == "submitted"

    downloaded = officer.get(url("review-report-document", report))
    assert downloaded.status_code == 200 and b"".join(downloaded.streaming_content) == PDF
    assert AuditEvent.objects.filter(
        action="export", actor=partnership, summary__startswith="Downloaded report.pdf"
    ).exists()
    refused = officer.post(url("review-report-assure", report), {"decision": "return"})
    assert problems(refused) == ["Say what the report needs"]
    officer.post(
        url("review-report-assure", report), {"decision": "return", "quality_note": "Add logs"}
    )
    report.refresh_from_db()
    assert (report.status, report.quality_note) == ("returned", "Add logs")

    # Another agency asked sees the review, not the police's report.
    services.request_reports(
        actor=partnership,
        review=review,
        agencies=[world.social_care],
        due_on=TODAY + dt.timedelta(days=20),
    )
    client.force_login(world.team_manager)
    assert client.get(url("review-detail", review)).status_code == 200
    assert client.get(url("review-report", report)).status_code == 403
    assert client.get(url("review-report-document", report)).status_code == 403
    client.force_login(world.health_visitor)
    assert client.get(url("review-report-document", report)).status_code == 404


# --- the review chronology ----------------------------------------------------------------


def test_the_review_chronology_its_exports_and_an_agency_s_entry(
    client, officer, world, review, asked, police_lead
):
    client.force_login(police_lead)
    assert client.get(url("review-chronology", review)).status_code == 403  # not the panel
    assert "Add an entry to the review chronology" in page(client.get(url("review-detail", review)))
    entry = {
        **date_fields("event_date", TODAY - dt.timedelta(days=20)),
        "event_precision": "day",
        "entry_type": "incident",
        "summary": "Domestic incident: Dean Voss arrested",
        "significance": "critical",
    }
    refused = client.post(url("review-entry-create", review), entry | {"summary": ""})
    assert "Enter a short summary of what happened" in problems(refused)
    response = client.post(url("review-entry-create", review), entry)
    assert response["Location"] == review.get_absolute_url()

    shown = page(officer.get(url("review-chronology", review)))
    assert "Domestic incident: Dean Voss arrested" in shown and "Northmoor Police" in shown
    exported = officer.get(url("review-chronology-export", review, fmt="csv"))
    assert exported["Content-Type"].startswith("text/csv")
    assert b"Dean Voss arrested" in exported.content
    assert AuditEvent.objects.filter(action="export", summary__contains="as CSV").exists()


# --- recommendations ----------------------------------------------------------------------


def test_a_typed_recommendation_and_its_errors(officer, review, asked, police_lead):
    fields = {
        "number": "1",
        "text": "Audit referrals",
        "addressed_to": "partnership",
        "themes": "Information sharing, Referrals",
        "rule_id": "",
    }
    refused = officer.post(url("review-recommendation-create", review), fields)
    assert problems(refused) == ["Recommendation 1 already exists in this review"]
    response = officer.post(url("review-recommendation-create", review), fields | {"number": "2"})
    assert response["Location"] == review.get_absolute_url()
    saved = Recommendation.objects.get(number=2)
    assert saved.addressed_to == review.partnership and not saved.extracted
    assert sorted(t.name for t in saved.themes.all()) == ["Information sharing", "Referrals"]


def test_recommendations_extracted_from_a_document_are_saved_only_when_confirmed(
    officer, review, police_lead
):
    upload = SimpleUploadedFile("child-r.txt", REVIEW_DOCUMENT, content_type="text/plain")
    proposed = officer.post(url("review-recommendation-extract", review), {"document": upload})
    assert proposed.status_code == 200
    shown = page(proposed)
    assert "Check the recommendations" in shown and "2 recommendations found" in shown
    assert "Northmoor Police should refer every domestic incident" in shown
    assert not Recommendation.objects.exists()  # nothing saved yet

    confirm = {
        "count": "2",
        "include_1": "on",
        "number_1": "1",
        "text_1": "Northmoor Police should refer every domestic incident within 24 hours.",
        "addressed_to_1": str(police_lead.agency.pk),
        "number_2": "2",
        "text_2": "The partnership should audit referrals.",
        "addressed_to_2": "partnership",
    }
    refused = officer.post(
        url("review-recommendation-extract", review), confirm | {"addressed_to_1": ""}
    )
    assert problems(refused) == ["Recommendation 1: choose who it is addressed to"]
    assert not Recommendation.objects.exists()
    response = officer.post(url("review-recommendation-extract", review), confirm)
    assert response["Location"] == review.get_absolute_url()
    (saved,) = Recommendation.objects.all()  # the second was left out
    assert (saved.number, saved.addressed_to, saved.extracted) == (1, police_lead.agency, True)
    assert saved.text.endswith("within 24 hours.")
    told = NoticeRecipient.objects.filter(practitioner=police_lead)
    assert told.filter(notice__title__startswith="Recommendations for your agency").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Minutes of the panel.\nNothing numbered here.\n", "No numbered recommendations"),
        (b"\x00\x01\x02\x03binary" * 20, "The file is not a plain-text, Word (.docx) or PDF"),
    ],
)
def test_a_document_without_recommendations_is_an_error_on_the_upload(
    officer, review, content, message
):
    upload = SimpleUploadedFile("review.txt", content, content_type="text/plain")
    refused = officer.post(url("review-recommendation-extract", review), {"document": upload})
    assert refused.status_code == 200
    assert problems(refused)[0].startswith(message)
    assert "Error: Extract recommendations" in refused.content.decode()
    assert not Recommendation.objects.exists()


# --- action plans -------------------------------------------------------------------------


def test_an_action_from_the_agency_s_plan_to_its_closure(
    client, officer, world, asked, police_lead
):
    _, recommendation = asked
    client.force_login(police_lead)
    form = page(client.get(url("review-recommendation", recommendation)))
    assert "Add an action" in form and "Change the recommendation" not in form
    action_fields = {
        "description": "Brief every response officer",
        "owner": str(police_lead.pk),
        **date_fields("due_on", TODAY + dt.timedelta(days=30)),
        "measure_of_success": "Dip sample of 20 incidents",
    }
    refused = client.post(
        url("review-action-create", recommendation), action_fields | {"owner": ""}
    )
    assert problems(refused) == ["Choose who owns the action"]
    client.post(url("review-action-create", recommendation), action_fields)
    action = Action.objects.get()

    done = {"update-status": "awaiting_evidence", "update-rag": "green"}
    refused = client.post(url("review-action-update", action), done)
    assert problems(refused) == ["Attach evidence before marking the action as done"]
    client.post(
        url("review-action-evidence-add", action), {"evidence-documents": pdf("briefing.pdf")}
    )
    response = client.post(url("review-action-update", action), done)
    assert response["Location"] == action.get_absolute_url()
    evidence = action.evidence.get()

    got = officer.get(url("review-action-evidence", action, evidence_id=evidence.pk))
    assert b"".join(got.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="export", object_id=str(evidence.pk)).exists()
    assert (
        client.post(url("review-action-decide", action), {"decide-decision": "accept"}).status_code
        == 403
    )
    refused = officer.post(url("review-action-decide", action), {"decide-decision": "return"})
    assert problems(refused) == ["Say what evidence is missing"]
    officer.post(url("review-action-decide", action), {"decide-decision": "accept"})
    officer.post(url("review-action-close", action), {"close-note": "Good evidence"})
    action.refresh_from_db()
    assert action.status == "closed"
    shown = page(officer.get(action.get_absolute_url()))
    assert "Closed" in shown and "Good evidence" in shown
    again = officer.post(url("review-action-close", action))
    assert problems(again) == ["The action is already closed"]

    # Another agency's staff find no such action.
    client.force_login(world.team_manager)
    assert client.get(action.get_absolute_url()).status_code == 404


def test_the_partnership_changes_a_recommendation_and_adds_findings(officer, review, asked):
    _, recommendation = asked
    response = officer.post(
        url("review-recommendation-edit", recommendation),
        {
            "text": "Police refer every incident",
            "themes": "Domestic abuse",
            "rule_id": "assessment",
        },
    )
    assert response["Location"] == url("review-recommendation", recommendation)
    shown = page(officer.get(response["Location"]))
    assert "Domestic abuse" in shown and "Complete the assessment" in shown
    refused = officer.post(url("review-finding-create", review), {"finding-text": ""})
    assert problems(refused) == ["Enter the finding"]
    officer.post(
        url("review-finding-create", review),
        {"finding-text": "Incidents were not shared", "finding-themes": "Information sharing"},
    )
    assert "Incidents were not shared" in page(officer.get(url("review-detail", review)))


# --- monitoring and search ----------------------------------------------------------------


def test_monitoring_and_search_across_the_reviews_a_user_sees(client, officer, world, asked):
    _, recommendation = asked
    shown = page(officer.get(url("review-monitoring")))
    assert (
        "Monitoring the action plans" in shown
        and "<svg" in officer.get(url("review-monitoring")).content.decode()
    )
    assert AuditEvent.objects.filter(summary="Read the case reviews' monitoring figures").exists()
    report = officer.get(url("review-monitoring-report"))
    assert report["Content-Type"] == "application/pdf" and report.content.startswith(b"%PDF")

    found = page(officer.get(url("review-search"), {"q": "police refer"}))
    assert "Recommendation 1:" in found and "Rapid review: Child R" in found
    services.update_recommendation(
        actor=recommendation.review.opened_by, recommendation=recommendation, themes=["Policing"]
    )
    by_theme = page(officer.get(url("review-search"), {"theme": "Policing"}))
    assert "with the theme “Policing”" in by_theme and "Police refer every incident" in by_theme
    client.force_login(world.outsider)
    assert "Nothing found" in page(client.get(url("review-search"), {"q": "police"}))
