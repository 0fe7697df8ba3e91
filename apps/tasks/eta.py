"""How long a running task has left, judged by this project's recent history.

For a task at progress p, each recent completed task of the same type says
how long it took from reaching p to finishing; scaled by content size when
both know theirs, the median of those, less the time already spent since
reaching p, is the estimate. No history, no estimate: a guess presented as a
number would be worse than none.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime

from django.utils import timezone

from apps.tasks.models import Status, TaskLog

HISTORY = 20
# A memory ten times larger does not take ten times longer in every stage;
# cap how far size may stretch or shrink an estimate.
MIN_SCALE, MAX_SCALE = 0.25, 4.0


def estimate_eta(task: TaskLog, *, now: datetime | None = None, reached_at: datetime | None = None) -> int | None:
    """`reached_at`: when the task reached its progress, if known (else read from its stages)."""
    if task.is_finished:
        return None
    now = now or timezone.now()
    reached = reached_at or _reached_at(task, task.progress)
    if reached is None:
        return None
    history = [past for past in _history(task.project_id, task.task_type) if past.pk != task.pk][:HISTORY]
    size = _size(task)
    remaining = []
    for past in history:
        past_reached = _reached_at(past, task.progress)
        if past_reached is None:
            continue
        seconds = (past.completed_at - past_reached).total_seconds()
        past_size = _size(past)
        if size and past_size:
            seconds *= min(MAX_SCALE, max(MIN_SCALE, size / past_size))
        remaining.append(seconds)
    if not remaining:
        return None
    left = statistics.median(remaining) - (now - reached).total_seconds()
    return max(1, round(left))


# A running task is announced at every stage, and every announcement carries
# an estimate: the project's history is read at most once in this many
# seconds per process and kind of task, not at each stage of each task.
HISTORY_SECONDS = 5.0
_histories: dict[tuple, tuple[float, list[TaskLog]]] = {}


def _history(project_id, task_type: str) -> list[TaskLog]:
    """The project's latest completed tasks of this type, with their stages (one more than HISTORY)."""
    key = (project_id, task_type)
    now = time.monotonic()
    cached = _histories.get(key)
    if cached is not None and now - cached[0] < HISTORY_SECONDS:
        return cached[1]
    history = list(
        TaskLog.objects.filter(
            project_id=project_id, task_type=task_type, status=Status.COMPLETED, completed_at__isnull=False
        )
        .order_by("-completed_at")
        .prefetch_related("stages")[: HISTORY + 1]
    )
    if len(_histories) > 1000:  # many projects in one process: start over rather than grow
        _histories.clear()
    _histories[key] = (now, history)
    return history


def _reached_at(task: TaskLog, progress: int) -> datetime | None:
    """When `task` reached `progress`: its stage of that progress, or its start or creation for 0."""
    if progress == 0:
        return task.started_at if task.status == Status.PROCESSING or task.is_finished else task.created_at
    stage_times = [stage.at for stage in task.stages.all() if stage.progress == progress]
    return stage_times[0] if stage_times else None


def _size(task: TaskLog) -> int | None:
    size = (task.payload or {}).get("content_chars")
    return size if isinstance(size, int) and size > 0 else None
