"""/api/v1/households: who lived with a person on a day, as far as the caller may see."""

import datetime as dt

from ..factories import AddressFactory, AdultFactory, ResidenceFactory
from .helpers import assert_error

HOUSEHOLDS = "/api/v1/households/"


def test_household_today_and_on_an_earlier_day(world, api_client_for):
    home, before = AddressFactory(), AddressFactory(line_1="9 Old Road")
    sw = world.social_worker
    ResidenceFactory(
        person=world.child,
        address=before,
        from_date=dt.date(2025, 2, 1),
        to_date=dt.date(2025, 12, 31),
        recorded_by=sw,
    )
    ResidenceFactory(
        person=world.child, address=home, from_date=dt.date(2026, 1, 1), recorded_by=sw
    )
    ResidenceFactory(
        person=world.mother, address=home, from_date=dt.date(2026, 1, 1), recorded_by=sw
    )
    # A lodger recorded by another area's police: not someone the health visitor may see.
    lodger = AdultFactory(given_names="Vince", recorded_by_agency=world.outsider_agency)
    ResidenceFactory(person=lodger, address=home, from_date=dt.date(2026, 3, 1), recorded_by=sw)

    client = api_client_for(world.health_visitor)
    now = client.get(HOUSEHOLDS, {"person": world.child.pk}).json()["results"]
    assert [h["address"]["line_1"] for h in now] == [home.line_1]
    names = [r["person"]["full_name"] for r in now[0]["residents"]]
    assert names == ["Riley Marsh", "Kerry Marsh"]  # the child first; no lodger

    then = client.get(HOUSEHOLDS, {"person": world.child.pk, "as_of": "2025-06-01"}).json()
    assert [h["address"]["line_1"] for h in then["results"]] == ["9 Old Road"]
    assert [r["person"]["full_name"] for r in then["results"][0]["residents"]] == ["Riley Marsh"]


def test_someone_outside_reach_or_a_bad_date_is_a_clear_error(world, api_client_for):
    outsider = api_client_for(world.outsider)
    assert outsider.get(HOUSEHOLDS, {"person": world.child.pk}).status_code == 404
    response = api_client_for(world.social_worker).get(
        HOUSEHOLDS, {"person": world.child.pk, "as_of": "last Tuesday"}
    )
    assert_error(response, 400, "invalid", field="as_of")
