"""Risk factors: list and read those you may read (sharing/policy.py `risks_visible_to`:
404 otherwise); record one about a person you can see; review it, close it (a team
manager's or safeguarding lead's closure at once, anyone else's waiting for their
sign-off) and sign off a closure — the recording agency's staff only (403 for other
readers). The risks touching a child, with the path to each; the census factor list.
No DELETE, PUT or PATCH: a risk is closed, never deleted (405).

Thin views over the same services and selectors as the web pages."""

from django.db.models import prefetch_related_objects
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
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
from threadline.common.errors import invalid
from threadline.sharing.policy import can_change_risk, can_sign_off_risks, get_person_for

from . import selectors, services
from .models import Factor, RiskFactor
from .serializers import (
    ActiveRisksQuerySerializer,
    ActiveRisksSerializer,
    CloseInputSerializer,
    FactorSerializer,
    ReviewInputSerializer,
    RiskFactorDetailSerializer,
    RiskFactorSerializer,
    RiskInputSerializer,
    RiskQuerySerializer,
)

CREATE_HEADERS = [IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER]
_SHOWN_WITH = ("closure_requested_by", "closure_signed_off_by")


def _detail(risk: RiskFactor) -> dict:
    prefetch_related_objects([risk], *_SHOWN_WITH, "reviews__reviewed_by")
    return RiskFactorDetailSerializer(risk).data


def _risk_response(request, risk: RiskFactor, status_code=status.HTTP_200_OK) -> Response:
    """The risk as it is now, after a change the actor was allowed to make (the change
    itself is on the audit trail)."""
    risk = selectors.get_risk_for(request.user, risk.pk)
    return Response(_detail(risk), status=status_code)


def _changeable(request, id) -> RiskFactor:
    """The risk (404 if the caller may not read it), if the caller's agency recorded it
    (403 `not_your_agency` otherwise: they ask that agency)."""
    risk = selectors.get_risk_for(request.user, id)
    if not can_change_risk(request.user, risk):
        raise Forbidden(
            f"Only {risk.source_agency.name} reviews or closes its risks: ask them to.",
            code="not_your_agency",
        )
    return risk


class RiskList(APIView):
    serializer_class = RiskFactorSerializer

    @extend_schema(
        operation_id="risk_factors_list",
        tags=["risk-factors"],
        summary="The risk factors you may read, newest first",
        description=(
            "A risk is read by those who may see the person it is about, when the "
            "recording agency's information category is shared with them (sharing "
            "agreements, access requests, break-glass); restricted risks by the people "
            "named on them. Filters: `subject` (a person you cannot see: `404`), `status`, "
            "`factor` (`unknown_factor`), `agency` (`unknown_agency`). Audited as a search."
        ),
        parameters=[RiskQuerySerializer],
        responses={200: RiskFactorSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        query = validated(RiskQuerySerializer, request, request.query_params.dict())
        subject = get_person_for(request.user, query["subject"]) if "subject" in query else None
        risks = selectors.list_risks(
            actor=request.user,
            subject=subject,
            status=query.get("status", ""),
            factor=query.get("factor", ""),
            agencies=query.get("agency", ()),
            request=request,
        )
        page = self.paginate_queryset(risks.select_related(*_SHOWN_WITH))
        return self.get_paginated_response(RiskFactorSerializer(page, many=True).data)

    @extend_schema(
        operation_id="risk_factors_create",
        tags=["risk-factors"],
        summary="Record a risk your agency knows about a person (child or adult) you can see",
        description=(
            "With a Children in Need census factor code and the evidence; it touches every "
            "child connected to the person. It is your agency's information, of your "
            "agency's category unless `category` says otherwise. Every problem comes back "
            "at once, nothing saved: `unknown_person` (subject), `unknown_factor`, "
            "`evidence_required`, `review_in_past` / `required` (review_date), "
            "`identified_in_future`, `not_restricted` (restricted_to)."
        ),
        request=RiskInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: RiskFactorDetailSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        if request.user.agency_id is None:
            raise Forbidden("Administrators see no case data and do not record risks.")
        data = validated(RiskInputSerializer, request)
        risk = services.record_risk(actor=request.user, request=request, **data)
        response = _risk_response(request, risk, status.HTTP_201_CREATED)
        response["Location"] = reverse("api-risk-factor-detail", args=[risk.pk])
        return response


class RiskDetail(APIView):
    serializer_class = RiskFactorDetailSerializer

    @extend_schema(
        operation_id="risk_factors_retrieve",
        tags=["risk-factors"],
        summary="One risk factor, with its reviews (newest first)",
        responses={200: RiskFactorDetailSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        risk = selectors.get_risk_record(actor=request.user, risk_id=id, request=request)
        return Response(_detail(risk))


class RiskReviewCreate(APIView):
    serializer_class = RiskFactorDetailSerializer

    @extend_schema(
        operation_id="risk_factors_review_create",
        tags=["risk-factors"],
        summary="Review an open risk (the recording agency's staff): what was found, its "
        "status and the next review date",
        description=(
            "Another agency's risk: `403 not_your_agency`. `notes_required`, "
            "`review_in_past` / `required` (next_review_date), `invalid_choice` (status "
            "`closed`: use `/close/`), `invalid_transition` (a closed risk). A review that "
            "keeps the risk `active` turns down a closure waiting for sign-off."
        ),
        request=ReviewInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: RiskFactorDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        risk = _changeable(request, id)
        data = validated(ReviewInputSerializer, request)
        services.review_risk(actor=request.user, risk=risk, request=request, **data)
        return _risk_response(request, risk)


class RiskClose(APIView):
    serializer_class = RiskFactorDetailSerializer

    @extend_schema(
        operation_id="risk_factors_close_create",
        tags=["risk-factors"],
        summary="Close a risk (the recording agency's staff), with the rationale",
        description=(
            "A team manager or safeguarding lead closes it at once (`status` `closed`); "
            "anyone else's closure waits under review (`awaiting_sign_off` true) for one of "
            "them to sign it off, and they are told. Another agency's risk: "
            "`403 not_your_agency`. `rationale_required`, `awaiting_sign_off`, "
            "`invalid_transition` (already closed). It stays in the history."
        ),
        request=CloseInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: RiskFactorDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        risk = _changeable(request, id)
        data = validated(CloseInputSerializer, request)
        risk = services.close_risk(actor=request.user, risk=risk, request=request, **data)
        return _risk_response(request, risk)


class RiskSignOff(APIView):
    serializer_class = RiskFactorDetailSerializer

    @extend_schema(
        operation_id="risk_factors_sign_off_create",
        tags=["risk-factors"],
        summary="Sign off a closure someone asked for (a team manager or safeguarding lead "
        "of the recording agency): the risk closes",
        description=(
            "No body. Anyone else in the agency: `403 sign_off_needs_manager`; another "
            "agency: `403 not_your_agency`. Nobody asked to close it: "
            "`no_closure_to_sign_off`."
        ),
        request=None,
        parameters=CREATE_HEADERS,
        responses={200: RiskFactorDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        risk = _changeable(request, id)
        if not can_sign_off_risks(request.user):
            raise Forbidden(
                "Only a team manager or safeguarding lead signs off the closure of a risk.",
                code="sign_off_needs_manager",
            )
        risk = services.sign_off_closure(actor=request.user, risk=risk, request=request)
        return _risk_response(request, risk)


class ActiveRisks(APIView):
    serializer_class = ActiveRisksSerializer

    @extend_schema(
        operation_id="people_active_risks_retrieve",
        tags=["risk-factors"],
        summary="The risks touching a child on a day: theirs, their household's and their "
        "relatives', each with the path that connects it",
        description=(
            "Active (or under review) on `as_of` (today by default): about the child, about "
            "anyone living in their household that day, or about anyone with a relationship "
            "to them in force that day (docs/risks.md). Only the risks shared with you are "
            "listed; if any others touch the child, `restricted` is true and `contact` says "
            "whom to ask — never how many. A child you cannot see: `404`; an adult: "
            "`400 not_a_child`. Audited as a view of the child."
        ),
        parameters=[ActiveRisksQuerySerializer],
        responses={200: ActiveRisksSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, id):
        query = validated(ActiveRisksQuerySerializer, request, request.query_params.dict())
        child = get_person_for(request.user, id)
        if not child.is_child:
            raise invalid(None, f"{child.full_name} is not a child", "not_a_child")
        as_of = query.get("as_of") or timezone.localdate()
        touching = selectors.active_risks_for_child(child, as_of=as_of, actor=request.user)
        restricted = touching.withheld > 0
        record_event(
            actor=request.user,
            action=AuditAction.VIEW,
            target=child,
            child=child,
            summary=f"Viewed the risks touching {child.full_name} on {as_of:%-d %b %Y}",
            request=request,
        )
        body = {
            "child": child.pk,
            "as_of": as_of,
            "risks": list(touching),
            "restricted": restricted,
            "contact": selectors.contact_for_restricted(child) if restricted else None,
        }
        return Response(ActiveRisksSerializer(body).data)


class FactorList(APIView):
    serializer_class = FactorSerializer

    @extend_schema(
        operation_id="assessment_factors_list",
        tags=["risk-factors"],
        summary="The Children in Need census assessment factors a risk is recorded with",
        description="In census order. Not case data: anyone signed in.",
        responses={200: FactorSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request):
        page = self.paginate_queryset(Factor.objects.filter(in_use=True).order_by("position"))
        return self.get_paginated_response(FactorSerializer(page, many=True).data)


urlpatterns = [
    path("risk-factors/", RiskList.as_view(), name="api-risk-factor-list"),
    path("risk-factors/<uuid:id>/", RiskDetail.as_view(), name="api-risk-factor-detail"),
    path(
        "risk-factors/<uuid:id>/review/", RiskReviewCreate.as_view(), name="api-risk-factor-review"
    ),
    path("risk-factors/<uuid:id>/close/", RiskClose.as_view(), name="api-risk-factor-close"),
    path(
        "risk-factors/<uuid:id>/sign-off/",
        RiskSignOff.as_view(),
        name="api-risk-factor-sign-off",
    ),
    path(
        "people/<uuid:id>/active-risks/",
        ActiveRisks.as_view(),
        name="api-person-active-risks",
    ),
    path("assessment-factors/", FactorList.as_view(), name="api-assessment-factor-list"),
]
