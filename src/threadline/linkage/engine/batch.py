"""Batch linkage: predict every blocked pair, then group records into persons."""

from __future__ import annotations

import logging
from typing import Any

from .comparisons import TWINS_SQL
from .model import Model
from .table import arrow_table


def link_records(
    records: list[dict[str, Any]],
    *,
    model: Model | None = None,
    backend: str = "duckdb",
) -> list[tuple[str, str, float | None]]:
    """(record_id, person_id, match_probability) for every record, in input order.

    person_id is the smallest record_id in the record's group, so it is stable for a
    given input; match_probability is the strongest auto-link that placed the record in
    its group (None for a record alone). Pairs caught by the twins rule never link.
    A model is trained on `records` when none is given.
    """
    if not records:
        return []
    if backend not in ("duckdb", "spark"):
        raise ValueError(f"unknown backend {backend!r}: use duckdb or spark")
    prepared = arrow_table(records)  # once, for training and linking
    if model is None:
        model = _train(prepared)
    if backend == "duckdb":
        from splink import DuckDBAPI

        return _link(DuckDBAPI(), "duckdb", prepared, records, model)
    from .spark import spark_db_api, spark_frame

    db_api = spark_db_api()
    return _link(db_api, "spark", spark_frame(db_api.spark, prepared), records, model)


def _train(prepared: Any) -> Model:
    import random

    from .training import TRAINING_RECORDS, train_on_table

    n = prepared.num_rows
    if n > TRAINING_RECORDS:
        prepared = prepared.take(sorted(random.Random(8).sample(range(n), TRAINING_RECORDS)))
    return train_on_table(prepared, records=n)


def _link(db_api: Any, dialect: str, table: Any, records: list[dict], model: Model):
    from splink import Linker

    frame = db_api.register(table)
    linker = Linker(frame, model.splink_settings(dialect), log_level=logging.WARNING)
    predictions = linker.inference.predict(threshold_match_probability=model.auto_link)
    edges = _sql(
        db_api,
        f"""
        select record_id_l, record_id_r, match_probability, match_weight
        from {predictions.physical_name}
        where not coalesce(({TWINS_SQL}), false)
        """,  # noqa: S608 - Splink's own table names and our constant SQL, no input
        "__threadline_auto_links",
    )
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        edges, threshold_match_probability=model.auto_link
    )
    strongest = _sql(
        db_api,
        f"""
        with ends as (
            select record_id_l as record_id, match_probability from {edges.physical_name}
            union all
            select record_id_r, match_probability from {edges.physical_name}
        ),
        strongest as (
            select record_id, max(match_probability) as match_probability
            from ends group by record_id
        )
        select c.record_id,
            min(c.record_id) over (partition by c.cluster_id) as cluster_id,
            s.match_probability
        from {clusters.physical_name} c left join strongest s on s.record_id = c.record_id
        """,  # noqa: S608 - Splink's own table names, no input
        "__threadline_strongest",
    )
    found = {
        record_id: (person, probability) for record_id, person, probability in _rows(strongest)
    }
    out = []
    for record in records:
        record_id = str(record["record_id"])
        person_id, probability = found[record_id]
        out.append((record_id, str(person_id), None if probability is None else float(probability)))
    return out


def _rows(frame: Any) -> list[tuple]:
    """A result's rows as tuples (a million of them: dicts would cost seconds)."""
    if hasattr(frame, "as_duckdbpyrelation"):
        return frame.as_duckdbpyrelation().fetchall()
    return [tuple(row) for row in frame.as_spark_dataframe().collect()]


def _sql(db_api: Any, sql: str, name: str) -> Any:
    from splink.internals.pipeline import CTEPipeline

    pipeline = CTEPipeline()
    pipeline.enqueue_sql(sql, name)
    return db_api.sql_pipeline_to_splink_dataframe(pipeline)
