"""The database connection's own settings."""

import pytest
from django.db import connection

from tests.factories import AllocationFactory, CaseFactory, SocialWorkerFactory
from threadline.sharing import policy


@pytest.mark.django_db
def test_postgresql_runs_without_jit_compilation():
    """PostgreSQL compiled the access policy's filters (high cost estimates, millisecond
    queries) for 0.5–3 s a query under `make load`; the connection turns JIT off."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.django_db
def test_postgresql_plans_the_person_check_once_per_connection():
    """Every page checks the person it is about, and planning the policy's nested filter
    cost PostgreSQL several times what running it did. The parameters travel apart from
    the SQL, so from its second run the check is a prepared statement: the same plan,
    whichever person and practitioner it is asked about."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    children = [CaseFactory().child for _ in range(3)]
    for child in children:
        worker = SocialWorkerFactory()
        AllocationFactory(case=child.cases.get(), social_worker=worker)
        assert policy.get_person_for(worker, child.pk) == child
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "people_person"' in sql and "cases_allocation" in sql for sql in prepared)
