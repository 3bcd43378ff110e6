"""A case review in a real browser: the partnership officer opens a rapid review about
Riley, asks the probation service for its management review, and extracts two
recommendations from the review document (confirming them before anything is saved);
probation's safeguarding lead adds an action, attaches the evidence and marks it done;
the partnership officer accepts the evidence and closes the action, and monitoring
shows it closed."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from threadline.agencies.models import Agency
from threadline.web.demo import fictional_nhs_number, load_demo

from .test_break_glass import menu, sign_in, sign_out
from .test_meetings import fill_date

PROBATION = "Probation Service, Northmoor"
REVIEW_DOCUMENT = f"""Child R: rapid review

Introduction
Riley, ten months old, was taken to hospital with a head injury.

Recommendations

1. {PROBATION} should tell children's social care within one working day whenever a
person it supervises joins a household with children.
2. The partnership should audit how agencies share what they know about adults joining
households, and report to the board within six months.

Conclusion
The panel thanks the family and the practitioners who spoke to it.
""".encode()
ACTION = "Add a household-change check to every supervision appointment"


@pytest.fixture
def demo(transactional_db):
    load_demo(chronology=False)


def open_child_r(page: Page) -> None:
    menu(page, "Case reviews")
    page.get_by_role("link", name="Child R", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Child R")


def test_a_review_from_opening_to_a_closed_action(page: Page, live_server, demo):
    base = live_server.url
    today = timezone.localdate()
    probation = Agency.objects.get(code="nm-probation")

    # The partnership officer opens the review from the case reviews page.
    sign_in(page, base, "partnership")
    menu(page, "Case reviews")
    page.get_by_role("link", name="Open a review").click()
    page.get_by_label("Title").fill("Child R")
    page.get_by_label("Rapid review").check()
    page.get_by_label("The serious incident").fill(
        "Riley, ten months old, was taken to hospital with a head injury."
    )
    fill_date(page, "Date of the incident", today - dt.timedelta(days=3))
    fill_date(page, "Date the local authority became aware", today - dt.timedelta(days=2))
    page.get_by_label("Subject children").fill("999 000 0000")
    fill_date(page, "Scope period: from", today - dt.timedelta(days=365))
    fill_date(page, "Scope period: to", today - dt.timedelta(days=3))
    page.get_by_role("button", name="Open the review").click()
    expect(page.get_by_role("alert")).to_contain_text("No child with NHS number 999 000 0000")
    page.get_by_label("Subject children").fill(fictional_nhs_number(5))
    page.get_by_role("button", name="Open the review").click()
    expect(page.get_by_text("Rapid review: Child R opened")).to_be_visible()
    held = page.get_by_role("region", name="Records held")
    expect(held).to_contain_text("under legal hold for this review")
    expect(held).to_contain_text("Riley Pike")

    # It asks the probation service for its management review.
    page.get_by_role("link", name="Request agency reports").click()
    page.get_by_role("group", name="Which agencies?").get_by_label(PROBATION).check()
    fill_date(page, "Reports due by", today + dt.timedelta(days=28))
    page.get_by_role("button", name="Request the reports").click()
    expect(page.get_by_text(f"{PROBATION} asked for its management review")).to_be_visible()
    reports = page.get_by_role("region", name="Agencies' reports")
    expect(reports.get_by_role("row", name=re.compile(PROBATION))).to_contain_text("Requested")

    # It extracts the recommendations from the review document and confirms them.
    page.get_by_role("link", name="Extract recommendations from the review document").click()
    page.get_by_label("The review document").set_input_files(
        {"name": "child-r.txt", "mimeType": "text/plain", "buffer": REVIEW_DOCUMENT}
    )
    page.get_by_role("button", name="Find the recommendations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the recommendations")
    first = page.get_by_role("group", name="Proposed recommendation 1")
    expect(first.get_by_label("Addressed to")).to_have_value(str(probation.pk))
    expect(first.get_by_label("Recommendation", exact=True)).to_have_value(re.compile("household"))
    second = page.get_by_role("group", name="Proposed recommendation 2")
    expect(second.get_by_label("Addressed to")).to_have_value("partnership")
    page.get_by_role("button", name="Save the recommendations").click()
    expect(page.get_by_text("2 recommendations saved from the review document")).to_be_visible()
    recommendations = page.get_by_role("region", name="Recommendations")
    expect(recommendations).to_contain_text(f"Recommendation 1: {PROBATION}")
    expect(recommendations).to_contain_text("Recommendation 2: the partnership")
    sign_out(page)

    # Probation's safeguarding lead adds an action, attaches evidence and marks it done.
    sign_in(page, base, "probation")
    open_child_r(page)
    page.get_by_role("link", name="Open recommendation 1").click()
    page.get_by_label("What will be done").fill(ACTION)
    page.get_by_label("Who owns it").select_option(
        label="Claire Whitfield, Senior probation officer, safeguarding lead"
    )
    fill_date(page, "Due by", today + dt.timedelta(days=60))
    page.get_by_label("How you will know it worked").fill(
        "A dip sample of 20 supervision records shows the check every time"
    )
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_text("Action added to your agency's plan")).to_be_visible()
    page.get_by_role("link", name=ACTION).click()
    page.get_by_label("Evidence documents").set_input_files(
        {"name": "dip-sample.txt", "mimeType": "text/plain", "buffer": b"20 of 20 checked.\n"}
    )
    page.get_by_role("button", name="Attach the evidence").click()
    expect(page.get_by_text("Evidence attached: dip-sample.txt")).to_be_visible()
    page.get_by_role("group", name="Status").get_by_label("Done — awaiting evidence").check()
    page.get_by_role("group", name="RAG rating").get_by_label("Green").check()
    page.get_by_role("button", name="Save the update").click()
    expect(page.get_by_text("Marked as done")).to_be_visible()
    sign_out(page)

    # The partnership officer accepts the evidence and closes the action.
    sign_in(page, base, "partnership")
    open_child_r(page)
    page.get_by_role("region", name="Recommendations").get_by_role("link", name=ACTION).click()
    expect(page.get_by_role("region", name="Evidence")).to_contain_text("dip-sample.txt")
    page.get_by_label("Accept", exact=True).check()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_text("Evidence accepted: the action can be closed")).to_be_visible()
    page.get_by_role("button", name="Close the action").click()
    expect(page.get_by_role("alert")).to_contain_text("Action closed")
    expect(page.locator("#action-status")).to_contain_text("Closed")

    # Monitoring shows it closed.
    menu(page, "Case reviews")
    page.get_by_role("link", name="Monitoring the action plans").click()
    row = page.get_by_role("region", name="By review").get_by_role(
        "row", name=re.compile("Child R")
    )
    # Not started, in progress, awaiting evidence, evidenced, closed, overdue.
    expect(row.get_by_role("cell")).to_have_text(["0", "0", "0", "0", "1", "0"])
