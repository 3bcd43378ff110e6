"""The health check that load balancers and uptime monitors poll."""

import threading

from django.db import connections
from django.test import Client


def test_health_check_reports_ok_without_signing_in(db):
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_check_only_answers_get(db):
    assert Client().post("/healthz").status_code == 405


def test_health_check_reports_unavailable_when_the_database_cannot_be_reached(db, tmp_path):
    vendor = connections["default"].vendor
    unreachable = (
        str(tmp_path / "no-such-directory" / "threadline.sqlite3")
        if vendor == "sqlite"
        else "threadline_no_such_database"
    )

    response = _get_with_unreachable_database("/healthz", unreachable)

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unavailable",
        "code": "database_unavailable",
    }


def _get_with_unreachable_database(path, database_name):
    """GET `path` from a thread of its own (as a server's worker thread would), whose
    database connection names a database that cannot be opened.

    Connections are per thread, so the failure is real but confined to that thread. Closing
    the test's own connection instead would end its transaction and, on SQLite, destroy
    the in-memory test database."""
    result = {}

    def request():
        connection = connections["default"]  # this thread's own, not yet connected
        connection.settings_dict = {**connection.settings_dict, "NAME": database_name}
        try:
            result["response"] = Client().get(path)
        finally:
            connection.close()

    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
    return result["response"]
