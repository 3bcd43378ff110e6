import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from threadline.audit.models import AuditEvent

from ..factories import PractitionerFactory
from .helpers import assert_error

AGENCIES = "/api/v1/agencies/"
PRACTITIONERS = "/api/v1/practitioners/"


def test_anyone_signed_in_reads_the_agency_directory(world, api_client_for):
    client = api_client_for(world.outsider)
    codes = [a["code"] for a in client.get(AGENCIES).json()["results"]]
    assert codes == ["far-police", "nm-csc", "nm-hv"]
    one = client.get(f"{AGENCIES}{world.health.pk}/").json()
    assert one == {
        "id": str(world.health.pk),
        "code": "nm-hv",
        "name": "Northmoor Health Visiting",
        "agency_type": "health_visiting",
        "area": "Northmoor",
        "phone": "01632 960000",
        "safeguarding_email": "safeguarding@nm-hv.example",
    }


def test_an_unknown_agency_is_404(world, api_client_for):
    response = api_client_for(world.outsider).get(f"{AGENCIES}{world.child.pk}/")
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("agency", ["nm-hv", "id"])
def test_practitioners_filtered_by_agency_code_or_id(world, api_client_for, agency):
    agency = str(world.health.pk) if agency == "id" else agency
    response = api_client_for(world.administrator).get(PRACTITIONERS, {"agency": agency})
    [hv] = response.json()["results"]
    assert hv["id"] == str(world.health_visitor.pk)
    assert hv["agency"]["code"] == "nm-hv"
    assert (hv["job_title"], hv["email"], hv["role"]) == (
        "Health visitor",
        "hv@example.org",
        "practitioner",
    )


def test_an_unknown_agency_filter_finds_nobody(world, api_client_for):
    response = api_client_for(world.outsider).get(PRACTITIONERS, {"agency": "nope"})
    assert response.json()["count"] == 0


def test_a_practitioner_never_shows_sign_in_details(world, api_client_for):
    body = api_client_for(world.outsider).get(f"{PRACTITIONERS}{world.social_worker.pk}/").json()
    assert body["name"] == "Amira Okafor"
    assert body["experience"] == "qualified"
    assert not {"password", "username", "is_superuser", "is_staff", "last_login"} & set(body)


def test_deactivated_practitioners_leave_the_directory(world, api_client_for):
    leaver = PractitionerFactory(agency=world.health, is_active=False)
    client = api_client_for(world.outsider)
    assert_error(client.get(f"{PRACTITIONERS}{leaver.pk}/"), 404, "not_found")
    ids = {p["id"] for p in client.get(PRACTITIONERS, {"limit": 100}).json()["results"]}
    assert str(leaver.pk) not in ids


@pytest.mark.parametrize("url", [AGENCIES, PRACTITIONERS])
def test_the_directory_is_read_only(world, api_client_for, url):
    response = api_client_for(world.administrator).post(url, {"name": "x"}, format="json")
    assert_error(response, 405, "method_not_allowed")


@pytest.mark.parametrize("url", [AGENCIES, PRACTITIONERS])
def test_the_directory_needs_sign_in(world, url):
    assert_error(APIClient().get(url), 401, "not_authenticated")


# --- `threadline token` -----------------------------------------------------------------


def test_token_command_prints_a_working_key(world, capsys):
    call_command("token", "hv")
    key = capsys.readouterr().out.strip()
    assert Token.objects.get(user=world.health_visitor).key == key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(AGENCIES).status_code == 200
    call_command("token", "hv")
    assert capsys.readouterr().out.strip() == key
    issued = AuditEvent.objects.filter(object_id=str(world.health_visitor.pk))
    assert list(issued.values_list("action", flat=True)) == ["create", "view"]
    assert not issued.filter(summary__contains=key).exists()


def test_token_command_refuses_an_unknown_user(world):
    with pytest.raises(CommandError, match="No practitioner has the username 'ghost'"):
        call_command("token", "ghost")
    assert not Token.objects.exists()


def test_token_command_refuses_a_deactivated_account(world):
    PractitionerFactory(username="leaver", agency=world.health, is_active=False)
    with pytest.raises(CommandError, match="deactivated"):
        call_command("token", "leaver")


# --- paging and unknown paths (the same for every list) ---------------------------------


def test_limit_is_capped_and_offset_far_past_the_end_is_empty(world, api_client_for):
    client = api_client_for(world.outsider)
    body = client.get(AGENCIES, {"limit": "9" * 30, "offset": "9" * 30}).json()
    assert (body["count"], body["results"]) == (3, [])
    assert len(client.get(AGENCIES, {"limit": "1"}).json()["results"]) == 1


@pytest.mark.parametrize("params", [{"limit": "-1"}, {"offset": "x"}, {"limit": "1.5"}])
def test_a_malformed_page_parameter_is_a_400(world, api_client_for, params):
    response = api_client_for(world.outsider).get(PRACTITIONERS, params)
    assert_error(response, 400, "invalid", next(iter(params)))


@pytest.mark.parametrize("path", ["/api/v1/nothing/", "/api/v1/people/not-a-uuid/"])
def test_an_unknown_api_path_is_a_json_404(world, api_client_for, path):
    assert_error(api_client_for(world.outsider).get(path), 404, "not_found")


def test_a_post_to_an_unknown_api_path_is_a_json_404_not_a_csrf_page(world):
    token = Token.objects.create(user=world.health_visitor)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post("/api/v1/cases/null,null/allocations/", {}, format="json")
    assert_error(response, 404, "not_found")
