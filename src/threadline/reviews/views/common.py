"""What the case-review pages share: downloads, the progress chart, whether a report
is overdue, and a form page about a review."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from threadline.web.pages import save_form

from .. import monitoring, selectors
from ..models import (
    AgencyReport,
    ReportStatus,
    Review,
)

CHART_TITLE = "Actions by status at the end of each week"


def download(document) -> HttpResponse:
    """An export (content, content type, file name) as a download."""
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=document.filename
    )
    return response


def chart(figures: selectors.Monitoring) -> str:
    return monitoring.progress_chart_svg(figures.series, title=CHART_TITLE)


def report_overdue(report: AgencyReport) -> bool:
    waiting = report.status in (ReportStatus.REQUESTED, ReportStatus.RETURNED)
    return waiting and report.due_on < timezone.localdate()


def review_page(request, review: Review, form, template: str, save, done, field_map=None):
    saved = save_form(
        request, form, save, done=done, then=review.get_absolute_url(), field_map=field_map
    )
    return saved or render(request, template, {"form": form, "review": review})
