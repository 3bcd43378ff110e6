"""Measure the child page: GET /people/<id>/ as a practitioner in the child's network.

    .venv/bin/python bench/child_page.py \\
        --database-url postgres://postgres@127.0.0.1:5432/threadline_bench --samples 200

In-process, through Django's test Client (the whole middleware stack, DEBUG off,
persistent database connection), signed in with force_login. Over --samples random
children, two variants on the same data, interleaved child by child in random order:

  (a) as built: the access policy filters every read and the route writes the audit row;
  (b) baseline: the policy's querysets replaced by unfiltered ones (`Model.objects.all()`),
      its object checks by "allowed", and `record_event` by a no-op, at every place the
      name is looked up. Patched inside this process only; src/ is untouched.

Reported: p50/p95 server time (wall time of the in-process request), SQL queries per page
(CaptureQueriesContext, a separate pass so capturing costs nothing in the timed one), the
ratio (a)/(b) and the overhead, and where the difference goes: every query's time by the
line of Threadline code that ran it, and, with --explain, EXPLAIN ANALYZE of the slowest.
"""

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import benchenv

VARIANTS = ("a", "b")
LABELS = {
    "a": "as built (policy + audit)",
    "b": "baseline (no policy, no audit)",
}


# --- The baseline: the policy and the audit write taken out --------------------------


def baseline_replacements() -> dict:
    """Each policy function or audit writer the child page reaches → what a page without
    them would do instead."""
    from threadline.audit import services as audit_services
    from threadline.cases import selectors as case_selectors
    from threadline.cases.models import Case
    from threadline.people.models import Person
    from threadline.sharing import policy

    replacements = {
        policy.people_visible_to: lambda actor: Person.objects.all(),
        policy._checked_people: lambda actor: Person.objects.all(),
        policy.cases_visible_to: lambda actor: Case.objects.all(),
        policy.shared_records: lambda actor, queryset, **kwargs: queryset,
        policy.can_edit_person: lambda actor, person: True,
        # Counting the involvements the viewer may not see exists only for the policy.
        case_selectors.withheld_involvements: lambda *, actor, case: 0,
        audit_services.record_event: lambda **kwargs: None,
    }
    return replacements


def patch_sites(replacements: dict) -> list[tuple]:
    """(module, attribute, original, replacement) for every module-level name in the
    threadline package bound to one of the originals: modules import these functions by
    name (`from threadline.sharing.policy import people_visible_to`), so each importing
    module has its own binding, and the policy module's own functions look theirs up in
    its globals."""
    by_id = {id(original): (original, new) for original, new in replacements.items()}
    sites = []
    for module_name, module in sorted(sys.modules.items()):
        if module is None or not module_name.startswith("threadline"):
            continue
        for attribute, value in list(vars(module).items()):
            hit = by_id.get(id(value))
            if hit is not None and hit[0] is value:
                sites.append((module, attribute, hit[0], hit[1]))
    return sites


@contextmanager
def patched(sites):
    for module, attribute, _original, new in sites:
        setattr(module, attribute, new)
    try:
        yield
    finally:
        for module, attribute, original, _new in sites:
            setattr(module, attribute, original)


# --- Measurement ------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summarise(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "mean_ms": round(statistics.fmean(values), 2),
        "min_ms": round(min(values), 2),
        "max_ms": round(max(values), 2),
    }


def query_site() -> str:
    """The innermost line of Threadline code on the stack: who ran this query."""
    frame = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename.replace("\\", "/")
        if "/threadline/" in path and "/site-packages/" not in path:
            return f"{path.split('/threadline/', 1)[1]}:{frame.f_lineno} {frame.f_code.co_name}"
        frame = frame.f_back
    return "django (middleware, session, auth)"


def is_transaction_control(sql: str) -> bool:
    word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    return word in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


class QueryCounter:
    """An execute wrapper that only counts: cheap enough to leave on in the timed pass."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class QueryTimer:
    """An execute wrapper recording each query's time and the code that ran it."""

    def __init__(self):
        self.queries: list[tuple[str, float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        site = query_site()
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            self.queries.append((site, elapsed, sql, params))


def choose_children(args) -> list[tuple]:
    """(child id, name, viewer id) for --samples random children with an open case."""
    from threadline.cases.models import Allocation, Involvement

    rows = list(
        Allocation.objects.filter(to_date__isnull=True, case__closed_on__isnull=True)
        .order_by("case__reference")
        .values_list(
            "case__child_id",
            "case__child__given_names",
            "case__child__family_name",
            "social_worker_id",
            "case_id",
        )
    )
    if not rows:
        raise SystemExit("No open case with an allocated social worker: generate data first")
    rng = random.Random(args.seed)
    chosen = rng.sample(rows, min(args.samples, len(rows)))
    out = []
    for child_id, given, family, worker_id, case_id in chosen:
        viewer = worker_id
        if args.viewer == "partner":
            partners = list(
                Involvement.objects.current()
                .filter(case_id=case_id, practitioner__isnull=False, confidentiality="normal")
                .exclude(agency__agency_type="childrens_social_care")
                .order_by("id")
                .values_list("practitioner_id", flat=True)
            )
            if not partners:
                continue
            viewer = rng.choice(partners)
        out.append((child_id, f"{given} {family}".strip(), viewer))
    return out


def run(args) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import get_resolver, reverse

    from threadline.agencies.models import Practitioner
    from threadline.audit.models import AuditEvent

    assert get_resolver().url_patterns  # imports every view module: names to patch
    variants = list(VARIANTS)
    sites = {"a": [], "b": patch_sites(baseline_replacements())}
    patched_names = {
        v: sorted({f"{m.__name__}.{a}" for m, a, _o, _n in sites[v]}) for v in variants
    }

    children = choose_children(args)
    viewers = Practitioner.objects.in_bulk({v for _c, _n, v in children})
    clients: dict = {}

    def client_for(viewer_id) -> Client:
        if viewer_id not in clients:
            client = Client()
            client.force_login(viewers[viewer_id])
            clients[viewer_id] = client
        return clients[viewer_id]

    def url_for(child_id) -> str:
        return reverse("person-detail", kwargs={"person_id": child_id})

    def get(child_id, viewer_id, variant, counter=None):
        client = client_for(viewer_id)
        url = url_for(child_id)
        with patched(sites[variant]), connection.execute_wrapper(counter or QueryCounter()):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        return response, elapsed

    audit_before = AuditEvent.objects.count()
    load_before = os.getloadavg()[0]
    rng = random.Random(args.seed + 1)
    problems = []
    started_at = time.perf_counter()

    # Warm up: code paths, templates, the connection, the planner's caches.
    for child_id, _name, viewer in children[: min(10, len(children))]:
        for variant in variants:
            get(child_id, viewer, variant)

    # Timed: child by child, each variant --repeat times, in a random order each round,
    # until every child is done or the time budget is spent.
    timings = {v: [] for v in variants}
    counts = {v: [] for v in variants}
    per_child_ratio = []
    budget_end = time.perf_counter() + args.budget_minutes * 60
    measured = []
    gc.collect()
    for child in children:
        if measured and time.perf_counter() > budget_end:
            break
        child_id, name, viewer = child
        get(child_id, viewer, "b")  # this child's rows into the cache, for every variant
        mine = {v: [] for v in variants}
        for _ in range(args.repeat):
            order = list(variants)
            rng.shuffle(order)
            for variant in order:
                counter = QueryCounter()
                response, elapsed = get(child_id, viewer, variant, counter)
                if response.status_code != 200 or escape(name.split()[-1]) not in response.text:
                    problems.append(f"{variant} {child_id}: HTTP {response.status_code}")
                mine[variant].append(elapsed)
                timings[variant].append(elapsed)
                counts[variant].append(counter.count)
        per_child_ratio.append(statistics.median(mine["a"]) / statistics.median(mine["b"]))
        measured.append(child)
    children = measured

    # The statements Django's CaptureQueriesContext sees: the queries above plus the
    # transaction control (BEGIN, COMMIT, savepoints) Django also logs.
    captured_counts = {v: [] for v in variants}
    for child_id, _name, viewer in children[: min(args.capture, len(children))]:
        for variant in variants:
            counter = QueryCounter()
            with patched(sites[variant]), CaptureQueriesContext(connection) as captured:
                get(child_id, viewer, variant, counter)
            control = sum(1 for q in captured.captured_queries if is_transaction_control(q["sql"]))
            captured_counts[variant].append(len(captured.captured_queries))
            if len(captured.captured_queries) - control != counter.count:
                problems.append(
                    f"{variant} {child_id}: CaptureQueriesContext saw "
                    f"{len(captured.captured_queries)} statements ({control} transaction "
                    f"control), the counter {counter.count} queries"
                )

    # Where the time goes: each query's time by the Threadline line that ran it, and the
    # audit writes timed whole (their queries, the transaction and its commit).
    from threadline.audit import services as audit_services

    audit_calls: list[float] = []
    writing = audit_services.record_event

    def timed_record_event(**kwargs):
        started = time.perf_counter()
        try:
            return writing(**kwargs)
        finally:
            audit_calls.append((time.perf_counter() - started) * 1000)

    audit_sites = patch_sites({writing: timed_record_event})
    by_site = {v: defaultdict(list) for v in variants}
    split = {v: {"request_ms": [], "sql_ms": [], "audit_ms": []} for v in variants}
    profiled = children[: min(args.profile, len(children))]
    for child_id, _name, viewer in profiled:
        for variant in variants:
            timer = QueryTimer()
            audit_calls.clear()
            with patched(audit_sites), connection.execute_wrapper(timer):
                _response, elapsed = get(child_id, viewer, variant)
            split[variant]["request_ms"].append(elapsed)
            split[variant]["sql_ms"].append(sum(q[1] for q in timer.queries))
            split[variant]["audit_ms"].append(sum(audit_calls))
            seen: dict[str, int] = defaultdict(int)
            for site, ms, _sql, _params in timer.queries:
                seen[site] += 1
                key = site if seen[site] == 1 else f"{site} (#{seen[site]})"
                by_site[variant][key].append(ms)
    sites_table = []
    for key in sorted(set().union(*(by_site[v] for v in variants))):
        row = {"site": key}
        for v in variants:
            values = by_site[v].get(key, [])
            row[f"{v}_ms"] = round(statistics.median(values), 3) if values else None
            row[f"{v}_calls"] = len(values)
        sites_table.append(row)
    sites_table.sort(key=lambda r: -((r["a_ms"] or 0) - (r["b_ms"] or 0)))

    # The policy's cost in Python: building and compiling the visible-people filter once
    # (the page does it for the route, the address history and twice for relationships).
    compile_ms = {}
    if children:
        from threadline.sharing import policy

        child_id, _name, viewer_id = children[0]
        for variant in [v for v in variants if v != "b"]:
            runs = []
            with patched(sites[variant]):
                for _ in range(30):
                    started = time.perf_counter()
                    visible = policy.people_visible_to(viewers[viewer_id])
                    visible.filter(pk=child_id).query.sql_with_params()
                    runs.append((time.perf_counter() - started) * 1000)
            compile_ms[variant] = round(statistics.median(runs), 2)

    explained = []
    if args.explain and children:
        explained = explain_slowest(children[0], args.explain, client_for, url_for)

    summary = {v: {**summarise(timings[v]), "label": LABELS[v]} for v in variants}
    for v in variants:
        summary[v]["queries"] = {
            "median": statistics.median(counts[v]),
            "min": min(counts[v]),
            "max": max(counts[v]),
        }
        if captured_counts[v]:
            summary[v]["statements_captured"] = {
                "median": statistics.median(captured_counts[v]),
                "min": min(captured_counts[v]),
                "max": max(captured_counts[v]),
            }
    ratio_p50 = summary["a"]["p50_ms"] / summary["b"]["p50_ms"]
    ratio_p95 = summary["a"]["p95_ms"] / summary["b"]["p95_ms"]
    result = {
        "page": "child page: GET /people/<id>/",
        "database": connection.settings_dict["NAME"],
        "data": benchenv.read_description(args.database_url) or {},
        "viewer": args.viewer,
        "samples": len(children),
        "samples_wanted": args.samples,
        "budget_minutes": args.budget_minutes,
        "repeat": args.repeat,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started_at),
        # Other work on the machine skews both variants; interleaving keeps the ratio fair.
        "load_average": f"{load_before:.1f}→{os.getloadavg()[0]:.1f}",
        "variants": summary,
        "ratio_p50": round(ratio_p50, 3),
        "ratio_p95": round(ratio_p95, 3),
        "overhead_pct_p50": round((ratio_p50 - 1) * 100, 1),
        "overhead_pct_p95": round((ratio_p95 - 1) * 100, 1),
        "paired_ratio_median": round(statistics.median(per_child_ratio), 3),
        "query_counts": {v: sorted(set(counts[v])) for v in variants},
        "patched": patched_names,
        "sites": sites_table,
        "sites_profiled_children": len(profiled),
        "time_split": {
            v: {
                "request_ms": round(statistics.median(split[v]["request_ms"]), 2),
                "sql_ms": round(statistics.median(split[v]["sql_ms"]), 2),
                "audit_write_ms": round(statistics.median(split[v]["audit_ms"]), 2),
                "python_ms": round(
                    statistics.median(
                        r - q
                        for r, q in zip(split[v]["request_ms"], split[v]["sql_ms"], strict=True)
                    ),
                    2,
                ),
            }
            for v in variants
            if split[v]["request_ms"]
        },
        "explain": explained,
        "visible_people_filter_build_ms": compile_ms,
        "audit_rows_written": AuditEvent.objects.count() - audit_before,
        "problems": problems[:20],
        "postgres": server_settings(),
        "command": " ".join([".venv/bin/python", "bench/child_page.py", *sys.argv[1:]]),
    }
    return result


def explain_slowest(child, how_many: int, client_for, url_for) -> list[dict]:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest SELECTs of one (a) request, with the
    literal SQL that ran."""
    from django.db import connection

    child_id, _name, viewer = child
    timer = QueryTimer()
    with connection.execute_wrapper(timer):
        client_for(viewer).get(url_for(child_id))
    out = []
    for site, ms, sql, params in sorted(timer.queries, key=lambda q: -q[1]):
        if not sql.lstrip().upper().startswith("SELECT") or "FOR UPDATE" in sql.upper():
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            raw = cursor.cursor  # psycopg's ClientCursor: the SQL as the server saw it
            literal = raw.mogrify(sql, params) if hasattr(raw, "mogrify") else sql
        out.append({"site": site, "ms": round(ms, 2), "sql": literal, "plan": plan})
        if len(out) == how_many:
            break
    return out


def server_settings() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        settings = {"version": version}
        for name in (
            "shared_buffers",
            "work_mem",
            "effective_cache_size",
            "random_page_cost",
            "jit",
        ):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    return settings


def print_report(result: dict) -> None:
    data = result["data"]
    variants = list(result["variants"])
    print(
        f"\nChild page on {result['database']}: {data.get('people', 0):,} people, "
        f"{data.get('children', 0):,} children; viewer: {result['viewer']}; "
        f"{result['samples']} of {result['samples_wanted']} children × {result['repeat']}"
        f" per variant ({result['seconds']} s)"
    )
    for v in variants:
        s = result["variants"][v]
        q = s["queries"]
        print(
            f"  ({v}) {s['label']:<34} p50 {s['p50_ms']:8.1f} ms   p95 {s['p95_ms']:8.1f} ms"
            f"   queries {q['median']:g} (min {q['min']}, max {q['max']})"
            + (
                f"; statements captured {s['statements_captured']['median']:g}"
                if "statements_captured" in s
                else ""
            )
        )
    print(
        f"  ratio (a)/(b): p50 {result['ratio_p50']:.3f} ({result['overhead_pct_p50']:+.1f}%), "
        f"p95 {result['ratio_p95']:.3f} ({result['overhead_pct_p95']:+.1f}%); "
        f"per-child median {result['paired_ratio_median']:.3f}"
    )
    print(f"  patched for (b): {', '.join(result['patched']['b'])}")
    print(
        f"\n  Where the time goes: median ms per query by the line that ran it "
        f"({result['sites_profiled_children']} children), {' / '.join(variants)}"
    )
    for v, t in result["time_split"].items():
        print(
            f"    ({v}) request {t['request_ms']:.1f} ms = SQL {t['sql_ms']:.1f} ms"
            f" + Python {t['python_ms']:.1f} ms (ORM, templates, middleware);"
            f" audit write {t['audit_write_ms']:.1f} ms"
        )
    if result["visible_people_filter_build_ms"]:
        print(
            "    building + compiling people_visible_to once (no SQL run): "
            + ", ".join(
                f"({v}) {ms} ms" for v, ms in result["visible_people_filter_build_ms"].items()
            )
        )
    for row in result["sites"][:14]:
        cells = " ".join(
            f"{row[f'{v}_ms'] if row[f'{v}_ms'] is not None else '-':>9}" for v in variants
        )
        print(f"    {cells}  {row['site']}")
    for item in result["explain"]:
        print(f"\n  EXPLAIN ANALYZE — {item['site']} ({item['ms']} ms)\n{item['plan']}")
    if result["problems"]:
        print("\n  PROBLEMS:", *result["problems"], sep="\n    ")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=f"{benchenv.DEFAULT_SERVER}/threadline_bench")
    parser.add_argument("--samples", type=int, default=200, help="random children")
    parser.add_argument(
        "--repeat", type=int, default=2, help="timed requests per child and variant"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--viewer",
        choices=["allocated", "partner"],
        default="allocated",
        help="the allocated social worker, or a partner agency's practitioner "
        "in the child's current network",
    )
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=15,
        help="stop the timed pass after this long, with the children measured so far",
    )
    parser.add_argument(
        "--profile", type=int, default=10, help="children whose queries are timed one by one"
    )
    parser.add_argument(
        "--capture", type=int, default=10, help="children counted with CaptureQueriesContext"
    )
    parser.add_argument(
        "--explain",
        type=int,
        default=0,
        help="EXPLAIN ANALYZE the N slowest queries of one (a) request",
    )
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    benchenv.configure(args.database_url)
    result = run(args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, default=str))
    print_report(result)
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
