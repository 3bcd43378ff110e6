"""Placement agreements: a placement starts only with a written agreement (with its exit
strategy) that the network reads; its reviews are tasks; ending early tells the network
and calls a meeting."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from threadline.meetings import placements
from threadline.meetings.models import PlacementAgreement
from threadline.notices.models import NoticeRecipient
from threadline.timescales.models import Task

from ..errors import codes

TODAY = timezone.localdate()
STARTED = TODAY - dt.timedelta(days=21)
EXIT = (
    "If the unit ends the placement, Kerry and Riley go to the grandparents' home with "
    "daily health-visitor contact until a conference decides; the unit rings the duty "
    "social worker first."
)


def agree(world, **overrides):
    fields = {
        "actor": world.social_worker,
        "child": world.child,
        "facility": "Harbour House parent and baby unit",
        "starts_on": STARTED,
        "planned_end_on": STARTED + dt.timedelta(weeks=12),
        "exit_strategy": EXIT,
        "roles": [
            {"party": "Harbour House", "responsibilities": "24-hour supervision of care"},
            {
                "party": "Health visiting",
                "agency": world.health,
                "responsibilities": "Weekly weighs at the unit",
            },
        ],
        "reciprocal_support": "Social care funds the placement and attends weekly reviews.",
        "review_every_weeks": 4,
    } | overrides
    return placements.make_placement_agreement(**fields)


def test_an_agreement_is_read_by_the_network_and_its_reviews_are_tasks(world):
    agreement = agree(world)
    assert [r.party for r in agreement.roles.all()] == ["Harbour House", "Health visiting"]
    told = NoticeRecipient.objects.filter(notice__title__startswith="Placement agreement")
    assert {r.agency for r in told} == {world.social_care, world.health}
    review = Task.objects.get(rule_id="placement-review")
    assert review.due_on == STARTED + dt.timedelta(weeks=4)
    placements.review_placement(actor=world.social_worker, agreement=agreement, reviewed_on=TODAY)
    reviews = Task.objects.filter(rule_id="placement-review").order_by("due_on")
    assert [(t.due_on, t.status) for t in reviews] == [
        (STARTED + dt.timedelta(weeks=4), "done"),
        (TODAY + dt.timedelta(weeks=4), "open"),
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"exit_strategy": "  "}, "exit_strategy", "exit_strategy_required"),
        ({"roles": []}, "roles", "roles_required"),
        ({"planned_end_on": STARTED - dt.timedelta(days=1)}, "planned_end_on", "end_before_start"),
        ({"facility": ""}, "facility", "facility_required"),
    ],
)
def test_a_placement_without_what_it_needs_is_refused(world, overrides, field, code):
    with pytest.raises(ValidationError) as raised:
        agree(world, **overrides)
    assert field in raised.value.error_dict
    assert code in codes(raised.value)
    assert not PlacementAgreement.objects.exists()


def test_only_social_care_and_legal_services_record_placements(world):
    with pytest.raises(ValidationError) as raised:
        agree(world, actor=world.health_visitor)
    assert codes(raised.value) == {"not_allowed"}


def test_an_early_end_tells_the_network_with_the_exit_strategy_and_calls_a_meeting(world):
    agreement = agree(world)
    placements.end_placement(
        actor=world.social_worker, agreement=agreement, ended_on=TODAY, reason="facility_ended"
    )
    alert = NoticeRecipient.objects.filter(notice__title__startswith="Placement ended early")
    assert {r.agency for r in alert} == {world.social_care, world.health}
    assert EXIT in alert.first().notice.body
    assert Task.objects.get(rule_id="placement-review").status == "cancelled"
    assert Task.objects.get(rule_id="placement-ended-early").status == "open"


def test_an_end_as_planned_calls_no_meeting(world):
    agreement = agree(world, starts_on=TODAY - dt.timedelta(weeks=12), planned_end_on=TODAY)
    placements.end_placement(
        actor=world.social_worker, agreement=agreement, ended_on=TODAY, reason="as_planned"
    )
    assert not Task.objects.filter(rule_id="placement-ended-early").exists()
    assert not NoticeRecipient.objects.filter(notice__title__startswith="Placement ended").exists()
