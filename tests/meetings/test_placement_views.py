"""The placement agreement pages: recording one from the child page (with its exit
strategy and rows of responsibilities), reading it, recording a review and the end; the
GOV.UK error summary when the service refuses; who may do what; the child page's list."""

import datetime as dt
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.meetings import placements
from threadline.meetings.models import PlacementAgreement
from threadline.timescales.models import Task

from ..web.test_pages import date_fields, error_summary, text

TODAY = timezone.localdate()
STARTED = TODAY - dt.timedelta(days=14)
EXIT = "Kerry and Riley go to the grandparents; the unit rings the duty social worker first."


def page(response) -> str:
    return unescape(text(response))


def problems(response) -> list[str]:
    return [unescape(message) for message in error_summary(response)]


def url(name: str, agreement) -> str:
    return reverse(name, kwargs={"placement_id": agreement.pk})


def create_url(world) -> str:
    return reverse("placement-create", args=[world.child.pk])


def child_url(world) -> str:
    return reverse("person-detail", args=[world.child.pk])


def new_placement(world, **fields) -> dict:
    return {
        "facility": "Harbour House parent and baby unit",
        "facility_agency": "",
        **date_fields("starts_on", STARTED),
        **date_fields("planned_end_on", STARTED + dt.timedelta(weeks=12)),
        "review_every_weeks": "4",
        "exit_strategy": EXIT,
        "reciprocal_support": "Social care funds the placement.",
        "role_1_party": "Harbour House",
        "role_1_responsibilities": "24-hour supervision of care",
        # Row 2 left empty: ignored.
        "role_3_party": "Health visiting",
        "role_3_agency": str(world.health.pk),
        "role_3_responsibilities": "Weekly weighs at the unit",
        **fields,
    }


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.social_worker)
    return client


@pytest.fixture
def agreement(world):
    return placements.make_placement_agreement(
        actor=world.social_worker,
        child=world.child,
        facility="Harbour House parent and baby unit",
        starts_on=STARTED,
        planned_end_on=STARTED + dt.timedelta(weeks=12),
        exit_strategy=EXIT,
        roles=[{"party": "Harbour House", "responsibilities": "24-hour supervision"}],
        review_every_weeks=4,
    )


def test_record_an_agreement_from_the_child_page(signed_in, world):
    child = page(signed_in.get(child_url(world)))
    assert "Placement agreements" in child and "Record a placement agreement" in child
    form = page(signed_in.get(create_url(world)))
    assert "Responsibility 5" in form
    assert "What happens if the placement ends at short notice, and who does it" in form
    response = signed_in.post(create_url(world), new_placement(world))
    agreement = PlacementAgreement.objects.get()
    assert response["Location"] == url("placement-detail", agreement)
    assert (agreement.child, agreement.review_every_weeks) == (world.child, 4)
    assert [(r.party, r.agency) for r in agreement.roles.all()] == [
        ("Harbour House", None),
        ("Health visiting", world.health),
    ]
    assert AuditEvent.objects.filter(action="create", object_id=str(agreement.pk)).exists()
    shown = page(signed_in.get(response["Location"]))
    assert EXIT in shown and "Weekly weighs at the unit" in shown and "Current" in shown
    assert f"due {STARTED + dt.timedelta(weeks=4):%-d %b %Y}" in shown
    assert "Harbour House parent and baby unit" in page(signed_in.get(child_url(world)))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"exit_strategy": " "},
            "Say what happens if the placement ends at short notice, and who does it",
        ),
        (
            date_fields("planned_end_on", STARTED - dt.timedelta(days=1)),
            "A placement cannot end before it starts",
        ),
        ({"facility": ""}, "Enter the facility"),
        (
            {"role_1_party": "", "role_1_responsibilities": "", "role_3_party": ""}
            | {"role_3_agency": "", "role_3_responsibilities": ""},
            "Set out the facility's and each agency's responsibilities",
        ),
    ],
)
def test_bad_input_shows_the_error_summary_and_saves_nothing(signed_in, world, fields, message):
    response = signed_in.post(create_url(world), new_placement(world, **fields))
    assert response.status_code == 200
    assert message in problems(response)
    assert "Error: Record a placement agreement" in response.content.decode()
    assert not PlacementAgreement.objects.exists()


def test_record_a_review_then_an_early_end(signed_in, world, agreement):
    detail = url("placement-detail", agreement)
    assert "Record a review" in page(signed_in.get(detail))
    response = signed_in.post(url("placement-review", agreement), date_fields("reviewed_on", TODAY))
    assert response["Location"] == detail
    reviews = Task.objects.filter(rule_id="placement-review").order_by("due_on")
    assert [t.status for t in reviews] == ["done", "open"]
    refused = signed_in.post(url("placement-end", agreement), date_fields("ended_on", TODAY))
    assert problems(refused) == ["Choose why it ended"]
    response = signed_in.post(
        url("placement-end", agreement),
        {**date_fields("ended_on", TODAY), "reason": "breakdown", "notes": "Left overnight"},
    )
    assert response["Location"] == detail
    agreement.refresh_from_db()
    assert (agreement.ended_on, agreement.end_reason) == (TODAY, "breakdown")
    assert AuditEvent.objects.filter(action="update", object_id=str(agreement.pk)).count() == 2
    shown = page(signed_in.get(detail))
    assert "Ended early" in shown and "Record a review" not in shown
    again = signed_in.get(url("placement-review", agreement), follow=True)
    assert "This placement has ended" in page(again)


def test_a_health_visitor_reads_but_may_not_record(client, world, agreement):
    client.force_login(world.health_visitor)
    assert "Record a placement agreement" not in page(client.get(child_url(world)))
    shown = page(client.get(url("placement-detail", agreement)))
    assert EXIT in shown and "Record a review" not in shown
    assert client.get(create_url(world)).status_code == 403
    assert client.post(create_url(world), new_placement(world)).status_code == 403
    assert client.post(url("placement-review", agreement), {}).status_code == 403
    assert client.post(url("placement-end", agreement), {}).status_code == 403
    assert PlacementAgreement.objects.count() == 1
    assert AuditEvent.objects.filter(action="denied", actor=world.health_visitor).count() == 4


def test_an_outsider_finds_no_placement(client, world, agreement):
    client.force_login(world.outsider)
    for name in ("placement-detail", "placement-review", "placement-end"):
        assert client.get(url(name, agreement)).status_code == 404
    assert client.get(create_url(world)).status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=world.outsider).count() == 4


def test_opening_an_agreement_is_audited_against_the_child(client, world, agreement):
    client.force_login(world.health_visitor)
    client.get(url("placement-detail", agreement))
    event = AuditEvent.objects.get(action="view", object_id=str(agreement.pk))
    assert event.child_id == world.child.pk and "Riley Marsh" in event.summary


def test_changes_are_post_or_get_only(signed_in, agreement):
    assert signed_in.put(url("placement-end", agreement)).status_code == 405
    assert signed_in.post(url("placement-detail", agreement)).status_code == 405


def test_the_child_page_lists_agreements_in_constant_queries(signed_in, world, agreement):
    child = child_url(world)
    signed_in.get(child)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get(child).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for facility in ("Bridge House", "Elm Lodge"):
        placements.make_placement_agreement(
            actor=world.social_worker,
            child=world.child,
            facility=facility,
            starts_on=STARTED,
            planned_end_on=TODAY,
            exit_strategy=EXIT,
            roles=[{"party": facility, "responsibilities": "Supervision"}],
        )
    assert queries() == few
    assert "Elm Lodge" in page(signed_in.get(child))
