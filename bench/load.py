"""`make load`: practitioners using Threadline at once, through gunicorn on PostgreSQL.

    .venv/bin/python bench/load.py \\
        --database-url postgres://postgres@127.0.0.1:5432/threadline_bench \\
        --users 50 --minutes 5 --json var/bench/load.json --docs docs/benchmarks.md

Issue "Prove it": 50 concurrent users for 5 minutes, a realistic mix of reads and writes,
through gunicorn with several workers against PostgreSQL, on loopback; throughput, p95
and errors, against 0 errors and p95 ≤ 300 ms.

What it does:

1. Clones the bench database (benchenv.working_copy: the load writes), and in the copy
   writes a chronology of about 20 entries per child (bench/chronology_page.py's
   generator, 1,000,000 entries by default), evaluates the statutory clock (the nightly
   `threadline clock evaluate`: the dashboard's "My tasks"), and gives each chosen
   practitioner what they sign in with: a password (hashed with Argon2, as production
   does), an authenticator app (a confirmed TOTP device whose secret the load knows) and
   an API token, plus a few notices addressed to them to acknowledge.
2. Starts gunicorn (`--workers 4 --threads 2`, gthread: 8 requests at once on 2 CPUs,
   so a request waiting on PostgreSQL does not hold a core; persistent database
   connections, DATABASE_CONN_MAX_AGE=60) with production settings
   (`THREADLINE_ENV=production`: DEBUG off, MFA for everyone, secure cookies, collected
   static files; `X-Forwarded-Proto: https` on every request, as the TLS-terminating
   proxy in front of it would send) and the task worker (`threadline db_worker`, emails
   to a dummy backend), as production runs them. If `threadline collectstatic` fails,
   production pages cannot render, so it falls back to `THREADLINE_ENV=local` with
   DEBUG off (the same request handling but for cookie flags, HSTS and static file
   names) and says so in the report.
3. Runs locust (FastHttpUser) in a process of its own (gevent patches the whole process,
   so it stays out of Django's): each user signs in through the sign-in form (password,
   then the security code: a sign-in storm at the start, --spawn-rate a second) and then
   works on the children they may see, waiting --think-min to --think-max seconds
   (2–6 s) between requests: a busy practitioner's clicks, about 15 a minute, several
   times a real one's pace. The warm-up (--warmup seconds, with the sign-ins) is kept
   apart from the measured window (--minutes).
4. Checks that every write the server acknowledged (201/200) is in the database, and
   drops the copy.

The users (PERSONAS, PERSONA_SHARE) and what they do (WEIGHTS: each persona's requests
sum to 100, 85 reads and 15 writes):

- allocated social workers (58%), each with the children allocated to them: dashboard,
  child page, chronology page and API list, active risks API, notices inbox, person
  search; recording a chronology entry (API), acknowledging a notice (API);
- partner-agency practitioners (30%: health, police, schools, … named in a child's
  network): the same reads, more through the API, and submitting referrals (API);
- front-door officers (10%), with a sample of their local authority's children: the
  front-door queue, search, child pages, notices; chronology entries, acknowledgements;
- one cross-agency probe (2%: a police officer), asking for children outside its reach:
  every answer must be 404 (docs/security.md: zero 2xx outside reach, under load too).

Every request is checked for the status a person would expect (200, 201 for a create,
404 for the probe; a redirect to the sign-in page is an error). Reported: requests,
throughput, p50/p95/p99 per request type and overall (and the gunicorn worker's own time
per type, from its access log), errors by type, the load average and where the CPU went
(gunicorn, PostgreSQL, the task worker, locust itself: they share the machine).
"""

import argparse
import hashlib
import hmac
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import benchenv

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
TARGET_P95_MS = 300

# --- What the users do --------------------------------------------------------------------

PERSONAS = {
    "social_worker": "allocated social worker",
    "partner": "partner-agency practitioner",
    "front_door": "front-door officer",
    "probe": "cross-agency probe",
}
PERSONA_SHARE = {"social_worker": 0.58, "partner": 0.3, "front_door": 0.1, "probe": 0.02}

READS = {
    "dashboard": "GET / (dashboard: my children, my tasks)",
    "child_page": "GET /people/<id>/ (child page)",
    "chronology_page": "GET /people/<id>/chronology/",
    "chronology_api": "GET /api/v1/chronology-entries/?child=<id>",
    "active_risks": "GET /api/v1/people/<id>/active-risks/",
    "notices_inbox": "GET /notices/ (inbox)",
    "person_search": "GET /people/?name=… (search)",
    "front_door": "GET /referrals/front-door/ (queue)",
    # The probe: children outside its reach must not exist for it (404), under load too.
    "denied_child_page": "GET /people/<id>/ outside reach (404)",
    "denied_active_risks": "GET /api/v1/people/<id>/active-risks/ outside reach (404)",
    "denied_chronology_api": "GET /api/v1/chronology-entries/?child=<id> outside reach (404)",
}
WRITES = {
    "record_entry": "POST /api/v1/chronology-entries/",
    "submit_referral": "POST /api/v1/referrals/",
    "acknowledge_notice": "POST /api/v1/notices/<id>/acknowledge/",
}
SIGN_IN = {
    "sign_in_form": "GET /sign-in/",
    "sign_in_password": "POST /sign-in/ (password: Argon2)",
    "sign_in_code_form": "GET /sign-in/security-code/",
    "sign_in_code": "POST /sign-in/security-code/ (TOTP)",
}
LABELS = {**READS, **WRITES, **SIGN_IN}

# Each persona's requests, out of 100: 85 reads, 15 writes.
WEIGHTS = {
    "social_worker": {
        "dashboard": 14,
        "child_page": 26,
        "chronology_page": 12,
        "chronology_api": 5,
        "active_risks": 8,
        "notices_inbox": 8,
        "person_search": 12,
        "record_entry": 11,
        "acknowledge_notice": 4,
    },
    "partner": {
        "dashboard": 10,
        "child_page": 22,
        "chronology_page": 6,
        "chronology_api": 14,
        "active_risks": 14,
        "notices_inbox": 8,
        "person_search": 11,
        "record_entry": 8,
        "submit_referral": 4,
        "acknowledge_notice": 3,
    },
    "front_door": {
        "dashboard": 8,
        "front_door": 20,
        "child_page": 20,
        "chronology_page": 6,
        "active_risks": 6,
        "notices_inbox": 10,
        "person_search": 15,
        "record_entry": 8,
        "acknowledge_notice": 7,
    },
    # Reads only: a practitioner trying children they have no reason to see.
    "probe": {"denied_child_page": 40, "denied_active_risks": 30, "denied_chronology_api": 30},
}

ENTRY_SUMMARIES = {
    "contact": "Home visit: {name} seen and spoken to alone",
    "appointment": "{name} attended a review appointment",
    "missed_appointment": "{name} was not brought to an appointment",
    "assessment": "Assessment visit with {name} and their carer",
    "meeting": "Core group meeting about {name}",
    "incident": "Incident at home reported; {name} safe",
    "disclosure": "{name} said something at school that staff recorded",
    "household_change": "New adult living in {name}'s household",
    "other": "Telephone call with {name}'s carer",
}
CONCERNS = [
    "{name} came to school hungry three days this week and wearing the same clothes.",
    "Neighbours report shouting late at night and {name} crying for long periods.",
    "{name} has a bruise on the upper arm that the explanation given does not fit.",
    "The parent was intoxicated at pick-up and {name} was left waiting for two hours.",
    "{name} said they are frightened of the new partner who has moved in.",
    "Missed health appointments for {name} and no response to letters or calls.",
]
FAMILY_TOLD = [
    "The parent was told about this referral on the telephone and did not object.",
    "The family has not been told: telling them may put {name} at greater risk.",
    "Discussed with the mother at the school gate; she agreed to the referral.",
]


# --- Preparing the users (Django, in the copy or a test database) -------------------------


def persona_counts(users: int) -> dict[str, int]:
    """Users per persona, in PERSONA_SHARE, with at least one of each from 4 users up
    (then one probe: it only reads)."""
    if users < 4:
        return {"social_worker": users}
    counts = {p: max(1, round(users * share)) for p, share in PERSONA_SHARE.items()}
    counts["social_worker"] += users - sum(counts.values())
    return counts


def _ordered(ids, seed) -> list:
    return sorted(ids, key=lambda pk: hashlib.md5(f"{pk}:{seed}".encode()).hexdigest())  # noqa: S324


def candidates(persona: str, *, limit_children: int) -> dict:
    """Practitioner id → the children they work on, for one persona: allocated social
    workers' allocations, partners' current involvements (named on them), front-door
    officers' local authority's open cases (a sample); for the probe, a sample of all
    open cases (those it may see are dropped by `prepare`)."""
    from django.db.models import Q
    from django.utils import timezone

    from threadline.agencies.models import AgencyType, Practitioner, Role
    from threadline.cases.models import Allocation, Case, Involvement

    today = timezone.localdate()
    found: dict = defaultdict(list)
    if persona == "social_worker":
        rows = (
            Allocation.objects.as_of(today)
            .filter(
                case__closed_on__isnull=True,
                social_worker__is_active=True,
                social_worker__role=Role.PRACTITIONER,
            )
            .values_list("social_worker_id", "case__child_id")
        )
    elif persona == "partner":
        rows = (
            Involvement.objects.as_of(today)
            .filter(
                case__closed_on__isnull=True,
                practitioner__is_active=True,
                practitioner__role=Role.PRACTITIONER,
            )
            .exclude(Q(agency__agency_type=AgencyType.CHILDRENS_SOCIAL_CARE))
            .values_list("practitioner_id", "case__child_id")
        )
    elif persona == "probe":
        children = Case.objects.filter(closed_on__isnull=True).values_list("child_id", flat=True)
        sample = _ordered(children, "probe")[: limit_children * 2]
        probes = Practitioner.objects.filter(
            role=Role.PRACTITIONER, is_active=True, agency__agency_type=AgencyType.POLICE
        ).values_list("pk", flat=True)
        rows = [(probe, child) for probe in probes for child in sample]
    else:
        officers = Practitioner.objects.filter(
            role=Role.FRONT_DOOR_OFFICER, is_active=True, agency__isnull=False
        ).values_list("pk", "agency_id")
        rows = []
        for officer, agency in officers:
            children = Case.objects.filter(
                local_authority_id=agency, closed_on__isnull=True
            ).values_list("child_id", flat=True)
            rows += [(officer, child) for child in _ordered(children, officer)[:limit_children]]
    for practitioner, child in rows:
        found[practitioner].append(child)
    return {p: sorted(set(c))[:limit_children] for p, c in found.items()}


def totp_now(key_hex: str, at: float | None = None) -> str:
    """The 6-digit code an authenticator app shows for this secret (RFC 6238, django-otp's
    defaults: SHA-1, 30-second steps)."""
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(bytes.fromhex(key_hex), counter.to_bytes(8, "big"), "sha1").digest()
    offset = mac[-1] & 0x0F
    code = (int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def prepare(
    counts: dict[str, int], *, seed: int = 42, notices_per_user: int = 25, limit_children=60
) -> dict:
    """Choose the practitioners and give each a password, an authenticator app, an API
    token and notices to acknowledge. Returns the users as the load needs them (with the
    secrets: the plan file lives in a private temporary directory)."""
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token

    from threadline.agencies.models import Practitioner
    from threadline.notices.models import Notice, NoticeRecipient, NoticeType
    from threadline.people.models import Person
    from threadline.sharing.policy import people_visible_to

    rng = random.Random(seed)
    password = secrets.token_urlsafe(18)
    # Argon2 whatever the settings of this process (the test suite hashes with MD5): the
    # server checks it as production does. One hash for all: each check costs the same.
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode(password, hasher.salt())
    chosen: dict[str, list[dict]] = {}
    taken: set = set()
    for persona, wanted in counts.items():
        pool = candidates(persona, limit_children=limit_children)
        users = []
        for practitioner_id in _ordered(pool, seed):
            if len(users) == wanted:
                break
            if practitioner_id in taken:
                continue
            practitioner = Practitioner.objects.get(pk=practitioner_id)
            # Only children the policy lets them see (so pages answer 200, not 404); for
            # the probe, only those it may not.
            visible = set(
                people_visible_to(practitioner)
                .filter(pk__in=pool[practitioner_id])
                .values_list("pk", flat=True)
            )
            children = [c for c in pool[practitioner_id] if (c in visible) != (persona == "probe")]
            if not children:
                continue
            taken.add(practitioner_id)
            users.append({"practitioner": practitioner, "children": children})
        if len(users) < wanted:
            raise SystemExit(
                f"Only {len(users)} {PERSONAS[persona]}s with children to work on; {wanted} wanted."
            )
        chosen[persona] = users

    names = {
        p.pk: (p.given_names.split()[0] if p.given_names else "", p.family_name)
        for p in Person.objects.filter(
            pk__in={c for users in chosen.values() for u in users for c in u["children"]}
        )
    }
    now = timezone.now()
    plan: dict[str, list[dict]] = {}
    with transaction.atomic():
        for persona, users in chosen.items():
            plan[persona] = []
            for user in users:
                practitioner = user["practitioner"]
                Practitioner.objects.filter(pk=practitioner.pk).update(password=encoded)
                TOTPDevice.objects.filter(user=practitioner).delete()
                key = secrets.token_hex(20)
                TOTPDevice.objects.create(
                    user=practitioner, name="Authenticator app", key=key, confirmed=True
                )
                token, _ = Token.objects.get_or_create(user=practitioner)
                # Notices addressed to them alone (so no one else acknowledges them first),
                # written directly: set-up, not part of what is measured.
                notices = Notice.objects.bulk_create(
                    Notice(
                        notice_type=NoticeType.ALERT,
                        title=f"Load test alert {n + 1} for {practitioner.get_full_name()}",
                        body="Something happened that the child's network should know.",
                        child_id=rng.choice(user["children"]),
                    )
                    for n in range(notices_per_user if persona != "probe" else 0)
                )
                recipients = NoticeRecipient.objects.bulk_create(
                    NoticeRecipient(
                        notice=notice,
                        practitioner=practitioner,
                        delivered_at=now,
                        acknowledge_by=now + timedelta(days=1),
                    )
                    for notice in notices
                )
                children = [str(c) for c in user["children"]]
                plan[persona].append(
                    {
                        "id": str(practitioner.pk),
                        "username": practitioner.get_username(),
                        "password": password,
                        "totp_key": key,
                        "token": token.key,
                        "children": children,
                        "names": {
                            str(c): " ".join(filter(None, names[c])) for c in user["children"]
                        },
                        "notices": [str(r.pk) for r in recipients],
                    }
                )
    return plan


def choices() -> dict:
    from threadline.chronology.models import EntryCategory, Significance
    from threadline.referrals.models import ConcernCategory, SharingBasis, Urgency

    return {
        "entry_types": [t for t in EntryCategory.values if t in ENTRY_SUMMARIES],
        "significance": list(Significance.values),
        "concern_categories": list(ConcernCategory.values),
        "urgency": list(Urgency.values),
        "sharing_basis": list(SharingBasis.values),
    }


def landed(written: dict) -> dict:
    """For each kind of write the server acknowledged: how many, and how many of them are
    in the database (they all must be)."""
    from threadline.chronology.models import ChronologyEntry
    from threadline.notices.models import NoticeRecipient
    from threadline.referrals.models import Referral

    entries = set(written.get("record_entry", []))
    referrals = set(written.get("submit_referral", []))
    acknowledged = set(written.get("acknowledge_notice", []))
    return {
        "record_entry": {
            "acknowledged": len(written.get("record_entry", [])),
            "distinct": len(entries),
            "in_database": ChronologyEntry.objects.filter(pk__in=entries).count(),
        },
        "submit_referral": {
            "acknowledged": len(written.get("submit_referral", [])),
            "distinct": len(referrals),
            "in_database": Referral.objects.filter(pk__in=referrals).count(),
        },
        "acknowledge_notice": {
            "acknowledged": len(written.get("acknowledge_notice", [])),
            "distinct": len(acknowledged),
            "in_database": NoticeRecipient.objects.filter(
                pk__in=acknowledged, acknowledged_at__isnull=False
            ).count(),
        },
    }


def all_landed(report: dict) -> bool:
    return all(r["acknowledged"] == r["distinct"] == r["in_database"] for r in report.values())


# --- The server: gunicorn and the task worker ---------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(
    database_url: str,
    *,
    production: bool,
    var_dir: Path,
    conn_max_age: int | None = None,
) -> dict[str, str]:
    """The environment gunicorn and the worker run with: production settings, or (for the
    test suite's smoke run, which has no collected static files) local ones with DEBUG
    off."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "PYTEST_CURRENT_TEST", "DJANGO_SETTINGS_MODULE"}
        and not k.startswith("PYTEST_")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "threadline.settings",
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
        "THREADLINE_VAR_DIR": str(var_dir),
        "AUDIT_ANCHOR_PATH": str(var_dir / "load-anchors.log"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    if conn_max_age is not None and conn_max_age >= 0:
        env["DATABASE_CONN_MAX_AGE"] = str(conn_max_age)
    if production:
        env |= {
            "THREADLINE_ENV": "production",
            # The bench trail was chained with the local key; rows the load adds are
            # chained with this one (the copy is dropped after).
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(50),
            "STATIC_ROOT": str(var_dir / "load-static"),
        }
    else:
        env |= {"THREADLINE_ENV": "local"}
    return env


class Server:
    """gunicorn (gthread workers) and, optionally, the task worker: subprocesses in a
    process group of their own, stopped (TERM, then KILL) on leaving the block."""

    def __init__(
        self,
        env: dict,
        *,
        workers: int,
        threads: int,
        log_dir: Path,
        task_worker: bool,
        https: bool,
    ):
        self.env, self.workers, self.threads = env, workers, threads
        self.log_dir, self.task_worker, self.https = log_dir, task_worker, https
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen] = {}

    @property
    def headers(self) -> dict[str, str]:
        """What the TLS-terminating proxy adds in production."""
        return {"X-Forwarded-Proto": "https"} if self.https else {}

    @property
    def origin(self) -> str:
        return f"{'https' if self.https else 'http'}://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            str(BIN / "gunicorn"),
            "threadline.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--worker-class",
            "gthread" if self.threads > 1 else "sync",
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
            # Longer than any pause between a user's requests: a connection the server
            # closes just as the client reuses it resets a POST, which is not retried
            # (the same rule as keep-alive behind a load balancer: longer than its idle
            # timeout). gthread keeps idle connections in its poller, not on a thread.
            "--keep-alive",
            "75",
            "--forwarded-allow-ips",
            "127.0.0.1",
            # Its default path is one per machine: other servers (make chaos) use it too.
            "--no-control-socket",
            # When each request started and how long the worker took (µs): server time,
            # to tell from the time the load saw (which adds queueing and the network).
            "--access-logfile",
            str(self.log_dir / "load-access.log"),
            "--access-logformat",
            "%(t)s %(m)s %(U)s %(s)s %(D)s",
        ]

    def _spawn(self, name: str, command: list[str]) -> None:
        log = (self.log_dir / f"load-{name}.log").open("w")
        self.processes[name] = subprocess.Popen(  # noqa: S603 (our own fixed argv)
            command,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            process_group=0,
        )
        log.close()

    def start(self, timeout: float = 60) -> "Server":
        self.log_dir.mkdir(parents=True, exist_ok=True)
        (self.log_dir / "load-access.log").write_text("")
        self._spawn("gunicorn", self.command())
        if self.task_worker:
            self._spawn("task-worker", [str(BIN / "threadline"), "db_worker", "--no-reload"])
        deadline = time.monotonic() + timeout
        while not self.healthy():
            gunicorn = self.processes["gunicorn"]
            if gunicorn.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"gunicorn did not answer /healthz (exit {gunicorn.returncode}):\n"
                    + self.output("gunicorn")[-3000:]
                )
            time.sleep(0.2)
        return self

    def healthy(self) -> bool:
        import urllib.request

        request = urllib.request.Request(f"{self.url}/healthz", headers=self.headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    def output(self, name: str) -> str:
        path = self.log_dir / f"load-{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def pids(self) -> dict[str, int]:
        return {name: p.pid for name, p in self.processes.items() if p.poll() is None}

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                # The group: gunicorn's workers too.
                _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def collect_static(env: dict) -> str | None:
    """`threadline collectstatic` as a production deployment runs it; the error if it
    fails (production pages cannot render without the manifest it writes)."""
    done = subprocess.run(  # noqa: S603 (our own fixed argv)
        [str(BIN / "threadline"), "collectstatic", "--noinput", "-v", "0"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return None
    lines = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()]
    said = re.sub(r" with <[^>]*>", "", " ".join(lines[:2]))
    return said[:300]


# --- The swarm: locust, in a process of its own -------------------------------------------


def run_swarm(
    plan: dict,
    server: Server,
    *,
    users: int,
    spawn_rate: float,
    warmup_s: float,
    run_s: float,
    think: tuple[float, float],
    seed: int,
    each_task_once: bool = False,
    work_dir: Path,
    on_start=None,
) -> dict:
    """Run the load in a subprocess (`load.py --swarm`) and return what it recorded.
    `on_start(pid)` is called once it runs (the bench samples its CPU)."""
    plan_path, out_path = work_dir / "plan.json", work_dir / "swarm.json"
    plan_path.write_text(
        json.dumps(
            {
                "host": server.url,
                "headers": server.headers,
                "origin": server.origin,
                "users": plan,
                "weights": WEIGHTS,
                "choices": choices(),
                "spawn_rate": spawn_rate,
                "warmup_s": warmup_s,
                "run_s": run_s,
                "think": list(think),
                "seed": seed,
                "each_task_once": each_task_once,
            }
        )
    )
    plan_path.chmod(0o600)
    log = work_dir / "swarm.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 (our own fixed argv)
            [
                sys.executable,
                str(Path(__file__)),
                "--swarm",
                str(plan_path),
                "--out",
                str(out_path),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=str(HERE),
        )
    try:
        if on_start is not None:
            on_start(process.pid)
        process.wait(timeout=warmup_s + run_s + 180)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode != 0 or not out_path.exists():
        raise RuntimeError(
            f"The load (locust) failed (exit {process.returncode}):\n{log.read_text()[-4000:]}"
        )
    result = json.loads(out_path.read_text())
    result["log_tail"] = log.read_text()[-2000:]
    return result


def swarm_main(plan_path: Path, out_path: Path) -> int:
    """The locust side: no Django here. Every request's end time, name, duration and
    outcome is kept (exact percentiles, the warm-up told apart afterwards)."""
    from http.cookiejar import DefaultCookiePolicy

    import gevent
    from locust import between
    from locust.contrib.fasthttp import FastHttpUser
    from locust.env import Environment
    from locust.exception import StopUser

    plan = json.loads(plan_path.read_text())
    rng_root = random.Random(plan["seed"])
    headers = dict(plan["headers"])
    origin = plan["origin"]
    pick = plan["choices"]
    records: list = []
    written: dict[str, list[str]] = defaultdict(list)
    skipped: Counter = Counter()
    pool = {persona: list(users) for persona, users in plan["users"].items()}
    signed_in: list[str] = []
    ready: list[str] = []  # users past sign-in (and, with each_task_once, their first round)
    gave_up: list[str] = []  # users whose sign-in failed
    csrf_field = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    # A form's error summary, or an API error's code.
    error_text = re.compile(r'govuk-error-summary__list">(.*?)</ul>|"code":\s*"([^"]+)"', re.S)

    def on_request(request_type, name, response_time, response_length, exception, **kw):
        records.append(
            [
                time.time(),
                name,
                round(response_time, 2),
                exception is None,
                None if exception is None else str(exception)[:200],
            ]
        )

    class BehindTheProxy(DefaultCookiePolicy):
        """Production's cookies are Secure: TLS ends at the proxy in front of gunicorn,
        and here the load plays the proxy (X-Forwarded-Proto: https on loopback HTTP), so
        it sends them as the browser would over HTTPS."""

        def return_ok_secure(self, cookie, request):
            return True

    class Practitioner(FastHttpUser):
        abstract = True
        persona = ""
        wait_time = between(*plan["think"])
        network_timeout = 60.0
        connection_timeout = 60.0
        max_retries = 0

        def on_start(self):
            self.me = pool[self.persona].pop()
            self.rng = random.Random(f"{plan['seed']}:{self.me['id']}")
            self.notices = list(self.me["notices"])
            self.api = {**headers, "Authorization": f"Token {self.me['token']}"}
            self.signed_in = False
            self.client.cookiejar.set_policy(BehindTheProxy())
            self.sign_in()
            if not self.signed_in:
                gave_up.append(self.me["id"])
                raise StopUser()
            signed_in.append(self.me["id"])
            if plan["each_task_once"]:
                for name in plan["weights"][self.persona]:
                    getattr(self, name)()
            ready.append(self.me["id"])

        # -- helpers

        def call(self, method, path, key, expect, *, api=False, **kwargs):
            """One request, failed unless it answers `expect`; the response or None."""
            merged = {**(self.api if api else headers), **kwargs.pop("headers", {})}
            with self.client.request(
                method,
                path,
                name=key,
                headers=merged,
                allow_redirects=False,
                catch_response=True,
                **kwargs,
            ) as response:
                if response.status_code != expect:
                    response.failure(self.what_went_wrong(response))
                    return None
                response.success()
                return response

        @staticmethod
        def what_went_wrong(response) -> str:
            """The status, and where it redirects or what the page or JSON says."""
            text = f"HTTP {response.status_code}"
            if not response.status_code:  # no response: the connection failed
                return f"no response: {getattr(response, 'error', None)!r}"[:200]
            location = response.headers.get("Location") if response.headers else None
            if location:
                return f"{text} → {location.split('?')[0]}"
            body = response.text or ""
            said = " ".join("".join(m) for m in error_text.findall(body)) or body[:120]
            said = " ".join(re.sub(r"<[^>]+>", " ", said).split())
            return f"{text}: {said[:160]}"

        def form_post(self, path, key, expect, fields, referer):
            return self.call(
                "POST",
                path,
                key,
                expect,
                data=urlencode(fields),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": origin,
                    "Referer": origin + referer,
                },
            )

        def child(self):
            return self.rng.choice(self.me["children"])

        # -- signing in: the form, the password (Argon2), the code page, the code

        def sign_in(self):
            page = self.call("GET", "/sign-in/", "sign_in_form", 200)
            found = page is not None and csrf_field.search(page.text)
            if not found:
                return
            fields = {
                "username": self.me["username"],
                "password": self.me["password"],
                "csrfmiddlewaretoken": found.group(1),
            }
            answer = self.form_post("/sign-in/", "sign_in_password", 302, fields, "/sign-in/")
            if answer is None:
                return
            code_url = answer.headers.get("Location", "")
            page = self.call("GET", code_url, "sign_in_code_form", 200)
            found = page is not None and csrf_field.search(page.text)
            if not found:
                return
            fields = {"code": totp_now(self.me["totp_key"]), "csrfmiddlewaretoken": found.group(1)}
            done = self.form_post(code_url, "sign_in_code", 302, fields, code_url)
            self.signed_in = done is not None

        # -- reads

        def dashboard(self):
            self.call("GET", "/", "dashboard", 200)

        def child_page(self):
            self.call("GET", f"/people/{self.child()}/", "child_page", 200)

        def chronology_page(self):
            self.call("GET", f"/people/{self.child()}/chronology/", "chronology_page", 200)

        def chronology_api(self):
            self.call(
                "GET",
                f"/api/v1/chronology-entries/?child={self.child()}",
                "chronology_api",
                200,
                api=True,
            )

        def active_risks(self):
            self.call(
                "GET", f"/api/v1/people/{self.child()}/active-risks/", "active_risks", 200, api=True
            )

        def notices_inbox(self):
            self.call("GET", "/notices/", "notices_inbox", 200)

        def person_search(self):
            name = self.me["names"][self.child()]
            # Half the time the whole name, half the family name alone (a wider search).
            words = name.split()
            query = name if self.rng.random() < 0.5 or len(words) < 2 else words[-1]
            self.call("GET", f"/people/?name={quote(query)}", "person_search", 200)

        def front_door(self):
            self.call("GET", "/referrals/front-door/", "front_door", 200)

        # -- the probe: a child outside its reach answers 404, as if it did not exist

        def denied_child_page(self):
            self.call("GET", f"/people/{self.child()}/", "denied_child_page", 404)

        def denied_active_risks(self):
            path = f"/api/v1/people/{self.child()}/active-risks/"
            self.call("GET", path, "denied_active_risks", 404, api=True)

        def denied_chronology_api(self):
            path = f"/api/v1/chronology-entries/?child={self.child()}"
            self.call("GET", path, "denied_chronology_api", 404, api=True)

        # -- writes (API, with an Idempotency-Key, as agency systems send them)

        def record_entry(self):
            child = self.child()
            entry_type = self.rng.choice(pick["entry_types"])
            first = (self.me["names"][child].split() or ["the child"])[0]
            when = datetime.now(UTC) - timedelta(hours=self.rng.uniform(1, 72))
            body = {
                "children": [child],
                "event_at": when.isoformat(timespec="seconds"),
                "entry_type": entry_type,
                "summary": ENTRY_SUMMARIES[entry_type].format(name=first),
                "detail": "Recorded during the load test. " * self.rng.randint(1, 6),
                "significance": self.rng.choices(pick["significance"], [80, 17, 3])[0],
            }
            self.write("POST", "/api/v1/chronology-entries/", "record_entry", 201, body)

        def submit_referral(self):
            child = self.child()
            first = (self.me["names"][child].split() or ["the child"])[0]
            body = {
                "child": child,
                "concerns": " ".join(c.format(name=first) for c in self.rng.sample(CONCERNS, 2)),
                "categories": sorted(
                    self.rng.sample(pick["concern_categories"], self.rng.randint(1, 2))
                ),
                "urgency": self.rng.choices(pick["urgency"], [1, 3, 6])[0],
                "family_told": self.rng.choice(FAMILY_TOLD).format(name=first),
                "sharing_basis": self.rng.choice(pick["sharing_basis"]),
            }
            self.write("POST", "/api/v1/referrals/", "submit_referral", 201, body)

        def acknowledge_notice(self):
            if not self.notices:
                skipped["acknowledge_notice"] += 1
                return self.notices_inbox()
            recipient = self.notices.pop()
            self.write(
                "POST",
                f"/api/v1/notices/{recipient}/acknowledge/",
                "acknowledge_notice",
                200,
                record=recipient,
            )

        def write(self, method, path, key, expect, body=None, record=None):
            """The write, and what it wrote (the created row's id, or `record`) once the
            server has acknowledged it."""
            response = self.call(
                method,
                path,
                key,
                expect,
                api=True,
                json=body,
                headers={"Idempotency-Key": secrets.token_hex(16)},
            )
            if response is not None:
                if record is None:
                    try:
                        record = response.json()["id"]
                    except (ValueError, KeyError, TypeError):
                        record = None
                written[key].append(record)
            return response

    def task(name):
        def run(user):
            getattr(user, name)()

        run.__name__ = name
        return run

    classes = []
    for persona, users in plan["users"].items():
        if not users:
            continue
        weights = plan["weights"][persona]
        classes.append(
            type(
                f"{persona.title().replace('_', '')}User",
                (Practitioner,),
                {
                    "persona": persona,
                    "fixed_count": len(users),
                    "tasks": {task(name): weight for name, weight in weights.items()},
                },
            )
        )
    random.seed(rng_root.random())
    env = Environment(user_classes=classes, host=plan["host"])
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    total = sum(len(users) for users in plan["users"].values())
    started = time.time()
    runner.start(total, spawn_rate=plan["spawn_rate"])
    if plan["each_task_once"]:
        # Every user's first round counts, however slow the machine: the mixed load
        # starts after it (users that failed to sign in have stopped; a minute at most).
        deadline = time.time() + 60
        while len(ready) + len(gave_up) < total and time.time() < deadline:
            gevent.sleep(0.1)
    gevent.sleep(plan["warmup_s"] + plan["run_s"])
    ended = time.time()
    runner.quit()
    out_path.write_text(
        json.dumps(
            {
                "started": started,
                "warmup_end": started + plan["warmup_s"],
                "ended": ended,
                "users": total,
                "signed_in": len(signed_in),
                "records": records,
                "written": written,
                "skipped": dict(skipped),
                "locust_cpu_warning": bool(getattr(runner, "cpu_warning_emitted", False)),
            }
        )
    )
    return 0


# --- Summaries ----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def describe(times: list[float]) -> dict:
    return {
        "requests": len(times),
        "p50_ms": round(percentile(times, 50), 1) if times else None,
        "p95_ms": round(percentile(times, 95), 1) if times else None,
        "p99_ms": round(percentile(times, 99), 1) if times else None,
        "max_ms": round(max(times), 1) if times else None,
        "mean_ms": round(statistics.fmean(times), 1) if times else None,
    }


def summarise(swarm: dict) -> dict:
    """The measured window (after the warm-up), the sign-ins, and every error."""
    start, end = swarm["warmup_end"], swarm["ended"]
    window = end - start
    measured: dict[str, list[float]] = defaultdict(list)
    signin: dict[str, list[float]] = defaultdict(list)
    errors: Counter = Counter()
    errors_by_phase: Counter = Counter()
    failed_measured: Counter = Counter()
    for at, name, ms, ok, error in swarm["records"]:
        phase = "sign-in" if name in SIGN_IN else ("warm-up" if at < start else "measured")
        if not ok:
            errors[f"{name}: {error}"] += 1
            errors_by_phase[phase] += 1
            if phase == "measured":
                failed_measured[name] += 1
        if phase == "sign-in":
            signin[name].append(ms)
        elif phase == "measured":
            measured[name].append(ms)
    everything = [ms for times in measured.values() for ms in times]
    total = len(everything)
    per_type = {}
    for name in [*READS, *WRITES]:
        if name not in measured:
            continue
        times = measured[name]
        per_type[name] = {
            "label": LABELS[name],
            "kind": "write" if name in WRITES else "read",
            "share_pct": round(100 * len(times) / total, 1),
            "per_second": round(len(times) / window, 2),
            "errors": failed_measured[name],
            **describe(times),
        }
    writes = sum(len(measured[n]) for n in WRITES)
    return {
        "window_s": round(window, 1),
        "requests": total,
        "throughput_rps": round(total / window, 1) if window else None,
        "overall": describe(everything),
        "write_share_pct": round(100 * writes / total, 1) if total else None,
        "per_type": per_type,
        "sign_in": {
            "users": swarm["users"],
            "signed_in": swarm["signed_in"],
            "steps": {n: {"label": LABELS[n], **describe(signin[n])} for n in SIGN_IN if signin[n]},
        },
        "errors": sum(errors.values()),
        "errors_by_phase": dict(errors_by_phase),
        "errors_by_type": dict(errors.most_common()),
        "requests_all_phases": len(swarm["records"]),
        "skipped": swarm.get("skipped", {}),
    }


UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PATHS = [
    ("GET", rf"/people/{UUID}/", "child_page"),
    ("GET", rf"/people/{UUID}/chronology/", "chronology_page"),
    ("GET", r"/api/v1/chronology-entries/", "chronology_api"),
    ("POST", r"/api/v1/chronology-entries/", "record_entry"),
    ("GET", rf"/api/v1/people/{UUID}/active-risks/", "active_risks"),
    ("GET", r"/", "dashboard"),
    ("GET", r"/notices/", "notices_inbox"),
    ("GET", r"/people/", "person_search"),
    ("GET", r"/referrals/front-door/", "front_door"),
    ("POST", r"/api/v1/referrals/", "submit_referral"),
    ("POST", rf"/api/v1/notices/{UUID}/acknowledge/", "acknowledge_notice"),
    ("GET", r"/sign-in/", "sign_in_form"),
    ("POST", r"/sign-in/", "sign_in_password"),
    ("GET", r"/sign-in/security-code/", "sign_in_code_form"),
    ("POST", r"/sign-in/security-code/", "sign_in_code"),
]
ACCESS_LINE = re.compile(r"^\[([^\]]+)\] (\w+) (\S+) (\d{3}) (\d+)$")


def server_times(access_log: Path, start: float, end: float) -> dict:
    """Per request type, the worker's own time (gunicorn's access log, requests started
    in the measured window): what the load saw less queueing for a worker thread and
    the loopback."""
    times: dict[str, list[float]] = defaultdict(list)
    patterns = [(m, re.compile(p + "$"), name) for m, p, name in PATHS]
    for line in access_log.read_text().splitlines() if access_log.exists() else []:
        found = ACCESS_LINE.match(line.strip())
        if not found:
            continue
        stamp, method, path, status, micros = found.groups()
        at = datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z").timestamp()
        if not start - 1 <= at <= end:
            continue
        for m, pattern, name in patterns:
            if m == method and pattern.match(path):
                if status == "404" and f"denied_{name}" in READS:  # the probe's
                    name = f"denied_{name}"
                times[name].append(int(micros) / 1000)
                break
    everything = [ms for name, values in times.items() if name not in SIGN_IN for ms in values]
    return {
        "overall": describe(everything),
        "per_type": {name: describe(values) for name, values in times.items()},
    }


# --- Where the CPU goes -------------------------------------------------------------------


class CPUSampler:
    """Every `every` seconds: the load average, the machine's busy CPU (/proc/stat) and
    the CPU time of each group of processes (gunicorn and its workers, the task worker,
    locust, PostgreSQL's backends on the copy, on other databases, and its background
    processes). A backend that ends between two samples loses its last seconds."""

    def __init__(self, database: str = "", every: float = 2.0):
        self.database, self.every = database, every
        self.groups: dict[str, int] = {}
        self.samples: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._cpu_seen: dict[int, tuple[str, float]] = {}

    def watch(self, name: str, pid: int) -> None:
        self.groups[name] = pid

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self):
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every)

    def _sample(self):
        import psutil

        for name, pid in list(self.groups.items()):
            try:
                root = psutil.Process(pid)
                family = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
            for process in family:
                try:
                    times = process.cpu_times()
                    self._cpu_seen[process.pid] = (name, times.user + times.system)
                except psutil.NoSuchProcess:
                    pass
        for process in psutil.process_iter(["name", "cmdline"]):
            if process.info["name"] != "postgres":
                continue
            # A backend's title: "postgres: 15/main: USER DATABASE ADDRESS STATE".
            title = " ".join(process.info["cmdline"] or []).split()
            if self.database and self.database in title:
                group = "postgres (the copy)"
            elif len(title) > 4 and "(" in title[4]:
                group = "postgres (other databases)"
            else:
                group = "postgres (background)"
            try:
                times = process.cpu_times()
                self._cpu_seen[process.pid] = (group, times.user + times.system)
            except psutil.NoSuchProcess:
                pass
        by_group: dict[str, float] = defaultdict(float)
        for name, seconds in self._cpu_seen.values():
            by_group[name] += seconds
        with open("/proc/stat") as stat:
            fields = [float(x) for x in stat.readline().split()[1:]]
        idle = fields[3] + fields[4]
        self.samples.append(
            {
                "at": time.time(),
                "load1": os.getloadavg()[0],
                "busy_jiffies": sum(fields) - idle,
                "all_jiffies": sum(fields),
                "cpu_s": dict(by_group),
            }
        )

    def between(self, start: float, end: float) -> dict:
        inside = [s for s in self.samples if start <= s["at"] <= end] or self.samples
        first, last = inside[0], inside[-1]
        wall = max(1e-6, last["at"] - first["at"])
        ticks = os.sysconf("SC_CLK_TCK")
        cores = os.cpu_count() or 1
        busy = (last["busy_jiffies"] - first["busy_jiffies"]) / ticks
        groups = {
            name: round((last["cpu_s"].get(name, 0) - first["cpu_s"].get(name, 0)) / wall, 2)
            for name in sorted(set(last["cpu_s"]))
        }
        loads = [s["load1"] for s in inside]
        return {
            "seconds": round(wall, 1),
            "machine_busy_cores": round(busy / wall, 2),
            "cores": cores,
            "cores_by_group": groups,
            "other_cores": round(busy / wall - sum(groups.values()), 2),
            "load1_mean": round(statistics.fmean(loads), 2),
            "load1_max": round(max(loads), 2),
        }


# --- The bench ----------------------------------------------------------------------------


def seed_chronology(entries: int, seed: int) -> dict:
    """About `entries` chronology entries over every child with a case (the chronology
    bench's generator, in SQL)."""
    import chronology_page

    args = argparse.Namespace(
        entries=entries, seed=seed, sample_entries=0, export_entries=0, small=0
    )
    return chronology_page.generate(args, [], "00000000-0000-0000-0000-000000000000")


def evaluate_clock() -> dict:
    from threadline.timescales import clock

    started = time.perf_counter()
    created, closed = clock.sync_all()
    return {"created": created, "closed": closed, "seconds": round(time.perf_counter() - started)}


def run(args) -> dict:
    """Django is set up by working_copy, on the copy: this process never opens the bench
    database itself (PostgreSQL's CREATE DATABASE … TEMPLATE reads it)."""
    load_before = os.getloadavg()
    counts = persona_counts(args.users)
    result: dict = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": benchenv.machine(),
        "data": benchenv.read_description(args.database_url) or {},
        "load_average_before": [round(x, 2) for x in load_before],
    }
    with benchenv.working_copy(args.database_url, mark="_load_", keep=args.keep) as copy:
        from django.db import connection

        from threadline.audit.models import AuditChainHead

        if connection.settings_dict["NAME"] != copy["name"]:
            raise SystemExit(f"Not on the copy ({connection.settings_dict['NAME']}): stopping.")
        result["copy"] = copy
        setup: dict = {}
        if args.chronology_entries:
            print(f"  writing {args.chronology_entries:,} chronology entries …", flush=True)
            setup["chronology"] = seed_chronology(args.chronology_entries, args.seed)
        if not args.no_clock:
            print("  evaluating the statutory clock (the nightly run) …", flush=True)
            setup["clock"] = evaluate_clock()
        print(f"  preparing {args.users} users: {counts} …", flush=True)
        started = time.perf_counter()
        plan = prepare(counts, seed=args.seed, notices_per_user=args.notices)
        setup["users_s"] = round(time.perf_counter() - started, 1)
        with connection.cursor() as cursor:
            # The tasks and notices just written: planned with their statistics.
            cursor.execute("VACUUM (ANALYZE) timescales_task")
            cursor.execute("ANALYZE")
        audit_before = AuditChainHead.objects.get(pk=1).last_seq
        connection.close()

        copy_url = benchenv.with_database(args.database_url, copy["name"])
        production = args.settings == "production"
        env = server_env(
            copy_url, production=production, var_dir=benchenv.VAR, conn_max_age=args.conn_max_age
        )
        if production:
            print("  collecting static files …", flush=True)
            failed = collect_static(env)
            if failed:
                # Request handling is the same either way (the differences are headers,
                # cookie flags and how {% static %} finds a file); say so in the report.
                print(f"  collectstatic failed, so local settings: {failed}", flush=True)
                result["settings_fallback"] = f"`threadline collectstatic` failed: {failed}"
                production = False
                env = server_env(
                    copy_url,
                    production=False,
                    var_dir=benchenv.VAR,
                    conn_max_age=args.conn_max_age,
                )
        result["setup"] = setup
        server = Server(
            env,
            workers=args.workers,
            threads=args.threads,
            log_dir=benchenv.VAR,
            task_worker=not args.no_task_worker,
            https=production,
        )
        sampler = CPUSampler(database=copy["name"])
        with tempfile.TemporaryDirectory(prefix="threadline-load-") as work, server:
            for name, pid in server.pids().items():
                sampler.watch(name, pid)
            sampler.start()
            print(
                f"  {args.users} users for {args.minutes:g} min after {args.warmup:g} s of "
                f"warm-up, gunicorn {args.workers}×{args.threads} at {server.url} …",
                flush=True,
            )
            try:
                swarm = run_swarm(
                    plan,
                    server,
                    users=args.users,
                    spawn_rate=args.spawn_rate,
                    warmup_s=args.warmup,
                    run_s=args.minutes * 60,
                    think=(args.think_min, args.think_max),
                    seed=args.seed,
                    work_dir=Path(work),
                    on_start=lambda pid: sampler.watch("locust", pid),
                )
            finally:
                sampler.stop()
            server_log = server.output("gunicorn")
        result["summary"] = summarise(swarm)
        result["window"] = [swarm["warmup_end"], swarm["ended"]]
        result["server_time"] = server_times(
            benchenv.VAR / "load-access.log", swarm["warmup_end"], swarm["ended"]
        )
        result["cpu"] = sampler.between(swarm["warmup_end"], swarm["ended"])
        result["landed"] = landed(swarm["written"])
        result["audit_rows_written"] = AuditChainHead.objects.get(pk=1).last_seq - audit_before
        connection.close()
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    result["server_errors_logged"] = len(
        re.findall(r"Internal Server Error|\[ERROR\]|Traceback", server_log)
    )
    result["server_log_tail"] = server_log[-3000:]
    result["config"] = {
        "users": args.users,
        "personas": counts,
        "minutes": args.minutes,
        "warmup_s": args.warmup,
        "spawn_rate": args.spawn_rate,
        "think_s": [args.think_min, args.think_max],
        "weights": WEIGHTS,
        "gunicorn": " ".join(server.command()[1:])
        .replace(f"127.0.0.1:{server.port}", "127.0.0.1:PORT")
        .replace(f"{benchenv.ROOT}/", ""),
        "workers": args.workers,
        "threads": args.threads,
        "task_worker": not args.no_task_worker,
        "conn_max_age": args.conn_max_age,
        "settings": (
            "THREADLINE_ENV=production (DEBUG off, MFA for all, secure cookies behind "
            "X-Forwarded-Proto: https)"
            if server.https
            else "THREADLINE_ENV=local with DEBUG=false (MFA by authenticator app)"
        )
        + ", DATABASE_CONN_MAX_AGE="
        + ("0 (the default)" if args.conn_max_age < 0 else str(args.conn_max_age)),
    }
    summary = result["summary"]
    p95 = summary["overall"]["p95_ms"]
    result["target"] = {
        "errors": 0,
        "p95_ms": TARGET_P95_MS,
        "met": summary["errors"] == 0
        and p95 is not None
        and p95 <= TARGET_P95_MS
        and all_landed(result["landed"]),
    }
    result["command"] = " ".join([".venv/bin/python", "bench/load.py", *sys.argv[1:]])
    return result


# --- Report -------------------------------------------------------------------------------


def _ms(value) -> str:
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def markdown(result: dict) -> str:
    s, cfg, cpu, m = result["summary"], result["config"], result["cpu"], result["machine"]
    data = result["data"]
    overall, server = s["overall"], result["server_time"]
    personas = ", ".join(
        f"{n} {PERSONAS[p]}{'s' if n != 1 else ''}" for p, n in cfg["personas"].items()
    )
    lines = [
        f"Measured {result['measured_at'][:10]} by `make load` on {m['nproc']} CPUs "
        f"({m['cpu']}), {m['memory_gib']} GiB memory, Python {m['python']}, on a copy of "
        f"`threadline_bench` ({data.get('people', 0):,} people, {data.get('children', 0):,} "
        f"children) made in {result['copy']['seconds']} s. Load average before "
        f"{result['load_average_before'][0]:.2f}, after {result['load_average_after'][0]:.2f}; "
        f"during the measured window {cpu['load1_mean']:.2f} on average, "
        f"{cpu['load1_max']:.2f} at most.",
        "",
        f"**{cfg['users']} users** ({personas}), "
        f"each waiting {cfg['think_s'][0]:g}–{cfg['think_s'][1]:g} s between requests, "
        f"signed in through the form (password and security code) at "
        f"{cfg['spawn_rate']:g} a second; {cfg['minutes']:g} minutes measured after "
        f"{cfg['warmup_s']:g} s of warm-up. gunicorn `{cfg['gunicorn']}` with "
        f"{cfg['settings']}; the task worker {'running' if cfg['task_worker'] else 'stopped'}."
        + (
            f" Production settings could not be used: {result['settings_fallback']}"
            if result.get("settings_fallback")
            else ""
        ),
        "",
        "| | requests | req/s | p50 ms | p95 ms | p99 ms | server p50 / p95 ms | errors | target |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|",
        f"| **all (measured window)** | {s['requests']:,} | {s['throughput_rps']} | "
        f"{_ms(overall['p50_ms'])} | {_ms(overall['p95_ms'])} | {_ms(overall['p99_ms'])} | "
        f"{_ms(server['overall']['p50_ms'])} / {_ms(server['overall']['p95_ms'])} | "
        f"{s['errors']} (all phases) | "
        + ("**met**" if result["target"]["met"] else "**missed**")
        + f" (0 errors, p95 ≤ {TARGET_P95_MS} ms) |",
        "",
        f"Per request type, slowest first (writes are {s['write_share_pct']}% of requests; "
        "*server*: the gunicorn worker's own time, from its access log; the rest is waiting "
        "for a free worker thread and the loopback):",
        "",
        "| request | kind | share | req/s | p50 ms | p95 ms | p99 ms | max ms "
        "| server p50 / p95 ms | errors |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, row in sorted(s["per_type"].items(), key=lambda r: -(r[1]["p95_ms"] or 0)):
        own = server["per_type"].get(name, {})
        lines.append(
            f"| `{row['label']}` | {row['kind']} | {row['share_pct']}% | {row['per_second']} | "
            f"{_ms(row['p50_ms'])} | {_ms(row['p95_ms'])} | {_ms(row['p99_ms'])} | "
            f"{_ms(row['max_ms'])} | {_ms(own.get('p50_ms'))} / {_ms(own.get('p95_ms'))} | "
            f"{row['errors']} |"
        )
    signin = s["sign_in"]
    lines += [
        "",
        f"Sign-in storm ({signin['signed_in']} of {signin['users']} users signed in, at the "
        "start, kept out of the figures above):",
        "",
        "| step | requests | p50 ms | p95 ms | max ms |",
        "|---|--:|--:|--:|--:|",
    ]
    for row in signin["steps"].values():
        lines.append(
            f"| `{row['label']}` | {row['requests']} | {_ms(row['p50_ms'])} | "
            f"{_ms(row['p95_ms'])} | {_ms(row['max_ms'])} |"
        )
    lines += [
        "",
        "Errors: "
        + (
            "none."
            if not s["errors"]
            else "; ".join(f"{n}× {e}" for e, n in list(s["errors_by_type"].items())[:10])
        ),
    ]
    landed_rows = ", ".join(
        f"{LABELS[k].split(' ')[1]} {v['in_database']:,}/{v['acknowledged']:,}"
        for k, v in result["landed"].items()
    )
    lines += [
        "",
        f"Writes acknowledged by the server and found in the database afterwards: "
        f"{landed_rows}"
        + (" (all)." if all_landed(result["landed"]) else " — **some missing**.")
        + f" Audit rows written: {result['audit_rows_written']:,}.",
        "",
        f"CPU in the measured window, in cores of {cpu['cores']}: "
        f"{cpu['machine_busy_cores']:.2f} busy — "
        + ", ".join(f"{name} {cores:.2f}" for name, cores in cpu["cores_by_group"].items())
        + f", everything else (others' work on the machine) {cpu['other_cores']:.2f}.",
        "",
        "Command (as run):",
        "",
        "```sh",
        result["command"],
        "```",
    ]
    return "\n".join(lines)


def write_docs(path: Path, block: str) -> None:
    """Replace the block between the load markers; without them, add a "## Load" section
    at the end of the page."""
    start, end = "<!-- bench:load:start -->", "<!-- bench:load:end -->"
    text = path.read_text()
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _old, after = rest.split(end, 1)
        text = f"{before}{start}\n\n{block}\n\n{end}{after}"
    else:
        text = text.rstrip("\n") + f"\n\n## Load\n\n{start}\n\n{block}\n\n{end}\n"
    path.write_text(text)


def print_report(result: dict) -> None:
    s = result["summary"]
    o = s["overall"]
    print(
        f"\n{s['requests']:,} requests in {s['window_s']} s: {s['throughput_rps']} req/s; "
        f"p50 {o['p50_ms']} ms, p95 {o['p95_ms']} ms, p99 {o['p99_ms']} ms; "
        f"errors {s['errors']} {s['errors_by_phase']}"
    )
    for name, row in s["per_type"].items():
        print(
            f"  {name:<20} {row['requests']:>6} ({row['share_pct']:>4}%)  p50 {row['p50_ms']:>7}"
            f"  p95 {row['p95_ms']:>7}  p99 {row['p99_ms']:>7}  max {row['max_ms']:>7}"
            f"  errors {row['errors']}"
        )
    server = result["server_time"]
    print(f"  server time: {server['overall']}")
    for name, row in server["per_type"].items():
        print(f"    {name:<20} server p50 {row['p50_ms']:>7}  p95 {row['p95_ms']:>7}")
    for name, row in s["sign_in"]["steps"].items():
        print(f"  {name:<20} {row['requests']:>6}  p50 {row['p50_ms']:>7}  p95 {row['p95_ms']:>7}")
    for error, n in list(s["errors_by_type"].items())[:15]:
        print(f"  ERROR ×{n}: {error}")
    print(f"  landed: {result['landed']}")
    print(f"  cpu: {result['cpu']}")
    print(f"  target met: {result['target']['met']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=f"{benchenv.DEFAULT_SERVER}/threadline_bench")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5, help="the measured window")
    parser.add_argument("--warmup", type=float, default=30, help="seconds, not measured")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started a second")
    parser.add_argument(
        "--think-min", type=float, default=2.0, help="seconds a user waits between requests"
    )
    parser.add_argument("--think-max", type=float, default=6.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (gthread)")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="DATABASE_CONN_MAX_AGE for the server: persistent connections, as production "
        "should run (-1: the settings' default, 0, a new connection per request)",
    )
    parser.add_argument(
        "--settings",
        choices=["production", "local"],
        default="production",
        help="the server's THREADLINE_ENV (local: DEBUG off, no collected static files)",
    )
    parser.add_argument("--no-task-worker", action="store_true")
    parser.add_argument("--chronology-entries", type=int, default=1_000_000)
    parser.add_argument("--no-clock", action="store_true", help="skip the clock evaluation")
    parser.add_argument("--notices", type=int, default=25, help="notices to acknowledge, per user")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the working copy")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--docs", type=Path, help="write the figures into this page")
    parser.add_argument("--swarm", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.swarm:
        return swarm_main(args.swarm, args.out)

    def stop(signum, frame):
        raise SystemExit(f"Stopped by {signal.strsignal(signum)}")

    signal.signal(signal.SIGTERM, stop)
    result = run(args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, default=str))
    print_report(result)
    if args.docs:
        write_docs(args.docs, markdown(result))
    return 0 if result["target"]["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
