"""`manage.py migrate` started several times at once: every process succeeds, one applies.

Plain Django `migrate` fails in most of them (they all create the same tables);
ours waits for the migration lock and then finds nothing left to do.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from apps.core.locks import MIGRATION_LOCK_ID
from tests.core.schema_support import (
    ROOT,
    check,
    manage,
    manage_env,
    postgres_only,
    scratch_database,
)

APPLIED = "Applying projects.0001_initial... OK"


def start_all(commands: list[list[str]], env: dict[str, str]) -> list[subprocess.CompletedProcess]:
    """Start every command at once, then wait for all of them."""
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for command in commands
    ]
    results = []
    for command, process in zip(commands, processes, strict=True):
        stdout, stderr = process.communicate(timeout=240)
        results.append(subprocess.CompletedProcess(command, process.returncode, stdout, stderr))
    return results


def migrate_command() -> list[str]:
    return [sys.executable, "manage.py", "migrate", "--noinput"]


@postgres_only
def test_it_lets_six_migrates_run_at_once_on_a_fresh_database_and_applies_once():
    with scratch_database() as url:
        results = start_all([migrate_command() for _ in range(6)], manage_env(url))

        assert [r.returncode for r in results] == [0] * 6, [r.stderr for r in results if r.returncode]
        assert sum(APPLIED in r.stdout for r in results) == 1
        assert sum("No migrations to apply." in r.stdout for r in results) == 5
        assert any("Waiting for the migration lock on database 'default'" in r.stdout for r in results)
        assert check(url).returncode == 0


@postgres_only
def test_it_times_out_with_a_clear_message_while_another_migrate_holds_the_lock():
    with (
        scratch_database() as other_url,
        psycopg.connect(other_url, autocommit=True) as other_holder,
        scratch_database() as url,
        psycopg.connect(url, autocommit=True) as holder,
    ):
        # A migrate of another database on the same server holds the same key first;
        # the message must name the one in our way, not that one.
        other_holder.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
        holder.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
        holder_pid = holder.info.backend_pid

        result = manage("migrate", "--noinput", database_url=url, env={"MEMSTACK_MIGRATE_LOCK_TIMEOUT": "1"})
        # Read-only forms do not queue behind a running migration.
        plan = manage("migrate", "--plan", database_url=url, env={"MEMSTACK_MIGRATE_LOCK_TIMEOUT": "1"})

        assert result.returncode == 1
        assert "Timed out after 1s waiting for the migration lock on database 'default'" in result.stderr
        assert f"PostgreSQL backend pid {holder_pid}" in result.stderr
        assert f"PostgreSQL backend pid {other_holder.info.backend_pid}" not in result.stderr
        assert "MEMSTACK_MIGRATE_LOCK_TIMEOUT" in result.stderr
        assert plan.returncode == 0
        assert "projects.0001_initial" in plan.stdout


@postgres_only
def test_it_lets_several_web_processes_auto_migrate_at_start():
    start_web = [sys.executable, "-c", "import memstack.asgi"]
    with scratch_database() as url:
        results = start_all([start_web] * 3, manage_env(url, {"MEMSTACK_AUTO_MIGRATE": "true"}))

        assert [r.returncode for r in results] == [0] * 3, [r.stderr for r in results if r.returncode]
        assert sum(APPLIED in r.stdout for r in results) == 1
        assert check(url).returncode == 0


@postgres_only
def test_it_logs_schema_problems_when_the_web_process_starts():
    start_web = [sys.executable, "-c", "import memstack.asgi"]
    with scratch_database() as url:
        result = subprocess.run(start_web, cwd=ROOT, env=manage_env(url), capture_output=True, text=True, timeout=120)

        # An empty database: the web process starts, and says why it will not work.
        assert result.returncode == 0, result.stderr
        assert "web: schema [ERROR] UNAPPLIED_MIGRATION projects.0001_initial" in result.stderr
        assert "web: Schema drift on database 'default'" in result.stderr


def test_it_lets_three_migrates_share_an_sqlite_file(tmp_path: Path):
    env = manage_env(f"sqlite:///{tmp_path / 'memstack.sqlite3'}", {"MEMSTACK_VAR_DIR": str(tmp_path)})

    results = start_all([migrate_command() for _ in range(3)], env)

    assert [r.returncode for r in results] == [0] * 3, [r.stderr for r in results if r.returncode]
    assert sum(APPLIED in r.stdout for r in results) == 1
    assert sum("No migrations to apply." in r.stdout for r in results) == 2


@postgres_only
@pytest.mark.django_db
def test_it_released_the_lock_after_building_the_test_database():
    # pytest-django built the test database with our `migrate`: the lock must be free again.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = %s "
            "AND objid::bigint = %s AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [MIGRATION_LOCK_ID >> 32, MIGRATION_LOCK_ID & 0xFFFFFFFF],
        )
        assert cursor.fetchone()[0] == 0
