"""The only writers of cases, the network and allocations."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from threadline.agencies.models import Agency, AgencyType, Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.common.errors import invalid
from threadline.people.models import Person
from threadline.sharing.models import AGENCY_CATEGORY, Confidentiality
from threadline.timescales.models import EventKind
from threadline.timescales.services import note_event

from .models import Allocation, Case, Involvement


def _next_reference(opened_on: date) -> str:
    """TL-<year>-<n>: one more than the highest of the year."""
    prefix = f"TL-{opened_on:%Y}-"
    newest = (
        Case.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(newest.removeprefix(prefix)) + 1 if newest else 1
    return f"{prefix}{number:05d}"


def _save_with_reference(case: Case) -> None:
    """Save a new case under the next free reference; two cases opened at the same
    moment race for a number, and the loser takes the next one."""
    for attempt in range(5):
        case.reference = _next_reference(case.opened_on)
        try:
            with transaction.atomic():
                case.save(force_insert=True)
            return
        except IntegrityError:
            if Case.objects.filter(child=case.child, closed_on__isnull=True).exists():
                raise invalid(
                    "child", "This child already has an open case", "case_already_open"
                ) from None
            if attempt == 4:
                raise


def _require_local_authority_staff(actor: Practitioner, case: Case) -> None:
    if actor.agency_id != case.local_authority_id:
        raise invalid(
            None,
            "Only the local authority holding the case can change its allocation",
            "not_case_holder",
        )


@transaction.atomic
def open_case(
    *,
    actor: Practitioner,
    child: Person,
    opened_on: date | None = None,
    lead_agency: Agency | None = None,
    request=None,
) -> Case:
    """Open a safeguarding case for a child, held by the actor's children's social care."""
    if not child.is_child:
        raise invalid("child", "A case is opened for a child, not an adult", "not_a_child")
    if actor.agency is None or actor.agency.agency_type != AgencyType.CHILDRENS_SOCIAL_CARE:
        raise invalid(None, "Only children's social care can open a case", "not_social_care")
    opened_on = opened_on or timezone.localdate()
    if Case.objects.filter(child=child, closed_on__isnull=True).exists():
        raise invalid("child", "This child already has an open case", "case_already_open")
    case = Case(
        child=child,
        local_authority=actor.agency,
        opened_on=opened_on,
        lead_agency=lead_agency or actor.agency,
    )
    case.full_clean(exclude=["reference"])
    _save_with_reference(case)
    # The holding authority is the first agency in the network, with whoever opened it.
    Involvement.objects.create(
        case=case,
        agency=actor.agency,
        practitioner=actor,
        role="Children's social care",
        from_date=opened_on,
        category=AGENCY_CATEGORY[AgencyType.CHILDRENS_SOCIAL_CARE],
    )
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=case,
        child=child,
        summary=f"Opened case {case.reference}",
        request=request,
    )
    return case


@transaction.atomic
def add_involvement(
    *,
    actor: Practitioner,
    case: Case,
    agency: Agency,
    role: str,
    from_date: date,
    practitioner: Practitioner | None = None,
    to_date: date | None = None,
    category: str | None = None,
    confidentiality: str = Confidentiality.NORMAL,
    request=None,
) -> Involvement:
    """Add an agency (and optionally its named practitioner) to the child's network. The
    involvement is the agency's information, of its category unless said otherwise."""
    if practitioner is not None and practitioner.agency_id != agency.pk:
        raise invalid(
            "practitioner",
            f"{practitioner} does not work for {agency}",
            "practitioner_not_in_agency",
        )
    involvement = Involvement(
        case=case,
        agency=agency,
        practitioner=practitioner,
        role=role,
        from_date=from_date,
        to_date=to_date,
        category=category or AGENCY_CATEGORY[AgencyType(agency.agency_type)],
        confidentiality=confidentiality,
    )
    involvement.full_clean()
    involvement.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=involvement,
        child=case.child,
        summary=f"Added {agency.name} ({role}) to the network",
        request=request,
    )
    return involvement


@transaction.atomic
def end_involvement(
    *, actor: Practitioner, involvement: Involvement, to_date: date, request=None
) -> Involvement:
    if involvement.to_date is not None:
        raise invalid("to_date", "This involvement has already ended", "already_ended")
    if to_date < involvement.from_date:
        raise invalid("to_date", "The involvement cannot end before it started", "end_before_start")
    involvement.to_date = to_date
    involvement.full_clean()
    involvement.save(update_fields=["to_date", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=involvement,
        child=involvement.case.child,
        summary=f"Ended involvement of {involvement.agency.name}",
        request=request,
    )
    return involvement


@transaction.atomic
def allocate_social_worker(
    *,
    actor: Practitioner,
    case: Case,
    social_worker: Practitioner,
    from_date: date,
    request=None,
) -> Allocation:
    """Allocate the case to a social worker from `from_date`. The current allocation
    ends the day before; an allocation may not overlap an earlier one."""
    _require_local_authority_staff(actor, case)
    if social_worker.agency_id != case.local_authority_id or not social_worker.is_social_worker:
        raise invalid(
            "social_worker",
            "Choose a social worker from the local authority holding the case",
            "not_a_social_worker",
        )
    Case.objects.select_for_update().filter(pk=case.pk).get()  # one allocation at a time
    clash = case.allocations.filter(Q(to_date__isnull=True) | Q(to_date__gte=from_date))
    current = None
    for allocation in clash:
        if allocation.to_date is None and allocation.from_date < from_date:
            current = allocation
        else:
            raise invalid(
                "from_date",
                f"{allocation.social_worker} is allocated on that date; "
                "choose a date after their allocation began",
                "overlapping_allocation",
            )
    if current is not None:
        current.to_date = from_date - timedelta(days=1)
        current.save(update_fields=["to_date", "updated_at"])
    allocation = Allocation(
        case=case, social_worker=social_worker, from_date=from_date, allocated_by=actor
    )
    allocation.full_clean()
    allocation.save()
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=case,
        child=case.child,
        summary=f"Allocated to {social_worker} from {from_date:%d %b %Y}",
        request=request,
    )
    note_event(
        key=f"allocation:{allocation.pk}",
        child=case.child,
        kind=EventKind.SOCIAL_WORKER_ALLOCATED,
        occurred_at=from_date,
        recorded_by=actor,
    )
    return allocation


@transaction.atomic
def set_lead_professional(
    *, actor: Practitioner, case: Case, lead_professional: Practitioner, request=None
) -> Case:
    _require_local_authority_staff(actor, case)
    if lead_professional.agency is None:
        raise invalid("lead_professional", "Choose a practitioner", "not_a_practitioner")
    case.lead_professional = lead_professional
    case.lead_agency = lead_professional.agency
    case.save(update_fields=["lead_professional", "lead_agency", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=case,
        child=case.child,
        summary=f"Lead professional is now {lead_professional}",
        request=request,
    )
    return case
