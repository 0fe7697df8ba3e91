"""Open streams hold no database connection and no thread each: 50 of them
on one web process use at most the connections of the storage threads,
which every stream shares, and no more threads than those.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import connection

from apps.tasks.eventstorage import STORAGE_THREADS
from tests.live import publish_from_another_process

pytestmark = pytest.mark.live

STREAMS = 50
# The storage threads' connections, shared by all streams (they may not all
# have started before).
SHARED = STORAGE_THREADS


def database_connections() -> int:
    """Connections to the test database, other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [settings.DATABASES["default"]["NAME"]],
        )
        return cursor.fetchone()[0]


def threads_of(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError(f"no thread count for process {pid}")


def test_it_holds_no_connection_and_no_thread_per_open_stream(
    uvicorn_server, live_postgres_env, member_project, open_stream
):
    project_id, token = member_project["project"].id, member_project["token"]
    warm_up = open_stream(uvicorn_server, project_id, token=token)
    warm_up.wait_opened()
    warm_up.close()
    before = database_connections()
    threads_before = threads_of(uvicorn_server.pid)

    clients = [open_stream(uvicorn_server, project_id, token=token) for _ in range(STREAMS)]
    deadline = time.monotonic() + 60
    for client in clients:
        client.wait_opened(timeout=max(1.0, deadline - time.monotonic()))
    during = database_connections()
    threads_during = threads_of(uvicorn_server.pid)

    assert during <= before + SHARED, (
        f"{STREAMS} open streams: {before} connections before, {during} with them open\n" + uvicorn_server.log_tail()
    )
    # The storage threads, and the one thread of Django's own work for stream requests.
    assert threads_during <= threads_before + SHARED + 1, (
        f"{STREAMS} open streams: {threads_before} threads before, {threads_during} with them open"
    )
    print(f"database connections: {before} before, {during} with {STREAMS} streams open")
    print(f"threads: {threads_before} before, {threads_during} with {STREAMS} streams open")

    payload = {"task_id": "a3f0c2de-0d5c-4a8e-9f1e-2c7d3b4a5e60", "status": "processing", "progress": 50}
    publish_from_another_process(live_postgres_env, member_project["channel"], "progress", payload)
    deadline = time.monotonic() + 30
    for client in clients:
        client.wait_for_data([payload], timeout=max(1.0, deadline - time.monotonic()))
