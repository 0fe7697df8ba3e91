"""The graph's ingestion entry points: episode_ingest (stages 20 to 75, rollback) and episode_remove."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.graph import services as graph
from apps.graph.models import Community, Entity, Mention, Relationship
from apps.memories.models import Memory, content_hash
from apps.tasks.models import TaskLog
from apps.tasks.reporter import ProgressReporter, TaskCancelled, TaskSuperseded
from apps.tasks.services import task_request_cancel
from tests.concurrency import DatabaseThread, transaction_held_open

ALICE = "Alice Chen works at Acme Corp."
BOB = "Bob Smith works at Acme Corp. Bob Smith lives in Paris."


class CancelAt(ProgressReporter):
    """A real reporter on a real task, whose user asks it to stop just before stage `at` is reported."""

    def __init__(self, task: TaskLog, at: int | None) -> None:
        super().__init__(task)
        self.at = at

    def stage(self, progress: int, message: str) -> None:
        if progress == self.at:
            task_request_cancel(self.task)
        super().stage(progress, message)


def episode_of(project, content: str) -> graph.Episode:
    memory = Memory.objects.create(
        project=project,
        title=content[:20],
        content=content,
        content_hash=content_hash(content),
        valid_at=timezone.now(),
    )
    return graph.Episode(memory_id=memory.id, text=content, content_type="text", valid_at=memory.valid_at)


def reporter_for(project, *, cancel_at: int | None = None) -> CancelAt:
    task = TaskLog.objects.create(project=project, task_type="ingest_memory")
    task.mark_started(worker="test")
    return CancelAt(task, cancel_at)


def graph_of(project) -> tuple[list, list, list]:
    return (
        sorted(Entity.objects.filter(project=project).values_list("name", flat=True)),
        sorted(
            Relationship.objects.filter(project=project).values_list("source__name", "name", "target__name", "episodes")
        ),
        sorted(Community.objects.filter(project=project).values_list("name", "member_count")),
    )


def test_it_reports_its_stages_and_what_it_changed(team):
    project = team["project"]
    reporter = reporter_for(project)

    ingested = graph.episode_ingest(project=project, episode=episode_of(project, ALICE), reporter=reporter)

    assert ingested == graph.EpisodeIngested(
        entities=2,
        relationships=1,
        invalidated_relationships=0,
        new_entity_types=0,
        new_edge_types=1,
        communities_touched=1,
    )
    assert [(s.progress, s.message) for s in reporter.task.stages.all()] == [
        (20, "Loading schema..."),
        (30, "Extracting entities and relationships..."),
        (50, "Syncing schema..."),
        (75, "Updating communities..."),
    ]


@pytest.mark.parametrize(("cancel_at", "stages"), [(30, [20]), (50, [20, 30]), (75, [20, 30, 50])])
def test_it_leaves_the_graph_as_it_was_when_cancelled(team, cancel_at, stages):
    project = team["project"]
    graph.episode_ingest(project=project, episode=episode_of(project, ALICE), reporter=reporter_for(project))
    before = graph_of(project)
    bob = episode_of(project, BOB)
    reporter = reporter_for(project, cancel_at=cancel_at)

    with pytest.raises(TaskCancelled):
        graph.episode_ingest(project=project, episode=bob, reporter=reporter)

    # At 75 Bob's entities and facts were written, then taken back; Acme Corp, shared, stays.
    assert graph_of(project) == before
    assert not Mention.objects.filter(memory_id=bob.memory_id).exists()
    assert [s.progress for s in reporter.task.stages.all()] == stages


def test_it_removes_only_what_the_episode_supported(team):
    project = team["project"]
    alice = episode_of(project, ALICE)
    graph.episode_ingest(project=project, episode=alice, reporter=reporter_for(project))
    before = graph_of(project)
    bob = episode_of(project, BOB)
    graph.episode_ingest(project=project, episode=bob, reporter=reporter_for(project))

    graph.episode_remove(project=project, episode_id=bob.memory_id)

    assert graph_of(project) == before


@pytest.mark.django_db(transaction=True)
def test_it_waits_for_the_project_graph_lock_to_remove_an_episode(make_project):
    project = make_project()
    alice = episode_of(project, ALICE)
    graph.episode_ingest(project=project, episode=alice, reporter=reporter_for(project))
    with transaction_held_open(lambda: graph.lock_project_graph(project)):
        remover = DatabaseThread(lambda: graph.episode_remove(project=project, episode_id=alice.memory_id))
        remover.start()
        # An ingestion of the project holds the lock: the removal waits for it.
        assert not remover.finished.wait(0.5)
        assert Mention.objects.filter(memory_id=alice.memory_id).count() == 2
    remover.join(10)
    assert remover.finished.is_set()
    assert not Entity.objects.filter(project=project).exists()


class ReplacedAt(ProgressReporter):
    """A real reporter whose attempt is replaced by the next one (as the sweeper does) right after stage `at`."""

    def __init__(self, task: TaskLog, at: int) -> None:
        super().__init__(task)
        self.at = at

    def stage(self, progress: int, message: str) -> None:
        super().stage(progress, message)
        if progress == self.at:
            TaskLog.objects.filter(pk=self.task.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
            current = TaskLog.objects.get(pk=self.task.pk)
            assert current.mark_requeued(stale_before=timezone.now() - timedelta(minutes=1))
            assert current.mark_started(worker="the next worker")


def test_it_refuses_the_graph_write_of_a_replaced_attempt(team):
    project = team["project"]
    graph.episode_ingest(project=project, episode=episode_of(project, ALICE), reporter=reporter_for(project))
    before = graph_of(project)
    task = TaskLog.objects.create(project=project, task_type="ingest_memory")
    task.mark_started(worker="paused")

    with pytest.raises(TaskSuperseded):
        graph.episode_ingest(project=project, episode=episode_of(project, BOB), reporter=ReplacedAt(task, 50))

    assert graph_of(project) == before


def test_it_leaves_the_next_attempts_writes_when_replaced_after_writing(team):
    project = team["project"]
    task = TaskLog.objects.create(project=project, task_type="ingest_memory")
    task.mark_started(worker="paused")
    bob = episode_of(project, BOB)

    with pytest.raises(TaskSuperseded):
        graph.episode_ingest(project=project, episode=bob, reporter=ReplacedAt(task, 75))

    # Not taken back: the episode is the next attempt's now, and it rewrites it.
    assert Mention.objects.filter(memory_id=bob.memory_id).count() == 3
