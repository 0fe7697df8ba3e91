"""Exporting and deleting a project from its pages, in a real browser with a real worker.

Set SCREENSHOTS_DIR=docs/screenshots to refresh the committed pictures of the
export pages (as tests/e2e/test_screenshots.py does for the others).
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.memories.models import Memory
from apps.projects.models import Project
from apps.tasks.models import TaskLog
from tests.e2e.test_memory_progress import TIMEOUT_MS
from tests.e2e.test_screenshots import shoot
from tests.live import start_celery_worker
from tests.memories.test_exports_live import ingested_memories

pytestmark = pytest.mark.live

COUNT = 30


@pytest.fixture
def live_postgres_env(live_postgres_env, settings, tmp_path) -> dict[str, str]:
    """The servers and this test read and write the same export folder."""
    settings.EXPORT_DIR = tmp_path / "exports"
    return {**live_postgres_env, "EXPORT_DIR": str(settings.EXPORT_DIR)}


def test_it_exports_from_the_project_page_follows_it_live_and_downloads(
    logged_in_page, live_postgres_env, member_project, tmp_path
):
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    page, project = logged_in_page, member_project["project"]
    project.name = "Acme research"
    project.save(update_fields=["name"])
    ingested_memories(project, COUNT)
    Memory.objects.filter(project=project, title="Note 007").update(title="会议记录", tags=["中文"])

    page.goto(f"/project/{project.id}/")
    page.get_by_role("link", name="Export…").click()
    expect(page.get_by_role("heading", name="Export memories")).to_be_visible()
    page.get_by_label("Markdown: one file per memory, in a zip").check()
    page.get_by_role("button", name="Start export").click()

    # No worker yet: the page shows the export waiting, then follows it live once one starts.
    card = page.locator("#progress-card")
    expect(card.get_by_role("heading", name="Exporting memories")).to_be_visible()
    expect(card.locator("[data-message]")).to_have_text("Queued")
    with start_celery_worker(live_postgres_env):
        # When it completes, the card reloads the page, which offers the file.
        expect(page.get_by_role("heading", name="Export ready")).to_be_visible(timeout=TIMEOUT_MS)
    bar = page.get_by_role("progressbar", name="Export progress")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_text("100% Export completed")).to_be_visible()
    expect(page.get_by_text(f"{COUNT} memories,")).to_be_visible()
    task = TaskLog.objects.get(project=project, task_type="export_memories")
    assert task.status == "completed"
    shoot(page, folder, "export-ready", full_page=False)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download acme-research-").click()
    download = info.value
    assert download.suggested_filename == task.result["filename"]
    assert download.suggested_filename.startswith("acme-research-") and download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as archive:
        names = archive.namelist()
        chinese = next(name for name in names if "会议记录" in name)
        text = archive.read(chinese).decode("utf-8")
    assert len(names) == COUNT and all(name.startswith("acme-research/") for name in names)
    assert 'title: "会议记录"' in text and 'tags: ["中文"]' in text

    page.get_by_role("link", name="Start another export").click()
    row = page.get_by_role("row").filter(has_text="Markdown")
    expect(row).to_contain_text("completed")
    expect(row.get_by_role("link", name=task.result["filename"])).to_be_visible()
    page.get_by_label("JSON Lines: every field, to import into a project again").check()
    shoot(page, folder, "export", full_page=True)

    # JSON Lines, the same way, is read back by the import.
    with start_celery_worker(live_postgres_env):
        page.get_by_role("button", name="Start export").click()
        expect(page.get_by_role("heading", name="Export ready")).to_be_visible(timeout=TIMEOUT_MS)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download acme-research-").click()
    lines = Path(info.value.path()).read_text(encoding="utf-8").split("\n")[:-1]
    assert sorted(json.loads(line)["title"] for line in lines) == sorted(
        Memory.objects.filter(project=project).values_list("title", flat=True)
    )


def test_an_outsider_gets_no_export_page(open_page, member_project, make_user):
    page = open_page(make_user())
    page.goto(f"/project/{member_project['project'].id}/export/")
    expect(page.get_by_role("heading", name="This page does not exist")).to_be_visible()


def test_the_owner_deletes_the_project_after_typing_its_name(open_page, live_postgres_env, member_project, make_user):
    project, owner = member_project["project"], member_project["owner"]
    editor = make_user()
    project.memberships.create(user=editor, role="editor")
    ingested_memories(project, 5)

    # An editor sees no Delete button, and the page itself refuses them.
    page = open_page(editor)
    page.goto(f"/project/{project.id}/")
    expect(page.get_by_role("link", name="Export…")).to_be_visible()
    expect(page.get_by_role("link", name="Delete", exact=True)).to_have_count(0)
    page.goto(f"/project/{project.id}/delete/")
    expect(page.get_by_role("heading", name="You may not do this here")).to_be_visible()

    page = open_page(owner)
    page.goto(f"/project/{project.id}/")
    page.get_by_role("link", name="Delete", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("It cannot be undone.")
    page.get_by_label("Type the project's name to confirm").fill("Something else")
    page.get_by_role("button", name="Delete this project").click()
    expect(page.get_by_text(f"That is not this project's name; type “{project.name}” to delete it.")).to_be_visible()
    assert Project.objects.filter(pk=project.pk).exists()

    page.get_by_label("Type the project's name to confirm").fill(project.name)
    page.get_by_role("button", name="Delete this project").click()
    expect(page.locator("#progress-card").get_by_role("heading", name="Deleting the project")).to_be_visible()
    with start_celery_worker(live_postgres_env):
        # Done, the card takes the owner to their projects, where it is no more.
        page.wait_for_url("**/projects/", timeout=TIMEOUT_MS)
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    expect(page.get_by_role("link", name=project.name)).to_have_count(0)
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not Memory.objects.filter(project_id=project.pk).exists()
