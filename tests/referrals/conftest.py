"""Referral fixtures on top of the `world` personas (tests/conftest.py): the local
authority's front-door officer, a probation officer (adult services), and a helper that
makes a referral through the service."""

import pytest

from threadline.agencies.models import AgencyType, Role
from threadline.referrals import services

from ..factories import AdultFactory, AgencyFactory, PractitionerFactory

CONCERNS = "Riley came to clinic with a burn to the back of the hand; no explanation given"


def referral_fields(**overrides) -> dict:
    return {
        "concerns": CONCERNS,
        "categories": ["physical_abuse", "neglect"],
        "urgency": "standard",
        "family_told": "Mother told that we are referring, and why",
        "sharing_basis": "safeguarding",
    } | overrides


@pytest.fixture
def front_door(world):
    return PractitionerFactory(
        username="fd",
        first_name="Femi",
        last_name="Adeyemi",
        agency=world.social_care,
        role=Role.FRONT_DOOR_OFFICER,
        job_title="Front-door social worker",
    )


@pytest.fixture
def refer(world):
    """make_referral with a valid referral; the health visitor refers the child unless
    told otherwise."""

    def make(**overrides):
        fields = {"actor": world.health_visitor} | referral_fields()
        if "new_child" not in overrides:
            fields["child"] = world.child
        return services.make_referral(**(fields | overrides))

    return make


@pytest.fixture
def probation(world):
    """Northmoor probation, its officer, and the father they supervise (whom they
    recorded: the officer sees him, not the children)."""
    agency = AgencyFactory(
        code="nm-probation", name="Northmoor Probation", agency_type=AgencyType.PROBATION
    )
    officer = PractitionerFactory(username="po", agency=agency, job_title="Probation officer")
    father = AdultFactory(given_names="Dean", family_name="Marsh", recorded_by_agency=agency)
    return agency, officer, father
