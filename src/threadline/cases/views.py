"""Case pages: open a case, manage the network, allocation and lead professional."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from threadline.people.models import Person
from threadline.sharing.routes import MANAGE_CASE, OPEN_CASE, requires
from threadline.web.pages import save_form

from . import services
from .forms import AllocationForm, InvolvementEndForm, InvolvementForm, LeadProfessionalForm
from .models import Case


@require_POST
@requires(OPEN_CASE)
def case_open(request, person: Person):
    try:
        case = services.open_case(actor=request.user, child=person, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Case {case.reference} opened")
    return redirect("person-detail", person_id=person.pk)


def _case_form_page(request, case: Case, form, heading: str, save, done: str):
    saved = save_form(request, form, save, done=done, then=case.child.get_absolute_url())
    return saved or render(
        request,
        "cases/case_form.html",
        {"form": form, "case": case, "person": case.child, "heading": heading},
    )


@require_http_methods(["GET", "POST"])
@requires(MANAGE_CASE)
def involvement_add(request, case: Case):
    return _case_form_page(
        request,
        case,
        InvolvementForm(request.POST or None),
        "Add an agency to the network",
        lambda data: services.add_involvement(
            actor=request.user, case=case, request=request, **data
        ),
        "Agency added to the network",
    )


@require_http_methods(["GET", "POST"])
@requires(MANAGE_CASE)
def involvement_end(request, case: Case, involvement_id):
    involvement = get_object_or_404(case.involvements.select_related("agency"), pk=involvement_id)
    return _case_form_page(
        request,
        case,
        InvolvementEndForm(request.POST or None),
        f"End the involvement of {involvement.agency.name}",
        lambda data: services.end_involvement(
            actor=request.user, involvement=involvement, request=request, **data
        ),
        f"{involvement.agency.name} is no longer in the network",
    )


@require_http_methods(["GET", "POST"])
@requires(MANAGE_CASE)
def allocation_add(request, case: Case):
    return _case_form_page(
        request,
        case,
        AllocationForm(request.POST or None, case=case),
        "Allocate a social worker",
        lambda data: services.allocate_social_worker(
            actor=request.user, case=case, request=request, **data
        ),
        "Social worker allocated",
    )


@require_http_methods(["GET", "POST"])
@requires(MANAGE_CASE)
def lead_professional_set(request, case: Case):
    return _case_form_page(
        request,
        case,
        LeadProfessionalForm(request.POST or None, case=case),
        "Change the lead professional",
        lambda data: services.set_lead_professional(
            actor=request.user, case=case, request=request, **data
        ),
        "Lead professional changed",
    )
