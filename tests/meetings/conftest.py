"""Meeting fixtures on top of the `world` personas: Northmoor police and the school in
Riley's network, and a helper that arranges an initial conference through the service
(the social worker arranges it, a week ahead, asking police and health for reports)."""

import datetime as dt

import pytest
from django.utils import timezone

from threadline.agencies.models import AgencyType
from threadline.meetings import services

from .. import factories as f


@pytest.fixture
def police(world):
    agency = f.AgencyFactory(
        code="nm-police", name="Northmoor Police", agency_type=AgencyType.POLICE
    )
    officer = f.PractitionerFactory(username="dc", agency=agency, job_title="Detective constable")
    f.InvolvementFactory(
        case=world.case, agency=agency, practitioner=officer, role="Child abuse investigation"
    )
    return officer


@pytest.fixture
def arrange(world, police):
    def make(**overrides):
        fields = {
            "actor": world.social_worker,
            "children": [world.child],
            "meeting_type": "initial_conference",
            "starts_at": timezone.now() + dt.timedelta(days=7),
            "place": "Northmoor Civic Centre, room 4",
            "chair": world.team_manager,
            "agencies": [world.health, police.agency],
            "reports_from": [world.health, police.agency],
        } | overrides
        return services.arrange_meeting(**fields)

    return make
