"""Break-glass through the API: the caller names a person they cannot normally see, gives
the emergency and re-enters their password (re-authentication)."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from threadline.common.models import IdempotencyRecord
from threadline.sharing.models import BreakGlass
from threadline.web.models import SignInAttempt

from ..factories import PractitionerFactory
from .helpers import assert_error, audit_count

PASSWORD = settings.DEMO_PASSWORD
REASON = "Riley brought to A&E unconscious; mother cannot say who is involved"


def glass_url(person_id) -> str:
    return f"/api/v1/people/{person_id}/break-glass/"


def person_url(person) -> str:
    return f"/api/v1/people/{person.pk}/"


def break_glass(client, person_id, **change):
    return client.post(
        glass_url(person_id), {"reason": REASON, "password": PASSWORD} | change, format="json"
    )


def test_break_glass_opens_the_record_for_an_hour_and_alerts_the_owner(
    world, api_client_for, django_capture_on_commit_callbacks
):
    client = api_client_for(world.outsider)
    assert_error(client.get(person_url(world.child)), 404, "not_found")
    with django_capture_on_commit_callbacks(execute=True):
        response = break_glass(client, world.child.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "person", "expires_at"}
    assert body["person"]["full_name"] == "Riley Marsh"
    glass = BreakGlass.objects.get(pk=body["id"])
    assert (glass.actor, glass.person, glass.reason) == (world.outsider, world.child, REASON)
    assert dt.timedelta(minutes=59) < glass.expires_at - timezone.now() <= dt.timedelta(minutes=60)
    assert mail.outbox[-1].to == [world.safeguarding_lead.email]
    assert audit_count(action="reauthenticated", actor=world.outsider) == 1
    assert (
        audit_count(
            action="break_glass", actor=world.outsider, child_id=world.child.pk, purpose=REASON
        )
        == 1
    )

    assert client.get(person_url(world.child)).status_code == 200
    BreakGlass.objects.filter(pk=glass.pk).update(expires_at=timezone.now())
    assert_error(client.get(person_url(world.child)), 404, "not_found")


def test_a_wrong_password_is_refused_and_counts_towards_the_lockout(world, api_client_for):
    client = api_client_for(world.outsider)
    response = break_glass(client, world.child.pk, password="not-my-password")
    body = assert_error(response, 403, "reauthentication_failed")
    assert body["message"] == "The password is not correct"
    assert not BreakGlass.objects.exists()
    assert audit_count(action="sign_in_failed", actor=world.outsider) == 1
    assert SignInAttempt.objects.filter(username="outsider").count() == 1
    assert_error(client.get(person_url(world.child)), 404, "not_found")


def test_after_repeated_wrong_passwords_even_the_right_one_is_refused(world, api_client_for):
    client = api_client_for(world.outsider)
    for _ in range(settings.LOCKOUT_ATTEMPTS):
        break_glass(client, world.child.pk, password="guess")
    body = assert_error(break_glass(client, world.child.pk), 403, "reauthentication_failed")
    assert body["message"].startswith("Too many attempts")
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"reason": ""}, "reason_required", "reason"),
        ({"reason": "   "}, "reason_required", "reason"),
        ({"reason": "Urgent"}, "reason_required", "reason"),  # under 10 characters
        ({"reason": None}, "reason_required", "reason"),
        ({"reason": ["Urgent", "help"]}, "invalid", "reason"),
        ({"password": ""}, "blank", "password"),
        ({"password": 1234}, "invalid", "password"),
    ],
)
def test_bad_input_is_refused_before_the_password_is_checked(
    world, api_client_for, change, code, field
):
    response = break_glass(api_client_for(world.outsider), world.child.pk, **change)
    assert_error(response, 400, code, field)
    assert not BreakGlass.objects.exists()
    # A malformed request costs no sign-in attempt.
    assert not SignInAttempt.objects.exists()
    assert audit_count(action="sign_in_failed") == 0


@pytest.mark.parametrize(
    ("missing", "code"), [("reason", "reason_required"), ("password", "required")]
)
def test_missing_fields_are_named(world, api_client_for, missing, code):
    payload = {"reason": REASON, "password": PASSWORD}
    del payload[missing]
    response = api_client_for(world.outsider).post(
        glass_url(world.child.pk), payload, format="json"
    )
    assert_error(response, 400, code, missing)


def test_an_unknown_person_is_404_and_audited(world, api_client_for):
    missing = "00000000-0000-0000-0000-000000000000"
    assert_error(break_glass(api_client_for(world.outsider), missing), 404, "not_found")
    assert audit_count(action="denied", actor=world.outsider, purpose=REASON) == 1
    assert not BreakGlass.objects.exists()
    assert_error(break_glass(api_client_for(world.outsider), "riley"), 404, "not_found")


def test_an_administrator_cannot_break_glass(world, api_client_for):
    response = break_glass(api_client_for(world.administrator), world.child.pk)
    assert_error(response, 403, "forbidden")
    assert not BreakGlass.objects.exists()


def test_an_agency_systems_token_alone_cannot_break_glass(world):
    """A system account has a token and no password, so it can never re-authenticate:
    break-glass needs a person (session, or their token) who re-enters their password."""
    system = PractitionerFactory(username="far-police-rms", agency=world.outsider_agency)
    system.set_unusable_password()
    system.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=system).key}")
    for password in ("", "anything", PASSWORD):
        response = break_glass(client, world.child.pk, password=password or "x")
        body = assert_error(response, 403, "reauthentication_failed")
        assert "no password" in body["message"]
    assert not BreakGlass.objects.exists()
    assert not SignInAttempt.objects.exists()


def test_a_signed_in_browser_session_breaks_glass_with_the_password(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.outsider)
    client.get("/")  # a page with a form (sign-out) sets the CSRF cookie, as in Swagger UI
    assert_error(break_glass(client, world.child.pk), 403, "permission_denied")  # no token
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    wrong = break_glass(client, world.child.pk, password="nope")
    assert_error(wrong, 403, "reauthentication_failed")
    response = break_glass(client, world.child.pk)
    assert response.status_code == 201, response.content


def test_people_with_an_authenticator_app_also_give_a_code(world, api_client_for):
    device = TOTPDevice.objects.create(
        user=world.outsider, name="Authenticator app", confirmed=True
    )
    client = api_client_for(world.outsider)
    response = break_glass(client, world.child.pk, code=f"{totp(device.bin_key):06d}")
    assert response.status_code == 201, response.content
    body = assert_error(break_glass(client, world.child.pk), 403, "reauthentication_failed")
    assert "security code" in body["message"]
    assert BreakGlass.objects.count() == 1


def test_the_password_never_reaches_the_idempotency_store(world, api_client_for):
    """Break-glass takes no Idempotency-Key: the key's fingerprint is a fast hash of the
    body, which here holds the password. A repeat is a second, audited use."""
    client = api_client_for(world.outsider)
    for _ in range(2):
        response = client.post(
            glass_url(world.child.pk),
            {"reason": REASON, "password": PASSWORD},
            format="json",
            HTTP_IDEMPOTENCY_KEY="glass-1",
        )
        assert response.status_code == 201
    assert not IdempotencyRecord.objects.exists()
    assert BreakGlass.objects.count() == 2
