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


def test_a_person_checked_for_one_actor_is_not_checked_for_another(world, monkeypatch):
    """The route's check of the page's person stands for the page's other sections
    (`checked_for`), for that actor and day only; any other instance is checked again."""
    from threadline.orders.services import make_order
    from threadline.people.models import Person

    make_order(
        actor=world.social_worker,
        child=world.child,
        order_type="supervision_order",
        starts_on=dt.date(2026, 3, 2),
    )
    child = policy.get_person_for(world.social_worker, world.child.pk)
    assert policy.checked_for(world.social_worker, child)
    assert not policy.checked_for(world.outsider, child)
    assert policy.orders_about(world.social_worker, child).count() == 1
    assert policy.orders_about(world.outsider, child).count() == 0
    loaded = Person.objects.get(pk=world.child.pk)
    assert not policy.checked_for(world.social_worker, loaded)
    assert policy.orders_about(world.outsider, loaded).count() == 0
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    monkeypatch.setattr(policy.timezone, "localdate", lambda: tomorrow)
    assert not policy.checked_for(world.social_worker, child)
