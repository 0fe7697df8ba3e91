"""`manage.py check_schema` on real PostgreSQL: each kind of drift, its code and its exit status.

Every test gets a database of its own, copied from one migrated once per
session, changes it with raw SQL as an operator (or a failed deploy) would,
and runs `manage.py` in a subprocess with DATABASE_URL pointing at it.

Scratch databases and `manage` come from tests/core/schema_support.py; the
throwaway `widgets` app here is shared with the other schema test modules.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import psycopg
import pytest
from django.test import override_settings

from tests.core.schema_support import (
    ROOT,
    check,
    findings,
    manage,
    postgres_only,
    run_sql,
)

pytestmark = postgres_only


# The throwaway app: two migrations, and models that may or may not match them.
WIDGETS_0001 = """
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Widget",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
            ],
        ),
    ]
"""
WIDGETS_0002 = """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("widgets", "0001_initial")]
    operations = [migrations.AddField("widget", "colour", models.CharField(max_length=20, null=True))]
"""
WIDGETS_0002_OTHER = """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("widgets", "0001_initial")]
    operations = [migrations.AddField("widget", "weight", models.IntegerField(null=True))]
"""
WIDGET_FIELDS = {
    "name": "models.CharField(max_length=100)",
    "colour": "models.CharField(max_length=20, null=True)",
    "size": "models.IntegerField(null=True)",
}


class Widgets:
    """A throwaway app `widgets` in tmp_path, installed through a settings module of its own."""

    def __init__(self, root: Path):
        self.root = root
        self.package = root / "widgets"
        (self.package / "migrations").mkdir(parents=True)
        (self.package / "__init__.py").write_text("")
        (self.package / "migrations" / "__init__.py").write_text("")
        base = os.environ.get("DJANGO_SETTINGS_MODULE", "memstack.settings")
        (root / "widget_settings.py").write_text(
            f"from {base} import *  # noqa: F403\nINSTALLED_APPS = [*INSTALLED_APPS, 'widgets']  # noqa: F405\n"
        )
        self.env = {
            "DJANGO_SETTINGS_MODULE": "widget_settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(root), str(ROOT), os.environ.get("PYTHONPATH")])),
        }

    def write(self, *, fields: list[str], migrations: dict[str, str]) -> None:
        body = "\n".join(f"    {name} = {WIDGET_FIELDS[name]}" for name in fields)
        (self.package / "models.py").write_text(
            f"from django.db import models\n\n\nclass Widget(models.Model):\n{body}\n"
        )
        folder = self.package / "migrations"
        for old in folder.glob("0*.py"):
            old.unlink()
        for name, source in migrations.items():
            (folder / f"{name}.py").write_text(textwrap.dedent(source))

    def manage(self, *args: str, database_url: str) -> subprocess.CompletedProcess:
        return manage(*args, database_url=database_url, env=self.env)


@pytest.fixture
def widgets(tmp_path) -> Widgets:
    return Widgets(tmp_path)


def index_names(database_url: str, table: str, definition_pattern: str) -> list[str]:
    rows = run_sql(
        database_url,
        f"SELECT indexname FROM pg_indexes WHERE tablename = '{table}' AND indexdef ~ '{definition_pattern}' "
        "ORDER BY indexname",
    )
    return [name for (name,) in rows]


# --- a clean database ----------------------------------------------------------------


def test_it_says_schema_ok_on_a_freshly_migrated_database(migrated_db):
    result = check(migrated_db)

    assert result.returncode == 0, result.stdout + result.stderr
    assert findings(result) == set()
    assert result.stdout.strip().splitlines()[-1].startswith("Schema OK: database 'default'")


def test_it_prints_json_with_every_field_on_a_clean_database(migrated_db):
    result = check(migrated_db, "--json", "--strict")

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["database"]["alias"] == "default"
    assert report["database"]["vendor"] == "postgresql"
    assert report["database"]["name"] == migrated_db.rsplit("/", 1)[1]
    assert report["summary"]["errors"] == 0
    assert report["summary"]["warnings"] == 0
    # auth, contenttypes, sessions, admin, authtoken, eventstream and ours, with m2m tables.
    assert report["summary"]["tables_checked"] >= 14
    assert report["issues"] == []


# --- live schema drift ---------------------------------------------------------------


def test_it_reports_a_dropped_column(migrated_db):
    run_sql(migrated_db, "ALTER TABLE projects_project DROP COLUMN description")

    result = check(migrated_db)

    assert result.returncode == 1
    assert findings(result) == {("ERROR", "MISSING_COLUMN", "projects_project.description")}
    assert "Schema drift on database 'default'" in result.stdout
    assert "1 error, 0 warnings" in result.stdout


def test_it_reports_a_changed_column_type_in_json(migrated_db):
    run_sql(migrated_db, "ALTER TABLE projects_project ALTER COLUMN name TYPE text")

    result = check(migrated_db, "--json")

    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["summary"]["errors"] == 1
    [issue] = report["issues"]
    assert issue["severity"] == "error"
    assert issue["code"] == "COLUMN_TYPE"
    assert issue["object"] == "projects_project.name"
    assert issue["expected"] == "varchar(200)"
    assert issue["actual"] == "text"
    assert issue["message"] and issue["hint"]


def test_it_reports_a_dropped_not_null(migrated_db):
    run_sql(migrated_db, "ALTER TABLE projects_project ALTER COLUMN name DROP NOT NULL")

    result = check(migrated_db)

    assert result.returncode == 1
    assert findings(result) == {("ERROR", "COLUMN_NULLABILITY", "projects_project.name")}
    assert "(expected: NOT NULL; actual: NULL)" in result.stdout


def test_it_reports_a_dropped_index_even_with_its_like_index_left(migrated_db):
    # channel has two indexes: a plain one, and `_like` (varchar_pattern_ops) for LIKE lookups.
    [plain] = index_names(migrated_db, "django_eventstream_event", r"\(channel\)$")
    [like] = index_names(migrated_db, "django_eventstream_event", "channel varchar_pattern_ops")
    run_sql(migrated_db, f'DROP INDEX "{plain}"')

    result = check(migrated_db)

    assert result.returncode == 1
    assert findings(result) == {("ERROR", "MISSING_INDEX", "django_eventstream_event(channel)")}
    assert f"only {like}, which cannot serve it" in result.stdout


def test_it_reports_invalid_indexes_left_by_failed_concurrent_builds(migrated_db):
    # Duplicates make a CREATE UNIQUE INDEX CONCURRENTLY fail, which leaves an INVALID index behind.
    [created_at] = index_names(migrated_db, "projects_project", r"\(created_at\)$")
    run_sql(
        migrated_db,
        "INSERT INTO projects_project (id, name, description, created_at, updated_at) VALUES "
        "(gen_random_uuid(), 'Same', '', '2026-01-01', now()), (gen_random_uuid(), 'Same', '', '2026-01-01', now())",
        f'DROP INDEX "{created_at}"',
    )
    for statement in (
        f'CREATE UNIQUE INDEX CONCURRENTLY "{created_at}" ON projects_project (created_at)',  # an expected one
        "CREATE UNIQUE INDEX CONCURRENTLY projects_project_name_uniq ON projects_project (name)",  # a new one
    ):
        with pytest.raises(psycopg.errors.UniqueViolation):
            run_sql(migrated_db, statement)

    result = check(migrated_db)

    assert result.returncode == 1
    assert findings(result) == {
        ("ERROR", "INVALID_INDEX", f"projects_project.{created_at}"),
        ("ERROR", "INVALID_INDEX", "projects_project.projects_project_name_uniq"),
    }
    assert f'DROP INDEX CONCURRENTLY "{created_at}"' in result.stdout


def test_it_reports_dropped_constraints_including_on_many_to_many_tables(migrated_db):
    [(groups_unique,)] = run_sql(
        migrated_db,
        "SELECT conname FROM pg_constraint WHERE conrelid = 'auth_user_groups'::regclass AND contype = 'u'",
    )
    [(user_fk,)] = run_sql(
        migrated_db,
        "SELECT conname FROM pg_constraint WHERE conrelid = 'projects_membership'::regclass AND contype = 'f' "
        "AND confrelid = 'auth_user'::regclass",
    )
    run_sql(
        migrated_db,
        "ALTER TABLE projects_membership DROP CONSTRAINT membership_unique_user",
        f'ALTER TABLE auth_user_groups DROP CONSTRAINT "{groups_unique}"',
        f'ALTER TABLE projects_membership DROP CONSTRAINT "{user_fk}"',
        "ALTER TABLE django_admin_log DROP CONSTRAINT django_admin_log_action_flag_check",
    )

    result = check(migrated_db)

    assert result.returncode == 1
    assert findings(result) == {
        ("ERROR", "MISSING_CONSTRAINT", "projects_membership.membership_unique_user"),
        ("ERROR", "MISSING_CONSTRAINT", "auth_user_groups(user_id, group_id)"),
        ("ERROR", "MISSING_CONSTRAINT", "projects_membership(user_id)"),
        ("ERROR", "MISSING_CONSTRAINT", "django_admin_log(action_flag)"),
    }


def test_it_warns_about_a_not_valid_constraint_and_fails_on_it_with_strict(migrated_db):
    run_sql(
        migrated_db, "ALTER TABLE projects_project ADD CONSTRAINT project_name_not_empty CHECK (name <> '') NOT VALID"
    )

    result = check(migrated_db)
    strict = check(migrated_db, "--strict")

    assert result.returncode == 0, result.stdout
    assert findings(result) == {("WARNING", "NOT_VALID_CONSTRAINT", "projects_project.project_name_not_empty")}
    assert "Schema OK with 0 errors, 1 warning" in result.stdout
    assert strict.returncode == 1
    assert "(warnings fail with --strict)" in strict.stdout


def test_it_reports_an_added_not_null_column_without_default_as_an_error(migrated_db):
    run_sql(
        migrated_db,
        "ALTER TABLE projects_project ADD COLUMN archived_by integer NOT NULL",
        "ALTER TABLE projects_project ADD COLUMN colour text",
    )

    result = check(migrated_db)

    assert result.returncode == 1
    assert findings(result) == {
        ("ERROR", "EXTRA_COLUMN", "projects_project.archived_by"),
        ("WARNING", "EXTRA_COLUMN", "projects_project.colour"),
    }
    assert "every insert fails" in result.stdout


# --- migration state -------------------------------------------------------------------


def test_it_warns_about_a_ghost_migration_and_fails_on_it_with_strict(migrated_db):
    run_sql(
        migrated_db,
        "INSERT INTO django_migrations (app, name, applied) VALUES ('projects', '0099_from_a_newer_release', now())",
    )

    result = check(migrated_db)
    strict = check(migrated_db, "--strict", "--json")

    assert result.returncode == 0, result.stdout
    assert findings(result) == {("WARNING", "GHOST_MIGRATION", "projects.0099_from_a_newer_release")}
    assert strict.returncode == 1
    report = json.loads(strict.stdout)
    assert report["ok"] is False
    assert report["summary"] == report["summary"] | {"errors": 0, "warnings": 1, "strict": True}


def test_it_reports_an_unapplied_migration_and_compares_with_the_applied_state(migrated_db, widgets):
    widgets.write(fields=["name", "colour"], migrations={"0001_initial": WIDGETS_0001, "0002_colour": WIDGETS_0002})
    assert widgets.manage("migrate", "widgets", "0001", database_url=migrated_db).returncode == 0

    result = widgets.manage("check_schema", database_url=migrated_db)

    # The missing `colour` column is what 0002 will add: no MISSING_COLUMN for it.
    assert result.returncode == 1
    assert findings(result) == {("ERROR", "UNAPPLIED_MIGRATION", "widgets.0002_colour")}


def test_it_reports_a_model_change_without_migration(migrated_db, widgets):
    widgets.write(
        fields=["name", "colour", "size"], migrations={"0001_initial": WIDGETS_0001, "0002_colour": WIDGETS_0002}
    )
    assert widgets.manage("migrate", "widgets", database_url=migrated_db).returncode == 0

    result = widgets.manage("check_schema", database_url=migrated_db)

    assert result.returncode == 1
    assert findings(result) == {("ERROR", "MISSING_MIGRATION", "widgets")}
    assert "Add field size to widget" in result.stdout
    assert "makemigrations widgets" in result.stdout


def test_it_warns_about_a_migration_whose_file_is_gone_after_a_code_rollback(migrated_db, widgets):
    widgets.write(fields=["name", "colour"], migrations={"0001_initial": WIDGETS_0001, "0002_colour": WIDGETS_0002})
    assert widgets.manage("migrate", database_url=migrated_db).returncode == 0
    assert widgets.manage("migrate", "--check", database_url=migrated_db).returncode == 0
    # The previous release: without 0002 and its field. `migrate --check` sees nothing wrong.
    widgets.write(fields=["name"], migrations={"0001_initial": WIDGETS_0001})
    assert widgets.manage("migrate", "--check", database_url=migrated_db).returncode == 0

    result = widgets.manage("check_schema", database_url=migrated_db)
    strict = widgets.manage("check_schema", "--strict", database_url=migrated_db)

    assert result.returncode == 0, result.stdout
    assert findings(result) == {
        ("WARNING", "GHOST_MIGRATION", "widgets.0002_colour"),
        ("WARNING", "EXTRA_COLUMN", "widgets_widget.colour"),
    }
    assert strict.returncode == 1


def test_it_reports_conflicting_leaf_migrations(migrated_db, widgets):
    widgets.write(fields=["name", "colour"], migrations={"0001_initial": WIDGETS_0001, "0002_colour": WIDGETS_0002})
    assert widgets.manage("migrate", database_url=migrated_db).returncode == 0
    widgets.write(
        fields=["name", "colour"],
        migrations={"0001_initial": WIDGETS_0001, "0002_colour": WIDGETS_0002, "0002_weight": WIDGETS_0002_OTHER},
    )

    result = widgets.manage("check_schema", database_url=migrated_db)

    assert result.returncode == 1
    assert ("ERROR", "CONFLICTING_MIGRATIONS", "widgets") in findings(result)
    assert "makemigrations --merge widgets" in result.stdout


# --- scope and failures ------------------------------------------------------------------


def test_it_checks_only_the_named_apps(migrated_db):
    run_sql(migrated_db, "ALTER TABLE auth_user DROP COLUMN first_name")

    assert check(migrated_db, "projects", "tasks").returncode == 0
    assert findings(check(migrated_db, "auth")) == {("ERROR", "MISSING_COLUMN", "auth_user.first_name")}


def test_it_exits_2_when_the_database_is_unreachable():
    # Nothing listens on port 1: the connection is refused at once.
    unreachable = "postgres://postgres@127.0.0.1:1/memstack"

    result = check(unreachable)
    as_json = check(unreachable, "--json")

    assert result.returncode == 2
    assert "check_schema could not run on database 'default'" in result.stderr
    assert "Connection refused" in result.stderr
    assert as_json.returncode == 2
    report = json.loads(as_json.stdout)
    assert report["ok"] is False
    assert "could not run" in report["error"]


def test_it_exits_2_on_an_unknown_database_alias_or_app_label(migrated_db):
    alias = check(migrated_db, "--database", "replica")
    label = check(migrated_db, "no_such_app")

    assert alias.returncode == 2
    assert "The connection 'replica' doesn't exist" in alias.stderr
    assert label.returncode == 2
    assert "No installed app with label 'no_such_app'" in label.stderr


# --- /healthz ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_reports_the_schema_as_healthy_on_the_test_database(client):
    body = client.get("/healthz").json()

    assert body["checks"]["schema"] == {"ok": True}


@pytest.mark.django_db
def test_it_names_schema_drift_in_healthz(client):
    from django.db import connection

    # DDL is transactional in PostgreSQL: the test's transaction rolls this back.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE projects_project DROP COLUMN description")

    with override_settings(HEALTHZ_TOKEN="monitor-secret"):
        response = client.get("/healthz", HTTP_AUTHORIZATION="Bearer monitor-secret")

    assert response.status_code == 503
    body = response.json()
    assert "schema" in body["failing"]
    assert "MISSING_COLUMN projects_project.description" in body["checks"]["schema"]["error"]


@pytest.mark.django_db
def test_it_logs_each_schema_problem_when_a_worker_starts(caplog):
    from django.db import connection

    from memstack.celery import log_schema_problems_at_start

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE projects_project DROP COLUMN description")

    with caplog.at_level("WARNING", logger="memstack.startup"):
        log_schema_problems_at_start()

    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("worker: schema [ERROR] MISSING_COLUMN projects_project.description") for m in messages)
    assert any(m.startswith("worker: Schema drift on database 'default'") for m in messages)


def test_it_never_stops_a_worker_that_cannot_check_the_schema(caplog):
    from memstack.celery import log_schema_problems_at_start

    # No database access in this test: the check fails, the handler only logs.
    with caplog.at_level("WARNING", logger="memstack.startup"):
        log_schema_problems_at_start()

    assert any("worker: could not check the database schema" in r.getMessage() for r in caplog.records)
