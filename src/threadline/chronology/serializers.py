"""Chronology entries as the API reads and writes them. Input serializers only parse
types and resolve ids; services.py validates (an unknown child, a future date, another
agency, an over-long summary, a file too big or of the wrong type) with stable codes."""

import base64
import binascii
import datetime as dt

from django.core.files.base import ContentFile
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from threadline.agencies.serializers import (
    AgencyField,
    AgencyListField,
    AgencySummarySerializer,
    PractitionerSummarySerializer,
)
from threadline.common.api import EARLIEST_YEAR, TextField
from threadline.people.serializers import PersonSummarySerializer
from threadline.sharing.models import InformationCategory
from threadline.sharing.serializers import SharedRecordInputSerializer

from . import exports
from .models import (
    Attachment,
    ChronologyEntry,
    DatePrecision,
    EntryCategory,
    EntryVersion,
    Significance,
)
from .services import BULK_MAX, MAX_ATTACHMENTS

# --- output ---------------------------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "created_at"]
        read_only_fields = fields


class EntryVersionSerializer(serializers.ModelSerializer):
    replaced_by = PractitionerSummarySerializer(read_only=True)

    class Meta:
        model = EntryVersion
        fields = [
            "version",
            "event_at",
            "event_precision",
            "entry_type",
            "summary",
            "detail",
            "outcome",
            "significance",
            "source_reference",
            "replaced_by",
            "replaced_at",
            "reason",
        ]
        read_only_fields = fields


class ChronologyEntrySerializer(serializers.ModelSerializer):
    children = PersonSummarySerializer(
        source="shown_children",
        many=True,
        read_only=True,
        help_text="The children it is about whom you may see.",
    )
    agency = AgencySummarySerializer(read_only=True, help_text="The agency that recorded it.")
    author = PractitionerSummarySerializer(read_only=True)
    recorded_after_days = serializers.IntegerField(
        read_only=True, help_text="Whole days from the event to its recording: how late it is."
    )
    entered_in_error = serializers.BooleanField(source="in_error", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ChronologyEntry
        fields = [
            "id",
            "children",
            "agency",
            "author",
            "event_at",
            "event_precision",
            "recorded_at",
            "recorded_after_days",
            "entry_type",
            "summary",
            "detail",
            "outcome",
            "significance",
            "source_reference",
            "category",
            "confidentiality",
            "version",
            "entered_in_error",
            "entered_in_error_at",
            "entered_in_error_reason",
            "attachments",
        ]
        read_only_fields = fields


class ChronologyEntryDetailSerializer(ChronologyEntrySerializer):
    versions = EntryVersionSerializer(
        many=True, read_only=True, help_text="Earlier wording, newest first."
    )

    class Meta(ChronologyEntrySerializer.Meta):
        fields = [*ChronologyEntrySerializer.Meta.fields, "versions"]
        read_only_fields = fields


class BulkResultItemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The index of the entry in the request.")
    id = serializers.UUIDField()


class BulkResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = BulkResultItemSerializer(many=True)


# --- input ----------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "date-time"},
            {"type": "string", "format": "date"},
        ]
    }
)
class EventAtField(serializers.Field):
    """When it happened: a date-time, or a date when the time is not known."""

    default_error_messages = {
        "invalid": "Send a date (2025-03-27) or a date and time (2025-03-27T14:30:00Z).",
        "invalid_date": f"Enter a date in {EARLIEST_YEAR} or later",  # as common.api's
    }

    def to_internal_value(self, data) -> dt.date | dt.datetime:
        if isinstance(data, str) and ("T" in data or " " in data.strip()):
            value = serializers.DateTimeField().run_validation(data)
        else:
            try:
                value = dt.date.fromisoformat(data)
            except (TypeError, ValueError):
                raise self.fail("invalid") from None
        if value.year < EARLIEST_YEAR:
            self.fail("invalid_date")
        return value

    def to_representation(self, value):
        return value.isoformat()


class AttachmentInputSerializer(serializers.Serializer):
    """A file as base64 (the API takes JSON). Within the request size limit."""

    filename = TextField(max_length=255)
    content = TextField(help_text="The file's bytes, base64-encoded.")

    def validate(self, data):
        try:
            content = base64.b64decode(data["content"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise serializers.ValidationError(
                {"content": "Send the file's content base64-encoded."}, code="invalid_base64"
            ) from exc
        return ContentFile(content, name=data["filename"])


class EntryInputSerializer(SharedRecordInputSerializer):
    children = serializers.ListField(
        child=serializers.UUIDField(),
        max_length=20,
        help_text="The child, or several children of one family, it is about (ids).",
    )
    agency = AgencyField(
        required=False, help_text="Your agency's id or code (the default): no other."
    )
    event_at = EventAtField(required=False, allow_null=True, default=None)
    event_precision = serializers.ChoiceField(
        choices=DatePrecision.choices,
        required=False,
        help_text="How exactly the date is known; by default `time` for a date-time and "
        "`day` for a date. A day or month is stored as its start (Europe/London).",
    )
    entry_type = serializers.ChoiceField(
        choices=EntryCategory.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="What kind of event.",
    )
    summary = TextField(
        required=False, allow_blank=True, default="", max_length=5000, help_text="Up to 200."
    )
    detail = TextField(required=False, allow_blank=True, default="", max_length=50000)
    outcome = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20000,
        help_text="Action taken or outcome.",
    )
    significance = serializers.ChoiceField(
        choices=Significance.choices, required=False, default=Significance.ROUTINE
    )
    source_reference = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="Your agency's own reference (up to 100).",
    )
    attachments = AttachmentInputSerializer(
        many=True, required=False, default=list, max_length=MAX_ATTACHMENTS
    )

    def validate(self, data):
        if data.get("event_at") is not None and "event_precision" not in data:
            timed = isinstance(data["event_at"], dt.datetime)
            data["event_precision"] = DatePrecision.TIME if timed else DatePrecision.DAY
        return data


class BulkInputSerializer(serializers.Serializer):
    entries = EntryInputSerializer(many=True, help_text=f"Up to {BULK_MAX} entries.")


class AmendInputSerializer(serializers.Serializer):
    reason = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Why: kept with the earlier wording.",
    )
    event_at = EventAtField(required=False)
    event_precision = serializers.ChoiceField(choices=DatePrecision.choices, required=False)
    entry_type = serializers.ChoiceField(choices=EntryCategory.choices, required=False)
    summary = TextField(required=False, allow_blank=True, max_length=5000)
    detail = TextField(required=False, allow_blank=True, max_length=50000)
    outcome = TextField(required=False, allow_blank=True, max_length=20000)
    significance = serializers.ChoiceField(choices=Significance.choices, required=False)
    source_reference = TextField(required=False, allow_blank=True, max_length=1000)

    def validate(self, data):
        if "event_at" in data and "event_precision" not in data:
            timed = isinstance(data["event_at"], dt.datetime)
            data["event_precision"] = DatePrecision.TIME if timed else DatePrecision.DAY
        return data


class InErrorInputSerializer(serializers.Serializer):
    reason = TextField(required=False, allow_blank=True, default="", max_length=5000)


@extend_schema_field(OpenApiTypes.STR)
class _RangeQuery(serializers.Serializer):
    """`from` and `to` (reserved words in Python, so declared under other names)."""

    from_date = serializers.DateField(
        required=False, help_text="Events on or after this date (Europe/London)."
    )
    to_date = serializers.DateField(required=False, help_text="Events on or before this date.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_date")
        fields["to"] = fields.pop("to_date")
        return fields

    def validate(self, data):
        if data.get("from") and data.get("to") and data["to"] < data["from"]:
            raise serializers.ValidationError(
                {"to": "The end of the range must be on or after its start."},
                code="end_before_start",
            )
        return data


SCOPES = [("child", "The child"), ("family", "The child and their brothers and sisters")]


class EntryQuerySerializer(_RangeQuery):
    child = serializers.UUIDField(
        help_text="The child whose chronology to list (404 if you cannot see them)."
    )
    scope = serializers.ChoiceField(
        choices=SCOPES,
        required=False,
        default="child",
        help_text="`family`: with their brothers and sisters you can see, each entry once.",
    )
    agency = AgencyListField(
        required=False, max_length=2000, help_text="Agencies' ids or codes, comma-separated."
    )
    entry_type = serializers.ChoiceField(
        choices=EntryCategory.choices, required=False, help_text="The kind of event."
    )
    significance = serializers.ChoiceField(choices=Significance.choices, required=False)
    category = serializers.ChoiceField(
        choices=InformationCategory.choices,
        required=False,
        help_text="The information category.",
    )
    in_error = serializers.BooleanField(
        required=False, default=False, help_text="Include entries entered in error."
    )
    order = serializers.ChoiceField(
        choices=[("newest", "Newest first"), ("oldest", "Oldest first")],
        required=False,
        default="newest",
    )


class ExportQuerySerializer(_RangeQuery):
    child = serializers.UUIDField(help_text="The child whose chronology to export.")
    format = serializers.ChoiceField(choices=exports.FORMATS, required=False, default="csv")
    scope = serializers.ChoiceField(choices=SCOPES, required=False, default="child")
    agency = AgencyListField(
        required=False, max_length=2000, help_text="Agencies' ids or codes, comma-separated."
    )
