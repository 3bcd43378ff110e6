"""Legal status in a real browser: the court ends Riley's care proceedings with a
supervision order. The social worker records it; it opens Riley's page, explained in
plain English, and the statutory clock sets its tasks: a conference within 15 working
days, and a meeting one month before it expires on whether to extend it. The conference
decides Riley no longer needs a child-protection plan, and its task goes."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from threadline.timescales.calendar import add_months, add_working_days
from threadline.web.demo import load_demo

from .test_break_glass import menu, sign_in

CONFERENCE = "Hold a child-protection conference to decide whether a plan is needed"
EXTENSION = "Meet to decide whether to apply to extend the supervision order"


@pytest.fixture
def demo(transactional_db):
    load_demo(chronology=False)


def fill_date(page: Page, group: str, day) -> None:
    boxes = page.get_by_role("group", name=group)
    boxes.get_by_label("Day").fill(str(day.day))
    boxes.get_by_label("Month").fill(str(day.month))
    boxes.get_by_label("Year").fill(str(day.year))


def task_row(page: Page, title: str):
    return page.get_by_role("region", name="What is due next").get_by_role(
        "row", name=re.compile(re.escape(title))
    )


def test_record_a_supervision_order_and_the_conference_it_needs(page: Page, live_server, demo):
    today = timezone.localdate()
    sign_in(page, live_server.url, "social.worker")
    menu(page, "Find a person")
    page.get_by_label("Name").fill("Riley Pike")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Riley Pike").click()

    # Riley's legal status opens her page: her plan and the proceedings under way.
    legal = page.get_by_role("region", name="Legal status")
    expect(legal).to_contain_text("Child-protection plan")
    expect(legal).to_contain_text("Category: neglect")
    expect(legal).to_contain_text("Care proceedings")

    # The court made a supervision order: record it (the error summary first).
    legal.get_by_role("link", name=re.compile("Record a plan or order")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a plan or order")
    page.get_by_label("Supervision order", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the date it was made or started")
    page.get_by_label("Supervision order", exact=True).check()
    fill_date(page, "Date it was made or started", today)
    page.get_by_label("Court (optional)").fill("Northmoor Family Court")
    page.get_by_label("Court case number (optional)").fill("NM26C00088")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Supervision order recorded for Riley Pike")).to_be_visible()

    # At the top of her page, with what it means.
    expect(page.get_by_role("heading", level=1)).to_have_text("Riley Pike")
    order = page.get_by_role("region", name="Legal status").get_by_role(
        "row", name=re.compile("Supervision order")
    )
    expect(order).to_contain_text(f"{add_months(today, 12):%-d %b %Y}")
    expect(order).to_contain_text("Northmoor Family Court")
    order.get_by_role("link", name=re.compile("What this means")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision order")
    expect(page.get_by_text("It is not a care order: the child is not in care.")).to_be_visible()
    expect(page.get_by_role("heading", name="Who has parental responsibility")).to_be_visible()
    page.go_back()

    # The tasks the order made, soonest first.
    conference = task_row(page, CONFERENCE)
    expect(conference).to_contain_text(f"{add_working_days(today, 15):%-d %b %Y}")
    expect(conference).to_contain_text("Amira Okafor")
    extension = task_row(page, EXTENSION)
    expect(extension).to_contain_text(f"{add_months(add_months(today, 12), -1):%-d %b %Y}")

    # The conference is held: no plan is needed now. Its task goes.
    conference.get_by_role("link", name=re.compile("Record that it happened")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a meeting or assessment")
    expect(page.get_by_label("Initial child-protection conference")).to_be_checked()
    page.get_by_label("Review child-protection conference").check()
    fill_date(page, "Date it happened", today)
    plan = page.get_by_role(
        "group", name="Did the conference make (or keep) a child-protection plan?"
    )
    plan.get_by_label("No").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Recorded for Riley Pike: review child-protection")).to_be_visible()
    expect(task_row(page, CONFERENCE)).to_have_count(0)
    expect(task_row(page, EXTENSION)).to_be_visible()
