"""A practitioner outside the demo signs in for the first time, sets up an authenticator
app from the page's key, and on a later sign-in enters a fresh code — in a real browser.
The test computes codes from the key as the app would."""

import re
from base64 import b32decode

import pytest
from django.conf import settings
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from .. import factories as f


@pytest.fixture
def practitioner(transactional_db):
    return f.PractitionerFactory(
        username="new.starter", first_name="Nadia", last_name="Osei", mfa_exempt=False
    )


def enter_password(page: Page, base: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    page.get_by_label("Username").fill("new.starter")
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_set_up_an_app_then_sign_in_with_a_fresh_code(page: Page, live_server, practitioner):
    enter_password(page, live_server.url)
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    qr_code = page.get_by_role("img", name="QR code to scan with your authenticator app")
    expect(qr_code).to_be_visible()
    expect(page.get_by_role("link", name="Find a person")).to_have_count(0)  # no menu yet

    key = b32decode(page.locator("#secret-key").inner_text().replace(" ", ""))
    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("The security code is not correct")

    page.get_by_label("Security code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="My children")).to_be_visible()
    expect(page.get_by_text("Your authenticator app is set up")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/"))

    enter_password(page, live_server.url)
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    # The code used at set-up cannot be used again: the app's next code is fresh.
    page.get_by_label("Security code").fill(f"{totp(key, t0=-30):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="My children")).to_be_visible()
