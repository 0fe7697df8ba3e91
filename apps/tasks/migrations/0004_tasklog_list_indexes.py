"""The task dashboard's indexes: a project's tasks in the dashboard's order
(`-created_at, id`), all of them, by status and by type, so that a page is
one index range however deep (apps.core.pagination), and the types a project
has are found by one probe each (apps.tasks.selectors.task_types). They
replace the index on `(project, -created_at)`, which they cover.

PostgreSQL builds them CONCURRENTLY (outside a transaction, writes go on),
after dropping a leftover INVALID index of an interrupted build
(apps.core.migration_indexes), and drops the
old one only once the new ones are there; reversing does the opposite.
"""

from django.db import migrations, models

from apps.core.migration_indexes import Index, replacing_indexes

NEW = (
    Index(name="tasklog_project_list", on='ON "tasks_tasklog" ("project_id", "created_at" DESC, "id")'),
    Index(
        name="tasklog_project_status_list", on='ON "tasks_tasklog" ("project_id", "status", "created_at" DESC, "id")'
    ),
    Index(
        name="tasklog_project_type_list", on='ON "tasks_tasklog" ("project_id", "task_type", "created_at" DESC, "id")'
    ),
)
OLD = (Index(name="tasklog_project_recent", on='ON "tasks_tasklog" ("project_id", "created_at" DESC)'),)


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
            database_operations=[migrations.RunPython(*replacing_indexes(NEW, OLD), elidable=False)],
        ),
    ]
