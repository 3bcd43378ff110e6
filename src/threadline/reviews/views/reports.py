"""Agencies' management reports: submitted by the agency, assured by the panel."""

from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from threadline.sharing import policy
from threadline.sharing.routes import (
    ASSURE_REPORT,
    RESPOND_TO_REPORT,
    VIEW_AGENCY_REPORT,
    requires,
)
from threadline.web.pages import posted, save_form

from .. import selectors, services
from ..forms import (
    AssureReportForm,
    SubmitReportForm,
)
from ..models import (
    AgencyReport,
    ReportStatus,
    ReviewStatus,
)
from .common import report_overdue

# --- agencies' reports --------------------------------------------------------------------


@require_GET
@requires(VIEW_AGENCY_REPORT)
def review_report(request, report: AgencyReport):
    actor = request.user
    review = report.review
    responds = (
        policy.can_respond_for(actor, report.agency_id)
        and review.status != ReviewStatus.CLOSED
        and report.status in (ReportStatus.REQUESTED, ReportStatus.RETURNED)
    )
    assures = policy.can_manage_review(actor, review) and report.status == ReportStatus.SUBMITTED
    return render(
        request,
        "reviews/report_detail.html",
        {
            "report": report,
            "review": review,
            "overdue": report_overdue(report),
            "can_submit": responds,
            "assure_form": AssureReportForm() if assures else None,
        },
    )


def _report_answers(report: AgencyReport) -> dict:
    names = ("what_was_known", "when_known", "what_was_done", "what_differently")
    return {name: getattr(report, name) for name in names}


def _report_page(request, report: AgencyReport, form, template: str, save, done):
    saved = save_form(
        request, form, save, done=done, then=reverse("review-report", args=[report.pk])
    )
    return saved or render(
        request, template, {"form": form, "report": report, "review": report.review}
    )


@require_http_methods(["GET", "POST"])
@requires(RESPOND_TO_REPORT)
def review_report_submit(request, report: AgencyReport):
    form = SubmitReportForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        initial=_report_answers(report),
    )
    return _report_page(
        request,
        report,
        form,
        "reviews/report_submit.html",
        lambda data: services.submit_report(
            actor=request.user, report=report, request=request, **data
        ),
        "Report sent to the panel",
    )


@require_http_methods(["GET", "POST"])
@requires(ASSURE_REPORT)
def review_report_assure(request, report: AgencyReport):
    form = AssureReportForm(posted(request))
    return _report_page(
        request,
        report,
        form,
        "reviews/report_assure.html",
        lambda data: services.assure_report(
            actor=request.user, report=report, request=request, **form.service_fields()
        ),
        lambda saved: (
            "Report accepted"
            if saved.status == ReportStatus.ACCEPTED
            else f"Report sent back: {saved.agency.name} has been told what it needs"
        ),
    )


@require_GET
@requires(VIEW_AGENCY_REPORT)
def review_report_document(request, report: AgencyReport):
    report = selectors.report_document(actor=request.user, report=report, request=request)
    return FileResponse(
        report.document.open("rb"),
        as_attachment=True,
        filename=report.document_name,
        content_type=report.document_type,
    )
