"""Referrals: make one (about a child you can see, or a new or unborn child), list and
read those you may see (sharing/policy.py `referrals_visible_to`: 404 otherwise), and
decide one — a front-door officer of the local authority it was made to (403 for anyone
else who can see it). Thin views over the same services as the web pages."""

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from threadline.common.api import (
    CREATE_ERRORS,
    CREATE_UNDER_ERRORS,
    IDEMPOTENCY_KEY_HEADER,
    REPLAYED_HEADER,
    RETRIEVE_ERRORS,
    APIView,
    Forbidden,
    error_responses,
    idempotent,
    validated,
)
from threadline.sharing.policy import can_decide_referral

from . import selectors, services
from .serializers import (
    DecisionInputSerializer,
    ReferralInputSerializer,
    ReferralQuerySerializer,
    ReferralSerializer,
)

CREATE_HEADERS = [IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER]


def _referral_response(referral, status_code=status.HTTP_200_OK) -> Response:
    """The referral as the service just made or decided it (the actor was allowed to)."""
    return Response(ReferralSerializer(referral).data, status=status_code)


class ReferralList(APIView):
    serializer_class = ReferralSerializer

    @extend_schema(
        operation_id="referrals_list",
        tags=["referrals"],
        summary="The referrals you may see: yours, your agency's (safeguarding leads), those "
        "about children you can see, and your front door's",
        parameters=[ReferralQuerySerializer],
        responses={200: ReferralSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request):
        query = validated(ReferralQuerySerializer, request, request.query_params.dict())
        referrals = selectors.list_referrals(
            actor=request.user,
            status=query.get("status", ""),
            child=query.get("child"),
            request=request,
        )
        page = self.paginate_queryset(referrals)
        return self.get_paginated_response(ReferralSerializer(page, many=True).data)

    @extend_schema(
        operation_id="referrals_create",
        tags=["referrals"],
        summary="Refer a child, or a new or unborn child, to children's social care",
        description=(
            "Send `child` (a child you can see) or `new_child` (recorded with the "
            "referral). The front door of the child's local authority receives it at "
            "once, every other agency involved with the child or their family is alerted, "
            "and a decision is due by `decision_due_at`. Concerns, at least one category, "
            "the urgency, what the family has been told and the basis for sharing are "
            "required: errors name the field with a stable code (`concerns_required`, "
            "`new_child.expected_delivery_date` with `unborn_needs_expected_date`, …)."
        ),
        request=ReferralInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: ReferralSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        if request.user.agency_id is None:
            raise Forbidden("Administrators see no case data and do not make referrals.")
        data = validated(ReferralInputSerializer, request)
        new_child = data.pop("new_child", None)
        parent, relationship = None, "mother"
        if new_child is not None:
            parent = new_child.pop("parent", None)
            relationship = new_child.pop("parent_relationship", "mother")
        referral = services.make_referral(
            actor=request.user,
            new_child=new_child,
            parent=parent,
            parent_relationship=relationship,
            request=request,
            **data,
        )
        response = _referral_response(referral, status.HTTP_201_CREATED)
        response["Location"] = reverse("api-referral-detail", args=[referral.pk])
        return response


class ReferralDetail(APIView):
    serializer_class = ReferralSerializer

    @extend_schema(
        operation_id="referrals_retrieve",
        tags=["referrals"],
        responses={200: ReferralSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        referral = selectors.get_referral_record(
            actor=request.user, referral_id=id, request=request
        )
        return Response(ReferralSerializer(referral).data)


class ReferralDecide(APIView):
    serializer_class = ReferralSerializer

    @extend_schema(
        operation_id="referrals_decide_create",
        tags=["referrals"],
        summary="Decide a referral to your local authority (front-door officers), with the "
        "rationale; the referrer is sent the outcome",
        description=(
            "`assessment` and `strategy_discussion` give the child an open case (theirs, "
            "or one opened now). A referral is decided once: `already_decided` after that."
        ),
        request=DecisionInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: ReferralSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        referral = selectors.get_referral_for(request.user, id)
        if not can_decide_referral(request.user, referral):
            raise Forbidden(
                f"Only a front-door officer of {referral.local_authority.name} decides this "
                "referral.",
                code="not_front_door",
            )
        data = validated(DecisionInputSerializer, request)
        decided = services.decide_referral(
            actor=request.user, referral=referral, request=request, **data
        )
        return _referral_response(decided)


urlpatterns = [
    path("referrals/", ReferralList.as_view(), name="api-referral-list"),
    path("referrals/<uuid:id>/", ReferralDetail.as_view(), name="api-referral-detail"),
    path("referrals/<uuid:id>/decide/", ReferralDecide.as_view(), name="api-referral-decide"),
]
