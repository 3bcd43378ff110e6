"""Notices: every referral, alert, outcome, invitation and decision Threadline sends.

A notice goes to recipients (an agency's designated safeguarding inbox, or a named
practitioner); each recipient reads and acknowledges it, or it escalates. Emails about a
notice are queued as `Delivery` rows in the same transaction (the outbox) and sent by the
task worker; they never carry case details."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from threadline.common.models import RecordModel


class NoticeType(models.TextChoices):
    REFERRAL = "referral", "Referral"
    ALERT = "alert", "Alert"
    OUTCOME = "outcome", "Referral outcome"
    INVITATION = "invitation", "Invitation"
    MEETING_OUTCOME = "meeting_outcome", "Meeting outcome and minutes"
    CASE_REVIEW = "case_review", "Case review"
    LEGAL_NOTICE = "legal_notice", "Legal notice"
    ACCESS_REQUEST = "access_request", "Access request"
    ACCESS_DECISION = "access_decision", "Access decision"
    BREAK_GLASS = "break_glass", "Break-glass alert"
    TASK_ESCALATION = "task_escalation", "Task escalation"
    ESCALATION = "escalation", "Unacknowledged notice"


class Notice(RecordModel):
    notice_type = models.CharField(max_length=30, choices=NoticeType.choices)
    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sender_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True, help_text="Path of the record it is about.")
    escalation_of = models.ForeignKey(
        "NoticeRecipient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class NoticeRecipient(RecordModel):
    """One recipient of a notice: an agency's inbox or a named practitioner, with when it
    was delivered, read and acknowledged (and by whom), and when it escalates."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledge_by = models.DateTimeField(
        null=True, blank=True, help_text="Escalates if not acknowledged by then."
    )
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=True, practitioner__isnull=False)
                | Q(agency__isnull=False, practitioner__isnull=True),
                name="notice_recipient_is_agency_or_practitioner",
            ),
            models.UniqueConstraint(fields=["notice", "agency"], name="notice_once_per_agency"),
            models.UniqueConstraint(
                fields=["notice", "practitioner"], name="notice_once_per_practitioner"
            ),
        ]
        indexes = [
            models.Index(fields=["practitioner", "acknowledged_at"]),
            models.Index(fields=["agency", "acknowledged_at"]),
            models.Index(
                fields=["acknowledge_by"],
                condition=Q(acknowledged_at__isnull=True, escalated_at__isnull=True),
                name="notice_escalation_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice} → {self.agency or self.practitioner}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent"


class Delivery(RecordModel):
    """An email about a notice to one address: the outbox row the worker sends. `key` is
    unique, so a recipient is never emailed twice about the same notice.

    A worker claims a row by setting `claimed_at` and pushing `next_attempt_at` on by a
    lease, then sends outside any transaction and records the outcome. A row still
    claimed when it falls due again was in a worker that died mid-send: it may have gone
    (see docs/notices.md)."""

    recipient = models.ForeignKey(
        NoticeRecipient, on_delete=models.CASCADE, related_name="deliveries"
    )
    address = models.EmailField()
    key = models.CharField(max_length=100, unique=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker took it to send; cleared on failure."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
