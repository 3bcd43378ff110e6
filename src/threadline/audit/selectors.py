"""Reading the audit trail: auditors see all of it; safeguarding leads and team managers
see what concerns children they may see and what their own agency's staff did."""

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from threadline.agencies.models import Practitioner, Role
from threadline.sharing.policy import people_visible_to

from .models import AuditAction, AuditEvent
from .services import record_event

# Who may search the trail at all (the web's AUDIT routes, the API's audit-events).
AUDIT_READERS = frozenset({Role.AUDITOR, Role.SAFEGUARDING_LEAD, Role.TEAM_MANAGER})


def can_read_audit_trail(actor: Practitioner) -> bool:
    return actor.is_authenticated and actor.role in AUDIT_READERS


def audit_trail(
    *,
    actor: Practitioner,
    child_id=None,
    username: str = "",
    action: str = "",
    since: date | None = None,
    until: date | None = None,
    request=None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor__agency").order_by("-seq")
    if actor.role != Role.AUDITOR:
        events = events.filter(
            Q(child_id__in=people_visible_to(actor).values("pk"))
            | Q(actor__agency_id=actor.agency_id)
        )
    if child_id:
        events = events.filter(child_id=child_id)
    if username:
        events = events.filter(actor_label__iexact=username.strip())
    if action:
        events = events.filter(action=action)
    tz = timezone.get_current_timezone()
    if since:
        events = events.filter(at__gte=datetime.combine(since, time.min, tz))
    if until:
        events = events.filter(at__lte=datetime.combine(until, time.max, tz))
    terms = ", ".join(
        f"{k}={v}"
        for k, v in (
            ("child", child_id),
            ("user", username),
            ("action", action),
            ("since", since),
            ("until", until),
        )
        if v
    )
    record_event(
        actor=actor,
        action=AuditAction.SEARCH,
        summary=f"Searched the audit trail: {terms or 'everything'}",
        request=request,
    )
    return events
