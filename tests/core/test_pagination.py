"""The memory list and the task dashboard paged by position (apps.core.pagination), page and API."""

from __future__ import annotations

import base64
import html
import re
import threading
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.memories.models import Memory
from apps.tasks import selectors as task_selectors
from apps.tasks.models import Status, TaskLog

KINDS = ["memories", "tasks"]


def add_rows(kind: str, project, count: int, **fields) -> list[str]:
    """`count` rows of the list, the ids as the pages show them."""
    if kind == "memories":
        made = Memory.objects.bulk_create(
            Memory(project=project, title=f"M {uuid.uuid4()}", content="x", content_hash=uuid.uuid4().hex, **fields)
            for _ in range(count)
        )
    else:
        made = TaskLog.objects.bulk_create(
            TaskLog(project=project, task_type="ingest_memory", subject_label=f"T {uuid.uuid4()}", **fields)
            for _ in range(count)
        )
    return [str(row.id) for row in made]


def page_url(kind: str, project) -> str:
    return reverse("memories:list" if kind == "memories" else "tasks:project-list", args=[project.id])


def api_url(kind: str, project) -> str:
    return (
        f"/api/v1/memories/?project_id={project.id}" if kind == "memories" else f"/api/v1/tasks/?project={project.id}"
    )


def shown(response) -> list[str]:
    """The ids of the rows a page shows, in order, read from its HTML."""
    page = response.content.decode()
    return re.findall(r'data-memory-id="([0-9a-f-]+)"', page) or re.findall(r'<tr data-task-id="([0-9a-f-]+)"', page)


def link(response, rel: str) -> str | None:
    """The page's Older (`next`) or Newer (`prev`) link, as a browser would follow it."""
    found = re.search(rf'<a href="(\?[^"]*)" rel="{rel}">', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def walk_pages(client, url: str, rel: str = "next", start: str = "") -> list[list[str]]:
    pages, query = [], start
    while query is not None:
        response = client.get(f"{url}{query}")
        assert response.status_code == 200
        pages.append(shown(response))
        query = link(response, rel)
    return pages


def walk_api(client, url: str, key: str = "next") -> list[list[str]]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        pages.append([row["id"] for row in response.json()["results"]])
        url = response.json()[key]
    return pages


def flat(pages: list[list[str]]) -> list[str]:
    return [row for page in pages for row in page]


@pytest.mark.parametrize("kind", KINDS)
def test_older_links_show_every_row_once_even_when_many_share_a_time(client, api_client_for, team, kind):
    rows = add_rows(kind, team["project"], 130)
    # Rows written in one statement can share their creation time: the id breaks the tie.
    model = Memory if kind == "memories" else TaskLog
    model.objects.filter(pk__in=rows[40:100]).update(created_at=timezone.now())
    client.force_login(team["viewer"])
    pages = walk_pages(client, page_url(kind, team["project"]))
    assert len(pages) == (6 if kind == "memories" else 3)
    assert sorted(flat(pages)) == sorted(rows)
    api_pages = walk_api(api_client_for(team["viewer"]), api_url(kind, team["project"]))
    assert sorted(flat(api_pages)) == sorted(rows) and len(api_pages) == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize("kind", KINDS)
def test_paging_on_while_rows_are_added_shows_each_row_once(client, api_client_for, team, kind, via):
    before = add_rows(kind, team["project"], 120)
    added: list[str] = []
    stop = threading.Event()

    def keep_adding() -> None:
        # Another connection, committing each row as a worker or a user would.
        try:
            while not stop.is_set():
                added.extend(add_rows(kind, team["project"], 3))
                stop.wait(0.005)
        finally:
            connection.close()

    writer = threading.Thread(target=keep_adding)
    writer.start()
    try:
        if via == "page":
            client.force_login(team["viewer"])
            older = walk_pages(client, page_url(kind, team["project"]))
        else:
            older = walk_api(api_client_for(team["viewer"]), api_url(kind, team["project"]))
    finally:
        stop.set()
        writer.join()
    assert added, "nothing was added while paging"
    seen = flat(older)
    assert len(seen) == len(set(seen))  # nothing twice
    assert set(before) <= set(seen)  # nothing that was there is skipped
    assert set(seen) <= set(before) | set(added)


@pytest.mark.parametrize("kind", KINDS)
def test_newer_links_lead_back_to_the_first_page(client, api_client_for, team, kind):
    rows = add_rows(kind, team["project"], 80)
    client.force_login(team["viewer"])
    url = page_url(kind, team["project"])
    older = walk_pages(client, url)
    last = client.get(url, {"page": len(older)})
    assert shown(last) == older[-1]
    newer = walk_pages(client, url, rel="prev", start=link(last, "prev"))
    assert list(reversed(newer)) == older[:-1]
    assert sorted(flat(newer) + older[-1]) == sorted(rows)
    api = api_client_for(team["viewer"])
    forward = walk_api(api, api_url(kind, team["project"]))
    end = api.get(f"{api_url(kind, team['project'])}&page={len(forward)}").json()
    assert [row["id"] for row in end["results"]] == forward[-1] and end["next"] is None
    backward = walk_api(api, end["previous"], key="previous")
    assert list(reversed(backward)) == forward[:-1]


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("kind", KINDS)
def test_a_page_costs_the_same_queries_with_one_row_as_with_many(client, api_client_for, team, kind):
    project = team["project"]
    task = TaskLog.objects.create(project=project, task_type="ingest_memory", status=Status.PROCESSING, progress=40)
    if kind == "memories":
        add_rows(kind, project, 1, processing_status=Status.PROCESSING, current_task=task)
    client.force_login(team["editor"])
    api = api_client_for(team["editor"])
    url, api_list = page_url(kind, project), api_url(kind, project)
    queries(client, url)  # the session and the token, read once
    queries(api, api_list)
    one = {"page": queries(client, url), "api": queries(api, api_list)}

    if kind == "memories":
        add_rows(kind, project, 150, processing_status=Status.PROCESSING, current_task=task)
    else:
        add_rows(kind, project, 150, status=Status.FAILED)
    second = client.get(url + link(client.get(url), "next"))
    deep = url + link(second, "next")
    api_next = api.get(api_list).json()["next"]
    many = {
        "page": {queries(client, url), queries(client, deep), queries(client, f"{url}?page=3")},
        "api": {queries(api, api_list), queries(api, api_next), queries(api, f"{api_list}&page=3")},
    }
    assert many == {"page": {one["page"]}, "api": {one["api"]}}
    filtered = f"{url}?status={Status.PROCESSING if kind == 'memories' else Status.FAILED}"
    assert queries(client, filtered) == one["page"]


def encoded(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


SOME_ID = "3f2b8c1e-0d4a-4c55-9a61-2b7f0e9d1c42"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=bogus", "cursor"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("page=100001", "page"),
        ("cursor=bzE~", "cursor"),
        # A time without its zone, and one that has no UTC (the calendar's first hours).
        (f"cursor={encoded(f'o2024-01-01T00:00:00~{SOME_ID}')}", "cursor"),
        (f"cursor={encoded(f'o0001-01-01T00:00:00+14:00~{SOME_ID}')}", "cursor"),
    ],
)
def test_the_api_answers_a_bad_cursor_or_page_with_400(api_client_for, team, kind, query, field):
    response = api_client_for(team["viewer"]).get(f"{api_url(kind, team['project'])}&{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field] and "list's" in response.json()[field][0]


@pytest.mark.parametrize("kind", KINDS)
def test_a_page_with_a_bad_cursor_shows_the_first_page(client, team, kind):
    rows = add_rows(kind, team["project"], 3)
    client.force_login(team["viewer"])
    for query in ({"cursor": "bogus"}, {"page": "0"}, {"page": "x"}):
        response = client.get(page_url(kind, team["project"]), query)
        assert response.status_code == 200 and sorted(shown(response)) == sorted(rows)


def test_the_dashboard_counts_up_to_a_limit(client, team, monkeypatch):
    monkeypatch.setattr(task_selectors, "COUNT_CAP", 3)
    add_rows("tasks", team["project"], 5, status=Status.COMPLETED)
    add_rows("tasks", team["project"], 2, status=Status.FAILED)
    client.force_login(team["viewer"])
    page = client.get(page_url("tasks", team["project"])).content.decode()
    assert '<strong data-count="total">3+</strong>' in page
    assert '<strong data-count="completed">3+</strong>' in page and '<strong data-count="failed">2</strong>' in page
    counts = client.get(reverse("tasks:project-counts", args=[team["project"].id])).json()
    assert counts == {
        "total": "3+",
        "pending": "0",
        "processing": "0",
        "completed": "3+",
        "failed": "2",
        "cancelled": "0",
    }


def test_the_dashboard_offers_the_types_its_tasks_have(client, team, make_project):
    for task_type in ("rebuild_communities", "ingest_memory", "export_memories", "ingest_memory"):
        TaskLog.objects.create(project=team["project"], task_type=task_type)
    TaskLog.objects.create(project=make_project(team["outsider"], name="Theirs"), task_type="delete_project")
    client.force_login(team["viewer"])
    everywhere = client.get(reverse("tasks:list")).context["task_types"]
    assert everywhere == ["export_memories", "ingest_memory", "rebuild_communities"]
    assert client.get(page_url("tasks", team["project"])).context["task_types"] == everywhere
