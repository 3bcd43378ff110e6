"""Real-time identity candidates at scale: one new record against 1,000,000 source records.

    .venv/bin/python bench/linkage_realtime.py                  # load (once), then time
    .venv/bin/python bench/linkage_realtime.py --reuse          # time only

Loads the synthetic multi-agency records of bench/linkage_data.py (ground truth and all)
into PostgreSQL database `threadline_bench_linkage` with COPY: every record as an
agency's source record, with its blocking keys (engine.blocking_keys), as
`linkage.services` would store it. Records are not linked to people: the candidate
function does not read links, and linking a million records is the batch CLI's job.
`--queries` records of the same generated set are held out (never loaded); each is then
looked up as a new record: the pre-filter on the indexed blocking keys (one query) and the
scoring of what it found with the shipped model (`linkage.candidates.candidates_for`).
The timed part holds /tmp/threadline-measure.lock (flock), so no other benchmark on the
machine runs at the same time. Writes a Markdown table to --output."""

import argparse
import fcntl
import io
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import benchenv  # noqa: E402
import linkage_data  # noqa: E402

DEFAULT_URL = f"{benchenv.DEFAULT_SERVER}/threadline_bench_linkage"
FIELDS = ("nhs_number", "first_name", "surname", "dob", "sex", "postcode", "address")
LOCK = "/tmp/threadline-measure.lock"  # noqa: S108 the machine's shared measuring lock


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _date_or_none(text: str) -> str | None:
    """A date PostgreSQL can store (the generator types some as impossible dates, which
    the import refuses; here the record is kept without one)."""
    try:
        return date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


def load(url: str, records: int, queries: int, seed: int) -> list[dict]:
    """Recreate the database, migrate it and COPY the records in; return the held-out
    records to look up."""
    benchenv.recreate_database(url)
    benchenv.configure(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from threadline.agencies.models import Agency, AgencyType
    from threadline.linkage.engine import blocking_keys

    started = time.perf_counter()
    rows = linkage_data.generate(records + queries, seed=seed)
    held_out, rows = rows[:queries], rows[queries:]
    generated = time.perf_counter() - started
    agencies = {
        code: Agency.objects.create(
            code=code.replace("_", "-"),
            name=f"Bench {code.replace('_', ' ')}",
            agency_type=AgencyType.HEALTH_VISITING,
            area="Benchshire",
        ).pk
        for code in linkage_data.AGENCIES
    }
    now = datetime.now(UTC).isoformat()
    started = time.perf_counter()
    keys = 0
    with benchenv.server_connect(url, dbname=url) as conn, conn.cursor() as cur:
        for start in range(0, len(rows), 100_000):
            batch = rows[start : start + 100_000]
            records_buf, keys_buf = io.StringIO(), io.StringIO()
            for row in batch:
                pk = uuid.uuid4()
                cells = [str(pk), now, now, str(agencies[row["source"]]), row["record_id"], "1"]
                values = {f: row.get(f) or "" for f in FIELDS}
                values["dob"] = _date_or_none(values["dob"])
                cells += [_copy_text(values[f]) for f in FIELDS]
                cells.append(now)
                records_buf.write("\t".join(cells) + "\n")
                for name, value in blocking_keys(row).items():
                    keys_buf.write(f"{pk}\t{_copy_text(name)}\t{_copy_text(value[:200])}\n")
                    keys += 1
            columns = ", ".join(
                ["id", "created_at", "updated_at", "agency_id", "local_id", "version"]
                + list(FIELDS)
                + ["received_at"]
            )
            with cur.copy(f"COPY linkage_sourcerecord ({columns}) FROM STDIN") as copy:
                copy.write(records_buf.getvalue())
            with cur.copy("COPY linkage_blockingkey (record_id, name, value) FROM STDIN") as copy:
                copy.write(keys_buf.getvalue())
            print(f"  loaded {start + len(batch):,} records", flush=True)
        # As autovacuum would after a load: statistics, and the visibility map that lets
        # the pre-filter read record ids from the index alone.
        cur.execute("VACUUM (ANALYZE) linkage_sourcerecord")
        cur.execute("VACUUM (ANALYZE) linkage_blockingkey")
    loaded = time.perf_counter() - started
    benchenv.write_description(
        url,
        {
            "records": len(rows),
            "blocking_keys": keys,
            "seed": seed,
            "held_out": held_out,
            "generate_seconds": round(generated, 1),
            "load_seconds": round(loaded, 1),
        },
    )
    return held_out


def rekey(url: str) -> int:
    """Rewrite every record's blocking keys with the engine as it is now (after a model
    whose keys changed, as `threadline index-people --rebuild-keys` does for the app)."""
    from threadline.linkage.engine import blocking_keys

    keys = 0
    with benchenv.server_connect(url, dbname=url) as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE linkage_blockingkey")
        cur.execute("DROP INDEX IF EXISTS blocking_key_lookup")
        columns = ", ".join(["id", *FIELDS])
        with conn.transaction(), conn.cursor(name="records") as records, conn.cursor() as writer:
            records.itersize = 50_000
            records.execute(f"SELECT {columns} FROM linkage_sourcerecord")  # noqa: S608 our column names
            buffer = io.StringIO()
            for n, (pk, *values) in enumerate(records, start=1):
                row = {"record_id": str(pk), **dict(zip(FIELDS, values, strict=True))}
                if row["dob"] is not None:
                    row["dob"] = row["dob"].isoformat()
                for name, value in blocking_keys(row).items():
                    buffer.write(f"{pk}\t{_copy_text(name)}\t{_copy_text(value[:200])}\n")
                    keys += 1
                if n % 100_000 == 0:
                    with writer.copy(
                        "COPY linkage_blockingkey (record_id, name, value) FROM STDIN"
                    ) as copy:
                        copy.write(buffer.getvalue())
                    buffer = io.StringIO()
                    print(f"  re-keyed {n:,} records", flush=True)
            with writer.copy(
                "COPY linkage_blockingkey (record_id, name, value) FROM STDIN"
            ) as copy:
                copy.write(buffer.getvalue())
        cur.execute("CREATE INDEX blocking_key_lookup ON linkage_blockingkey (name, value)")
        cur.execute("VACUUM (ANALYZE) linkage_blockingkey")
    return keys


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(held_out: list[dict], warmup: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from threadline.linkage import candidates

    candidates.model()  # loaded once per process, as in a web worker
    for row in held_out[:warmup]:
        candidates.candidates_for({f: row.get(f) or None for f in FIELDS})
    total, prefilter, scoring, queries, found = [], [], [], [], []
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for row in held_out:
            fields = {f: row.get(f) or None for f in FIELDS}
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                keys = candidates.keys_for(fields)
                records = candidates.prefilter(keys)
                t1 = time.perf_counter()
                candidates.score(fields, records, source=row["source"])
                t2 = time.perf_counter()
            total.append((t2 - t0) * 1000)
            prefilter.append((t1 - t0) * 1000)
            scoring.append((t2 - t1) * 1000)
            queries.append(len(captured.captured_queries))
            found.append(len(records))
        fcntl.flock(lock, fcntl.LOCK_UN)
    return {
        "total": total,
        "prefilter": prefilter,
        "scoring": scoring,
        "queries": queries,
        "found": found,
    }


def report(result: dict, description: dict, output: Path) -> str:
    from threadline.linkage import candidates
    from threadline.linkage.engine import KEY_NAMES

    def row(name: str, values: list[float]) -> str:
        return (
            f"| {name} | {statistics.median(values):.1f} | {percentile(values, 95):.1f} | "
            f"{max(values):.1f} |"
        )

    machine = benchenv.machine()
    p95 = percentile(result["total"], 95)
    verdict = "met" if p95 <= 100 else "MISSED"
    text = "\n".join(
        [
            "## Identity resolution: real-time candidates (issue 8)",
            "",
            f"One new record against **{description['records']:,} source records** "
            f"({description['blocking_keys']:,} blocking keys) in PostgreSQL; "
            f"{len(result['total'])} held-out records of the same synthetic set "
            f"(bench/linkage_data.py, seed {description['seed']}) looked up one by one: "
            "the pre-filter on the indexed blocking keys, then the scoring of what it "
            f"found with the shipped model ({candidates.model().version}). Target p95 ≤ "
            f"100 ms: **{verdict}** (p95 {p95:.1f} ms).",
            "",
            "| part (ms) | p50 | p95 | max |",
            "|---|---|---|---|",
            row("candidates (pre-filter + score)", result["total"]),
            row("pre-filter (keys + one query)", result["prefilter"]),
            row("scoring (the saved model, engine `Model.score`)", result["scoring"]),
            "",
            f"Queries per look-up: {min(result['queries'])}–{max(result['queries'])} "
            f"(constant). Candidates scored per look-up: median "
            f"{statistics.median(result['found']):.0f}, max {max(result['found'])} "
            f"(capped at {candidates.CANDIDATE_LIMIT}).",
            "",
            f"Blocking keys: {', '.join(KEY_NAMES)} (engine.blocking_keys; after a change "
            "to them, `--reuse --rekey` rewrites the stored keys, as `threadline index-people "
            "--rebuild-keys` does for the app). Load: generated in "
            f"{description['generate_seconds']} s, COPY of records and "
            f"keys in {description['load_seconds']} s. Machine: {machine['nproc']} CPUs, "
            f"{machine['cpu']}, {machine['memory_gib']} GiB; measured "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC under `flock {LOCK}`.",
            "",
            "Command: `.venv/bin/python bench/linkage_realtime.py` (then `--reuse`).",
            "",
        ]
    )
    output.write_text(text, encoding="utf-8")
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--reuse", action="store_true", help="time the loaded database")
    parser.add_argument(
        "--rekey", action="store_true", help="with --reuse: rewrite the blocking keys first"
    )
    parser.add_argument("--output", type=Path, default=Path("/tmp/linkage-realtime-bench.md"))  # noqa: S108
    args = parser.parse_args(argv)
    description = None
    if args.reuse and benchenv.database_exists(args.database_url):
        description = benchenv.read_description(args.database_url)
    if description is None:
        print(f"Loading {args.records:,} records into {args.database_url} …", flush=True)
        load(args.database_url, args.records, args.queries, args.seed)
        description = benchenv.read_description(args.database_url)
    else:
        benchenv.configure(args.database_url)
        if args.rekey:
            print("Rewriting the blocking keys with the engine as it is now …", flush=True)
            description["blocking_keys"] = rekey(args.database_url)
            benchenv.write_description(args.database_url, description)
    result = measure(description["held_out"], args.warmup)
    print(report(result, description, args.output))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
