"""Who may reach a page: a signed-in user, whose session is not too old, who has
entered a code from their authenticator app where they need one."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event

from . import services

SIGNED_IN_AT = "threadline_signed_in_at"  # session key: when the password was accepted


def before_second_factor(view):
    """Mark a view a signed-in user may reach before entering their security code."""
    view.before_second_factor = True
    return view


def second_factor_url(step: services.SecondFactorStep, next_url: str) -> str:
    name = "mfa-verify" if step == "verify" else "mfa-enrol"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


RENEWED_AT = "threadline_renewed_at"  # session key: when the idle limit was last renewed
RENEW_EVERY_SECONDS = 60


def renew_idle_limit(get_response):
    """A signed-in session's idle limit (the cookie's age) is renewed by saving it, at
    most once a minute rather than on every request: each save is a database write and
    its own commit on every page and API call. So a session ends between 29 and 30 idle
    minutes after its last request. Runs inside SessionMiddleware, which saves a session
    marked modified."""

    def middleware(request):
        response = get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.get(SIGNED_IN_AT) is not None:
            renewed = session.get(RENEWED_AT)
            now = time.time()
            if not isinstance(renewed, int | float) or now - renewed >= RENEW_EVERY_SECONDS:
                session[RENEWED_AT] = now
        return response

    return middleware


def stamp_sign_in_time(sender, request, user, **kwargs) -> None:
    """On `user_logged_in`, whatever signed them in: the start of the absolute limit."""
    request.session[SIGNED_IN_AT] = time.time()


def session_too_old(request) -> bool:
    signed_in_at = request.session.get(SIGNED_IN_AT)
    limit = settings.SESSION_ABSOLUTE_HOURS * 3600
    return not isinstance(signed_in_at, int | float) or time.time() - signed_in_at > limit


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in user, except those marked `login_not_required`.

    - A session ends SESSION_ABSOLUTE_HOURS after sign-in, however active (the idle
      limit is the session cookie's age, renewed on each request).
    - A user who still has to enter a security code, or set up an app, is sent there
      from every page but the public ones and the code pages themselves.
    - The API authenticates itself and answers 401/403 in JSON rather than redirecting;
      a session that is too old or not yet verified counts as no session there (agency
      systems use tokens, which need no second factor).
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        api = request.path_info.startswith("/api/")
        user = request.user
        if user.is_authenticated:
            if session_too_old(request):
                record_event(
                    actor=user,
                    action=AuditAction.SIGN_OUT,
                    request=request,
                    summary=f"Signed out: more than {settings.SESSION_ABSOLUTE_HOURS}"
                    " hours since sign-in",
                )
                logout(request)
                if not api:
                    messages.info(
                        request,
                        "For your security, you are signed out "
                        f"{settings.SESSION_ABSOLUTE_HOURS} hours after "
                        "signing in. Sign in again to carry on.",
                    )
            else:
                step = services.second_factor_step(user)
                if step is not None and api:
                    request.user = AnonymousUser()  # DRF's API views are all login_not_required
                elif step is not None and not (
                    getattr(view_func, "before_second_factor", False)
                    or not getattr(view_func, "login_required", True)
                ):
                    return redirect(second_factor_url(step, request.get_full_path()))
        if api:
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
