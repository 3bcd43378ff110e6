import datetime as dt

import pytest

from threadline.agencies.models import Role
from threadline.audit.models import AuditEvent
from threadline.cases.models import Allocation, Case, Involvement

from ..factories import (
    AgencyFactory,
    InvolvementFactory,
    PersonFactory,
    PractitionerFactory,
    SocialWorkerFactory,
)
from .helpers import assert_error, audit_count

CASES = "/api/v1/cases/"


def case_url(case, action: str = "") -> str:
    return f"{CASES}{case.pk}/{action + '/' if action else ''}"


# --- read ----------------------------------------------------------------------------


def test_a_case_shows_its_network_allocations_and_lead(world, api_client_for):
    response = api_client_for(world.health_visitor).get(case_url(world.case))
    assert response.status_code == 200
    body = response.json()
    assert body["child"]["full_name"] == "Riley Marsh"
    assert body["lead_agency"]["code"] == "nm-csc"
    assert body["lead_professional"]["name"] == "Amira Okafor"
    network = {(i["agency"]["code"], i["role"], i["current"]) for i in body["involvements"]}
    assert network == {("nm-csc", "Social worker", True), ("nm-hv", "Health visitor", True)}
    health_visitor = next(i for i in body["involvements"] if i["agency"]["code"] == "nm-hv")
    assert health_visitor["practitioner"]["email"] == "hv@example.org"
    assert health_visitor["practitioner"]["phone"]
    [allocation] = body["allocations"]
    assert allocation["social_worker"]["name"] == "Amira Okafor"
    assert allocation["social_worker"]["experience"] == "qualified"
    assert allocation["current"] is True


def test_viewing_a_case_is_audited(world, api_client_for):
    api_client_for(world.social_worker).get(case_url(world.case))
    event = AuditEvent.objects.filter(action="view", object_id=str(world.case.pk)).get()
    assert (event.actor, event.child_id) == (world.social_worker, world.child.pk)


def test_the_list_shows_visible_cases_and_is_audited(world, api_client_for):
    before = audit_count(action="search")
    response = api_client_for(world.health_visitor).get(CASES)
    assert [c["reference"] for c in response.json()["results"]] == [world.case.reference]
    assert audit_count(action="search") == before + 1


def test_outsider_gets_404_and_an_empty_list(world, api_client_for):
    client = api_client_for(world.outsider)
    assert_error(client.get(case_url(world.case)), 404, "not_found")
    assert client.get(CASES).json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert_error(
        client.post(case_url(world.case, "allocations"), {}, format="json"), 404, "not_found"
    )


def test_administrator_sees_no_cases(world, api_client_for):
    client = api_client_for(world.administrator)
    assert client.get(CASES).json()["count"] == 0
    assert_error(client.get(case_url(world.case)), 404, "not_found")


# --- open ----------------------------------------------------------------------------


def test_social_care_opens_a_case(world, api_client_for):
    sibling = PersonFactory(recorded_by_agency=world.social_care)
    response = api_client_for(world.social_worker).post(
        CASES,
        {"child": str(sibling.pk), "opened_on": "2024-01-05", "lead_agency": "nm-hv"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == "TL-2024-00001"
    assert (body["local_authority"]["code"], body["lead_agency"]["code"]) == ("nm-csc", "nm-hv")
    assert response["Location"] == f"{CASES}{body['id']}/"


def test_a_second_open_case_for_a_child_is_refused(world, api_client_for):
    response = api_client_for(world.social_worker).post(
        CASES, {"child": str(world.child.pk)}, format="json"
    )
    assert_error(response, 400, "case_already_open", "child")
    assert Case.objects.count() == 1


def test_a_case_is_not_opened_for_an_adult(world, api_client_for):
    response = api_client_for(world.social_worker).post(
        CASES, {"child": str(world.mother.pk)}, format="json"
    )
    assert_error(response, 400, "not_a_child", "child")


def test_only_childrens_social_care_opens_cases(world, api_client_for):
    baby = PersonFactory(recorded_by_agency=world.health)
    response = api_client_for(world.health_visitor).post(
        CASES, {"child": str(baby.pk)}, format="json"
    )
    assert_error(response, 403, "forbidden")
    assert not Case.objects.filter(child=baby).exists()


def test_a_case_for_an_unseen_child_is_unknown_person(world, api_client_for):
    stranger = PersonFactory(recorded_by_agency=world.outsider_agency)
    response = api_client_for(world.social_worker).post(
        CASES, {"child": str(stranger.pk)}, format="json"
    )
    assert_error(response, 400, "unknown_person", "child")


# --- the network, allocation and lead professional ---------------------------------------


def test_the_holding_authority_adds_an_agency_to_the_network(world, api_client_for):
    school = AgencyFactory(code="nm-school", agency_type="education")
    teacher = PractitionerFactory(agency=school)
    response = api_client_for(world.team_manager).post(
        case_url(world.case, "involvements"),
        {
            "agency": "nm-school",
            "practitioner": str(teacher.pk),
            "role": "Designated teacher",
            "from_date": "2025-09-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["practitioner"]["id"] == str(teacher.pk)
    assert Involvement.objects.filter(case=world.case, agency=school).exists()


def test_a_practitioner_of_another_agency_cannot_be_named(world, api_client_for):
    response = api_client_for(world.team_manager).post(
        case_url(world.case, "involvements"),
        {
            "agency": "nm-hv",
            "practitioner": str(world.outsider.pk),
            "role": "Health visitor",
            "from_date": "2025-09-01",
        },
        format="json",
    )
    assert_error(response, 400, "practitioner_not_in_agency", "practitioner")


def test_allocating_a_new_social_worker_ends_the_current_allocation(world, api_client_for):
    newcomer = SocialWorkerFactory(agency=world.social_care)
    response = api_client_for(world.team_manager).post(
        case_url(world.case, "allocations"),
        {"social_worker": str(newcomer.pk), "from_date": "2025-06-02"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["social_worker"]["id"] == str(newcomer.pk)
    ended = Allocation.objects.get(social_worker=world.social_worker)
    assert ended.to_date == dt.date(2025, 6, 1)


def test_an_overlapping_allocation_is_refused_and_nothing_changes(world, api_client_for):
    newcomer = SocialWorkerFactory(agency=world.social_care)
    response = api_client_for(world.team_manager).post(
        case_url(world.case, "allocations"),
        {"social_worker": str(newcomer.pk), "from_date": "2025-01-01"},
        format="json",
    )
    assert_error(response, 400, "overlapping_allocation", "from_date")
    assert list(world.case.allocations.values_list("social_worker", "to_date")) == [
        (world.social_worker.pk, None)
    ]


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        (
            {"social_worker": "00000000-0000-0000-0000-000000000000", "from_date": "2025-06-02"},
            "unknown_practitioner",
            "social_worker",
        ),
        ({"from_date": "2025-06-02"}, "required", "social_worker"),
    ],
)
def test_bad_allocations_are_refused(world, api_client_for, payload, code, field):
    response = api_client_for(world.team_manager).post(
        case_url(world.case, "allocations"), payload, format="json"
    )
    assert_error(response, 400, code, field)
    assert world.case.allocations.count() == 1


def test_a_non_social_worker_cannot_be_allocated(world, api_client_for):
    response = api_client_for(world.team_manager).post(
        case_url(world.case, "allocations"),
        {"social_worker": str(world.team_manager.pk), "from_date": "2025-06-02"},
        format="json",
    )
    assert_error(response, 400, "not_a_social_worker", "social_worker")


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("allocations", {"from_date": "2025-06-02"}),
        ("lead-professional", {}),
        ("involvements", {"agency": "nm-hv", "role": "Health visitor", "from_date": "2025-09-01"}),
    ],
)
def test_a_read_only_partner_cannot_change_who_works_on_the_case(
    world, api_client_for, action, payload
):
    payload = payload | {
        "social_worker": str(world.health_visitor.pk),
        "lead_professional": str(world.health_visitor.pk),
    }
    before = (Allocation.objects.count(), Involvement.objects.count())
    response = api_client_for(world.health_visitor).post(
        case_url(world.case, action), payload, format="json"
    )
    assert_error(response, 403, "forbidden")
    world.case.refresh_from_db()
    assert world.case.lead_professional == world.social_worker
    assert (Allocation.objects.count(), Involvement.objects.count()) == before


def test_the_holding_authority_names_a_partner_as_lead_professional(world, api_client_for):
    response = api_client_for(world.team_manager).post(
        case_url(world.case, "lead-professional"),
        {"lead_professional": str(world.health_visitor.pk)},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["lead_professional"]["id"] == str(world.health_visitor.pk)
    assert body["lead_agency"]["code"] == "nm-hv"


def test_a_front_door_officer_sees_every_case_of_their_authority(world, api_client_for):
    officer = PractitionerFactory(agency=world.social_care, role=Role.FRONT_DOOR_OFFICER)
    response = api_client_for(officer).get(case_url(world.case))
    assert response.status_code == 200


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_wrong_method_on_a_case_is_405(world, api_client_for, method):
    response = getattr(api_client_for(world.social_worker), method)(case_url(world.case))
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_an_agencys_involvement_is_shown_only_under_a_sharing_agreement(world, api_client_for):
    """Treatment by a substance-misuse service is that service's information: the network
    shows it only to agencies an agreement lets see it, on every response."""
    service = AgencyFactory(code="nm-drugs", agency_type="adult_substance_misuse")
    InvolvementFactory(case=world.case, agency=service, role="Recovery worker")
    seen = api_client_for(world.health_visitor).get(case_url(world.case)).json()
    assert "nm-drugs" not in {i["agency"]["code"] for i in seen["involvements"]}
    changed = (
        api_client_for(world.team_manager)
        .post(
            case_url(world.case, "lead-professional"),
            {"lead_professional": str(world.health_visitor.pk)},
            format="json",
        )
        .json()
    )
    assert "nm-drugs" not in {i["agency"]["code"] for i in changed["involvements"]}
