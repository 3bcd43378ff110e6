"""The only writers of meetings: arranging (with invitations as notices), attendance,
agency reports, the outcome (decisions, actions as tasks, minutes to everyone invited,
the clock's event and a chronology entry) and cancelling. Each checks everything first
and saves nothing if anything is wrong."""

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
from threadline.orders.models import PlanCategory
from threadline.people.models import Person
from threadline.sharing import policy
from threadline.timescales.calendar import working_days_before
from threadline.timescales.clock import end_of_working_day
from threadline.timescales.meetings import WHO_RECORDS, record_meeting_or_assessment
from threadline.timescales.models import EventKind, Task
from threadline.timescales.services import note_event

from .models import (
    CLOCK_EVENT,
    CONFERENCES,
    TRANSITIONS,
    Action,
    AgencyReport,
    Attendance,
    Decision,
    DecisionType,
    Invitation,
    Meeting,
    MeetingStatus,
    MeetingType,
)

REPORT_WORKING_DAYS_BEFORE = 3
# What a conference's decisions mean for the child-protection plan.
PLAN_DECISIONS = {
    DecisionType.PLAN_MADE: True,
    DecisionType.PLAN_CONTINUED: True,
    DecisionType.PLAN_ENDED: False,
    DecisionType.NO_PLAN: False,
}


def _require_recorder(actor: Practitioner, meeting: Meeting | None = None) -> None:
    """Social care or legal services arrange meetings; the arranging authority's staff
    record what happens at one."""
    if meeting is None and not policy.can_record_meetings(actor):
        raise invalid(None, WHO_RECORDS, "not_allowed")
    if meeting is not None and not policy.can_manage_meeting(actor, meeting):
        raise invalid(
            None,
            f"{meeting.local_authority.name}, which arranged it, records this meeting",
            "not_allowed",
        )


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M on %A %-d %B %Y}"


@transaction.atomic
def arrange_meeting(
    *,
    actor: Practitioner,
    children: Sequence[Person],
    meeting_type: str,
    starts_at: dt.datetime | None,
    place: str = "",
    call_details: str = "",
    chair: Practitioner | None = None,
    agencies: Sequence[Agency] = (),
    reports_from: Sequence[Agency] = (),
    request=None,
) -> Meeting:
    """Arrange a meeting about one or more children the actor may see, invite agencies
    (the actor's own always) and say which must send a written report, due three
    working days before. Each invited agency gets a notice to acknowledge. Problems:
    `not_allowed`, `children_required`, `unknown_person`, `not_a_child`,
    `invalid_choice`, `date_required`, `arranged_in_past`, `place_required`."""
    _require_recorder(actor)
    errors: dict = {}
    asked = list(dict.fromkeys(children))
    if not asked:
        add_error(errors, "children", "Choose the child the meeting is about", "children_required")
    seen = policy.visible_among(actor, {c.pk for c in asked})
    for child in asked:
        if child.pk not in seen:
            add_error(errors, "children", "There is no person with that id", "unknown_person")
        elif not child.is_child:
            add_error(errors, "children", f"{child.full_name} is not a child", "not_a_child")
    if meeting_type not in MeetingType.values:
        add_error(errors, "meeting_type", "Choose the kind of meeting", "invalid_choice")
    if starts_at is None:
        add_error(errors, "starts_at", "Enter the date and time of the meeting", "date_required")
    elif starts_at < timezone.now():
        add_error(
            errors,
            "starts_at",
            "A meeting being arranged must be in the future: record a past meeting's outcome",
            "arranged_in_past",
        )
    if not place.strip() and not call_details.strip():
        add_error(
            errors, "place", "Enter where the meeting is, or how to join the call", "place_required"
        )
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None
    meeting = Meeting.objects.create(
        meeting_type=meeting_type,
        starts_at=starts_at,
        place=place.strip(),
        call_details=call_details.strip(),
        chair=chair,
        local_authority=actor.agency,
        arranged_by=actor,
        reports_due_on=working_days_before(
            timezone.localdate(starts_at), REPORT_WORKING_DAYS_BEFORE
        ),
    )
    meeting.children.set(asked)
    names = " and ".join(c.full_name for c in asked)
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=meeting,
        child=asked[0],
        summary=f"Arranged a {meeting.get_meeting_type_display().lower()} about {names}",
        request=request,
    )
    _invite(actor, meeting, [actor.agency, *agencies], reports_from)
    return meeting


def _invite(actor: Practitioner, meeting: Meeting, agencies, reports_from) -> list[Invitation]:
    """Invite the agencies not yet invited (asking those in `reports_from` for a report)
    and send them the invitation as a notice to acknowledge; an agency already invited
    and now asked for a report is asked. Returns the new invitations."""
    reporting = {a.pk for a in reports_from}
    already = {i.agency_id: i for i in meeting.invitations.all()}
    for agency_id, invitation in already.items():
        if agency_id in reporting and not invitation.report_required:
            invitation.report_required = True
            invitation.save(update_fields=["report_required", "updated_at"])
    new = Invitation.objects.bulk_create(
        Invitation(meeting=meeting, agency=a, report_required=a.pk in reporting)
        for a in dict.fromkeys([*agencies, *reports_from])
        if a.pk not in already
    )
    told = [i.agency for i in new if i.agency_id != actor.agency_id]
    if told:
        children = list(meeting.children.all())
        names = " and ".join(c.full_name for c in children)
        where = meeting.place or meeting.call_details
        send_notice(
            notice_type=NoticeType.INVITATION,
            title=f"Invitation: {meeting.get_meeting_type_display()} about {names}",
            body=f"{meeting.get_meeting_type_display()} about {names} at "
            f"{_when(meeting.starts_at)}: {where}. Chair: "
            f"{meeting.chair or 'to be confirmed'}. Agencies asked for a written report "
            f"send it in Threadline by {meeting.reports_due_on:%-d %B %Y}. Please "
            "acknowledge, and record whether you will attend.",
            child=children[0],
            sender=actor,
            link=meeting.get_absolute_url(),
            agencies=told,
        )
    return new


@transaction.atomic
def invite_agencies(
    *,
    actor: Practitioner,
    meeting: Meeting,
    agencies: Sequence[Agency] = (),
    reports_from: Sequence[Agency] = (),
    request=None,
) -> list[Invitation]:
    """Invite more agencies to a meeting still to be held (each gets the invitation as a
    notice), or ask an invited one for a report. Problems: `not_allowed`,
    `meeting_closed`, `agencies_required`."""
    _require_recorder(actor, meeting)
    if meeting.status != MeetingStatus.ARRANGED:
        raise invalid(None, "This meeting has been held or cancelled", "meeting_closed")
    if not agencies and not reports_from:
        raise invalid("agencies", "Choose the agencies to invite", "agencies_required")
    new = _invite(actor, meeting, agencies, reports_from)
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=meeting,
        child=meeting.children.first(),
        summary=f"Invited {len(new)} more agenc{'y' if len(new) == 1 else 'ies'} to the {meeting}",
        request=request,
    )
    return new


def _invitation(meeting: Meeting, agency_id) -> Invitation | None:
    return meeting.invitations.filter(agency_id=agency_id).first()


@transaction.atomic
def record_attendance(
    *, actor: Practitioner, meeting: Meeting, agency: Agency, attendance: str, request=None
) -> Invitation:
    """The chair's record of an invited agency's attendance."""
    _require_recorder(actor, meeting)
    invitation = _invitation(meeting, agency.pk)
    if invitation is None:
        raise invalid("agency", f"{agency.name} was not invited to this meeting", "not_invited")
    if attendance not in Attendance.values:
        raise invalid("attendance", "Choose whether they attended", "invalid_choice")
    invitation.attendance = attendance
    invitation.save(update_fields=["attendance", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=meeting,
        child=meeting.children.first(),
        summary=f"{agency.name}: {invitation.get_attendance_display().lower()}",
        request=request,
    )
    return invitation


@transaction.atomic
def submit_report(
    *, actor: Practitioner, meeting: Meeting, content: str, request=None
) -> AgencyReport:
    """An invited agency's written report to a meeting still to be held (a second
    submission replaces the first). Problems: `not_invited`, `meeting_closed`,
    `content_required`."""
    if not policy.is_invited(actor, meeting):
        raise invalid(None, "Your agency was not invited to this meeting", "not_invited")
    if meeting.status != MeetingStatus.ARRANGED:
        raise invalid(None, "This meeting has been held or cancelled", "meeting_closed")
    if not content.strip():
        raise invalid("content", "Enter your agency's report", "content_required")
    report, _ = AgencyReport.objects.update_or_create(
        meeting=meeting,
        agency_id=actor.agency_id,
        defaults={"author": actor, "content": content.strip(), "submitted_at": timezone.now()},
    )
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=report,
        child=meeting.children.first(),
        summary=f"Sent {actor.agency.name}'s report to the {meeting}",
        request=request,
    )
    return report


def _check_outcome(meeting, chair, held_on, decisions, actions) -> dict:
    errors: dict = {}
    if MeetingStatus.HELD not in TRANSITIONS[MeetingStatus(meeting.status)]:
        add_error(
            errors, None, "This meeting has already been held or cancelled", "invalid_transition"
        )
    if chair is None:
        add_error(errors, "chair", "Say who chaired the meeting", "chair_required")
    if held_on is None:
        add_error(errors, "held_on", "Enter the date the meeting was held", "date_required")
    elif held_on > timezone.localdate():
        add_error(errors, "held_on", "The date must be today or in the past", "date_in_future")
    for n, decision in enumerate(decisions, start=1):
        kind = decision.get("decision_type")
        if kind not in DecisionType.values:
            add_error(errors, "decisions", f"Decision {n}: choose the decision", "invalid_choice")
        if kind == DecisionType.PLAN_MADE and decision.get("category") not in PlanCategory.values:
            add_error(
                errors,
                "decisions",
                f"Decision {n}: choose the plan's category of abuse or neglect",
                "category_required",
            )
        if not (decision.get("agreed_by") or "").strip():
            add_error(errors, "decisions", f"Decision {n}: say who agreed", "agreed_by_required")
    for n, action in enumerate(actions, start=1):
        if not (action.get("description") or "").strip():
            add_error(
                errors, "actions", f"Action {n}: say what is to be done", "description_required"
            )
        if action.get("owner") is None:
            add_error(errors, "actions", f"Action {n}: choose who will do it", "action_needs_owner")
        if action.get("due_on") is None:
            add_error(
                errors, "actions", f"Action {n}: enter when it is due", "action_needs_due_date"
            )
        elif held_on is not None and action["due_on"] < held_on:
            add_error(
                errors,
                "actions",
                f"Action {n}: it cannot be due before the meeting",
                "due_before_meeting",
            )
    plan = {
        PLAN_DECISIONS[d["decision_type"]]
        for d in decisions
        if d.get("decision_type") in PLAN_DECISIONS
    }
    if len(plan) > 1:
        add_error(
            errors, "decisions", "A plan cannot be both made and ended", "conflicting_decisions"
        )
    if meeting.meeting_type in CONFERENCES and not plan:
        add_error(
            errors,
            "decisions",
            "Record the conference's decision on a child-protection plan",
            "plan_decision_required",
        )
    return errors


@transaction.atomic
def record_outcome(
    *,
    actor: Practitioner,
    meeting: Meeting,
    held_on: dt.date | None,
    chair: Practitioner | None,
    decisions: Sequence[dict] = (),
    actions: Sequence[dict] = (),
    minutes: str = "",
    request=None,
) -> Meeting:
    """The meeting was held: its chair, decisions (who agreed, any dissent), actions
    (each becomes a task for its owner) and minutes. Holding it completes the clock's
    task for it; a conference's plan decision starts or ends the child's plan. The
    minutes go to every invited agency as a notice, and each child's chronology records
    the meeting. Problems: `not_allowed`, `invalid_transition`, `chair_required`,
    `date_required`, `date_in_future`, `category_required`, `agreed_by_required`,
    `action_needs_owner`, `action_needs_due_date`, `plan_decision_required`."""
    _require_recorder(actor, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    errors = _check_outcome(meeting, chair, held_on, list(decisions), list(actions))
    if errors:
        raise ValidationError(errors)
    assert held_on is not None
    meeting.status, meeting.held_on, meeting.chair = MeetingStatus.HELD, held_on, chair
    meeting.minutes = minutes.strip()
    meeting.full_clean(exclude=["local_authority", "arranged_by", "chair"])
    meeting.save()
    made = [
        Decision.objects.create(
            meeting=meeting,
            decision_type=d["decision_type"],
            category=d.get("category") or "",
            detail=(d.get("detail") or "").strip(),
            agreed_by=d["agreed_by"].strip(),
            dissent=(d.get("dissent") or "").strip(),
        )
        for d in decisions
    ]
    children = list(meeting.children.all())
    event = _clock(actor, meeting, children, made, held_on)
    for a in actions:
        _action(meeting, event, children[0], a)
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=meeting,
        child=children[0],
        summary=f"Recorded the outcome of the {meeting}",
        request=request,
    )
    summary = f"{meeting.get_meeting_type_display()} held" + (
        ": " + "; ".join(_decision_words(d) for d in made) if made else ""
    )
    significant = meeting.meeting_type in CONFERENCES | {MeetingType.STRATEGY_DISCUSSION}
    for child in children:
        record_observed_entry(
            actor=actor,
            child=child,
            event_at=held_on,
            entry_type=EntryCategory.MEETING,
            summary=summary[:200],
            detail=meeting.minutes,
            significance=Significance.SIGNIFICANT if significant else Significance.ROUTINE,
        )
    send_notice(
        notice_type=NoticeType.MEETING_OUTCOME,
        title=f"Outcome and minutes: {meeting}",
        body=f"{summary}.\n\n{meeting.minutes}".strip(),
        child=children[0],
        sender=actor,
        link=meeting.get_absolute_url(),
        agencies=[i.agency for i in meeting.invitations.select_related("agency")],
    )
    return meeting


def _decision_words(decision: Decision) -> str:
    words = decision.get_decision_type_display()
    if decision.category:
        words += f" ({PlanCategory(decision.category).label.lower()})"
    return words


def _clock(actor, meeting: Meeting, children, made: list[Decision], held_on: dt.date):
    """The clock's event for each child: the meeting held (and for a conference, its plan
    decision). Returns the first child's event (the actions' tasks hang from it)."""
    kind = CLOCK_EVENT.get(MeetingType(meeting.meeting_type))
    plan_decision = next((d for d in made if d.decision_type in PLAN_DECISIONS), None)
    events = []
    for child in children:
        if kind is None:
            events.append(
                note_event(
                    key=f"meeting:{meeting.pk}:{child.pk}",
                    child=child,
                    kind=EventKind.MEETING_HELD,
                    occurred_at=held_on,
                    recorded_by=actor,
                    meeting_id=meeting.pk,
                )
            )
            continue
        conference = meeting.meeting_type in CONFERENCES
        events.append(
            record_meeting_or_assessment(
                actor=actor,
                child=child,
                kind=kind,
                occurred_on=held_on,
                plan=PLAN_DECISIONS[plan_decision.decision_type] if conference else None,
                category=plan_decision.category if conference else "",
            )
        )
    return events[0]


def _action(meeting: Meeting, event, child: Person, fields: dict) -> Action:
    owner = fields["owner"]
    action = Action.objects.create(
        meeting=meeting,
        description=fields["description"].strip(),
        owner=owner,
        agency=fields.get("agency") or owner.agency,
        due_on=fields["due_on"],
    )
    action.task = Task.objects.create(
        key=f"action:{action.pk}",
        rule_id="meeting-action",
        title=action.description,
        child=child,
        trigger=event,
        due_on=action.due_on,
        due_at=end_of_working_day(action.due_on),
        owner=owner,
        owner_agency=action.agency,
    )
    action.save(update_fields=["task", "updated_at"])
    return action


@transaction.atomic
def cancel_meeting(*, actor: Practitioner, meeting: Meeting, reason: str, request=None) -> Meeting:
    """Cancel a meeting still to be held; everyone invited is told."""
    _require_recorder(actor, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.ARRANGED:
        raise invalid(
            None, "Only a meeting still to be held can be cancelled", "invalid_transition"
        )
    if not reason.strip():
        raise invalid("reason", "Say why the meeting is cancelled", "reason_required")
    meeting.status, meeting.cancelled_reason = MeetingStatus.CANCELLED, reason.strip()
    meeting.save(update_fields=["status", "cancelled_reason", "updated_at"])
    child = meeting.children.first()
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=meeting,
        child=child,
        summary=f"Cancelled the {meeting}: {meeting.cancelled_reason}"[:500],
        request=request,
    )
    send_notice(
        notice_type=NoticeType.INVITATION,
        title=f"Cancelled: {meeting}",
        body=f"The {meeting} is cancelled: {meeting.cancelled_reason}",
        child=child,
        sender=actor,
        link=meeting.get_absolute_url(),
        agencies=[i.agency for i in meeting.invitations.select_related("agency")],
    )
    return meeting


def flag_missing_reports(*, today: dt.date | None = None) -> int:
    """Tell the chair (or whoever arranged it) and each agency whose report to a coming
    meeting is overdue, once. Run by housekeeping; returns how many were flagged."""
    today = today or timezone.localdate()
    late = Invitation.objects.filter(
        report_required=True,
        missing_report_flagged_at__isnull=True,
        meeting__status=MeetingStatus.ARRANGED,
        meeting__reports_due_on__lt=today,
    ).select_related("meeting", "agency", "meeting__chair", "meeting__arranged_by")
    count = 0
    for invitation in late:
        meeting = invitation.meeting
        if AgencyReport.objects.filter(meeting=meeting, agency=invitation.agency).exists():
            continue
        with transaction.atomic():
            claimed = Invitation.objects.filter(
                pk=invitation.pk, missing_report_flagged_at__isnull=True
            ).update(missing_report_flagged_at=timezone.now())
            if not claimed:
                continue
            send_notice(
                notice_type=NoticeType.ALERT,
                title=f"Report missing: {invitation.agency.name} to the {meeting}",
                body=f"{invitation.agency.name}'s report to the {meeting} was due by "
                f"{meeting.reports_due_on:%-d %B %Y} and has not arrived.",
                child=meeting.children.first(),
                link=meeting.get_absolute_url(),
                agencies=[invitation.agency],
                practitioners=[meeting.chair or meeting.arranged_by],
            )
            count += 1
    return count
