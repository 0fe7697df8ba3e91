"""The pages a reader of the README sees, drawn from a real project: ingested by a
real worker, with an import that rejected two lines, then photographed.

Set SCREENSHOTS_DIR=docs/screenshots to refresh the committed pictures; without
it they go to a temporary folder and the test only checks what they show.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from apps.graph.models import Entity
from apps.memories.models import Memory
from apps.tasks.models import TaskLog
from tests.graph.conftest import seed

pytestmark = pytest.mark.live

NOTES = [
    ("Founding", "Acme Corp was founded by Alice Chen and Bob Li in 2015. The company is headquartered in Berlin."),
    ("Globex deal", "In March 2022, Acme Corp acquired Globex Inc. Acme CEO Alice Chen said the deal closed in 2024."),
    ("Maria", "Maria Garcia is a senior engineer at Initech LLC. She previously worked at Hooli and moved to Lisbon."),
    (
        "Partnership",
        "Maria Garcia met Alice Chen in Berlin to discuss a partnership between Initech LLC and Acme Corp.",
    ),
    ("Bob", "Bob Li works at Globex Inc. Bob Li knows Maria Garcia."),
    ("Research lead", "Carlos Diaz joined Acme Corp as head of research in 2023. Carlos Diaz reports to Alice Chen."),
    ("Lisbon office", "Globex Inc opened an office in Lisbon. Priya Patel leads the Lisbon office of Globex Inc."),
    ("Stanford", "Priya Patel studied at Stanford University with Carlos Diaz."),
    ("Pied Piper", "Hooli acquired Pied Piper in 2021. Richard Hendricks founded Pied Piper."),
    ("Meetup", "Richard Hendricks met Maria Garcia at the Lisbon Python Meetup."),
    ("Standup", "Alice Chen works at Acme Corp. Carlos Diaz works at Acme Corp."),
]
IMPORT = "\n".join(
    [
        json.dumps({"title": "Board meeting", "content": "Alice Chen met Priya Patel at Globex Inc."}),
        json.dumps({"title": "Hiring", "content": "Initech LLC hired Bob Li in 2024."}),
        json.dumps({"title": "No content"}),
        "{not json",
        json.dumps({"title": "Offsite", "content": "Carlos Diaz organised an offsite in Lisbon."}),
    ]
)


def wait_for(condition, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


def shoot(page: Page, folder: Path, name: str, *, full_page: bool = True) -> None:
    page.wait_for_timeout(300)  # let a row's arrival highlight fade in
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def test_it_photographs_the_main_pages(
    open_page, uvicorn_server, celery_worker, member_project, make_project, tmp_path
):
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    project, owner = member_project["project"], member_project["owner"]
    project.name, project.description = "Acme research", "Notes on companies and the people behind them."
    project.save(update_fields=["name", "description"])
    with httpx.Client(
        base_url=uvicorn_server.url, headers={"Authorization": f"Token {member_project['token']}"}, timeout=60
    ) as client:
        for title, content in NOTES:
            response = client.post(
                "/api/v1/memories/", json={"project_id": str(project.id), "title": title, "content": content}
            )
            assert response.status_code == 201, response.text
        wait_for(lambda: not TaskLog.objects.filter(project=project, status__in=["pending", "processing"]).exists())
        rebuild = client.post(f"/api/v1/projects/{project.id}/communities/rebuild/")
        assert rebuild.status_code == 202
        started = client.post(
            "/api/v1/memories/import/", json={"project_id": str(project.id), "format": "jsonl", "content": IMPORT}
        )
        assert started.status_code == 202, started.text
        import_id = started.json()["task_id"]
        wait_for(lambda: not TaskLog.objects.filter(project=project, status__in=["pending", "processing"]).exists())

    page = open_page(owner)
    page.set_viewport_size({"width": 1280, "height": 860})

    page.goto(f"/project/{project.id}/")
    expect(page.get_by_role("link", name="Add memory")).to_be_visible()
    shoot(page, folder, "project-home")

    page.goto(f"/project/{project.id}/memories/")
    with httpx.Client(
        base_url=uvicorn_server.url, headers={"Authorization": f"Token {member_project['token']}"}, timeout=60
    ) as client:  # added elsewhere after the page was drawn: it appears as a new row
        response = client.post(
            "/api/v1/memories/",
            json={
                "project_id": str(project.id),
                "title": "Added by a script",
                "content": "Priya Patel visited Berlin.",
            },
        )
        assert response.status_code == 201
    expect(page.get_by_role("link", name="Added by a script")).to_be_visible(timeout=60_000)
    shoot(page, folder, "memories")

    memory = Memory.objects.get(project=project, title="Partnership")
    page.goto(f"/project/{project.id}/memories/{memory.id}/")
    expect(page.locator(".chips a").first).to_be_visible()
    shoot(page, folder, "memory")

    page.goto(f"/tasks/{memory.current_task_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingest memory: Partnership")
    shoot(page, folder, "task")

    page.goto(f"/project/{project.id}/tasks/")
    shoot(page, folder, "tasks", full_page=False)

    page.goto(f"/project/{project.id}/memories/import/{import_id}/")
    expect(page.get_by_role("status").filter(has_text="Import finished")).to_contain_text("3 imported, 2 rejected of 5")
    shoot(page, folder, "import-result", full_page=False)

    page.goto(f"/project/{project.id}/graph/")
    expect(page.locator(".graph-canvas canvas").first).to_be_visible()
    page.wait_for_timeout(1000)  # the layout settles
    shoot(page, folder, "graph", full_page=False)

    # A bigger graph: 50 of 120 entities drawn, the lesser labels waiting for a zoom.
    other = make_project(owner, name="Big graph")
    seed(other, clusters=4, size=30, density=0.2)
    page.goto(f"/project/{other.id}/graph/")
    expect(page.locator(".graph-canvas canvas").first).to_be_visible()
    page.wait_for_timeout(1000)
    shoot(page, folder, "graph-large", full_page=False)

    alice = Entity.objects.get(project=project, name="Alice Chen")
    page.goto(f"/project/{project.id}/entities/{alice.id}/")
    shoot(page, folder, "entity", full_page=False)

    page.goto(f"/project/{project.id}/memories/new/")
    page.get_by_label("Title:", exact=True).fill("A whole book")
    page.get_by_label("Content:", exact=True).fill("word " * 39_999 + "words")
    page.get_by_role("button", name="Save Memory").click()
    expect(page.locator(".field .error")).to_contain_text("the limit is 100,000")
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, folder, "too-long", full_page=False)

    page.goto("/project/00000000-0000-0000-0000-000000000000/")
    expect(page.get_by_role("heading", name="This page does not exist")).to_be_visible()
    shoot(page, folder, "not-found", full_page=False)

    assert len(list(folder.glob("*.png"))) >= 10
