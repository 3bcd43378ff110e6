"""Cases, the child's network, allocation and the lead professional. Seeing a case
comes from the policy (404 otherwise); changing who works on it needs the holding local
authority (403 otherwise)."""

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
from threadline.sharing.policy import can_manage_case, can_open_case, get_case_for

from . import selectors, services
from .serializers import (
    AllocationInputSerializer,
    AllocationSerializer,
    CaseInputSerializer,
    CaseSerializer,
    CaseSummarySerializer,
    InvolvementInputSerializer,
    InvolvementSerializer,
    LeadProfessionalInputSerializer,
)

CREATE_HEADERS = [IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER]


def _case_to_manage(request, case_id):
    case = get_case_for(request.user, case_id)
    if not can_manage_case(request.user, case):
        raise Forbidden()
    return case


class CaseList(APIView):
    serializer_class = CaseSummarySerializer

    @extend_schema(
        operation_id="cases_list",
        tags=["cases"],
        summary="The open cases you may see",
        responses={200: CaseSummarySerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.list_cases(actor=request.user, request=request))
        return self.get_paginated_response(CaseSummarySerializer(page, many=True).data)

    @extend_schema(
        operation_id="cases_create",
        tags=["cases"],
        summary="Open a case for a child (children's social care only)",
        request=CaseInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: CaseSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        if not can_open_case(request.user):
            raise Forbidden()
        data = validated(CaseInputSerializer, request)
        case = services.open_case(actor=request.user, request=request, **data)
        # A new case has no network yet: nothing here the caller may not see.
        response = Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api-case-detail", args=[case.pk])
        return response


class CaseDetail(APIView):
    serializer_class = CaseSerializer

    @extend_schema(
        operation_id="cases_retrieve",
        tags=["cases"],
        summary="The case with its network and allocation history",
        responses={200: CaseSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        case = selectors.get_case_record(actor=request.user, case_id=id, request=request)
        return Response(CaseSerializer(case).data)


class CaseInvolvements(APIView):
    serializer_class = InvolvementSerializer

    @extend_schema(
        operation_id="cases_involvements_create",
        tags=["cases"],
        summary="Add an agency (and its practitioner) to the child's network",
        request=InvolvementInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: InvolvementSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        case = _case_to_manage(request, id)
        data = validated(InvolvementInputSerializer, request)
        involvement = services.add_involvement(
            actor=request.user, case=case, request=request, **data
        )
        return Response(InvolvementSerializer(involvement).data, status=status.HTTP_201_CREATED)


class CaseAllocations(APIView):
    serializer_class = AllocationSerializer

    @extend_schema(
        operation_id="cases_allocations_create",
        tags=["cases"],
        summary="Allocate the case to a social worker from a date",
        request=AllocationInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: AllocationSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        case = _case_to_manage(request, id)
        data = validated(AllocationInputSerializer, request)
        allocation = services.allocate_social_worker(
            actor=request.user, case=case, request=request, **data
        )
        return Response(AllocationSerializer(allocation).data, status=status.HTTP_201_CREATED)


class CaseLeadProfessional(APIView):
    serializer_class = CaseSerializer

    @extend_schema(
        operation_id="cases_lead_professional_create",
        tags=["cases"],
        summary="Name the lead professional (their agency becomes the lead agency)",
        request=LeadProfessionalInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: CaseSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        case = _case_to_manage(request, id)
        data = validated(LeadProfessionalInputSerializer, request)
        services.set_lead_professional(actor=request.user, case=case, request=request, **data)
        # Rendered through the selector: the network shown is only what the caller may see.
        case = selectors.get_case_record(actor=request.user, case_id=case.pk, request=request)
        return Response(CaseSerializer(case).data)


urlpatterns = [
    path("cases/", CaseList.as_view(), name="api-case-list"),
    path("cases/<uuid:id>/", CaseDetail.as_view(), name="api-case-detail"),
    path("cases/<uuid:id>/involvements/", CaseInvolvements.as_view(), name="api-case-involvements"),
    path("cases/<uuid:id>/allocations/", CaseAllocations.as_view(), name="api-case-allocations"),
    path(
        "cases/<uuid:id>/lead-professional/",
        CaseLeadProfessional.as_view(),
        name="api-case-lead-professional",
    ),
]
