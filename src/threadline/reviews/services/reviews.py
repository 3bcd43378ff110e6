"""Opening a review (its legal hold and the clock's events), its milestones, and closing it."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.common.errors import add_error, invalid
from threadline.people.models import Person, Residence
from threadline.timescales.models import EventKind
from threadline.timescales.services import note_event

from ..models import (
    Action,
    ActionStatus,
    LegalHold,
    PanelMember,
    Review,
    ReviewStatus,
    ReviewType,
)
from .checks import (
    audit,
    count,
    not_future,
    require_manager,
    required_text,
)


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
    require_manager(actor)
    errors: dict = {}
    title = required_text(errors, "title", title, "Enter how the review names the child")
    if len(title) > 120:
        add_error(errors, "title", "Keep the title to 120 characters or fewer", "max_length")
    if review_type not in ReviewType.values:
        add_error(errors, "review_type", "Choose the kind of review", "invalid_choice")
    incident_summary = required_text(
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
        not_future(errors, name, day, labels[name])
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
    audit(
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
    require_manager(actor, review)
    errors: dict = {}
    if review.status == ReviewStatus.CLOSED:
        add_error(errors, None, "The review is closed", "review_closed")
    if milestone not in MILESTONES:
        add_error(errors, "milestone", "Choose what happened", "invalid_choice")
        raise ValidationError(errors)
    date_field, kind = MILESTONES[milestone]
    if on is None:
        add_error(errors, "on", "Enter the date", "date_required")
    not_future(errors, "on", on, "The date")
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
    audit(actor, AuditAction.UPDATE, review, f"Recorded {kind.label.lower()} for {review}", request)
    return review


@transaction.atomic
def close_review(*, actor: Practitioner, review: Review, request=None) -> Review:
    """Close a review once every action is closed; its legal hold ends. Problems:
    `not_allowed`, `review_closed`, `actions_open`."""
    require_manager(actor, review)
    if review.status == ReviewStatus.CLOSED:
        raise invalid(None, "The review is already closed", "review_closed")
    open_actions = Action.objects.filter(recommendation__review=review).exclude(
        status=ActionStatus.CLOSED
    )
    if open_actions.exists():
        raise invalid(
            None,
            f"{count(open_actions.count(), 'action is', 'actions are')} not closed yet: "
            "the review stays open "
            "until the board has seen evidence for every one",
            "actions_open",
        )
    now = timezone.now()
    review.status, review.closed_on = ReviewStatus.CLOSED, timezone.localdate(now)
    review.save(update_fields=["status", "closed_on", "updated_at"])
    released = review.holds.filter(released_at__isnull=True).update(released_at=now)
    audit(
        actor,
        AuditAction.UPDATE,
        review,
        f"Closed {review}; released {released} legal holds",
        request,
    )
    return review
