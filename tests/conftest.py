"""Shared fixtures: small factories for users, projects and memberships.

The suite runs against real PostgreSQL and Redis (see `make test`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.memories import services as memory_services
from apps.memories.tasks import ingest_memory
from apps.projects.models import Membership, Project, Role
from apps.projects.services import project_create
from tests.core.schema_support import manage, scratch_database

pytest_plugins = ["tests.live.fixtures"]

# In this process only: see tests/hashing.py.
settings.PASSWORD_HASHERS = ["tests.hashing.FewRoundsPBKDF2PasswordHasher"]

_counter = itertools.count(1)


@pytest.fixture
def make_user(db):
    def make(username: str | None = None, password: str = "correct horse battery") -> User:
        username = username or f"user{next(_counter)}"
        return User.objects.create_user(username, f"{username}@example.com", password)

    return make


@pytest.fixture
def make_project(make_user):
    def make(owner: User | None = None, name: str = "Research", **members: str) -> Project:
        """`members` maps a role to a user: make_project(editor=alice, viewer=bob)."""
        project = project_create(owner=owner or make_user(), name=name)
        for role, user in members.items():
            Membership.objects.create(project=project, user=user, role=Role(role))
        return project

    return make


@pytest.fixture
def team(make_user, make_project):
    """A project with an owner, an editor and a viewer, and an outsider with a project of their own."""
    owner, editor, viewer, outsider = (make_user(n) for n in ("owner", "editor", "viewer", "outsider"))
    project = make_project(owner, editor=editor, viewer=viewer)
    make_project(outsider, name="Elsewhere")
    return {"project": project, "owner": owner, "editor": editor, "viewer": viewer, "outsider": outsider}


@pytest.fixture
def api_client_for():
    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return client

    return make


@pytest.fixture
def ingest(django_capture_on_commit_callbacks):
    """Create a memory and run its ingestion here, as the worker would (events stored on commit)."""

    def run(project, author, **fields):
        fields.setdefault("title", "Notes")
        with django_capture_on_commit_callbacks(execute=False):
            memory = memory_services.memory_create(project=project, author=author, **fields)
        with django_capture_on_commit_callbacks(execute=True):
            ingest_memory(str(memory.current_task_id))
        memory.refresh_from_db()
        return memory

    return run


@pytest.fixture(scope="session")
def migrated_template() -> Iterator[str]:
    """The name of a database migrated once, to copy from (CREATE DATABASE ... TEMPLATE is fast)."""
    with scratch_database() as url:
        result = manage("migrate", "--noinput", database_url=url)
        assert result.returncode == 0, result.stderr
        yield url.rsplit("/", 1)[1]


@pytest.fixture
def migrated_db(migrated_template) -> Iterator[str]:
    """A PostgreSQL database of its own, migrated, for tests that run `manage.py` against it."""
    with scratch_database(template=migrated_template) as url:
        yield url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files that start servers first, the quick ones after them (a stable sort: order kept in each part).

    `make test` hands whole files to two workers in collection order (`--dist loadfile
    --no-loadscope-reorder`). A live file takes from seconds to minutes, so when one starts last
    a worker waits alone for it at the end; the many short files instead fill the gaps at the end.
    pytest-django had put the transactional (live) tests last: no migration of ours seeds rows that
    their flush would remove, and Django recreates content types and permissions after it.
    """
    items.sort(key=lambda item: item.get_closest_marker("live") is None)
