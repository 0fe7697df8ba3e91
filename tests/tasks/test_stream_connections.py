"""Open streams hold no database connection each: 50 of them on one web
process use at most the two connections every stream shares (the storage
thread's and the thread that opens streams).
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import connection

from tests.live import publish_from_another_process

pytestmark = pytest.mark.live

STREAMS = 50
# The storage thread's connection and the opening thread's, shared by all streams.
SHARED = 2


def database_connections() -> int:
    """Connections to the test database, other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [settings.DATABASES["default"]["NAME"]],
        )
        return cursor.fetchone()[0]


def test_it_holds_no_connection_per_open_stream(uvicorn_server, live_postgres_env, member_project, open_stream):
    project_id, token = member_project["project"].id, member_project["token"]
    warm_up = open_stream(uvicorn_server, project_id, token=token)
    warm_up.wait_opened()
    warm_up.close()
    before = database_connections()

    clients = [open_stream(uvicorn_server, project_id, token=token) for _ in range(STREAMS)]
    deadline = time.monotonic() + 60
    for client in clients:
        client.wait_opened(timeout=max(1.0, deadline - time.monotonic()))
    during = database_connections()

    assert during <= before + SHARED, (
        f"{STREAMS} open streams: {before} connections before, {during} with them open\n" + uvicorn_server.log_tail()
    )
    print(f"database connections: {before} before, {during} with {STREAMS} streams open")

    payload = {"task_id": "a3f0c2de-0d5c-4a8e-9f1e-2c7d3b4a5e60", "status": "processing", "progress": 50}
    publish_from_another_process(live_postgres_env, member_project["channel"], "progress", payload)
    deadline = time.monotonic() + 30
    for client in clients:
        client.wait_for_data([payload], timeout=max(1.0, deadline - time.monotonic()))
