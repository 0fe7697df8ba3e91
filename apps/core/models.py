from django.db import models


class TimeStampedModel(models.Model):
    """Creation and last-change times for every table that users look at."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
