"""Reads of case reviews, all through the access policy: a review and what it holds,
its tasks, the review chronology (live record plus agencies' additions) and its export,
the action-plan figures monitoring shows, and search across every review."""

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from threadline.agencies.models import Agency, Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.chronology import exports
from threadline.chronology.models import ChronologyEntry, EntryChild
from threadline.chronology.selectors import export_row
from threadline.common.errors import invalid
from threadline.people.models import Person, PersonKind
from threadline.sharing import policy
from threadline.sharing.models import Confidentiality
from threadline.timescales.models import Task
from threadline.timescales.selectors import marked_overdue

from . import extraction
from .models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AgencyReport,
    Evidence,
    Finding,
    Recommendation,
    Review,
    ReviewStatus,
    Theme,
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
    return policy.find_for_break_glass(nhs_number=identifier)


def review_tasks(review: Review) -> list[Task]:
    """The statutory clock's tasks for the review (notification, rapid review,
    publication), soonest first, each marked overdue or not now (`is_overdue`, as the
    tasks API marks them)."""
    return list(
        marked_overdue(
            Task.objects.filter(trigger__key__startswith=review.clock_key).select_related(
                "child", "trigger", "owner", "owner_agency", "closed_by"
            )
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
        Person.objects.filter(pk__in=held, kind__in=(PersonKind.CHILD, PersonKind.UNBORN)).order_by(
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
        export_row(
            e,
            children=", ".join(
                sorted(
                    link.child.full_name for link in e.child_links.all() if link.child_id in names
                )
            ),
        )
        for e in entries
    ]
    rows += [
        export_row(
            e,
            source=" ".join(filter(None, [e.source_reference, "(added for the review)"])),
            recorded_at=e.created_at,
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
    panel, their own agency's for an agency asked to respond. A filter on ids, not a
    join: counting over it counts each action once."""
    reviews = policy.reviews_visible_to(actor)
    on_panel = Q(recommendation__review__panel__practitioner_id=actor.pk)
    seen = Action.objects.filter(recommendation__review__in=reviews).filter(
        Q(recommendation__review__partnership_id=actor.agency_id)
        | on_panel
        | Q(agency_id=actor.agency_id)
    )
    return Action.objects.filter(pk__in=seen.values("pk"))


DONE = (ActionStatus.EVIDENCED, ActionStatus.CLOSED)  # no longer counted as overdue


def is_overdue(today: dt.date) -> Q:
    """The actions past their due date and not yet evidenced or closed (`days_overdue`)."""
    return Q(due_on__lt=today) & ~Q(status__in=DONE)


def days_overdue(status: str, due_on: dt.date, today: dt.date) -> int:
    """How many days past its due date an action is (`is_overdue`); 0 if it is not."""
    return 0 if status in DONE or due_on >= today else (today - due_on).days


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
    return figures_of(actions.values_list("status", "rag", "due_on"), today)


def figures_of(rows: Iterable[tuple[str, str, dt.date]], today: dt.date) -> Figures:
    """The figures of actions already read, as (status, RAG rating, due date) rows."""
    rows = list(rows)
    statuses = Counter(status for status, _, _ in rows)
    return Figures(
        by_status={s: statuses.get(s, 0) for s in ActionStatus},
        by_rag=Counter(rag for _, rag, _ in rows),
        overdue=sum(1 for status, _, due in rows if days_overdue(status, due, today)),
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
    """[(agency name, Figures)] by agency name, in one query."""
    today = today or timezone.localdate()
    rows: dict = {}
    for name, *row in actions.values_list("agency__name", "status", "rag", "due_on"):
        rows.setdefault(name, []).append(row)
    return sorted((name, figures_of(found, today)) for name, found in rows.items())


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


def linked_recommendations(actor: Practitioner) -> dict:
    """Rule id → the recommendations that created it (closing the loop), for the rule
    catalogue: those of published or closed reviews (public documents), and of reviews
    the actor may see."""
    reviews = policy.reviews_visible_to(actor)
    public = Q(review__status__in=(ReviewStatus.PUBLISHED, ReviewStatus.CLOSED))
    linked: dict = {}
    found = (
        Recommendation.objects.exclude(rule_id="")
        .filter(public | Q(review__in=reviews))
        .select_related("review")
        .order_by("review__title", "number")
    )
    for recommendation in found:
        linked.setdefault(recommendation.rule_id, []).append(recommendation)
    return linked


# === For the case-review web pages (reviews/views.py, sharing/routes.py) ==================
# Added with the pages: fetching the records their routes name through the policy, the
# audited downloads, and the audited lists (reviews, monitoring, search).


def get_report_for(actor: Practitioner, report_id) -> AgencyReport:
    """An agency report of a review the actor may see, or 404."""
    try:
        return AgencyReport.objects.select_related("review", "review__partnership", "agency").get(
            pk=report_id, review__in=policy.reviews_visible_to(actor)
        )
    except (AgencyReport.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such report") from exc


def get_recommendation_for(actor: Practitioner, recommendation_id) -> Recommendation:
    """A recommendation of a review the actor may see, or 404."""
    try:
        return Recommendation.objects.select_related(
            "review", "review__partnership", "addressed_to"
        ).get(pk=recommendation_id, review__in=policy.reviews_visible_to(actor))
    except (Recommendation.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such recommendation") from exc


def get_action_for(actor: Practitioner, action_id) -> Action:
    """One of the actions the actor may see (`actions_visible_to`), or 404."""
    try:
        return Action.objects.select_related(
            "recommendation",
            "recommendation__review",
            "recommendation__review__partnership",
            "agency",
            "owner",
        ).get(pk=action_id, pk__in=actions_visible_to(actor).values("pk"))
    except (Action.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such action") from exc


def report_document(*, actor: Practitioner, report: AgencyReport, request=None) -> AgencyReport:
    """The report's document for download (404 if none yet); audited as an export."""
    if not report.document:
        raise Http404("No document has been submitted")
    record_event(
        actor=actor,
        action=AuditAction.EXPORT,
        target=report,
        child=report.review.clock_child,
        summary=f"Downloaded {report.document_name} ({report.agency.name}'s report to "
        f"{report.review})",
        purpose="Case review (Children Act 2004, section 16H)",
        request=request,
    )
    return report


def get_evidence(*, actor: Practitioner, action: Action, evidence_id, request=None) -> Evidence:
    """A document of the action's evidence for download (404 if not the action's);
    audited as an export."""
    try:
        evidence = action.evidence.get(pk=evidence_id)
    except (Evidence.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such evidence") from exc
    review = action.recommendation.review
    record_event(
        actor=actor,
        action=AuditAction.EXPORT,
        target=evidence,
        child=review.clock_child,
        summary=f"Downloaded {evidence.original_name} (evidence for an action of {review})",
        request=request,
    )
    return evidence


@dataclass
class ReviewRow:
    review: Review
    open_actions: int  # not yet closed
    overdue: int


def reviews_listed(*, actor: Practitioner, request=None) -> list[ReviewRow]:
    """The reviews the actor may see, newest incident first, with their actions open and
    overdue (of the actions the actor may see). Listing is audited like a search."""
    today = timezone.localdate()
    counts = {
        row["recommendation__review"]: row
        for row in actions_visible_to(actor)
        .values("recommendation__review")
        .annotate(
            open=Count("pk", filter=~Q(status=ActionStatus.CLOSED)),
            overdue=Count("pk", filter=is_overdue(today)),
        )
        .order_by()
    }
    reviews = list(policy.reviews_visible_to(actor).select_related("partnership"))
    record_event(
        actor=actor, action=AuditAction.SEARCH, summary="Listed case reviews", request=request
    )
    return [
        ReviewRow(
            review,
            counts.get(review.pk, {}).get("open", 0),
            counts.get(review.pk, {}).get("overdue", 0),
        )
        for review in reviews
    ]


@dataclass
class ReviewFigures:
    review: Review
    figures: Figures


@dataclass
class Monitoring:
    figures: Figures  # across every review shown
    per_review: list[ReviewFigures]
    per_agency: list  # [(agency name, Figures)]
    overdue: list[Action]  # most overdue first
    series: list  # selectors.progress


def monitoring(*, actor: Practitioner, request=None, review: Review | None = None) -> Monitoring:
    """The action plans' figures across the reviews the actor may see (or one of them):
    per review, per agency, the overdue actions and the progress over twelve weeks, of
    the actions the actor may see. Across reviews, audited as a search."""
    today = timezone.localdate()
    actions = actions_visible_to(actor)
    reviews = policy.reviews_visible_to(actor)
    if review is not None:
        actions, reviews = (
            actions.filter(recommendation__review=review),
            reviews.filter(pk=review.pk),
        )
    per_review = [
        ReviewFigures(r, figures(actions.filter(recommendation__review=r), today))
        for r in reviews.select_related("partnership")
    ]
    overdue = list(
        actions.filter(is_overdue(today))
        .select_related("agency", "owner", "recommendation", "recommendation__review")
        .order_by("due_on", "created_at")
    )
    if review is None:  # one review's figures are on its page, whose route audits it
        record_event(
            actor=actor,
            action=AuditAction.SEARCH,
            summary="Read the case reviews' monitoring figures",
            request=request,
        )
    return Monitoring(
        figures=figures(actions, today),
        per_review=per_review,
        per_agency=per_agency(actions, today),
        overdue=overdue,
        series=progress(actions, today=today),
    )


@dataclass
class ThemeSearch:
    hits: list[tuple[Review, list[SearchHit]]]  # grouped by review, in the order found
    themes: list[str]  # every theme of the reviews the actor may see


def search_reviews(
    *, actor: Practitioner, query: str = "", theme: str = "", request=None
) -> ThemeSearch:
    """`search`, grouped by review, with the themes to filter by; a search is audited."""
    reviews = policy.reviews_visible_to(actor)
    themes = list(
        Theme.objects.filter(
            Q(findings__review__in=reviews) | Q(recommendations__review__in=reviews)
        )
        .distinct()
        .order_by("name")
        .values_list("name", flat=True)
    )
    found = search(actor, query, theme)
    grouped: dict = {}
    for hit in found:
        grouped.setdefault(hit.review.pk, (hit.review, []))[1].append(hit)
    if query.strip() or theme.strip():
        record_event(
            actor=actor,
            action=AuditAction.SEARCH,
            summary=f"Searched case reviews for {query.strip()!r}"
            + (f" (theme {theme.strip()!r})" if theme.strip() else ""),
            request=request,
        )
    return ThemeSearch(list(grouped.values()), themes)


# --- Recommendations proposed from a review's document ----------------------------------
# (added with reviews/api/; for the web's upload page too)


@dataclass(frozen=True)
class ProposedFromDocument:
    """A recommendation found in a review's document, for a person to confirm."""

    number: int
    text: str
    addressed_to: Agency | None  # None: the document does not say


def recommendations_in_document(*, review: Review, document: File) -> list[ProposedFromDocument]:
    """The numbered recommendations of a review document (plain text, Word or PDF), each
    with the agency of the partnership's area it seems addressed to. Saves nothing.
    Problems, on `file`: `document_too_big`, `unreadable_document`, `no_recommendations`."""
    size = document.size or 0
    if size > extraction.MAX_BYTES:
        raise invalid(
            "file",
            f"The file is larger than {extraction.MAX_BYTES // (1024 * 1024)} MB",
            "document_too_big",
        )
    if size == 0:
        raise invalid("file", "The file is empty", "unreadable_document")
    document.seek(0)
    content = document.read()
    name = PurePath(document.name or "document").name
    try:
        text = extraction.document_text(content, name)
    except extraction.ExtractionError as exc:
        raise invalid("file", str(exc), "unreadable_document") from exc
    agencies = {a.name: a for a in Agency.objects.filter(area=review.partnership.area)}
    agencies[review.partnership.name] = review.partnership
    found = extraction.extract(text, agencies)
    if not found:
        raise invalid(
            "file",
            f"No numbered recommendations were found in {name}, so none were extracted. "
            "Check it is the review's report, or type the recommendations in.",
            "no_recommendations",
        )
    named = agencies | {"partnership": review.partnership}
    return [ProposedFromDocument(p.number, p.text, named.get(p.addressed_to or "")) for p in found]
