"""Our migrations: one for every model change, safe on a live PostgreSQL database, reversible.

The safety lint reads what `manage.py sqlmigrate` would print for each of our
migrations and refuses statements that block a busy table for long, rewrite
it, or break the release still running during a deploy. Tables created in the
same migration are exempt: nobody uses them yet. So are, in an app's initial
migrations (Django splits them in two when apps depend on each other), the
tables those initial migrations create.

A statement reviewed by hand and known to be fine (a tiny table, a column no
release reads any more) goes into ALLOWED with the reason.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlparse
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from apps.core.schema.compare import normalize_type
from tests.core.schema_support import ROOT, check, manage, postgres_only, scratch_database

# (app_label, migration_name) -> why its flagged statements are fine.
ALLOWED: dict[tuple[str, str], str] = {}


def project_apps() -> list[str]:
    """Labels of our own apps (not Django's nor third-party ones) that have migrations."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = {c.label for c in apps.get_app_configs() if Path(c.path).is_relative_to(ROOT / "apps")}
    return sorted(ours & {app for app, _name in loader.disk_migrations})


# --- the lint ------------------------------------------------------------------------------

_CREATE_TABLE = re.compile(r'^CREATE TABLE (?:IF NOT EXISTS )?"?(?P<table>\w+)"?', re.I)
_CREATE_INDEX = re.compile(
    r'^CREATE (?:UNIQUE )?INDEX (?P<concurrently>CONCURRENTLY )?(?:IF NOT EXISTS )?(?:"?\w+"? )?'
    r'ON (?:ONLY )?"?(?P<table>\w+)"?',
    re.I,
)
_ALTER_TABLE = re.compile(r'^ALTER TABLE (?:ONLY )?(?:IF EXISTS )?"?(?P<table>\w+)"? (?P<actions>.*)$', re.I | re.S)
_ACTION_SPLIT = re.compile(r",\s*(?=(?:ADD|ALTER|DROP|RENAME|VALIDATE)\b)", re.I)
_ADD_COLUMN = re.compile(r'^ADD COLUMN (?:IF NOT EXISTS )?"?(?P<column>\w+)"? (?P<definition>.*)$', re.I | re.S)
_ALTER_COLUMN = re.compile(r'^ALTER COLUMN "?(?P<column>\w+)"? (?P<change>.*)$', re.I | re.S)
_TYPE = re.compile(r"^(?:SET DATA )?TYPE (?P<type>.+?)(?: USING .*)?$", re.I | re.S)
_VOLATILE_DEFAULT = re.compile(
    r"DEFAULT .*\b(random|gen_random_uuid|uuid_generate_\w+|clock_timestamp|nextval)\s*\(", re.I
)
_VARCHAR = re.compile(r"^character varying(?:\((\d+)\))?$")

OldType = Callable[[str, str], "str | None"]


def lint(
    statements: list[str],
    old_type: OldType = lambda table, column: None,
    new_tables: frozenset[str] = frozenset(),
) -> list[str]:
    """Problems, one line each, of the SQL of one migration (forwards); `new_tables` are still empty."""
    problems: list[str] = []
    created: set[str] = set(new_tables)
    added_not_null: set[tuple[str, str]] = set()
    for chunk in statements:
        for statement in sqlparse.split(chunk):
            text = " ".join(sqlparse.format(statement, strip_comments=True).split()).rstrip(";")
            if not text:
                continue
            if match := _CREATE_TABLE.match(text):
                created.add(match["table"])
            elif match := _CREATE_INDEX.match(text):
                if not match["concurrently"] and match["table"] not in created:
                    problems.append(
                        f"{text}: builds an index while blocking writes to {match['table']}; "
                        "use AddIndexConcurrently in a migration with atomic = False"
                    )
            elif match := _ALTER_TABLE.match(text):
                if match["table"] not in created:
                    for action in _ACTION_SPLIT.split(match["actions"]):
                        problem = _lint_action(match["table"], action.strip(), added_not_null, old_type)
                        if problem:
                            problems.append(f"{text}: {problem}")
            elif re.match(r"^DROP TABLE", text, re.I):
                problems.append(f"{text}: the release still running reads this table; drop it a release later")
    return problems


def _lint_action(table: str, action: str, added_not_null: set, old_type: OldType) -> str | None:
    upper = action.upper()
    if match := _ADD_COLUMN.match(action):
        definition = match["definition"].upper()
        if _VOLATILE_DEFAULT.search(action):
            return "a volatile DEFAULT rewrites the whole table; add the column NULL and fill it in batches"
        if "NOT NULL" in definition and "DEFAULT" not in definition:
            return (
                f"adds {match['column']} NOT NULL without a default: fails on a table with rows, and the "
                "release still running cannot insert; use null=True or db_default"
            )
        if "NOT NULL" in definition:
            added_not_null.add((table, match["column"]))
        return None
    if match := _ALTER_COLUMN.match(action):
        column, change = match["column"], match["change"].strip()
        if change.upper() == "DROP DEFAULT" and (table, column) in added_not_null:
            return (
                f"{column} was added NOT NULL with a default that is dropped at once (Field.default): "
                "the release still running inserts without it and fails; use db_default, or null=True"
            )
        if change.upper() == "SET NOT NULL":
            return (
                f"SET NOT NULL scans {table} under an ACCESS EXCLUSIVE lock; add a CHECK ({column} IS NOT NULL) "
                "NOT VALID, validate it, then set NOT NULL"
            )
        if type_match := _TYPE.match(change):
            if not _cheap_type_change(old_type(table, column), type_match["type"]):
                return f"changing the type of {column} may rewrite {table} under an ACCESS EXCLUSIVE lock"
        return None
    if upper.startswith("ADD CONSTRAINT") and " NOT VALID" not in upper and "USING INDEX" not in upper:
        if " CHECK " in upper or "FOREIGN KEY" in upper:
            return f"validates every row of {table} under lock; add it NOT VALID, then VALIDATE CONSTRAINT"
        if " UNIQUE " in upper or "PRIMARY KEY" in upper or "EXCLUDE" in upper:
            return f"builds an index while blocking writes to {table}; build it CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX"
    if upper.startswith("RENAME"):
        return "the release still running uses the old name; add the new one, copy, and drop the old one later"
    if upper.startswith("DROP COLUMN"):
        return (
            "the release still running reads this column; remove the field from the code first "
            "(SeparateDatabaseAndState) and drop the column a release later"
        )
    return None


def _cheap_type_change(old: str | None, new: str) -> bool:
    """Widening a varchar, or varchar to text, changes no stored byte: PostgreSQL skips the rewrite."""
    if old is None:
        return False
    old, new = normalize_type("postgresql", old), normalize_type("postgresql", new)
    if old == new:
        return True
    old_varchar, new_varchar = _VARCHAR.match(old), _VARCHAR.match(new)
    if old_varchar and (new == "text" or (new_varchar and not new_varchar[1])):
        return True
    if old_varchar and new_varchar and old_varchar[1] and new_varchar[1]:
        return int(new_varchar[1]) >= int(old_varchar[1])
    return False


def migration_problems(loader: MigrationLoader, key: tuple[str, str]) -> list[str]:
    migration = loader.graph.nodes[key]
    before = loader.project_state(key, at_end=False)
    models_by_table = {m._meta.db_table: m for m in before.apps.get_models(include_auto_created=True)}

    def old_type(table: str, column: str) -> str | None:
        model = models_by_table.get(table)
        fields = {f.column: f for f in model._meta.local_concrete_fields} if model else {}
        return fields[column].db_parameters(connection)["type"] if column in fields else None

    new_tables = initial_tables(loader, key[0]) if migration.initial else frozenset()
    return lint(loader.collect_sql([(migration, False)]), old_type, new_tables)


def initial_tables(loader: MigrationLoader, app: str) -> frozenset[str]:
    """The tables an app's initial migrations create: empty until the release that brings the app."""
    statements = [
        statement
        for (label, _name), migration in loader.graph.nodes.items()
        if label == app and migration.initial
        for statement in loader.collect_sql([(migration, False)])
    ]
    return frozenset(m["table"] for s in statements if (m := _CREATE_TABLE.match(s.strip())))


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_has_a_migration_for_every_model_change():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"models changed without a migration; run `manage.py makemigrations`:\n{out.getvalue()}")


@postgres_only
@pytest.mark.django_db
def test_it_has_only_migrations_that_are_safe_on_a_live_database():
    loader = MigrationLoader(connection)
    problems = [
        f"{app}.{name}: {problem}"
        for app, name in sorted(loader.graph.nodes)
        if app in project_apps() and (app, name) not in ALLOWED
        for problem in migration_problems(loader, (app, name))
    ]

    assert problems == [], "\n".join(problems)


def test_it_can_reverse_every_migration():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    irreversible = [
        f"{app}.{name}: {operation.describe()}"
        for (app, name), migration in sorted(loader.disk_migrations.items())
        if app in project_apps()
        for operation in migration.operations
        if not operation.reversible
    ]

    assert irreversible == [], "give RunPython a reverse_code (RunPython.noop if nothing to undo):\n" + "\n".join(
        irreversible
    )


@pytest.mark.parametrize(
    "sql",
    [
        'CREATE INDEX "p_name_idx" ON "projects_project" ("name");',
        'ALTER TABLE "projects_project" ADD COLUMN "owner_id" integer NOT NULL;',
        'ALTER TABLE "projects_project" ADD COLUMN "archived" boolean DEFAULT false NOT NULL; '
        'ALTER TABLE "projects_project" ALTER COLUMN "archived" DROP DEFAULT;',
        'ALTER TABLE "projects_project" ADD COLUMN "token" uuid DEFAULT gen_random_uuid() NULL;',
        'ALTER TABLE "projects_membership" ALTER COLUMN "role" SET NOT NULL;',
        'ALTER TABLE "projects_project" ALTER COLUMN "name" TYPE integer USING "name"::integer;',
        'ALTER TABLE "projects_project" ADD CONSTRAINT "x_chk" CHECK ("name" > \'\');',
        'ALTER TABLE "projects_project" ADD CONSTRAINT "x_uniq" UNIQUE ("name");',
        'ALTER TABLE "projects_project" RENAME COLUMN "description" TO "about";',
        'ALTER TABLE "projects_project" DROP COLUMN "description" CASCADE;',
        'DROP TABLE "projects_project" CASCADE;',
    ],
)
def test_it_flags_statements_unsafe_on_a_live_database(sql):
    assert len(lint([sql], lambda table, column: "varchar(200)")) == 1


@pytest.mark.parametrize(
    "sql",
    [
        'CREATE TABLE "things" ("id" bigint NOT NULL PRIMARY KEY, "name" varchar(20) NOT NULL); '
        'CREATE INDEX "things_name" ON "things" ("name"); '
        'ALTER TABLE "things" ADD CONSTRAINT "things_uniq" UNIQUE ("name");',
        'CREATE INDEX CONCURRENTLY "p_name_idx" ON "projects_project" ("name");',
        'ALTER TABLE "projects_project" ADD COLUMN "owner_id" integer NULL CONSTRAINT "fk" REFERENCES "auth_user"("id") '
        'DEFERRABLE INITIALLY DEFERRED; SET CONSTRAINTS "fk" IMMEDIATE;',
        'ALTER TABLE "projects_project" ADD COLUMN "flag" boolean DEFAULT false NOT NULL;',
        'ALTER TABLE "projects_project" ALTER COLUMN "name" TYPE varchar(300);',
        'ALTER TABLE "projects_project" ALTER COLUMN "name" DROP NOT NULL;',
        'ALTER TABLE "projects_project" ADD CONSTRAINT "x_chk" CHECK ("name" > \'\') NOT VALID;',
        'ALTER TABLE "projects_project" VALIDATE CONSTRAINT "x_chk";',
    ],
)
def test_it_accepts_statements_safe_on_a_live_database(sql):
    assert lint([sql], lambda table, column: "varchar(200)") == []


def test_it_lets_initial_migrations_finish_the_tables_they_created():
    # Django splits an app's initial migration in two when apps point at each other.
    second_initial = [
        'ALTER TABLE "graph_mention" ADD COLUMN "memory_id" uuid NOT NULL;',
        'CREATE INDEX "graph_mention_memory_id" ON "graph_mention" ("memory_id");',
    ]

    assert lint(second_initial, new_tables=frozenset({"graph_mention"})) == []
    assert len(lint(second_initial)) == 2


# Every migration applied again, then rows in our tables and in the ones they
# point at (get_or_create), so that every step back meets data. The steps run in
# one Django process: each `migrate` builds its loader and executor afresh from
# the database, as a new process would, and a start costs seconds (it used to be
# one or two per step).
ROUND_TRIP = """
import json
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from apps.projects.models import Membership, Project, Role
from apps.projects.services import project_create


def forward_and_seed():
    call_command("migrate", interactive=False, verbosity=0)
    owner, _ = User.objects.get_or_create(username="owner", defaults={"email": "owner@example.com"})
    editor, _ = User.objects.get_or_create(username="editor", defaults={"email": "editor@example.com"})
    Token.objects.get_or_create(user=owner)
    for name in ("Research", "Reading list"):
        if not Project.objects.filter(name=name).exists():
            project = project_create(owner=owner, name=name, description="with data in it")
            Membership.objects.create(project=project, user=editor, role=Role.EDITOR)


forward_and_seed()
for app, previous in json.loads(STEPS):
    call_command("migrate", app, previous, interactive=False, verbosity=0)
    forward_and_seed()
    print("done: migrate", app, previous, flush=True)
"""


@postgres_only
def test_it_migrates_every_app_back_and_forward_on_a_database_with_data():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    # Undo each migration in turn, newest first, with data in the tables; then apply all again.
    steps = [
        (app, previous)
        for app in project_apps()
        for previous in reversed(
            ["zero", *[name for label, name in loader.graph.forwards_plan(_leaf(loader, app)) if label == app][:-1]]
        )
    ]
    with scratch_database() as url:
        forward = manage("migrate", "--noinput", database_url=url)
        assert forward.returncode == 0, forward.stderr

        code = f"STEPS = {json.dumps(json.dumps(steps))}\n{ROUND_TRIP}"
        done = manage("shell", "-c", code, database_url=url)
        finished = [tuple(line.split()[2:]) for line in done.stdout.splitlines() if line.startswith("done: migrate ")]
        assert finished == steps, f"{done.stdout}\n{done.stderr}"

        assert check(url).returncode == 0


def _leaf(loader: MigrationLoader, app: str) -> tuple[str, str]:
    [leaf] = [node for node in loader.graph.leaf_nodes() if node[0] == app]
    return leaf
