"""Each link in the error summary leads to the box to fix: an input on the page (for a
date, the day box; for radios and checkboxes, the first)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from .test_pages import PERSON


class _Inputs(HTMLParser):
    """The page's form controls by id, and the targets of the error summary's links."""

    def __init__(self):
        super().__init__()
        self.controls: dict[str, dict] = {}
        self.links: list[str] = []
        self._in_summary = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "govuk-error-summary" in (attrs.get("class") or "").split():
            self._in_summary = True
        if tag in ("input", "select", "textarea") and attrs.get("id"):
            self.controls[attrs["id"]] = attrs
        if self._in_summary and tag == "a" and (attrs.get("href") or "").startswith("#"):
            self.links.append(attrs["href"][1:])

    def handle_endtag(self, tag):
        if tag == "ul":
            self._in_summary = False


def parsed(response) -> _Inputs:
    assert response.status_code == 200
    page = _Inputs()
    page.feed(response.content.decode())
    return page


@pytest.mark.parametrize(
    ("day", "month", "year"), [("31", "2", "2020"), ("", "4", "2020"), ("1", "", "")]
)
def test_a_date_error_links_to_the_day_box(client, world, day, month, year):
    client.force_login(world.social_worker)
    response = client.post(
        reverse("person-create"),
        PERSON
        | {"date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year},
    )
    page = parsed(response)
    assert page.links == ["id_date_of_birth_0"]
    assert page.controls["id_date_of_birth_0"]["name"] == "date_of_birth_day"


def test_every_error_on_the_referral_form_links_to_a_box_on_the_page(client, world):
    client.force_login(world.health_visitor)
    response = client.post(
        reverse("referral-create"), {"kind": "unborn", "expected_delivery_date_day": "40"}
    )
    page = parsed(response)
    assert {
        "id_expected_delivery_date_0",  # a date: its day box
        "id_categories_0",  # checkboxes: the first
        "id_urgency_0",  # radios: the first
        "id_concerns",
    } <= set(page.links)
    assert set(page.links) <= set(page.controls), set(page.links) - set(page.controls)
    assert page.controls["id_expected_delivery_date_0"]["name"] == "expected_delivery_date_day"
