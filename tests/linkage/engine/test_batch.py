"""Batch linkage end to end on generated records, and the batch CLI."""

import csv
from itertools import combinations

from django.core.management import call_command

from threadline.linkage.engine import link_records, load_model

from .conftest import person


def pairs(groups):
    by_group = {}
    for record_id, group in groups:
        by_group.setdefault(group, []).append(record_id)
    return {p for ids in by_group.values() for p in combinations(sorted(ids), 2)}


def f1(links, truth):
    found = pairs((record_id, person_id) for record_id, person_id, _ in links)
    true = pairs(truth.items())
    hits = len(found & true)
    precision, recall = hits / len(found), hits / len(true)
    return precision, recall, 2 * precision * recall / (precision + recall)


def test_generated_records_are_grouped_into_their_true_persons(generated, default_model):
    records, truth = generated
    links = link_records(records, model=default_model)
    assert [record_id for record_id, _, _ in links] == [r["record_id"] for r in records]
    precision, recall, score = f1(links, truth)
    assert precision >= 0.97 and score >= 0.9, (precision, recall, score)


def test_a_model_is_trained_when_none_is_given(generated):
    records, truth = generated
    precision, recall, score = f1(link_records(records), truth)
    assert score >= 0.8, (precision, recall, score)


def test_person_ids_are_stable_and_singletons_have_no_probability(default_model):
    records = [
        person(record_id="h1"),
        person(record_id="p7", source="police", first_name="Bill", nhs_number=None),
        person(
            record_id="x1",
            first_name="Zara",
            surname="Oakley",
            dob="1990-01-01",
            sex="F",
            postcode="SF1 1AA",
            address="1 Mill Lane",
        ),
    ]
    links = {r: (p, prob) for r, p, prob in link_records(records, model=default_model)}
    assert links["h1"][0] == links["p7"][0] == "h1"  # the smallest record_id names the group
    assert links["p7"][1] > default_model.auto_link
    assert links["x1"] == ("x1", None)


def test_twins_are_never_grouped(default_model):
    records = [
        person(record_id="t1", first_name="Oliver"),
        person(record_id="t2", first_name="Oscar", source="police"),
        person(record_id="t3", first_name="Ollie", source="education"),  # Oliver again
    ]
    links = {r: p for r, p, _ in link_records(records, model=default_model)}
    assert links["t1"] == links["t3"]
    assert links["t2"] != links["t1"]


def test_a_record_like_both_twins_does_not_join_them(default_model):
    # A record with no forename matches both twins; the twins must stay apart all the
    # same, and the record goes with one of them, never bridging the two.
    records = [
        person(record_id="t1", first_name="Oliver", nhs_number="9990001234"),
        person(record_id="t2", first_name="Oscar", source="police", nhs_number="9990001242"),
        person(record_id="b1", first_name=None, source="education"),
    ]
    links = {r: (p, prob) for r, p, prob in link_records(records, model=default_model)}
    assert links["t1"][0] != links["t2"][0]
    assert links["b1"][0] in (links["t1"][0], links["t2"][0])
    assert links["b1"][1] is not None and links["b1"][1] >= default_model.auto_link


def test_the_cli_writes_record_id_person_id_and_match_probability(tmp_path, default_model):
    source, output = tmp_path / "extract.csv", tmp_path / "persons.csv"
    records = [person(record_id="h1"), person(record_id="p7", first_name="Bill")]
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    model = tmp_path / "model.json"
    default_model.save(model)
    call_command("link-records", str(source), "--output", str(output), "--model", str(model))
    with output.open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["record_id", "person_id", "match_probability"]
    assert {r["person_id"] for r in rows} == {"h1"}
    assert float(rows[1]["match_probability"]) > 0.99


def test_the_cli_refuses_a_bad_file_and_writes_nothing(tmp_path):
    import pytest
    from django.core.management import CommandError

    source, output = tmp_path / "extract.csv", tmp_path / "persons.csv"
    source.write_text(
        "record_id,source,nhs_number,first_name,surname,dob,sex,postcode,address\n"
        "r1,police,,A,B,31/12/2001,,,\n"
    )
    with pytest.raises(CommandError, match="row 2"):
        call_command("link-records", str(source), "--output", str(output))
    assert not output.exists()


def test_a_model_round_trips_through_its_file(tmp_path, default_model):
    path = tmp_path / "model.json"
    default_model.save(path)
    again = load_model(path)
    assert again.version == default_model.version
    assert (again.auto_link, again.review) == (default_model.auto_link, default_model.review)
    a, b = person(), person(record_id="b", first_name="Bill")
    assert again.score(a, [b])[0].probability == default_model.score(a, [b])[0].probability
