"""Sign-in (password, then the second factor), sign-out and the dashboard."""

from base64 import b64encode

import qrcode
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from qrcode.image.svg import SvgPathImage

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.cases.selectors import my_children
from threadline.risks.selectors import awaiting_sign_off, overdue_reviews
from threadline.sharing.routes import PUBLIC, SIGNED_IN, requires
from threadline.timescales import selectors as tasks

from . import services
from .forms import CodeForm, SignInForm
from .middleware import before_second_factor, second_factor_url

ENROLMENT_KEY = "threadline_mfa_enrolment_key"  # the secret shown until it is confirmed


def safe_next_url(request, fallback: str = settings.LOGIN_REDIRECT_URL) -> str:
    """The `next` parameter if it points into this site, else `fallback`."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(fallback)


class SignInView(auth_views.LoginView):
    """Django's sign-in behind the lockout, with every success and failure on the audit
    trail. A correct password signs the user in unverified; until they enter a code from
    their authenticator app (or set one up), the middleware lets them nowhere else."""

    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        step = services.second_factor_step(user)
        if step is None:
            services.clear_failed_attempts(username=user.get_username(), request=self.request)
            record_event(
                actor=user, action=AuditAction.SIGN_IN, summary="Signed in", request=self.request
            )
            return response
        record_event(
            actor=user,
            action=AuditAction.SIGN_IN,
            request=self.request,
            summary="Password accepted; a security code is needed next",
        )
        return redirect(second_factor_url(step, response.url))

    def form_invalid(self, form):
        username = form.data.get("username", "")[:150]
        if form.refused:
            record_event(
                actor=None,
                action=AuditAction.LOCKED_OUT,
                actor_label=username,
                request=self.request,
                summary="Sign-in refused without checking the password: "
                "too many failed attempts from this address",
            )
        else:
            record_event(
                actor=None,
                action=AuditAction.SIGN_IN_FAILED,
                actor_label=username or "(blank)",
                summary="Failed sign-in",
                request=self.request,
            )
        return super().form_invalid(form)


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            record_event(
                actor=request.user,
                action=AuditAction.SIGN_OUT,
                summary="Signed out",
                request=request,
            )
        return super().post(request, *args, **kwargs)


sign_in = requires(PUBLIC)(SignInView.as_view())
sign_out = requires(PUBLIC)(SignOutView.as_view())


@require_http_methods(["GET", "POST"])
@before_second_factor
@requires(SIGNED_IN)
def mfa_verify(request):
    next_url = safe_next_url(request)
    if services.second_factor_step(request.user) != "verify":
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_second_factor(
                request=request,
                device=services.confirmed_device(request.user),
                code=form.cleaned_data["code"],
            )
        except services.SignInRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            return redirect(next_url)
    return render(request, "web/mfa_verify.html", {"form": form})


@require_http_methods(["GET", "POST"])
@before_second_factor
@requires(SIGNED_IN)
def mfa_enrol(request):
    next_url = safe_next_url(request)
    if services.second_factor_step(request.user) != "enrol":
        return redirect(next_url)
    key = request.session.get(ENROLMENT_KEY)
    if key is None:
        key = request.session[ENROLMENT_KEY] = services.new_enrolment_key()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_enrolment(request=request, key_hex=key, code=form.cleaned_data["code"])
        except services.SignInRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            del request.session[ENROLMENT_KEY]
            messages.success(
                request,
                "Your authenticator app is set up. You will need a code "
                "from it each time you sign in.",
            )
            return redirect(next_url)
    return render(
        request,
        "web/mfa_enrol.html",
        {
            "form": form,
            "qr_code": qr_code_data_uri(services.provisioning_uri(request.user, key)),
            "secret": services.secret_for_people(key),
        },
    )


def qr_code_data_uri(text: str) -> str:
    """A QR code as an SVG data: address for an <img>: no request leaves the page, and
    the Content-Security-Policy allows data: images but no inline styles."""
    svg = qrcode.make(text, image_factory=SvgPathImage).to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + b64encode(svg.encode()).decode()


@require_GET
@requires(SIGNED_IN)
def dashboard(request):
    cases = list(my_children(request.user))
    my_tasks, team_overdue = tasks.dashboard_tasks(request.user)
    record_event(
        actor=request.user,
        action=AuditAction.SEARCH,
        summary=f"Listed my children ({len(cases)}) and my tasks ({len(my_tasks)})"
        + ("" if team_overdue is None else f" and my team's overdue tasks ({len(team_overdue)})"),
        request=request,
    )
    return render(
        request,
        "web/dashboard.html",
        {
            "cases": cases,
            "my_tasks": my_tasks,
            "team_overdue": team_overdue,
            "overdue_reviews": list(overdue_reviews(request.user)),
            "awaiting_sign_off": list(awaiting_sign_off(request.user)),
        },
    )
