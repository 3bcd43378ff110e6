"""Sign-in services: the lockout of a (username, address) pair, and the second factor
(TOTP through django-otp). The only writers of sign-in attempts and TOTP devices; each
success and failure is on the audit trail."""

import time
from base64 import b32encode
from binascii import unhexlify
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import client_ip, record_event

from .models import AttemptKind, SignInAttempt

SecondFactorStep = Literal["verify", "enrol"]
WRONG_CODE = "The security code is not correct: enter the code your app shows now"
TOO_SOON = "Wait a few seconds, then enter the code your app shows now"
WRONG_PASSWORD = "The password is not correct"  # noqa: S105 (a message, not a password)
DEVICE_NAME = "Authenticator app"


class SignInRefused(Exception):
    """A password or code was refused; `message` is for the person signing in and
    `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


# --- Lockout by username and address together ---------------------------------------


def locked_out_message() -> str:
    return f"Too many attempts. Wait {settings.LOCKOUT_MINUTES} minutes, then try again."


def _window_start():
    return timezone.now() - timedelta(minutes=settings.LOCKOUT_MINUTES)


def is_locked_out(*, username: str, ip: str | None) -> bool:
    return SignInAttempt.objects.filter(
        username=username, ip_address=ip, kind=AttemptKind.LOCKED, at__gt=_window_start()
    ).exists()


@transaction.atomic
def record_failed_attempt(*, username: str, request) -> bool:
    """Count a wrong password or code for this username from this address; the
    LOCKOUT_ATTEMPTS-th within LOCKOUT_MINUTES locks the pair out (audited). Returns
    whether it did. Only this pair is locked: the same user elsewhere is not."""
    ip, since = client_ip(request), _window_start()
    SignInAttempt.objects.filter(at__lte=since).delete()  # nothing older matters
    SignInAttempt.objects.create(username=username, ip_address=ip, kind=AttemptKind.FAILED)
    pair = SignInAttempt.objects.filter(username=username, ip_address=ip)
    if pair.filter(kind=AttemptKind.FAILED).count() < settings.LOCKOUT_ATTEMPTS:
        return False
    pair.filter(kind=AttemptKind.FAILED).delete()
    SignInAttempt.objects.create(username=username, ip_address=ip, kind=AttemptKind.LOCKED)
    record_event(
        actor=None,
        action=AuditAction.LOCKED_OUT,
        actor_label=username,
        request=request,
        summary=f"Locked out for {settings.LOCKOUT_MINUTES} minutes after "
        f"{settings.LOCKOUT_ATTEMPTS} failed attempts from this address",
    )
    return True


def clear_failed_attempts(*, username: str, request) -> None:
    """A complete sign-in (password and, where needed, code) starts the count again."""
    SignInAttempt.objects.filter(
        username=username, ip_address=client_ip(request), kind=AttemptKind.FAILED
    ).delete()


def refuse_if_locked_out(*, user: Practitioner, request, doing: str) -> None:
    if is_locked_out(username=user.get_username(), ip=client_ip(request)):
        record_event(
            actor=user,
            action=AuditAction.LOCKED_OUT,
            request=request,
            summary=f"{doing} refused: too many failed attempts from this address",
        )
        raise SignInRefused(locked_out_message())


def _count_failure(*, user: Practitioner, request, field: str, message: str):
    locked = record_failed_attempt(username=user.get_username(), request=request)
    return SignInRefused(locked_out_message() if locked else message, field)


# --- The second factor ----------------------------------------------------------------


def mfa_required_for(user: Practitioner) -> bool:
    """Everyone needs a second factor while MFA_REQUIRED is on (production cannot turn
    it off); the demo's `mfa_exempt` accounts do not, except in production."""
    if not settings.MFA_REQUIRED:
        return False
    return settings.PRODUCTION or not user.mfa_exempt


def confirmed_device(user: Practitioner) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("created_at").first()


def second_factor_step(user) -> SecondFactorStep | None:
    """What a signed-in user still has to do before using Threadline: enter a code from
    their app ("verify"), set an app up ("enrol"), or nothing. Anyone with an app must
    use it, exempt or not."""
    is_verified = getattr(user, "is_verified", None)  # set by django-otp's middleware
    if is_verified is not None and is_verified():
        return None
    if confirmed_device(user) is not None:
        return "verify"
    return "enrol" if mfa_required_for(user) else None


def new_enrolment_key() -> str:
    """A fresh TOTP secret (hex), kept in the session until the user confirms it, so
    showing the set-up page writes nothing."""
    return default_key()


def secret_for_people(key_hex: str) -> str:
    """The secret as an authenticator app asks for it: base32, in groups of four."""
    text = b32encode(unhexlify(key_hex)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(user: Practitioner, key_hex: str) -> str:
    """The otpauth:// address the QR code carries (django-otp's own format)."""
    return TOTPDevice(user=user, key=key_hex).config_url


def _signed_in_with(request, device: TOTPDevice) -> None:
    otp_login(request, device)
    request.session.cycle_key()  # a new session id for the now fully signed-in user
    clear_failed_attempts(username=request.user.get_username(), request=request)


def _check_code(*, request, device: TOTPDevice, code: str, doing: str) -> None:
    user = request.user
    allowed, _ = device.verify_is_allowed()  # django-otp slows repeated wrong codes
    if not allowed:
        record_event(
            actor=user,
            action=AuditAction.MFA_FAILED,
            request=request,
            summary=f"{doing}: code not checked, too soon after a wrong one",
        )
        raise SignInRefused(TOO_SOON, "code")
    if not device.verify_token(code):
        record_event(
            actor=user,
            action=AuditAction.MFA_FAILED,
            request=request,
            summary=f"{doing}: wrong security code",
        )
        raise _count_failure(user=user, request=request, field="code", message=WRONG_CODE)


def verify_second_factor(*, request, device: TOTPDevice, code: str) -> None:
    """Check the code from the user's app; on success the session is verified."""
    user = request.user
    refuse_if_locked_out(user=user, request=request, doing="Sign-in")
    _check_code(request=request, device=device, code=code, doing="Sign-in")
    _signed_in_with(request, device)
    record_event(
        actor=user,
        action=AuditAction.MFA_VERIFIED,
        request=request,
        summary="Signed in with a security code from an authenticator app",
    )


def confirm_enrolment(*, request, key_hex: str, code: str) -> TOTPDevice:
    """Save the user's authenticator app once they have entered a code it made from
    `key_hex`; that also verifies this session."""
    user = request.user
    refuse_if_locked_out(user=user, request=request, doing="Authenticator set-up")
    totp = TOTP(unhexlify(key_hex))
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=1):
        record_event(
            actor=user,
            action=AuditAction.MFA_FAILED,
            request=request,
            summary="Authenticator set-up: wrong security code",
        )
        raise _count_failure(user=user, request=request, field="code", message=WRONG_CODE)
    with transaction.atomic():
        if confirmed_device(user) is not None:  # set up meanwhile, in another tab
            raise SignInRefused("An authenticator app is already set up: sign in again")
        device = TOTPDevice(
            user=user,
            name=DEVICE_NAME,
            key=key_hex,
            confirmed=True,
            drift=totp.drift,
            last_t=totp.t(),
        )
        device.full_clean()
        device.save()
        record_event(
            actor=user,
            action=AuditAction.MFA_ENROLLED,
            target=user,
            request=request,
            summary="Set up an authenticator app for sign-in",
        )
    _signed_in_with(request, device)
    return device


def reauthenticate(*, request, password: str, code: str | None) -> None:
    """Check the signed-in user's password again, and their code if they have an app,
    before a sensitive action. Failures count towards the lockout."""
    user = request.user
    refuse_if_locked_out(user=user, request=request, doing="Re-authentication")
    checked = authenticate(request, username=user.get_username(), password=password)
    if checked is None or checked.pk != user.pk:  # the backend has counted the failure
        record_event(
            actor=user,
            action=AuditAction.SIGN_IN_FAILED,
            request=request,
            summary="Failed re-authentication: wrong password",
        )
        locked = is_locked_out(username=user.get_username(), ip=client_ip(request))
        raise SignInRefused(locked_out_message() if locked else WRONG_PASSWORD, "password")
    device = confirmed_device(user)
    if device is not None:
        _check_code(request=request, device=device, code=code or "", doing="Re-authentication")
    record_event(
        actor=user,
        action=AuditAction.REAUTHENTICATED,
        request=request,
        summary="Confirmed their identity with their password"
        + (" and a security code" if device is not None else ""),
    )
