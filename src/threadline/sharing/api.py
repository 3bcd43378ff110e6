"""Sharing agreements, access requests and break-glass. Thin views over the same
services as the web pages (sharing/views.py): parse, check the policy, call one service.

- Agreements are public to signed-in staff (not case data); administrators record and end
  them (403 otherwise).
- An access request exists for its requester and the asked agency's safeguarding leads
  (404 for anyone else); only those leads decide it (403 for the requester).
- Break-glass opens one person the caller cannot normally see, after re-entering their
  password: an agency system's token alone is never enough."""

from django.http import Http404
from django.urls import path, reverse
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from threadline.agencies.models import Role
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.common.api import (
    CREATE_ERRORS,
    CREATE_UNDER_ERRORS,
    IDEMPOTENCY_KEY_HEADER,
    REPLAYED_HEADER,
    RETRIEVE_ERRORS,
    APIView,
    ErrorSerializer,
    Forbidden,
    error_responses,
    idempotent,
    validated,
)
from threadline.web import services as sign_in

from . import policy, selectors, services
from .serializers import (
    AccessRequestInputSerializer,
    AccessRequestQuerySerializer,
    AccessRequestSerializer,
    AgreementInputSerializer,
    ApprovalInputSerializer,
    BreakGlassInputSerializer,
    BreakGlassSerializer,
    EndAgreementInputSerializer,
    RefusalInputSerializer,
    SharingAgreementSerializer,
)

CREATE_HEADERS = [IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER]
LIST_ERRORS = error_responses(400, 401)  # 400: a malformed filter, limit or offset


# --- sharing agreements ---------------------------------------------------------------


def _administrator_only(request) -> None:
    if request.user.role != Role.ADMINISTRATOR:
        raise Forbidden("Only an administrator records or changes sharing agreements.")


def _agreement_response(agreement, status_code=status.HTTP_200_OK) -> Response:
    agreement = selectors.sharing_agreements().get(pk=agreement.pk)
    return Response(SharingAgreementSerializer(agreement).data, status=status_code)


class AgreementList(APIView):
    serializer_class = SharingAgreementSerializer

    @extend_schema(
        operation_id="sharing_agreements_list",
        tags=["sharing-agreements"],
        summary="Every information-sharing agreement between agencies",
        responses={200: SharingAgreementSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.sharing_agreements())
        return self.get_paginated_response(SharingAgreementSerializer(page, many=True).data)

    @extend_schema(
        operation_id="sharing_agreements_create",
        tags=["sharing-agreements"],
        summary="Record that one agency shares categories of its records with another "
        "(administrators)",
        request=AgreementInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: SharingAgreementSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        _administrator_only(request)
        data = validated(AgreementInputSerializer, request)
        agreement = services.create_agreement(actor=request.user, request=request, **data)
        response = _agreement_response(agreement, status.HTTP_201_CREATED)
        response["Location"] = reverse("api-sharing-agreement-detail", args=[agreement.pk])
        return response


def _get_agreement(id):
    agreement = selectors.sharing_agreements().filter(pk=id).first()
    if agreement is None:
        raise Http404("No such sharing agreement")
    return agreement


class AgreementDetail(APIView):
    serializer_class = SharingAgreementSerializer

    @extend_schema(
        operation_id="sharing_agreements_retrieve",
        tags=["sharing-agreements"],
        responses={200: SharingAgreementSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        return Response(SharingAgreementSerializer(_get_agreement(id)).data)


class AgreementEnd(APIView):
    serializer_class = SharingAgreementSerializer

    @extend_schema(
        operation_id="sharing_agreements_end_create",
        tags=["sharing-agreements"],
        summary="End an agreement on a day (administrators); access stops the day after",
        request=EndAgreementInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: SharingAgreementSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        agreement = _get_agreement(id)
        _administrator_only(request)
        data = validated(EndAgreementInputSerializer, request)
        services.end_agreement(actor=request.user, agreement=agreement, request=request, **data)
        return _agreement_response(agreement)


# --- access requests ------------------------------------------------------------------


class AccessRequestList(APIView):
    serializer_class = AccessRequestSerializer

    @extend_schema(
        operation_id="access_requests_list",
        tags=["access-requests"],
        summary="Your requests and, for a safeguarding lead, those to your agency",
        parameters=[AccessRequestQuerySerializer],
        responses={200: AccessRequestSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request):
        query = validated(AccessRequestQuerySerializer, request, request.query_params.dict())
        requests = selectors.list_access_requests(
            actor=request.user, status=query.get("status", ""), request=request
        )
        page = self.paginate_queryset(requests)
        return self.get_paginated_response(AccessRequestSerializer(page, many=True).data)

    @extend_schema(
        operation_id="access_requests_create",
        tags=["access-requests"],
        summary="Ask another agency to see its records of one category about a child",
        request=AccessRequestInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: AccessRequestSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        data = validated(AccessRequestInputSerializer, request)
        access = services.request_access(actor=request.user, request=request, **data)
        access = selectors.get_access_request_for(request.user, access.pk)
        response = Response(AccessRequestSerializer(access).data, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api-access-request-detail", args=[access.pk])
        return response


class AccessRequestDetail(APIView):
    serializer_class = AccessRequestSerializer

    @extend_schema(
        operation_id="access_requests_retrieve",
        tags=["access-requests"],
        responses={200: AccessRequestSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        access = selectors.get_access_request_record(
            actor=request.user, request_id=id, request=request
        )
        return Response(AccessRequestSerializer(access).data)


class _Decision(APIView):
    serializer_class = AccessRequestSerializer
    approve: bool
    input_serializer: type

    def _decide(self, request, id):
        access = selectors.get_access_request_for(request.user, id)
        if not policy.can_decide_access_request(request.user, access):
            raise Forbidden(
                f"Only a safeguarding lead of {access.provider.name} can decide this request."
            )
        data = validated(self.input_serializer, request)
        services.decide_access_request(
            actor=request.user,
            access=access,
            approve=self.approve,
            reason=data["reason"],
            expires_on=data.get("expires_on"),
            request=request,
        )
        access = selectors.get_access_request_for(request.user, access.pk)
        return Response(AccessRequestSerializer(access).data)


class AccessRequestApprove(_Decision):
    approve, input_serializer = True, ApprovalInputSerializer

    @extend_schema(
        operation_id="access_requests_approve_create",
        tags=["access-requests"],
        summary="Approve a request to your agency (its safeguarding leads); the requester is told",
        request=ApprovalInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: AccessRequestSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        return self._decide(request, id)


class AccessRequestRefuse(_Decision):
    approve, input_serializer = False, RefusalInputSerializer

    @extend_schema(
        operation_id="access_requests_refuse_create",
        tags=["access-requests"],
        summary="Refuse a request to your agency, with a reason; the requester is told",
        request=RefusalInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: AccessRequestSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        return self._decide(request, id)


# --- break-glass ----------------------------------------------------------------------


class ReauthenticationFailed(exceptions.PermissionDenied):
    default_code = "reauthentication_failed"
    default_detail = "The password is not correct."


@sensitive_variables("password", "code")
def _reauthenticate(request, password: str, code: str | None) -> None:
    """The web's re-authentication step (password, and a code for app users): audited,
    and failures count towards the lockout of this username and address."""
    if not request.user.has_usable_password():
        raise ReauthenticationFailed(
            "This account has no password (an agency system's token): break-glass needs a "
            "practitioner who can re-enter theirs."
        )
    try:
        sign_in.reauthenticate(request=request, password=password, code=code)
    except sign_in.SignInRefused as refused:
        raise ReauthenticationFailed(refused.message) from refused


BREAK_GLASS_403 = OpenApiResponse(
    ErrorSerializer,
    description="`reauthentication_failed`: wrong password or code, locked out, or an "
    "account without a password; `forbidden`: an account without an agency.",
)


class PersonBreakGlass(APIView):
    serializer_class = BreakGlassSerializer

    @extend_schema(
        operation_id="people_break_glass_create",
        tags=["break-glass"],
        summary="Emergency access to one person for 60 minutes (re-enter your password)",
        description=(
            "For an emergency only. Opens the person's record to you for 60 minutes; the "
            "agency that holds it is alerted at once and reviews the use. Send your own "
            "password again (and your authenticator code, if you have one): an agency "
            "system's token, which has no password, cannot break glass. Not idempotent: "
            "each call is a new, audited use (the body carries a password, which is never "
            "stored, not even as the Idempotency-Key fingerprint)."
        ),
        request=BreakGlassInputSerializer,
        responses={
            201: BreakGlassSerializer,
            **error_responses(400, 401, 404, 415),
            403: BREAK_GLASS_403,
        },
    )
    @sensitive_variables("data")
    def post(self, request, id):
        if request.user.agency_id is None:
            raise Forbidden("Break-glass is for practitioners; administrators see no case data.")
        data = validated(BreakGlassInputSerializer, request)
        _reauthenticate(request, data["password"], data.get("code"))
        try:
            person = selectors.person_for_break_glass(id)
        except Http404:
            record_event(
                actor=request.user,
                action=AuditAction.DENIED,
                summary=f"Break-glass: no person {id}",
                purpose=data["reason"],
                request=request,
            )
            raise
        glass = services.break_glass(
            actor=request.user, person=person, reason=data["reason"], request=request
        )
        return Response(BreakGlassSerializer(glass).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("sharing-agreements/", AgreementList.as_view(), name="api-sharing-agreement-list"),
    path(
        "sharing-agreements/<uuid:id>/",
        AgreementDetail.as_view(),
        name="api-sharing-agreement-detail",
    ),
    path(
        "sharing-agreements/<uuid:id>/end/",
        AgreementEnd.as_view(),
        name="api-sharing-agreement-end",
    ),
    path("access-requests/", AccessRequestList.as_view(), name="api-access-request-list"),
    path(
        "access-requests/<uuid:id>/",
        AccessRequestDetail.as_view(),
        name="api-access-request-detail",
    ),
    path(
        "access-requests/<uuid:id>/approve/",
        AccessRequestApprove.as_view(),
        name="api-access-request-approve",
    ),
    path(
        "access-requests/<uuid:id>/refuse/",
        AccessRequestRefuse.as_view(),
        name="api-access-request-refuse",
    ),
    path(
        "people/<uuid:id>/break-glass/", PersonBreakGlass.as_view(), name="api-person-break-glass"
    ),
]
