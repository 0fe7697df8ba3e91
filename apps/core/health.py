"""The checks behind /healthz. Each returns None when healthy, else what is wrong."""

from __future__ import annotations

import os

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from apps.core.schema import compare_schema
from apps.core.schema.findings import UNAPPLIED_MIGRATION


def check_database() -> str | None:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return f"database unreachable: {exc}"
    return None


def check_broker() -> str | None:
    if not settings.REDIS_URL:
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        if not os.access(folder, os.W_OK):
            return f"broker folder {folder} is not writable"
        return None
    return _ping_redis("broker")


def check_event_bridge() -> str | None:
    """The state of this web process's event bridge, as it last saw its source.

    Not a probe of Redis: the bridge may be cut off while Redis answers a
    PING (or the other way round), and what matters is whether events reach
    the streams. States only, never exception text.
    """
    from apps.tasks.bridge import get_bridge

    status = get_bridge().status()
    if status["state"] in ("ok", "idle", "starting"):
        return None
    since = status.get("failing_for")
    heard = status.get("last_receive_age")
    return (
        f"event bridge ({status['kind']}) {status['state']}"
        + (f" for {since:.0f} s" if since is not None else "")
        + (f"; last heard from its source {heard:.0f} s ago" if heard is not None else "; never heard from its source")
    )


def check_migrations() -> str | None:
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return f"could not read migration state: {exc}"
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        return f"{len(plan)} unapplied migration(s): {names}{more}; run `manage.py migrate`"
    return None


def check_schema() -> str | None:
    """Schema drift of severity error, by code and object (`manage.py check_schema` has the details).

    Cheap enough for every probe: what depends on the code and on the applied
    migrations is cached, only the catalogs are read each time.
    """
    try:
        report = compare_schema(DEFAULT_DB_ALIAS, cached=True)
    except Exception as exc:
        return f"could not check the schema: {exc}"
    # Unapplied migrations are already named by the `migrations` check.
    errors = [f for f in report.errors if f.code != UNAPPLIED_MIGRATION]
    if not errors:
        return None
    names = ", ".join(f"{f.code} {f.object}" for f in errors[:5])
    more = f" and {len(errors) - 5} more" if len(errors) > 5 else ""
    return f"{len(errors)} schema problem(s): {names}{more}; run `manage.py check_schema`"


def _ping_redis(role: str) -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as exc:
        return f"{role} (Redis) unreachable: {exc}"
    return None


def run_checks() -> dict[str, str | None]:
    """Every check by name; the migration state and the schema are only read from a live database."""
    database = check_database()
    return {
        "database": database,
        "broker": check_broker(),
        "event_bridge": check_event_bridge(),
        "migrations": "skipped: the database is unreachable" if database else check_migrations(),
        "schema": "skipped: the database is unreachable" if database else check_schema(),
    }
