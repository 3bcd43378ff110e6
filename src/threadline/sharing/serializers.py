"""Sharing agreements, access requests and break-glass as the API reads and writes them.
Input serializers parse types and resolve ids (people through the policy); the services
validate and save."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from threadline.agencies.serializers import (
    AgencyField,
    AgencySummarySerializer,
    PractitionerField,
    PractitionerSummarySerializer,
)
from threadline.common.api import TextField
from threadline.people.serializers import PersonSummarySerializer, VisiblePersonField

from .models import (
    AccessRequest,
    AccessRequestStatus,
    BreakGlass,
    Confidentiality,
    InformationCategory,
    LegalBasis,
    SharingAgreement,
)

# --- fields ---------------------------------------------------------------------------


class SharedRecordInputSerializer(serializers.Serializer):
    """The sharing fields of a record one agency holds (`SharedRecord`): its information
    category and confidentiality, and who may read it when restricted."""

    category = serializers.ChoiceField(
        choices=InformationCategory.choices,
        required=False,
        help_text="The information category: your agency's by default.",
    )
    confidentiality = serializers.ChoiceField(
        choices=Confidentiality.choices, required=False, default=Confidentiality.NORMAL
    )
    restricted_to = serializers.ListField(
        child=PractitionerField(),
        required=False,
        default=list,
        max_length=50,
        help_text="For a restricted record: who else may read it (you always may).",
    )


class ReasonField(TextField):
    """A reason someone will read: missing, blank or too short are all `reason_required`
    (the code the services give), so a client has one code to handle."""

    default_error_messages = {"reason_required": "Give a reason."}

    def __init__(self, *, min_reason: int = 1, message: str = "", **kwargs):
        self.min_reason = min_reason
        kwargs.setdefault("max_length", 1000)
        super().__init__(**kwargs)
        if message:
            self.error_messages["reason_required"] = message

    def fail(self, key, **kwargs):
        if key in {"required", "blank", "null"}:
            key = "reason_required"
        super().fail(key, **kwargs)

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        if len(value.strip()) < self.min_reason:
            self.fail("reason_required")
        return value.strip()


# --- output ---------------------------------------------------------------------------


class SharingAgreementSerializer(serializers.ModelSerializer):
    provider = AgencySummarySerializer(read_only=True, help_text="The agency sharing its records.")
    recipient = AgencySummarySerializer(read_only=True, help_text="The agency allowed to see them.")
    categories = serializers.SerializerMethodField()
    in_force = serializers.BooleanField(
        source="is_in_force", read_only=True, help_text="In force today (from_date to to_date)."
    )

    class Meta:
        model = SharingAgreement
        fields = [
            "id",
            "title",
            "provider",
            "recipient",
            "categories",
            "purpose",
            "legal_basis",
            "from_date",
            "to_date",
            "in_force",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=InformationCategory.choices))
    )
    def get_categories(self, agreement: SharingAgreement) -> list[str]:
        return sorted(c.category for c in agreement.categories.all())


class RequesterSerializer(PractitionerSummarySerializer):
    agency = AgencySummarySerializer(read_only=True, allow_null=True)

    class Meta(PractitionerSummarySerializer.Meta):
        fields = [*PractitionerSummarySerializer.Meta.fields, "agency"]
        read_only_fields = fields


class AccessRequestSerializer(serializers.ModelSerializer):
    requester = RequesterSerializer(read_only=True)
    child = PersonSummarySerializer(read_only=True)
    provider = AgencySummarySerializer(read_only=True, help_text="The agency asked.")
    decided_by = PractitionerSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "requester",
            "child",
            "provider",
            "category",
            "reason",
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "expires_on",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"expires_on": {"help_text": "Approved access lasts until this day."}}


class BreakGlassSerializer(serializers.ModelSerializer):
    person = PersonSummarySerializer(read_only=True)

    class Meta:
        model = BreakGlass
        fields = ["id", "person", "expires_at"]
        read_only_fields = fields


# --- input ----------------------------------------------------------------------------


class AgreementInputSerializer(serializers.Serializer):
    title = TextField(max_length=200)
    provider = AgencyField(help_text="The agency sharing its records (id or code).")
    recipient = AgencyField(help_text="The agency allowed to see them (id or code).")
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=InformationCategory.choices),
        max_length=50,
        help_text="The categories of information shared (at least one).",
    )
    purpose = TextField(max_length=500)
    legal_basis = serializers.ChoiceField(choices=LegalBasis.choices)
    from_date = serializers.DateField()
    to_date = serializers.DateField(help_text="The last day the agreement is in force.")


class EndAgreementInputSerializer(serializers.Serializer):
    to_date = serializers.DateField(
        help_text="The last day the agreement is in force; access stops the day after."
    )


class AccessRequestQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AccessRequestStatus.choices, required=False)


class AccessRequestInputSerializer(serializers.Serializer):
    child = VisiblePersonField(help_text="A child you can already see.")
    provider = AgencyField(help_text="The agency whose records you need (id or code).")
    category = serializers.ChoiceField(choices=InformationCategory.choices)
    reason = ReasonField(
        message="Say why you need to see these records",
        help_text="The safeguarding lead who decides will read this.",
    )


class RefusalInputSerializer(serializers.Serializer):
    reason = ReasonField(
        message="Give the reason for your decision", help_text="The requester is told."
    )


class ApprovalInputSerializer(RefusalInputSerializer):
    expires_on = serializers.DateField(
        required=False, allow_null=True, help_text="Access until this day; 90 days if not given."
    )


BREAK_GLASS_REASON_MIN = 10  # as services.break_glass requires


class BreakGlassInputSerializer(serializers.Serializer):
    reason = ReasonField(
        min_reason=BREAK_GLASS_REASON_MIN,
        message=f"Explain the emergency (at least {BREAK_GLASS_REASON_MIN} characters)",
        help_text="The emergency. Sent to the agency that holds the record; at least "
        f"{BREAK_GLASS_REASON_MIN} characters.",
    )
    password = TextField(
        max_length=4096,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Your own password again (re-authentication).",
    )
    code = TextField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text="The code your authenticator app shows, if you have one set up.",
    )
