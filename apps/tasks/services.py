"""Creating, running, cancelling and retrying tasks.

Apps that own a task's subject (a memory, say) register a hook that keeps the
subject's own status in step with the task; every path that changes a task's
status (the runner, Celery's failure signals, cancel) calls it in the same
transaction.
"""

from __future__ import annotations

import logging
import socket
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from apps.core.models import Beat
from apps.projects.access import signed_in
from apps.projects.models import Project
from apps.tasks.models import TERMINAL, Status, TaskLog
from apps.tasks.reporter import ProgressReporter, TaskCancelled, TaskSuperseded, announce

logger = logging.getLogger(__name__)

SubjectHook = Callable[[TaskLog], None]


@dataclass(frozen=True)
class SubjectType:
    follow: SubjectHook  # keeps the subject's own status in step with its task
    url: Callable[[TaskLog], str | None] = lambda task: None  # noqa: E731 - the subject's page


_subjects: dict[str, SubjectType] = {}


def register_subject(
    subject_type: str, *, follow: SubjectHook, url: Callable[[TaskLog], str | None] | None = None
) -> None:
    """Tell the task center about a kind of subject (a memory, say)."""
    _subjects[subject_type] = SubjectType(follow=follow, url=url or (lambda task: None))


def subject_url(task: TaskLog) -> str | None:
    subject = _subjects.get(task.subject_type)
    return subject.url(task) if subject else None


def _follow_subject(task: TaskLog) -> None:
    subject = _subjects.get(task.subject_type)
    if subject is not None:
        subject.follow(task)


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


def celery_name(task_type: str) -> str:
    """The registered Celery task that runs tasks of `task_type`."""
    return f"memstack.{task_type}"


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
        app.send_task(celery_name(task.task_type), args=[str(task.id)], task_id=str(task.id))
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


class _Heartbeat:
    """Beats for a running attempt from a thread of its own, so a long stage
    (an LLM call, a big rebuild) is not taken for a dead worker. A worker that
    is killed stops beating, and the sweeper notices.

    A failed beat (the database restarting, a dropped connection) is logged
    and retried with a growing pause, never more than the beat interval, on a
    fresh connection: a thread that died on its first error would let a live
    task be taken for dead. It stops when the work ends or when its attempt is
    no longer the current one (the next check point then stops the work).
    """

    def __init__(self, task_id_or_attempts, attempt: int | None = None) -> None:
        # One task and its attempt, or a list of (task id, attempt) beating together.
        attempts = [(task_id_or_attempts, attempt)] if attempt is not None else list(task_id_or_attempts)
        self.task_id = attempts[0][0] if len(attempts) == 1 else f"{attempts[0][0]} and {len(attempts) - 1} more"
        self.attempt = attempts[0][1] if len(attempts) == 1 else "of each"
        self.running = Q()
        for task_id, task_attempt in attempts:
            self.running |= Q(pk=task_id, attempts=task_attempt)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"heartbeat {self.task_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        interval = settings.TASK_HEARTBEAT_SECONDS
        wait = interval
        failures = 0
        try:
            while not self.stop.wait(wait):
                try:
                    beat = TaskLog.objects.filter(self.running, status=Status.PROCESSING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception as exc:
                    failures += 1
                    # The pause grows (0.25 s, 0.5 s, ...) up to the beat interval.
                    wait = min(interval, 0.25 * 2 ** (failures - 1))
                    logger.warning(
                        "Heartbeat of task %s failed (%s in a row), retrying in %.2f s: %s",
                        self.task_id,
                        failures,
                        wait,
                        exc,
                    )
                    connection.close()  # the next try opens a fresh one
                    continue
                if failures:
                    logger.info("Heartbeat of task %s is back after %s failures.", self.task_id, failures)
                failures, wait = 0, interval
                if not beat:
                    logger.info(
                        "Task %s attempt %s is no longer current; its heartbeat stops.", self.task_id, self.attempt
                    )
                    return
        finally:
            connection.close()


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


def task_fail_unfinished(task_id: str, error: str) -> None:
    """Fail a task that ended outside the runner's sight (killed, timed out)."""
    task = TaskLog.objects.filter(pk=task_id).first()
    if task is None or task.is_finished:
        return
    with transaction.atomic():
        if task.mark_failed(error=error):
            _status_changed(task)


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


def _readable(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
