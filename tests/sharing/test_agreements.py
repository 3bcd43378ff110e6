"""Sharing agreements decide which agencies' information crosses agency lines."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.cases.selectors import open_case_for, withheld_involvements
from threadline.sharing import services
from threadline.sharing.models import SharingAgreement
from threadline.sharing.policy import shared_records

from ..errors import codes
from ..factories import AgencyFactory, InvolvementFactory, PractitionerFactory


@pytest.fixture
def recovery(world):
    """An adult substance-misuse service is involved: its involvement is special-category."""
    agency = AgencyFactory(
        code="recovery", name="Northmoor Recovery", agency_type="adult_substance_misuse"
    )
    InvolvementFactory(case=world.case, agency=agency, role="Recovery worker for the mother")
    return agency


def network_seen_by(actor, world) -> set[str]:
    case = open_case_for(actor=actor, child=world.child)
    return {i.agency.code for i in case.involvements.all()}


def test_without_an_agreement_another_agencys_involvement_is_withheld(world, recovery):
    assert "recovery" not in network_seen_by(world.health_visitor, world)
    case = open_case_for(actor=world.health_visitor, child=world.child)
    assert withheld_involvements(actor=world.health_visitor, case=case) == 1


def test_an_agreement_in_force_shares_that_category(world, recovery):
    today = timezone.localdate()
    services.create_agreement(
        actor=world.administrator,
        title="Recovery to health visiting",
        provider=recovery,
        recipient=world.health,
        categories=["substance_misuse"],
        purpose="Safeguarding",
        legal_basis="public_task",
        from_date=today - dt.timedelta(days=30),
        to_date=today + dt.timedelta(days=30),
    )
    assert "recovery" in network_seen_by(world.health_visitor, world)
    assert AuditEvent.objects.filter(action="permission_change").exists()


def test_an_expired_agreement_stops_access_the_same_day(world, recovery):
    today = timezone.localdate()
    agreement = services.create_agreement(
        actor=world.administrator,
        title="Recovery to health visiting",
        provider=recovery,
        recipient=world.health,
        categories=["substance_misuse"],
        purpose="Safeguarding",
        legal_basis="public_task",
        from_date=today - dt.timedelta(days=30),
        to_date=today,
    )
    assert "recovery" in network_seen_by(world.health_visitor, world)
    services.end_agreement(
        actor=world.administrator, agreement=agreement, to_date=today - dt.timedelta(days=1)
    )
    assert "recovery" not in network_seen_by(world.health_visitor, world)


def test_a_category_not_in_the_agreement_is_not_shared(world, recovery):
    services.create_agreement(
        actor=world.administrator,
        title="Recovery housing only",
        provider=recovery,
        recipient=world.health,
        categories=["housing"],
        purpose="Housing",
        legal_basis="public_task",
        from_date=dt.date(2025, 1, 1),
        to_date=dt.date(2030, 1, 1),
    )
    assert "recovery" not in network_seen_by(world.health_visitor, world)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"to_date": dt.date(2024, 12, 31)}, "end_before_start"),
        ({"categories": []}, "no_categories"),
        ({"actor": "social_worker"}, "not_administrator"),
    ],
)
def test_bad_agreements_are_refused(world, recovery, overrides, code):
    fields = {
        "actor": world.administrator,
        "title": "x",
        "provider": recovery,
        "recipient": world.health,
        "categories": ["health"],
        "purpose": "p",
        "legal_basis": "public_task",
        "from_date": dt.date(2025, 1, 1),
        "to_date": dt.date(2026, 1, 1),
    }
    if overrides.get("actor") == "social_worker":
        overrides = {"actor": world.social_worker}
    with pytest.raises(ValidationError) as caught:
        services.create_agreement(**(fields | overrides))
    assert code in codes(caught.value)
    assert not SharingAgreement.objects.filter(provider=recovery).exists()


def test_restricted_rows_are_seen_only_by_the_people_named(world):
    involvement = world.case.involvements.get(agency=world.health)
    involvement.confidentiality = "restricted"
    involvement.save()
    colleague = PractitionerFactory(agency=world.health)
    involvement.restricted_to.add(world.health_visitor)

    def sees(actor):
        return (
            shared_records(
                actor,
                world.case.involvements.all(),
                agency_field="agency_id",
                child_field="case__child_id",
            )
            .filter(pk=involvement.pk)
            .exists()
        )

    assert sees(world.health_visitor)
    assert not sees(colleague)  # same agency, not named
    assert not sees(world.social_worker)  # agreement covers health, but it is restricted
