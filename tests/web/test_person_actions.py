"""The person page leads to referrals: a child's to a referral of the child, an adult's to
a referral of their unborn baby and, for adult services, to the children they have."""

from html import unescape

from django.urls import reverse

from threadline.agencies.models import AgencyType

from ..factories import AdultFactory, AgencyFactory, PractitionerFactory

REFER_CHILD = "Make a referral to children's social care"
REFER_UNBORN = "Refer their unborn baby"
CHILDREN = "Children they are a parent of or care for"


def page(client, person) -> str:
    response = client.get(reverse("person-detail", args=[person.pk]))
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_a_childs_page_leads_to_a_referral_of_the_child(client, world):
    client.force_login(world.health_visitor)
    html = page(client, world.child)
    url = reverse("child-referral-create", args=[world.child.pk])
    assert f'href="{url}">{REFER_CHILD}</a>' in html
    assert REFER_UNBORN not in html and CHILDREN not in html
    form = unescape(client.get(url).content.decode())
    assert REFER_CHILD in form and "Riley Marsh" in form


def test_an_adults_page_leads_to_a_referral_of_their_unborn_baby(client, world):
    client.force_login(world.health_visitor)
    html = page(client, world.mother)
    url = f"{reverse('referral-create')}?parent={world.mother.pk}"
    assert f'href="{url}">{REFER_UNBORN}</a>' in html
    assert REFER_CHILD not in html
    assert CHILDREN not in html  # health visiting is not an adult service
    assert "A child of Kerry Marsh" in unescape(client.get(url).content.decode())


def test_adult_services_are_led_to_the_children_of_an_adult(client, world):
    probation = AgencyFactory(code="nm-probation", agency_type=AgencyType.PROBATION)
    officer = PractitionerFactory(username="po", agency=probation)
    father = AdultFactory(given_names="Dean", family_name="Marsh", recorded_by_agency=probation)
    client.force_login(officer)
    html = page(client, father)
    url = reverse("adult-children", args=[father.pk])
    assert f'href="{url}">{CHILDREN}</a>' in html and REFER_UNBORN in html
    assert client.get(url).status_code == 200
