"""The only writers of risk factors: recording, reviewing, and closing with a manager's
sign-off. Each validates, saves and writes the audit event in one transaction."""

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import AgencyType, Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.common.errors import add_error, invalid
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice
from threadline.people.models import Person
from threadline.sharing import policy
from threadline.sharing.models import AGENCY_CATEGORY, Confidentiality, InformationCategory
from threadline.timescales.models import EventKind
from threadline.timescales.services import note_event

from .models import TRANSITIONS, Factor, RiskFactor, RiskReview, RiskStatus


def _check_review_date(errors: dict, field: str, review_date: date | None) -> None:
    if review_date is None:
        add_error(errors, field, "Enter the date the risk will next be reviewed", "required")
    elif review_date < timezone.localdate():
        add_error(errors, field, "The review date must be today or in the future", "review_in_past")


@transaction.atomic
def record_risk(
    *,
    actor: Practitioner,
    subject: Person | str,
    factor: str,
    evidence: str,
    review_date: date | None,
    identified_on: date | None = None,
    category: str | None = None,
    confidentiality: str = Confidentiality.NORMAL,
    restricted_to: Sequence[Practitioner] = (),
    request=None,
) -> RiskFactor:
    """Record a risk the actor's agency knows about a person (child or adult) they may
    see, with a Children in Need census factor code and the evidence. The risk is the
    agency's information, of its category unless said otherwise. Problems:
    `unknown_person`, `unknown_factor`, `evidence_required`, `review_in_past`,
    `identified_in_future`, `not_a_practitioner`."""
    if actor.agency is None:
        raise invalid(
            None, "Administrators see no case data and do not record risks", "not_a_practitioner"
        )
    errors: dict = {}
    subject_id = getattr(subject, "pk", subject)
    try:
        seen = subject_id is not None and bool(policy.visible_among(actor, {subject_id}))
    except (ValidationError, ValueError):
        seen = False
    if not seen:
        add_error(errors, "subject", "There is no person with that id", "unknown_person")
    found = Factor.objects.filter(code=str(factor).strip().upper(), in_use=True).first()
    if found is None:
        add_error(
            errors,
            "factor",
            "Choose a factor from the Children in Need census list",
            "unknown_factor",
        )
    if not evidence.strip():
        add_error(
            errors, "evidence", "Enter the evidence: what is known and how", "evidence_required"
        )
    _check_review_date(errors, "review_date", review_date)
    today = timezone.localdate()
    identified_on = identified_on or today
    if identified_on > today:
        add_error(
            errors,
            "identified_on",
            "The date the risk was identified must be today or in the past",
            "identified_in_future",
        )
    category = category or AGENCY_CATEGORY[AgencyType(actor.agency.agency_type)]
    if category not in InformationCategory.values:
        add_error(errors, "category", "Choose an information category", "invalid_choice")
    named = list(restricted_to)
    if confidentiality not in Confidentiality.values:
        add_error(errors, "confidentiality", "Choose normal or restricted", "invalid_choice")
    elif named and confidentiality != Confidentiality.RESTRICTED:
        add_error(
            errors, "restricted_to", "Name people only for a restricted risk", "not_restricted"
        )
    if errors:
        raise ValidationError(errors)
    person = Person.objects.get(pk=subject_id)
    risk = RiskFactor(
        subject=person,
        factor=found,
        evidence=evidence.strip(),
        source_agency=actor.agency,
        recorded_by=actor,
        identified_on=identified_on,
        review_date=review_date,
        category=category,
        confidentiality=confidentiality,
    )
    risk.full_clean(exclude=["subject", "factor", "source_agency", "recorded_by"])
    risk.save()
    if confidentiality == Confidentiality.RESTRICTED:
        risk.restricted_to.set({*named, actor})  # the recorder always reads what they restricted
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=risk,
        child=person.as_child,
        summary=f"Recorded a risk about {person.full_name}: {found.code} {found.label}",
        request=request,
    )
    _review_due(risk, actor, "recorded")
    return risk


def _review_due(risk: RiskFactor, actor: Practitioner, why: str) -> None:
    """The clock's task to review the risk by its review date."""
    note_event(
        key=f"risk:{risk.pk}:review-due:{why}",
        child=risk.subject,
        kind=EventKind.RISK_REVIEW_SET,
        occurred_at=timezone.now(),
        recorded_by=actor,
        risk_id=risk.pk,
        review_date=risk.review_date,
    )


def _reviewed(risk: RiskFactor, actor: Practitioner, review: RiskReview) -> None:
    note_event(
        key=f"risk:{risk.pk}:reviewed:{review.pk}",
        child=risk.subject,
        kind=EventKind.RISK_REVIEWED,
        occurred_at=timezone.now(),
        recorded_by=actor,
        risk_id=risk.pk,
    )


def _locked(actor: Practitioner, risk: RiskFactor) -> RiskFactor:
    """The risk, locked for a change by its own agency."""
    if not policy.can_change_risk(actor, risk):
        raise invalid(
            None,
            f"Only {risk.source_agency.name} reviews or closes its risks: ask them to",
            "not_your_agency",
        )
    return (
        RiskFactor.objects.select_for_update().select_related("subject", "factor").get(pk=risk.pk)
    )


def _move(risk: RiskFactor, status: str) -> None:
    if status != risk.status and status not in TRANSITIONS[RiskStatus(risk.status)]:
        raise invalid(
            "status",
            f"A {risk.get_status_display().lower()} risk cannot become "
            f"{RiskStatus(status).label.lower()}",
            "invalid_transition",
        )
    risk.status = status


@transaction.atomic
def review_risk(
    *,
    actor: Practitioner,
    risk: RiskFactor,
    notes: str,
    next_review_date: date | None,
    status: str = RiskStatus.ACTIVE,
    request=None,
) -> RiskReview:
    """Record a review of an open risk by its agency: what was found, whether it stays
    active or is under review, and when it is next reviewed. A review that keeps the
    risk active turns down a closure waiting for sign-off."""
    risk = _locked(actor, risk)
    errors: dict = {}
    if not notes.strip():
        add_error(errors, "notes", "Enter what the review found", "notes_required")
    _check_review_date(errors, "next_review_date", next_review_date)
    if status not in (RiskStatus.ACTIVE, RiskStatus.UNDER_REVIEW):
        add_error(
            errors, "status", "A review keeps the risk active or under review", "invalid_choice"
        )
    if errors:
        raise ValidationError(errors)
    _move(risk, status)
    today = timezone.localdate()
    if status == RiskStatus.ACTIVE:
        risk.closure_requested_by = None
        risk.closure_rationale = ""
    risk.review_date = next_review_date
    risk.last_reviewed_on = today
    risk.save()
    review = RiskReview.objects.create(
        risk=risk,
        reviewed_by=actor,
        reviewed_on=today,
        notes=notes.strip(),
        status=status,
        next_review_date=next_review_date,
    )
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=risk,
        child=risk.subject.as_child,
        summary=f"Reviewed a risk about {risk.subject.full_name}: {risk.get_status_display()}",
        request=request,
    )
    _reviewed(risk, actor, review)
    _review_due(risk, actor, str(review.pk))
    return review


def _close(actor: Practitioner, risk: RiskFactor, request) -> RiskFactor:
    risk.status = RiskStatus.CLOSED
    risk.closure_signed_off_by = actor
    risk.closed_on = max(timezone.localdate(), risk.identified_on)
    risk.full_clean(exclude=["subject", "factor", "source_agency", "recorded_by"])
    risk.save()
    review = RiskReview.objects.create(
        risk=risk,
        reviewed_by=actor,
        reviewed_on=risk.closed_on,
        notes=f"Closed: {risk.closure_rationale}",
        status=RiskStatus.CLOSED,
    )
    _reviewed(risk, actor, review)
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=risk,
        child=risk.subject.as_child,
        summary=f"Closed a risk about {risk.subject.full_name}, signed off by {actor}",
        request=request,
    )
    return risk


@transaction.atomic
def close_risk(
    *, actor: Practitioner, risk: RiskFactor, rationale: str, request=None
) -> RiskFactor:
    """Close a risk, with the rationale. A team manager or safeguarding lead of the
    agency closes it at once (their sign-off); anyone else's closure waits, under review,
    for one of them to sign it off (`sign_off_closure`), and they are told."""
    risk = _locked(actor, risk)
    if not rationale.strip():
        raise invalid("rationale", "Enter why the risk can be closed", "rationale_required")
    if risk.awaits_sign_off:
        raise invalid("status", "This closure is already waiting for sign-off", "awaiting_sign_off")
    _move(risk, RiskStatus.CLOSED)
    risk.closure_rationale = rationale.strip()
    risk.closure_requested_by = actor
    if policy.can_sign_off_risks(actor):
        return _close(actor, risk, request)
    risk.status = RiskStatus.UNDER_REVIEW
    risk.save()
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=risk,
        child=risk.subject.as_child,
        summary=f"Asked to close a risk about {risk.subject.full_name}",
        request=request,
    )
    signers = Practitioner.objects.filter(
        agency_id=risk.source_agency_id, role__in=policy.RISK_SIGN_OFF_ROLES, is_active=True
    )
    send_notice(
        notice_type=NoticeType.ALERT,
        title=f"Sign off the closure of a risk about {risk.subject.full_name}",
        body=f"{actor} asks to close the risk “{risk.factor.label}” about "
        f"{risk.subject.full_name}. Their rationale: {risk.closure_rationale}",
        child=risk.subject.as_child,
        sender=actor,
        link=risk.get_absolute_url(),
        practitioners=list(signers),
        agencies=[] if signers else [risk.source_agency],
    )
    return risk


@transaction.atomic
def sign_off_closure(*, actor: Practitioner, risk: RiskFactor, request=None) -> RiskFactor:
    """A team manager or safeguarding lead of the agency signs off a closure someone
    asked for: the risk closes, and stays in the history."""
    risk = _locked(actor, risk)
    if not policy.can_sign_off_risks(actor):
        raise invalid(
            None,
            "Only a team manager or safeguarding lead signs off the closure of a risk",
            "sign_off_needs_manager",
        )
    if not risk.awaits_sign_off:
        raise invalid(None, "Nobody has asked to close this risk", "no_closure_to_sign_off")
    return _close(actor, risk, request)
