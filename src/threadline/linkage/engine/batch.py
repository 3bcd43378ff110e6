"""Batch linkage: predict every blocked pair, then group records into persons."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
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
    found.update(_split_twins(db_api, frame, edges, clusters))
    out = []
    for record in records:
        record_id = str(record["record_id"])
        person_id, probability = found[record_id]
        out.append((record_id, str(person_id), None if probability is None else float(probability)))
    return out


# The twins rule over the records of one cluster: the columns it reads, as _l and _r.
_TWINS_COLUMNS = sorted(set(re.findall(r"\b(\w+)_l\b", TWINS_SQL)))


def _split_twins(db_api: Any, frame: Any, edges: Any, clusters: Any) -> dict:
    """Groups that the twins rule says must not be one person, regrouped.

    Pairs the rule catches are never links, but connected components can still join
    twins through a third record like both (one without a forename, say). Within each
    group, the pairs the rule catches are found in SQL; a group holding one is regrouped
    here from its own links, strongest first, leaving out any link that would put such a
    pair in one group. Returns the regrouped records' (person_id, match_probability), as
    `_link` gives them."""
    # Only records sharing a group and a date of birth with another forename can be
    # caught (the rule needs both); a table of them first, so that the pairs are only
    # ever made within a group.
    columns = ", ".join(f"t.{c}" for c in ["record_id", *_TWINS_COLUMNS])
    candidates = _sql(
        db_api,
        f"""
        select * from (
            select k.cluster_id, {columns},
                min(t.first_name) over (partition by k.cluster_id, t.dob) as first_of_day,
                max(t.first_name) over (partition by k.cluster_id, t.dob) as last_of_day
            from {clusters.physical_name} k join {frame.physical_name} t
            on t.record_id = k.record_id
            where t.dob is not null and t.first_name is not null
        ) where first_of_day <> last_of_day
        """,  # noqa: S608 - Splink's own table names, no input
        "__threadline_twin_candidates",
    )
    twins = _sql(
        db_api,
        f"""
        select l.cluster_id_l as cluster_id, l.record_id_l, r.record_id_r
        from {_side(candidates, "l")} l join {_side(candidates, "r")} r
        on l.cluster_id_l = r.cluster_id_r and l.dob_l = r.dob_r
        and l.record_id_l < r.record_id_r
        where coalesce(({TWINS_SQL}), false)
        """,  # noqa: S608 - Splink's own table names and our constant SQL, no input
        "__threadline_twins_in_clusters",
    )
    apart: dict[str, set[str]] = defaultdict(set)
    for _cluster, left, right in _rows(twins):
        apart[left].add(right)
        apart[right].add(left)
    if not apart:
        return {}
    links = _sql(
        db_api,
        f"""
        select e.match_probability, e.record_id_l, e.record_id_r
        from {edges.physical_name} e
        join {clusters.physical_name} k on k.record_id = e.record_id_l
        where k.cluster_id in (select cluster_id from {twins.physical_name})
        """,  # noqa: S608 - Splink's own table names, no input
        "__threadline_links_in_split_clusters",
    )
    return _regroup([(float(p), str(a), str(b)) for p, a, b in _rows(links)], apart)


def _side(candidates: Any, side: str) -> str:
    """The candidates with the columns the twins rule reads, suffixed _l or _r."""
    columns = ", ".join(f"{c} as {c}_{side}" for c in ["cluster_id", "record_id", *_TWINS_COLUMNS])
    return f"(select {columns} from {candidates.physical_name})"  # noqa: S608 - no input


def _regroup(links: list[tuple[float, str, str]], apart: dict[str, set[str]]) -> dict:
    """Union the links' records, strongest link first, never putting two records that
    must stay `apart` in one group: record → (smallest record id of its group, strongest
    link it was joined by)."""
    group = {r: r for _, a, b in links for r in (a, b)}
    members = {r: {r} for r in group}
    strongest: dict[str, float] = {}

    def root(r: str) -> str:
        while group[r] != r:
            group[r] = group[group[r]]
            r = group[r]
        return r

    for probability, a, b in sorted(links, reverse=True):
        ra, rb = root(a), root(b)
        if ra == rb:
            continue
        if any(apart.get(x, set()) & members[rb] for x in members[ra]):
            continue
        group[rb] = ra
        members[ra] |= members.pop(rb)
        for r in (a, b):
            strongest[r] = max(strongest.get(r, 0.0), probability)
    out = {}
    for r in group:
        ids = members[root(r)]
        out[r] = (min(ids), strongest.get(r) if len(ids) > 1 else None)
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
