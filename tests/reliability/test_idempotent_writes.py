"""An API write with an Idempotency-Key whose web worker is killed part-way through.

Found by `make chaos`: a worker killed after the write committed but before its
response was stored left the key "in flight"; once that claim was old enough to count
as abandoned, the client's retry ran the write again and created a second row. The
write and the stored response now commit together, so a worker killed anywhere leaves
either both or neither."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from threadline.chronology.models import ChronologyEntry
from threadline.common.models import IdempotencyRecord

ENTRIES = "/api/v1/chronology-entries/"


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing the process would have done next happens."""


@pytest.fixture
def killed_when_storing_the_response():
    """The worker dies at the moment it stores the response for the key: after the
    handler has returned (its own transaction committed, if it had one)."""
    save, delete = IdempotencyRecord.save, IdempotencyRecord.delete
    dead = []

    def dying_save(record, *args, **kwargs):
        if "status_code" in (kwargs.get("update_fields") or ()) and not dead:
            dead.append(record.key)
            raise WorkerKilled()
        return save(record, *args, **kwargs)

    def no_clean_up_after_death(record, *args, **kwargs):
        if dead:  # a killed process tidies nothing away
            return (0, {})
        return delete(record, *args, **kwargs)

    with (
        mock.patch.object(IdempotencyRecord, "save", dying_save),
        mock.patch.object(IdempotencyRecord, "delete", no_clean_up_after_death),
    ):
        yield dead


def test_a_write_whose_worker_died_before_storing_the_response_is_made_once(
    world, api_client_for, killed_when_storing_the_response
):
    client = api_client_for(world.social_worker)
    body = {
        "children": [str(world.child.pk)],
        "summary": "Home visit: chaos-regression-1",
        "entry_type": "contact",
        "event_at": "2025-03-27",
    }
    with pytest.raises(WorkerKilled):
        client.post(ENTRIES, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert killed_when_storing_the_response == ["k-1"]

    # The client retries with the same key; by then the dead worker's claim is old
    # enough to be taken over.
    IdempotencyRecord.objects.filter(key="k-1").update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    retried = client.post(ENTRIES, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(ENTRIES, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert retried.status_code == 201
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == retried.json()["id"]
    assert ChronologyEntry.objects.filter(summary__contains="chaos-regression-1").count() == 1


def test_a_claim_is_abandoned_after_the_configured_time(world, api_client_for, settings):
    from threadline.common.api import request_fingerprint

    settings.IDEMPOTENCY_ABANDONED_SECONDS = 30
    body = {
        "children": [str(world.child.pk)],
        "summary": "Home visit: chaos-regression-2",
        "entry_type": "contact",
        "event_at": "2025-03-27",
    }
    record = IdempotencyRecord.objects.create(
        actor=world.social_worker,
        key="k-2",
        fingerprint=request_fingerprint("POST", ENTRIES, body),
        created_at=timezone.now() - dt.timedelta(seconds=20),
    )
    client = api_client_for(world.social_worker)
    assert client.post(ENTRIES, body, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 409

    IdempotencyRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=40)
    )
    assert client.post(ENTRIES, body, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201
