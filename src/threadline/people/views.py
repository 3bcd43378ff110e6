"""Person pages: thin views — form → one service call → redirect."""

from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from threadline.chronology.selectors import child_summary
from threadline.linkage.selectors import already_known_check, people_already_known
from threadline.meetings.placement_selectors import placements_for_child
from threadline.meetings.selectors import meetings_for_child
from threadline.orders.selectors import legal_status
from threadline.reviews.holds import holds_on
from threadline.risks import selectors as risks
from threadline.sharing.policy import (
    can_edit_person,
    can_record_meetings,
    people_visible_to,
    records_orders,
    works_in_adult_services,
)
from threadline.sharing.routes import CONTRIBUTE, EDIT_PERSON, SIGNED_IN, VIEW_PERSON, requires
from threadline.timescales import selectors as tasks
from threadline.web.pages import save_form

from . import selectors, services
from .forms import (
    AddressForm,
    EndForm,
    HouseholdDayForm,
    NameForm,
    PersonForm,
    ReferenceForm,
    RelationshipForm,
    SearchForm,
)
from .households import households_on
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
    """Before a person is recorded, the people they may already be (identity resolution:
    linkage/), with why; the practitioner opens one of them, or adds the person anyway."""
    form = PersonForm(request.POST or None, initial={"kind": request.GET.get("kind")})
    known, checked = [], ""
    if request.method == "POST" and form.is_valid():
        checked = already_known_check(form.cleaned_data)
        if request.POST.get("checked") != checked:
            known = people_already_known(
                actor=request.user, data=form.cleaned_data, request=request
            )
    saved = (
        None
        if known
        else save_form(
            request,
            form,
            lambda data: services.create_person(actor=request.user, request=request, **data),
            done=lambda person: f"{person.full_name} has been recorded",
            then=lambda person: person.get_absolute_url(),
        )
    )
    return saved or render(
        request,
        "people/person_form.html",
        {"form": form, "person": None, "known_people": known, "checked": checked},
    )


@require_GET
@requires(VIEW_PERSON)
def person_detail(request, person: Person):
    record = selectors.person_record(actor=request.user, person=person)
    child = person.as_child
    touching = risks.active_risks_for_child(child, actor=request.user) if child else None
    return render(
        request,
        "people/person_detail.html",
        {
            "record": record,
            "person": person,
            "holds": holds_on(person),
            "legal": legal_status(actor=request.user, child=child) if child else None,
            "records_orders": records_orders(request.user),
            "records_meetings": can_record_meetings(request.user),
            "due_next": tasks.due_next(child) if child else None,
            "can_edit": can_edit_person(request.user, person),
            "adult_services": works_in_adult_services(request.user),
            "chronology": child_summary(actor=request.user, child=child) if child else None,
            "touching": touching,
            "restricted_contact": risks.contact_for_restricted(child)
            if touching is not None and touching.withheld
            else "",
            "risks": risks.risks_about(request.user, person),
            "family_history": risks.family_history(
                actor=request.user, child=child, connections=touching.connections
            )
            if child and touching is not None
            else None,
            "meetings": _upcoming_first(meetings_for_child(actor=request.user, child=child))
            if child
            else None,
            "placements": list(placements_for_child(actor=request.user, child=child))
            if child
            else None,
        },
    )


def _upcoming_first(meetings) -> list:
    """Meetings still to be held, soonest first, then the rest, newest first."""
    shown = list(meetings)
    upcoming = [m for m in shown if m.status == "arranged"]
    return upcoming[::-1] + [m for m in shown if m.status != "arranged"]


def _person_form_page(request, person: Person, form, template: str, save, done, **extra):
    """A form about one person: save through a service, then back to their page."""
    saved = save_form(request, form, save, done=done, then=person.get_absolute_url(), **extra)
    return saved or render(request, template, {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
@requires(EDIT_PERSON)
def person_edit(request, person: Person):
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    return _person_form_page(
        request,
        person,
        PersonForm(request.POST or None, initial=initial),
        "people/person_form.html",
        lambda data: services.update_person(
            actor=request.user, person=person, request=request, **data
        ),
        "Details updated",
    )


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def address_add(request, person: Person):
    return _person_form_page(
        request,
        person,
        AddressForm(request.POST or None),
        "people/address_form.html",
        lambda data: services.move_to_address(
            actor=request.user, person=person, request=request, **data
        ),
        f"Address recorded for {person.full_name}",
    )


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def relationship_add(request, person: Person):
    people = (
        people_visible_to(request.user).exclude(pk=person.pk).order_by("family_name", "given_names")
    )

    def save(data):
        return services.add_relationship(
            actor=request.user,
            person_a=people.get(pk=data["other"]),
            person_b=person,
            type=data["type"],
            from_date=data["from_date"],
            to_date=data["to_date"],
            notes=data["notes"],
            request=request,
        )

    return _person_form_page(
        request,
        person,
        RelationshipForm(request.POST or None, people=people, subject=person),
        "people/relationship_form.html",
        save,
        lambda relationship: f"Relationship recorded: {relationship.person_a.full_name}",
        field_map={"person_a": "other", "person_b": "other"},
    )


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def name_add(request, person: Person):
    return _person_form_page(
        request,
        person,
        NameForm(request.POST or None),
        "people/name_form.html",
        lambda data: services.add_name(actor=request.user, person=person, request=request, **data),
        "Name recorded",
    )


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def reference_add(request, person: Person):
    return _person_form_page(
        request,
        person,
        ReferenceForm(request.POST or None),
        "people/reference_form.html",
        lambda data: services.add_local_reference(
            actor=request.user,
            person=person,
            agency=request.user.agency,
            request=request,
            **data,
        ),
        "Reference recorded",
    )


def _end_page(request, person: Person, heading: str, end, done: str):
    form = EndForm(request.POST or None)
    saved = save_form(
        request,
        form,
        lambda data: end(actor=request.user, to_date=data["to_date"], request=request),
        done=done,
        then=person.get_absolute_url(),
    )
    return saved or render(
        request, "people/end_form.html", {"form": form, "person": person, "heading": heading}
    )


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def residence_end(request, person: Person, residence_id):
    residence = get_object_or_404(person.residences.select_related("address"), pk=residence_id)
    return _end_page(
        request,
        person,
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
    return _end_page(
        request,
        person,
        f"When did the relationship with {relationship.other(person).full_name} end?",
        lambda **kw: services.end_relationship(relationship=relationship, **kw),
        "Relationship ended; it stays in the history",
    )


@require_GET
@requires(VIEW_PERSON)
def household_on(request, person: Person):
    """Who lived with the person on a day: their household then, from address histories.
    The route's audit row records that the person was viewed."""
    form = HouseholdDayForm(request.GET or None)
    households = None
    if form.is_bound and form.is_valid():
        households = households_on(person, form.cleaned_data["day"], actor=request.user)
    return render(
        request,
        "people/household.html",
        {"person": person, "form": form, "households": households},
    )
