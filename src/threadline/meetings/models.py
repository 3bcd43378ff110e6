"""Multi-agency meetings: arranged with invitations (notices to acknowledge), reported
to by the agencies asked, held with decisions and actions, minuted to everyone invited.
Holding one is the event that completes the statutory clock's task for it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from threadline.common.models import RecordModel
from threadline.orders.models import PlanCategory
from threadline.timescales.models import EventKind


class MeetingType(models.TextChoices):
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    INITIAL_CONFERENCE = "initial_conference", "Initial child-protection conference"
    REVIEW_CONFERENCE = "review_conference", "Review child-protection conference"
    CORE_GROUP = "core_group", "Core group meeting"
    CIN_REVIEW = "cin_review", "Child-in-need review"
    SUPERVISION_ORDER_REVIEW = "supervision_order_review", "Supervision-order review"
    LOOKED_AFTER_REVIEW = "looked_after_review", "Looked-after review"
    PLANNING_MEETING = "planning_meeting", "Multi-agency planning meeting"
    PROFESSIONALS_MEETING = "professionals_meeting", "Professionals' meeting"


# The statutory clock's event when a meeting of each type is held.
CLOCK_EVENT = {
    MeetingType.STRATEGY_DISCUSSION: EventKind.STRATEGY_DISCUSSION,
    MeetingType.INITIAL_CONFERENCE: EventKind.INITIAL_CONFERENCE,
    MeetingType.REVIEW_CONFERENCE: EventKind.REVIEW_CONFERENCE,
    MeetingType.CORE_GROUP: EventKind.CORE_GROUP,
    MeetingType.SUPERVISION_ORDER_REVIEW: EventKind.SUPERVISION_ORDER_REVIEW,
    MeetingType.LOOKED_AFTER_REVIEW: EventKind.LOOKED_AFTER_REVIEW,
    MeetingType.PLANNING_MEETING: EventKind.EXTENSION_MEETING,
}
CONFERENCES = {MeetingType.INITIAL_CONFERENCE, MeetingType.REVIEW_CONFERENCE}


class MeetingStatus(models.TextChoices):
    ARRANGED = "arranged", "Arranged"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


TRANSITIONS = {
    MeetingStatus.ARRANGED: {MeetingStatus.HELD, MeetingStatus.CANCELLED},
    MeetingStatus.HELD: set(),
    MeetingStatus.CANCELLED: set(),
}


class Meeting(RecordModel):
    meeting_type = models.CharField(max_length=30, choices=MeetingType.choices)
    children = models.ManyToManyField("people.Person", related_name="meetings")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=300, blank=True)
    call_details = models.CharField(max_length=500, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    local_authority = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+"
    )
    arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.ARRANGED
    )
    reports_due_on = models.DateField(null=True, blank=True)
    held_on = models.DateField(null=True, blank=True)
    minutes = models.TextField(blank=True)
    cancelled_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_on__isnull=False, chair__isnull=False),
                name="held_meeting_has_date_and_chair",
                violation_error_code="chair_required",
                violation_error_message="A meeting that was held needs its chair and date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_meeting_type_display()} on {self.starts_at:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("meeting-detail", kwargs={"meeting_id": self.pk})


class Attendance(models.TextChoices):
    INVITED = "invited", "Invited"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    REPORT_ONLY = "report_only", "Sent a report only"
    NO_RESPONSE = "no_response", "Did not respond"


class Invitation(RecordModel):
    """An agency invited to the meeting: whether it must send a written report, by
    when, and whether it came. The invitation is a notice the agency acknowledges."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    report_required = models.BooleanField(default=False)
    attendance = models.CharField(
        max_length=12, choices=Attendance.choices, default=Attendance.INVITED
    )
    missing_report_flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="one_invitation_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency} to {self.meeting}"


class AgencyReport(RecordModel):
    """An agency's written report to the meeting (one per agency; a later submission
    replaces the text and keeps when it came)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reports")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.TextField()
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="one_report_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency}'s report to {self.meeting}"


class DecisionType(models.TextChoices):
    PLAN_MADE = "plan_made", "Child-protection plan made"
    PLAN_CONTINUED = "plan_continued", "Child-protection plan continued"
    PLAN_ENDED = "plan_ended", "Child-protection plan ended"
    NO_PLAN = "no_plan", "No child-protection plan needed"
    ORDER_TO_BE_SOUGHT = "order_to_be_sought", "Apply for a court order"
    OTHER = "other", "Other decision"


class Decision(RecordModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    decision_type = models.CharField(max_length=20, choices=DecisionType.choices)
    category = models.CharField(
        max_length=12,
        choices=PlanCategory.choices,
        blank=True,
        help_text="A plan made: its category.",
    )
    detail = models.TextField(blank=True)
    agreed_by = models.CharField(max_length=500, help_text="Who agreed, by agency.")
    dissent = models.TextField(blank=True, help_text="Who disagreed, and why.")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.get_decision_type_display()


class Action(RecordModel):
    """An action the meeting agreed: it becomes a task on its owner's list."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    task = models.OneToOneField(
        "timescales.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return self.description


class PlacementEndReason(models.TextChoices):
    AS_PLANNED = "as_planned", "Ended as planned"
    FACILITY_ENDED = "facility_ended", "The facility ended it"
    FAMILY_LEFT = "family_left", "The family left"
    BREAKDOWN = "breakdown", "The placement broke down"
    OTHER = "other", "Other"


class PlacementAgreement(RecordModel):
    """The written agreement a placement starts with (for example a parent and baby in
    a residential unit): the facility, the dates, each party's responsibilities, what
    the agencies provide to the facility, the review schedule and — before anything
    else — how the placement ends if it ends at short notice. Every agency that may see
    the child reads it."""

    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="placement_agreements"
    )
    facility = models.CharField(max_length=200)
    facility_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField()
    planned_end_on = models.DateField()
    exit_strategy = models.TextField(
        help_text="What happens if the placement ends at short notice, and who does it."
    )
    reciprocal_support = models.TextField(
        blank=True, help_text="What the agencies provide to the facility."
    )
    review_every_weeks = models.PositiveSmallIntegerField(default=6)
    local_authority = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=PlacementEndReason.choices, blank=True)
    end_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_on__gte=models.F("starts_on")),
                name="placement_planned_end_after_start",
                violation_error_code="end_before_start",
                violation_error_message="A placement cannot end before it starts",
            ),
            models.CheckConstraint(
                condition=~Q(exit_strategy=""),
                name="placement_has_exit_strategy",
                violation_error_code="exit_strategy_required",
                violation_error_message="A placement agreement needs an exit strategy",
            ),
        ]

    def __str__(self) -> str:
        return f"Placement at {self.facility} ({self.child})"

    def get_absolute_url(self) -> str:
        return reverse("placement-detail", kwargs={"placement_id": self.pk})

    @property
    def ended_early(self) -> bool:
        return self.ended_on is not None and self.ended_on < self.planned_end_on


class PlacementRole(RecordModel):
    """What one party (an agency, the facility, a parent) agrees to do."""

    agreement = models.ForeignKey(
        PlacementAgreement, on_delete=models.CASCADE, related_name="roles"
    )
    party = models.CharField(max_length=200)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsibilities = models.TextField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.party}: {self.responsibilities[:40]}"
