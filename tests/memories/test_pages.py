from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from apps.memories.models import Memory
from apps.tasks.models import TaskLog

FORM = {
    "title": "Standup",
    "content": "Alice Chen works at Acme Corp.",
    "content_type": "text",
    "tags": "work, team",
    "source_description": "",
    "valid_at": "",
}


def test_it_saves_without_javascript_and_shows_the_memory(client, team, django_capture_on_commit_callbacks):
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("memories:create", args=[team["project"].id]), FORM)
    memory = Memory.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("memories:detail", args=[team["project"].id, memory.id])
    page = client.get(response.url).content.decode()
    assert "Standup" in page and "pending" in page and 'role="progressbar"' in page
    assert memory.tags == ["work", "team"]


def test_it_answers_the_page_script_with_the_task_links(client, team, django_capture_on_commit_callbacks):
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("memories:create", args=[team["project"].id]), FORM, HTTP_X_REQUESTED_WITH="fetch"
        )
    assert response.status_code == 201
    body = response.json()
    memory = Memory.objects.get()
    assert body["task_id"] == str(memory.current_task_id)
    assert body["stream_url"] == f"/api/v1/tasks/{memory.current_task_id}/stream"
    assert body["list_url"] == reverse("memories:list", args=[team["project"].id])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"content": "   "}, "This field is required."),
        ({"valid_at": "soon"}, "Enter a valid date/time."),
    ],
)
def test_it_shows_field_errors(client, team, changes, message):
    client.force_login(team["editor"])
    response = client.post(reverse("memories:create", args=[team["project"].id]), {**FORM, **changes})
    assert response.status_code == 200
    assert message in response.content.decode()
    script = client.post(
        reverse("memories:create", args=[team["project"].id]), {**FORM, **changes}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert script.status_code == 400 and message in script.json()["form_html"]
    assert not Memory.objects.exists()


@override_settings(MEMORY_MAX_CONTENT_CHARS=10)
def test_it_shows_the_content_limit_as_an_error_of_the_content_field(client, team):
    client.force_login(team["editor"])
    response = client.post(reverse("memories:create", args=[team["project"].id]), FORM)
    message = f"Content is {len(FORM['content']):,} characters; the limit is 10. Nothing was saved. Split it into several memories; the Import page takes many at once (a JSON Lines file, or one text file per part)."
    assert response.status_code == 200
    assert response.context["form"].errors["content"] == [message]
    assert message in response.content.decode()
    assert not Memory.objects.exists()


def test_it_shows_a_duplicate_as_a_field_error_with_a_link(client, team, django_capture_on_commit_callbacks):
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("memories:create", args=[team["project"].id]), FORM)
    response = client.post(reverse("memories:create", args=[team["project"].id]), {**FORM, "title": "Again"})
    existing = Memory.objects.get()
    assert "The same content is already in this project" in response.content.decode()
    assert reverse("memories:detail", args=[team["project"].id, existing.id]) in response.content.decode()


@pytest.mark.parametrize("who", ["owner", "editor", "viewer", "outsider", "anonymous"])
def test_it_applies_project_access_to_pages(client, team, who, django_capture_on_commit_callbacks):
    owner = client
    owner.force_login(team["owner"])
    with django_capture_on_commit_callbacks(execute=False):
        owner.post(reverse("memories:create", args=[team["project"].id]), FORM)
    memory = Memory.objects.get()
    owner.logout()
    if who != "anonymous":
        client.force_login(team[who])
    listing = client.get(reverse("memories:list", args=[team["project"].id]))
    detail = client.get(reverse("memories:detail", args=[team["project"].id, memory.id]))
    new = client.get(reverse("memories:create", args=[team["project"].id]))
    expect_read = {"outsider": 404, "anonymous": 302}.get(who, 200)
    assert (listing.status_code, detail.status_code) == (expect_read, expect_read)
    assert new.status_code == {"viewer": 403, "outsider": 404, "anonymous": 302}.get(who, 200)


def test_it_lists_memories_with_their_live_stream(client, team, ingest):
    ingest(team["project"], team["editor"], title="Done one", content="Alice Chen works at Acme Corp.")
    client.force_login(team["viewer"])
    page = client.get(reverse("memories:list", args=[team["project"].id])).content.decode()
    assert "Done one" in page and "completed" in page
    assert f'data-stream="/api/v1/projects/{team["project"].id}/stream"' in page
    assert f'data-last-event-id="project-{team["project"].id}:' in page


def test_it_shows_extracted_entities_on_the_memory_page(client, team, ingest):
    memory = ingest(team["project"], team["editor"], title="Team", content="Alice Chen works at Acme Corp.")
    client.force_login(team["viewer"])
    page = client.get(reverse("memories:detail", args=[team["project"].id, memory.id])).content.decode()
    assert "Alice Chen" in page and "Acme Corp" in page and "WORKS_AT" in page
    assert "Episode ingestion completed" in page


def test_it_cancels_an_ingestion_from_the_list(client, team, django_capture_on_commit_callbacks):
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("memories:create", args=[team["project"].id]), FORM)
    memory = Memory.objects.get()
    list_url = reverse("memories:list", args=[team["project"].id])
    assert 'aria-label="Cancel ingesting Standup"' in client.get(list_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tasks:cancel", args=[memory.current_task_id]), {"next": list_url}, follow=True)
    assert response.redirect_chain[-1][0] == list_url
    assert "The task was cancelled." in response.content.decode()
    assert Memory.objects.get().processing_status == "cancelled"
    client.force_login(team["viewer"])
    assert "Cancel ingesting" not in client.get(list_url).content.decode()


# -- long content, live rows, links and buttons (issue: pages people live in) -------------------


def test_it_refuses_content_over_the_limit_whole_and_says_what_to_do(client, team):
    client.force_login(team["editor"])
    url = reverse("memories:create", args=[team["project"].id])
    form = client.get(url).content.decode()
    assert "maxlength" not in form.split('name="content"')[1].split(">")[0]  # the browser never cuts a paste
    assert "At most 100,000 characters." in form
    response = client.post(url, {**FORM, "content": "x" * 200_000})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Content is 200,000 characters; the limit is 100,000. Nothing was saved." in page
    assert "Split it into several memories; the Import page takes many at once" in page
    script = client.post(url, {**FORM, "content": "x" * 200_000}, HTTP_X_REQUESTED_WITH="fetch")
    assert script.status_code == 400 and "the limit is 100,000" in script.json()["form_html"]
    assert not Memory.objects.exists()


def test_it_renders_the_row_of_a_memory_added_after_the_list(client, team, django_capture_on_commit_callbacks):
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("memories:create", args=[team["project"].id]), FORM)
    memory = Memory.objects.get()
    url = reverse("memories:row", args=[team["project"].id, memory.current_task_id])
    row = client.get(url, {"next": f"/project/{team['project'].id}/memories/"}).content.decode()
    assert row.startswith("<tr") and f'data-memory-id="{memory.id}"' in row and "Standup" in row
    assert 'aria-label="Cancel ingesting Standup"' in row
    assert client.get(url, {"status": "completed"}).status_code == 204  # the list's filter leaves it out
    assert client.get(url, {"status": "pending"}).status_code == 200
    client.force_login(team["outsider"])
    assert client.get(url).status_code == 404


def test_a_memory_list_listens_for_new_rows_even_when_empty(client, team):
    client.force_login(team["viewer"])
    page = client.get(reverse("memories:list", args=[team["project"].id])).content.decode()
    assert "No memories yet." in page and "data-add-rows" in page and 'data-task-types="ingest_memory"' in page


def test_the_memory_page_links_its_entities_and_its_tasks(client, team, ingest):
    memory = ingest(team["project"], team["editor"], title="Team", content="Alice Chen works at Acme Corp.")
    client.force_login(team["viewer"])
    page = client.get(reverse("memories:detail", args=[team["project"].id, memory.id])).content.decode()
    for entity in memory.mentions.select_related("entity"):
        url = reverse("graph:entity", args=[team["project"].id, entity.entity_id])
        assert f'<a href="{url}">{entity.entity.name}</a>' in page
    assert f'href="{reverse("tasks:detail", args=[memory.current_task_id])}"' in page
    history = page[page.index("Task history") :]
    assert re.search(r"Episode ingestion completed: 2 entities, 1 relationship\b", history), history


@pytest.mark.parametrize("status", ["failed", "cancelled"])
def test_a_failed_or_cancelled_memory_offers_a_retry_that_comes_back(
    client, team, status, django_capture_on_commit_callbacks
):
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("memories:create", args=[team["project"].id]), FORM)
    memory = Memory.objects.get()
    TaskLog.objects.filter(pk=memory.current_task_id).update(status=status, error="Boom" if status == "failed" else "")
    Memory.objects.filter(pk=memory.pk).update(processing_status=status)
    url = reverse("memories:detail", args=[team["project"].id, memory.id])
    page = client.get(url).content.decode()
    assert 'data-show-for="failed cancelled">' in page and "Retry ingestion" in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("tasks:retry", args=[memory.current_task_id]), {"next": url}, follow=True)
    assert response.redirect_chain[-1][0] == url
    memory.refresh_from_db()
    assert memory.processing_status == "pending" and memory.current_task.retry_of_id is not None
    page = response.content.decode()
    assert "A new attempt was started." in page and 'data-show-for="failed cancelled" hidden>' in page


def test_a_processing_memory_hides_its_retry_until_it_fails(client, team, django_capture_on_commit_callbacks):
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("memories:create", args=[team["project"].id]), FORM)
    memory = Memory.objects.get()
    page = client.get(reverse("memories:detail", args=[team["project"].id, memory.id])).content.decode()
    assert f'data-follow-task="{memory.current_task_id}" data-show-for="failed cancelled" hidden>' in page
    assert 'data-status="pending"' in page and "Waiting for a worker to start it" in page
