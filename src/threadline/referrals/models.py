"""Referrals to children's social care, the front door's decisions, and adult-services
practitioners' records that an adult they work with has children."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from threadline.common.models import RecordModel
from threadline.people.models import RelationshipType


class ConcernCategory(models.TextChoices):
    NEGLECT = "neglect", "Neglect"
    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse in the household"
    EXPLOITATION = "exploitation", "Exploitation (criminal or sexual)"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse in the household"
    PARENTAL_MENTAL_HEALTH = "parental_mental_health", "Parental mental health"
    OTHER = "other", "Other"


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate danger: the child is at risk of harm now"
    URGENT = "urgent", "Urgent: the front door should respond today"
    STANDARD = "standard", "Standard: a decision within one working day"


class SharingBasis(models.TextChoices):
    CONSENT = "consent", "With the consent of the family"
    SAFEGUARDING = "safeguarding", "Without consent, to safeguard the child"


class ReferralStatus(models.TextChoices):
    AWAITING_DECISION = "awaiting_decision", "Awaiting decision"
    DECIDED = "decided", "Decided"


# The state machine: a referral is decided once, by the front door; never reopened (a new
# concern is a new referral).
TRANSITIONS = {
    ReferralStatus.AWAITING_DECISION: {ReferralStatus.DECIDED},
    ReferralStatus.DECIDED: set(),
}


class Decision(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    EARLY_HELP = "early_help", "Signpost to universal services or early help"
    ASSESSMENT = "assessment", "Assessment by children's social care"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion: significant harm suspected"


# Decisions that mean social care works with the child: the child gets an open case.
OPENS_CASE = {Decision.ASSESSMENT, Decision.STRATEGY_DISCUSSION}


class Referral(RecordModel):
    """A practitioner's referral of a child (born or unborn) to the children's social care
    front door of the child's area, and the front door's decision on it."""

    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    referrer_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+"
    )
    local_authority = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The children's social care whose front door decides.",
    )
    concerns = models.TextField()
    categories = models.JSONField(default=list, help_text="Categories of concern (codes).")
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    family_told = models.TextField(help_text="What the family has been told, or why not.")
    sharing_basis = models.CharField(max_length=15, choices=SharingBasis.choices)
    received_at = models.DateTimeField()
    decision_due_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.AWAITING_DECISION
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        help_text="The child's open case when the decision was to work with them.",
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(concerns=""),
                name="referral_has_concerns",
                violation_error_code="concerns_required",
                violation_error_message="Describe your concerns about the child",
            ),
            models.CheckConstraint(
                condition=Q(decision_due_at__gte=F("received_at")),
                name="referral_due_after_received",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=ReferralStatus.AWAITING_DECISION,
                    decision="",
                    decided_by__isnull=True,
                    decided_at__isnull=True,
                )
                | (
                    Q(
                        status=ReferralStatus.DECIDED,
                        decided_by__isnull=False,
                        decided_at__isnull=False,
                    )
                    & ~Q(decision="")
                    & ~Q(rationale="")
                ),
                name="referral_decided_with_rationale",
                violation_error_code="rationale_required",
                violation_error_message="A decision needs who made it, when, and the rationale",
            ),
        ]
        indexes = [
            models.Index(fields=["local_authority", "status", "decision_due_at"]),
            models.Index(fields=["referrer", "received_at"]),
            models.Index(fields=["referrer_agency", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"Referral of {self.child} on {timezone.localtime(self.received_at):%d %b %Y}"

    @property
    def is_overdue(self) -> bool:
        return self.status == ReferralStatus.AWAITING_DECISION and (
            self.decision_due_at < timezone.now()
        )

    def category_labels(self) -> list[str]:
        return [ConcernCategory(c).label for c in self.categories if c in ConcernCategory.values]


# How an adult is connected to a child in an adult-services record: parent, or regular
# caring access (stored as the matching Relationship type).
CARING_RELATIONSHIPS = [
    (RelationshipType.MOTHER, "Mother"),
    (RelationshipType.FATHER, "Father"),
    (RelationshipType.STEP_PARENT, "Step-parent"),
    (RelationshipType.CARER, "Has regular caring access (carer)"),
]


class AdultChildLink(RecordModel):
    """An adult-services practitioner's record that an adult they work with is a parent
    of, or has regular caring access to, a child: a child on Threadline (`child`, also
    recorded as a Relationship), or one known only by name until a referral records
    them. Children with an open case have their network told; for the others the
    practitioner is prompted to refer, and `referral` is the referral they made."""

    adult = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    child_name = models.CharField(max_length=200, blank=True)
    child_date_of_birth = models.DateField(null=True, blank=True)
    relationship = models.CharField(max_length=20, choices=CARING_RELATIONSHIPS)
    known_to_social_care = models.BooleanField(
        default=False,
        help_text="The child had an open case when this was recorded: its network was told.",
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="adult_links"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(child__isnull=False) | ~Q(child_name=""),
                name="adult_child_link_names_the_child",
                violation_error_code="child_required",
                violation_error_message="Choose the child or give their name",
            )
        ]
        indexes = [models.Index(fields=["adult", "recorded_by_agency"])]

    def __str__(self) -> str:
        return f"{self.adult} is the {self.get_relationship_display().lower()} of {self.name}"

    @property
    def name(self) -> str:
        return self.child.full_name if self.child else self.child_name
