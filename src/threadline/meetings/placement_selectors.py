"""Reads of placement agreements through the access policy: an agreement is read by
every agency that may see the child (like the child's legal status)."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from threadline.agencies.models import Practitioner
from threadline.people.models import Person
from threadline.sharing import policy
from threadline.timescales.models import Task, TaskStatus

from .models import PlacementAgreement

_SHOWN_WITH = ("child", "facility_agency", "local_authority", "recorded_by")
REVIEW_RULE = "placement-review"


def get_placement_for(actor: Practitioner, placement_id) -> PlacementAgreement:
    """The agreement, or 404 if the actor may not see its child (or it does not exist)."""
    try:
        agreement = PlacementAgreement.objects.select_related(*_SHOWN_WITH).get(pk=placement_id)
    except (PlacementAgreement.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such placement agreement") from exc
    if (
        not actor.is_authenticated
        or actor.agency_id is None
        or not policy.visible_among(actor, {agreement.child_id})
    ):
        raise Http404("No such placement agreement")
    return agreement


def placements_for_child(*, actor: Practitioner, child: Person) -> QuerySet[PlacementAgreement]:
    """The child's placement agreements, if the actor may see the child; newest first.
    One query."""
    if not actor.is_authenticated or actor.agency_id is None:
        return PlacementAgreement.objects.none()
    agreements = PlacementAgreement.objects.filter(child=child)
    if not policy.checked_for(actor, child):
        agreements = agreements.filter(policy.sees_person(actor, "child_id"))
    return agreements.select_related("facility_agency").order_by("-starts_on")


def reviews_due(*, actor: Practitioner, agreement: PlacementAgreement) -> QuerySet[Task]:
    """The open review tasks the statutory clock set for this placement, soonest first."""
    return (
        policy.tasks_visible_to(actor)
        .filter(
            child_id=agreement.child_id,
            rule_id=REVIEW_RULE,
            status=TaskStatus.OPEN,
            trigger__details__placement_id=str(agreement.pk),
        )
        .select_related("owner", "owner_agency")
        .order_by("due_at")
    )
