"""Small assertions and records shared by the API tests."""

import datetime as dt
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from threadline.agencies.models import Agency, AgencyType, Practitioner, Role
from threadline.audit.models import AuditEvent
from threadline.reviews import services as reviews
from threadline.reviews.services import ProposedRecommendation

from .. import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    """The response is a JSON error with this status, stable code and field."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert body["field"] == field, body
    assert body["message"]
    assert body["errors"][0]["code"] == code
    return body


def audit_count(**filters) -> int:
    return AuditEvent.objects.filter(**filters).count()


def case_review(world, *, submitted: bool = True) -> SimpleNamespace:
    """A rapid review about `world.child` run by the Northmoor partnership, with the
    social worker on its panel; children's social care asked for its report (submitted,
    with a document, unless `submitted` is false) and sent recommendation 1; the
    safeguarding lead's action for it, with evidence."""
    partnership = Agency.objects.filter(code="nm-scp").first() or f.AgencyFactory(
        code="nm-scp",
        name="Northmoor Safeguarding Children Partnership",
        agency_type=AgencyType.PARTNERSHIP,
    )
    officer = Practitioner.objects.filter(agency=partnership).first() or f.PractitionerFactory(
        agency=partnership, role=Role.PARTNERSHIP_OFFICER
    )
    today, lead = timezone.localdate(), world.safeguarding_lead
    review = reviews.open_review(
        actor=officer,
        title="Child R",
        review_type="rapid_review",
        incident_summary="Riley was taken to hospital with a serious head injury.",
        incident_on=today - dt.timedelta(days=3),
        aware_on=today - dt.timedelta(days=2),
        children=[world.child],
        scope_from=dt.date(2025, 2, 1),
        scope_to=today - dt.timedelta(days=3),
        panel=[(world.social_worker, "member")],
    )
    (report,) = reviews.request_reports(
        actor=officer,
        review=review,
        agencies=[world.social_care],
        due_on=today + dt.timedelta(days=20),
    )
    if submitted:
        reviews.submit_report(
            actor=lead,
            report=report,
            what_was_known="Two visits; the baby was well.",
            when_known="March 2026.",
            what_was_done="Visited; no concerns recorded.",
            what_differently="Ask who else lives at the address.",
            document=SimpleUploadedFile("report.pdf", PDF),
        )
    (recommendation,) = reviews.add_recommendations(
        actor=officer,
        review=review,
        items=[ProposedRecommendation(1, "Record who lives with the child", world.social_care)],
    )
    action = reviews.add_action(
        actor=lead,
        recommendation=recommendation,
        description="Add household members to the assessment template",
        owner=lead,
        due_on=today + dt.timedelta(days=30),
        measure_of_success="Audit: 90% of assessments name everyone in the household",
    )
    (evidence,) = reviews.add_evidence(
        actor=lead, action=action, files=[SimpleUploadedFile("template.pdf", PDF)]
    )
    return SimpleNamespace(
        officer=officer,
        review=review,
        report=report,
        recommendation=recommendation,
        action=action,
        evidence=evidence,
    )
