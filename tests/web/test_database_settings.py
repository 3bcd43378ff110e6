"""The database connection's own settings."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_runs_without_jit_compilation():
    """PostgreSQL compiled the access policy's filters (high cost estimates, millisecond
    queries) for 0.5–3 s a query under `make load`; the connection turns JIT off."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
