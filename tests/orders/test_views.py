"""The legal-status pages: recording a plan or order (with the GOV.UK error summary when
the law's limits are broken), extending, ending and concluding, who may do so, what each
kind of order means, and the legal status at the top of the child page."""

import datetime as dt
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.notices.models import Notice
from threadline.orders.explanations import EXPLANATIONS
from threadline.orders.models import LegalOrder, OrderType
from threadline.orders.services import end_order, extend_order
from threadline.timescales.calendar import add_months

from .. import factories as f
from ..web.test_pages import date_fields, error_summary, text

TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=10)


def page(response) -> str:
    return unescape(text(response))


def order_url(name: str, order) -> str:
    return reverse(name, kwargs={"order_id": order.pk})


def create_url(world) -> str:
    return reverse("order-create", args=[world.child.pk])


def child_page(client, world) -> str:
    return page(client.get(reverse("person-detail", args=[world.child.pk])))


def legal_section(shown: str) -> str:
    return shown.split("Legal status", 1)[1].split("What is due next")[0]


def new_order(**fields) -> dict:
    return {
        "order_type": "supervision_order",
        **date_fields("starts_on", START),
        "court": "Northmoor Family Court",
        "case_number": "NM26C00123",
        "made_by": "HHJ Grey",
        **fields,
    }


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.social_worker)
    return client


# --- recording ------------------------------------------------------------------------


def test_record_a_supervision_order_and_see_it_at_the_top_of_the_child_page(signed_in, world):
    form = page(signed_in.get(create_url(world)))
    assert "Record a plan or order" in form and "Emergency protection order" in form
    response = signed_in.post(create_url(world), new_order())
    assert response.status_code == 302
    assert response["Location"] == reverse("person-detail", args=[world.child.pk])
    order = LegalOrder.objects.get()
    assert (order.order_type, order.starts_on, order.ends_on) == (
        OrderType.SUPERVISION_ORDER,
        START,
        add_months(START, 12),
    )
    assert (order.court, order.case_number, order.made_by) == (
        "Northmoor Family Court",
        "NM26C00123",
        "HHJ Grey",
    )
    assert AuditEvent.objects.filter(action="create", object_id=str(order.pk)).exists()

    shown = page(signed_in.get(response["Location"]))
    assert "Supervision order recorded for Riley Marsh" in shown
    assert shown.index("Legal status") < shown.index("What is due next")
    assert shown.index("What is due next") < shown.index("Active risks")
    legal = legal_section(shown)
    assert "Supervision order" in legal and "What this means" in legal
    assert f"{START:%-d %b %Y}" in legal and f"{add_months(START, 12):%-d %b %Y}" in legal
    assert "Northmoor Family Court" in legal
    due = shown.split("What is due next", 1)[1].split("Active risks")[0]
    assert "Hold a child-protection conference to decide whether a plan is needed" in due
    assert "Meet to decide whether to apply to extend the supervision order" in due
    assert "Amira Okafor" in due


def test_a_child_protection_plan_has_its_category_and_nothing_else_does(signed_in, world):
    signed_in.post(create_url(world), new_order(order_type="cp_plan", category="neglect"))
    plan = LegalOrder.objects.get()
    assert (plan.order_type, plan.category, plan.ends_on) == ("cp_plan", "neglect", None)
    assert "Category: neglect" in legal_section(child_page(signed_in, world))
    # A category left in the hidden box of another kind of order is not kept.
    signed_in.post(create_url(world), new_order(order_type="cin_plan", category="physical"))
    assert LegalOrder.objects.get(order_type="cin_plan").category == ""


def test_police_protection_is_recorded_to_the_minute_and_ends_72_hours_later(signed_in, world):
    response = signed_in.post(
        create_url(world),
        new_order(order_type="police_protection", starts_time="22:15", court=""),
    )
    assert response.status_code == 302
    order = LegalOrder.objects.get()
    start = timezone.localtime(order.starts_at)
    assert (start.date(), start.hour, start.minute) == (START, 22, 15)
    assert order.ends_at - order.starts_at == dt.timedelta(hours=72)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            date_fields("ends_on", START - dt.timedelta(days=1)),
            "An order cannot end before it starts",
        ),
        (
            date_fields("ends_on", add_months(START, 36) + dt.timedelta(days=1)),
            "A supervision order lasts at most three years from the day it was made",
        ),
        (
            {"order_type": "emergency_protection_order"}
            | date_fields("ends_on", START + dt.timedelta(days=9)),
            "An emergency protection order lasts at most 8 days",
        ),
        ({"order_type": "cp_plan"}, "Choose the category of abuse or neglect"),
        (
            {"order_type": "police_protection"},
            "Enter when the child was taken into police protection",
        ),
        (
            date_fields("starts_on", TODAY + dt.timedelta(days=1)),
            "The start must be today or in the past",
        ),
        (
            {"starts_on_day": "", "starts_on_month": "", "starts_on_year": ""},
            "Enter the date it was made or started",
        ),
        ({"order_type": ""}, "Select the kind of plan or order"),
    ],
)
def test_bad_input_shows_the_error_summary_and_saves_nothing(signed_in, world, fields, message):
    response = signed_in.post(create_url(world), new_order(**fields))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert "Error: Record a plan or order" in response.content.decode()
    assert LegalOrder.objects.count() == 0


def test_a_care_order_and_a_supervision_order_cannot_run_at_once(signed_in, world, make_order):
    make_order(order_type="care_order", starts_on=START)
    response = signed_in.post(create_url(world), new_order())
    assert error_summary(response) == [
        "A child cannot be under a care order and a supervision order at once: end the other "
        "order first"
    ]
    assert list(LegalOrder.objects.values_list("order_type", flat=True)) == ["care_order"]


# --- changing an order ----------------------------------------------------------------


def test_extend_a_supervision_order_but_not_beyond_three_years(signed_in, world, make_order):
    order = make_order(starts_on=START)
    detail = page(signed_in.get(order_url("order-detail", order)))
    assert "Record an extension" in detail and "Record that it ended" in detail
    too_far = add_months(START, 36) + dt.timedelta(days=1)
    refused = signed_in.post(
        order_url("order-extend", order),
        date_fields("new_end", too_far) | date_fields("granted_on", TODAY),
    )
    assert error_summary(refused)[0].startswith(
        "A supervision order can be extended to at most three years from the day it was made"
    )
    assert "Error: Record an extension" in refused.content.decode()
    order.refresh_from_db()
    assert order.ends_on == add_months(START, 12) and not order.extensions.exists()

    response = signed_in.post(
        order_url("order-extend", order),
        date_fields("new_end", add_months(START, 24)) | date_fields("granted_on", TODAY),
    )
    assert response["Location"] == order_url("order-detail", order)
    order.refresh_from_db()
    assert order.ends_on == add_months(START, 24)
    detail = page(signed_in.get(response["Location"]))
    assert "Supervision order extended" in detail and "Extensions" in detail
    assert f"{add_months(START, 12):%-d %b %Y} {add_months(START, 24):%-d %b %Y}" in detail
    assert AuditEvent.objects.filter(action="update", object_id=str(order.pk)).exists()


def test_end_a_plan_and_find_it_in_the_history(signed_in, world, make_order):
    plan = make_order(order_type="cp_plan", category="emotional", starts_on=START)
    refused = signed_in.post(
        order_url("order-end", plan),
        date_fields("ended_on", START - dt.timedelta(days=1)) | {"reason": "plan_ended"},
    )
    assert error_summary(refused) == ["An order cannot end before it starts"]
    signed_in.post(
        order_url("order-end", plan), date_fields("ended_on", TODAY) | {"reason": "plan_ended"}
    )
    plan.refresh_from_db()
    assert (plan.ended_on, plan.end_reason) == (TODAY, "plan_ended")
    assert AuditEvent.objects.filter(action="update", object_id=str(plan.pk)).exists()
    # In force until the end of the day it ended; then history.
    LegalOrder.objects.filter(pk=plan.pk).update(ended_on=TODAY - dt.timedelta(days=1))
    legal = legal_section(child_page(signed_in, world))
    assert "No plan or order is recorded." in legal
    assert "History: 1 earlier plan or order" in legal
    assert "ended by a review conference" in legal
    # A plan is not extended; an ended one is not ended again.
    again = signed_in.get(order_url("order-extend", plan), follow=True)
    assert "Only a supervision order or an emergency protection order in force" in page(again)
    assert "This has already ended" in page(
        signed_in.get(order_url("order-end", plan), follow=True)
    )


def test_conclude_care_proceedings_and_tell_the_agencies(signed_in, world, make_order):
    proceedings = make_order(order_type="care_proceedings", starts_on=START)
    assert signed_in.get(order_url("order-end", proceedings))["Location"] == order_url(
        "order-conclude", proceedings
    )
    refused = signed_in.post(
        order_url("order-conclude", proceedings), date_fields("concluded_on", TODAY)
    )
    assert error_summary(refused) == ["Select the outcome"]
    response = signed_in.post(
        order_url("order-conclude", proceedings),
        date_fields("concluded_on", TODAY) | {"outcome": "supervision_order"},
    )
    assert response["Location"] == order_url("order-detail", proceedings)
    proceedings.refresh_from_db()
    assert (proceedings.ended_on, proceedings.outcome) == (TODAY, "supervision_order")
    assert Notice.objects.filter(title="Care proceedings concluded: Riley Marsh").exists()
    detail = page(signed_in.get(response["Location"]))
    assert "Outcome Supervision order" in detail and "Record the outcome" not in detail


# --- who may do what ------------------------------------------------------------------


def test_a_health_visitor_reads_the_order_but_may_not_record_or_change_one(
    client, world, make_order
):
    order = make_order(starts_on=START)
    client.force_login(world.health_visitor)
    detail = page(client.get(order_url("order-detail", order)))
    assert "Supervision order" in detail and "What this means" in detail
    assert EXPLANATIONS[OrderType.SUPERVISION_ORDER].means in detail
    assert "Record an extension" not in detail
    assert "Children's social care and legal services record changes to it" in detail
    assert "Record a plan or order" not in child_page(client, world)
    assert client.get(create_url(world)).status_code == 403
    assert client.post(create_url(world), new_order()).status_code == 403
    new_end = date_fields("new_end", add_months(START, 18))
    assert client.post(order_url("order-extend", order), new_end).status_code == 403
    end = date_fields("ended_on", TODAY) | {"reason": "discharged"}
    assert client.post(order_url("order-end", order), end).status_code == 403
    assert LegalOrder.objects.count() == 1
    order.refresh_from_db()
    assert order.ended_on is None and order.ends_on == add_months(START, 12)
    assert AuditEvent.objects.filter(action="denied", actor=world.health_visitor).count() == 4


def test_the_police_in_the_network_record_police_protection_only(client, world):
    police = f.AgencyFactory(code="nm-pol", name="Northmoor Police", agency_type="police")
    officer = f.PractitionerFactory(username="pc", agency=police)
    f.InvolvementFactory(case=world.case, agency=police, practitioner=officer, role="Police")
    client.force_login(officer)
    form = page(client.get(create_url(world)))
    assert "Police protection" in form and "Supervision order" not in form
    refused = client.post(create_url(world), new_order())
    assert error_summary(refused) == ["Select a kind of plan or order your agency records"]
    client.post(create_url(world), new_order(order_type="police_protection", starts_time="9:05"))
    assert LegalOrder.objects.get().recorded_by == officer


def test_an_outsider_finds_no_order_and_no_child(client, world, make_order):
    order = make_order(starts_on=START)
    client.force_login(world.outsider)
    assert client.get(order_url("order-detail", order)).status_code == 404
    assert client.get(create_url(world)).status_code == 404
    assert client.post(order_url("order-end", order), {"reason": "other"}).status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=world.outsider).count() == 3


def test_opening_an_order_is_audited_against_the_child(client, world, make_order):
    order = make_order(starts_on=START)
    client.force_login(world.health_visitor)
    client.get(order_url("order-detail", order))
    event = AuditEvent.objects.get(action="view", object_id=str(order.pk))
    assert event.child_id == world.child.pk and "Riley Marsh" in event.summary


def test_changes_are_post_or_get_only(signed_in, world, make_order):
    order = make_order(starts_on=START)
    assert signed_in.put(order_url("order-end", order)).status_code == 405
    assert signed_in.post(order_url("order-detail", order)).status_code == 405


# --- what each order means --------------------------------------------------------------


@pytest.mark.parametrize("kind", OrderType.values)
def test_every_kind_of_order_is_explained_to_any_practitioner(client, world, kind):
    client.force_login(world.outsider)
    shown = page(client.get(reverse("order-type-explained", args=[kind])))
    explanation = EXPLANATIONS[OrderType(kind)]
    assert OrderType(kind).label in shown
    for words in (explanation.means, explanation.parental_responsibility, explanation.ends):
        assert words in shown
    assert "not legal advice" in shown


def test_plans_and_orders_are_for_children_only(signed_in, world):
    assert signed_in.get(reverse("order-create", args=[world.mother.pk])).status_code == 404


def test_an_unknown_kind_of_order_is_not_found(signed_in):
    assert signed_in.get(reverse("order-type-explained", args=["adoption"])).status_code == 404


# --- the child page -------------------------------------------------------------------


def test_with_no_orders_the_child_page_says_so(signed_in, world):
    legal = legal_section(child_page(signed_in, world))
    assert "No plan or order is recorded." in legal and "History" not in legal
    assert "Record a plan or order" in legal


def test_an_order_ending_within_a_month_says_how_soon(signed_in, world, make_order):
    make_order(
        order_type="emergency_protection_order",
        starts_on=TODAY - dt.timedelta(days=2),
        ends_on=TODAY + dt.timedelta(days=5),
    )
    make_order(order_type="cp_plan", category="sexual", starts_on=START)
    legal = legal_section(child_page(signed_in, world))
    assert "Emergency protection order" in legal and "ends in 5 days" in legal
    assert "Child-protection plan" in legal and legal.count("ends in") == 1


def test_the_child_page_costs_the_same_queries_however_many_orders(signed_in, world, make_order):
    url = reverse("person-detail", args=[world.child.pk])
    make_order(order_type="cin_plan", starts_on=START - dt.timedelta(days=100))
    signed_in.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get(url).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    make_order(starts_on=START)  # a supervision order, and its tasks
    extended = make_order(order_type="emergency_protection_order", starts_on=TODAY)
    extend_order(actor=world.social_worker, order=extended, new_end=TODAY + dt.timedelta(days=10))
    ended = make_order(order_type="cp_plan", category="neglect", starts_on=START)
    end_order(actor=world.social_worker, order=ended, ended_on=TODAY, reason="plan_ended")
    assert queries() == few
