"""Property tests of the agency-extract reader (the import-people and link-records
input): whatever the cells hold, a good file reads back exactly, and one bad row
anywhere names that row and reads nothing."""

import csv
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadline.linkage.engine import CsvError, read_records_csv
from threadline.linkage.engine.csvfile import COLUMNS

# Any text a spreadsheet cell may hold: commas, quotes, line breaks, accents, scripts.
cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
).map(str.strip)
dates = st.dates(dt.date(1900, 1, 1), dt.date(2026, 11, 1)).map(dt.date.isoformat)


@st.composite
def extracts(draw) -> list[dict]:
    ids = draw(st.lists(cell.filter(bool), min_size=1, max_size=8, unique=True))
    rows = []
    for record_id in ids:
        row = {name: draw(cell) for name in COLUMNS}
        row |= {"record_id": record_id, "source": draw(cell.filter(bool))}
        row["dob"] = draw(st.one_of(st.just(""), dates))
        rows.append(row)
    return rows


def write(path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(rows=extracts())
def test_a_good_extract_reads_back_cell_for_cell(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("csv") / "extract.csv"
    write(path, rows)
    read = read_records_csv(path)
    assert [{k: r[k] for k in COLUMNS} for r in read] == [
        {k: (v or None) for k, v in row.items()} for row in rows
    ]


@SETTINGS
@given(rows=extracts(), data=st.data())
def test_one_bad_row_is_named_and_nothing_is_read(tmp_path_factory, rows, data):
    bad = data.draw(st.integers(0, len(rows) - 1))
    fault = data.draw(st.sampled_from(["date", "duplicate", "no source", "NUL"]))
    if fault == "date":
        rows[bad]["dob"] = data.draw(st.sampled_from(["31/12/2010", "2010-02-30", "2010-1-5"]))
    elif fault == "duplicate":
        if len(rows) == 1:
            rows.append(dict(rows[0]))
            bad = 1
        else:
            rows[bad]["record_id"] = rows[0 if bad else 1]["record_id"]
            bad = max(bad, 0 if bad else 1)
    elif fault == "no source":
        rows[bad]["source"] = ""
    else:
        column = data.draw(st.sampled_from(COLUMNS))
        rows[bad][column] = f"{rows[bad][column]}\x00"
    path = tmp_path_factory.mktemp("csv") / "extract.csv"
    write(path, rows)
    try:
        read_records_csv(path)
    except CsvError as error:
        assert bad + 2 in {row for row, _message in error.errors}, error.errors
    else:
        raise AssertionError(f"a file with a bad row ({fault}) was read")
