"""Real time: recording a person shows "this person may already be known", with the
probability and why, before anything is saved, and only people the practitioner could
find by search."""

import datetime as dt

import pytest
from django.urls import reverse

from threadline.audit.models import AuditEvent
from threadline.linkage.selectors import people_already_known
from threadline.people.models import Person

pytestmark = pytest.mark.django_db

RILEY_FORM = {
    "kind": "child",
    "given_names": "Riley",
    "family_name": "Marsh",
    "date_of_birth_day": "1",
    "date_of_birth_month": "2",
    "date_of_birth_year": "2025",
    "sex": "F",
    "ethnicity": "NOBT",
    "first_language": "English",
}
RILEY_DATA = {
    "given_names": "Riley",
    "family_name": "Marsh",
    "date_of_birth": dt.date(2025, 2, 1),
    "sex": "F",
}


def test_candidates_come_with_probability_and_reasons(world, riley_known):
    (known,) = people_already_known(actor=world.social_worker, data=RILEY_DATA)
    assert known.person == riley_known
    assert known.probability >= 0.8 and known.percentage.endswith("%")
    assert known.likelihood.endswith("the same person")
    assert {r.field for r in known.reasons} >= {"First name", "Surname", "Date of birth"}
    assert known.reasons == sorted(known.reasons, key=lambda r: -abs(r.weight))


def test_candidates_respect_the_access_policy(world, riley_known):
    # Riley was recorded by Northmoor social care: its staff and the area's front door find
    # her by search; the Farshire police outsider and the health visitor (not in a network
    # with this Riley) do not, so she is not shown to them either.
    assert people_already_known(actor=world.outsider, data=RILEY_DATA) == []
    assert people_already_known(actor=world.health_visitor, data=RILEY_DATA) == []
    assert people_already_known(actor=world.administrator, data=RILEY_DATA) == []
    assert [k.person for k in people_already_known(actor=world.social_worker, data=RILEY_DATA)] == [
        riley_known
    ]


def test_the_look_up_is_audited_as_a_search(world, riley_known):
    people_already_known(actor=world.social_worker, data=RILEY_DATA)
    event = AuditEvent.objects.filter(actor=world.social_worker).last()
    assert event.action == "search"
    assert event.summary == "Looked for people already known before recording Riley Marsh: 1 shown"


def test_the_create_page_shows_who_may_already_be_known_before_saving(client, world, riley_known):
    client.force_login(world.social_worker)
    before = Person.objects.count()
    response = client.post(reverse("person-create"), RILEY_FORM)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This person may already be known" in page
    assert reverse("person-detail", args=[riley_known.pk]) in page
    assert "the same person" in page and "Date of birth" in page
    assert "None of them: add a new person" in page
    assert Person.objects.count() == before  # nothing saved yet
    # "None of them": the same details again, with the check the page carried, record her.
    checked = response.context["checked"]
    response = client.post(reverse("person-create"), {**RILEY_FORM, "checked": checked})
    assert response.status_code == 302
    assert Person.objects.count() == before + 1


def test_changed_details_are_checked_again(client, world, riley_known):
    client.force_login(world.social_worker)
    checked = client.post(reverse("person-create"), RILEY_FORM).context["checked"]
    response = client.post(
        reverse("person-create"), {**RILEY_FORM, "date_of_birth_day": "2", "checked": checked}
    )
    # 2 Feb is not 1 Feb, but close: shown again rather than saved on the old check.
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "This person may already be known" in response.content.decode()


def test_someone_unknown_is_recorded_at_once(client, world, riley_known):
    client.force_login(world.social_worker)
    response = client.post(
        reverse("person-create"),
        {
            **RILEY_FORM,
            "given_names": "Tobias",
            "family_name": "Quennell",
            "date_of_birth_year": "2012",
        },
    )
    assert response.status_code == 302
    assert Person.objects.filter(family_name="Quennell").exists()


def test_an_outsider_is_not_shown_riley_and_records_their_own(client, world, riley_known):
    client.force_login(world.outsider)
    response = client.post(reverse("person-create"), RILEY_FORM)
    assert response.status_code == 302  # nothing they could find: recorded straight away
    assert Person.objects.filter(recorded_by_agency=world.outsider_agency).count() == 1
