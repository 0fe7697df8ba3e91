"""Recording tasks and handing them to Celery, one by one or in batches."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from apps.projects.access import signed_in
from apps.projects.models import Project
from apps.tasks.models import TaskLog
from apps.tasks.reporter import announce

logger = logging.getLogger(__name__)


def celery_name(task_type: str) -> str:
    """The registered Celery task that runs tasks of `task_type`."""
    return f"memstack.{task_type}"


def celery_id(task: TaskLog) -> str:
    """The Celery id of a message that is to start the task's next attempt: "<task id>:<attempt>".

    When Celery itself reports that a message failed (a hard time limit kills
    the process running it), the id says which attempt that was, so the
    report ends that attempt only, never a later one the sweeper started
    meanwhile (apps/tasks/signals.py).
    """
    return f"{task.id}:{task.attempts + 1}"


def attempt_of(celery_task_id: str | None) -> int | None:
    """The attempt a message's Celery id names (see celery_id); None for an id without one."""
    _, colon, attempt = (celery_task_id or "").rpartition(":")
    return int(attempt) if colon and attempt.isdigit() else None


# Set while a caller creates tasks that it hands to the workers in batches
# (tasks_held_for_batch): those are neither announced nor enqueued one by one.
_held_for_batch: ContextVar[list[TaskLog] | None] = ContextVar("tasks_held_for_batch", default=None)


@contextmanager
def tasks_held_for_batch() -> Iterator[list[TaskLog]]:
    """Collect the tasks created inside, instead of announcing and enqueueing each.

    For work that runs its tasks many to a worker call (a batch import's
    ingestions): the caller hands the collected tasks to one Celery task of
    its own and marks them enqueued (tasks_mark_enqueued). A task the caller
    never hands over stays pending without `enqueued_at`, and the sweeper
    enqueues it on its own, so none is lost.
    """
    held: list[TaskLog] = []
    token = _held_for_batch.set(held)
    try:
        yield held
    finally:
        _held_for_batch.reset(token)


def tasks_create_together(tasks: list[TaskLog]) -> list[TaskLog]:
    """Record many pending tasks in one statement, inside tasks_held_for_batch (which collects them).

    For work handed to the workers in batches (tasks_enqueue_batch): they are
    not announced one by one, and are enqueued by the caller, or by the sweeper.
    """
    held = _held_for_batch.get()
    if held is None:
        raise RuntimeError("tasks_create_together must run inside tasks_held_for_batch().")
    TaskLog.objects.bulk_create(tasks)
    held.extend(tasks)
    return tasks


def tasks_mark_enqueued(task_ids: list) -> None:
    """Record that the broker accepted the tasks (handed over in a batch)."""
    TaskLog.objects.filter(pk__in=task_ids, enqueued_at__isnull=True).update(enqueued_at=timezone.now())


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
        created_by=signed_in(created_by),
        payload=payload or {},
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=subject_label[:255],
        parent=parent,
        retry_of=retry_of,
    )
    held = _held_for_batch.get()
    if held is not None:
        held.append(task)
        return task
    announce(task)
    transaction.on_commit(lambda: task_enqueue(task))
    return task


def task_enqueue(task: TaskLog) -> bool:
    """Hand the task to Celery. A broker that is down leaves it pending, not lost."""
    from memstack.celery import app

    try:
        app.send_task(celery_name(task.task_type), args=[str(task.id)], task_id=celery_id(task))
    except Exception as exc:
        logger.warning("Could not enqueue task %s (it stays pending for the sweeper): %s", task.id, exc)
        return False
    TaskLog.objects.filter(pk=task.pk, enqueued_at__isnull=True).update(enqueued_at=timezone.now())
    return True


def tasks_enqueue_batch(task_type: str, task_ids: list, *, size: int) -> None:
    """Hand tasks to Celery `size` to a message, as the one Celery task of `task_type` taking their ids.

    A message the broker refuses leaves its tasks pending without
    `enqueued_at`: the sweeper then enqueues each on its own.
    """
    from memstack.celery import app

    ids = [str(task_id) for task_id in task_ids]
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        try:
            app.send_task(celery_name(task_type), args=[chunk])
        except Exception as exc:
            logger.warning("Could not enqueue a batch of %s tasks (the sweeper enqueues them): %s", len(chunk), exc)
            continue
        tasks_mark_enqueued(chunk)
