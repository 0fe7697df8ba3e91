"""The project's home page: counts, latest memories, tasks that need an eye, live."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.memories.models import Memory, content_hash
from apps.tasks.models import Status, TaskLog
from tests.graph.conftest import GraphMaker


def home(project) -> str:
    return reverse("projects:detail", args=[project.id])


def fill(project, *, memories: int, tasks: int) -> None:
    """`memories` memories (one failed ingestion among them), a small graph, `tasks` running tasks."""
    graph = GraphMaker(project)  # one completed memory of its own
    alice, acme, bob = graph.entity("Alice Chen"), graph.entity("Acme Corp", "Organization"), graph.entity("Bob")
    graph.relate(alice, "WORKS_AT", acme)
    graph.relate(bob, "KNOWS", alice, closed=True)  # a closed relationship is not counted
    for n in range(memories - 1):
        task = TaskLog.objects.create(project=project, task_type="ingest_memory", subject_label=f"Note {n}")
        Memory.objects.create(
            project=project,
            title=f"Note {n}",
            content=f"Note {n} of {project.id}",
            content_hash=content_hash(f"Note {n} of {project.id}"),
            current_task=task,
            processing_status=Status.PENDING,
        )
    TaskLog.objects.filter(project=project, subject_label="Note 0").update(status=Status.FAILED, error="Boom")
    TaskLog.objects.bulk_create(
        [
            TaskLog(project=project, task_type="rebuild_communities", status=Status.PROCESSING, progress=40)
            for _ in range(tasks)
        ]
    )


def test_it_shows_the_project_at_a_glance(client, team):
    project = team["project"]
    fill(project, memories=4, tasks=2)
    client.force_login(team["viewer"])
    page = client.get(home(project)).content.decode()
    tiles = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split('class="tiles"')[1].split("</ul>")[0]))
    for text in (
        "4 memories",
        "3 entities",
        "1 relationship ",
        "0 communities",
        "4 tasks running or queued",
        "1 failed task",
    ):
        assert text in tiles, tiles
    # The latest memories, with their status; the running tasks, named; the failed one.
    assert "Note 2" in page and "Meeting notes" in page and 'class="status pending"' in page
    assert "Rebuild communities" in page
    assert "Failed, not retried" in page and "Note 0" in page
    assert f'action="{reverse("recall:search", args=[project.id])}"' in page  # the search box
    assert f'href="{reverse("tasks:project-list", args=[project.id])}"' in page
    assert f'data-stream="/api/v1/projects/{project.id}/stream"' in page  # the tables stay live


@pytest.mark.parametrize(("who", "add_button"), [("owner", True), ("editor", True), ("viewer", False)])
def test_it_offers_add_memory_to_those_who_may(client, team, who, add_button):
    client.force_login(team[who])
    page = client.get(home(team["project"])).content.decode()
    link = f'<a class="button" href="{reverse("memories:create", args=[team["project"].id])}">Add memory</a>'
    assert (link in page) is add_button


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("anonymous", 302)])
def test_it_keeps_the_home_to_members(client, team, who, status):
    if who != "anonymous":
        client.force_login(team[who])
    assert client.get(home(team["project"])).status_code == status


def test_an_empty_project_says_how_to_start(client, team):
    client.force_login(team["editor"])
    page = client.get(home(team["project"])).content.decode()
    assert "No memories yet." in page and "Add the first one" in page and "Nothing running." in page


def test_it_reads_the_same_number_of_queries_however_big_the_project(
    client, team, make_project, django_assert_max_num_queries
):
    small, big = team["project"], make_project(team["owner"], name="Big")
    fill(small, memories=2, tasks=1)
    fill(big, memories=40, tasks=30)
    client.force_login(team["owner"])
    client.get(home(small))  # warm the session and content-type caches
    with django_assert_max_num_queries(14) as small_queries:
        assert client.get(home(small)).status_code == 200
    with django_assert_max_num_queries(len(small_queries.captured_queries)) as big_queries:
        assert client.get(home(big)).status_code == 200
    assert len(big_queries.captured_queries) == len(small_queries.captured_queries)
