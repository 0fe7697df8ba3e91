"""The lock that makes `manage.py migrate` safe to start several times at once.

Several release phases, or web processes with MEMSTACK_AUTO_MIGRATE, may
migrate the same database at the same moment; without a lock most of them fail
half-way (duplicate tables, duplicate content types). The first takes the
lock and migrates; the others wait, then find nothing left to apply.

PostgreSQL: a session-level advisory lock, held on a connection of its own so
that nothing a migration does to Django's connection (a rollback, a close) can
release it early; closing that connection always releases it, even if the
process dies. SQLite: an flock() on a file next to the database.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper

# Any constant bigint works; this one spells "MEMSMIGR" so it is easy to spot in pg_locks.
MIGRATION_LOCK_ID = 0x4D454D534D494752
_POLL_SECONDS = 0.25


class LockTimeout(Exception):
    pass


@contextmanager
def migration_lock(
    connection: BaseDatabaseWrapper,
    *,
    timeout: float,
    on_wait: Callable[[str], None] = lambda message: None,
) -> Iterator[None]:
    """Hold the migration lock of `connection`'s database; raise LockTimeout after `timeout` seconds."""
    if connection.vendor == "postgresql":
        with _advisory_lock(connection, timeout, on_wait):
            yield
    elif connection.vendor == "sqlite" and not connection.is_in_memory_db():
        with _file_lock(Path(f"{connection.settings_dict['NAME']}.migrate-lock"), connection.alias, timeout, on_wait):
            yield
    else:
        yield  # an in-memory database belongs to one process: nobody to wait for


@contextmanager
def _advisory_lock(connection: BaseDatabaseWrapper, timeout: float, on_wait: Callable[[str], None]) -> Iterator[None]:
    holder = connection.copy()
    try:
        with holder.cursor() as cursor:
            deadline = time.monotonic() + timeout
            waiting = False
            while True:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [MIGRATION_LOCK_ID])
                if cursor.fetchone()[0]:
                    break
                who = _lock_holder(cursor)
                if time.monotonic() >= deadline:
                    raise LockTimeout(_timeout_message(connection.alias, timeout, who))
                if not waiting:
                    on_wait(f"Waiting for the migration lock on database '{connection.alias}': {who}.")
                    waiting = True
                time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            with holder.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])
    finally:
        holder.close()  # releases the lock too, whatever happened above


def _lock_holder(cursor) -> str:
    # A bigint advisory key is stored as classid (high 32 bits) and objid (low 32 bits).
    # Advisory locks belong to one database: a migrate of another database on the
    # same server holds the same key and is not the one in our way.
    cursor.execute(
        """
        SELECT l.pid, a.client_addr, EXTRACT(EPOCH FROM now() - a.backend_start)::int
        FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.classid::bigint = %s AND l.objid::bigint = %s
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """,
        [MIGRATION_LOCK_ID >> 32, MIGRATION_LOCK_ID & 0xFFFFFFFF],
    )
    row = cursor.fetchone()
    if row is None:
        return "another `manage.py migrate` holds it"
    pid, client, age = row
    where = f" from {client}" if client else ""
    return f"another `manage.py migrate` holds it (PostgreSQL backend pid {pid}{where}, connected {age}s ago)"


@contextmanager
def _file_lock(path: Path, alias: str, timeout: float, on_wait: Callable[[str], None]) -> Iterator[None]:
    with path.open("a") as handle:
        deadline = time.monotonic() + timeout
        waiting = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                who = f"another `manage.py migrate` holds {path}"
                if time.monotonic() >= deadline:
                    raise LockTimeout(_timeout_message(alias, timeout, who)) from None
                if not waiting:
                    on_wait(f"Waiting for the migration lock on database '{alias}': {who}.")
                    waiting = True
                time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _timeout_message(alias: str, timeout: float, who: str) -> str:
    return (
        f"Timed out after {timeout:g}s waiting for the migration lock on database '{alias}': {who}. "
        "Let it finish and run `manage.py migrate` again, or raise MEMSTACK_MIGRATE_LOCK_TIMEOUT."
    )
