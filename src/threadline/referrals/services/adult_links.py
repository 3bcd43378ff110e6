"""The only writer of adult-to-child links: an adult-services practitioner records
that an adult they work with has children. Children with an open case have their network
told in the same transaction; for the others the practitioner is prompted to refer."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from threadline.agencies.models import Agency, Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.cases.models import Case, Involvement
from threadline.common.errors import add_error, invalid
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice
from threadline.people.models import Person, PersonKind
from threadline.sharing import policy

from .. import selectors
from ..models import CARING_RELATIONSHIPS, AdultChildLink
from .referrals import _relate


@transaction.atomic
def record_children_of_adult(
    *,
    actor: Practitioner,
    adult: Person,
    relationship: str,
    children: Iterable[Person] = (),
    other_children: Iterable[tuple[str, dt.date | None]] = (),
    request=None,
) -> list[AdultChildLink]:
    """An adult-services practitioner records that `adult`, whom their agency works
    with, is a parent of (or has regular caring access to) `children` they can see, and
    `other_children` known to them only by name (and date of birth, if known).

    A child on Threadline gets the Relationship. A child with an open case is known to
    social care: its network (and the local authority holding it) is alerted. The
    others are not known: the page prompts a referral for each (`AdultChildLink.
    referral` records it once made). A named child who exactly matches one child record
    with an open case (full name and date of birth) counts as that child."""
    if not policy.works_in_adult_services(actor):
        raise invalid(
            None,
            "Only adult services (substance misuse, probation, mental health) record this",
            "not_adult_services",
        )
    policy.get_person_for(actor, adult.pk)
    if adult.kind != PersonKind.ADULT:
        raise invalid("adult", "This is for an adult's children", "not_an_adult")
    children = list(children)
    others = [(name.strip(), born) for name, born in other_children if name.strip()]
    errors: dict = {}
    if relationship not in dict(CARING_RELATIONSHIPS):
        add_error(
            errors,
            "relationship",
            "Select how they are connected to the children",
            "invalid_choice",
        )
    if not children and not others:
        add_error(errors, "children", "Choose a child or give a child's name", "children_required")
    if any(not c.is_child for c in children):
        add_error(errors, "children", "Choose children, not adults", "not_a_child")
    ids = {c.pk for c in children}
    if policy.visible_among(actor, ids) != ids:
        add_error(errors, "children", "There is no person with that id", "unknown_person")
    if errors:
        raise ValidationError(errors)
    links = [_link(actor, adult, relationship, child=c, request=request) for c in children]
    for name, born in others:
        match = selectors.known_child(name=name, date_of_birth=born)
        if match is not None and selectors.open_case_of(match) is not None:
            links.append(_link(actor, adult, relationship, child=match, request=request))
        else:
            links.append(
                _link(actor, adult, relationship, name=name, date_of_birth=born, request=request)
            )
    return links


def _link(
    actor: Practitioner,
    adult: Person,
    relationship: str,
    *,
    child: Person | None = None,
    name: str = "",
    date_of_birth: dt.date | None = None,
    request=None,
) -> AdultChildLink:
    case = selectors.open_case_of(child) if child is not None else None
    if child is not None:
        _relate(actor, adult, child, relationship, request)
    link = AdultChildLink(
        adult=adult,
        child=child,
        child_name="" if child is not None else name,
        child_date_of_birth=child.date_of_birth if child is not None else date_of_birth,
        relationship=relationship,
        known_to_social_care=case is not None,
        recorded_by=actor,
        recorded_by_agency=actor.agency,
    )
    link.full_clean()
    link.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=link,
        child=child,
        summary=f"Recorded that {adult.full_name} is the "
        f"{link.get_relationship_display().lower()} of {link.name}",
        request=request,
    )
    if case is not None:
        _tell_network_of_adult(actor, link, case)
    return link


def _tell_network_of_adult(actor: Practitioner, link: AdultChildLink, case: Case) -> None:
    """Alert the agencies in the network of the child's open case, and the local
    authority holding it, that adult services work with the child's parent or carer."""
    child, adult, agency = link.child, link.adult, actor.agency
    assert child is not None and agency is not None
    involved = Involvement.objects.current().filter(case=case).values("agency_id")
    agencies = list(Agency.objects.filter(pk__in=involved).exclude(pk=agency.pk).order_by("name"))
    if case.local_authority_id != agency.pk and case.local_authority not in agencies:
        agencies.append(case.local_authority)
    if not agencies:
        return
    contact = ", ".join(c for c in (actor.phone, actor.email) if c)
    relationship = link.get_relationship_display().lower()
    send_notice(
        notice_type=NoticeType.ALERT,
        title=f"{agency.name} works with {child.full_name}'s {relationship}",
        body=f"{actor.get_full_name()} ({agency.name}) records that {adult.full_name}"
        + (f", born {adult.date_of_birth:%d %B %Y}," if adult.date_of_birth else "")
        + f" is the {relationship} of {child.full_name}, and that {agency.name} works with "
        "them."
        + (f" Contact: {contact}." if contact else "")
        + "\n\nConsider what this means for the child's plan and who should talk to whom.",
        child=child,
        sender=actor,
        link=reverse("person-detail", args=[child.pk]),
        agencies=agencies,
    )
