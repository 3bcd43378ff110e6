import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from threadline.audit.models import AuditEvent
from threadline.people.models import LocalReference, NameKind, Person, PersonName

from ..factories import PersonFactory, ResidenceFactory
from .helpers import assert_error, audit_count

PEOPLE = "/api/v1/people/"


def person_url(person) -> str:
    return f"{PEOPLE}{person.pk}/"


def new_child(**overrides) -> dict:
    return {
        "kind": "child",
        "given_names": "Mia",
        "family_name": "Stroud",
        "date_of_birth": "2021-05-04",
    } | overrides


# --- create --------------------------------------------------------------------------


def test_recording_a_child_returns_it_with_etag_and_location(world, api_client_for):
    response = api_client_for(world.social_worker).post(
        PEOPLE, new_child(nhs_number="943 476 5919", sex="F", ethnicity="WBRI"), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert body["nhs_number"] == "9434765919"
    assert body["full_name"] == "Mia Stroud"
    assert body["recorded_by_agency"] == "nm-csc"
    assert [n["kind"] for n in body["names"]] == ["legal"]
    assert body["current_address"] is None
    assert response["ETag"].startswith('"')
    assert response["Location"] == person_url(person)
    assert AuditEvent.objects.filter(object_id=str(person.pk), action="create").exists()


def test_an_unborn_child_with_an_expected_date_is_recorded(world, api_client_for):
    due = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    response = api_client_for(world.health_visitor).post(
        PEOPLE,
        {"kind": "unborn", "family_name": "Stroud", "expected_delivery_date": due},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["full_name"] == "Unborn baby Stroud"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"nhs_number": "9434765918"}, "invalid_nhs_number", "nhs_number"),
        (
            {"date_of_birth": (timezone.localdate() + dt.timedelta(days=1)).isoformat()},
            "date_of_birth_in_future",
            "date_of_birth",
        ),
        (
            {"kind": "unborn", "date_of_birth": None},
            "unborn_needs_expected_date",
            "expected_delivery_date",
        ),
        ({"date_of_birth": "04/05/2021"}, "invalid", "date_of_birth"),
        ({"kind": "martian"}, "invalid_choice", "kind"),
        ({"family_name": ""}, "blank", "family_name"),
        ({"family_name": 42}, "invalid", "family_name"),
    ],
)
def test_bad_person_details_are_refused_and_nothing_saved(
    world, api_client_for, overrides, code, field
):
    before = (Person.objects.count(), audit_count(action="create"))
    response = api_client_for(world.social_worker).post(
        PEOPLE, new_child(**overrides), format="json"
    )
    assert_error(response, 400, code, field)
    assert (Person.objects.count(), audit_count(action="create")) == before


def test_an_administrator_records_no_case_data(world, api_client_for):
    response = api_client_for(world.administrator).post(PEOPLE, new_child(), format="json")
    assert_error(response, 403, "forbidden")


def test_a_form_encoded_body_is_refused(world, api_client_for):
    response = api_client_for(world.social_worker).post(PEOPLE, new_child(), format="multipart")
    assert_error(response, 415, "unsupported_media_type")


# --- read ----------------------------------------------------------------------------


def test_viewing_a_person_shows_names_references_and_address_and_is_audited(world, api_client_for):
    ResidenceFactory(person=world.child, recorded_by=world.social_worker)
    LocalReference.objects.create(person=world.child, agency=world.health, reference="HV-1")
    before = audit_count(action="view", object_id=str(world.child.pk))
    response = api_client_for(world.health_visitor).get(person_url(world.child))
    assert response.status_code == 200
    body = response.json()
    assert body["full_name"] == "Riley Marsh"
    assert body["references"] == [
        {"id": body["references"][0]["id"], "agency": "nm-hv", "reference": "HV-1"}
    ]
    assert body["current_address"]["address"]["postcode"] == "NM1 4BX"
    assert response["ETag"]
    event = AuditEvent.objects.filter(action="view", object_id=str(world.child.pk)).last()
    assert audit_count(action="view", object_id=str(world.child.pk)) == before + 1
    assert event.actor == world.health_visitor
    assert event.child_id == world.child.pk


def test_search_finds_by_name_and_is_audited(world, api_client_for):
    before = audit_count(action="search")
    response = api_client_for(world.health_visitor).get(PEOPLE, {"name": "marsh"})
    assert response.status_code == 200
    body = response.json()
    assert {p["id"] for p in body["results"]} == {str(world.child.pk), str(world.mother.pk)}
    assert body["count"] == 2
    assert audit_count(action="search") == before + 1


def test_search_by_date_of_birth(world, api_client_for):
    response = api_client_for(world.social_worker).get(PEOPLE, {"date_of_birth": "2025-02-01"})
    assert [p["id"] for p in response.json()["results"]] == [str(world.child.pk)]


def test_search_with_a_malformed_date_is_a_400(world, api_client_for):
    response = api_client_for(world.social_worker).get(PEOPLE, {"date_of_birth": "yesterday"})
    assert_error(response, 400, "invalid", "date_of_birth")


def test_outsider_gets_404_and_the_child_is_not_in_their_lists(world, api_client_for):
    client = api_client_for(world.outsider)
    assert_error(client.get(person_url(world.child)), 404, "not_found")
    assert client.get(PEOPLE, {"name": "Marsh"}).json()["results"] == []
    assert client.get(PEOPLE).json()["count"] == 0


def test_an_unknown_id_is_the_same_404(world, api_client_for):
    response = api_client_for(world.outsider).get(f"{PEOPLE}{world.case.pk}/")
    assert_error(response, 404, "not_found")


def test_administrator_sees_no_people(world, api_client_for):
    client = api_client_for(world.administrator)
    assert client.get(PEOPLE).json()["count"] == 0
    assert client.get(person_url(world.child)).status_code == 404


# --- update: ETag / If-Match ------------------------------------------------------------


def test_update_without_if_match_is_428(world, api_client_for):
    response = api_client_for(world.social_worker).patch(
        person_url(world.child), {"given_names": "Rylee"}, format="json"
    )
    assert_error(response, 428, "precondition_required")
    world.child.refresh_from_db()
    assert world.child.given_names == "Riley"


def test_update_with_a_stale_etag_is_412(world, api_client_for):
    client = api_client_for(world.social_worker)
    etag = client.get(person_url(world.child))["ETag"]
    first = client.patch(
        person_url(world.child), {"first_language": "Polish"}, format="json", HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200, first.content
    second = client.patch(
        person_url(world.child), {"given_names": "Rylee"}, format="json", HTTP_IF_MATCH=etag
    )
    assert_error(second, 412, "precondition_failed")
    world.child.refresh_from_db()
    assert (world.child.given_names, world.child.first_language) == ("Riley", "Polish")


def test_update_with_the_current_etag_changes_the_name_and_keeps_the_old(world, api_client_for):
    client = api_client_for(world.social_worker)
    etag = client.get(person_url(world.child))["ETag"]
    response = client.patch(
        person_url(world.child), {"given_names": "Rylee"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    names = {(n["given_names"], n["kind"]) for n in response.json()["names"]}
    assert names == {("Riley", "previous"), ("Rylee", "legal")}


def test_update_refuses_bad_input_and_saves_nothing(world, api_client_for):
    client = api_client_for(world.social_worker)
    etag = client.get(person_url(world.child))["ETag"]
    response = client.patch(
        person_url(world.child), {"nhs_number": "1234567890"}, format="json", HTTP_IF_MATCH=etag
    )
    assert_error(response, 400, "invalid_nhs_number", "nhs_number")
    world.child.refresh_from_db()
    assert world.child.nhs_number is None


def test_a_partner_may_see_but_not_rewrite_another_agencys_record(world, api_client_for):
    client = api_client_for(world.health_visitor)
    etag = client.get(person_url(world.child))["ETag"]
    response = client.patch(
        person_url(world.child), {"given_names": "Rylee"}, format="json", HTTP_IF_MATCH=etag
    )
    assert_error(response, 403, "forbidden")


def test_outsider_cannot_update_and_gets_404(world, api_client_for):
    response = api_client_for(world.outsider).patch(
        person_url(world.child), {"given_names": "X"}, format="json", HTTP_IF_MATCH='"x"'
    )
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("method", ["put", "delete"])
def test_wrong_method_is_405_json(world, api_client_for, method):
    response = getattr(api_client_for(world.social_worker), method)(person_url(world.child))
    body = assert_error(response, 405, "method_not_allowed")
    assert "PATCH" in response["Allow"]
    assert body["field"] is None


def test_unauthenticated_is_401_json_with_challenge(world):
    response = APIClient().get(PEOPLE)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(client.get(PEOPLE), 401, "authentication_failed")


# --- names and references ----------------------------------------------------------------


def test_a_partner_in_reach_adds_an_alias(world, api_client_for):
    response = api_client_for(world.health_visitor).post(
        f"{person_url(world.child)}names/",
        {"kind": "known_as", "given_names": "Ri", "family_name": "Marsh"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert PersonName.objects.filter(person=world.child, kind=NameKind.KNOWN_AS).exists()


def test_a_legal_name_is_changed_by_updating_the_person(world, api_client_for):
    response = api_client_for(world.social_worker).post(
        f"{person_url(world.child)}names/",
        {"kind": "legal", "given_names": "Ri", "family_name": "Marsh"},
        format="json",
    )
    assert_error(response, 400, "use_update_person", "kind")


def test_outsider_cannot_add_a_name(world, api_client_for):
    response = api_client_for(world.outsider).post(
        f"{person_url(world.child)}names/", {"family_name": "Marsh"}, format="json"
    )
    assert_error(response, 404, "not_found")
    assert world.child.names.count() == 1


@pytest.mark.parametrize("agency", ["nm-hv", "id"])
def test_a_partner_records_its_own_reference_by_code_or_id(world, api_client_for, agency):
    agency = str(world.health.pk) if agency == "id" else agency
    response = api_client_for(world.health_visitor).post(
        f"{person_url(world.child)}references/",
        {"agency": agency, "reference": "HV-77"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["agency"] == "nm-hv"


def test_a_reference_for_another_agency_is_refused(world, api_client_for):
    response = api_client_for(world.health_visitor).post(
        f"{person_url(world.child)}references/",
        {"agency": "nm-csc", "reference": "CSC-1"},
        format="json",
    )
    assert_error(response, 400, "not_your_agency", "agency")
    assert not LocalReference.objects.exists()


def test_a_reference_for_an_unknown_agency_is_refused(world, api_client_for):
    response = api_client_for(world.health_visitor).post(
        f"{person_url(world.child)}references/",
        {"agency": "nope", "reference": "X"},
        format="json",
    )
    assert_error(response, 400, "unknown_agency", "agency")


def test_a_duplicate_reference_is_refused(world, api_client_for):
    other = PersonFactory(recorded_by_agency=world.health)
    LocalReference.objects.create(person=other, agency=world.health, reference="HV-1")
    response = api_client_for(world.health_visitor).post(
        f"{person_url(world.child)}references/",
        {"agency": "nm-hv", "reference": "HV-1"},
        format="json",
    )
    assert_error(response, 400, "duplicate_reference", "reference")


def test_a_second_person_with_the_same_nhs_number_is_refused(world, api_client_for):
    client = api_client_for(world.social_worker)
    assert client.post(PEOPLE, new_child(nhs_number="9434765919"), format="json").status_code == 201
    response = client.post(PEOPLE, new_child(nhs_number="943-476-5919"), format="json")
    assert_error(response, 400, "duplicate_nhs_number", "nhs_number")
    assert Person.objects.filter(nhs_number="9434765919").count() == 1


def test_a_name_without_given_names(world, api_client_for):
    response = api_client_for(world.social_worker).post(
        f"{person_url(world.child)}names/", {"family_name": "Hale"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["given_names"]) == ("alias", "")


def test_an_empty_date_of_birth_in_a_search_is_refused(world, api_client_for):
    response = api_client_for(world.social_worker).get(PEOPLE, {"date_of_birth": ""})
    assert_error(response, 400, "invalid", "date_of_birth")
