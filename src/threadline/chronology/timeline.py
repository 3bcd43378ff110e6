"""The timeline picture: a server-rendered SVG with one lane per agency, a year and month
axis, and a marker per event sized and coloured by significance, with a text alternative.

Interface (stable; the child page and the chronology page call these):

    timeline(points: Sequence[TimelinePoint], *, start: date | None = None,
             end: date | None = None) -> Timeline   # Timeline.svg (markup), Timeline.text

The range runs from `start` to `end` inclusive; by default, the points' range widened to
whole months. Points outside it are left out of both the picture and the words. The SVG
has a fixed 960-wide viewBox and `width="100%"`, so it scales with its container; it
carries no `style` (the page's CSP) and every piece of text in it is XML-escaped. Each
marker has a `<title>` (date, agency, summary) that browsers show on hover.

The text alternative is plain text, one statement a line: the whole picture in one
sentence, then each agency's count and date range, then (after a blank line) every
critical and significant event by date."""

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from threadline.chronology.exports import LONDON, MONTHS, format_event_date, printable

WIDTH = 960
LABEL_WIDTH = 200  # the agencies' names, left of the lanes
RIGHT = 16
TOP = 34  # the legend
LANE = 34
AXIS = 46
LABEL_CHARS = 27  # longer agency names are shortened (the lane's <title> has it whole)

# GOV.UK colours. Markers: grey 7:1 and red 4.9:1 against white; orange is 2.8:1, so
# orange and red markers have a black outline (WCAG 1.4.11 asks 3:1 of graphics), and
# size as well as colour tells the significance.
BLACK, DARK_GREY, MID_GREY, LIGHT_GREY = "#0b0c0c", "#505a5f", "#b1b4b6", "#f3f2f1"
WHITE, ORANGE, RED = "#ffffff", "#f47738", "#d4351c"


@dataclass(frozen=True)
class Marker:
    label: str
    radius: float
    fill: str
    stroke: str | None


MARKERS = {  # drawn in this order, so the critical ones are on top
    "routine": Marker("Routine", 4, DARK_GREY, None),
    "significant": Marker("Significant", 6.5, ORANGE, BLACK),
    "critical": Marker("Critical", 9, RED, BLACK),
}
RANK = {significance: rank for rank, significance in enumerate(MARKERS)}


@dataclass(frozen=True)
class TimelinePoint:
    event_at: dt.datetime
    agency: str
    significance: str  # Significance value: "routine", "significant", "critical"
    summary: str


@dataclass(frozen=True)
class Timeline:
    svg: str  # an <svg> element, safe to insert in a page (all text escaped)
    text: str  # the text alternative: what the picture shows, in words


def timeline(
    points: Sequence[TimelinePoint], *, start: dt.date | None = None, end: dt.date | None = None
) -> Timeline:
    for point in points:
        if point.significance not in MARKERS:
            raise ValueError(f"Unknown significance {point.significance!r}")
    first, stop = _range(points, start, end)
    shown = sorted(
        (p for p in points if first <= _local(p.event_at).date() < stop),
        key=lambda p: (RANK[p.significance], p.event_at),
    )
    text = _text(shown, first, stop)
    ident = "timeline-" + hashlib.blake2s(text.encode(), digest_size=4).hexdigest()
    agencies = sorted({p.agency for p in shown}, key=str.casefold)
    height = TOP + LANE * max(len(agencies), 1) + AXIS
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%"'
        f' role="img" aria-labelledby="{ident}-title {ident}-desc" class="app-timeline"'
        f' font-family="Arial, sans-serif">',
        f'<title id="{ident}-title">Timeline of events by agency</title>',
        f'<desc id="{ident}-desc">{_x(text.split("\n", 1)[0])}</desc>',
    ]
    if not shown:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{TOP + LANE / 2 + 5}" text-anchor="middle" font-size="16"'
            f' fill="{BLACK}">No events to show</text>'
        )
    else:
        parts += _legend()
        parts += _lanes(agencies)
    parts += _axis(first, stop, TOP + LANE * max(len(agencies), 1), gridlines=bool(shown))
    if shown:
        scale = _Scale(first, stop)
        row = {agency: index for index, agency in enumerate(agencies)}
        for point in shown:
            marker = MARKERS[point.significance]
            stroke = f' stroke="{marker.stroke}" stroke-width="1.5"' if marker.stroke else ""
            hover = (
                f"{format_event_date(point.event_at, 'day')}, {point.agency}"
                f" ({marker.label.lower()}): {point.summary}"
            )
            parts.append(
                f'<circle cx="{scale.x(point.event_at):.1f}"'
                f' cy="{TOP + LANE * row[point.agency] + LANE / 2}" r="{marker.radius}"'
                f' fill="{marker.fill}"{stroke} class="app-timeline__{point.significance}">'
                f"<title>{_x(hover)}</title></circle>"
            )
    parts.append("</svg>")
    return Timeline(svg="".join(parts), text=text)


def _x(text: str) -> str:
    return escape(printable(text))


def _local(at: dt.datetime) -> dt.datetime:
    return at.astimezone(LONDON)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _range(
    points: Sequence[TimelinePoint], start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The first day shown and the day after the last."""
    days = [_local(p.event_at).date() for p in points]
    if start is None:
        start = _month_start(min(days)) if days else _month_start(dt.datetime.now(LONDON).date())
    stop = end + dt.timedelta(days=1) if end is not None else None
    if stop is None:
        stop = _next_month(max(days)) if days else _next_month(start)
        stop = max(stop, _next_month(start))
    if stop <= start:
        raise ValueError(f"The timeline's end ({end}) is before its start ({start})")
    return start, stop


class _Scale:
    def __init__(self, first: dt.date, stop: dt.date):
        self.origin = dt.datetime.combine(first, dt.time())
        self.seconds = (stop - first).days * 86400
        self.width = WIDTH - RIGHT - LABEL_WIDTH

    def x(self, at: dt.datetime | dt.date) -> float:
        if isinstance(at, dt.datetime):
            local = _local(at).replace(tzinfo=None)
        else:
            local = dt.datetime.combine(at, dt.time())
        fraction = (local - self.origin).total_seconds() / self.seconds
        return LABEL_WIDTH + fraction * self.width


def _legend() -> list[str]:
    parts, x = [], LABEL_WIDTH
    for marker in MARKERS.values():
        stroke = f' stroke="{marker.stroke}" stroke-width="1.5"' if marker.stroke else ""
        parts.append(
            f'<circle cx="{x + 9}" cy="{TOP / 2}" r="{marker.radius}" fill="{marker.fill}"'
            f"{stroke}/>"
            f'<text x="{x + 24}" y="{TOP / 2 + 5}" font-size="14" fill="{BLACK}">'
            f"{marker.label}</text>"
        )
        x += 130
    return parts


def _lanes(agencies: list[str]) -> list[str]:
    parts = []
    for index, agency in enumerate(agencies):
        top = TOP + LANE * index
        label = agency if len(agency) <= LABEL_CHARS else agency[: LABEL_CHARS - 1] + "…"
        fill = LIGHT_GREY if index % 2 == 0 else WHITE
        parts.append(
            f'<g class="app-timeline__lane"><title>{_x(agency)}</title>'
            f'<rect x="0" y="{top}" width="{WIDTH}" height="{LANE}" fill="{fill}"/>'
            f'<text x="{LABEL_WIDTH - 12}" y="{top + LANE / 2 + 5}" text-anchor="end"'
            f' font-size="14" fill="{BLACK}">{_x(label)}</text></g>'
        )
    return parts


def _axis(first: dt.date, stop: dt.date, y: float, gridlines: bool) -> list[str]:
    """The axis line, a tick at each month (taller at each year), as many month and year
    labels as fit, and with `gridlines` a faint line up through the lanes at each year."""
    scale = _Scale(first, stop)
    months = []
    month = first if first.day == 1 else _next_month(first)
    while month <= stop:
        months.append(month)
        month = _next_month(month)
    per_month = scale.width * 30.4 / max((stop - first).days, 1)
    year_every = next(n for n in (1, 2, 5, 10, 20, 50, 100) if per_month * 12 * n >= 40)
    right = WIDTH - RIGHT
    parts = [
        f'<line x1="{LABEL_WIDTH}" y1="{y}" x2="{right}" y2="{y}" stroke="{BLACK}"/>',
    ]
    for month in months:
        x = scale.x(month)
        is_year = month.month == 1
        if is_year and gridlines and first < month < stop:
            parts.append(
                f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{y}" stroke="{MID_GREY}"/>'
            )
        if is_year or per_month >= 3:
            tick = 10 if is_year else 5
            parts.append(
                f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + tick}" stroke="{BLACK}"/>'
            )
        if per_month >= 26 and month < stop:
            parts.append(
                f'<text x="{x + 3:.1f}" y="{y + 17}" font-size="11" fill="{DARK_GREY}">'
                f"{MONTHS[month.month - 1]}</text>"
            )
    years = [m for m in months if m.month == 1 and m < stop and m.year % year_every == 0]
    # The year the axis starts in is named at the start, unless a new year follows closely.
    room = not years or scale.x(years[0]) - scale.x(first) >= 40
    if first not in years and room:
        years.insert(0, first)
    previous = None
    for day in years:
        x = scale.x(day)
        if previous is not None and x - previous < 40:
            continue
        parts.append(
            f'<text x="{x + 3:.1f}" y="{y + 36}" font-size="13" font-weight="bold"'
            f' fill="{BLACK}">{day.year}</text>'
        )
        previous = x
    return parts


def _text(shown: list[TimelinePoint], first: dt.date, stop: dt.date) -> str:
    def day(at: dt.datetime | dt.date) -> str:
        if isinstance(at, dt.date) and not isinstance(at, dt.datetime):
            at = dt.datetime.combine(at, dt.time(12), LONDON)
        return format_event_date(at, "day")

    last = stop - dt.timedelta(days=1)
    if not shown:
        return f"No events between {day(first)} and {day(last)}."

    def count(n: int) -> str:
        return f"{n:,} event" + ("" if n == 1 else "s")

    def span(events: list[TimelinePoint]) -> str:
        earliest, latest = day(events[0].event_at), day(events[-1].event_at)
        return earliest if earliest == latest else f"{earliest} to {latest}"

    by_date = sorted(shown, key=lambda p: p.event_at)
    by_agency: dict[str, list[TimelinePoint]] = defaultdict(list)
    for point in by_date:
        by_agency[point.agency].append(point)
    totals = Counter(p.significance for p in shown)
    agencies = len(by_agency)
    lines = [
        f"{count(len(shown))} from {span(by_date)}, recorded by {agencies} "
        + ("agency" if agencies == 1 else "agencies")
        + f": {totals['critical']} critical, {totals['significant']} significant,"
        f" {totals['routine']} routine."
    ]
    for agency in sorted(by_agency, key=str.casefold):
        events = by_agency[agency]
        notable = Counter(p.significance for p in events)
        flags = [f"{notable[s]} {s}" for s in ("critical", "significant") if notable[s]]
        lines.append(
            f"{agency}: {count(len(events))}, {span(events)}"
            + (f"; {', '.join(flags)}" if flags else "")
            + "."
        )
    notable_events = [p for p in by_date if p.significance != "routine"]
    if notable_events:
        lines += ["", "Critical and significant events, by date:"]
        lines += [
            f"{day(p.event_at)}, {p.agency} ({p.significance}): {p.summary}" for p in notable_events
        ]
    return printable("\n".join(lines))
