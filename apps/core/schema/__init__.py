"""Is the live database what the code expects? The engine behind `manage.py check_schema`,
the start-up warnings (apps.core.startup) and the `schema` check of /healthz.

    report = compare_schema("default")
    report.ok(), report.findings, report.summary()

Layout: history.py (migration state), expected.py (the schema the applied
migrations built), live.py (catalog queries), compare.py (the two side by
side), findings.py (codes and the report).
"""

from __future__ import annotations

import threading

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from apps.core.schema import expected, history, live
from apps.core.schema.compare import compare_tables
from apps.core.schema.findings import Finding, Report, Severity

__all__ = ["Finding", "Report", "Severity", "compare_schema"]

# For /healthz: what depends only on the code is computed once per process,
# what depends on the applied migrations once per set of them. Only the live
# catalogs and the django_migrations rows are read on every call.
_cache: dict[tuple, object] = {}
_cache_lock = threading.Lock()


def compare_schema(
    alias: str = DEFAULT_DB_ALIAS, app_labels: frozenset[str] = frozenset(), *, cached: bool = False
) -> Report:
    """Compare database `alias` with its migrations. Raises when it cannot (e.g. unreachable)."""
    for label in app_labels:
        apps.get_app_config(label)  # LookupError names an unknown label
    connection = connections[alias]
    connection.ensure_connection()
    loader = MigrationLoader(connection, ignore_no_migrations=True)

    changes = _memo(("changes", app_labels), lambda: history.model_changes(loader, app_labels), cached)
    findings = history.migration_findings(loader, connection, app_labels, changes)

    nodes = tuple(expected.applied_nodes(loader))
    tables = _memo(
        ("tables", alias, nodes, app_labels),
        lambda: expected.expected_tables(
            expected.applied_state(loader),
            connection,
            app_labels=app_labels,
            unmigrated_apps=frozenset(loader.unmigrated_apps),
        ),
        cached,
    )
    findings += compare_tables(tables, live.read_tables(connection, tables), connection.vendor)
    findings += _app_findings(connection, app_labels, set(loader.applied_migrations))
    return Report(
        database={
            "alias": alias,
            "vendor": connection.vendor,
            "name": str(connection.settings_dict.get("NAME") or ""),
        },
        findings=findings,
        tables_checked=len(tables),
        migrations_applied=len(loader.applied_migrations),
    )


def _app_findings(connection, app_labels: frozenset[str], applied: set[tuple[str, str]]) -> list[Finding]:
    """What apps check themselves: objects their migrations create outside Django's model state
    (an extension, a vector index), through an AppConfig method `schema_findings(connection, applied)`."""
    found: list[Finding] = []
    for config in apps.get_app_configs():
        check = getattr(config, "schema_findings", None)
        if check is not None and (not app_labels or config.label in app_labels):
            found += check(connection, applied)
    return found


def _memo(key: tuple, compute, cached: bool):
    if not cached:
        return compute()
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    value = compute()
    with _cache_lock:
        if len(_cache) > 32:
            _cache.clear()  # a long-lived process that saw many migration sets
        _cache[key] = value
    return value
