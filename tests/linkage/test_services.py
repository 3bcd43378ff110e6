"""Source records, links and the review queue through the services: what is linked, what
waits for a person to decide, what history is kept, and what the audit trail says."""

import pytest
from django.core.exceptions import ValidationError

from threadline.audit.models import AuditEvent
from threadline.linkage import services
from threadline.linkage.models import (
    Link,
    LinkMethod,
    MatchCandidate,
    MatchStatus,
    SourceRecord,
)
from threadline.people.models import Person, PersonKind
from threadline.people.services import create_person, update_person

from .conftest import RILEY

pytestmark = pytest.mark.django_db


def test_a_record_that_matches_no_one_is_given_a_new_person(world, receive):
    received = receive(world.social_care, "CSC-1", **RILEY, nhs_number="999 000 0019")
    record = received.record
    assert (received.change, received.resolution) == ("created", "new_person")
    person = record.person
    assert person.kind == PersonKind.CHILD  # born in 2025
    assert (person.given_names, person.family_name) == ("Riley", "Marsh")
    assert person.recorded_by_agency == world.social_care
    assert person.nhs_number is None  # 9990000019 fails the check digit: not copied
    link = record.links.get()
    assert link.method == LinkMethod.NEW_PERSON and link.is_current
    # Only the agency's record: no second, Threadline-entered record of the same details.
    assert list(person.source_records.all()) == [record]


def test_an_adult_by_date_of_birth(world, receive):
    received = receive(
        world.social_care, "CSC-2", first_name="Dean", surname="Pike", dob="1990-11-08"
    )
    assert received.record.person.kind == PersonKind.ADULT


def test_receiving_the_same_record_again_changes_nothing(world, receive, riley_known):
    before = AuditEvent.objects.count()
    again = receive(world.social_care, "CSC-1", **RILEY)
    assert (again.change, again.resolution) == ("unchanged", None)
    assert again.record.version == 1
    assert AuditEvent.objects.count() == before


def test_a_changed_record_is_a_new_version_and_the_old_one_is_kept(world, receive, riley_known):
    moved = receive(world.social_care, "CSC-1", **{**RILEY, "postcode": "NM2 7QT"})
    assert moved.change == "updated"
    record = moved.record
    assert record.version == 2 and record.postcode == "NM2 7QT"
    assert [v.fields["postcode"] for v in record.versions.all()] == ["NM2 7QT", "NM1 4BX"]
    assert record.person == riley_known  # a linked record stays with its person
    assert record.keys.get(name="postcode_first").value == "NM27QT|R"


def test_another_agencys_record_of_the_same_person_is_linked_by_the_model(
    world, hospital, receive, riley_known
):
    received = receive(hospital, "H-1", **{**RILEY, "address": "3/14 Bramble Cl"})
    assert received.resolution == "linked"
    link = received.record.links.get()
    assert link.person == riley_known
    assert link.method == LinkMethod.MODEL and link.made_by is None
    assert link.probability >= 0.99 and link.model_version
    event = AuditEvent.objects.filter(object_id=str(received.record.pk)).last()
    assert event.actor_label == "import (nm-hospital)"
    assert event.summary.startswith("Linked nm-hospital:H-1 to Riley Marsh: Linked by the model")


def test_twins_go_to_the_review_queue_and_are_never_linked(twin_pair, riley_known):
    record = twin_pair.record
    assert record.person is None and not record.links.exists()
    assert twin_pair.person == riley_known
    assert twin_pair.status == MatchStatus.PENDING
    assert twin_pair.candidate_record.local_id == "CSC-1"
    fields = {c["field"] for c in twin_pair.contributions}
    assert {"First name", "Date of birth"} <= fields


def test_same_person_links_and_is_audited(twin_pair, world, front_door, riley_known):
    decided = services.decide_match(actor=front_door, candidate=twin_pair, decision="same")
    assert decided.status == MatchStatus.SAME and decided.decided_by == front_door
    link = decided.record.links.get()
    assert (link.person, link.method, link.made_by) == (
        riley_known,
        LinkMethod.DECISION,
        front_door,
    )
    assert link.probability == twin_pair.probability
    summaries = list(AuditEvent.objects.filter(actor=front_door).values_list("summary", flat=True))
    assert any(
        s.startswith("Decided nm-hospital:H-77 and Riley Marsh: same person") for s in summaries
    )


def test_not_the_same_person_gives_the_record_a_new_person(twin_pair, front_door, riley_known):
    decided = services.decide_match(actor=front_door, candidate=twin_pair, decision="not_same")
    record = decided.record
    assert decided.status == MatchStatus.NOT_SAME
    rosie = record.person
    assert rosie is not None and rosie != riley_known
    assert (rosie.given_names, rosie.recorded_by_agency.code) == ("Rosie", "nm-hospital")
    assert record.links.get().method == LinkMethod.NEW_PERSON


def test_a_record_declined_last_is_matched_to_people_recorded_while_it_waited(
    twin_pair, csc_twin_pair, front_door, riley_known
):
    # Two agencies' records of Rosie wait against her twin Riley; neither could be the
    # other's candidate while both were unlinked.
    services.decide_match(actor=front_door, candidate=twin_pair, decision="not_same")
    rosie = SourceRecord.objects.get(pk=twin_pair.record_id).person
    services.decide_match(actor=front_door, candidate=csc_twin_pair, decision="not_same")
    record = SourceRecord.objects.get(pk=csc_twin_pair.record_id)
    assert record.person == rosie  # not a second Rosie
    assert record.links.get().method == LinkMethod.MODEL
    assert Person.objects.filter(given_names="Rosie").count() == 1


def test_a_decision_is_final_and_remembered(twin_pair, front_door, hospital, receive):
    services.decide_match(actor=front_door, candidate=twin_pair, decision="not_same")
    with pytest.raises(ValidationError) as error:
        services.decide_match(actor=front_door, candidate=twin_pair, decision="same")
    assert error.value.error_list[0].code == "already_decided"
    # The hospital sends Rosie again, changed: the decided pair is not asked again.
    again = receive(
        hospital,
        "H-77",
        **{
            **RILEY,
            "first_name": "Rosie",
            "sex": "F",
            "postcode": "NM1 4BX",
            "nhs_number": "9990000026",
        },
    )
    assert again.change == "updated"
    assert MatchCandidate.objects.filter(record=twin_pair.record).count() == 1


def test_undoing_a_link_keeps_it_remembers_the_pair_and_matches_again(
    world, hospital, receive, riley_known, hospital_lead
):
    linked = receive(hospital, "H-1", **RILEY).record
    link = linked.links.get()
    services.undo_link(actor=hospital_lead, link=link, reason="A different Riley: born abroad")
    link.refresh_from_db()
    assert not link.is_current
    assert (link.undone_by, link.undo_reason) == (hospital_lead, "A different Riley: born abroad")
    linked.refresh_from_db()
    # Matched again without Riley (remembered as not the same): a new person of its own.
    assert linked.person not in (None, riley_known)
    assert MatchCandidate.objects.get(record=linked, person=riley_known).status == "not_same"
    assert [link.method for link in linked.links.all()] == ["new_person", "model"]
    with pytest.raises(ValidationError):
        services.undo_link(actor=hospital_lead, link=link, reason="again")


def test_undo_needs_a_reason(world, hospital, receive, riley_known, hospital_lead):
    link = receive(hospital, "H-1", **RILEY).record.links.get()
    with pytest.raises(ValidationError) as error:
        services.undo_link(actor=hospital_lead, link=link, reason=" ")
    assert error.value.error_dict["reason"][0].code == "reason_required"
    assert Link.objects.get(pk=link.pk).is_current


def test_a_taken_nhs_number_is_never_given_to_a_second_person(world, hospital, receive):
    kerry = create_person(
        actor=world.social_worker,
        kind="adult",
        given_names="Kerry",
        family_name="Hartley",
        nhs_number="9990000034",
    )
    received = receive(
        hospital,
        "H-9",
        first_name="Tina",
        surname="Okoro",
        dob="1980-01-01",
        nhs_number="999 000 0034",
    )
    assert received.resolution in ("queued", "linked")
    if received.resolution == "queued":
        assert received.record.candidates.get().person == kerry
    assert Person.objects.filter(nhs_number="9990000034").count() == 1


def test_people_recorded_in_threadline_keep_a_source_record(world):
    person = create_person(
        actor=world.health_visitor,
        kind="child",
        given_names="Mason",
        family_name="Ellery",
        date_of_birth=RILEY["dob"],
        sex="M",
    )
    record = SourceRecord.objects.get(person=person)
    assert record.local_id == f"threadline:{person.pk}" and record.agency == world.health
    assert record.links.get().method == LinkMethod.ENTERED
    update_person(actor=world.health_visitor, person=person, given_names="Mason James")
    record.refresh_from_db()
    assert record.version == 2 and record.first_name == "Mason James"
    update_person(actor=world.health_visitor, person=person, first_language="Polish")
    record.refresh_from_db()
    assert record.version == 2  # not an identifying field


def test_reserved_and_missing_local_ids_are_refused(world, receive):
    for local_id, code in (("", "required"), ("threadline:x", "reserved_id")):
        with pytest.raises(ValidationError) as error:
            receive(world.social_care, local_id, **RILEY)
        assert error.value.error_dict["local_id"][0].code == code
