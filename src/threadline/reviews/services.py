"""The only writers of case reviews: opening one (with its legal hold and the statutory
clock's events), its milestones, agencies' management reports, the review chronology's
own entries, findings and recommendations, and every agency's action plan through to
the partnership closing each action on evidence. Each checks everything first and saves
nothing if anything is wrong; each writes its audit event in the same transaction."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import Agency, Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.chronology.models import DatePrecision, EntryCategory, Significance
from threadline.chronology.services import event_moment
from threadline.common.documents import check_documents
from threadline.common.errors import add_error, invalid
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice, send_to_safeguarding
from threadline.people.models import Person, Residence
from threadline.sharing import policy
from threadline.timescales.models import EventKind
from threadline.timescales.rules import RULES_BY_ID
from threadline.timescales.services import note_event

from .models import (
    AGENCY_STATUSES,
    Action,
    ActionStatus,
    ActionUpdate,
    AgencyReport,
    Evidence,
    Finding,
    LegalHold,
    PanelMember,
    Rag,
    Recommendation,
    ReportStatus,
    Review,
    ReviewEntry,
    ReviewStatus,
    ReviewType,
    Theme,
)

TEXT_MAX = 20_000
MAX_EVIDENCE_FILES = 10


class Milestone:
    """A review's dates after opening, each the clock event that closes its task."""

    NOTIFIED = "notified"
    RAPID_REVIEW_COMPLETED = "rapid_review_completed"
    LCSPR_DECIDED = "lcspr_decided"
    PUBLISHED = "published"


MILESTONES = {
    Milestone.NOTIFIED: ("notified_on", EventKind.SERIOUS_INCIDENT_NOTIFIED),
    Milestone.RAPID_REVIEW_COMPLETED: (
        "rapid_review_completed_on",
        EventKind.RAPID_REVIEW_COMPLETED,
    ),
    Milestone.LCSPR_DECIDED: ("lcspr_decided_on", EventKind.LCSPR_DECIDED),
    Milestone.PUBLISHED: ("published_on", EventKind.REVIEW_PUBLISHED),
}
# The dates of a review in the order they happen: each no earlier than the one before.
DATE_ORDER = ("incident_on", "aware_on", "notified_on", "rapid_review_completed_on")


def _require_manager(actor: Practitioner, review: Review | None = None) -> None:
    allowed = (
        policy.can_open_review(actor) if review is None else policy.can_manage_review(actor, review)
    )
    if not allowed:
        raise invalid(
            None, "Only the safeguarding partnership's officers do this for a review", "not_allowed"
        )


def _require_responder(actor: Practitioner, agency_id) -> None:
    if not policy.can_respond_for(actor, agency_id):
        raise invalid(
            None,
            "Only the agency's safeguarding leads and team managers respond for it",
            "not_your_agency",
        )


def _required_text(errors: dict, name: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        add_error(errors, name, message, "required")
    elif len(value) > TEXT_MAX:
        add_error(errors, name, f"Keep this to {TEXT_MAX:,} characters or fewer", "max_length")
    return value


def _not_future(errors: dict, name: str, day: dt.date | None, what: str) -> None:
    if day is not None and day > timezone.localdate():
        add_error(errors, name, f"{what} must be today or in the past", "date_in_future")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _audit(actor, action, target, summary: str, request=None, child=None) -> None:
    record_event(
        actor=actor, action=action, target=target, child=child, summary=summary, request=request
    )


# --- opening and milestones -------------------------------------------------------------


def household_in_scope(children: Sequence[Person], start: dt.date, end: dt.date) -> dict:
    """Person → why they are held: the subject children, and everyone recorded as living
    at one of their addresses at the same time as them within the scope period."""
    held = {child: "Subject child" for child in children}
    stays = Residence.objects.filter(person__in=children, from_date__lte=end).exclude(
        to_date__lt=start
    )
    for stay in stays.select_related("person"):
        begins, ends = max(stay.from_date, start), min(stay.to_date or end, end)
        others = (
            Residence.objects.filter(address_id=stay.address_id, from_date__lte=ends)
            .exclude(to_date__lt=begins)
            .exclude(person__in=children)
            .select_related("person")
        )
        for other in others:
            held.setdefault(other.person, f"Household of {stay.person.full_name}")
    return held


@transaction.atomic
def open_review(
    *,
    actor: Practitioner,
    title: str,
    review_type: str,
    incident_summary: str,
    incident_on: dt.date | None,
    aware_on: dt.date | None,
    children: Sequence[Person],
    scope_from: dt.date | None,
    scope_to: dt.date | None,
    notified_on: dt.date | None = None,
    terms_of_reference: Sequence[str] = (),
    independent_reviewer: str = "",
    panel: Sequence[tuple[Practitioner, str]] = (),
    request=None,
) -> Review:
    """Open a review for the actor's partnership: its subject children (found by the
    partnership outside need-to-know: a review is a statutory duty), scope, terms of
    reference and panel. Places a legal hold on the subject children and their
    households within scope, and notes the clock's events (notification within five
    working days of awareness, rapid review within 15). Problems: `not_allowed`,
    `required`, `invalid_choice`, `children_required`, `not_a_child`, `date_required`,
    `date_in_future`, `dates_out_of_order`, `scope_out_of_order`, `max_length`."""
    _require_manager(actor)
    errors: dict = {}
    title = _required_text(errors, "title", title, "Enter how the review names the child")
    if len(title) > 120:
        add_error(errors, "title", "Keep the title to 120 characters or fewer", "max_length")
    if review_type not in ReviewType.values:
        add_error(errors, "review_type", "Choose the kind of review", "invalid_choice")
    incident_summary = _required_text(
        errors, "incident_summary", incident_summary, "Describe the serious incident"
    )
    subjects = list(dict.fromkeys(children))
    if not subjects:
        add_error(errors, "children", "Enter the children the review is about", "children_required")
    for child in subjects:
        if not child.is_child:
            add_error(errors, "children", f"{child.full_name} is not a child", "not_a_child")
    dates = {
        "incident_on": incident_on,
        "aware_on": aware_on,
        "notified_on": notified_on,
        "scope_from": scope_from,
        "scope_to": scope_to,
    }
    labels = {
        "incident_on": "The date of the incident",
        "aware_on": "The date the local authority became aware",
        "notified_on": "The date of notification",
        "scope_from": "The start of the scope period",
        "scope_to": "The end of the scope period",
    }
    for name, day in dates.items():
        if day is None and name != "notified_on":
            add_error(
                errors, name, f"Enter {labels[name][0].lower()}{labels[name][1:]}", "date_required"
            )
        _not_future(errors, name, day, labels[name])
    _check_order(errors, dates)
    if scope_from and scope_to and scope_to < scope_from:
        add_error(
            errors, "scope_to", "The scope period must end after it starts", "scope_out_of_order"
        )
    questions = [q.strip() for q in terms_of_reference if q.strip()]
    if errors:
        raise ValidationError(errors)
    review = Review.objects.create(
        title=title,
        review_type=review_type,
        partnership=actor.agency,
        incident_summary=incident_summary,
        incident_on=incident_on,
        aware_on=aware_on,
        notified_on=notified_on,
        scope_from=scope_from,
        scope_to=scope_to,
        terms_of_reference=questions,
        independent_reviewer=independent_reviewer.strip()[:200],
        clock_child=subjects[0],
        opened_by=actor,
    )
    review.children.set(subjects)
    PanelMember.objects.bulk_create(
        [
            PanelMember(review=review, practitioner=member, role=role)
            for member, role in dict(panel).items()
        ]
    )
    held = household_in_scope(subjects, scope_from, scope_to)
    LegalHold.objects.bulk_create(
        [LegalHold(review=review, person=person, reason=why) for person, why in held.items()]
    )
    if review_type != ReviewType.SCR:
        _note(review, EventKind.SERIOUS_INCIDENT_AWARE, aware_on, actor)
        if notified_on:
            _note(review, EventKind.SERIOUS_INCIDENT_NOTIFIED, notified_on, actor)
    _audit(
        actor,
        AuditAction.CREATE,
        review,
        f"Opened {review} about {', '.join(c.full_name for c in subjects)}; legal hold on "
        f"{len(held)} people's records",
        request,
        child=subjects[0],
    )
    return review


def _check_order(errors: dict, dates: dict) -> None:
    known = [(name, dates[name]) for name in DATE_ORDER if dates.get(name)]
    for (before, earlier), (name, later) in zip(known, known[1:], strict=False):
        if later < earlier:
            add_error(
                errors,
                name,
                f"This date cannot be before the {before.removesuffix('_on').replace('_', ' ')} "
                f"date ({earlier:%-d %B %Y})",
                "dates_out_of_order",
            )


def _note(review: Review, kind: str, day: dt.date, actor: Practitioner) -> None:
    note_event(
        key=f"{review.clock_key}{kind}",
        child=review.clock_child,
        kind=kind,
        occurred_at=day,
        recorded_by=actor,
        review_id=review.pk,
        partnership_id=review.partnership_id,
    )


@transaction.atomic
def record_milestone(
    *, actor: Practitioner, review: Review, milestone: str, on: dt.date | None, request=None
) -> Review:
    """Record the notification, the rapid review's completion, the decision to hold a
    local practice review (a rapid review becomes one) or publication, and note it for
    the clock. Problems: `not_allowed`, `invalid_choice`, `date_required`,
    `date_in_future`, `dates_out_of_order`, `already_recorded`, `review_closed`."""
    _require_manager(actor, review)
    errors: dict = {}
    if review.status == ReviewStatus.CLOSED:
        add_error(errors, None, "The review is closed", "review_closed")
    if milestone not in MILESTONES:
        add_error(errors, "milestone", "Choose what happened", "invalid_choice")
        raise ValidationError(errors)
    date_field, kind = MILESTONES[milestone]
    if on is None:
        add_error(errors, "on", "Enter the date", "date_required")
    _not_future(errors, "on", on, "The date")
    if getattr(review, date_field):
        add_error(errors, "milestone", "This has already been recorded", "already_recorded")
    if on:
        dates = {name: getattr(review, name) for name in DATE_ORDER} | {date_field: on}
        if on < review.aware_on:
            add_error(
                errors,
                "on",
                f"This date cannot be before the local authority became aware "
                f"({review.aware_on:%-d %B %Y})",
                "dates_out_of_order",
            )
        else:
            order: dict = {}
            _check_order(order, dates)
            if order:
                errors.setdefault("on", []).extend(sum(order.values(), []))
    if errors:
        raise ValidationError(errors)
    setattr(review, date_field, on)
    if milestone == Milestone.LCSPR_DECIDED:
        review.review_type = ReviewType.LCSPR
    if milestone == Milestone.PUBLISHED:
        review.status = ReviewStatus.PUBLISHED
    review.save()
    if review.review_type != ReviewType.SCR:
        _note(review, kind, on, actor)
    _audit(
        actor, AuditAction.UPDATE, review, f"Recorded {kind.label.lower()} for {review}", request
    )
    return review


@transaction.atomic
def close_review(*, actor: Practitioner, review: Review, request=None) -> Review:
    """Close a review once every action is closed; its legal hold ends. Problems:
    `not_allowed`, `review_closed`, `actions_open`."""
    _require_manager(actor, review)
    if review.status == ReviewStatus.CLOSED:
        raise invalid(None, "The review is already closed", "review_closed")
    open_actions = Action.objects.filter(recommendation__review=review).exclude(
        status=ActionStatus.CLOSED
    )
    if open_actions.exists():
        raise invalid(
            None,
            f"{_count(open_actions.count(), 'action is', 'actions are')} not closed yet: "
            "the review stays open "
            "until the board has seen evidence for every one",
            "actions_open",
        )
    now = timezone.now()
    review.status, review.closed_on = ReviewStatus.CLOSED, timezone.localdate(now)
    review.save(update_fields=["status", "closed_on", "updated_at"])
    released = review.holds.filter(released_at__isnull=True).update(released_at=now)
    _audit(
        actor,
        AuditAction.UPDATE,
        review,
        f"Closed {review}; released {released} legal holds",
        request,
    )
    return review


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
    _require_manager(actor, review)
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
    _audit(
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
    _require_responder(actor, report.agency_id)
    errors: dict = {}
    if report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
        add_error(
            errors, None, "The report has been submitted and is with the panel", "already_submitted"
        )
    summary = {
        "what_was_known": _required_text(
            errors, "what_was_known", what_was_known, "Say what your agency knew"
        ),
        "when_known": _required_text(errors, "when_known", when_known, "Say when it knew"),
        "what_was_done": _required_text(
            errors, "what_was_done", what_was_done, "Say what your agency did"
        ),
        "what_differently": _required_text(
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
    _audit(actor, AuditAction.CREATE, review, f"Submitted {report.agency.name}'s report", request)
    return report


@transaction.atomic
def assure_report(
    *, actor: Practitioner, report: AgencyReport, accept: bool, note: str = "", request=None
) -> AgencyReport:
    """The panel's quality assurance: accept the report, or return it with what is
    missing (a notice to the agency). Problems: `not_allowed`, `not_submitted`,
    `required` (the note, when returning)."""
    _require_manager(actor, report.review)
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
    _audit(
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
    summary = _required_text(errors, "summary", summary, "Enter a summary of the event")
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
    _audit(actor, AuditAction.CREATE, review, f"Added to the review chronology: {summary}", request)
    return entry


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
    _require_manager(actor, review)
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
        item.text = _required_text(errors, f"{where}.text", item.text, "Enter the recommendation")
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
    _audit(
        actor, AuditAction.CREATE, review, f"Added {len(saved)} recommendations ({how})", request
    )
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
    _require_manager(actor, recommendation.review)
    errors: dict = {}
    if text is not None:
        text = _required_text(errors, "text", text, "Enter the recommendation")
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
    _audit(
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
    _require_manager(actor, review)
    errors: dict = {}
    text = _required_text(errors, "text", text, "Enter the finding")
    if errors:
        raise ValidationError(errors)
    last = review.findings.order_by("-number").values_list("number", flat=True).first() or 0
    finding = Finding.objects.create(review=review, number=last + 1, text=text)
    finding.themes.set(_themes(themes))
    _audit(actor, AuditAction.CREATE, review, f"Added finding {finding.number}", request)
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
    _require_responder(actor, recommendation.addressed_to_id)
    errors: dict = {}
    if recommendation.review.status == ReviewStatus.CLOSED:
        add_error(errors, None, "The review is closed", "review_closed")
    description = _required_text(errors, "description", description, "Describe the action")
    measure = _required_text(
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
    _audit(
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
    _require_responder(actor, action.agency_id)
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
    _audit(
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
    _require_responder(actor, action.agency_id)
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
    _audit(
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
    _require_manager(actor, review)
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
    _audit(actor, AuditAction.UPDATE, review, f"{verdict} the evidence for an action", request)
    return action


@transaction.atomic
def close_action(*, actor: Practitioner, action: Action, note: str = "", request=None) -> Action:
    """Only the partnership closes an action, and only once it has accepted the
    evidence. Problems: `not_allowed`, `evidence_required`, `evidence_not_accepted`,
    `action_closed`."""
    review = action.recommendation.review
    _require_manager(actor, review)
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
    _audit(
        actor, AuditAction.UPDATE, review, f"Closed an action: {action.description[:80]}", request
    )
    return action
