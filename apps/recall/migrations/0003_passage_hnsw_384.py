"""An HNSW index for 384-dimension vectors, the `minilm` embeddings backend's
(all-MiniLM-L6-v2), beside migration 0001's for 256 (WordLlama).

A partial index (WHERE embedding_dimension = 384): rows of other models are
not in it, so until someone chooses `minilm` it is empty and costs nothing to
keep, and with it check_schema finds the index that backend needs from the
start rather than after its first indexing (apps.recall.services.
ensure_vector_index would build it then). PostgreSQL only, built
CONCURRENTLY outside a transaction, so a live database keeps taking writes.
"""

from django.db import migrations

from apps.recall import indexes

DIMENSION = 384


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A build interrupted half-way leaves an INVALID index of this name: drop it first.
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {indexes.hnsw_index_name(DIMENSION)}")
        schema_editor.execute(indexes.hnsw_sql(DIMENSION, concurrently=True))


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {indexes.hnsw_index_name(DIMENSION)}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("recall", "0002_passage_analyzer"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
