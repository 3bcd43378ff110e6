"""Sessions end: when the account is disabled, after 30 idle minutes, after 12 hours in
all; and re-authentication before sensitive actions. Time passes by editing the stored
session, never by sleeping."""

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from threadline.audit.models import AuditEvent
from threadline.web.middleware import RENEWED_AT, SIGNED_IN_AT
from threadline.web.reauth import (
    REAUTHENTICATED_AT,
    reauthenticated_recently,
    reauthentication_required,
    reauthentication_url,
)

from .. import factories as f
from .test_pages import error_summary, text
from .test_sign_in import ADDRESS, LOCKED, code


def shift(client, key: str, seconds: float) -> None:
    """Move a time stored in the client's session into the past."""
    session = client.session
    session[key] -= seconds
    session.save()


@pytest.fixture
def user(db):
    return f.PractitionerFactory(username="sam")


def test_disabling_an_account_ends_its_sessions_at_once(client, user, api_client_for):
    api = api_client_for(user)
    client.force_login(user)
    assert client.get(reverse("dashboard")).status_code == 200
    assert api.get("/api/v1/agencies/").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(reverse("dashboard"))
    assert response["Location"].startswith(reverse("login"))
    assert api.get("/api/v1/agencies/").status_code == 401


def test_a_session_ends_after_30_idle_minutes(client, user):
    client.force_login(user)
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )  # 30 minutes without a request
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))


def test_each_request_renews_the_idle_limit(client, user):
    client.force_login(user)
    stored = Session.objects.filter(session_key=client.session.session_key)
    stored.update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get(reverse("dashboard")).status_code == 200
    assert stored.get().expire_date > timezone.now() + timedelta(minutes=29)


def test_the_idle_limit_is_renewed_at_most_once_a_minute(client, user):
    """Renewing is a write: a request within a minute of the last renewal leaves the
    session alone; the first a minute later renews it."""
    client.force_login(user)
    stored = Session.objects.filter(session_key=client.session.session_key)
    assert client.get(reverse("dashboard")).status_code == 200  # renewed
    stored.update(expire_date=timezone.now() + timedelta(minutes=10))
    assert client.get(reverse("dashboard")).status_code == 200
    assert stored.get().expire_date < timezone.now() + timedelta(minutes=11)  # not renewed
    session = client.session
    session[RENEWED_AT] -= 61
    session.save()
    stored.update(expire_date=timezone.now() + timedelta(minutes=10))
    assert client.get(reverse("dashboard")).status_code == 200
    assert stored.get().expire_date > timezone.now() + timedelta(minutes=29)


def test_a_session_ends_12_hours_after_sign_in_however_active(client, user):
    client.force_login(user)
    shift(client, SIGNED_IN_AT, 11 * 3600)
    assert client.get(reverse("dashboard")).status_code == 200
    shift(client, SIGNED_IN_AT, 3600 + 1)
    response = client.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "you are signed out 12 hours after signing in" in text(response)
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        action="sign_out", actor=user, summary__contains="12 hours"
    ).exists()


def test_the_api_refuses_a_session_older_than_12_hours(client, user):
    client.force_login(user)
    shift(client, SIGNED_IN_AT, 12 * 3600 + 1)
    assert client.get("/api/v1/agencies/").status_code in (401, 403)


def test_a_session_without_a_sign_in_time_is_ended(client, user):
    client.force_login(user)
    session = client.session
    del session[SIGNED_IN_AT]
    session.save()
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))


# --- Re-authentication ------------------------------------------------------------------


def reauthenticate(client, password=settings.DEMO_PASSWORD, next_url="/people/search/", **extra):
    return client.post(
        reverse("reauthenticate") + f"?next={next_url}",
        {"password": password} | extra,
        REMOTE_ADDR=ADDRESS,
    )


def recently(client, minutes: int = 5) -> bool:
    return reauthenticated_recently(SimpleNamespace(session=client.session), minutes)


def test_reauthentication_with_the_password(client, user):
    client.force_login(user)
    assert not recently(client)
    page = client.get(reverse("reauthenticate") + "?next=/people/search/")
    assert "Confirm it is you" in text(page)
    assert 'name="code"' not in page.content.decode()  # no app, no code

    response = reauthenticate(client, password="not-my-password")
    assert error_summary(response) == ["The password is not correct"]
    assert not recently(client)
    assert AuditEvent.objects.filter(action="sign_in_failed", actor=user).exists()

    assert reauthenticate(client)["Location"] == "/people/search/"
    assert recently(client)
    assert AuditEvent.objects.filter(action="reauthenticated", actor=user).exists()
    shift(client, REAUTHENTICATED_AT, 5 * 60 + 1)
    assert not recently(client) and recently(client, minutes=10)


def test_reauthentication_needs_a_code_from_people_with_an_app(client, user):
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id  # signed in with the app
    session.save()
    assert 'name="code"' in client.get(reverse("reauthenticate")).content.decode()
    response = reauthenticate(client, code="")
    assert error_summary(response) == ["Enter the 6-digit security code from your app"]
    response = reauthenticate(client, code="000000")
    assert error_summary(response) == [
        "The security code is not correct: enter the code your app shows now"
    ]
    device.throttle_reset()
    assert reauthenticate(client, code=code(device.bin_key))["Location"] == "/people/search/"
    assert recently(client)


def test_reauthentication_failures_count_towards_the_lockout(client, user):
    client.force_login(user)
    for _ in range(5):
        response = reauthenticate(client, password="not-my-password")
    assert error_summary(response) == [LOCKED]
    assert error_summary(reauthenticate(client)) == [LOCKED]  # the right one, unchecked
    assert not recently(client)


def test_reauthentication_only_goes_back_into_this_site(client, user):
    client.force_login(user)
    assert reauthenticate(client, next_url="https://evil.example/")["Location"] == "/"


def test_the_reauthentication_helpers(user):
    request = RequestFactory().get("/exports/42/?format=csv")
    request.user, request.session = user, SessionStore()

    @reauthentication_required(minutes=5)
    def export(request):
        return HttpResponse("the export")

    assert reauthentication_url(request) == (
        "/confirm-it-is-you/?next=%2Fexports%2F42%2F%3Fformat%3Dcsv"
    )
    assert export(request)["Location"] == reauthentication_url(request)
    request.session[REAUTHENTICATED_AT] = time.time()
    assert export(request).content == b"the export"
    request.session[REAUTHENTICATED_AT] = time.time() - 301
    assert export(request).status_code == 302
