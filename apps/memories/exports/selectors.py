"""Reading exports: the memories an export writes, a project's exports, and one export's file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from apps.memories.exports.formats import FORMATS, ExportFormat
from apps.memories.models import Memory
from apps.projects.access import User, get_project_for_user
from apps.projects.models import Project
from apps.tasks.jobs import active_job
from apps.tasks.models import Status, TaskLog

EXPORT = "export_memories"


def export_format(task: TaskLog) -> ExportFormat:
    return FORMATS[task.payload.get("format", "")]


def export_path(task: TaskLog) -> Path:
    """Where a finished export's file is: EXPORT_DIR/<project id>/<task id><extension>."""
    return Path(settings.EXPORT_DIR) / str(task.project_id) / f"{task.id}{export_format(task).extension}"


def export_expires_at(task: TaskLog) -> datetime | None:
    """When a finished export's file goes, or None for an export not finished."""
    if task.completed_at is None:
        return None
    return task.completed_at + timedelta(hours=settings.EXPORT_RETENTION_HOURS)


def memories_to_export(project: Project) -> QuerySet[Memory]:
    """The project's memories, oldest first, with only the fields an export writes."""
    return (
        Memory.objects.filter(project=project)
        .only(
            "id", "title", "content", "content_type", "tags", "source_description", "metadata", "valid_at",
            "created_at",
        )
        .order_by("created_at", "id")
    )  # fmt: skip


def active_export(project: Project, format: str) -> TaskLog | None:
    """The project's export in `format` that is pending or running, if any."""
    return active_job(project, EXPORT, {"format": format})


def project_exports(project: Project, *, limit: int = 10) -> list[TaskLog]:
    """The project's latest exports, newest first."""
    return list(TaskLog.objects.filter(project=project, task_type=EXPORT).order_by("-created_at")[:limit])


def get_export_for_user(user: User, project_id: UUID | str, task_id: UUID | str) -> TaskLog:
    """The export if the user may see its project; Http404 for anyone else, as for an export that does not exist."""
    project = get_project_for_user(user, project_id)
    try:
        task = TaskLog.objects.filter(pk=task_id, project=project, task_type=EXPORT).first()
    except ValidationError:  # not a UUID
        task = None
    if task is None:
        raise Http404("No such export.")
    task.project = project
    return task


class ExportNotReady(Exception):
    """The export has no file to download (yet, or any more); the message says why."""

    def __init__(self, message: str, *, gone: bool) -> None:
        super().__init__(message)
        self.gone = gone


@dataclass(frozen=True)
class ExportFile:
    path: Path
    filename: str
    content_type: str
    size: int


def export_file(task: TaskLog) -> ExportFile:
    """The finished export's file, or ExportNotReady (still running, failed, or expired and removed)."""
    if task.status in (Status.PENDING, Status.PROCESSING):
        raise ExportNotReady(f"The export is still {task.status}; its file is offered when it completes.", gone=False)
    if task.status != Status.COMPLETED:
        raise ExportNotReady(f"The export {task.status}; start a new one.", gone=True)
    path = export_path(task)
    expires = export_expires_at(task)
    if (expires is not None and expires <= timezone.now()) or not path.is_file():
        raise ExportNotReady("This export has expired and its file was removed; start a new one.", gone=True)
    return ExportFile(
        path=path,
        filename=(task.result or {}).get("filename") or path.name,
        content_type=export_format(task).content_type,
        size=path.stat().st_size,
    )
