"""What `make fuzz` (bench/fuzz.py: schemathesis against every operation) found, each
kept as a test: the response is documented in the schema, status and body."""

import datetime as dt

import pytest
from django.utils import timezone

from threadline.chronology.models import ChronologyEntry
from threadline.meetings.placements import make_placement_agreement
from threadline.meetings.services import arrange_meeting
from threadline.orders.services import make_order

from ..factories import ReferralFactory
from .conformance import assert_documented
from .helpers import assert_error, case_review


def test_an_order_without_a_category_end_or_outcome_matches_the_schema(world, api_client_for):
    # A supervision order has no plan category, end reason or proceedings outcome: the
    # schema promised one of the choices, not "".
    order = make_order(
        actor=world.social_worker,
        child=world.child,
        order_type="supervision_order",
        starts_on=dt.date(2026, 3, 2),
    )
    client = api_client_for(world.social_worker)
    response = client.get(f"/api/v1/orders/{order.pk}/")
    assert (response.json()["category"], response.json()["end_reason"]) == ("", "")
    assert_documented(response, "get", "/api/v1/orders/{id}/")
    assert_documented(client.get("/api/v1/orders/"), "get", "/api/v1/orders/")


def test_a_meeting_pack_with_an_order_in_force_matches_the_schema(world, api_client_for):
    make_order(
        actor=world.social_worker,
        child=world.child,
        order_type="supervision_order",
        starts_on=timezone.localdate() - dt.timedelta(days=30),
    )
    meeting = arrange_meeting(
        actor=world.social_worker,
        children=[world.child],
        meeting_type="core_group",
        starts_at=timezone.now() + dt.timedelta(days=7),
        place="Northmoor Civic Centre",
    )
    response = api_client_for(world.social_worker).get(f"/api/v1/meetings/{meeting.pk}/")
    assert_documented(response, "get", "/api/v1/meetings/{id}/")


def test_a_placement_agreement_not_yet_ended_matches_the_schema(world, api_client_for):
    agreement = make_placement_agreement(
        actor=world.social_worker,
        child=world.child,
        facility="Harbour House parent and baby unit",
        starts_on=timezone.localdate() - dt.timedelta(weeks=3),
        planned_end_on=timezone.localdate() + dt.timedelta(weeks=9),
        exit_strategy="Home to the grandparents",
        roles=[{"party": "Harbour House", "responsibilities": "Supervision of care"}],
    )
    response = api_client_for(world.social_worker).get(
        f"/api/v1/placement-agreements/{agreement.pk}/"
    )
    assert response.json()["end_reason"] == ""
    assert_documented(response, "get", "/api/v1/placement-agreements/{id}/")


def test_a_referral_awaiting_its_decision_matches_the_schema(world, api_client_for):
    referral = ReferralFactory(
        child=world.child, referrer=world.social_worker, local_authority=world.social_care
    )
    response = api_client_for(world.social_worker).get(f"/api/v1/referrals/{referral.pk}/")
    assert response.json()["decision"] == ""
    assert_documented(response, "get", "/api/v1/referrals/{id}/")


def test_a_reviews_tasks_say_whether_they_are_overdue(world, api_client_for):
    # The review's clock tasks were read without the `overdue` mark the tasks API adds,
    # so the field the schema requires was missing.
    review = case_review(world).review
    response = api_client_for(world.social_worker).get(f"/api/v1/reviews/{review.pk}/")
    tasks = response.json()["tasks"]
    assert tasks and all(isinstance(task["overdue"], bool) for task in tasks)
    assert_documented(response, "get", "/api/v1/reviews/{id}/")


# A date before 1900 was accepted (the web refuses it) and came back as a time in
# London's local mean time, "0639-11-03T00:00:00-00:01:15": no RFC 3339 date-time.
@pytest.mark.parametrize(
    ("path", "sent", "field"),
    [
        (
            "/api/v1/clock-events/",
            {"kind": "strategy_discussion", "occurred_on": "0639-11-03"},
            "occurred_on",
        ),
        (
            "/api/v1/orders/",
            {"order_type": "police_protection", "starts_at": "0675-02-13T12:56:59Z"},
            "starts_at",
        ),
        (
            "/api/v1/chronology-entries/",
            {"entry_type": "contact", "summary": "Seen", "event_at": "1899-12-31"},
            "event_at",
        ),
    ],
)
def test_a_date_before_1900_is_refused(world, api_client_for, path, sent, field):
    body = {"child": str(world.child.pk), "children": [str(world.child.pk)]} | sent
    response = api_client_for(world.social_worker).post(path, body, format="json")
    assert_error(response, 400, "invalid_date", field)
    assert_documented(response, "post", path)


def test_a_bulk_row_dated_before_1900_is_refused_by_row(world, api_client_for):
    row = {"children": [str(world.child.pk)], "entry_type": "contact", "summary": "Seen"}
    entries = [row | {"event_at": "2025-06-02"}, row | {"event_at": "1850-01-01T09:00:00Z"}]
    response = api_client_for(world.social_worker).post(
        "/api/v1/chronology-entries/bulk/", {"entries": entries}, format="json"
    )
    assert response.status_code == 400
    assert [(e["row"], e["field"], e["code"]) for e in response.json()["errors"]] == [
        (1, "event_at", "invalid_date")
    ]
    assert ChronologyEntry.objects.count() == 0
