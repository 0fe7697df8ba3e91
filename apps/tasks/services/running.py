"""Running a task's attempt and recording how it ended; starting a batch's attempts."""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Callable
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.tasks.models import Status, TaskLog
from apps.tasks.reporter import ProgressReporter, TaskCancelled, TaskSuperseded
from apps.tasks.services.heartbeat import _Heartbeat
from apps.tasks.services.status import WAIT_FOR_CHILDREN, _status_changed, task_children_changed

logger = logging.getLogger(__name__)


def run_task(task_id: str, work: Callable[[TaskLog, ProgressReporter], dict | None], *, done_message: str) -> None:
    """Run `work` for the task as one attempt, and record how it ended.

    `work` reports its stages through the reporter and returns the task's
    result. Whatever it raises ends the task `failed` with a readable error;
    a cancellation ends it `cancelled`.
    """
    task = TaskLog.objects.filter(pk=task_id).first()
    if task is None:
        logger.info("Task %s no longer exists; nothing to run.", task_id)
        return
    if task.cancel_requested_at is not None and not task.is_finished:
        with transaction.atomic():
            if task.mark_cancelled():
                _status_changed(task)
        return
    with transaction.atomic():
        started = task.mark_started(worker=f"{socket.gethostname()}")
        if started:
            _status_changed(task)
    if not started:
        logger.info("Task %s is %s, not pending; not running it again.", task.pk, task.status)
        return

    # This attempt's fencing token: every change it makes below, and every
    # stage and graph write through its reporter, holds only while the task's
    # attempt count is still this number.
    attempt = task.attempts
    reporter = ProgressReporter(task)
    try:
        with _Heartbeat(task.pk, attempt):
            result = work(task, reporter)
    except TaskSuperseded:
        logger.warning(
            "Task %s attempt %s was superseded (taken for dead and run again, or ended); its writes were refused.",
            task.pk,
            attempt,
        )
        return
    except TaskCancelled:
        end = partial(task.mark_cancelled, attempt=attempt)
    except SoftTimeLimitExceeded:
        limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
        end = partial(task.mark_failed, error=f"Stopped after the time limit of {limit} seconds.", attempt=attempt)
    except Exception as exc:
        logger.exception("Task %s failed", task.pk)
        end = partial(task.mark_failed, error=_readable(exc), traceback=traceback.format_exc(), attempt=attempt)
    else:
        if result is WAIT_FOR_CHILDREN:
            task_children_changed(task.pk)  # they may all have ended already
            return
        end = partial(task.mark_completed, result=result, message=done_message, attempt=attempt)
    with transaction.atomic():
        if end():
            _status_changed(task)
        else:
            logger.warning(
                "Task %s attempt %s ended, but the task had moved on; its end was not recorded.", task.pk, attempt
            )


def tasks_start(task_ids: list, *, worker: str) -> list[TaskLog]:
    """Start, as one attempt each, those of the tasks still pending and not asked to stop.

    The batch form of mark_started, in one transaction and a fixed number of
    statements: a task another worker holds or already started is skipped,
    never run twice. Each started task's `attempts` is its attempt's fencing
    token, as in run_task. The caller keeps the tasks' subjects in step and
    announces them (it does so once for the batch).
    """
    with transaction.atomic():
        claimed = list(
            TaskLog.objects.select_for_update(skip_locked=True)
            .filter(pk__in=task_ids, status=Status.PENDING, cancel_requested_at__isnull=True)
            .values_list("pk", flat=True)
        )
        if not claimed:
            return []
        now = timezone.now()
        TaskLog.objects.filter(pk__in=claimed).update(
            status=Status.PROCESSING, started_at=now, heartbeat_at=now, updated_at=now, worker=worker[:255],
            attempts=F("attempts") + 1,
        )  # fmt: skip
        return list(TaskLog.objects.filter(pk__in=claimed).order_by("created_at", "id"))


def task_heartbeat(tasks: list[TaskLog]) -> _Heartbeat:
    """A heartbeat for running attempts (each task's current `attempts`), as a context manager."""
    return _Heartbeat([(task.pk, task.attempts) for task in tasks])


def task_fail_unfinished(task_id: str, error: str, *, attempt: int | None = None) -> bool:
    """Fail a task that ended outside the runner's sight (killed, timed out); whether it was failed.

    `attempt`: the attempt that ended so. Then the task is failed only while
    that attempt is running, or is the one still waiting to start: a report
    about an attempt the sweeper has replaced leaves the new one alone.
    """
    task = TaskLog.objects.filter(pk=task_id).first()
    if task is None or task.is_finished:
        return False
    where = Q()
    if attempt is not None:
        where = Q(status=Status.PROCESSING, attempts=attempt) | Q(status=Status.PENDING, attempts=attempt - 1)
    with transaction.atomic():
        failed = task.mark_failed(error=error, where=where)
        if failed:
            _status_changed(task)
    if not failed and attempt is not None:
        logger.warning("Task %s: a report that attempt %s ended came after it was replaced or ended", task_id, attempt)
    return failed


def _readable(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
