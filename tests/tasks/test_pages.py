"""The task dashboard and task page, as a member sees them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.tasks.models import Status, TaskLog, TaskStage

PEOPLE = ["owner", "editor", "viewer", "outsider", "anonymous"]


@pytest.fixture
def tasks(team, make_project):
    project = team["project"]
    made = {
        "notes": TaskLog.objects.create(
            project=project,
            task_type="ingest_memory",
            subject_label="Meeting notes",
            status=Status.COMPLETED,
            progress=100,
        ),
        "diary": TaskLog.objects.create(
            project=project,
            task_type="ingest_memory",
            subject_label="Diary",
            status=Status.FAILED,
            error="Boom",
            traceback="Traceback: boom",
        ),
        "rebuild": TaskLog.objects.create(
            project=project, task_type="rebuild_communities", status=Status.PROCESSING, progress=40
        ),
        "theirs": TaskLog.objects.create(
            project=make_project(team["outsider"], name="Theirs"), task_type="ingest_memory", subject_label="Secret"
        ),
    }
    return made


def rows(response) -> list[str]:
    return [task.subject_label or task.task_type for task in response.context["page"].object_list]


def test_it_lists_only_tasks_i_may_see_newest_first(client, team, tasks):
    client.force_login(team["viewer"])
    response = client.get(reverse("tasks:list"))
    assert rows(response) == ["rebuild_communities", "Diary", "Meeting notes"]
    assert "Secret" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "failed"}, ["Diary"]),
        ({"type": "rebuild_communities"}, ["rebuild_communities"]),
        ({"q": "meeting"}, ["Meeting notes"]),
        ({"status": "completed", "type": "ingest_memory"}, ["Meeting notes"]),
        ({"status": "nonsense"}, ["rebuild_communities", "Diary", "Meeting notes"]),
    ],
)
def test_it_filters(client, team, tasks, query, expected):
    client.force_login(team["editor"])
    assert rows(client.get(reverse("tasks:list"), query)) == expected


def test_it_counts_tasks_per_status(client, team, tasks):
    client.force_login(team["owner"])
    statuses = {value: count for value, label, count in client.get(reverse("tasks:list")).context["statuses"]}
    assert statuses == {"pending": "0", "processing": "1", "completed": "1", "failed": "1", "cancelled": "0"}


def test_it_paginates(client, team):
    TaskLog.objects.bulk_create(
        [TaskLog(project=team["project"], task_type="ingest_memory", subject_label=f"T{n}") for n in range(60)]
    )
    client.force_login(team["owner"])
    first = client.get(reverse("tasks:list"))
    older = re.search(r'href="\?(cursor=[^"]+)" rel="next">Older', first.content.decode()).group(1)
    second = client.get(f"{reverse('tasks:list')}?{older}")
    assert len(first.context["page"].object_list) == 50 and len(second.context["page"].object_list) == 10
    assert sorted(rows(first) + rows(second)) == sorted(f"T{n}" for n in range(60))
    # A page number of before (a bookmark) still shows that page.
    assert rows(client.get(reverse("tasks:list"), {"page": 2})) == rows(second)


def test_it_streams_live_updates_from_each_project_on_the_page(client, team, tasks):
    client.force_login(team["owner"])
    page = client.get(reverse("tasks:list")).content.decode()
    assert f"/api/v1/projects/{team['project'].id}/stream" in page
    assert f"project-{team['project'].id}:" in page


@pytest.mark.parametrize("who", PEOPLE)
def test_it_shows_a_project_dashboard_to_members_only(client, team, tasks, who):
    if who != "anonymous":
        client.force_login(team[who])
    response = client.get(reverse("tasks:project-list", args=[team["project"].id]))
    assert response.status_code == {"outsider": 404, "anonymous": 302}.get(who, 200)


def test_it_shows_a_task_with_its_timeline(client, team, tasks):
    task = tasks["rebuild"]
    stage = TaskStage.objects.create(task=task, progress=10, message="Clearing communities...")
    TaskStage.objects.create(
        task=task, progress=40, message="Detecting communities...", at=stage.at.replace(microsecond=0)
    )
    client.force_login(team["viewer"])
    page = client.get(reverse("tasks:detail", args=[task.id])).content.decode()
    assert "Clearing communities..." in page and "Detecting communities..." in page
    assert 'role="progressbar"' in page
    assert "Cancel task" not in page  # viewers see no buttons


def test_it_shows_the_stack_trace_to_staff_only(client, team, tasks):
    client.force_login(team["owner"])
    page = client.get(reverse("tasks:detail", args=[tasks["diary"].id])).content.decode()
    assert "Boom" in page and "Traceback: boom" not in page
    team["owner"].is_staff = True
    team["owner"].save()
    assert "Traceback: boom" in client.get(reverse("tasks:detail", args=[tasks["diary"].id])).content.decode()


def test_it_refuses_a_task_page_to_outsiders(client, team, tasks):
    client.force_login(team["outsider"])
    assert client.get(reverse("tasks:detail", args=[tasks["notes"].id])).status_code == 404


def test_it_cancels_from_the_page(client, team, tasks, django_capture_on_commit_callbacks):
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tasks:cancel", args=[tasks["rebuild"].id]), follow=True)
    assert "asked to stop" in response.content.decode()
    assert TaskLog.objects.get(pk=tasks["rebuild"].pk).cancel_requested_at is not None


def test_it_says_why_a_finished_task_cannot_be_cancelled(client, team, tasks):
    client.force_login(team["editor"])
    response = client.post(reverse("tasks:cancel", args=[tasks["notes"].id]), follow=True)
    assert "This task is already completed; there is nothing to cancel." in response.content.decode()


def test_it_retries_from_the_page(client, team, tasks, django_capture_on_commit_callbacks):
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("tasks:retry", args=[tasks["diary"].id]))
    attempt = TaskLog.objects.get(retry_of=tasks["diary"])
    assert response.url == reverse("tasks:detail", args=[attempt.id])


def test_it_refuses_buttons_to_viewers(client, team, tasks):
    client.force_login(team["viewer"])
    assert client.post(reverse("tasks:cancel", args=[tasks["rebuild"].id])).status_code == 403
    assert client.post(reverse("tasks:retry", args=[tasks["diary"].id])).status_code == 403


def test_the_admin_cancels_and_retries(admin_client, team, tasks, django_capture_on_commit_callbacks):
    changelist = reverse("admin:tasks_tasklog_changelist")
    with django_capture_on_commit_callbacks(execute=False):
        admin_client.post(changelist, {"action": "cancel_tasks", "_selected_action": [tasks["rebuild"].id]})
        admin_client.post(
            changelist, {"action": "retry_tasks", "_selected_action": [tasks["diary"].id, tasks["notes"].id]}
        )
    assert TaskLog.objects.get(pk=tasks["rebuild"].pk).cancel_requested_at is not None
    assert TaskLog.objects.filter(retry_of=tasks["diary"]).count() == 1
    assert not TaskLog.objects.filter(retry_of=tasks["notes"]).exists()


def test_its_page_links_keep_the_filters(client, team):
    TaskLog.objects.bulk_create(
        [
            TaskLog(project=team["project"], task_type="ingest_memory", subject_label=f"T{n}", status=Status.FAILED)
            for n in range(60)
        ]
    )
    client.force_login(team["owner"])
    page = client.get(reverse("tasks:list"), {"status": "failed", "q": "T"}).content.decode()
    assert 'href="?status=failed&amp;q=T&amp;cursor=' in page
