"""The API docs (Swagger UI) work in a real browser under our Content-Security-Policy:
scripts and styles from our own static files, no inline script, and nothing refused."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from ..factories import PractitionerFactory

# Every Content-Security-Policy refusal on the page, as the browser reports it.
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture
def reader(transactional_db):
    return PractitionerFactory(username="api.reader")


def test_the_api_docs_list_and_try_the_operations(page: Page, live_server, reader):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("api.reader")
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My children")).to_be_visible()

    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(WATCH_CSP)
    page.goto(f"{live_server.url}/api/v1/docs/")

    expect(page.get_by_role("heading", name=re.compile("Threadline API"))).to_be_visible()
    for tag in ("people", "sharing-agreements", "access-requests", "break-glass", "audit-events"):
        expect(page.locator(".opblock-tag", has_text=re.compile(f"^{tag}$"))).to_be_visible()
    expect(page.get_by_text("/api/v1/people/{id}/break-glass/")).to_be_visible()

    # Try an operation from the page: the signed-in session calls the API.
    operation = page.locator("#operations-agencies-agencies_list")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(
        operation.locator(".live-responses-table tr.response .response-col_status")
    ).to_have_text("200")

    assert page.evaluate("window.cspViolations") == []
    assert errors == []
