"""Shared set-up for the bench scripts: the environment Django reads before it loads,
the bench database's life cycle, and the description of the data stored on it.

The bench scripts run outside pytest, against a PostgreSQL database of their own; they
never touch the demo's SQLite file or the test databases."""

import json
import os
import platform
import shutil
import subprocess
import time
from collections import defaultdict
from contextlib import contextmanager
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


# --- Working copies: benchmarks that write measure on a clone they drop afterwards ------


@contextmanager
def working_copy(source_url: str, *, mark: str, keep: bool = False):
    """Clone the bench database as `<name><mark><pid>`, point Django at the clone,
    bring it to the code's schema, and yield what was done; drop it at the end (unless
    `keep`). The bench database itself is only read by PostgreSQL's copy."""
    drop_stale_copies(source_url, mark)
    print(f"Copying {database_name(source_url)} …", flush=True)
    copy_url, seconds = create_copy(source_url, mark)
    try:
        configure(copy_url)
        repaired = repair_stale_apps()
        migrations = migrate_copy()
        yield {
            "name": database_name(copy_url),
            "seconds": round(seconds, 1),
            "migrations": migrations,
            "rebuilt": repaired,
        }
    finally:
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
        if keep:
            print(f"Kept the copy: {copy_url}")
        else:
            drop_copy(copy_url)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def drop_stale_copies(source_url: str, mark: str) -> None:
    """Copies left by runs that were killed: the process that made them is gone and
    nobody is connected to them. Others (a run in progress) are left alone."""
    from psycopg import errors, sql

    prefix = database_name(source_url) + mark
    with server_connect(source_url) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
            )
        ]
        for name in names:
            pid = name.removeprefix(prefix)
            if not pid.isdigit() or _alive(int(pid)):
                continue
            try:
                conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
                print(f"Dropped {name}, left by an earlier run")
            except errors.ObjectInUse:
                pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def create_copy(source_url: str, mark: str, tries: int = 6) -> tuple[str, float]:
    """Clone the bench database; PostgreSQL refuses while anyone is connected to it
    (it waits 5 s each time), so try a few times, then say who is connected."""
    from psycopg import errors, sql

    source = database_name(source_url)
    target = f"{source}{mark}{os.getpid()}"
    started = time.perf_counter()
    with server_connect(source_url) as conn:
        strategy = sql.SQL(" STRATEGY FILE_COPY") if conn.info.server_version >= 150000 else None
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(target), sql.Identifier(source)
        ) + (strategy or sql.SQL(""))
        for attempt in range(1, tries + 1):
            try:
                conn.execute(statement)
                break
            except errors.ObjectInUse:
                if attempt == tries:
                    who = conn.execute(
                        "SELECT usename, application_name, client_addr, state "
                        "FROM pg_stat_activity WHERE datname = %s",
                        [source],
                    ).fetchall()
                    raise SystemExit(
                        f"Cannot copy {source}: others are connected to it ({who}). "
                        "Run again when they are done."
                    ) from None
                print(f"  {source} is in use; waiting to copy it (attempt {attempt}/{tries})")
    return with_database(source_url, target), time.perf_counter() - started


def drop_copy(url: str) -> None:
    from psycopg import sql

    with server_connect(url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(database_name(url))
            )
        )


def repair_stale_apps() -> list[str]:
    """Apps the copy records as migrated whose tables do not match the models (a
    migration edited after the bench database was migrated): if those tables are empty,
    migrate the app to zero so that `migrate` rebuilds it; if they hold rows, stop."""
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    introspection = connection.introspection
    stale: dict[str, list[str]] = defaultdict(list)
    with connection.cursor() as cursor:
        tables = set(introspection.table_names(cursor))
        for model in apps.get_models():
            table = model._meta.db_table
            if table not in tables or not model._meta.managed or model._meta.proxy:
                continue
            columns = {c.name for c in introspection.get_table_description(cursor, table)}
            fields = {f.column for f in model._meta.local_concrete_fields}
            if columns != fields:
                stale[model._meta.app_label].append(
                    f"{table} ({', '.join(sorted(columns ^ fields))})"
                )
    repaired = []
    for app_label, mismatched in sorted(stale.items()):
        models = [
            m for m in apps.get_app_config(app_label).get_models() if m._meta.db_table in tables
        ]
        if any(m._default_manager.exists() for m in models):
            raise SystemExit(
                f"{app_label}'s tables do not match its models and hold rows: "
                f"{'; '.join(mismatched)}. Regenerate the bench database."
            )
        call_command("migrate", app_label, "zero", verbosity=0)
        repaired.append(f"{app_label}: {'; '.join(mismatched)}")
    return repaired


def migrate_copy() -> list[str]:
    """Bring the copy to the code's schema (the bench database may predate the latest
    migrations: `generate.py --if-needed` migrates it, this script never alters it)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", verbosity=0)
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
