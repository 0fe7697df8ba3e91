"""A trash for memories: `deleted_at` and `deleted_by`, both nullable, with no
constraint nor index to build on the live table (0004 builds the indexes)."""

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
                db_constraint=False,
                db_index=False,
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
