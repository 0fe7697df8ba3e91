"""A stage as production records it, committed (no test transaction around it): one statement for the row, its
stage history and both events, and nothing of it for an attempt asked to stop or replaced."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_eventstream.models import Event

from apps.tasks import services
from apps.tasks.models import TaskLog
from tests.tasks.test_fencing import replace_attempt

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def task(team) -> TaskLog:
    return TaskLog.objects.create(project=team["project"], created_by=team["editor"], task_type="test_job")


def progress_events(channel: str) -> list[tuple[int, str]]:
    rows = Event.objects.filter(channel=channel, type="progress").order_by("eid").values_list("data", flat=True)
    return [(data["progress"], data["message"]) for data in (json.loads(json.loads(row)) for row in rows)]


def test_it_records_a_stage_and_its_events_in_one_statement(task):
    statements = []

    def work(task, reporter):
        with CaptureQueriesContext(connection) as captured:
            reporter.stage(40, "Halfway...")
        statements.append(len(captured))
        return {}

    services.run_task(str(task.id), work, done_message="All done")

    task.refresh_from_db()
    assert task.status == "completed"
    assert statements == [1]
    assert [(s.progress, s.message) for s in task.stages.all()] == [(40, "Halfway...")]
    assert (40, "Halfway...") in progress_events(f"task-{task.id}")
    assert (40, "Halfway...") in progress_events(f"project-{task.project_id}")


def test_it_records_nothing_of_a_stage_after_a_stop_was_asked(task):
    def work(task, reporter):
        reporter.stage(10, "Starting...")
        TaskLog.objects.filter(pk=task.pk).update(cancel_requested_at=timezone.now())
        reporter.stage(60, "Working...")
        return {}

    services.run_task(str(task.id), work, done_message="All done")

    task.refresh_from_db()
    assert task.status == "cancelled"
    assert [s.progress for s in task.stages.all()] == [10]
    # The start (0), then the first stage; nothing of the second.
    assert [p for p, _m in progress_events(f"task-{task.id}")] == [0, 10]


def test_it_records_nothing_of_a_stage_of_a_replaced_attempt(task):
    def work(task, reporter):
        reporter.stage(10, "Starting...")
        replace_attempt(task)
        reporter.stage(60, "Working...")
        return {}

    services.run_task(str(task.id), work, done_message="All done")

    task.refresh_from_db()
    assert (task.status, task.attempts, task.progress) == ("processing", 2, 0)
    assert [s.progress for s in task.stages.all()] == [10]
    assert [p for p, _m in progress_events(f"task-{task.id}")] == [0, 10]
