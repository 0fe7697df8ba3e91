"""ProgressReporter: the one thing that moves a running task forward."""

from __future__ import annotations

import copy
import logging
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from apps.tasks.channels import project_channel, task_channel
from apps.tasks.events import publish_together, publish_with_change, task_event
from apps.tasks.models import Status, TaskLog, TaskStage

logger = logging.getLogger(__name__)


class TaskCancelled(Exception):
    """Raised at a check point when someone asked the task to stop."""


class TaskSuperseded(Exception):
    """Raised at a check point when this attempt is no longer the task's current one.

    The sweeper took it for dead (its heartbeat stopped, say while its
    process was paused or the database unreachable) and started another
    attempt, or the task already ended. Nothing this attempt still wants to
    write may land: the runner records nothing more for it.
    """


def announce(task: TaskLog, *, reached_at: datetime | None = None) -> None:
    """Publish the task's current state on its own channel and its project's.

    `reached_at`: when the task reached its current progress, if the caller knows (its ETA then reads no history of its own).
    """
    publish_together(_events(task, reached_at=reached_at))


def _events(task: TaskLog, *, reached_at: datetime | None = None) -> list[tuple[str, str, dict]]:
    event_type, payload = task_event(task, reached_at=reached_at)
    return [(task_channel(task.id), event_type, payload), (project_channel(task.project_id), event_type, payload)]


class ProgressReporter:
    """Records each stage of a task (row, stage history, event) and checks for cancellation.

    Reporting never fails the work it reports on: a database or broker hiccup
    while recording a stage is logged and the work goes on. The exceptions
    it raises on purpose, at a check point, are TaskCancelled and
    TaskSuperseded.

    The reporter carries the attempt's fencing token (the task's attempt
    number when the attempt started): its stage writes are made only while
    that attempt is the current one, and `check_current` lets a room that
    writes elsewhere (the graph) check the same inside its own transaction.
    """

    def __init__(self, task: TaskLog) -> None:
        self.task = task
        self.attempt = task.attempts

    def check_cancelled(self) -> None:
        """Raise TaskSuperseded if this attempt was replaced or the task ended, TaskCancelled if asked to stop."""
        state = TaskLog.objects.filter(pk=self.task.pk).values_list("status", "attempts", "cancel_requested_at").first()
        if state is None or state[0] != Status.PROCESSING or state[1] != self.attempt:
            raise TaskSuperseded()
        if state[2] is not None:
            raise TaskCancelled()

    def check_current(self) -> None:
        """Raise TaskSuperseded unless this attempt is still the task's running one.

        Call it inside the transaction of a write that must not land for a
        replaced attempt, after taking the lock that orders such writes: the
        next attempt makes the same write under the same lock later, so a
        write that passed the check is replaced by the next attempt's, and one
        made after the next attempt started never lands.
        """
        current = TaskLog.objects.filter(pk=self.task.pk, status=Status.PROCESSING, attempts=self.attempt).exists()
        if not current:
            raise TaskSuperseded()

    def stage(self, progress: int, message: str) -> None:
        """Check for cancellation, then record that the task reached `progress` with `message`.

        One conditional update does both: it moves the task only while this
        attempt is current and no one asked it to stop; only when it moved
        nothing does the reporter read the row to say why (check_cancelled).
        """
        try:
            moved = self._record(progress, message[:255])
        except Exception:
            logger.exception("Could not record stage %s%% of task %s", progress, self.task.pk)
            moved = False
        if not moved:
            self.check_cancelled()

    def _record(self, progress: int, message: str) -> bool:
        """Move the task to the stage, add it to the stage history and announce it; False if it did not move.

        A stage costs a round trip per statement, several times a task: on
        PostgreSQL, outside a transaction, the conditional update, the stage
        row and the two events are one statement. Inside a caller's
        transaction the events wait for its commit, as every event does.
        """
        now = timezone.now()
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            with transaction.atomic():
                moved = self.task.mark_progress(
                    progress=progress, message=message, attempt=self.attempt, unless_cancelled=True
                )
                if moved:
                    TaskStage.objects.create(task=self.task, progress=progress, message=message, at=now)
                    announce(self.task, reached_at=now)
            return moved
        # The events say what the row will say once the update lands.
        staged = _at_stage(copy.copy(self.task), progress, message, now)
        change = (
            f"""
            moved AS (
                UPDATE {TaskLog._meta.db_table} SET progress = %s, message = %s, heartbeat_at = %s, updated_at = %s
                WHERE id = %s AND status = %s AND attempts = %s AND cancel_requested_at IS NULL
                RETURNING id
            ),
            change AS (
                INSERT INTO {TaskStage._meta.db_table} (task_id, progress, message, at)
                SELECT id, %s, %s, %s FROM moved RETURNING task_id
            )
            """,
            [progress, message, now, now, self.task.pk, Status.PROCESSING, self.attempt, progress, message, now],
        )
        moved = publish_with_change(change, _events(staged, reached_at=now))
        if moved:
            _at_stage(self.task, progress, message, now)
        return moved


def _at_stage(task: TaskLog, progress: int, message: str, now: datetime) -> TaskLog:
    """`task` as a stage's update leaves its row."""
    task.progress, task.message, task.heartbeat_at, task.updated_at = progress, message, now, now
    return task
