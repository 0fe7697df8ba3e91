"""The heartbeat of running attempts, from a thread of its own."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from apps.tasks.models import Status, TaskLog

logger = logging.getLogger(__name__)


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
