"""Fencing: an attempt taken for dead and replaced writes nothing more; the heartbeat outlives a database blip."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_eventstream.models import Event

from apps.tasks import services
from apps.tasks.models import Status, TaskLog


def replace_attempt(task: TaskLog) -> TaskLog:
    """Do what the sweeper and the next worker do to a task whose heartbeat stopped."""
    TaskLog.objects.filter(pk=task.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    current = TaskLog.objects.get(pk=task.pk)
    assert current.mark_requeued(stale_before=timezone.now() - timedelta(minutes=1))
    assert current.mark_started(worker="the next worker")
    return current


@pytest.fixture
def make_task(team):
    def make() -> TaskLog:
        return TaskLog.objects.create(project=team["project"], created_by=team["editor"], task_type="test_job")

    return make


def terminal_events(task: TaskLog) -> list[str]:
    kinds = ["completed", "failed", "cancelled"]
    return list(Event.objects.filter(channel=f"task-{task.id}", type__in=kinds).values_list("type", flat=True))


def test_it_refuses_the_stages_of_a_replaced_attempt(make_task, django_capture_on_commit_callbacks):
    task = make_task()
    reached = []

    def work(task, reporter):
        reporter.stage(10, "Starting...")
        replace_attempt(task)
        reporter.stage(60, "Working...")
        reached.append("after the replacement")
        return {"items": 3}

    with django_capture_on_commit_callbacks(execute=True):
        services.run_task(str(task.id), work, done_message="All done")

    task.refresh_from_db()
    # Attempt 2 owns the task: attempt 1 neither moved it nor ended it.
    assert (task.status, task.attempts, task.progress, task.worker) == ("processing", 2, 0, "the next worker")
    assert reached == []
    assert [s.progress for s in task.stages.all()] == [10]
    assert terminal_events(task) == []


def test_it_refuses_the_end_of_a_replaced_attempt(make_task, django_capture_on_commit_callbacks):
    task = make_task()

    def work(task, reporter):
        replace_attempt(task)
        return {"items": 3}  # no check point left: the end itself is refused

    with django_capture_on_commit_callbacks(execute=True):
        services.run_task(str(task.id), work, done_message="All done")

    task.refresh_from_db()
    assert (task.status, task.attempts, task.result) == ("processing", 2, None)
    assert terminal_events(task) == []


@pytest.mark.django_db(transaction=True)
def test_it_keeps_beating_after_its_database_connection_is_killed(make_task, settings, caplog):
    settings.TASK_HEARTBEAT_SECONDS = 1
    task = make_task()
    assert task.mark_started(worker="here")
    long_ago = timezone.now() - timedelta(hours=1)

    def beaten() -> bool:
        return TaskLog.objects.get(pk=task.pk).heartbeat_at > long_ago + timedelta(minutes=1)

    def wait_for_beat() -> None:
        deadline = time.monotonic() + 15
        while not beaten():
            assert time.monotonic() < deadline, "no heartbeat within 15 s"
            time.sleep(0.1)

    with services._Heartbeat(task.pk, task.attempts) as heartbeat:
        TaskLog.objects.filter(pk=task.pk).update(heartbeat_at=long_ago)
        wait_for_beat()
        # A database blip: every other connection (the heartbeat's) is dropped by the server.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        TaskLog.objects.filter(pk=task.pk).update(heartbeat_at=long_ago)
        wait_for_beat()
        assert heartbeat.thread.is_alive()
    assert "failed (1 in a row)" in caplog.text
    assert TaskLog.objects.get(pk=task.pk).status == Status.PROCESSING


def report_hard_time_limit(celery_task_id: str, task: TaskLog) -> None:
    """What Celery's worker does when a hard time limit kills the process running a message."""
    from celery import signals
    from celery.exceptions import TimeLimitExceeded

    from apps.memories.tasks import ingest_memory

    signals.task_failure.send(
        sender=ingest_memory, task_id=celery_task_id, exception=TimeLimitExceeded(5), args=[str(task.id)], kwargs={}
    )


def test_a_time_limit_on_a_replaced_attempt_leaves_the_new_attempt_running(
    make_task, django_capture_on_commit_callbacks
):
    task = make_task()
    first_message = services.celery_id(task)  # the message that starts attempt 1
    assert task.mark_started(worker="the first worker")
    current = replace_attempt(task)
    second_message = services.celery_id(task)  # what the sweeper sends: attempt 2
    assert (first_message, second_message) == (f"{task.id}:1", f"{task.id}:2")

    # Attempt 1's worker, paused past the stale window, resumes; its hard time limit kills it.
    with django_capture_on_commit_callbacks(execute=True):
        report_hard_time_limit(first_message, task)
    current.refresh_from_db()
    assert (current.status, current.attempts, current.error) == (Status.PROCESSING, 2, "")
    assert terminal_events(task) == []

    # The same report about attempt 2 ends it.
    with django_capture_on_commit_callbacks(execute=True):
        report_hard_time_limit(f"{task.id}:2", task)
    current.refresh_from_db()
    assert current.status == Status.FAILED and "TimeLimitExceeded" in current.error
    assert terminal_events(task) == ["failed"]


def test_a_failure_of_a_message_not_yet_started_fails_its_task(make_task, django_capture_on_commit_callbacks):
    task = make_task()
    with django_capture_on_commit_callbacks(execute=True):
        report_hard_time_limit(services.celery_id(task), task)
    task.refresh_from_db()
    assert task.status == Status.FAILED
