"""Agencies' management reviews (agency reports): read, downloaded, submitted, assured."""

from django.db.models import prefetch_related_objects
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.common.api import (
    CREATE_UNDER_ERRORS,
    APIView,
    Forbidden,
    error_responses,
    idempotent,
    validated,
)
from threadline.sharing import policy

from .. import selectors, services
from ..models import AgencyReport
from ..serializers.reviews import (
    ReportAssuranceInputSerializer,
    ReviewReportSerializer,
    SubmissionJsonSerializer,
    SubmissionUploadSerializer,
)
from .plumbing import (
    CREATE_HEADERS,
    DOCUMENT_RESPONSES,
    UPLOAD_NOTE,
    WHO_MANAGES,
    WHO_RESPONDS,
    FileAPIView,
    download,
    refusals_as_403,
    require_manager,
    require_responder,
    upload_input,
)


def _readable_report(request, id) -> AgencyReport:
    """The report (404 if the caller may not see its review), if the caller may read it:
    the panel, the partnership's officers and the agency that wrote it (403 `not_allowed`
    for the other agencies that see the review)."""
    report = selectors.get_report_for(request.user, id)
    if not policy.can_read_agency_report(request.user, report):
        raise Forbidden(
            "An agency's management review is read by the panel, the partnership's officers "
            "and the agency that wrote it",
            code="not_allowed",
        )
    return report


def _report_response(report: AgencyReport) -> Response:
    prefetch_related_objects([report], "requested_by", "submitted_by", "assured_by")
    return Response(ReviewReportSerializer(report).data)


class ReportDetail(APIView):
    serializer_class = ReviewReportSerializer

    @extend_schema(
        operation_id="agency_reports_retrieve",
        tags=["agency reports"],
        summary="An agency's management review (agency report) for a case review",
        description=(
            "The panel, the partnership's officers and the agency that wrote it; the other "
            "agencies that see the review `403 not_allowed`. Audited as a view."
        ),
        responses={200: ReviewReportSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, id):
        report = _readable_report(request, id)
        record_event(
            actor=request.user,
            action=AuditAction.VIEW,
            target=report,
            child=report.review.clock_child,
            summary=f"Viewed {report.agency.name}'s report to {report.review}",
            request=request,
        )
        return _report_response(report)


class ReportDocument(FileAPIView):
    serializer_class = ReviewReportSerializer

    @extend_schema(
        operation_id="agency_reports_document_retrieve",
        tags=["agency reports"],
        summary="Download the report's document",
        description="As the report; `404` until one is submitted. Audited as an export.",
        responses={**DOCUMENT_RESPONSES, **error_responses(401, 403, 404)},
    )
    def get(self, request, id):
        report = _readable_report(request, id)
        report = selectors.report_document(actor=request.user, report=report, request=request)
        return download(
            report.document, name=report.document_name, content_type=report.document_type
        )


class ReportSubmission(APIView):
    serializer_class = ReviewReportSerializer
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="agency_reports_submission_create",
        tags=["agency reports"],
        summary="Submit your agency's report: the document and its summary",
        description=(
            f"{WHO_RESPONDS} (of the agency asked): anyone else `403 not_your_agency`. "
            "`what_was_known`, `when_known`, `what_was_done`, `what_differently` and the "
            "`document`; the partnership is told, for the panel's quality assurance. A "
            "returned report is submitted again the same way. `required`, "
            "`document_required`, `attachment_too_big`, `attachment_empty`, "
            "`attachment_type_not_allowed` (on `document`), `already_submitted`." + UPLOAD_NOTE
        ),
        request={
            "multipart/form-data": SubmissionUploadSerializer,
            "application/json": SubmissionJsonSerializer,
        },
        parameters=CREATE_HEADERS,
        responses={200: ReviewReportSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        report = _readable_report(request, id)
        require_responder(request, report.agency_id)
        data = upload_input(request, SubmissionUploadSerializer, SubmissionJsonSerializer)
        with refusals_as_403():
            report = services.submit_report(
                actor=request.user, report=report, request=request, **data
            )
        return _report_response(report)


class ReportAssurance(APIView):
    serializer_class = ReviewReportSerializer

    @extend_schema(
        operation_id="agency_reports_assurance_create",
        tags=["agency reports"],
        summary="The panel's quality assurance: accept the report, or return it with what it needs",
        description=(
            f"{WHO_MANAGES}: anyone else `403 not_allowed`. `{{accept, quality_note}}`; "
            "returning it needs the note (`required`), and the agency is told. "
            "`not_submitted`."
        ),
        request=ReportAssuranceInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: ReviewReportSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        report = selectors.get_report_for(request.user, id)
        require_manager(request, report.review)
        data = validated(ReportAssuranceInputSerializer, request)
        with refusals_as_403():
            report = services.assure_report(
                actor=request.user,
                report=report,
                accept=data["accept"],
                note=data["quality_note"],
                request=request,
            )
        return _report_response(report)
