"""The only writers of notices: sending (with the email outbox, in the caller's
transaction), reading, acknowledging and escalating."""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import Agency, Practitioner, Role
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.common.errors import invalid
from threadline.timescales.calendar import add_working_hours

from .models import Delivery, Notice, NoticeRecipient, NoticeType
from .tasks import deliver_notices, escalate_if_unacknowledged


@transaction.atomic
def send_notice(
    *,
    notice_type: NoticeType,
    title: str,
    body: str,
    child=None,
    sender: Practitioner | None = None,
    link: str = "",
    agencies: Iterable[Agency] = (),
    practitioners: Iterable[Practitioner] = (),
    acknowledge_within_hours: float | None = None,
    escalation_of: NoticeRecipient | None = None,
) -> Notice:
    """Write a notice and its recipients, and queue the emails about it, in the caller's
    transaction: if the change that causes it rolls back, so does the notice, and nothing
    is sent. Each recipient must acknowledge within `acknowledge_within_hours` working
    hours (NOTICE_ACKNOWLEDGE_WORKING_HOURS by default) or it escalates; escalations
    themselves do not escalate again."""
    agencies = list(dict.fromkeys(agencies))
    practitioners = list(dict.fromkeys(p for p in practitioners if p.is_active))
    if not agencies and not practitioners:
        raise invalid(None, "A notice needs at least one recipient", "no_recipients")
    now = timezone.now()
    notice = Notice.objects.create(
        notice_type=notice_type,
        title=title,
        body=body,
        child=child,
        sender=sender,
        sender_agency=sender.agency if sender is not None else None,
        link=link,
        escalation_of=escalation_of,
    )
    due = None
    if escalation_of is None:
        hours = acknowledge_within_hours or settings.NOTICE_ACKNOWLEDGE_WORKING_HOURS
        due = add_working_hours(now, hours)
    recipients = NoticeRecipient.objects.bulk_create(
        [NoticeRecipient(notice=notice, agency=a, acknowledge_by=due) for a in agencies]
        + [
            NoticeRecipient(notice=notice, practitioner=p, acknowledge_by=due)
            for p in practitioners
        ]
    )
    deliveries, in_app_only = [], []
    for r in recipients:
        address = r.agency.safeguarding_email if r.agency else r.practitioner.email
        if address:
            deliveries.append(
                Delivery(
                    recipient=r,
                    address=address,
                    key=f"{r.pk}:{address.lower()}",
                    next_attempt_at=now,
                )
            )
        else:
            in_app_only.append(r.pk)
    Delivery.objects.bulk_create(deliveries)
    NoticeRecipient.objects.filter(pk__in=in_app_only).update(delivered_at=now)
    record_event(
        actor=sender,
        action=AuditAction.CREATE,
        target=notice,
        child=child,
        summary=f"{notice.get_notice_type_display()} to {len(recipients)} recipient(s): {title}",
    )
    if deliveries:
        transaction.on_commit(deliver_notices.enqueue)
    if due is not None:
        transaction.on_commit(lambda: _check_acknowledged_at(due, notice))
    return notice


def _check_acknowledged_at(due: datetime, notice: Notice) -> None:
    """Schedule the escalation check for when the notice falls due. A backend that cannot
    defer (the immediate one, in tests) leaves it to the housekeeping sweep."""
    if escalate_if_unacknowledged.get_backend().supports_defer:
        escalate_if_unacknowledged.using(run_after=due).enqueue(str(notice.pk))


def _stamp(recipient: NoticeRecipient, **fields) -> NoticeRecipient:
    for name, value in fields.items():
        setattr(recipient, name, value)
    recipient.save(update_fields=[*fields, "updated_at"])
    return recipient


@transaction.atomic
def mark_read(*, actor: Practitioner, recipient: NoticeRecipient, request=None) -> NoticeRecipient:
    """The actor opened the notice (first reading only is recorded on the notice; every
    opening is on the audit trail)."""
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=recipient.notice,
        child=recipient.notice.child,
        summary=f"Read notice: {recipient.notice.title}",
        request=request,
    )
    if recipient.read_at is None:
        _stamp(recipient, read_at=timezone.now(), read_by=actor)
    return recipient


@transaction.atomic
def acknowledge(
    *, actor: Practitioner, recipient: NoticeRecipient, request=None
) -> NoticeRecipient:
    """The actor confirms they (or their agency) have taken the notice in. The recipient
    row comes from `selectors.notice_for`, so it is the actor's own or their agency's."""
    recipient = NoticeRecipient.objects.select_for_update().get(pk=recipient.pk)
    if recipient.acknowledged_at is not None:
        raise invalid(
            None,
            f"Already acknowledged by {recipient.acknowledged_by} at "
            f"{timezone.localtime(recipient.acknowledged_at):%H:%M on %d %B %Y}",
            "already_acknowledged",
        )
    now = timezone.now()
    _stamp(
        recipient,
        acknowledged_at=now,
        acknowledged_by=actor,
        read_at=recipient.read_at or now,
        read_by=recipient.read_by or actor,
    )
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=recipient.notice,
        child=recipient.notice.child,
        summary=f"Acknowledged notice: {recipient.notice.title}",
        request=request,
    )
    return recipient


def send_to_safeguarding(agency: Agency, *, excluding=None, **notice) -> Notice:
    """A notice to the agency's active safeguarding leads (`excluding` one of them, by
    id), or to its designated inbox if that leaves none: whoever answers for
    safeguarding there sees it."""
    leads = list(
        Practitioner.objects.filter(
            agency=agency, role=Role.SAFEGUARDING_LEAD, is_active=True
        ).exclude(pk=excluding)
    )
    return send_notice(practitioners=leads, agencies=[] if leads else [agency], **notice)


@transaction.atomic
def escalate(recipient_id, *, now: datetime | None = None) -> Notice | None:
    """Escalate one recipient's notice if it is still unacknowledged when due: a notice
    to their agency's safeguarding leads, written with the `escalated_at` stamp in one
    transaction, so it happens once however many checks and sweeps run. A recipient
    being acknowledged or escalated right now is skipped (its lock is held)."""
    now = now or timezone.now()
    recipient = (
        NoticeRecipient.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("notice", "agency", "practitioner__agency")
        .filter(
            pk=recipient_id,
            acknowledged_at__isnull=True,
            escalated_at__isnull=True,
            acknowledge_by__lte=now,
        )
        .first()
    )
    if recipient is None:
        return None
    agency = recipient.agency or recipient.practitioner.agency
    if agency is None:  # a practitioner of no agency (an administrator): no one above
        _stamp(recipient, escalated_at=now)
        return None
    notice = recipient.notice
    who = recipient.agency.name if recipient.agency else recipient.practitioner.get_full_name()
    # Not to the recipient themselves: a lead who let it lapse is no one to escalate to.
    escalation = send_to_safeguarding(
        agency,
        excluding=recipient.practitioner_id,
        notice_type=NoticeType.ESCALATION,
        title=f"Not acknowledged: {notice.title}",
        body=(
            f"A {notice.get_notice_type_display().lower()} sent to {who} on "
            f"{timezone.localtime(notice.created_at):%d %B %Y at %H:%M} has not been "
            f"acknowledged. Please make sure someone acts on it.\n\n{notice.body}"
        ),
        child=notice.child,
        link=notice.link,
        escalation_of=recipient,
    )
    _stamp(recipient, escalated_at=now)
    return escalation


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every notice overdue for acknowledgement: the housekeeping sweep behind
    the per-notice checks scheduled for when each falls due, which a backend that cannot
    defer never runs and a worker that was down may have lost."""
    now = now or timezone.now()
    due = NoticeRecipient.objects.filter(
        acknowledged_at__isnull=True, escalated_at__isnull=True, acknowledge_by__lte=now
    ).values_list("pk", flat=True)
    return sum(escalate(pk, now=now) is not None for pk in list(due))
