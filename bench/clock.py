"""Measure the statutory clock at 50,000 open cases: the full re-evaluation, and the
incremental evaluation after one event.

    .venv/bin/python bench/clock.py \\
        --database-url postgres://postgres@127.0.0.1:5432/threadline_bench --samples 300

Issue "Legal orders and the statutory clock": full re-evaluation for 50,000 open cases
≤ 60 s on this machine; the incremental evaluation after one event p95 ≤ 20 ms.

The events are in the bench database (bench/generate.py's clock-event step: every open
case's history of referrals, meetings, orders and risk reviews, with the keys and
details the services write); it holds no tasks. Both measurements write tasks, so the
script works on a copy (benchenv.working_copy, as bench/risks.py does): it clones the
bench database, migrates the copy, measures with real commits, and drops the copy. The
bench database is only read, by PostgreSQL's copy.

In-process, the functions called directly (what `threadline clock evaluate` and the
services call), DEBUG off, a persistent connection:

  (1) the full re-evaluation, `timescales.clock.sync_all()` (500 children a chunk), from
      no tasks (cold: every task the rules require is created, and those already done
      or no longer needed closed as they are created), then again at once (warm:
      nothing to change); each timed whole, every statement counted and timed by the
      Threadline line that ran it. Then, untimed against the target, the same
      `sync_tasks` over the people with events that `sync_all` leaves out (no open
      case and no open task: the adults whose risks have review dates), and a cProfile
      of --profile-chunks cold chunks: where the Python time goes;
  (2) the incremental evaluation, `timescales.services.note_event(...)` for one new
      event (a core group or a strategy discussion held today, keyed and recorded as
      `record_meeting_or_assessment` records it, by the allocated social worker) on
      --samples random children with an open case, each its own transaction, committed;
      straight after, the same event again (its key is known: nothing done).

Reported: seconds against 60 s, p50/p95 against 20 ms, queries, tasks created and
closed, what the tasks are (by rule and state), queries by the number of events the
child has (they must not grow with it), and where the time goes.
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import benchenv
from child_page import QueryTimer, patched, percentile, summarise
from referral_submit import CommitTimer, QueryCounter, explain, postgres_settings

from risks import by_site, site_table

COPY_MARK = "_ck_"  # <bench database>_ck_<pid>: this script's copies
FULL_TARGET_S = 60.0
INCREMENTAL_TARGET_MS = 20.0
KINDS = ("core_group", "strategy_discussion")
# Children by the number of events the clock holds about them (the query-count check).
EVENT_BUCKETS = [(0, 5), (6, 10), (11, 20), (21, 40), (41, 10**9)]


# --- The data ------------------------------------------------------------------------------


def data_sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM people_person),
                   (SELECT count(*) FROM people_person WHERE kind <> 'adult'),
                   (SELECT count(*) FROM cases_case WHERE closed_on IS NULL),
                   (SELECT count(*) FROM risks_riskfactor),
                   (SELECT count(*) FROM timescales_clockevent),
                   (SELECT count(DISTINCT child_id) FROM timescales_clockevent),
                   (SELECT count(*) FROM timescales_task),
                   pg_size_pretty(pg_total_relation_size('timescales_clockevent'))
            """
        )
        people, children, open_cases, risks, events, subjects, tasks, table = cursor.fetchone()
        cursor.execute(
            """
            WITH open_cases AS (SELECT DISTINCT child_id FROM cases_case
                                WHERE closed_on IS NULL),
            per_child AS (
                SELECT o.child_id, count(e.id) AS n FROM open_cases o
                LEFT JOIN timescales_clockevent e ON e.child_id = o.child_id GROUP BY 1)
            SELECT sum(n)::bigint, percentile_disc(0.5) WITHIN GROUP (ORDER BY n),
                   percentile_disc(0.95) WITHIN GROUP (ORDER BY n), max(n)
            FROM per_child
            """
        )
        of_children, median, p95, most = cursor.fetchone()
        cursor.execute(
            "SELECT kind, count(*) FROM timescales_clockevent GROUP BY 1 ORDER BY 2 DESC"
        )
        kinds = dict(cursor.fetchall())
        cursor.execute(
            """
            SELECT count(*), count(DISTINCT e.child_id) FROM timescales_clockevent e
            WHERE NOT EXISTS (SELECT 1 FROM cases_case c
                              WHERE c.child_id = e.child_id AND c.closed_on IS NULL)
            """
        )
        outside, outside_people = cursor.fetchone()
        cursor.execute("SELECT pg_database_size(current_database())")
        size_mb = round(cursor.fetchone()[0] / 1024 / 1024)
    if not events:
        raise SystemExit("No clock events: run bench/generate.py (its clock-event step) first")
    return {
        "people": people,
        "children": children,
        "open_cases": open_cases,
        "risk_factors": risks,
        "events": events,
        "people_with_events": subjects,
        "events_of_open_case_children": of_children,
        "events_per_open_case_child": {"median": median, "p95": p95, "max": most},
        "events_without_open_case": outside,
        "people_without_open_case": outside_people,
        "tasks_before": tasks,
        "by_kind": kinds,
        "event_table_size": table,
        "size_mb": size_mb,
    }


def task_summary(now) -> dict:
    """What the full re-evaluation made: tasks by rule and state, and how many open
    ones are overdue."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT rule_id, status, count(*), count(*) FILTER (WHERE due_at < %s)
            FROM timescales_task GROUP BY 1, 2 ORDER BY 1, 2
            """,
            [now],
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT count(*) FILTER (WHERE owner_id IS NOT NULL),"
            " count(*) FILTER (WHERE owner_agency_id IS NULL) FROM timescales_task"
        )
        with_owner, without_agency = cursor.fetchone()
    by_rule: dict = defaultdict(lambda: {"open": 0, "overdue": 0, "done": 0, "cancelled": 0})
    for rule, status, n, past_due in rows:
        by_rule[rule][status] += n
        if status == "open":
            by_rule[rule]["overdue"] += past_due
    total = Counter()
    for counts in by_rule.values():
        total.update(counts)
    return {
        "by_rule": dict(sorted(by_rule.items(), key=lambda item: -sum(item[1].values()))),
        "total": dict(total),
        "with_named_owner": with_owner,
        "without_owner_agency": without_agency,
    }


def choose_children(args) -> list[dict]:
    """Children with an open case and an allocated social worker, with the number of
    events the clock holds about each, in an order fixed by the seed."""
    from django.db import connection

    wanted = args.warmup + args.samples
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.child_id, al.social_worker_id,
                   (SELECT count(*) FROM timescales_clockevent e WHERE e.child_id = c.child_id)
            FROM cases_allocation al
            JOIN cases_case c ON c.id = al.case_id
            WHERE al.to_date IS NULL AND c.closed_on IS NULL
            ORDER BY md5(c.child_id::text || %s)
            LIMIT %s
            """,
            [str(args.seed), wanted],
        )
        rows = cursor.fetchall()
    if len(rows) < wanted:
        raise SystemExit(f"Only {len(rows)} children with an open case and a social worker")
    return [{"child": c, "worker": w, "events": n} for c, w, n in rows]


def bucket_of(n: int) -> str:
    for low, high in EVENT_BUCKETS:
        if low <= n <= high:
            return f"{low}–{high}" if high < 10**9 else f"{low}+"
    return "?"


# --- (1) The full re-evaluation ---------------------------------------------------------------


def full_pass(label: str) -> dict:
    """`sync_all()` once, timed whole, with every statement timed by its site."""
    from django.db import connection

    from threadline.timescales import clock

    timer = QueryTimer()
    counter = QueryCounter()
    load_before = os.getloadavg()[0]
    with connection.execute_wrapper(counter), connection.execute_wrapper(timer):
        cpu_started = time.process_time()
        started = time.perf_counter()
        created, closed = clock.sync_all()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    sql = sum(q[1] for q in timer.queries) / 1000
    sites: dict = defaultdict(list)
    for site, ms, _sql, _params in timer.queries:
        sites[site].append(ms)
    result = {
        "label": label,
        "seconds": round(seconds, 1),
        "target_s": FULL_TARGET_S,
        "within_target": seconds <= FULL_TARGET_S,
        "created": created,
        "closed": closed,
        "queries": counter.count,
        "transaction_control": counter.control,
        "sql_s": round(sql, 1),
        "python_s": round(seconds - sql, 1),
        "django_cpu_s": round(cpu, 1),
        "sites": sorted(
            ({"site": s, "s": round(sum(v) / 1000, 2), "calls": len(v)} for s, v in sites.items()),
            key=lambda r: -r["s"],
        )[:8],
        "load_average": f"{load_before:.1f}→{os.getloadavg()[0]:.1f}",
    }
    print(
        f"  {label}: {result['seconds']} s (SQL {result['sql_s']} s, Python "
        f"{result['python_s']} s), created {created:,}, closed {closed:,}, "
        f"{counter.count:,} queries",
        flush=True,
    )
    return result


def left_out_pass(chunk: int = 500) -> dict:
    """`sync_tasks` over the people with events whom `sync_all` does not look at (no
    open case and no open task), in chunks as sync_all would: what re-evaluating them
    too would add."""
    from django.db import connection

    from threadline.timescales import clock
    from threadline.timescales.models import ClockEvent, Task, TaskStatus

    evaluated = set(clock.open_case_children()) | set(
        Task.objects.filter(status=TaskStatus.OPEN).values_list("child_id", flat=True)
    )
    others = sorted(
        set(ClockEvent.objects.values_list("child_id", flat=True).distinct()) - evaluated,
        key=str,
    )
    counter = QueryCounter()
    created = closed = 0
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        for start in range(0, len(others), chunk):
            c, d = clock.sync_tasks(others[start : start + chunk])
            created, closed = created + c, closed + d
        seconds = time.perf_counter() - started
    print(
        f"  left out by sync_all: {len(others):,} people, {seconds:.1f} s, created "
        f"{created:,} tasks",
        flush=True,
    )
    return {
        "people": len(others),
        "seconds": round(seconds, 1),
        "created": created,
        "closed": closed,
        "queries": counter.count,
    }


def profile_chunks(chunks: int, chunk: int = 500) -> dict:
    """cProfile of `sync_tasks` over `chunks` chunks of open cases, cold (their tasks
    deleted first): where a chunk's Python time goes. cProfile slows the calls it
    counts, so the shares matter, not the seconds."""
    from django.db import connection

    from threadline.timescales import clock
    from threadline.timescales.models import Task

    ids = sorted(set(clock.open_case_children()), key=str)
    rng = random.Random(5)
    starts = sorted(rng.sample(range(0, len(ids), chunk), min(chunks, len(ids) // chunk)))
    groups = [ids[s : s + chunk] for s in starts]
    for group in groups:
        Task.objects.filter(child_id__in=group).delete()
    timer = QueryTimer()
    profiler = cProfile.Profile()
    with connection.execute_wrapper(timer):
        started = time.perf_counter()
        profiler.enable()
        for group in groups:
            clock.sync_tasks(group)
        profiler.disable()
        seconds = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = []
    for (path, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
        short = path.replace("\\", "/")
        for marker in ("/site-packages/", "/threadline/", "/lib/python3"):
            if marker in short:
                short = short.split(marker, 1)[1]
                break
        rows.append(
            {
                "function": f"{short}:{line} {name}" if line else name,
                "calls": calls,
                "own_s": round(tottime, 3),
                "cumulative_s": round(cumtime, 3),
            }
        )
    own = sorted(rows, key=lambda r: -r["own_s"])[:14]
    wanted = {  # the parts of a chunk: (where, function)
        ("timescales/clock.py", "sync_tasks"),
        ("timescales/clock.py", "task_states"),
        ("timescales/clock.py", "_owners"),
        ("timescales/clock.py", "_owner"),
        ("timescales/rules.py", "moment"),
        ("timescales/calendar.py", "add_working_days"),
        ("django/db/models/base.py", "from_db"),
        ("django/db/models/base.py", "__init__"),
        ("django/db/models/query.py", "__iter__"),
        ("django/db/models/query.py", "bulk_create"),
        ("django/db/models/query.py", "bulk_update"),
        ("django/db/models/fields/json.py", "from_db_value"),
    }
    cumulative = [
        row
        for row in sorted(rows, key=lambda r: -r["cumulative_s"])
        if (row["function"].split(":", 1)[0], row["function"].rsplit(" ", 1)[-1]) in wanted
    ]
    return {
        "children": sum(len(g) for g in groups),
        "chunks": len(groups),
        "seconds_profiled": round(seconds, 2),
        "profiled_total_s": round(total, 2),
        "sql_s": round(sum(q[1] for q in timer.queries) / 1000, 2),
        "own": own,
        "cumulative": cumulative[:12],
    }


# --- (2) The incremental evaluation -------------------------------------------------------------


def function_timers() -> tuple[list, dict]:
    """Patch sites timing, whole, what note_event runs (inclusive)."""
    from django.db.models import query

    from threadline.timescales import clock

    calls: dict = defaultdict(list)

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                calls[name].append((time.perf_counter() - started) * 1000)

        return wrapper

    sites = []
    for name in ("sync_tasks", "task_states", "_owners"):
        original = getattr(clock, name)
        sites.append((clock, name, original, timed(f"timescales.clock.{name}", original)))
    for name in ("get_or_create", "bulk_create", "bulk_update"):
        original = getattr(query.QuerySet, name)
        sites.append((query.QuerySet, name, original, timed(f"QuerySet.{name}", original)))
    return sites, calls


def code_measured() -> dict:
    """The commit, and whether the clock's code differed from it (others at work)."""
    import subprocess

    def git(*argv) -> str:
        done = subprocess.run(  # noqa: S603
            ["git", *argv],  # noqa: S607
            cwd=benchenv.ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--", "src/threadline/timescales")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "timescales_changed": changed.split("\n") if changed else [],
    }


def run(args, copy: dict) -> dict:
    from django.db import connection
    from django.utils import timezone

    from threadline.agencies.models import Practitioner
    from threadline.people.models import Person
    from threadline.timescales.models import ClockEvent, Task
    from threadline.timescales.services import note_event

    started_at = time.perf_counter()
    data = data_sizes()
    print(
        f"  {data['people']:,} people, {data['open_cases']:,} open cases, "
        f"{data['events']:,} clock events ({data['events_of_open_case_children']:,} about "
        "the children with an open case)",
        flush=True,
    )
    problems: list[str] = []
    loads = [os.getloadavg()[0]]
    load_before = loads[0]
    if data["tasks_before"]:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE timescales_task")

    # (1) The full re-evaluation -----------------------------------------------------------
    cold = full_pass("cold: no tasks")
    now = timezone.now()
    tasks = task_summary(now)
    warm = full_pass("warm: nothing to change")
    if warm["created"] or warm["closed"]:
        problems.append(f"the warm pass created {warm['created']} and closed {warm['closed']}")
    load_mid = os.getloadavg()[0]
    loads.append(load_mid)
    left_out = left_out_pass() if not args.skip_left_out else None
    profile = profile_chunks(args.profile_chunks) if args.profile_chunks else None

    # (2) The incremental evaluation ----------------------------------------------------------
    rng = random.Random(args.seed)
    chosen = choose_children(args)
    people = Person.objects.in_bulk({c["child"] for c in chosen})
    workers = Practitioner.objects.in_bulk({c["worker"] for c in chosen})
    today = timezone.localdate()
    run_started = timezone.now()
    for c in chosen:
        c["kind"] = rng.choice(KINDS)
        c["key"] = f"hand:{c['child']}:{c['kind']}:{today.isoformat()}"  # as by hand

    def note(child: dict, wrapper=None):
        with connection.execute_wrapper(wrapper or QueryCounter()):
            started = time.perf_counter()
            event = note_event(
                key=child["key"],
                child=people[child["child"]],
                kind=child["kind"],
                occurred_at=today,
                recorded_by=workers[child["worker"]],
            )
            elapsed = (time.perf_counter() - started) * 1000
        return event, elapsed

    warm_up, sampled = chosen[: args.warmup], chosen[args.warmup :]
    for child in warm_up:
        note(child)
    times, again_times = [], []
    queries, control, again_queries = [], [], []
    by_kind: dict = defaultdict(list)
    by_events: dict = defaultdict(lambda: {"ms": [], "queries": set()})
    created_per_call: list[int] = []
    measured = 0
    order = list(sampled)
    rng.shuffle(order)
    deadline = time.monotonic() + args.budget_minutes * 60
    for i, child in enumerate(order):
        if measured and time.monotonic() > deadline:
            break
        counting = i < args.capture
        if counting:
            tasks_before = Task.objects.filter(child_id=child["child"]).count()
        counter = QueryCounter()
        event, ms = note(child, counter)
        if event.recorded_at < run_started:
            problems.append(f"{child['child']}: the event was there already")
        times.append(ms)
        queries.append(counter.count)
        control.append(counter.control)
        by_kind[child["kind"]].append(ms)
        bucket = by_events[bucket_of(child["events"])]
        bucket["ms"].append(ms)
        bucket["queries"].add(counter.count)
        if counting:
            created_per_call.append(
                Task.objects.filter(child_id=child["child"]).count() - tasks_before
            )
        again = QueryCounter()
        _event, ms = note(child, again)  # the same event: its key is known, nothing done
        again_times.append(ms)
        again_queries.append(again.count)
        measured += 1
        loads.append(os.getloadavg()[0])
    print(f"  incremental: {measured} events noted, each twice", flush=True)

    # Where a call's time goes: --profile more children, each query timed, the
    # functions timed whole, the commit timed.
    sites_patch, calls = function_timers()
    query_sites: dict = defaultdict(list)
    functions: dict = defaultdict(list)
    split: dict = defaultdict(list)
    slowest: list = []
    extra = choose_children(
        argparse.Namespace(**{**vars(args), "seed": args.seed + 1, "samples": args.profile})
    )
    people.update(Person.objects.in_bulk({c["child"] for c in extra}))
    workers.update(Practitioner.objects.in_bulk({c["worker"] for c in extra}))
    for child in extra[args.warmup :]:
        child["kind"] = rng.choice(KINDS)
        child["key"] = f"hand:{child['child']}:{child['kind']}:{today.isoformat()}"
        if ClockEvent.objects.filter(key=child["key"]).exists():
            continue
        timer = QueryTimer()
        calls.clear()
        with patched(sites_patch), CommitTimer(calls):
            _event, ms = note(child, timer)
        sql_ms = sum(q[1] for q in timer.queries)
        commit_ms = sum(calls.get("COMMIT (driver)", []))
        split["call_ms"].append(ms)
        split["sql_ms"].append(sql_ms)
        split["commit_ms"].append(commit_ms)
        split["python_ms"].append(ms - sql_ms - commit_ms)
        split["statements"].append(len(timer.queries))
        for name, values in calls.items():
            functions[name].append((sum(values), len(values)))
        by_site(timer.queries, query_sites)
        if not slowest or sql_ms > sum(q[1] for q in slowest):
            slowest = timer.queries
    load_after = os.getloadavg()[0]
    loads.append(load_after)

    incremental = {
        **summarise(times),
        "target_ms": INCREMENTAL_TARGET_MS,
        "within_target": percentile(times, 95) <= INCREMENTAL_TARGET_MS,
        "queries": sorted(set(queries)),
        "queries_median": statistics.median(queries),
        "transaction_control": sorted(set(control)),
        "tasks_created_per_call": {
            "median": statistics.median(created_per_call) if created_per_call else None,
            "max": max(created_per_call) if created_per_call else None,
            "n": len(created_per_call),
        },
        "by_kind": {k: summarise(v) for k, v in sorted(by_kind.items())},
        "by_events": [
            {
                "events": label,
                "children": len(by_events[label]["ms"]),
                "queries": sorted(by_events[label]["queries"]),
                "p50_ms": round(statistics.median(by_events[label]["ms"]), 2),
            }
            for label in (bucket_of(low) for low, _high in EVENT_BUCKETS)
            if by_events[label]["ms"]
        ],
        "events_per_child": {
            "median": statistics.median(c["events"] for c in order[:measured]),
            "max": max(c["events"] for c in order[:measured]),
        },
        "again": {**summarise(again_times), "queries": sorted(set(again_queries))},
        "split": {k: round(statistics.median(v), 2) for k, v in split.items()},
        "functions": sorted(
            (
                {
                    "function": name,
                    "ms": round(statistics.median(ms for ms, _n in values), 2),
                    "calls": statistics.median(n for _ms, n in values),
                }
                for name, values in functions.items()
            ),
            key=lambda r: -r["ms"],
        ),
        "sites": site_table(query_sites, 10),
        "explain": explain(slowest, args.explain) if args.explain and slowest else [],
        "profiled": len(split["call_ms"]),
    }
    return {
        "benchmark": "clock",
        "database": benchenv.database_name(args.database_url),
        "measured_on": copy["name"],
        "copy": copy,
        "code": code_measured(),
        "generated": (benchenv.read_description(args.database_url) or {}).get("clock_events"),
        "data": data,
        "full": {"cold": cold, "warm": warm, "tasks": tasks},
        "left_out": left_out,
        "profile": profile,
        "incremental": incremental,
        "samples": measured,
        "seed": args.seed,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started_at),
        "load_average": f"{load_before:.1f}→{load_mid:.1f}→{load_after:.1f}",
        "load_average_range": [min(loads), max(loads)],
        "machine": benchenv.machine(),
        "server": postgres_settings(),
        "problems": problems[:20],
        "command": " ".join([".venv/bin/python", "bench/clock.py", *sys.argv[1:]]),
    }


def print_report(result: dict) -> None:
    data, full, inc = result["data"], result["full"], result["incremental"]
    print(
        f"\nStatutory clock on {result['database']} (a copy: {result['measured_on']}): "
        f"{data['open_cases']:,} open cases, {data['events']:,} events "
        f"({data['events_of_open_case_children']:,} about those children: median "
        f"{data['events_per_open_case_child']['median']}, p95 "
        f"{data['events_per_open_case_child']['p95']}, max "
        f"{data['events_per_open_case_child']['max']} each); load average "
        f"{result['load_average']}"
    )
    for name in ("cold", "warm"):
        r = full[name]
        verdict = "met" if r["within_target"] else "MISSED"
        print(
            f"  sync_all() {r['label']:<24} {r['seconds']:6.1f} s  (SQL {r['sql_s']} s, "
            f"Python {r['python_s']} s, process CPU {r['django_cpu_s']} s)  created "
            f"{r['created']:,}, closed {r['closed']:,}, {r['queries']:,} queries  "
            f"target ≤ {r['target_s']:g} s: {verdict}"
        )
        for s in r["sites"][:5]:
            print(f"      {s['s']:7.2f} s ({s['calls']})  {s['site']}")
    print(f"  tasks: {full['tasks']['total']}")
    for rule, counts in full["tasks"]["by_rule"].items():
        print(f"      {rule:<36} {counts}")
    if result["left_out"]:
        print(f"  left out by sync_all: {result['left_out']}")
    if result["profile"]:
        p = result["profile"]
        print(
            f"  cProfile of {p['children']} children ({p['chunks']} chunks): "
            f"{p['profiled_total_s']} s profiled, SQL {p['sql_s']} s"
        )
        for row in p["cumulative"]:
            print(f"      cum {row['cumulative_s']:7.2f} s  {row['calls']:>9,}  {row['function']}")
        for row in p["own"]:
            print(f"      own {row['own_s']:7.2f} s  {row['calls']:>9,}  {row['function']}")
    verdict = "met" if inc["within_target"] else "MISSED"
    print(
        f"  note_event (one new event): p50 {inc['p50_ms']:.1f} ms  p95 {inc['p95_ms']:.1f} ms"
        f"  queries {inc['queries']}  target p95 ≤ {inc['target_ms']:g} ms: {verdict}"
    )
    print(
        f"  the same event again: p50 {inc['again']['p50_ms']:.2f} ms  p95 "
        f"{inc['again']['p95_ms']:.2f} ms  queries {inc['again']['queries']}"
    )
    print(f"  by kind: {inc['by_kind']}")
    for row in inc["by_events"]:
        print(f"      {row}")
    print(f"  split: {inc['split']}")
    for f in inc["functions"]:
        print(f"      {f['ms']:7.2f} ms ({f['calls']:g})  {f['function']}")
    for s in inc["sites"][:8]:
        print(f"      {s['ms']:7.2f} ms  {s['site']}")
    if result["problems"]:
        print("\n  PROBLEMS:", *result["problems"], sep="\n    ")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=f"{benchenv.DEFAULT_SERVER}/threadline_bench",
        help="the bench database to copy (it is not written to)",
    )
    parser.add_argument("--samples", type=int, default=300, help="events noted one by one")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=10,
        help="stop the incremental pass after this long, with what was measured so far",
    )
    parser.add_argument(
        "--profile", type=int, default=20, help="calls whose queries are timed one by one"
    )
    parser.add_argument(
        "--profile-chunks",
        type=int,
        default=4,
        help="chunks of the full re-evaluation run again under cProfile (0: none)",
    )
    parser.add_argument("--capture", type=int, default=50, help="calls whose new tasks are counted")
    parser.add_argument("--explain", type=int, default=1, help="EXPLAIN the N slowest SELECTs")
    parser.add_argument(
        "--skip-left-out",
        action="store_true",
        help="do not re-evaluate the people sync_all leaves out",
    )
    parser.add_argument("--keep-copy", action="store_true")
    parser.add_argument("--json", type=Path, default=benchenv.VAR / "clock.json")
    args = parser.parse_args(argv)
    if urlsplit(args.database_url).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit("The bench runs on PostgreSQL: pass --database-url postgres://…")
    if not benchenv.database_exists(args.database_url):
        raise SystemExit(f"No database {args.database_url}: run bench/generate.py first")
    with benchenv.working_copy(args.database_url, mark=COPY_MARK, keep=args.keep_copy) as copy:
        result = run(args, copy)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, default=str))
    print_report(result)
    print(f"\n  written to {args.json}")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
