"""Person pages: thin views — form → one service call → redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from threadline.sharing.policy import can_edit_person, people_visible_to
from threadline.sharing.routes import CONTRIBUTE, EDIT_PERSON, SIGNED_IN, VIEW_PERSON, requires

from . import selectors, services
from .forms import (
    AddressForm,
    EndForm,
    NameForm,
    PersonForm,
    ReferenceForm,
    RelationshipForm,
    SearchForm,
)
from .models import Person, Relationship


@require_GET
@requires(SIGNED_IN)
def person_search(request):
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results = list(
            selectors.search_people(actor=request.user, request=request, **form.cleaned_data)[:100]
        )
    return render(request, "people/person_search.html", {"form": form, "results": results})


@require_http_methods(["GET", "POST"])
@requires(SIGNED_IN)
def person_create(request):
    form = PersonForm(request.POST or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(
                actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{person.full_name} has been recorded")
            return redirect("person-detail", person_id=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": None})


@require_GET
@requires(VIEW_PERSON)
def person_detail(request, person: Person):
    record = selectors.person_record(actor=request.user, person=person)
    return render(
        request,
        "people/person_detail.html",
        {
            "record": record,
            "person": person,
            "can_edit": can_edit_person(request.user, person),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(EDIT_PERSON)
def person_edit(request, person: Person):
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(
                actor=request.user, person=person, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Details updated")
            return redirect("person-detail", person_id=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def address_add(request, person: Person):
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.move_to_address(
                actor=request.user, person=person, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Address recorded for {person.full_name}")
            return redirect("person-detail", person_id=person.pk)
    return render(request, "people/address_form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def relationship_add(request, person: Person):
    people = (
        people_visible_to(request.user).exclude(pk=person.pk).order_by("family_name", "given_names")
    )
    form = RelationshipForm(request.POST or None, people=people, subject=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            other = people.get(pk=data["other"])
            services.add_relationship(
                actor=request.user,
                person_a=other,
                person_b=person,
                type=data["type"],
                from_date=data["from_date"],
                to_date=data["to_date"],
                notes=data["notes"],
                request=request,
            )
        except ValidationError as error:
            form.add_service_errors(error, field_map={"person_a": "other", "person_b": "other"})
        else:
            messages.success(request, f"Relationship recorded: {other.full_name}")
            return redirect("person-detail", person_id=person.pk)
    return render(request, "people/relationship_form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def name_add(request, person: Person):
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_name(
                actor=request.user, person=person, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Name recorded")
            return redirect("person-detail", person_id=person.pk)
    return render(request, "people/name_form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def reference_add(request, person: Person):
    form = ReferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_local_reference(
                actor=request.user,
                person=person,
                agency=request.user.agency,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Reference recorded")
            return redirect("person-detail", person_id=person.pk)
    return render(request, "people/reference_form.html", {"form": form, "person": person})


def _end_page(request, person: Person, row, heading: str, end, done: str):
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            end(actor=request.user, to_date=form.cleaned_data["to_date"], request=request)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, done)
            return redirect(person.get_absolute_url())
    return render(
        request,
        "people/end_form.html",
        {"form": form, "person": person, "heading": heading, "row": row},
    )


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def residence_end(request, person: Person, residence_id):
    residence = get_object_or_404(person.residences.select_related("address"), pk=residence_id)
    return _end_page(
        request,
        person,
        residence,
        f"When did they leave {residence.address}?",
        lambda **kw: services.end_residence(residence=residence, **kw),
        "Address history updated",
    )


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def relationship_end(request, person: Person, relationship_id):
    relationship = get_object_or_404(
        Relationship.objects.filter(Q(person_a=person) | Q(person_b=person)), pk=relationship_id
    )
    other = relationship.other(person)
    return _end_page(
        request,
        person,
        relationship,
        f"When did the relationship with {other.full_name} end?",
        lambda **kw: services.end_relationship(relationship=relationship, **kw),
        "Relationship ended; it stays in the history",
    )
