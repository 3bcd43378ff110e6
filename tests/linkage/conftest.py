"""Identity-resolution fixtures on top of the `world` personas: Northmoor General Hospital
(same area) with its safeguarding lead, the local authority's front-door officer, and a
helper that receives an agency's record through the service (as the import does)."""

import pytest

from threadline.agencies.models import AgencyType, Role
from threadline.linkage import services

from .. import factories as f

RILEY = {
    "first_name": "Riley",
    "surname": "Marsh",
    "dob": "2025-02-01",
    "sex": "F",
    "postcode": "NM1 4BX",
    "address": "Flat 3, 14 Bramble Close",
}


@pytest.fixture
def hospital(world):
    return f.AgencyFactory(
        code="nm-hospital", name="Northmoor General Hospital", agency_type=AgencyType.ACUTE_HOSPITAL
    )


@pytest.fixture
def hospital_lead(hospital):
    return f.PractitionerFactory(
        username="hospital-lead", agency=hospital, role=Role.SAFEGUARDING_LEAD
    )


@pytest.fixture
def front_door(world):
    return f.PractitionerFactory(
        username="front-door", agency=world.social_care, role=Role.FRONT_DOOR_OFFICER
    )


@pytest.fixture
def receive():
    """Receive an agency's record as the import command does (no practitioner)."""

    def make(agency, local_id, **fields):
        return services.receive_record(actor=None, agency=agency, local_id=local_id, fields=fields)

    return make


@pytest.fixture
def riley_known(world, receive):
    """Social care's record of Riley Marsh, given a person of her own (the child in the
    world is a factory's, with no record: this one is received like an extract)."""
    received = receive(world.social_care, "CSC-1", **RILEY)
    assert received.resolution == services.Outcome.NEW_PERSON
    return received.record.person


@pytest.fixture
def twin_pair(world, hospital, receive, riley_known):
    """The hospital's record of Riley's twin sister Rosie: same household, same date of
    birth, another forename. It waits in the review queue against Riley."""
    received = receive(hospital, "H-77", **{**RILEY, "first_name": "Rosie"})
    assert received.resolution == services.Outcome.QUEUED
    return received.record.candidates.get()


@pytest.fixture
def csc_twin_pair(world, receive, riley_known):
    """Social care's own second record, of Rosie: waits for its safeguarding lead."""
    received = receive(world.social_care, "CSC-2", **{**RILEY, "first_name": "Rosie"})
    assert received.resolution == services.Outcome.QUEUED
    return received.record.candidates.get()
