from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404

from apps.projects.access import Action, get_project_for_user
from apps.projects.selectors import projects_for_user
from apps.tasks.models import Status, TaskLog


def get_task_for_user(user: AbstractBaseUser, task_id: UUID | str, action: Action = Action.VIEW) -> TaskLog:
    """The task if the user may do `action` in its project; Http404 or PermissionDenied otherwise."""
    try:
        task = TaskLog.objects.select_related("project").filter(pk=task_id).first()
    except ValidationError:
        task = None
    if task is None:
        raise Http404("No such task.")
    get_project_for_user(user, task.project_id, action)
    return task


def tasks_for_user(
    user: AbstractBaseUser,
    *,
    project_id: str | None = None,
    status: str | None = None,
    task_type: str | None = None,
) -> QuerySet[TaskLog]:
    tasks = TaskLog.objects.filter(project__in=projects_for_user(user).values("id"))
    if project_id:
        tasks = tasks.filter(project_id=project_id)
    if status:
        tasks = tasks.filter(status=status)
    if task_type:
        tasks = tasks.filter(task_type=task_type)
    return tasks.select_related("project").order_by("-created_at")


def active_tasks(project_id) -> QuerySet[TaskLog]:
    return TaskLog.objects.filter(project_id=project_id, status__in=[Status.PENDING, Status.PROCESSING])


def task_timeline(task: TaskLog) -> list[dict]:
    """Each stage with how long the task spent in it (until the next stage, or the end)."""
    stages = list(task.stages.all())
    rows = []
    for index, stage in enumerate(stages):
        ended = stages[index + 1].at if index + 1 < len(stages) else task.completed_at
        rows.append(
            {
                "progress": stage.progress,
                "message": stage.message,
                "at": stage.at,
                "seconds": (ended - stage.at).total_seconds() if ended else None,
            }
        )
    return rows


def payload_summary(payload: dict, limit: int = 200) -> list[tuple[str, str]]:
    """The payload's fields, each shortened for display."""
    summary = []
    for key, value in sorted((payload or {}).items()):
        text = value if isinstance(value, str) else repr(value)
        summary.append((key, text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"))
    return summary


def project_status_counts(project_id) -> dict[str, int]:
    """The project's tasks by status, every status present (0 if none)."""
    counts = dict(
        TaskLog.objects.filter(project_id=project_id).order_by().values_list("status").annotate(n=Count("id"))
    )
    return {value: counts.get(value, 0) for value in Status.values}


def failed_not_retried(project_id, *, limit: int = 5) -> list[TaskLog]:
    """The project's latest failed tasks that nobody has retried yet."""
    return list(
        TaskLog.objects.filter(project_id=project_id, status=Status.FAILED, retries__isnull=True)
        .select_related("project")
        .order_by("-created_at")[:limit]
    )
