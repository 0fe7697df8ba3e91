from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    """Creation and last-change times for every table that users look at."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Beat(models.Model):
    """When a periodic job last ran (`name`: "sweeper"), for /healthz to tell whether it is late."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def record(cls, name: str) -> None:
        cls.objects.update_or_create(name=name, defaults={"at": timezone.now()})

    @classmethod
    def last(cls, name: str):
        return cls.objects.filter(name=name).values_list("at", flat=True).first()
