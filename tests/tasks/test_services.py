"""The runner, the reporter and cancel, on the real database; events read back from storage."""

from __future__ import annotations

import json

import pytest
from django_eventstream.models import Event

from apps.tasks import services
from apps.tasks.models import Status, TaskLog


@pytest.fixture
def make_task(team, django_capture_on_commit_callbacks):
    def make(**fields) -> TaskLog:
        # Nothing is enqueued: these tests run the work in-process.
        fields.setdefault("task_type", "test_job")
        return TaskLog.objects.create(project=team["project"], created_by=team["editor"], **fields)

    return make


def events_of(channel: str) -> list[tuple[str, dict]]:
    rows = Event.objects.filter(channel=channel, eid__gt=0).order_by("eid")
    return [(row.type, json.loads(json.loads(row.data))) for row in rows]


def test_it_runs_the_stages_and_completes(make_task, django_capture_on_commit_callbacks):
    task = make_task()

    def work(task, reporter):
        reporter.stage(10, "Starting...")
        reporter.stage(60, "Working...")
        return {"items": 3}

    with django_capture_on_commit_callbacks(execute=True):
        services.run_task(str(task.id), work, done_message="All done")

    task.refresh_from_db()
    assert (task.status, task.progress, task.message, task.result) == ("completed", 100, "All done", {"items": 3})
    assert task.attempts == 1 and task.started_at and task.completed_at and task.heartbeat_at
    assert [(s.progress, s.message) for s in task.stages.all()] == [(10, "Starting..."), (60, "Working...")]
    events = events_of(f"task-{task.id}")
    assert [(kind, data["status"], data["progress"]) for kind, data in events] == [
        ("progress", "processing", 0),
        ("progress", "processing", 10),
        ("progress", "processing", 60),
        ("completed", "completed", 100),
    ]
    assert events[-1][1]["result"] == {"items": 3}
    assert events_of(f"project-{task.project_id}") == events


def test_it_records_a_readable_failure(make_task, django_capture_on_commit_callbacks):
    task = make_task()

    def work(task, reporter):
        reporter.stage(10, "Starting...")
        raise RuntimeError("the extractor returned nothing")

    with django_capture_on_commit_callbacks(execute=True):
        services.run_task(str(task.id), work, done_message="unused")

    task.refresh_from_db()
    assert task.status == "failed"
    assert task.error == "RuntimeError: the extractor returned nothing"
    assert "Traceback" in task.traceback and "the extractor returned nothing" in task.traceback
    kind, data = events_of(f"task-{task.id}")[-1]
    assert kind == "failed" and data["error"] == task.error


def test_it_stops_at_the_next_stage_when_cancelled(make_task, django_capture_on_commit_callbacks):
    task = make_task()
    reached = []

    def work(task, reporter):
        reporter.stage(10, "Starting...")
        reached.append(10)
        services.task_request_cancel(TaskLog.objects.get(pk=task.pk))
        reporter.stage(50, "Never recorded")
        reached.append(50)

    with django_capture_on_commit_callbacks(execute=True):
        services.run_task(str(task.id), work, done_message="unused")

    task.refresh_from_db()
    assert task.status == "cancelled"
    assert reached == [10]
    assert [s.progress for s in task.stages.all()] == [10]
    events = [(kind, data["message"]) for kind, data in events_of(f"task-{task.id}")]
    assert events[-2:] == [("progress", "Cancelling..."), ("cancelled", "Cancelled")]


def test_it_cancels_a_queued_task_at_once_and_never_runs_it(make_task, django_capture_on_commit_callbacks):
    task = make_task()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.task_request_cancel(task) is True
    assert TaskLog.objects.get(pk=task.pk).status == "cancelled"

    ran = []
    services.run_task(str(task.id), lambda task, reporter: ran.append(True), done_message="unused")
    assert ran == []


def test_it_refuses_to_cancel_a_finished_task(make_task):
    task = make_task(status=Status.COMPLETED, progress=100)
    assert services.task_request_cancel(task) is False
    assert TaskLog.objects.get(pk=task.pk).cancel_requested_at is None


def test_it_does_not_run_a_task_twice(make_task):
    task = make_task(status=Status.PROCESSING)
    ran = []
    services.run_task(str(task.id), lambda task, reporter: ran.append(True), done_message="unused")
    assert ran == []
    assert TaskLog.objects.get(pk=task.pk).status == "processing"


def test_it_returns_quietly_when_the_task_is_gone(db, caplog):
    ran = []
    caplog.set_level("INFO", logger="apps.tasks.services")
    services.run_task("5f0c3a4e-0000-4000-8000-000000000000", lambda t, r: ran.append(True), done_message="unused")
    assert ran == []
    assert "no longer exists; nothing to run" in caplog.text
    assert not TaskLog.objects.exists()


def test_it_keeps_working_when_reporting_fails(make_task, django_capture_on_commit_callbacks):
    task = make_task()

    def work(task, reporter):
        reporter.stage(101, "Beyond the end")  # violates the progress check: recording fails
        reporter.stage(20, "m" * 300)  # longer than the column: recorded, cut to fit
        return {"ok": True}

    with django_capture_on_commit_callbacks(execute=True):
        services.run_task(str(task.id), work, done_message="Done")
    task.refresh_from_db()
    assert task.status == "completed" and task.result == {"ok": True}
    assert [(s.progress, len(s.message)) for s in task.stages.all()] == [(20, 255)]
