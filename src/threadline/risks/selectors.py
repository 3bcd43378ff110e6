"""Reads of risks. `active_risks_for_child` is the one rule of which risks touch a child,
used by the child page, documents, the API and household-change alerts."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.cases.models import Case
from threadline.people.models import Person, PersonKind, Relationship, RelationshipType, Residence
from threadline.sharing import policy
from threadline.sharing.models import InformationCategory

from .models import RiskFactor, RiskStatus

# Everything the API and the pages show of a risk, read with it (who asked to close it too).
_SHOWN_WITH = (
    "subject",
    "factor",
    "source_agency",
    "recorded_by",
    "closure_requested_by",
    "closure_signed_off_by",
)


@dataclass
class Connection:
    """How a person is connected to a child: their relationship to the child (if one is
    recorded) and since when they have lived in the child's household (if they do)."""

    person: Person
    relationship: str = ""
    relationship_since: date | None = None
    household_since: date | None = None
    is_child: bool = False

    @property
    def in_household(self) -> bool:
        return self.household_since is not None

    @property
    def path(self) -> str:
        """'Aunt or uncle — household member since 12 Nov 2026'."""
        if self.is_child:
            return "The child"
        label = self.relationship or "Lives at the same address"
        if self.household_since is not None:
            return f"{label} — household member since {self.household_since:%-d %b %Y}"
        if self.relationship == RelationshipType.HOUSEHOLD_MEMBER.label:
            since = self.relationship_since
            return "Household member" + (f" since {since:%-d %b %Y}" if since else "")
        return f"{label} — not in the household"


@dataclass
class TouchingRisk:
    risk: RiskFactor
    connection: Connection

    @property
    def path(self) -> str:
        return self.connection.path


@dataclass
class TouchingRisks:
    """The active risks touching a child; with a viewer, those they may read, and how
    many they may not (`withheld`), which a page may only acknowledge."""

    risks: list[TouchingRisk] = field(default_factory=list)
    withheld: int = 0
    connections: dict = field(default_factory=dict)  # everyone connected, by id

    def __iter__(self):
        return iter(self.risks)

    def __len__(self) -> int:
        return len(self.risks)


def active(as_of: date) -> Q:
    """Risks active (or under review) on a day: not closed by then. An agency records when
    it identified a risk, not when the risk began, so a risk identified after `as_of` counts
    too: what is known now about the people around the child then (a move recorded late
    must still find the risk recorded since)."""
    return Q(closed_on__isnull=True) | Q(closed_on__gt=as_of)


def connections_of(child: Person, as_of: date) -> dict:
    """Everyone connected to the child on `as_of`, by id: the child; everyone living at
    the child's address (an unborn child's: their mother's); everyone with a relationship
    to the child in force. Three queries."""
    relationships = list(
        Relationship.objects.filter(Q(person_a=child) | Q(person_b=child))
        .filter(Q(from_date__isnull=True) | Q(from_date__lte=as_of))
        .filter(Q(to_date__isnull=True) | Q(to_date__gte=as_of))
        .select_related("person_a", "person_b")
    )
    found = {child.pk: Connection(child, is_child=True)}
    for r in relationships:
        other = r.other(child)
        connection = found.setdefault(other.pk, Connection(other))
        if not connection.relationship:
            connection.relationship = r.label_for(child)
            connection.relationship_since = r.from_date
    homes_of = {child.pk}
    if child.kind == PersonKind.UNBORN:
        homes_of |= {
            r.person_a_id
            for r in relationships
            if r.person_b_id == child.pk and r.type == RelationshipType.MOTHER
        }
    stays = {
        s.address_id: s.from_date
        for s in Residence.objects.as_of(as_of).filter(person_id__in=homes_of)
    }
    if stays:
        for r in (
            Residence.objects.as_of(as_of)
            .filter(address_id__in=stays)
            .exclude(person=child)
            .select_related("person")
        ):
            connection = found.setdefault(r.person_id, Connection(r.person))
            connection.household_since = max(r.from_date, stays[r.address_id])
    return found


def active_risks_for_child(
    child: Person, *, as_of: date | None = None, actor: Practitioner | None = None
) -> TouchingRisks:
    """Every risk active on `as_of` (default today) about the child, about anyone living
    in the child's household that day, or about anyone with a relationship to the child
    in force that day, each with the path that connects it (docs/risks.md). With `actor`,
    only the risks the access policy lets them read; `withheld` counts the others.
    Four queries (seven with an actor) however many people and risks."""
    as_of = as_of or timezone.localdate()
    connections = connections_of(child, as_of)
    risks = list(
        RiskFactor.objects.filter(active(as_of), subject_id__in=connections).select_related(
            *_SHOWN_WITH
        )
    )
    withheld = 0
    if actor is not None and risks:
        readable = set(
            policy.risks_shared_with(
                actor, RiskFactor.objects.filter(pk__in=[r.pk for r in risks]), child=child
            ).values_list("pk", flat=True)
        )
        withheld = sum(1 for r in risks if r.pk not in readable)
        risks = [r for r in risks if r.pk in readable]

    def order(r: RiskFactor):
        c = connections[r.subject_id]
        return (not c.is_child, not c.in_household, r.subject.full_name, r.factor.position)

    return TouchingRisks(
        [TouchingRisk(r, connections[r.subject_id]) for r in sorted(risks, key=order)],
        withheld,
        connections,
    )


def contact_for_restricted(child: Person) -> str:
    """Whom a viewer who may not read some of a child's risks should ask: the lead
    professional of the child's open case, else the local authority holding it."""
    case = (
        Case.objects.filter(child=child, closed_on__isnull=True)
        .select_related("lead_professional", "local_authority")
        .first()
    )
    if case is None:
        return "your agency's safeguarding lead"
    lead = case.lead_professional
    if lead is not None:
        return f"{lead.get_full_name() or lead.username}, the lead professional" + (
            f" ({lead.email})" if lead.email else ""
        )
    phone = f" on {case.local_authority.phone}" if case.local_authority.phone else ""
    return f"{case.local_authority.name}{phone}"


def get_risk_for(actor: Practitioner, risk_id) -> RiskFactor:
    """The risk, or 404 if the actor may not read it (or it does not exist)."""
    try:
        return policy.risks_visible_to(actor).select_related(*_SHOWN_WITH).get(pk=risk_id)
    except (RiskFactor.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such risk") from exc


def get_touching_risk_for(actor: Practitioner, child: Person, risk_id) -> RiskFactor:
    """A risk touching `child` (whom the route checked the actor may see) that the actor
    may read: the banner's risks, whether or not the actor may see the person it is about
    (a household member known only through the child). 404 otherwise."""
    touching = active_risks_for_child(child, actor=actor)
    found = next((t.risk for t in touching if str(t.risk.pk) == str(risk_id)), None)
    if found is None:
        raise Http404("No such risk")
    return found


def risks_about(actor: Practitioner, person: Person) -> list[RiskFactor]:
    """The risks about a person the actor may read, open ones first, for their page (the
    page's own view event is the audit)."""
    return list(
        policy.risks_about_person(actor, person)
        .select_related(*_SHOWN_WITH)
        .order_by("closed_on", "-identified_on")
    )


def get_risk_record(*, actor: Practitioner, risk_id, request=None) -> RiskFactor:
    """The risk through the object check, with the view audited."""
    risk = get_risk_for(actor, risk_id)
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=risk,
        child=risk.subject.as_child,
        summary=f"Viewed a risk about {risk.subject.full_name}: {risk.factor.label}",
        request=request,
    )
    return risk


def list_risks(
    *,
    actor: Practitioner,
    subject=None,
    status: str = "",
    factor: str = "",
    agencies=(),
    request=None,
) -> QuerySet[RiskFactor]:
    """The risks the actor may read, newest first, filtered (`agencies`: source agency
    ids); listing is audited with the filters."""
    risks = policy.risks_visible_to(actor).select_related(*_SHOWN_WITH)
    terms = []
    if subject is not None:
        risks = risks.filter(subject=subject)
        terms.append(f"about {subject.full_name}")
    if status:
        risks = risks.filter(status=status)
        terms.append(f"status {status}")
    if factor:
        risks = risks.filter(factor_id=factor)
        terms.append(f"factor {factor}")
    if agencies:
        risks = risks.filter(source_agency_id__in=agencies)
        terms.append(f"from {len(agencies)} agenc{'y' if len(agencies) == 1 else 'ies'}")
    record_event(
        actor=actor,
        action=AuditAction.SEARCH,
        child=subject and subject.as_child,
        summary=" ".join(["Listed risk factors", *terms])[:500],
        request=request,
    )
    return risks.order_by("-identified_on", "-created_at")


def overdue_reviews(actor: Practitioner) -> QuerySet[RiskFactor]:
    """Open risks the actor recorded whose review date has passed: their dashboard."""
    return (
        RiskFactor.objects.filter(
            recorded_by=actor,
            status__in=[RiskStatus.ACTIVE, RiskStatus.UNDER_REVIEW],
            review_date__lt=timezone.localdate(),
        )
        .select_related("subject", "factor")
        .order_by("review_date")
    )


def awaiting_sign_off(actor: Practitioner) -> QuerySet[RiskFactor]:
    """Closures asked for in the actor's agency, for a manager or lead to sign off."""
    if not policy.can_sign_off_risks(actor):
        return RiskFactor.objects.none()
    return (
        RiskFactor.objects.filter(
            source_agency_id=actor.agency_id,
            status=RiskStatus.UNDER_REVIEW,
            closure_requested_by__isnull=False,
        )
        .select_related("subject", "factor", "closure_requested_by")
        .order_by("updated_at")
    )


# Whose history a child's page summarises: parents, carers and everyone in the household.
_FAMILY_TYPES = {
    RelationshipType.MOTHER,
    RelationshipType.FATHER,
    RelationshipType.STEP_PARENT,
    RelationshipType.CARER,
    RelationshipType.HOUSEHOLD_MEMBER,
}


@dataclass
class PersonHistory:
    connection: Connection
    childhood_cases: list[Case]
    closed_risks: list[RiskFactor]


def family_history(
    *, actor: Practitioner, child: Person, connections: dict | None = None
) -> list[PersonHistory]:
    """For the child's parents, carers and household members: the cases they had as
    children themselves (when the holding local authority's social-care information is
    shared with the viewer) and their closed risks the viewer may read. Four queries
    after `connections_of`."""
    if connections is None:  # the child page passes today's, from active_risks_for_child
        connections = connections_of(child, timezone.localdate())
    rows = set(
        Relationship.objects.filter(person_b=child, type__in=_FAMILY_TYPES).values_list(
            "person_a_id", flat=True
        )
    )
    family_ids = set(rows) | {pk for pk, c in connections.items() if c.in_household}
    family_ids &= set(connections)
    if not family_ids:
        return []
    # Childhood records are those of adults (and of parents who are still children): a
    # brother's or sister's own case is not family history.
    grown = {pk for pk in family_ids if not connections[pk].person.is_child} | set(rows)
    shared_by = policy.agencies_sharing(actor, InformationCategory.SOCIAL_CARE)
    cases = list(
        Case.objects.filter(child_id__in=family_ids & grown, local_authority_id__in=shared_by)
        .select_related("local_authority")
        .order_by("opened_on")
    )
    closed = list(
        policy.risks_shared_with(
            actor,
            RiskFactor.objects.filter(subject_id__in=family_ids, status=RiskStatus.CLOSED),
            child=child,
        )
        .select_related(*_SHOWN_WITH)
        .order_by("-closed_on")
    )
    history = [
        PersonHistory(
            connections[pk],
            [c for c in cases if c.child_id == pk],
            [r for r in closed if r.subject_id == pk],
        )
        for pk in family_ids
    ]
    return sorted(
        (h for h in history if h.childhood_cases or h.closed_risks),
        key=lambda h: h.connection.person.full_name,
    )
