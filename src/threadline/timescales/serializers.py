"""The statutory clock as the API shows it: the rule catalogue, tasks (kept rows, or a
past day replayed), and the events the clock counts from. Input serializers only parse
types and resolve ids; services.py validates a meeting or assessment recorded by hand
(a date in the future, a conference without its plan decision) with stable codes."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from threadline.agencies.models import Practitioner
from threadline.agencies.serializers import AgencySummarySerializer, PractitionerSummarySerializer
from threadline.common.api import TextField
from threadline.orders.models import PlanCategory
from threadline.people.serializers import PersonSummarySerializer, VisiblePersonField

from .models import RECORDED_BY_HAND, ClockEvent, Task, TaskStatus

# The kinds of event recorded by hand, as choices (settings.py names their schema enum).
HAND_KINDS = [(kind.value, kind.label) for kind in RECORDED_BY_HAND]

# --- output ---------------------------------------------------------------------------


class LocalDateField(serializers.DateField):
    """The Europe/London day of a moment."""

    def to_representation(self, value):
        return super().to_representation(timezone.localdate(value))


class RuleRecommendationSerializer(serializers.Serializer):
    review = serializers.UUIDField(source="review_id", read_only=True)
    review_title = serializers.CharField(source="review.title", read_only=True)
    number = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)


class RuleSerializer(serializers.Serializer):
    """A rule of the catalogue in words (rules.describe_rule)."""

    id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    trigger = serializers.CharField(read_only=True, help_text="The event that starts it.")
    applies = serializers.CharField(
        read_only=True, help_text="When it applies after that event (`always`, or a condition)."
    )
    due = serializers.CharField(read_only=True, help_text="How its due date is counted.")
    owner = serializers.CharField(read_only=True, help_text="Whose task it is.")
    done_when = serializers.CharField(read_only=True)
    not_needed_when = serializers.CharField(
        read_only=True, help_text="The events that make it unnecessary (may be empty)."
    )
    setting = serializers.CharField(
        read_only=True,
        help_text="The CLOCK_FIGURES name local procedures may set its number with (may be empty).",
    )
    source = serializers.CharField(read_only=True, help_text="Where the rule comes from.")
    made_by = serializers.SerializerMethodField(
        help_text="The case-review recommendations that created it (of published reviews, "
        "and of reviews you may see)."
    )

    @extend_schema_field(RuleRecommendationSerializer(many=True))
    def get_made_by(self, rule) -> list:
        linked = self.context.get("made_by", {}).get(rule["id"], [])
        return RuleRecommendationSerializer(linked, many=True).data


class ClockEventSummarySerializer(serializers.ModelSerializer):
    occurred_on = LocalDateField(source="occurred_at", read_only=True)

    class Meta:
        model = ClockEvent
        fields = ["id", "kind", "occurred_on", "occurred_at"]
        read_only_fields = fields


class ClockEventSerializer(ClockEventSummarySerializer):
    child = serializers.UUIDField(source="child_id", read_only=True)
    plan = serializers.BooleanField(
        source="details.plan",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="A conference: whether it made or kept a child-protection plan.",
    )
    recorded_by = PractitionerSummarySerializer(
        read_only=True, allow_null=True, help_text="None when recorded by Threadline itself."
    )

    class Meta(ClockEventSummarySerializer.Meta):
        fields = [
            "id",
            "child",
            "kind",
            "occurred_on",
            "occurred_at",
            "plan",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    child = PersonSummarySerializer(read_only=True)
    trigger = ClockEventSummarySerializer(read_only=True, help_text="The event that started it.")
    overdue = serializers.BooleanField(
        source="is_overdue", read_only=True, help_text="Open and past its due moment now."
    )
    owner = PractitionerSummarySerializer(read_only=True, allow_null=True)
    owner_agency = AgencySummarySerializer(read_only=True, allow_null=True)
    closed_by = ClockEventSummarySerializer(
        read_only=True,
        allow_null=True,
        help_text="The event that did it (status `done`) or made it unnecessary (`cancelled`).",
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "rule_id",
            "title",
            "child",
            "trigger",
            "due_on",
            "due_at",
            "overdue",
            "owner",
            "owner_agency",
            "status",
            "closed_by",
            "closed_at",
            "escalated_at",
        ]
        read_only_fields = fields


class ReplayedTaskSerializer(serializers.Serializer):
    """A task as it stood at the end of the replayed day (clock.TaskState)."""

    rule_id = serializers.CharField(source="rule.id", read_only=True)
    title = serializers.CharField(source="rule.title", read_only=True)
    trigger = ClockEventSummarySerializer(read_only=True)
    due_on = serializers.DateField(read_only=True)
    due_at = serializers.DateTimeField(read_only=True)
    status = serializers.ChoiceField(choices=TaskStatus.choices, read_only=True)
    closed_by = ClockEventSummarySerializer(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField(
        help_text="Open and past its due moment at the end of that day."
    )

    def get_overdue(self, state) -> bool:
        return state.overdue_at(self.context["until"])


class ReplaySerializer(serializers.Serializer):
    child = serializers.UUIDField()
    as_of = serializers.DateField()
    tasks = ReplayedTaskSerializer(many=True, help_text="Soonest due first.")


# --- input ----------------------------------------------------------------------------


class OwnerField(TextField):
    """A practitioner's id, or `me`."""

    default_error_messages = {"unknown_practitioner": "There is no practitioner with that id."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty) -> Practitioner:
        value = super().run_validation(data)  # a clean string first (length, no NULs)
        if value == "me":
            return self.context["request"].user
        try:
            pk = serializers.UUIDField().to_internal_value(value)
            return Practitioner.objects.get(pk=pk)
        except (serializers.ValidationError, Practitioner.DoesNotExist):
            raise self.fail("unknown_practitioner") from None


class TaskQuerySerializer(serializers.Serializer):
    child = serializers.UUIDField(
        required=False, help_text="Only this child's (404 if you cannot see them)."
    )
    owner = OwnerField(required=False, help_text="A practitioner's id, or `me` for your own.")
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    due_before = serializers.DateField(
        required=False, help_text="Only tasks due before this day (YYYY-MM-DD)."
    )
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="`true`: only open tasks past their due moment; `false`: only the others.",
    )


class ReplayQuerySerializer(serializers.Serializer):
    child = serializers.UUIDField(help_text="The child (404 if you cannot see them).")
    as_of = serializers.DateField(help_text="The day to replay (YYYY-MM-DD), today or earlier.")

    def validate_as_of(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(
                "The day must be today or in the past", code="date_in_future"
            )
        return value


class ClockEventQuerySerializer(serializers.Serializer):
    child = serializers.UUIDField(help_text="The child (404 if you cannot see them).")


class ClockEventInputSerializer(serializers.Serializer):
    child = VisiblePersonField(help_text="The child (a child you can see).")
    kind = serializers.ChoiceField(
        choices=HAND_KINDS,
        help_text="A meeting, assessment or memorandum: orders, referrals and allocations "
        "note their own events.",
    )
    occurred_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Today or earlier."
    )
    plan = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Conferences: whether it made (or kept) a child-protection plan.",
    )
    category = serializers.ChoiceField(
        choices=PlanCategory.choices,
        required=False,
        default="",
        help_text="A conference that starts a plan: the category of abuse or neglect.",
    )
