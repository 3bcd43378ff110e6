"""Generate a large, fictional but plausible Threadline database for benchmarks.

    .venv/bin/python bench/generate.py --people 200000 --children 50000 --seed 42 \\
        --database-url postgres://postgres@127.0.0.1:5432/threadline_bench
    .venv/bin/python bench/generate.py --small        # 20,000 people / 5,000 children

What it makes, per area (5 by default, each with the demo's 13 kinds of agency):
families of one to four children, each child with an open case, a network of 3–12
involvements (some ended), one to three allocations, the adults around them (mothers,
fathers, partners, grandparents, aunts and uncles, family friends) with relationships,
one to four addresses per family (households of two to six sharing an Address), names
(legal, previous, aliases), agencies' local references, sharing agreements like the
demo's, a few access requests and past break-glass, and an audit trail of about 2.5 rows
per person whose HMAC chain `threadline audit verify` accepts.

Then, as a step of its own, risk factors (2.5 per person by default: 500,000 at 200,000
people): most about adults (parents and carers above all), some about children, with the
census factor codes of the Factor table, recorded by the kinds of agency that would know
(police, recovery services, GPs, schools, …), about two-thirds active, some under review
(some of those closures waiting for sign-off), the rest closed with a rationale and a
manager's sign-off; a few restricted to named people; reviews. The step reads the people
back from the database, so it can be added to (or redone on) a database generated
before it without regenerating the people:

    .venv/bin/python bench/generate.py --if-needed ...   # adds the risks if missing
    .venv/bin/python bench/generate.py --only-risks ...  # redoes only the risks

Then, as a third step, the statutory clock's events (timescales.ClockEvent) for every
open case: the referral that opened it (most) and later ones, the front door's
decisions, assessments, strategy discussions, initial and review conferences (most with
a plan, its core groups and its end), looked-after episodes with their reviews (12%),
supervision orders with their reviews, extension meetings and extensions (3%), care
proceedings concluded, a few police protections and emergency protection orders, every
allocation, and every risk factor's review dates and reviews (about adults too), with
the keys and details the services write. No tasks: the statutory clock's full
re-evaluation (`threadline clock evaluate`, bench/clock.py) makes them. The step reads
the cases and risks back; --if-needed adds it if missing or out of date (after a risk
step), --only-clock redoes it, --no-clock leaves it out:

    .venv/bin/python bench/generate.py --only-clock ...  # redoes only the clock events

Everything is invented. NHS numbers come from the 999 range the NHS reserves for testing
and carry valid modulus-11 check digits. Given the same --seed and --as-of date the rows
are identical (created_at/updated_at included: they are derived from the data).

This is test scaffolding, not an entry path: it writes with bulk_create, bypassing the
services (and so their per-row validation, notices and audit events) to load millions of
rows in minutes. Nothing here may be used to load real data.
"""

import argparse
import hashlib
import json
import random
import re
import sys
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path

import benchenv
from django.db.models.base import ModelState

# The steps after the people (the risk factors, the clock events: each between its two
# marker lines below) have versions of their own, so that changing one redoes only that
# step (and the steps after it), not the people.
_SOURCE = Path(__file__).read_text(encoding="utf-8")
_RISK_PART = re.compile(r"^# ={3} Risk factors.*?^# ={3} End of the risk factors.*?$", re.M | re.S)
_CLOCK_PART = re.compile(r"^# ={3} Clock events.*?^# ={3} End of the clock events.*?$", re.M | re.S)
GENERATOR_VERSION = hashlib.sha256(
    _CLOCK_PART.sub("", _RISK_PART.sub("", _SOURCE)).encode()
).hexdigest()[:12]
RISKS_VERSION = hashlib.sha256("".join(_RISK_PART.findall(_SOURCE)).encode()).hexdigest()[:12]
CLOCK_VERSION = hashlib.sha256("".join(_CLOCK_PART.findall(_SOURCE)).encode()).hexdigest()[:12]

# --- Invented reference data ------------------------------------------------------------

AREAS = [
    ("Northmoor", "NM"),
    ("Ashcombe", "AC"),
    ("Redford Vale", "RV"),
    ("Sallowfield", "SF"),
    ("Brackenholt", "BH"),
    ("Kestrel Bay", "KB"),
    ("Wendlebury", "WD"),
    ("Thornhithe", "TH"),
]

# code suffix, name pattern, agency type (a value of AgencyType)
AGENCY_KINDS = [
    ("csc", "{area} Children's Social Care", "childrens_social_care"),
    ("hospital", "{area} General Hospital", "acute_hospital"),
    ("hv", "{area} Health Visiting", "health_visiting"),
    ("maternity", "{area} Maternity Service", "midwifery"),
    ("gp", "{street} Medical Practice", "gp"),
    ("police", "{area} Police", "police"),
    ("probation", "Probation Service, {area}", "probation"),
    ("fca", "{area} Family Court Advisers", "family_court_advisers"),
    ("legal", "{area} Council Legal Services", "local_authority_legal"),
    ("housing", "{area} District Housing", "housing"),
    ("recovery", "{area} Recovery Service", "adult_substance_misuse"),
    ("school", "{street} Primary School", "education"),
    ("partnership", "{area} Safeguarding Partnership", "partnership"),
]

# The area's sharing agreement, as in the demo: category → agency kinds that may see it
# (beyond the agency holding it).
SHARING = {
    "social_care": "all",
    "health": ["csc", "hospital", "hv", "maternity", "gp"],
    "mental_health": ["csc", "gp"],
    "substance_misuse": ["csc", "hospital", "hv", "maternity", "gp"],
    "police_intelligence": ["csc", "legal"],
    "probation": ["csc", "police"],
    "housing": ["csc", "hv"],
    "education": ["csc", "hv", "gp"],
    "legal": ["csc", "legal", "fca"],
}

ROLES = {
    "hospital": [
        "Paediatric liaison nurse",
        "Named nurse for safeguarding children",
        "Emergency department liaison",
        "Consultant paediatrician",
    ],
    "hv": ["Health visitor", "Health visitor (family)", "Community nursery nurse"],
    "maternity": ["Specialist safeguarding midwife", "Community midwife"],
    "gp": ["GP", "GP, safeguarding lead"],
    "police": [
        "Child abuse investigation",
        "Domestic abuse officer",
        "Neighbourhood officer",
        "Missing persons coordinator",
    ],
    "probation": [
        "Probation officer for the father",
        "Probation officer for the mother",
        "Probation officer for the mother's partner",
    ],
    "fca": ["Children's guardian in care proceedings", "Family court adviser"],
    "legal": ["Local-authority solicitor", "Child-care paralegal"],
    "housing": ["Tenancy officer", "Homelessness prevention officer"],
    "recovery": [
        "Recovery worker for the mother",
        "Recovery worker for the father",
        "Young people's substance-misuse worker",
    ],
    "school": [
        "Designated safeguarding lead",
        "Class teacher",
        "Special educational needs coordinator",
    ],
    "partnership": ["Multi-agency case audit", "Child safeguarding practice review"],
}

JOB_TITLES = {
    "csc": "Social worker",
    "hospital": "Paediatric liaison nurse",
    "hv": "Health visitor",
    "maternity": "Midwife",
    "gp": "GP",
    "police": "Detective constable",
    "probation": "Probation officer",
    "fca": "Family court adviser",
    "legal": "Child-care solicitor",
    "housing": "Tenancy officer",
    "recovery": "Recovery worker",
    "school": "Teacher",
    "partnership": "Partnership officer",
}


# Per involvement, how likely each agency is, by the child's age in years (None: unborn).
def _involvement_weights(age: int | None) -> dict[str, float]:
    young = age is None or age < 5
    return {
        "hospital": 2.0,
        "hv": 5.0 if young else 0.3,
        "maternity": 5.0 if age is None or age < 1 else 0.1,
        "gp": 4.0,
        "police": 3.0,
        "probation": 1.5,
        "fca": 1.0,
        "legal": 1.2,
        "housing": 1.5,
        "recovery": 1.5,
        "school": 5.0 if age is not None and age >= 4 else 0.2,
        "partnership": 0.2,
    }


def _words(text: str) -> list[str]:
    return text.split()


# Given names and family names by heritage; any combination is fictional.
NAMES = {
    "british": {
        "F": "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Poppy Evie "
        "Ella Daisy Chloe Jessica Ruby Lucy Holly Megan Leah Kerry Stacey Gemma Kelly Donna "
        "Tracey Nicola Sharon Karen Joanne Claire Lisa Emma Hayley Jade Paige Courtney",
        "M": "Oliver George Noah Arthur Leo Harry Oscar Archie Jack Charlie Freddie Alfie Thomas "
        "Jacob Riley Tyler Mason Logan Kai Callum Liam Connor Jordan Ryan Lewis Dean Shane "
        "Wayne Darren Lee Craig Gary Paul Mark Steven Jason Carl Kyle Reece",
        "family": "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright "
        "Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Hartley "
        "Pike Bennett Holloway Marsh Fletcher Dawson Barker Shaw Lowe Pearson "
        "Atkinson Heap Swindell "
        "Crowther Ackroyd Birtwistle Kershaw Ormerod Haworth Sutcliffe Greenwood Lister "
        "Doyle Murphy Kelly O'Brien Byrne McCarthy Walsh Gallagher",
    },
    "south_asian": {
        "F": "Aisha Fatima Maryam Zara Amira Hafsa Khadija Inaaya Anaya Priya Simran Harleen "
        "Jasleen Nusrat Shabana Rubina Farzana Nazia Sadia Tahira Asma",
        "M": "Muhammad Ibrahim Yusuf Ayaan Zayn Arjun Rohan Harvir Gurpreet Imran Asif Tariq "
        "Kamran Shahid Bilal Faisal Adnan Nadeem Sajid Rizwan Sukhdeep",
        "family": "Khan Ahmed Hussain Ali Begum Akhtar Iqbal Mahmood Rahman Chowdhury Uddin Patel "
        "Shah Singh Kaur Sandhu Gill Bains Qureshi Malik Raza Anwar Bibi",
    },
    "eastern_european": {
        "F": "Zuzanna Julia Maja Zofia Hanna Natalia Oliwia Alicja Katarzyna Agnieszka Ioana "
        "Andreea Elena Maria Daria Ewa Monika Kristina",
        "M": "Jakub Antoni Szymon Filip Kacper Mikolaj Piotr Tomasz Marek Pawel Andrei Mihai "
        "Ionut Bogdan Lukas Vasile Adrian Marius",
        "family": "Nowak Kowalski Wisniewski Wojcik Kaminski Lewandowski Zielinski Szymanski "
        "Popescu Ionescu Popa Dumitru Stan Munteanu Kazlauskas Petrov Horvath Novak",
    },
    "african_caribbean": {
        "F": "Amara Chioma Adaeze Abena Ama Esi Folake Ngozi Zainab Ayan Hodan Deka Shanice "
        "Tanisha Keisha Nia Imani Precious Blessing Favour",
        "M": "Chidi Emeka Kwame Kofi Tunde Femi Abdi Mohamed Hassan Tyrone Jermaine Marcus Andre "
        "Dwayne Malachi Elijah Josiah Samuel Daniel Emmanuel",
        "family": "Okafor Adeyemi Mensah Asante Boateng Okonkwo Eze Nwosu Adebayo Abdi Warsame "
        "Farah Campbell Francis Grant Clarke Henry Thomas Reid Richards Morgan",
    },
}
NAMES = {k: {s: v.split() for s, v in d.items()} for k, d in NAMES.items()}
HERITAGE = [  # heritage, weight, ethnicity codes (weighted), languages besides English
    ("british", 70, ["WBRI"] * 18 + ["WIRI", "WOTH", "MWBC", "MWAS", "MOTH", "WIRT", "WROM"], []),
    (
        "south_asian",
        11,
        ["APKN", "APKN", "AIND", "ABAN", "AOTH", "MWAS"],
        ["Urdu", "Punjabi", "Bengali", "Gujarati"],
    ),
    ("eastern_european", 8, ["WOTH", "WOTH", "WROM"], ["Polish", "Romanian", "Lithuanian"]),
    (
        "african_caribbean",
        11,
        ["BAFR", "BAFR", "BCRB", "BOTH", "MWBC", "MWBA"],
        ["Somali", "Yoruba", "Igbo", "Twi", "Arabic"],
    ),
]
NICKNAMES = {
    "Kerry": "Kez",
    "Jason": "Jay",
    "Nicola": "Nicky",
    "Steven": "Steve",
    "Samuel": "Sam",
    "Daniel": "Dan",
    "Jessica": "Jess",
    "Katarzyna": "Kasia",
    "Muhammad": "Mo",
    "Elizabeth": "Liz",
    "Thomas": "Tom",
    "Jacob": "Jake",
    "Rebecca": "Becky",
    "Oliver": "Ollie",
    "Charlie": "Chaz",
    "Alfie": "Alf",
    "Megan": "Meg",
    "Gemma": "Gem",
    "Wayne": "Wazza",
}
STREETS = _words("""
Bramble Lark Heron Willow Rowan Hawthorn Sycamore Juniper Linnet Kestrel Foxglove
Meadow Orchard Quarry Mill Chapel Church School Station Canal Tannery Ropewalk Weavers
Spinners Foundry Colliery Brook Beck Moor Fell Ridge Hollin Clough Ings Holme Carr
Field Acorn Beech Cedar Elm Hazel Laurel Maple Oak Poplar Alder Ash Birch Cherry
Damson Elder Gorse Heather Ivy Lavender Primrose Sorrel Thistle Violet Wren Swift
Plover Curlew Lapwing Tarn Ghyll Howe Knott Scar Brow Nook Fold Garth Croft Lea Dale
Slack Shaw
""")
STREET_TYPES = [
    "Close",
    "Road",
    "Street",
    "Avenue",
    "Way",
    "Lane",
    "Gardens",
    "Court",
    "Rise",
    "Crescent",
    "Drive",
    "Terrace",
    "Grove",
    "View",
    "Walk",
]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
UNUSABLE = "!"  # an unusable password hash: benchmarks sign in with force_login


# --- Generation ---------------------------------------------------------------------------


def nhs_numbers(rng: random.Random, count: int) -> list[str]:
    """`count` distinct valid NHS numbers from the 999 test range, in random order."""
    from threadline.people.validators import nhs_number_is_valid

    found: list[str] = []
    bases = rng.sample(range(999_000_000, 1_000_000_000), min(1_000_000, int(count * 1.15) + 100))
    for base in bases:
        digits = str(base)
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 10:
            continue
        number = digits + str(0 if check == 11 else check)
        found.append(number)
        if len(found) == count:
            break
    assert all(nhs_number_is_valid(n) for n in found[:1000])
    return found


_LAYOUTS: dict[type, list] = {}


def build(model, **values):
    """A model instance holding one row, made without Model.__init__: no signals, no
    descriptor or related-object work, the field values put straight into the instance
    the way they are stored (related objects, passed by field name, become their ids).
    Several times cheaper than `Model(**values)` over millions of rows; the instances
    are only ever written by the Writer."""
    layout = _LAYOUTS.get(model)
    if layout is None:
        layout = _LAYOUTS[model] = [(f.name, f.attname, f) for f in model._meta.concrete_fields]
    obj = model.__new__(model)
    row = obj.__dict__
    for name, attname, field in layout:
        if name != attname and name in values:
            related = values.pop(name)
            row[attname] = None if related is None else related.pk
        elif attname in values:
            value = values.pop(attname)
            row[attname] = value.value if isinstance(value, Enum) else value  # choices → str
        else:
            row[attname] = field.get_default()
    if values:
        raise TypeError(f"{model.__name__} has no field(s) {', '.join(values)}")
    obj._state = ModelState()
    return obj


class Writer:
    """Buffers rows per model and writes them in batches, parents before children, each
    batch in one transaction, on a thread of its own so that PostgreSQL stores one batch
    while Python makes the next (the two cores both work).

    `bulk_create` is Django's; `copy` (the default) sends the same model instances,
    column for column in the model's field order, through PostgreSQL's COPY: on this
    2-core machine bulk_create spends most of its time in Python building each INSERT,
    and 200,000 people took about twice as long."""

    ORDER = [
        "Agency",
        "Team",
        "Practitioner",
        "Address",
        "Person",
        "PersonName",
        "LocalReference",
        "Residence",
        "Relationship",
        "Case",
        "Involvement",
        "Involvement_restricted_to",
        "Allocation",
        "SharingAgreement",
        "AgreementCategory",
        "AccessRequest",
        "BreakGlass",
        "AuditEvent",
        "RiskFactor",
        "RiskFactor_restricted_to",
        "RiskReview",
        "ClockEvent",
    ]

    def __init__(self, batch: int, method: str = "copy"):
        self.batch = batch
        self.method = method
        self.buffers: dict[type, list] = defaultdict(list)
        self.counts: Counter = Counter()
        self.seconds: Counter = Counter()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="writer")
        self.in_flight: list = []

    def add(self, obj, stamp: datetime | None = None) -> None:
        if stamp is not None:
            obj.created_at = obj.updated_at = stamp
        self.buffers[type(obj)].append(obj)

    def pending(self) -> int:
        return sum(len(b) for b in self.buffers.values())

    def flush(self, wait: bool = False) -> None:
        batch = sorted(self.buffers.items(), key=lambda item: self.ORDER.index(item[0].__name__))
        self.buffers = defaultdict(list)
        if batch:
            self.in_flight.append(self.pool.submit(self._write, batch))
        while len(self.in_flight) > (0 if wait else 1):  # at most one batch waiting
            self.in_flight.pop(0).result()

    def close(self) -> None:
        self.flush(wait=True)
        self.pool.submit(self._close_connection).result()
        self.pool.shutdown()

    @staticmethod
    def _close_connection() -> None:
        from django.db import connection  # the writer thread's own

        connection.close()

    def _write(self, batch) -> None:
        from django.db import connection, transaction

        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")  # this session only: a bulk load
        with transaction.atomic():
            for model, rows in batch:
                started = time.perf_counter()
                if self.method == "copy":
                    self.copy(model, rows)
                else:
                    model.objects.bulk_create(rows, batch_size=self.batch)
                self.seconds[model.__name__] += time.perf_counter() - started
                self.counts[model.__name__] += len(rows)

    def copy(self, model, objs) -> None:
        from django.db import connection
        from psycopg import sql
        from psycopg.types.json import Jsonb

        fields = [
            f
            for f in model._meta.concrete_fields
            if f.get_internal_type() not in {"AutoField", "BigAutoField", "SmallAutoField"}
        ]
        attnames = [f.attname for f in fields]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(model._meta.db_table),
            sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
        )
        # JSON columns (a clock event's details) go as jsonb, as Django would send them.
        json = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for obj in objs:
                values = obj.__dict__
                row = [values[a] for a in attnames]
                for i in json:
                    row[i] = Jsonb(row[i])
                copy.write_row(row)


@contextmanager
def stamps_from_data():
    """created_at/updated_at are stamped at insert by auto_now(_add); for deterministic
    rows, take them from the generated objects instead (this process only)."""
    from django.apps import apps

    switched = []
    for app in ("agencies", "people", "cases", "sharing", "risks", "timescales"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    switched.append((field, field.auto_now, field.auto_now_add))
                    field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in switched:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class Generator:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.today: date = args.as_of
        self.writer = Writer(args.batch, args.writer)
        self.ref_counters: Counter = Counter()
        self.case_numbers: Counter = Counter()
        self.street_numbers: Counter = Counter()
        self.address_keys: set[str] = set()
        self.children: list[tuple] = []  # (child_id, name, case_id, area index, network ids)

    # small helpers -------------------------------------------------------------------
    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def day_between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def stamp(self, day: date) -> datetime:
        minutes = self.rng.randint(8 * 60, 18 * 60)
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minutes)

    def years_before(self, day: date, years: float) -> date:
        return day - timedelta(days=int(years * 365.25))

    def adult_born(self, day: date) -> date:
        """`day`, or earlier if that would make an adult younger than 18."""
        return min(day, self.years_before(self.today, 18.2))

    # agencies, staff, agreements -------------------------------------------------------
    def make_agencies(self, children_per_area: list[int]) -> None:
        from threadline.agencies.models import Agency, Practitioner, Role, Team
        from threadline.sharing.models import AGENCY_CATEGORY

        rng, w = self.rng, self.writer
        started = self.years_before(self.today, 6)
        self.areas = []
        admin = build(
            Practitioner,
            id=self.uid(),
            username="bench.admin",
            password=UNUSABLE,
            first_name="Bench",
            last_name="Administrator",
            role=Role.ADMINISTRATOR,
            is_staff=True,
            date_joined=self.stamp(started),
            mfa_exempt=True,
        )
        w.add(admin)
        self.admin = admin
        used_usernames: Counter = Counter()
        for index in range(self.args.areas):
            area_name, prefix = AREAS[index]
            cases = children_per_area[index]
            area = {
                "name": area_name,
                "prefix": prefix,
                "index": index,
                "agencies": {},
                "staff": defaultdict(list),
                "managers": [],
                "streets": [],
            }
            for n in range(max(40, cases // 6)):
                street = f"{rng.choice(STREETS)} {rng.choice(STREET_TYPES)}"
                postcode = (
                    f"{prefix}{rng.randint(1, 24)} {rng.randint(0, 9)}"
                    f"{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
                )
                area["streets"].append((street, postcode, n))
            for kind, pattern, agency_type in AGENCY_KINDS:
                code = f"{prefix.lower()}-{kind}"
                agency = build(
                    Agency,
                    id=self.uid(),
                    code=code,
                    agency_type=agency_type,
                    area=area_name,
                    name=pattern.format(area=area_name, street=rng.choice(STREETS)),
                    phone=f"01632 960{rng.randint(0, 999):03d}",  # Ofcom's drama range
                    safeguarding_email=f"safeguarding@{code}.example.org",
                )
                w.add(agency, self.stamp(started))
                area["agencies"][kind] = agency
                # Staff sized to the work: ~18 children per social worker, a team
                # manager per 8; partner agencies one practitioner per 100 children.
                if kind == "csc":
                    counts = {
                        Role.PRACTITIONER: max(4, -(-cases // 18)),
                        Role.FRONT_DOOR_OFFICER: max(2, cases // 1500),
                        Role.SAFEGUARDING_LEAD: 1,
                    }
                    counts[Role.TEAM_MANAGER] = max(1, counts[Role.PRACTITIONER] // 8)
                else:
                    counts = {Role.PRACTITIONER: max(3, cases // 100), Role.SAFEGUARDING_LEAD: 1}
                if kind == "partnership":
                    counts[Role.AUDITOR] = 1
                    counts[Role.PARTNERSHIP_OFFICER] = 2
                teams = []
                team_count = max(1, counts[Role.PRACTITIONER] // 8) if kind == "csc" else 1
                for t in range(team_count):
                    team_name = (
                        f"Family Safeguarding Team {t + 1}" if kind == "csc" else "Safeguarding"
                    )
                    team = build(Team, id=self.uid(), agency=agency, name=team_name)
                    w.add(team, self.stamp(started))
                    teams.append(team)
                for role, count in counts.items():
                    for i in range(count):
                        heritage = self.heritage()
                        sex = rng.choice("FM")
                        first = rng.choice(NAMES[heritage][sex])
                        last = rng.choice(NAMES[heritage]["family"])
                        base = f"{first}.{last}".lower().replace("'", "")
                        used_usernames[base] += 1
                        n = used_usernames[base]
                        username = base if n == 1 else f"{base}{n}"
                        experience = ""
                        if kind == "csc" and role != Role.SAFEGUARDING_LEAD:
                            experience = rng.choices(
                                ["asye", "qualified", "experienced", "advanced"], [2, 4, 3, 1]
                            )[0]
                            if role == Role.TEAM_MANAGER:
                                experience = "advanced"
                        title = {
                            Role.TEAM_MANAGER: "Team manager",
                            Role.SAFEGUARDING_LEAD: "Safeguarding lead",
                            Role.FRONT_DOOR_OFFICER: "Front-door social worker",
                            Role.AUDITOR: "Information governance auditor",
                            Role.PARTNERSHIP_OFFICER: "Partnership business manager",
                        }.get(role, JOB_TITLES[kind])
                        person = build(
                            Practitioner,
                            id=self.uid(),
                            username=username,
                            password=UNUSABLE,
                            first_name=first,
                            last_name=last,
                            email=f"{username}@{code}.example.org",
                            agency=agency,
                            team=teams[i % len(teams)],
                            role=role,
                            job_title=title,
                            phone=f"07700 900{rng.randint(0, 999):03d}",
                            experience=experience,
                            date_joined=self.stamp(self.day_between(started, self.today)),
                            mfa_exempt=True,  # benchmarks sign in with force_login
                        )
                        w.add(person)
                        if role == Role.PRACTITIONER:
                            area["staff"][kind].append(person)
                        elif role == Role.TEAM_MANAGER:
                            area["managers"].append(person)
            self.areas.append(area)
            self.make_agreements(area, AGENCY_CATEGORY, started)
        w.flush(wait=True)

    def make_agreements(self, area, agency_category, started) -> None:
        from threadline.sharing.models import AgreementCategory, SharingAgreement

        for provider_kind, provider in area["agencies"].items():
            category = str(agency_category[provider.agency_type])
            shared_with = SHARING.get(category, ["csc"])
            for recipient_kind, recipient in area["agencies"].items():
                if recipient_kind == provider_kind or not (
                    shared_with == "all" or recipient_kind in shared_with
                ):
                    continue
                agreement = build(
                    SharingAgreement,
                    id=self.uid(),
                    title=f"{area['name']} safeguarding ISA: {provider.name} to {recipient.name}",
                    provider=provider,
                    recipient=recipient,
                    purpose=f"Safeguarding and promoting the welfare of children in {area['name']}",
                    legal_basis="public_task",
                    from_date=self.years_before(self.today, 2),
                    to_date=self.today + timedelta(days=365),
                    recorded_by=self.admin,
                )
                self.writer.add(agreement, self.stamp(started))
                self.writer.add(build(AgreementCategory, agreement=agreement, category=category))

    # people ------------------------------------------------------------------------
    def heritage(self) -> str:
        return self.rng.choices([h[0] for h in HERITAGE], [h[1] for h in HERITAGE])[0]

    def family_skeletons(self) -> list[dict]:
        """How many children and which adults each family has; adults are then added or
        dropped at random so the totals match --people and --children exactly."""
        rng, args = self.rng, self.args
        ages_weights = [10, 8, 7, 7, 6, 6, 6, 6, 5, 5, 5, 5, 5, 5, 5, 5, 4, 3]
        families, remaining = [], args.children
        while remaining > 0:
            wanted = min(remaining, rng.choices([1, 2, 3, 4], [40, 30, 18, 12])[0])
            ages: list[int | None] = []
            age = rng.choices(range(18), ages_weights)[0]
            unborn = rng.random() < 0.015
            if unborn:
                ages.append(None)
                wanted -= 1
                age = rng.randint(1, 8) if wanted else age
            for _ in range(wanted):
                if age > 17:
                    break
                ages.append(age)
                age += rng.randint(1, 4)
            remaining -= len(ages)
            father = rng.random() < 0.75
            optional = {
                "father": father,
                "partner": rng.random() < (0.3 if father else 0.4),
                "mgm": rng.random() < 0.7,
                "mgf": rng.random() < 0.5,
                "pgm": father and rng.random() < 0.4,
                "pgf": father and rng.random() < 0.3,
            }
            families.append(
                {
                    "area": rng.randrange(args.areas),
                    "ages": ages,
                    "optional": optional,
                    "aunts": rng.choices([0, 1, 2, 3], [35, 35, 20, 10])[0],
                    "others": 0,
                }
            )
        adults = sum(1 + sum(f["optional"].values()) + f["aunts"] for f in families)
        budget = args.people - args.children
        if budget < len(families):
            raise SystemExit(
                f"--people leaves {budget} adults for {len(families)} families: "
                "every child needs a mother in the record"
            )
        while adults > budget:  # drop relatives the record does not know about
            family = families[rng.randrange(len(families))]
            if family["aunts"]:
                family["aunts"] -= 1
            else:
                known = [
                    k for k in ("pgf", "pgm", "mgf", "partner", "mgm") if family["optional"][k]
                ]
                if not known:
                    continue
                family["optional"][known[0]] = False
            adults -= 1
        while adults < budget:  # more of the wider family and friends
            family = families[rng.randrange(len(families))]
            family["others"] += 1
            adults += 1
        return families

    def make_person(
        self,
        area,
        *,
        kind,
        given,
        family,
        sex,
        born=None,
        due=None,
        heritage="british",
        recorded_by_kind=None,
        when=None,
    ):
        from threadline.people.models import Person

        rng = self.rng
        ethnicity = rng.choice(next(h[2] for h in HERITAGE if h[0] == heritage))
        languages = next(h[3] for h in HERITAGE if h[0] == heritage)
        language = "English"
        if languages and rng.random() < (0.25 if kind == "adult" else 0.1):
            language = rng.choice(languages)
        if recorded_by_kind is None:
            if kind == "adult":
                recorded_by_kind = rng.choices(
                    ["csc", "police", "hospital", "gp", "probation", "housing", "recovery"],
                    [65, 15, 5, 3, 5, 4, 3],
                )[0]
            else:
                recorded_by_kind = rng.choices(
                    ["csc", "hospital", "police", "school", "hv"], [75, 8, 7, 5, 5]
                )[0]
        when = when or self.day_between(self.years_before(self.today, 4), self.today)
        person = build(
            Person,
            id=self.uid(),
            kind=kind,
            given_names=given,
            family_name=family,
            date_of_birth=born,
            expected_delivery_date=due,
            sex=sex,
            ethnicity=ethnicity,
            first_language=language,
            interpreter_needed=language != "English" and rng.random() < 0.3,
            nhs_number=self.nhs.pop() if self.nhs and rng.random() < 0.93 else None,
            recorded_by_agency=area["agencies"][recorded_by_kind],
        )
        stamp = self.stamp(when)
        self.writer.add(person, stamp)
        self.add_name(person, "legal", given, family, stamp)
        if kind == "adult" and given in NICKNAMES and rng.random() < 0.5:
            self.add_name(person, "known_as", NICKNAMES[given], family, stamp)
        if kind == "adult" and rng.random() < 0.05:
            pool = NAMES[heritage]
            self.add_name(
                person,
                "alias",
                rng.choice(pool[sex] if sex in "FM" else pool["F"]),
                rng.choice(pool["family"]),
                stamp,
            )
        self.add_references(person, area, stamp)
        return person

    def add_name(self, person, kind, given, family, stamp, to_date=None):
        from threadline.people.models import PersonName
        from threadline.people.phonetic import fold, soundex

        # PersonName.save() fills the search keys; bulk_create does not call it.
        words = given.split()
        self.writer.add(
            build(
                PersonName,
                id=self.uid(),
                person=person,
                kind=kind,
                given_names=given,
                family_name=family,
                to_date=to_date,
                given_folded=fold(given),
                family_folded=fold(family),
                given_soundex=soundex(words[0]) if words else "",
                family_soundex=soundex(family),
            ),
            stamp,
        )

    def add_references(self, person, area, stamp):
        from threadline.people.models import LocalReference

        rng = self.rng
        wanted = []
        if person.kind != "adult":
            if rng.random() < 0.9:
                wanted.append(("csc", "CSC-{:06d}"))
            if rng.random() < 0.3:
                wanted.append(("hospital", "RX{:08d}"))
        else:
            if rng.random() < 0.15:
                wanted.append(("police", "PNC-{:07d}"))
            if rng.random() < 0.05:
                wanted.append(("probation", "CRN-X{:06d}"))
            if rng.random() < 0.2:
                wanted.append(("csc", "CSC-{:06d}"))
        for kind, pattern in wanted:
            agency = area["agencies"][kind]
            self.ref_counters[agency.code] += 1
            self.writer.add(
                build(
                    LocalReference,
                    id=self.uid(),
                    person=person,
                    agency=agency,
                    reference=pattern.format(100_000 + self.ref_counters[agency.code] * 7),
                ),
                stamp,
            )

    def new_address(self, area):
        from threadline.people.models import Address

        rng = self.rng
        flat = f"Flat {rng.choice('ABCDEFGH')}, " if rng.random() < 0.2 else ""
        while True:  # Address.match_key is unique: the next number up until it is new
            street, postcode, n = rng.choice(area["streets"])
            self.street_numbers[(area["index"], n)] += rng.randint(1, 3)
            line_1 = f"{flat}{self.street_numbers[(area['index'], n)]} {street}"
            key = Address.key_for(line_1, postcode)
            if key not in self.address_keys:
                self.address_keys.add(key)
                break
        address = build(
            Address,
            id=self.uid(),
            line_1=line_1,
            town=area["name"],
            postcode=postcode,
            uprn=f"9{rng.randint(10**10, 10**11 - 1)}" if rng.random() < 0.3 else "",
            match_key=key,  # Address.save() would set it
        )
        self.writer.add(address, self.stamp(self.years_before(self.today, 5)))
        return address

    def live(self, person, address, start, end, recorder):
        """A stay from `start` to `end` (None: lives there now), clipped to the person's
        life; nothing for an unborn child or a stay that ends before they were born."""
        from threadline.people.models import Residence

        if person.kind == "unborn":
            return
        if person.date_of_birth and start < person.date_of_birth:
            start = person.date_of_birth
        if end is not None and end < start:
            return
        self.writer.add(
            build(
                Residence,
                id=self.uid(),
                person=person,
                address=address,
                from_date=start,
                to_date=end,
                recorded_by=recorder,
            ),
            self.stamp(min(start, self.today)),
        )

    def relate(self, a, b, type_, recorder, from_date=None, to_date=None):
        from threadline.people.models import Relationship

        self.writer.add(
            build(
                Relationship,
                id=self.uid(),
                person_a=a,
                person_b=b,
                type=type_,
                from_date=from_date,
                to_date=to_date,
                recorded_by=recorder,
            ),
            self.stamp(self.day_between(self.years_before(self.today, 3), self.today)),
        )

    def make_family(self, spec) -> None:
        rng, today = self.rng, self.today
        area = self.areas[spec["area"]]
        recorder = rng.choice(area["staff"]["csc"])
        heritage = self.heritage()
        pool = NAMES[heritage]
        maiden = rng.choice(pool["family"])
        father_surname = rng.choice(pool["family"])
        ages = spec["ages"]
        # Dates of birth: the oldest child first, the mother 17–38 at that birth.
        child_dobs = []
        for age in ages:
            if age is None:
                child_dobs.append(None)
            else:
                child_dobs.append(today - timedelta(days=age * 365 + rng.randint(0, 364)))
        oldest_dob = min((d for d in child_dobs if d), default=today)
        mother_dob = self.adult_born(self.years_before(oldest_dob, rng.uniform(18, 38)))
        opt = spec["optional"]
        married = opt["father"] and rng.random() < 0.4
        mother = self.make_person(
            area,
            kind="adult",
            given=rng.choice(pool["F"]),
            family=father_surname if married else maiden,
            sex="F",
            born=mother_dob,
            heritage=heritage,
        )
        if married:
            self.add_name(
                mother,
                "previous",
                mother.given_names,
                maiden,
                self.stamp(today),
                to_date=self.years_before(oldest_dob, rng.uniform(0, 3)),
            )
        children_surname = father_surname if opt["father"] and rng.random() < 0.6 else maiden
        children = []
        for age, dob in zip(ages, child_dobs, strict=True):
            sex = rng.choice("FM")
            if age is None:
                due = today + timedelta(days=rng.randint(1, 180))
                child = self.make_person(
                    area,
                    kind="unborn",
                    given="",
                    family=children_surname,
                    sex="U",
                    due=due,
                    heritage=heritage,
                )
            else:
                child = self.make_person(
                    area,
                    kind="child",
                    given=rng.choice(pool[sex]),
                    family=children_surname,
                    sex=sex,
                    born=dob,
                    heritage=heritage,
                )
            children.append((child, age))
        adults_at_home = [mother]
        father = partner = None
        together = False
        if opt["father"]:
            father = self.make_person(
                area,
                kind="adult",
                given=rng.choice(pool["M"]),
                family=father_surname,
                sex="M",
                born=self.adult_born(self.years_before(mother_dob, rng.uniform(-2, 6))),
                heritage=heritage,
            )
            together = not opt["partner"] and rng.random() < 0.55
            since = self.years_before(oldest_dob, rng.uniform(0.5, 4))
            separated = None if together else self.day_between(since, today - timedelta(days=30))
            self.relate(mother, father, "partner", recorder, since, separated)
            for child, _ in children:
                self.relate(father, child, "father", recorder)
            if together:
                adults_at_home.append(father)
        if opt["partner"]:
            partner = self.make_person(
                area,
                kind="adult",
                given=rng.choice(pool["M"]),
                family=rng.choice(pool["family"]),
                sex="M",
                born=self.adult_born(self.years_before(mother_dob, rng.uniform(-4, 8))),
                heritage=heritage,
            )
            self.relate(
                mother, partner, "partner", recorder, today - timedelta(days=rng.randint(60, 1500))
            )
            for child, _ in children:
                self.relate(partner, child, "step_parent", recorder)
            adults_at_home.append(partner)
        for child, _ in children:
            self.relate(mother, child, "mother", recorder)
        for i, (a, _) in enumerate(children):
            for b, _ in children[i + 1 :]:
                self.relate(a, b, "sibling", recorder)
        # Grandparents: a couple at their own long-standing address.
        for side, parent, surname in (("m", mother, maiden), ("p", father, father_surname)):
            if parent is None:
                continue
            grandparents = []
            for sex, type_ in (("F", "mother"), ("M", "father")):
                if not opt[f"{side}g{'m' if sex == 'F' else 'f'}"]:
                    continue
                gp = self.make_person(
                    area,
                    kind="adult",
                    given=rng.choice(pool[sex]),
                    family=surname,
                    sex=sex,
                    born=self.years_before(parent.date_of_birth, rng.uniform(18, 36)),
                    heritage=heritage,
                )
                self.relate(gp, parent, type_, recorder)
                for child, _ in children:
                    self.relate(gp, child, "grandparent", recorder)
                grandparents.append(gp)
            if len(grandparents) == 2:
                self.relate(grandparents[0], grandparents[1], "partner", recorder)
            if grandparents:
                home = self.new_address(area)
                moved_in = self.years_before(today, rng.uniform(3, 30))
                for gp in grandparents:
                    self.live(gp, home, moved_in, None, recorder)
        # Aunts and uncles (the mother's siblings), some still at their parents'.
        for _ in range(spec["aunts"]):
            sex = rng.choice("FM")
            aunt = self.make_person(
                area,
                kind="adult",
                given=rng.choice(pool[sex]),
                family=maiden,
                sex=sex,
                born=self.adult_born(self.years_before(mother_dob, rng.uniform(-12, 12))),
                heritage=heritage,
            )
            self.relate(aunt, mother, "sibling", recorder)
            for child, _ in children:
                self.relate(aunt, child, "aunt_uncle", recorder)
            self.live(
                aunt,
                self.new_address(area),
                self.years_before(today, rng.uniform(0.5, 10)),
                None,
                recorder,
            )
        # The wider circle: cousins, family friends, a lodger, a carer.
        for _ in range(spec["others"]):
            sex = rng.choice("FM")
            type_ = rng.choices(
                ["cousin", "friend_other", "household_member", "carer"], [4, 4, 1, 1]
            )[0]
            other = self.make_person(
                area,
                kind="adult",
                given=rng.choice(pool[sex]),
                family=maiden if type_ == "cousin" else rng.choice(pool["family"]),
                sex=sex,
                born=self.years_before(today, rng.uniform(18, 70)),
                heritage=heritage,
            )
            child = rng.choice(children)[0]
            self.relate(other, child if type_ != "friend_other" else mother, type_, recorder)
            if type_ == "household_member" and len(adults_at_home) + len(children) < 6:
                adults_at_home.append(other)
            else:
                self.live(
                    other,
                    self.new_address(area),
                    self.years_before(today, rng.uniform(0.5, 15)),
                    None,
                    recorder,
                )
        # The family's homes: one to four, the last one now; a father who left lives
        # elsewhere, a partner moved in when the relationship began.
        moves = rng.choices([1, 2, 3, 4], [35, 30, 20, 15])[0]
        first = self.years_before(oldest_dob, rng.uniform(0, 3))
        cuts = sorted(
            self.day_between(first + timedelta(days=30), today - timedelta(days=14))
            for _ in range(moves - 1)
        )
        starts = [first, *cuts]
        ends = [c - timedelta(days=1) for c in cuts] + [None]
        for start, end in zip(starts, ends, strict=True):
            home = self.new_address(area)
            for adult in adults_at_home:
                if adult is partner and end is not None:
                    continue
                self.live(
                    adult,
                    home,
                    start
                    if adult is not partner
                    else max(start, today - timedelta(days=rng.randint(30, 700))),
                    end,
                    recorder,
                )
            for child, _ in children:
                self.live(child, home, start, end, recorder)
        if father is not None and not together:
            self.live(
                father,
                self.new_address(area),
                self.years_before(today, rng.uniform(0.1, 5)),
                None,
                recorder,
            )
        for child, age in children:
            self.make_case(area, child, age)

    # cases --------------------------------------------------------------------------
    def make_case(self, area, child, age) -> None:
        from threadline.cases.models import Allocation, Case, Involvement
        from threadline.sharing.models import AGENCY_CATEGORY

        rng, today = self.rng, self.today
        earliest = child.date_of_birth or today - timedelta(days=200)
        if age is not None and age >= 4:
            earliest = max(earliest, self.years_before(today, 4))
        opened = self.day_between(earliest, today - timedelta(days=7))
        if child.kind == "unborn":
            opened = today - timedelta(days=rng.randint(7, 150))
        csc = area["agencies"]["csc"]
        social_workers = area["staff"]["csc"]
        allocations = rng.choices([1, 2, 3], [50, 35, 15])[0]
        workers = rng.sample(social_workers, min(allocations, len(social_workers)))
        span = (today - opened).days
        cuts = [
            opened + timedelta(days=d)
            for d in sorted(rng.sample(range(1, span + 1), min(len(workers) - 1, span)))
        ]
        workers = workers[: len(cuts) + 1]
        starts, ends = [opened, *cuts], [c - timedelta(days=1) for c in cuts] + [None]
        current = workers[-1]
        self.case_numbers[opened.year] += 1
        case = build(
            Case,
            id=self.uid(),
            reference=f"TL-{opened:%Y}-{self.case_numbers[opened.year]:05d}",
            child=child,
            local_authority=csc,
            opened_on=opened,
            lead_agency=csc,
            lead_professional=current if rng.random() < 0.85 else None,
        )
        stamp = self.stamp(opened)
        self.writer.add(case, stamp)
        manager = rng.choice(area["managers"])
        network = []
        for worker, start, end in zip(workers, starts, ends, strict=True):
            self.writer.add(
                build(
                    Allocation,
                    id=self.uid(),
                    case=case,
                    social_worker=worker,
                    from_date=start,
                    to_date=end,
                    allocated_by=manager,
                ),
                self.stamp(start),
            )
            self.writer.add(
                build(
                    Involvement,
                    id=self.uid(),
                    case=case,
                    agency=csc,
                    practitioner=worker,
                    role="Social worker",
                    from_date=start,
                    to_date=end,
                    category="social_care",
                ),
                self.stamp(start),
            )
            network.append(worker.pk)
        size = rng.choices(range(3, 13), [10, 16, 18, 16, 12, 9, 7, 5, 4, 3])[0]
        weights = _involvement_weights(age)
        kinds = list(weights)
        chosen: list[str] = []
        while len(chosen) < min(size - len(workers), len(kinds)):
            kind = rng.choices(kinds, [weights[k] for k in kinds])[0]
            if kind not in chosen:
                chosen.append(kind)
        for kind in chosen:
            agency = area["agencies"][kind]
            practitioner = rng.choice(area["staff"][kind])
            start = self.day_between(opened, today)
            end = None
            if rng.random() < 0.2 and (today - start).days > 2:
                end = self.day_between(start, today - timedelta(days=1))
            restricted = kind in ("recovery", "police") and rng.random() < 0.05
            involvement = build(
                Involvement,
                id=self.uid(),
                case=case,
                agency=agency,
                practitioner=practitioner,
                role=rng.choice(ROLES[kind]),
                from_date=start,
                to_date=end,
                category=str(AGENCY_CATEGORY[agency.agency_type]),
                confidentiality="restricted" if restricted else "normal",
            )
            self.writer.add(involvement, self.stamp(start))
            if restricted:
                through = Involvement.restricted_to.through
                for named in {practitioner.pk, current.pk}:
                    self.writer.add(build(through, involvement=involvement, practitioner_id=named))
            if end is None:
                network.append(practitioner.pk)
        self.children.append(
            (
                child.pk,
                f"{child.given_names} {child.family_name}".strip()
                or f"Unborn baby {child.family_name}",
                case.pk,
                area["index"],
                network,
            )
        )

    def make_requests(self) -> None:
        """A few access requests (a family-court adviser asking probation) and past
        break-glass, so the policy's tables are not empty."""
        from threadline.sharing.models import AccessRequest, BreakGlass

        rng, today = self.rng, self.today
        for child_id, _name, _case, area_index, _net in rng.sample(
            self.children, max(1, len(self.children) // 200)
        ):
            area = self.areas[area_index]
            status = rng.choices(["pending", "approved", "refused"], [3, 5, 2])[0]
            asked = self.day_between(today - timedelta(days=120), today)
            lead = area["agencies"]["probation"]
            self.writer.add(
                build(
                    AccessRequest,
                    id=self.uid(),
                    requester=rng.choice(area["staff"]["fca"]),
                    child_id=child_id,
                    provider=lead,
                    category="probation",
                    reason="The court has asked for an analysis of the father's risk before the "
                    "final hearing.",
                    status=status,
                    decided_by=rng.choice(area["staff"]["probation"])
                    if status != "pending"
                    else None,
                    decided_at=self.stamp(asked) if status != "pending" else None,
                    decision_reason="Relevant to the proceedings"
                    if status == "approved"
                    else ("Not necessary for the purpose" if status == "refused" else ""),
                    expires_on=today + timedelta(days=rng.randint(-30, 90))
                    if status == "approved"
                    else None,
                ),
                self.stamp(asked),
            )
        for child_id, _name, _case, area_index, _net in rng.sample(
            self.children, max(1, len(self.children) // 1000)
        ):
            area = self.areas[area_index]
            day = self.day_between(today - timedelta(days=365), today - timedelta(days=2))
            at = self.stamp(day)
            self.writer.add(
                build(
                    BreakGlass,
                    id=self.uid(),
                    actor=rng.choice(area["staff"]["hospital"]),
                    person_id=child_id,
                    reason="Child brought to the emergency department out of hours with injuries",
                    expires_at=at + timedelta(hours=4),
                    reviewed_by=rng.choice(area["managers"]),
                    reviewed_at=at + timedelta(days=1),
                    review_note="Justified",
                ),
                at,
            )

    # audit trail ------------------------------------------------------------------------
    def make_audit(self, count: int) -> float:
        """`count` rows of history, HMAC-chained from the current head exactly as
        record_event chains them, then the head moved to the last row."""
        from django.db import transaction

        from threadline.audit.chain import GENESIS, row_hash
        from threadline.audit.models import AuditChainHead, AuditEvent

        rng = self.rng
        started = time.perf_counter()
        head = AuditChainHead.objects.filter(pk=1).first()
        seq, prev = (head.last_seq, head.last_hash) if head else (0, GENESIS)
        span = 2 * 365 * 86400
        end = datetime(self.today.year, self.today.month, self.today.day, tzinfo=UTC)
        seconds = sorted(rng.randrange(span) for _ in range(count))
        usernames = {
            p.pk: p.username
            for a in self.areas
            for p in [*a["managers"], *(s for k in a["staff"].values() for s in k)]
        }
        staff = list(usernames)
        actions = [
            "view",
            "view",
            "view",
            "view",
            "view",
            "view",
            "search",
            "sign_in",
            "sign_out",
            "create",
            "update",
            "export",
            "sign_in_failed",
            "denied",
        ]
        for offset in seconds:
            seq += 1
            action = rng.choice(actions)
            child_id, name, case_id, area_index, network = rng.choice(self.children)
            actor_id = rng.choice(network) if network and action != "sign_in_failed" else None
            if actor_id is None:
                actor_id = rng.choice(staff)
            object_type = object_id = summary = ""
            child = None
            if action == "view":
                if rng.random() < 0.8:
                    object_type, object_id = "people.person", str(child_id)
                    summary = f"Opened person detail: {name}"
                else:
                    object_type, object_id = "cases.case", str(case_id)
                    summary = f"Viewed case of {name}"
                child = child_id
            elif action in ("create", "update"):
                object_type, object_id, child = "cases.case", str(case_id), child_id
                summary = (
                    "Added an agency to the network" if action == "create" else "Ended involvement"
                )
            elif action == "export":
                object_type, object_id, child = "people.person", str(child_id), child_id
                summary = f"Exported the record of {name}"
            elif action == "search":
                summary = f"Searched: {name.split()[-1]}"
            elif action == "denied":
                summary = "Refused GET /people/…/"
            event = build(
                AuditEvent,
                seq=seq,
                at=end - timedelta(seconds=span - offset),
                actor_id=actor_id,
                actor_label=usernames[actor_id],
                action=action,
                object_type=object_type,
                object_id=object_id,
                child_id=child,
                summary=summary,
                ip_address=f"10.{area_index + 1}.{rng.randint(0, 63)}.{rng.randint(1, 254)}",
                purpose="",
                prev_hash=prev,
            )
            event.hash = prev = row_hash(event, prev)
            self.writer.add(event)
            if self.writer.pending() >= 20_000:
                self.writer.flush()
        self.writer.flush(wait=True)
        with transaction.atomic():
            AuditChainHead.objects.update_or_create(
                pk=1, defaults={"last_seq": seq, "last_hash": prev}
            )
        return time.perf_counter() - started

    # the whole run ----------------------------------------------------------------------
    def run(self) -> dict:
        timings = {}

        def lap(name, since):
            timings[name] = round(time.perf_counter() - since, 1)
            print(f"  {name}: {timings[name]} s", flush=True)

        t = time.perf_counter()
        families = self.family_skeletons()
        children_per_area = [0] * self.args.areas
        for f in families:
            children_per_area[f["area"]] += len(f["ages"])
        self.nhs = nhs_numbers(self.rng, self.args.people)
        self.nhs.reverse()
        with stamps_from_data():
            self.make_agencies(children_per_area)
            lap("agencies, staff and agreements", t)
            t = time.perf_counter()
            for i, spec in enumerate(families, 1):
                self.make_family(spec)
                if self.writer.pending() >= 50_000:
                    self.writer.flush()
                if i % 5000 == 0:
                    print(f"    {i:,}/{len(families):,} families", flush=True)
            self.make_requests()
            self.writer.flush(wait=True)
            lap("people, cases and networks", t)
            print(
                f"    writing ({self.writer.method}, alongside): "
                + ", ".join(f"{k} {v:.1f} s" for k, v in self.writer.seconds.most_common(6))
            )
        t = time.perf_counter()
        self.make_audit(self.args.audit_events)
        self.writer.close()
        lap("audit trail", t)
        return timings


# === Risk factors: a step of its own (RISKS_VERSION is the hash of this part) ===

RISK_STATUSES = [("active", 65), ("under_review", 8), ("closed", 27)]

# Relative weights of the census factors, roughly in the order the CIN census finds them at
# the end of assessments (domestic abuse and parents' mental health far ahead, then
# emotional abuse, neglect, the child's mental health, parents' drug use); codes not listed
# weigh 1.
FACTOR_WEIGHTS = {
    "3A": 30,
    "3B": 28,
    "4B": 26,
    "16A": 18,
    "17A": 18,
    "4A": 15,
    "2B": 13,
    "20": 12,
    "1B": 9,
    "18C": 9,
    "3C": 8,
    "2C": 4,
    "4C": 5,
    "5A": 5,
    "14A": 5,
    "15A": 5,
    "1C": 3,
    "5B": 3,
    "6A": 3,
    "6B": 3,
    "10A": 3,
    "11A": 3,
    "19C": 3,
    "24A": 3,
    "7A": 2,
    "13A": 2,
}

# Which kind of agency records a risk, by the factor's number (its code without the letter).
FACTOR_SOURCES = {
    "1": {"recovery": 4, "csc": 3, "police": 2, "gp": 2, "hospital": 1},
    "2": {"recovery": 4, "csc": 3, "police": 3, "probation": 1, "gp": 1, "hospital": 1},
    "3": {"police": 6, "csc": 4, "hv": 1, "probation": 1, "housing": 1, "hospital": 1},
    "4": {"gp": 4, "csc": 3, "hospital": 2, "hv": 1, "school": 1},
    "5": {"school": 3, "csc": 2, "gp": 2, "hv": 1},
    "6": {"gp": 3, "hospital": 3, "csc": 1, "school": 1},
    "7": {"csc": 3, "school": 2},
    "10": {"police": 4, "csc": 3, "school": 1},
    "11": {"police": 3, "csc": 3, "school": 1, "hospital": 1},
    "12": {"police": 3, "csc": 2},
    "13": {"police": 4, "csc": 2, "school": 1},
    "14": {"school": 3, "police": 2, "csc": 2},
    "15": {"hospital": 4, "school": 2, "gp": 2, "csc": 1},
    "16": {"csc": 4, "hv": 2, "school": 2, "gp": 1, "hospital": 1},
    "17": {"csc": 4, "school": 2, "hv": 1, "police": 1},
    "18": {"csc": 3, "police": 3, "hospital": 2, "school": 1},
    "19": {"police": 4, "csc": 3, "hospital": 1},
    "20": {"csc": 3, "police": 1, "housing": 1, "gp": 1, "school": 1, "probation": 1},
    "22": {"hospital": 2, "csc": 2, "police": 1, "maternity": 1},
    "24": {"police": 4, "csc": 2, "school": 1},
}

EVIDENCE = {
    "1": [
        "Smelled strongly of alcohol at two unannounced home visits; says they drink most "
        "evenings 'to cope'.",
        "Arrested for being drunk and disorderly while the children were in their care.",
        "Attending the recovery service for alcohol dependency; relapsed twice this year.",
    ],
    "2": [
        "Positive hair-strand test for cocaine and cannabis over the last six months.",
        "Drug paraphernalia found in the kitchen within the children's reach during a visit.",
        "On a methadone script with the recovery service; missed three pick-ups this month.",
    ],
    "3": [
        "Police called to the address four times in six months; the latest DASH assessment "
        "was high risk and the case is heard at MARAC.",
        "Disclosed to the health visitor that the partner controls money and has hit them.",
        "Non-molestation order in force; reported a breach on the doorstep last week.",
    ],
    "4": [
        "Diagnosed with severe depression; two crisis team contacts this year.",
        "Admitted under section 2 of the Mental Health Act after a period of psychosis.",
        "Self-referred to talking therapies; GP reports low mood and poor sleep.",
    ],
    "5": [
        "Assessment found a learning disability affecting understanding of the plan; "
        "information is given in easy-read form.",
        "Has an EHC plan; the school reports the needs are not met at home.",
    ],
    "6": [
        "Long-term condition limits mobility; the family depends on help from relatives.",
        "Frequent hospital admissions; the children are left with various adults meanwhile.",
    ],
    "7": [
        "Does the shopping and gives a parent their medication; often late for school.",
    ],
    "10": [
        "Reported missing three times in two months, found each time in another town.",
    ],
    "11": [
        "Seen getting into cars with older men; new phone and clothes the family cannot explain.",
    ],
    "12": ["Brought to the UK by an adult who is not a relative; the account is inconsistent."],
    "13": ["Named by police as associated with a local group linked to knife crime."],
    "14": ["Excluded twice this term for violence towards staff; cautioned for criminal damage."],
    "15": [
        "Attended the emergency department after cutting; tells the school nurse it helps.",
    ],
    "16": [
        "Home conditions poor on repeated visits: no food in the house, the child in the same "
        "clothes, dental decay untreated.",
        "Not brought to four health appointments; weight has fallen below the 2nd centile.",
    ],
    "17": [
        "Parents described the child as 'the bad one' in front of the worker; the child is "
        "withdrawn and anxious at school.",
    ],
    "18": [
        "Bruising to the upper arms in the shape of fingertips; explanation not consistent "
        "with the injury.",
    ],
    "19": ["Disclosure to a teacher, followed by an ABE interview; police investigation open."],
    "20": [
        "Rent arrears and a notice to quit; the family may lose the tenancy within weeks.",
        "Known to probation for offences of violence; licence conditions include no contact "
        "with the former partner.",
        "Frequent moves between relatives' homes; the school does not know where the family lives.",
    ],
    "22": ["Mother comes from a community where FGM is practised and is herself affected."],
    "23": ["The family believes the child is possessed; a relative has arranged 'deliverance'."],
    "24": ["Found with cash and two phones far from home; police believe they are running drugs."],
}

CLOSURE_RATIONALES = [
    "Engaged fully with the recovery service; six months of negative tests.",
    "The partner has left the household and an injunction is in place; no incidents since.",
    "Completed the programme; health and school report no further concern at review.",
    "The assessment did not substantiate the concern.",
    "Moved out of the area and is no longer part of the child's household.",
    "Now settled with support in place; the core group agreed the risk no longer applies.",
]

REVIEW_NOTES = [
    "Reviewed at the core group: the concern continues; the plan is unchanged.",
    "Some progress reported by the family; partner agencies still see the risk.",
    "Reviewed with the agency's safeguarding lead: keep under review until the next meeting.",
    "New information from police this month; risk remains.",
]

# How much more likely someone is than an adult outside the family to have risks recorded
# about them (a parent: the mother, father or step-parent of a child in the data). Each
# person's weight is also drawn from a gamma distribution (shape 2, mean 1), so some have
# none and a few have many, up to RISKS_PER_PERSON_MAX.
SUBJECT_WEIGHTS = {"parent": 3.0, "household": 1.5, "adult": 1.0, "child": 1.5, "unborn": 0.3}
RISKS_PER_PERSON_MAX = 12
RESTRICTED_SHARE = {"police": 0.08, "recovery": 0.08, "probation": 0.06}  # otherwise 1%


def cumulative(pairs) -> tuple[list, list]:
    """(values, cumulative weights) of (value, weight) pairs: what random.choices draws
    from fastest."""
    import itertools

    pairs = list(pairs)
    return [v for v, _w in pairs], list(itertools.accumulate(w for _v, w in pairs))


SOURCE_CHOICES = {number: cumulative(kinds.items()) for number, kinds in FACTOR_SOURCES.items()}
STATUS_CHOICES = cumulative(RISK_STATUSES)


class RiskGenerator(Generator):
    """Risk factors about the people already in the database, read back from it (so the
    step runs on a database generated before it), written by the same Writer."""

    def __init__(self, args, writer: "Writer"):
        self.args = args
        self.rng = random.Random(f"risk factors {args.seed}")
        self.today = args.as_of
        self.writer = writer

    def load(self) -> list[tuple]:
        from threadline.agencies.models import Agency, Practitioner, Role
        from threadline.people.models import Person, Relationship
        from threadline.risks.models import Factor

        self.factors = list(
            Factor.objects.filter(in_use=True).order_by("position").values_list("code", "about")
        )
        if not self.factors:
            raise SystemExit("The Factor table is empty: migrate first (risks.0002 loads it)")
        self.agencies: dict[tuple, tuple] = {}
        for pk, code, area, agency_type in Agency.objects.order_by("code").values_list(
            "id", "code", "area", "agency_type"
        ):
            self.agencies[(area, code.rsplit("-", 1)[-1])] = (pk, agency_type)
        self.areas = sorted({area for area, _kind in self.agencies})
        self.staff: dict = defaultdict(list)
        self.signers: dict = defaultdict(list)
        for pk, agency_id, role in (
            Practitioner.objects.filter(agency__isnull=False, is_active=True)
            .order_by("username")
            .values_list("id", "agency_id", "role")
        ):
            if role == Role.PRACTITIONER:
                self.staff[agency_id].append(pk)
            elif role in (Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD):
                self.signers[agency_id].append(pk)
        kinds = dict(Person.objects.values_list("id", "kind"))
        parents = {
            a
            for a, b in Relationship.objects.filter(
                type__in=["mother", "father", "step_parent", "carer"]
            ).values_list("person_a_id", "person_b_id")
            if kinds[b] != "adult"  # not a grandparent (the parent's parent)
        }
        household = set(
            Relationship.objects.filter(type="household_member").values_list(
                "person_a_id", flat=True
            )
        )
        people = []
        for pk, kind, born, area in Person.objects.order_by("id").values_list(
            "id", "kind", "date_of_birth", "recorded_by_agency__area"
        ):
            if kind == "adult":
                group = "parent" if pk in parents else "household" if pk in household else "adult"
            else:
                group = kind
            people.append((pk, group, born, area))
        return people

    def factor_pools(self) -> dict:
        """Per group of people, the codes a risk about them may have, with weights: a
        parent's are the census's parent codes (a few household ones), another adult's the
        household codes (a few parent ones: they care for children elsewhere), a child's
        the child codes; "Other" for everyone."""
        about_weight = {
            "parent": {"parent": 1.0, "household": 0.1, "any": 1.0},
            "household": {"household": 1.0, "parent": 0.3, "any": 1.0},
            "adult": {"household": 1.0, "parent": 0.3, "any": 1.0},
            "child": {"child": 1.0, "any": 0.5},
            "unborn": {"child": 1.0, "any": 0.5},
        }
        pools = {}
        for group, weights in about_weight.items():
            codes = [(c, FACTOR_WEIGHTS.get(c, 1) * weights.get(a, 0)) for c, a in self.factors]
            codes = [(c, w) for c, w in codes if w]
            pools[group] = cumulative(codes)
        return pools

    def run(self, count: int) -> dict:
        import itertools

        rng = self.rng
        people = self.load()
        weights = [SUBJECT_WEIGHTS[group] * rng.gammavariate(2.0, 0.5) for _p, group, *_ in people]
        cumulative = list(itertools.accumulate(weights))
        per_person: Counter = Counter()
        while (missing := count - per_person.total()) > 0:
            for index in rng.choices(range(len(people)), cum_weights=cumulative, k=missing):
                if per_person[index] < RISKS_PER_PERSON_MAX:
                    per_person[index] += 1
        chosen = sorted(per_person.elements())
        pools = self.factor_pools()
        seen: set = set()
        for i, index in enumerate(chosen, 1):
            self.make_risk(people[index], pools, seen)
            if self.writer.pending() >= 50_000:
                self.writer.flush()
            if i % 100_000 == 0:
                print(f"    {i:,}/{count:,} risk factors", flush=True)
        self.writer.flush(wait=True)
        return {group: sum(1 for i in chosen if people[i][1] == group) for group in SUBJECT_WEIGHTS}

    def make_risk(self, person, pools, seen) -> None:
        from threadline.risks.models import RiskFactor, RiskReview
        from threadline.sharing.models import AGENCY_CATEGORY

        rng, today, w = self.rng, self.today, self.writer
        pk, group, born, area = person
        codes, weights = pools[group]  # weights: cumulative, as everywhere below
        for _ in range(3):  # the same factor twice about one person is rare
            code = rng.choices(codes, cum_weights=weights)[0]
            if (pk, code) not in seen:
                break
        seen.add((pk, code))
        number = code.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        kinds, weights = SOURCE_CHOICES.get(number, SOURCE_CHOICES["20"])
        kind = rng.choices(kinds, cum_weights=weights)[0]
        area = area or rng.choice(self.areas)
        agency_id, agency_type = self.agencies.get((area, kind)) or self.agencies[(area, "csc")]
        recorder = rng.choice(self.staff[agency_id])
        status = rng.choices(STATUS_CHOICES[0], cum_weights=STATUS_CHOICES[1])[0]
        if group == "unborn":
            earliest = today - timedelta(days=200)
        elif group == "child" and born:
            earliest = max(born, self.years_before(today, 6))
        else:
            earliest = self.years_before(today, 8)
        if status == "closed":
            identified = self.day_between(earliest, today - timedelta(days=30))
            closed_on = self.day_between(identified + timedelta(days=14), today)
            closed_on = max(closed_on, identified)
        else:  # most open risks are recent
            identified = max(earliest, today - timedelta(days=int(3 * 365 * rng.random() ** 2)))
            closed_on = None
        values = {
            "id": self.uid(),
            "subject_id": pk,
            "factor_id": code,
            "evidence": rng.choice(EVIDENCE.get(number, EVIDENCE["20"])),
            "source_agency_id": agency_id,
            "recorded_by_id": recorder,
            "identified_on": identified,
            "status": status,
            "category": str(AGENCY_CATEGORY[agency_type]),
            "confidentiality": "normal",
        }
        reviewed = None
        if status == "closed":
            signer = rng.choice(self.signers[agency_id] or self.staff[agency_id])
            values.update(
                review_date=closed_on,
                last_reviewed_on=closed_on,
                closure_rationale=rng.choice(CLOSURE_RATIONALES),
                closure_requested_by_id=rng.choice([recorder, signer]),
                closure_signed_off_by_id=signer,
                closed_on=closed_on,
            )
        else:
            overdue = rng.random() < (0.15 if status == "active" else 0.2)
            values["review_date"] = (
                today - timedelta(days=rng.randint(1, 120))
                if overdue
                else today + timedelta(days=rng.randint(1, 182))
            )
            if status == "under_review" or rng.random() < 0.55:
                reviewed = self.day_between(identified, today)
                values["last_reviewed_on"] = reviewed
            if status == "under_review" and rng.random() < 0.6:  # closure awaiting sign-off
                values.update(
                    closure_rationale=rng.choice(CLOSURE_RATIONALES),
                    closure_requested_by_id=recorder,
                )
        if rng.random() < RESTRICTED_SHARE.get(kind, 0.01):
            values["confidentiality"] = "restricted"
        risk = build(RiskFactor, **values)
        stamp = self.stamp(min(today, identified + timedelta(days=rng.randint(0, 3))))
        w.add(risk, stamp)
        last = closed_on or reviewed
        if last is not None:
            risk.updated_at = max(stamp, self.stamp(last))
        if risk.confidentiality == "restricted":
            through = RiskFactor.restricted_to.through
            named = {recorder, *self.signers[agency_id][:1]}
            for practitioner_id in sorted(named):
                w.add(build(through, riskfactor_id=risk.pk, practitioner_id=practitioner_id))
        if reviewed is not None:
            w.add(
                build(
                    RiskReview,
                    id=self.uid(),
                    risk_id=risk.pk,
                    reviewed_by_id=recorder,
                    reviewed_on=reviewed,
                    notes=rng.choice(REVIEW_NOTES),
                    status=status,
                    next_review_date=values["review_date"],
                ),
                self.stamp(reviewed),
            )
        if closed_on is not None:
            w.add(
                build(
                    RiskReview,
                    id=self.uid(),
                    risk_id=risk.pk,
                    reviewed_by_id=values["closure_signed_off_by_id"],
                    reviewed_on=closed_on,
                    notes=f"Closed: {values['closure_rationale']}",
                    status="closed",
                    next_review_date=None,
                ),
                self.stamp(closed_on),
            )


RISK_TABLES = ("risks_riskreview", "risks_riskfactor_restricted_to", "risks_riskfactor")


def add_risk_factors(args, url: str, description: dict) -> dict:
    """The risk-factor step, on a migrated database holding the people: empties the risk
    tables (a step cut short is simply redone), generates --risk-factors risks, records
    what it did in the database's description and returns that."""
    from django.db import connection

    started = time.perf_counter()
    description.pop("risk_factors", None)
    benchenv.write_description(url, description)  # until it is done: not there
    as_of = args.as_of or date.fromisoformat(description.get("as_of") or date.today().isoformat())
    print(f"  risk factors: {args.risk_factors:,} (as of {as_of})", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(RISK_TABLES)} CASCADE")
        cursor.execute("SET synchronous_commit TO off")  # this session only: a bulk load
    writer = Writer(args.batch, args.writer)
    generator = RiskGenerator(argparse.Namespace(**{**vars(args), "as_of": as_of}), writer)
    with stamps_from_data():
        subjects = generator.run(args.risk_factors)
    writer.close()
    generated = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(RISK_TABLES)}")
        cursor.execute("SELECT status, count(*) FROM risks_riskfactor GROUP BY status")
        statuses = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FILTER (WHERE confidentiality = 'restricted'),"
            " count(DISTINCT subject_id), count(DISTINCT source_agency_id),"
            " count(*) FILTER (WHERE status = 'under_review'"
            "   AND closure_requested_by_id IS NOT NULL)"
            " FROM risks_riskfactor"
        )
        restricted, subjects_n, agencies_n, awaiting = cursor.fetchone()
        cursor.execute(
            "SELECT a.agency_type, count(*) FROM risks_riskfactor r"
            " JOIN agencies_agency a ON a.id = r.source_agency_id GROUP BY 1 ORDER BY 2 DESC"
        )
        by_agency = dict(cursor.fetchall())
        cursor.execute(
            "SELECT sum(pg_total_relation_size(c)) FROM unnest(%s::regclass[]) AS c",
            [list(RISK_TABLES)],
        )
        size_mb = round(cursor.fetchone()[0] / 1024 / 1024)
        cursor.execute("SELECT pg_database_size(current_database())")
        database_mb = round(cursor.fetchone()[0] / 1024 / 1024)
    done = {
        "count": args.risk_factors,
        "seed": args.seed,
        "generator": RISKS_VERSION,
        "as_of": as_of.isoformat(),
        "rows": dict(writer.counts),
        "by_subject": subjects,
        "by_status": statuses,
        "by_agency_type": by_agency,
        "restricted": restricted,
        "awaiting_sign_off": awaiting,
        "subjects": subjects_n,
        "source_agencies": agencies_n,
        "size_mb": size_mb,
        "database_size_mb": database_mb,
        "seconds": generated,
        "vacuum_s": round(time.perf_counter() - started - generated, 1),
    }
    description["risk_factors"] = done
    benchenv.write_description(url, description)
    print(
        f"  risk factors: {generated} s (+ vacuum {done['vacuum_s']} s), {size_mb} MB; "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(writer.counts.items()))
        + "; "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())),
        flush=True,
    )
    return done


def risks_wanted(args) -> dict:
    return {"count": args.risk_factors, "seed": args.seed, "generator": RISKS_VERSION}


# === End of the risk factors step ===


# === Clock events: a step of its own (CLOCK_VERSION is the hash of this part) ===

# The decision on the referral that opened the case, and on a later one (Decision values).
OPENING_DECISIONS = [
    ("assessment", 62),
    ("strategy_discussion", 28),
    ("early_help", 6),
    ("no_further_action", 4),
]
LATER_DECISIONS = [
    ("assessment", 45),
    ("strategy_discussion", 20),
    ("early_help", 15),
    ("no_further_action", 20),
]
URGENCIES = [("standard", 75), ("urgent", 20), ("immediate", 5)]
# Shares of the open cases with each part of a history (the rest follow from them).
CLOCK_SHARES = {
    "opening referral recorded": 0.90,  # the others were opened before the clock kept time
    "looked after": 0.12,
    "supervision order": 0.03,
    "police protection": 0.004,
    "emergency protection order": 0.003,
}
LATER_REFERRALS = [(0, 70), (1, 22), (2, 8)]


class ClockGenerator(Generator):
    """The statutory clock's events for every open case, read back from the database
    (cases, allocations, networks, staff, risk factors and their reviews) and written by
    the same Writer, with the keys and details the services write: referrals
    (`referral:<id>:received|decided`), orders (`order:<id>:made|ended|extended:<id>|
    concluded|outcome-notice`), allocations (`allocation:<id>`), risks
    (`risk:<id>:review-due:recorded|<review id>`, `risk:<id>:reviewed:<review id>`) and
    meetings recorded by hand (`hand:<child>:<kind>:<date>`; a conference's plan decision
    starts or ends the plan order, `order:<id>:made|ended`). Referrals, orders and
    meetings are not written: their ids are new UUIDs. No tasks: a full re-evaluation
    makes them. (Not yet: the meetings app's own events, placements.)"""

    def __init__(self, args, writer: "Writer"):
        from django.utils import timezone

        self.args = args
        self.rng = random.Random(f"clock events {args.seed}")
        self.today = args.as_of
        self.until = args.as_of - timedelta(days=1)  # histories run to yesterday
        self.tz = timezone.get_default_timezone()
        self.cutoff = self.midnight(args.as_of)
        self.writer = writer
        self.kinds: Counter = Counter()
        self.stuck: Counter = Counter()

    # moments -------------------------------------------------------------------------
    def midnight(self, day: date) -> datetime:
        """A date as the services note it: the start of that day."""
        return datetime.combine(day, datetime.min.time(), self.tz)

    def moment(self, day: date) -> datetime:
        """A moment in working hours on `day`."""
        return self.midnight(day) + timedelta(minutes=self.rng.randint(9 * 60, 17 * 60 - 1))

    def after(self, day: date, low: int, high: int) -> date:
        from threadline.timescales.calendar import add_working_days

        return add_working_days(day, self.rng.randint(low, high))

    # reading back ----------------------------------------------------------------------
    def load(self) -> list[tuple]:
        from threadline.agencies.models import Agency, Practitioner, Role
        from threadline.cases.models import Allocation, Case, Involvement

        area_of = {}
        self.staff: dict = defaultdict(list)  # (area, agency kind) → practitioners
        for pk, code, area in Agency.objects.order_by("code").values_list("id", "code", "area"):
            area_of[pk] = (area, code.rsplit("-", 1)[-1])
        for pk, agency_id, role in (
            Practitioner.objects.filter(agency__isnull=False, is_active=True)
            .order_by("username")
            .values_list("id", "agency_id", "role")
        ):
            area, kind = area_of[agency_id]
            if role == Role.PRACTITIONER:
                self.staff[(area, kind)].append(pk)
            elif role == Role.FRONT_DOOR_OFFICER:
                self.staff[(area, "front door")].append(pk)
            elif role == Role.TEAM_MANAGER:
                self.staff[(area, "manager")].append(pk)
        self.allocations: dict = defaultdict(list)
        for row in (
            Allocation.objects.filter(case__closed_on__isnull=True)
            .order_by("case_id", "from_date")
            .values_list(
                "id", "case_id", "social_worker_id", "from_date", "to_date", "allocated_by_id"
            )
        ):
            self.allocations[row[1]].append(row)
        self.partners: dict = defaultdict(list)  # who refers: the partner agencies involved
        for case_id, practitioner_id in (
            Involvement.objects.filter(case__closed_on__isnull=True, practitioner__isnull=False)
            .exclude(agency__agency_type="childrens_social_care")
            .order_by("case_id", "id")
            .values_list("case_id", "practitioner_id")
        ):
            self.partners[case_id].append(practitioner_id)
        return [
            (case_id, child_id, authority_id, area_of[authority_id][0], opened, kind)
            for case_id, child_id, authority_id, opened, kind in Case.objects.filter(
                closed_on__isnull=True
            )
            .order_by("id")
            .values_list("id", "child_id", "local_authority_id", "opened_on", "child__kind")
        ]

    # writing -----------------------------------------------------------------------------
    def event(self, kind, key, at, by, recorded=None, child=None, **details):
        """One ClockEvent as note_event writes it (None if it would be today or later)."""
        from threadline.timescales.models import ClockEvent

        if at >= self.cutoff:
            return None
        recorded = max(at, min(recorded or at, self.cutoff - timedelta(milliseconds=1)))
        event = build(
            ClockEvent,
            id=self.uid(),
            key=key,
            child_id=child or self.child,
            kind=kind,
            occurred_at=at,
            details=details,
            recorded_by_id=by,
            recorded_at=recorded,
        )
        self.writer.add(event, recorded)
        self.kinds[str(kind)] += 1
        return event

    def hand(self, kind, day: date, by=None, **details):
        """A meeting or assessment recorded by hand (record_meeting_or_assessment), by the
        allocated social worker unless `by`; once per kind and day, as its key makes it."""
        key = f"hand:{self.child}:{kind}:{day.isoformat()}"
        if day > self.until or key in self.keys:
            return None
        self.keys.add(key)
        recorded = self.moment(day + timedelta(days=self.rng.choice([0, 0, 0, 1, 2, 3])))
        # Recorded by yesterday too, leaving room for the plan event just after it.
        recorded = min(recorded, self.cutoff - timedelta(minutes=self.rng.randint(1, 60)))
        return self.event(
            kind, key, self.midnight(day), by or self.worker(day), recorded, **details
        )

    def order(self, kind, order_id, suffix, at, by, recorded=None, **details):
        """An event of the orders services' `_clock` (order_id in its details)."""
        if recorded is None:
            recorded = at if at.time() != datetime.min.time() else self.moment(at.date())
        return self.event(
            kind, f"order:{order_id}:{suffix}", at, by, recorded, order_id=str(order_id), **details
        )

    def worker(self, day: date):
        """The social worker allocated on `day` (the first one before any allocation)."""
        rows = self.case_allocations
        for row in rows:
            if row[3] <= day and (row[4] is None or row[4] >= day):
                return row[2]
        return rows[0][2] if rows and day < rows[0][3] else (rows[-1][2] if rows else None)

    def pick(self, what: str):
        found = self.staff.get((self.area, what)) or self.staff[(self.area, "csc")]
        return self.rng.choice(found)

    # one case ------------------------------------------------------------------------------
    def run(self) -> Counter:
        cases = self.load()
        for i, case in enumerate(cases, 1):
            self.history(case)
            if self.writer.pending() >= 50_000:
                self.writer.flush()
            if i % 10_000 == 0:
                print(f"    {i:,}/{len(cases):,} case histories", flush=True)
        self.risk_events()
        self.writer.flush(wait=True)
        return self.kinds

    def history(self, case) -> None:
        from threadline.timescales.models import EventKind as E

        rng = self.rng
        case_id, self.child, self.authority, self.area, opened, kind = case
        self.keys: set = set()
        self.plan, self.plan_order = False, None
        self.plan_until: date | None = None  # the last day of the plan in force, if any
        self.case_allocations = self.allocations.get(case_id, [])
        self.referrers = self.partners.get(case_id, [])
        opened = min(opened, self.until)
        if rng.random() < CLOCK_SHARES["opening referral recorded"]:
            self.referral(opened - timedelta(days=rng.choice([0, 0, 1])), OPENING_DECISIONS)
        later = rng.choices(*zip(*LATER_REFERRALS, strict=True))[0]
        if (self.until - opened).days > 60:
            for day in sorted(
                self.day_between(opened + timedelta(days=30), self.until) for _ in range(later)
            ):
                self.referral(day, LATER_DECISIONS)
        for row in self.case_allocations:  # assign_social_worker notes each allocation
            self.event(
                E.SOCIAL_WORKER_ALLOCATED,
                f"allocation:{row[0]}",
                self.midnight(row[3]),
                row[5],
                self.moment(row[3]),
            )
        if kind != "child":
            return
        if rng.random() < CLOCK_SHARES["looked after"]:
            self.looked_after(self.day_between(opened, self.until))
        elif rng.random() < CLOCK_SHARES["supervision order"] / (1 - CLOCK_SHARES["looked after"]):
            self.supervision_order(self.day_between(opened + timedelta(days=90), self.until))
        if rng.random() < CLOCK_SHARES["police protection"]:
            self.police_protection(self.day_between(opened, self.until))
        if rng.random() < CLOCK_SHARES["emergency protection order"]:
            self.emergency_protection_order(self.day_between(opened, self.until))

    def referral(self, day: date, decisions) -> None:
        """make_referral's event, then (most) decide_referral's, and what follows."""
        from django.utils import timezone

        from threadline.referrals.services import decision_due
        from threadline.timescales.models import EventKind as E

        rng = self.rng
        received = self.moment(day)
        urgency = rng.choices(*zip(*URGENCIES, strict=True))[0]
        due = decision_due(received, urgency)
        referral_id = str(self.uid())
        by = rng.choice(self.referrers) if self.referrers else self.pick("police")
        if not self.event(
            E.REFERRAL_RECEIVED,
            f"referral:{referral_id}:received",
            received,
            by,
            referral_id=referral_id,
            local_authority_id=str(self.authority),
            due_at=due.isoformat(),
        ):
            return
        if rng.random() < 0.03:  # still waiting for the front door
            return
        if rng.random() < 0.9:
            decided = received + (due - received) * rng.uniform(0.05, 0.95)
        else:
            decided = due + timedelta(minutes=rng.randint(30, 3 * 24 * 60))
        decision = rng.choices(*zip(*decisions, strict=True))[0]
        received_on = timezone.localdate(received)
        if not self.event(
            E.REFERRAL_DECIDED,
            f"referral:{referral_id}:decided",
            decided,
            self.pick("front door"),
            referral_id=referral_id,
            decision=decision,
            received_on=received_on.isoformat(),
        ):
            return
        decided_on = timezone.localdate(decided)
        if decision in ("assessment", "strategy_discussion"):
            r = rng.random()
            if r < 0.8:  # within the 45 working days
                self.hand(E.ASSESSMENT_COMPLETED, self.after(received_on, 10, 45))
            elif r < 0.92:
                self.hand(E.ASSESSMENT_COMPLETED, self.after(received_on, 46, 70))
        if decision == "strategy_discussion":
            self.section_47(self.after(decided_on, 0, 2))
        elif decision == "assessment" and rng.random() < 0.08:  # concerns grew
            self.section_47(self.after(decided_on, 5, 30))

    def on_plan(self, day: date) -> bool:
        return self.plan_until is not None and day <= self.plan_until

    def section_47(self, day: date) -> None:
        """A strategy discussion (section 47 enquiries), then most often an initial
        conference; not while a plan is in force."""
        from threadline.timescales.models import EventKind as E

        rng = self.rng
        if self.on_plan(day) or not self.hand(E.STRATEGY_DISCUSSION, day):
            return
        if rng.random() < 0.3:  # the enquiries did not lead to a conference
            return
        late = rng.random() >= 0.75
        conference = self.after(day, 16, 30) if late else self.after(day, 8, 15)
        self.conference(E.INITIAL_CONFERENCE, conference, plan=rng.random() < 0.85)

    def conference(self, kind, day: date, *, plan: bool):
        """record_meeting_or_assessment's conference; a decision that starts or ends the
        child-protection plan makes or ends the plan order (orders' `_clock`: the plan
        events), just after; an initial conference's plan then runs its course."""
        from threadline.timescales.models import EventKind as E

        event = self.hand(kind, day, plan=plan)
        if event is None:
            return None
        after = event.recorded_at + timedelta(milliseconds=40)
        if plan and not self.plan:
            self.plan_order = self.uid()
            self.order(
                E.PLAN_STARTED,
                self.plan_order,
                "made",
                event.occurred_at,
                event.recorded_by_id,
                recorded=after,
                ends_on=None,
                ends_at=None,
                allocated=bool(self.case_allocations),
            )
        elif self.plan and not plan:
            self.order(
                E.PLAN_ENDED,
                self.plan_order,
                "ended",
                event.occurred_at,
                event.recorded_by_id,
                recorded=after,
            )
        self.plan = plan
        if kind == E.INITIAL_CONFERENCE and plan:
            self.plan_course(day)
        return event

    def plan_course(self, start: date) -> None:
        """Core groups every four to seven weeks, the first within ten working days; the
        first review within three months, then every six; a review ends the plan (a
        quarter at the first, half at each later one)."""
        from threadline.timescales.calendar import add_months
        from threadline.timescales.models import EventKind as E

        rng = self.rng
        reviews, previous, first, end = [], start, True, None
        while True:
            due = add_months(previous, 3 if first else 6)
            if rng.random() < 0.9:
                held = due - timedelta(days=rng.randint(0, 14))
            else:
                held = due + timedelta(days=rng.randint(1, 21))
            if held > self.until:
                break
            continues = rng.random() >= (0.25 if first else 0.5)
            reviews.append((held, continues))
            previous, first = held, False
            if not continues:
                end = held
                break
        self.plan_until = end or date.max
        day = self.after(start, 5, 10) if rng.random() < 0.85 else self.after(start, 11, 20)
        while day < (end or self.today):
            self.hand(E.CORE_GROUP, day)
            day += timedelta(days=rng.randint(28, 49))
        for held, continues in reviews:
            self.conference(E.REVIEW_CONFERENCE, held, plan=continues)

    def proceedings(self, day: date, outcome: str) -> None:
        """conclude_proceedings' events: concluded, the outcome notice the same day, and
        (for a care or supervision order) legal services' memorandum by hand."""
        from threadline.timescales.models import EventKind as E

        rng = self.rng
        order_id, legal = self.uid(), self.pick("legal")
        at = self.midnight(day)
        concluded = self.order(
            E.PROCEEDINGS_CONCLUDED, order_id, "concluded", at, legal, outcome=outcome
        )
        if concluded is None:
            return
        # Noted in the same request, just after the conclusion (the same occurred_at).
        after = concluded.recorded_at + timedelta(milliseconds=40)
        self.order(E.OUTCOME_NOTICE_SENT, order_id, "outcome-notice", at, legal, recorded=after)
        if outcome in ("care_order", "supervision_order"):
            r = rng.random()
            if r < 0.8:
                self.hand(E.LEGAL_MEMORANDUM_SENT, self.after(day, 1, 5), by=legal)
            elif r < 0.92:
                self.hand(E.LEGAL_MEMORANDUM_SENT, self.after(day, 6, 15), by=legal)

    def looked_after(self, start: date) -> None:
        """Accommodated by agreement (by the social worker) or under an interim care
        order (legal services, with the proceedings concluding for most); reviews within
        20 working days, three months, then every six; a fifth stop being looked after."""
        from threadline.timescales.calendar import add_months, add_working_days
        from threadline.timescales.models import EventKind as E

        rng = self.rng
        order_id = self.uid()
        section_20 = rng.random() < 0.4
        by = self.worker(start) if section_20 else self.pick("legal")
        at = self.midnight(start)
        self.order(
            E.LOOKED_AFTER, order_id, "made", at, by, ends_on=None, ends_at=None, allocated=True
        )
        end = start + timedelta(days=rng.randint(90, 540)) if rng.random() < 0.2 else None
        last = min(self.until, end - timedelta(days=1)) if end else self.until
        due, months = add_working_days(start, 20), 3
        while True:
            late = rng.random() >= 0.9
            held = (
                due + timedelta(days=rng.randint(1, 20))
                if late
                else due - timedelta(days=rng.randint(0, 10))
            )
            if held > last:
                break
            self.hand(E.LOOKED_AFTER_REVIEW, max(held, start))
            due, months = add_months(held, months), 6
        if not section_20 and rng.random() < 0.6:
            concluded = start + timedelta(days=rng.randint(120, 280))
            if concluded <= last:
                outcome = "care_order" if rng.random() < 0.85 else "placement_order"
                self.proceedings(concluded, outcome)
        if end and end <= self.until:
            self.order(E.LOOKED_AFTER_ENDED, order_id, "ended", self.midnight(end), by)

    def supervision_order(self, start: date) -> None:
        """Proceedings concluded with a supervision order (a year unless extended, at
        most three): the conference on a plan, reviews every three months without one,
        the meeting on extending it a month before it ends, an extension for some."""
        from threadline.timescales.calendar import add_months
        from threadline.timescales.models import EventKind as E

        rng = self.rng
        if self.on_plan(start):  # after the plan, if it has ended
            start = min(self.plan_until, self.until) + timedelta(days=30)
        if start > self.until:
            return
        self.proceedings(start, "supervision_order")
        order_id, legal = self.uid(), self.pick("legal")
        ends = add_months(start, 12)
        allocated = bool(self.case_allocations) and rng.random() < 0.95
        self.order(
            E.SUPERVISION_ORDER_MADE,
            order_id,
            "made",
            self.midnight(start),
            legal,
            ends_on=ends.isoformat(),
            ends_at=None,
            allocated=allocated,
        )
        if not allocated:
            day = self.after(start, 1, 3)
            self.event(
                E.SOCIAL_WORKER_ALLOCATED,
                f"allocation:{self.uid()}",
                self.midnight(day),
                self.pick("manager"),
                self.moment(day),
            )
        if rng.random() < 0.85:
            late = rng.random() >= 0.8
            day = self.after(start, 16, 25) if late else self.after(start, 8, 15)
            self.conference(E.INITIAL_CONFERENCE, day, plan=rng.random() < 0.35)
        for _ in range(2):  # up to two extensions: three years at most
            review = add_months(start, 3)
            while review < ends and not self.on_plan(review) and not self.plan:
                if rng.random() < 0.85:
                    self.hand(
                        E.SUPERVISION_ORDER_REVIEW, review - timedelta(days=rng.randint(0, 10))
                    )
                else:
                    self.hand(
                        E.SUPERVISION_ORDER_REVIEW, review + timedelta(days=rng.randint(1, 20))
                    )
                review = add_months(review, 3)
            if rng.random() < 0.8:
                self.hand(
                    E.EXTENSION_MEETING, add_months(ends, -1) - timedelta(days=rng.randint(0, 10))
                )
            granted = ends - timedelta(days=rng.randint(3, 14))
            if rng.random() < 0.3 and granted <= self.until:
                new_end = add_months(ends, 12)
                self.order(
                    E.SUPERVISION_ORDER_EXTENDED,
                    order_id,
                    f"extended:{self.uid()}",
                    self.midnight(granted),
                    legal,
                    ends_on=new_end.isoformat(),
                )
                start, ends = ends, new_end
                continue
            break
        if ends <= self.until:
            self.order(E.SUPERVISION_ORDER_ENDED, order_id, "ended", self.midnight(ends), legal)

    def police_protection(self, day: date) -> None:
        """72 hours at most from the moment it began; ended (as end_order notes it: the
        start of the day it ended) the same day for a fifth, within three days for the
        rest."""
        from django.utils import timezone

        from threadline.timescales.models import EventKind as E

        rng = self.rng
        order_id, police = self.uid(), self.pick("police")
        began = self.moment(day)
        ends_at = began + timedelta(hours=72)
        self.order(
            E.POLICE_PROTECTION,
            order_id,
            "made",
            began,
            police,
            ends_on=timezone.localdate(ends_at).isoformat(),
            ends_at=ends_at.isoformat(),
            allocated=bool(self.case_allocations),
        )
        ended = day + timedelta(days=0 if rng.random() < 0.2 else rng.randint(1, 3))
        if ended == day:
            self.stuck["police protection ended the day it began"] += 1
        self.order(E.POLICE_PROTECTION_ENDED, order_id, "ended", self.midnight(ended), police)

    def emergency_protection_order(self, day: date) -> None:
        from threadline.timescales.models import EventKind as E

        order_id, legal = self.uid(), self.pick("legal")
        self.order(
            E.EPO_MADE,
            order_id,
            "made",
            self.midnight(day),
            legal,
            ends_on=(day + timedelta(days=8)).isoformat(),
            ends_at=None,
            allocated=bool(self.case_allocations),
        )
        ended = self.midnight(day + timedelta(days=self.rng.randint(1, 8)))
        self.order(E.EPO_ENDED, order_id, "ended", ended, legal)

    # risks -----------------------------------------------------------------------------------
    def risk_events(self) -> None:
        """Every risk factor's review date as the risks services note it (about adults
        as well as children): set when it was recorded, then at each review, which is
        noted too, as is a closure."""
        from threadline.risks.models import RiskFactor, RiskReview
        from threadline.timescales.models import EventKind as E

        rng = self.rng
        reviews: dict = defaultdict(list)
        for row in RiskReview.objects.order_by("risk_id", "reviewed_on", "created_at").values_list(
            "id", "risk_id", "reviewed_by_id", "created_at", "status", "next_review_date"
        ):
            reviews[row[1]].append(row)
        risks = RiskFactor.objects.order_by("id").values_list(
            "id", "subject_id", "recorded_by_id", "created_at", "identified_on", "review_date"
        )
        for i, (pk, subject, recorder, created, identified, review_date) in enumerate(risks, 1):
            mine = reviews.get(pk, [])
            first = review_date
            if mine:  # the date set when recorded, since changed by the review
                first = identified + timedelta(days=rng.randint(28, 120))
            # By yesterday (a risk recorded today: late yesterday), reviews after it.
            latest = self.cutoff - timedelta(minutes=rng.randint(10, 600))
            previous = min(created, latest)
            self.event(
                E.RISK_REVIEW_SET,
                f"risk:{pk}:review-due:recorded",
                previous,
                recorder,
                child=subject,
                risk_id=str(pk),
                review_date=first.isoformat(),
            )
            for review_id, _risk, by, at, status, next_review in mine:
                at = previous = max(min(at, latest), previous + timedelta(seconds=1))
                self.event(
                    E.RISK_REVIEWED,
                    f"risk:{pk}:reviewed:{review_id}",
                    at,
                    by,
                    child=subject,
                    risk_id=str(pk),
                )
                if status != "closed" and next_review is not None:
                    self.event(
                        E.RISK_REVIEW_SET,
                        f"risk:{pk}:review-due:{review_id}",
                        at + timedelta(milliseconds=30),
                        by,
                        child=subject,
                        risk_id=str(pk),
                        review_date=next_review.isoformat(),
                    )
            if self.writer.pending() >= 50_000:
                self.writer.flush()
            if i % 100_000 == 0:
                print(f"    {i:,} risk factors' events", flush=True)


CLOCK_TABLES = ("timescales_task", "timescales_clockevent")


def add_clock_events(args, url: str, description: dict) -> dict:
    """The clock-event step, on a migrated database holding the people (and the risk
    factors, if any): empties the clock's tables (a step cut short is simply redone),
    writes every open case's history, records what it did in the database's description
    and returns that."""
    from django.db import connection

    started = time.perf_counter()
    description.pop("clock_events", None)
    benchenv.write_description(url, description)  # until it is done: not there
    as_of = args.as_of or date.fromisoformat(description.get("as_of") or date.today().isoformat())
    print(f"  clock events: every open case's history (as of {as_of})", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(CLOCK_TABLES)} CASCADE")
        cursor.execute("SET synchronous_commit TO off")  # this session only: a bulk load
    writer = Writer(args.batch, args.writer)
    generator = ClockGenerator(argparse.Namespace(**{**vars(args), "as_of": as_of}), writer)
    with stamps_from_data():
        kinds = generator.run()
    writer.close()
    generated = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(CLOCK_TABLES)}")
        cursor.execute(
            """
            WITH open_cases AS (SELECT child_id FROM cases_case WHERE closed_on IS NULL),
            per_child AS (
                SELECT o.child_id, count(e.id) AS n FROM open_cases o
                LEFT JOIN timescales_clockevent e ON e.child_id = o.child_id GROUP BY 1)
            SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY n),
                   percentile_disc(0.95) WITHIN GROUP (ORDER BY n), max(n), sum(n)::bigint,
                   (SELECT count(DISTINCT child_id) FROM timescales_clockevent)
            FROM per_child
            """
        )
        children, median, p95, most, of_children, subjects = cursor.fetchone()
        cursor.execute(
            "SELECT sum(pg_total_relation_size(c)) FROM unnest(%s::regclass[]) AS c",
            [list(CLOCK_TABLES)],
        )
        size_mb = round(cursor.fetchone()[0] / 1024 / 1024)
        cursor.execute("SELECT pg_database_size(current_database())")
        database_mb = round(cursor.fetchone()[0] / 1024 / 1024)
    done = {
        **clock_wanted(args, description),
        "as_of": as_of.isoformat(),
        "rows": dict(writer.counts),
        "by_kind": dict(kinds.most_common()),
        "open_case_children": children,
        "events_of_open_case_children": of_children,
        "events_per_open_case_child": {"median": median, "p95": p95, "max": most},
        "people_with_events": subjects,
        "police_protection_ended_the_day_it_began": generator.stuck[
            "police protection ended the day it began"
        ],
        "size_mb": size_mb,
        "database_size_mb": database_mb,
        "seconds": generated,
        "vacuum_s": round(time.perf_counter() - started - generated, 1),
    }
    description["clock_events"] = done
    benchenv.write_description(url, description)
    print(
        f"  clock events: {generated} s (+ vacuum {done['vacuum_s']} s), {size_mb} MB; "
        f"{writer.counts['ClockEvent']:,} events, {of_children:,} of them about the "
        f"{children:,} children with an open case (median {median}, p95 {p95}, max {most})",
        flush=True,
    )
    return done


def clock_wanted(args, description: dict) -> dict:
    """What the step's events depend on: the seed, this part of the generator, and the
    risk factors they were read from."""
    risks = description.get("risk_factors") or {}
    return {
        "seed": args.seed,
        "generator": CLOCK_VERSION,
        "risk_factors": {k: risks.get(k) for k in ("count", "seed", "generator")},
    }


# === End of the clock events step ===


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument(
        "--children",
        type=int,
        default=50_000,
        help="children (each with an open case) among --people",
    )
    parser.add_argument(
        "--areas", type=int, default=5, help=f"1–{len(AREAS)} local-authority areas"
    )
    parser.add_argument(
        "--audit-events",
        type=int,
        default=None,
        help="audit rows of history (default: 2.5 per person)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="the day the data is current to (default: today)",
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help="preset: 20,000 people / 5,000 children (threadline_bench_small)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"default {benchenv.DEFAULT_SERVER}/threadline_bench(_small)",
    )
    parser.add_argument("--batch", type=int, default=5000, help="rows per INSERT (bulk_create)")
    parser.add_argument(
        "--writer",
        choices=["copy", "bulk_create"],
        default="copy",
        help="how batches reach the database (see Writer)",
    )
    parser.add_argument(
        "--if-needed",
        action="store_true",
        help="do nothing if the database already holds data of these sizes",
    )
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="skip `threadline audit verify` of the generated trail",
    )
    parser.add_argument(
        "--risk-factors",
        type=int,
        default=None,
        help="risk factors to generate (default: 2.5 per person; 0: none)",
    )
    parser.add_argument(
        "--only-risks",
        action="store_true",
        help="(re)generate only the risk factors, in a database holding the people",
    )
    parser.add_argument(
        "--no-clock",
        action="store_true",
        help="leave out the clock events (every open case's history of referrals, "
        "meetings, orders and risk reviews)",
    )
    parser.add_argument(
        "--only-clock",
        action="store_true",
        help="(re)generate only the clock events, in a database holding the people",
    )
    parser.add_argument("--json", type=Path, help="write the description and timings here")
    args = parser.parse_args(argv)
    if args.small:
        args.people, args.children = 20_000, 5_000
    if args.audit_events is None:
        args.audit_events = int(args.people * 2.5)
    if args.risk_factors is None:
        args.risk_factors = int(args.people * 2.5)
    if not 1 <= args.areas <= len(AREAS):
        parser.error(f"--areas must be 1–{len(AREAS)}")
    if args.children > args.people:
        parser.error("--children cannot exceed --people")
    url = args.database_url or (
        f"{benchenv.DEFAULT_SERVER}/threadline_bench{'_small' if args.small else ''}"
    )
    wanted = {
        "people": args.people,
        "children": args.children,
        "areas": args.areas,
        "audit_events": args.audit_events,
        "seed": args.seed,
        "generator": GENERATOR_VERSION,
    }

    existing = benchenv.read_description(url) if benchenv.database_exists(url) else None
    if (args.only_risks or args.only_clock) and not existing:
        raise SystemExit(f"{benchenv.database_name(url)} holds no generated people: generate it")
    holds_people = existing and all(existing.get(k) == v for k, v in wanted.items())
    if (args.if_needed and holds_people) or args.only_risks or args.only_clock:
        risks_done = (existing.get("risk_factors") or {}).get
        risks_current = args.risk_factors == 0 or all(
            risks_done(k) == v for k, v in risks_wanted(args).items()
        )
        redo_risks = args.only_risks or (not risks_current and not args.only_clock)
        print(
            f"{benchenv.database_name(url)}: already holds {existing['people']:,} people / "
            f"{existing['children']:,} children (seed {existing['seed']}); migrating"
            + (", then the risk factors" if redo_risks else "")
        )
        benchenv.configure(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if redo_risks:
            add_risk_factors(args, url, existing)
        # After the risks: the clock's risk-review events are read from them.
        clock_done = (existing.get("clock_events") or {}).get
        clock_current = args.no_clock or all(
            clock_done(k) == v for k, v in clock_wanted(args, existing).items()
        )
        if args.only_clock or (not clock_current and not args.only_risks):
            add_clock_events(args, url, existing)
        elif not clock_current:
            print("  the clock events are out of date: run again with --only-clock")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(existing, indent=2))
        return 0

    total = time.perf_counter()
    print(
        f"Generating {args.people:,} people / {args.children:,} children in "
        f"{benchenv.database_name(url)} (seed {args.seed})",
        flush=True,
    )
    t = time.perf_counter()
    benchenv.recreate_database(url)
    benchenv.configure(url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    args.as_of = args.as_of or timezone.localdate()
    call_command("migrate", verbosity=0)  # the same as `threadline migrate` with DATABASE_URL
    timings = {"create and migrate": round(time.perf_counter() - t, 1)}
    print(f"  create and migrate: {timings['create and migrate']} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")  # this session only: a bulk load
    generator = Generator(args)
    timings.update(generator.run())
    t = time.perf_counter()
    vacuum_analyze()
    timings["vacuum analyze"] = round(time.perf_counter() - t, 1)
    print(f"  vacuum analyze: {timings['vacuum analyze']} s", flush=True)
    timings["total"] = round(time.perf_counter() - total, 1)
    verified = None
    if not args.no_verify:
        t = time.perf_counter()
        from io import StringIO

        out = StringIO()
        call_command("audit", "verify", stdout=out)
        verified = out.getvalue().strip()
        timings["audit verify"] = round(time.perf_counter() - t, 1)
        print(f"  {verified} ({timings['audit verify']} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size_mb = round(cursor.fetchone()[0] / 1024 / 1024)
    description = {
        **wanted,
        "as_of": args.as_of.isoformat(),
        "database": benchenv.database_name(url),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "rows": dict(generator.writer.counts),
        "timings_s": timings,
        "size_mb": size_mb,
        "audit_verify": verified,
        "command": " ".join([".venv/bin/python", "bench/generate.py", *sys.argv[1:]]),
    }
    benchenv.write_description(url, description)
    if args.risk_factors:
        add_risk_factors(args, url, description)
    if not args.no_clock:
        add_clock_events(args, url, description)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(description, indent=2))
    print(
        f"Done in {timings['total']} s (+ verify): {size_mb} MB; rows: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(generator.writer.counts.items()))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
