"""Cancelling and retrying tasks at a user's request."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from apps.tasks.models import Status, TaskLog
from apps.tasks.reporter import announce
from apps.tasks.services.creation import task_create
from apps.tasks.services.status import _status_changed
from apps.tasks.services.subjects import _follow_subject

CANCELLING = "Cancelling..."


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
        elif asked and task.status == Status.PROCESSING:
            # Acknowledge on the stream now; the task itself stops at its next check.
            TaskLog.objects.filter(pk=task.pk, status=Status.PROCESSING).update(
                message=CANCELLING, updated_at=timezone.now()
            )
            task.refresh_from_db()
            announce(task)
        # Cancelling a parent cancels the children not yet done.
        for child in task.children.filter(status__in=[Status.PENDING, Status.PROCESSING]):
            task_request_cancel(child)
    return bool(asked)


class RetryRefused(Exception):
    """The task may not be retried; the message says why."""


def task_retry(task: TaskLog, *, by: AbstractBaseUser | None) -> TaskLog:
    """Start a new attempt of a failed or cancelled task, linked to it.

    Checked before anything changes: a running or completed task, or one
    already retried, is refused with RetryRefused.
    """
    with transaction.atomic():
        current = TaskLog.objects.select_for_update().get(pk=task.pk)
        if current.status not in (Status.FAILED, Status.CANCELLED):
            raise RetryRefused(f"Only a failed or cancelled task can be retried; this one is {current.status}.")
        newer = current.retries.order_by("-created_at").first()
        if newer is not None:
            raise RetryRefused(f"This task was already retried as task {newer.id}; retry that one if it failed.")
        attempt = task_create(
            project=current.project,
            task_type=current.task_type,
            created_by=by,
            payload=current.payload,
            subject_type=current.subject_type,
            subject_id=current.subject_id,
            subject_label=current.subject_label,
            parent=current.parent,
            retry_of=current,
        )
        _follow_subject(attempt)
    return attempt
