"""A referral in a real browser: the health visitor refers Riley; the front door and two
other agencies of Riley's network find it in their Notices; the front door decides; the
health visitor acknowledges the outcome."""

import re

import pytest
from playwright.sync_api import Page, expect

from threadline.web.demo import load_demo

from .test_break_glass import menu, sign_in, sign_out

REFERRED = "Riley Pike has been referred to children's social care"
OUTCOME = "Outcome of your referral of Riley Pike: Strategy discussion: significant harm suspected"


@pytest.fixture
def demo(transactional_db):
    load_demo()


def notices_link(page: Page):
    return page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Notices"))


def test_referral_notices_decision_and_acknowledged_outcome(page: Page, live_server, demo):
    base = live_server.url

    # The health visitor refers Riley from Riley's page.
    sign_in(page, base, "health.visitor")
    menu(page, "Find a person")
    page.get_by_label("Name").fill("Riley Pike")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Riley Pike").click()
    page.get_by_role("link", name="Make a referral to children's social care").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Make a referral to children's social care"
    )
    page.get_by_label("Your concerns").fill(
        "Fingertip bruising to both upper arms seen at the 10-month review today; mother "
        "says Riley fell against the cot. Jason Pike was at the house."
    )
    page.get_by_label("Physical abuse").check()
    page.get_by_label("Standard: a decision within one working day").check()
    page.get_by_label("What the family has been told").fill(
        "Not told: telling them could put Riley at greater risk before a strategy discussion"
    )
    page.get_by_label("Without consent, to safeguard the child").check()
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_text("Referral sent to Northmoor Children's Social Care")).to_be_visible()
    sign_out(page)

    # Two other agencies of Riley's network find the alert in their agency's inbox.
    for username, agency in (
        ("gp", "Fernside Medical Practice"),
        ("probation", "Probation Service, Northmoor"),
    ):
        sign_in(page, base, username)
        notices_link(page).click()
        row = page.get_by_role("row", name=re.compile(REFERRED))
        expect(row).to_contain_text(f"to {agency}")
        expect(row).to_contain_text("Lucy Farrant")
        expect(row).to_contain_text("New")
        sign_out(page)

    # The front door finds the referral in the local authority's inbox, opens it, decides.
    sign_in(page, base, "front.door")
    notices_link(page).click()
    row = page.get_by_role("row", name=re.compile("Referral of Riley Pike"))
    expect(row).to_contain_text("to Northmoor Children's Social Care")
    row.get_by_role("link", name="Referral of Riley Pike").click()
    expect(page.get_by_text("Fingertip bruising to both upper arms")).to_be_visible()
    page.get_by_role("link", name="Open the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riley Pike")
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Strategy discussion: significant harm suspected").check()
    page.get_by_role("button", name="Record decision").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    summary.get_by_role("link", name="Give the rationale for your decision").click()
    expect(page.get_by_label("Rationale")).to_be_focused()
    page.get_by_label("Rationale").fill(
        "Unexplained fingertip bruising on a non-mobile baby with a known risk in the "
        "household: strategy discussion with the police and health today."
    )
    page.get_by_role("button", name="Record decision").click()
    expect(
        page.get_by_text("Decision recorded; Lucy Farrant has been sent the outcome")
    ).to_be_visible()
    sign_out(page)

    # The health visitor sees the outcome waiting, reads it and acknowledges it.
    sign_in(page, base, "health.visitor")
    expect(notices_link(page)).to_have_text("Notices 1 to acknowledge, 1 unread")
    notices_link(page).click()
    page.get_by_role("link", name=OUTCOME).click()
    expect(page.get_by_text("strategy discussion with the police and health today")).to_be_visible()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text(f"Acknowledged: {OUTCOME}")).to_be_visible()
    expect(page.get_by_text("Acknowledged", exact=True)).to_be_visible()
    expect(notices_link(page)).to_have_text("Notices")
