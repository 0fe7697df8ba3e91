"""The memory list's indexes: the project's memories in the list's order
(`-created_at, id`), all of them and by status, so that a page is one index
range however deep (apps.core.pagination). They replace the indexes on
`(project, -created_at)` and `(project, processing_status)`, which they
cover.

PostgreSQL builds them CONCURRENTLY (outside a transaction, writes go on),
after dropping a leftover INVALID index of an interrupted build
(apps.core.migration_indexes), and drops the
old ones only once the new ones are there; reversing does the opposite.
"""

from django.db import migrations, models

from apps.core.migration_indexes import Index, replacing_indexes

NEW = (
    Index(name="memory_project_list", on='ON "memories_memory" ("project_id", "created_at" DESC, "id")'),
    Index(
        name="memory_project_status_list",
        on='ON "memories_memory" ("project_id", "processing_status", "created_at" DESC, "id")',
    ),
)
OLD = (
    Index(name="memory_project_recent", on='ON "memories_memory" ("project_id", "created_at" DESC)'),
    Index(name="memory_project_status", on='ON "memories_memory" ("project_id", "processing_status")'),
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("memories", "0005_memory_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="memory", name="memory_project_recent"),
                migrations.RemoveIndex(model_name="memory", name="memory_project_status"),
                migrations.AddIndex(
                    model_name="memory",
                    index=models.Index(fields=["project", "-created_at", "id"], name="memory_project_list"),
                ),
                migrations.AddIndex(
                    model_name="memory",
                    index=models.Index(
                        fields=["project", "processing_status", "-created_at", "id"],
                        name="memory_project_status_list",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(*replacing_indexes(NEW, OLD), elidable=False)],
        ),
    ]
