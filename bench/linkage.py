"""Identity resolution benchmark: accuracy and speed on generated records with truth.

    flock /tmp/threadline-measure.lock .venv/bin/python bench/linkage.py --records 200000
    flock /tmp/threadline-measure.lock .venv/bin/python bench/linkage.py --records 1000000

Generates the records (bench/linkage_data.py) into var/linkage/ once per size and seed,
then in this process: reads the CSV as the CLI does, links it (train, predict, cluster,
timed), and scores the result against the truth. Prints one JSON object:

- clustered precision / recall / F1: over pairs of records, "in the same person" as
  linked against "the same true person";
- auto-link precision: of the scored pairs at or above the auto-link threshold;
- blocking ceiling: the share of true pairs that share at least one blocking key (no
  pair outside it can ever be linked, in batch or in real time);
- seconds for reading, training, predicting and clustering; peak memory (max RSS);
- real-time: scoring one record against the candidates its keys find (at most 50),
  p50 and p95 over 500 records (engine only; the app adds its database pre-filter);
- with --explain N: N missed true pairs and N false links, each scored as real time
  does, by where they fall (link / review / none) and by their commonest patterns of
  comparison levels.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from linkage_data import generate, write_csv  # noqa: E402

from threadline.linkage.engine import (  # noqa: E402
    blocking_keys,
    link_records,
    load_model,
    prepare,
    read_records_csv,
    train,
)


def true_pairs(truth: dict[str, str]) -> set[tuple[str, str]]:
    return _pairs(_groups(truth.items()))


def _groups(items) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for record_id, group in items:
        groups[group].append(record_id)
    return groups


def _pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    pairs = set()
    for ids in groups.values():
        pairs.update(combinations(sorted(ids), 2))
    return pairs


def pairwise_scores(found: set, truth: set) -> dict[str, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def blocking_ceiling(records: list[dict], truth_pairs: set) -> dict[str, float]:
    keys = {r["record_id"]: blocking_keys(r) for r in records}
    reached = 0
    by_key: dict[str, int] = defaultdict(int)
    for a, b in truth_pairs:
        ka, kb = keys[a], keys[b]
        shared = [name for name, value in ka.items() if kb.get(name) == value]
        reached += bool(shared)
        for name in shared:
            by_key[name] += 1
    n = len(truth_pairs) or 1
    return {"all_keys": reached / n, **{f"key_{k}": v / n for k, v in sorted(by_key.items())}}


def realtime(records: list[dict], model, samples: int = 500) -> dict[str, float]:
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        for item in blocking_keys(record).items():
            index[item].append(i)
    rng = random.Random(1)
    times, sizes = [], []
    for i in rng.sample(range(len(records)), samples):
        candidates: dict[int, None] = {}
        for item in blocking_keys(records[i]).items():
            candidates.update(dict.fromkeys(index[item][:50]))
        candidates.pop(i, None)
        chosen = [records[j] for j in list(candidates)[:50]]
        start = time.perf_counter()
        model.score(records[i], chosen)
        times.append(time.perf_counter() - start)
        sizes.append(len(chosen))
    times.sort()
    return {
        "p50_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * times[int(0.95 * len(times))],
        "mean_candidates": statistics.mean(sizes),
    }


def explain(pairs: set, records: list[dict], model, n: int, seed: int = 1) -> dict:
    """Where `n` of these pairs fall when scored as real time scores them, and their
    commonest patterns of comparison levels."""
    by_id = {r["record_id"]: r for r in records}
    sample = sorted(pairs)
    random.Random(seed).shuffle(sample)
    bands: dict[str, int] = defaultdict(int)
    patterns: dict[str, int] = defaultdict(int)
    for a, b in sample[:n]:
        score = model.score_prepared(prepare(by_id[a]), prepare(by_id[b]))
        band = "twins rule" if score.twins_rule else score.decision
        bands[band] += 1
        patterns["; ".join(f"{c.field}: {c.level}" for c in score.contributions)] += 1
    common = sorted(patterns.items(), key=lambda item: -item[1])[:12]
    return {"of": len(pairs), "sampled": min(n, len(pairs)), "bands": bands, "patterns": common}


def main() -> None:
    parser = argparse.ArgumentParser(description="identity resolution benchmark")
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--model", help="a saved model (default: train on the records)")
    parser.add_argument("--save-model", help="write the trained model here")
    parser.add_argument("--skip-realtime", action="store_true")
    parser.add_argument("--explain", type=int, default=0, metavar="N", help="explain N misses")
    args = parser.parse_args()

    data = ROOT / "var" / "linkage" / f"records-{args.records}-{args.seed}.csv"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        write_csv(generate(args.records, args.seed), data)

    load = os.getloadavg()
    started = time.perf_counter()
    records = read_records_csv(data, extra_required=("true_person",))
    read_seconds = time.perf_counter() - started
    truth = {r["record_id"]: r["true_person"] for r in records}
    for record in records:
        del record["true_person"]

    started = time.perf_counter()
    model = load_model(args.model) if args.model else train(records)
    train_seconds = time.perf_counter() - started
    if args.save_model:
        model.save(args.save_model)
    started = time.perf_counter()
    links = link_records(records, model=model)
    link_seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    truth_pairs = true_pairs(truth)
    found_pairs = _pairs(_groups((record_id, person) for record_id, person, _ in links))
    result = {
        "records": len(records),
        "true_persons": len(set(truth.values())),
        "true_pairs": len(truth_pairs),
        "found_persons": len({person for _, person, _ in links}),
        "clustered": pairwise_scores(found_pairs, truth_pairs),
        "blocking_ceiling": blocking_ceiling(records, truth_pairs),
        "model_version": model.version,
        "auto_link": model.auto_link,
        "review": model.review,
        "seconds": {
            "read_csv": read_seconds,
            "train": train_seconds,
            "predict_and_cluster": link_seconds,
            "batch_total": train_seconds + link_seconds,
        },
        "peak_rss_mb": peak_mb,
        "load_average_at_start": load,
        "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "command": " ".join(sys.argv),
    }
    if not args.skip_realtime:
        result["realtime"] = realtime(records, model)
    if args.explain:
        result["missed"] = explain(truth_pairs - found_pairs, records, model, args.explain)
        result["false_links"] = explain(found_pairs - truth_pairs, records, model, args.explain)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
