"""Fixtures for live tests: real uvicorn, Celery and redis-server processes,
reading and writing the same test database as the test itself. Loaded for
the whole suite by tests/conftest.py.

Data a subprocess must see has to be committed, so these fixtures use
`transactional_db`. The web server fixture is `uvicorn_server`, not
`live_server`: pytest-django's autouse helper treats any fixture of that name
as its own thread-based WSGI server, which cannot hold SSE streams anyway.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from apps.tasks.channels import project_channel
from tests.live import (
    CeleryWorker,
    RedisServer,
    SSEClient,
    Uvicorn,
    live_env,
    start_celery_worker,
    start_redis,
    start_uvicorn,
)


def _with_database_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _postgres_env() -> dict[str, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if urlsplit(database_url).scheme not in ("postgres", "postgresql") or not redis_url:
        pytest.fail("Live production-mode tests need DATABASE_URL (PostgreSQL) and REDIS_URL: run `make test`.")
    # pytest-django has switched the settings to the test database by now.
    test_database = settings.DATABASES["default"]["NAME"]
    return live_env(DATABASE_URL=_with_database_name(database_url, test_database), REDIS_URL=redis_url)


@pytest.fixture
def live_postgres_env(transactional_db) -> dict[str, str]:
    """Production mode for subprocesses: the test's PostgreSQL database and Redis."""
    return _postgres_env()


@pytest.fixture
def embedded_env() -> Iterator[dict[str, str]]:
    """Embedded mode for subprocesses: no DATABASE_URL, no REDIS_URL, a fresh var dir."""
    var_dir = tempfile.mkdtemp(prefix="memstack-embedded-")
    try:
        yield live_env(
            MEMSTACK_VAR_DIR=var_dir,
            DATABASE_URL=None,
            REDIS_URL=None,
            DEBUG="false",
            SECRET_KEY=os.environ.get("SECRET_KEY") or "live-test-secret-key",
        )
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture
def uvicorn_server(request, live_postgres_env) -> Iterator[Uvicorn]:
    """uvicorn in production mode; `.url` is its base URL.

    A test of its own, unless marked `shared_uvicorn`: then the one of its module (`module_uvicorn`).
    """
    if request.node.get_closest_marker("shared_uvicorn"):
        server = request.getfixturevalue("module_uvicorn")
        if not server.running:  # as a server of its own would: an earlier test's crash is not this one's
            server.start()
        yield server
        return
    with start_uvicorn(live_postgres_env) as server:
        yield server


@pytest.fixture(scope="module")
def module_uvicorn(django_db_setup) -> Iterator[Uvicorn]:
    """One uvicorn for the tests of a module marked `shared_uvicorn`: a start costs seconds of CPU.

    Only for tests that neither stop it, read its log, nor need an environment of their own
    (a module overriding `live_postgres_env` would not reach it). Each test still has its own
    data: the web process keeps no connection between requests (CONN_MAX_AGE=0) and no state
    of its own, and the database is emptied after every test as usual.
    """
    env = _postgres_env()
    # A server keeps Django's async-safety check, whatever the browser tests allow in this process.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    with start_uvicorn(env) as server:
        yield server


@pytest.fixture
def celery_worker(live_postgres_env) -> Iterator[CeleryWorker]:
    """A real Celery worker in production mode, on the test database."""
    with start_celery_worker(live_postgres_env) as worker:
        yield worker


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own, which it may stop and start again."""
    with start_redis() as server:
        yield server


@pytest.fixture
def token_for(transactional_db) -> Callable[[User], str]:
    def make(user: User) -> str:
        return Token.objects.get_or_create(user=user)[0].key

    return make


def stream_path(project_id) -> str:
    return f"/api/v1/projects/{project_id}/stream"


@pytest.fixture
def open_stream() -> Iterator[Callable[..., SSEClient]]:
    """Open streams (a project's, or any `path`); every one is closed when the test ends."""
    clients: list[SSEClient] = []

    def open_(
        server: Uvicorn,
        project_id=None,
        *,
        path: str | None = None,
        token: str | None = None,
        last_event_id: str | None = None,
        context: Callable[[], str] | None = None,
    ) -> SSEClient:
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Token {token}"
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        client = SSEClient(
            f"{server.url}{path or stream_path(project_id)}", headers=headers, context=context or server.log_tail
        )
        clients.append(client)
        return client.start()

    yield open_
    for client in clients:
        client.close()


@pytest.fixture
def member_project(make_user, make_project, token_for):
    """A project, its owner's API token and its event channel."""
    owner = make_user()
    project = make_project(owner)
    return {
        "project": project,
        "owner": owner,
        "token": token_for(owner),
        "channel": project_channel(project.id),
    }
