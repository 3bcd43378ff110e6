"""While the database cannot be reached, requests get 503 with Retry-After (JSON with the
code `database_unavailable` under /api/), not a bare 500, and a write that failed that
way can be sent again with the same Idempotency-Key.

Found by `make chaos`: restarting PostgreSQL under load gave the API's clients Django's
HTML "Server Error (500)"."""

from unittest import mock

import pytest
from django.db import OperationalError

from threadline.chronology import services
from threadline.chronology.models import ChronologyEntry

ENTRIES = "/api/v1/chronology-entries/"
GONE = OperationalError("consuming input failed: server closed the connection unexpectedly")


@pytest.fixture
def client(world, api_client_for):
    client = api_client_for(world.social_worker)
    client.raise_request_exception = False  # answer as the server would
    return client


def test_an_api_read_while_the_database_is_away_is_503_with_a_json_code(world, client):
    with mock.patch("threadline.chronology.selectors.list_entries", side_effect=GONE):
        response = client.get(ENTRIES, {"child": str(world.child.pk)})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "database_unavailable"
    assert response.json()["errors"][0]["code"] == "database_unavailable"


def test_a_write_that_failed_so_can_be_sent_again_with_the_same_key(world, client):
    body = {
        "children": [str(world.child.pk)],
        "summary": "Home visit while the database restarted",
        "entry_type": "contact",
        "event_at": "2025-03-27",
    }
    record = services.record_entry
    with mock.patch.object(services, "record_entry", side_effect=[GONE]):
        failed = client.post(ENTRIES, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert failed.status_code == 503 and failed.json()["code"] == "database_unavailable"

    with mock.patch.object(services, "record_entry", side_effect=record):
        again = client.post(ENTRIES, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201
    assert ChronologyEntry.objects.filter(summary=body["summary"]).count() == 1


def test_a_page_while_the_database_is_away_is_503(world, settings):
    from django.test import Client

    browser = Client(raise_request_exception=False)
    browser.force_login(world.social_worker)
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=GONE):
        response = browser.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"cannot reach its database" in response.content


def test_other_failures_are_still_500(world, client):
    with mock.patch(
        "threadline.chronology.selectors.list_entries", side_effect=RuntimeError("a bug")
    ):
        response = client.get(ENTRIES, {"child": str(world.child.pk)})

    assert response.status_code == 500


@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_that_died_is_replaced_before_a_request_uses_it():
    """With DATABASE_CONN_MAX_AGE set, a web worker keeps its connection between
    requests; after PostgreSQL restarts, that connection is dead. The first request must
    not fail on it (found by `make chaos`: CONN_HEALTH_CHECKS was off)."""
    from django.core.signals import request_finished, request_started
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server to restart")
    import psycopg

    def a_request() -> int:
        request_started.send(sender=None)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                return cursor.fetchone()[0]
        finally:
            request_finished.send(sender=None)

    connection.close()
    kept = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 60
    try:
        first = a_request()
        assert a_request() == first  # kept between requests
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [first])

        assert a_request() != first
    finally:
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = kept
