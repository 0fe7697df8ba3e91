"""Recovering work that a dead worker or a down broker left behind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.models import Beat
from apps.tasks.models import Status, TaskLog
from apps.tasks.services.creation import task_enqueue
from apps.tasks.services.status import _status_changed

SWEEPER = "sweeper"


@dataclass
class SweepReport:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    enqueued: list[str] = field(default_factory=list)


def tasks_sweep() -> SweepReport:
    """Recover work that a dead worker or a down broker left behind.

    * A running task whose heartbeat stopped is queued again, up to
      TASK_MAX_ATTEMPTS attempts, then failed with a clear error.
    * A pending task the broker never accepted is enqueued.
    Every change is a conditional update, so a sweeper racing a worker (or
    another sweeper) never runs one task twice at the same time.
    """
    report = SweepReport()
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.TASK_STALE_SECONDS)
    # A parent waiting for its children does no work of its own to beat for.
    silent = TaskLog.objects.filter(status=Status.PROCESSING, heartbeat_at__lt=stale_before, expected_children=None)
    for task in silent:
        with transaction.atomic():
            if task.attempts >= settings.TASK_MAX_ATTEMPTS:
                error = (
                    f"The worker running this task stopped responding, {task.attempts} times; "
                    "giving up. Retry it once the cause is fixed."
                )
                if task.mark_failed(error=error, where=Q(heartbeat_at__lt=stale_before)):
                    _status_changed(task)
                    report.failed.append(str(task.id))
            elif task.mark_requeued(stale_before=stale_before):
                _status_changed(task)
                transaction.on_commit(partial(task_enqueue, task))
                report.requeued.append(str(task.id))
    grace = now - timedelta(seconds=settings.TASK_ENQUEUE_GRACE_SECONDS)
    for task in TaskLog.objects.filter(status=Status.PENDING, enqueued_at__isnull=True, created_at__lt=grace):
        if task.cancel_requested_at is not None:
            with transaction.atomic():
                if task.mark_cancelled():
                    _status_changed(task)
        elif task_enqueue(task):
            report.enqueued.append(str(task.id))
    Beat.record(SWEEPER)  # /healthz says when the sweeper is late
    return report
