"""Risk pages: thin views — form → one service call → redirect. The routes fetch the
risk through the policy (`@requires(VIEW_RISK)`: 404 if the actor may not read it) and
let only its agency change it (`CHANGE_RISK`, `SIGN_OFF_RISK`: 403)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.people.models import Person
from threadline.sharing.policy import can_change_risk, can_sign_off_risks
from threadline.sharing.routes import (
    CHANGE_RISK,
    CONTRIBUTE,
    SIGN_OFF_RISK,
    VIEW_PERSON,
    VIEW_RISK,
    requires,
)
from threadline.web.pages import posted, save_form

from . import selectors, services
from .forms import CloseForm, ReviewForm, RiskForm
from .models import RiskFactor


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def risk_create(request, person: Person):
    form = RiskForm(posted(request), agency=request.user.agency)
    saved = save_form(
        request,
        form,
        lambda data: services.record_risk(
            actor=request.user, subject=person, request=request, **data
        ),
        done=lambda risk: f"Risk recorded about {person.full_name}: {risk.factor.label}",
        then=lambda risk: risk.get_absolute_url(),
    )
    return saved or render(request, "risks/risk_form.html", {"form": form, "person": person})


@require_GET
@requires(VIEW_RISK)
def risk_detail(request, risk: RiskFactor):
    return _detail_page(request, risk)


@require_GET
@requires(VIEW_PERSON)
def child_risk_detail(request, person: Person, risk_id):
    """A risk from a child's banner: readable because it touches the child, even when
    the viewer may not open the page of the person it is about."""
    risk = selectors.get_touching_risk_for(request.user, person, risk_id)
    record_event(
        actor=request.user,
        action=AuditAction.VIEW,
        target=risk,
        child=person,
        summary=f"Viewed a risk touching {person.full_name}: {risk.factor.label}",
        request=request,
    )
    return _detail_page(request, risk)


def _detail_page(request, risk: RiskFactor):
    mine = can_change_risk(request.user, risk)
    return render(
        request,
        "risks/risk_detail.html",
        {
            "risk": risk,
            "reviews": list(risk.reviews.select_related("reviewed_by")),
            "can_change": mine and risk.is_open,
            "can_sign_off": mine and risk.awaits_sign_off and can_sign_off_risks(request.user),
        },
    )


def _still_open(request, risk: RiskFactor):
    """A redirect back to a closed risk, which can no longer be reviewed or closed."""
    if risk.is_open:
        return None
    messages.info(request, "This risk is closed; it stays in the history")
    return redirect(risk.get_absolute_url())


@require_http_methods(["GET", "POST"])
@requires(CHANGE_RISK)
def risk_review(request, risk: RiskFactor):
    closed = _still_open(request, risk)
    if closed:
        return closed
    form = ReviewForm(posted(request))
    saved = save_form(
        request,
        form,
        lambda data: services.review_risk(actor=request.user, risk=risk, request=request, **data),
        done=lambda review: (
            f"Review recorded; the next review is due on {review.next_review_date:%-d %B %Y}"
        ),
        then=risk.get_absolute_url(),
    )
    return saved or render(request, "risks/risk_review.html", {"form": form, "risk": risk})


@require_http_methods(["GET", "POST"])
@requires(CHANGE_RISK)
def risk_close(request, risk: RiskFactor):
    closed = _still_open(request, risk)
    if closed:
        return closed
    if risk.awaits_sign_off:
        messages.info(request, "Closing this risk is already waiting for a manager's sign-off")
        return redirect(risk.get_absolute_url())
    form = CloseForm(posted(request))
    saved = save_form(
        request,
        form,
        lambda data: services.close_risk(
            actor=request.user, risk=risk, rationale=data["rationale"], request=request
        ),
        done=lambda risk: (
            "Risk closed"
            if not risk.is_open
            else f"Closure asked for: a manager of {risk.source_agency.name} has been asked to "
            "sign it off"
        ),
        then=risk.get_absolute_url(),
    )
    return saved or render(
        request,
        "risks/risk_close.html",
        {"form": form, "risk": risk, "signs_off": can_sign_off_risks(request.user)},
    )


@require_POST
@requires(SIGN_OFF_RISK)
def risk_sign_off(request, risk: RiskFactor):
    try:
        services.sign_off_closure(actor=request.user, risk=risk, request=request)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, "Closure signed off: the risk is closed")
    return redirect(risk.get_absolute_url())
