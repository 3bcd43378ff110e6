"""Monitoring of the case reviews' action plans: the progress chart and the board report
for the safeguarding partnership board.

Interface (stable; the monitoring pages call these):

    progress_chart_svg(series, *, title: str) -> str
    board_report(*, actor, reviews: QuerySet[Review], request=None,
                 today: date | None = None) -> Export   # a PDF

`progress_chart_svg` draws `selectors.progress()` output as stacked bars, one a week,
with the statuses stacked in workflow order: not started on top, closed on the base line,
so progress rises from the bottom. Like the chronology timeline, the SVG has a fixed
960-wide viewBox and `width="100%"`, carries no `style` (the page's CSP), and every piece
of text in it is XML-escaped, so it is safe to insert with `|safe`. Its `<title>` and
`<desc>` are the text alternative; each bar and segment has a `<title>` browsers show on
hover. GOV.UK colours: mid grey (2:1 against white) and orange (2.8:1) fall short of the
3:1 WCAG 1.4.11 asks of graphics, so every bar is outlined in black, segments are split
by a white line, and the words (the `<desc>`, and the figures beside the chart) carry
the numbers.

`board_report` reads only the reviews the actor may see (the `reviews` given are
intersected with the access policy, so a caller cannot widen it) and only the actions
the actor may see of them (an agency asked to respond sees its own), in a fixed number
of queries however many reviews and actions; the export is audited. WeasyPrint lays
out `reviews/board_report.html` (A4 portrait, the chart as inline SVG): 10 reviews of 8
recommendations with 3 actions each, 34 pages, take about 3 s, nearly all of it
layout."""

import datetime as dt
import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.chronology.exports import MONTHS, Export, printable
from threadline.sharing import policy
from threadline.timescales.models import Task, TaskStatus

from . import selectors
from .models import Action, ActionStatus, Recommendation, Review, ReviewStatus
from .selectors import Figures

# --- the progress chart -------------------------------------------------------------------

WIDTH = 960
LEFT = 56  # the count axis's labels
RIGHT = 16
TOP = 44  # the legend
PLOT = 220  # the bars' height at the axis's top tick
AXIS = 44  # week labels, and the year under them
HEIGHT = TOP + PLOT + AXIS
MAX_TICKS = 5

BLACK, MID_GREY, WHITE = "#0b0c0c", "#b1b4b6", "#ffffff"

# Legend order, left to right, is the stack's order, top to bottom.
STATUS_COLOURS = {
    ActionStatus.NOT_STARTED: MID_GREY,
    ActionStatus.IN_PROGRESS: "#1d70b8",  # blue
    ActionStatus.AWAITING_EVIDENCE: "#f47738",  # orange
    ActionStatus.EVIDENCED: "#00703c",  # green
    ActionStatus.CLOSED: BLACK,
}

Series = Sequence[tuple[dt.date, dict]]


def progress_chart_svg(series: Series, *, title: str) -> str:
    """An `<svg>` stacked bar chart of `selectors.progress()` output, safe to embed."""
    desc = _chart_text(series)
    ident = "progress-" + hashlib.blake2s(f"{title}\n{desc}".encode(), digest_size=4).hexdigest()
    totals = [sum(counts.get(s, 0) for s in STATUS_COLOURS) for _, counts in series]
    step, top = _count_axis(max(totals, default=0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%"'
        f' role="img" aria-labelledby="{ident}-title {ident}-desc" class="app-progress-chart"'
        f' font-family="Arial, sans-serif">',
        f'<title id="{ident}-title">{_x(title)}</title>',
        f'<desc id="{ident}-desc">{_x(desc)}</desc>',
    ]
    parts += _legend()
    parts += _gridlines(step, top)
    band = (WIDTH - LEFT - RIGHT) / max(len(series), 1)
    for index, ((day, counts), total) in enumerate(zip(series, totals, strict=True)):
        if total:
            parts.append(
                _bar(day, counts, total, LEFT + band * index + band * 0.2, band * 0.6, top)
            )
    if not any(totals):
        parts.append(
            f'<text x="{LEFT + (WIDTH - LEFT - RIGHT) / 2}" y="{TOP + PLOT / 2}"'
            f' text-anchor="middle" font-size="16" fill="{BLACK}">No actions to show</text>'
        )
    parts += _weeks([day for day, _ in series], band)
    parts.append("</svg>")
    return "".join(parts)


def _x(text: str) -> str:
    return escape(printable(text))


def _day(day: dt.date, year: bool = True) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}" + (f" {day.year}" if year else "")


def _y(count: float, top: int) -> float:
    return TOP + PLOT - PLOT * count / top


def _count_axis(most: int) -> tuple[int, int]:
    """The tick step (1, 2 or 5 times a power of ten) for at most MAX_TICKS ticks above
    zero, and the axis's top: the first tick at or above `most`."""
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if math.ceil(most / step) <= MAX_TICKS:
                return step, max(step, math.ceil(most / step) * step)
        power *= 10


def _legend() -> list[str]:
    parts, x = [], LEFT
    for status, colour in STATUS_COLOURS.items():
        parts.append(
            f'<rect x="{x}" y="{TOP / 2 - 13}" width="16" height="16" fill="{colour}"'
            f' stroke="{BLACK}"/>'
            f'<text x="{x + 22}" y="{TOP / 2}" font-size="14" fill="{BLACK}">'
            f"{_x(status.label)}</text>"
        )
        x += 22 + round(len(status.label) * 7.6) + 24  # Arial at 14px: ~7.6 a character
    return parts


def _gridlines(step: int, top: int) -> list[str]:
    """A dashed line and a label at each tick of the count axis; the base line black."""
    parts = []
    for count in range(0, top + 1, step):
        y = _y(count, top)
        line = f'stroke="{BLACK}"' if count == 0 else f'stroke="{MID_GREY}" stroke-dasharray="4 4"'
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" {line}/>'
            f'<text x="{LEFT - 8}" y="{y + 5:.1f}" text-anchor="end" font-size="13"'
            f' fill="{BLACK}">{count}</text>'
        )
    return parts


def _bar(day: dt.date, counts: dict, total: int, x: float, width: float, top: int) -> str:
    statuses = [s for s in STATUS_COLOURS if counts.get(s, 0)]
    words = ", ".join(f"{counts[s]} {s.label.lower()}" for s in statuses)
    parts = [
        f'<g class="app-progress-chart__week"><title>'
        f"{_x(f'Week to {_day(day)}: {_actions(total)} ({words})')}</title>"
    ]
    base = 0
    for status in reversed(statuses):  # closed on the base line
        count = counts[status]
        y, height = _y(base + count, top), PLOT * count / top
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}"'
            f' fill="{STATUS_COLOURS[status]}" stroke="{WHITE}"'
            f' class="app-progress-chart__{status.value}">'
            f"<title>{_x(f'Week to {_day(day)}: {count} {status.label.lower()}')}</title></rect>"
        )
        base += count
    y = _y(total, top)
    parts.append(
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{TOP + PLOT - y:.1f}"'
        f' fill="none" stroke="{BLACK}"/></g>'
    )
    return "".join(parts)


def _weeks(days: list[dt.date], band: float) -> list[str]:
    """Each week's end under its bar, as many as fit (always the latest); the year under
    the first label and under the first of each new year."""
    if not days:
        return []
    every = max(1, math.ceil(56 / band))  # "30 Nov" at 12px is ~40 wide
    y = TOP + PLOT
    parts, year = [], None
    for index, day in enumerate(days):
        if (len(days) - 1 - index) % every:
            continue
        x = LEFT + band * (index + 0.5)
        parts.append(
            f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 5}" stroke="{BLACK}"/>'
            f'<text x="{x:.1f}" y="{y + 19}" text-anchor="middle" font-size="12"'
            f' fill="{BLACK}">{_day(day, year=False)}</text>'
        )
        if day.year != year:
            parts.append(
                f'<text x="{x:.1f}" y="{y + 36}" text-anchor="middle" font-size="12"'
                f' font-weight="bold" fill="{BLACK}">{day.year}</text>'
            )
            year = day.year
    return parts


def _actions(n: int) -> str:
    return f"{n} action" + ("" if n == 1 else "s")


def _chart_text(series: Series) -> str:
    """The chart in words: the span, where the latest week stands, and where the first
    did."""
    if not series:
        return "No weeks to show."
    (first, was), (last, now) = series[0], series[-1]
    span = f"{len(series)} week{'' if len(series) == 1 else 's'} to {_day(last)}"
    total = sum(now.get(s, 0) for s in STATUS_COLOURS)
    if not total:
        return f"{span}: no actions yet."
    done = now.get(ActionStatus.EVIDENCED, 0) + now.get(ActionStatus.CLOSED, 0)
    breakdown = ", ".join(f"{now.get(s, 0)} {s.label.lower()}" for s in STATUS_COLOURS)
    text = (
        f"{span}: {now.get(ActionStatus.CLOSED, 0)} of {_actions(total)} closed, {done}"
        f" evidenced or closed. At {_day(last)}: {breakdown}."
    )
    if len(series) > 1:
        before = sum(was.get(s, 0) for s in STATUS_COLOURS)
        text += f" At {_day(first)}: {_actions(before)}, {was.get(ActionStatus.CLOSED, 0)} closed."
    return text


# --- the board report ---------------------------------------------------------------------

PDF_FONT = "DejaVu Sans"  # fonts-dejavu-core, as the chronology's PDF

KEY_DATES = (
    ("incident_on", "Incident"),
    ("aware_on", "Local authority aware"),
    ("notified_on", "Notified to the Panel"),
    ("rapid_review_completed_on", "Rapid review completed"),
    ("lcspr_decided_on", "Decided on a local review"),
    ("published_on", "Published"),
    ("closed_on", "Closed"),
)


@dataclass
class ActionLine:
    action: Action
    review: Review
    recommendation: Recommendation
    days_overdue: int  # 0 unless overdue


@dataclass
class RecommendationPart:
    recommendation: Recommendation
    actions: list[ActionLine]


@dataclass
class ReviewPart:
    review: Review
    dates: list[tuple[str, dt.date]]
    tasks: list[Task]  # the statutory clock's open tasks, soonest first
    recommendations: list[RecommendationPart]
    figures: Figures

    @property
    def by_status(self) -> list[tuple[str, int]]:
        return [(s.label, self.figures.by_status[s]) for s in ActionStatus]


def board_report(
    *,
    actor: Practitioner,
    reviews: QuerySet[Review],
    request=None,
    today: dt.date | None = None,
) -> Export:
    """The board report as a PDF: the figures across `reviews` (those of them `actor`
    may see), the progress chart, each agency's figures, the overdue actions, and each
    review's dates, open clock tasks, recommendations and actions. Audited as an
    export."""
    from weasyprint import HTML

    today = today or timezone.localdate()
    context = _report(actor, reviews, today)
    html = render_to_string("reviews/board_report.html", context)  # no request: no queries
    content = HTML(string=printable(html)).write_pdf()
    shown = context["reviews"]
    with transaction.atomic():
        record_event(
            actor=actor,
            action=AuditAction.EXPORT,
            target=shown[0].review if shown else None,
            summary=f"Exported the board report ({len(shown)} review"
            + ("" if len(shown) == 1 else "s")
            + ")",
            request=request,
        )
    return Export(
        content=content,
        content_type="application/pdf",
        filename=f"board-report-{today.isoformat()}.pdf",
    )


def _report(actor: Practitioner, reviews: QuerySet[Review], today: dt.date) -> dict:
    """What the template shows, read in five queries (reviews, recommendations, actions,
    action history, clock tasks) however many reviews and actions there are."""
    chosen = reviews.values("pk") if isinstance(reviews, QuerySet) else [r.pk for r in reviews]
    found = list(
        policy.reviews_visible_to(actor).filter(pk__in=chosen).select_related("partnership")
    )
    ids = [review.pk for review in found]
    recommendations: dict = defaultdict(list)
    for rec in Recommendation.objects.filter(review_id__in=ids).select_related("addressed_to"):
        recommendations[rec.review_id].append(rec)
    visible = Action.objects.filter(
        pk__in=selectors.actions_visible_to(actor).values("pk"), recommendation__review_id__in=ids
    )
    actions = list(visible.select_related("owner", "agency"))
    series = selectors.progress(visible, today=today)
    tasks = _open_tasks(found)

    by_recommendation: dict = defaultdict(list)
    for action in actions:
        by_recommendation[action.recommendation_id].append(action)
    parts, lines = [], []
    for review in found:
        recs = []
        for rec in recommendations[review.pk]:
            rec_lines = [
                ActionLine(
                    action,
                    review,
                    rec,
                    selectors.days_overdue(action.status, action.due_on, today),
                )
                for action in by_recommendation[rec.pk]
            ]
            recs.append(RecommendationPart(rec, rec_lines))
            lines += rec_lines
        parts.append(
            ReviewPart(
                review=review,
                dates=[
                    (label, getattr(review, name))
                    for name, label in KEY_DATES
                    if getattr(review, name) is not None
                ],
                tasks=tasks[review.pk],
                recommendations=recs,
                figures=_figures([line for rec in recs for line in rec.actions], today),
            )
        )
    overall = _figures(lines, today)
    statuses = Counter(review.status for review in found)
    names = sorted({review.partnership.name for review in found})
    return {
        "today": today,
        "actor": actor,
        "partnership": ", ".join(names) or (actor.agency.name if actor.agency else ""),
        "review_counts": [(s.label, statuses.get(s, 0)) for s in ReviewStatus],
        "figures": overall,
        "by_status": [(s.label, overall.by_status[s]) for s in ActionStatus],
        "done_percent": round(100 * overall.done / overall.total) if overall.total else None,
        "chart": progress_chart_svg(
            series, title=f"Actions by status at the end of each week to {_day(today)}"
        ),
        "statuses": [s.label for s in ActionStatus],
        "agencies": _per_agency(lines, today),
        "overdue": sorted(
            (line for line in lines if line.days_overdue),
            key=lambda line: (-line.days_overdue, line.action.agency.name, line.review.title),
        ),
        "reviews": parts,
        "pdf_font": PDF_FONT,
    }


def _per_agency(lines: list[ActionLine], today: dt.date) -> list[tuple[str, list[int], Figures]]:
    """(agency name, counts in ActionStatus order, Figures) by agency name."""
    by_agency: dict = defaultdict(list)
    for line in lines:
        by_agency[line.action.agency_id].append(line)
    rows = []
    for group in by_agency.values():
        found = _figures(group, today)
        rows.append(
            (group[0].action.agency.name, [found.by_status[s] for s in ActionStatus], found)
        )
    return sorted(rows, key=lambda row: row[0].casefold())


def _open_tasks(reviews: Sequence[Review]) -> dict:
    """Review pk → its clock's open tasks (as `selectors.review_tasks`), in one query."""
    found: dict = defaultdict(list)
    if not reviews:
        return found
    keys = Q()
    for review in reviews:
        keys |= Q(trigger__key__startswith=review.clock_key)
    by_key = {review.clock_key: review.pk for review in reviews}
    open_tasks = (
        Task.objects.filter(keys, status=TaskStatus.OPEN)
        .select_related("owner_agency")
        .annotate(trigger_key=F("trigger__key"))
    )
    for task in open_tasks:
        prefix = ":".join(task.trigger_key.split(":", 2)[:2]) + ":"  # "review:<pk>:"
        if prefix in by_key:
            found[by_key[prefix]].append(task)
    return found


def _figures(lines: Iterable[ActionLine], today: dt.date) -> Figures:
    """`selectors.figures` of actions already read (no query)."""
    return selectors.figures_of(
        ((line.action.status, line.action.rag, line.action.due_on) for line in lines), today
    )
