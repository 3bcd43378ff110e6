"""Re-authentication before sensitive actions (break-glass, exports): the user enters
their password again, and a security code if they have an authenticator app.

    if not reauthenticated_recently(request):
        return redirect(reauthentication_url(request))

or decorate a GET view with `@reauthentication_required()`. After a POST the form's
data is gone, so send the user back to the page that shows the form (pass `next_url`).
"""

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from threadline.sharing.routes import SIGNED_IN, requires

from . import services
from .forms import ReauthenticateForm
from .views import safe_next_url

REAUTHENTICATED_AT = "threadline_reauthenticated_at"  # session key


def reauthenticated_recently(request, minutes: int = 5) -> bool:
    """Whether this session's user confirmed their identity in the last `minutes`."""
    at = request.session.get(REAUTHENTICATED_AT)
    return isinstance(at, int | float) and 0 <= time.time() - at <= minutes * 60


def reauthentication_url(request, next_url: str | None = None) -> str:
    """The re-authentication page, coming back to `next_url` (default: this page)."""
    return f"{reverse('reauthenticate')}?{urlencode({'next': next_url or request.get_full_path()})}"


def reauthentication_required(minutes: int = 5) -> Callable:
    """Send the user to re-authenticate first unless they did in the last `minutes`."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not reauthenticated_recently(request, minutes):
                return redirect(reauthentication_url(request))
            return view(request, *args, **kwargs)

        return checked

    return decorate


@require_http_methods(["GET", "POST"])
@requires(SIGNED_IN)
def reauthenticate(request):
    with_code = services.confirmed_device(request.user) is not None
    form = ReauthenticateForm(request.POST or None, with_code=with_code)
    if request.method == "POST" and form.is_valid():
        try:
            services.reauthenticate(
                request=request,
                password=form.cleaned_data["password"],
                code=form.cleaned_data.get("code"),
            )
        except services.SignInRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            request.session[REAUTHENTICATED_AT] = time.time()
            return redirect(safe_next_url(request))
    return render(request, "web/reauthenticate.html", {"form": form, "with_code": with_code})
