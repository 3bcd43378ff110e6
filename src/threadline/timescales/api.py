"""The statutory clock: the rule catalogue (anyone signed in: not case data); the tasks
its rules made that you may see (sharing/policy.py `tasks_visible_to`: those about
children you can see, and your own), and one child's tasks replayed as they stood on a
past day, writing nothing; the events the clock counts from, and a meeting or assessment
recorded by hand. No DELETE, PUT or PATCH (405): tasks close when their event is recorded.

Thin views over the same services and clock as the web pages."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.common.api import (
    CREATE_ERRORS,
    IDEMPOTENCY_KEY_HEADER,
    REPLAYED_HEADER,
    RETRIEVE_ERRORS,
    APIView,
    Forbidden,
    error_responses,
    idempotent,
    validated,
)
from threadline.common.errors import invalid
from threadline.reviews.selectors import linked_recommendations
from threadline.sharing.policy import can_record_meetings, get_person_for, tasks_visible_to

from . import clock, meetings
from .models import ClockEvent
from .rules import RULES, RULES_BY_ID, describe_rule
from .selectors import marked_overdue
from .serializers import (
    ClockEventInputSerializer,
    ClockEventQuerySerializer,
    ClockEventSerializer,
    ReplayQuerySerializer,
    ReplaySerializer,
    RuleSerializer,
    TaskQuerySerializer,
    TaskSerializer,
)

CREATE_HEADERS = [IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER]
_TASK_SHOWN_WITH = ("child", "trigger", "owner", "owner_agency", "closed_by")


def _child(request, child_id):
    """A child the caller may see (404 otherwise); an adult is `400 not_a_child`."""
    child = get_person_for(request.user, child_id)
    if not child.is_child:
        raise invalid("child", f"{child.full_name} is not a child", "not_a_child")
    return child


def _tasks(request):
    """The tasks the caller may see, each marked overdue or not (clock.overdue) now."""
    return marked_overdue(tasks_visible_to(request.user).select_related(*_TASK_SHOWN_WITH))


# --- the rule catalogue ---------------------------------------------------------------


class RuleList(APIView):
    serializer_class = RuleSerializer

    @extend_schema(
        operation_id="rules_list",
        tags=["rules"],
        summary="The rule catalogue: every deadline the statutory clock keeps, and its source",
        description="In catalogue order, as docs/rules.md. Not case data: anyone signed in.",
        responses={200: RuleSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request):
        page = self.paginate_queryset([describe_rule(rule) for rule in RULES])
        made_by = linked_recommendations(request.user)
        serializer = RuleSerializer(page, many=True, context={"made_by": made_by})
        return self.get_paginated_response(serializer.data)


class RuleDetail(APIView):
    serializer_class = RuleSerializer

    @extend_schema(
        operation_id="rules_retrieve",
        tags=["rules"],
        summary="One rule of the catalogue, by its id (e.g. `supervision-order-review`)",
        responses={200: RuleSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        rule = RULES_BY_ID.get(id)
        if rule is None:
            raise Http404("No such rule")
        made_by = linked_recommendations(request.user)
        return Response(RuleSerializer(describe_rule(rule), context={"made_by": made_by}).data)


# --- tasks ----------------------------------------------------------------------------


class TaskList(APIView):
    serializer_class = TaskSerializer

    @extend_schema(
        operation_id="tasks_list",
        tags=["tasks"],
        summary="The statutory clock's tasks you may see, soonest due first",
        description=(
            "Those about children you can see, and your own. Filters: `child` (a child you "
            "cannot see: `404`), `owner` (a practitioner's id, or `me`; "
            "`unknown_practitioner`), `status`, `due_before` (a day: due before it), "
            "`overdue` (`true`: open and past due now). Audited as a search."
        ),
        parameters=[TaskQuerySerializer],
        responses={200: TaskSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        query = validated(TaskQuerySerializer, request, request.query_params.dict())
        tasks, terms, child = _tasks(request), [], None
        if "child" in query:
            child = get_person_for(request.user, query["child"])
            tasks = tasks.filter(child=child)
            terms.append(f"of {child.full_name}")
        if "owner" in query:
            tasks = tasks.filter(owner=query["owner"])
            terms.append(f"owned by {query['owner'].get_username()}")
        if query.get("status"):
            tasks = tasks.filter(status=query["status"])
            terms.append(f"status {query['status']}")
        if "due_before" in query:
            tasks = tasks.filter(due_on__lt=query["due_before"])
            terms.append(f"due before {query['due_before']:%d %b %Y}")
        if query["overdue"] is not None:
            tasks = tasks.filter(is_overdue=query["overdue"])
            terms.append("overdue" if query["overdue"] else "not overdue")
        record_event(
            actor=request.user,
            action=AuditAction.SEARCH,
            child=child,
            summary=" ".join(["Listed tasks", *terms])[:500],
            request=request,
        )
        page = self.paginate_queryset(tasks.order_by("due_at", "id"))
        return self.get_paginated_response(TaskSerializer(page, many=True).data)


class TaskDetail(APIView):
    serializer_class = TaskSerializer

    @extend_schema(
        operation_id="tasks_retrieve",
        tags=["tasks"],
        summary="One task: its rule, the event that started it, its owner and status",
        description="Audited as a view of the child's task.",
        responses={200: TaskSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        task = _tasks(request).filter(pk=id).first()
        if task is None:
            raise Http404("No such task")
        record_event(
            actor=request.user,
            action=AuditAction.VIEW,
            target=task,
            child=task.child,
            summary=f"Viewed the task '{task.title}' for {task.child.full_name}"[:500],
            request=request,
        )
        return Response(TaskSerializer(task).data)


# --- the clock: a past day replayed, and its events -----------------------------------


class ClockReplay(APIView):
    serializer_class = ReplaySerializer

    @extend_schema(
        operation_id="clock_replay_retrieve",
        tags=["clock"],
        summary="A child's tasks as they stood at the end of a past day, from the events "
        "that had happened by then (recorded then or since)",
        description=(
            "Writes nothing. `overdue`: open and past its due moment at the end of `as_of`. "
            "`child` and `as_of` are required (`required`, `invalid`, `date_in_future`); a "
            "child you cannot see: `404`; an adult: `400 not_a_child`. Audited as a view "
            "of the child."
        ),
        parameters=[ReplayQuerySerializer],
        responses={200: ReplaySerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request):
        query = validated(ReplayQuerySerializer, request, request.query_params.dict())
        child, as_of = _child(request, query["child"]), query["as_of"]
        states = clock.replay(child, as_of=as_of)
        record_event(
            actor=request.user,
            action=AuditAction.VIEW,
            target=child,
            child=child,
            summary=f"Replayed the statutory clock of {child.full_name} as of {as_of:%d %b %Y}",
            request=request,
        )
        until = clock.end_of_day(as_of)
        body = {"child": child.pk, "as_of": as_of, "tasks": states}
        return Response(ReplaySerializer(body, context={"until": until}).data)


class ClockEventList(APIView):
    serializer_class = ClockEventSerializer

    @extend_schema(
        operation_id="clock_events_list",
        tags=["clock"],
        summary="The events the statutory clock counts from for a child, newest first",
        description=(
            "`child` is required (a child you cannot see: `404`). Events come from "
            "referrals, orders, allocations and risks, and from meetings and assessments "
            "recorded by hand. Audited as a search."
        ),
        parameters=[ClockEventQuerySerializer],
        responses={200: ClockEventSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        query = validated(ClockEventQuerySerializer, request, request.query_params.dict())
        child = get_person_for(request.user, query["child"])
        record_event(
            actor=request.user,
            action=AuditAction.SEARCH,
            child=child,
            summary=f"Listed the statutory clock's events of {child.full_name}",
            request=request,
        )
        events = ClockEvent.objects.filter(child=child).select_related("recorded_by")
        page = self.paginate_queryset(events.order_by("-occurred_at", "-recorded_at", "id"))
        return self.get_paginated_response(ClockEventSerializer(page, many=True).data)

    @extend_schema(
        operation_id="clock_events_create",
        tags=["clock"],
        summary="Record that a meeting, assessment or legal memorandum happened, for a "
        "child you can see",
        description=(
            "A strategy discussion, conference, core group, review, assessment or legal "
            "memorandum: the clock closes the tasks it satisfies and starts those it "
            "triggers. A conference says whether it made or kept a plan (`plan`). Recording "
            "the same kind on the same day again returns the same event. Problems, nothing "
            "saved: `unknown_person` (child), `invalid_choice` (kind), `date_required` / "
            "`date_in_future` (occurred_on), `plan_required`, `category_required` (a new "
            "plan). Only children's social care and legal services: `403 not_allowed`."
        ),
        request=ClockEventInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: ClockEventSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        if not can_record_meetings(request.user):
            raise Forbidden(meetings.WHO_RECORDS, code="not_allowed")
        data = validated(ClockEventInputSerializer, request)
        event = meetings.record_meeting_or_assessment(actor=request.user, request=request, **data)
        return Response(ClockEventSerializer(event).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("rules/", RuleList.as_view(), name="api-rule-list"),
    path("rules/<slug:id>/", RuleDetail.as_view(), name="api-rule-detail"),
    path("tasks/", TaskList.as_view(), name="api-task-list"),
    path("tasks/<uuid:id>/", TaskDetail.as_view(), name="api-task-detail"),
    path("clock/replay/", ClockReplay.as_view(), name="api-clock-replay"),
    path("clock-events/", ClockEventList.as_view(), name="api-clock-event-list"),
]
