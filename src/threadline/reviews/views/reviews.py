"""The case reviews' list, monitoring and search; opening a review and its page;
its milestones, findings, report requests and chronology."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from threadline.chronology import exports
from threadline.chronology.forms import FIELD_MAP as ENTRY_FIELD_MAP
from threadline.sharing import policy
from threadline.sharing.routes import (
    ADD_REVIEW_ENTRY,
    MANAGE_REVIEW,
    OPEN_REVIEW,
    READ_REVIEW_CHRONOLOGY,
    SIGNED_IN,
    VIEW_REVIEW,
    requires,
)
from threadline.timescales.models import TaskStatus
from threadline.timescales.rules import RULES_BY_ID
from threadline.web.pages import posted, save_form

from .. import monitoring, selectors, services
from ..forms import (
    CloseReviewForm,
    FindingForm,
    MilestoneForm,
    OpenReviewForm,
    RequestReportsForm,
    ReviewEntryForm,
    SearchForm,
)
from ..models import (
    ActionStatus,
    Review,
    ReviewStatus,
)
from .common import chart, download, report_overdue, review_page

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
            "chart": chart(figures),
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
    return download(
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
        (report, policy.can_read_agency_report(actor, report), report_overdue(report))
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
            "chart": chart(figures),
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
    return download(
        monitoring.board_report(
            actor=request.user, reviews=Review.objects.filter(pk=review.pk), request=request
        )
    )


@require_http_methods(["GET", "POST"])
@requires(MANAGE_REVIEW)
def review_milestone(request, review: Review):
    form = MilestoneForm(posted(request), review=review)
    return review_page(
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
    return review_page(
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
    return review_page(
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
    return review_page(
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
    return download(
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
