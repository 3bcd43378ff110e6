"""Identity resolution in a real browser: a social worker starts recording someone already
known and is shown who, how likely and why, before anything is saved; then the front
door decides a pair the model held back (the school's records of two children of the
same age at the same address) in the identity review queue."""

import re

import pytest
from playwright.sync_api import Page, expect

from threadline.web.demo import load_demo

from .test_break_glass import menu, sign_in, sign_out


@pytest.fixture
def demo(transactional_db):
    load_demo(chronology=False)


def test_already_known_then_a_pair_decided_in_the_queue(page: Page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "social.worker")
    menu(page, "Add a person")
    page.get_by_label("Adult").check()
    page.get_by_label("Given names").fill("Kerry")
    page.get_by_label("Family name").fill("Hartley")
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill("5")
    born.get_by_label("Month").fill("7")
    born.get_by_label("Year").fill("1999")
    page.get_by_role("button", name="Add person").click()

    # Nothing saved yet: who she may be, how likely, and why.
    expect(page.get_by_text("This person may already be known")).to_be_visible()
    card = page.get_by_test_id("known-person").filter(has_text="Kerry Hartley")
    expect(card).to_contain_text("the same person")
    expect(card.get_by_role("table")).to_contain_text("Date of birth")
    expect(card.get_by_role("row", name=re.compile("^Surname"))).to_be_visible()
    card.get_by_role("link", name=re.compile("This is them")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kerry Hartley")
    sign_out(page)

    # The front door decides the pair the model would not link on its own.
    sign_in(page, base, "front.door")
    menu(page, "Identity review")
    expect(page.get_by_role("heading", name="Identity review queue")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Tia Hartley"))
    expect(row).to_contain_text("Tyler Hartley")
    expect(row).to_contain_text("Brookside Primary School")
    row.get_by_role("link", name=re.compile("Decide")).click()
    expect(page.get_by_role("heading", name="Are these the same person?")).to_be_visible()
    records = page.get_by_role("table", name="The two records")
    expect(records.get_by_role("row", name=re.compile("^First name"))).to_contain_text("Tia")
    expect(records.get_by_role("row", name=re.compile("^First name"))).to_contain_text("Tyler")
    why = page.get_by_role("table", name=re.compile("^Why"))
    expect(why.get_by_role("row", name=re.compile("^Date of birth"))).to_be_visible()
    page.get_by_label("No, not the same person").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("is not Tyler Hartley")).to_be_visible()
    expect(page.get_by_text("No pair is waiting for a decision")).to_be_visible()
