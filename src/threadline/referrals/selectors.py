"""Reads of referrals through the access policy, and the two lookups the referral
services route by: the front door for a child, and the agencies around a child."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from threadline.agencies.models import Agency, AgencyType, Practitioner, Role
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.cases.models import Case, Involvement
from threadline.people.models import Person, PersonKind, Relationship, RelationshipType, Residence
from threadline.people.phonetic import fold
from threadline.sharing.policy import referrals_visible_to

from .models import AdultChildLink, Referral, ReferralStatus

_SHOWN_WITH = (
    "child",
    "referrer",
    "referrer_agency",
    "local_authority",
    "decided_by",
    "case",
)


def get_referral_for(actor: Practitioner, referral_id) -> Referral:
    """The referral, or 404 if the actor may not see it (or it does not exist)."""
    try:
        return referrals_visible_to(actor).select_related(*_SHOWN_WITH).get(pk=referral_id)
    except (Referral.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such referral") from exc


def get_referral_record(*, actor: Practitioner, referral_id, request=None) -> Referral:
    """The referral through the object check, with the view audited."""
    referral = get_referral_for(actor, referral_id)
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=referral,
        child=referral.child,
        summary=f"Viewed the referral of {referral.child.full_name}",
        request=request,
    )
    return referral


def list_referrals(
    *, actor: Practitioner, status: str = "", child=None, request=None
) -> QuerySet[Referral]:
    """The referrals the actor may see, newest first; listing is audited like a search."""
    referrals = referrals_visible_to(actor).select_related(*_SHOWN_WITH)
    if status:
        referrals = referrals.filter(status=status)
    if child is not None:
        referrals = referrals.filter(child_id=child)
    record_event(
        actor=actor,
        action=AuditAction.SEARCH,
        summary=f"Listed referrals{f': {status}' if status else ''}",
        request=request,
    )
    return referrals.order_by("-received_at", "id")


def referrals_made(*, actor: Practitioner, request=None) -> QuerySet[Referral]:
    """The actor's own referrals and, for a safeguarding lead, their agency's."""
    mine = Q(referrer=actor)
    if actor.role == Role.SAFEGUARDING_LEAD:
        mine |= Q(referrer_agency_id=actor.agency_id)
    record_event(
        actor=actor, action=AuditAction.SEARCH, summary="Listed referrals made", request=request
    )
    return (
        referrals_visible_to(actor)
        .filter(mine)
        .select_related(*_SHOWN_WITH)
        .order_by("-received_at", "id")
    )


def front_door_queue(*, actor: Practitioner, request=None) -> QuerySet[Referral]:
    """Referrals to the actor's local authority awaiting a decision, the soonest due
    first. Listing is audited like a search."""
    record_event(
        actor=actor,
        action=AuditAction.SEARCH,
        summary="Listed referrals awaiting decision",
        request=request,
    )
    return (
        referrals_visible_to(actor)
        .filter(local_authority_id=actor.agency_id, status=ReferralStatus.AWAITING_DECISION)
        .select_related(*_SHOWN_WITH)
        .order_by("decision_due_at", "received_at")
    )


def recently_decided(*, actor: Practitioner, limit: int = 20) -> QuerySet[Referral]:
    return (
        referrals_visible_to(actor)
        .filter(local_authority_id=actor.agency_id, status=ReferralStatus.DECIDED)
        .select_related(*_SHOWN_WITH)
        .order_by("-decided_at")[:limit]
    )


def open_case_of(child: Person) -> Case | None:
    """The child's open case, whoever holds it (for routing, not for display)."""
    return (
        Case.objects.filter(child=child, closed_on__isnull=True)
        .select_related("local_authority")
        .first()
    )


def front_door_for(*, child: Person | None, referrer_agency: Agency) -> Agency | None:
    """The children's social care that decides a referral: the one holding the child's
    open case, else the one serving the referrer's area."""
    case = open_case_of(child) if child is not None and child.pk else None
    if case is not None:
        return case.local_authority
    return (
        Agency.objects.filter(
            agency_type=AgencyType.CHILDRENS_SOCIAL_CARE, area=referrer_agency.area
        )
        .order_by("name")
        .first()
    )


# A is the <type> of B: the adults who bring a child up. Their other children are the
# child's brothers and sisters, whether or not that is recorded.
PARENT_TYPES = (
    RelationshipType.MOTHER,
    RelationshipType.FATHER,
    RelationshipType.STEP_PARENT,
    RelationshipType.CARER,
)


@dataclass
class Network:
    """The agencies to tell about a child: those involved with the child, and those
    involved only with someone in the child's family."""

    with_child: list[Agency]
    with_family: list[Agency]

    @property
    def everyone(self) -> list[Agency]:
        return self.with_child + self.with_family


def family_of(child: Person) -> set:
    """The ids of the child's family, one rule: everyone with a current relationship to
    the child; everyone with a current relationship to the child's parents and carers
    (so brothers and sisters through a parent, recorded as such or not); and everyone
    living today where the child lives (an unborn child: where their mother lives).
    Three queries however large the family."""
    current = Relationship.objects.filter(
        Q(to_date__isnull=True) | Q(to_date__gte=timezone.localdate())
    )
    rows = list(
        current.filter(Q(person_a=child) | Q(person_b=child)).values_list(
            "person_a_id", "person_b_id", "type"
        )
    )
    family = {a if b == child.pk else b for a, b, _ in rows}
    parents = {a for a, b, kind in rows if b == child.pk and kind in PARENT_TYPES}
    mothers = {a for a, b, kind in rows if b == child.pk and kind == RelationshipType.MOTHER}
    homes_of = {child.pk} | (mothers if child.kind == PersonKind.UNBORN else set())
    homes = Residence.objects.current().filter(person_id__in=homes_of).values("address_id")
    household = Residence.objects.current().filter(address_id__in=homes).values("person_id")
    around_parents = (
        current.filter(Q(person_a_id__in=parents) | Q(person_b_id__in=parents)).values_list(
            "person_a_id", "person_b_id"
        )
        if parents
        else []
    )
    for a, b in around_parents:
        family |= {a, b}
    family |= set(household.values_list("person_id", flat=True))
    family.discard(child.pk)
    return family


def network_of(child: Person, *, exclude: set) -> Network:
    """Agencies with an involvement in force today on the open case of the child, or of
    anyone in their family (`family_of`), less the agencies in `exclude`. One query for
    the agencies, however many there are."""
    family = family_of(child)
    involved = Involvement.objects.current().filter(
        agency=OuterRef("pk"), case__closed_on__isnull=True
    )
    agencies = (
        Agency.objects.annotate(
            with_child=Exists(involved.filter(case__child=child)),
            with_family=Exists(involved.filter(case__child_id__in=family)),
        )
        .filter(Q(with_child=True) | Q(with_family=True))
        .exclude(pk__in=exclude)
        .order_by("name")
    )
    rows = list(agencies)
    return Network(
        with_child=[a for a in rows if a.with_child],
        with_family=[a for a in rows if not a.with_child],
    )


def known_child(*, name: str, date_of_birth) -> Person | None:
    """The one child exactly matching a full name and date of birth, whoever recorded
    them: used only to tell an open case's network that an adult-services practitioner
    knows this child's parent, never shown. No fuzzy matching; several matches give none."""
    words = name.split()
    if len(words) < 2 or date_of_birth is None:
        return None
    matches = Person.objects.filter(
        kind=PersonKind.CHILD,
        date_of_birth=date_of_birth,
        names__given_folded=fold(" ".join(words[:-1])),
        names__family_folded=fold(words[-1]),
    ).distinct()
    found = list(matches[:2])
    return found[0] if len(found) == 1 else None


def adult_links(*, actor: Practitioner, adult: Person) -> QuerySet[AdultChildLink]:
    """What the actor's agency has recorded about the adult's children (its own
    records: others' links are theirs)."""
    return (
        AdultChildLink.objects.filter(adult=adult, recorded_by_agency_id=actor.agency_id)
        .select_related("child", "referral", "recorded_by")
        .order_by("-created_at")
    )


def adult_link_for(*, actor: Practitioner, link_id) -> AdultChildLink | None:
    """One of the actor's agency's links still waiting for a referral, or None."""
    try:
        return (
            AdultChildLink.objects.select_related("adult", "child")
            .filter(recorded_by_agency_id=actor.agency_id, referral__isnull=True)
            .get(pk=link_id)
        )
    except (AdultChildLink.DoesNotExist, ValidationError, ValueError, TypeError):
        return None
