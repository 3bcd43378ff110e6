"""The case-review API: reviews, agencies' reports, the review chronology and the
recommendations a review's document proposes (test_api_plans.py: recommendations and
action plans). Each endpoint's happy path, who may use it (404 outside reach, 403 with a
stable code for the wrong role), and the issue's bad input: a document with no
recommendations, an unreadable or oversized file — a clear error, nothing saved."""

import base64
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.reviews import extraction, services
from threadline.reviews.models import Recommendation, Review

from .. import factories as f
from ..api.helpers import assert_error

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REPORT = b"""Child R: rapid review

Recommendations

1. Northmoor Police should refer every domestic incident where a child lives at the
address to children's social care.

2. The safeguarding partnership should audit multi-agency referrals within six months.
"""
TODAY = timezone.localdate


def pdf(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def as_json(name: str, content: bytes) -> dict:
    return {"filename": name, "content": base64.b64encode(content).decode()}


def url(*parts) -> str:
    return "/api/v1/" + "/".join(str(p) for p in parts) + "/"


# --- reviews --------------------------------------------------------------------------


def test_an_officer_opens_a_review_naming_children_by_nhs_number(world, officer, household):
    world.child.nhs_number = "9434765919"
    world.child.save()
    body = {
        "title": "Child R",
        "review_type": "rapid_review",
        "incident_summary": "Riley was taken to hospital with a serious head injury.",
        "incident_on": (TODAY() - dt.timedelta(days=3)).isoformat(),
        "aware_on": (TODAY() - dt.timedelta(days=2)).isoformat(),
        "children": ["943 476 5919"],
        "scope_from": "2025-02-01",
        "scope_to": (TODAY() - dt.timedelta(days=3)).isoformat(),
        "terms_of_reference": ["How did agencies share what they knew about Dean?"],
        "panel": [{"practitioner": str(world.team_manager.pk), "role": "member"}],
    }
    response = officer.post(url("reviews"), body)

    assert response.status_code == 201, response.content
    review = Review.objects.get()
    assert response["Location"] == url("reviews", review.pk)
    data = response.json()
    assert [c["id"] for c in data["children"]] == [str(world.child.pk)]
    assert {t["rule_id"] for t in data["tasks"]} >= {"rapid-review"}
    assert data["panel"][0]["practitioner"]["id"] == str(world.team_manager.pk)
    assert data["figures"]["total"] == 0
    assert review.holds.count() == 3  # Riley, Kerry, Kerry's partner


def test_opening_is_for_partnership_officers_and_bad_input_saves_nothing(
    world, officer, api_client_for
):
    assert_error(
        api_client_for(world.safeguarding_lead).post(url("reviews"), {}), 403, "not_allowed"
    )
    response = officer.post(url("reviews"), {"children": ["no-such-person"], "title": "R"})
    assert_error(response, 400, "unknown_person", "children.0")

    response = officer.post(
        url("reviews"),
        {
            "title": "Child R",
            "review_type": "rapid_review",
            "incident_summary": "Injury",
            "incident_on": TODAY().isoformat(),
            "aware_on": (TODAY() - dt.timedelta(days=5)).isoformat(),
            "children": [str(world.child.pk)],
            "scope_from": TODAY().isoformat(),
            "scope_to": (TODAY() - dt.timedelta(days=30)).isoformat(),
        },
    )
    body = assert_error(response, 400, "dates_out_of_order", "aware_on")
    assert {(e["field"], e["code"]) for e in body["errors"]} >= {("scope_to", "scope_out_of_order")}
    assert not Review.objects.exists()


def test_reviews_are_listed_and_read_by_those_who_may_see_them(
    world, open_review, officer, police, partnership, police_lead, api_client_for
):
    review = open_review()
    listed = officer.get(url("reviews"), {"status": "open", "review_type": "rapid_review"})
    assert [r["id"] for r in listed.json()["results"]] == [str(review.pk)]
    assert officer.get(url("reviews"), {"status": "closed"}).json()["count"] == 0
    assert officer.get(url("reviews", review.pk)).status_code == 200
    assert AuditEvent.objects.filter(action="view", object_id=str(review.pk)).exists()

    assert police.get(url("reviews")).json()["count"] == 0  # not asked yet
    assert_error(police.get(url("reviews", review.pk)), 404, "not_found")
    assert_error(api_client_for(world.outsider).get(url("reviews", review.pk)), 404, "not_found")
    assert officer.delete(url("reviews", review.pk)).status_code == 405

    services.request_reports(
        actor=partnership,
        review=review,
        agencies=[police_lead.agency],
        due_on=TODAY() + dt.timedelta(days=9),
    )
    data = police.get(url("reviews", review.pk)).json()
    assert [r["agency"]["code"] for r in data["agency_reports"]] == ["nm-police"]
    # Seeing the review does not make the police one of the partnership's officers.
    response = police.post(url("reviews", review.pk, "milestones"), {"milestone": "notified"})
    assert_error(response, 403, "not_allowed")


def test_milestones_and_closing_a_review(open_review, officer, addressed, police_lead):
    review = open_review(title="Child S")
    response = officer.post(
        url("reviews", review.pk, "milestones"),
        {"milestone": "notified", "on": (review.aware_on - dt.timedelta(days=1)).isoformat()},
    )
    assert_error(response, 400, "dates_out_of_order", "on")
    response = officer.post(
        url("reviews", review.pk, "milestones"),
        {"milestone": "notified", "on": review.aware_on.isoformat()},
    )
    assert response.status_code == 200, response.content
    assert response.json()["notified_on"] == review.aware_on.isoformat()

    services.add_action(
        actor=police_lead,
        recommendation=addressed,
        description="Brief officers",
        owner=police_lead,
        due_on=TODAY() + dt.timedelta(days=9),
        measure_of_success="Dip sample",
    )
    assert_error(officer.post(url("reviews", addressed.review.pk, "close")), 400, "actions_open")
    response = officer.post(url("reviews", review.pk, "close"))
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert not review.holds.filter(released_at__isnull=True).exists()


# --- agencies' reports and the review chronology ----------------------------------------


def test_an_agency_submits_its_report_and_the_panel_assures_it(
    world, open_review, officer, police, police_lead, api_client_for
):
    review = open_review()
    due = (TODAY() + dt.timedelta(days=20)).isoformat()
    response = officer.post(
        url("reviews", review.pk, "report-requests"),
        {"agencies": ["nm-police", "nm-hv"], "due_on": due},
    )
    assert response.status_code == 201, response.content
    police_report = next(r for r in response.json() if r["agency"]["code"] == "nm-police")
    report_url = url("agency-reports", police_report["id"])
    answers = {
        "what_was_known": "Two domestic incidents at the address involving Dean Voss.",
        "when_known": "March and June 2026.",
        "what_was_done": "DASH risk assessments; no referral to children's social care.",
        "what_differently": "Refer every incident with a child in the household.",
    }
    officer_of_police = api_client_for(f.PractitionerFactory(agency=police_lead.agency))
    response = officer_of_police.post(
        report_url + "submission/", answers | {"document": pdf("report.pdf")}, format="multipart"
    )
    assert_error(response, 403, "not_your_agency")
    response = police.post(
        report_url + "submission/", answers | {"when_known": ""}, format="multipart"
    )
    body = assert_error(response, 400, "required", "when_known")
    assert ("document", "document_required") in {(e["field"], e["code"]) for e in body["errors"]}

    response = police.post(
        report_url + "submission/", answers | {"document": pdf("report.pdf")}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted" and response.json()["has_document"]

    # Health visiting was asked too: it sees the review, not the police's report.
    health_lead = api_client_for(
        f.PractitionerFactory(agency=world.health, role="safeguarding_lead")
    )
    assert_error(health_lead.get(report_url), 403, "not_allowed")
    assert officer.get(report_url).json()["what_was_known"] == answers["what_was_known"]
    download = officer.get(report_url + "document/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(
        action="export", summary__startswith="Downloaded report.pdf"
    ).exists()

    assert_error(police.post(report_url + "assurance/", {"accept": True}), 403, "not_allowed")
    response = officer.post(report_url + "assurance/", {"accept": False})
    assert_error(response, 400, "required", "quality_note")
    response = officer.post(
        report_url + "assurance/", {"accept": False, "quality_note": "Add the June call log."}
    )
    assert response.json()["status"] == "returned"
    response = police.post(
        report_url + "submission/",
        answers | {"document": as_json("v2.pdf", PDF)},
        HTTP_IDEMPOTENCY_KEY="resubmit-1",
    )
    assert response.status_code == 200, response.content
    assert response.json()["document_name"] == "v2.pdf"
    response = officer.post(report_url + "assurance/", {"accept": True})
    assert response.json()["status"] == "accepted"


def test_the_review_chronology_is_for_the_panel_and_the_partnership(
    world, open_review, officer, police, partnership, police_lead
):
    review = open_review()
    services.request_reports(
        actor=partnership,
        review=review,
        agencies=[police_lead.agency],
        due_on=TODAY() + dt.timedelta(days=5),
    )
    response = police.post(
        url("reviews", review.pk, "chronology-entries"),
        {
            "event_at": (TODAY() - dt.timedelta(days=20)).isoformat(),
            "entry_type": "incident",
            "summary": "Domestic incident: Dean Voss arrested",
            "significance": "critical",
        },
    )
    assert response.status_code == 201, response.content
    response = police.post(
        url("reviews", review.pk, "chronology-entries"),
        {"event_at": "2020-01-01", "entry_type": "incident", "summary": "Long ago"},
    )
    assert_error(response, 400, "out_of_scope", "event_at")

    rows = officer.get(url("reviews", review.pk, "chronology")).json()["rows"]
    assert [r["summary"] for r in rows] == ["Domestic incident: Dean Voss arrested"]
    export = officer.get(url("reviews", review.pk, "chronology"), {"format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    assert b"Dean Voss arrested" in export.content
    assert_error(
        officer.get(url("reviews", review.pk, "chronology"), {"format": "odt"}),
        400,
        "invalid_choice",
        "format",
    )
    assert_error(police.get(url("reviews", review.pk, "chronology")), 404, "not_found")


# --- recommendations ------------------------------------------------------------------


def upload(client, review, content: bytes, name="child-r.txt"):
    file = SimpleUploadedFile(name, content, content_type="text/plain")
    return client.post(
        url("reviews", review.pk, "recommendations/extract"), {"file": file}, format="multipart"
    )


def test_extract_proposes_recommendations_and_saves_nothing(
    open_review, officer, police_lead, partnership
):
    review = open_review()
    response = upload(officer, review, REPORT)

    assert response.status_code == 200, response.content
    proposed = response.json()["proposed"]
    assert [(p["number"], p["addressed_to"], p["addressed_to_name"]) for p in proposed] == [
        (1, str(police_lead.agency.pk), "Northmoor Police"),
        (2, str(partnership.agency.pk), "Northmoor Safeguarding Children Partnership"),
    ]
    assert not Recommendation.objects.exists()
    response = officer.post(
        url("reviews", review.pk, "recommendations/extract"),
        {"file": as_json("child-r.txt", REPORT)},
    )
    assert len(response.json()["proposed"]) == 2


def test_extract_says_so_when_a_document_has_no_recommendations_or_cannot_be_read(
    open_review, officer, police, partnership, police_lead
):
    review = open_review()
    body = assert_error(
        upload(officer, review, b"Minutes. Nothing numbered here."),
        400,
        "no_recommendations",
        "file",
    )
    assert "No numbered recommendations were found in child-r.txt" in body["message"]
    assert_error(
        upload(officer, review, b"\x00\x01binary\x00" * 50, "x.bin"),
        400,
        "unreadable_document",
        "file",
    )
    assert_error(upload(officer, review, b""), 400, "unreadable_document", "file")
    too_big = b"1. Recommend.\n" * (extraction.MAX_BYTES // 14 + 1)
    assert_error(upload(officer, review, too_big), 400, "document_too_big", "file")
    assert_error(
        officer.post(url("reviews", review.pk, "recommendations/extract"), {}),
        400,
        "required",
        "file",
    )
    services.request_reports(
        actor=partnership,
        review=review,
        agencies=[police_lead.agency],
        due_on=TODAY() + dt.timedelta(days=5),
    )
    assert_error(upload(police, review, REPORT), 403, "not_allowed")
    assert not Recommendation.objects.exists()
