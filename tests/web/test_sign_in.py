"""Sign-in with a second factor (TOTP), and the lockout of a (username, address) pair.

Codes are computed from the secret as an authenticator app would; a code for the next
30-second step (`ahead=1`) stands in for "a fresh code" without waiting."""

import re
from base64 import b32decode
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditEvent
from threadline.web.demo import load_demo
from threadline.web.models import SignInAttempt
from threadline.web.services import mfa_required_for

from .. import factories as f
from .test_pages import error_summary, text

PASSWORD = settings.DEMO_PASSWORD
LOCKED = "Too many attempts. Wait 15 minutes, then try again."
ADDRESS, OTHER_ADDRESS = "192.0.2.10", "198.51.100.7"


def code(key: bytes, ahead: int = 0) -> str:
    return f"{totp(key, t0=-30 * ahead):06d}"


def sign_in(client, username: str, password: str = PASSWORD, address: str = ADDRESS, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password} | extra, REMOTE_ADDR=address
    )


def enter_code(client, value: str, route: str = "mfa-verify", address: str = ADDRESS, query=""):
    return client.post(reverse(route) + query, {"code": value}, REMOTE_ADDR=address)


SIGN_IN_ACTIONS = {
    "sign_in",
    "sign_in_failed",
    "mfa_enrolled",
    "mfa_verified",
    "mfa_failed",
    "locked_out",
    "reauthenticated",
    "sign_out",
}


def actions(user) -> list[str]:
    """The user's sign-in audit rows, oldest first (pages they open add rows of their own)."""
    rows = AuditEvent.objects.filter(actor=user, action__in=SIGN_IN_ACTIONS)
    return list(rows.values_list("action", flat=True))


@pytest.fixture
def new_user(db):
    """An account that must use a second factor and has not set up an app yet."""
    return f.PractitionerFactory(username="jo.new", mfa_exempt=False)


@pytest.fixture
def enrolled_user(db):
    """An account whose authenticator app is set up; returns (user, device)."""
    user = f.PractitionerFactory(username="jo.app", mfa_exempt=False)
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user, device


def test_a_new_account_sets_up_an_app_before_anything_else(client, new_user):
    response = sign_in(client, "jo.new", next="/people/search/")
    enrol_url = reverse("mfa-enrol") + "?next=%2Fpeople%2Fsearch%2F"
    assert response["Location"] == enrol_url
    # Signed in with the password only: every other page sends them back, the API
    # treats the session as none.
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("mfa-enrol"))
    assert client.get(reverse("reauthenticate"))["Location"].startswith(reverse("mfa-enrol"))
    assert client.get("/api/v1/agencies/").status_code in (401, 403)

    page = client.get(enrol_url)
    html = page.content.decode()
    assert "Set up an authenticator app" in text(page)
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code: no request leaves
    assert "Find a person" not in html  # no menu before the second factor
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', html).group(1)
    assert client.get(enrol_url).content.decode().count(secret) == 1  # same secret on reload
    key = b32decode(secret.replace(" ", ""))

    response = enter_code(client, code(key), "mfa-enrol", query="?next=/people/search/")
    assert response["Location"] == "/people/search/"
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get("/api/v1/agencies/").status_code == 200
    device = TOTPDevice.objects.get(user=new_user)
    assert device.confirmed and device.bin_key == key
    assert actions(new_user) == ["sign_in", "mfa_enrolled"]


def test_a_wrong_code_at_set_up_is_refused_and_saves_nothing(client, new_user):
    sign_in(client, "jo.new")
    client.get(reverse("mfa-enrol"))
    response = enter_code(client, "000000", "mfa-enrol")
    assert response.status_code == 200
    assert error_summary(response) == [
        "The security code is not correct: enter the code your app shows now"
    ]
    assert not TOTPDevice.objects.filter(user=new_user).exists()
    assert "mfa_failed" in actions(new_user)
    assert client.get(reverse("dashboard")).status_code == 302


def test_signing_in_with_an_app_needs_a_code(client, enrolled_user):
    user, device = enrolled_user
    response = sign_in(client, "jo.app")
    assert response["Location"] == reverse("mfa-verify") + "?next=%2F"
    assert client.get(reverse("mfa-enrol")).status_code == 302  # nothing to set up
    assert "Enter your security code" in text(client.get(response["Location"]))

    response = enter_code(client, code(device.bin_key, ahead=-5))  # long expired
    assert response.status_code == 200
    assert error_summary(response) == [
        "The security code is not correct: enter the code your app shows now"
    ]
    assert "govuk-input--width-5 govuk-input--error" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302

    device.throttle_reset()  # django-otp makes a quick retry wait: see the next test
    session_before = client.session.session_key
    assert enter_code(client, code(device.bin_key))["Location"] == "/"
    assert client.session.session_key != session_before  # a new session id once verified
    assert client.get(reverse("dashboard")).status_code == 200
    assert actions(user) == ["sign_in", "mfa_failed", "mfa_verified"]


def test_a_quick_retry_after_a_wrong_code_is_asked_to_wait(client, enrolled_user):
    user, device = enrolled_user
    sign_in(client, "jo.app")
    enter_code(client, "000000")
    response = enter_code(client, code(device.bin_key))
    assert error_summary(response) == ["Wait a few seconds, then enter the code your app shows now"]
    assert SignInAttempt.objects.filter(kind="failed").count() == 1  # the retry is not counted


@pytest.mark.parametrize("value", ["", "12345", "12a456", "1234567"])
def test_a_code_that_is_not_six_digits_is_explained(client, enrolled_user, value):
    sign_in(client, "jo.app")
    message = (
        "Enter the 6-digit security code from your app"
        if not value
        else "Enter the security code as 6 digits, like 123456"
    )
    assert error_summary(enter_code(client, value)) == [message]
    assert not SignInAttempt.objects.exists()  # nothing was checked


def test_spaces_in_a_code_are_ignored(client, enrolled_user):
    _, device = enrolled_user
    sign_in(client, "jo.app")
    value = code(device.bin_key)
    assert enter_code(client, f"{value[:3]} {value[3:]}")["Location"] == "/"


def test_a_pending_user_can_sign_out(client, enrolled_user):
    sign_in(client, "jo.app")
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(reverse("mfa-verify"))["Location"].startswith(reverse("login"))


def test_next_must_stay_on_this_site(client, enrolled_user):
    _, device = enrolled_user
    sign_in(client, "jo.app")
    response = enter_code(client, code(device.bin_key), query="?next=https://evil.example/")
    assert response["Location"] == "/"


def test_an_exempt_demo_account_signs_in_with_the_password_only(client, db):
    user = f.PractitionerFactory(username="demo.user")  # factories default to exempt
    assert sign_in(client, "demo.user")["Location"] == "/"
    assert client.get(reverse("dashboard")).status_code == 200
    assert actions(user) == ["sign_in"]


def test_the_demo_accounts_are_exempt_even_in_an_older_demo_database(db):
    load_demo()
    demo_accounts = Practitioner.objects.filter(username__in=load_demo().usernames)
    assert demo_accounts.count() > 10 and not demo_accounts.filter(mfa_exempt=False).exists()
    demo_accounts.update(mfa_exempt=False)  # as loaded before the field existed
    load_demo()
    assert not demo_accounts.filter(mfa_exempt=False).exists()


def test_an_exempt_account_with_an_app_still_uses_it(client, db):
    user = f.PractitionerFactory(username="keen")
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    assert sign_in(client, "keen")["Location"].startswith(reverse("mfa-verify"))


def test_who_needs_a_second_factor(db, new_user):
    exempt = f.PractitionerFactory()
    assert mfa_required_for(new_user) and not mfa_required_for(exempt)
    with override_settings(PRODUCTION=True):  # exemptions mean nothing in production
        assert mfa_required_for(exempt)
    with override_settings(MFA_REQUIRED=False):
        assert not mfa_required_for(new_user)


def test_agency_systems_use_tokens_without_a_second_factor(new_user, api_client_for):
    assert api_client_for(new_user).get("/api/v1/agencies/").status_code == 200


# --- Lockout by username and address together ---------------------------------------


def fail(client, username: str, times: int, address: str = ADDRESS):
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", address)
    return response


def test_five_failures_lock_that_username_from_that_address_only(client, db):
    user = f.PractitionerFactory(username="target")
    assert error_summary(fail(client, "target", 4))[0].startswith("Please enter a correct")
    assert error_summary(fail(client, "target", 1)) == [LOCKED]  # the fifth locks
    assert AuditEvent.objects.filter(action="locked_out", actor_label="target").count() == 1

    # Refused without checking the password, even the right one.
    with mock.patch("django.contrib.auth.backends.ModelBackend.authenticate") as check:
        response = sign_in(client, "target")
    check.assert_not_called()
    assert error_summary(response) == [LOCKED]
    assert client.get(reverse("dashboard")).status_code == 302
    assert AuditEvent.objects.filter(action="locked_out", actor_label="target").count() == 2

    # Another address can still sign in as that user: no one can lock staff out.
    assert sign_in(client, "target", address=OTHER_ADDRESS)["Location"] == "/"
    assert AuditEvent.objects.filter(action="sign_in", actor=user).count() == 1


def test_the_lock_lifts_after_15_minutes(client, db):
    f.PractitionerFactory(username="target")
    fail(client, "target", 5)
    SignInAttempt.objects.update(at=timezone.now() - timedelta(minutes=15, seconds=1))
    assert sign_in(client, "target")["Location"] == "/"


def test_failures_more_than_15_minutes_old_do_not_count(client, db):
    f.PractitionerFactory(username="target")
    fail(client, "target", 4)
    SignInAttempt.objects.update(at=timezone.now() - timedelta(minutes=16))
    fail(client, "target", 1)
    assert sign_in(client, "target")["Location"] == "/"


def test_a_complete_sign_in_starts_the_count_again(client, db):
    f.PractitionerFactory(username="target")
    fail(client, "target", 4)
    sign_in(client, "target")
    client.post(reverse("logout"))
    assert error_summary(fail(client, "target", 4))[0].startswith("Please enter a correct")


def test_unknown_usernames_lock_the_same_way(client, db):
    assert error_summary(fail(client, "nobody", 5)) == [LOCKED]


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)  # django-otp's own slow-down, off here
def test_wrong_codes_count_towards_the_lockout(client, enrolled_user):
    user, device = enrolled_user
    sign_in(client, "jo.app")
    for _ in range(4):
        enter_code(client, "000000")
    assert error_summary(enter_code(client, "000000")) == [LOCKED]
    # Now even the right code is not checked, and the password is refused too.
    assert error_summary(enter_code(client, code(device.bin_key))) == [LOCKED]
    client.post(reverse("logout"))
    assert error_summary(sign_in(client, "jo.app")) == [LOCKED]
    assert sign_in(client, "jo.app", address=OTHER_ADDRESS).status_code == 302
    assert actions(user).count("mfa_failed") == 5


def test_the_admin_sign_in_is_behind_the_lockout_too(client, db):
    f.PractitionerFactory(username="boss", is_staff=True)
    fail(client, "boss", 5)
    response = client.post(
        "/admin/login/", {"username": "boss", "password": PASSWORD}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 200  # the form again, not signed in
    assert "_auth_user_id" not in client.session
