"""ProgressReporter: the one thing that moves a running task forward."""

from __future__ import annotations

import logging

from django.db import transaction

from apps.tasks.channels import project_channel, task_channel
from apps.tasks.events import publish, task_event
from apps.tasks.models import TaskLog, TaskStage

logger = logging.getLogger(__name__)


class TaskCancelled(Exception):
    """Raised at a check point when someone asked the task to stop."""


def announce(task: TaskLog) -> None:
    """Publish the task's current state on its own channel and its project's."""
    event_type, payload = task_event(task)
    publish(task_channel(task.id), event_type, payload)
    publish(project_channel(task.project_id), event_type, payload)


class ProgressReporter:
    """Records each stage of a task (row, stage history, event) and checks for cancellation.

    Reporting never fails the work it reports on: a database or broker hiccup
    while recording a stage is logged and the work goes on. The one exception
    it raises on purpose is TaskCancelled, at a check point.
    """

    def __init__(self, task: TaskLog) -> None:
        self.task = task

    def check_cancelled(self) -> None:
        requested = TaskLog.objects.filter(pk=self.task.pk).values_list("cancel_requested_at", flat=True).first()
        if requested is not None:
            raise TaskCancelled()

    def stage(self, progress: int, message: str) -> None:
        """Check for cancellation, then record that the task reached `progress` with `message`."""
        self.check_cancelled()
        message = message[:255]
        try:
            with transaction.atomic():
                if self.task.mark_progress(progress=progress, message=message):
                    TaskStage.objects.create(task=self.task, progress=progress, message=message)
                    announce(self.task)
        except Exception:
            logger.exception("Could not record stage %s%% of task %s", progress, self.task.pk)
