"""Deleting, restoring and editing a memory in a real browser: a confirmation page
that needs no script, the trash (restore, empty), the edit page with its live
progress card, and the history of versions.

Everything runs for real: Debian's chromium, uvicorn, a Celery worker,
PostgreSQL and Redis. With SCREENSHOTS_DIR=docs/screenshots the pages are
photographed for the README (tests/e2e/test_screenshots.py does the others).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from apps.memories.models import Memory
from apps.tasks.models import TaskLog
from tests.e2e.test_memory_progress import record_card, wait_until
from tests.e2e.test_screenshots import shoot

pytestmark = [pytest.mark.live, pytest.mark.shared_uvicorn]

ALICE = "Alice Chen works at Acme Corp. Alice Chen lives in Berlin."
BOB = "Bob Smith works at Globex Inc. Bob Smith lives in Paris."


def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def add_and_ingest(server, member_project, *, title: str, content: str) -> Memory:
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Token {member_project['token']}"}, timeout=60
    ) as client:
        response = client.post(
            "/api/v1/memories/",
            json={"project_id": str(member_project["project"].id), "title": title, "content": content},
        )
    assert response.status_code == 201, response.text
    memory = Memory.objects.get(pk=response.json()["id"])
    wait_until(lambda: TaskLog.objects.get(pk=memory.current_task_id).is_finished, timeout=120)
    memory.refresh_from_db()
    assert memory.processing_status == "completed"
    return memory


def test_it_deletes_after_asking_restores_and_empties_the_trash(
    open_page, uvicorn_server, celery_worker, member_project, tmp_path
):
    folder = screenshots(tmp_path)
    project, owner = member_project["project"], member_project["owner"]
    memory = add_and_ingest(uvicorn_server, member_project, title="Berlin office", content=ALICE)
    add_and_ingest(uvicorn_server, member_project, title="Paris office", content=BOB)

    # Without JavaScript: the Delete button opens a page that asks first.
    plain = open_page(owner, javascript=False)
    plain.goto(f"/project/{project.id}/memories/{memory.id}/")
    expect(plain.locator(".chips")).to_contain_text("Alice Chen")
    plain.get_by_role("link", name="Delete").click()
    expect(plain.get_by_role("heading", level=1)).to_have_text("Delete “Berlin office”?")
    expect(plain.get_by_role("status").last).to_contain_text("restore it from the trash for 30 days")
    shoot(plain, folder, "memory-delete-confirm", full_page=False)
    assert Memory.objects.filter(pk=memory.pk).exists()  # asking changed nothing
    plain.get_by_role("button", name="Move to trash").click()
    plain.wait_for_url(re.compile(rf"/project/{project.id}/memories/$"))
    expect(plain.get_by_role("status").first).to_have_text("Moved “Berlin office” to the trash.")
    expect(plain.get_by_role("link", name="Berlin office")).to_have_count(0)
    expect(plain.get_by_role("link", name="Paris office")).to_be_visible()
    # Its entities left the graph with it.
    plain.goto(f"/project/{project.id}/entities/")
    expect(plain.get_by_role("link", name="Bob Smith")).to_be_visible()
    expect(plain.get_by_role("link", name="Alice Chen")).to_have_count(0)

    # The trash lists it; Restore brings it back and ingests it again, live.
    page = open_page(owner)
    page.goto(f"/project/{project.id}/memories/")
    page.get_by_role("link", name="Trash").click()
    row = page.get_by_role("row").filter(has_text="Berlin office")
    expect(row).to_contain_text(owner.username)
    shoot(page, folder, "trash", full_page=False)
    row.get_by_role("button", name="Restore Berlin office").click()
    page.wait_for_url(re.compile(rf"/project/{project.id}/memories/{memory.id}/$"))
    expect(page.get_by_role("status").first).to_have_text("Restored “Berlin office”; it is being ingested again.")
    expect(page.locator("[data-memory-status]")).to_have_text("completed", timeout=120_000)
    expect(page.locator(".chips")).to_contain_text("Alice Chen")
    expect(page.locator(".chips")).to_contain_text("Berlin")

    # Delete it again (with JavaScript, the same pages), then empty the trash.
    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Move to trash").click()
    page.wait_for_url(re.compile(rf"/project/{project.id}/memories/$"))
    page.goto(f"/project/{project.id}/memories/trash/")
    page.get_by_role("link", name="Empty trash").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Empty the trash?")
    expect(page.get_by_role("status").last).to_contain_text("1 memory will be deleted forever")
    page.get_by_role("button", name="Empty trash").click()
    expect(page.get_by_text("The trash is empty.")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("1 memory deleted forever")
    assert not Memory.all_objects.filter(pk=memory.pk).exists()


def test_it_edits_with_the_progress_card_and_keeps_the_history(
    open_page, uvicorn_server, celery_worker, member_project, tmp_path
):
    folder = screenshots(tmp_path)
    project, owner = member_project["project"], member_project["owner"]
    memory = add_and_ingest(uvicorn_server, member_project, title="Office", content=ALICE)

    page = open_page(owner)
    page.goto(f"/project/{project.id}/memories/{memory.id}/")
    expect(page.get_by_text("Never edited.")).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Office”")
    expect(page.get_by_label("Title:", exact=True)).to_have_value("Office")
    page.get_by_label("Title:", exact=True).fill("Office (moved)")
    page.get_by_label("Content:", exact=True).fill(BOB)
    page.get_by_label("Tags:", exact=True).fill("offices, people")
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, folder, "memory-edit")

    seen = record_card(page)
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(rf"/project/{project.id}/memories/{memory.id}/$"))
    expect(page.get_by_role("status").first).to_have_text("Saved; the new version is being ingested.")
    # The card follows the new ingestion to the end; the page then reloads, completed.
    expect(page.locator("[data-memory-status]")).to_have_text("completed", timeout=120_000)
    expect(page.locator("#progress-card")).to_have_count(0)
    assert seen and seen[-1]["percent"] == "100%" and seen[-1]["message"] == "Episode ingestion completed", seen
    expect(page.get_by_role("heading", level=1)).to_have_text("Office (moved)")
    expect(page.locator(".chips")).to_contain_text("Bob Smith")
    expect(page.locator(".chips")).not_to_contain_text("Alice Chen")

    history = page.locator("#history + table")
    expect(history.get_by_role("row")).to_have_count(2)  # the header and one earlier version
    expect(history).to_contain_text("Office")
    expect(history).to_contain_text(owner.username)
    history.scroll_into_view_if_needed()
    shoot(page, folder, "memory-history", full_page=True)
    history.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Office")
    expect(page.locator("pre.content")).to_have_text(ALICE)
    expect(page.get_by_role("status").first).to_contain_text("An earlier version")
