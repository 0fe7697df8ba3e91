"""The recall index's own schema checks: what Django's migration state cannot see.

* before `migrate`: a PostgreSQL without pgvector stops it with one message;
* in `check_schema` and /healthz: a missing extension, HNSW, GIN or FTS5
  index is drift like any other (MISSING_EXTENSION, MISSING_INDEX), and
  vectors of another model than the configured one make the index stale
  (STALE_RECALL_INDEX, fixed by `manage.py reindex`).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from apps.core.schema.findings import MISSING_EXTENSION, MISSING_INDEX, STALE_RECALL_INDEX, Finding, Severity
from apps.recall import indexes

MIGRATION = ("recall", "0001_initial")


def refuse_migrate_without_pgvector(sender, using: str = "default", plan=None, **kwargs) -> None:
    """pre_migrate: stop before anything is applied when recall's migration cannot run."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "postgresql" or not any(
        (m.app_label, m.name) == MIGRATION and not backwards for m, backwards in plan or ()
    ):
        return
    if not indexes.pgvector_available(connection):
        from django.core.management.base import CommandError

        raise CommandError(indexes.INSTALL_PGVECTOR)


def findings(connection: BaseDatabaseWrapper, applied: set[tuple[str, str]]) -> list[Finding]:
    if MIGRATION not in applied:
        return []  # reported as an unapplied migration
    if connection.vendor == "postgresql":
        found = _postgresql(connection)
    elif connection.vendor == "sqlite":
        found = _sqlite(connection)
    else:
        found = []
    return found + _stale(connection)


def _postgresql(connection: BaseDatabaseWrapper) -> list[Finding]:
    out = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
        if cursor.fetchone() is None:
            out.append(
                Finding(
                    Severity.ERROR,
                    MISSING_EXTENSION,
                    "vector",
                    "the pgvector extension is not installed: the dense index cannot be searched or written",
                    expected="extension vector",
                    actual=None,
                    hint="CREATE EXTENSION vector; (install pgvector on the server first)",
                )
            )
        cursor.execute(
            "SELECT c.relname, x.indisvalid FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = %s",
            [indexes.TABLE],
        )
        live = dict(cursor.fetchall())
    from apps.recall.services import current_dimension

    dimension = current_dimension()
    wanted = {
        indexes.GIN_INDEX: f"CREATE INDEX CONCURRENTLY {indexes.GIN_INDEX} ON {indexes.TABLE} USING gin (lexemes);"
    }
    if dimension:
        wanted[indexes.hnsw_index_name(dimension)] = indexes.hnsw_sql(dimension, concurrently=True) + ";"
    for name, create in wanted.items():
        if not live.get(name):
            out.append(
                Finding(
                    Severity.ERROR,
                    MISSING_INDEX,
                    f"{indexes.TABLE}.{name}",
                    "recall search index is missing" if name not in live else "recall search index is INVALID",
                    expected="valid index",
                    actual="INVALID" if name in live else None,
                    hint=("DROP INDEX CONCURRENTLY " + name + "; then " if name in live else "") + create,
                )
            )
    return out


def _sqlite(connection: BaseDatabaseWrapper) -> list[Finding]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [indexes.FTS_TABLE])
        if cursor.fetchone():
            return []
    return [
        Finding(
            Severity.ERROR,
            MISSING_INDEX,
            indexes.FTS_TABLE,
            "the FTS5 table of the recall index is missing: lexical search finds nothing",
            expected="FTS5 table",
            actual=None,
            hint="`manage.py migrate recall zero`, then `manage.py migrate` and `manage.py reindex`",
        )
    ]


def _stale(connection: BaseDatabaseWrapper) -> list[Finding]:
    from apps.recall.embeddings import model_name

    try:
        model = model_name()
    except Exception as exc:  # the configured backend cannot load: say so, do not fail the check
        return [
            Finding(
                Severity.WARNING,
                STALE_RECALL_INDEX,
                indexes.TABLE,
                f"the embedding backend cannot load ({exc})",
                hint="check EMBEDDINGS_BACKEND",
            )
        ]
    from apps.recall.text import ANALYZER

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT embedding_model FROM {indexes.TABLE} WHERE embedding_model <> %s LIMIT 1",  # noqa: S608
            [model],
        )
        row = cursor.fetchone()
        cursor.execute(
            f"SELECT coalesce(analyzer, '') FROM {indexes.TABLE} WHERE analyzer IS NULL OR analyzer <> %s LIMIT 1",  # noqa: S608
            [ANALYZER],
        )
        analyzed = cursor.fetchone()
    found = []
    if analyzed is not None:
        found.append(
            _stale_finding(
                "passages hold words made by another text analysis than the current one: "
                "word search may miss them until they are indexed again",
                expected=ANALYZER,
                actual=analyzed[0] or "not recorded",
            )
        )
    if row is not None:
        found.append(
            _stale_finding(
                "passages hold vectors of another embedding model than the configured one: "
                "dense search skips them until they are indexed again",
                expected=model,
                actual=row[0] or "no vector",
            )
        )
    return found


def _stale_finding(message: str, *, expected: str, actual: str) -> Finding:
    """Passages made another way than the code makes them now: a reindex mends it."""
    return Finding(
        Severity.WARNING,
        STALE_RECALL_INDEX,
        indexes.TABLE,
        message,
        expected=expected,
        actual=actual,
        hint="`manage.py reindex` (or the “Rebuild recall index” button on the project page)",
    )
