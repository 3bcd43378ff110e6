"""Case-review pages: thin views — form → one service call → redirect. The routes fetch
the review, report, recommendation or action through the policy (`@requires(VIEW_…)`:
404 if the actor may not see it); the partnership running the review changes it
(`MANAGE_REVIEW`, `ASSURE_REPORT`, `CHANGE_RECOMMENDATION`, `DECIDE_ACTION`: 403), an
agency's safeguarding leads and team managers respond for it (`RESPOND_TO_REPORT`,
`ADD_ACTION`, `UPDATE_ACTION`), and only the panel and the partnership read the review
chronology (`READ_REVIEW_CHRONOLOGY`). Forms shown on the review, recommendation and
action pages post to their own routes, which show the form again with the service's
errors."""

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from threadline.chronology import exports
from threadline.chronology.forms import FIELD_MAP as ENTRY_FIELD_MAP
from threadline.sharing import policy
from threadline.sharing.routes import (
    ADD_ACTION,
    ADD_REVIEW_ENTRY,
    ASSURE_REPORT,
    CHANGE_RECOMMENDATION,
    DECIDE_ACTION,
    MANAGE_REVIEW,
    OPEN_REVIEW,
    READ_REVIEW_CHRONOLOGY,
    RESPOND_TO_REPORT,
    SIGNED_IN,
    UPDATE_ACTION,
    VIEW_ACTION,
    VIEW_AGENCY_REPORT,
    VIEW_RECOMMENDATION,
    VIEW_REVIEW,
    requires,
)
from threadline.timescales.models import TaskStatus
from threadline.timescales.rules import RULES_BY_ID
from threadline.web.pages import posted, save_form

from . import monitoring, selectors, services
from .forms import (
    EVIDENCE_FIELD_MAP,
    RECOMMENDATION_FIELD_MAP,
    ActionForm,
    ActionUpdateForm,
    AssureReportForm,
    CloseActionForm,
    CloseReviewForm,
    ConfirmRecommendationsForm,
    EditRecommendationForm,
    EvidenceDecisionForm,
    EvidenceForm,
    FindingForm,
    MilestoneForm,
    OpenReviewForm,
    RecommendationForm,
    RequestReportsForm,
    ReviewEntryForm,
    SearchForm,
    SubmitReportForm,
    UploadReviewForm,
)
from .models import (
    Action,
    ActionStatus,
    AgencyReport,
    Recommendation,
    ReportStatus,
    Review,
    ReviewStatus,
)

CHART_TITLE = "Actions by status at the end of each week"


def _download(document) -> HttpResponse:
    """An export (content, content type, file name) as a download."""
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=document.filename
    )
    return response


def _chart(figures: selectors.Monitoring) -> str:
    return monitoring.progress_chart_svg(figures.series, title=CHART_TITLE)


# --- the list, monitoring and search ------------------------------------------------------


@require_GET
@requires(SIGNED_IN)
def review_list(request):
    rows = selectors.reviews_listed(actor=request.user, request=request)
    return render(
        request,
        "reviews/review_list.html",
        {
            "rows": rows,
            "can_open": policy.can_open_review(request.user),
            "search": SearchForm(),
        },
    )


@require_GET
@requires(SIGNED_IN)
def review_monitoring(request):
    figures = selectors.monitoring(actor=request.user, request=request)
    return render(
        request,
        "reviews/review_monitoring.html",
        {
            "monitoring": figures,
            "chart": _chart(figures),
            "today": timezone.localdate(),
            "statuses": list(ActionStatus),
            "per_review": [
                (str(row.review), row.review.get_absolute_url(), row.figures)
                for row in figures.per_review
            ],
            "per_agency": [(name, "", found) for name, found in figures.per_agency],
        },
    )


@require_GET
@requires(SIGNED_IN)
def review_monitoring_report(request):
    """The board report across every review the actor may see (a PDF)."""
    return _download(
        monitoring.board_report(
            actor=request.user,
            reviews=policy.reviews_visible_to(request.user),
            request=request,
        )
    )


@require_GET
@requires(SIGNED_IN)
def review_search(request):
    form = SearchForm(request.GET)
    form.is_valid()
    query = form.cleaned_data.get("q", "")
    theme = form.cleaned_data.get("theme", "")
    found = selectors.search_reviews(actor=request.user, query=query, theme=theme, request=request)
    return render(
        request,
        "reviews/review_search.html",
        {"form": form, "found": found, "query": query, "theme": theme},
    )


# --- opening a review, and the review page ------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(OPEN_REVIEW)
def review_create(request):
    form = OpenReviewForm(posted(request), chair=request.user)
    saved = save_form(
        request,
        form,
        lambda data: services.open_review(
            actor=request.user, request=request, **form.service_fields()
        ),
        done=lambda review: (
            f"{review} opened: {review.holds.count()} people's records are under legal hold"
        ),
        then=lambda review: review.get_absolute_url(),
    )
    return saved or render(request, "reviews/review_form.html", {"form": form})


def _tasks(review: Review) -> list[tuple]:
    """(task, overdue) for the review's clock."""
    today = timezone.localdate()
    return [
        (task, task.status == TaskStatus.OPEN and task.due_on < today)
        for task in selectors.review_tasks(review)
    ]


@require_GET
@requires(VIEW_REVIEW)
def review_detail(request, review: Review):
    actor = request.user
    manages = policy.can_manage_review(actor, review)
    is_open = review.status != ReviewStatus.CLOSED
    children = list(review.children.all())
    seen = policy.visible_among(actor, [c.pk for c in children])
    holds = list(review.holds.filter(released_at__isnull=True).select_related("person"))
    figures = selectors.monitoring(actor=actor, review=review, request=request)
    visible = set(
        selectors.actions_visible_to(actor)
        .filter(recommendation__review=review)
        .values_list("pk", flat=True)
    )
    recommendations = [
        (r, [a for a in r.actions.all() if a.pk in visible], RULES_BY_ID.get(r.rule_id))
        for r in selectors.recommendations_of(review)
    ]
    reports = [
        (report, policy.can_read_agency_report(actor, report), _report_overdue(report))
        for report in review.agency_reports.select_related("agency", "review")
    ]
    milestones = MilestoneForm(review=review)
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "children": [(c, c.pk in seen) for c in children],
            "panel": list(review.panel.select_related("practitioner__agency")),
            "holds": holds,
            "tasks": _tasks(review),
            "reports": reports,
            "recommendations": recommendations,
            "findings": list(review.findings.prefetch_related("themes")),
            "monitoring": figures,
            "chart": _chart(figures),
            "can_manage": manages,
            "is_open": is_open,
            "reads_chronology": policy.can_read_review_chronology(actor, review),
            "adds_entries": is_open and policy.can_add_review_entry(actor, review),
            "milestone_form": milestones if manages and is_open and milestones.remaining else None,
            "finding_form": FindingForm() if manages else None,
        },
    )


@require_GET
@requires(VIEW_REVIEW)
def review_board_report(request, review: Review):
    return _download(
        monitoring.board_report(
            actor=request.user, reviews=Review.objects.filter(pk=review.pk), request=request
        )
    )


def _review_page(request, review: Review, form, template: str, save, done, field_map=None):
    saved = save_form(
        request, form, save, done=done, then=review.get_absolute_url(), field_map=field_map
    )
    return saved or render(request, template, {"form": form, "review": review})


@require_http_methods(["GET", "POST"])
@requires(MANAGE_REVIEW)
def review_milestone(request, review: Review):
    form = MilestoneForm(posted(request), review=review)
    return _review_page(
        request,
        review,
        form,
        "reviews/review_milestone.html",
        lambda data: services.record_milestone(
            actor=request.user, review=review, request=request, **data
        ),
        "Recorded: the statutory clock has been updated",
    )


@require_http_methods(["GET", "POST"])
@requires(MANAGE_REVIEW)
def review_close(request, review: Review):
    return _review_page(
        request,
        review,
        CloseReviewForm(posted(request)),
        "reviews/review_close.html",
        lambda data: services.close_review(actor=request.user, review=review, request=request),
        "Review closed: its legal hold has been released",
    )


@require_http_methods(["GET", "POST"])
@requires(MANAGE_REVIEW)
def review_finding_create(request, review: Review):
    form = FindingForm(posted(request))
    return _review_page(
        request,
        review,
        form,
        "reviews/finding_form.html",
        lambda data: services.add_finding(
            actor=request.user, review=review, request=request, **form.service_fields()
        ),
        lambda finding: f"Finding {finding.number} added",
    )


@require_http_methods(["GET", "POST"])
@requires(MANAGE_REVIEW)
def review_reports_request(request, review: Review):
    form = RequestReportsForm(posted(request), review=review)
    return _review_page(
        request,
        review,
        form,
        "reviews/reports_request.html",
        lambda data: services.request_reports(
            actor=request.user, review=review, request=request, **form.service_fields()
        ),
        lambda reports: (
            f"{len(reports)} agencies asked for their management review: each has been sent "
            "a notice to acknowledge"
            if len(reports) != 1
            else f"{reports[0].agency.name} asked for its management review: it has been "
            "sent a notice to acknowledge"
        ),
    )


# --- the review chronology ----------------------------------------------------------------


@require_GET
@requires(READ_REVIEW_CHRONOLOGY)
def review_chronology(request, review: Review):
    chronology = selectors.review_chronology(actor=request.user, review=review, request=request)
    return render(
        request,
        "reviews/review_chronology.html",
        {
            "review": review,
            "chronology": chronology,
            "formats": exports.FORMATS,
            "adds_entries": review.status != ReviewStatus.CLOSED,
        },
    )


@require_GET
@requires(READ_REVIEW_CHRONOLOGY)
def review_chronology_export(request, review: Review, fmt: str):
    if fmt not in exports.FORMATS:
        raise Http404("No such format")
    return _download(
        selectors.export_review_chronology(
            actor=request.user, review=review, fmt=fmt, request=request
        )
    )


@require_http_methods(["GET", "POST"])
@requires(ADD_REVIEW_ENTRY)
def review_entry_create(request, review: Review):
    form = ReviewEntryForm(posted(request))
    then = (
        reverse("review-chronology", args=[review.pk])
        if policy.can_read_review_chronology(request.user, review)
        else review.get_absolute_url()
    )
    saved = save_form(
        request,
        form,
        lambda data: services.add_review_entry(
            actor=request.user, review=review, request=request, **form.wording()
        ),
        done="Added to the review chronology",
        then=then,
        field_map=ENTRY_FIELD_MAP,
    )
    return saved or render(request, "reviews/entry_form.html", {"form": form, "review": review})


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
            "overdue": _report_overdue(report),
            "can_submit": responds,
            "assure_form": AssureReportForm() if assures else None,
        },
    )


def _report_overdue(report: AgencyReport) -> bool:
    waiting = report.status in (ReportStatus.REQUESTED, ReportStatus.RETURNED)
    return waiting and report.due_on < timezone.localdate()


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


# --- recommendations ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(MANAGE_REVIEW)
def review_recommendation_create(request, review: Review):
    form = RecommendationForm(posted(request), review=review)
    return _review_page(
        request,
        review,
        form,
        "reviews/recommendation_form.html",
        lambda data: services.add_recommendations(
            actor=request.user, review=review, items=form.items(), request=request
        ),
        lambda saved: f"Recommendation {saved[0].number} added",
        field_map=RECOMMENDATION_FIELD_MAP,
    )


@require_http_methods(["GET", "POST"])
@requires(MANAGE_REVIEW)
def review_recommendation_extract(request, review: Review):
    """Two steps: upload the review document (nothing saved), then confirm, correct or
    leave out each recommendation it proposes; the proposals travel in the second form."""
    if request.method == "POST" and "count" in request.POST:
        form = ConfirmRecommendationsForm(request.POST, review=review)
        saved = save_form(
            request,
            form,
            lambda data: services.add_recommendations(
                actor=request.user,
                review=review,
                items=form.items(),
                extracted=True,
                request=request,
            ),
            done=lambda saved: (
                f"{len(saved)} recommendations saved from the review document: each agency "
                "addressed has been told"
            ),
            then=review.get_absolute_url(),
            field_map=form.field_map,
        )
        return saved or _confirm(request, review, form)
    upload = UploadReviewForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and upload.is_valid():
        try:
            proposals = selectors.recommendations_in_document(
                review=review, document=upload.cleaned_data["document"]
            )
        except ValidationError as error:
            upload.add_service_errors(error, field_map={"file": "document"})
        else:
            return _confirm(
                request, review, ConfirmRecommendationsForm(review=review, proposals=proposals)
            )
    return render(request, "reviews/recommendation_upload.html", {"form": upload, "review": review})


def _confirm(request, review: Review, form: ConfirmRecommendationsForm):
    return render(request, "reviews/recommendation_confirm.html", {"form": form, "review": review})


@require_GET
@requires(VIEW_RECOMMENDATION)
def review_recommendation(request, recommendation: Recommendation):
    actor = request.user
    review = recommendation.review
    is_open = review.status != ReviewStatus.CLOSED
    visible = selectors.actions_visible_to(actor).filter(recommendation=recommendation)
    adds = is_open and policy.can_respond_for(actor, recommendation.addressed_to_id)
    edits = policy.can_manage_review(actor, review)
    return render(
        request,
        "reviews/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "review": review,
            "themes": list(recommendation.themes.all()),
            "rule": RULES_BY_ID.get(recommendation.rule_id),
            "actions": list(visible.select_related("owner", "agency")),
            "action_form": ActionForm(agency=recommendation.addressed_to) if adds else None,
            "edit_form": EditRecommendationForm(
                initial=EditRecommendationForm.initial_for(recommendation)
            )
            if edits
            else None,
        },
    )


def _recommendation_page(request, recommendation, form, template: str, save, done, then=None):
    saved = save_form(
        request,
        form,
        save,
        done=done,
        then=then or reverse("review-recommendation", args=[recommendation.pk]),
    )
    return saved or render(
        request,
        template,
        {"form": form, "recommendation": recommendation, "review": recommendation.review},
    )


@require_http_methods(["GET", "POST"])
@requires(CHANGE_RECOMMENDATION)
def review_recommendation_edit(request, recommendation: Recommendation):
    form = EditRecommendationForm(
        posted(request), initial=EditRecommendationForm.initial_for(recommendation)
    )
    return _recommendation_page(
        request,
        recommendation,
        form,
        "reviews/recommendation_edit.html",
        lambda data: services.update_recommendation(
            actor=request.user,
            recommendation=recommendation,
            request=request,
            **form.service_fields(),
        ),
        f"Recommendation {recommendation.number} changed",
    )


@require_http_methods(["GET", "POST"])
@requires(ADD_ACTION)
def review_action_create(request, recommendation: Recommendation):
    form = ActionForm(posted(request), agency=recommendation.addressed_to)
    return _recommendation_page(
        request,
        recommendation,
        form,
        "reviews/action_form.html",
        lambda data: services.add_action(
            actor=request.user,
            recommendation=recommendation,
            request=request,
            **form.service_fields(),
        ),
        "Action added to your agency's plan",
        then=None,
    )


# --- actions ------------------------------------------------------------------------------


@require_GET
@requires(VIEW_ACTION)
def review_action(request, action: Action):
    actor = request.user
    review = action.recommendation.review
    responds = (
        policy.can_respond_for(actor, action.agency_id)
        and review.status != ReviewStatus.CLOSED
        and action.status not in (ActionStatus.EVIDENCED, ActionStatus.CLOSED)
    )
    manages = policy.can_manage_review(actor, review)
    return render(
        request,
        "reviews/action_detail.html",
        {
            "action": action,
            "recommendation": action.recommendation,
            "review": review,
            "updates": list(action.updates.select_related("by")),
            "evidence": list(action.evidence.select_related("uploaded_by")),
            "overdue": action.due_on < timezone.localdate()
            and action.status not in (ActionStatus.EVIDENCED, ActionStatus.CLOSED),
            "update_form": ActionUpdateForm(initial={"status": action.status, "rag": action.rag})
            if responds
            else None,
            "evidence_form": EvidenceForm() if responds else None,
            "decide_form": EvidenceDecisionForm()
            if manages and action.status == ActionStatus.AWAITING_EVIDENCE
            else None,
            "close_form": CloseActionForm()
            if manages and action.status == ActionStatus.EVIDENCED
            else None,
        },
    )


def _action_page(request, action: Action, form, template: str, save, done, field_map=None):
    saved = save_form(
        request, form, save, done=done, then=action.get_absolute_url(), field_map=field_map
    )
    return saved or render(
        request,
        template,
        {
            "form": form,
            "action": action,
            "recommendation": action.recommendation,
            "review": action.recommendation.review,
        },
    )


@require_http_methods(["GET", "POST"])
@requires(UPDATE_ACTION)
def review_action_update(request, action: Action):
    form = ActionUpdateForm(posted(request), initial={"status": action.status, "rag": action.rag})
    return _action_page(
        request,
        action,
        form,
        "reviews/action_update.html",
        lambda data: services.update_action(
            actor=request.user, action=action, request=request, **data
        ),
        lambda saved: (
            "Marked as done: the partnership has been asked to accept the evidence"
            if saved.status == ActionStatus.AWAITING_EVIDENCE
            else "Progress recorded"
        ),
    )


@require_http_methods(["GET", "POST"])
@requires(UPDATE_ACTION)
def review_action_evidence_add(request, action: Action):
    form = EvidenceForm(posted(request), request.FILES if request.method == "POST" else None)
    return _action_page(
        request,
        action,
        form,
        "reviews/action_evidence.html",
        lambda data: services.add_evidence(
            actor=request.user,
            action=action,
            files=data["documents"],
            note=data["note"],
            request=request,
        ),
        lambda saved: f"Evidence attached: {', '.join(e.original_name for e in saved)}",
        field_map=EVIDENCE_FIELD_MAP,
    )


@require_GET
@requires(VIEW_ACTION)
def review_action_evidence(request, action: Action, evidence_id):
    evidence = selectors.get_evidence(
        actor=request.user, action=action, evidence_id=evidence_id, request=request
    )
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@require_http_methods(["GET", "POST"])
@requires(DECIDE_ACTION)
def review_action_decide(request, action: Action):
    form = EvidenceDecisionForm(posted(request))
    return _action_page(
        request,
        action,
        form,
        "reviews/action_decide.html",
        lambda data: services.decide_evidence(
            actor=request.user, action=action, request=request, **form.service_fields()
        ),
        lambda saved: (
            "Evidence accepted: the action can be closed"
            if saved.status == ActionStatus.EVIDENCED
            else f"Evidence sent back: {saved.agency.name} has been told what is missing"
        ),
    )


@require_http_methods(["GET", "POST"])
@requires(DECIDE_ACTION)
def review_action_close(request, action: Action):
    form = CloseActionForm(posted(request))
    return _action_page(
        request,
        action,
        form,
        "reviews/action_close.html",
        lambda data: services.close_action(
            actor=request.user, action=action, request=request, **data
        ),
        "Action closed",
    )
