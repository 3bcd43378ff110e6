"""`make chaos`: kill workers and restart PostgreSQL under a write load, then check that
nothing acknowledged was lost or done twice.

    .venv/bin/python bench/chaos.py [--duration 150] [--no-db-restart] [--keep]

Issue "Prove it": while a write load runs, `kill -9` a web worker and the task worker,
and restart PostgreSQL; afterwards every write that was acknowledged to the client is
present, no notice was delivered twice, no bulk import is half-applied.

The run, on a PostgreSQL database of its own (created, migrated and loaded with the
demo, then dropped unless --keep):
- gunicorn (threadline.wsgi, sync workers) with production settings, the task worker
  (`threadline db_worker`) under a supervisor that restarts it when it dies, housekeeping
  every few seconds as cron would, and an SMTP server (aiosmtpd) recording every email;
- API clients as agency systems, one or more per persona (the demo's social worker,
  health visitor, school, police and front door): chronology entries, bulk imports of
  --bulk-rows entries (all or none), referrals (each a notice to the front door and
  alerts to the child's network, hence emails) and acknowledgements of notices, each
  with its own Idempotency-Key and a marker in its text; on a connection error, a 5xx
  or a 409 the client sends the same request again with the same key;
- faults on a schedule: `kill -9` a gunicorn worker (one inside a database transaction
  when there is one), `kill -9` the task worker (while it is sending an email, and at a
  random moment), and restart PostgreSQL (`pg_ctlcluster … restart`, immediate mode by
  default: every backend killed at once and crash recovery on start);
- afterwards, once the clients are done and every email has gone: the checks of
  tests/reliability/harness.py (every acknowledged write present by id and marker, no
  bulk import partly applied, nothing made twice for one key, every email delivered once,
  only 503s with a JSON code while PostgreSQL was away, recovery within 10 s, the audit
  chain verifies).

Writes var/bench/chaos.json and the "Faults (chaos)" section of docs/benchmarks.md; exits
non-zero if a check fails. The PostgreSQL server is shared: its restart interrupts every
other database's sessions for a few seconds (--no-db-restart leaves it alone).
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import benchenv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.reliability.harness, shared with the smoke test

from tests.reliability import harness  # noqa: E402

DEFAULT_URL = f"{benchenv.DEFAULT_SERVER}/threadline_chaos"
# username: makes referrals; acknowledging is for those who read an agency inbox.
PERSONAS = ["social.worker", "health.visitor", "school", "police", "front.door"]
START, END = "<!-- bench:chaos:start -->", "<!-- bench:chaos:end -->"
HEADING = "## Faults (chaos)"
INTRO = """\
`make chaos` (bench/chaos.py) runs Threadline as production does — gunicorn, the task
worker under a supervisor, housekeeping on a schedule, PostgreSQL — with agency systems
writing through the API, and injects faults while they write: `kill -9` of a gunicorn
worker (one inside a database transaction), `kill -9` of the task worker (while it sends
an email, and at a random moment), and a restart of PostgreSQL (immediate mode: every
backend killed, crash recovery on start). Each client sends every write with its own
`Idempotency-Key` and a marker in its text, and sends it again with the same key after a
connection error, a 5xx or a 409, as a real agency system would. Afterwards it checks,
against the database, the mail server's record and the clients' own: every write a
client was told was saved is there (by id and marker), none was made twice, every bulk
import is all there or not at all, every email went exactly once, the clients saw only
503s with a JSON code, and the audit chain verifies. A smaller run (a web worker and the
task worker killed once, no PostgreSQL restart) is tests/reliability/test_chaos_smoke.py,
in `make test` on SQLite and PostgreSQL.\
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--duration", type=float, default=150, help="seconds of load")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--clients-per-persona", type=int, default=2)
    parser.add_argument("--bulk-rows", type=int, default=50)
    parser.add_argument("--web-kill-every", type=float, default=30)
    parser.add_argument("--worker-kill-every", type=float, default=35)
    parser.add_argument(
        "--no-db-restart", dest="db_restart", action="store_false", help="leave PostgreSQL be"
    )
    parser.add_argument("--db-restart-mode", choices=["immediate", "fast"], default="immediate")
    parser.add_argument(
        "--db-quiet-wait",
        type=float,
        default=60,
        help="seconds to wait for other databases' sessions to end before the restart",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", type=Path, default=benchenv.VAR / "chaos.json")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-docs", dest="docs", action="store_const", const=None)
    args = parser.parse_args()

    url = args.database_url
    if not harness.is_postgres(url):
        raise SystemExit("make chaos runs on PostgreSQL: pass --database-url postgres://…")
    # SIGTERM (a CI timeout) unwinds like Ctrl-C, through the clean-up below.
    signal.signal(signal.SIGTERM, interrupted)

    var_dir = benchenv.VAR / "chaos"
    var_dir.mkdir(parents=True, exist_ok=True)
    for old in var_dir.glob("*.log"):
        old.unlink()
    audit_key = secrets.token_urlsafe(48)
    code = snapshot_source(var_dir)
    chaos = None
    try:
        print(f"Creating {benchenv.database_name(url)} …", flush=True)
        benchenv.recreate_database(url)
        prepare(url, var_dir, audit_key)
        setup_django(url, var_dir, audit_key)
        personas = load_personas(url, var_dir, audit_key)
        schedule = fault_schedule(args)
        setup = harness.Setup(
            database_url=url,
            personas=personas,
            var_dir=var_dir,
            audit_key=audit_key,
            duration=args.duration,
            schedule=schedule,
            web_workers=args.web_workers,
            threads_per_persona=args.clients_per_persona,
            bulk_rows=args.bulk_rows,
            postgres_mode=args.db_restart_mode,
            postgres_quiet_wait=args.db_quiet_wait,
            seed=args.seed,
            log=lambda line: print(line, flush=True),
        )
        chaos = harness.Chaos(setup)
        try:
            chaos.run()
        finally:
            chaos.close()
        report = chaos.report()
        report |= {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": describe_machine(),
            "durability": durability(url),
            "schedule": schedule,
            "code": code,
            "command": " ".join([".venv/bin/python", "bench/chaos.py", *sys.argv[1:]]),
        }
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        return 130
    finally:
        if chaos is not None:
            chaos.close()
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
        if args.keep:
            print(f"Kept the database: {url}")
        else:
            benchenv.drop_copy(url)

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
    block = harness.markdown(report)
    print("\n" + block + "\n")
    if args.docs is not None:
        write_docs(args.docs, block)
        print(f"Wrote {args.json.relative_to(ROOT)} and the chaos section of {args.docs.name}")
    failed = [c["name"] for c in report["checks"] if c["result"] == "fail"]
    if failed:
        print("FAILED: " + "; ".join(failed), file=sys.stderr)
        return 1
    print("All checks passed.")
    return 0


def snapshot_source(var_dir: Path) -> str:
    """Run a copy of src/threadline as it is now. Others may edit the checkout during the
    run, and gunicorn's replacement workers, the restarted task worker and housekeeping
    import the code afresh: half an edit would show up as failures that are not ours.
    Every process of the run (this one too) puts the copy first on its path."""
    target = var_dir / "src"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(
        ROOT / "src" / "threadline",
        target / "threadline",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(target), os.environ.get("PYTHONPATH")])
    )
    sys.path.insert(0, str(target))
    git = shutil.which("git") or "git"
    commit = subprocess.run(  # noqa: S603 - fixed argv
        [git, "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    changed = subprocess.run(  # noqa: S603 - fixed argv
        [git, "-C", str(ROOT), "status", "--porcelain", "--", "src"],
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    return f"commit {commit}" + (f" with {len(changed)} files of src/ changed" if changed else "")


def interrupted(signum, frame):
    raise KeyboardInterrupt(signal.strsignal(signum))


def local_env(url: str, var_dir: Path, audit_key: str) -> dict[str, str]:
    """Set-up commands (migrate, demo, token) run with local settings: the demo refuses
    production. The audit key is the run's, so the whole trail verifies with it."""
    return os.environ | {
        "DATABASE_URL": url,
        "THREADLINE_ENV": "local",
        "DEBUG": "false",
        "AUDIT_HMAC_KEY": audit_key,
        "AUDIT_ANCHOR_PATH": str(var_dir / "audit-anchors.log"),
        "THREADLINE_VAR_DIR": str(var_dir),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }


def threadline(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own command
        [str(harness.THREADLINE), *arguments], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"threadline {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def prepare(url: str, var_dir: Path, audit_key: str) -> None:
    env = local_env(url, var_dir, audit_key)
    anchors = var_dir / "audit-anchors.log"
    anchors.unlink(missing_ok=True)
    started = time.monotonic()
    threadline(env, "migrate", "--verbosity", "0")
    threadline(env, "demo")
    print(f"Migrated and loaded the demo in {time.monotonic() - started:.0f}s", flush=True)


def setup_django(url: str, var_dir: Path, audit_key: str) -> None:
    os.environ.update(local_env(url, var_dir, audit_key))
    os.environ["DJANGO_SETTINGS_MODULE"] = "threadline.settings"
    import django

    django.setup()


def load_personas(url: str, var_dir: Path, audit_key: str) -> list[harness.Persona]:
    """The demo's practitioners as agency systems: a token each (`threadline token`),
    the children they can see, and whether they read an agency inbox."""
    from threadline.agencies.models import Practitioner
    from threadline.people.models import PersonKind
    from threadline.sharing.policy import people_visible_to, reads_agency_inbox

    env = local_env(url, var_dir, audit_key)
    personas = []
    for username in PERSONAS:
        practitioner = Practitioner.objects.get(username=username)
        children = [
            str(pk)
            for pk in people_visible_to(practitioner)
            .filter(kind=PersonKind.CHILD)
            .order_by("pk")
            .values_list("pk", flat=True)
        ]
        personas.append(
            harness.Persona(
                username=username,
                token=threadline(env, "token", username).strip(),
                children=children,
                refers=username != "front.door",
                acknowledges=reads_agency_inbox(practitioner),
            )
        )
        print(
            f"  {username}: {len(children)} children"
            + (", reads the agency inbox" if personas[-1].acknowledges else "")
        )
    return personas


def fault_schedule(args) -> list[tuple[float, str]]:
    """Web workers killed every --web-kill-every seconds from 10 s; the task worker every
    --worker-kill-every seconds from 20 s, alternately while it sends an email and at a
    random moment; PostgreSQL restarted half-way. Nothing in the last 15 s, so the last
    fault's recovery happens under load."""
    end = args.duration - 15
    schedule = []
    at = 10.0
    while at < end:
        schedule.append((at, "kill-web-worker"))
        at += args.web_kill_every
    at, mid_send = 20.0, True
    while at < end:
        schedule.append((at, "kill-task-worker" if mid_send else "kill-task-worker-anywhere"))
        at += args.worker_kill_every
        mid_send = not mid_send
    if args.db_restart:
        schedule.append((round(args.duration / 2, 1), "restart-postgres"))
    return sorted(schedule)


def durability(url: str) -> str:
    with benchenv.server_connect(url) as conn:
        values = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]
            for name in ("server_version", "fsync", "synchronous_commit", "full_page_writes")
        }
    return (
        f"PostgreSQL {values['server_version'].split()[0]} with fsync={values['fsync']}, "
        f"synchronous_commit={values['synchronous_commit']}, "
        f"full_page_writes={values['full_page_writes']}. A `kill -9` is a process crash, "
        "not a power cut: the operating system's page cache survives it."
    )


def describe_machine() -> str:
    machine = benchenv.machine()
    return f"{machine['nproc']} CPUs ({machine['cpu']}), {machine['memory_gib']} GiB, shared"


def write_docs(path: Path, block: str) -> None:
    """Replace the block between the markers, or add the section at the end."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = f"{before}{START}\n{block}\n{END}{after}"
    else:
        text = text.rstrip("\n") + f"\n\n{HEADING}\n\n{INTRO}\n\n{START}\n{block}\n{END}\n"
    path.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
