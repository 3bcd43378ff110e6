"""The statutory clock's records: the events it counts from, and the tasks its rules
(rules.py) create from them."""

from django.conf import settings
from django.db import models

from threadline.common.models import RecordModel


class EventKind(models.TextChoices):
    REFERRAL_RECEIVED = "referral_received", "Referral received"
    REFERRAL_DECIDED = "referral_decided", "Referral decided"
    ASSESSMENT_COMPLETED = "assessment_completed", "Assessment completed"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion held"
    INITIAL_CONFERENCE = "initial_conference", "Initial child-protection conference held"
    CORE_GROUP = "core_group", "Core group meeting held"
    REVIEW_CONFERENCE = "review_conference", "Review child-protection conference held"
    PLAN_STARTED = "plan_started", "Child-protection plan started"
    PLAN_ENDED = "plan_ended", "Child-protection plan ended"
    LOOKED_AFTER = "looked_after", "Became looked after"
    LOOKED_AFTER_REVIEW = "looked_after_review", "Looked-after review held"
    LOOKED_AFTER_ENDED = "looked_after_ended", "Stopped being looked after"
    SUPERVISION_ORDER_MADE = "supervision_order_made", "Supervision order made"
    SUPERVISION_ORDER_EXTENDED = "supervision_order_extended", "Supervision order extended"
    SUPERVISION_ORDER_ENDED = "supervision_order_ended", "Supervision order ended"
    SUPERVISION_ORDER_REVIEW = "supervision_order_review", "Supervision-order review held"
    EXTENSION_MEETING = "extension_meeting", "Meeting on extending the order held"
    PROCEEDINGS_CONCLUDED = "proceedings_concluded", "Care proceedings concluded"
    OUTCOME_NOTICE_SENT = "outcome_notice_sent", "Outcome of proceedings sent to agencies"
    LEGAL_MEMORANDUM_SENT = "legal_memorandum_sent", "Legal memorandum on the order sent"
    EPO_MADE = "epo_made", "Emergency protection order made"
    EPO_ENDED = "epo_ended", "Emergency protection order ended"
    POLICE_PROTECTION = "police_protection", "Police protection began"
    POLICE_PROTECTION_ENDED = "police_protection_ended", "Police protection ended"
    SOCIAL_WORKER_ALLOCATED = "social_worker_allocated", "Social worker allocated"
    RISK_REVIEW_SET = "risk_review_set", "Risk review date set"
    RISK_REVIEWED = "risk_reviewed", "Risk reviewed or closed"
    MEETING_HELD = "meeting_held", "Multi-agency meeting held"
    PLACEMENT_STARTED = "placement_started", "Placement started"
    PLACEMENT_REVIEWED = "placement_reviewed", "Placement reviewed"
    PLACEMENT_ENDED = "placement_ended", "Placement ended as planned"
    PLACEMENT_ENDED_EARLY = "placement_ended_early", "Placement ended early"
    SERIOUS_INCIDENT_AWARE = "serious_incident_aware", "Local authority aware of a serious incident"
    SERIOUS_INCIDENT_NOTIFIED = (
        "serious_incident_notified",
        "Serious incident notified to the Panel",
    )
    RAPID_REVIEW_COMPLETED = "rapid_review_completed", "Rapid review completed"
    LCSPR_DECIDED = "lcspr_decided", "Decided to hold a local practice review"
    REVIEW_PUBLISHED = "review_published", "Review report published"


# What practitioners record by hand (the rest are recorded by the services that cause
# them: referrals, orders, allocations, risks). Meetings will record their own later.
RECORDED_BY_HAND = (
    EventKind.ASSESSMENT_COMPLETED,
    EventKind.STRATEGY_DISCUSSION,
    EventKind.INITIAL_CONFERENCE,
    EventKind.CORE_GROUP,
    EventKind.REVIEW_CONFERENCE,
    EventKind.LOOKED_AFTER_REVIEW,
    EventKind.SUPERVISION_ORDER_REVIEW,
    EventKind.EXTENSION_MEETING,
    EventKind.LEGAL_MEMORANDUM_SENT,
)


class ClockEvent(RecordModel):
    """Something the statutory clock counts from or waits for, about a child. `key` makes
    the service that records it idempotent (one event per referral, per order, ...);
    `details` carries what rules need (an order's end, a review date)."""

    key = models.CharField(max_length=200, unique=True)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    details = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "recorded_at"]
        indexes = [models.Index(fields=["child", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_at:%d %b %Y})"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "No longer needed"


class Task(RecordModel):
    """What a rule requires after an event: by when, of whom. Done when the event that
    satisfies the rule is recorded; one per rule and event (`key`), however often the
    rules are evaluated."""

    key = models.CharField(max_length=200, unique=True)
    rule_id = models.CharField(max_length=40, db_index=True)
    title = models.CharField(max_length=200)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    trigger = models.ForeignKey(ClockEvent, on_delete=models.PROTECT, related_name="tasks")
    due_on = models.DateField()
    due_at = models.DateTimeField(db_index=True)
    owner_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    closed_by = models.ForeignKey(
        ClockEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["child", "status"]),
            models.Index(fields=["status", "due_at"]),
        ]

    def __str__(self) -> str:
        return self.title
