"""A trigram index on entities' normalised names, so that entity resolution
asks the database for the few similar names instead of reading every entity
of the project (apps.graph.services.episodes.entity_candidates).

PostgreSQL only (pg_trgm ships with PostgreSQL's contrib modules); built
CONCURRENTLY, outside a transaction, so a live database keeps taking writes
while it builds (apps.core.migration_indexes). SQLite has no such index and
resolution reads every entity.
"""

from django.db import migrations

from apps.core.migration_indexes import Index, concurrent_indexes

TRIGRAMS = Index(
    name="graph_entity_name_trgm",
    on="ON graph_entity USING gin (normalized_name gin_trgm_ops)",
    postgresql_only=True,
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("graph", "0003_entity_aliases_and_mention_types"),
    ]

    operations = [
        migrations.RunPython(*concurrent_indexes(TRIGRAMS, extensions=("pg_trgm",)), elidable=False),
    ]
