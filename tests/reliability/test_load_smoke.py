"""A short `make load` (bench/load.py) in the suite: real processes, real sign-ins.

gunicorn (two gthread workers, DEBUG off) serves the test database; locust, in a process
of its own, signs five practitioners in through the form (password, then a code from
their authenticator app) and has them work for a few seconds: two social workers on the
children allocated to them, a health visitor in a child's network, a front-door officer
on their local authority's children, and another area's police officer probing children
outside their reach. Each does every request of its mix once first (child page,
chronology, active risks, dashboard, inbox, search, front-door queue, recording an entry,
referring, acknowledging a notice; the probe's must all be 404), then the weighted mix.
Every request must answer as a person would expect (no error), and every write the
server acknowledged must be in the database."""

import sqlite3
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from threadline.agencies.models import AgencyType, Role

from .. import factories as f

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import load  # noqa: E402 (bench/ is not a package)

pytestmark = pytest.mark.django_db(transaction=True)

SECONDS = 3  # of mixed load, after every request type once


@pytest.fixture
def database_url(transactional_db, tmp_path):
    """A URL the server's processes can open, holding what this test writes: on
    PostgreSQL the test database itself; on SQLite, whose test database is in memory
    and private to this process, a file copy of it that this process then uses too."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
        host = f"{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}"
        yield f"postgres://{quote(settings['USER'])}{password}@{host}/{settings['NAME']}"
        return
    in_memory, path = settings["NAME"], tmp_path / "threadline.sqlite3"
    keeper = sqlite3.connect(in_memory, uri=True)  # keeps the in-memory database alive
    with sqlite3.connect(path) as copy:
        keeper.backup(copy)
    settings["NAME"] = str(path)
    connection.close()
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        settings["NAME"] = in_memory
        connection.ensure_connection()
        keeper.close()


@pytest.fixture
def people(database_url, world):
    """The world of tests/conftest.py, a second child allocated to the social worker, a
    second social worker with a child, a front-door officer, and an entry in a
    chronology."""
    brother = f.PersonFactory(
        given_names="Jordan", family_name="Marsh", recorded_by_agency=world.social_care
    )
    case = f.CaseFactory(
        child=brother, local_authority=world.social_care, lead_professional=world.social_worker
    )
    f.AllocationFactory(
        case=case, social_worker=world.social_worker, allocated_by=world.team_manager
    )
    f.InvolvementFactory(
        case=case, agency=world.health, practitioner=world.health_visitor, role="Health visitor"
    )
    # A second social worker, with a child of their own.
    colleague = f.SocialWorkerFactory(username="sw2", agency=world.social_care)
    cousin = f.PersonFactory(
        given_names="Casey", family_name="Hale", recorded_by_agency=world.social_care
    )
    f.AllocationFactory(
        case=f.CaseFactory(child=cousin, local_authority=world.social_care),
        social_worker=colleague,
        allocated_by=world.team_manager,
    )
    f.PractitionerFactory(
        username="frontdoor",
        agency=world.social_care,
        role=Role.FRONT_DOOR_OFFICER,
        job_title="Front-door social worker",
    )
    f.ChronologyEntryFactory(agency=world.health, author=world.health_visitor, children=[brother])
    assert world.social_care.agency_type == AgencyType.CHILDRENS_SOCIAL_CARE
    return world


def test_a_short_load_has_no_errors_and_every_write_lands(people, database_url, tmp_path):
    plan = load.prepare(
        {"social_worker": 2, "partner": 1, "front_door": 1, "probe": 1},
        seed=1,
        notices_per_user=6,
    )
    env = load.server_env(database_url, production=False, var_dir=tmp_path)
    server = load.Server(
        env, workers=2, threads=2, log_dir=tmp_path, task_worker=False, https=False
    )
    with server:
        swarm = load.run_swarm(
            plan,
            server,
            users=5,
            spawn_rate=5,
            warmup_s=0,
            run_s=SECONDS,
            think=(0.1, 0.4),
            seed=1,
            each_task_once=True,
            work_dir=tmp_path,
        )
        log = server.output("gunicorn")
    processes = server.processes.values()
    assert all(p.poll() is not None for p in processes), "the server is still running"

    summary = load.summarise(swarm)
    assert summary["sign_in"]["signed_in"] == 5, summary["errors_by_type"]
    assert summary["errors"] == 0, (summary["errors_by_type"], log[-3000:])
    # Every request type of the mix was made (each user does its own once first).
    assert set(summary["per_type"]) == set(load.READS) | set(load.WRITES)
    landed = load.landed(swarm["written"])
    assert all(v["acknowledged"] >= 1 for v in landed.values()), landed
    assert load.all_landed(landed), landed
