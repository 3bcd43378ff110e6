"""Making, extending and ending orders: the law's limits, and nothing saved when one is
broken."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from threadline.chronology.models import ChronologyEntry
from threadline.orders import services
from threadline.orders.models import LegalOrder

from ..errors import codes

START = dt.date(2026, 3, 2)


def test_a_supervision_order_lasts_a_year_unless_the_court_says_otherwise(world, make_order):
    order = make_order()
    assert (order.starts_on, order.ends_on) == (START, dt.date(2027, 3, 2))
    assert order.local_authority == world.social_care
    entry = ChronologyEntry.objects.get(entry_type="legal")
    assert entry.summary == "Supervision order made"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"ends_on": dt.date(2026, 3, 1)}, "ends_on", "end_before_start"),
        ({"ends_on": dt.date(2029, 3, 3)}, "ends_on", "supervision_order_too_long"),
        (
            {"starts_on": timezone.localdate() + dt.timedelta(days=1)},
            "starts_on",
            "start_in_future",
        ),
        ({"order_type": "cp_plan"}, "category", "category_required"),
        ({"category": "neglect"}, "category", "category_only_for_plans"),
        (
            {"order_type": "emergency_protection_order", "ends_on": START + dt.timedelta(days=9)},
            "ends_on",
            "emergency_protection_order_too_long",
        ),
        (
            {
                "order_type": "police_protection",
                "starts_at": dt.datetime(2026, 3, 2, 22, 0, tzinfo=dt.UTC),
                "ends_at": dt.datetime(2026, 3, 5, 23, 0, tzinfo=dt.UTC),
            },
            "ends_at",
            "police_protection_too_long",
        ),
    ],
)
def test_bad_orders_are_refused_and_nothing_is_saved(make_order, overrides, field, code):
    with pytest.raises(ValidationError) as raised:
        make_order(**overrides)
    assert field in raised.value.error_dict
    assert code in codes(raised.value)
    assert LegalOrder.objects.count() == 0


def test_a_care_order_and_a_supervision_order_cannot_run_at_once(world, make_order):
    make_order(order_type="care_order")
    with pytest.raises(ValidationError) as raised:
        make_order()
    assert codes(raised.value) == {"care_and_supervision_order"}
    assert LegalOrder.objects.count() == 1


def test_an_extension_goes_to_at_most_three_years_from_the_order(world, make_order):
    order = make_order()
    services.extend_order(actor=world.social_worker, order=order, new_end=dt.date(2028, 3, 2))
    with pytest.raises(ValidationError) as raised:
        services.extend_order(actor=world.social_worker, order=order, new_end=dt.date(2029, 3, 3))
    assert codes(raised.value) == {"extension_beyond_three_years"}
    order.refresh_from_db()
    assert order.ends_on == dt.date(2028, 3, 2)
    assert [e.new_end for e in order.extensions.all()] == [dt.date(2028, 3, 2)]


def test_an_emergency_protection_order_is_extended_once_by_at_most_seven_days(world, make_order):
    order = make_order(order_type="emergency_protection_order", starts_on=timezone.localdate())
    end = order.ends_on
    with pytest.raises(ValidationError) as raised:
        services.extend_order(
            actor=world.social_worker, order=order, new_end=end + dt.timedelta(days=8)
        )
    assert codes(raised.value) == {"emergency_protection_extension_too_long"}
    services.extend_order(
        actor=world.social_worker, order=order, new_end=end + dt.timedelta(days=7)
    )
    with pytest.raises(ValidationError) as raised:
        services.extend_order(
            actor=world.social_worker, order=order, new_end=end + dt.timedelta(days=9)
        )
    assert codes(raised.value) == {"emergency_protection_order_extended_once"}


def test_police_protection_lasts_72_hours(world, make_order):
    start = dt.datetime(2026, 3, 6, 23, 30, tzinfo=dt.UTC)
    order = make_order(order_type="police_protection", starts_at=start, starts_on=None)
    assert order.ends_at == start + dt.timedelta(hours=72)


def test_a_health_visitor_cannot_record_an_order(world, make_order):
    with pytest.raises(ValidationError) as raised:
        make_order(actor=world.health_visitor)
    assert codes(raised.value) == {"not_allowed"}


def test_an_ended_order_stays_in_the_history(world, make_order):
    order = make_order()
    services.end_order(
        actor=world.social_worker, order=order, ended_on=dt.date(2026, 9, 1), reason="discharged"
    )
    order.refresh_from_db()
    assert (order.ended_on, order.end_reason) == (dt.date(2026, 9, 1), "discharged")
    assert not order.in_force_on(dt.date(2026, 9, 2))
    assert order.in_force_on(dt.date(2026, 9, 1))
