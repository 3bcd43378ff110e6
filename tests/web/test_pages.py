"""What a practitioner sees and does through the web pages."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.cases.models import Allocation
from threadline.people.models import Person, Relationship, Residence

from ..factories import ResidenceFactory


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def error_summary(response) -> list[str]:
    html = response.content.decode()
    block = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return (
        [
            re.sub(r"<[^>]+>", "", item).strip()
            for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)
        ]
        if block
        else []
    )


def date_fields(name: str, day: dt.date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def test_sign_in_and_failed_sign_in_are_audited(client, world):
    response = client.post(reverse("login"), {"username": "sw", "password": "wrong"})
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert AuditEvent.objects.filter(action="sign_in_failed", actor_label="sw").exists()
    response = client.post(reverse("login"), {"username": "sw", "password": "threadline-demo"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="sign_in", actor=world.social_worker).exists()


def test_dashboard_lists_my_children(client, world):
    client.force_login(world.social_worker)
    assert "Riley Marsh" in text(client.get(reverse("dashboard")))


def test_child_page_shows_household_relationships_and_network(client, world):
    client.force_login(world.health_visitor)
    page = text(client.get(reverse("person-detail", kwargs={"person_id": world.child.pk})))
    assert "Mother Kerry Marsh" in page
    assert "Northmoor Health Visiting" in page and "Health visitor" in page
    assert "Amira Okafor" in page  # the allocated social worker, with contact details
    assert world.social_worker.phone in page


def test_search_finds_similar_spellings_only_within_reach(client, world):
    client.force_login(world.health_visitor)
    page = text(client.get(reverse("person-search"), {"name": "Marsch"}))
    assert "Riley Marsh" in page and "Kerry Marsh" in page
    client.force_login(world.outsider)
    assert "0 people found" in text(client.get(reverse("person-search"), {"name": "Marsh"}))


def test_empty_search_explains_what_to_enter(client, world):
    client.force_login(world.social_worker)
    response = client.get(reverse("person-search"), {"name": ""})
    assert error_summary(response) == ["Enter a name, a date of birth or an NHS number"]


PERSON = {
    "kind": "child",
    "given_names": "Ella",
    "family_name": "Voss",
    "sex": "F",
    "ethnicity": "NOBT",
    "first_language": "English",
}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nhs_number": "943 476 5918"}, "Enter a valid NHS number"),
        (
            date_fields("date_of_birth", timezone.localdate() + dt.timedelta(days=3)),
            "Date of birth must be today or in the past",
        ),
        ({"kind": "unborn"}, "Enter the expected delivery date for an unborn child"),
        (
            {"date_of_birth_day": "31", "date_of_birth_month": "2", "date_of_birth_year": "2020"},
            "Date of birth must be a real date",
        ),
        ({"family_name": ""}, "Enter the family name"),
    ],
)
def test_bad_person_details_show_the_error_summary_and_save_nothing(client, world, data, message):
    client.force_login(world.social_worker)
    before = Person.objects.count()
    response = client.post(reverse("person-create"), PERSON | data)
    assert response.status_code == 200
    assert any(item.startswith(message) for item in error_summary(response)), error_summary(
        response
    )
    assert Person.objects.count() == before


def test_adding_a_person_then_a_relationship(client, world):
    client.force_login(world.social_worker)
    response = client.post(
        reverse("person-create"),
        PERSON
        | {"kind": "adult", "given_names": "Dale"}
        | date_fields("date_of_birth", dt.date(1990, 1, 2)),
    )
    dale = Person.objects.get(given_names="Dale")
    assert response["Location"] == reverse("person-detail", kwargs={"person_id": dale.pk})
    response = client.post(
        reverse("relationship-add", kwargs={"person_id": world.child.pk}),
        {"other": dale.pk, "type": "step_parent"} | date_fields("from_date", dt.date(2026, 1, 5)),
    )
    assert response.status_code == 302
    assert Relationship.objects.filter(
        person_a=dale, person_b=world.child, type="step_parent"
    ).exists()
    page = text(client.get(reverse("person-detail", kwargs={"person_id": world.child.pk})))
    assert "Step-parent Dale Voss" in page


def test_relationship_to_self_is_refused_in_the_form(client, world):
    client.force_login(world.social_worker)
    before = Relationship.objects.count()
    response = client.post(
        reverse("relationship-add", kwargs={"person_id": world.mother.pk}),
        {"other": world.mother.pk, "type": "sibling"},
    )
    assert error_summary(response) == [
        "Select someone else from the list: a person cannot be related to themselves"
    ]
    assert Relationship.objects.count() == before


def test_address_ending_before_it_starts_shows_an_error(client, world):
    client.force_login(world.social_worker)
    response = client.post(
        reverse("address-add", kwargs={"person_id": world.child.pk}),
        {"line_1": "5 Heron Way", "town": "Northmoor", "postcode": "nm3 2ab"}
        | date_fields("from_date", dt.date(2026, 5, 1))
        | date_fields("to_date", dt.date(2026, 4, 1)),
    )
    assert error_summary(response) == [
        "The date they left must be the same as or after the date they moved in"
    ]
    assert not Residence.objects.filter(person=world.child).exists()


def test_overlapping_allocation_shows_an_error(client, world):
    client.force_login(world.social_worker)
    before = Allocation.objects.count()
    response = client.post(
        reverse("allocation-add", kwargs={"case_id": world.case.pk}),
        {"social_worker": world.social_worker.pk} | date_fields("from_date", dt.date(2024, 12, 1)),
    )
    assert any("is allocated on that date" in e for e in error_summary(response))
    assert Allocation.objects.count() == before


def test_ending_a_relationship_and_a_stay_keeps_the_history(client, world):
    client.force_login(world.social_worker)
    rel = Relationship.objects.get(person_a=world.mother, person_b=world.child)
    url = reverse(
        "relationship-end", kwargs={"person_id": world.child.pk, "relationship_id": rel.pk}
    )
    assert client.post(url, date_fields("to_date", dt.date(2026, 3, 1))).status_code == 302
    rel.refresh_from_db()
    assert rel.to_date == dt.date(2026, 3, 1)
    page = text(client.get(reverse("person-detail", kwargs={"person_id": world.child.pk})))
    assert "Mother Kerry Marsh" in page and "until 1 Mar 2026" in page
    response = client.post(url, date_fields("to_date", dt.date(2026, 4, 1)))
    assert error_summary(response) == ["This relationship has already ended"]

    residence = ResidenceFactory(person=world.child, from_date=dt.date(2025, 2, 1))
    url = reverse(
        "residence-end", kwargs={"person_id": world.child.pk, "residence_id": residence.pk}
    )
    response = client.post(url, date_fields("to_date", dt.date(2025, 1, 1)))
    assert error_summary(response) == ["The stay at this address cannot end before it started"]
    assert client.post(url, date_fields("to_date", dt.date(2026, 4, 30))).status_code == 302
    residence.refresh_from_db()
    assert residence.to_date == dt.date(2026, 4, 30)
