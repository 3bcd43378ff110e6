"""Training a model without labels: prior, u by random sampling, m by EM."""

from __future__ import annotations

import datetime as dt
import logging
import random
from typing import Any

from .comparisons import base_settings
from .model import Model, model_version
from .table import arrow_table

# Enough pairs for stable u and m; more only costs time (docs/linkage.md).
TRAINING_RECORDS = 100_000
U_PAIRS = 1_000_000
EM_PAIRS = 500_000

# Rules that admit almost no false matches, for the prior (with their assumed recall).
DETERMINISTIC_RULES = [
    "l.nhs_number = r.nhs_number",
    "l.first_name = r.first_name AND l.surname = r.surname AND l.dob = r.dob",
]
DETERMINISTIC_RECALL = 0.7

# EM passes: each estimates m for every comparison not used by its blocking rule.
# Rules that pair mostly one person's records: a household rule (same postcode) would
# teach the model that people at one address are one person.
EM_BLOCKING_RULES = [
    "l.nhs_number = r.nhs_number",
    "l.dob = r.dob AND l.first_name_canonical = r.first_name_canonical",
    "l.first_name_canonical = r.first_name_canonical AND l.surname = r.surname",
]


def train(
    records: list[dict[str, Any]],
    *,
    max_records: int = TRAINING_RECORDS,
    seed: int = 8,
) -> Model:
    """A model trained on `records` (a deterministic sample of `max_records` of them)."""
    sample = records
    if len(records) > max_records:
        sample = random.Random(seed).sample(records, max_records)
    return train_on_table(arrow_table(sample), records=len(records), seed=seed)


def train_on_table(table: Any, *, records: int, seed: int = 8) -> Model:
    """A model trained on an Arrow table of prepared rows (table.arrow_table), a sample of
    `records` records in all."""
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI()
    frame = db_api.register(table)
    linker = Linker(frame, base_settings(), log_level=logging.WARNING)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        DETERMINISTIC_RULES, recall=DETERMINISTIC_RECALL
    )
    training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=seed)
    for rule in EM_BLOCKING_RULES:
        training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=EM_PAIRS)
    settings = linker.misc.save_model_to_json()
    _fill_untrained_levels(settings)
    # No rescaling of the prior to the full input: a uniform sample of records keeps the
    # share of pairs that match (both counts shrink by the square of the sampling rate).
    n_sample, n_full = table.num_rows, records
    settings.pop("linker_uid", None)
    trained = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "records": n_full,
        "sample": n_sample,
        "splink": _version("splink"),
        "duckdb": _version("duckdb"),
    }
    return Model(version=model_version(settings, n_full), settings=settings, trained=trained)


def _fill_untrained_levels(settings: dict[str, Any]) -> None:
    """A level the data never showed (earlier surnames, when no extract holds them) takes
    the m and u of the level above it, so it counts as much as that level, not nothing;
    a level with nothing above it to copy (a field no record holds) counts for nothing
    (m = u). Batch and real time then read the same values from the file."""
    for comparison in settings["comparisons"]:
        previous = None
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            if not level.get("m_probability") or not level.get("u_probability"):
                if previous is not None:
                    level["m_probability"] = previous["m_probability"]
                    level["u_probability"] = previous["u_probability"]
                else:
                    value = level.get("u_probability") or level.get("m_probability") or 0.5
                    level["m_probability"] = level["u_probability"] = value
            previous = level


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)
