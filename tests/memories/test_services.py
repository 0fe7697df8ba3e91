"""Ingestion in-process on the real database: stages, graph, duplicates, deletes."""

from __future__ import annotations

from datetime import UTC

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from apps.graph.models import Community, EdgeType, Entity, Mention, Relationship
from apps.memories import services
from apps.memories.models import Memory
from apps.recall.models import Passage
from apps.tasks.models import TaskLog
from tests.stages import INGESTION_STAGES

TEAM_NEWS = "Alice Chen works at Acme Corp. Acme Corp is based in Berlin. Bob Smith works at Acme Corporation."


def graph_of(project):
    return (
        sorted((e.name, e.entity_type.name) for e in Entity.objects.filter(project=project)),
        sorted(
            (r.source.name, r.name, r.target.name, r.invalid_at is None)
            for r in Relationship.objects.filter(project=project)
        ),
    )


def test_it_saves_the_memory_and_a_pending_task_together(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        memory = services.memory_create(
            project=team["project"], author=team["editor"], title="T", content="Hello there."
        )
    task = memory.current_task
    assert (memory.processing_status, task.status, task.progress, task.message) == ("pending", "pending", 0, "Queued")
    assert (task.subject_id, task.subject_label, task.task_type) == (str(memory.id), "T", "ingest_memory")
    assert len(callbacks) >= 1  # enqueueing waits for the commit


def test_it_runs_every_stage_and_builds_the_graph(team, ingest):
    memory = ingest(team["project"], team["editor"], content=TEAM_NEWS)
    task = TaskLog.objects.get(pk=memory.current_task_id)
    assert (memory.processing_status, task.status, task.progress, task.message) == (
        "completed",
        "completed",
        100,
        "Episode ingestion completed",
    )
    assert [(s.progress, s.message) for s in task.stages.all()] == INGESTION_STAGES
    entities, relationships = graph_of(team["project"])
    # "Acme Corporation" is resolved to the "Acme Corp" already extracted.
    assert entities == [
        ("Acme Corp", "Organization"),
        ("Alice Chen", "Person"),
        ("Berlin", "Location"),
        ("Bob Smith", "Person"),
    ]
    assert ("Alice Chen", "WORKS_AT", "Acme Corp", True) in relationships
    assert ("Bob Smith", "WORKS_AT", "Acme Corp", True) in relationships
    assert task.result["entities"] == 4
    assert Mention.objects.filter(memory=memory).count() == 4
    community = Community.objects.get(project=team["project"])
    assert community.member_count == 4
    assert set(EdgeType.objects.filter(project=team["project"], source="generated").values_list("name", flat=True)) >= {
        "WORKS_AT"
    }


def test_it_leaves_the_same_graph_when_run_twice(team, ingest, django_capture_on_commit_callbacks):
    memory = ingest(team["project"], team["editor"], content=TEAM_NEWS)
    before = graph_of(team["project"])
    ids_before = sorted(Entity.objects.values_list("id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.memory_update(memory=memory, by=team["editor"], valid_at=memory.valid_at.replace(year=2020))
        from apps.memories.tasks import ingest_memory

        ingest_memory(str(Memory.objects.get(pk=memory.pk).current_task_id))
    assert graph_of(team["project"]) == before
    assert sorted(Entity.objects.values_list("id", flat=True)) == ids_before


def test_it_merges_an_organisation_named_differently(team, ingest):
    ingest(team["project"], team["editor"], title="One", content="Alice Chen works at Acme Corp.")
    ingest(team["project"], team["editor"], title="Two", content="Bob Smith joined ACME Corporation last year.")
    organisations = Entity.objects.filter(project=team["project"], entity_type__name="Organization")
    assert [e.name for e in organisations] == ["Acme Corp"]


def test_it_closes_a_contradicted_fact(team, ingest):
    from datetime import datetime

    ingest(
        team["project"],
        team["editor"],
        title="2019",
        content="Alice Chen works at Acme Corp.",
        valid_at=datetime(2019, 1, 1, tzinfo=UTC),
    )
    ingest(
        team["project"],
        team["editor"],
        title="2023",
        content="Alice Chen works at Globex Inc.",
        valid_at=datetime(2023, 1, 1, tzinfo=UTC),
    )
    old = Relationship.objects.get(source__name="Alice Chen", target__name="Acme Corp")
    new = Relationship.objects.get(source__name="Alice Chen", target__name="Globex Inc")
    assert old.invalid_at == datetime(2023, 1, 1, tzinfo=UTC)
    assert old.invalidated_by == new and new.invalid_at is None


def test_it_reports_duplicate_content(team, ingest):
    first = ingest(team["project"], team["editor"], content=TEAM_NEWS)
    with pytest.raises(services.DuplicateMemory) as raised:
        services.memory_create(
            project=team["project"], author=team["editor"], title="Again", content=f"  {TEAM_NEWS}\n"
        )
    assert raised.value.existing == first
    assert Memory.objects.count() == 1


def test_it_refuses_content_over_the_limit(team):
    with override_settings(MEMORY_MAX_CONTENT_CHARS=20), pytest.raises(ValidationError) as raised:
        services.memory_create(project=team["project"], author=team["editor"], title="Long", content="x" * 21)
    assert "the limit is 20" in raised.value.message_dict["content"][0]
    assert not Memory.objects.exists()


def failed_unreachable(memory, *, at_progress: int) -> None:
    """The memory's ingestion failed at `at_progress` saying its endpoint was unreachable, and left no graph."""
    task = TaskLog.objects.get(pk=memory.current_task_id)
    assert (memory.processing_status, task.status) == ("failed", "failed")
    assert "unreachable" in task.error
    assert task.progress == at_progress and task.message == "Failed"
    assert not Entity.objects.exists()


def test_it_fails_with_a_readable_error_when_extraction_fails(team, ingest):
    # Nothing listens on port 9: the LLM endpoint is unreachable, for real.
    with override_settings(GRAPH_EXTRACTOR="llm", LLM_BASE_URL="http://127.0.0.1:9/v1", LLM_MAX_RETRIES=0):
        memory = ingest(team["project"], team["editor"], content=TEAM_NEWS)
    failed_unreachable(memory, at_progress=30)


def test_it_fails_and_takes_back_the_graph_when_embedding_fails(team, ingest):
    # The passages are embedded beside the graph's part (nothing listens on port 9): the task fails
    # at "Indexing for recall...", where the vectors are asked for, and what the graph's part wrote is taken back.
    unreachable = {"EMBEDDINGS_BASE_URL": "http://127.0.0.1:9/v1", "EMBEDDINGS_MAX_RETRIES": 0}
    with override_settings(EMBEDDINGS_BACKEND="openai", EMBEDDINGS_MODEL="nowhere", **unreachable):
        memory = ingest(team["project"], team["editor"], content=TEAM_NEWS)
    failed_unreachable(memory, at_progress=90)
    assert not Passage.objects.exists()


def test_it_removes_only_what_a_deleted_memory_supported(team, ingest):
    ingest(team["project"], team["editor"], title="A", content="Alice Chen works at Acme Corp.")
    second = ingest(
        team["project"], team["editor"], title="B", content="Bob Smith works at Acme Corp. Bob Smith lives in Paris."
    )
    services.memory_delete(memory=second)
    entities, relationships = graph_of(team["project"])
    assert entities == [("Acme Corp", "Organization"), ("Alice Chen", "Person")]
    assert relationships == [("Alice Chen", "WORKS_AT", "Acme Corp", True)]
    assert not Entity.objects.filter(mentions__isnull=True).exists()
    assert Community.objects.get().member_count == 2


def test_it_ingests_json_and_conversation_content(team, ingest):
    as_json = ingest(
        team["project"],
        team["editor"],
        title="Record",
        content_type="json",
        content='{"note": "Alice Chen works at Acme Corp."}',
    )
    chat = ingest(
        team["project"],
        team["editor"],
        title="Chat",
        content_type="conversation",
        content="Alice Chen: I moved to Berlin.\nBob Smith: Welcome!",
    )
    assert (as_json.processing_status, chat.processing_status) == ("completed", "completed")
    names = set(Entity.objects.filter(project=team["project"]).values_list("name", flat=True))
    assert {"Alice Chen", "Acme Corp", "Bob Smith"} <= names


def test_it_adds_generated_schema_types_once(team, ingest):
    from apps.graph.models import EdgeTypeMap

    first = ingest(team["project"], team["editor"], title="One", content="Alice Chen works at Acme Corp.")
    second = ingest(team["project"], team["editor"], title="Two", content="Bob Smith works at Globex Inc.")
    assert TaskLog.objects.get(pk=first.current_task_id).result["new_edge_types"] == 1
    assert TaskLog.objects.get(pk=second.current_task_id).result["new_edge_types"] == 0
    works_at = EdgeType.objects.get(project=team["project"], name="WORKS_AT")
    assert works_at.source == "generated" and works_at.exclusive is True
    triples = EdgeTypeMap.objects.filter(project=team["project"], edge_type=works_at)
    assert [(t.source_type.name, t.target_type.name) for t in triples] == [("Person", "Organization")]
