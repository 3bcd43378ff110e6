"""Chronology pages: thin views — form → one service or selector call → redirect or
render. Every route is about one child (`@requires` checks them and audits the page);
entries are read through the policy (`chronology_shared_with`)."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from threadline.people.models import Person
from threadline.sharing.policy import can_amend_entry, get_entry_for
from threadline.sharing.routes import CONTRIBUTE, VIEW_PERSON, refuse, requires
from threadline.web.pages import posted, save_form

from . import selectors, services
from .forms import FIELD_MAP, AmendForm, EntryForm, ExportForm, FilterForm, InErrorForm


def _child(person: Person) -> Person:
    if not person.is_child:
        raise Http404("A chronology is about a child")
    return person


def _chronology_url(person: Person) -> str:
    return reverse("chronology", args=[person.pk])


def _entry_url(person: Person, entry) -> str:
    return reverse("chronology-entry", args=[person.pk, entry.pk])


def _whose(request, person: Person, scope: str | None) -> list[Person]:
    """The children whose chronology is shown: the child, or their family's children."""
    if scope == "family":
        return selectors.family_children(request.user, person)
    return [person]


@require_GET
@requires(VIEW_PERSON)
def chronology(request, person: Person):
    """The child's (or family's) merged chronology: filters, sort, 50 entries a page."""
    _child(person)
    children = _whose(request, person, request.GET.get("scope"))
    entries = selectors.readable(actor=request.user, children=children)
    form = FilterForm(request.GET or None, agencies=entries.agencies())
    page = selectors.chronology_page(
        actor=request.user,
        children=children,
        filters=form.filters(),
        page_number=request.GET.get("page"),
        entries=entries,
    )
    return render(
        request,
        "chronology/chronology_list.html",
        {
            "person": person,
            "form": form,
            "chronology": page,
            "chronology_url": _chronology_url(person),  # entries are at <this>/<id>/
            "family": request.GET.get("scope") == "family",
            "newest_first": form.filters().newest_first,
        },
    )


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def entry_create(request, person: Person):
    _child(person)
    others = selectors.family_children(request.user, person)[1:]
    form = EntryForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        agency=request.user.agency,
        others=others,
    )
    saved = save_form(
        request,
        form,
        lambda data: services.record_entry(
            actor=request.user, request=request, **form.entry_data(person)
        ),
        done="Chronology entry recorded",
        then=_chronology_url(person),
        field_map=FIELD_MAP,
    )
    return saved or render(request, "chronology/entry_form.html", {"form": form, "person": person})


@require_GET
@requires(VIEW_PERSON)
def entry_detail(request, person: Person, entry_id):
    record = selectors.entry_record(actor=request.user, child=_child(person), entry_id=entry_id)
    return render(
        request,
        "chronology/entry_detail.html",
        {
            "person": person,
            "record": record,
            "entry": record.entry,
            "can_amend": can_amend_entry(request.user, record.entry),
        },
    )


def _amendable(request, person: Person, entry_id):
    """The entry, for the recording agency's staff (403, audited, for other readers)."""
    entry = get_entry_for(request.user, entry_id, child=_child(person))
    if not can_amend_entry(request.user, entry):
        raise refuse(request)
    return entry


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def entry_amend(request, person: Person, entry_id):
    entry = _amendable(request, person, entry_id)
    if entry.in_error:
        messages.info(request, "This entry was marked as entered in error; record a new one")
        return redirect(_entry_url(person, entry))
    form = AmendForm(posted(request), initial=AmendForm.initial_for(entry))
    saved = save_form(
        request,
        form,
        lambda data: services.amend_entry(
            actor=request.user,
            entry=entry,
            reason=data["reason"],
            request=request,
            **form.wording(),
        ),
        done="Entry amended; the earlier wording is in its history",
        then=_entry_url(person, entry),
        field_map=FIELD_MAP,
    )
    return saved or render(
        request, "chronology/entry_amend.html", {"form": form, "person": person, "entry": entry}
    )


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def entry_in_error(request, person: Person, entry_id):
    entry = _amendable(request, person, entry_id)
    if entry.in_error:
        messages.info(request, "This entry is already marked as entered in error")
        return redirect(_entry_url(person, entry))
    form = InErrorForm(posted(request))
    saved = save_form(
        request,
        form,
        lambda data: services.mark_entered_in_error(
            actor=request.user, entry=entry, reason=data["reason"], request=request
        ),
        done="Entry marked as entered in error; it is kept, and hidden from the chronology",
        then=_chronology_url(person),
    )
    return saved or render(
        request, "chronology/entry_in_error.html", {"form": form, "person": person, "entry": entry}
    )


@require_GET
@requires(VIEW_PERSON)
def attachment_download(request, person: Person, entry_id, attachment_id):
    attachment = selectors.get_attachment(
        actor=request.user,
        child=_child(person),
        entry_id=entry_id,
        attachment_id=attachment_id,
        request=request,
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@require_GET
@requires(VIEW_PERSON)
def chronology_export(request, person: Person):
    """The export form; submitted (it has `format`), the download."""
    _child(person)
    children = _whose(request, person, request.GET.get("scope"))
    agencies = selectors.readable(actor=request.user, children=children).agencies()
    submitted = request.GET if "format" in request.GET else None
    initial = {"scope": request.GET.get("scope") or "child"}
    form = ExportForm(submitted, agencies=agencies, initial=initial)
    if form.is_bound and form.is_valid():
        document = selectors.export(
            actor=request.user,
            child=person,
            children=children,
            filters=form.filters(),
            fmt=form.cleaned_data["format"],
            request=request,
        )
        response = HttpResponse(document.content, content_type=document.content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=document.filename
        )
        return response
    return render(request, "chronology/export_form.html", {"form": form, "person": person})
