import datetime as dt

from django.utils import timezone

from threadline.common.api import request_fingerprint
from threadline.common.models import IdempotencyRecord
from threadline.people.models import Person, Residence

from .helpers import assert_error

PEOPLE = "/api/v1/people/"


def child(**overrides) -> dict:
    return {
        "kind": "child",
        "family_name": "Stroud",
        "given_names": "Mia",
        "date_of_birth": "2021-05-04",
    } | overrides


def test_a_repeated_request_replays_the_first_response(world, api_client_for):
    client = api_client_for(world.social_worker)
    first = client.post(PEOPLE, child(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(PEOPLE, child(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Person.objects.filter(family_name="Stroud").count() == 1


def test_the_same_key_with_a_different_body_is_422(world, api_client_for):
    client = api_client_for(world.social_worker)
    client.post(PEOPLE, child(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = client.post(
        PEOPLE, child(given_names="Leo"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert_error(response, 422, "idempotency_key_reused")
    assert not Person.objects.filter(given_names="Leo").exists()


def test_the_same_key_on_another_endpoint_is_422(world, api_client_for):
    client = api_client_for(world.social_worker)
    client.post(PEOPLE, child(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = client.post(
        "/api/v1/addresses/",
        {
            "person": str(world.child.pk),
            "line_1": "1 Oak Row",
            "town": "Northmoor",
            "postcode": "NM1 1AA",
            "from_date": "2025-03-01",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert_error(response, 422, "idempotency_key_reused")
    assert not Residence.objects.exists()


def test_a_key_still_in_flight_is_409(world, api_client_for):
    IdempotencyRecord.objects.create(
        actor=world.social_worker,
        key="k-1",
        fingerprint=request_fingerprint("POST", PEOPLE, child()),
    )
    response = api_client_for(world.social_worker).post(
        PEOPLE, child(), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert_error(response, 409, "idempotency_key_in_flight")
    assert not Person.objects.filter(family_name="Stroud").exists()


def test_an_abandoned_claim_is_taken_over(world, api_client_for):
    IdempotencyRecord.objects.create(
        actor=world.social_worker,
        key="k-1",
        fingerprint=request_fingerprint("POST", PEOPLE, child()),
        created_at=timezone.now() - dt.timedelta(minutes=10),
    )
    response = api_client_for(world.social_worker).post(
        PEOPLE, child(), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 201


def test_a_failed_request_is_not_remembered(world, api_client_for):
    client = api_client_for(world.social_worker)
    bad = client.post(
        PEOPLE, child(nhs_number="9434765918"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert_error(bad, 400, "invalid_nhs_number", "nhs_number")
    fixed = client.post(
        PEOPLE, child(nhs_number="9434765919"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert fixed.status_code == 201
    assert not IdempotencyRecord.objects.filter(status_code=None).exists()


def test_keys_belong_to_one_caller(world, api_client_for):
    api_client_for(world.social_worker).post(
        PEOPLE, child(), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    response = api_client_for(world.team_manager).post(
        PEOPLE, child(given_names="Leo"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_an_overlong_key_is_refused(world, api_client_for):
    response = api_client_for(world.social_worker).post(
        PEOPLE, child(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )
    assert_error(response, 400, "invalid_idempotency_key", "Idempotency-Key")
    assert not Person.objects.filter(family_name="Stroud").exists()


def test_without_a_key_each_request_creates(world, api_client_for):
    client = api_client_for(world.social_worker)
    client.post(PEOPLE, child(), format="json")
    client.post(PEOPLE, child(), format="json")
    assert Person.objects.filter(family_name="Stroud").count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_allocation_replay_does_not_allocate_twice(world, api_client_for):
    from ..factories import SocialWorkerFactory

    newcomer = SocialWorkerFactory(agency=world.social_care)
    client = api_client_for(world.team_manager)
    url = f"/api/v1/cases/{world.case.pk}/allocations/"
    payload = {"social_worker": str(newcomer.pk), "from_date": "2025-06-02"}
    first = client.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="alloc-1")
    again = client.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="alloc-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert world.case.allocations.count() == 2


def test_remembered_responses_are_forgotten_after_a_day(world, api_client_for):
    from threadline.common.api import forget_old_idempotency_records

    api_client_for(world.social_worker).post(
        PEOPLE, child(), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert forget_old_idempotency_records() == 0
    later = timezone.now() + dt.timedelta(hours=25)
    assert forget_old_idempotency_records(now=later) == 1
    assert not IdempotencyRecord.objects.exists()
