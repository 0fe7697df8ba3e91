"""A parent task and its children: aggregated progress, its end, cancel cascading."""

from __future__ import annotations

import pytest

from apps.tasks import services
from apps.tasks.models import Status, TaskLog
from tests.tasks.test_services import events_of


@pytest.fixture
def family(team, django_capture_on_commit_callbacks):
    def make(children: int = 3) -> tuple[TaskLog, list[TaskLog]]:
        parent = TaskLog.objects.create(
            project=team["project"],
            task_type="batch_import",
            status=Status.PROCESSING,
            payload={"child_message": "{done} of {total} imported"},
            result={"items": []},
        )
        kids = [
            TaskLog.objects.create(project=team["project"], task_type="test_job", parent=parent)
            for _ in range(children)
        ]
        services.task_expect_children(parent, children)
        return parent, kids

    return make


def finish(child: TaskLog, callbacks, fail: bool = False) -> None:
    def work(task, reporter):
        if fail:
            raise ValueError("bad item")
        return {}

    with callbacks(execute=True):
        services.run_task(str(child.id), work, done_message="Done")


def test_it_moves_the_parent_as_its_children_end(family, django_capture_on_commit_callbacks):
    parent, kids = family(3)
    finish(kids[0], django_capture_on_commit_callbacks)
    parent.refresh_from_db()
    assert (parent.status, parent.progress, parent.message) == ("processing", 33, "1 of 3 imported")
    finish(kids[1], django_capture_on_commit_callbacks, fail=True)
    finish(kids[2], django_capture_on_commit_callbacks)
    parent.refresh_from_db()
    assert (parent.status, parent.progress, parent.message) == ("completed", 100, "3 of 3 imported")
    assert parent.result == {"items": [], "children": {"completed": 2, "failed": 1}}
    progress = [data["progress"] for kind, data in events_of(f"task-{parent.id}")]
    assert progress == sorted(progress) and progress[-1] == 100


def test_it_ends_a_parent_whose_children_ended_before_it_waited(team, django_capture_on_commit_callbacks):
    parent = TaskLog.objects.create(project=team["project"], task_type="batch_import")
    child = TaskLog.objects.create(project=team["project"], task_type="test_job", parent=parent)
    finish(child, django_capture_on_commit_callbacks)

    def work(task, reporter):
        services.task_expect_children(task, 1)
        return services.WAIT_FOR_CHILDREN

    with django_capture_on_commit_callbacks(execute=True):
        services.run_task(str(parent.id), work, done_message="unused")
    parent.refresh_from_db()
    assert (parent.status, parent.message) == ("completed", "1 of 1 done")


def test_it_cancels_the_children_not_yet_done(family, django_capture_on_commit_callbacks):
    parent, kids = family(3)
    finish(kids[0], django_capture_on_commit_callbacks)
    TaskLog.objects.filter(pk=kids[1].pk).update(status=Status.PROCESSING)
    with django_capture_on_commit_callbacks(execute=True):
        services.task_request_cancel(parent)
    statuses = {kid.pk: TaskLog.objects.get(pk=kid.pk).status for kid in kids}
    assert statuses == {kids[0].pk: "completed", kids[1].pk: "processing", kids[2].pk: "cancelled"}
    assert TaskLog.objects.get(pk=kids[1].pk).cancel_requested_at is not None  # stops at its next check
    with django_capture_on_commit_callbacks(execute=True):
        TaskLog.objects.get(pk=kids[1].pk).mark_cancelled()
        services.task_children_changed(parent.id)
    assert TaskLog.objects.get(pk=parent.pk).status == "cancelled"


def test_the_sweeper_leaves_a_parent_waiting_for_children(family):
    from datetime import timedelta

    from django.utils import timezone

    parent, _ = family(2)
    TaskLog.objects.filter(pk=parent.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert services.tasks_sweep().requeued == []
