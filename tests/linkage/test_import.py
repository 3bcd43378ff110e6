"""`threadline import-people INPUT.csv --agency CODE`: all or nothing, idempotent, and each
record linked, queued or given a new person."""

import csv

import pytest
from django.core.management import CommandError, call_command

from threadline.linkage.models import MatchCandidate, SourceRecord
from threadline.people.models import Person

pytestmark = pytest.mark.django_db

COLUMNS = [
    "record_id",
    "source",
    "local_id",
    "nhs_number",
    "first_name",
    "surname",
    "dob",
    "sex",
    "postcode",
    "address",
]
ROWS = [
    [
        "1",
        "hospital",
        "H-1",
        "",
        "Riley",
        "Marsh",
        "2025-02-01",
        "F",
        "NM1 4BX",
        "Flat 3, 14 Bramble Close",
    ],
    [
        "2",
        "hospital",
        "H-2",
        "",
        "Rosie",
        "Marsh",
        "2025-02-01",
        "F",
        "NM1 4BX",
        "Flat 3, 14 Bramble Close",
    ],
    ["3", "hospital", "H-3", "", "Riley", "Marsh", "2025-02-01", "F", "NM1 4BX", "3/14 Bramble Cl"],
    ["4", "hospital", "H-4", "", "Dean", "Pike", "1990-11-08", "M", "NM3 2LD", "6 Foundry Row"],
]


def write(tmp_path, rows, columns=COLUMNS, name="extract.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def run(path, agency="nm-hospital", *extra) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import-people", str(path), "--agency", agency, *extra, stdout=out)
    return out.getvalue()


def test_import_links_queues_and_records_new_people(hospital, tmp_path):
    out = run(write(tmp_path, ROWS))
    assert "Imported 4 records for Northmoor General Hospital: 4 new" in out
    riley = SourceRecord.objects.get(local_id="H-1").person
    assert SourceRecord.objects.get(local_id="H-3").person == riley  # linked by the model
    rosie = SourceRecord.objects.get(local_id="H-2")
    assert rosie.person is None  # the twin waits for a decision
    assert MatchCandidate.objects.get(record=rosie).person == riley
    assert SourceRecord.objects.get(local_id="H-4").person.family_name == "Pike"
    assert "sent 1 to the review queue" in out


def test_running_it_again_changes_nothing(hospital, tmp_path):
    path = write(tmp_path, ROWS)
    run(path)
    people, records = Person.objects.count(), SourceRecord.objects.count()
    out = run(path)
    assert "0 new, 0 changed, 4 unchanged" in out
    assert (Person.objects.count(), SourceRecord.objects.count()) == (people, records)


def test_a_changed_row_updates_that_record_only(hospital, tmp_path):
    run(write(tmp_path, ROWS))
    changed = [row[:] for row in ROWS]
    changed[3][8] = "NM1 4BX"
    out = run(write(tmp_path, changed, name="later.csv"))
    assert "0 new, 1 changed, 3 unchanged" in out
    dean = SourceRecord.objects.get(local_id="H-4")
    assert dean.version == 2 and dean.versions.count() == 2


@pytest.mark.parametrize(
    ("rows", "columns", "message"),
    [
        ([ROWS[0], [*ROWS[1][:6], "2025-13-01", *ROWS[1][7:]]], COLUMNS, "row 3: dob '2025-13-01'"),
        ([ROWS[0], ROWS[0]], COLUMNS, "row 3: record_id '1' repeats row 2"),
        ([ROWS[0], [*ROWS[1][:2], "", *ROWS[1][3:]]], COLUMNS, "row 3: local_id is empty"),
        (
            [ROWS[0], [*ROWS[1][:6], "2999-01-01", *ROWS[1][7:]]],
            COLUMNS,
            "row 3: dob 2999-01-01 is in the future",
        ),
        (
            [r[:2] + r[3:] for r in ROWS],
            COLUMNS[:2] + COLUMNS[3:],
            "missing required columns: local_id",
        ),
    ],
)
def test_a_bad_file_names_the_rows_and_imports_nothing(hospital, tmp_path, rows, columns, message):
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, rows, columns))
    assert message in str(error.value)
    assert "nothing" in str(error.value)
    assert (
        not SourceRecord.objects.exists()
        and not Person.objects.filter(family_name="Marsh", given_names="Rosie").exists()
    )


def test_a_wrong_encoding_imports_nothing(hospital, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((",".join(COLUMNS) + "\n1,h,H-1,,Zoë,Marsh,,,,\n").encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run(path)
    assert not SourceRecord.objects.exists()


def test_an_unknown_agency_imports_nothing(hospital, tmp_path):
    with pytest.raises(CommandError, match="No agency has the code 'nm-nowhere'"):
        run(write(tmp_path, ROWS), "nm-nowhere")
    assert not SourceRecord.objects.exists()


def test_by_names_a_practitioner_of_the_agency(hospital, hospital_lead, world, tmp_path):
    with pytest.raises(CommandError, match="not an active practitioner"):
        run(write(tmp_path, ROWS), "nm-hospital", "--by", world.social_worker.username)
    run(write(tmp_path, ROWS[:1]), "nm-hospital", "--by", hospital_lead.username)
    assert SourceRecord.objects.get().links.get().made_by == hospital_lead


def test_index_people_makes_earlier_people_findable(world):
    from io import StringIO

    out = StringIO()
    call_command("index-people", "--rebuild-keys", stdout=out)
    # The world's child and mother were made by factories: no record until indexed.
    assert "Indexed 2 people; re-keyed 2 records." in out.getvalue()
    record = world.child.source_records.get()
    assert record.local_id == f"threadline:{world.child.pk}" and record.keys.exists()
    out = StringIO()
    call_command("index-people", stdout=out)
    assert "Indexed 0 people" in out.getvalue()
