"""Multi-agency meetings: list and read those about children you can see or that your
agency is invited to (sharing/policy.py `meetings_visible_to`: 404 otherwise), each read
with its invitations, reports, decisions, actions, minutes and the meeting pack; arrange
one, record an agency's attendance, the outcome, or cancel it — children's social care
and legal services, `403 not_allowed` for anyone else; send your agency's report — an
invited agency, `403 not_invited` for anyone else. No DELETE, PUT or PATCH (405): a
meeting is held or cancelled, never deleted or rewritten.

Placement agreements: read by everyone who may see the child (404 otherwise); recorded,
reviewed and ended by children's social care and legal services (`403 not_allowed` for
anyone else, before the body is read). No DELETE, PUT or PATCH either: an agreement is
reviewed and ended, never rewritten.

Thin views over the same services and selectors as the web pages."""

from typing import cast

from django.db.models import prefetch_related_objects
from django.http import Http404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from threadline.agencies.serializers import find_agency
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.chronology.selectors import ChildChronology
from threadline.common.api import (
    CREATE_ERRORS,
    CREATE_UNDER_ERRORS,
    IDEMPOTENCY_KEY_HEADER,
    REPLAYED_HEADER,
    RETRIEVE_ERRORS,
    APIView,
    Forbidden,
    error_responses,
    idempotent,
    validated,
)
from threadline.risks.selectors import TouchingRisks, contact_for_restricted
from threadline.sharing.policy import (
    can_manage_meeting,
    can_read_meeting_reports,
    can_record_meetings,
    get_person_for,
    is_invited,
    meetings_visible_to,
    visible_among,
)
from threadline.timescales.meetings import WHO_RECORDS
from threadline.timescales.selectors import marked_overdue

from . import placement_selectors, placements, selectors, services
from .models import Meeting, MeetingStatus, MeetingType, PlacementAgreement
from .serializers import (
    AgencyReportSerializer,
    ArrangeInputSerializer,
    AttendanceInputSerializer,
    CancelInputSerializer,
    InvitationSerializer,
    InviteInputSerializer,
    MeetingDetailSerializer,
    MeetingQuerySerializer,
    MeetingSerializer,
    OutcomeInputSerializer,
    PlacementAgreementDetailSerializer,
    PlacementAgreementSerializer,
    PlacementEndInputSerializer,
    PlacementInputSerializer,
    PlacementQuerySerializer,
    PlacementReviewInputSerializer,
    ReportInputSerializer,
)

CREATE_HEADERS = [IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER]
_SHOWN_WITH = ("chair", "local_authority", "arranged_by")
_DETAIL_WITH = (
    "children",
    "invitations__agency",
    "reports__agency",
    "reports__author",
    "decisions",
    "actions__owner",
    "actions__agency",
)
AGENCY_PARAMETER = OpenApiParameter(
    "agency",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The invited agency's id or code.",
)


def _not_allowed() -> Forbidden:
    return Forbidden(WHO_RECORDS, code="not_allowed")


def _pack(request, meeting: Meeting) -> list[dict]:
    """The meeting pack as the caller may read it: risks withheld from them are only
    acknowledged (`restricted`, and whom to ask), never counted."""
    pack = []
    for child in selectors.meeting_pack(actor=request.user, meeting=meeting):
        # selectors.ChildPack types these as `object`.
        risks = cast(TouchingRisks, child.risks)
        restricted = risks.withheld > 0
        pack.append(
            {
                "child": child.child,
                "legal_status": child.legal_status,
                "risks": list(risks),
                "restricted": restricted,
                "contact": contact_for_restricted(child.child) if restricted else None,
                "network": child.network,
                "chronology": cast(ChildChronology, child.chronology).latest,
            }
        )
    return pack


def _detail(request, meeting: Meeting) -> dict:
    prefetch_related_objects([meeting], *_DETAIL_WITH)
    context = {
        "visible": visible_among(request.user, {c.pk for c in meeting.children.all()}),
        "reported": {r.agency_id for r in meeting.reports.all()},
        "reports_shared": can_read_meeting_reports(request.user, meeting),
        "pack": _pack(request, meeting),
    }
    return MeetingDetailSerializer(meeting, context=context).data


def _meeting_response(request, meeting: Meeting, status_code=status.HTTP_200_OK) -> Response:
    """The meeting as it is now, after a change the actor was allowed to make (the change
    itself is on the audit trail)."""
    meeting = selectors.get_meeting_for(request.user, meeting.pk)
    return Response(_detail(request, meeting), status=status_code)


def _changeable(request, id) -> Meeting:
    """The meeting (404 if the caller may not see it), if the caller's agency records
    meetings (403 `not_allowed` otherwise)."""
    meeting = selectors.get_meeting_for(request.user, id)
    if not can_manage_meeting(request.user, meeting):
        raise _not_allowed()
    return meeting


class MeetingList(APIView):
    serializer_class = MeetingSerializer

    @extend_schema(
        operation_id="meetings_list",
        tags=["meetings"],
        summary="The meetings you may see, latest first",
        description=(
            "Those about a child you can see, and those your agency is invited to. "
            "Filters: `child` (a child you cannot see: `404`), `status`, `meeting_type`. "
            "Audited as a search."
        ),
        parameters=[MeetingQuerySerializer],
        responses={200: MeetingSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        query = validated(MeetingQuerySerializer, request, request.query_params.dict())
        meetings = meetings_visible_to(request.user).select_related(*_SHOWN_WITH)
        terms, child = [], None
        if "child" in query:
            child = get_person_for(request.user, query["child"])
            meetings = meetings.filter(children=child)
            terms.append(f"about {child.full_name}")
        if query.get("status"):
            meetings = meetings.filter(status=query["status"])
            terms.append(MeetingStatus(query["status"]).label.lower())
        if query.get("meeting_type"):
            meetings = meetings.filter(meeting_type=query["meeting_type"])
            terms.append(MeetingType(query["meeting_type"]).label.lower())
        record_event(
            actor=request.user,
            action=AuditAction.SEARCH,
            child=child,
            summary=" ".join(["Listed meetings", *terms])[:500],
            request=request,
        )
        page = self.paginate_queryset(meetings.order_by("-starts_at", "id"))
        prefetch_related_objects(page, "children")
        children = {c.pk for meeting in page for c in meeting.children.all()}
        context = {"visible": visible_among(request.user, children)}
        return self.get_paginated_response(MeetingSerializer(page, many=True, context=context).data)

    @extend_schema(
        operation_id="meetings_create",
        tags=["meetings"],
        summary="Arrange a meeting about one or more children you can see, inviting agencies",
        description=(
            f"{WHO_RECORDS}: anyone else `403 not_allowed`, before the body is read. Your "
            "agency is always invited; those in `reports_from` are invited and asked for a "
            "written report, due three working days before. Each other invited agency gets "
            "a notice to acknowledge. Problems, nothing saved: `unknown_person` (children), "
            "`unknown_agency`, `unknown_practitioner` (chair), `children_required`, "
            "`not_a_child`, `date_required` / `arranged_in_past` (starts_at), "
            "`place_required` (neither a place nor call details)."
        ),
        request=ArrangeInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: MeetingDetailSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        if not can_record_meetings(request.user):
            raise _not_allowed()
        data = validated(ArrangeInputSerializer, request)
        meeting = services.arrange_meeting(actor=request.user, request=request, **data)
        response = _meeting_response(request, meeting, status.HTTP_201_CREATED)
        response["Location"] = reverse("api-meeting-detail", args=[meeting.pk])
        return response


class MeetingDetail(APIView):
    serializer_class = MeetingDetailSerializer

    @extend_schema(
        operation_id="meetings_retrieve",
        tags=["meetings"],
        summary="One meeting: invitations and attendance, reports, decisions, actions, "
        "minutes, and the pack for each child you may see",
        description=(
            "The pack: each child's legal status, the active risks touching them with the "
            "path to each (risks not shared with you: only `restricted` true and "
            "`contact`, never how many), the network you may see, and the latest "
            "significant chronology. Audited as a view."
        ),
        responses={200: MeetingDetailSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        meeting = selectors.get_meeting_record(actor=request.user, meeting_id=id, request=request)
        return Response(_detail(request, meeting))


class MeetingInvite(APIView):
    serializer_class = MeetingDetailSerializer

    @extend_schema(
        operation_id="meetings_invitations_create",
        tags=["meetings"],
        summary="Invite more agencies to a meeting still to be held, or ask one for a report",
        description=(
            f"{WHO_RECORDS}, of the arranging authority: anyone else `403 not_allowed`. Each "
            "new agency gets the invitation as a notice to acknowledge. `agencies_required`, "
            "`meeting_closed` (held or cancelled), `unknown_agency`."
        ),
        request=InviteInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: MeetingDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        meeting = _changeable(request, id)
        data = validated(InviteInputSerializer, request)
        services.invite_agencies(actor=request.user, meeting=meeting, request=request, **data)
        return _meeting_response(request, meeting)


class MeetingAttendance(APIView):
    serializer_class = InvitationSerializer

    @extend_schema(
        operation_id="meetings_invitations_attendance_create",
        tags=["meetings"],
        summary="Record whether an invited agency attended",
        description=(
            f"{WHO_RECORDS}: anyone else `403 not_allowed`. An agency not invited: `404`. "
            "`invalid_choice` (attendance)."
        ),
        request=AttendanceInputSerializer,
        parameters=[AGENCY_PARAMETER, *CREATE_HEADERS],
        responses={200: InvitationSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id, agency):
        meeting = _changeable(request, id)
        invited = find_agency(agency)
        if invited is None or not meeting.invitations.filter(agency=invited).exists():
            raise Http404("No such invitation")
        data = validated(AttendanceInputSerializer, request)
        invitation = services.record_attendance(
            actor=request.user, meeting=meeting, agency=invited, request=request, **data
        )
        reported = set(meeting.reports.values_list("agency_id", flat=True))
        return Response(InvitationSerializer(invitation, context={"reported": reported}).data)


class MeetingReport(APIView):
    serializer_class = AgencyReportSerializer

    @extend_schema(
        operation_id="meetings_reports_create",
        tags=["meetings"],
        summary="Send your agency's written report to a meeting still to be held",
        description=(
            "A second report from your agency replaces the first. Your agency was not "
            "invited: `403 not_invited`. `content_required`, `meeting_closed` (held or "
            "cancelled)."
        ),
        request=ReportInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: AgencyReportSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        meeting = selectors.get_meeting_for(request.user, id)
        if not is_invited(request.user, meeting):
            raise Forbidden("Your agency was not invited to this meeting.", code="not_invited")
        data = validated(ReportInputSerializer, request)
        report = services.submit_report(
            actor=request.user, meeting=meeting, request=request, **data
        )
        return Response(AgencyReportSerializer(report).data, status=status.HTTP_201_CREATED)


class MeetingOutcome(APIView):
    serializer_class = MeetingDetailSerializer

    @extend_schema(
        operation_id="meetings_outcome_create",
        tags=["meetings"],
        summary="Record that the meeting was held: chair, decisions, actions and minutes",
        description=(
            f"{WHO_RECORDS}: anyone else `403 not_allowed`. Each action becomes a task for "
            "its owner; the clock's task for the meeting is done; a conference's plan "
            "decision starts or ends the child's plan; the minutes go to every invited "
            "agency; each child's chronology records it. Every problem at once, nothing "
            "saved: `invalid_transition` (held or cancelled already), `chair_required`, "
            "`date_required` / `date_in_future` (held_on), and on `decisions` / `actions` "
            "(each message names the row): `invalid_choice`, `category_required`, "
            "`agreed_by_required`, `conflicting_decisions`, `plan_decision_required` (a "
            "conference), `description_required`, `action_needs_owner`, "
            "`action_needs_due_date`, `due_before_meeting`; `unknown_practitioner` (chair, "
            "owner) and `unknown_agency` as `actions.N.<field>`."
        ),
        request=OutcomeInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: MeetingDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        meeting = _changeable(request, id)
        data = validated(OutcomeInputSerializer, request)
        meeting = services.record_outcome(
            actor=request.user, meeting=meeting, request=request, **data
        )
        return _meeting_response(request, meeting)


class MeetingCancel(APIView):
    serializer_class = MeetingDetailSerializer

    @extend_schema(
        operation_id="meetings_cancel_create",
        tags=["meetings"],
        summary="Cancel a meeting still to be held, saying why: everyone invited is told",
        description=(
            f"{WHO_RECORDS}: anyone else `403 not_allowed`. `reason_required`, "
            "`invalid_transition` (held or cancelled already)."
        ),
        request=CancelInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: MeetingDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        meeting = _changeable(request, id)
        data = validated(CancelInputSerializer, request)
        meeting = services.cancel_meeting(
            actor=request.user, meeting=meeting, request=request, **data
        )
        return _meeting_response(request, meeting)


# --- placement agreements ---------------------------------------------------------------

WHO_RECORDS_PLACEMENTS = placements.WHO_RECORDS_PLACEMENTS


def _placements_not_allowed() -> Forbidden:
    return Forbidden(WHO_RECORDS_PLACEMENTS, code="not_allowed")


def _placement_detail(request, agreement: PlacementAgreement) -> dict:
    current = agreement.ended_on is None
    prefetch_related_objects([agreement], "roles__agency")
    reviews = (
        marked_overdue(
            placement_selectors.reviews_due(actor=request.user, agreement=agreement).select_related(
                "child", "trigger", "closed_by"
            )
        )
        if current
        else []
    )
    context = {"reviews_due": list(reviews)}
    return PlacementAgreementDetailSerializer(agreement, context=context).data


def _placement_response(request, agreement: PlacementAgreement, status_code=status.HTTP_200_OK):
    """The agreement as it is now, after a change the actor was allowed to make (the
    change itself is on the audit trail)."""
    agreement = placement_selectors.get_placement_for(request.user, agreement.pk)
    return Response(_placement_detail(request, agreement), status=status_code)


def _changeable_placement(request, id) -> PlacementAgreement:
    """The agreement (404 if the caller may not see its child), if the caller's agency
    records placements (403 `not_allowed` otherwise)."""
    agreement = placement_selectors.get_placement_for(request.user, id)
    if not can_record_meetings(request.user):
        raise _placements_not_allowed()
    return agreement


class PlacementList(APIView):
    serializer_class = PlacementAgreementSerializer

    @extend_schema(
        operation_id="placement_agreements_list",
        tags=["placement agreements"],
        summary="A child's placement agreements, latest start first",
        description=("`child` is required (a child you cannot see: `404`). Audited as a search."),
        parameters=[PlacementQuerySerializer],
        responses={
            200: PlacementAgreementSerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request):
        query = validated(PlacementQuerySerializer, request, request.query_params.dict())
        child = get_person_for(request.user, query["child"])
        record_event(
            actor=request.user,
            action=AuditAction.SEARCH,
            child=child,
            summary=f"Listed the placement agreements of {child.full_name}"[:500],
            request=request,
        )
        agreements = placement_selectors.placements_for_child(actor=request.user, child=child)
        agreements = agreements.select_related("child", "local_authority", "recorded_by")
        page = self.paginate_queryset(agreements.order_by("-starts_on", "id"))
        return self.get_paginated_response(PlacementAgreementSerializer(page, many=True).data)

    @extend_schema(
        operation_id="placement_agreements_create",
        tags=["placement agreements"],
        summary="Record the written agreement a placement of a child you can see starts with",
        description=(
            f"{WHO_RECORDS_PLACEMENTS}: anyone else `403 not_allowed`, before the body is "
            "read. Reviews are set on the statutory clock every `review_every_weeks` from "
            "the start; every agency in the child's network is sent the agreement to "
            "acknowledge; the child's chronology records it. Every problem at once, nothing "
            "saved: `unknown_person` (child), `unknown_agency` (facility_agency, "
            "`roles.N.agency`), `facility_required`, `date_required` (starts_on, "
            "planned_end_on), `end_before_start` (planned_end_on), `exit_strategy_required`, "
            "`roles_required`, `responsibilities_required` (roles: each message names the "
            "row), `invalid_interval` (review_every_weeks)."
        ),
        request=PlacementInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: PlacementAgreementDetailSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        if not can_record_meetings(request.user):
            raise _placements_not_allowed()
        data = validated(PlacementInputSerializer, request)
        agreement = placements.make_placement_agreement(actor=request.user, request=request, **data)
        response = _placement_response(request, agreement, status.HTTP_201_CREATED)
        response["Location"] = reverse("api-placement-detail", args=[agreement.pk])
        return response


class PlacementDetail(APIView):
    serializer_class = PlacementAgreementDetailSerializer

    @extend_schema(
        operation_id="placement_agreements_retrieve",
        tags=["placement agreements"],
        summary="One placement agreement: roles, exit strategy, how it ended, reviews due",
        description="Audited as a view.",
        responses={200: PlacementAgreementDetailSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        agreement = placement_selectors.get_placement_for(request.user, id)
        record_event(
            actor=request.user,
            action=AuditAction.VIEW,
            target=agreement,
            child=agreement.child,
            summary=f"Viewed the placement agreement for {agreement.child.full_name} at "
            f"{agreement.facility}"[:500],
            request=request,
        )
        return Response(_placement_detail(request, agreement))


class PlacementReview(APIView):
    serializer_class = PlacementAgreementDetailSerializer

    @extend_schema(
        operation_id="placement_agreements_review_create",
        tags=["placement agreements"],
        summary="Record that the placement was reviewed: the next review is set",
        description=(
            f"{WHO_RECORDS_PLACEMENTS}: anyone else `403 not_allowed`. The clock's review "
            "task is done and the next is due `review_every_weeks` later. "
            "`date_required` (reviewed_on: missing or after today), `placement_ended`."
        ),
        request=PlacementReviewInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: PlacementAgreementDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        agreement = _changeable_placement(request, id)
        data = validated(PlacementReviewInputSerializer, request)
        agreement = placements.review_placement(
            actor=request.user, agreement=agreement, request=request, **data
        )
        return _placement_response(request, agreement)


class PlacementEnd(APIView):
    serializer_class = PlacementAgreementDetailSerializer

    @extend_schema(
        operation_id="placement_agreements_end_create",
        tags=["placement agreements"],
        summary="Record that the placement ended; earlier than planned, the network is told",
        description=(
            f"{WHO_RECORDS_PLACEMENTS}: anyone else `403 not_allowed`. Ending before "
            "`planned_end_on` tells every agency in the child's network at once, with the "
            "exit strategy, and a multi-agency meeting is due within five working days; "
            "the open reviews are cancelled. Every problem at once, nothing saved: "
            "`date_required` / `end_before_start` / `end_in_future` (ended_on), "
            "`invalid_choice` (reason), `already_ended`."
        ),
        request=PlacementEndInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: PlacementAgreementDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        agreement = _changeable_placement(request, id)
        data = validated(PlacementEndInputSerializer, request)
        agreement = placements.end_placement(
            actor=request.user, agreement=agreement, request=request, **data
        )
        return _placement_response(request, agreement)


urlpatterns = [
    path("meetings/", MeetingList.as_view(), name="api-meeting-list"),
    path("meetings/<uuid:id>/", MeetingDetail.as_view(), name="api-meeting-detail"),
    path("meetings/<uuid:id>/invitations/", MeetingInvite.as_view(), name="api-meeting-invite"),
    path(
        "meetings/<uuid:id>/invitations/<str:agency>/attendance/",
        MeetingAttendance.as_view(),
        name="api-meeting-attendance",
    ),
    path("meetings/<uuid:id>/reports/", MeetingReport.as_view(), name="api-meeting-reports"),
    path("meetings/<uuid:id>/outcome/", MeetingOutcome.as_view(), name="api-meeting-outcome"),
    path("meetings/<uuid:id>/cancel/", MeetingCancel.as_view(), name="api-meeting-cancel"),
    path("placement-agreements/", PlacementList.as_view(), name="api-placement-list"),
    path(
        "placement-agreements/<uuid:id>/",
        PlacementDetail.as_view(),
        name="api-placement-detail",
    ),
    path(
        "placement-agreements/<uuid:id>/review/",
        PlacementReview.as_view(),
        name="api-placement-review",
    ),
    path(
        "placement-agreements/<uuid:id>/end/",
        PlacementEnd.as_view(),
        name="api-placement-end",
    ),
]
