"""The orders API: record, list, read (with extensions and the plain-English
explanation), extend, end, conclude care proceedings. Each write goes through the same
service as the web, so these check what the API adds: statuses, codes, fields, who may
write, and the audit rows."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from threadline.agencies.models import AgencyType
from threadline.notices.models import Notice
from threadline.orders.models import LegalOrder, OrderExtension

from .. import factories as f
from ..api.helpers import assert_error, audit_count

ORDERS = "/api/v1/orders/"
START = dt.date(2026, 3, 2)
TODAY = timezone.localdate()


def body(world, **overrides) -> dict:
    return {
        "child": str(world.child.pk),
        "order_type": "supervision_order",
        "starts_on": START.isoformat(),
        "court": "Northmoor Family Court",
        "case_number": "NM26C00123",
    } | overrides


@pytest.fixture
def police(world):
    """A police officer in the child's network: may record police protection only."""
    agency = f.AgencyFactory(
        code="nm-police", name="Northmoor Police", agency_type=AgencyType.POLICE
    )
    officer = f.PractitionerFactory(username="pc", agency=agency, job_title="Police constable")
    f.InvolvementFactory(case=world.case, agency=agency, practitioner=officer, role="Officer")
    return officer


# --- record ---------------------------------------------------------------------------


def test_an_order_is_recorded_with_its_location_and_what_it_means(world, api_client_for):
    response = api_client_for(world.social_worker).post(ORDERS, body(world), format="json")
    assert response.status_code == 201, response.content
    order = response.json()
    assert response["Location"] == f"{ORDERS}{order['id']}/"
    assert (order["child"]["id"], order["order_type"]) == (str(world.child.pk), "supervision_order")
    # A supervision order lasts a year unless the court said otherwise.
    assert (order["starts_on"], order["ends_on"]) == ("2026-03-02", "2027-03-02")
    assert order["local_authority"]["code"] == "nm-csc"
    assert order["recorded_by"]["id"] == str(world.social_worker.pk)
    assert (order["extensions"], order["ended_on"], order["end_reason"]) == ([], None, "")
    assert order["explanation"]["law"] == "Children Act 1989, section 35 and schedule 3"
    assert order["explanation"]["parental_responsibility"].startswith("Unchanged")
    assert len(order["explanation"]["who_does_what"]) == 4
    assert audit_count(action="create", object_id=order["id"]) == 1


def test_a_repeated_create_with_the_same_key_records_one_order(world, api_client_for):
    client = api_client_for(world.social_worker)
    first = client.post(ORDERS, body(world), format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    again = client.post(ORDERS, body(world), format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert LegalOrder.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"ends_on": "2026-03-01"}, "ends_on", "end_before_start"),
        ({"ends_on": "2029-03-03"}, "ends_on", "supervision_order_too_long"),
        (
            {"order_type": "emergency_protection_order", "ends_on": "2026-03-11"},
            "ends_on",
            "emergency_protection_order_too_long",
        ),
        (
            {"starts_on": (TODAY + dt.timedelta(days=1)).isoformat()},
            "starts_on",
            "start_in_future",
        ),
        ({"order_type": "cp_plan"}, "category", "category_required"),
        ({"order_type": "adoption_order"}, "order_type", "invalid_choice"),
        ({"child": str(uuid.uuid4())}, "child", "unknown_person"),
        ({"starts_on": "2 March"}, "starts_on", "invalid"),
    ],
)
def test_a_bad_order_is_a_400_with_the_field_and_nothing_is_saved(
    world, api_client_for, overrides, field, code
):
    response = api_client_for(world.social_worker).post(
        ORDERS, body(world, **overrides), format="json"
    )
    assert_error(response, 400, code, field)
    assert LegalOrder.objects.count() == 0
    assert audit_count(action="create") == 0


def test_a_care_order_and_a_supervision_order_cannot_run_at_once(world, api_client_for, make_order):
    make_order(order_type="care_order")
    response = api_client_for(world.social_worker).post(ORDERS, body(world), format="json")
    assert_error(response, 400, "care_and_supervision_order", "order_type")
    assert list(LegalOrder.objects.values_list("order_type", flat=True)) == ["care_order"]


@pytest.mark.parametrize("persona", ["health_visitor", "administrator"])
def test_only_social_care_and_legal_services_record_orders(world, api_client_for, persona):
    actor = getattr(world, persona)
    response = api_client_for(actor).post(ORDERS, body(world), format="json")
    assert_error(response, 403, "not_allowed")
    assert LegalOrder.objects.count() == 0
    assert audit_count(action="denied", actor=actor) == 1


def test_legal_services_record_orders(world, legal, api_client_for):
    f.InvolvementFactory(case=world.case, agency=legal.agency, practitioner=legal, role="Solicitor")
    response = api_client_for(legal).post(
        ORDERS, body(world, order_type="care_proceedings"), format="json"
    )
    assert response.status_code == 201, response.content


def test_the_police_record_police_protection_and_nothing_else(world, police, api_client_for):
    client = api_client_for(police)
    taken = dt.datetime(2026, 11, 20, 22, 30, tzinfo=dt.UTC)
    response = client.post(
        ORDERS,
        body(world, order_type="police_protection", starts_on=None, starts_at=taken.isoformat()),
        format="json",
    )
    assert response.status_code == 201, response.content
    order = response.json()
    assert dt.datetime.fromisoformat(order["ends_at"]) == taken + dt.timedelta(hours=72)
    assert order["explanation"]["ends"] == "After at most 72 hours. It cannot be extended."
    assert_error(client.post(ORDERS, body(world), format="json"), 403, "not_allowed")
    assert LegalOrder.objects.count() == 1


# --- list and read --------------------------------------------------------------------


@pytest.fixture
def orders(world, make_order):
    """A supervision order in force, and a child-protection plan that ended."""
    supervision = make_order(starts_on=TODAY - dt.timedelta(days=30))
    plan = make_order(order_type="cp_plan", category="neglect", starts_on=dt.date(2025, 6, 2))
    plan.ended_on, plan.end_reason = dt.date(2025, 12, 1), "plan_ended"
    plan.save()
    return supervision, plan


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["supervision_order", "cp_plan"]),  # newest first
        ({"child": "child"}, ["supervision_order", "cp_plan"]),
        ({"order_type": "cp_plan"}, ["cp_plan"]),
        ({"current": "true"}, ["supervision_order"]),
        ({"current": "false"}, ["cp_plan"]),
        ({"current": "true", "order_type": "cp_plan"}, []),
    ],
)
def test_the_list_filters(world, api_client_for, orders, query, expected):
    query = {k: world.child.pk if v == "child" else v for k, v in query.items()}
    response = api_client_for(world.health_visitor).get(ORDERS, query)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [o["order_type"] for o in results] == expected
    assert all(o["in_force"] == (o["order_type"] == "supervision_order") for o in results)


def test_the_list_is_audited_as_a_search(world, api_client_for, orders):
    api_client_for(world.health_visitor).get(ORDERS, {"child": world.child.pk})
    assert audit_count(action="search", actor=world.health_visitor, child_id=world.child.pk) == 1


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"current": "maybe"}, "current", "invalid"),
        ({"order_type": "adoption_order"}, "order_type", "invalid_choice"),
        ({"child": "nobody"}, "child", "invalid"),
    ],
)
def test_a_bad_filter_is_a_400(world, api_client_for, query, field, code):
    assert_error(api_client_for(world.social_worker).get(ORDERS, query), 400, code, field)


def test_orders_outside_reach_are_hidden_and_404(world, api_client_for, orders):
    supervision, _ = orders
    client = api_client_for(world.outsider)
    assert client.get(ORDERS).json()["results"] == []
    assert_error(client.get(ORDERS, {"child": world.child.pk}), 404, "not_found")
    assert_error(client.get(f"{ORDERS}{supervision.pk}/"), 404, "not_found")
    for action in ("extend", "end", "conclude"):
        response = client.post(f"{ORDERS}{supervision.pk}/{action}/", {}, format="json")
        assert_error(response, 404, "not_found")
    assert audit_count(action="denied", actor=world.outsider) == 5
    assert audit_count(action="view", actor=world.outsider) == 0


def test_one_order_is_read_with_its_extensions_and_the_view_audited(
    world, api_client_for, make_order
):
    order = make_order()
    api_client_for(world.social_worker).post(
        f"{ORDERS}{order.pk}/extend/", {"new_end": "2028-03-02"}, format="json"
    )
    response = api_client_for(world.health_visitor).get(f"{ORDERS}{order.pk}/")
    assert response.status_code == 200, response.content
    [extension] = response.json()["extensions"]
    assert (extension["previous_end"], extension["new_end"]) == ("2027-03-02", "2028-03-02")
    assert extension["recorded_by"]["id"] == str(world.social_worker.pk)
    assert response.json()["explanation"]["means"]
    assert audit_count(action="view", object_id=str(order.pk), child_id=world.child.pk) == 1


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("delete", ""), ("put", ""), ("patch", ""), ("get", "extend/"), ("get", "end/")],
)
def test_an_order_is_never_deleted_or_rewritten(world, api_client_for, make_order, method, suffix):
    order = make_order()
    response = getattr(api_client_for(world.social_worker), method)(
        f"{ORDERS}{order.pk}/{suffix}", {}, format="json"
    )
    assert_error(response, 405, "method_not_allowed")
    assert LegalOrder.objects.filter(pk=order.pk, ended_on__isnull=True).exists()


# --- extend, end, conclude ------------------------------------------------------------


def test_a_supervision_order_is_extended(world, api_client_for, make_order):
    order = make_order()
    response = api_client_for(world.social_worker).post(
        f"{ORDERS}{order.pk}/extend/",
        {"new_end": "2029-03-02", "granted_on": "2026-11-02"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["ends_on"] == "2029-03-02"
    assert response.json()["extensions"][0]["granted_on"] == "2026-11-02"
    assert audit_count(action="update", object_id=str(order.pk)) == 1


@pytest.mark.parametrize(
    ("extension", "field", "code"),
    [
        ({"new_end": "2029-03-03"}, "new_end", "extension_beyond_three_years"),
        ({"new_end": "2027-01-01"}, "new_end", "end_not_later"),
        ({}, "new_end", "new_end_required"),
        ({"new_end": "2028-03-02", "granted_on": "2099-01-01"}, "granted_on", "granted_in_future"),
    ],
)
def test_a_bad_extension_is_refused_and_nothing_changes(
    world, api_client_for, make_order, extension, field, code
):
    order = make_order()
    response = api_client_for(world.social_worker).post(
        f"{ORDERS}{order.pk}/extend/", extension, format="json"
    )
    assert_error(response, 400, code, field)
    order.refresh_from_db()
    assert (order.ends_on, OrderExtension.objects.count()) == (dt.date(2027, 3, 2), 0)


def test_a_plan_is_not_extended(world, api_client_for, make_order):
    plan = make_order(order_type="cp_plan", category="neglect")
    response = api_client_for(world.social_worker).post(
        f"{ORDERS}{plan.pk}/extend/", {"new_end": "2027-01-01"}, format="json"
    )
    assert_error(response, 400, "not_extendable")


@pytest.mark.parametrize("action", ["extend", "end", "conclude"])
def test_a_health_visitor_reads_but_may_not_change_an_order(
    world, api_client_for, make_order, action
):
    order = make_order(order_type="care_proceedings")
    response = api_client_for(world.health_visitor).post(
        f"{ORDERS}{order.pk}/{action}/",
        {"new_end": "2027-01-01", "ended_on": "2026-09-01", "reason": "discharged"},
        format="json",
    )
    assert_error(response, 403, "not_allowed")
    order.refresh_from_db()
    assert (order.ended_on, order.extensions.count()) == (None, 0)


def test_an_order_ends_and_stays_in_the_history(world, api_client_for, make_order):
    order = make_order()
    response = api_client_for(world.social_worker).post(
        f"{ORDERS}{order.pk}/end/", {"ended_on": "2026-09-01", "reason": "discharged"}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["ended_on"], data["end_reason"], data["in_force"]) == (
        "2026-09-01",
        "discharged",
        False,
    )
    again = api_client_for(world.social_worker).post(
        f"{ORDERS}{order.pk}/end/", {"ended_on": "2026-09-02", "reason": "expired"}
    )
    assert_error(again, 400, "already_ended")


@pytest.mark.parametrize(
    ("ending", "field", "code"),
    [
        ({"ended_on": "2026-03-01", "reason": "discharged"}, "ended_on", "end_before_start"),
        ({"ended_on": "2099-01-01", "reason": "discharged"}, "ended_on", "end_in_future"),
        ({"reason": "discharged"}, "ended_on", "required"),
        ({"ended_on": "2026-09-01"}, "reason", "invalid_choice"),
        ({"ended_on": "2026-09-01", "reason": "bored"}, "reason", "invalid_choice"),
    ],
)
def test_a_bad_ending_is_refused(world, api_client_for, make_order, ending, field, code):
    order = make_order()
    response = api_client_for(world.social_worker).post(
        f"{ORDERS}{order.pk}/end/", ending, format="json"
    )
    assert_error(response, 400, code, field)
    order.refresh_from_db()
    assert order.ended_on is None


def test_care_proceedings_conclude_and_the_agencies_are_told(world, api_client_for, make_order):
    proceedings = make_order(order_type="care_proceedings")
    response = api_client_for(world.social_worker).post(
        f"{ORDERS}{proceedings.pk}/conclude/",
        {"concluded_on": "2026-09-01", "outcome": "supervision_order"},
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["outcome"], data["end_reason"], data["ended_on"]) == (
        "supervision_order",
        "concluded",
        "2026-09-01",
    )
    assert Notice.objects.filter(title__startswith="Care proceedings concluded").exists()


@pytest.mark.parametrize(
    ("conclusion", "field", "code"),
    [
        ({"outcome": "care_order"}, "concluded_on", "required"),
        (
            {"concluded_on": "2026-03-01", "outcome": "care_order"},
            "concluded_on",
            "end_before_start",
        ),
        ({"concluded_on": "2026-09-01"}, "outcome", "invalid_choice"),
    ],
)
def test_a_bad_conclusion_is_refused(world, api_client_for, make_order, conclusion, field, code):
    proceedings = make_order(order_type="care_proceedings")
    response = api_client_for(world.social_worker).post(
        f"{ORDERS}{proceedings.pk}/conclude/", conclusion, format="json"
    )
    assert_error(response, 400, code, field)
    proceedings.refresh_from_db()
    assert (proceedings.ended_on, proceedings.outcome) == (None, "")


def test_only_care_proceedings_conclude(world, api_client_for, make_order):
    order = make_order()
    response = api_client_for(world.social_worker).post(
        f"{ORDERS}{order.pk}/conclude/",
        {"concluded_on": "2026-09-01", "outcome": "care_order"},
        format="json",
    )
    assert_error(response, 400, "not_proceedings")
