"""Write the measured figures into docs/benchmarks.md.

    .venv/bin/python bench/report.py var/bench/child-page-small.json \\
        var/bench/child-page-full.json \\
        --referral-submit var/bench/referral-submit.json \\
        --chronology var/bench/chronology.json --risks var/bench/risks.json \
        --clock var/bench/clock.json --out docs/benchmarks.md

Replaces what lies between the `<!-- bench:child-page -->` markers with the child-page
figures and between the `<!-- bench:referral-submit -->` markers with the referral
figures and between the `<!-- bench:chronology -->` markers with the chronology figures
and between the `<!-- bench:risks -->` markers with the risk-register figures and
between the `<!-- bench:clock -->` markers with the statutory clock's figures (adding
the markers at the end the first time, the latter four under "Referral submission",
"Chronology", "Risks" and "Statutory clock" headings), and leaves the rest of the page,
written by people, alone. Any set of figures may be given alone.
"""

import argparse
import json
import sys
from pathlib import Path

import benchenv

START, END = "<!-- bench:child-page:start -->", "<!-- bench:child-page:end -->"
TARGET = 1.10  # issue 3: policy + audit add at most 10% to the child page at 200,000 people
REFERRAL_START = "<!-- bench:referral-submit:start -->"
REFERRAL_END = "<!-- bench:referral-submit:end -->"
REFERRAL_HEADING = "## Referral submission"
CHRONOLOGY_START = "<!-- bench:chronology:start -->"
CHRONOLOGY_END = "<!-- bench:chronology:end -->"
CHRONOLOGY_HEADING = "## Chronology"
RISKS_START = "<!-- bench:risks:start -->"
RISKS_END = "<!-- bench:risks:end -->"
RISKS_HEADING = "## Risks"
CLOCK_START = "<!-- bench:clock:start -->"
CLOCK_END = "<!-- bench:clock:end -->"
CLOCK_HEADING = "## Statutory clock"


def fmt_ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def size_label(result: dict) -> str:
    data = result["data"]
    return f"{data.get('people', 0):,} people / {data.get('children', 0):,} children"


def render(results: list[dict]) -> str:
    machine = benchenv.machine()
    first, last = results[0], results[-1]
    pg = last["postgres"]
    lines = [
        START,
        "",
        f"Measured {last['measured_at'][:10]} by `make bench` on {machine['nproc']} CPUs "
        f"({machine['cpu']}), {machine['memory_gib']} GiB memory, Linux {machine['kernel']}, "
        f"Python {machine['python']}, {pg['version']} (shared_buffers {pg['shared_buffers']}, "
        f"work_mem {pg['work_mem']}, effective_cache_size {pg['effective_cache_size']}, "
        f"jit {pg['jit']}). Load average while measuring: "
        + "; ".join(
            f"{size_label(r).split(' /')[0]}: {r.get('load_average', '?')}" for r in results
        )
        + ". Times are server time in-process (Django test client, DEBUG off, persistent "
        "connection), signed in as the child's allocated social worker.",
        "",
        "### Data",
        "",
        "| database | people | children (open cases) | practitioners | involvements "
        "| relationships | residences | names | audit rows | size | generated in |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        d, rows = r["data"], r["data"].get("rows", {})
        timing = d.get("timings_s", {})
        lines.append(
            f"| `{r['database']}` | {d.get('people', 0):,} | {d.get('children', 0):,} "
            f"| {rows.get('Practitioner', 0):,} | {rows.get('Involvement', 0):,} "
            f"| {rows.get('Relationship', 0):,} | {rows.get('Residence', 0):,} "
            f"| {rows.get('PersonName', 0):,} | {rows.get('AuditEvent', 0):,} "
            f"| {d.get('size_mb', '?')} MB | {timing.get('total', '?')} s "
            f"(+ {timing.get('audit verify', '?')} s `audit verify`) |"
        )
    lines += [
        "",
        "### Child page (`GET /people/<id>/`)",
        "",
        "| data | variant | children × repeats | p50 ms | p95 ms | SQL queries |",
        "|---|---|--:|--:|--:|--:|",
    ]
    for r in results:
        for v, s in r["variants"].items():
            q = s["queries"]
            queries = f"{q['median']:g}" if q["min"] == q["max"] else f"{q['min']}–{q['max']}"
            lines.append(
                f"| {size_label(r)} | ({v}) {s['label']} | {r['samples']} × {r['repeat']} "
                f"| {fmt_ms(s['p50_ms'])} | {fmt_ms(s['p95_ms'])} | {queries} |"
            )
    lines += [
        "",
        "| data | (a)/(b) p50 | (a)/(b) p95 | overhead of policy + audit (p50) "
        f"| target ≤ {TARGET:.2f} |",
        "|---|--:|--:|--:|---|",
    ]
    for r in results:
        met = "met" if r["ratio_p50"] <= TARGET and r["ratio_p95"] <= TARGET else "**missed**"
        lines.append(
            f"| {size_label(r)} | {r['ratio_p50']:.2f} | {r['ratio_p95']:.2f} "
            f"| {r['overhead_pct_p50']:+,.0f}% | {met} |"
        )
    grow = []
    for v in first["variants"]:
        small = set(first["query_counts"][v])
        full = set(last["query_counts"][v])
        grow.append(
            f"({v}) {'/'.join(map(str, sorted(small)))} → {'/'.join(map(str, sorted(full)))}"
        )
    same = all(
        max(last["query_counts"][v]) <= max(first["query_counts"][v]) for v in first["variants"]
    )
    lines += [
        "",
        "Queries per page, small → full: "
        + ", ".join(grow)
        + (
            ": they do not grow with the data."
            if same
            else ": **they grow with the data** (an N+1 somewhere)."
        ),
    ]
    lines += [
        "",
        f"Where the time goes at {size_label(last)} (median ms per query over "
        f"{last['sites_profiled_children']} children, by the Threadline line that ran it; "
        "`–`: not run):",
        "",
        "| query run by | " + " | ".join(f"({v})" for v in last["variants"]) + " |",
        "|---|" + "--:|" * len(last["variants"]),
    ]
    for row in last["sites"][:10]:
        cells = " | ".join(
            "–" if row.get(f"{v}_ms") is None else f"{row[f'{v}_ms']:,.1f}"
            for v in last["variants"]
        )
        lines.append(f"| `{row['site']}` | {cells} |")
    split = last.get("time_split", {})
    if split:
        lines += [
            "",
            "Request time split (median over the same children): "
            + "; ".join(
                f"({v}) {t['request_ms']:,.0f} ms = SQL {t['sql_ms']:,.0f} + Python "
                f"{t['python_ms']:,.0f}"
                for v, t in split.items()
            )
            + ".",
        ]
    if last.get("explain"):
        top = last["explain"][0]
        plan = "\n".join(top["plan"].splitlines()[:60])
        lines += [
            "",
            f"<details><summary>EXPLAIN (ANALYZE, BUFFERS) of the slowest query at full size: "
            f"<code>{top['site']}</code>, {top['ms']:,.0f} ms (first 60 lines)</summary>",
            "",
            "```",
            plan,
            "```",
            "</details>",
        ]
    lines += ["", "Commands (as run):", "", "```sh"]
    for r in results:
        if r["data"].get("command"):
            lines.append(r["data"]["command"])
    for r in results:
        lines.append(r["command"])
    lines += ["```", "", END]
    return "\n".join(lines)


def render_referral(result: dict) -> str:
    """The referral-submission figures (bench/referral_submit.py's JSON)."""
    machine = benchenv.machine()
    pg = result["postgres"]
    variants = result["variants"]
    data = f"{size_label(result)}, {result['agencies']} agencies in each child's network"
    lines = [
        REFERRAL_START,
        "",
        f"Measured {result['measured_at'][:10]} by `make bench` on {machine['nproc']} CPUs "
        f"({machine['cpu']}), {machine['memory_gib']} GiB memory, Python "
        f"{machine['python']}, {pg['version']} (shared_buffers {pg['shared_buffers']}, "
        f"synchronous_commit {pg.get('synchronous_commit', '?')}, fsync "
        f"{pg.get('fsync', '?')}), on a copy of `{result['database']}` made in "
        f"{result['copy_seconds']} s. Load average while measuring: "
        f"{result['load_average']}"
        + (
            " (between {:.1f} and {:.1f} during the timed pass)".format(
                *result["load_average_range"]
            )
            if result.get("load_average_range")
            else ""
        )
        + f". Tasks backend: `{result['tasks_backend']}`. Referrers: "
        + ", ".join(f"{kind} {n}" for kind, n in result["network"]["referrers"].items())
        + ".",
        "",
        f"| data | variant | children × submits | p50 ms | p95 ms "
        "| Django process CPU p50 / p95 ms | SQL queries "
        f"| target p95 ≤ {result['target_p95_ms']:g} ms |",
        "|---|---|--:|--:|--:|--:|--:|---|",
    ]
    for v, s in variants.items():
        q = s["queries"]
        queries = f"{q['median']:g}" if q["min"] == q["max"] else f"{q['min']}–{q['max']}"
        if "savepoint_statements" in s:
            queries += f" (+ {s['savepoint_statements']:g} savepoint)"
        verdict = "met" if s["verdict"] == "met" else "**missed**"
        cpu = s.get("django_cpu")
        cpu_cell = f"{fmt_ms(cpu['p50_ms'])} / {fmt_ms(cpu['p95_ms'])}" if cpu else "–"
        lines.append(
            f"| {data} | ({v}) {s['label']} | {s['n']} × 1 | {fmt_ms(s['p50_ms'])} "
            f"| {fmt_ms(s['p95_ms'])} | {cpu_cell} | {queries} | {verdict} |"
        )
    some = next(iter(variants.values()))
    checked = some["rows_per_submit"].get("referrals", {})
    lines += [
        "",
        "Written per submit (median over the submits counted one by one"
        + (f", {checked.get('n')} per variant" if checked.get("n") else "")
        + "):",
        "",
        "| variant | referral | notices | recipients | email outbox rows | audit rows "
        "| task rows (on commit) | other |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for v, s in variants.items():
        rows = {k: r["median"] for k, r in s["rows_per_submit"].items()}
        other = ", ".join(
            f"{k.replace('_', ' ')} {n:g}"
            for k, n in rows.items()
            if n
            and k
            not in {"referrals", "notices", "recipients", "deliveries", "audit_events", "task_rows"}
        )
        lines.append(
            f"| ({v}) | {rows.get('referrals', 0):g} | {rows.get('notices', 0):g} "
            f"| {rows.get('recipients', 0):g} | {rows.get('deliveries', 0):g} "
            f"| {rows.get('audit_events', 0):g} | {rows.get('task_rows', 0):g} | {other or '–'} |"
        )
    notices = "; ".join(
        f"{n['notice']}: {n['notices']:g} notice(s) to {n['recipients']:g} recipient(s)"
        + (f" (up to {n['recipients_max']})" if n["recipients_max"] != n["recipients"] else "")
        for n in some["notices_per_submit"]
    )
    tasks = ", ".join(f"`{name}` × {n:g}" for name, n in some["tasks_per_submit"].items())
    lines += ["", f"Notices per submit: {notices}. Tasks queued once it commits: {tasks}."]

    lines += [
        "",
        "Queries as the network grows (an N+1 would grow with it; a third notice, to "
        "agencies involved only with the family, adds a fixed handful):",
        "",
        "| agencies in the network | "
        + " | ".join(f"({v}) queries" for v in variants)
        + " | notices | recipients |",
        "|--:|" + "--:|" * len(variants) + "--:|--:|",
    ]
    by_size: dict = {}
    for row in result["scaling"]:
        by_size.setdefault(row["agencies"], {})[row["variant"]] = row
    for size, rows in sorted(by_size.items()):
        first = next(iter(rows.values()))
        cells = " | ".join(
            "/".join(map(str, rows[v]["queries"])) if v in rows else "–" for v in variants
        )
        lines.append(
            f"| {size} | {cells} | {'/'.join(map(str, first['notices']))} "
            f"| {'/'.join(map(str, first['recipients']))} |"
        )

    lines += [
        "",
        f"Where the time goes (median ms per submit over {result['profiled_children']} "
        "children, each function timed whole, so callers include their callees; calls in "
        "brackets; `–`: not run):",
        "",
        "| function | " + " | ".join(f"({v})" for v in variants) + " |",
        "|---|" + "--:|" * len(variants),
    ]
    for row in result["functions"]:
        cells = " | ".join(
            "–" if row[f"{v}_ms"] is None else f"{row[f'{v}_ms']:,.1f} ({row[f'{v}_calls']:g})"
            for v in variants
        )
        lines.append(f"| `{row['function']}` | {cells} |")
    splits = []
    for v, s in variants.items():
        t = s.get("time_split") or {}
        if not t:
            continue
        own = sum(w["per_submit"] for w in s.get("autocommit_writes") or [])
        splits.append(
            f"({v}) {t['request_ms']:,.0f} ms = SQL {t['sql_ms']:,.0f} + COMMIT "
            f"{t['commit_ms']:,.1f} + Python {t['python_ms']:,.0f}; "
            f"{t['commits']:g} transactions committed, plus {own:g} writes committed "
            "on their own ("
            + ", ".join(f"{w['per_submit']:g} × {w['write']}" for w in s["autocommit_writes"])
            + ")"
        )
    if splits:
        lines += ["", "Request time split: " + "; ".join(splits) + "."]
    collections = [
        f"({v}) {s['gc']['full_collections']} in {s['n']} submits, median "
        f"{s['gc']['full_collection_ms_median']:,.0f} ms each"
        for v, s in variants.items()
        if s.get("gc", {}).get("full_collections")
    ]
    if collections:
        heap = result.get("python_heap_objects") or [0, 0]
        lines += [
            "",
            "Full (generation 2) garbage collections inside timed submits: "
            + "; ".join(collections)
            + f" (objects tracked by the collector: {heap[0]:,} → {heap[1]:,} over the "
            "timed pass).",
        ]
    lines += [
        "",
        "Slowest queries, by the Threadline line that ran them (median ms):",
        "",
        "| query run by | " + " | ".join(f"({v})" for v in variants) + " |",
        "|---|" + "--:|" * len(variants),
    ]
    for row in result["sites"][:10]:
        cells = " | ".join(
            "–" if row.get(f"{v}_ms") is None else f"{row[f'{v}_ms']:,.1f}" for v in variants
        )
        lines.append(f"| `{row['site']}` | {cells} |")
    if result.get("explain"):
        top = result["explain"][0]
        plan = "\n".join(top["plan"].splitlines()[:40])
        timing = dict(
            line.split(": ", 1)
            for line in top["plan"].splitlines()
            if line.startswith(("Planning Time", "Execution Time"))
        )
        lines += [
            "",
            f"<details><summary>EXPLAIN (ANALYZE, BUFFERS) of the slowest query: "
            f"<code>{top['site']}</code>, {top['ms']:,.1f} ms as run; planning "
            f"{timing.get('Planning Time', '?')}, execution {timing.get('Execution Time', '?')} "
            "(first 40 lines)</summary>",
            "",
            "```",
            plan,
            "```",
            "</details>",
        ]
    notes = []
    if result.get("migrations_applied_to_copy"):
        notes.append(
            "migrations applied to the copy: "
            + ", ".join(f"`{m}`" for m in result["migrations_applied_to_copy"])
        )
    if result.get("rebuilt_in_copy"):
        notes.append(
            "rebuilt in the copy (empty tables that no longer matched their models): "
            + "; ".join(f"`{r}`" for r in result["rebuilt_in_copy"])
        )
    if result.get("problems"):
        notes.append("problems: " + "; ".join(result["problems"]))
    if notes:
        lines += ["", "Notes: " + "; ".join(notes) + "."]
    lines += ["", "Command (as run):", "", "```sh", result["command"], "```", "", REFERRAL_END]
    return "\n".join(lines)


def render_chronology(result: dict) -> str:
    """The chronology figures (bench/chronology_page.py's JSON)."""
    machine = result.get("machine") or benchenv.machine()
    pg = result["server"]
    data = result["data"]
    readable = result["readable_by_social_worker"]
    labels = {
        "page": "`GET /people/<id>/chronology/` (signed in)",
        "api": "`GET /api/v1/chronology-entries/?child=<id>` (token)",
    }
    lines = [
        CHRONOLOGY_START,
        "",
        f"Measured {result['measured_at'][:10]} by `make bench` on {machine['nproc']} CPUs "
        f"({machine['cpu']}), {machine['memory_gib']} GiB memory, Python "
        f"{machine['python']}, {pg['version']} (shared_buffers {pg['shared_buffers']}), on a "
        f"copy of `{result['database']}` made in {result['copy']['seconds']} s. Load average "
        f"while measuring: {result['load_average']}.",
        "",
        f"Data: {data['entries']:,} entries across {data['children_with_entries']:,} children "
        f"({data['people']:,} people, {data['cases']:,} cases), generated in "
        f"{data['seconds']} s: {data['sampled_children']} sampled children with "
        f"{data['entries_per_sampled_child']} entries each, one child with "
        f"{data['export_child_entries']:,}, the others ≈ "
        f"{data['other_children_mean_entries']:g} each. Tables: entries "
        f"{data['entry_table_size']}, child index {data['entry_child_table_size']}. "
        f"Readable by the allocated social worker: {readable['sampled_child']} of a sampled "
        f"child's entries, {readable['export_child']:,} of the export child's.",
        "",
        "| request (first 50 entries, as the allocated social worker) | children | p50 ms "
        "| p95 ms | page 4 p50 / p95 ms | SQL queries | target p95 ≤ 50 ms |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    for variant, r in result["results"].items():
        verdict = "met" if r["within_target"] else "**missed**"
        lines.append(
            f"| {labels[variant]} | {r['n']} | {fmt_ms(r['p50_ms'])} | {fmt_ms(r['p95_ms'])} "
            f"| {fmt_ms(r['later_page_p50_ms'])} / {fmt_ms(r['later_page_p95_ms'])} "
            f"| {', '.join(map(str, r['queries']))} | {verdict} |"
        )
    lines += [
        "",
        "Queries per request by the child's chronology size (median time of a few children):",
        "",
        "| child's entries | page queries | page ms | API queries | API ms |",
        "|---|--:|--:|--:|--:|",
    ]
    for label, row in result["query_scale"].items():
        lines.append(
            f"| {label} | {', '.join(map(str, row['page']['queries']))} "
            f"| {fmt_ms(row['page']['median_ms'])} "
            f"| {', '.join(map(str, row['api']['queries']))} | {fmt_ms(row['api']['median_ms'])} |"
        )
    for variant, r in result.get("export_child_queries", {}).items():
        top = "; ".join(f"{q['ms']:.0f} ms at `{q['site']}`" for q in r["slowest"][:3])
        lines += [
            "",
            f"{labels[variant]} for the export child: {fmt_ms(r['request_ms'])} ms, of which "
            f"SQL {fmt_ms(r['sql_ms'])} ms; slowest queries: {top}.",
        ]
    lines += [
        "",
        f"Export of the export child's {readable['export_child']:,} readable entries through "
        "`GET /people/<id>/chronology/export/?format=…`, end to end, once:",
        "",
        "| format | seconds | size MB | SQL queries | target ≤ 5 s |",
        "|---|--:|--:|--:|---|",
    ]
    for fmt, r in result["exports"].items():
        verdict = "met" if r["within_target"] else "**missed**"
        lines.append(
            f"| {fmt.upper()} | {r['seconds']:.2f} | {r['bytes'] / 1e6:.1f} | {r['queries']} "
            f"| {verdict} |"
        )
    lines += ["", "Command (as run):", "", "```sh", result["command"], "```", "", CHRONOLOGY_END]
    return "\n".join(lines)


def render_risks(result: dict) -> str:
    """The risk-register figures (bench/risks.py's JSON)."""
    machine = result.get("machine") or benchenv.machine()
    pg = result["server"]
    data, touching, generated = result["data"], result["touching"], result.get("generated") or {}
    statuses = data["by_status"]
    status_cell = " / ".join(
        f"{statuses.get(s, 0):,}" for s in ("active", "under_review", "closed")
    )
    about = data["about"]
    lines = [
        RISKS_START,
        "",
        f"Measured {result['measured_at'][:10]} by `make bench` on {machine['nproc']} CPUs "
        f"({machine['cpu']}), {machine['memory_gib']} GiB memory, Python "
        f"{machine['python']}, {pg['version']} (shared_buffers {pg['shared_buffers']}, "
        f"synchronous_commit {pg.get('synchronous_commit', '?')}), on a copy of "
        f"`{result['database']}` made in {result['copy']['seconds']} s. Load average while "
        f"measuring (start→between the passes→end): {result['load_average']}"
        + (
            " (between {:.1f} and {:.1f})".format(*result["load_average_range"])
            if result.get("load_average_range")
            else ""
        )
        + ". Times are the functions called in-process (DEBUG off, persistent connection); "
        "Django process CPU is this process's CPU time in the call (Python's side, without "
        "PostgreSQL's work or waiting for a CPU).",
        "",
        "| database | people | children | relationships | residences | risk factors "
        "| about adults / children | active / under review / closed | restricted | reviews "
        "| risk table | generated in |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        f"| `{result['database']}` | {data['people']:,} | {data['children']:,} "
        f"| {data['relationships']:,} | {data['residences']:,} | {data['risk_factors']:,} "
        f"| {about.get('adults', 0):,} / {about.get('children', 0):,} | {status_cell} "
        f"| {data['restricted']:,} | {data['reviews']:,} | {data['risk_table_size']} "
        f"| {generated.get('seconds', '?')} s |",
        "",
        "Recorded by: "
        + ", ".join(f"{kind} {n:,}" for kind, n in data["by_agency_type"].items())
        + f". {data['risk_subjects']:,} people have at least one"
        + (
            f"; {generated['awaiting_sign_off']:,} closures await sign-off"
            if "awaiting_sign_off" in generated
            else ""
        )
        + ".",
        "",
        f"Risks active today touching each of the {touching['children']} sampled children "
        f"(the child, their household, their relationships in force): median "
        f"{touching['risks_median']:g}, p95 {touching['risks_p95']:g}, at most "
        f"{touching['risks_max']}; people connected: median "
        f"{touching['connections_median']:g} (household {touching['household_median']:g}). "
        f"The allocated social worker may not read some of them for "
        f"{touching['withheld_children']} of the {touching['children']} children.",
        "",
        "| call | samples | p50 ms | p95 ms | p95 / target | Django process CPU p50 / p95 ms "
        "| SQL queries | target p95 |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    repeat = result.get("repeat", 1)

    def cpu_cell(r: dict) -> str:
        cpu = r.get("django_cpu")
        return f"{fmt_ms(cpu['p50_ms'])} / {fmt_ms(cpu['p95_ms'])}" if cpu else "–"

    for r in result["read"].values():
        verdict = "met" if r["within_target"] else "**missed**"
        lines.append(
            f"| {r['label']} | {r['n'] // repeat} × {repeat} | {fmt_ms(r['p50_ms'])} "
            f"| {fmt_ms(r['p95_ms'])} | {r['p95_ms'] / r['target_ms']:.2f} | {cpu_cell(r)} "
            f"| {', '.join(map(str, r['queries']))} | ≤ {r['target_ms']:g} ms: {verdict} |"
        )
    household = result["household"]
    e, again = household["evaluate"], household["repeat"]
    verdict = "met" if e["within_target"] else "**missed**"
    lines += [
        f"| `evaluate_household_change(...)`, a new move | {e['n']} | {fmt_ms(e['p50_ms'])} "
        f"| {fmt_ms(e['p95_ms'])} | {e['p95_ms'] / e['target_ms']:.2f} | {cpu_cell(e)} "
        f"| {', '.join(map(str, e['queries']))} (+ {e['savepoint_statements']:g} savepoint) "
        f"| ≤ {e['target_ms']:g} ms: {verdict} |",
        f"| the same move again (looked at already: nothing done) | {again['n']} "
        f"| {again['p50_ms']:.1f} | {again['p95_ms']:.1f} | – | – "
        f"| {', '.join(map(str, again['queries']))} | – |",
        "",
        "Queries by the number of active risks touching the child (they must not grow with "
        "it; median ms):",
        "",
        "| risks touching | children | queries | ms | queries, with the actor | ms |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for row in result["read_by_risks"]:
        lines.append(
            f"| {row['risks']} | {row['children']} | {', '.join(map(str, row['plain_queries']))} "
            f"| {fmt_ms(row['plain_p50_ms'])} | {', '.join(map(str, row['actor_queries']))} "
            f"| {fmt_ms(row['actor_p50_ms'])} |"
        )
    findings = household["findings"]
    kinds = household["by_kind"]
    rows = {k: v["median"] for k, v in household["rows_per_evaluation"].items()}
    lines += [
        "",
        f"Household changes: {findings['moves']} moves ("
        + ", ".join(
            f"{kind}: {v['n']}, p50 {fmt_ms(v['p50_ms'])} / p95 {fmt_ms(v['p95_ms'])} ms"
            for kind, v in kinds.items()
        )
        + f"); an alert went out for {findings['with_alert']} of them (median "
        f"{findings['recipients_median']:g} recipients, at most {findings['recipients_max']}); "
        f"active risks found in the household: median {findings['risks_found_median']:g}, "
        f"at most {findings['risks_found_max']}. Written per evaluation (median of "
        f"{next(iter(household['rows_per_evaluation'].values()))['n']}): "
        + ", ".join(f"{table.replace('_', ' ')} {n:g}" for table, n in rows.items())
        + ".",
    ]
    t = household["split"]
    lines += [
        "",
        f"Where an evaluation's time goes (median over {household['profiled']} moves; "
        "functions timed whole, so callers include their callees; calls in brackets): "
        f"{t['call_ms']:,.0f} ms = SQL {t['sql_ms']:,.0f} ({t['queries']:g} statements, "
        "savepoints included) + "
        f"COMMIT {t['commit_ms']:,.1f} + Python {t['python_ms']:,.0f}.",
        "",
        "| function | ms |",
        "|---|--:|",
    ]
    for f in household["functions"]:
        lines.append(f"| `{f['function']}` | {f['ms']:,.1f} ({f['calls']:g}) |")
    lines += [
        "",
        "Slowest queries by the Threadline line that ran them (median ms):",
        "",
        "| query run by | " + " | ".join(f"read ({v})" for v in result["read"]) + " | evaluation |",
        "|---|" + "--:|" * (len(result["read"]) + 1),
    ]
    sites: dict = {}
    for v, r in result["read"].items():
        for s in r["sites"]:
            sites.setdefault(s["site"], {})[v] = s["ms"]
    for s in household["sites"]:
        sites.setdefault(s["site"], {})["evaluation"] = s["ms"]
    ranked = sorted(sites.items(), key=lambda item: -max(item[1].values()))[:14]
    for site, cells in ranked:
        values = [cells.get(v) for v in [*result["read"], "evaluation"]]
        lines.append(
            f"| `{site}` | " + " | ".join("–" if x is None else f"{x:,.1f}" for x in values) + " |"
        )
    splits = "; ".join(
        f"({v}) {r['split']['call_ms']:,.1f} ms, of which SQL {r['split']['sql_ms']:,.1f}"
        for v, r in result["read"].items()
        if r.get("split")
    )
    if splits:
        lines += [
            "",
            "A read of the children with the most risks, the same way (median): " + splits + ".",
        ]
    if result.get("read_explain"):
        top = result["read_explain"][0]
        plan = "\n".join(top["plan"].splitlines()[:40])
        lines += [
            "",
            f"<details><summary>EXPLAIN (ANALYZE, BUFFERS) of the slowest query of a read "
            f"with the actor: <code>{top['site']}</code>, {top['ms']:,.1f} ms as run (first "
            "40 lines)</summary>",
            "",
            "```",
            plan,
            "```",
            "</details>",
        ]
    if result.get("problems"):
        lines += ["", "Problems: " + "; ".join(result["problems"]) + "."]
    lines += ["", "Command (as run):", "", "```sh", result["command"], "```", "", RISKS_END]
    return "\n".join(lines)


def render_clock(result: dict) -> str:
    """The statutory clock's figures (bench/clock.py's JSON)."""
    machine = result.get("machine") or benchenv.machine()
    pg = result["server"]
    data, full, inc = result["data"], result["full"], result["incremental"]
    generated = result.get("generated") or {}
    per_child = data["events_per_open_case_child"]
    lines = [
        CLOCK_START,
        "",
        f"Measured {result['measured_at'][:10]} by `make bench` on {machine['nproc']} CPUs "
        f"({machine['cpu']}), {machine['memory_gib']} GiB memory, Python "
        f"{machine['python']}, {pg['version']} (shared_buffers {pg['shared_buffers']}, "
        f"synchronous_commit {pg.get('synchronous_commit', '?')}), on a copy of "
        f"`{result['database']}` made in {result['copy']['seconds']} s. Load average while "
        f"measuring (start→between the passes→end): {result['load_average']}"
        + (
            " (between {:.1f} and {:.1f})".format(*result["load_average_range"])
            if result.get("load_average_range")
            else ""
        )
        + ". Times are the functions called in-process (DEBUG off, persistent connection)"
        + (
            f", at commit {result['code']['commit']}"
            + (" with the clock's code changed" if result["code"]["timescales_changed"] else "")
            if result.get("code")
            else ""
        )
        + ".",
        "",
        "| database | people | open cases | risk factors | clock events "
        "| about the open cases' children | per child: median / p95 / max "
        "| about people without an open case | event table | generated in |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        f"| `{result['database']}` | {data['people']:,} | {data['open_cases']:,} "
        f"| {data['risk_factors']:,} | {data['events']:,} "
        f"| {data['events_of_open_case_children']:,} "
        f"| {per_child['median']} / {per_child['p95']} / {per_child['max']} "
        f"| {data['events_without_open_case']:,} ({data['people_without_open_case']:,} people) "
        f"| {data['event_table_size']} | {generated.get('seconds', '?')} s |",
        "",
        "Events by kind: "
        + ", ".join(f"{kind.replace('_', ' ')} {n:,}" for kind, n in data["by_kind"].items())
        + ".",
        "",
        "| full re-evaluation: `clock.sync_all()` | seconds | / target | SQL s | Python s "
        "| process CPU s | queries | tasks created | target ≤ 60 s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for name, label in (("cold", "from no tasks (cold)"), ("warm", "again at once (warm)")):
        r = full[name]
        verdict = "met" if r["within_target"] else "**missed**"
        lines.append(
            f"| {label} | {r['seconds']:,.1f} | {r['seconds'] / r['target_s']:.2f} "
            f"| {r['sql_s']:,.1f} | {r['python_s']:,.1f} | {r['django_cpu_s']:,.1f} "
            f"| {r['queries']:,} | {r['created']:,} | {verdict} |"
        )
    tasks = full["tasks"]
    total = tasks["total"]
    lines += [
        "",
        f"The cold pass made {full['cold']['created']:,} tasks: {total.get('open', 0):,} open "
        f"({total.get('overdue', 0):,} of them overdue), {total.get('done', 0):,} done, "
        f"{total.get('cancelled', 0):,} no longer needed; {tasks['with_named_owner']:,} "
        "with a named owner.",
        "",
        "| rule | open (overdue) | done | no longer needed |",
        "|---|--:|--:|--:|",
    ]
    for rule, counts in tasks["by_rule"].items():
        lines.append(
            f"| `{rule}` | {counts['open']:,} ({counts['overdue']:,}) | {counts['done']:,} "
            f"| {counts['cancelled']:,} |"
        )
    lines += [
        "",
        "Statements by the Threadline line that ran them, over the whole pass (seconds, calls):",
        "",
        "| statement run by | cold | warm |",
        "|---|--:|--:|",
    ]
    sites: dict = {}
    for name in ("cold", "warm"):
        for row in full[name]["sites"]:
            sites.setdefault(row["site"], {})[name] = row
    for site, cells in sorted(sites.items(), key=lambda item: -item[1].get("cold", {"s": 0})["s"])[
        :6
    ]:
        values = [
            f"{cells[n]['s']:,.1f} ({cells[n]['calls']})" if n in cells else "–"
            for n in ("cold", "warm")
        ]
        lines.append(f"| `{site}` | {' | '.join(values)} |")
    left = result.get("left_out")
    if left:
        lines += [
            "",
            f"Left out by `sync_all` (no open case, no open task): {left['people']:,} people "
            f"with events, mostly adults with risk review dates. `sync_tasks` over them in "
            f"chunks of 500 took {left['seconds']:,.1f} s and created {left['created']:,} "
            "tasks that the cold pass did not.",
        ]
    profile = result.get("profile")
    if profile:
        lines += [
            "",
            f"Where a cold chunk's time goes: cProfile of `sync_tasks` over "
            f"{profile['children']:,} children ({profile['chunks']} chunks of 500; cProfile "
            f"slows Python, so read the shares): {profile['profiled_total_s']:,.2f} s "
            f"profiled, of which SQL {profile['sql_s']:,.2f} s.",
            "",
            "| function (inclusive) | calls | seconds | share |",
            "|---|--:|--:|--:|",
        ]
        for row in profile["cumulative"][:10]:
            lines.append(
                f"| `{row['function']}` | {row['calls']:,} | {row['cumulative_s']:,.2f} "
                f"| {row['cumulative_s'] / profile['profiled_total_s']:.0%} |"
            )
    verdict = "met" if inc["within_target"] else "**missed**"
    again = inc["again"]
    created = inc["tasks_created_per_call"]
    lines += [
        "",
        "| incremental evaluation | samples | p50 ms | p95 ms | p95 / target | SQL queries "
        "| target p95 ≤ 20 ms |",
        "|---|--:|--:|--:|--:|--:|---|",
        f"| `note_event(...)`, a new core group or strategy discussion | {inc['n']} "
        f"| {fmt_ms(inc['p50_ms'])} | {fmt_ms(inc['p95_ms'])} "
        f"| {inc['p95_ms'] / inc['target_ms']:.2f} | {', '.join(map(str, inc['queries']))} "
        f"(+ {'/'.join(map(str, inc['transaction_control']))} savepoint) | {verdict} |",
        f"| the same event again (its key is known: nothing done) | {again['n']} "
        f"| {again['p50_ms']:.2f} | {again['p95_ms']:.2f} | – "
        f"| {', '.join(map(str, again['queries']))} | – |",
        "",
        "By kind: "
        + "; ".join(
            f"{kind.replace('_', ' ')} {v['n']}, p50 {fmt_ms(v['p50_ms'])} / p95 "
            f"{fmt_ms(v['p95_ms'])} ms"
            for kind, v in inc["by_kind"].items()
        )
        + f". Tasks created per call: median {created['median']:g}, at most {created['max']} "
        f"(of {created['n']} counted). Events about the sampled children: median "
        f"{inc['events_per_child']['median']:g}, at most {inc['events_per_child']['max']}.",
        "",
        "Queries by the number of events the clock holds about the child (they must not "
        "grow with it):",
        "",
        "| events about the child | children | queries | p50 ms |",
        "|---|--:|--:|--:|",
    ]
    for row in inc["by_events"]:
        lines.append(
            f"| {row['events']} | {row['children']} | {', '.join(map(str, row['queries']))} "
            f"| {fmt_ms(row['p50_ms'])} |"
        )
    t = inc["split"]
    lines += [
        "",
        f"Where a call's time goes (median over {inc['profiled']} more calls; functions "
        f"timed whole, so callers include their callees): {t['call_ms']:,.1f} ms = SQL "
        f"{t['sql_ms']:,.1f} ({t['statements']:g} statements, savepoints included) + COMMIT "
        f"{t['commit_ms']:,.1f} + Python {t['python_ms']:,.1f}.",
        "",
        "| function | ms (calls) |",
        "|---|--:|",
    ]
    for f in inc["functions"]:
        lines.append(f"| `{f['function']}` | {f['ms']:,.2f} ({f['calls']:g}) |")
    lines += [
        "",
        "| query run by | median ms |",
        "|---|--:|",
    ]
    for row in inc["sites"][:8]:
        lines.append(f"| `{row['site']}` | {row['ms']:,.2f} |")
    if result.get("problems"):
        lines += ["", "Problems: " + "; ".join(result["problems"]) + "."]
    lines += ["", "Command (as run):", "", "```sh", result["command"], "```", "", CLOCK_END]
    return "\n".join(lines)


def replace_between(text: str, start: str, end: str, section: str, heading: str = "") -> str:
    if start in text and end in text:
        before, rest = text.split(start, 1)
        return before + section + rest.split(end, 1)[1]
    return text.rstrip("\n") + "\n\n" + (f"{heading}\n\n" if heading else "") + section + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="*", type=Path, help="child_page.py --json files")
    parser.add_argument(
        "--referral-submit", type=Path, help="referral_submit.py --json file", default=None
    )
    parser.add_argument(
        "--chronology", type=Path, help="chronology_page.py --json file", default=None
    )
    parser.add_argument("--risks", type=Path, help="risks.py --json file", default=None)
    parser.add_argument("--clock", type=Path, help="clock.py --json file", default=None)
    parser.add_argument("--out", type=Path, default=benchenv.ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    if not (args.results or args.referral_submit or args.chronology or args.risks or args.clock):
        parser.error(
            "give child_page.py results, --referral-submit, --chronology, --risks or --clock"
        )
    text = args.out.read_text() if args.out.exists() else "# Benchmarks\n\n"
    if args.results:
        results = [json.loads(p.read_text()) for p in args.results]
        results.sort(key=lambda r: r["data"].get("people", 0))
        text = replace_between(text, START, END, render(results))
        print(f"Wrote the child-page figures to {args.out}")
    if args.referral_submit:
        result = json.loads(args.referral_submit.read_text())
        text = replace_between(
            text, REFERRAL_START, REFERRAL_END, render_referral(result), REFERRAL_HEADING
        )
        print(f"Wrote the referral-submission figures to {args.out}")
    if args.chronology:
        result = json.loads(args.chronology.read_text())
        text = replace_between(
            text, CHRONOLOGY_START, CHRONOLOGY_END, render_chronology(result), CHRONOLOGY_HEADING
        )
        print(f"Wrote the chronology figures to {args.out}")
    if args.risks:
        result = json.loads(args.risks.read_text())
        text = replace_between(text, RISKS_START, RISKS_END, render_risks(result), RISKS_HEADING)
        print(f"Wrote the risk-register figures to {args.out}")
    if args.clock:
        result = json.loads(args.clock.read_text())
        text = replace_between(text, CLOCK_START, CLOCK_END, render_clock(result), CLOCK_HEADING)
        print(f"Wrote the statutory clock's figures to {args.out}")
    args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
