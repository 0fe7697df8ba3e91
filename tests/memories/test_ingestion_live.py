"""Ingestion as a user meets it: a real uvicorn, a real Celery worker, Redis and PostgreSQL.

A memory is created over HTTP, the worker ingests it, and the stream shows
every stage and then exactly one terminal event.
"""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest
from django.db import transaction

from apps.graph.models import Community, Entity, Mention, Relationship
from apps.graph.services import lock_project_graph
from apps.memories.models import Memory
from apps.tasks.models import TaskLog
from tests.graph.conftest import fake_llm  # noqa: F401 - a real OpenAI-compatible server on 127.0.0.1
from tests.graph.fake_llm import chat_answer
from tests.live import start_celery_worker
from tests.stages import INGESTION_STAGES
from tests.tasks.test_recovery_live import wait_until

pytestmark = [pytest.mark.live, pytest.mark.shared_uvicorn]

STAGES = INGESTION_STAGES
TERMINAL = {"completed", "failed", "cancelled"}


def create_memory(server, token, project, **fields) -> dict:
    body = {"project_id": str(project.id), "title": "Team news", "content": "Alice Chen works at Acme Corp.", **fields}
    response = httpx.post(
        f"{server.url}/api/v1/memories/",
        json=body,
        headers={"Authorization": f"Token {token}"},
        timeout=30,
        trust_env=False,
    )
    assert response.status_code == 201, response.text
    return response.json()


def finished(events) -> bool:
    return any(event.event in TERMINAL for event in events)


def test_it_streams_every_stage_then_completed(uvicorn_server, celery_worker, member_project, open_stream):
    project, token = member_project["project"], member_project["token"]
    stream = open_stream(uvicorn_server, project.id, token=token)
    stream.wait_opened()

    created = create_memory(uvicorn_server, token, project)
    assert created["processing_status"] == "pending"
    events = stream.wait_for(finished, timeout=60)

    ours = [e for e in events if e.data["task_id"] == created["task_id"]]
    progress = [(e.data["progress"], e.data["message"]) for e in ours if e.event == "progress" and e.data["progress"]]
    assert progress == STAGES
    assert [e.event for e in ours if e.event != "progress"] == ["completed"]
    last = ours[-1].data
    assert (last["status"], last["progress"], last["message"]) == ("completed", 100, "Episode ingestion completed")
    assert last["result"]["entities"] == 2

    task = httpx.get(
        f"{uvicorn_server.url}/api/v1/tasks/{created['task_id']}/",
        headers={"Authorization": f"Token {token}"},
        trust_env=False,
    ).json()
    assert (task["status"], task["progress"]) == ("completed", 100)
    assert [(s["progress"], s["message"]) for s in task["stages"]] == STAGES
    assert Memory.objects.get(pk=created["id"]).processing_status == "completed"


def test_it_gives_a_late_subscriber_the_final_state(uvicorn_server, celery_worker, member_project, open_stream):
    project, token = member_project["project"], member_project["token"]
    created = create_memory(uvicorn_server, token, project)
    watcher = open_stream(uvicorn_server, project.id, token=token)
    watcher.wait_for(lambda events: TaskLog.objects.get(pk=created["task_id"]).is_finished, timeout=60)

    late = open_stream(uvicorn_server, path=f"/api/v1/tasks/{created['task_id']}/stream", token=token)
    events = late.wait_for(finished, timeout=30)
    assert [(e.event, e.data["progress"]) for e in events] == [("completed", 100)]


def test_it_streams_a_failure_and_keeps_the_memory(uvicorn_server, live_postgres_env, member_project, open_stream):
    # The worker's LLM endpoint is a closed port: extraction really fails.
    from tests.live import start_celery_worker

    env = {
        **live_postgres_env,
        "GRAPH_EXTRACTOR": "llm",
        "LLM_BASE_URL": "http://127.0.0.1:9/v1",
        "LLM_MAX_RETRIES": "0",
    }
    project, token = member_project["project"], member_project["token"]
    server = uvicorn_server
    with start_celery_worker(env):
        stream = open_stream(server, project.id, token=token)
        stream.wait_opened()
        created = create_memory(server, token, project)
        events = stream.wait_for(finished, timeout=60)
    terminal = [e for e in events if e.event in TERMINAL]
    assert [e.event for e in terminal] == ["failed"]
    assert "unreachable" in terminal[0].data["error"]
    memory = Memory.objects.get(pk=created["id"])
    assert memory.processing_status == "failed"
    assert TaskLog.objects.get(pk=created["task_id"]).status == "failed"


def test_it_refuses_the_task_stream_to_outsiders(uvicorn_server, member_project, make_user, token_for, open_stream):
    project, token = member_project["project"], member_project["token"]
    created = create_memory(uvicorn_server, token, project)
    outsider = open_stream(
        uvicorn_server, path=f"/api/v1/tasks/{created['task_id']}/stream", token=token_for(make_user())
    )
    assert outsider.wait_status() == 404


def graph_state(project) -> dict[str, list]:
    """Everything the graph holds for a project that an ingestion writes, without database ids."""
    return {
        "entities": sorted(
            Entity.objects.filter(project=project).values_list(
                "name", "entity_type__name", "summary", "first_seen_at", "last_seen_at"
            )
        ),
        "attributes": sorted(
            (name, json.dumps(attributes, sort_keys=True))
            for name, attributes in Entity.objects.filter(project=project).values_list("name", "attributes")
        ),
        "relationships": sorted(
            Relationship.objects.filter(project=project).values_list(
                "source__name", "name", "target__name", "fact", "valid_at", "invalid_at", "invalidated_by__name"
            )
        ),
        "supporting episodes": sorted(
            Relationship.episodes.through.objects.filter(relationship__project=project).values_list(
                "relationship__name", "memory_id"
            )
        ),
        "mentions": sorted(Mention.objects.filter(entity__project=project).values_list("entity__name", "memory_id")),
        "communities": sorted(
            (c.name, c.summary, c.member_count, tuple(sorted(c.members.values_list("name", flat=True))))
            for c in Community.objects.filter(project=project)
        ),
    }


BOB_ANSWER = chat_answer(
    {
        "entities": [
            {"name": "Bob Smith", "type": "Person"},
            {"name": "Acme Corp", "type": "Organization", "attributes": {"industry": "robotics"}},
            {"name": "Paris", "type": "Location"},
        ],
        "relationships": [
            {"source": "Bob Smith", "target": "Acme Corp", "name": "WORKS_AT", "fact": "Bob Smith works at Acme Corp."},
            {"source": "Bob Smith", "target": "Paris", "name": "LIVES_IN", "fact": "Bob Smith lives in Paris."},
        ],
    }
)
ALICE_ANSWER = chat_answer(
    {
        "entities": [{"name": "Alice Chen", "type": "Person"}, {"name": "Acme Corp", "type": "Organization"}],
        "relationships": [
            {
                "source": "Alice Chen",
                "target": "Acme Corp",
                "name": "WORKS_AT",
                "fact": "Alice Chen works at Acme Corp.",
            }
        ],
    }
)


def test_it_takes_back_the_graph_writes_of_an_ingestion_cancelled_at_75(
    live_postgres_env,
    fake_llm,  # noqa: F811
    team,
    api_client_for,
):
    # Bob's extraction is slow, so the test can hold the project's graph lock
    # before the worker gets to write: the cancel then lands after stage 50 and
    # before the write, the write goes through, and the check at stage 75 stops it.
    llm = fake_llm(lambda n: ALICE_ANSWER if n == 0 else replace(BOB_ANSWER, delay=2))
    env = {**live_postgres_env, "GRAPH_EXTRACTOR": "llm", "LLM_BASE_URL": llm.base_url, "LLM_MAX_RETRIES": "0"}
    project, client = team["project"], api_client_for(team["editor"])

    def post(content: str) -> dict:
        response = client.post(
            "/api/v1/memories/",
            {"project_id": str(project.id), "title": content[:20], "content": content},
            format="json",
        )
        assert response.status_code == 201, response.content
        return response.json()

    def task(created: dict) -> TaskLog:
        return TaskLog.objects.get(pk=created["task_id"])

    with start_celery_worker(env) as worker:
        alice = post("Alice Chen works at Acme Corp.")
        wait_until(lambda: task(alice).status == "completed", 60, "Alice's ingestion", worker.log_tail)
        before = graph_state(project)

        bob = post("Bob Smith works at Acme Corp. Bob Smith lives in Paris.")
        wait_until(lambda: task(bob).progress == 30, 60, "Bob's extraction", worker.log_tail)
        with transaction.atomic():
            lock_project_graph(project)
            wait_until(lambda: task(bob).progress == 50, 60, "Bob's schema stage", worker.log_tail)
            response = client.post(f"/api/v1/tasks/{bob['task_id']}/cancel/")
            assert response.status_code in (200, 202), response.content
        wait_until(lambda: task(bob).is_finished, 60, "the cancel", worker.log_tail)

    ended = task(bob)
    assert (ended.status, ended.message) == ("cancelled", "Cancelled")
    # It did get past the graph write (stage 50) and was stopped at the check of stage 75.
    assert [s.progress for s in ended.stages.all()] == [10, 20, 30, 50]
    assert Memory.objects.get(pk=bob["id"]).processing_status == "cancelled"
    assert graph_state(project) == before
