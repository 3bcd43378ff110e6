"""Meeting pages: thin views — form → one service call → redirect. The routes fetch the
meeting through the policy (`@requires(VIEW_MEETING)`: 404 if the actor may not see it),
let only social care and legal services arrange and change meetings (`RECORD_MEETING`,
`CHANGE_MEETING`: 403) and only an invited agency send a report (`REPORT_TO_MEETING`).
Placement agreements are read by everyone who may see the child (`VIEW_PLACEMENT`) and
recorded, reviewed and ended by social care and legal services (`CHANGE_PLACEMENT`)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from threadline.agencies.models import Practitioner
from threadline.cases.selectors import open_case_for
from threadline.people.models import Person
from threadline.risks.selectors import contact_for_restricted
from threadline.sharing import policy
from threadline.sharing.policy import (
    can_manage_meeting,
    can_read_meeting_reports,
)
from threadline.sharing.routes import (
    CHANGE_MEETING,
    CHANGE_PLACEMENT,
    RECORD_MEETING,
    REPORT_TO_MEETING,
    VIEW_MEETING,
    VIEW_PLACEMENT,
    audit_refusal,
    requires,
)
from threadline.web.pages import posted, save_form

from . import placement_selectors, placements, selectors, services
from .forms import (
    FIELD_MAP,
    ArrangeForm,
    AttendanceForm,
    CancelForm,
    OutcomeForm,
    PlacementEndForm,
    PlacementForm,
    PlacementReviewForm,
    ReportForm,
)
from .models import Meeting, MeetingStatus, PlacementAgreement


@require_http_methods(["GET", "POST"])
@requires(RECORD_MEETING)
def meeting_create(request, person: Person):
    if not person.is_child:
        audit_refusal(request)
        raise Http404("Meetings are arranged about children")
    case = open_case_for(actor=request.user, child=person)
    network = list(dict.fromkeys(i.agency for i in case.involvements.all())) if case else []
    form = ArrangeForm(posted(request), agency=request.user.agency, network=network)
    saved = save_form(
        request,
        form,
        lambda data: services.arrange_meeting(
            actor=request.user, children=[person], request=request, **form.service_fields()
        ),
        done=lambda meeting: (
            f"{meeting.get_meeting_type_display()} arranged: the agencies "
            "invited have been sent the invitation"
        ),
        then=lambda meeting: meeting.get_absolute_url(),
        field_map=FIELD_MAP,
    )
    return saved or render(request, "meetings/meeting_form.html", {"form": form, "person": person})


@require_GET
@requires(VIEW_MEETING)
def meeting_detail(request, meeting: Meeting):
    invitations = list(meeting.invitations.select_related("agency"))
    reports = list(meeting.reports.select_related("agency", "author"))
    sent = {r.agency_id for r in reports}
    reports_shared = can_read_meeting_reports(request.user, meeting)
    missing = {i.pk for i in selectors.missing_reports(meeting)}
    pack = selectors.meeting_pack(actor=request.user, meeting=meeting)
    arranged = meeting.status == MeetingStatus.ARRANGED
    may_change = can_manage_meeting(request.user, meeting)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "children": list(meeting.children.all()),
            "invitations": [(i, i.agency_id in sent, i.pk in missing) for i in invitations],
            "reports": reports if reports_shared else [],
            "reports_shared": reports_shared,
            "pack": [
                (
                    p,
                    contact_for_restricted(p.child) if p.risks.withheld else "",
                )
                for p in pack
            ],
            "decisions": list(meeting.decisions.all()),
            "actions": list(meeting.actions.select_related("owner", "agency")),
            "reports_late": arranged
            and meeting.reports_due_on is not None
            and meeting.reports_due_on < timezone.localdate(),
            "can_report": arranged
            and any(i.agency_id == request.user.agency_id for i in invitations),
            "can_change": arranged and may_change,
        },
    )


def _arranged(request, meeting: Meeting):
    """A redirect back to a meeting that has been held or cancelled."""
    if meeting.status == MeetingStatus.ARRANGED:
        return None
    messages.info(request, "This meeting has been held or cancelled")
    return redirect(meeting.get_absolute_url())


def _page(request, meeting: Meeting, form, template: str, save, done):
    saved = save_form(request, form, save, done=done, then=meeting.get_absolute_url())
    return saved or render(request, template, {"form": form, "meeting": meeting})


@require_http_methods(["GET", "POST"])
@requires(REPORT_TO_MEETING)
def meeting_report(request, meeting: Meeting):
    closed = _arranged(request, meeting)
    if closed:
        return closed
    mine = meeting.reports.filter(agency_id=request.user.agency_id).first()
    form = ReportForm(posted(request), initial={"content": mine.content if mine else ""})
    return _page(
        request,
        meeting,
        form,
        "meetings/meeting_report.html",
        lambda data: services.submit_report(
            actor=request.user, meeting=meeting, request=request, **data
        ),
        f"{request.user.agency.name}'s report sent",
    )


@require_http_methods(["GET", "POST"])
@requires(CHANGE_MEETING)
def meeting_attendance(request, meeting: Meeting):
    form = AttendanceForm(posted(request), invitations=meeting.invitations.select_related("agency"))
    return _page(
        request,
        meeting,
        form,
        "meetings/meeting_attendance.html",
        lambda data: services.record_attendance(
            actor=request.user, meeting=meeting, request=request, **form.service_fields()
        ),
        "Attendance recorded",
    )


@require_http_methods(["GET", "POST"])
@requires(CHANGE_MEETING)
def meeting_outcome(request, meeting: Meeting):
    closed = _arranged(request, meeting)
    if closed:
        return closed
    invited = meeting.invitations.values("agency_id")
    owners = list(
        Practitioner.objects.filter(agency_id__in=invited, is_active=True)
        .select_related("agency")
        .order_by("agency__name", "first_name", "last_name")
    )
    chairs = [p for p in owners if p.agency_id == meeting.local_authority_id]
    if meeting.chair is not None and meeting.chair not in chairs:
        chairs.insert(0, meeting.chair)
    form = OutcomeForm(
        posted(request),
        chairs=chairs,
        owners=owners,
        initial={"chair": str(meeting.chair_id or "")},
    )
    return _page(
        request,
        meeting,
        form,
        "meetings/meeting_outcome.html",
        lambda data: services.record_outcome(
            actor=request.user, meeting=meeting, request=request, **form.service_fields()
        ),
        "Outcome recorded: the minutes have been sent to every agency invited",
    )


@require_http_methods(["GET", "POST"])
@requires(CHANGE_MEETING)
def meeting_cancel(request, meeting: Meeting):
    closed = _arranged(request, meeting)
    if closed:
        return closed
    return _page(
        request,
        meeting,
        CancelForm(posted(request)),
        "meetings/meeting_cancel.html",
        lambda data: services.cancel_meeting(
            actor=request.user, meeting=meeting, request=request, **data
        ),
        "Meeting cancelled: everyone invited has been told",
    )


# --- placement agreements ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(RECORD_MEETING)
def placement_create(request, person: Person):
    if not person.is_child:
        audit_refusal(request)
        raise Http404("Placement agreements are about children")
    form = PlacementForm(posted(request))
    saved = save_form(
        request,
        form,
        lambda data: placements.make_placement_agreement(
            actor=request.user, child=person, request=request, **form.service_fields()
        ),
        done=lambda agreement: (
            f"Placement agreement recorded: the agencies in {person.full_name}'s network "
            "have been sent it"
        ),
        then=lambda agreement: agreement.get_absolute_url(),
    )
    return saved or render(
        request, "meetings/placement_form.html", {"form": form, "person": person}
    )


@require_GET
@requires(VIEW_PLACEMENT)
def placement_detail(request, placement: PlacementAgreement):
    current = placement.ended_on is None
    return render(
        request,
        "meetings/placement_detail.html",
        {
            "placement": placement,
            "roles": list(placement.roles.select_related("agency")),
            "reviews": list(
                placement_selectors.reviews_due(actor=request.user, agreement=placement)
            )
            if current
            else [],
            "can_change": current and policy.can_record_meetings(request.user),
        },
    )


def _current(request, placement: PlacementAgreement):
    """A redirect back to a placement that has ended."""
    if placement.ended_on is None:
        return None
    messages.info(request, "This placement has ended")
    return redirect(placement.get_absolute_url())


def _placement_page(request, placement: PlacementAgreement, form, template: str, save, done):
    saved = save_form(request, form, save, done=done, then=placement.get_absolute_url())
    return saved or render(request, template, {"form": form, "placement": placement})


@require_http_methods(["GET", "POST"])
@requires(CHANGE_PLACEMENT)
def placement_review(request, placement: PlacementAgreement):
    ended = _current(request, placement)
    if ended:
        return ended
    return _placement_page(
        request,
        placement,
        PlacementReviewForm(posted(request)),
        "meetings/placement_review.html",
        lambda data: placements.review_placement(
            actor=request.user, agreement=placement, request=request, **data
        ),
        "Review recorded: the next review is set",
    )


@require_http_methods(["GET", "POST"])
@requires(CHANGE_PLACEMENT)
def placement_end(request, placement: PlacementAgreement):
    ended = _current(request, placement)
    if ended:
        return ended
    return _placement_page(
        request,
        placement,
        PlacementEndForm(posted(request)),
        "meetings/placement_end.html",
        lambda data: placements.end_placement(
            actor=request.user, agreement=placement, request=request, **data
        ),
        lambda agreement: (
            "Placement ended early: every agency in the network has been told, with the "
            "exit strategy, and a multi-agency meeting is due within five working days"
            if agreement.ended_early
            else "Placement ended"
        ),
    )
