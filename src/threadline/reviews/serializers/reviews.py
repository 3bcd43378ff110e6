"""Reviews, agencies' reports, the review chronology and the recommendations a document
proposes, as the API reads and writes them."""

import datetime as dt

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from threadline.agencies.serializers import (
    AgencyField,
    AgencySummarySerializer,
    PractitionerField,
    PractitionerSummarySerializer,
)
from threadline.chronology.models import DatePrecision, EntryCategory, Significance
from threadline.chronology.serializers import AttachmentInputSerializer, EventAtField
from threadline.common.api import TextField
from threadline.people.models import Person
from threadline.people.serializers import PersonSummarySerializer
from threadline.timescales.serializers import TaskSerializer

from .. import selectors
from ..models import (
    ActionStatus,
    AgencyReport,
    PanelMember,
    PanelRole,
    Rag,
    Recommendation,
    Review,
    ReviewEntry,
    ReviewStatus,
    ReviewType,
)
from ..services import MILESTONES
from .fields import UploadField, optional_date, optional_text

# --- output ---------------------------------------------------------------------------


class ReviewSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "title", "review_type"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    partnership = AgencySummarySerializer(
        read_only=True, help_text="The safeguarding partnership running it."
    )
    children = PersonSummarySerializer(many=True, read_only=True, help_text="The subject children.")

    class Meta:
        model = Review
        fields = [
            "id",
            "title",
            "review_type",
            "status",
            "partnership",
            "children",
            "incident_on",
            "aware_on",
            "notified_on",
            "rapid_review_completed_on",
            "lcspr_decided_on",
            "published_on",
            "closed_on",
            "scope_from",
            "scope_to",
            "created_at",
        ]
        read_only_fields = fields


class PanelMemberSerializer(serializers.ModelSerializer):
    practitioner = PractitionerSummarySerializer(read_only=True)

    class Meta:
        model = PanelMember
        fields = ["practitioner", "role"]
        read_only_fields = fields


class ReviewReportSummarySerializer(serializers.ModelSerializer):
    agency = AgencySummarySerializer(read_only=True)

    class Meta:
        model = AgencyReport
        fields = ["id", "agency", "status", "due_on", "submitted_at", "assured_at"]
        read_only_fields = fields


class RecommendationSummarySerializer(serializers.ModelSerializer):
    addressed_to = AgencySummarySerializer(read_only=True)

    class Meta:
        model = Recommendation
        fields = ["id", "number", "addressed_to"]
        read_only_fields = fields


class FiguresSerializer(serializers.Serializer):
    """What monitoring shows of a set of actions (selectors.Figures)."""

    by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text="Every action status → how many."
    )
    by_rag = serializers.DictField(
        child=serializers.IntegerField(), help_text="`red`, `amber`, `green` → how many."
    )
    overdue = serializers.IntegerField(help_text="Past due and not yet evidenced or closed.")
    done = serializers.IntegerField(help_text="Evidenced or closed.")
    total = serializers.IntegerField()

    def to_representation(self, figures: selectors.Figures) -> dict:
        return {
            "by_status": {status.value: figures.by_status[status] for status in ActionStatus},
            "by_rag": {rag.value: figures.by_rag.get(rag, 0) for rag in Rag},
            "overdue": figures.overdue,
            "done": figures.done,
            "total": figures.total,
        }


class ReviewDetailSerializer(ReviewSerializer):
    opened_by = PractitionerSummarySerializer(read_only=True)
    panel = PanelMemberSerializer(many=True, read_only=True)
    tasks = serializers.SerializerMethodField(
        help_text="The statutory clock's tasks for the review (notification, rapid review, "
        "publication), soonest first."
    )
    agency_reports = ReviewReportSummarySerializer(
        many=True, read_only=True, help_text="The management reviews asked for, by agency."
    )
    recommendations = RecommendationSummarySerializer(many=True, read_only=True)
    figures = serializers.SerializerMethodField(
        help_text="The action plans' progress: of the actions you may see."
    )

    class Meta(ReviewSerializer.Meta):
        fields = [
            *ReviewSerializer.Meta.fields,
            "incident_summary",
            "terms_of_reference",
            "independent_reviewer",
            "opened_by",
            "panel",
            "tasks",
            "agency_reports",
            "recommendations",
            "figures",
        ]
        read_only_fields = fields

    @extend_schema_field(TaskSerializer(many=True))
    def get_tasks(self, review: Review) -> list:
        return TaskSerializer(self.context["tasks"], many=True).data

    @extend_schema_field(FiguresSerializer)
    def get_figures(self, review: Review) -> dict:
        return FiguresSerializer(self.context["figures"]).data


class ReviewReportSerializer(serializers.ModelSerializer):
    review = ReviewSummarySerializer(read_only=True)
    agency = AgencySummarySerializer(read_only=True)
    requested_by = PractitionerSummarySerializer(read_only=True)
    submitted_by = PractitionerSummarySerializer(read_only=True, allow_null=True)
    assured_by = PractitionerSummarySerializer(read_only=True, allow_null=True)
    has_document = serializers.SerializerMethodField(
        help_text="The report's document is attached: download it from `document/`."
    )

    class Meta:
        model = AgencyReport
        fields = [
            "id",
            "review",
            "agency",
            "status",
            "due_on",
            "requested_by",
            "chased_at",
            "what_was_known",
            "when_known",
            "what_was_done",
            "what_differently",
            "has_document",
            "document_name",
            "document_type",
            "submitted_by",
            "submitted_at",
            "quality_note",
            "assured_by",
            "assured_at",
        ]
        read_only_fields = fields

    def get_has_document(self, report: AgencyReport) -> bool:
        return bool(report.document)


class ReviewEntrySerializer(serializers.ModelSerializer):
    agency = AgencySummarySerializer(read_only=True)
    author = PractitionerSummarySerializer(read_only=True)

    class Meta:
        model = ReviewEntry
        fields = [
            "id",
            "agency",
            "author",
            "event_at",
            "event_precision",
            "entry_type",
            "summary",
            "detail",
            "outcome",
            "significance",
            "source_reference",
            "created_at",
        ]
        read_only_fields = fields


class ChronologyRowSerializer(serializers.Serializer):
    """A row of the review chronology (chronology.exports.ExportRow), labels as shown."""

    event_at = serializers.DateTimeField()
    event_precision = serializers.ChoiceField(
        source="precision",
        choices=DatePrecision.choices,
        help_text="How exactly `event_at` is known.",
    )
    agency = serializers.CharField()
    source = serializers.CharField(
        help_text="The agency's reference; `(added for the review)` for its additions."
    )
    event_type = serializers.CharField(help_text="The kind of event, as a label.")
    summary = serializers.CharField()
    detail = serializers.CharField()
    outcome = serializers.CharField()
    significance = serializers.CharField(help_text="As a label.")
    recorded_at = serializers.DateTimeField()
    children = serializers.CharField(help_text="The subject children it is about, by name.")


class ReviewChronologySerializer(serializers.Serializer):
    review = serializers.UUIDField()
    restricted = serializers.IntegerField(
        help_text="Entries in scope their agencies restricted to named people: counted, not shown."
    )
    rows = ChronologyRowSerializer(many=True, help_text="Oldest first.")


class ProposedSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()
    addressed_to = serializers.UUIDField(
        allow_null=True,
        help_text="The agency it seems to be for (the partnership's, when the partnership "
        "is asked); `null` when the document does not say.",
    )
    addressed_to_name = serializers.CharField(allow_null=True)


class ExtractionSerializer(serializers.Serializer):
    proposed = ProposedSerializer(many=True, help_text="In the document's order; nothing saved.")


# --- input ----------------------------------------------------------------------------


class SubjectField(TextField):
    """A subject child named by Threadline person id or NHS number (an exact match; the
    partnership looks outside need-to-know: a review is a statutory duty)."""

    default_error_messages = {
        "unknown_person": "There is no one with the person id or NHS number {value}."
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", "A person id or NHS number.")
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty) -> Person:
        value = super().run_validation(data)  # a clean string first (length, no NULs)
        person = selectors.find_subject(value)
        if person is None:
            self.fail("unknown_person", value=value)
        return person


class PanelMemberInputSerializer(serializers.Serializer):
    practitioner = PractitionerField(help_text="The practitioner's id.")
    role = serializers.ChoiceField(
        choices=PanelRole.choices, required=False, default=PanelRole.MEMBER
    )


class OpenReviewInputSerializer(serializers.Serializer):
    title = optional_text(help_text='How the review names the child: "Child R" (up to 120).')
    review_type = serializers.ChoiceField(
        choices=ReviewType.choices, required=False, allow_blank=True, default=""
    )
    incident_summary = optional_text(help_text="The serious incident.")
    incident_on = optional_date()
    aware_on = optional_date(help_text="When the local authority became aware.")
    notified_on = optional_date(help_text="Notified to the Panel, if it has been.")
    children = serializers.ListField(
        child=SubjectField(),
        required=False,
        default=list,
        max_length=20,
        help_text="The subject children: person ids or NHS numbers.",
    )
    scope_from = optional_date(help_text="The start of the period the review looks at.")
    scope_to = optional_date()
    terms_of_reference = serializers.ListField(
        child=TextField(allow_blank=True, max_length=2000),
        required=False,
        default=list,
        max_length=50,
        help_text="The questions the review answers, in order.",
    )
    independent_reviewer = optional_text(max_length=200)
    panel = serializers.ListField(
        child=PanelMemberInputSerializer(), required=False, default=list, max_length=50
    )


class ReviewQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    review_type = serializers.ChoiceField(choices=ReviewType.choices, required=False)


class MilestoneInputSerializer(serializers.Serializer):
    milestone = serializers.ChoiceField(
        choices=[(name, name.replace("_", " ").capitalize()) for name in MILESTONES],
        required=False,
        allow_blank=True,
        default="",
        help_text="What happened: `lcspr_decided` makes a rapid review a local practice "
        "review, `published` publishes it.",
    )
    on = optional_date(help_text="Today or earlier; not before the local authority knew.")


class ReportRequestInputSerializer(serializers.Serializer):
    agencies = serializers.ListField(
        child=AgencyField(),
        required=False,
        default=list,
        max_length=50,
        help_text="The agencies asked (ids or codes).",
    )
    due_on = optional_date(help_text="In the future.")


class ChronologyQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=["csv", "xlsx", "docx", "pdf"],
        required=False,
        help_text="A file in this format; without it, the rows as JSON.",
    )


class ReviewEntryInputSerializer(serializers.Serializer):
    event_at = EventAtField(required=False, allow_null=True, default=None)
    event_precision = serializers.ChoiceField(
        choices=DatePrecision.choices,
        required=False,
        help_text="By default `time` for a date-time and `day` for a date.",
    )
    entry_type = serializers.ChoiceField(
        choices=EntryCategory.choices, required=False, allow_blank=True, default=""
    )
    summary = optional_text(max_length=5000, help_text="Up to 200.")
    detail = optional_text(max_length=50000)
    outcome = optional_text()
    significance = serializers.ChoiceField(
        choices=Significance.choices, required=False, default=Significance.ROUTINE
    )
    source_reference = optional_text(max_length=100, help_text="Your agency's reference.")

    def validate(self, data):
        if "event_precision" not in data:
            timed = isinstance(data.get("event_at"), dt.datetime)
            data["event_precision"] = DatePrecision.TIME if timed else DatePrecision.DAY
        return data


class ExtractUploadSerializer(serializers.Serializer):
    file = UploadField(
        required=False, allow_null=True, default=None, help_text="The review's report."
    )


class ExtractJsonSerializer(serializers.Serializer):
    file = AttachmentInputSerializer(
        required=False, allow_null=True, default=None, help_text="The review's report."
    )


class _SubmissionFields(serializers.Serializer):
    what_was_known = optional_text(help_text="What your agency knew.")
    when_known = optional_text(help_text="When it knew.")
    what_was_done = optional_text(help_text="What it did.")
    what_differently = optional_text(help_text="What it would do differently.")


class SubmissionUploadSerializer(_SubmissionFields):
    document = UploadField(required=False, allow_null=True, default=None, help_text="The report.")


class SubmissionJsonSerializer(_SubmissionFields):
    document = AttachmentInputSerializer(
        required=False, allow_null=True, default=None, help_text="The report."
    )


class ReportAssuranceInputSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    quality_note = optional_text(help_text="Required when returning it: what it needs.")
