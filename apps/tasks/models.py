from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


TERMINAL = frozenset({Status.COMPLETED, Status.FAILED, Status.CANCELLED})


class TaskLog(models.Model):
    """One background job: what it is, where it got to, and how it ended.

    The row is the source of truth for progress; events are its fast echo.
    State changes go through the conditional updates below so that two
    processes never both move the same task. `attempts` is also the fencing
    token of the attempt running it: the runner passes its number to every
    change it makes, so an attempt that was taken for dead (and replaced by
    the next one) has its late writes refused instead of mixed in.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="tasks")
    task_type = models.CharField(max_length=40, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=255, default="Queued")
    payload = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    traceback = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Set when the broker accepted the task; a pending task without it was
    # never handed over (broker down) and the sweeper enqueues it.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=255, blank=True, default="")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    # Set on a parent once all its children exist: it then ends when they do.
    expected_children = models.PositiveIntegerField(null=True, blank=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries")
    # What the task works on, by reference only: this app knows nothing of
    # memories or graphs. `subject_label` is for lists and search.
    subject_type = models.CharField(max_length=60, blank=True, default="")
    subject_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    subject_label = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The dashboard's order, whole, by status and by type: a page is an index range (apps.core.pagination).
            models.Index(fields=["project", "-created_at", "id"], name="tasklog_project_list"),
            models.Index(fields=["project", "status", "-created_at", "id"], name="tasklog_project_status_list"),
            models.Index(fields=["project", "task_type", "-created_at", "id"], name="tasklog_project_type_list"),
            models.Index(fields=["status", "heartbeat_at"], name="tasklog_status_heartbeat"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="tasklog_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.task_type} {self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in TERMINAL

    @property
    def event_type(self) -> str:
        """The SSE event type that announces the current state."""
        return self.status if self.is_finished else "progress"

    def event_payload(self) -> dict:
        return {
            "task_id": str(self.id),
            "task_type": self.task_type,
            "status": self.status,
            "progress": self.progress,
            "message": self.message,
            # Only the end carries the result: a batch import's per-item
            # result would otherwise ride along on every "N of M" event.
            "result": self.result if self.is_finished else None,
            "error": self.error or None,
            "eta_seconds": None,
            "updated_at": self.updated_at,
        }

    # -- transitions: each returns True if this call made it ---------------------
    # `attempt`, when given, is the fencing token of the attempt making the
    # change: the change is made only if that attempt is still the current one.

    def _transition(
        self, *, allowed_from: set[str], where: models.Q = models.Q(), attempt: int | None = None, **changes
    ) -> bool:
        changes["updated_at"] = timezone.now()
        if attempt is not None:
            where &= models.Q(attempts=attempt)
        moved = TaskLog.objects.filter(where, pk=self.pk, status__in=allowed_from).update(**changes)
        if moved and any(isinstance(value, models.expressions.Combinable) for value in changes.values()):
            self.refresh_from_db()  # a value computed by the database (the attempt count)
        elif moved:
            # What this update wrote is what the row now says: no read back needed.
            for name, value in changes.items():
                setattr(self, name, value)
        return moved == 1

    def mark_started(self, *, worker: str) -> bool:
        """Start the next attempt; only from the attempt count this row was read with, so none is counted twice
        and the new count is known without reading it back."""
        now = timezone.now()
        return self._transition(
            allowed_from={Status.PENDING},
            where=models.Q(attempts=self.attempts),
            status=Status.PROCESSING,
            started_at=now,
            heartbeat_at=now,
            worker=worker[:255],
            attempts=self.attempts + 1,
        )

    def mark_requeued(self, *, stale_before) -> bool:
        """Put back a running task whose worker stopped beating, for another attempt."""
        return self._transition(
            allowed_from={Status.PROCESSING},
            where=models.Q(heartbeat_at__lt=stale_before),
            status=Status.PENDING,
            progress=0,
            message="Queued again after the worker stopped responding",
            enqueued_at=None,
            worker="",
        )

    def mark_progress(
        self, *, progress: int, message: str, attempt: int | None = None, unless_cancelled: bool = False
    ) -> bool:
        """`unless_cancelled`: not if someone asked the task to stop (the reporter then finds out why)."""
        return self._transition(
            allowed_from={Status.PROCESSING},
            where=models.Q(cancel_requested_at__isnull=True) if unless_cancelled else models.Q(),
            attempt=attempt,
            progress=progress,
            message=message[:255],
            heartbeat_at=timezone.now(),
        )

    def mark_completed(self, *, result: dict | None, message: str, attempt: int | None = None) -> bool:
        return self._transition(
            allowed_from={Status.PROCESSING},
            attempt=attempt,
            status=Status.COMPLETED,
            progress=100,
            message=message[:255],
            result=result,
            completed_at=timezone.now(),
        )

    def mark_failed(
        self, *, error: str, traceback: str = "", where: models.Q = models.Q(), attempt: int | None = None
    ) -> bool:
        return self._transition(
            allowed_from={Status.PENDING, Status.PROCESSING},
            where=where,
            attempt=attempt,
            status=Status.FAILED,
            message="Failed",
            error=error,
            traceback=traceback,
            completed_at=timezone.now(),
        )

    def mark_cancelled(self, *, attempt: int | None = None) -> bool:
        return self._transition(
            allowed_from={Status.PENDING, Status.PROCESSING},
            attempt=attempt,
            status=Status.CANCELLED,
            message="Cancelled",
            completed_at=timezone.now(),
        )


class TaskStage(models.Model):
    """One step a task reported, kept for its timeline and for estimates."""

    task = models.ForeignKey(TaskLog, on_delete=models.CASCADE, related_name="stages")
    progress = models.PositiveSmallIntegerField()
    message = models.CharField(max_length=255)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["task", "at", "id"]

    def __str__(self) -> str:
        return f"{self.progress}% {self.message}"
