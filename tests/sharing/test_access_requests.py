"""A practitioner asks another agency for access; its safeguarding lead decides."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from threadline.agencies.models import Role
from threadline.audit.models import AuditEvent
from threadline.cases.selectors import open_case_for
from threadline.sharing import services
from threadline.sharing.models import AccessRequest

from ..errors import codes
from ..factories import AgencyFactory, InvolvementFactory, PractitionerFactory


@pytest.fixture
def probation(world):
    agency = AgencyFactory(code="probation", name="Northmoor Probation", agency_type="probation")
    lead = PractitionerFactory(
        agency=agency,
        role=Role.SAFEGUARDING_LEAD,
        username="plead",
        email="plead@probation.example",
    )
    officer = PractitionerFactory(agency=agency, username="pofficer")
    InvolvementFactory(
        case=world.case,
        agency=agency,
        practitioner=officer,
        role="Probation officer for the father",
    )
    return agency, lead, officer


def sees_probation(actor, world) -> bool:
    case = open_case_for(actor=actor, child=world.child)
    return any(i.agency.code == "probation" for i in case.involvements.all())


def ask(world, agency, **overrides):
    fields = {
        "actor": world.health_visitor,
        "child": world.child,
        "provider": agency,
        "category": "probation",
        "reason": "The court asks about the father's risk",
    }
    return services.request_access(**(fields | overrides))


def test_approved_request_shows_the_records_until_it_expires(
    world, probation, django_capture_on_commit_callbacks
):
    agency, lead, _ = probation
    assert not sees_probation(world.health_visitor, world)
    with django_capture_on_commit_callbacks(execute=True):
        access = ask(world, agency)
    assert mail.outbox[-1].to == ["plead@probation.example"]  # the lead is told
    assert "Riley" not in mail.outbox[-1].body  # no case details in email

    with django_capture_on_commit_callbacks(execute=True):
        services.decide_access_request(
            actor=lead, access=access, approve=True, reason="Court direction seen"
        )
    assert sees_probation(world.health_visitor, world)
    assert mail.outbox[-1].to == [world.health_visitor.email]  # the requester is told
    assert AuditEvent.objects.filter(action="access_decision", actor=lead).exists()

    AccessRequest.objects.filter(pk=access.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert not sees_probation(world.health_visitor, world)


def test_refusal_is_recorded_with_its_reason_and_grants_nothing(world, probation):
    agency, lead, _ = probation
    access = services.decide_access_request(
        actor=lead, access=ask(world, agency), approve=False, reason="Not relevant to the court"
    )
    assert access.status == "refused" and access.decided_at is not None
    assert not sees_probation(world.health_visitor, world)


def test_only_the_providers_safeguarding_lead_decides(world, probation):
    agency, _, officer = probation
    access = ask(world, agency)
    for someone in (officer, world.social_worker):
        with pytest.raises(ValidationError) as caught:
            services.decide_access_request(actor=someone, access=access, approve=True, reason="ok")
        assert "not_safeguarding_lead" in codes(caught.value)
    access.refresh_from_db()
    assert access.status == "pending"


def test_asking_for_what_you_can_already_see_is_refused(world, probation):
    with pytest.raises(ValidationError) as caught:
        ask(world, world.social_care, category="social_care")  # the agreement covers it
    assert "already_visible" in codes(caught.value)
    assert not AccessRequest.objects.exists()


def test_a_decision_needs_a_reason_and_is_made_once(world, probation):
    agency, lead, _ = probation
    access = ask(world, agency)
    with pytest.raises(ValidationError) as caught:
        services.decide_access_request(actor=lead, access=access, approve=True, reason=" ")
    assert "reason_required" in codes(caught.value)
    services.decide_access_request(actor=lead, access=access, approve=True, reason="Fine")
    with pytest.raises(ValidationError) as caught:
        services.decide_access_request(actor=lead, access=access, approve=False, reason="No")
    assert "already_decided" in codes(caught.value)
