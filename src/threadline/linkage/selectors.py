"""Reads for identity resolution. Each starts from the access policy (a practitioner is
never shown a person they could not find by search) and writes the audit trail."""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.people.models import Person, Sex
from threadline.sharing.policy import (
    match_candidates_visible_to,
    source_records_visible_to,
    visible_among,
)

from . import candidates as scoring
from .models import (
    FIELD_LABELS,
    RECORD_FIELDS,
    Link,
    MatchCandidate,
    MatchStatus,
    SourceRecord,
    likelihood,
    percentage,
)


@dataclass
class Reason:
    """One field's part in a match: how the two values compared and its weight (the log2
    Bayes factor it adds to, or takes from, the match weight)."""

    field: str
    level: str
    weight: float

    @property
    def direction(self) -> str:
        if self.weight > 0.05:
            return "for"
        if self.weight < -0.05:
            return "against"
        return "neither"

    @property
    def signed_weight(self) -> str:
        return f"{self.weight:+.1f}".replace("-", "\u2212")


def reasons(contributions) -> list[Reason]:
    """Contributions (the engine's, or stored as JSON) as reasons, strongest first."""
    rows = [
        Reason(c["field"], c["level"], c["weight"])
        if isinstance(c, dict)
        else Reason(c.field, c.level, float(c.weight))
        for c in contributions
    ]
    return sorted(rows, key=lambda r: abs(r.weight), reverse=True)


@dataclass
class KnownPerson:
    """A person a record may be, as a practitioner is shown them."""

    person: Person
    probability: float
    match_weight: float
    decision: str
    reasons: list[Reason] = field(default_factory=list)

    @property
    def percentage(self) -> str:
        return percentage(self.probability)

    @property
    def likelihood(self) -> str:
        return likelihood(self.probability)


def fields_of_person(data: dict) -> dict:
    """The identifying fields of a person as the people form or API has them."""
    dob = data.get("date_of_birth")
    sex = data.get("sex") or ""
    return {
        "nhs_number": data.get("nhs_number") or None,
        "first_name": data.get("given_names") or None,
        "surname": data.get("family_name") or None,
        "dob": dob.isoformat() if dob else None,
        "sex": None if sex in ("", Sex.UNKNOWN) else sex,
        "postcode": None,
        "address": None,
    }


def _known(actor: Practitioner, scored: list, *, excluding=None) -> list[KnownPerson]:
    """The people among scored records worth asking about (the model would link or
    review), as far as the actor may see them; each once, strongest first."""
    best = {
        person_id: s
        for person_id, s in scoring.best_per_person(scored).items()
        if person_id != excluding and s.decision in ("link", "review")
    }
    seen = visible_among(actor, set(best))
    people = Person.objects.in_bulk(seen)
    known = [
        KnownPerson(
            person=people[person_id],
            probability=s.probability,
            match_weight=float(s.score.match_weight),
            decision=s.decision,
            reasons=reasons(s.score.contributions),
        )
        for person_id, s in best.items()
        if person_id in people
    ]
    return sorted(known, key=lambda k: k.probability, reverse=True)


def people_already_known(*, actor: Practitioner, data: dict, request=None) -> list[KnownPerson]:
    """Before a person is recorded: the people they may already be, with why, among those
    the actor may see. Audited as a search."""
    source = actor.agency.code if actor.agency is not None else ""
    known = _known(actor, scoring.candidates_for(fields_of_person(data), source=source))
    name = f"{data.get('given_names') or ''} {data.get('family_name') or ''}".strip()
    record_event(
        actor=actor,
        action=AuditAction.SEARCH,
        summary=f"Looked for people already known before recording {name}: {len(known)} shown"[
            :500
        ],
        request=request,
    )
    return known


def match_candidates_for_person(
    *, actor: Practitioner, person: Person, request=None
) -> list[KnownPerson]:
    """Other people whom one of the person's source records may also be (possible
    duplicates), among those the actor may see. The person is the caller's to check
    (`get_person_for`); audited as a view of them."""
    found: dict = {}
    for record in person.source_records.select_related("agency"):
        scored = scoring.candidates_for(
            record.fields(), source=record.agency.code, exclude=record.pk
        )
        for known in _known(actor, scored, excluding=person.pk):
            if (
                known.person.pk not in found
                or known.probability > found[known.person.pk].probability
            ):
                found[known.person.pk] = known
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=person,
        child=person.as_child,
        summary=f"Looked for people {person.full_name} may also be: {len(found)} shown",
        request=request,
    )
    return sorted(found.values(), key=lambda k: k.probability, reverse=True)


_SHOWN_WITH = ("record__agency", "person", "candidate_record__agency", "decided_by")


def review_queue(
    *,
    actor: Practitioner,
    status: str = MatchStatus.PENDING,
    agency=None,
    person=None,
    request=None,
) -> QuerySet[MatchCandidate]:
    """The pairs waiting for a decision (or decided: `status`) that the actor may see,
    most probable first. Audited as a search."""
    pairs = match_candidates_visible_to(actor).select_related(*_SHOWN_WITH)
    if status:
        pairs = pairs.filter(status=status)
    if agency is not None:
        pairs = pairs.filter(record__agency=agency)
    if person is not None:
        pairs = pairs.filter(person=person)
    record_event(
        actor=actor,
        action=AuditAction.SEARCH,
        summary=f"Opened the identity review queue ({status or 'all'})",
        request=request,
    )
    return pairs.order_by("-probability", "created_at")


def get_match_for(actor: Practitioner, match_id) -> MatchCandidate:
    """The pair, or 404 if the actor may not see it (or it does not exist)."""
    try:
        return match_candidates_visible_to(actor).select_related(*_SHOWN_WITH).get(pk=match_id)
    except (MatchCandidate.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such pair") from exc


def get_match_record(*, actor: Practitioner, match_id, request=None) -> MatchCandidate:
    """The pair through the policy, with the view audited."""
    pair = get_match_for(actor, match_id)
    person = pair.person
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=pair,
        child=person.as_child,
        summary=f"Viewed the pair {pair.record} and {person.full_name}",
        request=request,
    )
    return pair


@dataclass
class Row:
    label: str
    this: str
    other: str

    @property
    def same(self) -> bool:
        return bool(self.this) and self.this.casefold() == self.other.casefold()


def _shown(record: SourceRecord | None, name: str) -> str:
    if record is None:
        return ""
    value = getattr(record, name)
    if name == "dob" and value is not None:
        return f"{value:%-d %B %Y}"
    return value or ""


def side_by_side(pair: MatchCandidate) -> list[Row]:
    """Each identifying field of the record and of the person's record that matched."""
    other = pair.candidate_record or SourceRecord.of_person(pair.person)
    return [
        Row(FIELD_LABELS[name], _shown(pair.record, name), _shown(other, name))
        for name in RECORD_FIELDS
    ]


def get_source_record(*, actor: Practitioner, record_id, request=None) -> SourceRecord:
    """An agency's record, its versions and its links, through the policy (404 if the
    actor may not open it); the view is audited."""
    try:
        record = (
            source_records_visible_to(actor).select_related("agency", "person").get(pk=record_id)
        )
    except (SourceRecord.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such record") from exc
    person = record.person
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=record,
        child=person and person.as_child,
        summary=f"Viewed {record} and its links",
        request=request,
    )
    return record


def get_link_for(actor: Practitioner, link_id) -> Link:
    """A current or past link of a record the actor may open, else 404."""
    try:
        return Link.objects.select_related("record__agency", "person").get(
            pk=link_id, record__in=source_records_visible_to(actor)
        )
    except (Link.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such link") from exc


def get_link_record(*, actor: Practitioner, link_id, request=None) -> Link:
    """The link through the policy, with the view audited."""
    link = get_link_for(actor, link_id)
    person = link.person
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=link.record,
        child=person.as_child,
        summary=f"Viewed the link of {link.record} to {person.full_name}",
        request=request,
    )
    return link


def history_of(record: SourceRecord) -> dict:
    """A record's versions (newest first), its links (newest first) and its pairs."""
    return {
        "versions": list(record.versions.all()),
        "links": list(record.links.select_related("person", "made_by", "undone_by")),
        "pairs": list(record.candidates.select_related("person", "decided_by")),
    }


def already_known_check(data: dict) -> str:
    """A digest of the identifying details a practitioner was shown candidates for: the
    same details sent again mean "none of them: add the person"; changed ones are checked
    again."""
    fields = fields_of_person(data)
    text = "|".join(f"{name}={fields[name] or ''}" for name in RECORD_FIELDS)
    return hashlib.sha256(text.casefold().encode()).hexdigest()[:16]
