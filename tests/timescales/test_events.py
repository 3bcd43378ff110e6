"""Recording a meeting or an assessment by hand: what the clock waits for."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.orders.models import LegalOrder
from threadline.timescales.meetings import record_meeting_or_assessment
from threadline.timescales.models import ClockEvent

from ..errors import codes


def record(world, **overrides):
    fields = {
        "actor": world.social_worker,
        "child": world.child,
        "kind": "strategy_discussion",
        "occurred_on": dt.date(2026, 11, 2),
    } | overrides
    return record_meeting_or_assessment(**fields)


def test_a_strategy_discussion_starts_the_conference_clock_and_is_audited(world):
    event = record(world)
    assert event.tasks.get().rule_id == "initial-conference"
    assert AuditEvent.objects.filter(action="create", object_id=str(event.pk)).exists()


def test_recording_the_same_meeting_twice_is_one_event(world):
    record(world)
    record(world)
    assert ClockEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"kind": "supervision_order_made"}, "kind", "not_recorded_by_hand"),
        ({"occurred_on": None}, "occurred_on", "date_required"),
        (
            {"occurred_on": timezone.localdate() + dt.timedelta(days=1)},
            "occurred_on",
            "date_in_future",
        ),
        ({"kind": "initial_conference"}, "plan", "plan_required"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(world, overrides, field, code):
    with pytest.raises(ValidationError) as raised:
        record(world, **overrides)
    assert code in codes(raised.value)
    assert field in raised.value.error_dict
    assert not ClockEvent.objects.exists()


def test_someone_who_cannot_see_the_child_cannot_record_for_them(world):
    with pytest.raises(ValidationError) as raised:
        record(world, actor=world.outsider)
    assert codes(raised.value) == {"unknown_person"}


def test_a_conference_that_ends_the_plan_ends_it_for_the_clock(world):
    record(
        world,
        kind="initial_conference",
        occurred_on=dt.date(2026, 6, 1),
        plan=True,
        category="neglect",
    )
    record(world, kind="review_conference", occurred_on=dt.date(2026, 9, 1), plan=False)
    kinds = list(ClockEvent.objects.values_list("kind", flat=True))
    assert kinds == [
        "initial_conference",
        "plan_started",
        "review_conference",
        "plan_ended",
    ]
    # The conferences' decisions are the plan in the child's legal status.
    plan = LegalOrder.objects.get(child=world.child, order_type="cp_plan")
    assert (plan.category, plan.starts_on) == ("neglect", dt.date(2026, 6, 1))
    assert (plan.ended_on, plan.end_reason) == (dt.date(2026, 9, 1), "plan_ended")


def test_a_new_plan_needs_its_category(world):
    with pytest.raises(ValidationError) as raised:
        record(world, kind="initial_conference", plan=True)
    assert codes(raised.value) == {"category_required"}
    assert not ClockEvent.objects.exists()


def test_only_social_care_and_legal_services_record_meetings(world):
    with pytest.raises(ValidationError) as raised:
        record(world, actor=world.health_visitor)
    assert codes(raised.value) == {"not_allowed"}
