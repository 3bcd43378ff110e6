"""`make fuzz`: schemathesis against every operation of the API, as several personas.

    .venv/bin/python bench/fuzz.py                       # SQLite under var/fuzz/
    .venv/bin/python bench/fuzz.py --database-url postgres://postgres@127.0.0.1:5432/threadline_fuzz

Issue "Prove it": schemathesis against the whole API (every operation, enough examples to
matter): zero 5xx responses and every response documented in the schema.

What it does, all on a throwaway database (a SQLite file under var/fuzz/, or a PostgreSQL
database it creates and drops): migrate, load the demo (`threadline demo`), issue API
tokens to --personas (`threadline token`), then serve the app with gunicorn on a free
loopback port with production settings (THREADLINE_ENV=production: DEBUG off, JSON
renderer only, random keys) except that plain http on loopback is allowed
(SECURE_SSL_REDIRECT off). For each persona, `schemathesis run` reads
/api/v1/schema/ with the persona's token and tests every operation in the examples,
coverage and fuzzing phases (stateful with --stateful), --max-examples each, with the
checks below. Path parameters are drawn half the time from the demo's real records, so
operations on one record get past the 404 (fuzz_parameters). The NDJSON event stream of
each run is read back for the figures per operation: test cases, status codes seen,
failures (a reproducing request for each). The summary goes to var/bench/fuzz.json and
the block between the bench:fuzz markers in docs/benchmarks.md.

Exit status: 0 when no check failed for any persona, 1 otherwise.
"""

import argparse
import json
import os
import platform
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import benchenv

ROOT = benchenv.ROOT
VAR = ROOT / "var" / "fuzz"
BIN = Path(sys.executable).parent
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:fuzz:start -->", "<!-- bench:fuzz:end -->"

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]
# Front door and social work in the local authority, a partner agency that sees less,
# the partnership that runs reviews, and the administrator.
PERSONAS = ["social.worker", "front.door", "probation", "partnership", "admin"]

# Known false positives, narrowly: (check, operations, why). Empty: every finding so far
# was a real bug, fixed in the application or its schema (FOUND_AND_FIXED).
EXCLUSIONS: list[tuple[str, str, str]] = []
# What the run changes from a production deployment, and why.
SETTINGS_NOTES = [
    "gunicorn's request-line and header-size limits are lifted (`--limit-request-line 0`, "
    "`--limit-request-field_size 0`): gunicorn answers an over-long query string with its "
    "own HTML 414 before Django sees it, a front server's limit set where Threadline is "
    "deployed; lifted, every generated request reaches the application.",
    "Plain http on loopback (`SECURE_SSL_REDIRECT=false`, no HSTS); otherwise "
    "`THREADLINE_ENV=production` (DEBUG off, JSON renderer only).",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, check=True, cwd=ROOT, **kwargs)  # noqa: S603


# --- the throwaway database -----------------------------------------------------------


def prepare_database(database_url: str | None, workdir: Path) -> str:
    if database_url is None:
        path = workdir / "fuzz.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    benchenv.database_name(database_url)  # refuses a URL without one
    benchenv.recreate_database(database_url)
    return database_url


def drop_database(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    benchenv.drop_copy(database_url)


def base_environment(database_url: str, workdir: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "THREADLINE_", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="threadline.settings",
        DATABASE_URL=database_url,
        THREADLINE_VAR_DIR=str(workdir),
        MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(workdir / "static"),
        AUDIT_ANCHOR_PATH=str(workdir / "audit-anchors.log"),
        # The same keys for the demo and the server: the audit chain stays one chain.
        SECRET_KEY=secrets.token_urlsafe(48),
        AUDIT_HMAC_KEY=secrets.token_urlsafe(48),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env


def load_demo(env: dict) -> None:
    local = {**env, "THREADLINE_ENV": "local"}
    print("Migrating the throwaway database …", flush=True)
    run([str(BIN / "threadline"), "migrate", "--noinput", "-v", "0"], local)
    print("Loading the demo …", flush=True)
    run([str(BIN / "threadline"), "demo"], local, stdout=subprocess.DEVNULL)


def issue_tokens(env: dict, personas: list[str]) -> dict[str, str]:
    local = {**env, "THREADLINE_ENV": "local"}
    tokens = {}
    for username in personas:
        done = run(
            [str(BIN / "threadline"), "token", username], local, capture_output=True, text=True
        )
        tokens[username] = done.stdout.strip()
    return tokens


def demo_ids(env: dict) -> dict[str, list[str]]:
    """Real identifiers for path parameters, after adding what the demo lacks (this
    script again, inside Django)."""
    local = {**env, "THREADLINE_ENV": "local"}
    done = run(
        [sys.executable, str(Path(__file__).resolve()), "--print-ids"],
        local,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


# The demo's records, by the collection in the path: an operation on one record is only
# tested past its 404 when the identifier names a real one.
PATH_MODELS = {
    "access-requests": "sharing.AccessRequest",
    "actions": "reviews.Action",
    "addresses": "people.Residence",
    "agencies": "agencies.Agency",
    "agency-reports": "reviews.AgencyReport",
    "cases": "cases.Case",
    "chronology-entries": "chronology.ChronologyEntry",
    "meetings": "meetings.Meeting",
    "notices": "notices.NoticeRecipient",
    "orders": "orders.LegalOrder",
    "people": "people.Person",
    "placement-agreements": "meetings.PlacementAgreement",
    "practitioners": "agencies.Practitioner",
    "recommendations": "reviews.Recommendation",
    "referrals": "referrals.Referral",
    "relationships": "people.Relationship",
    "reviews": "reviews.Review",
    "risk-factors": "risks.RiskFactor",
    "sharing-agreements": "sharing.SharingAgreement",
    "tasks": "timescales.Task",
    "evidence": "reviews.Evidence",
}


def add_meeting_and_placement() -> None:
    """The demo has no meeting and no placement agreement; without one, their
    operations on one record would only ever answer 404."""
    import datetime as dt

    from django.utils import timezone

    from threadline.agencies.models import Agency, Practitioner
    from threadline.cases.models import Case
    from threadline.meetings.placements import make_placement_agreement
    from threadline.meetings.services import arrange_meeting

    social_worker = Practitioner.objects.get(username="social.worker")
    case = Case.objects.filter(closed_on__isnull=True, lead_professional=social_worker).first()
    if case is None:
        return
    arrange_meeting(
        actor=social_worker,
        children=[case.child],
        meeting_type="core_group",
        starts_at=timezone.now() + dt.timedelta(days=7),
        place="Northmoor Civic Centre",
        reports_from=list(Agency.objects.filter(code__in=["nm-hv", "nm-police"])),
    )
    make_placement_agreement(
        actor=social_worker,
        child=case.child,
        facility="Harbour House parent and baby unit",
        starts_on=timezone.localdate() - dt.timedelta(weeks=3),
        planned_end_on=timezone.localdate() + dt.timedelta(weeks=9),
        exit_strategy="Home to the grandparents",
        roles=[{"party": "Harbour House", "responsibilities": "Supervision of care"}],
    )


def print_ids() -> None:
    import django

    django.setup()
    from django.apps import apps

    add_meeting_and_placement()

    from threadline.agencies.models import Agency
    from threadline.timescales.rules import RULES_BY_ID

    ids = {
        name: [str(pk) for pk in apps.get_model(label).objects.values_list("pk", flat=True)]
        for name, label in PATH_MODELS.items()
    }
    ids["rules"] = sorted(RULES_BY_ID)
    # A meeting's invitation is named by the agency's code (or id).
    ids["agency"] = [*Agency.objects.values_list("code", flat=True), *ids["agencies"]]
    print(json.dumps({name: values for name, values in ids.items() if values}))


def toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string of printable ASCII is a TOML basic string


# Fields of request bodies and query strings that name a record, by the dictionary of
# real identifiers they take (body paths as schemathesis writes them).
FIELD_IDS = {
    "people": [
        "body.child",
        "body.children[*]",
        "body.entries[*].children[*]",
        "body.new_child.parent",
        "body.person",
        "body.person_a",
        "body.person_b",
        "body.subject",
        "query.child",
        "query.person",
        "query.subject",
    ],
    "practitioners": [
        "body.actions[*].owner",
        "body.chair",
        "body.entries[*].restricted_to[*]",
        "body.lead_professional",
        "body.owner",
        "body.panel[*].practitioner",
        "body.practitioner",
        "body.restricted_to[*]",
        "body.social_worker",
    ],
    "agency": [
        "body.addressed_to",
        "body.agencies[*]",
        "body.agency",
        "body.facility_agency",
        "body.provider",
        "body.recipient",
        "body.reports_from[*]",
        "query.agency",
    ],
    "recommendations": ["body.recommendation"],
    "reviews": ["body.review", "query.review"],
}


def _binding(name: str, share: float) -> str:
    return f"{{ dictionary = {toml_string(name)}, probability = {share} }}"


def write_config(
    path: Path, schema: dict, ids: dict[str, list[str]], share: float, cache: Path
) -> None:
    """schemathesis.toml: dictionaries of real identifiers, bound with probability
    `share` (the rest generated) to each operation's path parameters and to the body
    and query fields that name a record, so that operations get past their 404 and their
    `unknown_person` 400."""
    fields = ", ".join(
        f"{toml_string(key)} = {_binding(name, share)}"
        for name, keys in FIELD_IDS.items()
        if name in ids
        for key in keys
    )
    lines = [
        f"parameters = {{ {fields} }}",
        "",
        "[cache]",
        f"directory = {toml_string(str(cache))}",
    ]
    lines.append("")
    for name, values in sorted(ids.items()):
        lines += [f"[dictionaries.{toml_string(name)}]", f"values = {json.dumps(values)}", ""]
    for route in sorted(schema["paths"]):
        parts = route.strip("/").split("/")
        bindings = {}
        for index, part in enumerate(parts):
            match = re.fullmatch(r"\{(\w+)\}", part)
            if not match:
                continue
            parameter = match.group(1)
            collection = parts[index - 1] if parameter == "id" else parameter
            if parameter == "evidence_id":
                collection = "evidence"
            if collection in ids:
                bindings[f"path.{parameter}"] = collection
        if not bindings:
            continue
        inline = ", ".join(
            f"{toml_string(key)} = {_binding(name, share)}" for key, name in bindings.items()
        )
        lines += [
            "[[operations]]",
            f"include-path = {toml_string(route)}",
            f"parameters = {{ {inline} }}",
            "",
        ]
    path.write_text("\n".join(lines))


# --- the server ------------------------------------------------------------------------


def start_server(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    production = {
        **env,
        "THREADLINE_ENV": "production",
        # Plain http on loopback: no redirect to https, no HSTS.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
    }
    command = [
        str(BIN / "gunicorn"),
        "threadline.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
        "--error-logfile",
        "-",
        # gunicorn's own request-line and header limits answer with an HTML 414/400 before
        # Django sees the request: a front server's limit, set where it is deployed (and
        # not the application's). Lifted here so every generated request reaches the app.
        "--limit-request-line",
        "0",
        "--limit-request-field_size",
        "0",
    ]
    out = log.open("w")
    server = subprocess.Popen(  # noqa: S603 - our own fixed argv
        command, env=production, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s; see {log}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- schemathesis, once per persona ----------------------------------------------------


def run_schemathesis(
    args, *, persona: str, token: str, base: str, config: Path, report: Path, log: Path
) -> float:
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        f"{base}/api/v1/schema/",
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        ",".join(args.phases),
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--workers",
        str(args.workers),
        "--request-timeout",
        "120",
        "--continue-on-failure",
        "--generation-database",
        "none",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--no-color",
    ]
    if args.operations:
        command += ["--include-path-regex", args.operations]
    print(f"  schemathesis as {persona} (log: {log.relative_to(ROOT)}) …", flush=True)
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "fuzz_hooks",  # bench/fuzz_hooks.py: fresh Idempotency-Keys
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT / "bench"), os.environ.get("PYTHONPATH")])
        ),
    }
    started = time.perf_counter()
    with log.open("w") as out:
        subprocess.run(  # noqa: S603 - our own argv; its exit status is read from the report
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    return time.perf_counter() - started


def _text(payload, limit: int = 600) -> str:
    import base64

    if payload is None:
        return ""
    if isinstance(payload, dict) and "$base64" in payload:
        raw = base64.b64decode(payload["$base64"])
        text = raw.decode("utf-8", errors="replace")
    else:
        text = payload if isinstance(payload, str) else json.dumps(payload)
    return text if len(text) <= limit else text[:limit] + " …"


def read_report(
    report: Path, persona: str, operations: dict, failures: dict, errors: list
) -> tuple[int, int]:
    """Fold one persona's NDJSON events into the per-operation figures; returns its
    test cases and failed checks."""
    cases = failed = 0
    with report.open() as lines:
        for line in lines:
            event = json.loads(line)
            ((kind, body),) = event.items()
            if kind == "NonFatalError":
                errors.append(
                    {
                        "persona": persona,
                        "operation": body.get("label"),
                        "error": _text(body.get("value")),
                    }
                )
                continue
            if kind != "ScenarioFinished":
                continue
            recorder = body["recorder"]
            for case_id, node in recorder.get("cases", {}).items():
                case = node["value"]
                # The operation under test (the coverage phase also sends it with methods
                # the path does not allow); a stateful scenario's cases are each their own.
                label = (
                    f"{case['method'].upper()} {case['path']}"
                    if body["phase"] == "stateful"
                    else recorder["label"]
                )
                figures = operations[label]
                figures["cases"] += 1
                cases += 1
                figures["by_persona"][persona] += 1
                figures["by_phase"][body["phase"]] += 1
                interaction = recorder.get("interactions", {}).get(case_id)
                response = interaction and interaction.get("response")
                if response:
                    # The coverage phase also sends methods the path does not take.
                    method = case["method"].upper()
                    other = "" if label.startswith(f"{method} ") else f"{method} "
                    figures["statuses"][f"{other}{response['status_code']}"] += 1
                for check in recorder.get("checks", {}).get(case_id, []):
                    if check["status"] != "failure":
                        continue
                    info = (check.get("failure_info") or {}).get("failure") or {}
                    title = info.get("title") or check["name"]
                    message = (info.get("message") or "").strip()
                    key = (label, check["name"], title, message.split("\n")[0][:200])
                    found = failures.get(key)
                    if found is None:
                        request = (interaction or {}).get("request", {})
                        failures[key] = found = {
                            "operation": label,
                            "check": check["name"],
                            "title": title,
                            "message": message[:1500],
                            "personas": [],
                            "count": 0,
                            "request": {
                                "method": request.get("method"),
                                "uri": request.get("uri"),
                                "headers": {
                                    k: v
                                    for k, v in (request.get("headers") or {}).items()
                                    if k.lower() != "authorization"
                                },
                                "body": _text(request.get("body")),
                            },
                            "response": {
                                "status": response and response["status_code"],
                                "content_type": response
                                and (response["headers"].get("content-type") or [""])[0],
                                "body": response and _text(response.get("content")),
                            },
                        }
                    found["count"] += 1
                    if persona not in found["personas"]:
                        found["personas"].append(persona)
                    figures["failures"] += 1
                    failed += 1
    return cases, failed


def new_operation() -> dict:
    return {
        "cases": 0,
        "failures": 0,
        "by_persona": Counter(),
        "by_phase": Counter(),
        "statuses": Counter(),
    }


# --- the report -------------------------------------------------------------------------

# What earlier runs found, and how each was fixed (the figures are from after the fixes;
# each has a test in tests/api/test_fuzz_findings.py unless said otherwise).
FOUND_AND_FIXED: list[str] = [
    "5xx: a multipart upload with an Idempotency-Key crashed the request fingerprint on "
    "the binary file; files are fingerprinted by name, size and SHA-256 (common/api.py; "
    "commit d6d62f5, tests/api/test_idempotency.py).",
    "Schema: orders (and the orders in a meeting's pack), placement agreements, referrals "
    'and meeting decisions answered `""` for a choice not made yet (plan category, end '
    "reason, proceedings outcome, decision) where the schema promised one of the choices: "
    "DRF drops `allow_blank` from read-only model fields, so their serializers now keep "
    'it and the schema offers `""`.',
    "Schema: a review's and a placement agreement's clock tasks came without `overdue`, "
    "which the schema requires (only the tasks API annotated it); one selector "
    "(`timescales.selectors.marked_overdue`) now marks tasks wherever they are shown.",
    "Schema: dates before 1900 were accepted (the web refuses them) and came back as times "
    "in London's local mean time, `0639-11-03T00:00:00-00:01:15`, which is no RFC 3339 "
    "date-time; every date the API is sent is now from 1900 on (`400 invalid_date`).",
]


def versions() -> dict:
    from importlib.metadata import version

    names = ["schemathesis", "hypothesis", "django", "djangorestframework", "drf-spectacular"]
    found = {name: version(name) for name in names}
    found["gunicorn"] = version("gunicorn")
    found["python"] = platform.python_version()
    return found


def database_version(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with benchenv.server_connect(database_url) as conn:
        return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]


def render(result: dict) -> str:
    totals = result["totals"]
    machine = result["machine"]
    v = result["versions"]
    lines = [
        START,
        "",
        f"Run on {result['date']} on {machine['nproc']} CPUs ({machine['cpu']}), "
        f"{machine['memory_gib']} GiB, Python {v['python']}; {result['database']}; "
        f"schemathesis {v['schemathesis']} (hypothesis {v['hypothesis']}), Django {v['django']}, "
        f"DRF {v['djangorestframework']}, drf-spectacular {v['drf-spectacular']}, "
        f"gunicorn {v['gunicorn']} with production settings over http on loopback.",
        "",
        "| | |",
        "|---|---|",
        f"| operations | {totals['operations']} of {totals['schema_operations']} in the schema; "
        f"{totals['answered_2xx']} answered 2xx at least once |",
        f"| personas | {', '.join(result['personas'])} |",
        f"| phases | {', '.join(result['phases'])}; up to {result['max_examples']} examples "
        "per operation and phase |",
        f"| checks | {', '.join(result['checks'])} |",
        f"| test cases | {totals['cases']:,} ({totals['by_phase']}) |",
        f"| responses | {totals['statuses']} |",
        f"| 5xx responses | {totals['server_errors']} |",
        f"| failures | {totals['failures']} ({totals['unique_failures']} unique) |",
        f"| errors | {totals['errors']} |",
        f"| time | {totals['minutes']} min |",
        "",
    ]
    refused_only = [
        label for label, f in sorted(result["operations"].items()) if not _succeeded(f["statuses"])
    ]
    if refused_only:
        lines += [
            f"Never answered 2xx, so only their refusals were exercised ({len(refused_only)}: "
            "valid input needs fields that agree with each other or with the record, or an "
            "If-Match ETag, which generated data rarely hits): "
            + ", ".join(f"`{label}`" for label in refused_only)
            + ".",
            "",
        ]
    if result["failures"]:
        lines += ["Failures (unique):", ""]
        for failure in result["failures"]:
            lines.append(
                f"- `{failure['operation']}` {failure['check']}: {failure['title']} — "
                f"{failure['message'].splitlines()[0] if failure['message'] else ''} "
                f"(as {', '.join(failure['personas'])}; {failure['count']}×)"
            )
        lines.append("")
    if result["found_and_fixed"]:
        lines += ["Found and fixed:", ""] + [f"- {item}" for item in result["found_and_fixed"]]
        lines.append("")
    lines += ["Exclusions:", ""]
    lines += [f"- {check} on `{where}`: {why}" for check, where, why in result["exclusions"]] or [
        "- none"
    ]
    lines += ["", "Settings of the run:", ""] + [f"- {note}" for note in result["settings_notes"]]
    lines += [
        "",
        "<details><summary>Per operation: test cases (all personas), responses, failures</summary>",
        "",
        "| operation | test cases | responses | failures |",
        "|---|---:|---|---:|",
    ]
    for label, figures in sorted(result["operations"].items(), key=lambda x: x[0].split()[::-1]):
        lines.append(
            f"| `{label}` | {figures['cases']:,} | {_statuses(figures['statuses'])} "
            f"| {figures['failures']} |"
        )
    lines += [
        "",
        "</details>",
        "",
        "Command (as run):",
        "",
        "```sh",
        result["command"],
        "```",
        "",
        END,
    ]
    return "\n".join(lines)


def _succeeded(statuses: dict) -> bool:
    """The operation itself (not another method on its path) answered 2xx."""
    return any(" " not in key and key.startswith("2") for key in statuses)


def _statuses(statuses: dict) -> str:
    """`200×40, 400×310; other methods 405×25, 200×5`: the operation's own responses, then
    those to the methods the coverage phase sent the path besides."""
    own, other = Counter(), Counter()
    for key, n in statuses.items():
        (other if " " in key else own)[key.split()[-1]] += n
    text = ", ".join(f"{code}×{n:,}" for code, n in sorted(own.items()))
    if other:
        text += "; other methods " + ", ".join(f"{c}×{n:,}" for c, n in sorted(other.items()))
    return text


def write_docs(block: str) -> None:
    text = DOCS.read_text()
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Fuzzing\n\n" + block + "\n"
    DOCS.write_text(text)


# --- main --------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL URL naming a database to create and drop (default: SQLite "
        "under var/fuzz/)",
    )
    parser.add_argument("--personas", default=",".join(PERSONAS), help="demo usernames")
    parser.add_argument("--max-examples", type=int, default=50, help="per operation and phase")
    parser.add_argument(
        "--phases",
        default="examples,coverage,fuzzing",
        help="schemathesis phases (add stateful for sequences of calls)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=1, help="schemathesis workers")
    parser.add_argument("--server-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--real-ids", type=float, default=0.5, help="share of path ids drawn from the demo"
    )
    parser.add_argument("--operations", help="only paths matching this regex (a rerun)")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench" / "fuzz.json")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the database and reports")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="write docs/benchmarks.md from the --json file of an earlier run",
    )
    parser.add_argument("--print-ids", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.print_ids:
        print_ids()
        return 0
    if args.report_only:
        write_docs(render(json.loads(args.json.read_text())))
        print(f"Wrote the figures in {args.json} to {DOCS.relative_to(ROOT)}")
        return 0
    args.phases = [p for p in args.phases.split(",") if p]
    personas = [p for p in args.personas.split(",") if p]

    # A `kill` stops the server and drops the database like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    stamp = datetime.now(UTC)
    workdir = VAR / stamp.strftime("%Y%m%d-%H%M%S")
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = prepare_database(args.database_url, workdir)
    env = base_environment(database_url, workdir)
    server = None
    started = time.perf_counter()
    try:
        load_demo(env)
        tokens = issue_tokens(env, personas)
        ids = demo_ids(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port, args.server_workers, workdir / "server.log")
        print(f"gunicorn on {base} (log: {(workdir / 'server.log').relative_to(ROOT)})")
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            f"{base}/api/v1/schema/?format=json",
            headers={"Authorization": f"Token {tokens[personas[0]]}"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            schema = json.load(response)
        schema_operations = sum(
            1
            for item in schema["paths"].values()
            for method in item
            if method in {"get", "post", "put", "patch", "delete"}
        )
        config = workdir / "schemathesis.toml"
        write_config(config, schema, ids, args.real_ids, workdir / "cache")

        operations: dict = defaultdict(new_operation)
        failures: dict = {}
        errors: list = []
        seconds = {}
        for persona in personas:
            report = workdir / f"{persona}.ndjson"
            seconds[persona] = run_schemathesis(
                args,
                persona=persona,
                token=tokens[persona],
                base=base,
                config=config,
                report=report,
                log=workdir / f"{persona}.log",
            )
            cases, failed = read_report(report, persona, operations, failures, errors)
            if not args.keep:
                report.unlink()
            print(
                f"    {seconds[persona] / 60:.1f} min: {cases:,} test cases, {failed} failed checks"
            )
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep:
            drop_database(database_url)

    statuses = Counter()
    by_phase = Counter()
    for figures in operations.values():
        for key, n in figures["statuses"].items():
            statuses[key.split()[-1]] += n  # "OPTIONS 200" counts as a 200
        by_phase.update(figures["by_phase"])
    command = " ".join(
        shlex.quote(part) for part in [".venv/bin/python", "bench/fuzz.py", *(argv or sys.argv[1:])]
    )
    result = {
        "date": stamp.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": benchenv.machine(),
        "versions": versions(),
        "database": database_version(database_url),
        "command": command,
        "personas": personas,
        "phases": args.phases,
        "max_examples": args.max_examples,
        "checks": CHECKS,
        "seed": args.seed,
        "totals": {
            "schema_operations": schema_operations,
            "operations": len(operations),
            "cases": sum(f["cases"] for f in operations.values()),
            "answered_2xx": sum(1 for f in operations.values() if _succeeded(f["statuses"])),
            "by_phase": ", ".join(f"{phase} {n:,}" for phase, n in by_phase.most_common()),
            "statuses": ", ".join(f"{code}: {n:,}" for code, n in sorted(statuses.items())),
            "server_errors": sum(n for code, n in statuses.items() if code.startswith("5")),
            "failures": sum(f["count"] for f in failures.values()),
            "unique_failures": len(failures),
            "errors": len(errors),
            "minutes": round((time.perf_counter() - started) / 60, 1),
            "minutes_by_persona": {p: round(s / 60, 1) for p, s in seconds.items()},
        },
        "operations": {
            label: {
                **figures,
                "by_persona": dict(figures["by_persona"]),
                "by_phase": dict(figures["by_phase"]),
                "statuses": dict(figures["statuses"]),
            }
            for label, figures in sorted(operations.items())
        },
        "failures": sorted(failures.values(), key=lambda f: (f["operation"], f["check"])),
        "errors": errors[:50],
        "exclusions": EXCLUSIONS,
        "settings_notes": SETTINGS_NOTES,
        "found_and_fixed": FOUND_AND_FIXED,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Wrote {args.json}")
    if not args.no_docs:
        write_docs(render(result))
        print(f"Wrote the figures to {DOCS.relative_to(ROOT)}")
    totals = result["totals"]
    print(
        f"{totals['operations']} operations × {len(personas)} personas, {totals['cases']:,} test "
        f"cases, {totals['server_errors']} 5xx, {totals['unique_failures']} unique failures"
    )
    return 1 if failures or errors else 0


if __name__ == "__main__":
    sys.exit(main())
