import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from threadline.cases import services
from threadline.cases.models import Allocation, Case
from threadline.cases.selectors import current_allocation, my_children

from ..errors import codes
from ..factories import PersonFactory, SocialWorkerFactory


def test_reallocation_ends_the_current_allocation_the_day_before(world):
    colleague = SocialWorkerFactory(agency=world.social_care)
    services.allocate_social_worker(
        actor=world.team_manager,
        case=world.case,
        social_worker=colleague,
        from_date=dt.date(2026, 6, 1),
    )
    history = list(world.case.allocations.order_by("from_date"))
    assert [(a.social_worker, a.to_date) for a in history] == [
        (world.social_worker, dt.date(2026, 5, 31)),
        (colleague, None),
    ]
    assert current_allocation(world.case).social_worker == colleague


def test_an_allocation_overlapping_an_earlier_one_is_refused(world):
    colleague = SocialWorkerFactory(agency=world.social_care)
    before = Allocation.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.allocate_social_worker(
            actor=world.team_manager,
            case=world.case,
            social_worker=colleague,
            from_date=dt.date(2025, 1, 1),
        )
    assert "overlapping_allocation" in codes(caught.value)
    assert Allocation.objects.count() == before


def test_only_the_holding_authority_allocates(world):
    with pytest.raises(ValidationError) as caught:
        services.allocate_social_worker(
            actor=world.health_visitor,
            case=world.case,
            social_worker=world.social_worker,
            from_date=dt.date(2026, 6, 1),
        )
    assert "not_case_holder" in codes(caught.value)


def test_a_child_has_one_open_case(world):
    with pytest.raises(ValidationError) as caught:
        services.open_case(actor=world.social_worker, child=world.child)
    assert "case_already_open" in codes(caught.value)


def test_cases_are_for_children_and_opened_by_social_care(world):
    with pytest.raises(ValidationError):
        services.open_case(actor=world.social_worker, child=world.mother)
    other_child = PersonFactory(recorded_by_agency=world.health)
    with pytest.raises(ValidationError) as caught:
        services.open_case(actor=world.health_visitor, child=other_child)
    assert "not_social_care" in codes(caught.value)
    case = services.open_case(
        actor=world.social_worker, child=other_child, opened_on=dt.date(2026, 2, 3)
    )
    assert case.reference.startswith("TL-2026-")
    assert Case.objects.filter(child=other_child, closed_on=None).count() == 1


def test_named_practitioner_must_work_for_the_agency(world):
    with pytest.raises(ValidationError) as caught:
        services.add_involvement(
            actor=world.social_worker,
            case=world.case,
            agency=world.health,
            practitioner=world.outsider,
            role="Police",
            from_date=dt.date(2026, 1, 1),
        )
    assert "practitioner_not_in_agency" in codes(caught.value)


def test_my_children_lists_cases_naming_me(world):
    assert list(my_children(world.social_worker)) == [world.case]
    assert list(my_children(world.health_visitor)) == [world.case]
    assert list(my_children(world.outsider)) == []
