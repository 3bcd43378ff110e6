"""The audit trail, read-only: auditors see all of it; safeguarding leads and team
managers what the selector scopes them to (children they may see, their agency's staff);
anyone else gets 403. Every search is itself on the trail (the selector records it)."""

from django.urls import path
from drf_spectacular.utils import extend_schema

from threadline.common.api import APIView, Forbidden, error_responses

from .selectors import audit_trail, can_read_audit_trail
from .serializers import AuditEventSerializer, AuditQuerySerializer


class AuditEventList(APIView):
    serializer_class = AuditEventSerializer

    @extend_schema(
        operation_id="audit_events_list",
        tags=["audit-events"],
        summary="Search the audit trail, newest first (auditors, safeguarding leads, "
        "team managers)",
        parameters=[AuditQuerySerializer],
        responses={200: AuditEventSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request):
        if not can_read_audit_trail(request.user):
            raise Forbidden(
                "Only auditors, safeguarding leads and team managers may read the audit trail."
            )
        query = AuditQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        data = query.validated_data
        events = audit_trail(
            actor=request.user,
            child_id=data.get("child"),
            username=data.get("actor", ""),
            action=data.get("action", ""),
            since=data.get("since"),
            until=data.get("until"),
            request=request,
        )
        page = self.paginate_queryset(events)
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)


urlpatterns = [
    path("audit-events/", AuditEventList.as_view(), name="api-audit-event-list"),
]
