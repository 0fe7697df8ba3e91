"""The recall index's schema: migrate without pgvector, and check_schema's findings on real PostgreSQL."""

from __future__ import annotations

import os

import psycopg
import pytest
from psycopg import sql

from tests.core.schema_support import check, findings, manage, postgres_only, run_sql

# A PostgreSQL without pgvector: the machine's own server by default (Debian's 15 has none).
PLAIN_POSTGRES = os.environ.get("PLAIN_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


@pytest.fixture
def plain_postgres_database():
    try:
        admin = psycopg.connect(f"{PLAIN_POSTGRES}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL at {PLAIN_POSTGRES}: {exc}")
    with admin:
        if admin.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone():
            pytest.skip(f"the PostgreSQL at {PLAIN_POSTGRES} has pgvector; set PLAIN_POSTGRES_URL to one without")
        name = f"memstack_nopgvector_{os.getpid()}"
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield f"{PLAIN_POSTGRES}/{name}"
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_migrate_without_pgvector_stops_with_one_plain_message_and_applies_nothing(plain_postgres_database):
    result = manage("migrate", "--noinput", database_url=plain_postgres_database)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "needs the PostgreSQL extension pgvector" in result.stderr
    assert "apt-get install postgresql-<version>-pgvector" in result.stderr
    tables = run_sql(plain_postgres_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    assert tables == [(0,)]


@postgres_only
def test_check_schema_reports_missing_search_indexes(migrated_db):
    """The default model (minilm) searches the 384-dimension HNSW index that recall 0003 builds."""
    assert check(migrated_db).returncode == 0
    run_sql(migrated_db, "DROP INDEX recall_passage_hnsw_384", "DROP INDEX recall_passage_lexemes_gin")
    result = check(migrated_db)
    assert result.returncode == 1
    assert {
        ("ERROR", "MISSING_INDEX", "recall_passage.recall_passage_hnsw_384"),
        ("ERROR", "MISSING_INDEX", "recall_passage.recall_passage_lexemes_gin"),
    } <= findings(result)
    assert "USING hnsw ((embedding::vector(384)) vector_cosine_ops)" in result.stdout
    assert "WHERE embedding_dimension = 384" in result.stdout


@postgres_only
def test_the_wordllama_backend_finds_its_index_made_by_the_migration(migrated_db):
    """recall 0001 builds the 256-dimension HNSW index: choosing wordllama on a fresh database is no drift."""
    assert check(migrated_db, env={"EMBEDDINGS_BACKEND": "wordllama"}).returncode == 0
    run_sql(migrated_db, "DROP INDEX recall_passage_hnsw_256")
    result = check(migrated_db, env={"EMBEDDINGS_BACKEND": "wordllama"})
    assert ("ERROR", "MISSING_INDEX", "recall_passage.recall_passage_hnsw_256") in findings(result)


@postgres_only
def test_check_schema_reports_a_missing_extension(migrated_db):
    # What a restore into a server without the extension looks like: the column goes with it.
    run_sql(migrated_db, "DROP EXTENSION vector CASCADE")
    result = check(migrated_db)
    assert result.returncode == 1
    assert ("ERROR", "MISSING_EXTENSION", "vector") in findings(result)


# A project with one memory, for a passage to belong to.
ONE_MEMORY = (
    "INSERT INTO projects_project (id, name, description, created_at, updated_at) "
    "VALUES ('00000000-0000-0000-0000-000000000001', 'p', '', now(), now())",
    "INSERT INTO memories_memory (id, project_id, title, content, content_type, source_description, tags, "
    "metadata, valid_at, processing_status, content_hash, created_at, updated_at) VALUES "
    "('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001', 't', 'c', 'text', '', "
    "'[]', '{}', now(), 'completed', 'h', now(), now())",
)


@postgres_only
def test_check_schema_warns_of_vectors_of_another_model(migrated_db):
    run_sql(
        migrated_db,
        *ONE_MEMORY,
        "INSERT INTO recall_passage (project_id, memory_id, position, start, text, lexemes, embedding_model, "
        "created_at) VALUES ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002', "
        "0, 0, 'c', to_tsvector('simple', 'c'), 'an-old-model', now())",
    )
    result = check(migrated_db)
    assert result.returncode == 0  # a warning: search still works, by words
    assert ("WARNING", "STALE_RECALL_INDEX", "recall_passage") in findings(result)
    assert "manage.py reindex" in result.stdout


@postgres_only
def test_check_schema_warns_of_words_made_by_another_text_analysis(migrated_db):
    from apps.recall.embeddings import model_name
    from apps.recall.text import ANALYZER

    run_sql(
        migrated_db,
        *ONE_MEMORY,
        # The configured model's row, written before the analysis was recorded (the migration's default).
        "INSERT INTO recall_passage (project_id, memory_id, position, start, text, lexemes, embedding_model, "
        "created_at) VALUES ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002', "
        f"0, 0, 'c', to_tsvector('simple', 'c'), '{model_name()}', now())",
    )
    result = check(migrated_db)
    assert result.returncode == 0
    assert ("WARNING", "STALE_RECALL_INDEX", "recall_passage") in findings(result)
    assert "another text analysis" in result.stdout
    assert "another embedding model" not in result.stdout
    run_sql(migrated_db, f"UPDATE recall_passage SET analyzer = '{ANALYZER}'")
    assert ("WARNING", "STALE_RECALL_INDEX", "recall_passage") not in findings(check(migrated_db))
