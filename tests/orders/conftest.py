"""Order fixtures on top of the `world` personas: a helper that makes an order through
the service (the social worker records a supervision order for Riley unless told
otherwise), and the area's legal services."""

import datetime as dt

import pytest

from threadline.agencies.models import AgencyType
from threadline.orders import services

from .. import factories as f


@pytest.fixture
def legal(world):
    agency = f.AgencyFactory(
        code="nm-legal",
        name="Northmoor Legal Services",
        agency_type=AgencyType.LOCAL_AUTHORITY_LEGAL,
    )
    return f.PractitionerFactory(username="solicitor", agency=agency, job_title="Solicitor")


@pytest.fixture
def make_order(world):
    def make(**overrides):
        fields = {
            "actor": world.social_worker,
            "child": world.child,
            "order_type": "supervision_order",
            "starts_on": dt.date(2026, 3, 2),
            "court": "Northmoor Family Court",
            "case_number": "NM26C00123",
        } | overrides
        return services.make_order(**fields)

    return make
