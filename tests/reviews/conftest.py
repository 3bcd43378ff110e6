"""Case-review fixtures on top of the `world` personas: the Northmoor safeguarding
partnership with an officer, Riley's household, Northmoor police with a safeguarding
lead, and a helper that opens a review through the service."""

import datetime as dt

import pytest
from django.utils import timezone

from threadline.agencies.models import AgencyType, Role
from threadline.reviews import services

from .. import factories as f


@pytest.fixture
def partnership(world):
    agency = f.AgencyFactory(
        code="nm-scp",
        name="Northmoor Safeguarding Children Partnership",
        agency_type=AgencyType.PARTNERSHIP,
    )
    return f.PractitionerFactory(
        username="officer",
        agency=agency,
        role=Role.PARTNERSHIP_OFFICER,
        job_title="Business manager",
    )


@pytest.fixture
def police_lead(world):
    agency = f.AgencyFactory(
        code="nm-police", name="Northmoor Police", agency_type=AgencyType.POLICE
    )
    return f.PractitionerFactory(
        username="police-lead", agency=agency, role=Role.SAFEGUARDING_LEAD, job_title="DI"
    )


@pytest.fixture
def household(world):
    """Riley and Kerry at one address since before the scope, Kerry's partner joining
    within it, and a lodger who left before it started."""
    home = f.AddressFactory()
    start = dt.date(2024, 1, 1)
    f.ResidenceFactory(person=world.child, address=home, from_date=dt.date(2025, 2, 1))
    f.ResidenceFactory(person=world.mother, address=home, from_date=start)
    partner = f.AdultFactory(given_names="Dean", family_name="Voss")
    f.ResidenceFactory(person=partner, address=home, from_date=dt.date(2026, 3, 1))
    lodger = f.AdultFactory(given_names="Olly", family_name="Penn")
    f.ResidenceFactory(person=lodger, address=home, from_date=start, to_date=dt.date(2024, 12, 31))
    return partner, lodger


@pytest.fixture
def open_review(world, partnership, household):
    def make(**overrides):
        today = timezone.localdate()
        fields = {
            "actor": partnership,
            "title": "Child R",
            "review_type": "rapid_review",
            "incident_summary": "Riley was taken to hospital with a serious head injury.",
            "incident_on": today - dt.timedelta(days=3),
            "aware_on": today - dt.timedelta(days=2),
            "children": [world.child],
            "scope_from": dt.date(2025, 2, 1),
            "scope_to": today - dt.timedelta(days=3),
            "terms_of_reference": ["How did agencies share what they knew about Dean?"],
            "panel": [(partnership, "chair")],
        } | overrides
        return services.open_review(**fields)

    return make


# --- for the API tests (test_api.py, test_api_plans.py) ---------------------------------


@pytest.fixture
def officer(partnership, api_client_for):
    """The partnership officer's API client."""
    return api_client_for(partnership)


@pytest.fixture
def police(police_lead, api_client_for):
    """The police safeguarding lead's API client."""
    return api_client_for(police_lead)


@pytest.fixture
def addressed(open_review, partnership, police_lead):
    """A review with recommendation 1 addressed to Northmoor Police."""
    review = open_review()
    (recommendation,) = services.add_recommendations(
        actor=partnership,
        review=review,
        items=[
            services.ProposedRecommendation(1, "Police refer every incident", police_lead.agency)
        ],
    )
    return recommendation
