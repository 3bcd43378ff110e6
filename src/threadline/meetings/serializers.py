"""Meetings and placement agreements as the API reads and writes them. Input serializers
only parse types and resolve ids (children you can see, agencies by id or code,
practitioners); services.py and placements.py check the rest (a meeting in the past, an
outcome without its chair, a decision without who agreed, an action without an owner or
due date, a placement without its exit strategy or roles) with stable codes, every
problem at once, so row fields the services check are optional here."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from threadline.agencies.serializers import (
    AgencyField,
    AgencySummarySerializer,
    PractitionerField,
    PractitionerSummarySerializer,
)
from threadline.cases.serializers import InvolvementSerializer
from threadline.chronology.models import ChronologyEntry
from threadline.common.api import TextField
from threadline.orders.models import PlanCategory
from threadline.orders.serializers import OrderSerializer
from threadline.people.serializers import PersonSummarySerializer, VisiblePersonField
from threadline.risks.serializers import TouchingRiskSerializer
from threadline.timescales.serializers import TaskSerializer

from .models import (
    Action,
    AgencyReport,
    Attendance,
    Decision,
    DecisionType,
    Invitation,
    Meeting,
    MeetingStatus,
    MeetingType,
    PlacementAgreement,
    PlacementEndReason,
    PlacementRole,
)

# --- output ---------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    children = serializers.SerializerMethodField(
        help_text="The children it is about whom you may see."
    )
    chair = PractitionerSummarySerializer(read_only=True, allow_null=True)
    local_authority = AgencySummarySerializer(
        read_only=True, help_text="The local authority that arranged it."
    )
    arranged_by = PractitionerSummarySerializer(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "meeting_type",
            "status",
            "children",
            "starts_at",
            "place",
            "call_details",
            "chair",
            "local_authority",
            "arranged_by",
            "reports_due_on",
            "held_on",
            "cancelled_reason",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonSummarySerializer(many=True))
    def get_children(self, meeting: Meeting) -> list:
        visible = self.context["visible"]
        shown = [c for c in meeting.children.all() if c.pk in visible]
        return PersonSummarySerializer(shown, many=True).data


class InvitationSerializer(serializers.ModelSerializer):
    agency = AgencySummarySerializer(read_only=True)
    report_received = serializers.SerializerMethodField(
        help_text="The agency's written report has arrived (false when none was asked for "
        "and none sent)."
    )

    class Meta:
        model = Invitation
        fields = ["agency", "report_required", "report_received", "attendance"]
        read_only_fields = fields

    def get_report_received(self, invitation: Invitation) -> bool:
        return invitation.agency_id in self.context.get("reported", set())


class AgencyReportSerializer(serializers.ModelSerializer):
    agency = AgencySummarySerializer(read_only=True)
    author = PractitionerSummarySerializer(read_only=True)

    class Meta:
        model = AgencyReport
        fields = ["id", "agency", "author", "content", "submitted_at"]
        read_only_fields = fields


class MeetingDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "decision_type", "category", "detail", "agreed_by", "dissent"]
        read_only_fields = fields
        # Empty unless a plan was made; without this, read-only loses `allow_blank` and
        # the schema promises a category.
        extra_kwargs = {"category": {"allow_blank": True}}


class MeetingActionSerializer(serializers.ModelSerializer):
    owner = PractitionerSummarySerializer(read_only=True)
    agency = AgencySummarySerializer(read_only=True)
    task = serializers.UUIDField(
        source="task_id", read_only=True, allow_null=True, help_text="The owner's task."
    )

    class Meta:
        model = Action
        fields = ["id", "description", "owner", "agency", "due_on", "task"]
        read_only_fields = fields


class CurrentOrderSerializer(OrderSerializer):
    days_left = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Days to its set end, when within a month."
    )

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "days_left"]
        read_only_fields = fields

    def to_representation(self, current) -> dict:
        return {**super().to_representation(current.order), "days_left": current.days_left}


class LegalStatusSerializer(serializers.Serializer):
    current = CurrentOrderSerializer(many=True, help_text="Plans and orders in force today.")
    past = OrderSerializer(many=True, help_text="Ended or expired, newest first.")


class PackEntrySerializer(serializers.ModelSerializer):
    agency = AgencySummarySerializer(read_only=True)

    class Meta:
        model = ChronologyEntry
        fields = ["id", "event_at", "agency", "entry_type", "summary", "significance"]
        read_only_fields = fields


class ChildPackSerializer(serializers.Serializer):
    """What the meeting reads about one child, as far as you may (selectors.ChildPack)."""

    child = PersonSummarySerializer()
    legal_status = LegalStatusSerializer()
    risks = TouchingRiskSerializer(
        many=True, help_text="The active risks touching the child shared with you, with paths."
    )
    restricted = serializers.BooleanField(
        help_text="Some risks touching the child are not shared with you: ask `contact`."
    )
    contact = serializers.CharField(
        allow_null=True, help_text="Whom to ask about what is not shared with you."
    )
    network = InvolvementSerializer(many=True, help_text="The agencies involved you may see.")
    chronology = PackEntrySerializer(
        many=True, help_text="The latest significant and critical entries you may read."
    )


class MeetingDetailSerializer(MeetingSerializer):
    invitations = InvitationSerializer(many=True, read_only=True)
    reports = serializers.SerializerMethodField(
        help_text="The agencies' reports: shared with the agencies invited (empty for others)."
    )
    decisions = MeetingDecisionSerializer(many=True, read_only=True)
    actions = MeetingActionSerializer(many=True, read_only=True, help_text="Soonest due first.")
    pack = serializers.SerializerMethodField(help_text="Per child you may see: the meeting pack.")

    class Meta(MeetingSerializer.Meta):
        fields = [
            *MeetingSerializer.Meta.fields,
            "minutes",
            "invitations",
            "reports",
            "decisions",
            "actions",
            "pack",
        ]
        read_only_fields = fields

    @extend_schema_field(AgencyReportSerializer(many=True))
    def get_reports(self, meeting: Meeting) -> list:
        if not self.context.get("reports_shared"):
            return []
        return AgencyReportSerializer(meeting.reports.all(), many=True).data

    @extend_schema_field(ChildPackSerializer(many=True))
    def get_pack(self, meeting: Meeting) -> list:
        return ChildPackSerializer(self.context["pack"], many=True).data


class PlacementAgreementSerializer(serializers.ModelSerializer):
    child = PersonSummarySerializer(read_only=True)
    facility_agency = AgencySummarySerializer(
        read_only=True, allow_null=True, help_text="The agency that runs the facility, if any."
    )
    local_authority = AgencySummarySerializer(
        read_only=True, help_text="The local authority that made the placement."
    )
    recorded_by = PractitionerSummarySerializer(read_only=True)
    ended_early = serializers.BooleanField(
        read_only=True, help_text="It ended before its planned end."
    )

    class Meta:
        model = PlacementAgreement
        fields = [
            "id",
            "child",
            "facility",
            "facility_agency",
            "starts_on",
            "planned_end_on",
            "review_every_weeks",
            "local_authority",
            "recorded_by",
            "ended_on",
            "end_reason",
            "ended_early",
            "created_at",
        ]
        read_only_fields = fields
        # Empty until it ends; without this, read-only loses `allow_blank` and the schema
        # promises a reason.
        extra_kwargs = {"end_reason": {"allow_blank": True}}


class PlacementRoleSerializer(serializers.ModelSerializer):
    agency = AgencySummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = PlacementRole
        fields = ["id", "party", "agency", "responsibilities"]
        read_only_fields = fields


class PlacementAgreementDetailSerializer(PlacementAgreementSerializer):
    roles = PlacementRoleSerializer(
        many=True, read_only=True, help_text="What the facility and each agency agree to do."
    )
    reviews_due = serializers.SerializerMethodField(
        help_text="The open review tasks the statutory clock set, soonest first (none once "
        "it has ended)."
    )

    class Meta(PlacementAgreementSerializer.Meta):
        fields = [
            *PlacementAgreementSerializer.Meta.fields,
            "exit_strategy",
            "reciprocal_support",
            "end_notes",
            "roles",
            "reviews_due",
        ]
        read_only_fields = fields

    @extend_schema_field(TaskSerializer(many=True))
    def get_reviews_due(self, agreement: PlacementAgreement) -> list:
        return TaskSerializer(self.context["reviews_due"], many=True).data


# --- input ----------------------------------------------------------------------------


class ArrangeInputSerializer(serializers.Serializer):
    children = serializers.ListField(
        child=VisiblePersonField(),
        required=False,
        default=list,
        help_text="The children it is about (children you can see).",
    )
    meeting_type = serializers.ChoiceField(choices=MeetingType.choices)
    starts_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="In the future."
    )
    place = TextField(required=False, allow_blank=True, default="", max_length=300)
    call_details = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="How to join the call (a place, or this, or both).",
    )
    chair = PractitionerField(required=False, allow_null=True, default=None)
    agencies = serializers.ListField(
        child=AgencyField(),
        required=False,
        default=list,
        help_text="Agencies invited (ids or codes); yours always is.",
    )
    reports_from = serializers.ListField(
        child=AgencyField(),
        required=False,
        default=list,
        help_text="Agencies (ids or codes) invited and asked for a written report, due "
        "three working days before.",
    )


class AttendanceInputSerializer(serializers.Serializer):
    attendance = serializers.ChoiceField(choices=Attendance.choices)


class ReportInputSerializer(serializers.Serializer):
    content = TextField(
        required=False, allow_blank=True, default="", max_length=100000, help_text="The report."
    )


class MeetingDecisionInputSerializer(serializers.Serializer):
    decision_type = serializers.ChoiceField(
        choices=DecisionType.choices, required=False, allow_blank=True, default=""
    )
    category = serializers.ChoiceField(
        choices=PlanCategory.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="A plan made: its category of abuse or neglect.",
    )
    agreed_by = TextField(
        required=False, allow_blank=True, default="", max_length=500, help_text="By agency."
    )
    dissent = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20000,
        help_text="Who disagreed, and why.",
    )
    detail = TextField(required=False, allow_blank=True, default="", max_length=20000)


class MeetingActionInputSerializer(serializers.Serializer):
    description = TextField(required=False, allow_blank=True, default="", max_length=500)
    owner = PractitionerField(
        required=False, allow_null=True, default=None, help_text="The practitioner's id."
    )
    agency = AgencyField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The owner's agency by default (id or code).",
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class OutcomeInputSerializer(serializers.Serializer):
    held_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Today or earlier."
    )
    chair = PractitionerField(required=False, allow_null=True, default=None)
    decisions = MeetingDecisionInputSerializer(many=True, required=False, default=list)
    actions = MeetingActionInputSerializer(
        many=True, required=False, default=list, help_text="Each becomes a task for its owner."
    )
    minutes = TextField(required=False, allow_blank=True, default="", max_length=200000)


class CancelInputSerializer(serializers.Serializer):
    reason = TextField(required=False, allow_blank=True, default="", max_length=500)


class MeetingQuerySerializer(serializers.Serializer):
    child = serializers.UUIDField(
        required=False, help_text="Only this child's (404 if you cannot see them)."
    )
    status = serializers.ChoiceField(choices=MeetingStatus.choices, required=False)
    meeting_type = serializers.ChoiceField(choices=MeetingType.choices, required=False)


class PlacementRoleInputSerializer(serializers.Serializer):
    party = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="The facility, an agency or a parent.",
    )
    agency = AgencyField(
        required=False, allow_null=True, default=None, help_text="Their agency (id or code)."
    )
    responsibilities = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20000,
        help_text="What they agree to do.",
    )


class PlacementInputSerializer(serializers.Serializer):
    child = VisiblePersonField(help_text="The child placed (a child you can see).")
    facility = TextField(required=False, allow_blank=True, default="", max_length=200)
    facility_agency = AgencyField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The agency that runs the facility, if it is in Threadline (id or code).",
    )
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    planned_end_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="On or after `starts_on`."
    )
    exit_strategy = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20000,
        help_text="What happens if the placement ends at short notice, and who does it.",
    )
    reciprocal_support = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20000,
        help_text="What the agencies provide to the facility.",
    )
    review_every_weeks = serializers.IntegerField(
        required=False, default=6, help_text="1 to 26 weeks."
    )
    roles = PlacementRoleInputSerializer(
        many=True,
        required=False,
        default=list,
        help_text="The facility's and each agency's responsibilities.",
    )


class PlacementReviewInputSerializer(serializers.Serializer):
    reviewed_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Today or earlier."
    )


class PlacementEndInputSerializer(serializers.Serializer):
    ended_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="On or after the start, today or earlier.",
    )
    reason = serializers.ChoiceField(
        choices=PlacementEndReason.choices, required=False, allow_blank=True, default=""
    )
    notes = TextField(required=False, allow_blank=True, default="", max_length=20000)


class PlacementQuerySerializer(serializers.Serializer):
    child = serializers.UUIDField(help_text="The child (404 if you cannot see them).")


class InviteInputSerializer(serializers.Serializer):
    agencies = serializers.ListField(
        child=AgencyField(),
        required=False,
        default=list,
        help_text="More agencies to invite (ids or codes).",
    )
    reports_from = serializers.ListField(
        child=AgencyField(),
        required=False,
        default=list,
        help_text="Agencies (ids or codes) invited, or already invited, and asked for a "
        "written report.",
    )
