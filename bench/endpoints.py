"""Five requests at two data sizes: server time and SQL queries, and how they scale.

    .venv/bin/python bench/endpoints.py \\
        --database-url postgres://postgres@127.0.0.1:5432/threadline_bench_small \\
        --json var/bench/endpoints-small.json
    .venv/bin/python bench/endpoints.py \\
        --database-url postgres://postgres@127.0.0.1:5432/threadline_bench \\
        --json var/bench/endpoints-full.json
    .venv/bin/python bench/endpoints.py --report var/bench/endpoints-small.json \\
        var/bench/endpoints-full.json --docs docs/benchmarks.md

Issue "Prove it" asks `make bench` for p50/p95 server time and query counts of the child
page, the chronology API page, active risks, the dashboard and the referral submission at
a small and a full size, with the ratios, and that query counts do not grow with the
data. The other bench scripts go deep into one request each; this one puts the five side
by side on the same children.

The referral writes and the bench databases hold no chronology, so the script works on a
copy (`benchenv.working_copy`) and first writes --entries-per-child entries for every child
with a case (about 1,000,000 at the full size), the way bench/chronology_page.py does.
Then, for --samples children with an open case (chosen by the seed), as the allocated
social worker (the referral: as a partner agency's practitioner involved with the child,
through the web form): each request once per child, the five in a shuffled order, after
an untimed look at the child's page (what is worked out once per practitioner a day is
then in place). Times are the test client's, in process: Django and PostgreSQL, no
network.
"""

import argparse
import json
import os
import random
import sys
import time
from argparse import Namespace
from datetime import UTC, datetime
from pathlib import Path

import benchenv
from child_page import QueryCounter, summarise

REQUESTS = {
    "child_page": "Child page (`GET /people/<id>/`)",
    "chronology_api": "Chronology API page (`GET /api/v1/chronology-entries/?child=<id>`)",
    "active_risks": "Active risks (`GET /api/v1/people/<id>/active-risks/`)",
    "dashboard": "Dashboard (`GET /`)",
    "referral": "Referral submission (`POST /people/<id>/referrals/new/`, the form)",
}
START, END = "<!-- bench:endpoints:start -->", "<!-- bench:endpoints:end -->"
HEADING = "## Five requests at two sizes"


def choose(args) -> list[dict]:
    """Children with an open case: their allocated social worker and, where there is one,
    a partner agency's practitioner involved with them (the referrer)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.child_id, al.social_worker_id, p.given_names || ' ' || p.family_name,
                   (SELECT i.practitioner_id FROM cases_involvement i
                      JOIN agencies_agency a ON a.id = i.agency_id
                     WHERE i.case_id = c.id AND i.practitioner_id IS NOT NULL
                       AND i.to_date IS NULL AND i.confidentiality = 'normal'
                       AND a.agency_type <> 'childrens_social_care'
                     ORDER BY i.id LIMIT 1)
            FROM cases_allocation al
            JOIN cases_case c ON c.id = al.case_id
            JOIN people_person p ON p.id = c.child_id
            WHERE al.to_date IS NULL AND c.closed_on IS NULL
            ORDER BY md5(c.child_id::text || %s)
            LIMIT %s
            """,
            [str(args.seed), args.samples * 2],
        )
        rows = [r for r in cursor.fetchall() if r[3] is not None][: args.samples]
    if len(rows) < args.samples:
        raise SystemExit("Not enough open cases with a partner practitioner involved")
    return [
        {"child_id": str(c), "viewer": str(v), "name": n, "referrer_id": str(r)}
        for c, v, n, r in rows
    ]


def data_sizes() -> dict:
    from django.db import connection

    tables = {
        "people": "people_person",
        "cases": "cases_case",
        "chronology_entries": "chronology_chronologyentry",
        "risk_factors": "risks_riskfactor",
        "referrals": "referrals_referral",
        "audit_events": "audit_auditevent",
    }
    with connection.cursor() as cursor:
        sizes = {}
        for key, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            sizes[key] = cursor.fetchone()[0]
        cursor.execute("SELECT count(DISTINCT child_id) FROM cases_case")
        sizes["children"] = cursor.fetchone()[0]
    return sizes


class Requests:
    """One session per practitioner, as their browser has; each call is one request."""

    def __init__(self, prepared_referrers: dict):
        from django.test import Client
        from referral_submit import Submitter

        self.Client = Client
        self.clients: dict = {}
        self.submitter = Submitter(
            {"referrers": prepared_referrers, "tokens": {}}, random.Random(1)
        )

    def client(self, practitioner_id: str):
        from threadline.agencies.models import Practitioner

        if practitioner_id not in self.clients:
            client = self.Client()
            client.force_login(Practitioner.objects.get(pk=practitioner_id))
            self.clients[practitioner_id] = client
        return self.clients[practitioner_id]

    def urls(self, child: dict) -> dict:
        child_id = child["child_id"]
        return {
            "child_page": f"/people/{child_id}/",
            "chronology_api": f"/api/v1/chronology-entries/?child={child_id}",
            "active_risks": f"/api/v1/people/{child_id}/active-risks/",
            "dashboard": "/",
        }

    def timed(self, name: str, child: dict) -> tuple[float, int]:
        from django.db import connection

        if name == "referral":
            counter = QueryCounter()
            _response, ms, _id, problem = self.submitter.submit("form", child, counter)
            if problem:
                raise SystemExit(problem)
            return ms, counter.count
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            response = self.client(child["viewer"]).get(self.urls(child)[name])
            ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{name} for {child['child_id']}: HTTP {response.status_code}")
        return ms, counter.count


def run(args, copy: dict) -> dict:
    from chronology_page import generate

    from threadline.agencies.models import Practitioner

    children = choose(args)
    counts = data_sizes()
    entries = args.entries_per_child * counts["children"]
    print(f"Generating {entries:,} chronology entries …", flush=True)
    generated = generate(
        Namespace(
            entries=entries, sample_entries=args.entries_per_child, export_entries=0, seed=args.seed
        ),
        [c["child_id"] for c in children],
        "",  # no export child: every measured child gets --entries-per-child
    )
    print(f"  {generated['entries']:,} in {generated['seconds']} s", flush=True)
    referrers = Practitioner.objects.select_related("agency").in_bulk(
        {c["referrer_id"] for c in children}
    )
    requests = Requests({str(k): v for k, v in referrers.items()})
    rng = random.Random(args.seed)
    for child in children[:5]:  # warm-up: imports, templates, plans
        for name in REQUESTS:
            requests.timed(name, child)
    for child in children:
        requests.client(child["viewer"]).get(f"/people/{child['child_id']}/")

    load_before = os.getloadavg()[0]
    times: dict = {name: [] for name in REQUESTS}
    queries: dict = {name: [] for name in REQUESTS}
    deadline = time.monotonic() + args.budget_minutes * 60
    for child in children:
        if time.monotonic() > deadline:
            break
        order = list(REQUESTS)
        rng.shuffle(order)
        for name in order:
            ms, count = requests.timed(name, child)
            times[name].append(ms)
            queries[name].append(count)
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": copy["name"],
        "data": data_sizes(),
        "children_measured": len(times["dashboard"]),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "requests": {
            name: {**summarise(times[name]), "queries": [min(queries[name]), max(queries[name])]}
            for name in REQUESTS
        },
        "machine": benchenv.machine(),
        "command": " ".join(["python", *sys.argv]),
    }


def render(small: dict, full: dict) -> str:
    machine = full["machine"]

    def size(result: dict) -> str:
        d = result["data"]
        return (
            f"{d['people']:,} people, {d['children']:,} children, "
            f"{d['chronology_entries']:,} chronology entries, {d['risk_factors']:,} risk factors"
        )

    lines = [
        START,
        "",
        f"Measured {full['measured_at'][:10]} by `make bench` on {machine['nproc']} CPUs "
        f"({machine['cpu']}), {machine['memory_gib']} GiB memory, Python {machine['python']}. "
        f"Small: {size(small)}. Full: {size(full)}. "
        f"{full['children_measured']} children at full size, {small['children_measured']} at "
        f"small; load average {small['load_average'][0]} and {full['load_average'][0]} at the "
        "start. Server time in the test client (Django and PostgreSQL, no network).",
        "",
        "| Request | Small p50 / p95 (ms) | Full p50 / p95 (ms) | Ratio p50 (p95) | "
        "Queries small | Queries full |",
        "|---|---|---|---|---|---|",
    ]
    grew = []
    for name, label in REQUESTS.items():
        s, f = small["requests"][name], full["requests"][name]
        qs, qf = s["queries"], f["queries"]
        if qf[1] > qs[1]:
            grew.append(label)
        lines.append(
            f"| {label} | {s['p50_ms']:.1f} / {s['p95_ms']:.1f} | {f['p50_ms']:.1f} / "
            f"{f['p95_ms']:.1f} | {f['p50_ms'] / s['p50_ms']:.2f}× "
            f"({f['p95_ms'] / s['p95_ms']:.2f}×) | {_span(qs)} | {_span(qf)} |"
        )
    lines += [
        "",
        "Query counts grow with the data for: " + ", ".join(grew) + "."
        if grew
        else "No request's query count grows with the data (the range over children is the "
        "same at both sizes or smaller at full size).",
        "",
        "Commands (as run):",
        "",
        "```sh",
        small["command"],
        full["command"],
        "```",
        "",
        END,
    ]
    return "\n".join(lines)


def _span(pair: list[int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}–{pair[1]}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="the bench database to copy and measure")
    parser.add_argument("--samples", type=int, default=100, help="children measured")
    parser.add_argument("--entries-per-child", type=int, default=20)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--budget-minutes", type=float, default=10)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--report", nargs=2, type=Path, metavar=("SMALL", "FULL"))
    parser.add_argument("--docs", type=Path, default=benchenv.ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    if args.report:
        from report import replace_between

        small, full = (json.loads(p.read_text()) for p in args.report)
        text = args.docs.read_text()
        args.docs.write_text(replace_between(text, START, END, render(small, full), HEADING))
        print(f"Wrote the five requests' figures to {args.docs}")
        return 0
    if not args.database_url:
        parser.error("give --database-url (to measure) or --report SMALL FULL")
    with benchenv.working_copy(args.database_url, mark="_endpoints_") as copy:
        result = run(args, copy)
    for name, label in REQUESTS.items():
        r = result["requests"][name]
        print(f"{label}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, queries {r['queries']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
