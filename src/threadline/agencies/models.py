import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models

from threadline.common.models import RecordModel


class AgencyType(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    ACUTE_HOSPITAL = "acute_hospital", "Health: acute hospital"
    COMMUNITY_HEALTH = "community_health", "Health: community health"
    HEALTH_VISITING = "health_visiting", "Health: health visiting"
    MIDWIFERY = "midwifery", "Health: midwifery"
    GP = "gp", "Health: GP practice"
    MENTAL_HEALTH = "mental_health", "Health: mental health"
    POLICE = "police", "Police"
    PROBATION = "probation", "Probation"
    FAMILY_COURT_ADVISERS = "family_court_advisers", "Family-court advisers"
    LOCAL_AUTHORITY_LEGAL = "local_authority_legal", "Local-authority legal"
    HOUSING = "housing", "Housing"
    ADULT_SUBSTANCE_MISUSE = "adult_substance_misuse", "Adult substance-misuse service"
    EDUCATION = "education", "Education"
    PROVIDER = "provider", "Residential or other provider"
    PARTNERSHIP = "partnership", "Safeguarding partnership"


class Agency(RecordModel):
    code = models.SlugField(max_length=40, unique=True, help_text="Short code used in feeds.")
    name = models.CharField(max_length=200)
    agency_type = models.CharField(max_length=40, choices=AgencyType.choices)
    area = models.CharField(max_length=100, help_text="The local-authority area the agency serves.")
    phone = models.CharField(max_length=40, blank=True)
    safeguarding_email = models.EmailField(
        blank=True, help_text="The agency's designated safeguarding inbox."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(RecordModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.name})"


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Agency safeguarding lead"
    FRONT_DOOR_OFFICER = "front_door_officer", "Front-door officer"
    PARTNERSHIP_OFFICER = "partnership_officer", "Partnership officer"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"


class Experience(models.TextChoices):
    NOT_SOCIAL_WORKER = "", "Not a social worker"
    ASYE = "asye", "Newly qualified social worker (ASYE)"
    QUALIFIED = "qualified", "Qualified social worker"
    EXPERIENCED = "experienced", "Experienced social worker"
    ADVANCED = "advanced", "Senior or advanced practitioner"


class Practitioner(AbstractUser):
    """A person who signs in. Every practitioner belongs to one agency; administrators
    may have none, and never see case data by virtue of being administrators."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="practitioners", null=True, blank=True
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="members", null=True, blank=True
    )
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.PRACTITIONER)
    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    experience = models.CharField(max_length=20, choices=Experience.choices, blank=True, default="")
    mfa_exempt = models.BooleanField(
        default=False,
        help_text="Signs in with a password only (demo accounts). Ignored in production.",
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=False) | models.Q(role="administrator"),
                name="practitioner_has_agency_unless_administrator",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_social_worker(self) -> bool:
        return bool(self.experience)
