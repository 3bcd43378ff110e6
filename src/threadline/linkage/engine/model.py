"""A trained linkage model: load, save, and score one record against its candidates.

The model file is JSON: Threadline's version and thresholds around Splink's own saved
model (comparisons, m and u probabilities, prior). Batch linkage runs it in Splink;
real-time scoring evaluates the same saved SQL levels in Python (levels.py), so the two
share one definition of every comparison level.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .comparisons import BLOCKING_RULES, FIELD_LABELS, TWINS_SQL, for_dialect
from .levels import CompiledComparison, compile_condition
from .normalise import prepare

DEFAULT_MODEL_PATH = Path(__file__).parent / "models" / "default.json"
FORMAT = "threadline-linkage-model/1"
AUTO_LINK = 0.99
REVIEW = 0.80

LINK, REVIEW_DECISION, NONE = "link", "review", "none"


@dataclass(frozen=True)
class Contribution:
    """One field's part in a match weight."""

    field: str  # human label, e.g. "Date of birth"
    level: str  # human label, e.g. "Day and month swapped"
    weight: float  # the level's log2 Bayes factor (0 when not recorded on either side)
    column: str  # the model's comparison name, e.g. "dob"
    left: str | None = None  # the normalised values compared
    right: str | None = None


@dataclass(frozen=True)
class Score:
    probability: float
    match_weight: float
    contributions: list[Contribution]
    decision: str  # "link", "review" or "none"
    twins_rule: bool = False  # True when the twins rule held the decision at "review"


@dataclass
class Model:
    version: str
    settings: dict[str, Any]  # Splink's saved model, DuckDB dialect
    auto_link: float = AUTO_LINK
    review: float = REVIEW
    trained: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._comparisons = [CompiledComparison(c) for c in self.settings["comparisons"]]
        prior = self.settings["probability_two_random_records_match"]
        self._prior_weight = math.log2(prior / (1 - prior))

    # -- persistence -------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "thresholds": {"auto_link": self.auto_link, "review": self.review},
            "trained": self.trained,
            "splink_settings": self.settings,
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.as_dict(), indent=1) + "\n", encoding="utf-8")

    def splink_settings(self, dialect: str = "duckdb") -> dict[str, Any]:
        """Splink's settings for `dialect`, with this code's blocking rules: the blocking
        keys are computed by normalise.py, not stored in the model."""
        settings = dict(self.settings)
        settings["blocking_rules_to_generate_predictions"] = [
            {"blocking_rule": rule} for rule in BLOCKING_RULES
        ]
        return for_dialect(settings, dialect)

    # -- decisions ---------------------------------------------------------------------

    def decide(self, probability: float, *, twins: bool = False) -> str:
        if probability >= self.auto_link and not twins:
            return LINK
        if probability >= self.review or (twins and probability >= self.auto_link):
            return REVIEW_DECISION
        return NONE

    # -- real-time scoring -------------------------------------------------------------

    def score(self, record: dict, candidates: list[dict]) -> list[Score]:
        """Scores of `record` against each candidate, in the candidates' order."""
        left = prepare({**record, "record_id": "new"})
        return [self.score_prepared(left, prepare(c)) for c in candidates]

    def score_prepared(self, left: dict[str, Any], right: dict[str, Any]) -> Score:
        row = {f"{name}_l": value for name, value in left.items()}
        row.update({f"{name}_r": value for name, value in right.items()})
        weight = self._prior_weight
        contributions = []
        for comparison in self._comparisons:
            _value, level, level_weight = comparison.evaluate(row)
            weight += level_weight
            column = comparison.column
            contributions.append(
                Contribution(
                    field=FIELD_LABELS[column],
                    level=level,
                    weight=level_weight,
                    column=column,
                    left=_shown(left, column),
                    right=_shown(right, column),
                )
            )
        probability = _probability(weight)
        twins = same_household_twins(left, right)
        return Score(
            probability=probability,
            match_weight=weight,
            contributions=contributions,
            decision=self.decide(probability, twins=twins),
            twins_rule=twins and probability >= self.auto_link,
        )

    def comparison_vector(self, left: dict[str, Any], right: dict[str, Any]) -> dict[str, int]:
        """gamma_<column> per comparison, as Splink numbers the levels (for tests)."""
        row = {f"{name}_l": value for name, value in left.items()}
        row.update({f"{name}_r": value for name, value in right.items()})
        return {f"gamma_{c.column}": c.evaluate(row)[0] for c in self._comparisons}


def _shown(row: dict[str, Any], column: str) -> str | None:
    if column == "address":
        parts = [row.get("address"), row.get("postcode")]
        return ", ".join(p for p in parts if p) or None
    return row.get(column)


def _probability(weight: float) -> float:
    if weight > 1000:
        return 1.0
    odds = 2.0**weight
    return odds / (1.0 + odds)


def same_household_twins(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """Same household + same date of birth + different forenames: twins or siblings, never
    auto-linked. Takes prepared rows (normalise.prepare); evaluates comparisons.TWINS_SQL,
    the same text batch linkage runs."""
    row = {f"{name}_l": value for name, value in left.items()}
    row.update({f"{name}_r": value for name, value in right.items()})
    return bool(_twins_test(row))


_twins_test = compile_condition(TWINS_SQL)


def model_version(settings: dict[str, Any], trained_on: int) -> str:
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]
    return f"{dt.date.today():%Y%m%d}-{trained_on}-{digest}"


def load_model(path: str | Path | None = None) -> Model:
    """A saved model; None loads the default model shipped with Threadline."""
    data = json.loads(Path(path or DEFAULT_MODEL_PATH).read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path or DEFAULT_MODEL_PATH} is not a Threadline linkage model")
    thresholds = data["thresholds"]
    return Model(
        version=data["version"],
        settings=data["splink_settings"],
        auto_link=float(thresholds["auto_link"]),
        review=float(thresholds["review"]),
        trained=data.get("trained", {}),
    )
