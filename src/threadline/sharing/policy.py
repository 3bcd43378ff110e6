"""The access policy: the one place that decides who may see and change case data.

Every view, API endpoint, search and export starts from `people_visible_to` /
`cases_visible_to` (the queryset filter) or `get_person_for` / `get_case_for` (the
object check). A record the actor may not see does not exist for them: 404, never 403.

Need-to-know, as built so far (docs/security.md):
- a practitioner sees a child when their agency, or they themselves, are in the network
  of the child's open case (an involvement in force today), or they are the case's lead
  professional or allocated social worker;
- a front-door officer sees every child whose case their local authority holds, and
  every person recorded by an agency of their area;
- everyone sees the people their own agency recorded;
- adults (and other children) are seen through a relationship to a child the actor sees;
- an administrator without an agency sees no case data.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from threadline.agencies.models import AgencyType, Practitioner, Role
from threadline.cases.models import Allocation, Case, Involvement
from threadline.people.models import Person, Relationship


def _network_case_filter(actor: Practitioner) -> Q:
    today = timezone.localdate()
    in_network = Involvement.objects.as_of(today).filter(
        Q(agency_id=actor.agency_id) | Q(practitioner=actor)
    )
    allocated = Allocation.objects.as_of(today).filter(social_worker=actor)
    reach = (
        Q(pk__in=in_network.values("case_id"))
        | Q(pk__in=allocated.values("case_id"))
        | Q(lead_professional=actor)
    )
    if actor.role == Role.FRONT_DOOR_OFFICER:
        reach |= Q(local_authority_id=actor.agency_id)
    return Q(closed_on__isnull=True) & reach


def cases_visible_to(actor: Practitioner) -> QuerySet[Case]:
    if not actor.is_authenticated or actor.agency_id is None:
        return Case.objects.none()
    return Case.objects.filter(_network_case_filter(actor))


def people_visible_to(actor: Practitioner) -> QuerySet[Person]:
    if not actor.is_authenticated or actor.agency_id is None:
        return Person.objects.none()
    children = cases_visible_to(actor).values("child_id")
    related = Relationship.objects.filter(Q(person_a__in=children) | Q(person_b__in=children))
    reach = (
        Q(pk__in=children)
        | Q(pk__in=related.values("person_a_id"))
        | Q(pk__in=related.values("person_b_id"))
        | Q(recorded_by_agency_id=actor.agency_id)
    )
    if actor.role == Role.FRONT_DOOR_OFFICER:
        reach |= Q(recorded_by_agency__area=actor.agency.area)
    return Person.objects.filter(reach)


def can_see_person(actor: Practitioner, person: Person) -> bool:
    return people_visible_to(actor).filter(pk=person.pk).exists()


def get_person_for(actor: Practitioner, person_id) -> Person:
    """The person, or 404 if the actor may not see them (or they do not exist)."""
    try:
        return people_visible_to(actor).get(pk=person_id)
    except (Person.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such person") from exc


def get_case_for(actor: Practitioner, case_id) -> Case:
    try:
        return cases_visible_to(actor).select_related("child").get(pk=case_id)
    except (Case.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such case") from exc


def can_manage_case(actor: Practitioner, case: Case) -> bool:
    """Allocation, lead professional and the network are managed by the holding local
    authority's staff (seeing a case is not enough to change who works on it)."""
    return actor.agency_id == case.local_authority_id


def can_edit_person(actor: Practitioner, person: Person) -> bool:
    """Identity details are corrected by the agency that recorded the person or the local
    authority holding their open case; every agency in reach may add what it knows
    (addresses, relationships, names) but not rewrite another agency's record."""
    if actor.agency_id is None:
        return False
    if person.recorded_by_agency_id == actor.agency_id:
        return True
    return Case.objects.filter(
        child=person, closed_on__isnull=True, local_authority_id=actor.agency_id
    ).exists()


def can_record_person(actor: Practitioner) -> bool:
    """Any agency's practitioner may record a person (their agency then sees them); an
    administrator without an agency never records case data."""
    return actor.is_authenticated and actor.agency_id is not None


def can_open_case(actor: Practitioner) -> bool:
    """Cases are opened, and then held, by a local authority's children's social care."""
    return (
        actor.is_authenticated and actor.agency is not None
        and actor.agency.agency_type == AgencyType.CHILDRENS_SOCIAL_CARE
    )
