"""The only writers of placement agreements: making one (it starts the review schedule on
the statutory clock and is sent to the network), recording a review, and ending the
placement — an ending earlier than planned tells the network at once, with the exit
strategy, and calls a multi-agency review."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import Agency, Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.chronology.models import EntryCategory, Significance
from threadline.chronology.services import record_observed_entry
from threadline.common.errors import add_error, invalid
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice
from threadline.people.models import Person
from threadline.referrals.selectors import network_of
from threadline.sharing import policy
from threadline.timescales.models import EventKind
from threadline.timescales.services import note_event

from .models import PlacementAgreement, PlacementEndReason, PlacementRole

MAX_REVIEW_WEEKS = 26
WHO_RECORDS_PLACEMENTS = "Children's social care and legal services record placements"


def _next_review(on: dt.date, agreement: PlacementAgreement) -> dt.date:
    return on + dt.timedelta(weeks=agreement.review_every_weeks)


def _clock(agreement: PlacementAgreement, kind: str, key: str, actor, on: dt.date, **details):
    note_event(
        key=f"placement:{agreement.pk}:{key}",
        child=agreement.child,
        kind=kind,
        occurred_at=on,
        recorded_by=actor,
        placement_id=agreement.pk,
        **details,
    )


@transaction.atomic
def make_placement_agreement(
    *,
    actor: Practitioner,
    child: Person,
    facility: str,
    starts_on: dt.date | None,
    planned_end_on: dt.date | None,
    exit_strategy: str,
    roles: Sequence[dict],
    reciprocal_support: str = "",
    review_every_weeks: int = 6,
    facility_agency: Agency | None = None,
    request=None,
) -> PlacementAgreement:
    """Record the written agreement a placement of a child the actor may see starts
    with. `roles`: [{party, agency?, responsibilities}] — the facility's and each
    agency's. Problems: `not_allowed`, `unknown_person`, `facility_required`,
    `date_required`, `end_before_start`, `exit_strategy_required`, `roles_required`,
    `responsibilities_required`, `invalid_interval`."""
    if not policy.can_record_meetings(actor):
        raise invalid(None, WHO_RECORDS_PLACEMENTS, "not_allowed")
    errors: dict = {}
    if not policy.visible_among(actor, {child.pk}) or not child.is_child:
        add_error(errors, "child", "There is no child with that id", "unknown_person")
    if not facility.strip():
        add_error(errors, "facility", "Enter the facility", "facility_required")
    if starts_on is None:
        add_error(errors, "starts_on", "Enter the date the placement starts", "date_required")
    if planned_end_on is None:
        add_error(errors, "planned_end_on", "Enter the date it is planned to end", "date_required")
    elif starts_on is not None and planned_end_on < starts_on:
        add_error(
            errors, "planned_end_on", "A placement cannot end before it starts", "end_before_start"
        )
    if not exit_strategy.strip():
        add_error(
            errors,
            "exit_strategy",
            "Say what happens if the placement ends at short notice, and who does it",
            "exit_strategy_required",
        )
    if not roles:
        add_error(
            errors,
            "roles",
            "Set out the facility's and each agency's responsibilities",
            "roles_required",
        )
    for n, role in enumerate(roles, start=1):
        if (
            not (role.get("party") or "").strip()
            or not (role.get("responsibilities") or "").strip()
        ):
            add_error(
                errors,
                "roles",
                f"Role {n}: name the party and their responsibilities",
                "responsibilities_required",
            )
    if not 1 <= review_every_weeks <= MAX_REVIEW_WEEKS:
        add_error(
            errors,
            "review_every_weeks",
            f"Reviews are every 1 to {MAX_REVIEW_WEEKS} weeks",
            "invalid_interval",
        )
    if errors:
        raise ValidationError(errors)
    assert starts_on is not None
    agreement = PlacementAgreement.objects.create(
        child=child,
        facility=facility.strip(),
        facility_agency=facility_agency,
        starts_on=starts_on,
        planned_end_on=planned_end_on,
        exit_strategy=exit_strategy.strip(),
        reciprocal_support=reciprocal_support.strip(),
        review_every_weeks=review_every_weeks,
        local_authority=actor.agency,
        recorded_by=actor,
    )
    PlacementRole.objects.bulk_create(
        PlacementRole(
            agreement=agreement,
            party=r["party"].strip(),
            agency=r.get("agency"),
            responsibilities=r["responsibilities"].strip(),
        )
        for r in roles
    )
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=agreement,
        child=child,
        summary=f"Recorded the placement agreement for {child.full_name} at {agreement.facility}",
        request=request,
    )
    record_observed_entry(
        actor=actor,
        child=child,
        event_at=min(starts_on, timezone.localdate()),
        entry_type=EntryCategory.OTHER,
        summary=f"Placement at {agreement.facility} agreed, until {planned_end_on:%-d %b %Y}",
        detail=f"Exit strategy: {agreement.exit_strategy}",
        significance=Significance.SIGNIFICANT,
    )
    _clock(
        agreement,
        EventKind.PLACEMENT_STARTED,
        "started",
        actor,
        starts_on,
        next_review_on=_next_review(starts_on, agreement),
    )
    agencies = network_of(child, exclude=set()).everyone
    if agencies:
        send_notice(
            notice_type=NoticeType.ALERT,
            title=f"Placement agreement: {child.full_name} at {agreement.facility}",
            body=f"{child.full_name} is placed at {agreement.facility} from "
            f"{starts_on:%-d %B %Y} until {planned_end_on:%-d %B %Y}. Read the agreement — "
            "your agency's responsibilities and the exit strategy — and acknowledge.",
            child=child,
            sender=actor,
            link=agreement.get_absolute_url(),
            agencies=agencies,
        )
    return agreement


@transaction.atomic
def review_placement(
    *, actor: Practitioner, agreement: PlacementAgreement, reviewed_on: dt.date | None, request=None
) -> PlacementAgreement:
    """The placement was reviewed: the review task is done and the next one is set."""
    if not policy.can_record_meetings(actor):
        raise invalid(None, WHO_RECORDS_PLACEMENTS, "not_allowed")
    if agreement.ended_on is not None:
        raise invalid(None, "This placement has ended", "placement_ended")
    if reviewed_on is None or reviewed_on > timezone.localdate():
        raise invalid("reviewed_on", "Enter the review date: today or earlier", "date_required")
    _clock(
        agreement,
        EventKind.PLACEMENT_REVIEWED,
        f"reviewed:{reviewed_on.isoformat()}",
        actor,
        reviewed_on,
        next_review_on=_next_review(reviewed_on, agreement),
    )
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=agreement,
        child=agreement.child,
        summary=f"Reviewed the placement at {agreement.facility}",
        request=request,
    )
    return agreement


@transaction.atomic
def end_placement(
    *,
    actor: Practitioner,
    agreement: PlacementAgreement,
    ended_on: dt.date | None,
    reason: str,
    notes: str = "",
    request=None,
) -> PlacementAgreement:
    """The placement ended. Earlier than planned, the network is told at once with the
    exit strategy, and a multi-agency meeting is due within five working days."""
    agreement = (
        PlacementAgreement.objects.select_for_update().select_related("child").get(pk=agreement.pk)
    )
    if not policy.can_record_meetings(actor):
        raise invalid(None, WHO_RECORDS_PLACEMENTS, "not_allowed")
    if agreement.ended_on is not None:
        raise invalid(None, "This placement has already ended", "already_ended")
    errors: dict = {}
    if ended_on is None:
        add_error(errors, "ended_on", "Enter the date it ended", "date_required")
    elif ended_on < agreement.starts_on:
        add_error(errors, "ended_on", "A placement cannot end before it starts", "end_before_start")
    elif ended_on > timezone.localdate():
        add_error(errors, "ended_on", "The end must be today or in the past", "end_in_future")
    if reason not in PlacementEndReason.values:
        add_error(errors, "reason", "Choose why it ended", "invalid_choice")
    if errors:
        raise ValidationError(errors)
    assert ended_on is not None
    agreement.ended_on, agreement.end_reason, agreement.end_notes = ended_on, reason, notes.strip()
    agreement.save(update_fields=["ended_on", "end_reason", "end_notes", "updated_at"])
    early = agreement.ended_early
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=agreement,
        child=agreement.child,
        summary=f"Placement at {agreement.facility} ended"
        + (" early" if early else "")
        + f": {agreement.get_end_reason_display()}",
        request=request,
    )
    child = agreement.child
    record_observed_entry(
        actor=actor,
        child=child,
        event_at=ended_on,
        entry_type=EntryCategory.HOUSEHOLD_CHANGE,
        summary=f"Placement at {agreement.facility} ended"
        + (f" early ({agreement.get_end_reason_display().lower()})" if early else ""),
        detail=agreement.end_notes,
        significance=Significance.CRITICAL if early else Significance.ROUTINE,
    )
    kind = EventKind.PLACEMENT_ENDED_EARLY if early else EventKind.PLACEMENT_ENDED
    _clock(agreement, kind, "ended", actor, ended_on)
    agencies = network_of(child, exclude=set()).everyone
    if early and agencies:
        send_notice(
            notice_type=NoticeType.ALERT,
            title=f"Placement ended early: {child.full_name}",
            body=f"{child.full_name}'s placement at {agreement.facility} ended on "
            f"{ended_on:%-d %B %Y}, before {agreement.planned_end_on:%-d %B %Y} "
            f"({agreement.get_end_reason_display().lower()}). The agreed exit strategy: "
            f"{agreement.exit_strategy}\n\nA multi-agency meeting is due within five "
            "working days.",
            child=child,
            sender=actor,
            link=agreement.get_absolute_url(),
            agencies=agencies,
        )
    return agreement
