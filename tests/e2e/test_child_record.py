"""A social worker signs in, finds a child, reads the child's record, records a new
adult in the household and links them to the child — in a real browser."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from threadline.web.demo import load_demo

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "child-page.png"


@pytest.fixture
def demo(transactional_db):
    load_demo()


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My children")).to_be_visible()


def test_find_a_child_and_add_a_relationship(page: Page, live_server, demo):
    sign_in(page, live_server.url, "social.worker")

    page.get_by_role("link", name="Find a person").click()
    page.get_by_label("Name").fill("Rilee Pike")  # misspelt, as people do
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Riley Pike").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Riley Pike")
    expect(page.get_by_text("Who is involved")).to_be_visible()
    expect(page.get_by_text("Northmoor Health Visiting", exact=True).first).to_be_visible()
    expect(page.get_by_text("27 Lark Rise, Northmoor, NM2 7QT").first).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 1100})
    page.screenshot(
        path=str(Path(os.environ.get("SCREENSHOT_DIR", "test-results")) / "child-page.png")
    )
    if os.environ.get("THREADLINE_UPDATE_SCREENSHOT"):
        page.screenshot(path=str(SCREENSHOT))
    child_url = page.url

    # A new adult joins the household: record them, then link them to Riley.
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Adult").check()
    page.get_by_label("Given names").fill("Marcus")
    page.get_by_label("Family name").fill("Rowe")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_text("Marcus Rowe has been recorded")).to_be_visible()

    page.goto(child_url)
    page.get_by_role("link", name="Add a relationship").click()
    page.get_by_role("button", name="Add relationship").click()  # nothing chosen yet
    expect(page.get_by_role("alert")).to_contain_text("Select the person")
    page.get_by_label("Person", exact=True).select_option(label="Marcus Rowe")
    page.get_by_label("This person is the … of Riley Pike").select_option(label="Household member")
    page.get_by_role("button", name="Add relationship").click()

    expect(page.get_by_text("Relationship recorded: Marcus Rowe")).to_be_visible()
    expect(page.locator(".govuk-summary-list__row", has_text="Marcus Rowe")).to_contain_text(
        "Household member"
    )


def test_a_partner_agency_finds_the_child_on_its_dashboard(page: Page, live_server, demo):
    sign_in(page, live_server.url, "health.visitor")
    expect(page.get_by_role("link", name="Riley Pike")).to_be_visible()
    page.get_by_role("link", name="Riley Pike").click()
    expect(page.get_by_text("Amira Okafor").first).to_be_visible()
