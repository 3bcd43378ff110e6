"""/api/v1/referrals/: create, list, retrieve, decide."""

import pytest

from threadline.audit.models import AuditEvent
from threadline.notices.models import NoticeRecipient
from threadline.people.models import Person, Relationship
from threadline.referrals.models import Referral

from ..api.helpers import assert_error, audit_count
from .conftest import CONCERNS

REFERRALS = "/api/v1/referrals/"


def body(world, **change) -> dict:
    return {
        "child": str(world.child.pk),
        "concerns": CONCERNS,
        "categories": ["physical_abuse"],
        "urgency": "standard",
        "family_told": "Mother told at the clinic",
        "sharing_basis": "safeguarding",
    } | change


def test_a_practitioner_refers_a_child_they_can_see(world, api_client_for):
    response = api_client_for(world.health_visitor).post(REFERRALS, body(world), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert response["Location"] == f"{REFERRALS}{data['id']}/"
    assert data["child"]["full_name"] == "Riley Marsh"
    assert (data["referrer_agency"]["code"], data["local_authority"]["code"]) == ("nm-hv", "nm-csc")
    assert (data["status"], data["decision"], data["is_overdue"], data["case"]) == (
        "awaiting_decision",
        "",
        False,
        None,
    )
    assert data["categories"] == ["physical_abuse"]
    assert data["decision_due_at"] > data["received_at"]
    assert NoticeRecipient.objects.get(notice__notice_type="referral").agency == world.social_care


def test_an_unborn_baby_is_recorded_with_the_referral(world, api_client_for):
    new_child = {
        "kind": "unborn",
        "expected_delivery_date": "2026-09-01",
        "parent": str(world.mother.pk),
    }
    change = {"child": None, "new_child": new_child}
    response = api_client_for(world.health_visitor).post(
        REFERRALS, body(world, **change), format="json"
    )
    assert response.status_code == 201, response.content
    child = response.json()["child"]
    assert (child["kind"], child["full_name"], child["expected_delivery_date"]) == (
        "unborn",
        "Unborn baby Marsh",
        "2026-09-01",
    )
    assert Relationship.objects.filter(person_a=world.mother, person_b_id=child["id"]).exists()


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"concerns": ""}, "concerns_required", "concerns"),
        ({"concerns": "   "}, "concerns_required", "concerns"),
        ({"concerns": 42}, "invalid", "concerns"),
        ({"categories": []}, "categories_required", "categories"),
        ({"categories": ["gossip"]}, "invalid_choice", "categories.0"),
        ({"urgency": ""}, "urgency_required", "urgency"),
        ({"urgency": "whenever"}, "invalid_choice", "urgency"),
        ({"family_told": ""}, "family_told_required", "family_told"),
        ({"sharing_basis": ""}, "sharing_basis_required", "sharing_basis"),
        ({"child": None}, "child_required", "child"),
        ({"child": "00000000-0000-0000-0000-000000000000"}, "unknown_person", "child"),
        ({"child": "mother"}, "not_a_child", "child"),
        (
            {"child": None, "new_child": {"kind": "unborn", "family_name": "Marsh"}},
            "unborn_needs_expected_date",
            "new_child.expected_delivery_date",
        ),
        (
            {"child": None, "new_child": {"kind": "adult", "family_name": "Marsh"}},
            "invalid_choice",
            "new_child.kind",
        ),
        (
            {"new_child": {"kind": "child", "family_name": "X", "date_of_birth": "2020-01-01"}},
            "child_required",
            "child",
        ),
    ],
)
def test_bad_referrals_are_refused_and_nothing_is_saved(world, api_client_for, change, code, field):
    if change.get("child") == "mother":
        change["child"] = str(world.mother.pk)
    people = Person.objects.count()
    response = api_client_for(world.health_visitor).post(
        REFERRALS, body(world, **change), format="json"
    )
    assert_error(response, 400, code, field)
    assert not Referral.objects.exists()
    assert Person.objects.count() == people


def test_every_problem_comes_back_at_once(world, api_client_for):
    change = {"concerns": "", "categories": [], "family_told": ""}
    response = api_client_for(world.health_visitor).post(
        REFERRALS, body(world, **change), format="json"
    )
    errors = assert_error(response, 400, "concerns_required", "concerns")["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("concerns", "concerns_required"),
        ("categories", "categories_required"),
        ("family_told", "family_told_required"),
    }


def test_the_same_referral_sent_twice_with_a_key_is_made_once(world, api_client_for):
    client = api_client_for(world.health_visitor)
    first = client.post(REFERRALS, body(world), format="json", HTTP_IDEMPOTENCY_KEY="ref-1")
    again = client.post(REFERRALS, body(world), format="json", HTTP_IDEMPOTENCY_KEY="ref-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Referral.objects.count() == 1


@pytest.fixture
def referral(world, refer):
    return refer()


def test_the_list_shows_what_each_may_see_and_is_audited(
    world, api_client_for, front_door, referral
):
    for actor in (world.health_visitor, world.social_worker, front_door):
        listed = api_client_for(actor).get(REFERRALS).json()
        assert [r["id"] for r in listed["results"]] == [str(referral.pk)], actor
    assert api_client_for(world.outsider).get(REFERRALS).json()["count"] == 0
    client = api_client_for(front_door)
    before = audit_count(action="search", actor=front_door)
    assert client.get(REFERRALS, {"status": "decided"}).json()["count"] == 0
    assert client.get(REFERRALS, {"child": str(world.child.pk)}).json()["count"] == 1
    assert audit_count(action="search", actor=front_door) == before + 2
    assert_error(client.get(REFERRALS, {"status": "lost"}), 400, "invalid_choice", "status")


def test_reading_a_referral_is_audited_and_the_outsider_gets_404(world, api_client_for, referral):
    url = f"{REFERRALS}{referral.pk}/"
    response = api_client_for(world.social_worker).get(url)
    assert response.status_code == 200 and response.json()["concerns"] == CONCERNS
    event = AuditEvent.objects.get(action="view", object_id=str(referral.pk))
    assert (event.actor, event.child_id) == (world.social_worker, world.child.pk)
    assert_error(api_client_for(world.outsider).get(url), 404, "not_found")


def decide(client, referral, **change):
    payload = {"decision": "assessment", "rationale": "Unexplained injury under two"} | change
    return client.post(f"{REFERRALS}{referral.pk}/decide/", payload, format="json")


def test_the_front_door_decides_and_the_referrer_is_told(
    world, api_client_for, front_door, referral
):
    response = decide(api_client_for(front_door), referral)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["decision"], data["case"]) == (
        "decided",
        "assessment",
        world.case.reference,
    )
    assert data["decided_by"]["id"] == str(front_door.pk)
    outcome = NoticeRecipient.objects.get(notice__notice_type="outcome")
    assert outcome.practitioner == world.health_visitor


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"rationale": ""}, "rationale_required", "rationale"),
        ({"rationale": " "}, "rationale_required", "rationale"),
        ({"decision": ""}, "decision_required", "decision"),
        ({"decision": "later"}, "invalid_choice", "decision"),
    ],
)
def test_bad_decisions_are_refused(
    world, api_client_for, front_door, referral, change, code, field
):
    assert_error(decide(api_client_for(front_door), referral, **change), 400, code, field)
    assert Referral.objects.get().status == "awaiting_decision"
    assert not NoticeRecipient.objects.filter(notice__notice_type="outcome").exists()


def test_only_the_front_door_decides(world, api_client_for, referral):
    for actor in (world.health_visitor, world.social_worker, world.safeguarding_lead):
        assert_error(decide(api_client_for(actor), referral), 403, "not_front_door")
    assert_error(decide(api_client_for(world.outsider), referral), 404, "not_found")
    assert Referral.objects.get().status == "awaiting_decision"


def test_a_referral_is_decided_once(world, api_client_for, front_door, referral):
    client = api_client_for(front_door)
    assert decide(client, referral).status_code == 200
    assert_error(decide(client, referral, decision="early_help"), 400, "already_decided")
