"""Named personas for tests: a child in a case held by Northmoor children's social care,
the allocated social worker (the lead practitioner), a partner agency in the network
(health visiting), an outsider from another area's police, an administrator, and the
local authority's safeguarding lead and auditor."""

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from threadline.agencies.models import AgencyType, Practitioner, Role
from threadline.cases.models import Case
from threadline.people.models import Person

from . import factories as f

# The day the suite was collected: test modules and their parameters take "today" then
# (`TODAY = timezone.localdate()`, "a start tomorrow is refused").
COLLECTED_ON = timezone.localdate()


@pytest.fixture(autouse=True)
def _collection_day():
    """A run that crosses midnight (London) runs its later tests in the last minute of
    the day it was collected on, the clock ticking, so those dates still mean what they
    said: as if the suite had started a few minutes earlier."""
    if timezone.localdate() == COLLECTED_ON:
        yield
        return
    last_minute = dt.datetime.combine(
        COLLECTED_ON, dt.time(23, 59), tzinfo=timezone.get_current_timezone()
    )
    with time_machine.travel(last_minute, tick=True):
        yield


@dataclass
class World:
    social_care: object
    health: object
    outsider_agency: object
    social_worker: Practitioner
    team_manager: Practitioner
    health_visitor: Practitioner
    outsider: Practitioner
    administrator: Practitioner
    safeguarding_lead: Practitioner
    auditor: Practitioner
    child: Person
    mother: Person
    case: Case


@pytest.fixture
def world(db) -> World:
    social_care = f.AgencyFactory(
        code="nm-csc",
        name="Northmoor Children's Social Care",
        agency_type=AgencyType.CHILDRENS_SOCIAL_CARE,
    )
    health = f.AgencyFactory(code="nm-hv", name="Northmoor Health Visiting")
    outsider_agency = f.AgencyFactory(
        code="far-police", name="Farshire Police", agency_type=AgencyType.POLICE, area="Farshire"
    )
    social_worker = f.SocialWorkerFactory(
        username="sw", first_name="Amira", last_name="Okafor", agency=social_care
    )
    team_manager = f.PractitionerFactory(
        username="tm", agency=social_care, role=Role.TEAM_MANAGER, job_title="Team manager"
    )
    health_visitor = f.PractitionerFactory(username="hv", agency=health, job_title="Health visitor")
    outsider = f.PractitionerFactory(username="outsider", agency=outsider_agency)
    administrator = f.PractitionerFactory(
        username="admin", agency=None, role=Role.ADMINISTRATOR, is_staff=True
    )
    safeguarding_lead = f.PractitionerFactory(
        username="lead",
        agency=social_care,
        role=Role.SAFEGUARDING_LEAD,
        job_title="Safeguarding lead",
    )
    auditor = f.PractitionerFactory(username="auditor", agency=social_care, role=Role.AUDITOR)
    child = f.PersonFactory(
        given_names="Riley",
        family_name="Marsh",
        date_of_birth=dt.date(2025, 2, 1),
        recorded_by_agency=social_care,
    )
    mother = f.AdultFactory(
        given_names="Kerry", family_name="Marsh", recorded_by_agency=social_care
    )
    f.RelationshipFactory(person_a=mother, person_b=child, type="mother", recorded_by=social_worker)
    case = f.CaseFactory(child=child, local_authority=social_care, lead_professional=social_worker)
    f.AllocationFactory(case=case, social_worker=social_worker, allocated_by=team_manager)
    f.InvolvementFactory(
        case=case, agency=social_care, practitioner=social_worker, role="Social worker"
    )
    f.InvolvementFactory(
        case=case, agency=health, practitioner=health_visitor, role="Health visitor"
    )
    # The area's information-sharing agreement, both ways.
    f.SharingAgreementFactory(provider=social_care, recipient=health, categories=["social_care"])
    f.SharingAgreementFactory(provider=health, recipient=social_care, categories=["health"])
    return World(
        social_care,
        health,
        outsider_agency,
        social_worker,
        team_manager,
        health_visitor,
        outsider,
        administrator,
        safeguarding_lead,
        auditor,
        child,
        mother,
        case,
    )


@pytest.fixture
def api_client_for():
    """An API client signed in with a token, as the given practitioner."""
    from rest_framework.authtoken.models import Token

    def make(user: Practitioner) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture(autouse=True)
def _audit_anchor_in_tmp(settings, tmp_path):
    """Each test anchors the audit chain in its own file, never the developer's var/."""
    settings.AUDIT_ANCHOR_PATH = str(tmp_path / "audit-anchors.log")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files (chronology attachments) go to each test's own directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
