"""Referrals as the API reads and writes them. Input serializers only parse types and
resolve ids (people through the policy); services.make_referral and decide_referral
validate — a missing concern or rationale is theirs to report, with one stable code."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from threadline.agencies.serializers import AgencySummarySerializer, PractitionerSummarySerializer
from threadline.common.api import TextField
from threadline.people.models import PersonKind, Sex
from threadline.people.serializers import PersonSummarySerializer, VisiblePersonField

from .models import (
    CARING_RELATIONSHIPS,
    ConcernCategory,
    Decision,
    Referral,
    ReferralStatus,
    SharingBasis,
    Urgency,
)

# --- output ---------------------------------------------------------------------------


class ReferralSerializer(serializers.ModelSerializer):
    child = PersonSummarySerializer(read_only=True)
    referrer = PractitionerSummarySerializer(read_only=True)
    referrer_agency = AgencySummarySerializer(read_only=True)
    local_authority = AgencySummarySerializer(
        read_only=True, help_text="The children's social care whose front door decides."
    )
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=ConcernCategory.choices),
        read_only=True,
        help_text="Categories of concern.",
    )
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Awaiting a decision after `decision_due_at`."
    )
    decided_by = PractitionerSummarySerializer(read_only=True, allow_null=True)
    case = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "child",
            "referrer",
            "referrer_agency",
            "local_authority",
            "concerns",
            "categories",
            "urgency",
            "family_told",
            "sharing_basis",
            "received_at",
            "decision_due_at",
            "is_overdue",
            "status",
            "decision",
            "rationale",
            "decided_by",
            "decided_at",
            "case",
        ]
        read_only_fields = fields
        # Empty until decided; without this, read-only loses `allow_blank` and the schema
        # promises a decision.
        extra_kwargs = {"decision": {"allow_blank": True}}

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="The reference of the child's case.")
    )
    def get_case(self, referral: Referral) -> str | None:
        return referral.case.reference if referral.case else None


# --- input ----------------------------------------------------------------------------


class NewChildSerializer(serializers.Serializer):
    """A child not yet on Threadline, recorded with the referral."""

    kind = serializers.ChoiceField(
        choices=[(PersonKind.CHILD, "Child"), (PersonKind.UNBORN, "Unborn child")]
    )
    given_names = TextField(required=False, allow_blank=True, max_length=200)
    family_name = TextField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Required unless `parent` is given (their family name is used).",
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    expected_delivery_date = serializers.DateField(
        required=False, allow_null=True, help_text="Required for an unborn child."
    )
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    nhs_number = TextField(required=False, allow_blank=True, allow_null=True, max_length=20)
    parent = VisiblePersonField(
        required=False, help_text="An adult you can see: recorded as the child's parent."
    )
    parent_relationship = serializers.ChoiceField(
        choices=CARING_RELATIONSHIPS, required=False, default="mother"
    )


class ReferralInputSerializer(serializers.Serializer):
    child = VisiblePersonField(
        required=False, allow_null=True, help_text="A child you can see; or send `new_child`."
    )
    new_child = NewChildSerializer(required=False, allow_null=True)
    concerns = TextField(required=False, allow_blank=True, default="", max_length=20000)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=ConcernCategory.choices),
        required=False,
        default=list,
        max_length=len(ConcernCategory.values),
        help_text="At least one category of concern.",
    )
    urgency = serializers.ChoiceField(
        choices=Urgency.choices, required=False, allow_blank=True, default=""
    )
    family_told = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="What the family has been told, or why not.",
    )
    sharing_basis = serializers.ChoiceField(
        choices=SharingBasis.choices, required=False, allow_blank=True, default=""
    )


class ReferralQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReferralStatus.choices, required=False)
    child = serializers.UUIDField(required=False, help_text="Only referrals of this child.")


class DecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=Decision.choices, required=False, allow_blank=True, default=""
    )
    rationale = TextField(required=False, allow_blank=True, default="", max_length=10000)
