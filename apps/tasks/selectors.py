from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection
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


# What a dashboard row shows (templates/tasks/_rows.html) and no more: payloads and results can be long.
DASHBOARD_ROW_FIELDS = (
    "id",
    "project__name",
    "task_type",
    "status",
    "progress",
    "subject_label",
    "created_at",
    "updated_at",
)
# The dashboard counts each status up to this many, then says "1,000+": an exact
# count reads every one of a large project's tasks on every page view.
COUNT_CAP = 1000


def dashboard_rows(tasks: QuerySet[TaskLog]) -> QuerySet[TaskLog]:
    """The dashboard's rows of `tasks` (tasks_for_user), newest first (page them with apps.core.pagination)."""
    return tasks.only(*DASHBOARD_ROW_FIELDS)


def capped_status_counts(tasks: QuerySet[TaskLog]) -> dict[str, str]:
    """`tasks` by status as the dashboard shows them: "12", "1,000+"; "total" too, exact when every status is.

    Each status is counted up to COUNT_CAP + 1 rows (an index range, then stop), all in one statement.
    """
    tasks = tasks.select_related(None).order_by()
    parts, params = [], []
    for index, value in enumerate(Status.values):
        sql, part_params = tasks.filter(status=value).values("pk")[: COUNT_CAP + 1].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{index})")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        counts = dict(zip(Status.values, cursor.fetchone(), strict=True))
    capped = any(count > COUNT_CAP for count in counts.values())
    shown = {value: f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}" for value, count in counts.items()}
    return {"total": f"{COUNT_CAP:,}+" if capped else f"{sum(counts.values()):,}", **shown}


# One index probe per project and type (a "skip scan" of tasklog_project_type_list),
# instead of reading every task of the projects to find their few types.
_TASK_TYPES_SQL = """
WITH RECURSIVE found(project_id, task_type) AS (
    SELECT p, (SELECT min(t.task_type) FROM tasks_tasklog t WHERE t.project_id = p)
    FROM unnest(%s::uuid[]) AS p
    UNION ALL
    SELECT f.project_id,
           (SELECT min(t.task_type) FROM tasks_tasklog t WHERE t.project_id = f.project_id AND t.task_type > f.task_type)
    FROM found f WHERE f.task_type IS NOT NULL
)
SELECT DISTINCT task_type FROM found WHERE task_type IS NOT NULL ORDER BY task_type
"""


def task_types(project_ids: list) -> list[str]:
    """The types of the tasks the projects have had, in alphabetical order (the dashboard's type filter)."""
    if connection.vendor != "postgresql":
        tasks = TaskLog.objects.filter(project__in=project_ids).order_by("task_type")
        return list(tasks.values_list("task_type", flat=True).distinct())
    with connection.cursor() as cursor:
        cursor.execute(_TASK_TYPES_SQL, [list(project_ids)])
        return [row[0] for row in cursor.fetchall()]


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
