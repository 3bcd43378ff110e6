"""The risk-factor API: record, list, read, review, close and sign off; the risks
touching a child; the census factors. Each write goes through the same service as the
web, so these check what the API adds: statuses, codes, fields, and the audit rows."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from threadline.risks.models import RiskFactor, RiskReview, RiskStatus
from threadline.risks.selectors import contact_for_restricted

from .. import factories as f
from ..api.helpers import assert_error, audit_count
from .conftest import future

RISKS = "/api/v1/risk-factors/"
TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)


def body(world, **overrides) -> dict:
    return {
        "subject": str(world.mother.pk),
        "factor": "2B",
        "evidence": "Positive drug test at the antenatal clinic; she says she uses heroin.",
        "review_date": future().isoformat(),
    } | overrides


def active_risks(world) -> str:
    return f"/api/v1/people/{world.child.pk}/active-risks/"


# --- record ---------------------------------------------------------------------------


def test_a_risk_is_recorded_and_returned_with_its_location(world, api_client_for):
    response = api_client_for(world.social_worker).post(RISKS, body(world), format="json")
    assert response.status_code == 201, response.content
    risk = response.json()
    assert response["Location"] == f"{RISKS}{risk['id']}/"
    assert risk["subject"] == {"id": str(world.mother.pk), "name": "Kerry Marsh", "kind": "adult"}
    assert risk["factor"]["code"] == "2B"
    assert risk["factor"]["label"].startswith("Drug misuse")
    assert (risk["status"], risk["identified_on"]) == ("active", TODAY.isoformat())
    assert (risk["source_agency"]["code"], risk["category"]) == ("nm-csc", "social_care")
    assert risk["recorded_by"]["id"] == str(world.social_worker.pk)
    assert (risk["awaiting_sign_off"], risk["closed_on"], risk["reviews"]) == (False, None, [])
    assert audit_count(action="create", object_id=risk["id"]) == 1


def test_a_repeated_create_with_the_same_key_records_one_risk(world, api_client_for):
    client = api_client_for(world.social_worker)
    first = client.post(RISKS, body(world), format="json", HTTP_IDEMPOTENCY_KEY="risk-1")
    again = client.post(RISKS, body(world), format="json", HTTP_IDEMPOTENCY_KEY="risk-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert RiskFactor.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"subject": str(uuid.uuid4())}, "subject", "unknown_person"),
        ({"factor": "99Z"}, "factor", "unknown_factor"),
        ({"evidence": " "}, "evidence", "evidence_required"),
        ({"review_date": YESTERDAY.isoformat()}, "review_date", "review_in_past"),
        ({"review_date": "soon"}, "review_date", "invalid"),
    ],
)
def test_bad_input_is_a_400_with_the_field_and_nothing_is_saved(
    world, api_client_for, overrides, field, code
):
    response = api_client_for(world.social_worker).post(
        RISKS, body(world, **overrides), format="json"
    )
    assert_error(response, 400, code, field)
    assert RiskFactor.objects.count() == 0


def test_every_problem_comes_back_at_once(world, api_client_for):
    response = api_client_for(world.social_worker).post(
        RISKS, body(world, factor="99Z", evidence="", review_date=None), format="json"
    )
    errors = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert errors == {
        ("factor", "unknown_factor"),
        ("evidence", "evidence_required"),
        ("review_date", "required"),
    }


def test_a_person_outside_reach_is_unknown_and_administrators_are_refused(world, api_client_for):
    outsider = api_client_for(world.outsider).post(RISKS, body(world), format="json")
    assert_error(outsider, 400, "unknown_person", "subject")
    administrator = api_client_for(world.administrator).post(RISKS, body(world), format="json")
    assert_error(administrator, 403, "forbidden")
    assert RiskFactor.objects.count() == 0


# --- list and read --------------------------------------------------------------------


def test_the_list_is_newest_first_and_audited_as_a_search(world, api_client_for, record_risk):
    older = record_risk(identified_on=dt.date(2025, 3, 1))
    newer = record_risk(subject=world.child, factor="16A", evidence="Nappy rash for weeks")
    response = api_client_for(world.health_visitor).get(RISKS)
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(newer.pk), str(older.pk)]
    assert audit_count(action="search", actor=world.health_visitor) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"subject": "child"}, {"16A"}),
        ({"status": "closed"}, {"16A"}),
        ({"status": "active"}, {"2B", "4B"}),
        ({"factor": "2b"}, {"2B"}),
        ({"agency": "nm-hv"}, {"4B"}),
        ({"agency": "nm-csc,nm-hv"}, {"2B", "16A", "4B"}),
    ],
)
def test_the_list_filters(world, api_client_for, record_risk, query, expected):
    record_risk()
    closed = record_risk(subject=world.child, factor="16A", evidence="Nappy rash for weeks")
    api_client_for(world.team_manager).post(
        f"{RISKS}{closed.pk}/close/", {"rationale": "Treated; seen weekly"}, format="json"
    )
    record_risk(actor=world.health_visitor, factor="4B", evidence="Postnatal depression")
    query = {k: world.child.pk if v == "child" else v for k, v in query.items()}
    response = api_client_for(world.social_worker).get(RISKS, query)
    assert {r["factor"]["code"] for r in response.json()["results"]} == expected


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"factor": "99Z"}, "factor", "unknown_factor"),
        ({"agency": "nowhere"}, "agency", "unknown_agency"),
        ({"status": "gone"}, "status", "invalid_choice"),
        ({"subject": "nobody"}, "subject", "invalid"),
    ],
)
def test_a_bad_filter_is_a_400(world, api_client_for, query, field, code):
    assert_error(api_client_for(world.social_worker).get(RISKS, query), 400, code, field)


def test_risks_outside_reach_are_hidden_and_404(world, api_client_for, record_risk):
    risk = record_risk()
    client = api_client_for(world.outsider)
    assert client.get(RISKS).json()["results"] == []
    assert_error(client.get(RISKS, {"subject": world.mother.pk}), 404, "not_found")
    assert_error(client.get(f"{RISKS}{risk.pk}/"), 404, "not_found")
    for action in ("review", "close", "sign-off"):
        response = client.post(f"{RISKS}{risk.pk}/{action}/", {}, format="json")
        assert_error(response, 404, "not_found")
    assert audit_count(action="denied", actor=world.outsider) == 5


def test_one_risk_is_read_with_its_reviews_and_the_view_audited(world, api_client_for, record_risk):
    risk = record_risk()
    client = api_client_for(world.social_worker)
    client.post(
        f"{RISKS}{risk.pk}/review/",
        {"notes": "Engaging with the drug service", "next_review_date": future(30).isoformat()},
        format="json",
    )
    response = client.get(f"{RISKS}{risk.pk}/")
    assert response.status_code == 200
    [review] = response.json()["reviews"]
    assert (review["notes"], review["status"]) == ("Engaging with the drug service", "active")
    assert review["reviewed_by"]["id"] == str(world.social_worker.pk)
    assert audit_count(action="view", object_id=str(risk.pk)) == 1


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("delete", ""), ("put", ""), ("patch", ""), ("get", "review/"), ("get", "close/")],
)
def test_a_risk_is_never_deleted_or_replaced(world, api_client_for, record_risk, method, suffix):
    risk = record_risk()
    response = getattr(api_client_for(world.social_worker), method)(
        f"{RISKS}{risk.pk}/{suffix}", {}, format="json"
    )
    assert_error(response, 405, "method_not_allowed")
    assert RiskFactor.objects.filter(pk=risk.pk, status=RiskStatus.ACTIVE).exists()


# --- review, close, sign off ----------------------------------------------------------


def test_a_review_moves_the_review_date(world, api_client_for, record_risk):
    risk = record_risk()
    response = api_client_for(world.social_worker).post(
        f"{RISKS}{risk.pk}/review/",
        {"notes": "Still using", "next_review_date": future(14).isoformat(), "status": "active"},
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["review_date"], data["last_reviewed_on"]) == (
        future(14).isoformat(),
        TODAY.isoformat(),
    )
    assert len(data["reviews"]) == 1
    assert audit_count(action="update", object_id=str(risk.pk)) == 1


def test_a_review_date_in_the_past_is_refused(world, api_client_for, record_risk):
    risk = record_risk()
    response = api_client_for(world.social_worker).post(
        f"{RISKS}{risk.pk}/review/",
        {"notes": "Seen", "next_review_date": YESTERDAY.isoformat()},
        format="json",
    )
    assert_error(response, 400, "review_in_past", "next_review_date")
    assert RiskReview.objects.count() == 0


@pytest.mark.parametrize("action", ["review", "close", "sign-off"])
def test_another_agency_reads_but_may_not_change_the_risk(
    world, api_client_for, record_risk, action
):
    risk = record_risk()
    response = api_client_for(world.health_visitor).post(
        f"{RISKS}{risk.pk}/{action}/",
        {"notes": "Fine", "next_review_date": future().isoformat(), "rationale": "Fine"},
        format="json",
    )
    assert_error(response, 403, "not_your_agency")
    risk.refresh_from_db()
    assert (risk.status, risk.closure_rationale, risk.reviews.count()) == ("active", "", 0)
    assert audit_count(action="denied", actor=world.health_visitor) == 1


def test_closing_without_a_rationale_is_refused(world, api_client_for, record_risk):
    risk = record_risk()
    response = api_client_for(world.team_manager).post(
        f"{RISKS}{risk.pk}/close/", {"rationale": "  "}, format="json"
    )
    assert_error(response, 400, "rationale_required", "rationale")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ACTIVE


def test_a_manager_closes_a_risk_at_once(world, api_client_for, record_risk):
    risk = record_risk()
    response = api_client_for(world.team_manager).post(
        f"{RISKS}{risk.pk}/close/", {"rationale": "Six months of clean tests"}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["closed_on"], data["awaiting_sign_off"]) == (
        "closed",
        TODAY.isoformat(),
        False,
    )
    assert data["closure_signed_off_by"]["id"] == str(world.team_manager.pk)
    assert data["closure_rationale"] == "Six months of clean tests"


def test_a_practitioners_closure_waits_for_a_manager_to_sign_it_off(
    world, api_client_for, record_risk
):
    risk = record_risk()
    worker = api_client_for(world.social_worker)
    closing = worker.post(f"{RISKS}{risk.pk}/close/", {"rationale": "Moved abroad"}, format="json")
    assert closing.status_code == 200, closing.content
    assert (closing.json()["status"], closing.json()["awaiting_sign_off"]) == (
        "under_review",
        True,
    )

    refused = worker.post(f"{RISKS}{risk.pk}/sign-off/", format="json")
    assert_error(refused, 403, "sign_off_needs_manager")
    risk.refresh_from_db()
    assert (risk.status, risk.closure_signed_off_by) == (RiskStatus.UNDER_REVIEW, None)

    signed = api_client_for(world.safeguarding_lead).post(
        f"{RISKS}{risk.pk}/sign-off/", format="json"
    )
    assert signed.status_code == 200, signed.content
    assert signed.json()["status"] == "closed"
    assert signed.json()["closure_requested_by"]["id"] == str(world.social_worker.pk)
    assert signed.json()["closure_signed_off_by"]["id"] == str(world.safeguarding_lead.pk)


def test_signing_off_with_no_closure_asked_for_is_refused(world, api_client_for, record_risk):
    risk = record_risk()
    response = api_client_for(world.team_manager).post(f"{RISKS}{risk.pk}/sign-off/")
    assert_error(response, 400, "no_closure_to_sign_off")


# --- the risks touching a child -------------------------------------------------------


@pytest.fixture
def lodger_risk(world, homes, record_risk):
    """A probation risk about a lodger in the child's home (health visiting has no
    agreement with probation), and social care's risk about the mother."""
    lodger = f.AdultFactory(
        given_names="Wayne", family_name="Tull", recorded_by_agency=homes.probation
    )
    f.ResidenceFactory(person=lodger, address=homes.home, from_date=dt.date(2026, 6, 1))
    record_risk()
    return record_risk(actor=homes.probation_officer, subject=lodger, factor="3C")


def test_the_risks_touching_a_child_come_with_their_paths(world, api_client_for, lodger_risk):
    response = api_client_for(world.social_worker).get(active_risks(world))
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["child"], data["as_of"]) == (str(world.child.pk), TODAY.isoformat())
    paths = {r["person"]["name"]: r["path"] for r in data["risks"]}
    assert paths == {
        "Kerry Marsh": "Mother — household member since 1 Feb 2025",
        "Wayne Tull": "Lives at the same address — household member since 1 Jun 2026",
    }
    assert {r["factor"]["code"] for r in data["risks"]} == {"2B", "3C"}
    assert (data["restricted"], data["contact"]) == (False, None)
    assert audit_count(action="view", child_id=world.child.pk, actor=world.social_worker) == 1


def test_withheld_risks_are_acknowledged_never_counted_or_shown(world, api_client_for, lodger_risk):
    data = api_client_for(world.health_visitor).get(active_risks(world)).json()
    assert set(data) == {"child", "as_of", "risks", "restricted", "contact"}
    assert [r["person"]["name"] for r in data["risks"]] == ["Kerry Marsh"]
    assert data["restricted"] is True
    assert data["contact"] == contact_for_restricted(world.child)
    assert "Amira Okafor" in data["contact"]
    assert "Wayne Tull" not in str(data) and "3C" not in str(data)


def test_the_risks_touching_a_child_on_an_earlier_day(world, api_client_for, lodger_risk):
    data = api_client_for(world.social_worker).get(active_risks(world), {"as_of": "2026-05-01"})
    assert data.json()["as_of"] == "2026-05-01"
    assert [r["person"]["name"] for r in data.json()["risks"]] == ["Kerry Marsh"]


def test_the_risks_touching_a_child_refuse_bad_requests(world, homes, api_client_for):
    client = api_client_for(world.social_worker)
    assert_error(client.get(active_risks(world), {"as_of": "1 May"}), 400, "invalid", "as_of")
    adult = f"/api/v1/people/{world.mother.pk}/active-risks/"
    assert_error(client.get(adult), 400, "not_a_child")
    outsider = api_client_for(world.outsider).get(active_risks(world))
    assert_error(outsider, 404, "not_found")
    assert_error(client.post(active_risks(world), {}, format="json"), 405, "method_not_allowed")


# --- the census factors ---------------------------------------------------------------


def test_the_census_factors_in_use_are_listed_for_anyone(world, api_client_for):
    response = api_client_for(world.administrator).get("/api/v1/assessment-factors/")
    assert response.status_code == 200
    factors = {f["code"]: f for f in response.json()["results"]}
    assert factors["2B"]["about"] == "parent"
    assert factors["2B"]["label"].startswith("Drug misuse")
    assert "21" not in factors  # "no factors identified" is not a risk
    assert response.json()["count"] == len(factors) == 41


def test_active_risks_cost_the_same_queries_however_many_await_sign_off(
    world, api_client_for, record_risk
):
    """Who asked to close each risk is read with the risks, not one query per risk."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from threadline.risks import services

    client = api_client_for(world.social_worker)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(active_risks(world))
        assert response.status_code == 200
        return len(captured.captured_queries)

    record_risk()
    client.get(active_risks(world))
    few = queries()
    for code in ("1B", "3B", "4B"):
        risk = record_risk(factor=code)
        services.close_risk(actor=world.social_worker, risk=risk, rationale="Engaging well")
    assert RiskFactor.objects.filter(closure_requested_by__isnull=False).count() == 3
    assert queries() == few
