"""Recommendations and the action plans that answer them, as the API reads and writes
them."""

from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from threadline.agencies.serializers import (
    AgencyField,
    AgencySummarySerializer,
    PractitionerField,
    PractitionerSummarySerializer,
)
from threadline.chronology.serializers import AttachmentInputSerializer
from threadline.common.api import TextField
from threadline.sharing import policy

from .. import selectors
from ..models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Evidence,
    Rag,
    Recommendation,
    Review,
)
from ..services import MAX_EVIDENCE_FILES, TEXT_MAX
from .fields import UploadField, optional_date, optional_text
from .reviews import ReviewSummarySerializer

# --- output ---------------------------------------------------------------------------


class ThemesField(serializers.ListField):
    child = serializers.CharField()

    def to_representation(self, themes) -> list:
        return [theme.name for theme in themes.all()]


class RecommendationSerializer(serializers.ModelSerializer):
    review = ReviewSummarySerializer(read_only=True)
    addressed_to = AgencySummarySerializer(read_only=True)
    themes = ThemesField(read_only=True, help_text="Theme names, A to Z.")
    created_by = PractitionerSummarySerializer(read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "review",
            "number",
            "text",
            "addressed_to",
            "themes",
            "rule_id",
            "extracted",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RecommendationRefSerializer(serializers.ModelSerializer):
    review = ReviewSummarySerializer(read_only=True)

    class Meta:
        model = Recommendation
        fields = ["id", "number", "review"]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    recommendation = RecommendationRefSerializer(read_only=True)
    agency = AgencySummarySerializer(read_only=True)
    owner = PractitionerSummarySerializer(read_only=True)
    overdue = serializers.SerializerMethodField(
        help_text="Past its due date and not yet evidenced or closed."
    )
    created_by = PractitionerSummarySerializer(read_only=True)
    evidence_accepted_by = PractitionerSummarySerializer(read_only=True, allow_null=True)
    closed_by = PractitionerSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "recommendation",
            "agency",
            "description",
            "owner",
            "due_on",
            "measure_of_success",
            "status",
            "rag",
            "overdue",
            "created_by",
            "created_at",
            "evidence_accepted_by",
            "evidence_accepted_at",
            "closed_by",
            "closed_at",
        ]
        read_only_fields = fields

    def get_overdue(self, action: Action) -> bool:
        return action.due_on < self.context["today"] and action.status not in (
            ActionStatus.EVIDENCED,
            ActionStatus.CLOSED,
        )


class RecommendationDetailSerializer(RecommendationSerializer):
    actions = serializers.SerializerMethodField(
        help_text="Its action plan: the actions you may see, soonest due first."
    )

    class Meta(RecommendationSerializer.Meta):
        fields = [*RecommendationSerializer.Meta.fields, "actions"]
        read_only_fields = fields

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, recommendation: Recommendation) -> list:
        return ActionSerializer(self.context["actions"], many=True, context=self.context).data


class ActionUpdateSerializer(serializers.ModelSerializer):
    by = PractitionerSummarySerializer(read_only=True)

    class Meta:
        model = ActionUpdate
        fields = ["status", "rag", "note", "by", "created_at"]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    uploaded_by = PractitionerSummarySerializer(read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "note",
            "uploaded_by",
            "created_at",
        ]
        read_only_fields = fields


class ActionDetailSerializer(ActionSerializer):
    updates = ActionUpdateSerializer(
        many=True, read_only=True, help_text="Each change of status or RAG rating, oldest first."
    )
    evidence = EvidenceSerializer(many=True, read_only=True, help_text="Oldest first.")

    class Meta(ActionSerializer.Meta):
        fields = [*ActionSerializer.Meta.fields, "updates", "evidence"]
        read_only_fields = fields


class RecommendationsCreatedSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = RecommendationSerializer(many=True)


# --- input ----------------------------------------------------------------------------


class RecommendationItemInputSerializer(serializers.Serializer):
    number = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="1 to 999, unique in the review."
    )
    text = optional_text()
    addressed_to = AgencyField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The agency (id or code); the partnership running the review if left out.",
    )
    themes = serializers.ListField(
        child=TextField(max_length=80),
        required=False,
        default=list,
        max_length=20,
        help_text="Theme names; a new name makes a new theme.",
    )
    rule_id = optional_text(
        max_length=40, help_text="The statutory-clock rule it created, from the catalogue."
    )


class RecommendationsInputSerializer(serializers.Serializer):
    review = serializers.UUIDField(help_text="The review (one you may see).")
    items = serializers.ListField(
        child=RecommendationItemInputSerializer(),
        required=False,
        default=list,
        max_length=200,
        help_text="All saved, or none.",
    )
    extracted = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Proposed by `extract` from the review document, and confirmed.",
    )

    def validate_review(self, value) -> Review:
        try:
            return selectors.get_review_for(self.context["request"].user, value)
        except Http404:
            raise serializers.ValidationError(
                "There is no review with that id.", code="unknown_review"
            ) from None


class RecommendationQuerySerializer(serializers.Serializer):
    review = serializers.UUIDField(required=False, help_text="404 if you may not see it.")
    addressed_to = AgencyField(required=False)
    theme = TextField(required=False, max_length=80, help_text="A theme's name.")
    q = TextField(
        required=False,
        max_length=200,
        help_text="Words the recommendation's text holds (all of them, any case).",
    )


class RecommendationUpdateSerializer(serializers.Serializer):
    text = TextField(required=False, allow_blank=True, max_length=TEXT_MAX)
    themes = serializers.ListField(
        child=TextField(max_length=80),
        required=False,
        max_length=20,
        help_text="Replaces the themes.",
    )
    rule_id = TextField(
        required=False, allow_blank=True, max_length=40, help_text="Blank to unlink."
    )


class RecommendationField(serializers.UUIDField):
    """A recommendation of a review the caller may see, named by id."""

    default_error_messages = {"unknown_recommendation": "There is no recommendation with that id."}

    def to_internal_value(self, data) -> Recommendation:
        pk = super().to_internal_value(data)
        reviews = policy.reviews_visible_to(self.context["request"].user)
        found = (
            Recommendation.objects.filter(pk=pk, review__in=reviews)
            .select_related("review")
            .first()
        )
        if found is None:
            self.fail("unknown_recommendation")
        return found


class ActionInputSerializer(serializers.Serializer):
    recommendation = RecommendationField(help_text="A recommendation addressed to your agency.")
    description = optional_text(help_text="What your agency will do: one specific action.")
    owner = PractitionerField(
        required=False, allow_null=True, default=None, help_text="Of your agency (an id)."
    )
    due_on = optional_date(help_text="Today or later.")
    measure_of_success = optional_text(help_text="How you will know it worked.")


class ActionQuerySerializer(serializers.Serializer):
    review = serializers.UUIDField(required=False, help_text="404 if you may not see it.")
    agency = AgencyField(required=False, help_text="The responding agency (id or code).")
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    overdue = serializers.BooleanField(
        required=False, help_text="Past due and not yet evidenced or closed (or not)."
    )


class ActionUpdateInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ActionStatus.choices,
        help_text="Your agency's: `not_started`, `in_progress` or `awaiting_evidence` "
        "(done), which needs evidence attached first; the partnership moves it on.",
    )
    rag = serializers.ChoiceField(choices=Rag.choices)
    note = optional_text()


class EvidenceDecisionInputSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = optional_text(help_text="Required when not accepting: what is missing.")


class CloseActionInputSerializer(serializers.Serializer):
    note = optional_text()


class EvidenceUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=UploadField(),
        required=False,
        default=list,
        help_text=f"Up to {MAX_EVIDENCE_FILES} documents.",
    )
    note = optional_text()


class EvidenceJsonSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=AttachmentInputSerializer(),
        required=False,
        default=list,
        max_length=MAX_EVIDENCE_FILES + 1,  # one more: the service says how many
        help_text=f"Up to {MAX_EVIDENCE_FILES} documents.",
    )
    note = optional_text()
