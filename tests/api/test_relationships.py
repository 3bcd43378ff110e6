from threadline.audit.models import AuditEvent
from threadline.people.models import Relationship

from ..factories import AdultFactory, PersonFactory
from .helpers import assert_error, audit_count

RELATIONSHIPS = "/api/v1/relationships/"


def test_relationships_are_labelled_from_the_persons_side(world, api_client_for):
    client = api_client_for(world.health_visitor)
    seen_by_child = client.get(RELATIONSHIPS, {"person": world.child.pk}).json()["results"]
    seen_by_mother = client.get(RELATIONSHIPS, {"person": world.mother.pk}).json()["results"]
    assert [(r["label"], r["other"]["full_name"]) for r in seen_by_child] == [
        ("Mother", "Kerry Marsh")
    ]
    assert [(r["label"], r["other"]["full_name"]) for r in seen_by_mother] == [
        ("Child", "Riley Marsh")
    ]
    raw = seen_by_child[0]
    assert (raw["person_a"], raw["person_b"], raw["type"]) == (
        str(world.mother.pk),
        str(world.child.pk),
        "mother",
    )


def test_listing_relationships_is_audited(world, api_client_for):
    before = audit_count(action="view", object_id=str(world.child.pk))
    api_client_for(world.social_worker).get(RELATIONSHIPS, {"person": world.child.pk})
    assert audit_count(action="view", object_id=str(world.child.pk)) == before + 1


def test_recording_a_relationship(world, api_client_for):
    father = AdultFactory(
        given_names="Dean", family_name="Marsh", recorded_by_agency=world.social_care
    )
    response = api_client_for(world.social_worker).post(
        RELATIONSHIPS,
        {
            "person_a": str(father.pk),
            "person_b": str(world.child.pk),
            "type": "father",
            "from_date": "2025-02-01",
            "notes": "Lives apart",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["description"] == "Dean Marsh is the father of Riley Marsh"
    assert body["is_current"] is True
    assert response["Location"] == f"{RELATIONSHIPS}{body['id']}/"
    assert AuditEvent.objects.filter(action="create", object_id=body["id"]).exists()


def test_a_relationship_to_oneself_is_refused(world, api_client_for):
    before = Relationship.objects.count()
    response = api_client_for(world.social_worker).post(
        RELATIONSHIPS,
        {"person_a": str(world.mother.pk), "person_b": str(world.mother.pk), "type": "sibling"},
        format="json",
    )
    assert_error(response, 400, "relationship_to_self", "person_b")
    assert Relationship.objects.count() == before


def test_a_relationship_ending_before_it_starts_is_refused(world, api_client_for):
    other = PersonFactory(recorded_by_agency=world.social_care)
    response = api_client_for(world.social_worker).post(
        RELATIONSHIPS,
        {
            "person_a": str(other.pk),
            "person_b": str(world.child.pk),
            "type": "sibling",
            "from_date": "2025-02-01",
            "to_date": "2025-01-01",
        },
        format="json",
    )
    assert_error(response, 400, "end_before_start")
    assert not Relationship.objects.filter(person_a=other).exists()


def test_an_unseen_person_is_reported_like_an_unknown_one(world, api_client_for):
    stranger = AdultFactory(recorded_by_agency=world.outsider_agency)
    client = api_client_for(world.social_worker)
    unseen = client.post(
        RELATIONSHIPS,
        {"person_a": str(stranger.pk), "person_b": str(world.child.pk), "type": "father"},
        format="json",
    )
    missing = client.post(
        RELATIONSHIPS,
        {"person_a": str(world.case.pk), "person_b": str(world.child.pk), "type": "father"},
        format="json",
    )
    assert assert_error(unseen, 400, "unknown_person", "person_a") == assert_error(
        missing, 400, "unknown_person", "person_a"
    )
    assert not Relationship.objects.filter(person_a=stranger).exists()


def test_retrieving_a_relationship_is_audited(world, api_client_for):
    relationship = Relationship.objects.get()
    response = api_client_for(world.health_visitor).get(f"{RELATIONSHIPS}{relationship.pk}/")
    assert response.status_code == 200
    assert response.json()["type"] == "mother"
    assert AuditEvent.objects.filter(action="view", object_id=str(relationship.pk)).exists()


def test_outsider_gets_404_for_relationships(world, api_client_for):
    relationship = Relationship.objects.get()
    client = api_client_for(world.outsider)
    assert_error(client.get(f"{RELATIONSHIPS}{relationship.pk}/"), 404, "not_found")
    assert_error(client.get(RELATIONSHIPS, {"person": world.child.pk}), 404, "not_found")


def test_a_relationship_to_someone_out_of_reach_is_hidden(world, api_client_for):
    """The outsider's own agency recorded an adult who is related to the child: they see
    their adult, but neither the child nor the relationship."""
    theirs = AdultFactory(recorded_by_agency=world.outsider_agency)
    hidden = Relationship.objects.create(
        person_a=theirs, person_b=world.child, type="father", recorded_by=world.outsider
    )
    client = api_client_for(world.outsider)
    assert client.get(RELATIONSHIPS, {"person": theirs.pk}).json()["results"] == []
    assert_error(client.get(f"{RELATIONSHIPS}{hidden.pk}/"), 404, "not_found")
