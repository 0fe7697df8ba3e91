"""The search indexes Django's migration state cannot describe: pgvector's
extension and HNSW index and the GIN index on PostgreSQL, the FTS5 table on
SQLite. Created by migration 0001 (and, for another vector dimension, by the
reindex task); checked by apps.recall.schema."""

from __future__ import annotations

from django.core.management.base import CommandError

TABLE = "recall_passage"
GIN_INDEX = "recall_passage_lexemes_gin"
FTS_TABLE = "recall_passage_fts"
# HNSW needs a fixed dimension: one partial index per dimension in use.
# m and ef_construction are pgvector's defaults, stated so they are visible.
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64

INSTALL_PGVECTOR = (
    "The recall index needs the PostgreSQL extension pgvector, and this server does not have it. "
    "Install pgvector on the database server (Debian/Ubuntu: apt-get install postgresql-<version>-pgvector; "
    "managed PostgreSQL: enable the `vector` extension), then run `manage.py migrate` again."
)


def hnsw_index_name(dimension: int) -> str:
    return f"recall_passage_hnsw_{dimension}"


def hnsw_sql(dimension: int, *, concurrently: bool = False) -> str:
    return (
        f"CREATE INDEX {'CONCURRENTLY ' if concurrently else ''}IF NOT EXISTS {hnsw_index_name(dimension)} "
        f"ON {TABLE} USING hnsw ((embedding::vector({int(dimension)})) vector_cosine_ops) "
        f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}) "
        f"WHERE embedding_dimension = {int(dimension)}"
    )


def pgvector_available(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
        return cursor.fetchone() is not None


def create_extension(connection) -> None:
    """CREATE EXTENSION vector, or a CommandError that says what to install (no traceback from `migrate`)."""
    if not pgvector_available(connection):
        raise CommandError(INSTALL_PGVECTOR)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
        if cursor.fetchone():
            return
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except Exception as exc:
        raise CommandError(
            f"Could not create the extension pgvector ({exc}). A superuser must run "
            "`CREATE EXTENSION vector;` in this database once; then run `manage.py migrate` again."
        ) from None


SQLITE_FTS = [
    # External-content FTS5 table over recall_passage.lexemes, kept in step by triggers.
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(lexemes, content='{TABLE}', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, lexemes) VALUES (new.id, new.lexemes); END",
    f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, lexemes) VALUES ('delete', old.id, old.lexemes); END",
    f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE OF lexemes ON {TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, lexemes) VALUES ('delete', old.id, old.lexemes); "
    f"INSERT INTO {FTS_TABLE}(rowid, lexemes) VALUES (new.id, new.lexemes); END",
]
SQLITE_FTS_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
