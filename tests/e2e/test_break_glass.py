"""Break-glass in a real browser: a practitioner outside the network opens a record in an
emergency, and the holding agency's safeguarding lead reviews it."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from threadline.web.demo import fictional_nhs_number, load_demo


@pytest.fixture
def demo(transactional_db):
    load_demo()


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My children")).to_be_visible()


def menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_break_glass_journey(page: Page, live_server, demo):
    # The hospital's involvement ended at discharge: Riley no longer exists for it.
    sign_in(page, live_server.url, "hospital")
    menu(page, "Find a person")
    page.get_by_label("Name").fill("Riley Pike")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="0 people found")).to_be_visible()

    menu(page, "Emergency access")
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("alert")).to_contain_text("Explain the emergency")
    page.get_by_label("NHS number").fill(fictional_nhs_number(5))
    page.get_by_label("The emergency").fill(
        "Riley brought to A&E drowsy after swallowing something from a bottle at home; "
        "mother cannot say who is involved"
    )
    page.get_by_role("button", name="Open the record").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Riley Pike")
    expect(page.get_by_text("Emergency access for 60 minutes")).to_be_visible()
    expect(page.get_by_text("Amira Okafor").first).to_be_visible()  # whom to call
    sign_out(page)

    # The children's social care safeguarding lead sees and reviews the use.
    sign_in(page, live_server.url, "csc.lead")
    menu(page, "Break-glass review")
    row = page.locator("tr", has_text="Grace Mensah")
    expect(row).to_contain_text("swallowing something")
    row.get_by_role("link", name=re.compile("Review")).click()
    page.get_by_label("What you found").fill("Appropriate: called the family and the GP")
    page.get_by_role("button", name="Record review").click()
    expect(page.get_by_text("Review recorded")).to_be_visible()
    expect(page.locator("tr", has_text="Grace Mensah")).to_contain_text("Reviewed")

    # ...and the audit trail shows the break-glass standing out.
    menu(page, "Audit trail")
    page.get_by_label("What they did").select_option(label="Break-glass access")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr").first).to_contain_text("hospital")
