"""The trash: deleting a memory withdraws it everywhere at once; restore brings it and its graph back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from apps.graph.models import Entity, Mention
from apps.memories import services
from apps.memories.models import Memory
from apps.memories.tasks import ingest_memory
from apps.recall.models import Passage
from apps.tasks.models import TaskLog
from apps.tasks.reporter import ProgressReporter, TaskCancelled

ALICE = "Alice Chen works at Acme Corp."
BOB = "Bob Smith works at Acme Corp. Bob Smith lives in Paris."


def names(project) -> list[str]:
    return sorted(Entity.objects.filter(project=project).values_list("name", flat=True))


def run_ingestion(memory: Memory, django_capture_on_commit_callbacks) -> None:
    memory.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        ingest_memory(str(memory.current_task_id))


def test_it_withdraws_a_trashed_memory_from_lists_search_and_graph(team, ingest, api_client_for):
    ingest(team["project"], team["editor"], title="A", content=ALICE)
    bob = ingest(team["project"], team["editor"], title="B", content=BOB)
    assert "Bob Smith" in names(team["project"]) and Passage.objects.filter(memory=bob).exists()

    services.memory_trash(memory=bob, by=team["editor"])

    assert names(team["project"]) == ["Acme Corp", "Alice Chen"]
    assert not Mention.objects.filter(memory_id=bob.id).exists()
    assert not Passage.objects.filter(memory_id=bob.id).exists()
    assert list(Memory.objects.values_list("title", flat=True)) == ["A"]
    trashed = Memory.all_objects.get(pk=bob.id)
    assert trashed.deleted_at is not None and trashed.deleted_by == team["editor"]
    client = api_client_for(team["viewer"])
    assert client.get(f"/api/v1/memories/{bob.id}/").status_code == 404
    assert [m["title"] for m in client.get("/api/v1/memories/").json()["results"]] == ["A"]
    found = client.get(f"/api/v1/projects/{team['project'].id}/search/", {"q": "Bob Smith Paris"}).json()
    assert all(result["memory"]["id"] != str(bob.id) for result in found["results"])


def test_it_restores_a_memory_with_its_graph_and_passages(team, ingest, django_capture_on_commit_callbacks):
    bob = ingest(team["project"], team["editor"], title="B", content=BOB)
    services.memory_trash(memory=bob, by=team["editor"])
    assert names(team["project"]) == []

    with django_capture_on_commit_callbacks(execute=False):
        task = services.memory_restore(memory=bob, by=team["owner"])
    bob.refresh_from_db()
    assert (bob.deleted_at, bob.current_task_id, bob.processing_status) == (None, task.id, "pending")
    run_ingestion(bob, django_capture_on_commit_callbacks)

    bob.refresh_from_db()
    assert bob.processing_status == "completed"
    assert names(team["project"]) == ["Acme Corp", "Bob Smith", "Paris"]
    assert Passage.objects.filter(memory=bob).exists()


def test_it_adds_trashed_content_again_and_then_refuses_the_restore(team, ingest, django_capture_on_commit_callbacks):
    first = ingest(team["project"], team["editor"], title="First", content=ALICE)
    services.memory_trash(memory=first, by=team["editor"])
    again = ingest(team["project"], team["editor"], title="Again", content=ALICE)

    with pytest.raises(services.DuplicateMemory) as refused:
        services.memory_restore(memory=first, by=team["editor"])
    assert refused.value.existing == again
    assert Memory.all_objects.get(pk=first.pk).deleted_at is not None


def test_it_refuses_a_restore_while_the_stopped_ingestion_is_still_running(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        memory = services.memory_create(project=team["project"], author=team["editor"], title="T", content=ALICE)
    memory.current_task.mark_started(worker="test")
    services.memory_trash(memory=memory, by=team["editor"])
    assert TaskLog.objects.get(pk=memory.current_task_id).cancel_requested_at is not None

    with pytest.raises(services.RestoreRefused, match="still stopping"):
        services.memory_restore(memory=memory, by=team["editor"])


class TrashAt(ProgressReporter):
    """A real reporter whose memory is put in the trash right after stage `at` passed its own check."""

    def __init__(self, task: TaskLog, memory: Memory, by, at: int) -> None:
        super().__init__(task)
        self.memory, self.by, self.at = memory, by, at

    def stage(self, progress: int, message: str) -> None:
        super().stage(progress, message)
        if progress == self.at:
            services.memory_trash(memory=self.memory, by=self.by)


@pytest.mark.parametrize("at", [30, 50, 75, 90])
def test_an_ingestion_running_when_its_memory_is_trashed_leaves_nothing(team, ingest, at):
    ingest(team["project"], team["editor"], title="A", content=ALICE)
    memory = services.memory_create(project=team["project"], author=team["editor"], title="B", content=BOB)
    task = memory.current_task
    task.mark_started(worker="test")

    # Up to the graph's last write the run is stopped; at 90 (recall) it finds no live memory to index.
    try:
        result = services.memory_ingest(task, TrashAt(task, memory, team["editor"], at))
    except TaskCancelled:
        assert at < 90
    else:
        assert at == 90 and result["passages"] == 0

    assert not Mention.objects.filter(memory_id=memory.id).exists()
    assert not Passage.objects.filter(memory_id=memory.id).exists()
    assert names(team["project"]) == ["Acme Corp", "Alice Chen"]


def test_an_ingestion_of_a_trashed_memory_fails_readably(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        memory = services.memory_create(project=team["project"], author=team["editor"], title="T", content=BOB)
    task = memory.current_task
    task.mark_started(worker="test")
    Memory.objects.filter(pk=memory.pk).update(deleted_at=timezone.now())  # as if trashed with no cancel seen

    with pytest.raises(services.MemoryGone, match="in the trash"):
        services.memory_ingest(task, ProgressReporter(task))
    assert not Mention.objects.filter(memory_id=memory.id).exists()


def test_it_empties_a_projects_trash_only(team, ingest, make_project):
    keep = ingest(team["project"], team["editor"], title="Keep", content=ALICE)
    gone = ingest(team["project"], team["editor"], title="Gone", content=BOB)
    theirs = make_project(team["outsider"], name="Theirs")
    other = ingest(theirs, team["outsider"], title="Theirs", content=BOB)
    services.memory_trash(memory=gone, by=None)
    services.memory_trash(memory=other, by=None)

    assert services.trash_empty(project=team["project"]) == 1
    assert not Memory.all_objects.filter(pk=gone.pk).exists()
    assert Memory.all_objects.filter(pk=other.pk).exists() and Memory.objects.filter(pk=keep.pk).exists()


@override_settings(MEMORY_TRASH_DAYS=30)
def test_it_purges_what_was_trashed_longer_ago_than_the_retention(team, ingest):
    old = ingest(team["project"], team["editor"], title="Old", content=ALICE)
    recent = ingest(team["project"], team["editor"], title="Recent", content=BOB)
    services.memory_trash(memory=old, by=None)
    services.memory_trash(memory=recent, by=None)
    Memory.all_objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))

    assert services.trash_purge() == 1
    assert list(Memory.all_objects.values_list("title", flat=True)) == ["Recent"]


def test_the_api_delete_moves_to_the_trash(api_client_for, team, ingest):
    memory = ingest(team["project"], team["editor"], content=BOB)
    client = api_client_for(team["editor"])
    assert client.delete(f"/api/v1/memories/{memory.id}/").status_code == 204
    assert client.get(f"/api/v1/memories/{memory.id}/").status_code == 404
    assert Memory.all_objects.get(pk=memory.pk).deleted_by == team["editor"]
    assert names(team["project"]) == []


# --- pages ---------------------------------------------------------------------------


def delete_url(memory: Memory) -> str:
    return reverse("memories:delete", args=[memory.project_id, memory.id])


@pytest.mark.parametrize(("who", "status"), [("owner", 200), ("editor", 200), ("viewer", 403), ("outsider", 404)])
def test_it_asks_before_deleting(client, team, ingest, who, status):
    memory = ingest(team["project"], team["editor"], content=ALICE)
    client.force_login(team[who])
    response = client.get(delete_url(memory))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Move to trash" in page and "restore it from the trash for 30 days" in page
    assert Memory.objects.filter(pk=memory.pk).exists()


@pytest.mark.parametrize(("who", "status"), [("owner", 302), ("editor", 302), ("viewer", 403), ("outsider", 404)])
def test_it_moves_to_the_trash_on_post(client, team, ingest, who, status):
    memory = ingest(team["project"], team["editor"], content=ALICE)
    client.force_login(team[who])
    response = client.post(delete_url(memory))
    assert response.status_code == status
    assert Memory.objects.filter(pk=memory.pk).exists() == (status != 302)
    if status == 302:
        page = client.get(response.url).content.decode()
        assert "to the <a href=" in page and "trash</a>" in page
        assert client.get(reverse("memories:detail", args=[memory.project_id, memory.id])).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("owner", 200), ("viewer", 200), ("outsider", 404)])
def test_it_lists_the_trash_to_members(client, team, ingest, who, status):
    memory = ingest(team["project"], team["editor"], title="Binned", content=ALICE)
    services.memory_trash(memory=memory, by=team["editor"])
    client.force_login(team[who])
    response = client.get(reverse("memories:trash", args=[team["project"].id]))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Binned" in page and "editor" in page
        assert ("Restore" in page) == (who == "owner")


@pytest.mark.parametrize(("who", "status"), [("editor", 302), ("viewer", 403), ("outsider", 404)])
def test_it_restores_from_the_trash_page(client, team, ingest, who, status, django_capture_on_commit_callbacks):
    memory = ingest(team["project"], team["editor"], title="Binned", content=ALICE)
    services.memory_trash(memory=memory, by=team["editor"])
    client.force_login(team[who])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("memories:trash-restore", args=[team["project"].id, memory.id]))
    assert response.status_code == status
    assert Memory.objects.filter(pk=memory.pk).exists() == (status == 302)
    if status == 302:
        assert response.url == reverse("memories:detail", args=[team["project"].id, memory.id])
        page = client.get(response.url).content.decode()
        assert "it is being ingested again" in page and 'role="progressbar"' in page


def test_a_restore_refused_says_why(client, team, ingest):
    first = ingest(team["project"], team["editor"], title="First", content=ALICE)
    services.memory_trash(memory=first, by=team["editor"])
    ingest(team["project"], team["editor"], title="Again", content=ALICE)
    client.force_login(team["editor"])
    response = client.post(reverse("memories:trash-restore", args=[team["project"].id, first.id]), follow=True)
    page = response.content.decode()
    assert "“First” cannot come back" in page and "Again" in page and "Delete one of the two first" in page


@pytest.mark.parametrize(("who", "status"), [("editor", 302), ("viewer", 403), ("outsider", 404)])
def test_it_empties_the_trash_after_asking(client, team, ingest, who, status):
    memory = ingest(team["project"], team["editor"], title="Binned", content=ALICE)
    services.memory_trash(memory=memory, by=team["editor"])
    client.force_login(team[who])
    url = reverse("memories:trash-empty", args=[team["project"].id])
    asked = client.get(url)
    assert asked.status_code == (200 if status == 302 else status)
    if status == 302:
        assert "1 memory will be deleted forever" in asked.content.decode()
    assert client.post(url).status_code == status
    assert Memory.all_objects.filter(pk=memory.pk).exists() == (status != 302)


@pytest.mark.parametrize(("who", "status"), [("editor", 302), ("viewer", 403), ("outsider", 404)])
def test_it_deletes_one_memory_forever_after_asking(client, team, ingest, who, status):
    memory = ingest(team["project"], team["editor"], title="Binned", content=ALICE)
    services.memory_trash(memory=memory, by=team["editor"])
    client.force_login(team[who])
    url = reverse("memories:trash-delete", args=[team["project"].id, memory.id])
    asked = client.get(url)
    assert asked.status_code == (200 if status == 302 else status)
    if status == 302:
        assert "Delete “Binned” forever?" in asked.content.decode()
    assert client.post(url).status_code == status
    assert Memory.all_objects.filter(pk=memory.pk).exists() == (status != 302)


def test_a_live_memory_is_not_in_the_trash(client, team, ingest):
    memory = ingest(team["project"], team["editor"], content=ALICE)
    client.force_login(team["editor"])
    url = reverse("memories:trash-restore", args=[team["project"].id, memory.id])
    assert client.post(url).status_code == 404


def test_beat_purges_the_trash_every_hour(team, ingest, settings):
    from apps.memories.tasks import purge_memory_trash

    assert settings.CELERY_BEAT_SCHEDULE["purge-memory-trash"] == {
        "task": "memstack.purge_memory_trash",
        "schedule": 3600,
    }
    memory = ingest(team["project"], team["editor"], title="Old", content=ALICE)
    services.memory_trash(memory=memory, by=None)
    Memory.all_objects.filter(pk=memory.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    assert purge_memory_trash() == 1
    assert not Memory.all_objects.exists()


def test_a_delete_forever_spares_a_memory_restored_meanwhile(team, ingest, django_capture_on_commit_callbacks):
    memory = ingest(team["project"], team["editor"], title="Back", content=ALICE)
    services.memory_trash(memory=memory, by=None)
    stale = Memory.all_objects.select_related("project", "current_task").get(pk=memory.pk)  # as the trash page saw it
    with django_capture_on_commit_callbacks(execute=False):
        services.memory_restore(memory=memory, by=team["editor"])

    assert services.trash_delete(memory=stale) is False
    assert Memory.objects.filter(pk=memory.pk).exists()
