"""A trigram index on entities' normalised names, so that entity resolution
asks the database for the few similar names instead of reading every entity
of the project (apps.graph.services.episodes.entity_candidates).

PostgreSQL only (pg_trgm ships with PostgreSQL's contrib modules); built
CONCURRENTLY, outside a transaction, so a live database keeps taking writes
while it builds. SQLite has no such index and resolution reads every entity.
"""

from django.db import migrations

INDEX = "graph_entity_name_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # A build interrupted half-way leaves an INVALID index of this name: drop it first.
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY {INDEX} ON graph_entity USING gin (normalized_name gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("graph", "0003_entity_aliases_and_mention_types"),
    ]

    operations = [
        # The extension is not dropped on the way back: other schemas in the database may use it.
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
