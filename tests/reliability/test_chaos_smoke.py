"""A small `make chaos` in the suite, so CI guards it: gunicorn and the task worker as
real processes on the test database, a few API clients writing for ten seconds, one web
worker and the task worker killed with SIGKILL (no PostgreSQL restart here), then the
same checks as the full run (tests/reliability/harness.py; bench/chaos.py runs it
longer, with more faults, on PostgreSQL)."""

import pytest
from rest_framework.authtoken.models import Token

from . import harness

pytestmark = pytest.mark.django_db(transaction=True)

# The servers run with production settings, which need a real audit key; the test's
# own rows (the personas) are chained with it too, so the whole trail verifies.
AUDIT_KEY = "chaos-smoke-audit-key-" + "k" * 40


@pytest.fixture
def personas(database_url, settings, request):
    settings.AUDIT_HMAC_KEY = AUDIT_KEY
    world = request.getfixturevalue("world")  # after database_url: in the shared database

    def token(practitioner) -> str:
        return Token.objects.get_or_create(user=practitioner)[0].key

    child = str(world.child.pk)
    return [
        harness.Persona("sw", token(world.social_worker), [child]),
        harness.Persona("hv", token(world.health_visitor), [child]),
        # The local authority's safeguarding lead reads its inbox: the referrals.
        harness.Persona("lead", token(world.safeguarding_lead), [], acknowledges=True),
    ]


def test_killing_workers_under_a_write_load_loses_and_repeats_nothing(
    database_url, personas, tmp_path
):
    setup = harness.Setup(
        database_url=database_url,
        personas=personas,
        var_dir=tmp_path,
        audit_key=AUDIT_KEY,
        duration=10,
        schedule=[(2.5, "kill-web-worker"), (4.0, "kill-task-worker")],
        web_workers=2,
        # gunicorn kills a request running longer than web_timeout, so a key's claim
        # older than abandoned_seconds is certainly a dead worker's.
        web_timeout=5,
        abandoned_seconds=10,
        lease_seconds=3,
        housekeeping_every=5,
        bulk_rows=10,
        give_up_after=30,
        drain_timeout=30,
        pause=0.05,
        log=lambda line: None,
    )
    chaos = harness.Chaos(setup)
    try:
        chaos.run()
    finally:
        chaos.close()
    report = chaos.report()
    summary = harness.markdown(report)

    assert [event["fault"] for event in report["faults"]] == [
        "kill-web-worker",
        "kill-task-worker",
    ], summary
    assert not [event for event in report["faults"] if "error" in event], summary
    assert [e["killed_by_chaos"] for e in report["task_worker_exits"]] == [True], summary
    writes = chaos.load.writes
    assert {w.kind for w in writes if w.outcome == "acknowledged"} >= {"entry", "referral"}
    assert {w.outcome for w in writes} == {"acknowledged"}, summary
    assert report["emails_received"] > 0, summary
    failed = [check for check in report["checks"] if check["result"] == "fail"]
    assert not failed, summary
