"""The directory of agencies and practitioners: any signed-in caller may read it;
it holds no case data. Read-only through the API (the admin and the demo loader write)."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from threadline.common.api import RETRIEVE_ERRORS, APIView, error_responses

from .models import Agency, Practitioner
from .serializers import (
    AgencySerializer,
    PractitionerQuerySerializer,
    PractitionerSerializer,
    find_agency,
)

LIST_ERRORS = error_responses(400, 401)  # 400: a malformed limit or offset


class AgencyList(APIView):
    serializer_class = AgencySerializer

    @extend_schema(
        operation_id="agencies_list",
        tags=["agencies"],
        responses={200: AgencySerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(Agency.objects.order_by("name"))
        return self.get_paginated_response(AgencySerializer(page, many=True).data)


class AgencyDetail(APIView):
    serializer_class = AgencySerializer

    @extend_schema(
        operation_id="agencies_retrieve",
        tags=["agencies"],
        responses={200: AgencySerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        agency = Agency.objects.filter(pk=id).first()
        if agency is None:
            raise Http404("No such agency")
        return Response(AgencySerializer(agency).data)


def _practitioners():
    return Practitioner.objects.filter(is_active=True).select_related("agency", "team")


class PractitionerList(APIView):
    serializer_class = PractitionerSerializer

    @extend_schema(
        operation_id="practitioners_list",
        tags=["practitioners"],
        parameters=[PractitionerQuerySerializer],
        responses={200: PractitionerSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request):
        query = PractitionerQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        practitioners = _practitioners()
        if "agency" in query.validated_data:
            agency = find_agency(query.validated_data["agency"])
            practitioners = practitioners.filter(agency=agency) if agency else practitioners.none()
        page = self.paginate_queryset(practitioners.order_by("last_name", "first_name", "id"))
        return self.get_paginated_response(PractitionerSerializer(page, many=True).data)


class PractitionerDetail(APIView):
    serializer_class = PractitionerSerializer

    @extend_schema(
        operation_id="practitioners_retrieve",
        tags=["practitioners"],
        responses={200: PractitionerSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        practitioner = _practitioners().filter(pk=id).first()
        if practitioner is None:
            raise Http404("No such practitioner")
        return Response(PractitionerSerializer(practitioner).data)


urlpatterns = [
    path("agencies/", AgencyList.as_view(), name="api-agency-list"),
    path("agencies/<uuid:id>/", AgencyDetail.as_view(), name="api-agency-detail"),
    path("practitioners/", PractitionerList.as_view(), name="api-practitioner-list"),
    path("practitioners/<uuid:id>/", PractitionerDetail.as_view(), name="api-practitioner-detail"),
]
