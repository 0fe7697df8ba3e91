from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.models import TimeStampedModel
from apps.tasks.models import Status


class ContentType(models.TextChoices):
    TEXT = "text", "Text"
    MARKDOWN = "markdown", "Markdown"
    JSON = "json", "JSON"
    CONVERSATION = "conversation", "Conversation"


def content_hash(content: str) -> str:
    """Fingerprint for duplicate detection: the same words, whatever the surrounding whitespace."""
    normalized = "\n".join(line.rstrip() for line in content.strip().splitlines())
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


class LiveMemoryManager(models.Manager):
    """Memories not in the trash: what every page, API, search and agent sees."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Memory(TimeStampedModel):
    """One episode: a note, document or conversation added to a project.

    A memory put in the trash keeps its row (with `deleted_at`) until it is
    restored or deleted forever; `Memory.objects` leaves it out, so nothing
    but the trash sees it. `Memory.all_objects` sees every row.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="memories")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="memories"
    )
    title = models.CharField(max_length=200)
    content = models.TextField()
    content_type = models.CharField(max_length=16, choices=ContentType.choices, default=ContentType.TEXT)
    source_description = models.CharField(max_length=255, blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    valid_at = models.DateTimeField(default=timezone.now, help_text="When what the memory describes happened.")
    processing_status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    current_task = models.ForeignKey(
        "tasks.TaskLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_hash = models.CharField(max_length=64, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="When it was put in the trash.")
    # Who put it there: for the trash page only, so no database constraint nor index (cheap to add to a live table).
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    objects = LiveMemoryManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name_plural = "memories"
        # Related objects (a mention's memory, an import item's) are found even in the trash.
        base_manager_name = "all_objects"
        indexes = [
            # The memory list's order, whole and by status: a page is an index range (apps.core.pagination).
            models.Index(fields=["project", "-created_at", "id"], name="memory_project_list"),
            models.Index(
                fields=["project", "processing_status", "-created_at", "id"], name="memory_project_status_list"
            ),
            models.Index(
                fields=["project", "-deleted_at"], name="memory_project_trash", condition=Q(deleted_at__isnull=False)
            ),
            # The live memories by the time they speak of, newest first (recall's graph and time filters).
            models.Index(
                fields=["project", "-valid_at", "id"],
                name="memory_project_valid_at",
                condition=Q(deleted_at__isnull=True),
            ),
        ]
        constraints = [
            # The same content once among the project's live memories; one in
            # the trash does not stop it being added again (a restore checks).
            models.UniqueConstraint(
                fields=["project", "content_hash"], name="memory_unique_live_content", condition=Q(deleted_at=None)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MemoryVersion(models.Model):
    """What a memory said before an edit: written by memory_update in the edit's transaction."""

    memory = models.ForeignKey(Memory, on_delete=models.CASCADE, related_name="versions")
    title = models.CharField(max_length=200)
    content = models.TextField()
    content_type = models.CharField(max_length=16, choices=ContentType.choices)
    tags = models.JSONField(default=list, blank=True)
    source_description = models.CharField(max_length=255, blank=True, default="")
    valid_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now, help_text="When an edit replaced it.")
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["memory", "-replaced_at", "-id"]
        indexes = [models.Index(fields=["memory", "-replaced_at"], name="memory_version_recent")]

    def __str__(self) -> str:
        return f"{self.title} (until {self.replaced_at:%Y-%m-%d %H:%M})"


class ImportOutcome(models.TextChoices):
    PENDING = "pending", "Pending"
    CREATED = "created", "Created"
    DUPLICATE = "duplicate", "Duplicate"
    REJECTED = "rejected", "Rejected"


class ImportItem(models.Model):
    """One item of a batch import (apps/memories/imports) and what became of it.

    Recorded with the import's parent task, `pending`, and given its outcome
    in the transaction that creates its memory, so a rerun of the import
    carries on with the items still pending. Items the parser could not read
    have no `fields`, only the parser's `reason`.
    """

    task = models.ForeignKey("tasks.TaskLog", on_delete=models.CASCADE, related_name="import_items")
    position = models.PositiveIntegerField(help_text="Order in the import, from 0.")
    line = models.PositiveIntegerField(help_text="Line of the text, item of the array, or position of the file.")
    source = models.TextField(blank=True, default="", help_text="The file it came from, for uploaded files.")
    # Apart from `fields`, so that a page of outcomes need not load the contents.
    title = models.CharField(max_length=200, blank=True, default="")
    fields = models.JSONField(null=True, blank=True, help_text="The memory's fields as submitted.")
    outcome = models.CharField(max_length=16, choices=ImportOutcome.choices, default=ImportOutcome.PENDING)
    reason = models.TextField(blank=True, default="", help_text="Why it was rejected.")
    memory = models.ForeignKey(Memory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    existing_memory_id = models.UUIDField(null=True, blank=True, help_text="The memory a duplicate repeats.")

    class Meta:
        ordering = ["task", "position"]
        constraints = [models.UniqueConstraint(fields=["task", "position"], name="import_item_position")]
        indexes = [models.Index(fields=["task", "outcome", "position"], name="import_item_outcome")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.outcome}"
