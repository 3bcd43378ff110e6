"""Adult services record that an adult they work with has children: children known to
social care have their network told; for the others a referral is prompted."""

import datetime as dt
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from threadline.notices.models import Notice, NoticeRecipient
from threadline.people.models import Relationship
from threadline.referrals import services
from threadline.referrals.models import AdultChildLink, Referral

from ..errors import codes
from ..factories import PersonFactory
from .conftest import referral_fields

RILEY = ("Riley Marsh", dt.date(2025, 2, 1))  # the world's child, who has an open case


def record(probation, **change):
    _, officer, father = probation
    fields = {"actor": officer, "adult": father, "relationship": "father"} | change
    return services.record_children_of_adult(**fields)


def test_a_child_known_to_social_care_has_their_network_told(world, probation):
    agency, officer, father = probation
    (link,) = record(probation, other_children=[RILEY])
    assert (link.child, link.known_to_social_care) == (world.child, True)
    assert Relationship.objects.filter(
        person_a=father, person_b=world.child, type="father"
    ).exists()
    alert = Notice.objects.get(notice_type="alert")
    assert {r.agency for r in alert.recipients.all()} == {world.social_care, world.health}
    assert "Northmoor Probation works with them" in alert.body
    assert alert.child == world.child and alert.sender == officer


def test_a_child_not_known_is_prompted_for_a_referral(world, probation, client):
    agency, officer, father = probation
    (link,) = record(probation, relationship="carer", other_children=[("Jay Marsh", None)])
    assert (link.child, link.child_name, link.known_to_social_care) == (None, "Jay Marsh", False)
    assert not Notice.objects.exists()
    client.force_login(officer)
    page = unescape(client.get(reverse("adult-children", args=[father.pk])).content.decode())
    prompt = f"{reverse('referral-create')}?link={link.pk}"
    assert "Not known" in page and prompt in page
    form = unescape(client.get(prompt).content.decode())
    assert 'value="Jay"' in form and 'value="Marsh"' in form  # the name, prefilled
    data = referral_fields(
        kind="child",
        given_names="Jay",
        family_name="Marsh",
        date_of_birth_day="3",
        date_of_birth_month="4",
        date_of_birth_year="2021",
        parent_relationship="carer",
    )
    assert client.post(prompt, data).status_code == 302
    referral = Referral.objects.get()
    link.refresh_from_db()
    assert (link.referral, link.child) == (referral, referral.child)
    assert Relationship.objects.filter(
        person_a=father, person_b=referral.child, type="carer"
    ).exists()
    page = unescape(client.get(reverse("adult-children", args=[father.pk])).content.decode())
    assert "Referred" in page and prompt not in page


def test_a_child_the_officer_can_see_without_a_case_is_prompted_from_their_page(
    world, probation, client
):
    agency, officer, father = probation
    daughter = PersonFactory(given_names="Mia", family_name="Marsh", recorded_by_agency=agency)
    client.force_login(officer)
    url = reverse("adult-children-add", args=[father.pk])
    assert "Mia Marsh" in client.get(url).content.decode()
    response = client.post(url, {"relationship": "father", "children": [str(daughter.pk)]})
    assert response["Location"] == reverse("adult-children", args=[father.pk])
    link = AdultChildLink.objects.get()
    page = client.get(response["Location"]).content.decode()
    prompt = f"{reverse('child-referral-create', args=[daughter.pk])}?link={link.pk}"
    assert prompt in page.replace("&amp;", "&")
    assert client.post(prompt, referral_fields()).status_code == 302
    link.refresh_from_db()
    assert link.referral.child == daughter


def test_the_form_needs_a_child(world, probation, client):
    _, officer, father = probation
    client.force_login(officer)
    response = client.post(
        reverse("adult-children-add", args=[father.pk]), {"relationship": "mother"}
    )
    html = unescape(response.content.decode())
    assert "There is a problem" in html and "Choose a child or give a child's name" in html
    assert not AdultChildLink.objects.exists()


def test_only_adult_services_record_an_adults_children(world, probation):
    with pytest.raises(ValidationError) as caught:
        record(probation, actor=world.health_visitor, other_children=[RILEY])
    assert codes(caught.value) == {"not_adult_services"}
    assert (
        not AdultChildLink.objects.exists()
        and not Relationship.objects.filter(type="father").exists()
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"other_children": []}, "children_required"),
        ({"other_children": [("  ", None)]}, "children_required"),
        ({"relationship": "friend_other", "other_children": [RILEY]}, "invalid_choice"),
    ],
)
def test_bad_input_records_nothing(world, probation, change, code):
    with pytest.raises(ValidationError) as caught:
        record(probation, **change)
    assert code in codes(caught.value)
    assert not AdultChildLink.objects.exists() and not NoticeRecipient.objects.exists()


def test_a_child_out_of_reach_cannot_be_chosen_by_id(world, probation):
    with pytest.raises(ValidationError) as caught:
        record(probation, children=[world.child])
    assert codes(caught.value) == {"unknown_person"}


def test_the_pages_are_for_adult_services_and_adults(world, probation, client):
    _, officer, father = probation
    client.force_login(world.health_visitor)
    assert client.get(reverse("adult-children", args=[world.mother.pk])).status_code == 403
    client.force_login(officer)
    assert client.get(reverse("adult-children", args=[father.pk])).status_code == 200
    child = PersonFactory(recorded_by_agency=officer.agency)
    assert client.get(reverse("adult-children", args=[child.pk])).status_code == 404
