"""The memory list's indexes: the project's memories in the list's order
(`-created_at, id`), all of them and by status, so that a page is one index
range however deep (apps.core.pagination). They replace the indexes on
`(project, -created_at)` and `(project, processing_status)`, which they
cover.

PostgreSQL builds them CONCURRENTLY (outside a transaction, writes go on),
after dropping a leftover INVALID index of an interrupted build, and drops the
old ones only once the new ones are there; reversing does the opposite.
"""

from django.db import migrations, models

TABLE = "memories_memory"
NEW = {
    "memory_project_list": '("project_id", "created_at" DESC, "id")',
    "memory_project_status_list": '("project_id", "processing_status", "created_at" DESC, "id")',
}
OLD = {
    "memory_project_recent": '("project_id", "created_at" DESC)',
    "memory_project_status": '("project_id", "processing_status")',
}


def _swap(schema_editor, build: dict[str, str], drop: dict[str, str]) -> None:
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name, columns in build.items():
        schema_editor.execute(f'DROP INDEX {concurrently}IF EXISTS "{name}"')
        schema_editor.execute(f'CREATE INDEX {concurrently}"{name}" ON "{TABLE}" {columns}')
    for name in drop:
        schema_editor.execute(f'DROP INDEX {concurrently}IF EXISTS "{name}"')


def forwards(apps, schema_editor) -> None:
    _swap(schema_editor, NEW, OLD)


def backwards(apps, schema_editor) -> None:
    _swap(schema_editor, OLD, NEW)


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
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        ),
    ]
