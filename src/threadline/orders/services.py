"""The only writers of a child's legal status: making, extending and ending plans and
orders, and concluding care proceedings. Each checks every rule first (nothing saved if
one is broken), writes the audit event and a chronology entry, and notes the event the
statutory clock counts from, in one transaction."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.cases.models import Allocation, Case
from threadline.chronology.models import EntryCategory, Significance
from threadline.chronology.services import record_observed_entry
from threadline.common.errors import add_error, invalid
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice
from threadline.people.models import Person
from threadline.referrals.selectors import network_of
from threadline.sharing import policy
from threadline.timescales.calendar import add_months
from threadline.timescales.models import EventKind
from threadline.timescales.services import note_event

from .models import (
    CARE_ORDERS,
    EndReason,
    LegalOrder,
    OrderExtension,
    OrderType,
    ProceedingsOutcome,
)

SUPERVISION_DEFAULT_MONTHS = 12
SUPERVISION_MAX_MONTHS = 36  # Children Act 1989, schedule 3, paragraph 6(4)
EPO_MAX_DAYS = 8  # section 45(1)
EPO_EXTENSION_MAX_DAYS = 7  # section 45(5), once (45(6))
POLICE_PROTECTION_HOURS = 72  # section 46(6)

# The clock's event when an order is made and when it ends.
MADE = {
    OrderType.CP_PLAN: EventKind.PLAN_STARTED,
    OrderType.SECTION_20: EventKind.LOOKED_AFTER,
    OrderType.INTERIM_CARE_ORDER: EventKind.LOOKED_AFTER,
    OrderType.CARE_ORDER: EventKind.LOOKED_AFTER,
    OrderType.SUPERVISION_ORDER: EventKind.SUPERVISION_ORDER_MADE,
    OrderType.EMERGENCY_PROTECTION_ORDER: EventKind.EPO_MADE,
    OrderType.POLICE_PROTECTION: EventKind.POLICE_PROTECTION,
}
ENDED = {
    OrderType.CP_PLAN: EventKind.PLAN_ENDED,
    OrderType.SECTION_20: EventKind.LOOKED_AFTER_ENDED,
    OrderType.INTERIM_CARE_ORDER: EventKind.LOOKED_AFTER_ENDED,
    OrderType.CARE_ORDER: EventKind.LOOKED_AFTER_ENDED,
    OrderType.SUPERVISION_ORDER: EventKind.SUPERVISION_ORDER_ENDED,
    OrderType.EMERGENCY_PROTECTION_ORDER: EventKind.EPO_ENDED,
    OrderType.POLICE_PROTECTION: EventKind.POLICE_PROTECTION_ENDED,
}
LOOKED_AFTER = {OrderType.SECTION_20, *CARE_ORDERS}


def _in_force(child: Person, types, on: dt.date, *, excluding=None) -> bool:
    orders = LegalOrder.objects.in_force_on(on).filter(child=child, order_type__in=types)
    return orders.exclude(pk=excluding).exists()


def _check_new(errors: dict, order: LegalOrder) -> None:
    today = timezone.localdate()
    kind, start = order.order_type, order.starts_on
    if start is None:
        add_error(errors, "starts_on", "Enter the date it was made or started", "required")
        return
    if start > today:
        add_error(errors, "starts_on", "The start must be today or in the past", "start_in_future")
    if order.ends_on is not None and order.ends_on < start:
        add_error(errors, "ends_on", "An order cannot end before it starts", "end_before_start")
    if kind == OrderType.CP_PLAN and not order.category:
        add_error(
            errors, "category", "Choose the category of abuse or neglect", "category_required"
        )
    if kind != OrderType.CP_PLAN and order.category:
        add_error(
            errors,
            "category",
            "Only a child-protection plan has a category of abuse or neglect",
            "category_only_for_plans",
        )
    end = order.ends_on
    if (
        kind == OrderType.SUPERVISION_ORDER
        and end
        and end > add_months(start, SUPERVISION_MAX_MONTHS)
    ):
        add_error(
            errors,
            "ends_on",
            "A supervision order lasts at most three years from the day it was made",
            "supervision_order_too_long",
        )
    if kind == OrderType.EMERGENCY_PROTECTION_ORDER and end and (end - start).days > EPO_MAX_DAYS:
        add_error(
            errors,
            "ends_on",
            f"An emergency protection order lasts at most {EPO_MAX_DAYS} days",
            "emergency_protection_order_too_long",
        )
    if kind == OrderType.POLICE_PROTECTION:
        if order.starts_at is None:
            add_error(
                errors,
                "starts_at",
                "Enter when the child was taken into police protection",
                "required",
            )
        elif order.ends_at and order.ends_at - order.starts_at > dt.timedelta(
            hours=POLICE_PROTECTION_HOURS
        ):
            add_error(
                errors,
                "ends_at",
                f"Police protection lasts at most {POLICE_PROTECTION_HOURS} hours",
                "police_protection_too_long",
            )
    clash = {
        OrderType.SUPERVISION_ORDER: CARE_ORDERS,
        OrderType.CARE_ORDER: {OrderType.SUPERVISION_ORDER},
        OrderType.INTERIM_CARE_ORDER: {OrderType.SUPERVISION_ORDER},
    }.get(kind)
    if clash and _in_force(order.child, clash, start):
        add_error(
            errors,
            "order_type",
            "A child cannot be under a care order and a supervision order at once: end "
            "the other order first",
            "care_and_supervision_order",
        )
    if kind in (OrderType.CP_PLAN, OrderType.CIN_PLAN) and _in_force(order.child, [kind], start):
        add_error(errors, "order_type", "The child already has this plan", "plan_already_in_force")


def _defaults(order: LegalOrder) -> None:
    """The end the law sets when the order says nothing else."""
    if order.order_type == OrderType.POLICE_PROTECTION and order.starts_at:
        order.starts_on = timezone.localdate(order.starts_at)
        order.ends_at = order.ends_at or order.starts_at + dt.timedelta(
            hours=POLICE_PROTECTION_HOURS
        )
        order.ends_on = timezone.localdate(order.ends_at)
    start = order.starts_on
    if start is None:
        return
    if order.order_type == OrderType.SUPERVISION_ORDER and order.ends_on is None:
        order.ends_on = add_months(start, SUPERVISION_DEFAULT_MONTHS)
    if order.order_type == OrderType.EMERGENCY_PROTECTION_ORDER and order.ends_on is None:
        order.ends_on = start + dt.timedelta(days=EPO_MAX_DAYS)


def _chronology(actor: Practitioner, order: LegalOrder, summary: str, on: dt.date) -> None:
    record_observed_entry(
        actor=actor,
        child=order.child,
        event_at=min(on, timezone.localdate()),
        entry_type=EntryCategory.LEGAL,
        summary=summary,
        significance=Significance.SIGNIFICANT,
    )


def _clock(order: LegalOrder, kind: str, suffix: str, actor: Practitioner, at, **details) -> None:
    note_event(
        key=f"order:{order.pk}:{suffix}",
        child=order.child,
        kind=kind,
        occurred_at=at,
        recorded_by=actor,
        order_id=order.pk,
        **details,
    )


@transaction.atomic
def make_order(
    *,
    actor: Practitioner,
    child: Person,
    order_type: str,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    category: str = "",
    court: str = "",
    case_number: str = "",
    made_by: str = "",
    notes: str = "",
    request=None,
) -> LegalOrder:
    """Record a plan, order or proceedings for a child the actor may see. A supervision
    order lasts a year unless the court said otherwise; an emergency protection order 8
    days; police protection 72 hours. Problems: `unknown_person`, `not_allowed`,
    `end_before_start`, `start_in_future`, `category_required`,
    `supervision_order_too_long`, `emergency_protection_order_too_long`,
    `police_protection_too_long`, `care_and_supervision_order`, `plan_already_in_force`."""
    if not policy.visible_among(actor, {child.pk}) or not child.is_child:
        raise invalid("child", "There is no child with that id", "unknown_person")
    if not policy.can_record_order(actor, order_type):
        raise invalid(
            "order_type",
            "Children's social care and legal services record plans and orders; the police "
            "record police protection",
            "not_allowed",
        )
    case = Case.objects.filter(child=child, closed_on__isnull=True).first()
    order = LegalOrder(
        child=child,
        order_type=order_type,
        category=category,
        starts_on=starts_on,
        ends_on=ends_on,
        starts_at=starts_at,
        ends_at=ends_at,
        court=court.strip(),
        case_number=case_number.strip(),
        made_by=made_by.strip(),
        notes=notes.strip(),
        local_authority=case.local_authority if case else None,
        recorded_by=actor,
    )
    _defaults(order)
    errors: dict = {}
    _check_new(errors, order)
    if errors:
        raise ValidationError(errors)
    order.full_clean(exclude=["child", "recorded_by", "local_authority"])
    order.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=order,
        child=child,
        summary=f"Recorded {order.get_order_type_display().lower()} for {child.full_name}",
        request=request,
    )
    _chronology(actor, order, f"{order.get_order_type_display()} made", order.starts_on)
    kind = MADE.get(OrderType(order_type))
    if kind == EventKind.LOOKED_AFTER and _in_force(
        child, LOOKED_AFTER, order.starts_on, excluding=order.pk
    ):
        kind = None  # already looked after: one episode, however its legal basis changes
    if kind is not None:
        allocated = bool(case and Allocation.objects.current().filter(case=case).exists())
        _clock(
            order,
            kind,
            "made",
            actor,
            order.starts_at or order.starts_on,
            ends_on=order.ends_on,
            ends_at=order.ends_at,
            allocated=allocated,
        )
    return order


@transaction.atomic
def extend_order(
    *,
    actor: Practitioner,
    order: LegalOrder,
    new_end: dt.date | None,
    granted_on: dt.date | None = None,
    request=None,
) -> LegalOrder:
    """A court extended a supervision order (to at most three years from the day it was
    made) or an emergency protection order (once, by at most 7 days). Problems:
    `not_extendable`, `not_in_force`, `new_end_required`, `end_not_later`,
    `extension_beyond_three_years`, `emergency_protection_order_extended_once`,
    `emergency_protection_extension_too_long`."""
    order = LegalOrder.objects.select_for_update().select_related("child").get(pk=order.pk)
    _check_recorder(actor, order)
    granted_on = granted_on or timezone.localdate()
    errors: dict = {}
    extendable = (OrderType.SUPERVISION_ORDER, OrderType.EMERGENCY_PROTECTION_ORDER)
    if order.order_type not in extendable:
        raise invalid(
            None, f"A {order.get_order_type_display().lower()} is not extended", "not_extendable"
        )
    if order.ended_on is not None:
        raise invalid(None, "This order has ended", "not_in_force")
    if granted_on > timezone.localdate():
        add_error(
            errors, "granted_on", "The date must be today or in the past", "granted_in_future"
        )
    if new_end is None:
        add_error(errors, "new_end", "Enter the new end date", "new_end_required")
    elif order.ends_on and new_end <= order.ends_on:
        add_error(errors, "new_end", "The new end must be after the current end", "end_not_later")
    elif order.order_type == OrderType.SUPERVISION_ORDER:
        if new_end > add_months(order.starts_on, SUPERVISION_MAX_MONTHS):
            add_error(
                errors,
                "new_end",
                "A supervision order can be extended to at most three years from the day it "
                f"was made ({add_months(order.starts_on, SUPERVISION_MAX_MONTHS):%-d %B %Y})",
                "extension_beyond_three_years",
            )
    else:
        if order.extensions.exists():
            add_error(
                errors,
                "new_end",
                "An emergency protection order can be extended only once",
                "emergency_protection_order_extended_once",
            )
        elif (new_end - order.ends_on).days > EPO_EXTENSION_MAX_DAYS:
            add_error(
                errors,
                "new_end",
                "An emergency protection order is extended by at most "
                f"{EPO_EXTENSION_MAX_DAYS} days",
                "emergency_protection_extension_too_long",
            )
    if errors:
        raise ValidationError(errors)
    extension = OrderExtension.objects.create(
        order=order,
        granted_on=granted_on,
        previous_end=order.ends_on,
        new_end=new_end,
        recorded_by=actor,
    )
    order.ends_on = new_end
    order.save(update_fields=["ends_on", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=order,
        child=order.child,
        summary=f"Extended the {order.get_order_type_display().lower()} to {new_end:%d %b %Y}",
        request=request,
    )
    _chronology(
        actor,
        order,
        f"{order.get_order_type_display()} extended to {new_end:%-d %b %Y}",
        granted_on,
    )
    if order.order_type == OrderType.SUPERVISION_ORDER:
        _clock(
            order,
            EventKind.SUPERVISION_ORDER_EXTENDED,
            f"extended:{extension.pk}",
            actor,
            granted_on,
            ends_on=new_end,
        )
    return order


def _check_recorder(actor: Practitioner, order: LegalOrder) -> None:
    if not policy.can_record_order(actor, order.order_type):
        raise invalid(
            None, "Only the agencies that record this kind of order change it", "not_allowed"
        )


@transaction.atomic
def end_order(
    *, actor: Practitioner, order: LegalOrder, ended_on: dt.date | None, reason: str, request=None
) -> LegalOrder:
    """Record that a plan or order ended (it stays in the history)."""
    return _end(actor, order, ended_on, reason, request, field="ended_on")


def _end(actor, order: LegalOrder, ended_on, reason: str, request, *, field: str) -> LegalOrder:
    order = LegalOrder.objects.select_for_update().select_related("child").get(pk=order.pk)
    _check_recorder(actor, order)
    if order.ended_on is not None:
        raise invalid(None, "This order has already ended", "already_ended")
    errors: dict = {}
    if ended_on is None:
        add_error(errors, field, "Enter the date it ended", "required")
    elif ended_on < order.starts_on:
        add_error(errors, field, "An order cannot end before it starts", "end_before_start")
    elif ended_on > timezone.localdate():
        add_error(errors, field, "The end must be today or in the past", "end_in_future")
    if reason not in EndReason.values:
        add_error(errors, "reason", "Choose why it ended", "invalid_choice")
    if errors:
        raise ValidationError(errors)
    order.ended_on, order.end_reason = ended_on, reason
    order.save(update_fields=["ended_on", "end_reason", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=order,
        child=order.child,
        summary=f"Ended the {order.get_order_type_display().lower()}: "
        f"{order.get_end_reason_display()}",
        request=request,
    )
    _chronology(actor, order, f"{order.get_order_type_display()} ended", ended_on)
    kind = ENDED.get(OrderType(order.order_type))
    still_looked_after = order.order_type in LOOKED_AFTER and _in_force(
        order.child, LOOKED_AFTER, ended_on + dt.timedelta(days=1), excluding=order.pk
    )
    if kind is not None and not still_looked_after:
        # Never before it began: police protection can end the day it started.
        at = dt.datetime.combine(ended_on, dt.time.min, timezone.get_default_timezone())
        _clock(order, kind, "ended", actor, max(at, order.starts_at) if order.starts_at else at)
    return order


@transaction.atomic
def conclude_proceedings(
    *,
    actor: Practitioner,
    order: LegalOrder,
    concluded_on: dt.date | None,
    outcome: str,
    request=None,
) -> LegalOrder:
    """Care proceedings concluded with an outcome: they end, every agency involved with
    the child or family is told the outcome in writing (a notice to acknowledge), and
    legal services owe the agencies a memorandum on what the order means."""
    if order.order_type != OrderType.CARE_PROCEEDINGS:
        raise invalid(None, "Only care proceedings conclude with an outcome", "not_proceedings")
    if outcome not in ProceedingsOutcome.values:
        raise invalid("outcome", "Choose the outcome", "invalid_choice")
    order = _end(actor, order, concluded_on, EndReason.CONCLUDED, request, field="concluded_on")
    order.outcome = outcome
    order.save(update_fields=["outcome", "updated_at"])
    _clock(
        order, EventKind.PROCEEDINGS_CONCLUDED, "concluded", actor, concluded_on, outcome=outcome
    )
    agencies = network_of(order.child, exclude=set()).everyone
    if agencies:
        send_notice(
            notice_type=NoticeType.LEGAL_NOTICE,
            title=f"Care proceedings concluded: {order.child.full_name}",
            body=f"The care proceedings about {order.child.full_name} concluded on "
            f"{concluded_on:%-d %B %Y}. Outcome: {order.get_outcome_display()}. Open the "
            "child's record for the legal status and what it means for your agency.",
            child=order.child,
            sender=actor,
            link=order.child.get_absolute_url(),
            agencies=agencies,
        )
        # Recorded after the conclusion, at the same moment: the notice went at once.
        _clock(order, EventKind.OUTCOME_NOTICE_SENT, "outcome-notice", actor, concluded_on)
    return order
