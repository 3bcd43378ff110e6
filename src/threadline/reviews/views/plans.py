"""Recommendations (typed in, or extracted from the review document and confirmed) and
the agencies' actions, through to the partnership closing them on evidence."""

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from threadline.sharing import policy
from threadline.sharing.routes import (
    ADD_ACTION,
    CHANGE_RECOMMENDATION,
    DECIDE_ACTION,
    MANAGE_REVIEW,
    UPDATE_ACTION,
    VIEW_ACTION,
    VIEW_RECOMMENDATION,
    requires,
)
from threadline.timescales.rules import RULES_BY_ID
from threadline.web.pages import posted, save_form

from .. import selectors, services
from ..forms import (
    EVIDENCE_FIELD_MAP,
    RECOMMENDATION_FIELD_MAP,
    ActionForm,
    ActionUpdateForm,
    CloseActionForm,
    ConfirmRecommendationsForm,
    EditRecommendationForm,
    EvidenceDecisionForm,
    EvidenceForm,
    RecommendationForm,
    UploadReviewForm,
)
from ..models import (
    Action,
    ActionStatus,
    Recommendation,
    Review,
    ReviewStatus,
)
from .common import review_page

# --- recommendations ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(MANAGE_REVIEW)
def review_recommendation_create(request, review: Review):
    form = RecommendationForm(posted(request), review=review)
    return review_page(
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
