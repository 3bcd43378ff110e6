"""Notices as the API shows them: each item is the caller's copy (one recipient row) of a
notice, with the notice itself and when it was delivered, read and acknowledged."""

from rest_framework import serializers

from threadline.agencies.serializers import AgencySummarySerializer, PractitionerSummarySerializer
from threadline.people.serializers import PersonSummarySerializer

from .models import Notice, NoticeRecipient, NoticeType
from .selectors import BOXES


class NoticeContentSerializer(serializers.ModelSerializer):
    child = PersonSummarySerializer(read_only=True, allow_null=True)
    sender = PractitionerSummarySerializer(read_only=True, allow_null=True)
    sender_agency = AgencySummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "notice_type",
            "title",
            "body",
            "link",
            "child",
            "sender",
            "sender_agency",
            "created_at",
        ]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    notice = NoticeContentSerializer(read_only=True)
    agency = AgencySummarySerializer(
        read_only=True, allow_null=True, help_text="Set when sent to an agency's inbox."
    )
    practitioner = PractitionerSummarySerializer(
        read_only=True, allow_null=True, help_text="Set when sent to a named practitioner."
    )
    read_by = PractitionerSummarySerializer(read_only=True, allow_null=True)
    acknowledged_by = PractitionerSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = NoticeRecipient
        fields = [
            "id",
            "notice",
            "agency",
            "practitioner",
            "delivered_at",
            "read_at",
            "read_by",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledge_by",
            "escalated_at",
        ]
        read_only_fields = fields


class NoticeQuerySerializer(serializers.Serializer):
    box = serializers.ChoiceField(choices=list(BOXES), required=False, default="all")
    acknowledged = serializers.BooleanField(required=False, allow_null=True, default=None)
    notice_type = serializers.ChoiceField(choices=NoticeType.choices, required=False)
