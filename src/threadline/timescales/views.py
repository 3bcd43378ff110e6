"""The statutory clock's pages: recording a meeting or an assessment for a child (form →
one service call → redirect), and the rule catalogue every practitioner may read. The
child page and the dashboard show tasks with `tasks_shown`."""

import datetime as dt
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from threadline.people.models import Person
from threadline.sharing.routes import CONTRIBUTE, SIGNED_IN, audit_refusal, requires
from threadline.web.pages import save_form

from . import services
from .forms import KIND_LABELS, EventForm
from .models import RECORDED_BY_HAND, Task
from .rules import RULES, RULES_BY_ID, describe_rule


@dataclass
class ShownTask:
    task: Task
    overdue: bool
    record_kind: str  # the meeting or assessment, recorded by hand, that does it ("" if none)


def _recorded_by_hand(rule_id: str) -> str:
    rule = RULES_BY_ID.get(rule_id)
    kinds = [k for k in rule.satisfied_by if k in RECORDED_BY_HAND] if rule else []
    return kinds[0] if kinds else ""


def tasks_shown(tasks, now: dt.datetime | None = None) -> list[ShownTask]:
    """Open tasks as the pages show them: overdue or not now (as `clock.overdue`), and
    what to record when they are done. No queries."""
    now = now or timezone.now()
    return [ShownTask(t, t.due_at < now, _recorded_by_hand(t.rule_id)) for t in tasks]


def _what(event) -> str:
    return f"{KIND_LABELS[event.kind].lower()} on {timezone.localtime(event.occurred_at):%-d %B %Y}"


@require_http_methods(["GET", "POST"])
@requires(CONTRIBUTE)
def event_create(request, person: Person):
    if not person.is_child:
        audit_refusal(request)
        raise Http404("Meetings and assessments are recorded for children")
    kind = request.GET.get("kind", "")
    form = EventForm(
        request.POST if request.method == "POST" else None,
        initial={"kind": kind} if kind in KIND_LABELS else {},
    )
    saved = save_form(
        request,
        form,
        lambda data: services.record_meeting_or_assessment(
            actor=request.user, child=person, request=request, **form.service_fields()
        ),
        done=lambda event: f"Recorded for {person.full_name}: {_what(event)}",
        then=person.get_absolute_url(),
    )
    return saved or render(request, "timescales/event_form.html", {"form": form, "person": person})


@require_GET
@requires(SIGNED_IN)
def rule_catalogue(request):
    rules = [(describe_rule(rule), rule.explanation) for rule in RULES]
    return render(request, "timescales/rule_catalogue.html", {"rules": rules})
