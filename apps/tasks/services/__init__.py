"""Creating, running, cancelling and retrying tasks.

Apps that own a task's subject (a memory, say) register a hook that keeps the
subject's own status in step with the task; every path that changes a task's
status (the runner, Celery's failure signals, cancel) calls it in the same
transaction.
"""

from apps.tasks.services.control import RetryRefused, task_request_cancel, task_retry
from apps.tasks.services.creation import (
    attempt_of,
    celery_id,
    celery_name,
    task_create,
    task_enqueue,
    tasks_create_together,
    tasks_enqueue_batch,
    tasks_held_for_batch,
)
from apps.tasks.services.heartbeat import _Heartbeat
from apps.tasks.services.running import run_task, task_fail_unfinished, task_heartbeat, tasks_start
from apps.tasks.services.status import WAIT_FOR_CHILDREN, task_children_changed, task_expect_children
from apps.tasks.services.subjects import register_subject, subject_url
from apps.tasks.services.sweep import tasks_sweep

__all__ = [
    "WAIT_FOR_CHILDREN",
    "RetryRefused",
    "_Heartbeat",
    "attempt_of",
    "celery_id",
    "celery_name",
    "register_subject",
    "run_task",
    "subject_url",
    "task_children_changed",
    "task_create",
    "task_enqueue",
    "task_expect_children",
    "task_fail_unfinished",
    "task_heartbeat",
    "task_request_cancel",
    "task_retry",
    "tasks_create_together",
    "tasks_enqueue_batch",
    "tasks_held_for_batch",
    "tasks_start",
    "tasks_sweep",
]
