"""The caller's notices: list (their own and, for those who read it, their agency's inbox),
retrieve (which marks it read) and acknowledge. Someone else's notice is 404."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from threadline.common.api import (
    CREATE_UNDER_ERRORS,
    IDEMPOTENCY_KEY_HEADER,
    REPLAYED_HEADER,
    RETRIEVE_ERRORS,
    APIView,
    error_responses,
    idempotent,
)

from . import selectors, services
from .serializers import NoticeQuerySerializer, NoticeSerializer


class NoticeList(APIView):
    serializer_class = NoticeSerializer

    @extend_schema(
        operation_id="notices_list",
        tags=["notices"],
        summary="Your notices and your agency's inbox: unacknowledged first, newest first",
        parameters=[NoticeQuerySerializer],
        responses={200: NoticeSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request):
        query = NoticeQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        rows = selectors.inbox(
            request.user,
            box=query.validated_data["box"],
            acknowledged=query.validated_data["acknowledged"],
            request=request,
        )
        if notice_type := query.validated_data.get("notice_type"):
            rows = rows.filter(notice__notice_type=notice_type)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(NoticeSerializer(page, many=True).data)


class NoticeDetail(APIView):
    serializer_class = NoticeSerializer

    @extend_schema(
        operation_id="notices_retrieve",
        tags=["notices"],
        summary="One of your notices; reading it through the API marks it read",
        responses={200: NoticeSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        recipient = selectors.notice_for(request.user, id)
        services.mark_read(actor=request.user, recipient=recipient, request=request)
        return Response(NoticeSerializer(selectors.notice_for(request.user, id)).data)


class NoticeAcknowledge(APIView):
    serializer_class = NoticeSerializer

    @extend_schema(
        operation_id="notices_acknowledge_create",
        tags=["notices"],
        summary="Acknowledge a notice sent to you or to your agency's inbox",
        request=None,
        parameters=[IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER],
        responses={200: NoticeSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        recipient = selectors.notice_for(request.user, id)
        services.acknowledge(actor=request.user, recipient=recipient, request=request)
        return Response(NoticeSerializer(selectors.notice_for(request.user, id)).data)


urlpatterns = [
    path("notices/", NoticeList.as_view(), name="api-notice-list"),
    path("notices/<uuid:id>/", NoticeDetail.as_view(), name="api-notice-detail"),
    path(
        "notices/<uuid:id>/acknowledge/",
        NoticeAcknowledge.as_view(),
        name="api-notice-acknowledge",
    ),
]
