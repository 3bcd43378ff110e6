"""Meetings and assessments recorded by hand, until the meetings app records its own: what
the statutory clock waits for. A conference's decision on a child-protection plan is the
plan itself: it starts or ends the plan in the child's legal status (orders/), which is
where the clock's plan events come from."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.common.errors import add_error, invalid
from threadline.orders import services as orders
from threadline.orders.models import EndReason, LegalOrder, OrderType, PlanCategory
from threadline.people.models import Person
from threadline.sharing import policy

from .models import RECORDED_BY_HAND, ClockEvent, EventKind
from .services import note_event

CONFERENCES = (EventKind.INITIAL_CONFERENCE, EventKind.REVIEW_CONFERENCE)
WHO_RECORDS = (
    "Children's social care and legal services record conferences, reviews and assessments"
)


def _check(
    actor: Practitioner, child: Person, kind: str, occurred_on, plan, category
) -> LegalOrder | None:
    """Every problem at once; the child's plan in force that day (for a conference)."""
    errors: dict = {}
    if not policy.visible_among(actor, {child.pk}):
        add_error(errors, "child", "There is no person with that id", "unknown_person")
    elif not policy.can_record_meetings(actor):
        raise invalid(None, WHO_RECORDS, "not_allowed")
    if kind not in RECORDED_BY_HAND:
        add_error(
            errors,
            "kind",
            "Choose a meeting, assessment or memorandum; orders and referrals are recorded "
            "on their own pages",
            "not_recorded_by_hand",
        )
    if occurred_on is None:
        add_error(errors, "occurred_on", "Enter the date it happened", "date_required")
    elif occurred_on > timezone.localdate():
        add_error(errors, "occurred_on", "The date must be today or in the past", "date_in_future")
    in_force = None
    if kind in CONFERENCES:
        if plan is None:
            add_error(
                errors, "plan", "Say whether the conference made or kept a plan", "plan_required"
            )
        if occurred_on is not None:
            in_force = (
                LegalOrder.objects.in_force_on(occurred_on)
                .filter(child=child, order_type=OrderType.CP_PLAN)
                .first()
            )
        if plan and in_force is None and category not in PlanCategory.values:
            add_error(
                errors,
                "category",
                "Choose the category of abuse or neglect the plan is for",
                "category_required",
            )
    if errors:
        raise ValidationError(errors)
    return in_force


@transaction.atomic
def record_meeting_or_assessment(
    *,
    actor: Practitioner,
    child: Person,
    kind: str,
    occurred_on: dt.date | None,
    plan: bool | None = None,
    category: str = "",
    request=None,
) -> ClockEvent:
    """Record that a strategy discussion, conference, core group, review, assessment or
    legal memorandum happened. For a conference, `plan` says whether it made (or kept) a
    child-protection plan: a new plan, of `category`, starts that day; a plan not kept
    ends that day. Problems: `unknown_person`, `not_allowed`, `not_recorded_by_hand`,
    `date_required`, `date_in_future`, `plan_required`, `category_required`."""
    in_force = _check(actor, child, kind, occurred_on, plan, category)
    assert occurred_on is not None
    conference = kind in CONFERENCES
    event = note_event(
        key=f"hand:{child.pk}:{kind}:{occurred_on.isoformat()}",
        child=child,
        kind=kind,
        occurred_at=occurred_on,
        recorded_by=actor,
        **({"plan": plan} if conference else {}),
    )
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=event,
        child=child,
        summary=f"Recorded: {event.get_kind_display()} on {occurred_on:%d %b %Y}",
        request=request,
    )
    if conference and plan and in_force is None:
        orders.make_order(
            actor=actor,
            child=child,
            order_type=OrderType.CP_PLAN,
            category=category,
            starts_on=occurred_on,
            made_by=event.get_kind_display().removesuffix(" held"),
            request=request,
        )
    elif conference and not plan and in_force is not None:
        orders.end_order(
            actor=actor,
            order=in_force,
            ended_on=occurred_on,
            reason=EndReason.PLAN_ENDED,
            request=request,
        )
    return event
