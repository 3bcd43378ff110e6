"""Writing the audit trail. Called by services and selectors in the same transaction as
the read or change it records: if the audit write fails, nothing is returned or saved."""

from django.db import transaction
from django.utils import timezone

from .chain import GENESIS, row_hash
from .models import AuditAction, AuditChainHead, AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


@transaction.atomic
def record_event(
    *,
    actor,
    action: AuditAction,
    target=None,
    child=None,
    summary: str = "",
    request=None,
    purpose: str = "",
    actor_label: str | None = None,
) -> AuditEvent:
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS}
    )
    event = AuditEvent(
        seq=head.last_seq + 1,
        at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label or (actor.get_username() if actor is not None else "system"),
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        child_id=child.pk if child is not None else None,
        summary=summary[:500],
        ip_address=client_ip(request),
        purpose=purpose[:500],
        prev_hash=head.last_hash,
    )
    event.hash = row_hash(event, head.last_hash)
    event.save(force_insert=True)
    head.last_seq, head.last_hash = event.seq, event.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return event
