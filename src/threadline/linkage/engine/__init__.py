"""Identity resolution: which agencies' records are the same person (Splink 5).

Pure Python (no Django), so the batch CLI, the benchmarks and Spark jobs share it with
the app. See docs/linkage.md.
"""

from .batch import link_records
from .csvfile import CsvError, read_records_csv, write_links_csv
from .forenames import canonical_forename
from .model import Contribution, Model, Score, load_model, same_household_twins
from .normalise import FIELDS, KEY_NAMES, blocking_keys, prepare
from .training import train

__all__ = [
    "FIELDS",
    "KEY_NAMES",
    "Contribution",
    "CsvError",
    "Model",
    "Score",
    "blocking_keys",
    "canonical_forename",
    "link_records",
    "load_model",
    "prepare",
    "read_records_csv",
    "same_household_twins",
    "train",
    "write_links_csv",
]
