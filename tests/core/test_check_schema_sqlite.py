"""`manage.py check_schema` on the embedded SQLite database: what SQLite can tell.

SQLite has no INVALID indexes nor NOT VALID constraints, and keeps a field's
CHECK unnamed inside CREATE TABLE; tables, columns, types, nullability,
indexes, unique constraints, foreign keys and the migration state are compared.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.schema_support import findings, manage


def sqlite_manage(*args: str, path: Path):
    # The var folder (broker, beat schedule) goes next to the database, not into the checkout.
    return manage(*args, database_url=f"sqlite:///{path}", env={"MEMSTACK_VAR_DIR": str(path.parent)})


def run_sql(path: Path, *statements: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        rows = [conn.execute(statement).fetchall() for statement in statements]
        conn.commit()
        return rows[-1]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "memstack.sqlite3"
    result = sqlite_manage("migrate", "--noinput", path=path)
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def database(migrated_file, tmp_path) -> Iterator[Path]:
    copy = tmp_path / "memstack.sqlite3"
    shutil.copyfile(migrated_file, copy)
    yield copy


def test_it_says_schema_ok_on_a_freshly_migrated_sqlite_database(database):
    result = sqlite_manage("check_schema", "--json", "--strict", path=database)

    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["database"]["vendor"] == "sqlite"
    assert report["issues"] == []
    assert report["summary"]["tables_checked"] >= 14


def test_it_reports_a_dropped_column_on_sqlite(database):
    run_sql(database, "ALTER TABLE projects_project DROP COLUMN description")

    result = sqlite_manage("check_schema", path=database)

    assert result.returncode == 1
    assert findings(result) == {("ERROR", "MISSING_COLUMN", "projects_project.description")}


def test_it_reports_a_dropped_index_and_an_extra_not_null_column_on_sqlite(database):
    [(index,)] = run_sql(
        database,
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'projects_project' "
        "AND sql LIKE '%(\"created_at\")'",
    )
    run_sql(
        database,
        f'DROP INDEX "{index}"',
        "ALTER TABLE projects_project ADD COLUMN archived_by integer NOT NULL DEFAULT 0",
        "ALTER TABLE projects_project ADD COLUMN colour text",
    )

    result = sqlite_manage("check_schema", path=database)

    assert result.returncode == 1
    assert findings(result) == {
        ("ERROR", "MISSING_INDEX", "projects_project(created_at)"),
        ("WARNING", "EXTRA_COLUMN", "projects_project.archived_by"),  # NOT NULL, but with a default
        ("WARNING", "EXTRA_COLUMN", "projects_project.colour"),
    }


def test_it_reports_unapplied_and_ghost_migrations_on_sqlite(database):
    run_sql(
        database,
        "DELETE FROM django_migrations WHERE app = 'sessions'",
        "INSERT INTO django_migrations (app, name, applied) VALUES ('projects', '0099_gone', '2026-01-01')",
    )

    result = sqlite_manage("check_schema", path=database)

    assert result.returncode == 1
    assert findings(result) == {
        ("ERROR", "UNAPPLIED_MIGRATION", "sessions.0001_initial"),
        ("WARNING", "GHOST_MIGRATION", "projects.0099_gone"),
    }
