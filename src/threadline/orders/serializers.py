"""Plans, orders and proceedings as the API reads and writes them. Input serializers only
parse types and resolve the child; services.py checks the law's limits (an end before
the start, a supervision order past three years, an emergency protection order past 8
days, a care order and a supervision order at once) with stable codes."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from threadline.agencies.serializers import AgencySummarySerializer, PractitionerSummarySerializer
from threadline.common.api import TextField
from threadline.people.serializers import PersonSummarySerializer, VisiblePersonField

from .explanations import EXPLANATIONS
from .models import (
    EndReason,
    LegalOrder,
    OrderExtension,
    OrderType,
    PlanCategory,
    ProceedingsOutcome,
)

# --- output ---------------------------------------------------------------------------


class ExtensionSerializer(serializers.ModelSerializer):
    recorded_by = PractitionerSummarySerializer(read_only=True)

    class Meta:
        model = OrderExtension
        fields = ["id", "granted_on", "previous_end", "new_end", "recorded_by"]
        read_only_fields = fields


class ExplanationSerializer(serializers.Serializer):
    """The order in plain English (explanations.py). Not legal advice."""

    means = serializers.CharField(read_only=True)
    parental_responsibility = serializers.CharField(read_only=True)
    who_does_what = serializers.ListField(child=serializers.CharField(), read_only=True)
    ends = serializers.CharField(read_only=True)
    law = serializers.CharField(read_only=True)


class OrderSerializer(serializers.ModelSerializer):
    child = PersonSummarySerializer(read_only=True)
    local_authority = AgencySummarySerializer(
        read_only=True, allow_null=True, help_text="The local authority holding the child's case."
    )
    recorded_by = PractitionerSummarySerializer(read_only=True)
    in_force = serializers.SerializerMethodField(
        help_text="In force today: made, not ended early, and not past its set end."
    )

    class Meta:
        model = LegalOrder
        fields = [
            "id",
            "child",
            "order_type",
            "category",
            "starts_on",
            "ends_on",
            "starts_at",
            "ends_at",
            "court",
            "case_number",
            "made_by",
            "local_authority",
            "recorded_by",
            "in_force",
            "ended_on",
            "end_reason",
            "outcome",
            "notes",
            "created_at",
        ]
        read_only_fields = fields
        # Empty until set (only plans have a category; only ended orders an end reason;
        # only proceedings an outcome). DRF drops `allow_blank` from read-only fields, so
        # the schema would otherwise promise one of the choices.
        extra_kwargs = {
            name: {"allow_blank": True} for name in ("category", "end_reason", "outcome")
        }

    def get_in_force(self, order: LegalOrder) -> bool:
        return order.in_force_on(timezone.localdate())


class OrderDetailSerializer(OrderSerializer):
    extensions = ExtensionSerializer(many=True, read_only=True, help_text="Oldest first.")
    explanation = serializers.SerializerMethodField(
        help_text="What the order means, who holds parental responsibility, who must do "
        "what, and when it ends."
    )

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "extensions", "explanation"]
        read_only_fields = fields

    @extend_schema_field(ExplanationSerializer)
    def get_explanation(self, order: LegalOrder) -> dict:
        return ExplanationSerializer(EXPLANATIONS[OrderType(order.order_type)]).data


# --- input ----------------------------------------------------------------------------


class OrderInputSerializer(serializers.Serializer):
    child = VisiblePersonField(help_text="The child (a child you can see).")
    order_type = serializers.ChoiceField(choices=OrderType.choices)
    starts_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When it was made or started (today or earlier). For police protection, "
        "send `starts_at` instead.",
    )
    ends_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Its set end, if any: a supervision order ends after a year and an "
        "emergency protection order after 8 days unless the court said otherwise.",
    )
    starts_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Police protection: when the child was taken into it.",
    )
    ends_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Police protection: when it ends (72 hours after it began by default).",
    )
    category = serializers.ChoiceField(
        choices=PlanCategory.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Child-protection plans only: the category of abuse or neglect.",
    )
    court = TextField(required=False, allow_blank=True, default="", max_length=200)
    case_number = TextField(required=False, allow_blank=True, default="", max_length=60)
    made_by = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="The court, conference or officer that made it.",
    )
    notes = TextField(required=False, allow_blank=True, default="", max_length=20000)


class ExtendInputSerializer(serializers.Serializer):
    new_end = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="The end the court set."
    )
    granted_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the court extended it: today by default.",
    )


class EndInputSerializer(serializers.Serializer):
    ended_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Today or earlier."
    )
    reason = serializers.ChoiceField(
        choices=EndReason.choices, required=False, allow_blank=True, default=""
    )


class ConcludeInputSerializer(serializers.Serializer):
    concluded_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Today or earlier."
    )
    outcome = serializers.ChoiceField(
        choices=ProceedingsOutcome.choices, required=False, allow_blank=True, default=""
    )


class OrderQuerySerializer(serializers.Serializer):
    child = serializers.UUIDField(
        required=False, help_text="Only this child's (404 if you cannot see them)."
    )
    order_type = serializers.ChoiceField(choices=OrderType.choices, required=False)
    current = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="`true`: only those in force today; `false`: only those not in force.",
    )
