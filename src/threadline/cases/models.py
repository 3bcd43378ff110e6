from django.conf import settings
from django.db import models

from threadline.common.models import DatedQuerySet, RecordModel, dates_in_order
from threadline.sharing.models import SharedRecord


class Case(RecordModel):
    """A child's safeguarding episode, held by a local authority's children's social care."""

    reference = models.CharField(max_length=20, unique=True)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    local_authority = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The children's social care agency that holds the case.",
    )
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    lead_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["-opened_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(closed_on__isnull=True),
                name="one_open_case_per_child",
                violation_error_code="case_already_open",
                violation_error_message="This child already has an open case",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class Involvement(SharedRecord, RecordModel):
    """An agency — and usually a named practitioner — in the child's network.

    That an agency is involved is itself that agency's information (treatment by an
    adult substance-misuse service is special-category data), so involvements carry the
    agency's information category and are shown to others under sharing agreements."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="involvements")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="involvements",
        null=True,
        blank=True,
    )
    role = models.CharField(max_length=120, help_text="For example: health visitor.")
    from_date = models.DateField()
    to_date = models.DateField(null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "from_date"]
        constraints = [dates_in_order()]
        indexes = [models.Index(fields=["agency", "case"])]

    def __str__(self) -> str:
        return f"{self.agency} — {self.role}"


class Allocation(RecordModel):
    """The social worker allocated to the case, and when; history is kept."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations"
    )
    from_date = models.DateField()
    to_date = models.DateField(null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["-from_date"]
        constraints = [
            dates_in_order(),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(to_date__isnull=True),
                name="one_current_allocation_per_case",
            ),
        ]
