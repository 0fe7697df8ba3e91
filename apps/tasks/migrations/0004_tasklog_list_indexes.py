"""The task dashboard's indexes: a project's tasks in the dashboard's order
(`-created_at, id`), all of them, by status and by type, so that a page is
one index range however deep (apps.core.pagination), and the types a project
has are found by one probe each (apps.tasks.selectors.task_types). They
replace the index on `(project, -created_at)`, which they cover.

PostgreSQL builds them CONCURRENTLY (outside a transaction, writes go on),
after dropping a leftover INVALID index of an interrupted build, and drops the
old one only once the new ones are there; reversing does the opposite.
"""

from django.db import migrations, models

TABLE = "tasks_tasklog"
NEW = {
    "tasklog_project_list": '("project_id", "created_at" DESC, "id")',
    "tasklog_project_status_list": '("project_id", "status", "created_at" DESC, "id")',
    "tasklog_project_type_list": '("project_id", "task_type", "created_at" DESC, "id")',
}
OLD = {
    "tasklog_project_recent": '("project_id", "created_at" DESC)',
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
        ("tasks", "0003_tasklog_expected_children"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="tasklog", name="tasklog_project_recent"),
                migrations.AddIndex(
                    model_name="tasklog",
                    index=models.Index(fields=["project", "-created_at", "id"], name="tasklog_project_list"),
                ),
                migrations.AddIndex(
                    model_name="tasklog",
                    index=models.Index(
                        fields=["project", "status", "-created_at", "id"], name="tasklog_project_status_list"
                    ),
                ),
                migrations.AddIndex(
                    model_name="tasklog",
                    index=models.Index(
                        fields=["project", "task_type", "-created_at", "id"], name="tasklog_project_type_list"
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        ),
    ]
