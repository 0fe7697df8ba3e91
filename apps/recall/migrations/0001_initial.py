"""The recall index: passages, with pgvector's HNSW and a GIN index on
PostgreSQL, an FTS5 table on SQLite.

On a PostgreSQL without pgvector this stops before creating anything, with a
message saying what to install (apps.recall.apps checks it before any
migration runs; the first operation checks again for `migrate recall`).

Existing memories are not indexed here (a migration must stay quick): the
reindex task does it (`manage.py reindex`, docs/migrations.md).
"""

import django.db.models.deletion
from django.db import migrations, models

import apps.recall.fields
from apps.recall import indexes

# The default embedding model's dimension (WordLlama, 256) when this migration was written.
DIMENSION = 256


def create_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        indexes.create_extension(schema_editor.connection)


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX {indexes.GIN_INDEX} ON {indexes.TABLE} USING gin (lexemes)")
        schema_editor.execute(indexes.hnsw_sql(DIMENSION))
    elif schema_editor.connection.vendor == "sqlite":
        for statement in indexes.SQLITE_FTS:
            schema_editor.execute(statement)


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {indexes.GIN_INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {indexes.hnsw_index_name(DIMENSION)}")
    elif schema_editor.connection.vendor == "sqlite":
        for statement in indexes.SQLITE_FTS_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("memories", "0001_initial"),
        ("projects", "0001_initial"),
    ]

    operations = [
        # Not dropped on the way back: other schemas in the database may use it.
        migrations.RunPython(create_extension, migrations.RunPython.noop, elidable=False),
        migrations.CreateModel(
            name="Passage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveIntegerField(help_text="Order within the memory, from 0.")),
                ("start", models.PositiveIntegerField(help_text="Offset of the passage in the memory's content.")),
                ("text", models.TextField()),
                ("lexemes", apps.recall.fields.LexemesField(blank=True, default="")),
                ("embedding", apps.recall.fields.VectorField(blank=True, null=True)),
                ("embedding_model", models.CharField(blank=True, default="", max_length=200)),
                ("embedding_dimension", models.PositiveIntegerField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "memory",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="passages", to="memories.memory"
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="projects.project"
                    ),
                ),
            ],
            options={
                "ordering": ["memory", "position"],
                "indexes": [
                    models.Index(fields=["project", "embedding_model"], name="passage_project_model"),
                    models.Index(fields=["embedding_model"], name="passage_model"),
                ],
                "constraints": [models.UniqueConstraint(fields=("memory", "position"), name="passage_unique_position")],
            },
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes, elidable=False),
    ]
