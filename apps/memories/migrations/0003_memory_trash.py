"""A trash for memories: `deleted_at` and `deleted_by` (both nullable), and the
unique-content rule narrowed to live memories, so that content in the trash can
be added again. The new partial unique index is built before the old one goes.
Reversing fails while a trashed memory repeats a live one's content (empty the
trash first)."""

import django.db.models.deletion
import django.db.models.manager
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("memories", "0002_import_item"),
        ("projects", "0001_initial"),
        ("tasks", "0003_tasklog_expected_children"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="memory",
            options={
                "base_manager_name": "all_objects",
                "ordering": ["-created_at", "id"],
                "verbose_name_plural": "memories",
            },
        ),
        migrations.AlterModelManagers(
            name="memory",
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("all_objects", django.db.models.manager.Manager()),
            ],
        ),
        migrations.AddField(
            model_name="memory",
            name="deleted_at",
            field=models.DateTimeField(blank=True, help_text="When it was put in the trash.", null=True),
        ),
        migrations.AddField(
            model_name="memory",
            name="deleted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
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
        # The old rule goes once the new one holds: no moment without one.
        migrations.RemoveConstraint(
            model_name="memory",
            name="memory_unique_content",
        ),
    ]
