"""Reads of case reviews, all through the access policy: a review and what it holds,
its tasks, the review chronology (live record plus agencies' additions) and its export,
the action-plan figures monitoring shows, and search across every review."""

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.chronology import exports
from threadline.chronology.models import ChronologyEntry, EntryChild
from threadline.people.models import Person
from threadline.people.validators import normalise_nhs_number
from threadline.sharing import policy
from threadline.sharing.models import Confidentiality
from threadline.timescales.models import Task

from .models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Finding,
    Recommendation,
    Review,
)


def get_review_for(actor: Practitioner, review_id) -> Review:
    """The review, or 404 if the actor may not see it (or it does not exist)."""
    try:
        return policy.reviews_visible_to(actor).select_related("partnership").get(pk=review_id)
    except (Review.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such review") from exc


def find_subject(identifier: str) -> Person | None:
    """A subject child named in a serious-incident notification, by Threadline person ID
    or NHS number: an exact match only (the partnership looks outside need-to-know)."""
    identifier = identifier.strip()
    try:
        return Person.objects.filter(pk=uuid.UUID(identifier)).first()
    except ValueError:
        pass
    digits = normalise_nhs_number(identifier)
    found = list(Person.objects.filter(nhs_number=digits)[:2]) if digits else []
    return found[0] if len(found) == 1 else None


def review_tasks(review: Review) -> list[Task]:
    """The statutory clock's tasks for the review (notification, rapid review,
    publication), soonest first."""
    return list(
        Task.objects.filter(trigger__key__startswith=review.clock_key).select_related(
            "owner_agency"
        )
    )


def recommendations_of(review: Review) -> list[Recommendation]:
    """The review's recommendations with their addressees, themes and actions."""
    return list(
        review.recommendations.select_related("addressed_to").prefetch_related(
            "themes",
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("owner", "agency").prefetch_related(
                    "evidence"
                ),
            ),
        )
    )


# --- the review chronology --------------------------------------------------------------


@dataclass
class ReviewChronology:
    rows: list[exports.ExportRow]
    restricted: int  # live entries in scope whose agencies restricted them to named people
    held_children: list[Person] = field(default_factory=list)


def _scope(review: Review) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(review.scope_from, dt.time.min, zone)
    end = dt.datetime.combine(review.scope_to + dt.timedelta(days=1), dt.time.min, zone)
    return start, end


def review_chronology(
    *, actor: Practitioner, review: Review, request=None, export: str = ""
) -> ReviewChronology:
    """What every agency recorded about the subject children and the children of their
    households in the scope period, with the entries agencies added for the review,
    oldest first; entries entered in error are left out and restricted ones counted, not
    shown. For the panel and the partnership's officers only; audited (as a view, or an
    export in `export` format)."""
    if not policy.can_read_review_chronology(actor, review):
        raise Http404("No such review chronology")
    held = review.holds.values("person_id")
    children = list(
        Person.objects.filter(pk__in=held, kind__in=("child", "unborn")).order_by(
            "date_of_birth", "given_names"
        )
    )
    start, end = _scope(review)
    about = EntryChild.objects.filter(entry=OuterRef("pk"), child__in=children)
    live = ChronologyEntry.objects.filter(
        Exists(about), event_at__gte=start, event_at__lt=end, entered_in_error_at__isnull=True
    )
    restricted = live.filter(confidentiality=Confidentiality.RESTRICTED).count()
    entries = list(
        live.exclude(confidentiality=Confidentiality.RESTRICTED)
        .select_related("agency")
        .prefetch_related(
            Prefetch("child_links", queryset=EntryChild.objects.select_related("child"))
        )
        .order_by("event_at", "recorded_at")
    )
    names = {c.pk for c in children}
    rows = [
        exports.ExportRow(
            event_at=e.event_at,
            precision=e.event_precision,
            agency=e.agency.name,
            source=e.source_reference,
            event_type=e.get_entry_type_display(),
            summary=e.summary,
            detail=e.detail,
            outcome=e.outcome,
            significance=e.get_significance_display(),
            recorded_at=e.recorded_at,
            children=", ".join(
                sorted(
                    link.child.full_name for link in e.child_links.all() if link.child_id in names
                )
            ),
        )
        for e in entries
    ]
    rows += [
        exports.ExportRow(
            event_at=e.event_at,
            precision=e.event_precision,
            agency=e.agency.name,
            source=" ".join(filter(None, [e.source_reference, "(added for the review)"])),
            event_type=e.get_entry_type_display(),
            summary=e.summary,
            detail=e.detail,
            outcome=e.outcome,
            significance=e.get_significance_display(),
            recorded_at=e.created_at,
            children="",
        )
        for e in review.entries.select_related("agency")
    ]
    rows.sort(key=lambda r: (r.event_at, r.recorded_at))
    summary = f"the review chronology of {review} ({len(rows)} entries)"
    record_event(
        actor=actor,
        action=AuditAction.EXPORT if export else AuditAction.VIEW,
        target=review,
        child=review.clock_child,
        summary=f"Exported {summary} as {export.upper()}" if export else f"Read {summary}",
        purpose="Case review (Children Act 2004, section 16H)",
        request=request,
    )
    return ReviewChronology(rows, restricted, children)


def export_review_chronology(
    *, actor: Practitioner, review: Review, fmt: str, request=None
) -> exports.Export:
    """The review chronology in the layout review authors use (CSV, XLSX, DOCX, PDF)."""
    if fmt not in exports.FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}")
    chronology = review_chronology(actor=actor, review=review, request=request, export=fmt)
    subtitle = (
        f"{review.get_review_type_display()}; scope {review.scope_from:%-d %B %Y} to "
        f"{review.scope_to:%-d %B %Y}; {len(chronology.rows)} entries"
        + (
            f"; {chronology.restricted} restricted entries held back by their agencies"
            if chronology.restricted
            else ""
        )
    )
    return exports.render(
        chronology.rows, fmt, title=f"Review chronology: {review.title}", subtitle=subtitle
    )


# --- monitoring ---------------------------------------------------------------------------


def actions_visible_to(actor: Practitioner) -> QuerySet[Action]:
    """Actions of the reviews the actor may see: all of them for the partnership and the
    panel, their own agency's for an agency asked to respond."""
    reviews = policy.reviews_visible_to(actor)
    mine = Q(recommendation__review__partnership_id=actor.agency_id) | Q(
        recommendation__review__panel__practitioner_id=actor.pk
    )
    return (
        Action.objects.filter(recommendation__review__in=reviews)
        .filter(mine | Q(agency_id=actor.agency_id))
        .distinct()
    )


def is_overdue(today: dt.date) -> Q:
    return Q(due_on__lt=today) & ~Q(status__in=(ActionStatus.EVIDENCED, ActionStatus.CLOSED))


@dataclass
class Figures:
    """What monitoring shows of a set of actions."""

    by_status: dict  # ActionStatus → count, every status present
    by_rag: dict
    overdue: int
    total: int

    @property
    def done(self) -> int:
        return self.by_status[ActionStatus.EVIDENCED] + self.by_status[ActionStatus.CLOSED]


def figures(actions: QuerySet[Action], today: dt.date | None = None) -> Figures:
    today = today or timezone.localdate()
    rows = list(actions.values_list("status", "rag", "due_on"))
    statuses = Counter(status for status, _, _ in rows)
    overdue = sum(
        1
        for status, _, due in rows
        if due < today and status not in (ActionStatus.EVIDENCED, ActionStatus.CLOSED)
    )
    return Figures(
        by_status={s: statuses.get(s, 0) for s in ActionStatus},
        by_rag=Counter(rag for _, rag, _ in rows),
        overdue=overdue,
        total=len(rows),
    )


def progress(actions: QuerySet[Action], *, weeks: int = 12, today: dt.date | None = None) -> list:
    """For each of the last `weeks` week-ends, how many of the actions stood in each
    status (from their kept history): [(day, {status: count})], oldest first."""
    today = today or timezone.localdate()
    days = [today - dt.timedelta(weeks=w) for w in range(weeks - 1, -1, -1)]
    history = list(
        ActionUpdate.objects.filter(action__in=actions.values("pk"))
        .order_by("created_at")
        .values_list("action_id", "status", "created_at")
    )
    series = []
    for day in days:
        until = dt.datetime.combine(
            day + dt.timedelta(days=1), dt.time.min, timezone.get_default_timezone()
        )
        latest: dict = {}
        for action_id, status, at in history:
            if at < until:
                latest[action_id] = status
        counts = Counter(latest.values())
        series.append((day, {s: counts.get(s, 0) for s in ActionStatus}))
    return series


def per_agency(actions: QuerySet[Action], today: dt.date | None = None) -> list:
    """[(agency name, Figures)] by agency name."""
    today = today or timezone.localdate()
    names = dict(actions.values_list("agency_id", "agency__name").distinct())
    return sorted(
        ((name, figures(actions.filter(agency_id=pk), today)) for pk, name in names.items()),
        key=lambda pair: pair[0],
    )


# --- search and themes --------------------------------------------------------------------


@dataclass
class SearchHit:
    review: Review
    kind: str  # "Recommendation", "Finding", "Terms of reference", "Incident"
    number: int | None
    text: str
    themes: list[str]


def search(actor: Practitioner, query: str = "", theme: str = "") -> list[SearchHit]:
    """Recommendations and findings, across every review the actor may see, whose text
    holds every word of `query` (and tagged with `theme`, if given); with the reviews'
    incidents and terms of reference that match. "Where have we seen this before?" """
    words = query.split()
    reviews = policy.reviews_visible_to(actor)
    hits: list[SearchHit] = []
    if not words and not theme:
        return hits

    def matching(queryset: QuerySet, fieldname: str) -> QuerySet:
        for word in words:
            queryset = queryset.filter(**{f"{fieldname}__icontains": word})
        return queryset.filter(themes__name__iexact=theme) if theme else queryset

    for model, kind in ((Recommendation, "Recommendation"), (Finding, "Finding")):
        found = (
            matching(model.objects.filter(review__in=reviews), "text")
            .select_related("review")
            .prefetch_related("themes")
            .distinct()
            .order_by("-review__incident_on", "number")
        )
        hits += [
            SearchHit(
                item.review, kind, item.number, item.text, [t.name for t in item.themes.all()]
            )
            for item in found
        ]
    if words and not theme:
        for review in reviews:
            if all(word.lower() in review.incident_summary.lower() for word in words):
                hits.append(SearchHit(review, "Incident", None, review.incident_summary, []))
            for i, question in enumerate(review.terms_of_reference, start=1):
                if all(word.lower() in question.lower() for word in words):
                    hits.append(SearchHit(review, "Terms of reference", i, question, []))
    return hits


def linked_recommendations() -> dict:
    """Rule id → the recommendations that created it (closing the loop), for the rule
    catalogue. Reviews are named by their published titles only."""
    linked: dict = {}
    for rec in Recommendation.objects.exclude(rule_id="").select_related("review"):
        linked.setdefault(rec.rule_id, []).append(rec)
    return linked
