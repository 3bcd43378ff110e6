"""The only writers of the chronology: record an entry (or up to a thousand, all or
none), amend one (the earlier wording is kept as a version) and mark one as entered in
error (hidden from the default view, kept).

Each validates everything first and raises one ValidationError naming every problem,
so bad input saves nothing; the audit event is written in the same transaction."""

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import Agency, AgencyType, Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.common.documents import CheckedDocument, check_documents
from threadline.common.errors import add_error, invalid
from threadline.people.models import Person
from threadline.sharing import policy
from threadline.sharing.models import AGENCY_CATEGORY, Confidentiality, InformationCategory

from .models import (
    SUMMARY_MAX_LENGTH,
    Attachment,
    ChronologyEntry,
    DatePrecision,
    EntryCategory,
    EntryChild,
    EntryVersion,
    Significance,
)

BULK_MAX = 1000
MAX_ATTACHMENTS = 20
SOURCE_REFERENCE_MAX_LENGTH = 100


# The wording of an entry: what an amendment may change, and a version keeps.
WORDING = (
    "event_at",
    "event_precision",
    "entry_type",
    "summary",
    "detail",
    "outcome",
    "significance",
    "source_reference",
)


def event_moment(
    when: dt.date | dt.datetime, precision: str = DatePrecision.DAY
) -> dt.datetime | None:
    """The stored `event_at` for an event known to `precision`: the minute, or the start
    of its day or month in Europe/London. A date alone is the start of that day."""
    if precision not in DatePrecision.values:
        return None
    if isinstance(when, dt.datetime):
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        if precision == DatePrecision.TIME:
            return when.replace(second=0, microsecond=0)  # an exact time is to the minute
        day = timezone.localtime(when).date()
    else:
        day = when
    if precision == DatePrecision.MONTH:
        day = day.replace(day=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_default_timezone())


def _check_wording(errors: dict, wording: dict) -> dict:
    """The entry's wording, normalised; problems added to `errors` under the field names."""
    precision = wording.get("event_precision") or DatePrecision.DAY
    if precision not in DatePrecision.values:
        add_error(
            errors, "event_precision", "Choose how exactly the date is known", "invalid_choice"
        )
    when = wording.get("event_at")
    event_at = event_moment(when, precision) if when is not None else None
    if when is None:
        add_error(errors, "event_at", "Enter the date of the event", "event_required")
    elif event_at is not None and event_at > timezone.now():
        add_error(
            errors,
            "event_at",
            "The date of the event must be today or in the past",
            "event_in_future",
        )
    entry_type = wording.get("entry_type") or ""
    if not entry_type:
        add_error(errors, "entry_type", "Select what kind of event it was", "entry_type_required")
    elif entry_type not in EntryCategory.values:
        add_error(errors, "entry_type", "Choose a kind of event from the list", "invalid_choice")
    summary = " ".join((wording.get("summary") or "").split())
    if not summary:
        add_error(errors, "summary", "Enter a short summary of what happened", "summary_required")
    elif len(summary) > SUMMARY_MAX_LENGTH:
        add_error(
            errors,
            "summary",
            f"The summary must be {SUMMARY_MAX_LENGTH} characters or fewer (it has "
            f"{len(summary)}); put the rest in the detail",
            "max_length",
        )
    significance = wording.get("significance") or Significance.ROUTINE
    if significance not in Significance.values:
        add_error(
            errors, "significance", "Choose routine, significant or critical", "invalid_choice"
        )
    source_reference = (wording.get("source_reference") or "").strip()
    if len(source_reference) > SOURCE_REFERENCE_MAX_LENGTH:
        add_error(
            errors,
            "source_reference",
            f"Your reference must be {SOURCE_REFERENCE_MAX_LENGTH} characters or fewer",
            "max_length",
        )
    return {
        "event_at": event_at,
        "event_precision": precision,
        "entry_type": entry_type,
        "summary": summary,
        "detail": (wording.get("detail") or "").strip(),
        "outcome": (wording.get("outcome") or "").strip(),
        "significance": significance,
        "source_reference": source_reference,
    }


@dataclass
class _Prepared:
    """A checked entry ready to save."""

    entry: ChronologyEntry
    children: list[Person]
    named: list[Practitioner] = field(default_factory=list)
    attachments: list[CheckedDocument] = field(default_factory=list)


def _acting_agency(actor: Practitioner) -> Agency:
    if actor.agency is None:
        raise invalid(
            None,
            "Administrators see no case data and do not record chronology entries",
            "not_a_practitioner",
        )
    return actor.agency


def _prepare(actor: Practitioner, row: dict, seen: dict) -> tuple[_Prepared | None, dict]:
    """Check one entry's fields; `seen` maps the ids of children the actor may see to
    the people. Returns the unsaved entry, or the problems found."""
    errors: dict = {}
    own = _acting_agency(actor)
    children: list[Person] = []
    asked = list(row.get("children") or [])
    if not asked:
        add_error(errors, "children", "Choose the child the entry is about", "children_required")
    for child in asked:
        person = seen.get(_pk(child))
        if person is None:
            add_error(errors, "children", "There is no person with that id", "unknown_person")
        elif not person.is_child:
            add_error(errors, "children", f"{person.full_name} is not a child", "not_a_child")
        elif person not in children:
            children.append(person)
    agency = row.get("agency") or own
    if agency.pk != own.pk:
        add_error(
            errors,
            "agency",
            f"You record entries for your own agency, {own.name}, not {agency.name}",
            "not_your_agency",
        )
    wording = _check_wording(errors, row)
    category = row.get("category") or AGENCY_CATEGORY[AgencyType(own.agency_type)]
    if category not in InformationCategory.values:
        add_error(errors, "category", "Choose an information category", "invalid_choice")
    confidentiality = row.get("confidentiality") or Confidentiality.NORMAL
    named = list(row.get("restricted_to") or [])
    if confidentiality not in Confidentiality.values:
        add_error(errors, "confidentiality", "Choose normal or restricted", "invalid_choice")
    elif named and confidentiality != Confidentiality.RESTRICTED:
        add_error(
            errors,
            "restricted_to",
            "Name people only for a restricted entry",
            "not_restricted",
        )
    attachments = check_documents(
        errors, list(row.get("attachments") or []), field="attachments", max_files=MAX_ATTACHMENTS
    )
    if errors:
        return None, errors
    entry = ChronologyEntry(
        agency=own,
        author=actor,
        recorded_at=timezone.now(),
        category=category,
        confidentiality=confidentiality,
        **wording,
    )
    try:
        # The agency and author are the actor's own: no need to look them up again.
        entry.full_clean(exclude=["agency", "author"], validate_unique=False)
    except ValidationError as error:
        return None, error.error_dict
    if confidentiality == Confidentiality.RESTRICTED and actor not in named:
        named.append(actor)  # the author always reads what they restricted
    return _Prepared(entry, children, named, attachments), {}


def _pk(child) -> uuid.UUID | None:
    """A child named by a Person or by id."""
    try:
        return uuid.UUID(str(getattr(child, "pk", child)))
    except ValueError:
        return None


def _visible_children(actor: Practitioner, rows: Iterable[dict]) -> dict:
    """The children named in `rows` whom the actor may see, by id: one query each for
    the check and the people, however many rows."""
    ids = {_pk(child) for row in rows for child in row.get("children") or []} - {None}
    seen = policy.visible_among(actor, ids)
    return Person.objects.in_bulk(seen) if seen else {}


def _save(actor: Practitioner, prepared: Sequence[_Prepared], request) -> list[ChronologyEntry]:
    entries = [p.entry for p in prepared]
    ChronologyEntry.objects.bulk_create(entries)
    EntryChild.objects.bulk_create(
        EntryChild(entry=p.entry, child=child, event_at=p.entry.event_at)
        for p in prepared
        for child in p.children
    )
    Named = ChronologyEntry.restricted_to.through
    Named.objects.bulk_create(
        Named(chronologyentry=p.entry, practitioner=person) for p in prepared for person in p.named
    )
    for p in prepared:
        for checked in p.attachments:
            _attach(actor, p.entry, checked)
        for child in p.children:
            record_event(
                actor=actor,
                action=AuditAction.CREATE,
                target=p.entry,
                child=child,
                summary=f"Recorded a chronology entry about {child.full_name}: {p.entry.summary}",
                request=request,
            )
    return entries


def _attach(actor: Practitioner, entry: ChronologyEntry, checked: CheckedDocument) -> Attachment:
    attachment = Attachment(
        entry=entry,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor,
    )
    checked.store(attachment.file)
    attachment.save()
    return attachment


@transaction.atomic
def record_entry(
    *,
    actor: Practitioner,
    children: Sequence[Person],
    event_at: dt.date | dt.datetime | None,
    entry_type: str,
    summary: str,
    event_precision: str = DatePrecision.DAY,
    detail: str = "",
    outcome: str = "",
    significance: str = Significance.ROUTINE,
    source_reference: str = "",
    agency: Agency | None = None,
    category: str | None = None,
    confidentiality: str = Confidentiality.NORMAL,
    restricted_to: Sequence[Practitioner] = (),
    attachments: Sequence[File] = (),
    request=None,
) -> ChronologyEntry:
    """Record what happened, as the actor's agency knows it, about one child or several
    children of a family (each one the actor may see: `unknown_person` otherwise). The
    entry is the agency's information, of its category unless said otherwise; a
    restricted entry is read by the people named (its author always). `recorded_at` is
    now. Problems: `event_in_future`, `not_your_agency`, `unknown_person`, `not_a_child`,
    `summary_required`, `max_length`, `attachment_too_big`, `attachment_type_not_allowed`."""
    row = {
        "children": children,
        "event_at": event_at,
        "event_precision": event_precision,
        "entry_type": entry_type,
        "summary": summary,
        "detail": detail,
        "outcome": outcome,
        "significance": significance,
        "source_reference": source_reference,
        "agency": agency,
        "category": category,
        "confidentiality": confidentiality,
        "restricted_to": restricted_to,
        "attachments": attachments,
    }
    prepared, errors = _prepare(actor, row, _visible_children(actor, [row]))
    if errors:
        raise ValidationError(errors)
    assert prepared is not None
    return _save(actor, [prepared], request)[0]


@transaction.atomic
def record_observed_entry(
    *,
    actor: Practitioner,
    child: Person,
    event_at: dt.date,
    entry_type: str,
    summary: str,
    detail: str = "",
    significance: str = Significance.ROUTINE,
) -> ChronologyEntry:
    """An entry Threadline writes about a child because of a change the actor made (a
    household change it evaluated): the service names the child, whom the actor need
    not be able to see (an adult's move can touch a child the recorder does not know)."""
    row = {
        "children": [child],
        "event_at": event_at,
        "entry_type": entry_type,
        "summary": summary,
        "detail": detail,
        "significance": significance,
    }
    prepared, errors = _prepare(actor, row, {child.pk: child})
    if errors:
        raise ValidationError(errors)
    assert prepared is not None
    return _save(actor, [prepared], None)[0]


class RowsInvalid(ValidationError):
    """Some rows of a bulk request are invalid (nothing was saved): `rows` maps each bad
    row's index to its problems, by field."""

    def __init__(self, rows: dict[int, dict]):
        self.rows = rows
        super().__init__(
            {
                f"rows.{index}.{name}": problems
                for index, errors in rows.items()
                for name, problems in errors.items()
            }
        )


def _prepare_all(actor: Practitioner, rows: Sequence[dict]) -> tuple[list[_Prepared], dict]:
    seen = _visible_children(actor, rows)
    prepared: list[_Prepared] = []
    problems: dict[int, dict] = {}
    for index, row in enumerate(rows):
        entry, errors = _prepare(actor, row, seen)
        if entry is None:
            problems[index] = errors
        else:
            prepared.append(entry)
    return prepared, problems


def check_entries(*, actor: Practitioner, rows: Sequence[dict]) -> dict[int, dict]:
    """The problems of each bad row, by index, as `record_entries_bulk` would find them;
    saves nothing."""
    _acting_agency(actor)
    return _prepare_all(actor, rows)[1]


@transaction.atomic
def record_entries_bulk(
    *, actor: Practitioner, rows: Sequence[dict], request=None
) -> list[ChronologyEntry]:
    """Record up to BULK_MAX entries (each a dict of `record_entry`'s arguments), all or
    none: any bad row raises RowsInvalid with every row's problems and saves nothing."""
    _acting_agency(actor)
    if not rows:
        raise invalid("entries", "Send at least one entry", "entries_required")
    if len(rows) > BULK_MAX:
        raise invalid(
            "entries", f"Send at most {BULK_MAX} entries at once (you sent {len(rows)})", "too_many"
        )
    prepared, problems = _prepare_all(actor, rows)
    if problems:
        raise RowsInvalid(problems)
    return _save(actor, prepared, request)


def _children_of(entry: ChronologyEntry) -> list[Person]:
    return [link.child for link in entry.child_links.select_related("child")]


def _check_amendable(actor: Practitioner, entry: ChronologyEntry) -> None:
    if not policy.can_amend_entry(actor, entry):
        raise invalid(
            None,
            f"Only {entry.agency.name} amends its entries: ask them to",
            "not_your_agency",
        )
    if entry.in_error:
        raise invalid(
            None, "This entry was marked as entered in error; record a new one", "entered_in_error"
        )


@transaction.atomic
def amend_entry(
    *, actor: Practitioner, entry: ChronologyEntry, reason: str, request=None, **changes
) -> ChronologyEntry:
    """Correct an entry's wording (any of WORDING), by the recording agency's staff, with
    the reason. The earlier wording is kept as a version, shown in the entry's history;
    the child index follows a changed date. Problems as for `record_entry`, and
    `reason_required`, `nothing_changed`, `not_your_agency`, `entered_in_error`."""
    unknown = set(changes) - set(WORDING)
    if unknown:
        raise TypeError(f"Not part of an entry's wording: {sorted(unknown)}")
    entry = ChronologyEntry.objects.select_for_update().select_related("agency").get(pk=entry.pk)
    _check_amendable(actor, entry)
    errors: dict = {}
    reason = (reason or "").strip()
    if not reason:
        add_error(errors, "reason", "Say why you are amending the entry", "reason_required")
    before = {name: getattr(entry, name) for name in WORDING}
    wording = _check_wording(errors, before | {k: v for k, v in changes.items() if v is not None})
    if not errors and wording == before:
        add_error(errors, "__all__", "Change something before saving", "nothing_changed")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    EntryVersion.objects.create(
        entry=entry,
        version=entry.version,
        replaced_by=actor,
        replaced_at=now,
        reason=reason,
        **before,
    )
    for name, value in wording.items():
        setattr(entry, name, value)
    entry.version += 1
    entry.full_clean(exclude=["agency", "author"], validate_unique=False)
    entry.save()
    if wording["event_at"] != before["event_at"]:
        EntryChild.objects.filter(entry=entry).update(event_at=entry.event_at)
    for child in _children_of(entry):
        record_event(
            actor=actor,
            action=AuditAction.UPDATE,
            target=entry,
            child=child,
            summary=f"Amended a chronology entry about {child.full_name} "
            f"(version {entry.version}): {entry.summary}",
            purpose=reason,
            request=request,
        )
    return entry


@transaction.atomic
def mark_entered_in_error(
    *, actor: Practitioner, entry: ChronologyEntry, reason: str, request=None
) -> ChronologyEntry:
    """Mark an entry as entered in error (the wrong child, a duplicate…), with the
    reason: hidden from the default view, kept, and shown when asked for."""
    entry = ChronologyEntry.objects.select_for_update().select_related("agency").get(pk=entry.pk)
    _check_amendable(actor, entry)
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", "Say why the entry was entered in error", "reason_required")
    entry.entered_in_error_at, entry.entered_in_error_by = timezone.now(), actor
    entry.entered_in_error_reason = reason
    entry.full_clean(exclude=["agency", "author", "entered_in_error_by"], validate_unique=False)
    entry.save()
    for child in _children_of(entry):
        record_event(
            actor=actor,
            action=AuditAction.UPDATE,
            target=entry,
            child=child,
            summary=f"Marked a chronology entry about {child.full_name} as entered in error: "
            f"{entry.summary}",
            purpose=reason,
            request=request,
        )
    return entry
