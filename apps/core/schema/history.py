"""Migration state: what `migrate --check` sees, and what it does not.

`migrate --check` only asks "is any migration file unapplied?". This also
reports model changes with no migration, conflicting leaf migrations, an
inconsistent history, and migrations recorded as applied whose files are gone
(after a code rollback the database is ahead of the code, and Django says
nothing about it).
"""

from __future__ import annotations

from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.exceptions import InconsistentMigrationHistory
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.questioner import MigrationQuestioner
from django.db.migrations.state import ProjectState

from apps.core.schema.findings import (
    CONFLICTING_MIGRATIONS,
    GHOST_MIGRATION,
    INCONSISTENT_HISTORY,
    MISSING_MIGRATION,
    UNAPPLIED_MIGRATION,
    Finding,
    Severity,
)

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def migration_findings(
    loader: MigrationLoader,
    connection: BaseDatabaseWrapper,
    app_labels: frozenset[str],
    model_changes: dict[str, list[str]],
) -> list[Finding]:
    """`model_changes` comes from `model_changes()`: it depends on the code only, so callers may cache it."""

    def wanted(app_label: str) -> bool:
        return not app_labels or app_label in app_labels

    findings: list[Finding] = []
    try:
        loader.check_consistent_history(connection)
    except InconsistentMigrationHistory as exc:
        findings.append(
            Finding(
                ERROR,
                INCONSISTENT_HISTORY,
                "django_migrations",
                str(exc),
                hint="a migration was applied before one it depends on (a dependency added later?); "
                "fix the django_migrations rows or the migration's dependencies",
            )
        )
    for app_label, names in sorted(loader.detect_conflicts().items()):
        if wanted(app_label):
            findings.append(
                Finding(
                    ERROR,
                    CONFLICTING_MIGRATIONS,
                    app_label,
                    f"several leaf migrations: {', '.join(names)}; `migrate` refuses to run",
                    expected="one leaf migration",
                    actual=", ".join(names),
                    hint=f"`manage.py makemigrations --merge {app_label}`, review and deploy the merge migration",
                )
            )
    for app_label, name in _unapplied(loader):
        if wanted(app_label):
            findings.append(
                Finding(
                    ERROR,
                    UNAPPLIED_MIGRATION,
                    f"{app_label}.{name}",
                    "migration is not applied: the code expects a schema the database does not have yet",
                    expected="applied",
                    actual="unapplied",
                    hint="`manage.py migrate` (the release phase does it on deploy)",
                )
            )
    for app_label, operations in sorted(model_changes.items()):
        if wanted(app_label):
            shown = "; ".join(operations[:5]) + (f"; and {len(operations) - 5} more" if len(operations) > 5 else "")
            findings.append(
                Finding(
                    ERROR,
                    MISSING_MIGRATION,
                    app_label,
                    f"models have changes that no migration describes: {shown}",
                    expected="a migration for every model change",
                    actual=f"{len(operations)} change(s) without one",
                    hint=f"`manage.py makemigrations {app_label}`, review, commit and deploy the migration",
                )
            )
    for app_label, name in _ghosts(loader):
        if wanted(app_label):
            installed = app_label in {c.label for c in apps.get_app_configs()}
            why = "its file is gone" if installed else f"app '{app_label}' is not installed"
            findings.append(
                Finding(
                    WARNING,
                    GHOST_MIGRATION,
                    f"{app_label}.{name}",
                    f"migration is recorded as applied but {why}: the database is ahead of this code "
                    "(a code rollback?), and `migrate --check` cannot see it",
                    expected="not applied, or present in the code",
                    actual="applied, no file",
                    hint="deploy the release that has it, or before rolling code back run "
                    f"`manage.py migrate {app_label} <previous>` with the newer code; if it was deleted on "
                    f"purpose: DELETE FROM django_migrations WHERE app = '{app_label}' AND name = '{name}';",
                )
            )
    return findings


def _unapplied(loader: MigrationLoader) -> list[tuple[str, str]]:
    """Unapplied migrations in the order `migrate` would apply them."""
    pending: dict[tuple[str, str], None] = {}  # ordered, without duplicates
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node not in loader.applied_migrations:
                pending[node] = None
    return list(pending)


def _ghosts(loader: MigrationLoader) -> list[tuple[str, str]]:
    # Rows of migrations replaced by a squashed one are no ghosts, even once
    # the replaced files are deleted.
    replaced = {key for migration in loader.disk_migrations.values() for key in migration.replaces or ()}
    return sorted(key for key in loader.applied_migrations if key not in loader.disk_migrations and key not in replaced)


def model_changes(loader: MigrationLoader, app_labels: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """What `makemigrations --check` would write, by app, as readable operations.

    Apps with models but no migrations package are included: makemigrations
    without app labels skips them, and their tables would never be created.
    """
    unmigrated = {
        label
        for label in loader.unmigrated_apps
        if any(m._meta.managed and not m._meta.proxy for m in apps.get_app_config(label).get_models())
    }
    convert = unmigrated | set(app_labels)
    autodetector = MigrationAutodetector(
        loader.project_state(),
        ProjectState.from_apps(apps),
        # The base questioner never prompts nor exits (the non-interactive one
        # calls sys.exit on a NOT NULL field without default).
        MigrationQuestioner(specified_apps=convert, dry_run=True),
    )
    changes = autodetector.changes(graph=loader.graph, trim_to_apps=app_labels or None, convert_apps=convert or None)
    return {
        app_label: [op.describe() for migration in migrations for op in migration.operations]
        for app_label, migrations in changes.items()
    }
