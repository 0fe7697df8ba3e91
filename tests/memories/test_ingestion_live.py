"""Ingestion as a user meets it: a real uvicorn, a real Celery worker, Redis and PostgreSQL.

A memory is created over HTTP, the worker ingests it, and the stream shows
every stage and then exactly one terminal event.
"""

from __future__ import annotations

import httpx
import pytest

from apps.memories.models import Memory
from apps.tasks.models import TaskLog

pytestmark = pytest.mark.live

STAGES = [
    (10, "Starting episode ingestion..."),
    (20, "Loading schema..."),
    (30, "Extracting entities and relationships..."),
    (50, "Syncing schema..."),
    (75, "Updating communities..."),
    (90, "Indexing for recall..."),
]
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


def test_it_streams_a_failure_and_keeps_the_memory(live_postgres_env, member_project, open_stream):
    # The worker's LLM endpoint is a closed port: extraction really fails.
    from tests.live import start_celery_worker, start_uvicorn

    env = {
        **live_postgres_env,
        "GRAPH_EXTRACTOR": "llm",
        "LLM_BASE_URL": "http://127.0.0.1:9/v1",
        "LLM_MAX_RETRIES": "0",
    }
    project, token = member_project["project"], member_project["token"]
    with start_uvicorn(live_postgres_env) as server, start_celery_worker(env):
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
