"""The integrated chronology: what happened to a child, when, as each agency recorded it.

An entry belongs to the agency that recorded it (its information category and
confidentiality decide who else sees it, like every `SharedRecord`). Nothing is deleted:
an amendment keeps the earlier wording as a version, and "entered in error" hides an
entry from the default view but keeps it."""

import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from threadline.common.models import RecordModel
from threadline.sharing.models import SharedRecord

SUMMARY_MAX_LENGTH = 200


class EntryCategory(models.TextChoices):
    CONTACT = "contact", "Contact or home visit"
    APPOINTMENT = "appointment", "Appointment"
    MISSED_APPOINTMENT = "missed_appointment", "Missed appointment"
    ASSESSMENT = "assessment", "Assessment"
    REFERRAL = "referral", "Referral"
    MEETING = "meeting", "Meeting"
    LEGAL = "legal", "Legal or court"
    INCIDENT = "incident", "Incident"
    DISCLOSURE = "disclosure", "Disclosure"
    HOUSEHOLD_CHANGE = "household_change", "Change of address or household"
    HOSPITAL = "hospital", "Hospital attendance"
    OTHER = "other", "Other"


class Significance(models.TextChoices):
    ROUTINE = "routine", "Routine"
    SIGNIFICANT = "significant", "Significant"
    CRITICAL = "critical", "Critical"


class DatePrecision(models.TextChoices):
    """How exactly the event's date is known. `event_at` holds the start of the period
    (midnight Europe/London for a day, the 1st of the month for a month)."""

    TIME = "time", "Exact time"
    DAY = "day", "Day"
    MONTH = "month", "Month"


def describe_when(event_at: dt.datetime, precision: str) -> str:
    """The event's date as exactly as it is known, in Europe/London."""
    local = timezone.localtime(event_at)
    if precision == DatePrecision.MONTH:
        return f"{local:%B %Y}"
    if precision == DatePrecision.TIME:
        return f"{local.day} {local:%b %Y, %H:%M}"
    return f"{local.day} {local:%b %Y}"


def days_late(event_at: dt.datetime, precision: str, recorded_at: dt.datetime) -> int:
    """Whole days from the event (the last day of its month, when only the month is
    known) to when Threadline was told; never negative."""
    day = timezone.localtime(event_at).date()
    if precision == DatePrecision.MONTH:
        day = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return max(0, (timezone.localtime(recorded_at).date() - day).days)


class ChronologyEntry(SharedRecord, RecordModel):
    """One event, as one agency recorded it, about one child or several children of a
    family. Its fields are the current wording; `versions` keep every earlier one."""

    children = models.ManyToManyField(
        "people.Person", through="EntryChild", related_name="chronology_entries"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    event_at = models.DateTimeField(help_text="When it happened (see event_precision).")
    event_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    recorded_at = models.DateTimeField(help_text="When Threadline was told: set by the system.")
    # What kind of event (`category` is the information category, from SharedRecord).
    entry_type = models.CharField(max_length=30, choices=EntryCategory.choices)
    summary = models.CharField(max_length=SUMMARY_MAX_LENGTH)
    detail = models.TextField(blank=True)
    outcome = models.TextField(blank=True, help_text="Action taken or outcome.")
    significance = models.CharField(
        max_length=12, choices=Significance.choices, default=Significance.ROUTINE
    )
    source_reference = models.CharField(
        max_length=100, blank=True, help_text="The agency's own reference for the record."
    )
    version = models.PositiveIntegerField(default=1)
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_in_error_reason = models.TextField(blank=True)

    # Not a field: the children it is about whom the reader may see (set by selectors).
    shown_children: list

    class Meta:
        verbose_name_plural = "chronology entries"
        ordering = ["event_at", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(summary=""),
                name="chronology_entry_has_summary",
                violation_error_code="summary_required",
                violation_error_message="Enter a short summary of what happened",
            ),
            models.CheckConstraint(
                condition=Q(entered_in_error_at__isnull=True, entered_in_error_by__isnull=True)
                | (
                    Q(entered_in_error_at__isnull=False, entered_in_error_by__isnull=False)
                    & ~Q(entered_in_error_reason="")
                ),
                name="chronology_entry_in_error_with_reason",
                violation_error_code="reason_required",
                violation_error_message="Say who marked the entry as entered in error, and why",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "event_at"]),
            models.Index(fields=["event_at"]),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def in_error(self) -> bool:
        return self.entered_in_error_at is not None

    @property
    def event_when(self) -> str:
        return describe_when(self.event_at, self.event_precision)

    @property
    def recorded_on(self) -> str:
        """The day Threadline was told, as `event_when` writes a day (a third of the
        cost of the template's date filter, on every row of a chronology page)."""
        return describe_when(self.recorded_at, DatePrecision.DAY)

    @property
    def recorded_after_days(self) -> int:
        return days_late(self.event_at, self.event_precision, self.recorded_at)


class EntryChild(models.Model):
    """An entry is about these children; the per-child chronology reads this index."""

    entry = models.ForeignKey(ChronologyEntry, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # Copied from the entry, so a child's chronology is read in order from one index.
    event_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "entry"], name="entry_child_once")]
        indexes = [models.Index(fields=["child", "event_at"])]

    def __str__(self) -> str:
        return f"{self.entry_id} about {self.child_id}"


class EntryVersion(RecordModel):
    """The wording of an entry before an amendment: who changed it, when and why."""

    entry = models.ForeignKey(ChronologyEntry, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    event_at = models.DateTimeField()
    event_precision = models.CharField(max_length=5, choices=DatePrecision.choices)
    entry_type = models.CharField(max_length=30, choices=EntryCategory.choices)
    summary = models.CharField(max_length=SUMMARY_MAX_LENGTH)
    detail = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    significance = models.CharField(max_length=12, choices=Significance.choices)
    source_reference = models.CharField(max_length=100, blank=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    replaced_at = models.DateTimeField()
    reason = models.TextField(help_text="Why the entry was amended.")

    class Meta:
        ordering = ["entry", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "version"], name="entry_version_once")
        ]

    def __str__(self) -> str:
        return f"Version {self.version} of {self.entry_id}"

    @property
    def event_when(self) -> str:
        return describe_when(self.event_at, self.event_precision)


class Attachment(RecordModel):
    """A letter, report or fax an agency received, kept with the entry it evidences."""

    entry = models.ForeignKey(ChronologyEntry, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="chronology/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty")]

    def __str__(self) -> str:
        return self.original_name
