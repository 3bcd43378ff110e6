"""The API authorization matrix: every operation in the OpenAPI schema × persona → the
status they get on records about `world.child` (docs/security.md).

An operation missing from the matrix fails the suite, so no endpoint ships without a
decision about who may use it. Personas as in the web matrix (tests/sharing/
test_routes.py): the allocated social worker in the holding local authority; a health
visitor in the network (a partner agency); an outsider from another area's police; an
administrator without an agency; the local authority's safeguarding lead; an auditor.

For a list, SHOWN means 200 with the record in it and HIDDEN 200 without it (a list's
way of saying 404). Writes send a valid body, so that only permission decides."""

import base64
import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from threadline.audit.models import AuditEvent
from threadline.audit.services import record_event
from threadline.chronology.models import ChronologyEntry
from threadline.common.api import etag_for
from threadline.linkage.models import MatchCandidate, SourceRecord
from threadline.meetings.placements import make_placement_agreement
from threadline.meetings.services import arrange_meeting
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice
from threadline.orders.services import make_order
from threadline.people.models import Relationship
from threadline.reviews.models import Evidence, Recommendation
from threadline.risks.services import close_risk, record_risk
from threadline.sharing.models import (
    AccessRequest,
    AccessRequestStatus,
    BreakGlass,
    SharingAgreement,
)
from threadline.timescales.meetings import record_meeting_or_assessment
from threadline.timescales.models import Task

from ..factories import (
    ChronologyEntryFactory,
    ReferralFactory,
    ResidenceFactory,
    SharingAgreementFactory,
    SocialWorkerFactory,
)
from .helpers import case_review

PERSONAS = (
    "social_worker",
    "health_visitor",
    "outsider",
    "administrator",
    "safeguarding_lead",
    "auditor",
)
SHOWN, HIDDEN = "shown", "hidden"


def row(*statuses) -> dict[str, int | str]:
    return dict(zip(PERSONAS, statuses, strict=True))


ALL_200 = row(200, 200, 200, 200, 200, 200)
ALL_SHOWN = row(SHOWN, SHOWN, SHOWN, SHOWN, SHOWN, SHOWN)
IN_REACH = row(200, 200, 404, 404, 200, 200)  # the child: in the network, or CSC colleagues
IN_REACH_LIST = row(SHOWN, SHOWN, HIDDEN, HIDDEN, SHOWN, SHOWN)
IN_REACH_LIST_OF = row(SHOWN, SHOWN, 404, 404, SHOWN, SHOWN)  # ?person= someone unseen: 404
IN_REVIEW = row(200, 404, 404, 404, 200, 200)  # the review's panel, and social care (asked)
REVIEW_LIST = row(SHOWN, HIDDEN, HIDDEN, HIDDEN, SHOWN, SHOWN)

# operationId → (the record it reads, query, expected status per persona)
READS = {
    "people_list": ("person", {"name": "Riley Marsh"}, IN_REACH_LIST),
    "people_retrieve": ("person", {}, IN_REACH),
    "addresses_list": ("residence", {"person": "child"}, IN_REACH_LIST_OF),
    "households_list": ("household", {"person": "child"}, IN_REACH_LIST_OF),
    "addresses_retrieve": ("residence", {}, IN_REACH),
    "relationships_list": ("relationship", {"person": "child"}, IN_REACH_LIST_OF),
    "relationships_retrieve": ("relationship", {}, IN_REACH),
    "cases_list": ("case", {}, IN_REACH_LIST),
    "cases_retrieve": ("case", {}, IN_REACH),
    # The directory and the agreements register are not case data.
    "agencies_list": ("agency", {"limit": 200}, ALL_SHOWN),
    "agencies_retrieve": ("agency", {}, ALL_200),
    "practitioners_list": ("practitioner", {"agency": "nm-hv"}, ALL_SHOWN),
    "practitioners_retrieve": ("practitioner", {}, ALL_200),
    "sharing_agreements_list": ("agreement", {}, ALL_SHOWN),
    "sharing_agreements_retrieve": ("agreement", {}, ALL_200),
    # The health visitor asked social care; its safeguarding lead decides.
    "access_requests_list": (
        "access_request",
        {},
        row(HIDDEN, SHOWN, HIDDEN, HIDDEN, SHOWN, HIDDEN),
    ),
    "access_requests_retrieve": ("access_request", {}, row(404, 200, 404, 404, 200, 404)),
    # Who has looked at the child: auditors see all, leads their children (403 for others).
    "audit_events_list": ("audit_event", {"child": "child"}, row(403, 403, 403, 403, SHOWN, SHOWN)),
    # A notice to the health visitor: theirs alone (the lead reads the agency's inbox).
    "notices_list": ("notice", {}, row(HIDDEN, SHOWN, HIDDEN, HIDDEN, HIDDEN, HIDDEN)),
    "notices_retrieve": ("notice", {}, row(404, 200, 404, 404, 404, 404)),
    # The health visitor's referral of the child: case data about the child.
    "referrals_list": ("referral", {}, IN_REACH_LIST),
    "referrals_retrieve": ("referral", {}, IN_REACH),
    # A social worker's chronology entry about the child, shared with health visiting.
    "chronology_entries_list": ("entry", {"child": "child"}, IN_REACH_LIST_OF),
    "chronology_entries_retrieve": ("entry", {}, IN_REACH),
    "chronology_entries_export": ("entry", {"child": "child"}, IN_REACH),
    # A social worker's risk about the child (social care's information, shared with
    # health visiting); the census factors are not case data.
    "risk_factors_list": ("risk", {}, IN_REACH_LIST),
    "risk_factors_retrieve": ("risk", {}, IN_REACH),
    "people_active_risks_retrieve": ("person", {}, IN_REACH),
    "assessment_factors_list": ("factor", {}, ALL_SHOWN),
    # The child's legal status and the clock's tasks and events are for every agency that
    # may see the child (tasks also for their owner); the rule catalogue is not case data.
    "orders_list": ("order", {}, IN_REACH_LIST),
    "orders_retrieve": ("order", {}, IN_REACH),
    "tasks_list": ("task", {}, IN_REACH_LIST),
    "tasks_retrieve": ("task", {}, IN_REACH),
    "rules_list": ("rule", {}, ALL_SHOWN),
    "rules_retrieve": ("rule", {}, ALL_200),
    "clock_replay_retrieve": ("person", {"child": "child", "as_of": "2026-11-02"}, IN_REACH),
    "clock_events_list": ("clock_event", {"child": "child"}, IN_REACH_LIST_OF),
    # A core group about the child, health visiting invited: for everyone who may see the
    # child, and every agency invited.
    "meetings_list": ("meeting", {}, IN_REACH_LIST),
    "meetings_retrieve": ("meeting", {}, IN_REACH),
    # A placement agreement is read by every agency that may see the child.
    "placement_agreements_list": ("placement", {"child": "child"}, IN_REACH_LIST_OF),
    "placement_agreements_retrieve": ("placement", {}, IN_REACH),
    # A case review about the child: seen by the partnership running it (no persona), its
    # panel (the social worker) and the agencies it asked or sent recommendations to
    # (social care: the lead and the auditor too), not because one may see the child. The
    # review chronology is for the panel; a report for the panel and its agency; an
    # action for the panel and the agency responding.
    "reviews_list": ("review", {}, REVIEW_LIST),
    "reviews_retrieve": ("review", {}, IN_REVIEW),
    "reviews_chronology_retrieve": ("review", {}, row(200, 404, 404, 404, 404, 404)),
    "recommendations_list": ("recommendation", {}, REVIEW_LIST),
    "recommendations_retrieve": ("recommendation", {}, IN_REVIEW),
    "actions_list": ("action", {}, REVIEW_LIST),
    "actions_retrieve": ("action", {}, IN_REVIEW),
    "actions_evidence_retrieve": ("action", {}, IN_REVIEW),
    "agency_reports_retrieve": ("submitted_report", {}, IN_REVIEW),
    "agency_reports_document_retrieve": ("submitted_report", {}, IN_REVIEW),
    # Identity resolution: social care's record waiting in the review queue against the
    # child is for those who decide identities (its safeguarding lead); the people a
    # person may also be, for anyone who may see the person (the child has no duplicate).
    "match_candidates_list": ("match", {}, row(403, 403, 403, 403, SHOWN, 403)),
    "match_candidates_retrieve": ("match", {}, row(403, 403, 403, 403, 200, 403)),
    "people_match_candidates_list": ("person", {}, row(HIDDEN, HIDDEN, 404, 404, HIDDEN, HIDDEN)),
}

HOLDER = row(201, 403, 404, 404, 201, 201)  # changes for the case-holding authority
CONTRIBUTE = row(201, 201, 404, 404, 201, 201)  # anyone in reach adds what they know
# Someone outside reach is named in the body, not the path: reported like no one at all.
CONTRIBUTE_IN_BODY = row(201, 201, 400, 400, 201, 201)
ADMINISTRATORS = row(403, 403, 403, 201, 403, 403)
LEAD_DECIDES = row(404, 403, 404, 404, 200, 404)  # the requester sees it, may not decide
REVIEW_MANAGER = row(403, 404, 404, 404, 403, 403)  # seen, but only the partnership acts
REVIEW_RESPONDER = row(403, 404, 404, 404, 200, 403)  # social care's lead responds

# operationId → (the record in its path, expected status per persona for a valid body)
WRITES = {
    "people_create": (None, row(201, 201, 201, 403, 201, 201)),  # a new, own record
    "people_partial_update": ("person", row(200, 403, 404, 404, 200, 200)),
    "people_names_create": ("person", CONTRIBUTE),
    "people_references_create": ("person", CONTRIBUTE),
    "addresses_create": (None, CONTRIBUTE_IN_BODY),
    "relationships_create": (None, CONTRIBUTE_IN_BODY),
    # The child's case is open already; only children's social care opens cases (403
    # before the child is even looked up).
    "cases_create": (None, row(400, 403, 403, 403, 400, 400)),
    "cases_involvements_create": ("case", HOLDER),
    "cases_allocations_create": ("case", HOLDER),
    "cases_lead_professional_create": ("case", row(200, 403, 404, 404, 200, 200)),
    "sharing_agreements_create": (None, ADMINISTRATORS),
    "sharing_agreements_end_create": ("agreement", row(403, 403, 403, 200, 403, 403)),
    "access_requests_create": (None, CONTRIBUTE_IN_BODY),
    "access_requests_approve_create": ("access_request", LEAD_DECIDES),
    "access_requests_refuse_create": ("access_request", LEAD_DECIDES),
    # The one way to a record outside reach: an emergency, a password, an alert.
    "people_break_glass_create": ("person", row(201, 201, 201, 403, 201, 201)),
    "notices_acknowledge_create": ("notice", row(404, 200, 404, 404, 404, 404)),
    # Anyone with an agency refers a child they can see; only a front-door officer of the
    # local authority decides (no persona is one: tests/referrals/ has the happy path).
    "referrals_create": (None, row(201, 201, 400, 403, 201, 201)),
    "referrals_decide_create": ("referral", row(403, 403, 404, 404, 403, 403)),
    # Anyone with an agency records what they know about a child they can see; only the
    # recording agency (social care) amends its entry or marks it as entered in error.
    "chronology_entries_create": (None, row(201, 201, 400, 403, 201, 201)),
    "chronology_entries_bulk_create": (None, row(201, 201, 400, 403, 201, 201)),
    "chronology_entries_partial_update": ("entry", row(200, 403, 404, 404, 200, 200)),
    "chronology_entries_entered_in_error_create": ("entry", row(200, 403, 404, 404, 200, 200)),
    # Anyone with an agency records a risk about someone they can see; only the recording
    # agency (social care) reviews or closes it, and only its team managers and
    # safeguarding leads sign off a closure someone else asked for.
    "risk_factors_create": (None, row(201, 201, 400, 403, 201, 201)),
    "risk_factors_review_create": ("risk", row(200, 403, 404, 404, 200, 200)),
    "risk_factors_close_create": ("risk", row(200, 403, 404, 404, 200, 200)),
    "risk_factors_sign_off_create": ("risk_awaiting", row(403, 403, 404, 404, 200, 403)),
    # Children's social care and legal services record a child's orders, the police only
    # police protection: the health visitor and administrators are refused before the
    # body is read; the outsider (police) names a child outside reach.
    "orders_create": (None, row(201, 403, 400, 403, 201, 201)),
    "orders_extend_create": ("order", row(200, 403, 404, 404, 200, 200)),
    "orders_end_create": ("order", row(200, 403, 404, 404, 200, 200)),
    "orders_conclude_create": ("proceedings", row(200, 403, 404, 404, 200, 200)),
    # Children's social care and legal services record meetings and assessments.
    "clock_events_create": (None, row(201, 403, 403, 403, 201, 201)),
    # They arrange meetings and record attendance, outcomes and cancellations (403 for
    # anyone else, before the body is read); each invited agency sends its own report.
    "meetings_create": (None, row(201, 403, 403, 403, 201, 201)),
    "meetings_invitations_attendance_create": ("meeting", row(200, 403, 404, 404, 200, 200)),
    "meetings_invitations_create": ("meeting", row(200, 403, 404, 404, 200, 200)),
    "meetings_reports_create": ("meeting", row(201, 201, 404, 404, 201, 201)),
    "meetings_outcome_create": ("meeting", row(200, 403, 404, 404, 200, 200)),
    "meetings_cancel_create": ("meeting", row(200, 403, 404, 404, 200, 200)),
    # They also record, review and end placement agreements (403 for anyone else, before
    # the body is read).
    "placement_agreements_create": (None, row(201, 403, 403, 403, 201, 201)),
    "placement_agreements_review_create": ("placement", row(200, 403, 404, 404, 200, 200)),
    "placement_agreements_end_create": ("placement", row(200, 403, 404, 404, 200, 200)),
    # Only the partnership's officers (no persona) run a review: 403 for those who see it,
    # before the body is read for those who are no partnership officer anywhere.
    "reviews_create": (None, row(403, 403, 403, 403, 403, 403)),
    "reviews_milestones_create": ("review", REVIEW_MANAGER),
    "reviews_close_create": ("review", REVIEW_MANAGER),
    "reviews_report_requests_create": ("review", REVIEW_MANAGER),
    "reviews_recommendations_extract_create": ("review", REVIEW_MANAGER),
    "recommendations_create": (None, row(403, 403, 403, 403, 403, 403)),
    "recommendations_partial_update": ("recommendation", REVIEW_MANAGER),
    "actions_evidence_decision_create": ("action", REVIEW_MANAGER),
    "actions_close_create": ("action", REVIEW_MANAGER),
    "agency_reports_assurance_create": ("submitted_report", REVIEW_MANAGER),
    # The panel and the agencies asked add to the review chronology.
    "reviews_chronology_entries_create": ("review", row(201, 404, 404, 404, 201, 201)),
    # Social care's safeguarding lead responds for it (its report, its action plan); the
    # social worker and the auditor see them, and are refused. A recommendation of a
    # review one may not see is named in the body: reported like none at all.
    "actions_create": ("recommendation", row(403, 400, 400, 400, 201, 403)),
    "actions_updates_create": ("action", REVIEW_RESPONDER),
    "actions_evidence_create": ("action", row(403, 404, 404, 404, 201, 403)),
    "agency_reports_submission_create": ("report", REVIEW_RESPONDER),
    # Only those who decide identities decide a pair (403 before the pair is looked up).
    "match_candidates_decision_create": ("match", row(403, 403, 403, 403, 200, 403)),
}
# Writes by which the outsider may succeed: its own new record, and break-glass.
OUTSIDER_MAY_WRITE = {"people_create", "people_break_glass_create"}


def schema_operations() -> dict[str, tuple[str, str]]:
    """operationId → (method, path) for every operation in the generated schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        operation["operationId"]: (method, path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }


OPERATIONS = schema_operations()


def test_every_api_operation_is_in_the_matrix():
    reads = {op for op, (method, _) in OPERATIONS.items() if method == "get"}
    writes = set(OPERATIONS) - reads
    assert reads == set(READS), "update READS for new or removed read operations"
    assert writes == set(WRITES), "update WRITES for new or removed write operations"


def test_the_outsider_never_writes_to_a_record_outside_reach():
    for operation, (kind, expected) in WRITES.items():
        if operation in OUTSIDER_MAY_WRITE:
            continue
        assert not 200 <= expected["outsider"] < 300, operation
        if kind in {"person", "case", "access_request"}:
            assert expected["outsider"] == 404, operation


class Records:
    """One record of each kind about `world.child` (or, for the directory, the health
    visitor), made on first use."""

    def __init__(self, world):
        self.world, self.made = world, {}

    def id(self, kind):
        if kind not in self.made:
            self.made[kind] = self._make(kind)
        return self.made[kind]

    def _make(self, kind):
        world = self.world
        if kind == "person":
            return world.child.pk
        if kind == "residence":
            return ResidenceFactory(person=world.child, recorded_by=world.social_worker).pk
        if kind == "household":  # the child's current home, listed by the people in it
            self.id("residence")
            return world.child.pk
        if kind == "relationship":
            return Relationship.objects.get(person_b=world.child).pk
        if kind == "case":
            return world.case.pk
        if kind == "agency":
            return world.health.pk
        if kind == "practitioner":
            return world.health_visitor.pk
        if kind == "agreement":
            return SharingAgreement.objects.get(provider=world.social_care).pk
        if kind == "access_request":
            return AccessRequest.objects.create(
                requester=world.health_visitor,
                child=world.child,
                provider=world.social_care,
                category="police_intelligence",
                reason="A police report mentions the baby",
            ).pk
        if kind == "notice":
            notice = send_notice(
                notice_type=NoticeType.ALERT,
                title="Riley seen at A&E",
                body="Seen with a bruise; discharged home.",
                child=world.child,
                practitioners=[world.health_visitor],
            )
            return notice.recipients.get().pk
        if kind == "referral":
            return ReferralFactory(
                child=world.child, referrer=world.health_visitor, local_authority=world.social_care
            ).pk
        if kind == "entry":
            return ChronologyEntryFactory(
                agency=world.social_care, author=world.social_worker, children=[world.child]
            ).pk
        if kind in {"risk", "risk_awaiting"}:
            risk = record_risk(
                actor=world.social_worker,
                subject=world.child,
                factor="16A",
                evidence="Nappy rash untreated for weeks",
                review_date=timezone.localdate() + dt.timedelta(days=90),
            )
            if kind == "risk_awaiting":
                close_risk(actor=world.social_worker, risk=risk, rationale="Treated; seen weekly")
            return risk.pk
        if kind == "factor":
            return "16A"
        if kind in {"order", "proceedings"}:
            return make_order(
                actor=world.social_worker,
                child=world.child,
                order_type="supervision_order" if kind == "order" else "care_proceedings",
                starts_on=dt.date(2026, 3, 2),
                court="Northmoor Family Court",
            ).pk
        if kind == "task":  # the supervision order's first
            self.id("order")
            return Task.objects.filter(child=world.child).order_by("due_at").first().pk
        if kind == "rule":
            return "supervision-order-review"
        if kind == "clock_event":
            return record_meeting_or_assessment(
                actor=world.social_worker,
                child=world.child,
                kind="strategy_discussion",
                occurred_on=dt.date(2026, 11, 2),
            ).pk
        if kind == "meeting":
            return arrange_meeting(
                actor=world.social_worker,
                children=[world.child],
                meeting_type="core_group",
                starts_at=timezone.now() + dt.timedelta(days=7),
                place="Northmoor Civic Centre",
                chair=world.team_manager,
                reports_from=[world.health],
            ).pk
        if kind == "placement":
            return make_placement_agreement(
                actor=world.social_worker,
                child=world.child,
                facility="Harbour House parent and baby unit",
                starts_on=timezone.localdate() - dt.timedelta(weeks=3),
                planned_end_on=timezone.localdate() + dt.timedelta(weeks=9),
                exit_strategy="Kerry and Riley go to the grandparents' home",
                roles=[{"party": "Harbour House", "responsibilities": "Supervision of care"}],
            ).pk
        if kind in {"review", "recommendation", "action"}:
            return getattr(self.id("case_review"), kind).pk
        if kind == "submitted_report":
            return self.id("case_review").report.pk
        if kind == "report":  # asked for, not yet submitted
            return case_review(world, submitted=False).report.pk
        if kind == "case_review":
            return case_review(world)
        if kind == "match":  # social care's record of Rosie, waiting against the child
            waiting = SourceRecord.objects.create(
                agency=world.social_care,
                local_id="CSC-2",
                first_name="Rosie",
                surname="Marsh",
                received_at=timezone.now(),
            )
            return MatchCandidate.objects.create(
                record=waiting,
                person=world.child,
                probability=0.95,
                match_weight=4.2,
                contributions=[{"field": "First name", "level": "Different", "weight": -6.0}],
            ).pk
        if kind == "audit_event":
            return record_event(
                actor=world.health_visitor,
                action="view",
                target=world.child,
                child=world.child,
                summary="Viewed Riley Marsh",
            ).seq
        raise AssertionError(kind)


def fill(path: str, record_id) -> str:
    if "{evidence_id}" in path:
        path = path.replace("{evidence_id}", str(Evidence.objects.get(action_id=record_id).pk))
    return path.replace("{id}", str(record_id)).replace("{agency}", "nm-hv")


# How a list names its records, where not by `id`.
ID_FIELDS = {"audit_event": "seq", "household": "residents", "factor": "code"}


def outcome(response, record_id, id_field: str) -> int | str:
    """The status, or for a 200 list whether the record is in it."""
    if response.status_code != 200 or not response["Content-Type"].startswith("application/json"):
        return response.status_code  # an error, or a file (an export)
    body = response.json()
    if "results" not in body:
        return response.status_code
    if id_field == "residents":
        listed = {r["person"]["id"] for item in body["results"] for r in item["residents"]}
    else:
        listed = {str(item[id_field]) for item in body["results"]}
    return SHOWN if str(record_id) in listed else HIDDEN


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", sorted(READS))
def test_read_matrix(world, api_client_for, operation, persona):
    kind, query, expected = READS[operation]
    method, path = OPERATIONS[operation]
    record_id = Records(world).id(kind)
    query = {k: world.child.pk if v == "child" else v for k, v in query.items()}
    response = api_client_for(getattr(world, persona)).get(fill(path, record_id), query)
    id_field = ID_FIELDS.get(kind, "id")
    assert outcome(response, record_id, id_field) == expected[persona], response.content


def valid_body(operation: str, world, actor, record_id=None) -> dict:
    """A body that would succeed for someone allowed to make the change."""
    child, today = str(world.child.pk), "2025-06-02"
    now = timezone.localdate()
    review_date = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    chronology_entry = {
        "children": [child],
        "event_at": today,
        "entry_type": "hospital",
        "summary": "Seen at A&E with a bruise to the cheek; discharged home",
        "significance": "significant",
    }
    return {
        "people_create": {"kind": "child", "family_name": "Newborn", "date_of_birth": "2025-05-30"},
        "people_partial_update": {"first_language": "English"},
        "people_names_create": {"family_name": "Marsh-Cole", "kind": "known_as"},
        "people_references_create": {
            "agency": actor.agency.code if actor.agency else "nm-csc",
            "reference": "R-1",
        },
        "addresses_create": {
            "person": child,
            "line_1": "4 Mill Lane",
            "town": "Northmoor",
            "postcode": "NM1 2AB",
            "from_date": today,
        },
        "relationships_create": {
            "person_a": str(world.mother.pk),
            "person_b": child,
            "type": "carer",
        },
        "cases_create": {"child": child},
        "cases_involvements_create": {
            "agency": "far-police",
            "role": "Investigating officer",
            "from_date": today,
        },
        "cases_allocations_create": {
            "social_worker": str(SocialWorkerFactory(agency=world.social_care).pk),
            "from_date": today,
        },
        "cases_lead_professional_create": {"lead_professional": str(world.health_visitor.pk)},
        "sharing_agreements_create": {
            "title": "Farshire police to Northmoor",
            "provider": "far-police",
            "recipient": "nm-csc",
            "categories": ["police_intelligence"],
            "purpose": "Section 47 enquiries",
            "legal_basis": "children_act_s47",
            "from_date": "2025-01-01",
            "to_date": "2026-12-31",
        },
        "sharing_agreements_end_create": {"to_date": "2029-12-31"},
        "access_requests_create": {
            "child": child,
            "provider": "far-police",
            "category": "police_intelligence",
            "reason": "Reports of violence at the address",
        },
        "access_requests_approve_create": {"reason": "Needed for the strategy meeting"},
        "access_requests_refuse_create": {"reason": "Ask the police directly"},
        "people_break_glass_create": {
            "reason": "Child at A&E, carers unknown",
            "password": settings.DEMO_PASSWORD,
        },
        "notices_acknowledge_create": {},
        "referrals_create": {
            "child": child,
            "concerns": "Came to clinic with a burn to the hand; no explanation given",
            "categories": ["physical_abuse", "neglect"],
            "urgency": "urgent",
            "family_told": "Mother told we are referring",
            "sharing_basis": "safeguarding",
        },
        "referrals_decide_create": {
            "decision": "assessment",
            "rationale": "Injury without explanation in a child under two",
        },
        "chronology_entries_create": chronology_entry,
        "chronology_entries_bulk_create": {"entries": [chronology_entry, chronology_entry]},
        "chronology_entries_partial_update": {
            "significance": "significant",
            "reason": "The bruise was later confirmed",
        },
        "chronology_entries_entered_in_error_create": {"reason": "Recorded on the wrong child"},
        "risk_factors_create": {
            "subject": child,
            "factor": "16A",
            "evidence": "Nappy rash untreated for weeks",
            "review_date": review_date,
        },
        "risk_factors_review_create": {
            "notes": "Seen at home; rash healing",
            "next_review_date": review_date,
            "status": "active",
        },
        "risk_factors_close_create": {"rationale": "Treated; seen weekly"},
        "risk_factors_sign_off_create": {},
        "orders_create": {
            "child": child,
            "order_type": "supervision_order",
            "starts_on": "2026-03-02",
            "court": "Northmoor Family Court",
            "case_number": "NM26C00123",
        },
        "orders_extend_create": {"new_end": "2028-03-02", "granted_on": "2026-09-01"},
        "orders_end_create": {"ended_on": "2026-09-01", "reason": "discharged"},
        "orders_conclude_create": {"concluded_on": "2026-09-01", "outcome": "supervision_order"},
        "clock_events_create": {
            "child": child,
            "kind": "strategy_discussion",
            "occurred_on": "2026-11-02",
        },
        "meetings_create": {
            "children": [child],
            "meeting_type": "core_group",
            "starts_at": (timezone.now() + dt.timedelta(days=7)).isoformat(),
            "place": "Northmoor Civic Centre",
            "agencies": ["nm-hv"],
        },
        "meetings_invitations_attendance_create": {"attendance": "attended"},
        "meetings_invitations_create": {"agencies": ["far-police"]},
        "meetings_reports_create": {"content": "Seen at clinic; weight on track"},
        "meetings_outcome_create": {
            "held_on": timezone.localdate().isoformat(),
            "chair": str(world.team_manager.pk),
            "decisions": [{"decision_type": "other", "agreed_by": "All agencies"}],
            "actions": [
                {
                    "description": "Weekly home visits",
                    "owner": str(world.health_visitor.pk),
                    "due_on": review_date,
                }
            ],
            "minutes": "Progress reviewed; the plan continues.",
        },
        "meetings_cancel_create": {"reason": "The chair is ill"},
        "placement_agreements_create": {
            "child": child,
            "facility": "Harbour House parent and baby unit",
            "starts_on": timezone.localdate().isoformat(),
            "planned_end_on": (timezone.localdate() + dt.timedelta(weeks=12)).isoformat(),
            "exit_strategy": "Kerry and Riley go to the grandparents' home",
            "roles": [{"party": "Harbour House", "responsibilities": "Supervision of care"}],
        },
        "placement_agreements_review_create": {"reviewed_on": timezone.localdate().isoformat()},
        "placement_agreements_end_create": {
            "ended_on": timezone.localdate().isoformat(),
            "reason": "breakdown",
            "notes": "The unit gave notice",
        },
        "reviews_create": {
            "title": "Child R",
            "review_type": "rapid_review",
            "incident_summary": "Riley was taken to hospital with a serious head injury.",
            "incident_on": (now - dt.timedelta(days=3)).isoformat(),
            "aware_on": (now - dt.timedelta(days=2)).isoformat(),
            "children": [child],
            "scope_from": "2025-02-01",
            "scope_to": (now - dt.timedelta(days=3)).isoformat(),
        },
        "reviews_milestones_create": {"milestone": "notified", "on": now.isoformat()},
        "reviews_close_create": {},
        "reviews_report_requests_create": {
            "agencies": ["nm-hv"],
            "due_on": (now + dt.timedelta(days=20)).isoformat(),
        },
        "reviews_recommendations_extract_create": {
            "file": {
                "filename": "child-r.txt",
                "content": base64.b64encode(
                    b"Recommendations\n\n1. Children's social care should record who "
                    b"lives with the child.\n"
                ).decode(),
            }
        },
        "reviews_chronology_entries_create": {
            "event_at": (now - dt.timedelta(days=10)).isoformat(),
            "entry_type": "contact",
            "summary": "Home visit: a man answered the door",
        },
        "recommendations_create": {  # refused before the body is read
            "review": str(uuid.uuid4()),
            "items": [{"number": 2, "text": "Audit referrals"}],
        },
        "recommendations_partial_update": {"themes": ["Household members"]},
        "actions_create": {
            "recommendation": str(record_id),
            "description": "Brief every team on household checks",
            "owner": str(world.safeguarding_lead.pk),
            "due_on": (now + dt.timedelta(days=30)).isoformat(),
            "measure_of_success": "Dip sample of ten assessments",
        },
        "actions_updates_create": {"status": "in_progress", "rag": "amber"},
        "actions_evidence_create": {
            "files": [{"filename": "log.txt", "content": base64.b64encode(b"Briefed").decode()}]
        },
        "actions_evidence_decision_create": {"accept": False, "note": "Send the audit"},
        "match_candidates_decision_create": {"decision": "not_same"},
        "actions_close_create": {},
        "agency_reports_submission_create": {
            "what_was_known": "Two visits; the baby was well.",
            "when_known": "March 2026.",
            "what_was_done": "Visited; no concerns recorded.",
            "what_differently": "Ask who else lives at the address.",
            "document": {"filename": "report.txt", "content": base64.b64encode(b"R").decode()},
        },
        "agency_reports_assurance_create": {"accept": True},
    }[operation]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", sorted(WRITES))
def test_write_matrix(world, api_client_for, operation, persona):
    kind, expected = WRITES[operation]
    method, path = OPERATIONS[operation]
    actor = getattr(world, persona)
    record_id = Records(world).id(kind) if kind else None
    patched = {"entry": ChronologyEntry, "recommendation": Recommendation}.get(kind)
    patched = patched.objects.get(pk=record_id) if patched else world.child
    headers = {"HTTP_IF_MATCH": etag_for(patched)} if method == "patch" else {}
    response = getattr(api_client_for(actor), method)(
        fill(path, record_id),
        valid_body(operation, world, actor, record_id),
        format="json",
        **headers,
    )
    assert response.status_code == expected[persona], response.content


# --- relations beyond the personas' own ----------------------------------------------
# The outsider again, now with one more relation to the child: each relation opens what
# a partner in the network sees (the health visitor's row), or nothing (the outsider's).

CHILD_KINDS = {"person", "residence", "household", "relationship", "case", "entry", "risk"}
CHILD_KINDS |= {"order", "task", "clock_event", "meeting", "placement"}
CHILD_READS = sorted(op for op, (kind, _, _) in READS.items() if kind in CHILD_KINDS)
CASE_READS = {"cases_list", "cases_retrieve"}


def give(relation: str, world) -> None:
    far = world.outsider
    if relation in {"break_glass", "expired_break_glass"}:
        BreakGlass.objects.create(
            actor=far,
            person=world.child,
            reason="Child found alone at night",
            expires_at="2099-01-01T00:00Z" if relation == "break_glass" else "2000-01-01T00:00Z",
        )
    elif relation in {"approved_request", "refused_request", "expired_request"}:
        approved = relation != "refused_request"
        AccessRequest.objects.create(
            requester=far,
            child=world.child,
            provider=world.social_care,
            category="social_care",
            reason="Joint investigation",
            status=AccessRequestStatus.APPROVED if approved else AccessRequestStatus.REFUSED,
            expires_on=("2099-01-01" if relation == "approved_request" else "2000-01-01")
            if approved
            else None,
        )
    elif relation == "sharing_agreement":  # between agencies: shares categories, not children
        SharingAgreementFactory(
            provider=world.social_care, recipient=world.outsider_agency, categories=["social_care"]
        )


# relation → the reads it opens (the rest stay as for anyone outside reach)
RELATIONS = {
    "break_glass": set(CHILD_READS),  # the whole record, the network included
    "expired_break_glass": set(),
    "approved_request": set(CHILD_READS) - CASE_READS,  # the child, not the case
    "expired_request": set(),
    "refused_request": set(),
    "sharing_agreement": set(),
}


@pytest.mark.parametrize("relation", sorted(RELATIONS))
def test_relation_matrix(world, api_client_for, relation):
    give(relation, world)
    client = api_client_for(world.outsider)
    records = Records(world)
    for operation in CHILD_READS:
        kind, query, expected = READS[operation]
        _, path = OPERATIONS[operation]
        record_id = records.id(kind)
        query = {k: world.child.pk if v == "child" else v for k, v in query.items()}
        response = client.get(fill(path, record_id), query)
        persona = "health_visitor" if operation in RELATIONS[relation] else "outsider"
        id_field = ID_FIELDS.get(kind, "id")
        assert outcome(response, record_id, id_field) == expected[persona], (operation, relation)


def test_reads_of_case_data_are_audited(world, api_client_for):
    """Every read the matrix allows that shows case data writes an audit row."""
    records = Records(world)
    for operation, (kind, query, expected) in READS.items():
        if kind in {"agency", "practitioner", "agreement", "factor", "rule"}:
            continue  # the directory, the register, census factors, rules: not case data
        # A list where the record is never an item (the people a person may also be) is
        # still a read of case data: 200, HIDDEN.
        persona = next((p for p in PERSONAS if expected[p] in (200, SHOWN)), None) or next(
            p for p in PERSONAS if expected[p] == HIDDEN
        )
        actor = getattr(world, persona)
        record_id = records.id(kind)
        _, path = OPERATIONS[operation]
        query = {k: world.child.pk if v == "child" else v for k, v in query.items()}
        before = AuditEvent.objects.filter(actor=actor).count()
        assert api_client_for(actor).get(fill(path, record_id), query).status_code == 200
        assert AuditEvent.objects.filter(actor=actor).count() > before, operation
