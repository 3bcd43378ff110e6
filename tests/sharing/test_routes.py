"""The authorization matrix: every web route × persona → the status they get.

A route missing from the matrix fails the suite, so no page ships without a decision
about who may use it. Personas (tests/conftest.py): the allocated social worker in the
holding local authority; a health visitor in the network (a partner agency); an outsider
from another area's police; an administrator without an agency; the local authority's
safeguarding lead; an auditor."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from threadline.agencies.models import Role
from threadline.audit.models import AuditEvent
from threadline.chronology.services import record_entry
from threadline.linkage.models import Link, MatchCandidate, SourceRecord
from threadline.meetings.placements import make_placement_agreement
from threadline.meetings.services import arrange_meeting
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice
from threadline.orders.services import make_order
from threadline.people.models import Relationship
from threadline.reviews import services as reviews
from threadline.risks.services import record_risk
from threadline.sharing.models import AccessRequest, BreakGlass

from ..factories import (
    AgencyFactory,
    PractitionerFactory,
    ReferralFactory,
    ResidenceFactory,
    SharingAgreementFactory,
)

PERSONAS = (
    "social_worker",
    "health_visitor",
    "outsider",
    "administrator",
    "safeguarding_lead",
    "auditor",
)


def row(*statuses: int) -> dict[str, int]:
    return dict(zip(PERSONAS, statuses, strict=True))


ALL_200 = row(200, 200, 200, 200, 200, 200)
IN_REACH = row(200, 200, 404, 404, 200, 200)  # the child: in the network, or CSC colleagues
HOLDER_ONLY = row(200, 403, 404, 404, 200, 200)  # changes for the case-holding authority
REVIEW_SEEN = row(200, 404, 404, 404, 200, 200)  # a review that asked social care
REVIEW_MANAGED = row(403, 404, 404, 404, 403, 403)  # the partnership's officers only
REVIEW_RESPONDER = row(403, 404, 404, 404, 200, 403)  # social care's safeguarding lead
IDENTITY_DECIDER = row(403, 403, 403, 403, 200, 403)  # social care's safeguarding lead
# route name → (the record its URL needs, expected GET status per persona)
MATRIX = {
    "dashboard": (None, ALL_200),
    "person-search": (None, ALL_200),
    "person-create": (None, ALL_200),
    "person-detail": ("person", IN_REACH),
    "person-edit": ("person", HOLDER_ONLY),
    "address-add": ("person", IN_REACH),
    "relationship-add": ("person", IN_REACH),
    "name-add": ("person", IN_REACH),
    "household-on": ("person", IN_REACH),
    "residence-end": ("residence", IN_REACH),
    "relationship-end": ("relationship", IN_REACH),
    "reference-add": ("person", IN_REACH),
    "case-open": ("person", row(405, 405, 405, 405, 405, 405)),  # POST only
    "involvement-add": ("case", HOLDER_ONLY),
    "involvement-end": ("involvement", HOLDER_ONLY),
    "allocation-add": ("case", HOLDER_ONLY),
    "lead-professional-set": ("case", HOLDER_ONLY),
    "agreement-list": (None, ALL_200),
    "agreement-create": (None, row(403, 403, 403, 200, 403, 403)),
    "agreement-end": ("agreement", row(403, 403, 403, 200, 403, 403)),
    "access-request-create": ("person", IN_REACH),
    "access-requests": (None, ALL_200),
    "access-request-decide": ("access_request", row(403, 403, 403, 403, 200, 403)),
    "break-glass": (None, row(302, 302, 302, 302, 302, 302)),  # confirm it is you first
    "break-glass-review": (None, row(403, 403, 403, 403, 200, 403)),
    "break-glass-review-one": ("break_glass", row(403, 403, 403, 403, 200, 403)),
    "audit-search": (None, row(403, 403, 403, 403, 200, 200)),
    "login": (None, row(302, 302, 302, 302, 302, 302)),  # signed-in users are sent on
    # Sign-in's second step: personas are MFA-exempt without an app, so they are sent on.
    "mfa-verify": (None, row(302, 302, 302, 302, 302, 302)),
    "mfa-enrol": (None, row(302, 302, 302, 302, 302, 302)),
    "reauthenticate": (None, ALL_200),
    "logout": (None, row(405, 405, 405, 405, 405, 405)),  # sign-out is POST only
    "healthz": (None, ALL_200),
    # A notice to the health visitor: theirs alone, else it does not exist.
    "notice-inbox": (None, ALL_200),
    "notice-detail": ("notice", row(404, 200, 404, 404, 404, 404)),
    "notice-acknowledge": ("notice", row(405, 405, 405, 405, 405, 405)),  # POST only
    # A referral of the child by the health visitor; no persona is a front-door officer
    # or works in adult services (tests/referrals/ has those).
    "referral-list": (None, ALL_200),
    "referral-create": (None, ALL_200),
    "child-referral-create": ("person", IN_REACH),
    "referral-detail": ("referral", IN_REACH),
    "front-door": (None, row(403, 403, 403, 403, 403, 403)),
    "referral-decide": ("referral", row(403, 403, 403, 403, 403, 403)),
    "adult-children": ("adult", row(403, 403, 404, 404, 403, 403)),
    "adult-children-add": ("adult", row(403, 403, 404, 404, 403, 403)),
    # A social worker's chronology entry about the child (shared with health visiting);
    # only the recording agency's staff amend it or mark it as entered in error.
    "chronology": ("person", IN_REACH),
    "chronology-entry-create": ("person", IN_REACH),
    "chronology-export": ("person", IN_REACH),
    "chronology-entry": ("entry", IN_REACH),
    "chronology-entry-amend": ("entry", HOLDER_ONLY),
    "chronology-entry-in-error": ("entry", HOLDER_ONLY),
    "chronology-attachment": ("attachment", IN_REACH),
    # The social worker's risk about the child (social-care information, shared with
    # health visiting): only the recording agency reviews or closes it; closures are
    # signed off by POST.
    "risk-create": ("person", IN_REACH),
    "risk-detail": ("risk", IN_REACH),
    "child-risk-detail": ("child_risk", IN_REACH),
    "risk-review": ("risk", HOLDER_ONLY),
    "risk-close": ("risk", HOLDER_ONLY),
    "risk-sign-off": ("risk", row(405, 405, 405, 405, 405, 405)),  # POST only
    # The social worker's supervision order for the child (and care proceedings): every
    # agency that sees the child reads it; children's social care records and changes it.
    # What each kind of order means, and the clock's rules, are for every practitioner.
    "order-create": ("person", HOLDER_ONLY),
    "order-detail": ("order", IN_REACH),
    "order-extend": ("order", HOLDER_ONLY),
    "order-end": ("order", HOLDER_ONLY),
    "order-conclude": ("proceedings", HOLDER_ONLY),
    "order-type-explained": ("order_type", ALL_200),
    "clock-event-create": ("person", HOLDER_ONLY),
    # A conference about the child arranged by the social worker, health visiting not
    # invited: everyone who sees the child reads it; social care and legal services
    # change it; only an invited agency sends a report.
    "meeting-create": ("person", HOLDER_ONLY),
    "meeting-detail": ("meeting", IN_REACH),
    "meeting-report": ("meeting", HOLDER_ONLY),
    "meeting-attendance": ("meeting", HOLDER_ONLY),
    "meeting-outcome": ("meeting", HOLDER_ONLY),
    "meeting-cancel": ("meeting", HOLDER_ONLY),
    # The social worker's placement agreement for the child: everyone who sees the child
    # reads it; social care and legal services record it, review it and end it.
    "placement-create": ("person", HOLDER_ONLY),
    "placement-detail": ("placement", IN_REACH),
    "placement-review": ("placement", HOLDER_ONLY),
    "placement-end": ("placement", HOLDER_ONLY),
    "rule-catalogue": (None, ALL_200),
    # A rapid review about the child run by the area's safeguarding partnership (none of
    # the personas is on its panel): it asked children's social care for a report (sent,
    # with its document) and addressed it a recommendation, whose action the safeguarding
    # lead added with evidence. Social care's staff see the review and their own report
    # and action; its safeguarding lead responds for it; only the partnership changes it.
    "review-list": (None, ALL_200),
    "review-create": (None, row(403, 403, 403, 403, 403, 403)),
    "review-monitoring": (None, ALL_200),
    "review-monitoring-report": (None, ALL_200),
    "review-search": (None, ALL_200),
    "review-detail": ("review", REVIEW_SEEN),
    "review-board-report": ("review", REVIEW_SEEN),
    "review-milestone": ("review", REVIEW_MANAGED),
    "review-close": ("review", REVIEW_MANAGED),
    "review-finding-create": ("review", REVIEW_MANAGED),
    "review-reports-request": ("review", REVIEW_MANAGED),
    "review-chronology": ("review", REVIEW_MANAGED),  # the panel's and the partnership's
    "review-chronology-export": ("review_export", REVIEW_MANAGED),
    "review-entry-create": ("review", REVIEW_SEEN),  # an agency asked for a report
    "review-recommendation-create": ("review", REVIEW_MANAGED),
    "review-recommendation-extract": ("review", REVIEW_MANAGED),
    "review-report": ("report", REVIEW_SEEN),
    "review-report-submit": ("report", REVIEW_RESPONDER),
    "review-report-assure": ("report", REVIEW_MANAGED),
    "review-report-document": ("report", REVIEW_SEEN),
    "review-recommendation": ("recommendation", REVIEW_SEEN),
    "review-recommendation-edit": ("recommendation", REVIEW_MANAGED),
    "review-action-create": ("recommendation", REVIEW_RESPONDER),
    "review-action": ("action", REVIEW_SEEN),
    "review-action-update": ("action", REVIEW_RESPONDER),
    "review-action-evidence-add": ("action", REVIEW_RESPONDER),
    "review-action-evidence": ("evidence", REVIEW_SEEN),
    "review-action-decide": ("action", REVIEW_MANAGED),
    "review-action-close": ("action", REVIEW_MANAGED),
    # Identity resolution: social care's record waiting in the review queue against the
    # child, and the record that matched (linked to the child). Only those who decide
    # identities (safeguarding leads, front-door officers) open the queue and its pages.
    "identity-queue": (None, IDENTITY_DECIDER),
    "identity-match": ("match", IDENTITY_DECIDER),
    "identity-decide": ("match", row(405, 405, 405, 405, 405, 405)),  # POST only
    "identity-record": ("source_record", IDENTITY_DECIDER),
    "identity-link-undo": ("link", IDENTITY_DECIDER),
}


def web_routes():
    """(name, callback) for every route outside the admin and the API."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(("admin/", "api/")):
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                found.append((p.name, p.callback))

    walk(get_resolver().url_patterns)
    return found


def url_kwargs(kind, world) -> dict:
    if kind == "person":
        return {"person_id": world.child.pk}
    if kind == "case":
        return {"case_id": world.case.pk}
    if kind == "involvement":
        return {"case_id": world.case.pk, "involvement_id": world.case.involvements.first().pk}
    if kind == "residence":
        residence = ResidenceFactory(person=world.child, recorded_by=world.social_worker)
        return {"person_id": world.child.pk, "residence_id": residence.pk}
    if kind == "relationship":
        relationship = Relationship.objects.get(person_a=world.mother, person_b=world.child)
        return {"person_id": world.child.pk, "relationship_id": relationship.pk}
    if kind == "agreement":
        return {
            "agreement_id": SharingAgreementFactory(
                provider=world.health, recipient=world.social_care
            ).pk
        }
    if kind == "access_request":
        access = AccessRequest.objects.create(
            requester=world.health_visitor,
            child=world.child,
            provider=world.social_care,
            category="police_intelligence",
            reason="test",
        )
        return {"request_id": access.pk}
    if kind == "break_glass":
        glass = BreakGlass.objects.create(
            actor=world.outsider, person=world.child, reason="test", expires_at="2099-01-01T00:00Z"
        )
        return {"glass_id": glass.pk}
    if kind == "notice":
        notice = send_notice(
            notice_type=NoticeType.ALERT,
            title="Riley seen at A&E",
            body="Seen with a bruise; discharged home.",
            child=world.child,
            practitioners=[world.health_visitor],
        )
        return {"recipient_id": notice.recipients.get().pk}
    if kind == "referral":
        referral = ReferralFactory(
            child=world.child, referrer=world.health_visitor, local_authority=world.social_care
        )
        return {"referral_id": referral.pk}
    if kind == "adult":
        return {"person_id": world.mother.pk}
    if kind in {"risk", "child_risk"}:
        risk = record_risk(
            actor=world.social_worker,
            subject=world.child,
            factor="16A",
            evidence="Riley seen with untreated nappy rash on three visits",
            review_date=timezone.localdate() + dt.timedelta(days=30),
        )
        if kind == "child_risk":
            return {"person_id": world.child.pk, "risk_id": risk.pk}
        return {"risk_id": risk.pk}
    if kind in {"order", "proceedings"}:
        order = make_order(
            actor=world.social_worker,
            child=world.child,
            order_type="supervision_order" if kind == "order" else "care_proceedings",
            starts_on=timezone.localdate() - dt.timedelta(days=30),
        )
        return {"order_id": order.pk}
    if kind == "meeting":
        meeting = arrange_meeting(
            actor=world.social_worker,
            children=[world.child],
            meeting_type="initial_conference",
            starts_at=timezone.now() + dt.timedelta(days=7),
            place="Northmoor Civic Centre",
        )
        return {"meeting_id": meeting.pk}
    if kind == "placement":
        placement = make_placement_agreement(
            actor=world.social_worker,
            child=world.child,
            facility="Harbour House parent and baby unit",
            starts_on=timezone.localdate() - dt.timedelta(days=7),
            planned_end_on=timezone.localdate() + dt.timedelta(weeks=12),
            exit_strategy="Riley and Kerry go to the grandparents; the unit rings the duty team",
            roles=[{"party": "Harbour House", "responsibilities": "24-hour supervision"}],
        )
        return {"placement_id": placement.pk}
    if kind == "order_type":
        return {"order_type": "supervision_order"}
    if kind in {"entry", "attachment"}:
        entry = record_entry(
            actor=world.social_worker,
            children=[world.child],
            event_at=timezone.now(),
            entry_type="contact",
            summary="Home visit: Riley seen asleep, mother tired but coping",
            attachments=[ContentFile(b"%PDF-1.4 visit notes", name="visit.pdf")],
        )
        ids = {"person_id": world.child.pk, "entry_id": entry.pk}
        if kind == "attachment":
            ids["attachment_id"] = entry.attachments.get().pk
        return ids
    if kind in REVIEW_KINDS:
        return review_kwargs(kind, world)
    if kind in {"match", "source_record", "link"}:
        return linkage_kwargs(kind, world)
    return {}


def linkage_kwargs(kind, world) -> dict:
    """Social care's record of Rosie waiting in the review queue against the child (tests/
    linkage/ resolve records through the model), and social care's record of the child."""
    matched = SourceRecord.objects.create(
        agency=world.social_care,
        local_id="CSC-1",
        first_name="Riley",
        surname="Marsh",
        received_at=timezone.now(),
        person=world.child,
    )
    link = Link.objects.create(record=matched, person=world.child, method="entered")
    waiting = SourceRecord.objects.create(
        agency=world.social_care,
        local_id="CSC-2",
        first_name="Rosie",
        surname="Marsh",
        received_at=timezone.now(),
    )
    pair = MatchCandidate.objects.create(
        record=waiting,
        person=world.child,
        candidate_record=matched,
        probability=0.95,
        match_weight=4.2,
        contributions=[{"field": "First name", "level": "Different", "weight": -6.0}],
    )
    return {
        "match": {"match_id": pair.pk},
        "source_record": {"record_id": matched.pk},
        "link": {"link_id": link.pk},
    }[kind]


REVIEW_KINDS = {"review", "review_export", "report", "recommendation", "action", "evidence"}


def review_kwargs(kind, world) -> dict:
    """A review run by the area's partnership that asked children's social care for its
    report and made it a recommendation, with an action and evidence (tests/reviews/)."""
    today = timezone.localdate()
    partnership = AgencyFactory(
        code="nm-scp", name="Northmoor Safeguarding Partnership", agency_type="partnership"
    )
    officer = PractitionerFactory(
        username="officer", agency=partnership, role=Role.PARTNERSHIP_OFFICER
    )
    review = reviews.open_review(
        actor=officer,
        title="Child R",
        review_type="rapid_review",
        incident_summary="Riley was taken to hospital with a head injury.",
        incident_on=today - dt.timedelta(days=3),
        aware_on=today - dt.timedelta(days=2),
        children=[world.child],
        scope_from=today - dt.timedelta(days=90),
        scope_to=today - dt.timedelta(days=3),
    )
    (report,) = reviews.request_reports(
        actor=officer,
        review=review,
        agencies=[world.social_care],
        due_on=today + dt.timedelta(days=20),
    )
    if kind in {"review", "review_export"}:
        extra = {"fmt": "csv"} if kind == "review_export" else {}
        return {"review_id": review.pk, **extra}
    pdf = b"%PDF-1.4 report"
    if kind == "report":
        reviews.submit_report(
            actor=world.safeguarding_lead,
            report=report,
            what_was_known="Neglect",
            when_known="This year",
            what_was_done="A plan",
            what_differently="Visit sooner",
            document=ContentFile(pdf, name="report.pdf"),
        )
        return {"report_id": report.pk}
    (recommendation,) = reviews.add_recommendations(
        actor=officer,
        review=review,
        items=[reviews.ProposedRecommendation(1, "Visit sooner", world.social_care)],
    )
    if kind == "recommendation":
        return {"recommendation_id": recommendation.pk}
    action = reviews.add_action(
        actor=world.safeguarding_lead,
        recommendation=recommendation,
        description="Audit visiting",
        owner=world.safeguarding_lead,
        due_on=today + dt.timedelta(days=30),
        measure_of_success="Every child seen",
    )
    if kind == "action":
        return {"action_id": action.pk}
    (evidence,) = reviews.add_evidence(
        actor=world.safeguarding_lead,
        action=action,
        files=[ContentFile(pdf, name="audit.pdf")],
    )
    return {"action_id": action.pk, "evidence_id": evidence.pk}


def test_every_web_route_declares_a_permission_and_is_in_the_matrix():
    routes = web_routes()
    undeclared = [name for name, view in routes if not hasattr(view, "permission")]
    assert undeclared == [], f"routes without @requires(...): {undeclared}"
    assert {name for name, _ in routes} == set(MATRIX), "update MATRIX for new or removed routes"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_matrix(client, world, route, persona):
    kind, expected = MATRIX[route]
    url = reverse(route, kwargs=url_kwargs(kind, world))
    client.force_login(getattr(world, persona))
    assert client.get(url).status_code == expected[persona]


def test_anonymous_users_are_sent_to_sign_in(client, world):
    response = client.get(reverse("person-detail", kwargs={"person_id": world.child.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_that_show_a_person_write_the_audit_trail(client, world):
    client.force_login(world.health_visitor)
    before = AuditEvent.objects.filter(action="view", actor=world.health_visitor).count()
    client.get(reverse("person-detail", kwargs={"person_id": world.child.pk}))
    viewed = AuditEvent.objects.filter(action="view", actor=world.health_visitor)
    assert viewed.count() == before + 1
    assert viewed.last().child_id == world.child.pk
    client.get(reverse("person-search"), {"name": "Marsh"})
    assert AuditEvent.objects.filter(action="search", actor=world.health_visitor).exists()


def test_who_has_looked_at_this_child(client, world):
    client.force_login(world.health_visitor)
    client.get(reverse("person-detail", kwargs={"person_id": world.child.pk}))
    client.force_login(world.safeguarding_lead)
    page = client.get(reverse("audit-search"), {"child": world.child.pk}).content.decode()
    assert "Who has looked at Riley Marsh" in page
    assert "hv" in page and "Opened person detail: Riley Marsh" in page


# Pages that show no case data: blank forms, the public agreement register, the sign-in.
NO_CASE_DATA = {
    "person-create",
    "agreement-list",
    "agreement-create",
    "agreement-end",
    "break-glass",
    "login",
    "healthz",
    "reauthenticate",
    "referral-create",
    "order-type-explained",
    "rule-catalogue",
}


PAGES = sorted(
    r for r, (_, expected) in MATRIX.items() if r not in NO_CASE_DATA and 200 in expected.values()
)


SEARCHES = {  # a blank search shows no one
    "person-search": {"name": "Marsh"},
    "review-search": {"q": "visit"},
}


@pytest.mark.parametrize("route", PAGES)
def test_every_page_with_case_data_writes_the_audit_trail(client, world, route):
    kind, expected = MATRIX[route]
    allowed = [p for p in PERSONAS if expected[p] == 200]
    url = reverse(route, kwargs=url_kwargs(kind, world))
    actor = getattr(world, allowed[0])
    client.force_login(actor)
    before = AuditEvent.objects.filter(actor=actor).count()
    assert client.get(url, SEARCHES.get(route, {})).status_code == 200
    assert AuditEvent.objects.filter(actor=actor).count() > before


def test_refusals_are_audited(client, world):
    client.force_login(world.outsider)
    url = reverse("person-detail", kwargs={"person_id": world.child.pk})
    assert client.get(url).status_code == 404
    denied = AuditEvent.objects.get(action="denied", actor=world.outsider)
    assert url in denied.summary
