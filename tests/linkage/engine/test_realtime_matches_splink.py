"""Real-time scoring evaluates the model's saved SQL in Python; it must agree with Splink
running the same model in DuckDB, level for level, on generated pairs."""

import pyarrow as pa
import pytest
from splink import DuckDBAPI
from splink.internals.realtime import compare_records

from threadline.linkage.engine import blocking_keys, prepare
from threadline.linkage.engine.table import arrow_table


def candidate_pairs(records, limit=400):
    index, pairs = {}, []
    for i, record in enumerate(records):
        for key in blocking_keys(record).items():
            for j in index.get(key, []):
                pairs.append((j, i))
            index.setdefault(key, []).append(i)
    return list(dict.fromkeys(pairs))[:limit]


def test_python_levels_and_probabilities_match_splink(generated, default_model):
    records, _ = generated
    pairs = candidate_pairs(records)
    left = arrow_table([records[i] for i, _ in pairs])
    right = arrow_table([records[j] for _, j in pairs])
    # Score pair k against pair k only: give each side a shared key per row.
    left = left.set_column(0, "record_id", pa.array([f"p{k}" for k in range(len(pairs))]))
    right = right.set_column(0, "record_id", pa.array([f"p{k}" for k in range(len(pairs))]))
    settings = dict(default_model.splink_settings(), retain_intermediate_calculation_columns=True)
    result = compare_records(
        left, right, settings, DuckDBAPI(), join_condition="l.record_id = r.record_id"
    ).as_record_list()
    assert len(result) == len(pairs)
    for row in result:
        k = int(row["record_id_l"][1:])
        i, j = pairs[k]
        a, b = prepare(records[i]), prepare(records[j])
        expected = {key: row[key] for key in row if key.startswith("gamma_")}
        assert default_model.comparison_vector(a, b) == expected
        ours = default_model.score_prepared(a, b).probability
        assert ours == pytest.approx(row["match_probability"], rel=1e-9, abs=1e-12)


def test_batch_preparation_matches_record_by_record_preparation(generated):
    from threadline.linkage.engine.table import prepared_rows

    records, _ = generated
    records = [dict(r) for r in records[:300]]
    records[0]["previous_surnames"] = "Oakley; Smith-Jones"
    assert arrow_table(records).to_pylist() == prepared_rows(records)
