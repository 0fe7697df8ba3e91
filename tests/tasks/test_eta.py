"""Time remaining, estimated from seeded histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.tasks.eta import estimate_eta
from apps.tasks.models import Status, TaskLog, TaskStage

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def history(team):
    """Completed ingestions that took 40, 50 and 60 s after reaching 30%."""

    def seed(seconds_after_30=(40, 50, 60), size=1000, task_type="ingest_memory", project=None):
        for n, seconds in enumerate(seconds_after_30):
            start = T0 + timedelta(hours=n)
            past = TaskLog.objects.create(
                project=project or team["project"],
                task_type=task_type,
                status=Status.COMPLETED,
                progress=100,
                payload={"content_chars": size},
                started_at=start,
                completed_at=start + timedelta(seconds=10 + seconds),
            )
            TaskStage.objects.create(task=past, progress=10, message="Starting", at=start)
            TaskStage.objects.create(task=past, progress=30, message="Extracting", at=start + timedelta(seconds=10))

    return seed


def running_at_30(team, *, size=1000, since=0, task_type="ingest_memory") -> TaskLog:
    now = T0 + timedelta(days=1)
    task = TaskLog.objects.create(
        project=team["project"],
        task_type=task_type,
        status=Status.PROCESSING,
        progress=30,
        payload={"content_chars": size},
        started_at=now - timedelta(seconds=20),
    )
    TaskStage.objects.create(task=task, progress=30, message="Extracting", at=now - timedelta(seconds=since))
    return task


def test_it_has_no_estimate_without_history(team):
    assert estimate_eta(running_at_30(team), now=T0 + timedelta(days=1)) is None


def test_it_estimates_from_the_median_of_the_project_history(team, history):
    history()
    assert estimate_eta(running_at_30(team), now=T0 + timedelta(days=1)) == 50


def test_it_subtracts_the_time_already_spent_in_the_stage(team, history):
    history()
    assert estimate_eta(running_at_30(team, since=20), now=T0 + timedelta(days=1)) == 30


def test_it_scales_with_content_size_within_bounds(team, history):
    history(size=1000)
    now = T0 + timedelta(days=1)
    assert estimate_eta(running_at_30(team, size=2000), now=now) == 100
    assert estimate_eta(running_at_30(team, size=100_000), now=now) == 200  # at most 4x


def test_it_ignores_other_task_types_and_other_projects(team, history, make_project):
    history(task_type="rebuild_communities")
    history(project=make_project(team["outsider"], name="Other"))
    assert estimate_eta(running_at_30(team), now=T0 + timedelta(days=1)) is None


def test_it_has_no_estimate_for_a_finished_task(team, history):
    history()
    task = running_at_30(team)
    task.status = Status.COMPLETED
    assert estimate_eta(task) is None
