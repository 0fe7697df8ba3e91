"""The trash's indexes, built without blocking writes to the memories table:
the project's trash by date, and the unique-content rule narrowed to live
memories (so content in the trash can be added again; a restore checks).

PostgreSQL builds them CONCURRENTLY (apps.core.migration_indexes), which
needs a migration outside a transaction; the new unique index is in place
before the old constraint goes.
Reversing re-adds the old constraint: it fails while a trashed memory repeats
a live one's content (empty the trash first).
"""

from django.db import migrations, models

from apps.core.migration_indexes import Index, concurrent_indexes

TRASH = Index(
    name="memory_project_trash",
    on='ON "memories_memory" ("project_id", "deleted_at" DESC) WHERE "deleted_at" IS NOT NULL',
)
LIVE_CONTENT = Index(
    name="memory_unique_live_content",
    on='ON "memories_memory" ("project_id", "content_hash") WHERE "deleted_at" IS NULL',
    unique=True,
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("memories", "0003_memory_trash"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="memory",
                    index=models.Index(
                        condition=models.Q(("deleted_at__isnull", False)),
                        fields=["project", "-deleted_at"],
                        name="memory_project_trash",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="memory",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("deleted_at", None)),
                        fields=("project", "content_hash"),
                        name="memory_unique_live_content",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(*concurrent_indexes(TRASH, LIVE_CONTENT), elidable=False)],
        ),
        # The old rule goes once the new one holds: no moment without one.
        migrations.RemoveConstraint(
            model_name="memory",
            name="memory_unique_content",
        ),
    ]
