"""Editing a memory from its page, and the history of its earlier versions."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from apps.memories import services
from apps.memories.models import Memory, MemoryVersion

ALICE = "Alice Chen works at Acme Corp."
BOB = "Bob Smith works at Acme Corp. Bob Smith lives in Paris."


def edit_url(memory: Memory) -> str:
    return reverse("memories:edit", args=[memory.project_id, memory.id])


def form_of(memory: Memory, **changes) -> dict:
    fields = {
        "title": memory.title,
        "content": memory.content,
        "content_type": memory.content_type,
        "tags": ", ".join(memory.tags),
        "source_description": memory.source_description,
        "valid_at": memory.valid_at.strftime("%Y-%m-%dT%H:%M"),
    }
    return {**fields, **changes}


def test_the_update_service_records_the_earlier_version(team, ingest, django_capture_on_commit_callbacks):
    memory = ingest(team["project"], team["editor"], title="First", content=ALICE, tags=["work"])
    with django_capture_on_commit_callbacks(execute=False):
        services.memory_update(memory=memory, by=team["owner"], title="Second", content=BOB)
    version = MemoryVersion.objects.get()
    assert (version.title, version.content, version.tags, version.replaced_by) == (
        "First",
        ALICE,
        ["work"],
        team["owner"],
    )
    assert (memory.title, memory.content) == ("Second", BOB)


def test_an_unchanged_save_records_no_version(team, ingest):
    memory = ingest(team["project"], team["editor"], title="First", content=ALICE)
    services.memory_update(memory=memory, by=team["owner"], title="First", content=ALICE)
    assert not MemoryVersion.objects.exists()


def test_the_api_patch_records_a_version(api_client_for, team, ingest, django_capture_on_commit_callbacks):
    memory = ingest(team["project"], team["editor"], title="First", content=ALICE)
    with django_capture_on_commit_callbacks(execute=False):
        response = api_client_for(team["editor"]).patch(
            f"/api/v1/memories/{memory.id}/", {"content": BOB}, format="json"
        )
    assert response.status_code == 200
    assert list(MemoryVersion.objects.values_list("content", flat=True)) == [ALICE]


def test_a_refused_edit_records_no_version(team, ingest):
    memory = ingest(team["project"], team["editor"], title="First", content=ALICE)
    ingest(team["project"], team["editor"], title="Other", content=BOB)
    with pytest.raises(services.DuplicateMemory):
        services.memory_update(memory=memory, by=team["owner"], content=BOB)
    assert not MemoryVersion.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("owner", 200), ("editor", 200), ("viewer", 403), ("outsider", 404)])
def test_it_shows_the_edit_form_to_editors(client, team, ingest, who, status):
    memory = ingest(team["project"], team["editor"], title="First", content=ALICE, tags=["work", "team"])
    client.force_login(team[who])
    response = client.get(edit_url(memory))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert 'value="First"' in page and ALICE in page and 'value="work, team"' in page


@pytest.mark.parametrize(("who", "status"), [("editor", 302), ("viewer", 403), ("outsider", 404)])
def test_it_saves_a_new_title_without_ingesting_again(client, team, ingest, who, status):
    memory = ingest(team["project"], team["editor"], title="First", content=ALICE)
    client.force_login(team[who])
    response = client.post(edit_url(memory), form_of(memory, title="Renamed"))
    assert response.status_code == status
    fresh = Memory.objects.get(pk=memory.pk)
    assert fresh.title == ("Renamed" if status == 302 else "First")
    assert fresh.current_task_id == memory.current_task_id
    if status == 302:
        page = client.get(response.url).content.decode()
        assert "Saved." in page and "Renamed" in page and "completed" in page


def test_new_content_is_ingested_again_with_the_progress_card(client, team, ingest, django_capture_on_commit_callbacks):
    memory = ingest(team["project"], team["editor"], title="First", content=ALICE)
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(edit_url(memory), form_of(memory, content=BOB))
    assert response.status_code == 302
    fresh = Memory.objects.get(pk=memory.pk)
    assert fresh.current_task_id != memory.current_task_id and fresh.processing_status == "pending"
    page = client.get(response.url).content.decode()
    assert "the new version is being ingested" in page
    assert 'role="progressbar"' in page and str(fresh.current_task_id) in page


@override_settings(MEMORY_MAX_CONTENT_CHARS=40)
def test_it_refuses_content_over_the_limit_with_the_create_message(client, team, ingest):
    memory = ingest(team["project"], team["editor"], title="First", content=ALICE)
    client.force_login(team["editor"])
    too_long = "x" * 41
    response = client.post(edit_url(memory), form_of(memory, content=too_long))
    assert response.status_code == 200
    assert services.content_too_long(too_long) in response.content.decode()
    assert Memory.objects.get(pk=memory.pk).content == ALICE and not MemoryVersion.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"title": ""}, "This field is required."), ({"valid_at": "soon"}, "Enter a valid date/time.")],
)
def test_it_shows_field_errors(client, team, ingest, changes, message):
    memory = ingest(team["project"], team["editor"], title="First", content=ALICE)
    client.force_login(team["editor"])
    response = client.post(edit_url(memory), form_of(memory, **changes))
    assert response.status_code == 200 and message in response.content.decode()


def test_a_duplicate_edit_points_to_the_other_memory(client, team, ingest):
    memory = ingest(team["project"], team["editor"], title="First", content=ALICE)
    other = ingest(team["project"], team["editor"], title="Other", content=BOB)
    client.force_login(team["editor"])
    page = client.post(edit_url(memory), form_of(memory, content=BOB)).content.decode()
    assert "already in this project" in page and reverse("memories:detail", args=[other.project_id, other.id]) in page


def test_the_memory_page_lists_its_history_and_a_version_shows_its_content(
    client, team, ingest, django_capture_on_commit_callbacks
):
    memory = ingest(team["project"], team["editor"], title="First", content=ALICE)
    with django_capture_on_commit_callbacks(execute=False):
        services.memory_update(memory=memory, by=team["editor"], title="Second", content=BOB)
    version = MemoryVersion.objects.get()
    client.force_login(team["viewer"])
    page = client.get(reverse("memories:detail", args=[memory.project_id, memory.id])).content.decode()
    version_url = reverse("memories:version", args=[memory.project_id, memory.id, version.id])
    assert "History" in page and version_url in page and "First" in page
    shown = client.get(version_url).content.decode()
    assert ALICE in shown and "An earlier version" in shown and "Restore this version" not in shown
    client.force_login(team["outsider"])
    assert client.get(version_url).status_code == 404


def test_it_restores_an_earlier_version_as_a_new_edit(client, team, ingest, django_capture_on_commit_callbacks):
    memory = ingest(team["project"], team["editor"], title="First", content=ALICE)
    with django_capture_on_commit_callbacks(execute=False):
        services.memory_update(memory=memory, by=team["editor"], title="Second", content=BOB)
    version = MemoryVersion.objects.get()
    url = reverse("memories:version-restore", args=[memory.project_id, memory.id, version.id])
    client.force_login(team["viewer"])
    assert client.post(url).status_code == 403
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(url).status_code == 302
    fresh = Memory.objects.get(pk=memory.pk)
    assert (fresh.title, fresh.content) == ("First", ALICE)
    assert list(MemoryVersion.objects.order_by("replaced_at").values_list("title", flat=True)) == ["First", "Second"]
