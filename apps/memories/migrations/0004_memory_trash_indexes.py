"""The trash's indexes, built without blocking writes to the memories table:
the project's trash by date, and the unique-content rule narrowed to live
memories (so content in the trash can be added again; a restore checks).

PostgreSQL builds them CONCURRENTLY, which needs a migration outside a
transaction; the new unique index is in place before the old constraint goes.
Reversing re-adds the old constraint: it fails while a trashed memory repeats
a live one's content (empty the trash first).
"""

from django.db import migrations, models

TRASH = 'CREATE INDEX {how} "memory_project_trash" ON "memories_memory" ("project_id", "deleted_at" DESC) WHERE "deleted_at" IS NOT NULL'
LIVE_CONTENT = (
    'CREATE UNIQUE INDEX {how} "memory_unique_live_content" ON "memories_memory" ("project_id", "content_hash") '
    'WHERE "deleted_at" IS NULL'
)


NAMES = ("memory_project_trash", "memory_unique_live_content")


def build(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        # A build interrupted half-way leaves an INVALID index of its name, which
        # IF NOT EXISTS would keep: drop any leftover, then build for real.
        drop(apps, schema_editor)
        how = "CONCURRENTLY"
    else:
        how = "IF NOT EXISTS"
    for sql in (TRASH, LIVE_CONTENT):
        schema_editor.execute(sql.format(how=how))


def drop(apps, schema_editor) -> None:
    how = "CONCURRENTLY IF EXISTS" if schema_editor.connection.vendor == "postgresql" else "IF EXISTS"
    for name in NAMES:
        schema_editor.execute(f'DROP INDEX {how} "{name}"')


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
            database_operations=[migrations.RunPython(build, drop, elidable=False)],
        ),
        # The old rule goes once the new one holds: no moment without one.
        migrations.RemoveConstraint(
            model_name="memory",
            name="memory_unique_content",
        ),
    ]
