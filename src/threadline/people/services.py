"""The only writers of people, names, references, addresses and relationships.

Web forms, the API and the demo loader all call these; each validates, saves and
writes the audit event in one transaction."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from threadline.agencies.models import Agency, Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.common.errors import invalid
from threadline.risks import households

from .models import (
    SYMMETRIC_TYPES,
    Address,
    LocalReference,
    NameKind,
    Person,
    PersonName,
    Relationship,
    RelationshipType,
    Residence,
)
from .validators import normalise_nhs_number, normalise_postcode

PERSON_FIELDS = (
    "kind",
    "given_names",
    "family_name",
    "date_of_birth",
    "expected_delivery_date",
    "sex",
    "ethnicity",
    "first_language",
    "interpreter_needed",
    "nhs_number",
)

# What identity resolution compares: a change to one is a new version of the record
# Threadline keeps of the person (linkage.services.record_entered_person).
IDENTITY_FIELDS = {"given_names", "family_name", "date_of_birth", "sex", "nhs_number"}


def _clean_nhs_number(value: str | None) -> str | None:
    return normalise_nhs_number(value) or None


def _refuse_duplicate_nhs_number(person: Person) -> None:
    # The unique constraint would say so too, but with no field and no useful code.
    if person.nhs_number and (
        Person.objects.filter(nhs_number=person.nhs_number).exclude(pk=person.pk).exists()
    ):
        raise invalid(
            "nhs_number",
            "Someone is already recorded with this NHS number; search for them",
            "duplicate_nhs_number",
        )


@transaction.atomic
def create_person(
    *,
    actor: Practitioner | None,
    request=None,
    agency: Agency | None = None,
    source_record: bool = True,
    **fields,
) -> Person:
    """Record a child (born or unborn) or an adult, with their legal name. The recording
    agency is the actor's (`agency`: identity resolution recording a person for an
    agency's record, `actor` None for its import). Threadline keeps the recording
    agency's source record of the person for identity resolution (`source_record` False:
    an agency's record is linked to them instead)."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {sorted(unknown)}")
    fields["nhs_number"] = _clean_nhs_number(fields.get("nhs_number"))
    if agency is None and actor is not None:
        agency = actor.agency
    person = Person(recorded_by_agency=agency, **fields)
    _refuse_duplicate_nhs_number(person)
    person.full_clean()
    person.save()
    PersonName.objects.create(
        person=person,
        kind=NameKind.LEGAL,
        given_names=person.given_names,
        family_name=person.family_name,
        from_date=person.date_of_birth,
    )
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=person,
        child=person.as_child,
        summary=f"Recorded {person.get_kind_display().lower()} {person.full_name}",
        request=request,
    )
    if source_record:
        _linkage().record_entered_person(actor=actor, person=person)
    return person


def _linkage():
    # Identity resolution builds on people (its services create people): imported when
    # called, not at module load.
    from threadline.linkage import services

    return services


@transaction.atomic
def update_person(*, actor: Practitioner, person: Person, request=None, **fields) -> Person:
    """Correct a person's details. A change of legal name keeps the old one as a
    previous name."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {sorted(unknown)}")
    if "nhs_number" in fields:
        fields["nhs_number"] = _clean_nhs_number(fields["nhs_number"])
    person = Person.objects.select_for_update().get(pk=person.pk)
    old_given, old_family = person.given_names, person.family_name
    changed = [name for name, value in fields.items() if getattr(person, name) != value]
    for name, value in fields.items():
        setattr(person, name, value)
    _refuse_duplicate_nhs_number(person)
    person.full_clean()
    person.save()
    if (old_given, old_family) != (person.given_names, person.family_name):
        person.names.filter(kind=NameKind.LEGAL, to_date__isnull=True).update(
            kind=NameKind.PREVIOUS
        )
        PersonName.objects.create(
            person=person,
            kind=NameKind.LEGAL,
            given_names=person.given_names,
            family_name=person.family_name,
        )
    if changed:
        record_event(
            actor=actor,
            action=AuditAction.UPDATE,
            target=person,
            child=person.as_child,
            summary="Changed " + ", ".join(sorted(changed)),
            request=request,
        )
    if set(changed) & IDENTITY_FIELDS:
        _linkage().record_entered_person(actor=actor, person=person)
    return person


@transaction.atomic
def add_name(
    *,
    actor: Practitioner,
    person: Person,
    given_names: str,
    family_name: str,
    kind: str = NameKind.ALIAS,
    from_date: date | None = None,
    to_date: date | None = None,
    request=None,
) -> PersonName:
    """Record an alias, a known-as name or a name used before."""
    if kind == NameKind.LEGAL:
        raise invalid("kind", "Change the legal name by editing the person", "use_update_person")
    name = PersonName(
        person=person,
        kind=kind,
        given_names=given_names,
        family_name=family_name,
        from_date=from_date,
        to_date=to_date,
    )
    name.full_clean()
    name.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=name,
        child=person.as_child,
        summary=f"Added {name.get_kind_display().lower()} {name}",
        request=request,
    )
    return name


@transaction.atomic
def add_local_reference(
    *, actor: Practitioner, person: Person, agency: Agency, reference: str, request=None
) -> LocalReference:
    if LocalReference.objects.filter(agency=agency, reference=reference).exists():
        raise invalid(
            "reference", f"{agency.name} already uses reference {reference}", "duplicate_reference"
        )
    local = LocalReference(person=person, agency=agency, reference=reference.strip())
    local.full_clean()
    local.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=local,
        child=person.as_child,
        summary=f"Added {agency.code} reference",
        request=request,
    )
    return local


def find_or_create_address(
    *, line_1: str, postcode: str, town: str, line_2: str = "", uprn: str = ""
) -> Address:
    """The Address row for this place, creating it the first time it is seen."""
    postcode = normalise_postcode(postcode)
    existing = Address.objects.filter(match_key=Address.key_for(line_1, postcode)).first()
    if existing:
        return existing
    address = Address(
        line_1=line_1.strip(),
        line_2=line_2.strip(),
        town=town.strip(),
        postcode=postcode,
        uprn=uprn.strip(),
    )
    address.full_clean(exclude=["match_key"])
    address.save()
    return address


@transaction.atomic
def record_move(
    *,
    actor: Practitioner,
    person: Person,
    address: Address,
    from_date: date,
    to_date: date | None = None,
    request=None,
) -> Residence:
    """Record that a person lived (or lives) at an address. A current move ends the
    previous current address the day before the person moved."""
    residence = Residence(
        person=person, address=address, from_date=from_date, to_date=to_date, recorded_by=actor
    )
    residence.full_clean(exclude=["person"])
    overlapping = person.residences.filter(Q(to_date__isnull=True) | Q(to_date__gte=from_date))
    if to_date is not None:
        overlapping = overlapping.filter(from_date__lte=to_date)
    current = None
    for other in overlapping.select_for_update():
        if other.to_date is None and to_date is None and other.from_date < from_date:
            current = other  # the move ends it
        else:
            raise invalid(
                "from_date",
                f"{person.full_name} already lived at {other.address} on these dates",
                "overlapping_address",
            )
    if current is not None:
        current.to_date = from_date - timedelta(days=1)
        current.save(update_fields=["to_date", "updated_at"])
    residence.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=residence,
        child=person.as_child,
        summary=f"Recorded address {address.postcode} from {from_date:%d %b %Y}",
        request=request,
    )
    if to_date is None:
        _look_at_new_household(actor, person, address, from_date)
    return residence


def _look_at_new_household(actor: Practitioner, person: Person, address: Address, on: date):
    """A move to a current address: Threadline looks at the household of every child it
    touches (the person, if a child, and the children already living there)."""
    children = [person] if person.is_child else []
    children += households.children_living_at(address, on, excluding=person)
    for child in children:
        households.evaluate_household_change(
            actor=actor, child=child, joined=person, moved_on=on, address=address
        )


@transaction.atomic
def move_to_address(
    *,
    actor: Practitioner,
    person: Person,
    line_1: str,
    town: str,
    postcode: str,
    from_date: date,
    line_2: str = "",
    uprn: str = "",
    to_date: date | None = None,
    request=None,
) -> Residence:
    """Record a stay at an address given as text: the address is found or created and
    the stay recorded together, or neither is."""
    address = find_or_create_address(
        line_1=line_1, line_2=line_2, town=town, postcode=postcode, uprn=uprn
    )
    return record_move(
        actor=actor,
        person=person,
        address=address,
        from_date=from_date,
        to_date=to_date,
        request=request,
    )


@transaction.atomic
def add_relationship(
    *,
    actor: Practitioner,
    person_a: Person,
    person_b: Person,
    type: str,
    from_date: date | None = None,
    to_date: date | None = None,
    notes: str = "",
    request=None,
) -> Relationship:
    """Record that `person_a` is the `type` of `person_b` (e.g. the mother of)."""
    if person_a.pk == person_b.pk:
        raise invalid(
            "person_b",
            "A person cannot have a relationship with themselves",
            "relationship_to_self",
        )
    same = Q(person_a=person_a, person_b=person_b)
    if type in SYMMETRIC_TYPES:
        same |= Q(person_a=person_b, person_b=person_a)
    if Relationship.objects.filter(same, type=type, to_date__isnull=True).exists():
        raise invalid("type", "This relationship is already recorded", "duplicate_relationship")
    relationship = Relationship(
        person_a=person_a,
        person_b=person_b,
        type=type,
        from_date=from_date,
        to_date=to_date,
        notes=notes,
        recorded_by=actor,
    )
    relationship.full_clean()
    relationship.save()
    child = person_b.as_child or person_a.as_child
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=relationship,
        child=child,
        summary=str(relationship),
        request=request,
    )
    if child is not None and type == RelationshipType.HOUSEHOLD_MEMBER and to_date is None:
        households.evaluate_household_change(
            actor=actor,
            child=child,
            joined=relationship.other(child),
            moved_on=from_date or timezone.localdate(),
        )
    return relationship


def _end(actor: Practitioner, row, to_date: date, what: str, child, request) -> None:
    """End a dated row (a stay, a relationship) without deleting it: history is kept."""
    if row.to_date is not None:
        raise invalid("to_date", f"This {what} has already ended", "already_ended")
    if row.from_date is not None and to_date < row.from_date:
        raise invalid("to_date", f"The {what} cannot end before it started", "end_before_start")
    row.to_date = to_date
    row.save(update_fields=["to_date", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=row,
        child=child,
        summary=f"Ended {what} on {to_date:%d %b %Y}",
        request=request,
    )


@transaction.atomic
def end_residence(
    *, actor: Practitioner, residence: Residence, to_date: date, request=None
) -> Residence:
    """Record that a person left an address (when where they went is not known)."""
    _end(actor, residence, to_date, "stay at this address", residence.person.as_child, request)
    return residence


@transaction.atomic
def end_relationship(
    *, actor: Practitioner, relationship: Relationship, to_date: date, request=None
) -> Relationship:
    child = relationship.person_b.as_child or relationship.person_a.as_child
    _end(actor, relationship, to_date, "relationship", child, request)
    return relationship
