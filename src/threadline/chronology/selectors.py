"""Reads of the chronology through the access policy: a child's (or their family's)
merged chronology, filtered and sorted; one entry with its history; what the child page
shows; the rows of an export. Each read of a list or an export is audited here; pages
about one child are audited by their route (sharing/routes.py)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from threadline.agencies.models import Agency, Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.people.models import Person, PersonKind
from threadline.referrals.selectors import family_of
from threadline.sharing import policy

from . import exports, timeline
from .models import ChronologyEntry, EntryCategory, EntryChild, EntryVersion, Significance

PAGE_SIZE = 50
LATEST_SIGNIFICANT = 5
TIMELINE_MAX_POINTS = 2000  # the most recent; a picture of more is a blur
EXPORT_MAX_ROWS = 20_000
SIGNIFICANT = (Significance.SIGNIFICANT, Significance.CRITICAL)


@dataclass(frozen=True)
class Filters:
    """What a chronology shows: empty tuples mean everything."""

    agencies: tuple = ()  # agency ids
    entry_types: tuple = ()
    significance: tuple = ()
    categories: tuple = ()  # information categories
    since: dt.date | None = None
    until: dt.date | None = None
    include_in_error: bool = False
    newest_first: bool = True

    def describe(self, agency_names: Sequence[str] = ()) -> str:
        """In words, for the audit trail and an export's subtitle."""
        parts = [
            f"from {self.since:%d %b %Y}" if self.since else "from the start",
            f"to {self.until:%d %b %Y}" if self.until else "to today",
        ]
        if agency_names:
            parts.append("agencies: " + ", ".join(agency_names))
        if self.entry_types:
            parts.append(
                "events: " + ", ".join(EntryCategory(t).label.lower() for t in self.entry_types)
            )
        if self.significance:
            parts.append(
                "significance: "
                + ", ".join(Significance(s).label.lower() for s in self.significance)
            )
        if self.include_in_error:
            parts.append("with entries entered in error")
        return "; ".join(parts)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_default_timezone())


def family_children(actor: Practitioner, child: Person) -> list[Person]:
    """The child and the children of their family (referrals.selectors.family_of: by
    relationship, through their parents, and in their household) whom the actor may
    see, the child first."""
    family = family_of(child)
    candidates = Person.objects.filter(
        pk__in=family, kind__in=[PersonKind.CHILD, PersonKind.UNBORN]
    ).values_list("pk", flat=True)
    seen = policy.visible_among(actor, candidates)
    others = Person.objects.filter(pk__in=seen).order_by("date_of_birth", "given_names")
    return [child, *others]


def _entries_about(actor: Practitioner, children: Sequence[Person]) -> tuple[QuerySet, str]:
    """Entries about these children (whom the actor has been checked to see) that the
    actor may read, and the field to order and filter them by date. One child reads the
    child index in order; a family reads the index for each child, once per entry."""
    if len(children) == 1:
        entries = ChronologyEntry.objects.filter(child_links__child=children[0])
        date_field = "child_links__event_at"
    else:
        about = EntryChild.objects.filter(child__in=children).values("entry_id")
        entries = ChronologyEntry.objects.filter(pk__in=about)
        date_field = "event_at"
    return policy.chronology_shared_with(actor, entries), date_field


def _filtered(entries: QuerySet, date_field: str, filters: Filters) -> QuerySet:
    if not filters.include_in_error:
        entries = entries.filter(entered_in_error_at__isnull=True)
    if filters.agencies:
        entries = entries.filter(agency_id__in=filters.agencies)
    if filters.entry_types:
        entries = entries.filter(entry_type__in=filters.entry_types)
    if filters.significance:
        entries = entries.filter(significance__in=filters.significance)
    if filters.categories:
        entries = entries.filter(category__in=filters.categories)
    if filters.since:
        entries = entries.filter(**{f"{date_field}__gte": _day_start(filters.since)})
    if filters.until:
        until = _day_start(filters.until + dt.timedelta(days=1))
        entries = entries.filter(**{f"{date_field}__lt": until})
    sign = "-" if filters.newest_first else ""
    return entries.order_by(f"{sign}{date_field}", f"{sign}recorded_at", "id")


def _shown(entries: QuerySet) -> QuerySet:
    """With what the API shows of each entry: agency, author (joined), attachments (one
    query); the children it is about come from `name_visible_children`."""
    return entries.select_related("agency", "author").prefetch_related("attachments")


def _listed(entries: QuerySet) -> QuerySet:
    """With what a chronology page's table shows: agency (joined), attachments (one
    query); not the author, whom the table does not show."""
    return entries.select_related("agency").prefetch_related("attachments")


def name_visible_children(
    actor: Practitioner, entries: Sequence[ChronologyEntry], *, seen: Sequence[Person] = ()
) -> None:
    """`entry.shown_children`: the children each entry is about whom the actor may see
    (`seen`: children already checked). One query reads which children the entries are
    about; only if some are not in `seen`, one checks them and one fetches those the
    actor may see. (A prefetch of the links with their children built a hundred model
    instances a page, 4-5 ms, mostly copies of the child the page already has.)"""
    if not entries:
        return
    links = EntryChild.objects.filter(entry_id__in=[e.pk for e in entries]).order_by("pk")
    about: dict = defaultdict(list)
    for entry_id, child_id in links.values_list("entry_id", "child_id"):
        about[entry_id].append(child_id)
    known = {child.pk: child for child in seen}
    others = {child_id for ids in about.values() for child_id in ids} - known.keys()
    visible = policy.visible_among(actor, others) if others else set()
    if visible:
        known |= {person.pk: person for person in Person.objects.filter(pk__in=visible)}
    for e in entries:
        e.shown_children = [known[child_id] for child_id in about[e.pk] if child_id in known]


def entries_for(
    *, actor: Practitioner, children: Sequence[Person], filters: Filters = Filters()
) -> QuerySet[ChronologyEntry]:
    """The merged chronology of these children (checked by the caller: the page's child,
    or `family_children`), filtered and sorted, with what a list shows."""
    entries, date_field = _entries_about(actor, children)
    return _shown(_filtered(entries, date_field, filters))


@dataclass(frozen=True)
class AgencyEntries:
    """One agency's share of the entries a chronology starts from."""

    agency: Agency  # its id and name
    current: int  # not entered in error
    in_error: int


@dataclass(frozen=True)
class Readable:
    """The entries about some children that the actor may read, before filters: what a
    chronology page and its filters start from."""

    entries: QuerySet
    date_field: str

    @cached_property
    def by_agency(self) -> list[AgencyEntries]:
        """The agencies that recorded them, by name, each with how many of its entries
        are current and how many entered in error: one pass over the entries (one query)
        gives the agency filter's choices and the counts of a page filtered by nothing
        but agencies."""
        rows = (
            self.entries.order_by()
            .values_list("agency_id", "agency__name")
            .annotate(
                current=Count("pk", filter=Q(entered_in_error_at__isnull=True)),
                in_error=Count("pk", filter=Q(entered_in_error_at__isnull=False)),
            )
            .order_by("agency__name", "agency_id")
        )
        return [
            AgencyEntries(Agency(id=agency_id, name=name), current, in_error)
            for agency_id, name, current, in_error in rows
        ]

    def agencies(self) -> list[Agency]:
        """The agencies that recorded them: the choices of the agency filter."""
        return [row.agency for row in self.by_agency]

    def counts(self, filters: Filters) -> tuple[int, int]:
        """How many entries the filters show, and how many entered in error they hide:
        from `by_agency` when the filters choose nothing but agencies (and whether
        entries entered in error are shown), else one more pass over the entries."""
        if (
            filters.entry_types
            or filters.significance
            or filters.categories
            or filters.since
            or filters.until
        ):
            everything = _filtered(
                self.entries, self.date_field, replace(filters, include_in_error=True)
            )
            in_error = Q(entered_in_error_at__isnull=False)
            counted = everything.aggregate(
                current=Count("pk", filter=~in_error), in_error=Count("pk", filter=in_error)
            )
            current, hidden = counted["current"], counted["in_error"]
        else:
            chosen = {str(agency) for agency in filters.agencies}
            rows = [r for r in self.by_agency if not chosen or str(r.agency.pk) in chosen]
            current = sum(r.current for r in rows)
            hidden = sum(r.in_error for r in rows)
        if filters.include_in_error:
            return current + hidden, 0
        return current, hidden


def readable(*, actor: Practitioner, children: Sequence[Person]) -> Readable:
    return Readable(*_entries_about(actor, children))


@dataclass
class ChronologyPage:
    page: Page
    children: list[Person]  # whose chronology: the child, or the family's children
    in_error: int = 0  # entries entered in error hidden by the filter
    entries: list = field(default_factory=list)


def chronology_page(
    *,
    actor: Practitioner,
    children: Sequence[Person],
    filters: Filters,
    page_number=1,
    entries: Readable | None = None,
) -> ChronologyPage:
    """One page (PAGE_SIZE entries) of a chronology (`entries`, if the caller has them
    already, their agencies perhaps counted for the filter form): the same few queries
    however many entries the child has and however many there are in all."""
    entries = entries or readable(actor=actor, children=children)
    count, hidden = entries.counts(filters)
    paginator = Paginator(
        _listed(_filtered(entries.entries, entries.date_field, filters)), PAGE_SIZE
    )
    paginator.count = count  # counted above
    page = paginator.get_page(page_number)
    shown = list(page.object_list)
    name_visible_children(actor, shown, seen=children)
    return ChronologyPage(page, list(children), hidden, shown)


@dataclass
class EntryRecord:
    entry: ChronologyEntry
    children: list[Person]
    versions: list[EntryVersion]
    attachments: list


def entry_record(*, actor: Practitioner, child: Person, entry_id) -> EntryRecord:
    """One entry about the child (404 if the actor may not read it) with its history,
    attachments and the children it is about whom the actor may see."""
    entry = policy.get_entry_for(actor, entry_id, child=child)
    links = list(entry.child_links.select_related("child"))
    seen = policy.visible_among(actor, {link.child_id for link in links})
    return EntryRecord(
        entry=entry,
        children=[link.child for link in links if link.child_id in seen],
        versions=list(entry.versions.select_related("replaced_by").order_by("-version")),
        attachments=list(entry.attachments.select_related("uploaded_by")),
    )


def get_attachment(*, actor: Practitioner, child: Person, entry_id, attachment_id, request=None):
    """An attachment of an entry the actor may read (404 otherwise); the download is
    audited."""
    entry = policy.get_entry_for(actor, entry_id, child=child)
    attachment = entry.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment")
    record_event(
        actor=actor,
        action=AuditAction.EXPORT,
        target=attachment,
        child=child,
        summary=f"Downloaded {attachment.original_name} from a chronology entry about "
        f"{child.full_name}",
        request=request,
    )
    return attachment


# --- the child page -------------------------------------------------------------------


@dataclass
class ChildChronology:
    latest: list[ChronologyEntry]  # the latest significant and critical entries
    picture: timeline.Timeline | None  # None when there is nothing to draw


def child_summary(*, actor: Practitioner, child: Person) -> ChildChronology:
    """What the child page shows of the chronology: the latest significant entries and
    the timeline picture (two queries)."""
    readable, date_field = _entries_about(actor, [child])
    current = readable.filter(entered_in_error_at__isnull=True)
    latest = list(
        current.filter(significance__in=SIGNIFICANT)
        .select_related("agency")
        .order_by(f"-{date_field}", "-recorded_at")[:LATEST_SIGNIFICANT]
    )
    rows = list(
        current.order_by(f"-{date_field}").values_list(
            "event_at", "agency__name", "significance", "summary"
        )[:TIMELINE_MAX_POINTS]
    )
    picture = None
    if rows:
        points = [timeline.TimelinePoint(*row) for row in reversed(rows)]
        picture = timeline.timeline(points)
    return ChildChronology(latest, picture)


# --- the API list ---------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    entries: QuerySet[ChronologyEntry]  # filtered and sorted, with what the API shows
    children: list[Person]  # whose chronology (checked): see `name_visible_children`


def list_entries(
    *, actor: Practitioner, child, family: bool = False, filters: Filters = Filters(), request=None
) -> Listing:
    """The chronology of one child (404 if the actor may not see them), or with `family`
    their family's, for the API; listing is audited like a search."""
    person = policy.get_person_for(actor, child)
    children = family_children(actor, person) if family else [person]
    entries, date_field = _entries_about(actor, children)
    whose = f"{person.full_name}'s family" if family else person.full_name
    record_event(
        actor=actor,
        action=AuditAction.SEARCH,
        child=person,
        summary=f"Listed the chronology of {whose}: {filters.describe()}",
        request=request,
    )
    return Listing(_shown(_filtered(entries, date_field, filters)), children)


def entry_with_history(*, actor: Practitioner, entry_id) -> ChronologyEntry:
    """One entry the actor may read (404 otherwise), with its versions, attachments and
    the children it is about whom they may see."""
    entry = policy.get_entry_for(actor, entry_id)
    versions = EntryVersion.objects.select_related("replaced_by").order_by("-version")
    entry = (
        _shown(ChronologyEntry.objects.filter(pk=entry.pk))
        .prefetch_related(Prefetch("versions", queryset=versions))
        .get()
    )
    name_visible_children(actor, [entry])
    return entry


def get_entry_record(*, actor: Practitioner, entry_id, request=None) -> ChronologyEntry:
    """`entry_with_history`, with the view audited."""
    entry = entry_with_history(actor=actor, entry_id=entry_id)
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=entry,
        child=entry.shown_children[0] if entry.shown_children else None,
        summary=f"Viewed a chronology entry: {entry.summary}",
        request=request,
    )
    return entry


# --- exports --------------------------------------------------------------------------


def _children_named(
    actor: Practitioner, entries: Sequence[ChronologyEntry], *, seen: Sequence[Person]
) -> dict:
    """Entry id → the names of the children it is about whom the actor may see, for
    thousands of entries in three queries (a prefetch costs more than the export)."""
    links = EntryChild.objects.filter(entry_id__in=[e.pk for e in entries])
    pairs = list(links.values_list("entry_id", "child_id"))
    checked = {child.pk: child.full_name for child in seen}
    others = {child_id for _, child_id in pairs} - set(checked)
    visible = policy.visible_among(actor, others) if others else set()
    names = checked | {p.pk: p.full_name for p in Person.objects.filter(pk__in=visible)}
    about: dict = defaultdict(list)
    for entry_id, child_id in pairs:
        if child_id in names:
            about[entry_id].append(names[child_id])
    return about


def export_row(entry, *, children: str = "", source: str | None = None, recorded_at=None):
    """An entry (of the chronology, or one an agency added for a review) as a row of the
    case-review layout; `source` and `recorded_at` default to the entry's own."""
    return exports.ExportRow(
        event_at=entry.event_at,
        precision=entry.event_precision,
        agency=entry.agency.name,
        source=entry.source_reference if source is None else source,
        event_type=entry.get_entry_type_display(),
        summary=entry.summary,
        detail=entry.detail,
        outcome=entry.outcome,
        significance=entry.get_significance_display(),
        recorded_at=entry.recorded_at if recorded_at is None else recorded_at,
        children=children,
    )


def export(
    *,
    actor: Practitioner,
    child: Person,
    children: Sequence[Person],
    filters: Filters,
    fmt: str,
    request=None,
) -> exports.Export:
    """The chronology (`children`: the child, or the family's) in the layout case reviews
    use, oldest first, as CSV, XLSX, DOCX or PDF; audited as an export with the range,
    agencies and format."""
    filters = replace(filters, newest_first=False)
    readable_entries, date_field = _entries_about(actor, children)
    ordered = _filtered(readable_entries, date_field, filters).select_related("agency")
    entries = list(ordered[:EXPORT_MAX_ROWS])
    about = _children_named(actor, entries, seen=children)
    names = []
    if filters.agencies:
        names = list(
            Agency.objects.filter(pk__in=filters.agencies)
            .order_by("name")
            .values_list("name", flat=True)
        )
    described = filters.describe(names)
    whose = f"{child.full_name}'s family" if len(children) > 1 else child.full_name
    rows = [export_row(e, children=", ".join(sorted(about[e.pk]))) for e in entries]
    document = exports.render(
        rows, fmt, title=f"Chronology of {whose}", subtitle=f"{len(rows)} entries, {described}"
    )
    record_event(
        actor=actor,
        action=AuditAction.EXPORT,
        target=child,
        child=child,
        summary=f"Exported the chronology of {whose} as {fmt.upper()} ({len(rows)} entries)",
        purpose=described,
        request=request,
    )
    return document
