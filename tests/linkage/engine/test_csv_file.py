"""Reading an agency extract: every bad-input case names its rows, and nothing is read."""

import pytest

from threadline.linkage.engine import CsvError, read_records_csv

HEADER = "record_id,source,nhs_number,first_name,surname,dob,sex,postcode,address\n"


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "extract.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_good_file_gives_its_records_with_empty_cells_as_none(tmp_path):
    path = write(
        tmp_path,
        HEADER + "r1,police,,Bill,Ashworth,2012-03-07,M,NM4 2QP,14 Laburnum Close\n"
        "r2,housing,,,,,,,\n",
    )
    records = read_records_csv(path)
    assert [r["record_id"] for r in records] == ["r1", "r2"]
    assert records[0]["first_name"] == "Bill"
    assert records[1]["dob"] is None and records[1]["nhs_number"] is None


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, "\ufeff" + HEADER + "r1,police,,Zoë,Ashworth,,,,\n")
    assert read_records_csv(path)[0]["first_name"] == "Zoë"


def test_missing_columns_are_named_on_the_header_row(tmp_path):
    path = write(tmp_path, "record_id,source,first_name\nr1,police,Bill\n")
    with pytest.raises(CsvError) as caught:
        read_records_csv(path)
    ((row, message),) = caught.value.errors
    assert row == 1
    assert "surname" in message and "dob" in message and "nhs_number" in message
    assert "row 1" in str(caught.value)


def test_unparseable_dates_name_each_row(tmp_path):
    path = write(
        tmp_path,
        HEADER + "r1,police,,A,B,2012-03-07,,,\n"
        "r2,police,,A,B,07/03/2012,,,\n"
        "r3,police,,A,B,2012-02-30,,,\n",
    )
    with pytest.raises(CsvError) as caught:
        read_records_csv(path)
    assert [row for row, _ in caught.value.errors] == [3, 4]
    assert "07/03/2012" in str(caught.value) and "row 4" in str(caught.value)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = write(tmp_path, HEADER + "r1,police,,Zoë,Ashworth,,,,\n", encoding="latin-1")
    with pytest.raises(CsvError) as caught:
        read_records_csv(path)
    ((row, message),) = caught.value.errors
    assert row == 2 and "UTF-8" in message


def test_duplicate_record_ids_name_both_rows(tmp_path):
    path = write(tmp_path, HEADER + "r1,police,,,,,,,\nr2,police,,,,,,,\nr1,health,,,,,,,\n")
    with pytest.raises(CsvError) as caught:
        read_records_csv(path)
    assert caught.value.errors == [(4, "record_id 'r1' repeats row 2")]


def test_record_id_and_source_must_be_filled_in(tmp_path):
    path = write(tmp_path, HEADER + ",police,,,,,,,\nr2,,,,,,,,\n")
    with pytest.raises(CsvError) as caught:
        read_records_csv(path)
    assert caught.value.errors == [(2, "record_id is empty"), (3, "source is empty")]


def test_extra_required_columns_must_exist_and_be_filled_in(tmp_path):
    path = write(tmp_path, HEADER + "r1,police,,,,,,,\n")
    with pytest.raises(CsvError) as caught:
        read_records_csv(path, extra_required=("local_id",))
    assert "local_id" in caught.value.errors[0][1]

    path = write(tmp_path, HEADER.strip() + ",local_id\nr1,police,,,,,,,,L1\nr2,police,,,,,,,,\n")
    with pytest.raises(CsvError) as caught:
        read_records_csv(path, extra_required=("local_id",))
    assert caught.value.errors == [(3, "local_id is empty")]
