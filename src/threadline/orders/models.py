"""A child's legal status: child-protection and child-in-need plans, accommodation by
agreement, court orders and care proceedings, with their extensions. Nothing is deleted:
an order that ends keeps its history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from threadline.common.models import RecordModel


class OrderType(models.TextChoices):
    CP_PLAN = "cp_plan", "Child-protection plan"
    CIN_PLAN = "cin_plan", "Child-in-need plan"
    SECTION_20 = "section_20", "Accommodated by agreement (section 20)"
    INTERIM_CARE_ORDER = "interim_care_order", "Interim care order"
    CARE_ORDER = "care_order", "Care order"
    SUPERVISION_ORDER = "supervision_order", "Supervision order"
    EMERGENCY_PROTECTION_ORDER = "emergency_protection_order", "Emergency protection order"
    POLICE_PROTECTION = "police_protection", "Police protection"
    CHILD_ARRANGEMENTS_ORDER = "child_arrangements_order", "Child arrangements order"
    CARE_PROCEEDINGS = "care_proceedings", "Care proceedings"


class PlanCategory(models.TextChoices):
    # Working Together to Safeguard Children: the category of abuse or neglect.
    NEGLECT = "neglect", "Neglect"
    PHYSICAL = "physical", "Physical abuse"
    EMOTIONAL = "emotional", "Emotional abuse"
    SEXUAL = "sexual", "Sexual abuse"
    MULTIPLE = "multiple", "Multiple categories"


# Orders made by a court (the others are made by a conference, an agreement or the police).
COURT_ORDERS = {
    OrderType.INTERIM_CARE_ORDER,
    OrderType.CARE_ORDER,
    OrderType.SUPERVISION_ORDER,
    OrderType.EMERGENCY_PROTECTION_ORDER,
    OrderType.CHILD_ARRANGEMENTS_ORDER,
    OrderType.CARE_PROCEEDINGS,
}
# Orders that put the child in the care of the local authority: a supervision order cannot
# run alongside one (Children Act 1989 s.31 makes one or the other).
CARE_ORDERS = {OrderType.INTERIM_CARE_ORDER, OrderType.CARE_ORDER}


class EndReason(models.TextChoices):
    EXPIRED = "expired", "Expired"
    DISCHARGED = "discharged", "Discharged or revoked by the court"
    REPLACED = "replaced", "Replaced by another order"
    PLAN_ENDED = "plan_ended", "Ended by a review conference"
    TRANSFERRED = "transferred", "Transferred to another area"
    AGE_18 = "age_18", "The child turned 18"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Parent withdrew agreement"
    CONCLUDED = "concluded", "Proceedings concluded"
    OTHER = "other", "Other"


class ProceedingsOutcome(models.TextChoices):
    CARE_ORDER = "care_order", "Care order"
    SUPERVISION_ORDER = "supervision_order", "Supervision order"
    CHILD_ARRANGEMENTS_ORDER = "child_arrangements_order", "Child arrangements order"
    SPECIAL_GUARDIANSHIP_ORDER = "special_guardianship_order", "Special guardianship order"
    PLACEMENT_ORDER = "placement_order", "Placement order"
    NO_ORDER = "no_order", "No order"
    WITHDRAWN = "withdrawn", "Application withdrawn"


class OrderQuerySet(models.QuerySet):
    def in_force_on(self, day):
        """Made by `day`, not ended early before it, and not past its set end."""
        return self.filter(
            Q(starts_on__lte=day)
            & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))
            & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        )


class LegalOrder(RecordModel):
    """A plan, order or proceedings for a child, from `starts_on` until `ends_on` (its set
    end, if it has one, as extended) or until it was `ended_on` early. Police protection
    is counted in hours: `starts_at` to `ends_at`."""

    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="orders")
    order_type = models.CharField(max_length=30, choices=OrderType.choices)
    category = models.CharField(
        max_length=12, choices=PlanCategory.choices, blank=True, help_text="Plans only."
    )
    starts_on = models.DateField()
    ends_on = models.DateField(
        null=True, blank=True, help_text="When it ends unless extended (none if open-ended)."
    )
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Police protection.")
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="Police protection: the moment it ends (72 hours)."
    )
    court = models.CharField(max_length=200, blank=True)
    case_number = models.CharField(max_length=60, blank=True)
    made_by = models.CharField(
        max_length=200, blank=True, help_text="The court, conference or officer that made it."
    )
    local_authority = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    outcome = models.CharField(
        max_length=30, choices=ProceedingsOutcome.choices, blank=True, help_text="Proceedings."
    )
    notes = models.TextField(blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(end_reason__gt=""),
                name="ended_order_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(order_type="cp_plan") | Q(category=""),
                name="only_plans_have_a_category",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="order_ends_after_it_starts",
                violation_error_code="end_before_start",
                violation_error_message="An order cannot end before it starts",
            ),
        ]
        indexes = [models.Index(fields=["child", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.get_order_type_display()} ({self.child})"

    def get_absolute_url(self) -> str:
        return reverse("order-detail", kwargs={"order_id": self.pk})

    def in_force_on(self, day) -> bool:
        """Made by `day`, not ended early before it, and not past its set end."""
        return (
            self.starts_on <= day
            and (self.ended_on is None or self.ended_on >= day)
            and (self.ends_on is None or self.ends_on >= day)
        )


class OrderExtension(RecordModel):
    """A court extended the order to a new end."""

    order = models.ForeignKey(LegalOrder, on_delete=models.CASCADE, related_name="extensions")
    granted_on = models.DateField()
    previous_end = models.DateField()
    new_end = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["granted_on"]
