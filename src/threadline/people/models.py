from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from threadline.common.models import DatedQuerySet, RecordModel, dates_in_order

from .phonetic import fold, soundex
from .validators import validate_nhs_number, validate_postcode


class PersonKind(models.TextChoices):
    UNBORN = "unborn", "Unborn child"
    CHILD = "child", "Child"
    ADULT = "adult", "Adult"


class Sex(models.TextChoices):
    # The Children in Need census codes (M/F/U from 2024-25).
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known or not stated"


class Ethnicity(models.TextChoices):
    # Department for Education ethnicity codes used in the Children in Need census.
    WBRI = "WBRI", "White: British"
    WIRI = "WIRI", "White: Irish"
    WIRT = "WIRT", "White: Traveller of Irish heritage"
    WROM = "WROM", "White: Gypsy or Roma"
    WOTH = "WOTH", "White: any other White background"
    MWBC = "MWBC", "Mixed: White and Black Caribbean"
    MWBA = "MWBA", "Mixed: White and Black African"
    MWAS = "MWAS", "Mixed: White and Asian"
    MOTH = "MOTH", "Mixed: any other mixed background"
    AIND = "AIND", "Asian or Asian British: Indian"
    APKN = "APKN", "Asian or Asian British: Pakistani"
    ABAN = "ABAN", "Asian or Asian British: Bangladeshi"
    AOTH = "AOTH", "Asian or Asian British: any other Asian background"
    BCRB = "BCRB", "Black or Black British: Caribbean"
    BAFR = "BAFR", "Black or Black British: African"
    BOTH = "BOTH", "Black or Black British: any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Person(RecordModel):
    """A child (possibly unborn) or an adult the record needs around a child.

    The current legal name is kept here for lists; every name, including this one,
    aliases and names used before, is a PersonName."""

    kind = models.CharField(max_length=10, choices=PersonKind.choices)
    given_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_delivery_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    first_language = models.CharField(max_length=80, blank=True, default="English")
    interpreter_needed = models.BooleanField(default=False)
    # NULL, not "", for "no NHS number": the unique constraint then ignores the missing.
    nhs_number = models.CharField(  # noqa: DJ001
        max_length=10, null=True, blank=True, validators=[validate_nhs_number]
    )
    recorded_by_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["family_name", "given_names"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=models.Q(nhs_number__isnull=False),
                name="person_nhs_number_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="unborn")
                | models.Q(expected_delivery_date__isnull=False, date_of_birth__isnull=True),
                name="unborn_child_has_expected_date_and_no_birth_date",
                violation_error_code="unborn_needs_expected_date",
                violation_error_message=(
                    "An unborn child needs an expected delivery date and no date of birth"
                ),
            ),
        ]
        indexes = [models.Index(fields=["date_of_birth"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.kind == PersonKind.UNBORN and not self.given_names:
            return f"Unborn baby {self.family_name}"
        return f"{self.given_names} {self.family_name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("person-detail", kwargs={"person_id": self.pk})

    @property
    def nhs_number_display(self) -> str:
        n = self.nhs_number or ""
        return f"{n[:3]} {n[3:6]} {n[6:]}" if len(n) == 10 else n

    @property
    def is_child(self) -> bool:
        return self.kind in {PersonKind.UNBORN, PersonKind.CHILD}

    @property
    def as_child(self) -> Person | None:
        """This person if a child (or unborn), else None: the `child` an audit event or a
        clock event about them is filed under."""
        return self if self.is_child else None

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def clean(self) -> None:
        today = timezone.localdate()
        if self.kind == PersonKind.UNBORN and self.expected_delivery_date is None:
            raise ValidationError(
                {
                    "expected_delivery_date": ValidationError(
                        "Enter the expected delivery date for an unborn child",
                        code="unborn_needs_expected_date",
                    )
                }
            )
        if self.kind == PersonKind.UNBORN and self.date_of_birth is not None:
            raise ValidationError(
                {
                    "date_of_birth": ValidationError(
                        "An unborn child has no date of birth yet; record the birth instead",
                        code="unborn_has_birth_date",
                    )
                }
            )
        if self.date_of_birth and self.date_of_birth > today:
            raise ValidationError(
                {
                    "date_of_birth": ValidationError(
                        "Date of birth must be today or in the past", code="date_of_birth_in_future"
                    )
                }
            )
        if self.kind == PersonKind.CHILD and self.date_of_birth is None:
            raise ValidationError(
                {
                    "date_of_birth": ValidationError(
                        "Enter the child's date of birth", code="child_needs_date_of_birth"
                    )
                }
            )


class NameKind(models.TextChoices):
    LEGAL = "legal", "Legal name"
    KNOWN_AS = "known_as", "Known as"
    ALIAS = "alias", "Alias"
    PREVIOUS = "previous", "Previous name"


class PersonName(RecordModel):
    """Every name a person has had or used, with when; the search looks at all of them."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=10, choices=NameKind.choices, default=NameKind.LEGAL)
    given_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    given_folded = models.CharField(max_length=200, editable=False, db_index=True)
    family_folded = models.CharField(max_length=200, editable=False, db_index=True)
    given_soundex = models.CharField(max_length=4, editable=False, db_index=True)
    family_soundex = models.CharField(max_length=4, editable=False, db_index=True)

    class Meta:
        ordering = ["-to_date", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_date__isnull=True)
                | models.Q(from_date__isnull=True)
                | models.Q(to_date__gte=models.F("from_date")),
                name="person_name_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()

    def save(self, *args, **kwargs):
        first_given = self.given_names.split()[0] if self.given_names.split() else ""
        self.given_folded = fold(self.given_names)
        self.family_folded = fold(self.family_name)
        self.given_soundex = soundex(first_given)
        self.family_soundex = soundex(self.family_name)
        super().save(*args, **kwargs)


class LocalReference(RecordModel):
    """An agency's own reference for a person (case number, hospital number, PNC id)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="references")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "reference"], name="local_reference_unique_in_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency.code}:{self.reference}"


class Address(RecordModel):
    """A place people live. Households are derived from who lived at the same Address
    row when, so addresses are found-or-created on their normalised form."""

    line_1 = models.CharField(max_length=200)
    line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=8, validators=[validate_postcode], db_index=True)
    uprn = models.CharField("UPRN", max_length=12, blank=True)
    match_key = models.CharField(max_length=250, editable=False, unique=True)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["postcode", "line_1"]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line_1, self.line_2, self.town, self.postcode) if p)

    @staticmethod
    def key_for(line_1: str, postcode: str) -> str:
        """'Flat 3, 14 Bramble Close' and 'flat 3 14 bramble close' are one place."""
        plain = "".join(ch for ch in line_1.lower() if ch.isalnum())
        return f"{plain}|{postcode.replace(' ', '').upper()}"

    def save(self, *args, **kwargs):
        self.match_key = self.key_for(self.line_1, self.postcode)
        super().save(*args, **kwargs)


class Residence(RecordModel):
    """A person lived at an address from a date, until an optional date."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residences")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="residences")
    from_date = models.DateField()
    to_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["-from_date"]
        constraints = [
            dates_in_order(),
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(to_date__isnull=True),
                name="one_current_address_per_person",
            ),
        ]
        indexes = [models.Index(fields=["address", "from_date"])]

    def clean(self) -> None:
        if self.to_date and self.from_date and self.to_date < self.from_date:
            raise ValidationError(
                {
                    "to_date": ValidationError(
                        "The date they left must be the same as or after the date they moved in",
                        code="end_before_start",
                    )
                }
            )


class RelationshipType(models.TextChoices):
    # Read as "A is the <type> of B".
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    PARTNER = "partner", "Partner"
    GRANDPARENT = "grandparent", "Grandparent"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    AUNT_UNCLE = "aunt_uncle", "Aunt or uncle"
    COUSIN = "cousin", "Cousin"
    CARER = "carer", "Carer"
    HOUSEHOLD_MEMBER = "household_member", "Household member"
    FRIEND_OTHER = "friend_other", "Friend or other contact"


# How B sees A: if A is B's mother, B is A's child.
INVERSE_LABELS = {
    RelationshipType.MOTHER: "Child",
    RelationshipType.FATHER: "Child",
    RelationshipType.STEP_PARENT: "Step-child",
    RelationshipType.GRANDPARENT: "Grandchild",
    RelationshipType.AUNT_UNCLE: "Niece or nephew",
    RelationshipType.CARER: "Cared-for person",
}
SYMMETRIC_TYPES = {
    RelationshipType.PARTNER,
    RelationshipType.SIBLING,
    RelationshipType.HALF_SIBLING,
    RelationshipType.COUSIN,
    RelationshipType.HOUSEHOLD_MEMBER,
    RelationshipType.FRIEND_OTHER,
}


class Relationship(RecordModel):
    """Stored once, shown from both sides: `person_a` is the `type` of `person_b`."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=RelationshipType.choices)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(person_a=models.F("person_b")),
                name="relationship_not_to_self",
                violation_error_code="relationship_to_self",
                violation_error_message="A person cannot have a relationship with themselves",
            ),
            models.CheckConstraint(
                condition=models.Q(to_date__isnull=True)
                | models.Q(from_date__isnull=True)
                | models.Q(to_date__gte=models.F("from_date")),
                name="relationship_dates_in_order",
                violation_error_code="end_before_start",
                violation_error_message="A relationship cannot end before it starts",
            ),
        ]
        indexes = [models.Index(fields=["person_a"]), models.Index(fields=["person_b"])]

    def __str__(self) -> str:
        return f"{self.person_a} is the {self.get_type_display().lower()} of {self.person_b}"

    def label_for(self, viewer: Person) -> str:
        """What the *other* person is to `viewer`."""
        if viewer.pk == self.person_b_id or self.type in SYMMETRIC_TYPES:
            return self.get_type_display()
        return INVERSE_LABELS[RelationshipType(self.type)]

    def other(self, viewer: Person) -> Person:
        return self.person_b if viewer.pk == self.person_a_id else self.person_a

    @property
    def is_current(self) -> bool:
        return self.to_date is None or self.to_date >= timezone.localdate()
