"""Write the measured figures into docs/benchmarks.md.

    .venv/bin/python bench/report.py var/bench/child-page-small.json \\
        var/bench/child-page-full.json --out docs/benchmarks.md

Replaces what lies between the `<!-- bench:child-page -->` markers (adding them at the
end the first time) and leaves the rest of the page, written by people, alone.
"""

import argparse
import json
import sys
from pathlib import Path

import benchenv

START, END = "<!-- bench:child-page:start -->", "<!-- bench:child-page:end -->"
TARGET = 1.10  # issue 3: policy + audit add at most 10% to the child page at 200,000 people


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", type=Path, help="child_page.py --json files")
    parser.add_argument("--out", type=Path, default=benchenv.ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    results = [json.loads(p.read_text()) for p in args.results]
    results.sort(key=lambda r: r["data"].get("people", 0))
    section = render(results)
    text = args.out.read_text() if args.out.exists() else "# Benchmarks\n\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    args.out.write_text(text)
    print(f"Wrote the child-page figures to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
