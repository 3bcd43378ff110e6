"""Shared set-up for the bench scripts: the environment Django reads before it loads,
the bench database's life cycle, and the description of the data stored on it.

The bench scripts run outside pytest, against a PostgreSQL database of their own; they
never touch the demo's SQLite file or the test databases."""

import json
import os
import platform
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise SystemExit(f"--database-url needs a database name: {url}")
    return name


def maintenance_url(url: str) -> str:
    """The same server, database `postgres`: where CREATE/DROP DATABASE run."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def configure(database_url: str) -> None:
    """Point Django at the bench database with production-like request handling (DEBUG
    off, persistent connections) and load it. Call before importing any model."""
    if urlsplit(database_url).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit("The bench runs on PostgreSQL: pass --database-url postgres://…")
    VAR.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "threadline.settings"
    os.environ["THREADLINE_ENV"] = "local"
    os.environ["DEBUG"] = "false"
    # The test client's host; nothing listens on the network.
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    # A gunicorn worker keeps its connection; the default (0) reconnects per request,
    # which would add the same few milliseconds to both variants and blur the ratio.
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")
    # Anchors of the bench trail are kept apart from the demo database's.
    os.environ["AUDIT_ANCHOR_PATH"] = str(VAR / f"{database_name(database_url)}-anchors.log")
    import django

    django.setup()


def server_connect(url: str, dbname: str | None = None):
    import psycopg

    target = maintenance_url(url) if dbname is None else url
    return psycopg.connect(target, autocommit=True)


def database_exists(url: str) -> bool:
    with server_connect(url) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)]
        ).fetchone()
    return row is not None


def read_description(url: str) -> dict | None:
    """The JSON the generator stored as the database's comment (sizes, seed, timings)."""
    with server_connect(url) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [database_name(url)],
        ).fetchone()
    if not row or not row[0]:
        return None
    try:
        return json.loads(row[0])
    except ValueError:
        return None


def write_description(url: str, description: dict) -> None:
    from psycopg import sql

    with server_connect(url) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(database_name(url)), sql.Literal(json.dumps(description))
            )
        )


def recreate_database(url: str) -> None:
    from psycopg import sql

    name = sql.Identifier(database_name(url))
    with server_connect(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def machine() -> dict:
    """What the figures were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    lscpu_path = shutil.which("lscpu")
    if lscpu_path:
        lscpu = subprocess.run([lscpu_path], capture_output=True, text=True, check=False)  # noqa: S603
        lscpu = lscpu.stdout
        for line in lscpu.splitlines():
            if line.startswith("Model name:") and len(line.split(":", 1)[1].strip()) > len(cpu):
                cpu = line.split(":", 1)[1].strip()
    return {
        "nproc": os.cpu_count(),
        "memory_gib": memory_gib,
        "cpu": cpu or platform.processor() or "unknown",
        "kernel": platform.release(),
        "python": platform.python_version(),
    }
