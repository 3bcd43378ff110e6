"""Measure the risk register at 500,000 risk factors: the active risks touching a child,
and the evaluation of a household change.

    .venv/bin/python bench/risks.py \\
        --database-url postgres://postgres@127.0.0.1:5432/threadline_bench --samples 300

Issue "Risk factors": with 200,000 people, 50,000 children and 500,000 risk factors in
PostgreSQL, `active_risks_for_child` p95 ≤ 20 ms and household-change evaluation
p95 ≤ 50 ms.

The risk factors are in the bench database (bench/generate.py's risk-factor step). An
evaluation writes (the check, a chronology entry, an alert with its recipients and email
outbox rows, audit rows, and the task rows queued once it commits), so the script works
on a copy (benchenv.working_copy, as bench/chronology_page.py does): it clones the bench
database, migrates the copy, measures with real commits, and drops the copy. The bench
database is only read, by PostgreSQL's copy.

In-process, the functions called directly (no HTTP: they are what the child page, the
API and the people services call), DEBUG off, a persistent connection:

  (1) `selectors.active_risks_for_child(child)` and
      `active_risks_for_child(child, actor=<the child's allocated social worker>)`, over
      --samples random children with an open case and a home, each variant --repeat
      times in random order, child by child;
  (2) `households.evaluate_household_change(...)` over --moves other such children, one
      distinct move each (the child moved to their current address, or an adult living
      there joined the household; the move dated in the last fortnight), as the child's
      social worker, each a transaction of its own committed as the people services'
      would be; and straight after, the same move again: the check finds it was looked at
      already and does nothing (the idempotency short-circuit).

Reported: p50/p95 against the targets, queries per call (counted on every timed call),
what one evaluation writes, queries by the number of risks touching the child (they must
not grow with it), and where the time goes: each query's time by the Threadline line that
ran it and the functions an evaluation runs, timed whole.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import benchenv
from child_page import QueryTimer, patch_sites, patched, percentile, summarise
from referral_submit import CommitTimer, QueryCounter, explain, postgres_settings

COPY_MARK = "_rk_"  # <bench database>_rk_<pid>: this script's copies
READ_TARGET_MS = 20.0
EVALUATE_TARGET_MS = 50.0
READ_VARIANTS = ("plain", "actor")
READ_LABELS = {
    "plain": "`active_risks_for_child(child)`",
    "actor": "`active_risks_for_child(child, actor=social worker)`",
}
# Children by the number of active risks touching them (the query-count check).
RISK_BUCKETS = [(0, 0), (1, 5), (6, 15), (16, 30), (31, 60), (61, 10**9)]


# --- The data ------------------------------------------------------------------------------


def data_sizes() -> dict:
    from django.db import connection

    from threadline.agencies.models import AgencyType

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM people_person),
                   (SELECT count(*) FROM people_person WHERE kind <> 'adult'),
                   (SELECT count(*) FROM cases_case WHERE closed_on IS NULL),
                   (SELECT count(*) FROM people_relationship),
                   (SELECT count(*) FROM people_residence),
                   (SELECT count(*) FROM risks_riskfactor),
                   (SELECT count(DISTINCT subject_id) FROM risks_riskfactor),
                   (SELECT count(*) FROM risks_riskfactor WHERE confidentiality = 'restricted'),
                   (SELECT count(*) FROM risks_riskreview),
                   pg_size_pretty(pg_total_relation_size('risks_riskfactor'))
            """
        )
        (
            people,
            children,
            open_cases,
            relationships,
            residences,
            risks,
            subjects,
            restricted,
            reviews,
            table_size,
        ) = cursor.fetchone()
        cursor.execute("SELECT status, count(*) FROM risks_riskfactor GROUP BY 1 ORDER BY 2 DESC")
        statuses = dict(cursor.fetchall())
        cursor.execute(
            """
            SELECT p.kind = 'adult', count(*) FROM risks_riskfactor r
            JOIN people_person p ON p.id = r.subject_id GROUP BY 1
            """
        )
        about = {"adults" if adult else "children": n for adult, n in cursor.fetchall()}
        cursor.execute(
            """
            SELECT a.agency_type, count(*) FROM risks_riskfactor r
            JOIN agencies_agency a ON a.id = r.source_agency_id GROUP BY 1 ORDER BY 2 DESC
            """
        )
        agencies = {AgencyType(kind).label: n for kind, n in cursor.fetchall()}
        cursor.execute("SELECT pg_database_size(current_database())")
        size_mb = round(cursor.fetchone()[0] / 1024 / 1024)
    if not risks:
        raise SystemExit("No risk factors: run bench/generate.py (its risk-factor step) first")
    return {
        "people": people,
        "children": children,
        "open_cases": open_cases,
        "relationships": relationships,
        "residences": residences,
        "risk_factors": risks,
        "risk_subjects": subjects,
        "restricted": restricted,
        "reviews": reviews,
        "by_status": statuses,
        "about": about,
        "by_agency_type": agencies,
        "risk_table_size": table_size,
        "size_mb": size_mb,
    }


def choose_children(args, today) -> list[dict]:
    """Children (born) with an open case, an allocated social worker and a home today,
    in an order fixed by the seed."""
    from django.db import connection

    wanted = 2 * args.warmup + args.samples + args.moves  # warm-up reads, and moves
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.child_id, al.social_worker_id
            FROM cases_allocation al
            JOIN cases_case c ON c.id = al.case_id
            JOIN people_person p ON p.id = c.child_id
            WHERE al.to_date IS NULL AND c.closed_on IS NULL AND p.kind = 'child'
              AND EXISTS (
                SELECT 1 FROM people_residence r WHERE r.person_id = c.child_id
                AND r.from_date <= %s AND (r.to_date IS NULL OR r.to_date >= %s))
            ORDER BY md5(c.child_id::text || %s)
            LIMIT %s
            """,
            [today, today, str(args.seed), wanted],
        )
        rows = cursor.fetchall()
    if len(rows) < wanted:
        raise SystemExit(f"Only {len(rows)} children with an open case and a home")
    return [{"child": c, "viewer": v} for c, v in rows]


def plan_moves(children: list[dict], rng: random.Random, today) -> list[dict]:
    """One distinct move per child: the child moved to their current address, or an adult
    living there joined the household (half each, where there is such an adult)."""
    from threadline.people.models import Residence

    homes = {
        r.person_id: r
        for r in Residence.objects.current().filter(person_id__in=[c["child"] for c in children])
    }
    adults: dict = defaultdict(list)
    for r in (
        Residence.objects.current()
        .filter(address_id__in={r.address_id for r in homes.values()}, person__kind="adult")
        .order_by("person_id")
    ):
        adults[r.address_id].append(r.person_id)
    moves = []
    for child in children:
        home = homes[child["child"]]
        others = adults.get(home.address_id, [])
        joined = rng.choice(others) if others and rng.random() < 0.5 else child["child"]
        moves.append(
            {
                **child,
                "kind": "the child moved" if joined == child["child"] else "an adult joined",
                "joined": joined,
                "address": home.address_id,
                "moved_on": today - timedelta(days=rng.randint(0, 14)),
            }
        )
    return moves


# --- What an evaluation writes ---------------------------------------------------------------


def table_counts() -> dict:
    from django_tasks_db.models import DBTaskResult

    from threadline.audit.models import AuditChainHead
    from threadline.chronology.models import ChronologyEntry
    from threadline.notices.models import Delivery, Notice, NoticeRecipient
    from threadline.risks.models import HouseholdCheck

    return {
        "checks": HouseholdCheck.objects.count(),
        "chronology_entries": ChronologyEntry.objects.count(),
        "notices": Notice.objects.count(),
        "recipients": NoticeRecipient.objects.count(),
        "deliveries": Delivery.objects.count(),
        "audit_events": AuditChainHead.objects.get(pk=1).last_seq,
        "task_rows": DBTaskResult.objects.count(),
    }


def function_timers() -> tuple[list, dict]:
    """Patch sites timing, whole, the functions an evaluation runs (inclusive: callers
    include their callees)."""
    from django_tasks_db.backend import DatabaseBackend

    from threadline.audit import services as audit_services
    from threadline.chronology import services as chronology_services
    from threadline.notices import services as notice_services
    from threadline.referrals import selectors as referral_selectors
    from threadline.risks import households, selectors
    from threadline.sharing import policy

    calls: dict = defaultdict(list)

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                calls[name].append((time.perf_counter() - started) * 1000)

        return wrapper

    targets = {
        "risks.households._findings": households._findings,
        "risks.selectors.active_risks_for_child": selectors.active_risks_for_child,
        "risks.selectors.connections_of": selectors.connections_of,
        "risks.households.agencies_knowing": households.agencies_knowing,
        "chronology.services.record_observed_entry": chronology_services.record_observed_entry,
        "risks.households._recipients": households._recipients,
        "referrals.selectors.network_of": referral_selectors.network_of,
        "referrals.selectors.front_door_for": referral_selectors.front_door_for,
        "notices.services.send_notice": notice_services.send_notice,
        "audit.services.record_event": audit_services.record_event,
        "sharing.policy.risks_shared_with": policy.risks_shared_with,
    }
    sites = patch_sites({f: timed(name, f) for name, f in targets.items()})
    enqueue = DatabaseBackend.enqueue
    sites.append(
        (DatabaseBackend, "enqueue", enqueue, timed("tasks: DatabaseBackend.enqueue", enqueue))
    )
    return sites, calls


def by_site(queries, into: dict) -> None:
    seen: Counter = Counter()
    for site, ms, _sql, _params in queries:
        seen[site] += 1
        key = site if seen[site] == 1 else f"{site} (#{seen[site]})"
        into[key].append(ms)


def site_table(collected: dict, top: int = 12) -> list[dict]:
    rows = [
        {"site": site, "ms": round(statistics.median(values), 3), "calls": len(values)}
        for site, values in collected.items()
    ]
    return sorted(rows, key=lambda r: -r["ms"])[:top]


def bucket_of(n: int) -> str:
    for low, high in RISK_BUCKETS:
        if low <= n <= high:
            return str(low) if low == high else (f"{low}–{high}" if high < 10**9 else f"{low}+")
    return "?"


# --- The run --------------------------------------------------------------------------------


def run(args, copy: dict) -> dict:
    from django.db import connection
    from django.utils import timezone

    from threadline.agencies.models import Practitioner
    from threadline.notices.models import NoticeRecipient
    from threadline.people.models import Address, Person
    from threadline.risks import households, selectors

    started_at = time.perf_counter()
    today = timezone.localdate()
    data = data_sizes()
    print(
        f"  {data['people']:,} people, {data['children']:,} children, "
        f"{data['risk_factors']:,} risk factors",
        flush=True,
    )
    rng = random.Random(args.seed)
    chosen = choose_children(args, today)
    warm = chosen[: args.warmup]
    sampled = chosen[args.warmup : args.warmup + args.samples]
    movers = chosen[args.warmup + args.samples :]
    moves = plan_moves(movers, rng, today)
    people = Person.objects.in_bulk({c["child"] for c in chosen} | {m["joined"] for m in moves})
    workers = Practitioner.objects.in_bulk({c["viewer"] for c in chosen})
    addresses = Address.objects.in_bulk({m["address"] for m in moves})
    problems: list[str] = []

    # (1) The active risks touching a child ------------------------------------------------
    cpu_ms = []  # this process's CPU in the last call: Django's side, not PostgreSQL's

    def read(child: dict, variant: str, wrapper=None):
        actor = workers[child["viewer"]] if variant == "actor" else None
        with connection.execute_wrapper(wrapper or QueryCounter()):
            cpu_started = time.process_time()
            started = time.perf_counter()
            touching = selectors.active_risks_for_child(people[child["child"]], actor=actor)
            elapsed = (time.perf_counter() - started) * 1000
            cpu_ms[:] = [(time.process_time() - cpu_started) * 1000]
        return touching, elapsed

    for child in warm:  # imports, the connection, the planner's caches
        for variant in READ_VARIANTS:
            read(child, variant)
    load_before = os.getloadavg()[0]
    times = {v: [] for v in READ_VARIANTS}
    cpu = {v: [] for v in READ_VARIANTS}
    counts = {v: [] for v in READ_VARIANTS}
    loads = [load_before]
    per_child: list[dict] = []
    order = list(sampled)
    rng.shuffle(order)
    deadline = time.monotonic() + args.budget_minutes * 60
    for child in order:
        if per_child and time.monotonic() > deadline:
            break
        mine = {v: [] for v in READ_VARIANTS}
        queries = {v: set() for v in READ_VARIANTS}
        found = {}
        for _ in range(args.repeat):
            variants = list(READ_VARIANTS)
            rng.shuffle(variants)
            for variant in variants:
                counter = QueryCounter()
                touching, ms = read(child, variant, counter)
                times[variant].append(ms)
                cpu[variant].append(cpu_ms[0])
                counts[variant].append(counter.count)
                mine[variant].append(ms)
                queries[variant].add(counter.count)
                found[variant] = touching
        plain, shown = found["plain"], found["actor"]
        if len(shown) + shown.withheld != len(plain):
            problems.append(
                f"{child['child']}: {len(plain)} risks, but {len(shown)} shown + "
                f"{shown.withheld} withheld to the social worker"
            )
        per_child.append(
            {
                "risks": len(plain),
                "shown": len(shown),
                "withheld": shown.withheld,
                "connections": len(plain.connections) - 1,
                "household": sum(1 for c in plain.connections.values() if c.in_household),
                "ms": {v: statistics.median(mine[v]) for v in READ_VARIANTS},
                "queries": {v: sorted(queries[v]) for v in READ_VARIANTS},
            }
        )
        loads.append(os.getloadavg()[0])
    load_mid = os.getloadavg()[0]
    print(f"  read: {len(per_child)} children × {args.repeat}", flush=True)

    by_risks: dict = defaultdict(list)
    for row in per_child:
        by_risks[bucket_of(row["risks"])].append(row)
    scale = []
    for low, _high in RISK_BUCKETS:
        label = bucket_of(low)
        rows = by_risks.get(label, [])
        if not rows:
            continue
        scale.append(
            {
                "risks": label,
                "children": len(rows),
                **{
                    f"{v}_queries": sorted({q for r in rows for q in r["queries"][v]})
                    for v in READ_VARIANTS
                },
                **{
                    f"{v}_p50_ms": round(statistics.median(r["ms"][v] for r in rows), 2)
                    for v in READ_VARIANTS
                },
            }
        )

    # Where a read's time goes, on the --profile children with the most risks.
    read_sites = {v: defaultdict(list) for v in READ_VARIANTS}
    read_split = {v: {"call_ms": [], "sql_ms": []} for v in READ_VARIANTS}
    heaviest = sorted(zip(per_child, order, strict=False), key=lambda pair: -pair[0]["risks"])[
        : args.profile
    ]
    slowest = []
    for _row, child in heaviest:
        for variant in READ_VARIANTS:
            timer = QueryTimer()
            _t, ms = read(child, variant, timer)
            read_split[variant]["call_ms"].append(ms)
            read_split[variant]["sql_ms"].append(sum(q[1] for q in timer.queries))
            by_site(timer.queries, read_sites[variant])
            if variant == "actor" and not slowest:
                slowest = timer.queries
    read_explain = explain(slowest, args.explain) if args.explain and slowest else []

    # (2) Household-change evaluation --------------------------------------------------------
    def evaluate(move: dict, wrapper=None, shift_days: int = 0):
        with connection.execute_wrapper(wrapper or QueryCounter()):
            cpu_started = time.process_time()
            started = time.perf_counter()
            check = households.evaluate_household_change(
                actor=workers[move["viewer"]],
                child=people[move["child"]],
                joined=people[move["joined"]],
                moved_on=move["moved_on"] - timedelta(days=shift_days),
                address=addresses[move["address"]],
            )
            elapsed = (time.perf_counter() - started) * 1000
            cpu_ms[:] = [(time.process_time() - cpu_started) * 1000]
        return check, elapsed

    warm_moves, timed_moves = moves[: args.warmup], moves[args.warmup :]
    for move in warm_moves:
        evaluate(move)
        evaluate(move)
    before = table_counts()
    evaluations = {"evaluate": [], "repeat": []}
    evaluation_cpu = []
    evaluation_queries = {"evaluate": [], "repeat": []}
    savepoints = []
    by_kind: dict = defaultdict(list)
    checks = []
    per_move_rows: dict = defaultdict(list)
    order = list(timed_moves)
    rng.shuffle(order)
    deadline = time.monotonic() + args.budget_minutes * 60
    for i, move in enumerate(order):
        if checks and time.monotonic() > deadline:
            break
        counting = i < args.capture
        if counting:
            counts_before = table_counts()
        counter = QueryCounter()
        check, ms = evaluate(move, counter)
        if check is None:
            problems.append(f"{move['child']}: the move was looked at already")
            continue
        evaluations["evaluate"].append(ms)
        evaluation_cpu.append(cpu_ms[0])
        evaluation_queries["evaluate"].append(counter.count)
        savepoints.append(counter.control)
        by_kind[move["kind"]].append(ms)
        checks.append(check)
        if counting:
            for table, n in table_counts().items():
                per_move_rows[table].append(n - counts_before[table])
        again = QueryCounter()
        repeated, ms = evaluate(move, again)  # the same move: nothing new
        if repeated is not None:
            problems.append(f"{move['child']}: the same move was looked at twice")
        evaluations["repeat"].append(ms)
        evaluation_queries["repeat"].append(again.count)
        loads.append(os.getloadavg()[0])
    after = table_counts()
    load_after = os.getloadavg()[0]
    print(f"  household changes: {len(checks)} moves, each evaluated twice", flush=True)
    recipients = dict(
        Counter(
            NoticeRecipient.objects.filter(
                notice_id__in=[c.notice_id for c in checks if c.notice_id]
            ).values_list("notice_id", flat=True)
        )
    )
    alerts = [recipients.get(c.notice_id, 0) for c in checks if c.notice_id]

    # Where an evaluation's time goes: the first --profile moves again, a day earlier (a
    # move of its own), with each query and the functions timed.
    sites_patch, calls = function_timers()
    evaluate_sites: dict = defaultdict(list)
    functions: dict = defaultdict(list)
    split: dict = defaultdict(list)
    for move in timed_moves[: args.profile]:
        timer = QueryTimer()
        calls.clear()
        with patched(sites_patch), CommitTimer(calls):
            check, ms = evaluate(move, timer, shift_days=1)
        sql_ms = sum(q[1] for q in timer.queries)
        commit_ms = sum(calls.get("COMMIT (driver)", []))
        split["call_ms"].append(ms)
        split["sql_ms"].append(sql_ms)
        split["commit_ms"].append(commit_ms)
        split["python_ms"].append(ms - sql_ms - commit_ms)
        split["queries"].append(len(timer.queries))
        for name, values in calls.items():
            functions[name].append((sum(values), len(values)))
        by_site(timer.queries, evaluate_sites)
    functions_table = sorted(
        (
            {
                "function": name,
                "ms": round(statistics.median(ms for ms, _n in values), 2),
                "calls": statistics.median(n for _ms, n in values),
                "runs": len(values),
            }
            for name, values in functions.items()
        ),
        key=lambda r: -r["ms"],
    )

    def with_target(values: list[float], target: float) -> dict:
        stats = summarise(values)
        stats["target_ms"] = target
        stats["within_target"] = stats["p95_ms"] <= target
        return stats

    read_results = {}
    for v in READ_VARIANTS:
        read_results[v] = with_target(times[v], READ_TARGET_MS)
        read_results[v]["label"] = READ_LABELS[v]
        read_results[v]["django_cpu"] = _cpu(cpu[v])
        read_results[v]["queries"] = sorted(set(counts[v]))
        read_results[v]["queries_median"] = statistics.median(counts[v])
        read_results[v]["split"] = {
            k: round(statistics.median(values), 2) for k, values in read_split[v].items() if values
        }
        read_results[v]["sites"] = site_table(read_sites[v])
    risks_seen = [r["risks"] for r in per_child]
    household = {
        "evaluate": {
            **with_target(evaluations["evaluate"], EVALUATE_TARGET_MS),
            "queries": sorted(set(evaluation_queries["evaluate"])),
            "queries_median": statistics.median(evaluation_queries["evaluate"]),
            "savepoint_statements": statistics.median(savepoints),
            "django_cpu": _cpu(evaluation_cpu),
        },
        "repeat": {
            **summarise(evaluations["repeat"]),
            "queries": sorted(set(evaluation_queries["repeat"])),
        },
        "by_kind": {kind: {**summarise(values)} for kind, values in sorted(by_kind.items())},
        "findings": {
            "moves": len(checks),
            "with_alert": len(alerts),
            "risks_found_median": statistics.median(c.risks_found for c in checks),
            "risks_found_max": max(c.risks_found for c in checks),
            "agencies_found_median": statistics.median(c.agencies_found for c in checks),
            "recipients_median": statistics.median(alerts) if alerts else 0,
            "recipients_max": max(alerts) if alerts else 0,
        },
        "rows_per_evaluation": {
            table: {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}
            for table, v in per_move_rows.items()
        },
        "written_in_timed_pass": {k: after[k] - before[k] for k in after},
        "split": {k: round(statistics.median(v), 2) for k, v in split.items()},
        "functions": functions_table,
        "sites": site_table(evaluate_sites, 14),
        "profiled": len(split["call_ms"]),
    }
    return {
        "benchmark": "risks",
        "database": benchenv.database_name(args.database_url),
        "measured_on": copy["name"],
        "copy": copy,
        "generated": (benchenv.read_description(args.database_url) or {}).get("risk_factors"),
        "data": data,
        "touching": {
            "children": len(per_child),
            "risks_median": statistics.median(risks_seen),
            "risks_p95": round(percentile(risks_seen, 95), 1),
            "risks_max": max(risks_seen),
            "without_risks": sum(1 for n in risks_seen if n == 0),
            "connections_median": statistics.median(r["connections"] for r in per_child),
            "household_median": statistics.median(r["household"] for r in per_child),
            "withheld_children": sum(1 for r in per_child if r["withheld"]),
            "withheld_median": statistics.median(r["withheld"] for r in per_child),
        },
        "samples": len(per_child),
        "repeat": args.repeat,
        "seed": args.seed,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started_at),
        "load_average": f"{load_before:.1f}→{load_mid:.1f}→{load_after:.1f}",
        "load_average_range": [min(loads), max(loads)],
        "machine": benchenv.machine(),
        "server": postgres_settings(),
        "read": read_results,
        "read_by_risks": scale,
        "read_explain": read_explain,
        "household": household,
        "problems": problems[:20],
        "command": " ".join([".venv/bin/python", "bench/risks.py", *sys.argv[1:]]),
    }


def _cpu(values: list[float]) -> dict:
    stats = summarise(values)
    return {"p50_ms": stats["p50_ms"], "p95_ms": stats["p95_ms"]}


def print_report(result: dict) -> None:
    data, touching = result["data"], result["touching"]
    print(
        f"\nRisks on {result['database']} (a copy: {result['measured_on']}): "
        f"{data['people']:,} people, {data['children']:,} children, "
        f"{data['risk_factors']:,} risk factors {data['by_status']} "
        f"(load average {result['load_average']})"
    )
    print(
        f"  {touching['children']} children: risks touching each median "
        f"{touching['risks_median']:g}, p95 {touching['risks_p95']:g}, max "
        f"{touching['risks_max']}; connections median {touching['connections_median']:g}; "
        f"some withheld from the social worker for {touching['withheld_children']}"
    )
    for r in result["read"].values():
        verdict = "met" if r["within_target"] else "MISSED"
        print(
            f"  {r['label']:<56} p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  "
            f"queries {r['queries']}  target p95 ≤ {r['target_ms']:g} ms: {verdict}"
        )
        print(f"      split {r['split']}; Django process CPU {r['django_cpu']}")
        for s in r["sites"][:6]:
            print(f"      {s['ms']:7.2f} ms  {s['site']}")
    for row in result["read_by_risks"]:
        print(
            f"    {row['risks']:>6} risks: {row['children']:4} children, queries "
            f"{row['plain_queries']} / {row['actor_queries']}, p50 {row['plain_p50_ms']} / "
            f"{row['actor_p50_ms']} ms"
        )
    h = result["household"]
    e, r = h["evaluate"], h["repeat"]
    verdict = "met" if e["within_target"] else "MISSED"
    print(
        f"  evaluate_household_change: p50 {e['p50_ms']:6.1f} ms  p95 {e['p95_ms']:6.1f} ms  "
        f"queries {e['queries']}  target p95 ≤ {e['target_ms']:g} ms: {verdict}"
    )
    print(
        f"  the same move again (no-op): p50 {r['p50_ms']:.2f} ms  p95 {r['p95_ms']:.2f} ms  "
        f"queries {r['queries']}"
    )
    print(f"  Django process CPU: {e['django_cpu']}; by kind: {h['by_kind']}")
    print(f"  findings: {h['findings']}")
    print(
        "  rows per evaluation: "
        + ", ".join(f"{t} {v['median']:g}" for t, v in h["rows_per_evaluation"].items())
    )
    print(f"  split: {h['split']}")
    for f in h["functions"]:
        print(f"    {f['ms']:7.2f} ms ({f['calls']:g})  {f['function']}")
    for s in h["sites"][:10]:
        print(f"    {s['ms']:7.2f} ms  {s['site']}")
    for item in result["read_explain"]:
        print(f"\n  EXPLAIN ANALYZE — {item['site']} ({item['ms']} ms)\n{item['plan']}")
    if result["problems"]:
        print("\n  PROBLEMS:", *result["problems"], sep="\n    ")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=f"{benchenv.DEFAULT_SERVER}/threadline_bench",
        help="the bench database to copy (it is not written to)",
    )
    parser.add_argument("--samples", type=int, default=300, help="children read")
    parser.add_argument("--repeat", type=int, default=2, help="reads per child and variant")
    parser.add_argument("--moves", type=int, default=200, help="household changes evaluated")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=10,
        help="stop each timed pass after this long, with what was measured so far",
    )
    parser.add_argument(
        "--profile", type=int, default=10, help="calls whose queries are timed one by one"
    )
    parser.add_argument(
        "--capture", type=int, default=20, help="evaluations whose writes are counted"
    )
    parser.add_argument("--explain", type=int, default=1, help="EXPLAIN the N slowest SELECTs")
    parser.add_argument("--keep-copy", action="store_true")
    parser.add_argument("--json", type=Path, default=benchenv.VAR / "risks.json")
    args = parser.parse_args(argv)
    if urlsplit(args.database_url).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit("The bench runs on PostgreSQL: pass --database-url postgres://…")
    if not benchenv.database_exists(args.database_url):
        raise SystemExit(f"No database {args.database_url}: run bench/generate.py first")

    # As production queues: a task row in the database, written once the evaluation's
    # transaction commits.
    os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    with benchenv.working_copy(args.database_url, mark=COPY_MARK, keep=args.keep_copy) as copy:
        result = run(args, copy)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, default=str))
    print_report(result)
    print(f"\n  written to {args.json}")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
