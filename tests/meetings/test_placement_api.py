"""/api/v1/placement-agreements/: record one (with its exit strategy and roles), list a
child's, read one with its roles and the reviews due, record a review and the end,
through the same services as the web pages. Who may do what is in
tests/api/test_matrix.py; here the happy paths, the refusals and the bad input."""

import datetime as dt

import pytest
from django.utils import timezone

from threadline.meetings import placements
from threadline.meetings.models import PlacementAgreement, PlacementRole
from threadline.notices.models import NoticeRecipient
from threadline.timescales.models import Task

from ..api.helpers import assert_error, audit_count

TODAY = timezone.localdate()
STARTED = TODAY - dt.timedelta(days=21)
PLANNED_END = STARTED + dt.timedelta(weeks=12)
URL = "/api/v1/placement-agreements/"
EXIT = (
    "If the unit ends the placement, Kerry and Riley go to the grandparents' home with "
    "daily health-visitor contact until a conference decides."
)


def url(agreement, tail: str = "") -> str:
    return f"{URL}{agreement.pk}/{tail}"


def new_placement(world, **overrides) -> dict:
    return {
        "child": str(world.child.pk),
        "facility": "Harbour House parent and baby unit",
        "starts_on": STARTED.isoformat(),
        "planned_end_on": PLANNED_END.isoformat(),
        "exit_strategy": EXIT,
        "reciprocal_support": "Social care funds the placement.",
        "review_every_weeks": 4,
        "roles": [
            {"party": "Harbour House", "responsibilities": "24-hour supervision of care"},
            {
                "party": "Health visiting",
                "agency": "nm-hv",
                "responsibilities": "Weekly weighs at the unit",
            },
        ],
    } | overrides


@pytest.fixture
def agreement(world):
    return placements.make_placement_agreement(
        actor=world.social_worker,
        child=world.child,
        facility="Harbour House parent and baby unit",
        starts_on=STARTED,
        planned_end_on=PLANNED_END,
        exit_strategy=EXIT,
        review_every_weeks=4,
        roles=[
            {"party": "Harbour House", "responsibilities": "24-hour supervision of care"},
            {
                "party": "Health visiting",
                "agency": world.health,
                "responsibilities": "Weekly weighs at the unit",
            },
        ],
    )


@pytest.fixture
def social_worker(world, api_client_for):
    return api_client_for(world.social_worker)


@pytest.fixture
def health_visitor(world, api_client_for):
    return api_client_for(world.health_visitor)


# --- recording ------------------------------------------------------------------------


def test_the_social_worker_records_an_agreement(world, social_worker):
    response = social_worker.post(URL, new_placement(world), format="json")
    assert response.status_code == 201, response.content
    agreement = PlacementAgreement.objects.get()
    assert response["Location"] == url(agreement)
    body = response.json()
    assert body["child"]["id"] == str(world.child.pk)
    assert (body["exit_strategy"], body["review_every_weeks"]) == (EXIT, 4)
    assert (body["ended_on"], body["ended_early"]) == (None, False)
    assert [(r["party"], r["agency"] and r["agency"]["code"]) for r in body["roles"]] == [
        ("Harbour House", None),
        ("Health visiting", "nm-hv"),
    ]
    (review,) = body["reviews_due"]
    assert (review["rule_id"], review["due_on"]) == (
        "placement-review",
        (STARTED + dt.timedelta(weeks=4)).isoformat(),
    )
    told = NoticeRecipient.objects.filter(notice__title__startswith="Placement agreement")
    assert {r.agency for r in told} == {world.social_care, world.health}
    assert audit_count(action="create", actor=world.social_worker, object_id=str(agreement.pk))


def test_a_health_visitor_may_not_record_an_agreement(world, health_visitor):
    response = health_visitor.post(URL, new_placement(world), format="json")
    assert_error(response, 403, "not_allowed")
    assert not PlacementAgreement.objects.exists()
    assert audit_count(action="denied", actor=world.health_visitor) == 1


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"exit_strategy": "  "}, "exit_strategy_required", "exit_strategy"),
        ({"exit_strategy": ""}, "exit_strategy_required", "exit_strategy"),
        (
            {"planned_end_on": (STARTED - dt.timedelta(days=1)).isoformat()},
            "end_before_start",
            "planned_end_on",
        ),
        ({"roles": []}, "roles_required", "roles"),
        ({"roles": [{"party": "Harbour House"}]}, "responsibilities_required", "roles"),
        ({"facility": ""}, "facility_required", "facility"),
        ({"starts_on": None}, "date_required", "starts_on"),
        ({"review_every_weeks": 0}, "invalid_interval", "review_every_weeks"),
        ({"facility_agency": "nowhere"}, "unknown_agency", "facility_agency"),
        ({"child": "99999999-9999-4999-8999-999999999999"}, "unknown_person", "child"),
    ],
)
def test_a_bad_agreement_is_refused_and_nothing_is_saved(
    world, social_worker, overrides, code, field
):
    response = social_worker.post(URL, new_placement(world, **overrides), format="json")
    assert_error(response, 400, code, field)
    assert not PlacementAgreement.objects.exists()
    assert not PlacementRole.objects.exists()
    assert not Task.objects.filter(rule_id="placement-review").exists()
    assert not NoticeRecipient.objects.filter(notice__title__startswith="Placement").exists()


def test_every_problem_comes_back_at_once(world, social_worker):
    body = new_placement(world, exit_strategy="", roles=[])
    response = social_worker.post(URL, body, format="json")
    assert response.status_code == 400
    found = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert found == {("exit_strategy", "exit_strategy_required"), ("roles", "roles_required")}


def test_recording_again_with_the_same_idempotency_key_replays(world, social_worker):
    body = new_placement(world)
    first = social_worker.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    again = social_worker.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert PlacementAgreement.objects.count() == 1


# --- reading --------------------------------------------------------------------------


def test_the_list_is_one_childs_and_is_audited(world, agreement, health_visitor):
    response = health_visitor.get(URL, {"child": str(world.child.pk)})
    assert response.status_code == 200, response.content
    assert [a["id"] for a in response.json()["results"]] == [str(agreement.pk)]
    assert audit_count(action="search", actor=world.health_visitor, child_id=world.child.pk) == 1
    assert_error(health_visitor.get(URL), 400, "required", "child")
    assert_error(health_visitor.get(URL, {"child": "riley"}), 400, "invalid", "child")


def test_the_detail_has_the_roles_exit_strategy_and_reviews_and_is_audited(
    world, agreement, health_visitor
):
    response = health_visitor.get(url(agreement))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["exit_strategy"] == EXIT
    assert body["reciprocal_support"] == ""
    assert [r["party"] for r in body["roles"]] == ["Harbour House", "Health visiting"]
    assert [t["rule_id"] for t in body["reviews_due"]] == ["placement-review"]
    assert (body["ended_early"], body["end_reason"]) == (False, "")
    assert audit_count(action="view", actor=world.health_visitor, object_id=str(agreement.pk)) == 1


def test_the_outsider_sees_no_agreement(world, agreement, api_client_for):
    outsider = api_client_for(world.outsider)
    assert_error(outsider.get(URL, {"child": str(world.child.pk)}), 404, "not_found")
    assert_error(outsider.get(url(agreement)), 404, "not_found")
    review = {"reviewed_on": TODAY.isoformat()}
    assert_error(outsider.post(url(agreement, "review/"), review, format="json"), 404, "not_found")
    end = {"ended_on": TODAY.isoformat(), "reason": "breakdown"}
    assert_error(outsider.post(url(agreement, "end/"), end, format="json"), 404, "not_found")
    assert audit_count(action="denied", actor=world.outsider) == 4
    assert not audit_count(action="view", actor=world.outsider)
    agreement.refresh_from_db()
    assert agreement.ended_on is None


# --- reviewing, ending ----------------------------------------------------------------


def test_a_review_sets_the_next(world, agreement, social_worker):
    response = social_worker.post(
        url(agreement, "review/"), {"reviewed_on": TODAY.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content
    assert [t["due_on"] for t in response.json()["reviews_due"]] == [
        (TODAY + dt.timedelta(weeks=4)).isoformat()
    ]
    assert audit_count(action="update", actor=world.social_worker, object_id=str(agreement.pk))
    future = {"reviewed_on": (TODAY + dt.timedelta(days=1)).isoformat()}
    assert_error(
        social_worker.post(url(agreement, "review/"), future, format="json"),
        400,
        "date_required",
        "reviewed_on",
    )


def test_a_health_visitor_may_not_review_or_end(world, agreement, health_visitor):
    review = {"reviewed_on": TODAY.isoformat()}
    end = {"ended_on": TODAY.isoformat(), "reason": "breakdown"}
    path = url(agreement, "review/")
    assert_error(health_visitor.post(path, review, format="json"), 403, "not_allowed")
    path = url(agreement, "end/")
    assert_error(health_visitor.post(path, end, format="json"), 403, "not_allowed")
    agreement.refresh_from_db()
    assert agreement.ended_on is None
    assert Task.objects.get(rule_id="placement-review").status == "open"


def test_an_early_end_tells_the_network(world, agreement, social_worker):
    response = social_worker.post(
        url(agreement, "end/"),
        {"ended_on": TODAY.isoformat(), "reason": "facility_ended", "notes": "Notice given"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["ended_on"], body["end_reason"], body["ended_early"]) == (
        TODAY.isoformat(),
        "facility_ended",
        True,
    )
    assert (body["end_notes"], body["reviews_due"]) == ("Notice given", [])
    alert = NoticeRecipient.objects.filter(notice__title__startswith="Placement ended early")
    assert {r.agency for r in alert} == {world.social_care, world.health}
    assert EXIT in alert.first().notice.body
    assert Task.objects.get(rule_id="placement-ended-early").status == "open"
    assert audit_count(action="update", actor=world.social_worker, object_id=str(agreement.pk))
    again = social_worker.post(
        url(agreement, "end/"), {"ended_on": TODAY.isoformat(), "reason": "other"}, format="json"
    )
    assert_error(again, 400, "already_ended")
    review = {"reviewed_on": TODAY.isoformat()}
    path = url(agreement, "review/")
    assert_error(social_worker.post(path, review, format="json"), 400, "placement_ended")


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"reason": "breakdown"}, "date_required", "ended_on"),
        ({"ended_on": "2000-01-03", "reason": "breakdown"}, "end_before_start", "ended_on"),
        ({"ended_on": TODAY.isoformat()}, "invalid_choice", "reason"),
        ({"ended_on": TODAY.isoformat(), "reason": "bored"}, "invalid_choice", "reason"),
    ],
)
def test_a_bad_end_is_refused_and_nothing_changes(
    world, agreement, social_worker, body, code, field
):
    assert_error(social_worker.post(url(agreement, "end/"), body, format="json"), 400, code, field)
    agreement.refresh_from_db()
    assert agreement.ended_on is None
    assert not NoticeRecipient.objects.filter(notice__title__startswith="Placement ended").exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_agreements_are_never_rewritten_or_deleted(world, agreement, social_worker, method):
    for path in (URL, url(agreement)):
        response = getattr(social_worker, method)(path, {}, format="json")
        assert_error(response, 405, "method_not_allowed")
    assert PlacementAgreement.objects.filter(pk=agreement.pk, ended_on=None).exists()


def test_roles_that_are_not_a_list_name_the_field(world, social_worker):
    response = social_worker.post(URL, new_placement(world, roles="the unit"), format="json")
    assert_error(response, 400, "not_a_list", "roles")
    assert not PlacementAgreement.objects.exists()
