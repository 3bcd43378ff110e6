"""Risk factors as the API reads and writes them. Input serializers only parse types;
services.py validates (an unknown person or factor code, missing evidence, a review date
in the past, a closure without a rationale) with stable codes, every problem at once."""

from rest_framework import serializers

from threadline.agencies.serializers import (
    AgencyListField,
    AgencySummarySerializer,
    PractitionerSummarySerializer,
)
from threadline.common.api import TextField
from threadline.people.models import Person
from threadline.sharing.serializers import SharedRecordInputSerializer

from .models import Factor, RiskFactor, RiskReview, RiskStatus

# --- output ---------------------------------------------------------------------------


class RiskPersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "kind"]
        read_only_fields = fields


class FactorSerializer(serializers.ModelSerializer):
    """A Children in Need census assessment factor."""

    about = serializers.CharField(
        read_only=True, help_text="Whom the census means: child, parent, household or any."
    )

    class Meta:
        model = Factor
        fields = ["code", "label", "about"]
        read_only_fields = fields


class FactorSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Factor
        fields = ["code", "label"]
        read_only_fields = fields


class RiskReviewSerializer(serializers.ModelSerializer):
    reviewed_by = PractitionerSummarySerializer(read_only=True)

    class Meta:
        model = RiskReview
        fields = ["id", "reviewed_by", "reviewed_on", "notes", "status", "next_review_date"]
        read_only_fields = fields


class RiskFactorSerializer(serializers.ModelSerializer):
    subject = RiskPersonSerializer(read_only=True, help_text="Whom the risk is about.")
    factor = FactorSummarySerializer(read_only=True)
    source_agency = AgencySummarySerializer(
        read_only=True, help_text="The agency that recorded it: only its staff change it."
    )
    recorded_by = PractitionerSummarySerializer(read_only=True)
    awaiting_sign_off = serializers.BooleanField(
        source="awaits_sign_off",
        read_only=True,
        help_text="Someone asked to close it; a team manager or safeguarding lead of the "
        "agency signs it off.",
    )
    closure_requested_by = PractitionerSummarySerializer(read_only=True, allow_null=True)
    closure_signed_off_by = PractitionerSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = RiskFactor
        fields = [
            "id",
            "subject",
            "factor",
            "evidence",
            "source_agency",
            "recorded_by",
            "identified_on",
            "status",
            "review_date",
            "last_reviewed_on",
            "awaiting_sign_off",
            "closure_rationale",
            "closure_requested_by",
            "closure_signed_off_by",
            "closed_on",
            "category",
            "confidentiality",
            "created_at",
        ]
        read_only_fields = fields


class RiskFactorDetailSerializer(RiskFactorSerializer):
    reviews = RiskReviewSerializer(many=True, read_only=True, help_text="Newest first.")

    class Meta(RiskFactorSerializer.Meta):
        fields = [*RiskFactorSerializer.Meta.fields, "reviews"]
        read_only_fields = fields


class TouchingRiskSerializer(RiskFactorSerializer):
    """A risk touching a child: the risk, the person it is about and how they are
    connected to the child (selectors.TouchingRisk)."""

    person = RiskPersonSerializer(read_only=True, help_text="Whom the risk is about.")
    path = serializers.CharField(
        read_only=True,
        help_text="How that person is connected to the child, e.g. 'Mother — household "
        "member since 1 Feb 2025' or 'The child'.",
    )

    class Meta(RiskFactorSerializer.Meta):
        fields = [*RiskFactorSerializer.Meta.fields, "person", "path"]
        read_only_fields = fields

    def to_representation(self, touching) -> dict:
        risk = RiskFactorSerializer(touching.risk, context=self.context).data
        person = RiskPersonSerializer(touching.connection.person).data
        return {**risk, "person": person, "path": touching.path}


class ActiveRisksSerializer(serializers.Serializer):
    child = serializers.UUIDField()
    as_of = serializers.DateField()
    risks = TouchingRiskSerializer(
        many=True, help_text="The child's own first, then their household's, then others'."
    )
    restricted = serializers.BooleanField(
        help_text="Some risks touching the child are not shared with you: ask `contact`."
    )
    contact = serializers.CharField(
        allow_null=True, help_text="Whom to ask about what is not shared with you."
    )


# --- input ----------------------------------------------------------------------------


class RiskInputSerializer(SharedRecordInputSerializer):
    subject = serializers.UUIDField(help_text="The person (child or adult) it is about.")
    factor = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10,
        help_text="A Children in Need census factor code, e.g. `2B` (see `/assessment-factors/`).",
    )
    evidence = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20000,
        help_text="What is known and how.",
    )
    review_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Today or later."
    )
    identified_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When your agency first knew of it: today by default.",
    )


class ReviewInputSerializer(serializers.Serializer):
    notes = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20000,
        help_text="What the review found.",
    )
    next_review_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Today or later."
    )
    status = serializers.ChoiceField(
        choices=RiskStatus.choices,
        required=False,
        default=RiskStatus.ACTIVE,
        help_text="`active` or `under_review` (to close, use `/close/`).",
    )


class CloseInputSerializer(serializers.Serializer):
    rationale = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20000,
        help_text="Why the risk can be closed.",
    )


class RiskQuerySerializer(serializers.Serializer):
    subject = serializers.UUIDField(
        required=False, help_text="Only risks about this person (404 if you cannot see them)."
    )
    status = serializers.ChoiceField(choices=RiskStatus.choices, required=False)
    factor = TextField(required=False, max_length=10, help_text="A census factor code.")
    agency = AgencyListField(
        required=False,
        max_length=2000,
        help_text="Recording agencies' ids or codes, comma-separated.",
    )

    def validate_factor(self, value: str) -> str:
        code = value.strip().upper()
        if not Factor.objects.filter(code=code).exists():
            raise serializers.ValidationError(
                "There is no census factor with that code", code="unknown_factor"
            )
        return code


class ActiveRisksQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False, help_text="The day (YYYY-MM-DD): today by default."
    )
