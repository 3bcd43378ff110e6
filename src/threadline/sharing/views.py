"""Sharing agreements, access requests and break-glass: thin views over services.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.people.models import Person
from threadline.web.pages import save_form
from threadline.web.reauth import reauthenticated_recently, reauthentication_url

from . import policy, selectors, services
from .forms import (
    AccessRequestForm,
    AgreementForm,
    BreakGlassForm,
    DecisionForm,
    EndAgreementForm,
    ReviewForm,
)
from .models import AccessRequest, AccessRequestStatus, BreakGlass, SharingAgreement
from .routes import ADMINISTER, SAFEGUARDING_LEAD, SIGNED_IN, VIEW_PERSON, requires


def _form_page(request, form, *, heading: str, caption: str = "", back: str = "", submit="Save"):
    return render(
        request,
        "sharing/form_page.html",
        {"form": form, "heading": heading, "caption": caption, "back": back, "submit": submit},
    )


@require_GET
@requires(SIGNED_IN)
def agreement_list(request):
    """Every agreement is public to signed-in staff: who shares what is not case data."""
    agreements = SharingAgreement.objects.select_related("provider", "recipient").prefetch_related(
        "categories"
    )
    return render(request, "sharing/agreement_list.html", {"agreements": agreements})


@require_http_methods(["GET", "POST"])
@requires(ADMINISTER)
def agreement_create(request):
    form = AgreementForm(request.POST or None)
    saved = save_form(
        request,
        form,
        lambda data: services.create_agreement(actor=request.user, request=request, **data),
        done="Sharing agreement recorded",
        then=reverse("agreement-list"),
    )
    return saved or _form_page(
        request, form, heading="Record a sharing agreement", submit="Record agreement"
    )


@require_http_methods(["GET", "POST"])
@requires(ADMINISTER)
def agreement_end(request, agreement_id):
    agreement = get_object_or_404(SharingAgreement, pk=agreement_id)
    form = EndAgreementForm(request.POST or None)
    saved = save_form(
        request,
        form,
        lambda data: services.end_agreement(
            actor=request.user, agreement=agreement, request=request, **data
        ),
        done=lambda ended: f"{ended.title} now ends {ended.to_date:%d %B %Y}",
        then=reverse("agreement-list"),
    )
    return saved or _form_page(
        request,
        form,
        heading="End a sharing agreement",
        caption=agreement.title,
        submit="End agreement",
    )


@require_http_methods(["GET", "POST"])
@requires(VIEW_PERSON)
def access_request_create(request, person: Person):
    form = AccessRequestForm(request.POST or None, actor=request.user)
    saved = save_form(
        request,
        form,
        lambda data: services.request_access(
            actor=request.user, child=person, request=request, **data
        ),
        done="Your request has been sent to the agency's safeguarding lead",
        then=reverse("access-requests"),
    )
    return saved or _form_page(
        request,
        form,
        heading="Ask an agency for access",
        caption=person.full_name,
        back=person.get_absolute_url(),
        submit="Send request",
    )


@require_GET
@requires(SIGNED_IN)
def access_requests(request):
    actor = request.user
    visible = selectors.access_requests_visible_to(actor).select_related(
        "child", "provider", "requester__agency"
    )
    mine = visible.filter(requester=actor)
    to_decide = visible.exclude(requester=actor).filter(
        provider_id=actor.agency_id, status=AccessRequestStatus.PENDING
    )
    record_event(
        actor=actor, action=AuditAction.SEARCH, summary="Listed access requests", request=request
    )
    return render(request, "sharing/access_requests.html", {"mine": mine, "to_decide": to_decide})


@require_http_methods(["GET", "POST"])
@requires(SAFEGUARDING_LEAD)
def access_request_decide(request, request_id):
    access = get_object_or_404(
        AccessRequest.objects.select_related("child", "requester__agency", "provider"),
        pk=request_id,
        provider_id=request.user.agency_id,
    )
    form = DecisionForm(request.POST or None)
    if request.method == "GET":
        record_event(
            actor=request.user,
            action=AuditAction.VIEW,
            target=access,
            child=access.child,
            summary="Opened an access request to decide",
            request=request,
        )
    saved = save_form(
        request,
        form,
        lambda data: services.decide_access_request(
            actor=request.user,
            access=access,
            approve=data["decision"] == "approve",
            reason=data["decision_reason"],
            expires_on=data["expires_on"],
            request=request,
        ),
        done="Decision recorded; the requester has been told",
        then=reverse("access-requests"),
    )
    return saved or render(
        request, "sharing/access_request_decide.html", {"form": form, "access": access}
    )


@require_http_methods(["GET", "POST"])
@requires(SIGNED_IN)
def break_glass(request):
    # Re-authenticate first (password, and a code for app users), on showing the form and
    # again on submitting it; the user comes back to an empty form.
    if not reauthenticated_recently(request):
        return redirect(reauthentication_url(request, next_url=reverse("break-glass")))
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = policy.find_for_break_glass(
            nhs_number=data["nhs_number"], name=data["name"], date_of_birth=data["date_of_birth"]
        )
        if person is None:
            record_event(
                actor=request.user,
                action=AuditAction.DENIED,
                summary="Break-glass: no single matching record",
                purpose=data["reason"],
                request=request,
            )
            form.add_error(
                None,
                "No single record matches. Check the details, or call the "
                "children's social care front door.",
            )
        else:
            try:
                services.break_glass(
                    actor=request.user, person=person, reason=data["reason"], request=request
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.warning(
                    request,
                    "Emergency access for 60 minutes. The agency that "
                    "holds this record has been alerted.",
                )
                return redirect(person.get_absolute_url())
    return render(request, "sharing/break_glass.html", {"form": form})


@require_GET
@requires(SAFEGUARDING_LEAD)
def break_glass_review(request):
    """Break-glass uses of records this lead's agency holds, newest first."""
    held = Q(
        person__cases__closed_on__isnull=True,
        person__cases__local_authority_id=request.user.agency_id,
    ) | Q(person__recorded_by_agency_id=request.user.agency_id)
    uses = (
        BreakGlass.objects.filter(held)
        .distinct()
        .select_related("actor__agency", "person", "reviewed_by")
    )
    record_event(
        actor=request.user,
        action=AuditAction.SEARCH,
        summary="Listed break-glass uses for review",
        request=request,
    )
    return render(request, "sharing/break_glass_review.html", {"uses": uses})


@require_http_methods(["GET", "POST"])
@requires(SAFEGUARDING_LEAD)
def break_glass_review_one(request, glass_id):
    glass = get_object_or_404(
        BreakGlass.objects.select_related("actor__agency", "person"), pk=glass_id
    )
    form = ReviewForm(request.POST or None)
    if request.method == "GET":
        record_event(
            actor=request.user,
            action=AuditAction.VIEW,
            target=glass,
            child=glass.person,
            summary="Opened a break-glass use to review",
            request=request,
        )
    saved = save_form(
        request,
        form,
        lambda data: services.review_break_glass(
            actor=request.user, glass=glass, request=request, note=data["review_note"]
        ),
        done="Review recorded",
        then=reverse("break-glass-review"),
    )
    return saved or _form_page(
        request,
        form,
        heading="Review emergency access",
        caption=f"{glass.actor} ({glass.actor.agency}) opened {glass.person.full_name} "
        f"on {glass.created_at:%d %b %Y %H:%M}: “{glass.reason}”",
        back=reverse("break-glass-review"),
        submit="Record review",
    )
