"""The audit trail as the API shows it (read-only), and its search filters."""

from rest_framework import serializers

from threadline.agencies.serializers import AgencySummarySerializer
from threadline.common.api import TextField

from .models import AuditAction


class AuditEventSerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="Position in the chain: later events are higher.")
    at = serializers.DateTimeField()
    actor = serializers.CharField(
        source="actor_label", help_text="The username (or, for failed sign-ins, what was typed)."
    )
    agency = AgencySummarySerializer(
        source="actor.agency", allow_null=True, help_text="The actor's agency (today's), if any."
    )
    action = serializers.ChoiceField(choices=AuditAction.choices)
    object_type = serializers.CharField(help_text="For example `people.person`; may be blank.")
    object_id = serializers.CharField()
    child = serializers.UUIDField(
        source="child_id", allow_null=True, help_text="The child the event concerns, if any."
    )
    summary = serializers.CharField()
    purpose = serializers.CharField(help_text="The reason given, where one was asked for.")
    ip_address = serializers.CharField(allow_null=True)


class AuditQuerySerializer(serializers.Serializer):
    child = serializers.UUIDField(required=False, help_text="Who has looked at this child.")
    actor = TextField(required=False, max_length=150, help_text="Events by this username.")
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
    since = serializers.DateField(required=False, help_text="From this day (UK time).")
    until = serializers.DateField(required=False, help_text="Up to and including this day.")

    def validate(self, data):
        if "since" in data and "until" in data and data["until"] < data["since"]:
            raise serializers.ValidationError(
                {
                    "until": serializers.ErrorDetail(
                        "Until cannot be before since", code="until_before_since"
                    )
                }
            )
        return data
