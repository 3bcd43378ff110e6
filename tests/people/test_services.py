import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.people import services
from threadline.people.households import households_on
from threadline.people.models import NameKind, Person, Relationship, Residence

from ..errors import codes
from ..factories import AddressFactory


def new_child(actor, **overrides):
    fields = {
        "kind": "child",
        "given_names": "Mia",
        "family_name": "Stroud",
        "date_of_birth": dt.date(2021, 5, 4),
    } | overrides
    return services.create_person(actor=actor, **fields)


def test_creating_a_child_records_legal_name_and_audits(world):
    child = new_child(world.social_worker, nhs_number="943 476 5919")
    assert child.nhs_number == "9434765919"
    assert child.names.get().kind == NameKind.LEGAL
    assert AuditEvent.objects.filter(object_id=str(child.pk), action="create").exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"nhs_number": "9434765918"}, "invalid_nhs_number"),
        ({"date_of_birth": timezone.localdate() + dt.timedelta(days=1)}, "date_of_birth_in_future"),
        ({"kind": "unborn", "date_of_birth": None}, "unborn_needs_expected_date"),
    ],
)
def test_bad_person_details_are_refused_and_nothing_saved(world, overrides, code):
    before = Person.objects.count()
    with pytest.raises(ValidationError) as caught:
        new_child(world.social_worker, **overrides)
    assert code in codes(caught.value)
    assert Person.objects.count() == before


def test_an_unborn_child_with_an_expected_date_is_recorded(world):
    baby = new_child(
        world.social_worker,
        kind="unborn",
        given_names="",
        date_of_birth=None,
        expected_delivery_date=timezone.localdate() + dt.timedelta(days=60),
    )
    assert baby.full_name == "Unborn baby Stroud"
    assert baby.is_child


def test_changing_the_legal_name_keeps_the_old_one(world):
    services.update_person(actor=world.social_worker, person=world.mother, family_name="Lowe")
    kinds = {(n.family_name, n.kind) for n in world.mother.names.all()}
    assert kinds == {("Marsh", NameKind.PREVIOUS), ("Lowe", NameKind.LEGAL)}


def test_relationship_to_self_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        services.add_relationship(
            actor=world.social_worker, person_a=world.child, person_b=world.child, type="sibling"
        )
    assert "relationship_to_self" in codes(caught.value)


def test_relationship_is_stored_once_and_shown_from_both_sides(world):
    rel = Relationship.objects.get(person_a=world.mother, person_b=world.child)
    assert rel.label_for(world.child) == "Mother"
    assert rel.label_for(world.mother) == "Child"
    uncle = services.create_person(
        actor=world.social_worker, kind="adult", family_name="Marsh", given_names="Lee"
    )
    services.add_relationship(
        actor=world.social_worker, person_a=uncle, person_b=world.child, type="aunt_uncle"
    )
    services.add_relationship(
        actor=world.social_worker, person_a=world.mother, person_b=uncle, type="sibling"
    )
    with pytest.raises(ValidationError) as caught:  # the same pair, the other way round
        services.add_relationship(
            actor=world.social_worker, person_a=uncle, person_b=world.mother, type="sibling"
        )
    assert "duplicate_relationship" in codes(caught.value)


def test_address_ending_before_it_starts_is_refused(world):
    address = AddressFactory()
    with pytest.raises(ValidationError) as caught:
        services.record_move(
            actor=world.social_worker,
            person=world.child,
            address=address,
            from_date=dt.date(2025, 5, 1),
            to_date=dt.date(2025, 4, 1),
        )
    assert "end_before_start" in codes(caught.value)
    assert not Residence.objects.filter(person=world.child).exists()


def test_a_move_ends_the_previous_address_and_households_follow(world):
    first = services.find_or_create_address(
        line_1="14 Bramble Close", town="Northmoor", postcode="nm14bx"
    )
    assert (
        services.find_or_create_address(
            line_1="14 BRAMBLE CLOSE", town="Northmoor", postcode="NM1 4BX"
        )
        == first
    )
    second = services.find_or_create_address(
        line_1="27 Lark Rise", town="Northmoor", postcode="NM2 7QT"
    )
    sw = world.social_worker
    services.record_move(actor=sw, person=world.child, address=first, from_date=dt.date(2025, 2, 1))
    services.record_move(
        actor=sw, person=world.mother, address=first, from_date=dt.date(2024, 1, 1)
    )
    services.record_move(
        actor=sw, person=world.child, address=second, from_date=dt.date(2026, 3, 1)
    )

    assert world.child.residences.get(address=first).to_date == dt.date(2026, 2, 28)
    [then] = households_on(world.child, dt.date(2025, 6, 1), actor=sw)
    assert then.address == first
    assert [r.person for r in then.residents] == [world.child, world.mother]
    [now] = households_on(world.child, dt.date(2026, 6, 1), actor=sw)
    assert now.address == second and [r.person for r in now.residents] == [world.child]
    assert households_on(world.child, dt.date(2020, 1, 1), actor=sw) == []


def test_overlapping_past_addresses_are_refused(world):
    address = AddressFactory()
    sw = world.social_worker
    services.record_move(
        actor=sw,
        person=world.child,
        address=address,
        from_date=dt.date(2025, 1, 1),
        to_date=dt.date(2025, 6, 30),
    )
    with pytest.raises(ValidationError) as caught:
        services.record_move(
            actor=sw,
            person=world.child,
            address=AddressFactory(),
            from_date=dt.date(2025, 3, 1),
            to_date=dt.date(2025, 4, 1),
        )
    assert "overlapping_address" in codes(caught.value)


def test_invalid_postcode_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        services.find_or_create_address(line_1="1 Nowhere", town="Northmoor", postcode="12345")
    assert "invalid_postcode" in codes(caught.value)


def test_the_household_page_shows_who_lived_there_on_the_day(client, world):
    home = AddressFactory(line_1="3 Heron Way")
    sw = world.social_worker
    services.record_move(actor=sw, person=world.child, address=home, from_date=dt.date(2025, 2, 1))
    services.record_move(actor=sw, person=world.mother, address=home, from_date=dt.date(2024, 1, 1))
    client.force_login(world.health_visitor)
    url = f"/people/{world.child.pk}/household/"
    page = client.get(url, {"day_day": "1", "day_month": "6", "day_year": "2025"}).content.decode()
    assert "3 Heron Way" in page and "Kerry Marsh" in page
    page = client.get(url, {"day_day": "1", "day_month": "6", "day_year": "2020"}).content.decode()
    assert "No address is recorded for Riley Marsh on 1 June 2020" in page
    page = client.get(url, {"day_day": "31", "day_month": "2", "day_year": "2025"}).content.decode()
    assert "govuk-error-summary" in page
