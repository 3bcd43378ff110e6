"""The only writers of source records, links and the review queue.

The import command, the web pages, the API, the people services (for the record
Threadline keeps of a person recorded through it) and the demo loader all call these.
Each validates, saves and writes the audit event in one transaction.

Resolving a record: the model scores it against the records sharing a blocking key.
One person above the auto-link threshold: linked ("model"). Anyone in the review band
(or more than one person above the threshold): the pairs wait in the review queue for a
safeguarding lead or front-door officer. No one: a new person is recorded for it."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import Agency, Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.common.errors import invalid
from threadline.people.models import Person, PersonKind, Sex
from threadline.people.validators import nhs_number_is_valid, normalise_nhs_number

from . import candidates as scoring
from .models import (
    RECORD_FIELDS,
    THREADLINE_PREFIX,
    TRANSITIONS,
    BlockingKey,
    Link,
    LinkMethod,
    MatchCandidate,
    MatchStatus,
    SourceRecord,
    SourceRecordVersion,
)


class Outcome:
    """What receiving a record did."""

    CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
    LINKED, QUEUED, NEW_PERSON = "linked", "queued", "new_person"


@dataclass
class Received:
    record: SourceRecord
    change: str  # created, updated or unchanged
    resolution: str | None = None  # linked, queued, new_person; None when not resolved


def _label(actor: Practitioner | None, agency: Agency) -> str | None:
    return None if actor is not None else f"import ({agency.code})"


def _clean_fields(fields: dict) -> dict:
    """The identifying fields as stored: text stripped, empty as ''; dob a date."""
    cleaned = {}
    for name in RECORD_FIELDS:
        value = fields.get(name)
        if name == "dob":
            if isinstance(value, str) and value.strip():
                value = date.fromisoformat(value.strip())
            cleaned[name] = value or None
        else:
            cleaned[name] = "" if value is None else str(value).strip()
    return cleaned


def _as_received(fields: dict) -> dict:
    """The JSON kept for a version: every field, as text."""
    return {
        name: (value.isoformat() if isinstance(value, date) else value)
        for name, value in fields.items()
    }


def _index(record: SourceRecord) -> None:
    """(Re)write the record's blocking keys from its current fields."""
    record.keys.all().delete()
    BlockingKey.objects.bulk_create(
        BlockingKey(record=record, name=name, value=value[:200])
        for name, value in scoring.keys_for(record.fields()).items()
    )


def _store(
    agency: Agency, local_id: str, fields: dict, received_at: datetime
) -> tuple[SourceRecord, str]:
    """Save a received record: a new record, a new version of a changed one, or nothing."""
    existing = SourceRecord.objects.select_for_update().filter(agency=agency, local_id=local_id)
    record = existing.first()
    if record is not None and all(getattr(record, k) == v for k, v in fields.items()):
        return record, Outcome.UNCHANGED
    if record is None:
        record = SourceRecord(agency=agency, local_id=local_id, received_at=received_at, **fields)
        change = Outcome.CREATED
    else:
        for name, value in fields.items():
            setattr(record, name, value)
        record.version += 1
        record.received_at = received_at
        change = Outcome.UPDATED
    record.full_clean(exclude=["person"])
    record.save()
    SourceRecordVersion.objects.create(
        record=record, version=record.version, fields=_as_received(fields), received_at=received_at
    )
    _index(record)
    return record, change


@transaction.atomic
def receive_record(
    *,
    actor: Practitioner | None,
    agency: Agency,
    local_id: str,
    fields: dict,
    received_at: datetime | None = None,
    request=None,
) -> Received:
    """Take in one agency's record of a person (an extract row, an API call): stored as
    received (a changed record is a new version; an unchanged one changes nothing), then
    resolved if it is new or still waits for a decision. `actor` None is the import
    command run for the agency."""
    local_id = (local_id or "").strip()
    if not local_id:
        raise invalid("local_id", "Enter the agency's own id for the record", "required")
    if local_id.startswith(THREADLINE_PREFIX):
        raise invalid("local_id", "Ids starting 'threadline:' are Threadline's own", "reserved_id")
    record, change = _store(agency, local_id, _clean_fields(fields), received_at or timezone.now())
    if change == Outcome.UNCHANGED:
        return Received(record, change)
    record_event(
        actor=actor,
        action=AuditAction.CREATE if change == Outcome.CREATED else AuditAction.UPDATE,
        target=record,
        summary=f"Received {agency.code} record {local_id} (version {record.version})",
        request=request,
        actor_label=_label(actor, agency),
    )
    if record.person_id is not None:
        return Received(record, change)  # a linked record stays with its person
    record.candidates.filter(status=MatchStatus.PENDING).update(
        status=MatchStatus.WITHDRAWN, decided_at=timezone.now()
    )
    resolution = resolve(actor=actor, record=record, request=request)
    record.refresh_from_db()
    return Received(record, change, resolution)


def resolve(*, actor: Practitioner | None, record: SourceRecord, request=None) -> str:
    """Link an unlinked record, queue its doubtful pairs, or record a new person for it."""
    decided = set(
        record.candidates.exclude(status=MatchStatus.WITHDRAWN).values_list("person_id", flat=True)
    )
    fields = record.fields()
    scored = scoring.candidates_for(fields, source=record.agency.code, exclude=record.pk)
    best = {
        person_id: s
        for person_id, s in scoring.best_per_person(scored).items()
        if person_id not in decided and s.decision in ("link", "review")
    }
    taken = _person_with_nhs_number(record, exclude=set(best) | decided)
    if taken is not None:
        # The NHS number is someone else's: never a second person with it; a person decides.
        (s,) = scoring.score(fields, [SourceRecord.of_person(taken)], source=record.agency.code)
        best[taken.pk] = s
    links = [s for s in best.values() if s.decision == "link"]
    if len(links) == 1 and len(best) == 1 and taken is None:
        (s,) = links
        link_record(
            actor=actor,
            record=record,
            person=s.record.person,
            method=LinkMethod.MODEL,
            probability=s.probability,
            model_version=scoring.model().version,
            request=request,
        )
        return Outcome.LINKED
    if best:
        version = scoring.model().version
        for person_id, s in best.items():
            MatchCandidate.objects.update_or_create(
                record=record,
                person_id=person_id,
                defaults={
                    "candidate_record": None if s.record._state.adding else s.record,
                    "probability": min(max(s.probability, 0.0), 1.0),
                    "match_weight": float(s.score.match_weight),
                    "model_version": version,
                    "contributions": _contributions(s.score),
                    "status": MatchStatus.PENDING,
                    "decided_by": None,
                    "decided_at": None,
                },
            )
        record_event(
            actor=actor,
            action=AuditAction.CREATE,
            target=record,
            summary=f"Sent {record} to the review queue: {len(best)} possible match(es)",
            request=request,
            actor_label=_label(actor, record.agency),
        )
        return Outcome.QUEUED
    _new_person_for(actor=actor, record=record, request=request)
    return Outcome.NEW_PERSON


def _contributions(score) -> list[dict]:
    return [
        {"field": c.field, "level": c.level, "weight": round(float(c.weight), 3)}
        for c in score.contributions
    ]


def _person_with_nhs_number(record: SourceRecord, *, exclude: set) -> Person | None:
    number = normalise_nhs_number(record.nhs_number)
    if not nhs_number_is_valid(number):
        return None
    return Person.objects.filter(nhs_number=number).exclude(pk__in=exclude).first()


def _person_fields(person: Person) -> dict:
    record = SourceRecord.of_person(person)
    return {name: getattr(record, name) for name in RECORD_FIELDS}


def _new_person_for(*, actor: Practitioner | None, record: SourceRecord, request=None) -> Person:
    """Record a new person from a source record that matched no one: the recording agency is
    the record's; a child if born less than 18 years ago; an NHS number only if valid."""
    from threadline.people.services import create_person

    dob = record.dob
    kind = PersonKind.ADULT
    if dob is not None and relativedelta_years(dob, timezone.localdate()) < 18:
        kind = PersonKind.CHILD
    sex = (record.sex or "U")[:1].upper()
    number = normalise_nhs_number(record.nhs_number)
    person = create_person(
        actor=actor,
        agency=record.agency,
        request=request,
        kind=kind,
        given_names=record.first_name,
        family_name=record.surname,
        date_of_birth=dob,
        sex=sex if sex in Sex.values else Sex.UNKNOWN,
        nhs_number=number if nhs_number_is_valid(number) else None,
        source_record=False,
    )
    link_record(
        actor=actor, record=record, person=person, method=LinkMethod.NEW_PERSON, request=request
    )
    return person


def relativedelta_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@transaction.atomic
def link_record(
    *,
    actor: Practitioner | None,
    record: SourceRecord,
    person: Person,
    method: str,
    probability: float | None = None,
    model_version: str = "",
    request=None,
) -> Link:
    """Link a source record to a person; any pending pairs of the record are withdrawn."""
    record = SourceRecord.objects.select_for_update().select_related("agency").get(pk=record.pk)
    if record.person_id is not None:
        raise invalid(None, f"{record} is already linked to a person", "already_linked")
    link = Link(
        record=record,
        person=person,
        method=method,
        probability=probability,
        model_version=model_version,
        made_by=actor,
    )
    link.full_clean()
    link.save()
    record.person = person
    record.save(update_fields=["person", "updated_at"])
    record.candidates.filter(status=MatchStatus.PENDING).update(
        status=MatchStatus.WITHDRAWN, decided_at=timezone.now()
    )
    if method != LinkMethod.ENTERED:  # recording the person is itself audited
        how = f" (probability {probability:.3f}, model {model_version})" if probability else ""
        record_event(
            actor=actor,
            action=AuditAction.UPDATE,
            target=record,
            child=person.as_child,
            summary=f"Linked {record} to {person.full_name}: {link.get_method_display()}{how}",
            request=request,
            actor_label=_label(actor, record.agency),
        )
    return link


@transaction.atomic
def undo_link(*, actor: Practitioner, link: Link, reason: str, request=None) -> Link:
    """Undo a link: kept, marked with who, when and why. The pair is remembered as not the
    same person, and the record is resolved again (it may go to the queue, or be given a
    new person)."""
    link = Link.objects.select_for_update().select_related("record", "person").get(pk=link.pk)
    if link.undone_at is not None:
        raise invalid(None, "This link has already been undone", "already_undone")
    if not reason.strip():
        raise invalid("reason", "Say why these are not the same person", "reason_required")
    now = timezone.now()
    link.undone_at, link.undone_by, link.undo_reason = now, actor, reason.strip()[:500]
    link.save(update_fields=["undone_at", "undone_by", "undo_reason", "updated_at"])
    record, person = link.record, link.person
    record.person = None
    record.save(update_fields=["person", "updated_at"])
    MatchCandidate.objects.update_or_create(
        record=record,
        person=person,
        defaults={
            "probability": link.probability if link.probability is not None else 0.0,
            "match_weight": 0.0,
            "model_version": link.model_version,
            "status": MatchStatus.NOT_SAME,
            "decided_by": actor,
            "decided_at": now,
        },
    )
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=record,
        child=person.as_child,
        summary=f"Undid the link of {record} to {person.full_name}: {link.undo_reason}"[:500],
        request=request,
    )
    resolve(actor=actor, record=record, request=request)
    return link


@transaction.atomic
def decide_match(
    *, actor: Practitioner, candidate: MatchCandidate, decision: str, request=None
) -> MatchCandidate:
    """A decision on a pair in the queue: "same" links the record to the person; "not
    the same" is remembered, and once no pair of an unlinked record is left waiting, the
    record is resolved again against everyone but the people it was declined for: people
    recorded while it waited (from its own other agencies' records, perhaps) may be it;
    if no one is, it is given a new person."""
    if decision not in (MatchStatus.SAME, MatchStatus.NOT_SAME):
        raise invalid("decision", "Choose same or not_same", "invalid_choice")
    candidate = (
        MatchCandidate.objects.select_for_update()
        .select_related("record__agency", "person")
        .get(pk=candidate.pk)
    )
    if decision not in TRANSITIONS[MatchStatus(candidate.status)]:
        raise invalid(None, "This pair has already been decided", "already_decided")
    candidate.status = decision
    candidate.decided_by, candidate.decided_at = actor, timezone.now()
    candidate.full_clean()
    candidate.save()
    record, person = candidate.record, candidate.person
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        target=candidate,
        child=person.as_child,
        summary=(
            f"Decided {record} and {person.full_name}: "
            f"{MatchStatus(decision).label.lower()} (probability {candidate.probability:.3f})"
        ),
        request=request,
    )
    if decision == MatchStatus.SAME:
        link_record(
            actor=actor,
            record=record,
            person=person,
            method=LinkMethod.DECISION,
            probability=candidate.probability,
            model_version=candidate.model_version,
            request=request,
        )
    elif (
        record.person_id is None
        and not record.candidates.filter(status=MatchStatus.PENDING).exists()
    ):
        resolve(actor=actor, record=record, request=request)
    candidate.refresh_from_db()
    return candidate


# --- the record Threadline keeps of a person recorded through it -------------------------


def record_entered_person(*, actor: Practitioner | None, person: Person) -> SourceRecord:
    """The recording agency's source record of a person recorded (or corrected) through
    Threadline's own pages or API, linked to them, so later records can be matched to
    them. Called by the people services, inside their transaction and audit event."""
    fields = _person_fields(person)
    local_id = f"{THREADLINE_PREFIX}{person.pk}"
    record, change = _store(person.recorded_by_agency, local_id, fields, timezone.now())
    if change == Outcome.CREATED:
        link_record(actor=actor, record=record, person=person, method=LinkMethod.ENTERED)
    return record


def index_people(*, rebuild_keys: bool = False) -> tuple[int, int]:
    """Give every person recorded before identity resolution existed (no source record) the
    recording agency's Threadline record of them; with `rebuild_keys`, rewrite every
    record's blocking keys (after a model whose keys changed). Returns (people indexed,
    records re-keyed). One transaction per thousand, so a long run can be stopped."""
    indexed = rekeyed = 0
    unindexed = Person.objects.filter(source_records__isnull=True)
    while True:
        with transaction.atomic():
            batch = list(unindexed.order_by("pk")[:1000])
            for person in batch:
                record_entered_person(actor=None, person=person)
        indexed += len(batch)
        if len(batch) < 1000:
            break
    if rebuild_keys:
        ids = list(SourceRecord.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), 1000):
            with transaction.atomic():
                for record in SourceRecord.objects.filter(pk__in=ids[start : start + 1000]):
                    _index(record)
                    rekeyed += 1
    if indexed or rekeyed:
        record_event(
            actor=None,
            action=AuditAction.UPDATE,
            summary=f"Indexed {indexed} people for identity resolution; re-keyed {rekeyed} records",
            actor_label="index-people",
        )
    return indexed, rekeyed
