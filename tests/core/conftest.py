from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.core.schema_support import manage, scratch_database


@pytest.fixture(scope="session")
def migrated_template() -> Iterator[str]:
    """The name of a database migrated once, to copy from (CREATE DATABASE ... TEMPLATE is fast)."""
    with scratch_database() as url:
        result = manage("migrate", "--noinput", database_url=url)
        assert result.returncode == 0, result.stderr
        yield url.rsplit("/", 1)[1]


@pytest.fixture
def migrated_db(migrated_template) -> Iterator[str]:
    with scratch_database(template=migrated_template) as url:
        yield url
