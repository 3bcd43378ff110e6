"""Case reviews: rapid reviews, local child safeguarding practice reviews and legacy
serious case reviews, run by a safeguarding partnership. A review holds the subject
children's records (legal hold), asks agencies for management reports, compiles the
review chronology, and carries numbered recommendations to every agency's action plan
until the partnership has seen evidence that each action is done."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from threadline.chronology.models import DatePrecision, EntryCategory, Significance
from threadline.common.models import RecordModel


class ReviewType(models.TextChoices):
    RAPID_REVIEW = "rapid_review", "Rapid review"
    LCSPR = "lcspr", "Local child safeguarding practice review"
    SCR = "scr", "Serious case review"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Open"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed"


class Review(RecordModel):
    title = models.CharField(max_length=120, help_text='How the review names the child: "Child R".')
    review_type = models.CharField(max_length=20, choices=ReviewType.choices)
    partnership = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default="open")
    incident_summary = models.TextField()
    incident_on = models.DateField()
    # Sources differ on when the rapid review's 15 working days start: both are kept.
    aware_on = models.DateField(help_text="When the local authority became aware.")
    notified_on = models.DateField(null=True, blank=True, help_text="Notified to the Panel.")
    rapid_review_completed_on = models.DateField(null=True, blank=True)
    lcspr_decided_on = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    scope_from = models.DateField()
    scope_to = models.DateField()
    terms_of_reference = models.JSONField(default=list, blank=True)  # the questions, in order
    independent_reviewer = models.CharField(max_length=200, blank=True)
    children = models.ManyToManyField("people.Person", related_name="reviews")
    # The statutory clock counts per child: a review's events are noted on its first
    # subject child, so that one set of tasks follows the review.
    clock_child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-incident_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope_to__gte=models.F("scope_from")),
                name="review_scope_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_review_type_display()}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("review-detail", kwargs={"review_id": self.pk})

    @property
    def clock_key(self) -> str:
        """The prefix of the keys of this review's clock events."""
        return f"review:{self.pk}:"


class PanelRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    MEMBER = "member", "Panel member"


class PanelMember(RecordModel):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="panel")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_panels"
    )
    role = models.CharField(max_length=10, choices=PanelRole.choices, default=PanelRole.MEMBER)

    class Meta:
        ordering = ["role", "practitioner__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "practitioner"], name="one_panel_seat_each")
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} ({self.get_role_display()})"


class LegalHold(RecordModel):
    """A person's records held for a review: while the hold is in force nothing about
    them can be destroyed (reviews.holds), and every page showing them says so."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="holds")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField(max_length=200)  # "subject child", "household of Child R"
    placed_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["placed_at"]
        constraints = [
            models.UniqueConstraint(fields=["review", "person"], name="one_hold_per_review")
        ]
        indexes = [models.Index(fields=["person", "released_at"])]

    def __str__(self) -> str:
        return f"Held for {self.review}"


class ReportStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for more work"
    ACCEPTED = "accepted", "Accepted by the panel"


class AgencyReport(RecordModel):
    """An agency's management review: requested with a due date (a notice it must
    acknowledge), submitted as a document with a structured summary, quality-assured
    by the panel."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="agency_reports")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notice = models.ForeignKey(
        "notices.Notice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    chased_at = models.DateTimeField(null=True, blank=True)
    what_was_known = models.TextField(blank=True)
    when_known = models.TextField(blank=True)
    what_was_done = models.TextField(blank=True)
    what_differently = models.TextField(blank=True)
    document = models.FileField(upload_to="reviews/reports/%Y/%m/", blank=True)
    document_name = models.CharField(max_length=255, blank=True)
    document_type = models.CharField(max_length=100, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    quality_note = models.TextField(blank=True)
    assured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assured_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "agency"], name="one_management_review_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} report to {self.review}"


class ReviewEntry(RecordModel):
    """What an agency adds to the review chronology that is not in the live record."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="entries")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    event_at = models.DateTimeField()
    event_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    entry_type = models.CharField(max_length=20, choices=EntryCategory.choices)
    summary = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    significance = models.CharField(
        max_length=12, choices=Significance.choices, default=Significance.ROUTINE
    )
    source_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["event_at", "created_at"]

    def __str__(self) -> str:
        return self.summary


class Theme(RecordModel):
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Finding(RecordModel):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    themes = models.ManyToManyField(Theme, blank=True, related_name="findings")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="finding_number_unique")
        ]

    def __str__(self) -> str:
        return f"Finding {self.number}"


class Recommendation(RecordModel):
    """A numbered recommendation, addressed to one agency (the partnership itself, for
    what the safeguarding partners must do); `rule_id` is the statutory-clock rule it
    created."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    addressed_to = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    themes = models.ManyToManyField(Theme, blank=True, related_name="recommendations")
    rule_id = models.CharField(max_length=40, blank=True, db_index=True)
    extracted = models.BooleanField(default=False)  # from a review document, confirmed
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "number"], name="recommendation_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number}"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING_EVIDENCE = "awaiting_evidence", "Done — awaiting evidence"
    EVIDENCED = "evidenced", "Evidenced"
    CLOSED = "closed", "Closed"


# What the responding agency may move an action to; the partnership accepts evidence
# (AWAITING_EVIDENCE → EVIDENCED), sends it back (→ IN_PROGRESS) and closes it.
AGENCY_STATUSES = (
    ActionStatus.NOT_STARTED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.AWAITING_EVIDENCE,
)


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class Action(RecordModel):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="actions"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    measure_of_success = models.TextField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    rag = models.CharField(max_length=5, choices=Rag.choices, default=Rag.GREEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    evidence_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence_accepted_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed")
                | Q(closed_by__isnull=False, evidence_accepted_by__isnull=False),
                name="closed_action_has_accepted_evidence",
                violation_error_code="evidence_required",
                violation_error_message="An action closes only after its evidence is accepted",
            )
        ]
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return self.description[:60]

    def get_absolute_url(self) -> str:
        return reverse("review-action", kwargs={"action_id": self.pk})


class Evidence(RecordModel):
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to="reviews/evidence/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name


class ActionUpdate(RecordModel):
    """Each change of an action's status or RAG rating, kept: the history the monitoring
    charts draw (progress over time)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    rag = models.CharField(max_length=5, choices=Rag.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.created_at:%d %b %Y})"
