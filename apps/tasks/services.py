"""Creating, running, cancelling and retrying tasks.

Apps that own a task's subject (a memory, say) register a hook that keeps the
subject's own status in step with the task; every path that changes a task's
status (the runner, Celery's failure signals, cancel) calls it in the same
transaction.
"""

from __future__ import annotations

import logging
import socket
import traceback
from functools import partial
from typing import Callable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from apps.projects.models import Project
from apps.tasks.models import Status, TaskLog
from apps.tasks.reporter import ProgressReporter, TaskCancelled, announce

logger = logging.getLogger(__name__)

SubjectHook = Callable[[TaskLog], None]
_subject_hooks: dict[str, SubjectHook] = {}


def register_subject_hook(subject_type: str, hook: SubjectHook) -> None:
    """Call `hook(task)` whenever a task on a `subject_type` changes status."""
    _subject_hooks[subject_type] = hook


def _status_changed(task: TaskLog) -> None:
    hook = _subject_hooks.get(task.subject_type)
    if hook is not None:
        hook(task)
    announce(task)


def celery_name(task_type: str) -> str:
    """The registered Celery task that runs tasks of `task_type`."""
    return f"memstack.{task_type}"


def task_create(
    *,
    project: Project,
    task_type: str,
    created_by: AbstractBaseUser | None,
    payload: dict | None = None,
    subject_type: str = "",
    subject_id: str = "",
    subject_label: str = "",
    parent: TaskLog | None = None,
    retry_of: TaskLog | None = None,
) -> TaskLog:
    """Record a pending task and enqueue it once the surrounding transaction commits."""
    task = TaskLog.objects.create(
        project=project,
        task_type=task_type,
        created_by=created_by if created_by and created_by.is_authenticated else None,
        payload=payload or {},
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=subject_label[:255],
        parent=parent,
        retry_of=retry_of,
    )
    announce(task)
    transaction.on_commit(lambda: task_enqueue(task))
    return task


def task_enqueue(task: TaskLog) -> bool:
    """Hand the task to Celery. A broker that is down leaves it pending, not lost."""
    from memstack.celery import app

    try:
        app.send_task(celery_name(task.task_type), args=[str(task.id)], task_id=str(task.id))
    except Exception as exc:
        logger.warning("Could not enqueue task %s (it stays pending): %s", task.id, exc)
        return False
    return True


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

    reporter = ProgressReporter(task)
    try:
        result = work(task, reporter)
    except TaskCancelled:
        end = partial(task.mark_cancelled)
    except SoftTimeLimitExceeded:
        limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
        end = partial(task.mark_failed, error=f"Stopped after the time limit of {limit} seconds.")
    except Exception as exc:
        logger.exception("Task %s failed", task.pk)
        end = partial(task.mark_failed, error=_readable(exc), traceback=traceback.format_exc())
    else:
        end = partial(task.mark_completed, result=result, message=done_message)
    with transaction.atomic():
        if end():
            _status_changed(task)


def task_fail_unfinished(task_id: str, error: str) -> None:
    """Fail a task that ended outside the runner's sight (killed, timed out)."""
    task = TaskLog.objects.filter(pk=task_id).first()
    if task is None or task.is_finished:
        return
    with transaction.atomic():
        if task.mark_failed(error=error):
            _status_changed(task)


def task_request_cancel(task: TaskLog) -> bool:
    """Ask a task to stop. A pending task is cancelled at once; a running one stops at its next check.

    Returns False when the task had already finished.
    """
    with transaction.atomic():
        asked = TaskLog.objects.filter(pk=task.pk, status__in=[Status.PENDING, Status.PROCESSING]).update(
            cancel_requested_at=timezone.now()
        )
        task.refresh_from_db()
        if asked and task.status == Status.PENDING and task.mark_cancelled():
            _status_changed(task)
    return bool(asked)


def _readable(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
