"""What follows every change of a task's status, and a parent that ends with its children.

Every path that changes a status calls _status_changed in the same
transaction: the subject follows, the stream hears, and a parent recounts
when a child has ended.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from apps.tasks.models import TERMINAL, TaskLog
from apps.tasks.reporter import announce
from apps.tasks.services.subjects import _follow_subject


def _status_changed(task: TaskLog) -> None:
    _follow_subject(task)
    announce(task)
    if task.parent_id and task.is_finished:
        transaction.on_commit(partial(task_children_changed, task.parent_id))


# What a parent's work returns when it has started its children: the parent
# stays processing and ends with them (task_children_changed).
WAIT_FOR_CHILDREN = object()


def task_expect_children(parent: TaskLog, count: int) -> None:
    """Say that all of `parent`'s children exist; call in the transaction that created them."""
    TaskLog.objects.filter(pk=parent.pk).update(expected_children=count, updated_at=timezone.now())
    parent.expected_children = count


def task_children_changed(parent_id) -> None:
    """Recount a parent: progress and "N of M" from its children, and its end when theirs is."""
    with transaction.atomic():
        parent = TaskLog.objects.select_for_update().filter(pk=parent_id).first()
        if parent is None or parent.is_finished or parent.expected_children is None:
            return
        counts = dict(parent.children.values_list("status").annotate(n=Count("id")).order_by())
        done = sum(counts.get(status, 0) for status in TERMINAL)
        total = parent.expected_children
        message = parent.payload.get("child_message", "{done} of {total} done").format(done=done, total=total)
        if done >= total:
            outcome = {**(parent.result or {}), "children": counts}
            if parent.cancel_requested_at is not None:
                ended = parent.mark_cancelled()
                TaskLog.objects.filter(pk=parent.pk).update(result=outcome)
                parent.result = outcome
            else:
                ended = parent.mark_completed(result=outcome, message=message)
            if ended:
                _status_changed(parent)
            return
        # Never backwards: a parent's bar only moves forward.
        progress = max(parent.progress, min(99, 100 * done // max(total, 1)))
        if parent.mark_progress(progress=progress, message=message):
            announce(parent)
