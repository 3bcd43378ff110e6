"""Reads of notices, through the access policy: the inbox, its counts, one notice."""

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.sharing.policy import notices_visible_to

from .models import NoticeRecipient

_SHOWN_WITH = (
    "notice__child",
    "notice__sender",
    "notice__sender_agency",
    "agency",
    "practitioner",
    "read_by",
    "acknowledged_by",
)


BOXES = {"all": "All notices", "mine": "Sent to you", "agency": "Your agency's inbox"}


def inbox(
    actor: Practitioner, *, box: str = "all", acknowledged: bool | None = None, request=None
) -> QuerySet[NoticeRecipient]:
    """The actor's notices: `mine` (addressed to them), `agency` (their agency's inbox,
    if they read it) or `all`; those waiting for acknowledgement first, newest first.
    Listing is audited like a search."""
    rows = notices_visible_to(actor)
    if box == "mine":
        rows = rows.filter(practitioner=actor)
    elif box == "agency":
        rows = rows.filter(agency_id=actor.agency_id)
    if acknowledged is not None:
        rows = rows.filter(acknowledged_at__isnull=not acknowledged)
    record_event(
        actor=actor,
        action=AuditAction.SEARCH,
        summary=f"Listed notices: {BOXES[box]}",
        request=request,
    )
    return rows.select_related(*_SHOWN_WITH).order_by(
        F("acknowledged_at").desc(nulls_first=True), "-created_at", "pk"
    )


def inbox_counts(actor: Practitioner) -> dict[str, int]:
    """Unread and unacknowledged, for the header: one query."""
    return notices_visible_to(actor).aggregate(
        unread=Count("pk", filter=Q(read_at__isnull=True)),
        unacknowledged=Count("pk", filter=Q(acknowledged_at__isnull=True)),
    )


def notice_for(actor: Practitioner, recipient_id) -> NoticeRecipient:
    """One of the actor's notices, or 404: someone else's does not exist for them."""
    try:
        return notices_visible_to(actor).select_related(*_SHOWN_WITH).get(pk=recipient_id)
    except (NoticeRecipient.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such notice") from exc
