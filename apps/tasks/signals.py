"""Celery signals that keep TaskLog true for endings the task code never saw.

The runner records every ending it can observe. These cover the rest: an
exception that escaped it, a revoke. Bookkeeping here must never break the
worker, so every handler swallows (and logs) its own errors.
"""

from __future__ import annotations

import logging

from celery import signals

logger = logging.getLogger(__name__)


def _our_task_id(sender, request=None, args=None) -> str | None:
    name = getattr(sender, "name", "") or getattr(request, "name", "") or ""
    if not name.startswith("memstack."):
        return None
    args = args if args is not None else getattr(request, "args", None)
    # A batch's message carries a list of ids; its tasks' heartbeats stop with it and the sweeper takes them up.
    return str(args[0]) if args and not isinstance(args[0], list) else None


@signals.task_failure.connect
def on_task_failure(sender=None, task_id=None, exception=None, args=None, **kwargs):
    try:
        ours = _our_task_id(sender, args=args)
        if ours:
            from apps.tasks.services import attempt_of, task_fail_unfinished

            task_fail_unfinished(ours, f"The worker reported a failure: {exception!r}", attempt=attempt_of(task_id))
    except Exception:
        logger.exception("Could not record the failure of Celery task %s", task_id)


@signals.task_revoked.connect
def on_task_revoked(sender=None, request=None, terminated=False, expired=False, **kwargs):
    try:
        ours = _our_task_id(sender, request=request)
        if ours:
            from apps.tasks.services import attempt_of, task_fail_unfinished

            why = "expired before it ran" if expired else "was stopped by the worker" if terminated else "was revoked"
            task_fail_unfinished(ours, f"The task {why}.", attempt=attempt_of(getattr(request, "id", None)))
    except Exception:
        logger.exception("Could not record the revoke of Celery task %s", getattr(request, "id", "?"))
