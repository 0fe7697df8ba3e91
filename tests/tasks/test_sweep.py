"""The sweeper on the real database: what a dead worker or a down broker leaves behind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from apps.tasks import services
from apps.tasks.models import Status, TaskLog


@pytest.fixture
def stale(team):
    def make(attempts: int = 1, seconds_silent: int = 120) -> TaskLog:
        return TaskLog.objects.create(
            project=team["project"],
            task_type="ingest_memory",
            status=Status.PROCESSING,
            progress=30,
            attempts=attempts,
            heartbeat_at=timezone.now() - timedelta(seconds=seconds_silent),
            enqueued_at=timezone.now(),
        )

    return make


def test_it_requeues_a_task_whose_worker_stopped_beating(stale, django_capture_on_commit_callbacks):
    task = stale(attempts=1)
    with django_capture_on_commit_callbacks(execute=False) as enqueue:
        report = services.tasks_sweep()
    task.refresh_from_db()
    assert report.requeued == [str(task.id)]
    assert (task.status, task.progress, task.worker) == ("pending", 0, "")
    assert "stopped responding" in task.message
    assert len(enqueue) >= 1


def test_it_leaves_a_task_that_is_still_beating(stale):
    task = stale(seconds_silent=5)
    assert services.tasks_sweep().requeued == []
    assert TaskLog.objects.get(pk=task.pk).status == "processing"


@override_settings(TASK_MAX_ATTEMPTS=3)
def test_it_fails_a_task_out_of_attempts_with_a_clear_error(stale):
    task = stale(attempts=3)
    report = services.tasks_sweep()
    task.refresh_from_db()
    assert report.failed == [str(task.id)]
    assert task.status == "failed"
    assert "stopped responding, 3 times; giving up" in task.error


def test_it_enqueues_a_task_the_broker_never_got(team):
    task = TaskLog.objects.create(project=team["project"], task_type="ingest_memory")
    TaskLog.objects.filter(pk=task.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    report = services.tasks_sweep()  # the test broker (Redis) is up: the send succeeds
    assert report.enqueued == [str(task.id)]
    assert TaskLog.objects.get(pk=task.pk).enqueued_at is not None


def test_it_gives_a_new_task_time_to_be_enqueued(team):
    TaskLog.objects.create(project=team["project"], task_type="ingest_memory")
    assert services.tasks_sweep().enqueued == []


def test_it_cancels_rather_than_enqueues_a_pending_task_someone_cancelled(team):
    task = TaskLog.objects.create(
        project=team["project"], task_type="ingest_memory", cancel_requested_at=timezone.now()
    )
    TaskLog.objects.filter(pk=task.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    services.tasks_sweep()
    assert TaskLog.objects.get(pk=task.pk).status == "cancelled"


def test_it_runs_as_a_management_command(stale, capsys):
    task = stale()
    call_command("sweep_tasks")
    out = capsys.readouterr().out
    assert "requeued 1, failed 0, enqueued 0" in out and str(task.id) in out
