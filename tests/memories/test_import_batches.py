"""An import's ingestions, many to a worker call (apps.memories.imports.ingestion).

The Celery task runs here as the worker runs it, on real PostgreSQL; each
memory must still end with its own task row (status, result or error) and
be retried on its own. tests/memories/test_import_live.py runs it on real
workers.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.graph.extraction import get_extractor
from apps.graph.models import Entity, Mention
from apps.memories.imports import ingestion
from apps.memories.imports import services as import_services
from apps.memories.imports.tasks import ingest_batch
from apps.memories.models import Memory, content_hash
from apps.memories.tasks import ingest_memory
from apps.recall.models import Passage
from apps.tasks.models import Status, TaskLog, TaskStage
from apps.tasks.services import task_retry
from tests.memories.test_import import numbered, run_parent, start  # noqa: F401 - fixtures
from tests.tasks.test_services import events_of


@pytest.fixture
def imported(start, run_parent):  # noqa: F811
    """An import of `count` notes read by its parent: its children pending, handed over in batches."""

    def make(count: int, about: str = "Alice Chen") -> TaskLog:
        return run_parent(start(numbered(count).replace("Alice Chen", about)))

    return make


def children(task: TaskLog) -> list[TaskLog]:
    return list(task.children.order_by("created_at", "id"))


def test_it_ingests_a_batch_each_with_its_own_record(team, imported, django_capture_on_commit_callbacks):
    task = imported(6)
    kids = children(task)
    assert {child.status for child in kids} == {Status.PENDING}
    assert all(child.enqueued_at is not None for child in kids)  # handed to the broker in one message

    with django_capture_on_commit_callbacks(execute=True):
        ingest_batch([str(child.id) for child in kids])

    task.refresh_from_db()
    assert (task.status, task.message, task.result["children"]) == ("completed", "6 of 6 imported", {"completed": 6})
    for child in children(task):
        assert (child.status, child.progress, child.attempts) == ("completed", 100, 1)
        assert child.result["entities"] >= 1 and child.result["passages"] == 1
        memory = Memory.objects.get(pk=child.subject_id)
        assert memory.processing_status == "completed"
        assert Mention.objects.filter(memory=memory, entity__name="Alice Chen").exists()
        assert Passage.objects.filter(memory=memory).count() == 1
    # One Alice Chen for the whole import, mentioned by every note.
    assert Entity.objects.filter(project=team["project"], name="Alice Chen").get().mentions.count() == 6
    # The parent's stream hears of the batch once it ends, not of each child; no child stage is stored.
    assert not TaskStage.objects.filter(task__parent=task).exists()
    assert events_of(f"task-{task.id}")[-1][1]["message"] == "6 of 6 imported"


def test_a_failing_memory_fails_alone_and_can_be_retried_on_its_own(
    team, imported, monkeypatch, django_capture_on_commit_callbacks
):
    task = imported(4)
    kids = children(task)
    broken = Memory.objects.get(pk=kids[1].subject_id)
    extractor = type(get_extractor())
    real_extract = extractor.extract

    def extract(self, text, **kwargs):
        if text == broken.content:
            raise ValueError("this note cannot be read")
        return real_extract(self, text, **kwargs)

    monkeypatch.setattr(extractor, "extract", extract)
    with django_capture_on_commit_callbacks(execute=True):
        ingest_batch([str(child.id) for child in kids])

    states = {child.subject_id: (child.status, child.error) for child in children(task)}
    assert states.pop(str(broken.id)) == ("failed", "ValueError: this note cannot be read")
    assert set(states.values()) == {("completed", "")}
    broken.refresh_from_db()
    assert broken.processing_status == "failed" and not Mention.objects.filter(memory=broken).exists()
    task.refresh_from_db()
    assert task.result["children"] == {"completed": 3, "failed": 1}

    # Its retry is the single-memory flow, with every stage.
    monkeypatch.setattr(extractor, "extract", real_extract)
    with django_capture_on_commit_callbacks(execute=False):
        retry = task_retry(TaskLog.objects.get(pk=kids[1].pk), by=team["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        ingest_memory(str(retry.id))
    retry.refresh_from_db()
    broken.refresh_from_db()
    assert (retry.status, broken.processing_status, broken.current_task_id) == ("completed", "completed", retry.id)
    assert [stage.progress for stage in retry.stages.all()] == [10, 20, 30, 50, 75, 90]


def test_it_skips_children_cancelled_started_elsewhere_or_deleted(team, imported, django_capture_on_commit_callbacks):
    task = imported(4)
    cancelled, elsewhere, deleted, fine = children(task)
    TaskLog.objects.filter(pk=cancelled.pk).update(cancel_requested_at=timezone.now())
    TaskLog.objects.filter(pk=elsewhere.pk).update(status=Status.PROCESSING, attempts=1)
    Memory.objects.filter(pk=deleted.subject_id).delete()

    with django_capture_on_commit_callbacks(execute=True):
        ingest_batch([str(child.id) for child in (cancelled, elsewhere, deleted, fine)])

    statuses = dict(task.children.values_list("id", "status"))
    assert statuses[cancelled.id] == "pending"  # not started: its cancel is the canceller's to record
    assert statuses[elsewhere.id] == "processing"  # another attempt's: left alone
    assert statuses[fine.id] == "completed"
    assert TaskLog.objects.get(pk=deleted.pk).error == ingestion.GONE


def test_a_replaced_attempt_writes_nothing(team, imported, monkeypatch, django_capture_on_commit_callbacks):
    task = imported(2)
    kids = children(task)
    real_extract = ingestion.graph.episodes_extract

    def taken_for_dead_meanwhile(**kwargs):
        extracted = real_extract(**kwargs)
        # The sweeper requeued the first child and another worker started it again.
        TaskLog.objects.filter(pk=kids[0].pk).update(attempts=2)
        return extracted

    monkeypatch.setattr(ingestion.graph, "episodes_extract", taken_for_dead_meanwhile)
    with django_capture_on_commit_callbacks(execute=True):
        ingest_batch([str(child.id) for child in kids])

    first, second = (TaskLog.objects.get(pk=child.pk) for child in kids)
    assert (first.status, first.attempts, first.result) == ("processing", 2, None)
    assert not Mention.objects.filter(memory_id=first.subject_id).exists()
    assert second.status == "completed"


def test_the_statements_of_a_batch_do_not_grow_with_each_memory(imported, django_capture_on_commit_callbacks):
    def statements(count: int, about: str) -> int:
        task = imported(count, about)
        ids = [str(child.id) for child in children(task)]
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            ingest_batch(ids)
        assert set(task.children.values_list("status", flat=True)) == {"completed"}
        return len(queries)

    # A memory's own graph work remains (a savepoint, its candidate entities and
    # the aliases of its names, their type support, its entities, mentions,
    # relationships); the rest is paid once per batch. 14.05 when last changed.
    per_memory = (statements(21, "Bob Stone") - statements(1, "Carol Diaz")) / 20
    assert per_memory <= 15, per_memory


@pytest.mark.django_db(transaction=True)
def test_content_added_meanwhile_is_a_duplicate_not_an_error(team, start, run_parent, monkeypatch):  # noqa: F811
    task = start(numbered(3))
    real_create = import_services.ingestion_tasks_create

    def someone_adds_note_2_meanwhile(memories, **kwargs):
        # Another request commits the same content between the duplicate check and the insert.
        def other_request():
            Memory.objects.create(
                project_id=team["project"].id, title="Meanwhile", content="Note number 2 mentions Alice Chen.",
                content_hash=content_hash("Note number 2 mentions Alice Chen."),
            )  # fmt: skip
            connection.close()

        thread = threading.Thread(target=other_request)
        thread.start()
        thread.join()
        monkeypatch.setattr(import_services, "ingestion_tasks_create", real_create)
        return real_create(memories, **kwargs)

    monkeypatch.setattr(import_services, "ingestion_tasks_create", someone_adds_note_2_meanwhile)
    task = run_parent(task)

    meanwhile = Memory.objects.get(title="Meanwhile")
    outcomes = list(task.import_items.order_by("position").values_list("outcome", "existing_memory_id"))
    assert outcomes == [("created", None), ("duplicate", meanwhile.id), ("created", None)]
    assert task.result == {"total": 3, "created": 2, "duplicates": 1, "rejected": 0}
    assert task.children.count() == 2 and task.expected_children == 2
