"""Risk fixtures on top of the `world` personas (tests/conftest.py): probation in the
area (sharing probation information with children's social care), the child's home and
the grandparents' home with an uncle who has an active risk, and a helper that records
a risk through the service."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from threadline.agencies.models import AgencyType, Role
from threadline.people import services as people
from threadline.risks import services

from .. import factories as f


@dataclass
class Homes:
    probation: object
    probation_officer: object
    probation_manager: object
    home: object
    grandparents_home: object
    grandmother: object
    uncle: object


def future(days: int = 90) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def homes(world) -> Homes:
    probation = f.AgencyFactory(
        code="nm-prob", name="Northmoor Probation", agency_type=AgencyType.PROBATION
    )
    officer = f.PractitionerFactory(username="po", agency=probation, job_title="Probation officer")
    manager = f.PractitionerFactory(username="pm", agency=probation, role=Role.TEAM_MANAGER)
    f.SharingAgreementFactory(
        provider=probation, recipient=world.social_care, categories=["probation"]
    )
    home = f.AddressFactory(line_1="4 Heather Row")
    grandparents_home = f.AddressFactory(line_1="19 Quarry Lane")
    since = dt.date(2025, 2, 1)
    for person in (world.child, world.mother):
        f.ResidenceFactory(person=person, address=home, from_date=since)
    grandmother = f.AdultFactory(
        given_names="Brenda", family_name="Marsh", recorded_by_agency=world.social_care
    )
    uncle = f.AdultFactory(given_names="Darren", family_name="Marsh", recorded_by_agency=probation)
    for person in (grandmother, uncle):
        f.ResidenceFactory(person=person, address=grandparents_home, from_date=dt.date(2010, 5, 1))
    f.RelationshipFactory(person_a=grandmother, person_b=world.child, type="grandparent")
    f.LocalReferenceFactory(person=uncle, agency=probation, reference="PRB-1187")
    return Homes(probation, officer, manager, home, grandparents_home, grandmother, uncle)


@pytest.fixture
def record_risk(world):
    """record_risk with valid fields: the social worker records drug misuse about the
    mother unless told otherwise."""

    def make(**overrides):
        fields = {
            "actor": world.social_worker,
            "subject": world.mother,
            "factor": "2B",
            "evidence": "Positive drug test at the antenatal clinic; she says she uses heroin.",
            "review_date": future(),
        } | overrides
        return services.record_risk(**fields)

    return make


@pytest.fixture
def move(world):
    """Record a move through the people service (which looks at the new household)."""

    def make(person, address, on=None, actor=None):
        return people.record_move(
            actor=actor or world.social_worker,
            person=person,
            address=address,
            from_date=on or timezone.localdate(),
        )

    return make
