"""Agencies' management reports (requested, chased, submitted, assured) and the entries
agencies add to the review chronology."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import Agency, Practitioner
from threadline.audit.models import AuditAction
from threadline.chronology.models import DatePrecision, EntryCategory, Significance
from threadline.chronology.services import event_moment
from threadline.common.documents import check_documents
from threadline.common.errors import add_error, invalid
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice, send_to_safeguarding
from threadline.sharing import policy

from ..models import (
    AgencyReport,
    ReportStatus,
    Review,
    ReviewEntry,
    ReviewStatus,
)
from .checks import (
    audit,
    require_manager,
    require_responder,
    required_text,
)

# --- agency reports (management reviews) ------------------------------------------------


@transaction.atomic
def request_reports(
    *,
    actor: Practitioner,
    review: Review,
    agencies: Sequence[Agency],
    due_on: dt.date | None,
    request=None,
) -> list[AgencyReport]:
    """Ask each agency for its management review by `due_on`: a notice its safeguarding
    leads must acknowledge. Problems: `not_allowed`, `agencies_required`,
    `already_requested`, `date_required`, `due_in_past`, `review_closed`."""
    require_manager(actor, review)
    errors: dict = {}
    if review.status == ReviewStatus.CLOSED:
        add_error(errors, None, "The review is closed", "review_closed")
    asked = list(dict.fromkeys(agencies))
    if not asked:
        add_error(errors, "agencies", "Choose the agencies to ask", "agencies_required")
    already = set(
        review.agency_reports.filter(agency__in=asked).values_list("agency__name", flat=True)
    )
    for name in sorted(already):
        add_error(errors, "agencies", f"{name} has already been asked", "already_requested")
    if due_on is None:
        add_error(errors, "due_on", "Enter the date the reports are due", "date_required")
    elif due_on <= timezone.localdate():
        add_error(errors, "due_on", "The due date must be in the future", "due_in_past")
    if errors:
        raise ValidationError(errors)
    reports = []
    for agency in asked:
        report = AgencyReport(review=review, agency=agency, due_on=due_on, requested_by=actor)
        report.notice = send_to_safeguarding(
            agency,
            notice_type=NoticeType.CASE_REVIEW,
            title=f"Management review requested: {review}",
            body=f"{review.partnership.name} asks {agency.name} for its management review "
            f"(agency report) for {review} by {due_on:%-d %B %Y}: what your agency knew "
            f"about the children and family between {review.scope_from:%-d %B %Y} and "
            f"{review.scope_to:%-d %B %Y}, when, what it did, and what it would do "
            "differently, with the report attached.",
            sender=actor,
            link=review.get_absolute_url(),
        )
        report.save()
        reports.append(report)
    audit(
        actor,
        AuditAction.CREATE,
        review,
        f"Asked {', '.join(a.name for a in asked)} for management reviews by {due_on:%-d %b %Y}",
        request,
    )
    return reports


@transaction.atomic
def submit_report(
    *,
    actor: Practitioner,
    report: AgencyReport,
    what_was_known: str,
    when_known: str,
    what_was_done: str,
    what_differently: str,
    document: File | None,
    request=None,
) -> AgencyReport:
    """The agency's report: the document and its structured summary. Problems:
    `not_your_agency`, `required`, `document_required`, the document checks'
    (`attachment_too_big`, ...), `already_accepted`."""
    require_responder(actor, report.agency_id)
    errors: dict = {}
    if report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
        add_error(
            errors, None, "The report has been submitted and is with the panel", "already_submitted"
        )
    summary = {
        "what_was_known": required_text(
            errors, "what_was_known", what_was_known, "Say what your agency knew"
        ),
        "when_known": required_text(errors, "when_known", when_known, "Say when it knew"),
        "what_was_done": required_text(
            errors, "what_was_done", what_was_done, "Say what your agency did"
        ),
        "what_differently": required_text(
            errors, "what_differently", what_differently, "Say what it would do differently"
        ),
    }
    checked = []
    if document is None:
        add_error(errors, "document", "Attach the report", "document_required")
    else:
        checked = check_documents(errors, [document], field="document", max_files=1)
    if errors:
        raise ValidationError(errors)
    for name, value in summary.items():
        setattr(report, name, value)
    checked[0].store(report.document)
    report.document_name, report.document_type = checked[0].name, checked[0].content_type
    report.status = ReportStatus.SUBMITTED
    report.submitted_by, report.submitted_at = actor, timezone.now()
    report.save()
    review = report.review
    send_notice(
        notice_type=NoticeType.CASE_REVIEW,
        title=f"Management review submitted: {report.agency.name}, {review}",
        body=f"{report.agency.name} has submitted its management review for {review}, "
        "for the panel's quality assurance.",
        sender=actor,
        agencies=[review.partnership],
        link=review.get_absolute_url(),
    )
    audit(actor, AuditAction.CREATE, review, f"Submitted {report.agency.name}'s report", request)
    return report


@transaction.atomic
def assure_report(
    *, actor: Practitioner, report: AgencyReport, accept: bool, note: str = "", request=None
) -> AgencyReport:
    """The panel's quality assurance: accept the report, or return it with what is
    missing (a notice to the agency). Problems: `not_allowed`, `not_submitted`,
    `required` (the note, when returning)."""
    require_manager(actor, report.review)
    errors: dict = {}
    if report.status != ReportStatus.SUBMITTED:
        add_error(errors, None, "Only a submitted report can be assured", "not_submitted")
    note = note.strip()
    if not accept and not note:
        add_error(errors, "quality_note", "Say what the report needs", "required")
    if errors:
        raise ValidationError(errors)
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    report.quality_note, report.assured_by, report.assured_at = note, actor, timezone.now()
    report.save()
    if not accept:
        send_to_safeguarding(
            report.agency,
            notice_type=NoticeType.CASE_REVIEW,
            title=f"Management review returned: {report.review}",
            body=f"The panel for {report.review} has returned your agency's report: {note}",
            sender=actor,
            link=report.review.get_absolute_url(),
        )
    verdict = "Accepted" if accept else "Returned"
    audit(
        actor,
        AuditAction.UPDATE,
        report.review,
        f"{verdict} {report.agency.name}'s report",
        request,
    )
    return report


@transaction.atomic
def chase_overdue_reports(*, now: dt.datetime | None = None) -> int:
    """Remind each agency whose report is past its due date, once (housekeeping)."""
    now = now or timezone.now()
    overdue = AgencyReport.objects.filter(
        status__in=(ReportStatus.REQUESTED, ReportStatus.RETURNED),
        due_on__lt=timezone.localdate(now),
        chased_at__isnull=True,
        review__status=ReviewStatus.OPEN,
    ).select_related("agency", "review", "review__partnership")
    chased = 0
    for report in overdue.select_for_update(of=("self",)):
        send_to_safeguarding(
            report.agency,
            notice_type=NoticeType.CASE_REVIEW,
            title=f"Management review overdue: {report.review}",
            body=f"{report.agency.name}'s management review for {report.review} was due on "
            f"{report.due_on:%-d %B %Y}. Please submit it, or tell "
            f"{report.review.partnership.name} when it will come.",
            link=report.review.get_absolute_url(),
        )
        report.chased_at = now
        report.save(update_fields=["chased_at", "updated_at"])
        chased += 1
    return chased


# --- the review chronology's own entries ------------------------------------------------


@transaction.atomic
def add_review_entry(
    *,
    actor: Practitioner,
    review: Review,
    event_at: dt.date | dt.datetime | None,
    entry_type: str,
    summary: str,
    event_precision: str = DatePrecision.DAY,
    detail: str = "",
    outcome: str = "",
    significance: str = Significance.ROUTINE,
    source_reference: str = "",
    request=None,
) -> ReviewEntry:
    """An entry an agency adds for the review (what its files hold that the live record
    does not), by an agency asked for a report or a panel member. Problems:
    `not_allowed`, `date_required`, `event_in_future`, `out_of_scope`, `required`,
    `invalid_choice`, `max_length`."""
    if not policy.can_add_review_entry(actor, review):
        raise invalid(
            None,
            "Agencies asked for a report, and the panel, add to this chronology",
            "not_allowed",
        )
    errors: dict = {}
    moment = event_moment(event_at, event_precision) if event_at else None
    if moment is None:
        add_error(errors, "event_at", "Enter the date of the event", "date_required")
    elif moment > timezone.now():
        add_error(errors, "event_at", "The event cannot be in the future", "event_in_future")
    elif not (review.scope_from <= timezone.localdate(moment) <= review.scope_to):
        add_error(
            errors,
            "event_at",
            f"The event must be in the review's scope ({review.scope_from:%-d %B %Y} to "
            f"{review.scope_to:%-d %B %Y})",
            "out_of_scope",
        )
    summary = required_text(errors, "summary", summary, "Enter a summary of the event")
    if len(summary) > 200:
        add_error(errors, "summary", "Keep the summary to 200 characters or fewer", "max_length")
    if entry_type not in EntryCategory.values:
        add_error(errors, "entry_type", "Choose the kind of event", "invalid_choice")
    if significance not in Significance.values:
        add_error(errors, "significance", "Choose how significant it was", "invalid_choice")
    if errors:
        raise ValidationError(errors)
    entry = ReviewEntry.objects.create(
        review=review,
        agency=actor.agency,
        author=actor,
        event_at=moment,
        event_precision=event_precision,
        entry_type=entry_type,
        summary=summary,
        detail=detail.strip(),
        outcome=outcome.strip(),
        significance=significance,
        source_reference=source_reference.strip()[:100],
    )
    audit(actor, AuditAction.CREATE, review, f"Added to the review chronology: {summary}", request)
    return entry
