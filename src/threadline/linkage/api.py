"""Identity resolution: the review queue (list, read, decide: safeguarding leads and
front-door officers, `403 not_a_decider` for anyone else; a pair outside their reach is a
404) and the people a person may also be (anyone who may see the person).

Thin views over the same services and selectors as the web pages."""

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from threadline.agencies.models import Agency
from threadline.common.api import (
    CREATE_UNDER_ERRORS,
    IDEMPOTENCY_KEY_HEADER,
    REPLAYED_HEADER,
    APIView,
    ErrorSerializer,
    Forbidden,
    error_responses,
    idempotent,
    validated,
)
from threadline.common.errors import invalid
from threadline.sharing.policy import can_resolve_identities, get_person_for

from . import selectors, services
from .serializers import (
    KnownPersonSerializer,
    MatchCandidateSerializer,
    MatchDecisionInputSerializer,
    MatchQueueQuerySerializer,
)

CREATE_HEADERS = [IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER]


class AlreadyDecided(exceptions.APIException):
    status_code = 409
    default_code = "already_decided"
    default_detail = "This pair has already been decided; a decision is final."


def _decider(request) -> None:
    if not can_resolve_identities(request.user):
        raise Forbidden(
            "Only safeguarding leads and front-door officers decide whether records are the "
            "same person.",
            code="not_a_decider",
        )


class MatchCandidateList(APIView):
    serializer_class = MatchCandidateSerializer

    @extend_schema(
        operation_id="match_candidates_list",
        tags=["match-candidates"],
        summary="The identity review queue: pairs of an agency's record and a person it "
        "may be, the most probable first",
        description=(
            "For safeguarding leads (the records their agency sent) and front-door officers "
            "(every agency of their area), about people they may see; anyone else: "
            "`403 not_a_decider`. Filters: `status` (default `pending`), `agency` "
            "(`unknown_agency`), `person` (`unknown_person` if you cannot see them). Audited as "
            "a search."
        ),
        parameters=[MatchQueueQuerySerializer],
        responses={200: MatchCandidateSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request):
        _decider(request)
        query = validated(MatchQueueQuerySerializer, request, request.query_params.dict())
        agency = None
        if "agency" in query:
            agency = Agency.objects.filter(code=query["agency"]).first()
            if agency is None:
                raise invalid("agency", "No agency has this code", "unknown_agency")
        pairs = selectors.review_queue(
            actor=request.user,
            status=query.get("status", "pending"),
            agency=agency,
            person=query.get("person"),
            request=request,
        )
        page = self.paginate_queryset(pairs)
        return self.get_paginated_response(MatchCandidateSerializer(page, many=True).data)


class MatchCandidateDetail(APIView):
    serializer_class = MatchCandidateSerializer

    @extend_schema(
        operation_id="match_candidates_retrieve",
        tags=["match-candidates"],
        summary="One pair: both records side by side and each field's part in the match weight",
        description="Not a decider: `403 not_a_decider`. Audited as a view.",
        responses={200: MatchCandidateSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, id):
        _decider(request)
        pair = selectors.get_match_record(actor=request.user, match_id=id, request=request)
        return Response(MatchCandidateSerializer(pair).data)


class MatchCandidateDecision(APIView):
    serializer_class = MatchCandidateSerializer

    @extend_schema(
        operation_id="match_candidates_decision_create",
        tags=["match-candidates"],
        summary="Decide a pair: `same` links the record to the person, `not_same` is "
        "remembered (the pair is never asked again)",
        description=(
            "Not a decider: `403 not_a_decider` (before the body is read). A decision is "
            "final: `409 already_decided`. When the last waiting pair of a record is "
            "`not_same`, the record is matched again against everyone else (people "
            "recorded while it waited may be it): linked, queued again, or given a new "
            "person. Audited."
        ),
        request=MatchDecisionInputSerializer,
        parameters=CREATE_HEADERS,
        responses={
            200: MatchCandidateSerializer,
            **CREATE_UNDER_ERRORS,
            409: OpenApiResponse(
                ErrorSerializer,
                description="`already_decided`, or a request with this Idempotency-Key is "
                "still in flight.",
            ),
        },
    )
    @idempotent
    def post(self, request, id):
        _decider(request)
        pair = selectors.get_match_for(request.user, id)
        data = validated(MatchDecisionInputSerializer, request)
        try:
            pair = services.decide_match(
                actor=request.user, candidate=pair, decision=data["decision"], request=request
            )
        except ValidationError as error:
            if any(e.code == "already_decided" for e in error.error_list):
                raise AlreadyDecided() from error
            raise
        return Response(
            MatchCandidateSerializer(selectors.get_match_for(request.user, pair.pk)).data
        )


class PersonMatchCandidates(APIView):
    serializer_class = KnownPersonSerializer

    @extend_schema(
        operation_id="people_match_candidates_list",
        tags=["match-candidates"],
        summary="The people this person may also be: candidates for their agencies' records, "
        "with probabilities and why",
        description=(
            "Found through the blocking keys and scored with the saved model, strongest "
            "first; only people you may see (as search). A person you cannot see: `404`. "
            "Audited as a view of the person."
        ),
        responses={200: KnownPersonSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request, id):
        person = get_person_for(request.user, id)
        known = selectors.match_candidates_for_person(
            actor=request.user, person=person, request=request
        )
        page = self.paginate_queryset(known)
        return self.get_paginated_response(KnownPersonSerializer(page, many=True).data)


urlpatterns = [
    path("match-candidates/", MatchCandidateList.as_view(), name="api-match-candidate-list"),
    path(
        "match-candidates/<uuid:id>/",
        MatchCandidateDetail.as_view(),
        name="api-match-candidate-detail",
    ),
    path(
        "match-candidates/<uuid:id>/decision/",
        MatchCandidateDecision.as_view(),
        name="api-match-candidate-decision",
    ),
    path(
        "people/<uuid:id>/match-candidates/",
        PersonMatchCandidates.as_view(),
        name="api-person-match-candidates",
    ),
]
