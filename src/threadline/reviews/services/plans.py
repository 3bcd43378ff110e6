"""Findings, recommendations (typed in or extracted and confirmed) and every agency's
action plan, closed by the partnership only on accepted evidence."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import Agency, Practitioner
from threadline.audit.models import AuditAction
from threadline.common.documents import check_documents
from threadline.common.errors import add_error, invalid
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice, send_to_safeguarding
from threadline.timescales.rules import RULES_BY_ID

from ..models import (
    AGENCY_STATUSES,
    Action,
    ActionStatus,
    ActionUpdate,
    Evidence,
    Finding,
    Rag,
    Recommendation,
    Review,
    ReviewStatus,
    Theme,
)
from .checks import (
    audit,
    require_manager,
    require_responder,
    required_text,
)

MAX_EVIDENCE_FILES = 10


# --- findings and recommendations -------------------------------------------------------


def _themes(names: Sequence[str]) -> list[Theme]:
    """The themes named (matched case-insensitively), made when new."""
    themes = []
    for name in dict.fromkeys(n.strip()[:80] for n in names if n.strip()):
        theme = Theme.objects.filter(name__iexact=name).first()
        themes.append(theme or Theme.objects.create(name=name))
    return themes


@dataclass
class ProposedRecommendation:
    """A recommendation to save: typed in, or extracted and confirmed."""

    number: int | None
    text: str
    addressed_to: Agency | None = None  # None: the partnership running the review
    themes: list[str] = field(default_factory=list)
    rule_id: str = ""


def _check_rule(errors: dict, name: str, rule_id: str) -> None:
    if rule_id and rule_id not in RULES_BY_ID:
        add_error(errors, name, f"There is no rule {rule_id!r} in the catalogue", "unknown_rule")


@transaction.atomic
def add_recommendations(
    *,
    actor: Practitioner,
    review: Review,
    items: Sequence[ProposedRecommendation],
    extracted: bool = False,
    request=None,
) -> list[Recommendation]:
    """Save recommendations, all or none; problems are keyed by the item's index
    (`items.<i>.number`). Each agency addressed is told. Problems: `not_allowed`,
    `required`, `invalid_number`, `duplicate_number`, `unknown_rule`, `max_length`,
    `review_closed`, `items_required`."""
    require_manager(actor, review)
    errors: dict = {}
    if review.status == ReviewStatus.CLOSED:
        add_error(errors, None, "The review is closed", "review_closed")
    if not items:
        add_error(errors, None, "There are no recommendations to save", "items_required")
    taken = set(review.recommendations.values_list("number", flat=True))
    for i, item in enumerate(items):
        where = f"items.{i}"
        if item.number is None or item.number < 1 or item.number > 999:
            add_error(errors, f"{where}.number", "Enter a number from 1 to 999", "invalid_number")
        elif item.number in taken:
            add_error(
                errors,
                f"{where}.number",
                f"Recommendation {item.number} already exists in this review",
                "duplicate_number",
            )
        else:
            taken.add(item.number)
        item.text = required_text(errors, f"{where}.text", item.text, "Enter the recommendation")
        _check_rule(errors, f"{where}.rule_id", item.rule_id)
    if errors:
        raise ValidationError(errors)
    saved = []
    for item in items:
        recommendation = Recommendation.objects.create(
            review=review,
            number=item.number,
            text=item.text,
            addressed_to=item.addressed_to or review.partnership,
            rule_id=item.rule_id,
            extracted=extracted,
            created_by=actor,
        )
        recommendation.themes.set(_themes(item.themes))
        saved.append(recommendation)
    for agency in {r.addressed_to for r in saved} - {review.partnership}:
        numbers = ", ".join(str(r.number) for r in saved if r.addressed_to == agency)
        send_to_safeguarding(
            agency,
            notice_type=NoticeType.CASE_REVIEW,
            title=f"Recommendations for your agency: {review}",
            body=f"{review} makes recommendations to {agency.name} ({numbers}). Please add "
            "your action plan: specific actions, each with an owner, a due date and how "
            "you will know it worked.",
            sender=actor,
            link=review.get_absolute_url(),
        )
    how = "extracted from the review document" if extracted else "typed in"
    audit(actor, AuditAction.CREATE, review, f"Added {len(saved)} recommendations ({how})", request)
    return saved


@transaction.atomic
def update_recommendation(
    *,
    actor: Practitioner,
    recommendation: Recommendation,
    text: str | None = None,
    themes: Sequence[str] | None = None,
    rule_id: str | None = None,
    request=None,
) -> Recommendation:
    """Correct the wording, tag themes, or link the clock rule the recommendation
    created (closing the loop: the rule catalogue shows it). Problems: `not_allowed`,
    `required`, `unknown_rule`."""
    require_manager(actor, recommendation.review)
    errors: dict = {}
    if text is not None:
        text = required_text(errors, "text", text, "Enter the recommendation")
    if rule_id is not None:
        _check_rule(errors, "rule_id", rule_id)
    if errors:
        raise ValidationError(errors)
    if text is not None:
        recommendation.text = text
    if rule_id is not None:
        recommendation.rule_id = rule_id
    recommendation.save()
    if themes is not None:
        recommendation.themes.set(_themes(themes))
    audit(
        actor,
        AuditAction.UPDATE,
        recommendation.review,
        f"Changed recommendation {recommendation.number}",
        request,
    )
    return recommendation


@transaction.atomic
def add_finding(
    *,
    actor: Practitioner,
    review: Review,
    text: str,
    themes: Sequence[str] = (),
    request=None,
) -> Finding:
    """A finding of the review, numbered in turn, with its themes. Problems:
    `not_allowed`, `required`."""
    require_manager(actor, review)
    errors: dict = {}
    text = required_text(errors, "text", text, "Enter the finding")
    if errors:
        raise ValidationError(errors)
    last = review.findings.order_by("-number").values_list("number", flat=True).first() or 0
    finding = Finding.objects.create(review=review, number=last + 1, text=text)
    finding.themes.set(_themes(themes))
    audit(actor, AuditAction.CREATE, review, f"Added finding {finding.number}", request)
    return finding


# --- action plans -------------------------------------------------------------------


def _update(action: Action, actor: Practitioner, note: str = "") -> None:
    ActionUpdate.objects.create(
        action=action, status=action.status, rag=action.rag, note=note, by=actor
    )


@transaction.atomic
def add_action(
    *,
    actor: Practitioner,
    recommendation: Recommendation,
    description: str,
    owner: Practitioner | None,
    due_on: dt.date | None,
    measure_of_success: str,
    request=None,
) -> Action:
    """One specific action in the agency's plan for a recommendation addressed to it.
    Problems: `not_your_agency`, `required`, `owner_required`, `owner_not_in_agency`,
    `date_required`, `due_before_created`, `review_closed`."""
    require_responder(actor, recommendation.addressed_to_id)
    errors: dict = {}
    if recommendation.review.status == ReviewStatus.CLOSED:
        add_error(errors, None, "The review is closed", "review_closed")
    description = required_text(errors, "description", description, "Describe the action")
    measure = required_text(
        errors, "measure_of_success", measure_of_success, "Say how you will know it worked"
    )
    if owner is None:
        add_error(errors, "owner", "Choose who owns the action", "owner_required")
    elif owner.agency_id != recommendation.addressed_to_id or not owner.is_active:
        add_error(
            errors,
            "owner",
            "The owner must work for the agency the action is for",
            "owner_not_in_agency",
        )
    if due_on is None:
        add_error(errors, "due_on", "Enter the due date", "date_required")
    elif due_on < timezone.localdate():
        add_error(
            errors,
            "due_on",
            "The due date cannot be before the action is created (today)",
            "due_before_created",
        )
    if errors:
        raise ValidationError(errors)
    action = Action.objects.create(
        recommendation=recommendation,
        agency_id=recommendation.addressed_to_id,
        description=description,
        owner=owner,
        due_on=due_on,
        measure_of_success=measure,
        created_by=actor,
    )
    _update(action, actor, "Action added")
    audit(
        actor,
        AuditAction.CREATE,
        recommendation.review,
        f"Added an action for recommendation {recommendation.number}: {description[:80]}",
        request,
    )
    return action


def _check_open(errors: dict, action: Action) -> None:
    if action.status in (ActionStatus.EVIDENCED, ActionStatus.CLOSED):
        add_error(
            errors,
            None,
            f"The action is {action.get_status_display().lower()}: the partnership has it",
            "action_closed",
        )


@transaction.atomic
def update_action(
    *,
    actor: Practitioner,
    action: Action,
    status: str,
    rag: str,
    note: str = "",
    request=None,
) -> Action:
    """The agency's progress: status (up to "done — awaiting evidence", which needs
    evidence attached) and RAG rating, kept as history. Problems: `not_your_agency`,
    `invalid_choice`, `evidence_required`, `action_closed`."""
    require_responder(actor, action.agency_id)
    errors: dict = {}
    _check_open(errors, action)
    if status not in AGENCY_STATUSES:
        add_error(errors, "status", "Choose the action's status", "invalid_choice")
    if rag not in Rag.values:
        add_error(errors, "rag", "Choose a RAG rating", "invalid_choice")
    if status == ActionStatus.AWAITING_EVIDENCE and not action.evidence.exists():
        add_error(
            errors,
            "status",
            "Attach evidence before marking the action as done",
            "evidence_required",
        )
    if errors:
        raise ValidationError(errors)
    action.status, action.rag = status, rag
    action.save(update_fields=["status", "rag", "updated_at"])
    _update(action, actor, note.strip())
    if status == ActionStatus.AWAITING_EVIDENCE:
        review = action.recommendation.review
        send_notice(
            notice_type=NoticeType.CASE_REVIEW,
            title=f"Evidence to accept: {action.agency.name}, {review}",
            body=f"{action.agency.name} says an action for recommendation "
            f"{action.recommendation.number} of {review} is done: {action.description}",
            sender=actor,
            agencies=[review.partnership],
            link=action.get_absolute_url(),
        )
    audit(
        actor,
        AuditAction.UPDATE,
        action.recommendation.review,
        f"Action now {action.get_status_display().lower()} ({action.get_rag_display()})",
        request,
    )
    return action


@transaction.atomic
def add_evidence(
    *, actor: Practitioner, action: Action, files: Sequence[File], note: str = "", request=None
) -> list[Evidence]:
    """Documents that show the action is done. Problems: `not_your_agency`,
    `evidence_required` (no file), the document checks', `action_closed`."""
    require_responder(actor, action.agency_id)
    errors: dict = {}
    _check_open(errors, action)
    if not files:
        add_error(errors, "files", "Attach the evidence", "evidence_required")
    checked = check_documents(errors, list(files), field="files", max_files=MAX_EVIDENCE_FILES)
    if errors:
        raise ValidationError(errors)
    saved = []
    for document in checked:
        evidence = Evidence(
            action=action,
            original_name=document.name,
            content_type=document.content_type,
            size=document.size,
            note=note.strip(),
            uploaded_by=actor,
        )
        document.store(evidence.file)
        evidence.save()
        saved.append(evidence)
    audit(
        actor,
        AuditAction.CREATE,
        action.recommendation.review,
        f"Attached evidence to an action: {', '.join(e.original_name for e in saved)}",
        request,
    )
    return saved


@transaction.atomic
def decide_evidence(
    *, actor: Practitioner, action: Action, accept: bool, note: str = "", request=None
) -> Action:
    """The partnership accepts the evidence (the action is evidenced) or sends it back
    with what is missing (in progress again, the agency told). Problems: `not_allowed`,
    `not_awaiting_evidence`, `evidence_required`, `required`."""
    review = action.recommendation.review
    require_manager(actor, review)
    errors: dict = {}
    if action.status != ActionStatus.AWAITING_EVIDENCE:
        add_error(
            errors, None, "The agency has not marked this action as done", "not_awaiting_evidence"
        )
    if not action.evidence.exists():
        add_error(errors, None, "There is no evidence to accept", "evidence_required")
    note = note.strip()
    if not accept and not note:
        add_error(errors, "note", "Say what evidence is missing", "required")
    if errors:
        raise ValidationError(errors)
    if accept:
        action.status = ActionStatus.EVIDENCED
        action.evidence_accepted_by, action.evidence_accepted_at = actor, timezone.now()
    else:
        action.status = ActionStatus.IN_PROGRESS
        send_to_safeguarding(
            action.agency,
            notice_type=NoticeType.CASE_REVIEW,
            title=f"Evidence not accepted: {review}",
            body=f"{review.partnership.name} did not accept the evidence for "
            f"'{action.description[:120]}': {note}",
            sender=actor,
            link=action.get_absolute_url(),
        )
    action.save()
    _update(action, actor, note or "Evidence accepted")
    verdict = "Accepted" if accept else "Did not accept"
    audit(actor, AuditAction.UPDATE, review, f"{verdict} the evidence for an action", request)
    return action


@transaction.atomic
def close_action(*, actor: Practitioner, action: Action, note: str = "", request=None) -> Action:
    """Only the partnership closes an action, and only once it has accepted the
    evidence. Problems: `not_allowed`, `evidence_required`, `evidence_not_accepted`,
    `action_closed`."""
    review = action.recommendation.review
    require_manager(actor, review)
    if action.status == ActionStatus.CLOSED:
        raise invalid(None, "The action is already closed", "action_closed")
    if not action.evidence.exists():
        raise invalid(
            None, "An action cannot be closed without evidence that it is done", "evidence_required"
        )
    if action.status != ActionStatus.EVIDENCED:
        raise invalid(
            None, "Accept the action's evidence before closing it", "evidence_not_accepted"
        )
    action.status, action.closed_by, action.closed_at = ActionStatus.CLOSED, actor, timezone.now()
    action.save()
    _update(action, actor, note.strip() or "Closed")
    audit(
        actor, AuditAction.UPDATE, review, f"Closed an action: {action.description[:80]}", request
    )
    return action
