"""Record which text analysis made each passage's words.

The lexical index moved from a light suffix stripper to Snowball's English
stemmer; passages written before carry no `analyzer` and check_schema
calls the index stale until `manage.py reindex` rewrites them. A nullable
column without default: a plain ADD COLUMN on PostgreSQL and SQLite alike (no
table rewrite, safe on a live database; reversible).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recall", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="passage",
            name="analyzer",
            field=models.CharField(
                blank=True,
                help_text="The text analysis that made `lexemes` (apps.recall.text.ANALYZER); null: before it was recorded.",
                max_length=40,
                null=True,
            ),
        ),
    ]
