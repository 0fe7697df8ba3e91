"""memory_update writes only what changes, and replaces the current task with a conditional update."""

from __future__ import annotations

from apps.memories import services
from apps.memories.models import Memory
from apps.tasks.models import Status


def test_it_saves_only_the_changed_fields_of_a_stale_memory(team, ingest, django_capture_on_commit_callbacks):
    memory = ingest(team["project"], team["owner"], content="Alice Chen works at Acme Corp.")
    stale = Memory.objects.get(pk=memory.pk)
    Memory.objects.filter(pk=memory.pk).update(processing_status=Status.FAILED)  # a worker, meanwhile

    services.memory_update(memory=stale, by=team["owner"], title="Renamed")

    memory.refresh_from_db()
    assert (memory.title, memory.processing_status) == ("Renamed", Status.FAILED)


def test_it_cancels_the_old_ingestion_and_starts_a_new_one(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        memory = services.memory_create(project=team["project"], author=team["owner"], title="T", content="Alice.")
    first = memory.current_task
    stale = Memory.objects.get(pk=memory.pk)

    with django_capture_on_commit_callbacks(execute=False):
        services.memory_update(memory=stale, by=team["owner"], content="Bob Stone.")

    memory.refresh_from_db()
    first.refresh_from_db()
    assert first.status == Status.CANCELLED
    assert memory.current_task_id != first.id
    assert memory.processing_status == memory.current_task.status == Status.PENDING


def test_an_edit_of_a_stale_memory_replaces_the_task_current_now(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        memory = services.memory_create(project=team["project"], author=team["owner"], title="T", content="Alice.")
        stale = Memory.objects.get(pk=memory.pk)
        services.memory_update(memory=memory, by=team["owner"], content="Bob Stone.")  # another edit wins
        services.memory_update(memory=stale, by=team["owner"], content="Carol Diaz.")

    memory.refresh_from_db()
    assert memory.content == "Carol Diaz."
    assert memory.processing_status == memory.current_task.status == Status.PENDING
    assert memory.current_task.payload["memory_id"] == str(memory.id)
