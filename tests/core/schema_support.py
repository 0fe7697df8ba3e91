"""Scratch databases and `manage.py` runs, shared by the schema, migration and lock tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
SERVER_URL = DATABASE_URL.rsplit("/", 1)[0]

postgres_only = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")), reason="needs PostgreSQL (make test)"
)

FINDING = re.compile(r"^\[(ERROR|WARNING)\] (\S+) (.+?): ", re.MULTILINE)


def _admin() -> psycopg.Connection:
    return psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True)


@contextmanager
def scratch_database(template: str | None = None) -> Iterator[str]:
    """A new, uniquely named PostgreSQL database (a copy of `template` if given); dropped afterwards."""
    name = f"memstack_schema_{uuid.uuid4().hex[:12]}"
    query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with _admin() as conn:
        conn.execute(query)
    try:
        yield f"{SERVER_URL}/{name}"
    finally:
        with _admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def manage(*args: str, database_url: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `python manage.py ...` as an operator would, against `database_url`."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=manage_env(database_url, env),
        capture_output=True,
        text=True,
        timeout=180,
    )


def manage_env(database_url: str, env: dict[str, str] | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "test-only-secret-key",
        "DEBUG": "false",
        **(env or {}),
    }


def run_sql(database_url: str, *statements: str) -> list[tuple]:
    """Run statements in autocommit; return the rows of the last one that has any."""
    rows: list[tuple] = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        for statement in statements:
            cursor = conn.execute(statement)
            if cursor.description:
                rows = cursor.fetchall()
    return rows


def findings(result: subprocess.CompletedProcess) -> set[tuple[str, str, str]]:
    """(severity, code, object) of every finding line check_schema printed."""
    return set(FINDING.findall(result.stdout))


def check(database_url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return manage("check_schema", *args, database_url=database_url, env=env)
