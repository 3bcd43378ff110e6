"""Sign-in, sign-out and the dashboard."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.views.decorators.http import require_GET

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.cases.selectors import my_children
from threadline.sharing.routes import PUBLIC, SIGNED_IN, requires


class SignInView(auth_views.LoginView):
    """Django's sign-in, with every success and failure on the audit trail."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        record_event(actor=self.request.user, action=AuditAction.SIGN_IN,
                     summary="Signed in", request=self.request)
        return response

    def form_invalid(self, form):
        username = form.data.get("username", "")[:150]
        record_event(actor=None, action=AuditAction.SIGN_IN_FAILED,
                     actor_label=username or "(blank)",
                     summary="Failed sign-in", request=self.request)
        return super().form_invalid(form)


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            record_event(actor=request.user, action=AuditAction.SIGN_OUT,
                         summary="Signed out", request=request)
        return super().post(request, *args, **kwargs)


sign_in = requires(PUBLIC)(SignInView.as_view())
sign_out = requires(PUBLIC)(SignOutView.as_view())


@require_GET
@requires(SIGNED_IN)
def dashboard(request):
    cases = list(my_children(request.user))
    return render(request, "web/dashboard.html", {"cases": cases})
