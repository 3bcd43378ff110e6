"""/api/v1/meetings/: arrange, read with the pack, attendance, reports, the outcome and
cancelling, through the same services as the web pages. Who may do what is in
tests/api/test_matrix.py; here the happy paths, the refusals and the bad input."""

import datetime as dt

import pytest
from django.utils import timezone

from threadline.meetings.models import Action, Decision, Meeting
from threadline.risks.services import record_risk
from threadline.timescales.models import Task

from ..api.helpers import assert_error, audit_count

TODAY = timezone.localdate()
URL = "/api/v1/meetings/"
NO_ONE = "99999999-9999-4999-8999-999999999999"


def url(meeting, tail: str = "") -> str:
    return f"{URL}{meeting.pk}/{tail}"


def outcome(world, **overrides) -> dict:
    return {
        "held_on": TODAY.isoformat(),
        "chair": str(world.team_manager.pk),
        "decisions": [
            {
                "decision_type": "plan_made",
                "category": "neglect",
                "agreed_by": "Social care, health visiting, police",
                "dissent": "",
            }
        ],
        "actions": [
            {
                "description": "Weekly home visits, seeing Riley's room",
                "owner": str(world.health_visitor.pk),
                "due_on": (TODAY + dt.timedelta(days=14)).isoformat(),
            }
        ],
        "minutes": "Concerns about neglect agreed by all agencies.",
    } | overrides


@pytest.fixture
def social_worker(world, api_client_for):
    return api_client_for(world.social_worker)


@pytest.fixture
def health_visitor(world, api_client_for):
    return api_client_for(world.health_visitor)


# --- arranging ------------------------------------------------------------------------


def test_the_social_worker_arranges_a_conference(world, police, social_worker):
    starts_at = timezone.now() + dt.timedelta(days=7)
    response = social_worker.post(
        URL,
        {
            "children": [str(world.child.pk)],
            "meeting_type": "initial_conference",
            "starts_at": starts_at.isoformat(),
            "place": "Northmoor Civic Centre, room 4",
            "chair": str(world.team_manager.pk),
            "agencies": [str(world.health.pk)],
            "reports_from": ["nm-hv", "nm-police"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    meeting = Meeting.objects.get()
    assert response["Location"] == url(meeting)
    assert (body["status"], body["meeting_type"]) == ("arranged", "initial_conference")
    assert [c["id"] for c in body["children"]] == [str(world.child.pk)]
    assert body["chair"]["id"] == str(world.team_manager.pk)
    invited = {i["agency"]["code"]: i for i in body["invitations"]}
    assert set(invited) == {"nm-csc", "nm-hv", "nm-police"}
    assert invited["nm-hv"]["report_required"] and not invited["nm-csc"]["report_required"]
    assert not invited["nm-hv"]["report_received"]
    assert audit_count(action="create", actor=world.social_worker, object_id=str(meeting.pk))


def test_a_health_visitor_may_not_arrange_a_meeting(world, health_visitor):
    response = health_visitor.post(URL, {"meeting_type": "core_group"}, format="json")
    assert_error(response, 403, "not_allowed")
    assert not Meeting.objects.exists()
    assert audit_count(action="denied", actor=world.health_visitor) == 1


@pytest.mark.parametrize(
    ("overrides", "status", "code", "field"),
    [
        ({"starts_at": "2020-01-06T10:00:00Z"}, 400, "arranged_in_past", "starts_at"),
        ({"starts_at": None}, 400, "date_required", "starts_at"),
        ({"place": ""}, 400, "place_required", "place"),
        ({"children": []}, 400, "children_required", "children"),
        ({"agencies": ["nowhere"]}, 400, "unknown_agency", "agencies.0"),
        ({"meeting_type": "tea_party"}, 400, "invalid_choice", "meeting_type"),
    ],
)
def test_bad_arrangements_are_refused_and_nothing_is_saved(
    world, social_worker, overrides, status, code, field
):
    body = {
        "children": [str(world.child.pk)],
        "meeting_type": "core_group",
        "starts_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
        "place": "Northmoor Civic Centre",
    } | overrides
    assert_error(social_worker.post(URL, body, format="json"), status, code, field)
    assert not Meeting.objects.exists()


def test_a_child_outside_reach_is_reported_like_no_one(world, api_client_for, social_worker):
    outsider_child = api_client_for(world.outsider).post(
        "/api/v1/people/",
        {"kind": "child", "family_name": "Far", "date_of_birth": "2024-01-01"},
        format="json",
    )
    body = {
        "children": [outsider_child.json()["id"]],
        "meeting_type": "core_group",
        "starts_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
        "place": "Northmoor Civic Centre",
    }
    assert_error(social_worker.post(URL, body, format="json"), 400, "unknown_person", "children.0")


def test_arranging_again_with_the_same_idempotency_key_replays(world, social_worker):
    body = {
        "children": [str(world.child.pk)],
        "meeting_type": "core_group",
        "starts_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
        "place": "Northmoor Civic Centre",
    }
    first = social_worker.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = social_worker.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert Meeting.objects.count() == 1


# --- reading --------------------------------------------------------------------------


def test_the_list_filters_and_is_audited(world, arrange, health_visitor):
    conference = arrange()
    arrange(meeting_type="core_group")
    response = health_visitor.get(URL, {"meeting_type": "initial_conference"})
    assert response.status_code == 200
    assert [m["id"] for m in response.json()["results"]] == [str(conference.pk)]
    query = {"child": str(world.child.pk), "status": "held"}
    assert health_visitor.get(URL, query).json()["count"] == 0
    assert audit_count(action="search", actor=world.health_visitor, child_id=world.child.pk) == 1
    assert_error(health_visitor.get(URL, {"status": "postponed"}), 400, "invalid_choice", "status")


def test_the_outsider_sees_no_meeting(world, arrange, api_client_for):
    meeting = arrange()
    outsider = api_client_for(world.outsider)
    assert outsider.get(URL).json()["count"] == 0
    assert_error(outsider.get(url(meeting)), 404, "not_found")
    assert_error(
        outsider.post(url(meeting, "cancel/"), {"reason": "x"}, format="json"), 404, "not_found"
    )
    assert_error(outsider.get(URL, {"child": str(world.child.pk)}), 404, "not_found")
    assert audit_count(action="denied", actor=world.outsider) == 3


def test_the_detail_has_the_pack_and_is_audited(world, arrange, social_worker):
    meeting = arrange()
    response = social_worker.get(url(meeting))
    assert response.status_code == 200
    body = response.json()
    assert {"invitations", "reports", "decisions", "actions", "minutes"} <= set(body)
    (pack,) = body["pack"]
    assert pack["child"]["id"] == str(world.child.pk)
    assert set(pack) == {
        "child",
        "legal_status",
        "risks",
        "restricted",
        "contact",
        "network",
        "chronology",
    }
    assert {i["agency"]["code"] for i in pack["network"]} >= {"nm-csc", "nm-hv"}
    assert audit_count(action="view", actor=world.social_worker, object_id=str(meeting.pk)) == 1


def test_the_pack_never_leaks_a_withheld_risk(world, police, arrange, health_visitor):
    # The police's risk about Riley is not shared with health visiting.
    record_risk(
        actor=police,
        subject=world.child,
        factor="3A",
        evidence="Domestic abuse call-out at the address",
        review_date=TODAY + dt.timedelta(days=30),
    )
    shared = record_risk(
        actor=world.social_worker,
        subject=world.child,
        factor="16A",
        evidence="Nappy rash untreated for weeks",
        review_date=TODAY + dt.timedelta(days=30),
    )
    response = health_visitor.get(url(arrange()))
    (pack,) = response.json()["pack"]
    assert [r["id"] for r in pack["risks"]] == [str(shared.pk)]
    assert pack["risks"][0]["path"]
    assert pack["restricted"] is True
    assert pack["contact"]
    assert b"Domestic abuse" not in response.content
    assert b"withheld" not in response.content


# --- attendance, reports --------------------------------------------------------------


def test_the_chair_records_attendance(world, arrange, social_worker, health_visitor):
    meeting = arrange()
    path = url(meeting, "invitations/nm-hv/attendance/")
    response = social_worker.post(path, {"attendance": "apologies"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["agency"]["code"], response.json()["attendance"]) == (
        "nm-hv",
        "apologies",
    )
    assert meeting.invitations.get(agency=world.health).attendance == "apologies"
    bad = social_worker.post(path, {"attendance": "maybe"}, format="json")
    assert_error(bad, 400, "invalid_choice", "attendance")
    not_invited = url(meeting, "invitations/far-police/attendance/")
    assert_error(social_worker.post(not_invited, {"attendance": "attended"}), 404, "not_found")
    assert_error(health_visitor.post(path, {"attendance": "attended"}), 403, "not_allowed")


def test_an_invited_agency_sends_its_report(world, arrange, health_visitor):
    meeting = arrange()
    response = health_visitor.post(
        url(meeting, "reports/"), {"content": "Weight falling."}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["agency"]["code"] == "nm-hv"
    invitations = health_visitor.get(url(meeting)).json()["invitations"]
    assert {i["agency"]["code"]: i["report_received"] for i in invitations}["nm-hv"] is True
    empty = health_visitor.post(url(meeting, "reports/"), {"content": " "}, format="json")
    assert_error(empty, 400, "content_required", "content")


def test_an_agency_not_invited_may_not_report(world, arrange, health_visitor):
    meeting = arrange(agencies=[], reports_from=[])
    response = health_visitor.post(url(meeting, "reports/"), {"content": "x"}, format="json")
    assert_error(response, 403, "not_invited")
    assert not meeting.reports.exists()


# --- outcome, cancelling --------------------------------------------------------------


def test_the_outcome_is_recorded_with_decisions_and_actions(world, arrange, social_worker):
    meeting = arrange()
    response = social_worker.post(url(meeting, "outcome/"), outcome(world), format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["held_on"]) == ("held", TODAY.isoformat())
    assert body["decisions"][0]["category"] == "neglect"
    (action,) = body["actions"]
    assert action["owner"]["id"] == str(world.health_visitor.pk)
    assert Task.objects.get(pk=action["task"]).owner == world.health_visitor
    assert audit_count(action="update", actor=world.social_worker, object_id=str(meeting.pk))


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"chair": None}, "chair_required", "chair"),
        ({"held_on": None}, "date_required", "held_on"),
        ({"decisions": []}, "plan_decision_required", "decisions"),
        (
            {"decisions": [{"decision_type": "plan_made", "agreed_by": "All"}]},
            "category_required",
            "decisions",
        ),
        ({"decisions": [{"decision_type": "no_plan"}]}, "agreed_by_required", "decisions"),
        (
            {"actions": [{"description": "Visit", "due_on": "2026-12-31"}]},
            "action_needs_owner",
            "actions",
        ),
        (
            {"actions": [{"description": "Visit", "owner": "hv"}]},
            "action_needs_due_date",
            "actions",
        ),
        (
            {"actions": [{"description": "Visit", "owner": NO_ONE, "due_on": "2026-12-31"}]},
            "unknown_practitioner",
            "actions.0.owner",
        ),
    ],
)
def test_a_bad_outcome_is_refused_and_nothing_is_saved(
    world, arrange, social_worker, overrides, code, field
):
    meeting = arrange()
    for action in overrides.get("actions", []):
        if action.get("owner") == "hv":
            action["owner"] = str(world.health_visitor.pk)
    response = social_worker.post(
        url(meeting, "outcome/"), outcome(world, **overrides), format="json"
    )
    body = assert_error(response, 400, code, field)
    if field in {"decisions", "actions"}:
        assert body["message"].startswith(("Decision 1", "Action 1", "Record"))
    meeting.refresh_from_db()
    assert meeting.status == "arranged"
    assert not Decision.objects.exists() and not Action.objects.exists()
    assert not Task.objects.filter(rule_id="meeting-action").exists()


def test_a_health_visitor_may_not_record_the_outcome(world, arrange, health_visitor):
    meeting = arrange()
    response = health_visitor.post(url(meeting, "outcome/"), outcome(world), format="json")
    assert_error(response, 403, "not_allowed")
    meeting.refresh_from_db()
    assert meeting.status == "arranged"


def test_a_meeting_is_cancelled_once(world, arrange, social_worker):
    meeting = arrange()
    path = url(meeting, "cancel/")
    assert_error(social_worker.post(path, {}, format="json"), 400, "reason_required", "reason")
    response = social_worker.post(path, {"reason": "The chair is ill"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["cancelled_reason"]) == (
        "cancelled",
        "The chair is ill",
    )
    again = social_worker.post(path, {"reason": "Again"}, format="json")
    assert_error(again, 400, "invalid_transition")
    held = social_worker.post(url(meeting, "outcome/"), outcome(world), format="json")
    assert_error(held, 400, "invalid_transition")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_meetings_are_never_rewritten_or_deleted(world, arrange, social_worker, method):
    meeting = arrange()
    for path in (URL, url(meeting)):
        response = getattr(social_worker, method)(path, {}, format="json")
        assert_error(response, 405, "method_not_allowed")
    assert Meeting.objects.filter(pk=meeting.pk, status="arranged").exists()
