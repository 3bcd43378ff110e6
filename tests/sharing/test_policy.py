import datetime as dt

import pytest
from django.http import Http404

from threadline.agencies.models import Role
from threadline.sharing.policy import (
    can_edit_person,
    cases_visible_to,
    get_person_for,
    people_visible_to,
    visible_among,
)

from ..factories import AgencyFactory, InvolvementFactory, PersonFactory, PractitionerFactory


def test_network_agency_sees_child_and_related_adults(world):
    seen = set(people_visible_to(world.health_visitor))
    assert {world.child, world.mother} <= seen


def test_outsider_sees_nothing_and_gets_404(world):
    assert not people_visible_to(world.outsider).exists()
    assert not cases_visible_to(world.outsider).exists()
    with pytest.raises(Http404):
        get_person_for(world.outsider, world.child.pk)


def test_administrator_sees_no_case_data(world):
    assert not people_visible_to(world.administrator).exists()


def test_a_colleague_of_a_network_agency_sees_the_child(world):
    colleague = PractitionerFactory(agency=world.health)
    assert people_visible_to(colleague).filter(pk=world.child.pk).exists()


def test_ended_involvement_no_longer_gives_access(world):
    police = AgencyFactory(agency_type="police")
    officer = PractitionerFactory(agency=police)
    InvolvementFactory(
        case=world.case, agency=police, from_date=dt.date(2025, 1, 1), to_date=dt.date(2025, 6, 1)
    )
    assert not people_visible_to(officer).filter(pk=world.child.pk).exists()


def test_front_door_sees_children_recorded_in_its_area(world):
    front_door = PractitionerFactory(agency=world.social_care, role=Role.FRONT_DOOR_OFFICER)
    unknown = PersonFactory(recorded_by_agency=world.health)
    assert people_visible_to(front_door).filter(pk=unknown.pk).exists()
    far_child = PersonFactory(recorded_by_agency=world.outsider_agency)
    assert not people_visible_to(front_door).filter(pk=far_child.pk).exists()


def test_page_checks_follow_changes_to_the_network_at_once(world):
    """The checks a page makes are compiled once per actor and day; what they depend on
    is read when they run, so ending an involvement closes the record on the next page."""
    police = AgencyFactory(agency_type="police")
    officer = PractitionerFactory(agency=police)
    people = {world.child.pk, world.mother.pk}
    assert visible_among(officer, people) == set()
    involvement = InvolvementFactory(case=world.case, agency=police, from_date=dt.date(2025, 1, 1))
    assert visible_among(officer, people) == people
    assert get_person_for(officer, world.child.pk) == world.child
    involvement.to_date = dt.date(2025, 6, 1)
    involvement.save()
    assert visible_among(officer, people) == set()
    with pytest.raises(Http404):
        get_person_for(officer, world.mother.pk)


def test_page_checks_follow_a_change_of_role(world):
    unknown = PersonFactory(recorded_by_agency=world.health)
    colleague = PractitionerFactory(agency=world.social_care)
    assert visible_among(colleague, {unknown.pk}) == set()
    colleague.role = Role.FRONT_DOOR_OFFICER
    assert visible_among(colleague, {unknown.pk}) == {unknown.pk}


def test_identity_is_edited_by_recorder_or_case_holder(world):
    assert can_edit_person(world.social_worker, world.child)
    assert not can_edit_person(world.health_visitor, world.child)
