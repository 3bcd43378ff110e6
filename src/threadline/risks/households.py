"""Household-change alerts. When a child moves, someone moves in where a child lives,
or a household member is recorded for a child, Threadline looks at everyone in the
child's household as of the move: their active risks (`active_risks_for_child`, the one
rule) and the adult-facing agencies that know them. If it finds anything, the child's
lead professional and every agency in the child's network get an alert to acknowledge.
Each move is looked at once (`HouseholdCheck.key`), so repeating it sends nothing new.
docs/risks.md has the rules."""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from threadline.agencies.models import Agency, AgencyType, Practitioner
from threadline.cases.models import Case, Involvement
from threadline.chronology.models import SUMMARY_MAX_LENGTH, EntryCategory, Significance
from threadline.chronology.services import record_observed_entry
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice
from threadline.people.models import Address, LocalReference, Person
from threadline.referrals.selectors import front_door_for, network_of

from .models import HouseholdCheck
from .selectors import Connection, TouchingRisk, active_risks_for_child

# Agencies whose knowing someone in a child's household is itself worth an alert.
ALERTING_AGENCY_TYPES = (
    AgencyType.ADULT_SUBSTANCE_MISUSE,
    AgencyType.PROBATION,
    AgencyType.MENTAL_HEALTH,
    AgencyType.POLICE,
)


@dataclass
class Finding:
    """One person in the household and what is known about them."""

    connection: Connection
    risks: list[TouchingRisk]
    agencies: list[Agency]


def agencies_knowing(person_ids: set) -> dict:
    """The alerting agencies that know each person, by person id: those holding their
    own reference for them, and those in the network of the person's own open case (a
    parent who is still a child). Two queries."""
    known: dict = {}
    references = LocalReference.objects.filter(
        person_id__in=person_ids, agency__agency_type__in=ALERTING_AGENCY_TYPES
    ).select_related("agency")
    for ref in references:
        known.setdefault(ref.person_id, {})[ref.agency_id] = ref.agency
    involvements = (
        Involvement.objects.current()
        .filter(
            case__child_id__in=person_ids,
            case__closed_on__isnull=True,
            agency__agency_type__in=ALERTING_AGENCY_TYPES,
        )
        .select_related("agency", "case")
    )
    for inv in involvements:
        known.setdefault(inv.case.child_id, {})[inv.agency_id] = inv.agency
    return {pk: sorted(agencies.values(), key=lambda a: a.name) for pk, agencies in known.items()}


def _findings(child: Person, joined: Person, moved_on: date) -> list[Finding]:
    touching = active_risks_for_child(child, as_of=moved_on)
    household = {
        pk: c
        for pk, c in touching.connections.items()
        if not c.is_child and (c.in_household or pk == joined.pk)
    }
    knowing = agencies_knowing(set(household))
    findings = [
        Finding(
            connection,
            [t for t in touching if t.risk.subject_id == pk],
            knowing.get(pk, []),
        )
        for pk, connection in household.items()
    ]
    return sorted(findings, key=lambda f: f.connection.person.full_name)


def _describe(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        known = []
        if f.risks:
            known.append(f"{len(f.risks)} active risk{'s' if len(f.risks) != 1 else ''}")
        if f.agencies:
            known.append("known to " + ", ".join(a.name for a in f.agencies))
        lines.append(
            f"- {f.connection.person.full_name} ({f.connection.path})"
            + (": " + "; ".join(known) if known else "")
        )
    return "\n".join(lines)


def _recipients(child: Person, actor: Practitioner) -> tuple[list[Agency], list[Practitioner]]:
    """The child's lead professional and every agency in the network of the child's open
    case; with no open case, the front door of the child's area."""
    case = Case.objects.filter(child=child, closed_on__isnull=True).first()
    lead = [case.lead_professional] if case and case.lead_professional else []
    agencies = network_of(child, exclude=set()).with_child
    if not agencies:
        front_door = front_door_for(child=child, referrer_agency=actor.agency)
        agencies = [front_door] if front_door else []
    return agencies, lead


@transaction.atomic
def evaluate_household_change(
    *,
    actor: Practitioner,
    child: Person,
    joined: Person,
    moved_on: date,
    address: Address | None = None,
) -> HouseholdCheck | None:
    """Look at the child's household as of `moved_on` after `joined` (the child, or
    someone else) moved in or was recorded as a household member. Records the check and
    a chronology entry of the change; alerts the network if it finds active risks or an
    adult-facing agency that knows someone there. None if this move was already looked
    at. Called by the people services that record moves and relationships."""
    key = f"{child.pk}:{joined.pk}:{address.pk if address else '-'}:{moved_on.isoformat()}"
    if HouseholdCheck.objects.filter(key=key).exists():
        return None
    findings = _findings(child, joined, moved_on)
    risks = sum(len(f.risks) for f in findings)
    agencies = len({a.pk for f in findings for a in f.agencies})
    try:
        with transaction.atomic():
            check = HouseholdCheck.objects.create(
                key=key,
                child=child,
                joined=joined,
                address=address,
                moved_on=moved_on,
                risks_found=risks,
                agencies_found=agencies,
                checked_by=actor,
            )
    except IntegrityError:
        return None  # the same move, looked at by a concurrent request
    if joined.pk == child.pk:
        summary = f"{child.full_name} moved to {address}" if address else "Household change"
    else:
        summary = f"{joined.full_name} joined {child.full_name}'s household"
    household = _describe(findings) or "Nobody else is recorded in the household."
    found = bool(risks or agencies)
    record_observed_entry(
        actor=actor,
        child=child,
        event_at=min(moved_on, timezone.localdate()),
        entry_type=EntryCategory.HOUSEHOLD_CHANGE,
        summary=summary[:SUMMARY_MAX_LENGTH],
        detail=f"In the household from {moved_on:%-d %B %Y}:\n{household}",
        significance=Significance.SIGNIFICANT if found else Significance.ROUTINE,
    )
    if found:
        to_agencies, to_people = _recipients(child, actor)
        if to_agencies or to_people:
            check.notice = send_notice(
                notice_type=NoticeType.ALERT,
                title=f"Household change: known risks around {child.full_name}",
                body=(
                    f"{summary} on {moved_on:%-d %B %Y}. What Threadline knows about the "
                    f"people in the household:\n{household}\n\nOpen the child's record to "
                    "read the risks your agency may see, and acknowledge this alert."
                ),
                child=child,
                sender=actor,
                link=child.get_absolute_url(),
                agencies=to_agencies,
                practitioners=to_people,
            )
            check.save(update_fields=["notice", "updated_at"])
    return check


def children_living_at(address: Address, on: date, *, excluding: Person) -> list[Person]:
    """The children (born or unborn) living at an address on a day."""
    return list(
        Person.objects.filter(
            Q(residences__address=address)
            & Q(residences__from_date__lte=on)
            & (Q(residences__to_date__isnull=True) | Q(residences__to_date__gte=on)),
            kind__in=("child", "unborn"),
        )
        .exclude(pk=excluding.pk)
        .distinct()
    )
