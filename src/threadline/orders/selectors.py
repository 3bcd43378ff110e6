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

from .models import LegalOrder

_SHOWN_WITH = ("child", "recorded_by", "local_authority")


@dataclass
class LegalStatus:
    current: list[LegalOrder]
    past: list[LegalOrder]


def legal_status(*, actor: Practitioner, child: Person) -> LegalStatus:
    """The child's plans and orders in force today, and the rest (ended, expired), newest
    first: one query."""
    today = timezone.localdate()
    orders = list(
        policy.orders_visible_to(actor)
        .filter(child=child)
        .select_related(*_SHOWN_WITH)
        .prefetch_related("extensions")
        .order_by("-starts_on")
    )
    current = [o for o in orders if o.in_force_on(today)]
    return LegalStatus(current, [o for o in orders if o not in current])


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
