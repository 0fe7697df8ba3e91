"""The project's live memories by `valid_at`, newest first: recall's graph
retriever takes the newest memories that mention an entity along it (an
index range probed against the mentions, not every memory of the project
sorted), and a search with filters alone, or `as_of`, `from` and `to`, reads
the same order.

PostgreSQL builds it CONCURRENTLY, as 0006 did its indexes.
"""

from django.db import migrations, models
from django.db.models import Q

from apps.core.migration_indexes import Index, concurrent_indexes

INDEX = Index(
    name="memory_project_valid_at",
    on='ON "memories_memory" ("project_id", "valid_at" DESC, "id") WHERE "deleted_at" IS NULL',
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("memories", "0006_memory_list_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="memory",
                    index=models.Index(
                        fields=["project", "-valid_at", "id"],
                        name="memory_project_valid_at",
                        condition=Q(deleted_at__isnull=True),
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(*concurrent_indexes(INDEX), elidable=False)],
        ),
    ]
