# The database the real processes share with the test: the notices reliability tests'
# fixture (PostgreSQL: the test database; SQLite: a file copy of the in-memory one).
from tests.notices.test_reliability import database_url  # noqa: F401
