"""The visible-people filter is built once per actor, role, agency and day and reused
(building it was a fifth of the child page's time under `make load`); lists through it
still follow every change at once."""

import datetime as dt

from threadline.agencies.models import Role
from threadline.sharing import policy
from threadline.sharing.policy import people_visible_to

from ..factories import AgencyFactory, InvolvementFactory, PersonFactory, PractitionerFactory


def visible(actor, *people) -> set:
    return set(people_visible_to(actor).filter(pk__in=[p.pk for p in people]))


def test_the_filter_is_built_once_per_actor_and_day(world, monkeypatch):
    assert policy._person_reach(world.health_visitor) is policy._person_reach(world.health_visitor)
    assert policy._person_reach(world.social_worker) is not policy._person_reach(
        world.health_visitor
    )
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    today_filter = policy._person_reach(world.health_visitor)
    monkeypatch.setattr(policy.timezone, "localdate", lambda: tomorrow)
    assert policy._person_reach(world.health_visitor) is not today_filter


def test_lists_follow_changes_to_the_network_at_once(world):
    police = AgencyFactory(agency_type="police")
    officer = PractitionerFactory(agency=police)
    assert visible(officer, world.child, world.mother) == set()
    involvement = InvolvementFactory(case=world.case, agency=police, from_date=dt.date(2025, 1, 1))
    assert visible(officer, world.child, world.mother) == {world.child, world.mother}
    involvement.to_date = dt.date(2025, 6, 1)
    involvement.save()
    assert visible(officer, world.child, world.mother) == set()


def test_lists_follow_a_change_of_role_or_agency(world):
    unknown = PersonFactory(recorded_by_agency=world.health)
    colleague = PractitionerFactory(agency=world.social_care)
    assert visible(colleague, unknown) == set()
    colleague.role = Role.FRONT_DOOR_OFFICER  # sees everyone recorded in its area
    assert visible(colleague, unknown) == {unknown}

    mover = PractitionerFactory(agency=AgencyFactory(agency_type="school"))
    assert visible(mover, unknown, world.child) == set()
    mover.agency = world.health  # in the child's network, and recorded `unknown`
    assert visible(mover, unknown, world.child) == {unknown, world.child}
    mover.agency = world.outsider_agency
    assert visible(mover, unknown, world.child) == set()
