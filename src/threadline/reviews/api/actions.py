"""Action plans: each agency's actions, their progress and evidence; the partnership
accepts the evidence and closes them."""

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.common.api import (
    CREATE_ERRORS,
    CREATE_UNDER_ERRORS,
    RETRIEVE_ERRORS,
    APIView,
    error_responses,
    idempotent,
    validated,
)

from .. import selectors, services
from ..serializers.plans import (
    ActionDetailSerializer,
    ActionInputSerializer,
    ActionQuerySerializer,
    ActionSerializer,
    ActionUpdateInputSerializer,
    CloseActionInputSerializer,
    EvidenceDecisionInputSerializer,
    EvidenceJsonSerializer,
    EvidenceUploadSerializer,
)
from .plumbing import (
    CREATE_HEADERS,
    DOCUMENT_RESPONSES,
    UPLOAD_NOTE,
    WHO_MANAGES,
    WHO_RESPONDS,
    FileAPIView,
    download,
    refusals_as_403,
    require_manager,
    require_responder,
    upload_input,
)

ACTION_WITH = (
    "recommendation__review",
    "agency",
    "owner",
    "created_by",
    "evidence_accepted_by",
    "closed_by",
)


def _action_response(request, action, status_code=status.HTTP_200_OK) -> Response:
    """The action as it is now, with its history and evidence."""
    action = selectors.get_action_for(request.user, action.pk)
    prefetch_related_objects(
        [action],
        "recommendation__review",
        "created_by",
        "evidence_accepted_by",
        "closed_by",
        "updates__by",
        "evidence__uploaded_by",
    )
    context = {"today": timezone.localdate()}
    return Response(ActionDetailSerializer(action, context=context).data, status=status_code)


class ActionList(APIView):
    serializer_class = ActionSerializer

    @extend_schema(
        operation_id="actions_list",
        tags=["actions"],
        summary="The actions of the reviews' action plans you may see, soonest due first",
        description=(
            "All of a review's for the partnership running it and its panel; your own "
            "agency's for an agency addressed. Filters: `review` (one you may not see: "
            "`404`), `agency` (the responding agency's id or code), `status`, "
            "`overdue=true|false` (past due and not yet evidenced or closed). Audited as a "
            "search."
        ),
        parameters=[ActionQuerySerializer],
        responses={200: ActionSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        query = validated(ActionQuerySerializer, request, request.query_params.dict())
        today = timezone.localdate()
        actions = selectors.actions_visible_to(request.user).select_related(*ACTION_WITH)
        terms = []
        if "review" in query:
            review = selectors.get_review_for(request.user, query["review"])
            actions = actions.filter(recommendation__review=review)
            terms.append(f"of {review}")
        if query.get("agency"):
            actions = actions.filter(agency=query["agency"])
            terms.append(f"of {query['agency'].name}")
        if query.get("status"):
            actions = actions.filter(status=query["status"])
            terms.append(query["status"])
        if "overdue" in query:
            overdue = selectors.is_overdue(today)
            actions = actions.filter(overdue) if query["overdue"] else actions.exclude(overdue)
            terms.append("overdue" if query["overdue"] else "not overdue")
        record_event(
            actor=request.user,
            action=AuditAction.SEARCH,
            summary=" ".join(["Listed review actions", *terms])[:500],
            request=request,
        )
        page = self.paginate_queryset(actions.order_by("due_on", "created_at", "id"))
        context = {"today": today}
        return self.get_paginated_response(ActionSerializer(page, many=True, context=context).data)

    @extend_schema(
        operation_id="actions_create",
        tags=["actions"],
        summary="Add an action to your agency's plan for a recommendation addressed to it",
        description=(
            f"{WHO_RESPONDS} (of the agency addressed): anyone else `403 not_your_agency`. "
            "A recommendation of a review you may not see: `400 unknown_recommendation`. "
            "Every problem at once, nothing saved: `required` (description, "
            "measure_of_success), `owner_required`, `owner_not_in_agency`, "
            "`unknown_practitioner` (owner), `date_required`, `due_before_created` (a due "
            "date before today, the day it is created), `review_closed`."
        ),
        request=ActionInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: ActionDetailSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        data = dict(validated(ActionInputSerializer, request))
        recommendation = data.pop("recommendation")
        require_responder(request, recommendation.addressed_to_id)
        with refusals_as_403():
            action = services.add_action(
                actor=request.user, recommendation=recommendation, request=request, **data
            )
        response = _action_response(request, action, status.HTTP_201_CREATED)
        response["Location"] = reverse("api-action-detail", args=[action.pk])
        return response


class ActionDetail(APIView):
    serializer_class = ActionDetailSerializer

    @extend_schema(
        operation_id="actions_retrieve",
        tags=["actions"],
        summary="One action, with each change of its status and RAG rating and its evidence",
        description="Audited as a view.",
        responses={200: ActionDetailSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        action = selectors.get_action_for(request.user, id)
        review = action.recommendation.review
        record_event(
            actor=request.user,
            action=AuditAction.VIEW,
            target=action,
            child=review.clock_child,
            summary=f"Viewed an action of {action.agency.name} for {review}",
            request=request,
        )
        return _action_response(request, action)


class ActionUpdates(APIView):
    serializer_class = ActionDetailSerializer

    @extend_schema(
        operation_id="actions_updates_create",
        tags=["actions"],
        summary="Record your agency's progress on an action: its status and RAG rating",
        description=(
            f"{WHO_RESPONDS}: anyone else `403 not_your_agency`. Kept as the action's "
            "history. `awaiting_evidence` (done) needs evidence attached first "
            "(`evidence_required`) and tells the partnership; `action_closed` once the "
            "partnership has accepted the evidence. `invalid_choice` (status, rag)."
        ),
        request=ActionUpdateInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: ActionDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        action = selectors.get_action_for(request.user, id)
        require_responder(request, action.agency_id)
        data = validated(ActionUpdateInputSerializer, request)
        with refusals_as_403():
            action = services.update_action(
                actor=request.user, action=action, request=request, **data
            )
        return _action_response(request, action)


class ActionEvidence(APIView):
    serializer_class = ActionDetailSerializer
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="actions_evidence_create",
        tags=["actions"],
        summary="Attach documents that show the action is done",
        description=(
            f"{WHO_RESPONDS}: anyone else `403 not_your_agency`. `files` (up to 10) and a "
            "`note`. `evidence_required` (no file), `too_many_attachments`, "
            "`attachment_too_big`, `attachment_empty`, `attachment_type_not_allowed` (on "
            "`files`), `action_closed`." + UPLOAD_NOTE
        ),
        request={
            "multipart/form-data": EvidenceUploadSerializer,
            "application/json": EvidenceJsonSerializer,
        },
        parameters=CREATE_HEADERS,
        responses={201: ActionDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        action = selectors.get_action_for(request.user, id)
        require_responder(request, action.agency_id)
        data = upload_input(request, EvidenceUploadSerializer, EvidenceJsonSerializer)
        with refusals_as_403():
            services.add_evidence(actor=request.user, action=action, request=request, **data)
        return _action_response(request, action, status.HTTP_201_CREATED)


class ActionEvidenceDocument(FileAPIView):
    serializer_class = ActionDetailSerializer

    @extend_schema(
        operation_id="actions_evidence_retrieve",
        tags=["actions"],
        summary="Download one of an action's evidence documents",
        description="Audited as an export.",
        responses={**DOCUMENT_RESPONSES, **RETRIEVE_ERRORS},
    )
    def get(self, request, id, evidence_id):
        action = selectors.get_action_for(request.user, id)
        evidence = selectors.get_evidence(
            actor=request.user, action=action, evidence_id=evidence_id, request=request
        )
        return download(
            evidence.file, name=evidence.original_name, content_type=evidence.content_type
        )


class ActionEvidenceDecision(APIView):
    serializer_class = ActionDetailSerializer

    @extend_schema(
        operation_id="actions_evidence_decision_create",
        tags=["actions"],
        summary="Accept the evidence for an action (it is evidenced), or send it back with "
        "what is missing (in progress again, the agency told)",
        description=(
            f"{WHO_MANAGES}: anyone else `403 not_allowed`. `{{accept, note}}`; `note` is "
            "required when not accepting (`required`). `not_awaiting_evidence` (the agency "
            "has not marked it done), `evidence_required` (none attached)."
        ),
        request=EvidenceDecisionInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: ActionDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        action = selectors.get_action_for(request.user, id)
        require_manager(request, action.recommendation.review)
        data = validated(EvidenceDecisionInputSerializer, request)
        with refusals_as_403():
            action = services.decide_evidence(
                actor=request.user, action=action, request=request, **data
            )
        return _action_response(request, action)


class ActionClose(APIView):
    serializer_class = ActionDetailSerializer

    @extend_schema(
        operation_id="actions_close_create",
        tags=["actions"],
        summary="Close an action whose evidence the partnership has accepted",
        description=(
            f"{WHO_MANAGES}: anyone else `403 not_allowed`. `{{note?}}`. "
            "`evidence_required` (no evidence attached), `evidence_not_accepted` (not "
            "accepted yet), `action_closed` (already)."
        ),
        request=CloseActionInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: ActionDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        action = selectors.get_action_for(request.user, id)
        require_manager(request, action.recommendation.review)
        data = validated(CloseActionInputSerializer, request)
        with refusals_as_403():
            action = services.close_action(
                actor=request.user, action=action, request=request, **data
            )
        return _action_response(request, action)
