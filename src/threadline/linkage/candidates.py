"""Real-time candidates: the source records that may be the same person as a record, found
through the indexed blocking keys in our own database and scored with the saved model.

No access policy here: services use it to resolve a record, and selectors filter what it
finds to the people the practitioner may see before showing anything."""

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q

from .models import BlockingKey, SourceRecord

if TYPE_CHECKING:
    from .engine import Score

# How many records sharing a key with the new one are scored: those sharing the most keys
# first. Kept small so that a common name cannot make one look-up slow.
CANDIDATE_LIMIT = 50


@functools.cache
def model():
    """The saved model, loaded once per process (`LINKAGE_MODEL` names another file)."""
    from .engine import load_model

    return load_model(getattr(settings, "LINKAGE_MODEL", None))


def keys_for(fields: dict) -> dict[str, str]:
    """The engine's blocking keys for a record's identifying fields."""
    from .engine import blocking_keys

    return blocking_keys({"record_id": "new", "source": "", **fields})


@dataclass
class Scored:
    """A candidate source record and the engine's score for the pair; `decision` is the
    engine's, or "review" where another record of the same person is the twin of this one."""

    record: SourceRecord
    score: "Score"  # the engine's: probability, match_weight, contributions, decision
    decision: str = ""

    def __post_init__(self) -> None:
        self.decision = self.decision or self.score.decision

    @property
    def probability(self) -> float:
        return float(self.score.probability)

    @property
    def twins(self) -> bool:
        """The engine held the pair back: same household and birth, other forenames."""
        return bool(getattr(self.score, "twins_rule", False))


def prefilter(keys: dict[str, str], *, exclude=None, limit: int = CANDIDATE_LIMIT) -> list:
    """The source records sharing any of these keys, those sharing most first (one query)."""
    if not keys:
        return []
    shared = Q()
    for name, value in keys.items():
        shared |= Q(name=name, value=value)
    hits = BlockingKey.objects.filter(shared)
    if exclude is not None:
        hits = hits.exclude(record_id=exclude)
    best = hits.values("record_id").annotate(n=Count("id")).order_by("-n", "record_id")[:limit]
    return list(
        SourceRecord.objects.filter(pk__in=best.values("record_id")).select_related("agency")
    )


def as_engine_record(record: SourceRecord) -> dict:
    return {"record_id": str(record.pk), "source": record.agency.code, **record.fields()}


def score(fields: dict, candidates: list[SourceRecord], *, source: str = "") -> list[Scored]:
    """Each candidate scored against a record's fields, strongest first."""
    if not candidates:
        return []
    new = {"record_id": "new", "source": source, **fields}
    scores = model().score(new, [as_engine_record(c) for c in candidates])
    scored = [Scored(c, s) for c, s in zip(candidates, scores, strict=True)]
    return sorted(scored, key=lambda s: s.probability, reverse=True)


def candidates_for(fields: dict, *, source: str = "", exclude=None) -> list[Scored]:
    """Pre-filter and score: the records that may be this person, strongest first."""
    found = prefilter(keys_for(fields), exclude=exclude)
    return score(fields, found, source=source)


def best_per_person(scored: list[Scored]) -> dict:
    """person id → the strongest-scoring of their linked records (unlinked records, which
    wait in the review queue themselves, are not candidates). A person is never linked
    automatically when any of their records looks like the new one's twin: one agency's
    record without an address must not outvote another's that shows the same household."""
    best: dict = {}
    twins = set()
    for s in scored:  # strongest first
        person_id = s.record.person_id
        if person_id is None:
            continue
        if s.twins:
            twins.add(person_id)
        best.setdefault(person_id, s)
    for person_id in twins:
        if best[person_id].decision == "link":
            best[person_id] = Scored(best[person_id].record, best[person_id].score, "review")
    return best
