"""What-if, for measurement only: the access policy's two queryset filters with the same
rules as src/threadline/sharing/policy.py (as of commit dd3191e), written as correlated
EXISTS subqueries instead of unions of `pk IN (subquery)`.

Why: PostgreSQL cannot turn `pk IN (…)` inside an OR into a join, so it evaluates each
subquery in full (a "hashed SubPlan") before looking at a single row. The cost of the
current filters is therefore the size of everything the viewer can reach (for a
social worker: every open case of their local authority and every relationship of those
children), paid again each time a selector nests the filter. As EXISTS, each candidate
row is checked with a few index probes, so filtering the handful of rows a page shows
costs a handful of probes.

child_page.py --whatif measures this as variant (c) and checks, child by child, that the
page's content (relatives, co-residents, network, withheld count) is identical to (a).
This module is not used by the product; if the rules in policy.py change, (c) stops
being equivalent and the check says so.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone


def _case_reach(actor) -> Q:
    """On Case rows: open, and the actor reaches it (network, allocation, lead
    professional, front door of the holding authority, break-glass on the child)."""
    from threadline.agencies.models import Role
    from threadline.cases.models import Allocation, Involvement
    from threadline.sharing.models import BreakGlass

    today = timezone.localdate()
    in_network = (
        Involvement.objects.as_of(today)
        .filter(case_id=OuterRef("pk"))
        .filter(Q(agency_id=actor.agency_id) | Q(practitioner=actor))
    )
    allocated = Allocation.objects.as_of(today).filter(case_id=OuterRef("pk"), social_worker=actor)
    reach = Exists(in_network) | Exists(allocated) | Q(lead_professional=actor)
    if actor.role == Role.FRONT_DOOR_OFFICER:
        reach |= Q(local_authority_id=actor.agency_id)
    reach |= Exists(
        BreakGlass.objects.filter(
            actor=actor, expires_at__gt=timezone.now(), person_id=OuterRef("child_id")
        )
    )
    return Q(closed_on__isnull=True) & reach


def _child_reach(actor, person_ref) -> Q:
    """The person `person_ref` points at is a child the actor reaches."""
    from threadline.cases.models import Case
    from threadline.sharing.models import AccessRequest, AccessRequestStatus, BreakGlass

    return (
        Exists(Case.objects.filter(child_id=person_ref).filter(_case_reach(actor)))
        | Exists(
            AccessRequest.objects.filter(
                requester=actor,
                status=AccessRequestStatus.APPROVED,
                expires_on__gte=timezone.localdate(),
                child_id=person_ref,
            )
        )
        | Exists(
            BreakGlass.objects.filter(
                actor=actor, expires_at__gt=timezone.now(), person_id=person_ref
            )
        )
    )


def cases_visible_to(actor):
    from threadline.cases.models import Case

    if not actor.is_authenticated or actor.agency_id is None:
        return Case.objects.none()
    return Case.objects.filter(_case_reach(actor))


def people_visible_to(actor):
    from threadline.agencies.models import Role
    from threadline.people.models import Person, Relationship

    if not actor.is_authenticated or actor.agency_id is None:
        return Person.objects.none()
    reach = (
        _child_reach(actor, OuterRef("pk"))
        | Exists(
            Relationship.objects.filter(person_a_id=OuterRef("pk")).filter(
                _child_reach(actor, OuterRef("person_b_id"))
            )
        )
        | Exists(
            Relationship.objects.filter(person_b_id=OuterRef("pk")).filter(
                _child_reach(actor, OuterRef("person_a_id"))
            )
        )
        | Q(recorded_by_agency_id=actor.agency_id)
    )
    if actor.role == Role.FRONT_DOOR_OFFICER:
        reach |= Q(recorded_by_agency__area=actor.agency.area)
    return Person.objects.filter(reach)


def replacements() -> dict:
    """policy function → its EXISTS version, for child_page.patch_sites."""
    from threadline.sharing import policy

    return {
        policy.people_visible_to: people_visible_to,
        policy.cases_visible_to: cases_visible_to,
    }
