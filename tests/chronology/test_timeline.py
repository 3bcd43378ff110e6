"""The timeline picture, parsed back as XML, and its text alternative."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from threadline.chronology.timeline import (
    LABEL_WIDTH,
    LIGHT_GREY,
    MARKERS,
    RIGHT,
    WHITE,
    WIDTH,
    TimelinePoint,
    timeline,
)

SVG = "{http://www.w3.org/2000/svg}"
UTC = dt.UTC


def point(day: dt.date, agency: str, significance: str = "routine", summary: str = "Seen"):
    return TimelinePoint(
        event_at=dt.datetime.combine(day, dt.time(10), UTC),
        agency=agency,
        significance=significance,
        summary=summary,
    )


POINTS = [
    point(dt.date(2024, 2, 3), "Northbridge Police", "critical", "Domestic abuse incident"),
    point(dt.date(2024, 1, 15), "Northbridge Police"),
    point(dt.date(2023, 11, 20), "Riverside Health Visiting", "significant", "Not brought"),
    point(dt.date(2024, 3, 1), "Riverside Health Visiting"),
    point(dt.date(2024, 3, 9), "St Aldhelm's <Primary> & Nursery", summary="Late <again> & tired"),
]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 (our own output; it must be well-formed XML)
    assert root.tag == f"{SVG}svg"
    return root


def markers(root: ET.Element) -> list[ET.Element]:
    return [c for c in root.iter(f"{SVG}circle") if c.get("class", "").startswith("app-timeline")]


def lanes(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "app-timeline__lane"]


def test_an_accessible_picture_that_scales():
    root = parse(timeline(POINTS).svg)
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox").startswith(f"0 0 {WIDTH} ")
    assert root.get("style") is None  # nothing for the page's CSP to block
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == desc_id
    assert desc.text.startswith("5 events from 20 Nov 2023 to 9 Mar 2024, recorded by 3 agencies")


def test_one_lane_per_agency_and_one_marker_per_event():
    root = parse(timeline(POINTS).svg)
    names = [lane.find(f"{SVG}title").text for lane in lanes(root)]
    assert names == [
        "Northbridge Police",
        "Riverside Health Visiting",
        "St Aldhelm's <Primary> & Nursery",  # escaped in the markup, itself once parsed
    ]
    found = markers(root)
    assert len(found) == len(POINTS)
    radius = {m.get("class").removeprefix("app-timeline__"): float(m.get("r")) for m in found}
    assert radius["routine"] < radius["significant"] < radius["critical"]
    hovers = [m.find(f"{SVG}title").text for m in found]
    assert "3 Feb 2024, Northbridge Police (critical): Domestic abuse incident" in hovers
    assert "9 Mar 2024, St Aldhelm's <Primary> & Nursery (routine): Late <again> & tired" in hovers


def test_markers_sit_in_their_lane_in_date_order():
    root = parse(timeline(POINTS).svg)
    by_summary = {m.find(f"{SVG}title").text.split(": ", 1)[1]: m for m in markers(root)}
    police_lane_y = {float(m.get("cy")) for m in markers(root) if "Police" in m[0].text}
    assert len(police_lane_y) == 1
    xs = [float(m.get("cx")) for m in markers(root)]
    assert all(LABEL_WIDTH <= x <= WIDTH - RIGHT for x in xs)
    assert float(by_summary["Not brought"].get("cx")) < float(
        by_summary["Domestic abuse incident"].get("cx")
    )


def test_the_axis_runs_over_whole_months_with_year_labels():
    root = parse(timeline(POINTS).svg)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "2023" in labels and "2024" in labels
    assert {"Nov", "Dec", "Jan", "Feb", "Mar"} <= set(labels)
    assert "Apr" not in labels  # padded to the end of March, no further


def test_the_text_alternative_says_what_the_picture_shows():
    text = timeline(POINTS).text
    lines = text.split("\n")
    assert lines[0] == (
        "5 events from 20 Nov 2023 to 9 Mar 2024, recorded by 3 agencies: "
        "1 critical, 1 significant, 3 routine."
    )
    assert "Northbridge Police: 2 events, 15 Jan 2024 to 3 Feb 2024; 1 critical." in lines
    assert "St Aldhelm's <Primary> & Nursery: 1 event, 9 Mar 2024." in lines
    notable = lines[lines.index("Critical and significant events, by date:") + 1 :]
    assert notable == [
        "20 Nov 2023, Riverside Health Visiting (significant): Not brought",
        "3 Feb 2024, Northbridge Police (critical): Domestic abuse incident",
    ]


def test_no_events():
    result = timeline([], start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    root = parse(result.svg)
    assert markers(root) == [] and lanes(root) == []
    assert "No events to show" in [t.text for t in root.iter(f"{SVG}text")]
    assert result.text == "No events between 1 Jan 2024 and 31 Dec 2024."
    parse(timeline([]).svg)  # no range given either


def test_one_event():
    result = timeline([point(dt.date(2024, 5, 17), "Harbour Housing", "significant")])
    root = parse(result.svg)
    assert len(markers(root)) == 1 and len(lanes(root)) == 1
    assert result.text.startswith("1 event from 17 May 2024, recorded by 1 agency:")


def test_a_given_range_leaves_out_events_outside_it():
    result = timeline(POINTS, start=dt.date(2024, 1, 1), end=dt.date(2024, 2, 29))
    assert len(markers(parse(result.svg))) == 2
    assert "Riverside" not in result.text
    with pytest.raises(ValueError):
        timeline(POINTS, start=dt.date(2024, 2, 1), end=dt.date(2024, 1, 1))


def test_control_characters_and_unknown_significance():
    pasted = point(dt.date(2024, 1, 2), "Police\x0b", "routine", "Form\x0cfeed")
    parse(timeline([pasted]).svg)
    with pytest.raises(ValueError):
        timeline([point(dt.date(2024, 1, 2), "Police", "urgent")])


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("significance", list(MARKERS))
def test_markers_stand_out_from_both_lane_colours(significance):
    """WCAG 1.4.11: 3:1 for graphics, by the marker's fill or its outline."""
    marker = MARKERS[significance]
    for background in (WHITE, LIGHT_GREY):
        edge = marker.stroke or marker.fill
        assert contrast(edge, background) >= 3, (significance, background)
