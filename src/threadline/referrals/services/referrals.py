"""The only writers of referrals.

Making a referral tells the front door and every other agency around the child in the
same transaction (the notices are outbox rows: nothing is sent unless it commits);
deciding one tells the referrer. Each validates everything first and raises one
ValidationError naming every problem, so a bad request saves nothing."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.cases import services as cases
from threadline.common.errors import add_error, invalid
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice
from threadline.people import services as people
from threadline.people.models import Person, PersonKind, Relationship, RelationshipType
from threadline.people.validators import normalise_nhs_number
from threadline.sharing import policy
from threadline.timescales.calendar import add_working_days, is_working_day
from threadline.timescales.models import EventKind
from threadline.timescales.services import note_event

from .. import selectors
from ..models import (
    CARING_RELATIONSHIPS,
    OPENS_CASE,
    TRANSITIONS,
    AdultChildLink,
    ConcernCategory,
    Decision,
    Referral,
    ReferralStatus,
    SharingBasis,
    Urgency,
)

# Working hours within which each recipient must acknowledge, by urgency; None is the
# default (NOTICE_ACKNOWLEDGE_WORKING_HOURS). Unacknowledged notices escalate.
ACKNOWLEDGE_WITHIN_HOURS = {Urgency.IMMEDIATE: 1, Urgency.URGENT: 2, Urgency.STANDARD: None}

# What `make_referral(new_child=...)` accepts: people.services.create_person's fields for
# a child (born or unborn).
NEW_CHILD_FIELDS = (
    "kind",
    "given_names",
    "family_name",
    "date_of_birth",
    "expected_delivery_date",
    "sex",
    "nhs_number",
)


def decision_due(received_at: dt.datetime, urgency: str) -> dt.datetime:
    """When the front door's decision on a referral is due.

    Working Together asks for a decision within one working day. Threadline reads that
    as: by the close of the next working day after the day the referral arrives
    (WORKING_DAY_END, Europe/London). Received at 15:00 on a Friday: due at 17:00 on
    Monday (Tuesday after a bank holiday); received on a Saturday: due at 17:00 on
    Monday. An urgent or immediate-danger referral that arrives on a working day before
    the close is due at the close that day; out of hours it is due like the others (an
    immediate danger out of hours is for the police and the emergency duty team by
    telephone, which the referral form says)."""
    local = timezone.localtime(received_at)
    closes = settings.WORKING_DAY_END
    if urgency != Urgency.STANDARD and is_working_day(local.date()) and local.time() < closes:
        day = local.date()
    else:
        day = add_working_days(local.date(), 1)
    return dt.datetime.combine(day, closes, timezone.get_default_timezone())


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%H:%M} on {local:%A} {local.day} {local:%B %Y}"


def _check_referral(
    errors: dict, *, concerns, categories, urgency, family_told, sharing_basis
) -> None:
    if not concerns.strip():
        add_error(errors, "concerns", "Describe your concerns about the child", "concerns_required")
    if not categories:
        add_error(
            errors, "categories", "Select at least one category of concern", "categories_required"
        )
    elif set(categories) - set(ConcernCategory.values):
        add_error(
            errors, "categories", "Choose categories of concern from the list", "invalid_choice"
        )
    if urgency not in Urgency.values:
        add_error(errors, "urgency", "Select how urgent the referral is", "urgency_required")
    if not family_told.strip():
        add_error(
            errors,
            "family_told",
            "Say what the family has been told about the referral, or why they have not been told",
            "family_told_required",
        )
    if sharing_basis not in SharingBasis.values:
        add_error(
            errors,
            "sharing_basis",
            "Select whether the family consents, or you are sharing without consent to "
            "safeguard the child",
            "sharing_basis_required",
        )


def _check_new_child(errors: dict, actor: Practitioner, details: dict, parent) -> dict:
    """The new child's fields for create_person, checked as the person would be saved;
    problems are reported as `new_child.<field>`."""
    unknown = set(details) - set(NEW_CHILD_FIELDS)
    if unknown:
        raise TypeError(f"Unknown child fields: {sorted(unknown)}")
    fields = {name: value for name, value in details.items() if value is not None}
    if fields.get("kind") not in (PersonKind.CHILD, PersonKind.UNBORN):
        add_error(
            errors,
            "new_child.kind",
            "Select whether the child has been born or is unborn",
            "kind_required",
        )
        return fields
    fields["given_names"] = fields.get("given_names", "").strip()
    fields["family_name"] = fields.get("family_name", "").strip() or (
        parent.family_name if parent is not None else ""
    )
    if not fields["family_name"]:
        add_error(
            errors, "new_child.family_name", "Enter the child's family name", "family_name_required"
        )
    fields["nhs_number"] = normalise_nhs_number(fields.get("nhs_number") or "") or None
    unchecked = ["recorded_by_agency"] + ([] if fields["family_name"] else ["family_name"])
    try:
        Person(recorded_by_agency=actor.agency, **fields).full_clean(exclude=unchecked)
    except ValidationError as error:
        for name, problems in error.error_dict.items():
            errors.setdefault("new_child" if name == "__all__" else f"new_child.{name}", []).extend(
                problems
            )
    return fields


def _create_child(actor: Practitioner, fields: dict, request) -> Person:
    try:
        return people.create_person(actor=actor, request=request, **fields)
    except ValidationError as error:
        raise ValidationError(
            {f"new_child.{name}": problems for name, problems in error.error_dict.items()}
        ) from error


def _relate(actor: Practitioner, adult: Person, child: Person, type: str, request) -> None:
    """Record that `adult` is the `type` of `child`, unless it already is."""
    if not Relationship.objects.filter(
        person_a=adult, person_b=child, type=type, to_date__isnull=True
    ).exists():
        people.add_relationship(
            actor=actor, person_a=adult, person_b=child, type=type, request=request
        )


@transaction.atomic
def make_referral(
    *,
    actor: Practitioner,
    concerns: str,
    categories: Iterable[str],
    urgency: str,
    family_told: str,
    sharing_basis: str,
    child: Person | None = None,
    new_child: dict | None = None,
    parent: Person | None = None,
    parent_relationship: str = RelationshipType.MOTHER,
    link: AdultChildLink | None = None,
    request=None,
) -> Referral:
    """Refer a child to the children's social care front door of their area: a child the
    actor can see (`child`), or a new child or unborn child recorded in the same step
    (`new_child`: create_person's fields, with `parent` — an adult the actor can see —
    recorded as their mother, or `parent_relationship`). A referral prompted by an
    adult-services `link` records the child against that adult.

    The front door's inbox receives the referral; every other agency involved with the
    child or their family (selectors.network_of) is alerted, the referrer's own agency
    excepted; a decision is due by `decision_due`."""
    if actor.agency is None:
        raise invalid(
            None, "Administrators see no case data and do not make referrals", "not_a_practitioner"
        )
    if link is not None:
        parent, parent_relationship = link.adult, link.relationship
        child = child or link.child
    categories = sorted(set(categories))
    errors: dict = {}
    if (child is None) == (new_child is None):
        add_error(
            errors,
            "child",
            "Choose the child, or give the details of a new or unborn child",
            "child_required",
        )
    if child is not None:
        policy.get_person_for(actor, child.pk)
        if not child.is_child:
            add_error(
                errors,
                "child",
                "Referrals to children's social care are about children",
                "not_a_child",
            )
    if parent is not None:
        policy.get_person_for(actor, parent.pk)
    if parent_relationship not in dict(CARING_RELATIONSHIPS):
        add_error(errors, "parent_relationship", "Select how they are related", "invalid_choice")
    _check_referral(
        errors,
        concerns=concerns,
        categories=categories,
        urgency=urgency,
        family_told=family_told,
        sharing_basis=sharing_basis,
    )
    fields = _check_new_child(errors, actor, new_child, parent) if new_child is not None else None
    if errors:
        raise ValidationError(errors)
    local_authority = selectors.front_door_for(child=child, referrer_agency=actor.agency)
    if local_authority is None:
        raise invalid(
            None,
            f"Threadline has no children's social care front door for {actor.agency.area}: "
            "telephone the local authority",
            "no_front_door",
        )
    if fields is not None:
        child = _create_child(actor, fields, request)
    assert child is not None
    if parent is not None:
        _relate(actor, parent, child, parent_relationship, request)
    now = timezone.now()
    referral = Referral(
        child=child,
        referrer=actor,
        referrer_agency=actor.agency,
        local_authority=local_authority,
        concerns=concerns.strip(),
        categories=categories,
        urgency=urgency,
        family_told=family_told.strip(),
        sharing_basis=sharing_basis,
        received_at=now,
        decision_due_at=decision_due(now, urgency),
    )
    referral.full_clean()
    referral.save()
    if link is not None:
        link.referral, link.child = referral, child
        link.save(update_fields=["referral", "child", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=referral,
        child=child,
        summary=f"Referred {child.full_name} to {local_authority.name} "
        f"({referral.get_urgency_display().split(':')[0].lower()})",
        purpose=referral.get_sharing_basis_display(),
        request=request,
    )
    _tell_front_door_and_network(referral)
    note_event(
        key=f"referral:{referral.pk}:received",
        child=child,
        kind=EventKind.REFERRAL_RECEIVED,
        occurred_at=referral.received_at,
        recorded_by=actor,
        referral_id=referral.pk,
        local_authority_id=referral.local_authority_id,
        due_at=referral.decision_due_at,
    )
    return referral


def _referral_summary(referral: Referral) -> str:
    return (
        f"Urgency: {referral.get_urgency_display()}\n"
        f"Concerns: {', '.join(referral.category_labels())}\n\n{referral.concerns}\n\n"
        f"What the family has been told: {referral.family_told}\n"
        f"Basis for sharing: {referral.get_sharing_basis_display()}"
    )


def _tell_front_door_and_network(referral: Referral) -> None:
    """The referral to the front door's inbox; an alert to the agencies involved with
    the child (with the link to the referral, which they may open) and another to those
    involved only with the family (the gist, without the concerns in the referrer's
    words: they cannot open the child's record, so they are told whom to call)."""
    child, referrer, front_door = referral.child, referral.referrer, referral.local_authority
    hours = ACKNOWLEDGE_WITHIN_HOURS[Urgency(referral.urgency)]
    link = reverse("referral-detail", args=[referral.pk])
    who = f"{referrer.get_full_name()} ({referral.referrer_agency.name})"
    contact = ", ".join(c for c in (referrer.phone, referrer.email) if c)
    immediate = referral.urgency == Urgency.IMMEDIATE
    send_notice(
        notice_type=NoticeType.REFERRAL,
        title=f"{'Immediate danger: r' if immediate else 'R'}eferral of {child.full_name}",
        body=f"{who} refers {child.full_name} to {front_door.name}."
        + (f" Contact: {contact}." if contact else "")
        + f"\n\n{_referral_summary(referral)}\n\n"
        f"A decision is due by {_when(referral.decision_due_at)}.",
        child=child,
        sender=referrer,
        link=link,
        agencies=[front_door],
        acknowledge_within_hours=hours,
    )
    network = selectors.network_of(
        child, exclude={referral.referrer_agency_id, referral.local_authority_id}
    )
    told = f"{who} has referred {child.full_name} to {front_door.name}"
    if network.with_child:
        send_notice(
            notice_type=NoticeType.ALERT,
            title=f"{child.full_name} has been referred to children's social care",
            body=f"{told}. You are told because your agency is involved with "
            f"{child.full_name}.\n\n{_referral_summary(referral)}\n\n"
            f"The front door will decide by {_when(referral.decision_due_at)}.",
            child=child,
            sender=referrer,
            link=link,
            agencies=network.with_child,
            acknowledge_within_hours=hours,
        )
    if network.with_family:
        send_notice(
            notice_type=NoticeType.ALERT,
            title=f"A child in a family you work with has been referred: {child.full_name}",
            body=f"{told}. You are told because your agency is involved with someone in "
            f"{child.full_name}'s family or household.\n\n"
            f"Urgency: {referral.get_urgency_display()}\n"
            f"Concerns: {', '.join(referral.category_labels())}\n\n"
            f"If you know something the front door should know, contact {front_door.name}"
            + (f" on {front_door.phone}" if front_door.phone else "")
            + ".",
            child=child,
            sender=referrer,
            agencies=network.with_family,
            acknowledge_within_hours=hours,
        )


@transaction.atomic
def decide_referral(
    *, actor: Practitioner, referral: Referral, decision: str, rationale: str, request=None
) -> Referral:
    """The front door's decision, with its rationale: no further action, early help,
    assessment or a strategy discussion. For an assessment or a strategy discussion the
    child gets an open case (the one they have, or one opened now, held by the actor's
    local authority). The referrer is sent the outcome, which they must acknowledge."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not policy.can_decide_referral(actor, referral):
        raise invalid(
            None,
            f"Only a front-door officer of {referral.local_authority.name} decides this referral",
            "not_front_door",
        )
    if ReferralStatus.DECIDED not in TRANSITIONS[ReferralStatus(referral.status)]:
        raise invalid(None, "This referral has already been decided", "already_decided")
    errors: dict = {}
    if decision not in Decision.values:
        add_error(errors, "decision", "Select your decision", "decision_required")
    if not rationale.strip():
        add_error(errors, "rationale", "Give the rationale for your decision", "rationale_required")
    if errors:
        raise ValidationError(errors)
    if decision in OPENS_CASE:
        referral.case = selectors.open_case_of(referral.child) or cases.open_case(
            actor=actor, child=referral.child, request=request
        )
    referral.status = ReferralStatus.DECIDED
    referral.decision, referral.rationale = decision, rationale.strip()
    referral.decided_by, referral.decided_at = actor, timezone.now()
    referral.full_clean()
    referral.save()
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=referral,
        child=referral.child,
        summary=f"Decided the referral of {referral.child.full_name}: "
        f"{referral.get_decision_display()}",
        purpose=referral.rationale,
        request=request,
    )
    _tell_referrer(referral)
    note_event(
        key=f"referral:{referral.pk}:decided",
        child=referral.child,
        kind=EventKind.REFERRAL_DECIDED,
        occurred_at=referral.decided_at,
        recorded_by=actor,
        referral_id=referral.pk,
        decision=referral.decision,
        received_on=timezone.localdate(referral.received_at),
    )
    return referral


def _tell_referrer(referral: Referral) -> None:
    """The outcome to the referrer, who must acknowledge it; to their agency's inbox if
    they have left."""
    referrer, child = referral.referrer, referral.child
    decider, decided_at = referral.decided_by, referral.decided_at
    assert decider is not None and decided_at is not None
    case = referral.case
    send_notice(
        notice_type=NoticeType.OUTCOME,
        title=f"Outcome of your referral of {child.full_name}: {referral.get_decision_display()}",
        body=f"{decider.get_full_name()} ({referral.local_authority.name}) decided on "
        f"{_when(decided_at)}: {referral.get_decision_display()}.\n\n"
        f"Their rationale: {referral.rationale}"
        + (f"\n\n{child.full_name} has an open case, {case.reference}." if case else ""),
        child=child,
        sender=decider,
        link=reverse("referral-detail", args=[referral.pk]),
        practitioners=[referrer] if referrer.is_active else [],
        agencies=[] if referrer.is_active else [referral.referrer_agency],
    )
