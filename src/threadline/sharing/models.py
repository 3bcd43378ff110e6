"""Information categories, sharing agreements between agencies, access requests and
break-glass: the data the access policy (policy.py) decides with."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from threadline.agencies.models import AgencyType
from threadline.common.models import DatedQuerySet, RecordModel


class InformationCategory(models.TextChoices):
    SOCIAL_CARE = "social_care", "Social care"
    HEALTH = "health", "Health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    POLICE_INTELLIGENCE = "police_intelligence", "Police intelligence"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    EDUCATION = "education", "Education"
    LEGAL = "legal", "Legal"


class Confidentiality(models.TextChoices):
    NORMAL = "normal", "Normal"
    RESTRICTED = "restricted", "Restricted: named people only"


# What an agency's own records are, by default, about.
AGENCY_CATEGORY = {
    AgencyType.CHILDRENS_SOCIAL_CARE: InformationCategory.SOCIAL_CARE,
    AgencyType.ACUTE_HOSPITAL: InformationCategory.HEALTH,
    AgencyType.COMMUNITY_HEALTH: InformationCategory.HEALTH,
    AgencyType.HEALTH_VISITING: InformationCategory.HEALTH,
    AgencyType.MIDWIFERY: InformationCategory.HEALTH,
    AgencyType.GP: InformationCategory.HEALTH,
    AgencyType.MENTAL_HEALTH: InformationCategory.MENTAL_HEALTH,
    AgencyType.POLICE: InformationCategory.POLICE_INTELLIGENCE,
    AgencyType.PROBATION: InformationCategory.PROBATION,
    AgencyType.FAMILY_COURT_ADVISERS: InformationCategory.LEGAL,
    AgencyType.LOCAL_AUTHORITY_LEGAL: InformationCategory.LEGAL,
    AgencyType.HOUSING: InformationCategory.HOUSING,
    AgencyType.ADULT_SUBSTANCE_MISUSE: InformationCategory.SUBSTANCE_MISUSE,
    AgencyType.EDUCATION: InformationCategory.EDUCATION,
    AgencyType.PROVIDER: InformationCategory.SOCIAL_CARE,
    AgencyType.PARTNERSHIP: InformationCategory.SOCIAL_CARE,
}


class SharedRecord(models.Model):
    """Mixin for case data one agency holds and others may see under an agreement:
    its information category and confidentiality. Restricted rows are seen only by the
    practitioners named in `restricted_to`."""

    category = models.CharField(max_length=30, choices=InformationCategory.choices)
    confidentiality = models.CharField(
        max_length=12, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    restricted_to = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        abstract = True


class LegalBasis(models.TextChoices):
    PUBLIC_TASK = (
        "public_task",
        "UK GDPR 6(1)(e) public task, with 9(2)(g) substantial public interest (safeguarding)",
    )
    CHILDREN_ACT_S47 = "children_act_s47", "Children Act 1989, section 47 enquiries"
    CHILDREN_ACT_S17 = "children_act_s17", "Children Act 1989, section 17 (child in need)"
    CHILDREN_ACT_2004_S11 = "children_act_2004_s11", "Children Act 2004, section 11 duty"
    CRIME_AND_DISORDER_S115 = "crime_and_disorder_s115", "Crime and Disorder Act 1998, section 115"
    CONSENT = "consent", "Consent of the person (or parent)"


class SharingAgreement(RecordModel):
    """`provider` lets `recipient` see its records of the listed categories, for a purpose
    and under a legal basis, from one date to another. One direction per row."""

    title = models.CharField(max_length=200)
    provider = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=500)
    legal_basis = models.CharField(max_length=40, choices=LegalBasis.choices)
    from_date = models.DateField()
    to_date = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["provider__name", "recipient__name", "-from_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_date__gte=models.F("from_date")),
                name="sharing_agreement_dates_in_order",
                violation_error_code="end_before_start",
                violation_error_message="An agreement cannot end before it starts",
            ),
            models.CheckConstraint(
                condition=~models.Q(provider=models.F("recipient")),
                name="sharing_agreement_between_two_agencies",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "to_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_in_force(self) -> bool:
        today = timezone.localdate()
        return self.from_date <= today <= self.to_date


class AgreementCategory(models.Model):
    agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.CASCADE, related_name="categories"
    )
    category = models.CharField(max_length=30, choices=InformationCategory.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "category"], name="agreement_category_once"
            )
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", "Awaiting decision"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class AccessRequest(RecordModel):
    """A practitioner asks another agency to see its records of one category about a
    child; that agency's safeguarding lead approves (until a date) or refuses, with a
    reason either way."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_requests"
    )
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30, choices=InformationCategory.choices)
    reason = models.CharField(max_length=1000)
    status = models.CharField(
        max_length=10, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=1000, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requester", "status", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.requester} asks {self.provider} for {self.get_category_display()}"


class BreakGlass(RecordModel):
    """Emergency access to one person's record: a reason, a short time, an alert to the
    owning agency's safeguarding lead, and a review afterwards."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=1000)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["actor", "expires_at"])]

    def __str__(self) -> str:
        return f"Break-glass by {self.actor} on {self.person_id}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()
