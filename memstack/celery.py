"""The Celery app. Configuration lives in settings.py under the CELERY_ prefix."""

import logging
import os

from celery import Celery
from celery.signals import task_prerun, worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memstack.settings")

app = Celery("memstack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Celery looks for <app>.tasks only; the batch import and the exports are packages inside memories.
app.autodiscover_tasks(["apps.memories.imports", "apps.memories.exports"])


@worker_init.connect
def keep_database_connections(**kwargs) -> None:
    """Worker processes (forked after this) keep their connection between tasks: WORKER_CONN_MAX_AGE."""
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = settings.WORKER_CONN_MAX_AGE


@task_prerun.connect
def check_database_connections(**kwargs) -> None:
    """Before each task, what Django does before each request: drop a connection that is broken
    (a database restart) or older than its age, and check the next one's health on first use."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()


@worker_ready.connect
def log_schema_problems_at_start(**kwargs) -> None:
    """A worker on a drifted database logs what is wrong; it never stops the worker."""
    try:
        from apps.core.startup import log_schema_problems

        log_schema_problems("worker")
    except Exception:  # noqa: BLE001
        logging.getLogger("memstack.startup").exception("worker: the start-up schema check failed")


@worker_ready.connect
def sweep_at_start(**kwargs) -> None:
    """Recover what a dead worker left behind as soon as a worker starts, also
    where no beat runs the sweeper (docs/operations.md)."""
    logger = logging.getLogger("memstack.startup")
    try:
        from django.db import connection

        from apps.tasks.services import tasks_sweep

        try:
            report = tasks_sweep()
        finally:
            connection.close()  # the worker's main process serves no task
        logger.info(
            "worker: swept at start: %d requeued, %d failed, %d enqueued",
            len(report.requeued),
            len(report.failed),
            len(report.enqueued),
        )
    except Exception:  # noqa: BLE001 - never stop a worker from starting
        logger.exception("worker: the start-up sweep failed")
