"""The only writers of sharing agreements, access requests and break-glass."""

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from threadline.agencies.models import Agency, Practitioner, Role
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.cases.models import Case
from threadline.common.errors import invalid
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice, send_to_safeguarding
from threadline.people.models import Person

from . import policy
from .models import (
    AccessRequest,
    AccessRequestStatus,
    AgreementCategory,
    BreakGlass,
    InformationCategory,
    SharingAgreement,
)

BREAK_GLASS_MINUTES = 60
ACCESS_GRANT_DAYS = 90


def owning_agency(person: Person) -> Agency:
    """The agency answerable for a person's record: the local authority holding the
    child's open case, else the agency that recorded them."""
    case = (
        Case.objects.filter(child=person, closed_on__isnull=True)
        .select_related("local_authority")
        .first()
    )
    return case.local_authority if case else person.recorded_by_agency


@transaction.atomic
def create_agreement(
    *,
    actor: Practitioner,
    title: str,
    provider: Agency,
    recipient: Agency,
    categories: list[str],
    purpose: str,
    legal_basis: str,
    from_date: date,
    to_date: date,
    request=None,
) -> SharingAgreement:
    if actor.role != Role.ADMINISTRATOR:
        raise invalid(None, "Only an administrator records sharing agreements", "not_administrator")
    if provider == recipient:
        raise invalid("recipient", "An agreement is between two different agencies", "same_agency")
    if not categories:
        raise invalid("categories", "Choose at least one category of information", "no_categories")
    agreement = SharingAgreement(
        title=title,
        provider=provider,
        recipient=recipient,
        purpose=purpose,
        legal_basis=legal_basis,
        from_date=from_date,
        to_date=to_date,
        recorded_by=actor,
    )
    if to_date < from_date:
        raise invalid("to_date", "The agreement cannot end before it starts", "end_before_start")
    agreement.full_clean()
    agreement.save()
    AgreementCategory.objects.bulk_create(
        AgreementCategory(agreement=agreement, category=InformationCategory(c))
        for c in sorted(set(categories))
    )
    record_event(
        actor=actor,
        action=AuditAction.PERMISSION_CHANGE,
        target=agreement,
        summary=f"{provider.name} shares {', '.join(sorted(set(categories)))} with "
        f"{recipient.name} from {from_date} to {to_date}",
        request=request,
    )
    return agreement


@transaction.atomic
def end_agreement(
    *, actor: Practitioner, agreement: SharingAgreement, to_date: date, request=None
) -> SharingAgreement:
    """End an agreement early; access stops the day after `to_date`."""
    if actor.role != Role.ADMINISTRATOR:
        raise invalid(None, "Only an administrator changes sharing agreements", "not_administrator")
    if to_date < agreement.from_date:
        raise invalid("to_date", "The agreement cannot end before it starts", "end_before_start")
    agreement.to_date = to_date
    agreement.save(update_fields=["to_date", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.PERMISSION_CHANGE,
        target=agreement,
        summary=f"Agreement ends {to_date}",
        request=request,
    )
    return agreement


def _already_visible(actor: Practitioner, child: Person, provider: Agency, category: str) -> bool:
    if actor.agency_id == provider.pk:
        return True
    today = timezone.localdate()
    if AgreementCategory.objects.filter(
        agreement__recipient_id=actor.agency_id,
        agreement__provider=provider,
        agreement__from_date__lte=today,
        agreement__to_date__gte=today,
        category=category,
    ).exists():
        return True
    return AccessRequest.objects.filter(
        requester=actor,
        child=child,
        provider=provider,
        category=category,
        status=AccessRequestStatus.APPROVED,
        expires_on__gte=today,
    ).exists()


@transaction.atomic
def request_access(
    *,
    actor: Practitioner,
    child: Person,
    provider: Agency,
    category: str,
    reason: str,
    request=None,
) -> AccessRequest:
    """Ask `provider` to let the actor see its `category` records about `child` (a child
    the actor can already see). Its safeguarding leads are told."""
    policy.get_person_for(actor, child.pk)
    if not reason.strip():
        raise invalid("reason", "Say why you need to see these records", "reason_required")
    if _already_visible(actor, child, provider, category):
        raise invalid(
            "category",
            f"You can already see {provider.name}'s "
            f"{InformationCategory(category).label.lower()} records about this child",
            "already_visible",
        )
    if AccessRequest.objects.filter(
        requester=actor,
        child=child,
        provider=provider,
        category=category,
        status=AccessRequestStatus.PENDING,
    ).exists():
        raise invalid(
            "category", "You have already asked; the request awaits a decision", "already_requested"
        )
    access = AccessRequest(
        requester=actor, child=child, provider=provider, category=category, reason=reason.strip()
    )
    access.full_clean()
    access.save()
    record_event(
        actor=actor,
        action=AuditAction.ACCESS_REQUEST,
        target=access,
        child=child,
        summary=f"Asked {provider.name} for {access.get_category_display()} records",
        purpose=access.reason,
        request=request,
    )
    send_to_safeguarding(
        provider,
        notice_type=NoticeType.ACCESS_REQUEST,
        title=f"{actor.get_full_name()} asks to see {access.get_category_display().lower()} "
        "records",
        body=f"{actor.get_full_name()} ({actor.agency}) asks to see {provider.name}'s "
        f"{access.get_category_display().lower()} records about {child.full_name}.\n\n"
        f"Their reason: {access.reason}",
        child=child,
        sender=actor,
        link=reverse("access-request-decide", args=[access.pk]),
    )
    return access


@transaction.atomic
def decide_access_request(
    *,
    actor: Practitioner,
    access: AccessRequest,
    approve: bool,
    reason: str,
    expires_on: date | None = None,
    request=None,
) -> AccessRequest:
    """The provider's safeguarding lead approves (until a date) or refuses, with a reason;
    the requester is told."""
    access = AccessRequest.objects.select_for_update().get(pk=access.pk)
    if not policy.can_decide_access_request(actor, access):
        raise invalid(
            None,
            f"Only a safeguarding lead of {access.provider.name} can decide this request",
            "not_safeguarding_lead",
        )
    if access.status != AccessRequestStatus.PENDING:
        raise invalid(None, "This request has already been decided", "already_decided")
    if not reason.strip():
        raise invalid("decision_reason", "Give the reason for your decision", "reason_required")
    today = timezone.localdate()
    if approve:
        expires_on = expires_on or today + timedelta(days=ACCESS_GRANT_DAYS)
        if expires_on < today:
            raise invalid("expires_on", "Access must last until today or later", "expiry_in_past")
    access.status = AccessRequestStatus.APPROVED if approve else AccessRequestStatus.REFUSED
    access.decided_by, access.decided_at = actor, timezone.now()
    access.decision_reason = reason.strip()
    access.expires_on = expires_on if approve else None
    access.save()
    record_event(
        actor=actor,
        action=AuditAction.ACCESS_DECISION,
        target=access,
        child=access.child,
        summary=f"{access.get_status_display()} access to {access.get_category_display()}"
        f" records for {access.requester}",
        purpose=access.decision_reason,
        request=request,
    )
    send_notice(
        notice_type=NoticeType.ACCESS_DECISION,
        title=f"Your request to {access.provider.name} was {access.get_status_display().lower()}",
        body=f"{actor.get_full_name()} {access.get_status_display().lower()} your request to see "
        f"{access.get_category_display().lower()} records about {access.child.full_name}"
        + (f" until {access.expires_on:%d %B %Y}" if access.expires_on else "")
        + f".\n\nTheir reason: {access.decision_reason}",
        child=access.child,
        sender=actor,
        practitioners=[access.requester],
        link=reverse("access-requests"),
    )
    return access


@transaction.atomic
def break_glass(*, actor: Practitioner, person: Person, reason: str, request=None) -> BreakGlass:
    """Open one record the actor cannot normally see, for an emergency, for a short time.
    The owning agency's safeguarding leads are alerted at once."""
    if actor.agency_id is None:
        raise invalid(None, "Administrators cannot use break-glass", "not_a_practitioner")
    if len(reason.strip()) < 10:
        raise invalid("reason", "Explain the emergency (at least 10 characters)", "reason_required")
    glass = BreakGlass.objects.create(
        actor=actor,
        person=person,
        reason=reason.strip(),
        expires_at=timezone.now() + timedelta(minutes=BREAK_GLASS_MINUTES),
    )
    record_event(
        actor=actor,
        action=AuditAction.BREAK_GLASS,
        target=person,
        child=person.as_child,
        summary=f"Break-glass access to {person.full_name} for {BREAK_GLASS_MINUTES} minutes",
        purpose=glass.reason,
        request=request,
    )
    send_to_safeguarding(
        owning_agency(person),
        notice_type=NoticeType.BREAK_GLASS,
        title=f"Emergency access to {person.full_name} by {actor.get_full_name()}",
        body=f"{actor.get_full_name()} ({actor.agency}) used break-glass to open "
        f"{person.full_name}'s record for {BREAK_GLASS_MINUTES} minutes.\n\n"
        f"Their reason: {glass.reason}\n\nReview it and record whether it was justified.",
        child=person.as_child,
        sender=actor,
        link=reverse("break-glass-review-one", args=[glass.pk]),
    )
    return glass


@transaction.atomic
def review_break_glass(
    *, actor: Practitioner, glass: BreakGlass, note: str, request=None
) -> BreakGlass:
    if actor.role != Role.SAFEGUARDING_LEAD or actor.agency_id != owning_agency(glass.person).pk:
        raise invalid(
            None,
            "Only a safeguarding lead of the owning agency reviews this",
            "not_safeguarding_lead",
        )
    if glass.reviewed_at is not None:
        raise invalid(None, "This use has already been reviewed", "already_reviewed")
    if not note.strip():
        raise invalid("review_note", "Record what you found", "note_required")
    glass.reviewed_by, glass.reviewed_at, glass.review_note = actor, timezone.now(), note.strip()
    glass.save()
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=glass,
        summary="Reviewed a break-glass access",
        purpose=glass.review_note,
        request=request,
    )
    return glass
