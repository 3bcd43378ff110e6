"""Meetings in a real browser: the social worker arranges an initial conference for Riley,
inviting health visiting and the police and asking both for reports; each agency sends
its report; the social worker records the outcome (a plan made, with two actions); the
health visitor finds her action on her dashboard under "My tasks"."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from threadline.web.demo import load_demo

from .test_break_glass import menu, sign_in, sign_out

HEALTH = "Northmoor Health Visiting"
POLICE = "Northmoor Police"
CONFERENCE = "Initial child-protection conference"
VISITS = "Weekly home visits, seeing Riley's room"
LOG = "Share the domestic abuse log with social care"


@pytest.fixture
def demo(transactional_db):
    load_demo(chronology=False)


def fill_date(scope, group: str, day: dt.date) -> None:
    boxes = scope.get_by_role("group", name=group, exact=True)
    boxes.get_by_label("Day").fill(str(day.day))
    boxes.get_by_label("Month").fill(str(day.month))
    boxes.get_by_label("Year").fill(str(day.year))


def open_riley(page: Page) -> None:
    menu(page, "Find a person")
    page.get_by_label("Name").fill("Riley Pike")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Riley Pike").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riley Pike")


def open_conference(page: Page) -> None:
    open_riley(page)
    meetings = page.get_by_role("region", name="Meetings")
    meetings.get_by_role("link", name=CONFERENCE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CONFERENCE)


def send_report(page: Page, base: str, username: str, words: str) -> None:
    sign_in(page, base, username)
    open_conference(page)
    page.get_by_role("link", name="Send your agency's report").click()
    page.get_by_label("Your agency's report").fill(words)
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("report sent")).to_be_visible()
    expect(page.get_by_role("region", name="Agencies' reports")).to_contain_text(words)
    sign_out(page)


def test_a_conference_from_invitation_to_actions(page: Page, live_server, demo):
    base = live_server.url
    today = timezone.localdate()

    # The social worker arranges the conference from Riley's page.
    sign_in(page, base, "social.worker")
    open_riley(page)
    page.get_by_role("region", name="Meetings").get_by_role(
        "link", name=re.compile("Arrange a meeting")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arrange a meeting")
    page.get_by_label(CONFERENCE).check()
    page.get_by_role("button", name="Arrange the meeting").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the date and time of the meeting")
    page.get_by_label(CONFERENCE).check()
    fill_date(page, "Date", today + dt.timedelta(days=7))
    page.get_by_label("Time", exact=True).fill("10:00")
    page.get_by_label("Where (optional if it is a call)").fill("Northmoor Civic Centre, room 4")
    page.get_by_label("Chair (optional)").select_option(label="Helen Brooks")
    invite = page.get_by_role("group", name="Agencies to invite")
    invite.get_by_label(HEALTH).check()
    invite.get_by_label(POLICE).check()
    reports = page.get_by_role("group", name="Which agencies must send a written report?")
    reports.get_by_label(HEALTH).check()
    reports.get_by_label(POLICE).check()
    page.get_by_role("button", name="Arrange the meeting").click()
    expect(page.get_by_text(f"{CONFERENCE} arranged")).to_be_visible()
    invited = page.get_by_role("region", name="Agencies invited")
    expect(invited.get_by_role("row", name=re.compile(HEALTH))).to_contain_text("Report awaited")
    expect(invited.get_by_role("row", name=re.compile(POLICE))).to_contain_text("Report awaited")
    sign_out(page)

    # Each agency asked sends its report.
    send_report(page, base, "health.visitor", "Riley weighed weekly; following the 50th centile.")
    send_report(page, base, "police", "Two domestic abuse call-outs to the family home this year.")

    # The social worker records the outcome: a plan made, and two actions.
    sign_in(page, base, "social.worker")
    open_conference(page)
    invited = page.get_by_role("region", name="Agencies invited")
    expect(invited.get_by_role("row", name=re.compile(POLICE))).to_contain_text("Received")
    page.get_by_role("link", name="Record the outcome").click()
    page.get_by_label("Who chaired it?").select_option(label="Helen Brooks")
    decision = page.get_by_role("group", name="Decision 1")
    decision.get_by_label("Decision", exact=True).select_option(label="Child-protection plan made")
    decision.get_by_label("Category, for a plan made").select_option(label="Neglect")
    decision.get_by_label("Who agreed").fill("Social care, health visiting, police")
    for n, (what, owner, days) in enumerate(
        ((VISITS, f"Lucy Farrant ({HEALTH})", 14), (LOG, f"Mark Dunmore ({POLICE})", 7)), start=1
    ):
        action = page.get_by_role("group", name=f"Action {n}", exact=True)
        action.get_by_label("What is to be done").fill(what)
        action.get_by_label("Who will do it").select_option(label=owner)
        fill_date(action, "Due by", today + dt.timedelta(days=days))
    page.get_by_label("Minutes").fill("Neglect concerns agreed by all agencies; plan made.")
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.get_by_text("Outcome recorded")).to_be_visible()
    actions = page.get_by_role("region", name="Actions")
    expect(actions.get_by_role("row", name=re.compile("Weekly home visits"))).to_contain_text(
        "Lucy Farrant"
    )
    expect(actions.get_by_role("row", name=re.compile("domestic abuse log"))).to_contain_text(
        "Mark Dunmore"
    )
    sign_out(page)

    # The health visitor's action is on her dashboard.
    sign_in(page, base, "health.visitor")
    expect(page.get_by_role("heading", name="My tasks")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Weekly home visits"))).to_be_visible()
