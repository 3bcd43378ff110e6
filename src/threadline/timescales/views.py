"""The statutory clock's pages: recording a meeting or an assessment for a child (form →
one service call → redirect), and the rule catalogue every practitioner may read. The
child page and the dashboard show tasks through selectors.py."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from threadline.people.models import Person
from threadline.reviews.selectors import linked_recommendations
from threadline.sharing.routes import RECORD_MEETING, SIGNED_IN, audit_refusal, requires
from threadline.web.pages import posted, save_form

from . import meetings
from .forms import KIND_LABELS, EventForm
from .rules import RULES, describe_rule


def _what(event) -> str:
    return f"{KIND_LABELS[event.kind].lower()} on {timezone.localtime(event.occurred_at):%-d %B %Y}"


@require_http_methods(["GET", "POST"])
@requires(RECORD_MEETING)
def event_create(request, person: Person):
    if not person.is_child:
        audit_refusal(request)
        raise Http404("Meetings and assessments are recorded for children")
    kind = request.GET.get("kind", "")
    form = EventForm(
        posted(request),
        initial={"kind": kind} if kind in KIND_LABELS else {},
    )
    saved = save_form(
        request,
        form,
        lambda data: meetings.record_meeting_or_assessment(
            actor=request.user, child=person, request=request, **form.service_fields()
        ),
        done=lambda event: f"Recorded for {person.full_name}: {_what(event)}",
        then=person.get_absolute_url(),
    )
    return saved or render(request, "timescales/event_form.html", {"form": form, "person": person})


@require_GET
@requires(SIGNED_IN)
def rule_catalogue(request):
    made_by = linked_recommendations(request.user)
    rules = [(describe_rule(rule), rule.explanation, made_by.get(rule.id, ())) for rule in RULES]
    return render(request, "timescales/rule_catalogue.html", {"rules": rules})
