"""The chronology in a real browser: the social worker opens Riley's merged chronology
from the child page, filters it to one agency, records an entry (with a mistake the
error summary catches) and downloads the chronology as CSV."""

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditEvent
from threadline.chronology.models import ChronologyEntry
from threadline.chronology.services import record_entry
from threadline.people.models import Person
from threadline.web.demo import load_demo

from .test_break_glass import menu, sign_in


@pytest.fixture
def demo(transactional_db):
    """The demo without the agencies' entries, and three entries this test records:
    returns how many entries Riley's chronology holds (the demo's moves are in it too)."""
    load_demo(chronology=False)
    riley = Person.objects.get(given_names="Riley", family_name="Pike")
    now = timezone.now()
    for username, days, summary, significance in (
        ("social.worker", 3, "Home visit: Riley asleep, mother tired but coping", "routine"),
        ("health.visitor", 12, "Ten-month review: weight has dropped two centiles", "significant"),
        ("health.visitor", 40, "Missed the nine-month review", "routine"),
    ):
        record_entry(
            actor=Practitioner.objects.get(username=username),
            children=[riley],
            event_at=now - dt.timedelta(days=days),
            event_precision="day",
            entry_type="contact",
            summary=summary,
            significance=significance,
        )
    return ChronologyEntry.objects.filter(child_links__child=riley).count()


def test_filter_the_chronology_and_download_an_export(page: Page, live_server, demo):
    sign_in(page, live_server.url, "social.worker")
    menu(page, "Find a person")
    page.get_by_label("Name").fill("Riley Pike")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Riley Pike").click()

    # The child page: the latest significant events, the timeline and its words.
    chronology = page.get_by_role("region", name="Chronology")
    expect(chronology).to_contain_text("Ten-month review: weight has dropped two centiles")
    expect(chronology.locator("svg")).to_be_visible()
    chronology.get_by_text("The timeline in words").click()
    expect(chronology).to_contain_text("Northmoor Health Visiting")
    chronology.get_by_role("link", name=re.compile("See the full chronology")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Chronology")
    expect(page.get_by_role("heading", name=f"{demo} entries")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Home visit: Riley asleep")
    expect(rows.first).to_contain_text("3 days after the event")

    # Filter to the health visitor's entries, by keyboard.
    page.get_by_label("Northmoor Health Visiting").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="2 entries")).to_be_visible()
    expect(rows).to_have_count(2)
    expect(page.locator("tbody")).not_to_contain_text("Home visit")

    # Oldest first, from the column heading.
    page.get_by_role("link", name=re.compile("^Date")).click()
    expect(rows.first).to_contain_text("Missed the nine-month review")

    # Record an entry; the error summary links to the box to fix.
    page.get_by_role("link", name="Add an entry").click()
    page.get_by_label("Day", exact=True).fill(str(timezone.localdate().day))
    page.get_by_label("Month", exact=True).fill(str(timezone.localdate().month))
    page.get_by_label("Year", exact=True).fill(str(timezone.localdate().year + 1))
    page.get_by_label("Kind of event").select_option(label="Incident")
    page.get_by_label("Summary").fill("Police called to the home after shouting heard")
    page.get_by_label("Critical").check()
    page.get_by_role("button", name="Save entry").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The date of the event must be today or in the past")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Day", exact=True)).to_be_focused()
    page.get_by_label("Year", exact=True).fill(str(timezone.localdate().year))
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_text("Chronology entry recorded")).to_be_visible()
    expect(page.get_by_role("heading", name=f"{demo + 1} entries")).to_be_visible()

    # Export as CSV.
    page.get_by_role("link", name="Export the chronology").click()
    page.get_by_label("CSV (a spreadsheet of plain text)").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as file:
        table = list(csv.reader(io.StringIO(file.read())))
    text = "\n".join(",".join(row) for row in table)
    assert "Police called to the home after shouting heard" in text
    assert "Ten-month review: weight has dropped two centiles" in text
    assert "Northmoor Health Visiting" in text
    assert AuditEvent.objects.filter(action="export", actor__username="social.worker").exists()
