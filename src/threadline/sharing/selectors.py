"""Shared reads of sharing agreements, access requests and break-glass targets. Reads of
requests (which name a child) write the audit trail."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from threadline.agencies.models import Practitioner, Role
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.people.models import Person

from .models import AccessRequest, SharingAgreement


def sharing_agreements() -> QuerySet[SharingAgreement]:
    """Every agreement: who shares what with whom is public to signed-in staff (it is
    not case data)."""
    return (
        SharingAgreement.objects.select_related("provider", "recipient")
        .prefetch_related("categories")
        .order_by("provider__name", "recipient__name", "-from_date", "id")
    )


def access_requests_visible_to(actor: Practitioner) -> QuerySet[AccessRequest]:
    """The actor's own requests and, for a safeguarding lead, those addressed to their
    agency. Anyone else's request does not exist for them (404)."""
    if not actor.is_authenticated:
        return AccessRequest.objects.none()
    reach = Q(requester=actor)
    if actor.role == Role.SAFEGUARDING_LEAD and actor.agency_id is not None:
        reach |= Q(provider_id=actor.agency_id)
    return AccessRequest.objects.filter(reach)


def get_access_request_for(actor: Practitioner, request_id) -> AccessRequest:
    """The request, or 404 if the actor may not see it (or it does not exist)."""
    try:
        return (
            access_requests_visible_to(actor)
            .select_related("child", "provider", "requester__agency", "decided_by")
            .get(pk=request_id)
        )
    except (AccessRequest.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such access request") from exc


def get_access_request_record(*, actor: Practitioner, request_id, request=None) -> AccessRequest:
    """The request through the object check, with the view audited (it names a child)."""
    access = get_access_request_for(actor, request_id)
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=access,
        child=access.child,
        summary=f"Viewed an access request about {access.child.full_name}",
        request=request,
    )
    return access


def list_access_requests(
    *, actor: Practitioner, status: str = "", request=None
) -> QuerySet[AccessRequest]:
    """The requests the actor may see, newest first; listing is audited like a search."""
    requests = access_requests_visible_to(actor).select_related(
        "child", "provider", "requester__agency", "decided_by"
    )
    if status:
        requests = requests.filter(status=status)
    record_event(
        actor=actor,
        action=AuditAction.SEARCH,
        summary=f"Listed access requests{f': {status}' if status else ''}",
        request=request,
    )
    return requests.order_by("-created_at", "id")


def person_for_break_glass(person_id) -> Person:
    """The person named by id, outside need-to-know: only for break-glass, whose service
    writes the audit trail and alerts the owning agency. 404 if there is no such person."""
    try:
        return Person.objects.get(pk=person_id)
    except (Person.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such person") from exc
