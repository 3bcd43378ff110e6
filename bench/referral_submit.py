"""Measure submitting a referral about a child with 20 agencies in the network.

    .venv/bin/python bench/referral_submit.py \\
        --database-url postgres://postgres@127.0.0.1:5432/threadline_bench --samples 200

Issue "Referrals, and notices": submitting a referral for a child with 20 agencies in
the network takes p95 ≤ 100 ms of server time (delivery is queued, not inline).

Submitting writes and commits: the referral, its audit rows, one notice to the front door
and alerts to the rest of the network with their recipients and email outbox rows, and,
once the transaction commits, the queued tasks (django_tasks_db's DatabaseBackend, as in
production: a row per task). To measure exactly that, commits and on-commit enqueues
included, without leaving anything behind, the script works on a copy: it clones the
bench database (`CREATE DATABASE … TEMPLATE`, a few seconds at 200,000 people), migrates
the copy, gives --samples random children with an open case 20 agencies with an
involvement in force (plus the referrer's own), measures, and drops the copy. The bench
database itself is only read, by PostgreSQL's copy.

Per child, as a practitioner of a partner agency involved with the child (in-process,
Django's test client, the whole middleware stack, DEBUG off, persistent connection): the
referral form is opened (GET, untimed, as a referrer would), then two referrals are
submitted in random order, each timed:

  (form) POST /people/<id>/referrals/new/: the web form, signed in with a session;
  (api)  POST /api/v1/referrals/: an agency system, `Authorization: Token`, with an
         `Idempotency-Key` as docs/api.md asks of writes.

Reported: p50/p95 server time against the 100 ms target; queries per submit (counted on
every timed submit, cross-checked with CaptureQueriesContext); rows written per submit
(notices, recipients, deliveries, audit rows, task rows); queries and rows at 10, 20 and
40 agencies (an N+1 shows as queries growing with the network); and where the time goes:
each query's time by the Threadline line that ran it, the services timed whole, COMMIT,
and the on-commit enqueues.
"""

import argparse
import gc
import json
import os
import random
import re
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import benchenv
from child_page import (
    QueryTimer,
    is_transaction_control,
    patch_sites,
    patched,
    server_settings,
    summarise,
)

VARIANTS = ("form", "api")
LABELS = {
    "form": "web form: POST /people/<id>/referrals/new/",
    "api": "API: POST /api/v1/referrals/",
}
TARGET_P95_MS = 100.0
COPY_MARK = "_rs_"  # <bench database>_rs_<pid>: this script's copies (benchenv.working_copy)

CONCERNS = [
    "{name} came to school today with a bruise on the left cheek and another on the upper "
    "arm, and said that mum's boyfriend 'got angry' last night.",
    "This is the third time this half-term that {name} has arrived hungry and in the same "
    "clothes; {name} asked the class teacher whether there would be breakfast club tomorrow.",
    "A neighbour called the police at 23:40 about shouting and a child crying; officers "
    "found {name} alone with a younger sibling while the adults were out.",
    "{name} told the school nurse that they do not want to go home because of the arguments "
    "and that they sleep on the sofa at a friend's flat most weekends.",
    "Mother disclosed at the appointment that she has started drinking again and that the "
    "father has been released and knows where they now live.",
    "{name} has missed eleven of the last twenty school days; home visits have found nobody "
    "in, and the family has not answered letters or calls.",
]
FAMILY_TOLD = [
    "Mother was told this afternoon that we are making a referral and why; she was upset "
    "but said she understood.",
    "Not told: telling the family could put {name} at greater risk before the front door "
    "has decided what to do.",
    "Both parents were told at the meeting today and were given the front door's number.",
]


class QueryCounter:
    """Counts statements, as child_page.QueryCounter, telling SQL queries from the
    savepoints nested `atomic` blocks set and release (which also pass through here)."""

    def __init__(self):
        self.count = 0
        self.control = 0

    def __call__(self, execute, sql, params, many, context):
        if is_transaction_control(sql):
            self.control += 1
        else:
            self.count += 1
        return execute(sql, params, many, context)


# --- The children and their networks ------------------------------------------------------


def prepare(args, rng: random.Random) -> dict:
    """Children with an open case, each given a network of exactly `size` agencies with
    an involvement in force (the case holder's children's social care among them), not
    counting the referrer's own agency, which is involved too: the referrer is a
    practitioner of a partner agency already around the child where there is one.

    Added involvements are agencies of the child's own area first, then of the other
    areas (there are 13 kinds of agency per area, so 20 agencies span areas), never
    another area's children's social care (the front door stays the case holder's)."""
    from django.utils import timezone
    from generate import ROLES
    from rest_framework.authtoken.models import Token

    from threadline.agencies.models import Agency, AgencyType, Practitioner, Role
    from threadline.cases.models import Case, Involvement
    from threadline.sharing.models import AGENCY_CATEGORY

    today = timezone.localdate()
    agencies = {a.pk: a for a in Agency.objects.all()}
    by_area: dict[str, list] = defaultdict(list)
    for agency in sorted(agencies.values(), key=lambda a: a.code):
        by_area[agency.area].append(agency)
    staff: dict = defaultdict(list)
    for pk, agency_id in (
        Practitioner.objects.filter(is_active=True, role=Role.PRACTITIONER, agency__isnull=False)
        .order_by("username")
        .values_list("pk", "agency_id")
    ):
        staff[agency_id].append(pk)

    def kind(agency) -> str:
        return agency.code.rsplit("-", 1)[-1]

    cases = list(
        Case.objects.filter(closed_on__isnull=True)
        .order_by("reference")
        .values_list("pk", "child_id", "local_authority_id", "opened_on")
    )
    if not cases:
        raise SystemExit("No open case: generate the bench data first")
    rng.shuffle(cases)
    groups = [("warmup", args.agencies, args.warmup), ("timed", args.agencies, args.samples)]
    groups += [("scale", size, args.scale_children) for size in args.scale]
    wanted = sum(n for _g, _s, n in groups)
    pool = cases[: wanted * 2]
    in_force: dict = defaultdict(list)
    for case_id, agency_id, practitioner_id, confidentiality in (
        Involvement.objects.current()
        .filter(case_id__in=[c[0] for c in pool])
        .values_list("case_id", "agency_id", "practitioner_id", "confidentiality")
    ):
        in_force[case_id].append((agency_id, practitioner_id, confidentiality))

    new_rows: list = []
    chosen: dict[str, list[dict]] = defaultdict(list)
    existing_sizes = []
    it = iter(pool)
    for group, size, count in groups:
        while len(chosen[f"{group}:{size}"]) < count:
            try:
                case_id, child_id, la_id, opened_on = next(it)
            except StopIteration:
                raise SystemExit("Not enough open cases for the samples asked for") from None
            rows = in_force[case_id]
            la = agencies[la_id]
            partners = [
                (a, p)
                for a, p, conf in rows
                if p is not None
                and conf == "normal"
                and agencies[a].agency_type != AgencyType.CHILDRENS_SOCIAL_CARE
            ]
            added = []
            if partners:
                referrer_agency_id, referrer_id = rng.choice(sorted(partners))
            else:  # nobody to refer from: the area's school refers
                school = next(a for a in by_area[la.area] if kind(a) == "school")
                referrer_agency_id, referrer_id = school.pk, rng.choice(staff[school.pk])
                added.append((school, referrer_id))
            network = {a for a, _p, _c in rows} - {referrer_agency_id}
            if len(network) > size:
                continue
            existing_sizes.append(len(network))
            own = [a for a in by_area[la.area] if kind(a) != "csc"]
            others = [
                a
                for area, members in sorted(by_area.items())
                if area != la.area
                for a in members
                if kind(a) != "csc"
            ]
            rng.shuffle(own)
            rng.shuffle(others)
            for agency in own + others:
                if len(network) == size:
                    break
                if agency.pk in network or agency.pk == referrer_agency_id:
                    continue
                network.add(agency.pk)
                added.append((agency, rng.choice(staff[agency.pk]) if staff[agency.pk] else None))
            if len(network) < size:
                raise SystemExit(f"Only {len(network)} agencies to involve; asked for {size}")
            for agency, practitioner_id in added:
                new_rows.append(
                    Involvement(
                        case_id=case_id,
                        agency_id=agency.pk,
                        practitioner_id=practitioner_id,
                        role=rng.choice(ROLES.get(kind(agency), ["Practitioner"])),
                        from_date=max(opened_on, today - timedelta(days=rng.randint(7, 365))),
                        category=str(AGENCY_CATEGORY[agency.agency_type]),
                        confidentiality="normal",
                    )
                )
            chosen[f"{group}:{size}"].append(
                {
                    "child_id": child_id,
                    "case_id": case_id,
                    "referrer_id": referrer_id,
                    "front_door_id": la_id,
                    "network": size,
                }
            )
    Involvement.objects.bulk_create(new_rows, batch_size=1000)

    referrer_ids = {c["referrer_id"] for group in chosen.values() for c in group}
    referrers = Practitioner.objects.select_related("agency").in_bulk(referrer_ids)
    tokens = {
        pk: Token.objects.get_or_create(user=referrers[pk])[0].key for pk in sorted(referrer_ids)
    }
    return {
        "groups": chosen,
        "referrers": referrers,
        "tokens": tokens,
        "added_involvements": len(new_rows),
        "existing_network_median": statistics.median(existing_sizes),
        "referrer_roles": dict(
            Counter(
                f"{referrers[c['referrer_id']].agency.get_agency_type_display()}"
                for c in chosen[f"timed:{args.agencies}"]
            ).most_common()
        ),
    }


# --- Submitting -----------------------------------------------------------------------------


class Submitter:
    """One referral per call, through the test client, for either variant.

    Two clients, each one request handler (one middleware stack), as a server worker
    has: a client per referrer would build a handler each, and WhiteNoise's index of
    the static files with it, and the growing heap would slow Python's collections.
    The web client carries the session cookie of whichever referrer is submitting."""

    def __init__(self, prepared: dict, rng: random.Random):
        from django.conf import settings
        from django.test import Client

        self.rng = rng
        self.referrers = prepared["referrers"]
        self.tokens = prepared["tokens"]
        self.sessions: dict = {}  # referrer id → session key
        self.cookie = settings.SESSION_COOKIE_NAME
        self.web = Client()
        self.api = Client()  # no session: the token authenticates
        self.last_cpu_ms = 0.0

    def session_for(self, referrer_id):
        if referrer_id not in self.sessions:
            # A new session: signing in over another referrer's would flush theirs.
            self.web.cookies.pop(self.cookie, None)
            self.web.force_login(self.referrers[referrer_id])
            self.sessions[referrer_id] = self.web.cookies[self.cookie].value
        self.web.cookies[self.cookie] = self.sessions[referrer_id]
        return self.web

    def payload(self, child_name: str) -> dict:
        from threadline.referrals.models import ConcernCategory, SharingBasis, Urgency

        rng = self.rng
        first = child_name.split()[0] if child_name.strip() else "the child"
        urgency = rng.choices([Urgency.STANDARD, Urgency.URGENT, Urgency.IMMEDIATE], [6, 3, 1])[0]
        return {
            "concerns": " ".join(s.format(name=first) for s in rng.sample(CONCERNS, 3)),
            "categories": sorted(rng.sample(list(ConcernCategory.values), rng.randint(1, 3))),
            "urgency": str(urgency),
            "family_told": rng.choice(FAMILY_TOLD).format(name=first),
            "sharing_basis": str(rng.choice(list(SharingBasis.values))),
        }

    def open_form(self, child: dict):
        from django.urls import reverse

        url = reverse("child-referral-create", kwargs={"person_id": child["child_id"]})
        return self.session_for(child["referrer_id"]).get(url)

    def submit(self, variant: str, child: dict, wrapper=None):
        """(response, ms, referral id or None, problem or None)."""
        from django.db import connection
        from django.urls import reverse

        payload = self.payload(child.get("name", ""))
        if variant == "form":
            client = self.session_for(child["referrer_id"])
            url = reverse("child-referral-create", kwargs={"person_id": child["child_id"]})
            kwargs = {"data": payload}
        else:
            client = self.api
            url = reverse("api-referral-list")
            kwargs = {
                "data": json.dumps({"child": str(child["child_id"]), **payload}),
                "content_type": "application/json",
                "headers": {
                    "Authorization": f"Token {self.tokens[child['referrer_id']]}",
                    "Idempotency-Key": str(uuid.uuid4()),
                },
            }
        with connection.execute_wrapper(wrapper or QueryCounter()):
            cpu_started = time.process_time()
            started = time.perf_counter()
            response = client.post(url, **kwargs)
            elapsed = (time.perf_counter() - started) * 1000
            # This process's CPU only: Django's side, without PostgreSQL's work and
            # without the time other work on the machine took the CPU from us.
            self.last_cpu_ms = (time.process_time() - cpu_started) * 1000
        referral_id, problem = None, None
        if variant == "form":
            # The browser follows the redirect and the next page shows (and so clears) the
            # success message; left in the cookie, messages would pile up into the session.
            client.cookies.pop("messages", None)
            found = re.fullmatch(r"/referrals/([0-9a-f-]{36})/", response.get("Location", ""))
            if response.status_code != 302 or not found:
                problem = f"form {child['child_id']}: HTTP {response.status_code}"
            else:
                referral_id = found.group(1)
        elif response.status_code != 201:
            problem = (
                f"api {child['child_id']}: HTTP {response.status_code} {response.content[:300]!r}"
            )
        else:
            referral_id = response.json()["id"]
        return response, elapsed, referral_id, problem


class GCTimer:
    """Time spent in Python's garbage collector (gc.callbacks) since the last reset."""

    def __init__(self):
        self.ms = 0.0
        self.full: list[float] = []  # the generation-2 (whole heap) collections, ms
        self._started = 0.0

    def __call__(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter()
        else:
            ms = (time.perf_counter() - self._started) * 1000
            self.ms += ms
            if info.get("generation") == 2:
                self.full.append(ms)

    def __enter__(self):
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self)


# --- What a submit writes -----------------------------------------------------------------


def table_counts() -> dict:
    """Rows in every table a submit writes to (the copy's: all small but the audit
    trail, read from its chain head)."""
    from django.contrib.sessions.models import Session
    from django_tasks_db.models import DBTaskResult

    from threadline.audit.models import AuditChainHead
    from threadline.common.models import IdempotencyRecord
    from threadline.notices.models import Delivery, Notice, NoticeRecipient
    from threadline.referrals.models import Referral

    return {
        "referrals": Referral.objects.count(),
        "notices": Notice.objects.count(),
        "recipients": NoticeRecipient.objects.count(),
        "deliveries": Delivery.objects.count(),
        "audit_events": AuditChainHead.objects.get(pk=1).last_seq,
        "task_rows": DBTaskResult.objects.count(),
        "idempotency_records": IdempotencyRecord.objects.count(),
        "sessions": Session.objects.count(),
    }


def notices_since(moment) -> list[dict]:
    """The notices written since `moment`, with their recipients and email outbox rows."""
    from django.db.models import Count

    from threadline.notices.models import Notice

    out = []
    for notice in (
        Notice.objects.filter(created_at__gte=moment)
        .annotate(recipients_n=Count("recipients", distinct=True))
        .annotate(deliveries_n=Count("recipients__deliveries", distinct=True))
        .order_by("created_at")
    ):
        what = notice.notice_type
        if what == "alert":
            what = "alert: involved with the child" if notice.link else "alert: family only"
        out.append(
            {"notice": what, "recipients": notice.recipients_n, "deliveries": notice.deliveries_n}
        )
    return out


def tasks_since(moment) -> dict:
    """The task rows queued since `moment`, by task (deferred: with a run_after)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    never = get_date_max()
    rows = DBTaskResult.objects.filter(enqueued_at__gte=moment).values_list(
        "task_path", "run_after"
    )
    return dict(
        Counter(
            path.rsplit(".", 1)[-1] + (" (deferred)" if after != never else "")
            for path, after in rows
        )
    )


# --- Where the time goes ------------------------------------------------------------------


def service_timers() -> tuple[list, dict]:
    """Patch sites timing, whole, the functions a submit runs (inclusive: send_notice
    includes its record_event), and the commit and the task enqueues."""
    from django_tasks_db.backend import DatabaseBackend

    from threadline.audit import services as audit_services
    from threadline.common import api as common_api
    from threadline.notices import services as notice_services
    from threadline.referrals import api as referrals_api
    from threadline.referrals import selectors
    from threadline.referrals.services import referrals
    from threadline.sharing import policy
    from threadline.timescales import calendar

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
        "referrals.services.make_referral (the transaction)": referrals.make_referral,
        "referrals.services._tell_front_door_and_network": referrals._tell_front_door_and_network,
        "notices.services.send_notice": notice_services.send_notice,
        "audit.services.record_event": audit_services.record_event,
        "referrals.selectors.network_of": selectors.network_of,
        "referrals.selectors.family_of": selectors.family_of,
        "referrals.selectors.front_door_for": selectors.front_door_for,
        "sharing.policy.get_person_for": policy.get_person_for,
        "sharing.policy.people_visible_to": policy.people_visible_to,
        "sharing.policy.referrals_visible_to": policy.referrals_visible_to,
        "common.api.validated (input serializer)": common_api.validated,
        "referrals.api._referral_response (read back, serialize)": referrals_api._referral_response,
        "timescales.calendar.add_working_hours": calendar.add_working_hours,
    }
    sites = patch_sites({f: timed(name, f) for name, f in targets.items()})
    enqueue = DatabaseBackend.enqueue
    sites.append(
        (DatabaseBackend, "enqueue", enqueue, timed("tasks: DatabaseBackend.enqueue", enqueue))
    )
    return sites, calls


class CommitTimer:
    """Times COMMIT (not an execute(): Django calls the driver's commit())."""

    def __init__(self, calls: dict):
        from django.db import connections

        self.wrapper = connections["default"]
        self.calls = calls

    def __enter__(self):
        original = self.wrapper._commit

        def timed_commit():
            started = time.perf_counter()
            try:
                return original()
            finally:
                self.calls["COMMIT (driver)"].append((time.perf_counter() - started) * 1000)

        self.wrapper._commit = timed_commit
        return self

    def __exit__(self, *exc):
        del self.wrapper._commit


class SiteTimer(QueryTimer):
    """QueryTimer, also noting writes made outside any transaction: each is a commit of
    its own (a WAL flush with synchronous_commit on)."""

    def __init__(self):
        super().__init__()
        self.autocommit_writes: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        from django.db import connection

        found = re.match(r'\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)', sql, re.IGNORECASE)
        if found and not connection.in_atomic_block:
            self.autocommit_writes.append(f"{found.group(1).upper()} {found.group(2)}")
        return super().__call__(execute, sql, params, many, context)


def explain(queries, how_many: int) -> list[dict]:
    from django.db import connection

    out = []
    for site, ms, sql, params in sorted(queries, key=lambda q: -q[1]):
        if not sql.lstrip().upper().startswith("SELECT") or "FOR UPDATE" in sql.upper():
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            raw = cursor.cursor
            literal = raw.mogrify(sql, params) if hasattr(raw, "mogrify") else sql
        out.append({"site": site, "ms": round(ms, 2), "sql": literal, "plan": plan})
        if len(out) == how_many:
            break
    return out


def postgres_settings() -> dict:
    from django.db import connection

    found = server_settings()
    with connection.cursor() as cursor:
        for name in ("synchronous_commit", "fsync", "wal_sync_method", "commit_delay"):
            cursor.execute(f"SHOW {name}")
            found[name] = cursor.fetchone()[0]
    return found


# --- The run --------------------------------------------------------------------------------


def run(args, source_url: str, copy: dict) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import get_resolver

    from threadline.notices.tasks import deliver_notices
    from threadline.people.models import Person

    backend = type(deliver_notices.get_backend())
    if f"{backend.__module__}.{backend.__qualname__}" != "django_tasks_db.backend.DatabaseBackend":
        raise SystemExit(f"Tasks go to {backend}, not django_tasks_db's DatabaseBackend")
    assert get_resolver().url_patterns  # every view module imported: names to patch

    rng = random.Random(args.seed)
    started_at = time.perf_counter()
    t = time.perf_counter()
    prepared = prepare(args, rng)
    prepare_s = time.perf_counter() - t
    groups = prepared["groups"]
    every = [c for group in groups.values() for c in group]
    names = {
        p.pk: (p.full_name or "").strip()
        for p in Person.objects.filter(pk__in=[c["child_id"] for c in every])
    }
    for child in every:
        child["name"] = names.get(child["child_id"], "")
    submitter = Submitter(prepared, random.Random(args.seed + 1))
    problems: list[str] = []
    order_rng = random.Random(args.seed + 2)

    def one(variant, child, wrapper=None):
        _response, ms, referral_id, problem = submitter.submit(variant, child, wrapper)
        if problem:
            problems.append(problem)
        return ms, referral_id

    # Warm up: code paths, templates, the connection, the planner's caches.
    for child in groups[f"warmup:{args.agencies}"]:
        submitter.open_form(child)
        for variant in VARIANTS:
            one(variant, child)

    # Timed: child by child, the form opened first (untimed, as a referrer would), then
    # one referral per variant in random order, until done or the time budget is spent.
    before = table_counts()
    load_before = os.getloadavg()[0]
    timings = {v: [] for v in VARIANTS}
    cpu = {v: [] for v in VARIANTS}
    gc_ms = {v: [] for v in VARIANTS}
    gc_full = {v: [] for v in VARIANTS}
    counts = {v: [] for v in VARIANTS}
    heap_before = len(gc.get_objects())
    loads = []
    measured = []
    budget_end = time.perf_counter() + args.budget_minutes * 60
    gc.collect()
    for child in groups[f"timed:{args.agencies}"]:
        if measured and time.perf_counter() > budget_end:
            break
        submitter.open_form(child)
        order = list(VARIANTS)
        order_rng.shuffle(order)
        for variant in order:
            counter = QueryCounter()
            with GCTimer() as collecting:
                ms, _id = one(variant, child, counter)
            timings[variant].append(ms)
            cpu[variant].append(submitter.last_cpu_ms)
            gc_ms[variant].append(collecting.ms)
            gc_full[variant].extend(collecting.full)
            counts[variant].append(counter.count)
        measured.append(child)
        loads.append(os.getloadavg()[0])
    after = table_counts()
    load_after = os.getloadavg()[0]
    heap_after = len(gc.get_objects())
    submits = sum(len(v) for v in timings.values())
    written_total = {k: after[k] - before[k] for k in after}

    # What one submit writes, and the statements CaptureQueriesContext sees (the queries
    # above plus transaction control), on --capture of the measured children again.
    per_submit: dict = {v: defaultdict(list) for v in VARIANTS}
    notices: dict = {v: [] for v in VARIANTS}
    tasks: dict = {v: [] for v in VARIANTS}
    captured_counts: dict = {v: [] for v in VARIANTS}
    savepoints: dict = {v: [] for v in VARIANTS}
    expected = {"referral": 1, "alert: involved with the child": args.agencies - 1}
    for child in measured[: args.capture]:
        for variant in VARIANTS:
            counts_before = table_counts()
            moment = datetime.now(UTC)
            counter = QueryCounter()
            with CaptureQueriesContext(connection) as captured:
                one(variant, child, counter)
            for table, n in table_counts().items():
                per_submit[variant][table].append(n - counts_before[table])
            written = notices_since(moment)
            notices[variant].append(written)
            tasks[variant].append(tasks_since(moment))
            statements = captured.captured_queries
            control = sum(1 for q in statements if is_transaction_control(q["sql"]))
            captured_counts[variant].append(len(statements))
            savepoints[variant].append(counter.control)
            if len(statements) - control != counter.count:
                problems.append(
                    f"{variant}: CaptureQueriesContext saw {len(statements)} statements "
                    f"({control} transaction control), the counter {counter.count} queries"
                )
            got = {n["notice"]: n["recipients"] for n in written}
            for what, want in expected.items():
                if got.get(what) != want:
                    problems.append(f"{variant} {child['child_id']}: {what} to {got.get(what)}")

    # Queries and rows as the network grows: constant queries, or an N+1.
    scaling = []
    for size in sorted({*args.scale, args.agencies}):
        children = groups.get(f"scale:{size}") or measured[: args.scale_children]
        for variant in VARIANTS:
            queries, recipients, sent, ms_all = [], [], [], []
            for child in children:
                moment = datetime.now(UTC)
                counter = QueryCounter()
                ms, _id = one(variant, child, counter)
                written = notices_since(moment)
                queries.append(counter.count)
                recipients.append(sum(n["recipients"] for n in written))
                sent.append(len(written))
                ms_all.append(ms)
            scaling.append(
                {
                    "agencies": size,
                    "variant": variant,
                    "children": len(children),
                    "queries": sorted(set(queries)),
                    "recipients": sorted(set(recipients)),
                    "notices": sorted(set(sent)),
                    "median_ms": round(statistics.median(ms_all), 1),
                }
            )

    # Where the time goes, on --profile of the measured children again.
    sites_patch, calls = service_timers()
    by_site: dict = {v: defaultdict(list) for v in VARIANTS}
    functions: dict = {v: defaultdict(list) for v in VARIANTS}
    split: dict = {v: defaultdict(list) for v in VARIANTS}
    autocommit: dict = {v: [] for v in VARIANTS}
    slowest = None
    for child in measured[: args.profile]:
        for variant in VARIANTS:
            timer = SiteTimer()
            calls.clear()
            with patched(sites_patch), CommitTimer(calls):
                ms, _id = one(variant, child, timer)
            sql_ms = sum(q[1] for q in timer.queries)
            commit_ms = sum(calls.get("COMMIT (driver)", []))
            split[variant]["request_ms"].append(ms)
            split[variant]["sql_ms"].append(sql_ms)
            split[variant]["commit_ms"].append(commit_ms)
            split[variant]["python_ms"].append(ms - sql_ms - commit_ms)
            split[variant]["commits"].append(len(calls.get("COMMIT (driver)", [])))
            for name, values in calls.items():
                functions[variant][name].append((sum(values), len(values)))
            seen: Counter = Counter()
            for site, q_ms, _sql, _params in timer.queries:
                seen[site] += 1
                key = site if seen[site] == 1 else f"{site} (#{seen[site]})"
                by_site[variant][key].append(q_ms)
            autocommit[variant].append(timer.autocommit_writes)
            if variant == "form" and slowest is None:
                slowest = timer.queries
    sites_table = []
    for key in set().union(*(by_site[v] for v in VARIANTS)):
        row = {"site": key}
        for v in VARIANTS:
            values = by_site[v].get(key, [])
            row[f"{v}_ms"] = round(statistics.median(values), 3) if values else None
        sites_table.append(row)
    sites_table.sort(key=lambda r: -max(r[f"{v}_ms"] or 0 for v in VARIANTS))
    functions_table = []
    for name in sorted(set().union(*(functions[v] for v in VARIANTS))):
        row = {"function": name}
        for v in VARIANTS:
            values = functions[v].get(name, [])
            row[f"{v}_ms"] = (
                round(statistics.median(ms for ms, _n in values), 2) if values else None
            )
            row[f"{v}_calls"] = statistics.median(n for _ms, n in values) if values else 0
        functions_table.append(row)
    functions_table.sort(key=lambda r: -(r["form_ms"] or 0))

    summary = {v: {**summarise(timings[v]), "label": LABELS[v]} for v in VARIANTS}
    for v in VARIANTS:
        django_cpu = summarise(cpu[v])
        summary[v]["django_cpu"] = {"p50_ms": django_cpu["p50_ms"], "p95_ms": django_cpu["p95_ms"]}
        summary[v]["gc"] = {
            "full_collections": len(gc_full[v]),
            "full_collection_ms_median": round(statistics.median(gc_full[v]), 1)
            if gc_full[v]
            else None,
            "submits_with_collection": sum(1 for ms in gc_ms[v] if ms),
            "total_ms": round(sum(gc_ms[v]), 1),
            "max_ms": round(max(gc_ms[v]), 1),
        }
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
            summary[v]["savepoint_statements"] = statistics.median(savepoints[v])
        summary[v]["verdict"] = "met" if summary[v]["p95_ms"] <= TARGET_P95_MS else "missed"
        summary[v]["rows_per_submit"] = {
            table: {
                "n": len(values),
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
            }
            for table, values in per_submit[v].items()
        }
        summary[v]["notices_per_submit"] = _notice_summary(notices[v])
        summary[v]["tasks_per_submit"] = _task_summary(tasks[v])
        summary[v]["time_split"] = (
            {name: round(statistics.median(values), 2) for name, values in split[v].items()}
            if split[v]
            else {}
        )
        outside = Counter(write for writes in autocommit[v] for write in writes)
        summary[v]["autocommit_writes"] = [
            {"write": write, "per_submit": round(n / len(autocommit[v]), 2)}
            for write, n in sorted(outside.items())
        ]
    return {
        "benchmark": "referral submission",
        "database": benchenv.database_name(source_url),
        "measured_on": copy["name"],
        "data": benchenv.read_description(source_url) or {},
        "copy_seconds": copy["seconds"],
        "migrations_applied_to_copy": copy["migrations"],
        "rebuilt_in_copy": copy["rebuilt"],
        "tasks_backend": settings.TASKS["default"]["BACKEND"],
        "agencies": args.agencies,
        "network": {
            "agencies": args.agencies,
            "existing_median": prepared["existing_network_median"],
            "involvements_added": prepared["added_involvements"],
            "referrers": prepared["referrer_roles"],
        },
        "samples": len(measured),
        "samples_wanted": args.samples,
        "submits": submits,
        "budget_minutes": args.budget_minutes,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started_at),
        "prepare_seconds": round(prepare_s, 1),
        "load_average": f"{load_before:.1f}→{load_after:.1f}",
        "load_average_range": [min(loads), max(loads)],
        "python_heap_objects": [heap_before, heap_after],
        "target_p95_ms": TARGET_P95_MS,
        "variants": summary,
        "written_in_timed_pass": written_total,
        "scaling": scaling,
        "sites": sites_table[:30],
        "functions": functions_table,
        "profiled_children": min(args.profile, len(measured)),
        "explain": explain(slowest, args.explain) if args.explain and slowest else [],
        "problems": problems[:20],
        "postgres": postgres_settings(),
        "command": " ".join([".venv/bin/python", "bench/referral_submit.py", *sys.argv[1:]]),
    }


def _notice_summary(samples: list[list[dict]]) -> list[dict]:
    """Per kind of notice: how many per submit, recipients and deliveries (medians)."""
    if not samples:
        return []
    kinds = sorted({n["notice"] for sample in samples for n in sample})
    out = []
    for what in kinds:
        per = [[n for n in sample if n["notice"] == what] for sample in samples]
        out.append(
            {
                "notice": what,
                "notices": statistics.median(len(p) for p in per),
                "recipients": statistics.median(sum(n["recipients"] for n in p) for p in per),
                "recipients_max": max(sum(n["recipients"] for n in p) for p in per),
                "deliveries": statistics.median(sum(n["deliveries"] for n in p) for p in per),
            }
        )
    return out


def _task_summary(samples: list[dict]) -> dict:
    if not samples:
        return {}
    names = sorted({name for sample in samples for name in sample})
    return {name: statistics.median(s.get(name, 0) for s in samples) for name in names}


def print_report(result: dict) -> None:
    data = result["data"]
    print(
        f"\nReferral submission on {result['database']} (a copy: {result['measured_on']}): "
        f"{data.get('people', 0):,} people, {data.get('children', 0):,} children; "
        f"{result['agencies']} agencies in each child's network; {result['samples']} of "
        f"{result['samples_wanted']} children × 1 submit per variant ({result['seconds']} s; "
        f"copy {result['copy_seconds']} s, set-up {result['prepare_seconds']} s)"
    )
    print(
        f"  tasks backend: {result['tasks_backend']}; referrers: {result['network']['referrers']}"
    )
    for v, s in result["variants"].items():
        q = s["queries"]
        print(
            f"  ({v}) {s['label']:<42} p50 {s['p50_ms']:7.1f} ms   p95 {s['p95_ms']:7.1f} ms"
            f"   queries {q['median']:g} (min {q['min']}, max {q['max']})"
            + (
                f"; + {s['savepoint_statements']:g} savepoint statements; "
                f"CaptureQueriesContext {s['statements_captured']['median']:g} statements"
                if "statements_captured" in s
                else ""
            )
            + f"   target p95 ≤ {result['target_p95_ms']:g} ms: {s['verdict'].upper()}"
        )
        print(
            f"       Django process CPU: p50 {s['django_cpu']['p50_ms']:.1f} ms, "
            f"p95 {s['django_cpu']['p95_ms']:.1f} ms; garbage collection in "
            f"{s['gc']['submits_with_collection']} submits, {s['gc']['total_ms']} ms in all, "
            f"at most {s['gc']['max_ms']} ms ({s['gc']['full_collections']} full collections, "
            f"median {s['gc']['full_collection_ms_median']} ms)"
        )
    low, high = result["load_average_range"]
    print(f"  load average during the timed pass: {low:.2f}–{high:.2f}")
    before, after = result["python_heap_objects"]
    print(f"  objects tracked by the GC before → after the timed pass: {before:,} → {after:,}")
    for v, s in result["variants"].items():
        rows = ", ".join(
            f"{table} {r['median']:g}" for table, r in s["rows_per_submit"].items() if r["max"]
        )
        print(f"\n  ({v}) rows written per submit: {rows}")
        for n in s["notices_per_submit"]:
            print(
                f"      {n['notice']:<32} notices {n['notices']:g}, recipients "
                f"{n['recipients']:g} (max {n['recipients_max']}), deliveries {n['deliveries']:g}"
            )
        print(f"      tasks queued: {s['tasks_per_submit']}")
        t = s["time_split"]
        if t:
            print(
                f"      time: request {t['request_ms']:.1f} ms = SQL {t['sql_ms']:.1f} + COMMIT "
                f"{t['commit_ms']:.1f} ({t['commits']:g} commits) + Python {t['python_ms']:.1f}"
            )
        for w in s["autocommit_writes"] or []:
            print(f"      outside the transaction: {w['per_submit']:g} × {w['write']}")
    print("\n  Network size → queries / recipients written (N+1 check):")
    for row in result["scaling"]:
        print(
            f"    {row['agencies']:>3} agencies ({row['variant']:<4}) queries {row['queries']} "
            f"notices {row['notices']} recipients {row['recipients']} "
            f"median {row['median_ms']} ms"
        )
    print(
        f"\n  Functions timed whole (inclusive, median ms per submit over "
        f"{result['profiled_children']} children; calls), form / api:"
    )
    for row in result["functions"]:
        cell = " ".join(
            f"{row[f'{v}_ms'] if row[f'{v}_ms'] is not None else '-':>8} ({row[f'{v}_calls']:g})"
            for v in VARIANTS
        )
        print(f"    {cell}  {row['function']}")
    print("\n  Slowest queries by the line that ran them (median ms), form / api:")
    for row in result["sites"][:16]:
        cell = " ".join(
            f"{row[f'{v}_ms'] if row[f'{v}_ms'] is not None else '-':>8}" for v in VARIANTS
        )
        print(f"    {cell}  {row['site']}")
    for item in result["explain"]:
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
    parser.add_argument("--samples", type=int, default=200, help="random children")
    parser.add_argument(
        "--agencies",
        type=int,
        default=20,
        help="agencies in each child's network, besides the referrer's own",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--warmup", type=int, default=10, help="children referred untimed first")
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=15,
        help="stop the timed pass after this long, with the children measured so far",
    )
    parser.add_argument(
        "--scale",
        type=lambda s: [int(x) for x in s.split(",") if x],
        default=[10, 40],
        help="other network sizes for the query-count check (comma-separated)",
    )
    parser.add_argument("--scale-children", type=int, default=5)
    parser.add_argument(
        "--profile", type=int, default=10, help="children whose queries are timed one by one"
    )
    parser.add_argument(
        "--capture", type=int, default=10, help="children counted with CaptureQueriesContext"
    )
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN the N slowest SELECTs")
    parser.add_argument(
        "--keep-copy", action="store_true", help="leave the copy on the server (to inspect it)"
    )
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    if urlsplit(args.database_url).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit("The bench runs on PostgreSQL: pass --database-url postgres://…")
    if not benchenv.database_exists(args.database_url):
        raise SystemExit(f"No database {args.database_url}: run bench/generate.py first")

    # As production queues: a task row in the database, written once the referral's
    # transaction commits (THREADLINE_ENV=local selects it too; this makes it explicit).
    os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    with benchenv.working_copy(args.database_url, mark=COPY_MARK, keep=args.keep_copy) as copy:
        result = run(args, args.database_url, copy)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, default=str))
    print_report(result)
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
