"""Shared reads of people. Each starts from the access policy and writes the audit trail."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.cases.selectors import current_allocation, open_case_for, withheld_involvements
from threadline.sharing.policy import get_person_for, people_visible_to, visible_among

from .models import Person, Relationship, Residence
from .phonetic import fold, soundex
from .validators import normalise_nhs_number


def search_people(
    *,
    actor: Practitioner,
    name: str = "",
    date_of_birth: date | None = None,
    nhs_number: str = "",
    request=None,
) -> QuerySet[Person]:
    """People the actor may see whose name (any name they have used, spelt roughly
    alike), date of birth or NHS number matches. Every search is audited."""
    people = people_visible_to(actor)
    for word in name.split():
        folded, key = fold(word), soundex(word)
        if not folded:
            continue
        people = people.filter(
            Q(names__given_folded__contains=folded)
            | Q(names__family_folded__contains=folded)
            | Q(names__given_soundex=key)
            | Q(names__family_soundex=key)
        )
    if date_of_birth:
        people = people.filter(date_of_birth=date_of_birth)
    if nhs_number:
        people = people.filter(nhs_number=normalise_nhs_number(nhs_number))
    terms = ", ".join(
        t
        for t in (name, date_of_birth and f"born {date_of_birth}", nhs_number and "NHS number")
        if t
    )
    record_event(
        actor=actor, action=AuditAction.SEARCH, summary=f"Searched: {terms}"[:500], request=request
    )
    return people.distinct().order_by("family_name", "given_names")


@dataclass
class Stay:
    """One address in a person's history and who else lived there at the same time."""

    residence: Residence
    others: list[Residence] = field(default_factory=list)


def address_history(person: Person, *, actor: Practitioner) -> list[Stay]:
    """Each address with the co-residents whose stay overlapped the person's, as far as
    the viewer may see them. Three queries however long the history."""
    residences = list(person.residences.select_related("address"))
    overlapping = Q()
    for r in residences:
        span = Q(address_id=r.address_id) & (Q(to_date__isnull=True) | Q(to_date__gte=r.from_date))
        if r.to_date:
            span &= Q(from_date__lte=r.to_date)
        overlapping |= span
    others = (
        list(Residence.objects.filter(overlapping).exclude(person=person).select_related("person"))
        if residences
        else []
    )
    seen = visible_among(actor, {o.person_id for o in others})
    others = [o for o in others if o.person_id in seen]
    stays = []
    for r in residences:
        stays.append(
            Stay(
                r,
                [
                    o
                    for o in others
                    if o.address_id == r.address_id
                    and (o.to_date is None or o.to_date >= r.from_date)
                    and (r.to_date is None or o.from_date <= r.to_date)
                ],
            )
        )
    return stays


@dataclass
class Relative:
    person: Person
    label: str
    relationship: Relationship


def relationships_of(person: Person, *, actor: Practitioner) -> list[Relative]:
    """Every relationship of the person, seen from their side, to people the viewer sees."""
    rows = list(
        Relationship.objects.filter(Q(person_a=person) | Q(person_b=person))
        .select_related("person_a", "person_b")
        .order_by("from_date")
    )
    seen = visible_among(actor, {r.person_a_id for r in rows} | {r.person_b_id for r in rows})
    return [
        Relative(r.other(person), r.label_for(person), r)
        for r in rows
        if r.person_a_id in seen and r.person_b_id in seen
    ]


def get_person_record(*, actor: Practitioner, person_id, request=None) -> Person:
    """The person, through the policy, with the view audited."""
    person = get_person_for(actor, person_id)
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=person,
        child=person.as_child,
        summary=f"Viewed {person.full_name}",
        request=request,
    )
    return person


@dataclass
class PersonRecord:
    """Everything the person page shows, as far as the viewer may see it."""

    person: Person
    names: list
    references: list
    household: list[Residence]
    stays: list[Stay]
    relatives: list[Relative]
    case: object | None
    allocation: object | None
    network: list
    past_network: list
    withheld: int


def person_record(*, actor: Practitioner, person: Person) -> PersonRecord:
    """The child (or adult) page: identity, household now, address history with whom,
    relationships, the network and allocation, for a person the actor may see (the
    route that shows it writes the audit event: sharing/routes.py)."""

    today = timezone.localdate()
    stays = address_history(person, actor=actor)
    current = next(
        (s for s in stays if s.residence.to_date is None or s.residence.to_date >= today), None
    )
    household = (
        [o for o in current.others if o.to_date is None or o.to_date >= today] if current else []
    )
    case = open_case_for(actor=actor, child=person) if person.is_child else None
    involvements = list(case.involvements.all()) if case else []
    return PersonRecord(
        person=person,
        names=list(person.names.all()),
        references=list(person.references.select_related("agency")),
        household=household,
        stays=stays,
        relatives=relationships_of(person, actor=actor),
        case=case,
        allocation=current_allocation(case) if case else None,
        network=[i for i in involvements if i.to_date is None or i.to_date >= today],
        past_network=[i for i in involvements if i.to_date is not None and i.to_date < today],
        withheld=withheld_involvements(actor=actor, case=case) if case else 0,
    )


def get_residence_record(*, actor: Practitioner, residence_id, request=None) -> Residence:
    """One row of a person's address history, seen through the person; 404 if the actor
    may not see the person. The view is audited."""
    try:
        residence = Residence.objects.select_related("person", "address").get(pk=residence_id)
    except (Residence.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such address") from exc
    if not visible_among(actor, {residence.person_id}):
        raise Http404("No such address")
    person = residence.person
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=residence,
        child=person.as_child,
        summary=f"Viewed an address of {person.full_name}",
        request=request,
    )
    return residence


def get_relationship_record(*, actor: Practitioner, relationship_id, request=None) -> Relationship:
    """A relationship whose two people the actor may both see, else 404. Audited."""
    try:
        relationship = Relationship.objects.select_related("person_a", "person_b").get(
            pk=relationship_id
        )
    except (Relationship.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such relationship") from exc
    pair = {relationship.person_a_id, relationship.person_b_id}
    if visible_among(actor, pair) != pair:
        raise Http404("No such relationship")
    a, b = relationship.person_a, relationship.person_b
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=relationship,
        child=b.as_child or a.as_child,
        summary=f"Viewed relationship: {relationship}",
        request=request,
    )
    return relationship
