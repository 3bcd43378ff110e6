import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from threadline.agencies.models import Role
from threadline.audit.models import AuditEvent
from threadline.sharing.models import AccessRequest, AccessRequestStatus

from ..factories import AgencyFactory, InvolvementFactory, PersonFactory, PractitionerFactory
from .helpers import assert_error, audit_count

REQUESTS = "/api/v1/access-requests/"
REASON = "Police attended a domestic incident at the address last week"


def request_url(access, action: str = "") -> str:
    return f"{REQUESTS}{access.pk}/{action + '/' if action else ''}"


@pytest.fixture
def asked(world) -> AccessRequest:
    """The health visitor asks children's social care for its police intelligence."""
    return AccessRequest.objects.create(
        requester=world.health_visitor,
        child=world.child,
        provider=world.social_care,
        category="police_intelligence",
        reason=REASON,
    )


def ask(client, world, **change):
    payload = {
        "child": str(world.child.pk),
        "provider": "nm-csc",
        "category": "police_intelligence",
        "reason": REASON,
    } | change
    return client.post(REQUESTS, payload, format="json")


# --- ask -----------------------------------------------------------------------------


def test_a_practitioner_asks_and_the_safeguarding_lead_is_told(
    world, api_client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(api_client_for(world.health_visitor), world)
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"{REQUESTS}{body['id']}/"
    assert body["status"] == "pending"
    assert body["child"]["full_name"] == "Riley Marsh"
    assert body["requester"]["agency"]["code"] == "nm-hv"
    assert (body["provider"]["code"], body["category"]) == ("nm-csc", "police_intelligence")
    assert (body["decided_by"], body["decided_at"], body["expires_on"]) == (None, None, None)
    event = AuditEvent.objects.get(action="access_request", object_id=body["id"])
    assert (event.actor, event.child_id, event.purpose) == (
        world.health_visitor,
        world.child.pk,
        REASON,
    )
    assert mail.outbox[-1].to == [world.safeguarding_lead.email]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"child": "00000000-0000-0000-0000-000000000000"}, "unknown_person", "child"),
        ({"child": "riley"}, "invalid", "child"),
        ({"provider": "nobody"}, "unknown_agency", "provider"),
        ({"category": "gossip"}, "invalid_choice", "category"),
        ({"reason": ""}, "reason_required", "reason"),
        ({"reason": "   "}, "reason_required", "reason"),
        ({"reason": None}, "reason_required", "reason"),
        ({"reason": 42}, "invalid", "reason"),
        ({"reason": "x" * 1001}, "max_length", "reason"),
        # The health visitor's own agency, and a category an agreement already shares.
        ({"provider": "nm-hv", "category": "health"}, "already_visible", "category"),
        ({"category": "social_care"}, "already_visible", "category"),
    ],
)
def test_bad_requests_are_refused(world, api_client_for, change, code, field):
    response = ask(api_client_for(world.health_visitor), world, **change)
    assert_error(response, 400, code, field)
    assert not AccessRequest.objects.exists()


def test_a_missing_reason_is_reason_required(world, api_client_for):
    payload = {"child": str(world.child.pk), "provider": "nm-csc", "category": "probation"}
    response = api_client_for(world.health_visitor).post(REQUESTS, payload, format="json")
    assert_error(response, 400, "reason_required", "reason")


def test_a_child_you_cannot_see_is_an_unknown_person(world, api_client_for):
    """Asking is for a child already in reach; anyone else is reported exactly like
    someone who does not exist (the route to an unseen child is break-glass)."""
    response = ask(api_client_for(world.outsider), world)
    assert_error(response, 400, "unknown_person", "child")
    stranger = PersonFactory(recorded_by_agency=world.outsider_agency)
    response = ask(api_client_for(world.health_visitor), world, child=str(stranger.pk))
    assert_error(response, 400, "unknown_person", "child")
    assert not AccessRequest.objects.exists()


def test_asking_twice_while_pending_is_refused(world, api_client_for, asked):
    response = ask(api_client_for(world.health_visitor), world)
    assert_error(response, 400, "already_requested", "category")
    assert AccessRequest.objects.count() == 1


# --- list and read -------------------------------------------------------------------


def test_the_requester_and_the_providers_lead_see_the_request(world, api_client_for, asked):
    mine = api_client_for(world.health_visitor).get(REQUESTS).json()
    assert [r["id"] for r in mine["results"]] == [str(asked.pk)]
    to_decide = api_client_for(world.safeguarding_lead).get(REQUESTS).json()
    assert [r["id"] for r in to_decide["results"]] == [str(asked.pk)]
    # A colleague of the lead who is not a lead, and everyone else: nothing.
    for persona in ("social_worker", "auditor", "outsider", "administrator"):
        assert api_client_for(getattr(world, persona)).get(REQUESTS).json()["count"] == 0


def test_the_list_filters_by_status_and_is_audited(world, api_client_for, asked):
    client = api_client_for(world.safeguarding_lead)
    before = audit_count(action="search", actor=world.safeguarding_lead)
    assert client.get(REQUESTS, {"status": "pending"}).json()["count"] == 1
    assert client.get(REQUESTS, {"status": "approved"}).json()["count"] == 0
    assert audit_count(action="search", actor=world.safeguarding_lead) == before + 2
    assert_error(client.get(REQUESTS, {"status": "maybe"}), 400, "invalid_choice", "status")


def test_a_lead_sees_requests_to_their_agency_in_every_status(world, api_client_for, asked):
    asked.status = AccessRequestStatus.REFUSED
    asked.save()
    body = api_client_for(world.safeguarding_lead).get(REQUESTS).json()
    assert [r["status"] for r in body["results"]] == ["refused"]


def test_reading_a_request_is_audited_with_the_child(world, api_client_for, asked):
    response = api_client_for(world.safeguarding_lead).get(request_url(asked))
    assert response.status_code == 200
    assert response.json()["reason"] == REASON
    event = AuditEvent.objects.get(action="view", object_id=str(asked.pk))
    assert (event.actor, event.child_id) == (world.safeguarding_lead, world.child.pk)


@pytest.mark.parametrize("persona", ["social_worker", "auditor", "outsider", "administrator"])
def test_anyone_else_gets_404(world, api_client_for, asked, persona):
    assert_error(api_client_for(getattr(world, persona)).get(request_url(asked)), 404, "not_found")


def test_a_lead_of_another_agency_gets_404(world, api_client_for, asked):
    health_lead = PractitionerFactory(agency=world.health, role=Role.SAFEGUARDING_LEAD)
    client = api_client_for(health_lead)
    assert_error(client.get(request_url(asked)), 404, "not_found")
    assert_error(
        client.post(request_url(asked, "approve"), {"reason": "Fine"}, format="json"),
        404,
        "not_found",
    )


# --- decide --------------------------------------------------------------------------


def test_the_lead_approves_and_the_requester_is_told(
    world, api_client_for, asked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(world.safeguarding_lead).post(
            request_url(asked, "approve"),
            {"reason": "Needed for the core group"},
            format="json",
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved"
    assert body["decided_by"]["id"] == str(world.safeguarding_lead.pk)
    assert body["decision_reason"] == "Needed for the core group"
    assert body["expires_on"] == (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    event = AuditEvent.objects.get(action="access_decision", object_id=str(asked.pk))
    assert (event.actor, event.child_id) == (world.safeguarding_lead, world.child.pk)
    assert mail.outbox[-1].to == [world.health_visitor.email]


def test_the_lead_approves_until_a_date(world, api_client_for, asked):
    until = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    response = api_client_for(world.safeguarding_lead).post(
        request_url(asked, "approve"),
        {"reason": "For the next conference", "expires_on": until},
        format="json",
    )
    assert response.json()["expires_on"] == until


def test_the_lead_refuses_with_a_reason(world, api_client_for, asked):
    response = api_client_for(world.safeguarding_lead).post(
        request_url(asked, "refuse"), {"reason": "Ask the police directly"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["expires_on"]) == ("refused", None)
    assert body["decision_reason"] == "Ask the police directly"
    assert AuditEvent.objects.filter(action="access_decision", object_id=str(asked.pk)).exists()


@pytest.mark.parametrize("action", ["approve", "refuse"])
def test_the_requester_cannot_decide_their_own_request(world, api_client_for, asked, action):
    response = api_client_for(world.health_visitor).post(
        request_url(asked, action), {"reason": "I need it"}, format="json"
    )
    assert_error(response, 403, "forbidden")
    asked.refresh_from_db()
    assert asked.status == "pending"


@pytest.mark.parametrize("persona", ["social_worker", "auditor", "outsider", "administrator"])
@pytest.mark.parametrize("action", ["approve", "refuse"])
def test_those_who_cannot_see_the_request_get_404(world, api_client_for, asked, persona, action):
    response = api_client_for(getattr(world, persona)).post(
        request_url(asked, action), {"reason": "Fine"}, format="json"
    )
    assert_error(response, 404, "not_found")
    asked.refresh_from_db()
    assert asked.status == "pending"


@pytest.mark.parametrize(
    ("action", "payload", "code", "field"),
    [
        ("approve", {}, "reason_required", "reason"),
        ("refuse", {"reason": " "}, "reason_required", "reason"),
        ("approve", {"reason": "Fine", "expires_on": "2020-01-01"}, "expiry_in_past", "expires_on"),
        ("approve", {"reason": "Fine", "expires_on": "next week"}, "invalid", "expires_on"),
    ],
)
def test_bad_decisions_are_refused(world, api_client_for, asked, action, payload, code, field):
    response = api_client_for(world.safeguarding_lead).post(
        request_url(asked, action), payload, format="json"
    )
    assert_error(response, 400, code, field)
    asked.refresh_from_db()
    assert asked.status == "pending"


def test_a_decided_request_cannot_be_decided_again(world, api_client_for, asked):
    client = api_client_for(world.safeguarding_lead)
    client.post(request_url(asked, "refuse"), {"reason": "No"}, format="json")
    response = client.post(request_url(asked, "approve"), {"reason": "Yes"}, format="json")
    assert_error(response, 400, "already_decided")
    asked.refresh_from_db()
    assert asked.status == "refused"


def test_an_approved_request_opens_the_category_to_the_requester(world, api_client_for):
    """The request's whole journey through the API: a substance-misuse service in the
    network is hidden from the health visitor until its lead approves."""
    service = AgencyFactory(code="nm-drugs", agency_type="adult_substance_misuse")
    InvolvementFactory(case=world.case, agency=service, role="Recovery worker")
    lead = PractitionerFactory(agency=service, role=Role.SAFEGUARDING_LEAD)
    visitor = api_client_for(world.health_visitor)
    case_url = f"/api/v1/cases/{world.case.pk}/"

    def network():
        return {i["agency"]["code"] for i in visitor.get(case_url).json()["involvements"]}

    assert "nm-drugs" not in network()
    created = ask(visitor, world, provider="nm-drugs", category="substance_misuse").json()
    api_client_for(lead).post(
        f"{REQUESTS}{created['id']}/approve/",
        {"reason": "Relevant to the baby's safety"},
        format="json",
    )
    assert "nm-drugs" in network()
