"""Pages people live in, in a real browser: nothing cut from a long paste, lists
that show rows created elsewhere, buttons that follow a task's state, a card whose
clock and bar tell the truth, and a graph page with and without JavaScript.

Only uvicorn runs here (no worker): tasks are created through the API and
cancelled before any worker takes them, which moves them through the states
the pages must follow, with the events a worker's changes would send.
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.memories.models import Memory
from apps.tasks.models import Status, TaskLog
from tests.e2e.test_memory_progress import TIMEOUT_MS, new_memory_url
from tests.graph.conftest import GraphMaker

pytestmark = [pytest.mark.live, pytest.mark.shared_uvicorn]


def api(server, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Token {token}"}, timeout=30)


def test_it_refuses_a_long_paste_whole_with_a_field_error(logged_in_page, member_project):
    page, project = logged_in_page, member_project["project"]
    page.goto(new_memory_url(project))
    page.get_by_label("Title:", exact=True).fill("Book")
    content = page.get_by_label("Content:", exact=True)
    content.fill("word " * 39_999 + "words")  # 200,000 characters
    assert content.evaluate("el => el.value.length") == 200_000  # the browser kept all of it
    page.get_by_role("button", name="Save Memory").click()

    field = page.locator(".field").filter(has=page.get_by_label("Content:", exact=True))
    expect(field.locator(".error")).to_contain_text("Content is 200,000 characters; the limit is 100,000.")
    expect(field.locator(".error")).to_contain_text("Split it into several memories")
    expect(page.locator("#progress-card")).to_be_hidden()
    assert not Memory.objects.filter(project=project).exists()


def test_lists_show_new_rows_and_buttons_follow_the_state(open_page, uvicorn_server, member_project):
    project, owner = member_project["project"], member_project["owner"]
    memories = open_page(owner)
    memories.goto(f"/project/{project.id}/memories/")
    expect(memories.get_by_text("No memories yet.")).to_be_visible()
    dashboard = memories.context.new_page()
    dashboard.goto(f"/project/{project.id}/tasks/")
    expect(dashboard.get_by_text("No tasks match.")).to_be_visible()
    home = memories.context.new_page()
    home.goto(f"/project/{project.id}/")

    # Another client (a script, an agent) adds a memory after the pages were drawn.
    with api(uvicorn_server, member_project["token"]) as client:
        created = client.post(
            "/api/v1/memories/", json={"project_id": str(project.id), "title": "From a script", "content": "Hello."}
        )
        assert created.status_code == 201, created.text
        task_id = created.json()["task_id"]

        latest = home.get_by_role("region", name="Latest memories")
        running = home.get_by_role("region", name="Running tasks")
        for where, page in ((memories, memories), (latest, home)):
            row = where.get_by_role("row").filter(has=page.get_by_role("link", name="From a script"))
            expect(row.locator("[data-status]")).to_have_text("pending", timeout=TIMEOUT_MS)
            expect(row.get_by_role("button", name="Cancel ingesting From a script")).to_be_visible()
        expect(running.get_by_role("row").filter(has_text="From a script")).to_contain_text("Ingest memory")
        row = dashboard.get_by_role("row").filter(has=dashboard.get_by_role("link", name="From a script"))
        expect(row.get_by_role("cell", name="Ingest memory")).to_be_visible(timeout=TIMEOUT_MS)
        expect(dashboard.locator('[data-count="pending"]')).to_have_text("1", timeout=TIMEOUT_MS)
        expect(dashboard.locator('[data-count="total"]')).to_have_text("1")
        expect(dashboard.get_by_text("No tasks match.")).to_be_hidden()

        # Its own page, open before the task ends, offers no Retry yet.
        memory = Memory.objects.get(project=project)
        detail = memories.context.new_page()
        detail.goto(f"/project/{project.id}/memories/{memory.id}/")
        expect(detail.get_by_role("button", name="Retry ingestion")).to_be_hidden()

        assert client.post(f"/api/v1/tasks/{task_id}/cancel/").status_code == 202

    # Every page follows: the finished row loses its Cancel and offers Retry.
    for where, page in ((memories, memories), (latest, home)):
        row = where.get_by_role("row").filter(has=page.get_by_role("link", name="From a script"))
        expect(row.locator("[data-status]")).to_have_text("cancelled", timeout=TIMEOUT_MS)
        expect(row.get_by_role("button", name="Cancel ingesting From a script")).to_have_count(0)
        expect(row.get_by_role("button", name="Retry ingesting From a script")).to_be_visible()
    expect(dashboard.locator('[data-count="cancelled"]')).to_have_text("1", timeout=TIMEOUT_MS)
    expect(dashboard.locator('[data-count="pending"]')).to_have_text("0")
    dashboard_row = dashboard.get_by_role("row").filter(has=dashboard.get_by_role("link", name="From a script"))
    expect(dashboard_row.get_by_role("button", name="Cancel From a script")).to_have_count(0)
    expect(detail.locator("[data-memory-status]")).to_have_text("cancelled", timeout=TIMEOUT_MS)

    # The memory's page gained its Retry live; pressing it starts a new attempt, shown on the same page.
    detail.get_by_role("button", name="Retry ingestion").click()
    expect(detail.get_by_role("status").filter(has_text="A new attempt was started.")).to_be_visible()
    expect(detail.locator("[data-memory-status]")).to_have_text("pending")
    attempt = TaskLog.objects.get(retry_of_id=task_id)
    assert Memory.objects.get(pk=memory.pk).current_task_id == attempt.id
    # ... and the list, which knew the memory by its first task, shows the attempt in the same row.
    row = memories.get_by_role("row").filter(has=memories.get_by_role("link", name="From a script"))
    expect(row.locator("[data-status]")).to_have_text("pending", timeout=TIMEOUT_MS)
    expect(memories.get_by_role("link", name="From a script")).to_have_count(1)


def test_the_card_counts_from_the_start_and_its_bar_matches_its_percentage(logged_in_page, member_project):
    page, project = logged_in_page, member_project["project"]
    task = TaskLog.objects.create(
        project=project,
        task_type="rebuild_communities",
        status=Status.PROCESSING,
        progress=75,
        message="Updating communities...",
        started_at=timezone.now() - timedelta(minutes=2),
    )
    page.goto(f"/tasks/{task.id}/")
    card = page.locator("#progress-card")
    expect(card.locator("[data-percent]")).to_have_text("75%")
    expect(card.locator("[data-clock]")).to_have_text(re.compile(r"^Started 2 min \d+ s ago$"))
    bar, fill = card.locator(".bar").bounding_box(), card.locator("[data-fill]").bounding_box()
    assert abs(fill["width"] / bar["width"] - 0.75) < 0.01, (fill, bar)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rebuild communities")


def test_the_task_page_buttons_follow_its_state(logged_in_page, uvicorn_server, member_project):
    page, project = logged_in_page, member_project["project"]
    task = TaskLog.objects.create(project=project, task_type="rebuild_communities", subject_label="Communities")
    page.goto(f"/tasks/{task.id}/")
    expect(page.locator("[data-clock]")).to_have_text("Waiting for a worker to start it")
    expect(page.get_by_role("button", name="Cancel task")).to_be_visible()
    expect(page.get_by_role("button", name="Retry")).to_be_hidden()

    # Cancelled elsewhere (the API, another tab): the page follows without a reload.
    with api(uvicorn_server, member_project["token"]) as client:
        assert client.post(f"/api/v1/tasks/{task.id}/cancel/").status_code == 202
    expect(page.locator("[data-task-status]")).to_have_text("cancelled", timeout=TIMEOUT_MS)
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel task")).to_be_hidden()


def test_the_graph_page_draws_with_javascript_and_lists_without(open_page, member_project):
    project, owner = member_project["project"], member_project["owner"]
    graph = GraphMaker(project)
    alice, acme = graph.entity("Alice Chen"), graph.entity("Acme Corp", "Organization")
    graph.relate(alice, "WORKS_AT", acme, fact="Alice Chen works at Acme Corp.")

    drawn = open_page(owner)
    drawn.goto(f"/project/{project.id}/graph/")
    expect(drawn.locator(".graph-canvas canvas").first).to_be_visible()
    expect(drawn.get_by_text("Drawing the graph needs JavaScript")).to_be_hidden()
    expect(drawn.locator("[data-graph-list] table")).to_be_hidden()  # folded: the drawing is the page

    listed = open_page(owner, javascript=False)
    listed.goto(f"/project/{project.id}/graph/")
    expect(listed.get_by_text("Drawing the graph needs JavaScript")).to_be_visible()
    expect(listed.locator(".graph-canvas")).to_be_hidden()
    expect(listed.get_by_role("link", name="Alice Chen")).to_be_visible()
    expect(listed.get_by_text("Loading the graph")).to_have_count(0)
