"""Reads of meetings through the access policy, and the meeting pack."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.cases.models import Involvement
from threadline.cases.selectors import open_case_for
from threadline.chronology.selectors import ChildChronology, child_summary
from threadline.orders.selectors import LegalStatus, legal_status
from threadline.people.models import Person
from threadline.risks.selectors import TouchingRisks, active_risks_for_child
from threadline.sharing import policy

from .models import Invitation, Meeting


def get_meeting_for(actor: Practitioner, meeting_id) -> Meeting:
    """The meeting, or 404 if the actor may not see it."""
    try:
        return (
            policy.meetings_visible_to(actor)
            .select_related("chair", "local_authority", "arranged_by")
            .get(pk=meeting_id)
        )
    except (Meeting.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such meeting") from exc


def get_meeting_record(*, actor: Practitioner, meeting_id, request=None) -> Meeting:
    meeting = get_meeting_for(actor, meeting_id)
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=meeting,
        child=meeting.children.first(),
        summary=f"Viewed the {meeting}",
        request=request,
    )
    return meeting


def meetings_for_child(*, actor: Practitioner, child: Person):
    """The child's meetings the actor may see, newest first."""
    return policy.meetings_about(actor, child).order_by("-starts_at")


def missing_reports(meeting: Meeting) -> list[Invitation]:
    """Invited agencies asked for a report that has not arrived."""
    sent = set(meeting.reports.values_list("agency_id", flat=True))
    return [
        i
        for i in meeting.invitations.select_related("agency")
        if i.report_required and i.agency_id not in sent
    ]


@dataclass
class ChildPack:
    child: Person
    legal_status: LegalStatus
    risks: TouchingRisks
    network: list[Involvement]
    chronology: ChildChronology


def meeting_pack(*, actor: Practitioner, meeting: Meeting) -> list[ChildPack]:
    """What the meeting reads about each child, as far as the actor may: the legal
    status, every active risk touching the child (and whether some are withheld), the
    network today and the recent significant chronology."""
    pack = []
    for child in meeting.children.all():
        if not policy.visible_among(actor, {child.pk}):
            continue  # invited, but not (or no longer) in reach of this child
        case = open_case_for(actor=actor, child=child)
        pack.append(
            ChildPack(
                child,
                legal_status(actor=actor, child=child),
                active_risks_for_child(child, actor=actor),
                list(case.involvements.all()) if case else [],
                child_summary(actor=actor, child=child),
            )
        )
    return pack
