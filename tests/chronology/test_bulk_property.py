"""The bulk importer (POST /api/v1/chronology-entries/bulk/) under generated input: rows
mixing valid and invalid fields of every kind never get a 5xx; a 400 saves nothing, a
201 saves exactly the rows sent, all or none."""

import datetime as dt
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadline.chronology.models import ChronologyEntry, EntryCategory, Significance

from ..api.conformance import assert_documented

BULK = "/api/v1/chronology-entries/bulk/"
LONDON = dt.timezone(dt.timedelta(hours=1))

# Text of any kind but lone surrogates, which JSON cannot carry: NUL, control characters,
# emoji, right-to-left scripts.
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=250)
JUNK = st.one_of(st.none(), st.integers(), st.booleans(), st.lists(st.integers(), max_size=2))


def _dates():
    # Past and future, the calendar's edges (midnight London of 0001-01-01 is in year 0
    # in UTC), as dates and as date-times with and without an offset.
    day = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
    moment = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30))
    return st.one_of(
        day.map(dt.date.isoformat),
        moment.map(lambda m: m.isoformat()),
        moment.map(lambda m: m.replace(tzinfo=LONDON).isoformat()),
        st.just("2025-06-02T14:30:00+01:00"),
        st.just("2025-02-30"),
        TEXT,
        JUNK,
    )


# What a client means to send: printable text, a past date, the choices offered.
WORDS = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=300)
VALID = {
    "event_at": st.dates(dt.date(2000, 1, 1), dt.date(2025, 12, 31)).map(str),
    "entry_type": st.sampled_from(EntryCategory.values),
    "summary": WORDS.map(lambda text: f"Seen {text}"[:200]),
    "significance": st.sampled_from(Significance.values),
    "event_precision": st.sampled_from(["day", "month"]),
    "detail": WORDS,
    "outcome": WORDS,
    "source_reference": WORDS.map(lambda text: text[:100]),
    "category": st.just("social_care"),
    "confidentiality": st.sampled_from(["normal", "restricted"]),
    "restricted_to": st.just([]),
    "agency": st.just("nm-csc"),
}
REQUIRED = ["children", "event_at", "entry_type", "summary", "significance"]
# And what else may arrive.
INVALID = {
    "children": st.one_of(
        st.just([]),
        st.lists(st.uuids().map(str), min_size=1, max_size=2),
        st.lists(TEXT, max_size=2),
        JUNK,
    ),
    "event_at": _dates(),
    "source_reference": st.text(min_size=101, max_size=1200),
    "restricted_to": st.lists(st.uuids().map(str), max_size=2) | JUNK,
}


@st.composite
def rows(draw, children: list[str], *, valid: bool):
    """One entry: every field as a client means it (`valid`), or any field possibly not
    (wrong type, unknown choice or id, too long, impossible date, missing, a row that is
    not an object, a field nobody asked for)."""
    fields = {"children": st.lists(st.sampled_from(children), min_size=1, max_size=2), **VALID}
    names = REQUIRED + draw(st.lists(st.sampled_from(sorted(set(VALID) - set(REQUIRED)))))
    row = {name: draw(fields[name]) for name in names}
    if valid:
        return row
    for name in draw(st.sets(st.sampled_from([*fields, "unexpected"]), max_size=3)):
        row[name] = draw(st.one_of(INVALID.get(name, TEXT | JUNK), fields.get(name, TEXT)))
    for name in draw(st.sets(st.sampled_from(REQUIRED), max_size=1)):
        del row[name]  # a required field missing now and then
    return draw(st.one_of(st.just(row), st.just(row), st.just(row), JUNK | TEXT))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_batch_is_saved_whole_or_not_at_all_and_never_a_server_error(
    world, api_client_for, sister, data
):
    children = [str(world.child.pk), str(sister.pk)]
    valid = data.draw(st.booleans(), label="all valid")
    batch = data.draw(
        st.lists(rows(children, valid=valid), min_size=int(valid), max_size=6), label="entries"
    )
    api = api_client_for(world.social_worker)
    before = ChronologyEntry.objects.count()
    response = api.post(BULK, {"entries": batch}, format="json")
    after = ChronologyEntry.objects.count()
    assert response.status_code == 201 if valid else response.status_code in (201, 400), (
        response.content
    )
    assert_documented(response, "post", BULK)
    if response.status_code == 400:
        assert after == before, response.json()
        assert response.json()["code"]
    else:
        assert after - before == len(batch) == response.json()["count"]
        assert [r["row"] for r in response.json()["results"]] == list(range(len(batch)))
        saved = ChronologyEntry.objects.filter(pk__in=[r["id"] for r in response.json()["results"]])
        assert saved.count() == len(batch)


def test_an_unknown_child_id_is_a_400_like_any_other_problem(world, api_client_for):
    row = {"children": [str(uuid.uuid4())], "event_at": "2025-06-02", "summary": "Seen"}
    response = api_client_for(world.social_worker).post(
        BULK, {"entries": [row | {"entry_type": "contact"}]}, format="json"
    )
    assert response.status_code == 400 and ChronologyEntry.objects.count() == 0
