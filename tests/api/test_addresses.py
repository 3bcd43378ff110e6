import pytest

from threadline.audit.models import AuditEvent
from threadline.people.models import Address, Residence

from ..factories import AddressFactory, PersonFactory, ResidenceFactory
from .helpers import assert_error, audit_count

ADDRESSES = "/api/v1/addresses/"


def move(who, **overrides) -> dict:
    return {
        "person": str(who.pk),
        "line_1": "4 Heron Way",
        "town": "Northmoor",
        "postcode": "nm2 7qt",
        "from_date": "2025-03-01",
    } | overrides


def test_recording_a_move_returns_the_residence(world, api_client_for):
    response = api_client_for(world.health_visitor).post(
        ADDRESSES, move(world.child), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"] == str(world.child.pk)
    assert body["address"] == {
        "line_1": "4 Heron Way",
        "line_2": "",
        "town": "Northmoor",
        "postcode": "NM2 7QT",
        "uprn": "",
    }
    assert (body["from_date"], body["to_date"]) == ("2025-03-01", None)
    assert response["Location"] == f"{ADDRESSES}{body['id']}/"


def test_a_second_current_move_ends_the_first_and_shares_the_address_row(world, api_client_for):
    client = api_client_for(world.social_worker)
    client.post(ADDRESSES, move(world.child), format="json")
    client.post(ADDRESSES, move(world.mother), format="json")
    client.post(
        ADDRESSES, move(world.child, line_1="9 Elm Road", from_date="2025-06-01"), format="json"
    )
    history = client.get(ADDRESSES, {"person": world.child.pk}).json()["results"]
    assert [(r["address"]["line_1"], r["from_date"], r["to_date"]) for r in history] == [
        ("9 Elm Road", "2025-06-01", None),
        ("4 Heron Way", "2025-03-01", "2025-05-31"),
    ]
    assert Address.objects.filter(line_1="4 Heron Way").count() == 1


def test_listing_an_address_history_is_audited(world, api_client_for):
    ResidenceFactory(person=world.child, recorded_by=world.social_worker)
    before = audit_count(action="view", object_id=str(world.child.pk))
    response = api_client_for(world.health_visitor).get(ADDRESSES, {"person": world.child.pk})
    assert response.json()["count"] == 1
    assert audit_count(action="view", object_id=str(world.child.pk)) == before + 1


def test_the_person_is_required_to_list(world, api_client_for):
    assert_error(api_client_for(world.social_worker).get(ADDRESSES), 400, "required", "person")


def test_retrieving_one_address_is_audited(world, api_client_for):
    residence = ResidenceFactory(person=world.child, recorded_by=world.social_worker)
    response = api_client_for(world.health_visitor).get(f"{ADDRESSES}{residence.pk}/")
    assert response.status_code == 200
    assert response.json()["address"]["postcode"] == "NM1 4BX"
    assert AuditEvent.objects.filter(action="view", object_id=str(residence.pk)).exists()


def test_outsider_gets_404_for_the_history_and_one_address(world, api_client_for):
    residence = ResidenceFactory(person=world.child, recorded_by=world.social_worker)
    client = api_client_for(world.outsider)
    assert_error(client.get(ADDRESSES, {"person": world.child.pk}), 404, "not_found")
    assert_error(client.get(f"{ADDRESSES}{residence.pk}/"), 404, "not_found")


def test_outsider_cannot_record_a_move_for_someone_out_of_reach(world, api_client_for):
    response = api_client_for(world.outsider).post(ADDRESSES, move(world.child), format="json")
    assert_error(response, 400, "unknown_person", "person")
    assert not Residence.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"to_date": "2025-02-01"}, "end_before_start", "to_date"),
        ({"postcode": "NOT A POSTCODE"}, "invalid_postcode", "postcode"),
        ({"from_date": "soon"}, "invalid", "from_date"),
        ({"line_1": ""}, "blank", "line_1"),
        ({"person": "not-a-uuid"}, "invalid", "person"),
    ],
)
def test_bad_moves_are_refused_and_nothing_saved(world, api_client_for, overrides, code, field):
    response = api_client_for(world.social_worker).post(
        ADDRESSES, move(world.child, **overrides), format="json"
    )
    assert_error(response, 400, code, field)
    assert not Residence.objects.exists()
    assert not Address.objects.exists()
    assert audit_count(action="create", object_type="people.residence") == 0


def test_an_overlapping_stay_is_refused(world, api_client_for):
    ResidenceFactory(person=world.child, address=AddressFactory(), recorded_by=world.social_worker)
    response = api_client_for(world.social_worker).post(
        ADDRESSES,
        move(world.child, from_date="2023-01-01", to_date="2024-06-01"),
        format="json",
    )
    assert_error(response, 400, "overlapping_address", "from_date")
    assert Residence.objects.count() == 1


def test_an_unseen_persons_history_is_404_even_to_a_colleague_agency(world, api_client_for):
    stranger = PersonFactory(recorded_by_agency=world.outsider_agency)
    response = api_client_for(world.social_worker).get(ADDRESSES, {"person": stranger.pk})
    assert_error(response, 404, "not_found")
