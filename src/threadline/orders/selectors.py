"""Reads of a child's legal status through the access policy."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.people.models import Person
from threadline.sharing import policy
from threadline.timescales.calendar import add_months

from .models import LegalOrder

_SHOWN_WITH = ("child", "recorded_by", "local_authority")


@dataclass
class CurrentOrder:
    order: LegalOrder
    days_left: int | None  # until its set end, when that is within a month


@dataclass
class LegalStatus:
    current: list[CurrentOrder]
    past: list[LegalOrder]


def legal_status(*, actor: Practitioner, child: Person) -> LegalStatus:
    """The child's plans and orders in force today (with the days left when one ends
    within a month), and the rest (ended, expired), newest first. Two queries."""
    today = timezone.localdate()
    soon = add_months(today, 1)
    orders = list(
        policy.orders_about(actor, child)
        .select_related(*_SHOWN_WITH)
        .prefetch_related("extensions")
        .order_by("-starts_on")
    )
    return LegalStatus(
        [
            CurrentOrder(o, (o.ends_on - today).days if o.ends_on and o.ends_on <= soon else None)
            for o in orders
            if o.in_force_on(today)
        ],
        [o for o in orders if not o.in_force_on(today)],
    )


def get_order_for(actor: Practitioner, order_id) -> LegalOrder:
    try:
        return policy.orders_visible_to(actor).select_related(*_SHOWN_WITH).get(pk=order_id)
    except (LegalOrder.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such order") from exc


def get_order_record(*, actor: Practitioner, order_id, request=None) -> LegalOrder:
    order = get_order_for(actor, order_id)
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=order,
        child=order.child,
        summary=f"Viewed the {order.get_order_type_display().lower()} of {order.child.full_name}",
        request=request,
    )
    return order
