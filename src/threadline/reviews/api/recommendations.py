"""Recommendations: searched across the reviews you may see, recorded all or none, read
with their action plans, corrected with If-Match."""

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.common.api import (
    CREATE_ERRORS,
    ETAG_HEADER,
    IF_MATCH_HEADER,
    RETRIEVE_ERRORS,
    UPDATE_ERRORS,
    APIView,
    PreconditionRequired,
    check_if_match,
    error_responses,
    etag_for,
    idempotent,
    validated,
)
from threadline.sharing import policy

from .. import selectors, services
from ..models import Recommendation
from ..serializers.plans import (
    RecommendationDetailSerializer,
    RecommendationQuerySerializer,
    RecommendationsCreatedSerializer,
    RecommendationSerializer,
    RecommendationsInputSerializer,
    RecommendationUpdateSerializer,
)
from .actions import ACTION_WITH
from .plumbing import (
    CREATE_HEADERS,
    WHO_MANAGES,
    not_allowed,
    refusals_as_403,
    require_manager,
)

_RECOMMENDATION_WITH = ("review", "addressed_to", "created_by")


def _recommendation_response(request, recommendation: Recommendation) -> Response:
    recommendation = selectors.get_recommendation_for(request.user, recommendation.pk)
    prefetch_related_objects([recommendation], "themes", "created_by")
    actions = (
        selectors.actions_visible_to(request.user)
        .filter(recommendation=recommendation)
        .select_related(*ACTION_WITH)
        .order_by("due_on", "created_at")
    )
    context = {"actions": list(actions), "today": timezone.localdate()}
    response = Response(RecommendationDetailSerializer(recommendation, context=context).data)
    response["ETag"] = etag_for(recommendation)
    return response


class RecommendationList(APIView):
    serializer_class = RecommendationSerializer

    @extend_schema(
        operation_id="recommendations_list",
        tags=["recommendations"],
        summary="The recommendations of the reviews you may see: where have we seen this before?",
        description=(
            "Latest incident first, then by number. Filters: `review` (one you may not "
            "see: `404`), `addressed_to` (an agency's id or code; `unknown_agency`), "
            "`theme`, `q` (every word in the text, any case). Audited as a search."
        ),
        parameters=[RecommendationQuerySerializer],
        responses={
            200: RecommendationSerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request):
        query = validated(RecommendationQuerySerializer, request, request.query_params.dict())
        found = Recommendation.objects.filter(
            review__in=policy.reviews_visible_to(request.user)
        ).select_related(*_RECOMMENDATION_WITH)
        terms = []
        if "review" in query:
            review = selectors.get_review_for(request.user, query["review"])
            found = found.filter(review=review)
            terms.append(f"of {review}")
        if query.get("addressed_to"):
            found = found.filter(addressed_to=query["addressed_to"])
            terms.append(f"to {query['addressed_to'].name}")
        if query.get("theme"):
            ids = Recommendation.objects.filter(themes__name__iexact=query["theme"])
            found = found.filter(pk__in=ids.values("pk"))
            terms.append(f"theme {query['theme']!r}")
        for word in query.get("q", "").split():
            found = found.filter(text__icontains=word)
        if query.get("q", "").strip():
            terms.append(f"for {query['q'].strip()!r}")
        record_event(
            actor=request.user,
            action=AuditAction.SEARCH,
            summary=" ".join(["Listed recommendations", *terms])[:500],
            request=request,
        )
        page = self.paginate_queryset(
            found.order_by("-review__incident_on", "review__title", "review_id", "number")
        )
        prefetch_related_objects(page, "themes")
        return self.get_paginated_response(RecommendationSerializer(page, many=True).data)

    @extend_schema(
        operation_id="recommendations_create",
        tags=["recommendations"],
        summary="Record a review's numbered recommendations: all or none",
        description=(
            f"{WHO_MANAGES}: anyone else `403 not_allowed` (before the body is read, "
            "unless you are a partnership officer: then for a review another partnership "
            "runs). `review` you may not see: `400 unknown_review`. Each item "
            "`{number, text, addressed_to?, themes?, rule_id?}`; `addressed_to` (an "
            "agency's id or code) is the partnership itself when left out. Each agency "
            "addressed is told and asked for its action plan. If any item has a problem "
            "nothing is saved, and every problem comes back keyed by the item's index: "
            "`items.N.number` (`invalid_number`, `duplicate_number`), `items.N.text` "
            "(`required`, `max_length`), `items.N.rule_id` (`unknown_rule`), "
            "`items.N.addressed_to` (`unknown_agency`); `items_required`, "
            "`review_closed`."
        ),
        request=RecommendationsInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: RecommendationsCreatedSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        if not policy.can_open_review(request.user):
            raise not_allowed()
        data = validated(RecommendationsInputSerializer, request)
        review = data["review"]
        require_manager(request, review)
        items = [services.ProposedRecommendation(**item) for item in data["items"]]
        with refusals_as_403():
            saved = services.add_recommendations(
                actor=request.user,
                review=review,
                items=items,
                extracted=data["extracted"],
                request=request,
            )
        prefetch_related_objects(saved, *_RECOMMENDATION_WITH, "themes")
        body = {"count": len(saved), "results": saved}
        return Response(RecommendationsCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class RecommendationDetail(APIView):
    serializer_class = RecommendationDetailSerializer

    @extend_schema(
        operation_id="recommendations_retrieve",
        tags=["recommendations"],
        summary="One recommendation, with its action plan (the actions you may see)",
        description="Audited as a view.",
        parameters=[ETAG_HEADER],
        responses={200: RecommendationDetailSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        recommendation = selectors.get_recommendation_for(request.user, id)
        record_event(
            actor=request.user,
            action=AuditAction.VIEW,
            target=recommendation,
            child=recommendation.review.clock_child,
            summary=f"Viewed recommendation {recommendation.number} of {recommendation.review}",
            request=request,
        )
        return _recommendation_response(request, recommendation)

    @extend_schema(
        operation_id="recommendations_partial_update",
        tags=["recommendations"],
        summary="Correct a recommendation's wording, tag its themes, or link the clock "
        "rule it created (send If-Match)",
        description=(
            f"{WHO_MANAGES}: anyone else `403 not_allowed`. Any of `text`, `themes` "
            "(replaces them), `rule_id` (blank to unlink). `required` (text), "
            "`unknown_rule`."
        ),
        request=RecommendationUpdateSerializer,
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        responses={200: RecommendationDetailSerializer, **UPDATE_ERRORS},
    )
    def patch(self, request, id):
        recommendation = selectors.get_recommendation_for(request.user, id)
        require_manager(request, recommendation.review)
        if not request.headers.get("If-Match"):
            raise PreconditionRequired()
        data = validated(RecommendationUpdateSerializer, request)
        with transaction.atomic():
            # Compare under the row lock, so two writers cannot both pass the check.
            current = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
            check_if_match(request, current)
            with refusals_as_403():
                services.update_recommendation(
                    actor=request.user, recommendation=current, request=request, **data
                )
        return _recommendation_response(request, recommendation)
