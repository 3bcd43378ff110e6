"""The same model on Spark (local mode). Skipped, with the reason, where Spark cannot run."""

import pytest

from threadline.linkage.engine import link_records
from threadline.linkage.engine.spark import spark_unavailable_reason

from .conftest import person

reason = spark_unavailable_reason()


@pytest.mark.skipif(reason is not None, reason=f"Spark backend not tested: {reason}")
def test_spark_links_like_duckdb(generated, default_model):
    records, _ = generated
    # …and twins with a record like both, which the batch must regroup (batch._split_twins).
    records = [
        *records[:400],
        person(record_id="t1", first_name="Oliver", nhs_number="9990001234"),
        person(record_id="t2", first_name="Oscar", source="police", nhs_number="9990001242"),
        person(record_id="b1", first_name=None, source="education"),
    ]
    on_duckdb = link_records(records, model=default_model, backend="duckdb")
    on_spark = link_records(records, model=default_model, backend="spark")
    assert [r for r, _, _ in on_spark] == [r for r, _, _ in on_duckdb]
    assert {r: p for r, p, _ in on_spark} == {r: p for r, p, _ in on_duckdb}
    persons = {r: p for r, p, _ in on_spark}
    assert persons["t1"] != persons["t2"]
    for (_, _, a), (_, _, b) in zip(on_spark, on_duckdb, strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            assert a == pytest.approx(b, rel=1e-6)
