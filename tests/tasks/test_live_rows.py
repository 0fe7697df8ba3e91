"""The dashboard's live parts, server side: one row for a task the page heard of on
its stream, the counts it refreshes, and buttons that fit each state.

The browser side (progress.js adding the rows) is tests/e2e/test_live_lists.py.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.tasks.models import Status, TaskLog
from tests.tasks.test_pages import tasks  # noqa: F401 - the same four tasks


def row_url(task) -> str:
    return reverse("tasks:row", args=[task.id])


def test_it_renders_one_row_with_the_buttons_of_its_state(client, team, tasks):  # noqa: F811
    client.force_login(team["editor"])
    running = client.get(row_url(tasks["rebuild"]), {"next": "/tasks/?type=x"}).content.decode()
    assert running.startswith("<tr") and f'data-task-id="{tasks["rebuild"].id}"' in running
    assert ">Cancel</button>" in running and ">Retry</button>" not in running
    assert 'name="next" value="/tasks/?type=x"' in running
    assert "Rebuild communities" in running  # the type's name, not rebuild_communities
    failed = client.get(row_url(tasks["diary"])).content.decode()
    assert ">Retry</button>" in failed and ">Cancel</button>" not in failed
    done = client.get(row_url(tasks["notes"])).content.decode()
    assert "<button" not in done


def test_it_leaves_out_a_row_the_page_filters_out(client, team, tasks):  # noqa: F811
    client.force_login(team["owner"])
    assert client.get(row_url(tasks["diary"]), {"status": "completed"}).status_code == 204
    assert client.get(row_url(tasks["diary"]), {"status": "failed"}).status_code == 200
    assert client.get(row_url(tasks["diary"]), {"type": "rebuild_communities"}).status_code == 204
    assert client.get(row_url(tasks["diary"]), {"q": "meeting"}).status_code == 204
    assert client.get(row_url(tasks["diary"]), {"q": "dia"}).status_code == 200


def test_it_never_sends_back_to_another_site(client, team, tasks):  # noqa: F811
    client.force_login(team["owner"])
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        row = client.get(row_url(tasks["diary"]), {"next": target}).content.decode()
        assert 'name="next" value=""' in row


@pytest.mark.parametrize(("who", "status"), [("viewer", 200), ("outsider", 404)])
def test_it_shows_rows_to_members_only(client, team, tasks, who, status):  # noqa: F811
    client.force_login(team[who])
    assert client.get(row_url(tasks["diary"])).status_code == status


def test_it_counts_for_the_filters_the_page_has(client, team, tasks):  # noqa: F811
    client.force_login(team["owner"])
    everything = client.get(reverse("tasks:counts")).json()
    assert everything == {
        "total": "3",
        "pending": "0",
        "processing": "1",
        "completed": "1",
        "failed": "1",
        "cancelled": "0",
    }
    ingest = client.get(reverse("tasks:counts"), {"type": "ingest_memory"}).json()
    assert (ingest["total"], ingest["processing"]) == ("2", "0")
    TaskLog.objects.create(project=team["project"], task_type="ingest_memory", subject_label="New")
    project = client.get(reverse("tasks:project-counts", args=[team["project"].id])).json()
    assert (project["total"], project["pending"]) == ("4", "1")


def test_the_dashboard_adds_rows_only_on_its_first_page(client, team):
    TaskLog.objects.bulk_create(
        [TaskLog(project=team["project"], task_type="ingest_memory", subject_label=f"T{n}") for n in range(60)]
    )
    client.force_login(team["owner"])
    first = client.get(reverse("tasks:list")).content.decode()
    second = client.get(reverse("tasks:list"), {"page": 2}).content.decode()
    assert "data-add-rows" in first and "data-add-rows" not in second
    assert f'data-counts-url="{reverse("tasks:counts")}"' in first


def test_an_empty_dashboard_still_listens_for_new_tasks(client, team):
    client.force_login(team["owner"])
    page = client.get(reverse("tasks:project-list", args=[team["project"].id])).content.decode()
    assert "No tasks match." in page and "data-add-rows" in page
    assert f"/api/v1/projects/{team['project'].id}/stream" in page


def test_the_task_page_names_the_task_and_reads_its_result(client, team):
    task = TaskLog.objects.create(
        project=team["project"],
        task_type="ingest_memory",
        subject_label="Standup",
        status=Status.COMPLETED,
        progress=100,
        result={"entities": 3, "relationships": 1, "invalidated_relationships": 1, "new_entity_types": 1},
    )
    client.force_login(team["viewer"])
    page = client.get(reverse("tasks:detail", args=[task.id])).content.decode()
    assert "<h1>Ingest memory: Standup</h1>" in page
    assert "3 entities, 1 relationship, 1 earlier relationship closed, 1 new type in the schema." in page
    assert "<summary>The result as data (JSON)</summary>" in page  # the raw result, folded away


def test_the_task_page_shows_the_button_of_each_state(client, team, tasks):  # noqa: F811
    client.force_login(team["editor"])
    running = client.get(reverse("tasks:detail", args=[tasks["rebuild"].id])).content.decode()
    failed = client.get(reverse("tasks:detail", args=[tasks["diary"].id])).content.decode()
    # Both forms are there for the page to follow the task live; only the fitting one shows.
    assert 'data-show-for="pending processing">' in running and 'data-show-for="failed cancelled" hidden>' in running
    assert 'data-show-for="pending processing" hidden>' in failed and 'data-show-for="failed cancelled">' in failed


def test_a_retry_goes_back_where_it_was_pressed(client, team, tasks, django_capture_on_commit_callbacks):  # noqa: F811
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("tasks:retry", args=[tasks["diary"].id]), {"next": "/tasks/?status=failed"})
    assert response.url == "/tasks/?status=failed"
    assert TaskLog.objects.filter(retry_of=tasks["diary"]).exists()
