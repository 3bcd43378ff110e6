"""Risks in a real browser: the social worker moves Riley into her uncle's household,
where probation has recorded an active risk about him; Riley's page then shows the
risk with the path that connects it, and the safeguarding leads of two agencies in
Riley's network find the household-change alert in their agencies' inboxes."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from threadline.web.demo import load_demo

from .test_break_glass import menu, sign_in, sign_out

ALERT = "Household change: known risks around Riley Pike"
UNCLES_RISK = "Abuse or neglect - Physical abuse (adult on child): by an adult"


@pytest.fixture
def demo(transactional_db):
    load_demo(chronology=False)


def risk_row(page: Page, name: str):
    return page.get_by_role("region", name="Active risks").get_by_role("row", name=re.compile(name))


def test_a_move_into_a_household_with_a_known_risk(page: Page, live_server, demo):
    base = live_server.url
    today = timezone.localdate()

    sign_in(page, base, "social.worker")
    menu(page, "Find a person")
    page.get_by_label("Name").fill("Riley Pike")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Riley Pike").click()

    # The page opens with the risks around Riley: her uncle's, though he lives elsewhere.
    expect(page.get_by_role("heading", level=1)).to_have_text("Riley Pike")
    uncle = risk_row(page, "Dean Pike")
    expect(uncle).to_contain_text(UNCLES_RISK)
    expect(uncle).to_contain_text("Aunt or uncle — not in the household")
    expect(uncle).to_contain_text("Probation Service, Northmoor")

    # Riley moves to her uncle's home.
    page.get_by_role("link", name="Add an address").click()
    page.get_by_label("Address line 1").fill("6 Foundry Row")
    page.get_by_label("Town or city").fill("Northmoor")
    page.get_by_label("Postcode").fill("NM3 2LD")
    moved_in = page.get_by_role("group", name="Date they moved in")
    moved_in.get_by_label("Day").fill(str(today.day))
    moved_in.get_by_label("Month").fill(str(today.month))
    moved_in.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Add address").click()
    expect(page.get_by_text("Address recorded for Riley Pike")).to_be_visible()

    # Back on Riley's page, her uncle's risk now comes through her household.
    uncle = risk_row(page, "Dean Pike")
    expect(uncle).to_contain_text(f"Aunt or uncle — household member since {today:%-d %b %Y}")
    expect(risk_row(page, "Stacey Grant")).to_have_count(0)  # nothing known about her
    uncle.get_by_role("link", name=UNCLES_RISK).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(UNCLES_RISK)
    expect(page.get_by_text("Only Probation Service, Northmoor reviews or closes")).to_be_visible()
    sign_out(page)

    # The safeguarding leads of two agencies in Riley's network find the alert.
    for username, agency in (
        ("csc.lead", "Northmoor Children's Social Care"),
        ("gp", "Fernside Medical Practice"),
    ):
        sign_in(page, base, username)
        page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Notices")).click()
        row = page.get_by_role("row", name=re.compile(ALERT))
        expect(row).to_contain_text(f"to {agency}")
        expect(row).to_contain_text("Amira Okafor")
        row.get_by_role("link", name=ALERT).click()
        expect(
            page.get_by_text("Dean Pike (Aunt or uncle — household member since")
        ).to_be_visible()
        sign_out(page)
