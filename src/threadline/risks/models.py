"""The risk-factor register: a risk is recorded about a person (child or adult) by an
agency, and touches every child connected to that person (selectors.active_risks_for_child)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from threadline.common.models import RecordModel
from threadline.sharing.models import SharedRecord


class Factor(models.Model):
    """A Children in Need census assessment factor (factors.json, loaded by migrations).
    A code the census retires stays, out of use, for the risks recorded with it."""

    code = models.CharField(max_length=4, primary_key=True)
    label = models.CharField(max_length=200)
    about = models.CharField(
        max_length=10, help_text="Whom the census means: child, parent, household or any."
    )
    position = models.PositiveSmallIntegerField()
    in_use = models.BooleanField(default=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class RiskStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    UNDER_REVIEW = "under_review", "Under review"
    CLOSED = "closed", "Closed"


# The statuses a risk may move to from each status (services enforce them).
TRANSITIONS = {
    RiskStatus.ACTIVE: {RiskStatus.UNDER_REVIEW, RiskStatus.CLOSED},
    RiskStatus.UNDER_REVIEW: {RiskStatus.ACTIVE, RiskStatus.CLOSED},
    RiskStatus.CLOSED: set(),
}


class RiskFactor(SharedRecord, RecordModel):
    """A risk one agency knows about one person, with its evidence. Active (or under
    review) from `identified_on` until `closed_on`; closing needs a rationale and the
    sign-off of a team manager or safeguarding lead of that agency. Never deleted."""

    subject = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="risk_factors"
    )
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="+")
    evidence = models.TextField()
    source_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    identified_on = models.DateField(help_text="When the agency first knew of it.")
    status = models.CharField(max_length=12, choices=RiskStatus.choices, default=RiskStatus.ACTIVE)
    review_date = models.DateField()
    last_reviewed_on = models.DateField(null=True, blank=True)
    closure_rationale = models.TextField(blank=True)
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closure_signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-identified_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=RiskStatus.CLOSED)
                | Q(closed_on__isnull=False, closure_signed_off_by__isnull=False)
                & ~Q(closure_rationale=""),
                name="closed_risk_has_rationale_and_sign_off",
                violation_error_code="closure_needs_sign_off",
                violation_error_message="A closed risk needs a rationale and a manager's sign-off",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("identified_on")),
                name="risk_closed_after_identified",
            ),
        ]
        indexes = [models.Index(fields=["subject", "closed_on"])]

    def __str__(self) -> str:
        return f"{self.factor.label} ({self.subject})"

    def get_absolute_url(self) -> str:
        return reverse("risk-detail", kwargs={"risk_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status != RiskStatus.CLOSED

    @property
    def awaits_sign_off(self) -> bool:
        return self.status == RiskStatus.UNDER_REVIEW and self.closure_requested_by_id is not None


class RiskReview(RecordModel):
    """A review of a risk: who, when, what they found, and what happens next."""

    risk = models.ForeignKey(RiskFactor, on_delete=models.CASCADE, related_name="reviews")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField()
    notes = models.TextField()
    status = models.CharField(
        max_length=12, choices=RiskStatus.choices, help_text="The risk's status after it."
    )
    next_review_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Review of {self.risk_id} on {self.reviewed_on}"


class HouseholdCheck(RecordModel):
    """Threadline looked at everyone in a child's household after a move (or a new
    household member) and what it found. One row per move, so looking again sends
    nothing new: `key` names the child, who moved or joined, where, and when."""

    key = models.CharField(max_length=200, unique=True)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    joined = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who moved or joined: the child, or another person.",
    )
    address = models.ForeignKey(
        "people.Address", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moved_on = models.DateField()
    risks_found = models.PositiveIntegerField()
    agencies_found = models.PositiveIntegerField()
    notice = models.ForeignKey(
        "notices.Notice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.key
