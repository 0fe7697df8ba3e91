"""A progress event published by a separate process (as a Celery worker does)
reaches an SSE client of a real uvicorn server, in both ways to run MemStack.
"""

from __future__ import annotations

import pytest

from apps.tasks.channels import project_channel
from tests.live import (
    SSEEvent,
    manage_shell,
    manage_shell_json,
    publish_from_another_process,
    run_manage,
    start_uvicorn,
)

pytestmark = [pytest.mark.live, pytest.mark.shared_uvicorn]


def progress(progress: int, message: str, status: str = "processing") -> dict:
    """An event payload of the shape DESIGN.md promises."""
    return {
        "task_id": "0b7e1a52-4b1f-4f7a-9a57-4a3c2f6c1d10",
        "task_type": "memory_ingest",
        "status": status,
        "progress": progress,
        "message": message,
        "result": None,
        "error": None,
        "eta_seconds": 12,
        "updated_at": "2025-01-01T12:00:00Z",
    }


def test_it_delivers_an_event_from_another_process(uvicorn_server, live_postgres_env, member_project, open_stream):
    channel = member_project["channel"]
    client = open_stream(uvicorn_server, member_project["project"].id, token=member_project["token"])
    client.wait_opened()
    payload = progress(30, "Extracting entities and relationships...")

    publish_from_another_process(live_postgres_env, channel, "progress", payload)

    events = client.wait_for(lambda events: len(events) >= 1)
    assert events == [SSEEvent("progress", f"{channel}:1", payload)], client.describe()


def test_it_answers_404_to_a_non_member(uvicorn_server, member_project, make_user, token_for, open_stream):
    outsider = make_user()
    client = open_stream(uvicorn_server, member_project["project"].id, token=token_for(outsider))
    assert client.wait_status() == 404, client.describe()
    assert not client.opened.is_set()


def test_it_answers_404_to_an_anonymous_client(uvicorn_server, member_project, open_stream):
    client = open_stream(uvicorn_server, member_project["project"].id)
    assert client.wait_status() == 404, client.describe()
    assert not client.opened.is_set()


def test_it_resumes_after_the_last_event_id(uvicorn_server, live_postgres_env, member_project, open_stream):
    project_id, channel, token = member_project["project"].id, member_project["channel"], member_project["token"]
    first, second, third = (
        progress(10, "Starting episode ingestion..."),
        progress(20, "Loading schema..."),
        progress(30, "Extracting entities and relationships..."),
    )
    client = open_stream(uvicorn_server, project_id, token=token)
    client.wait_opened()
    publish_from_another_process(live_postgres_env, channel, "progress", first)
    [received] = client.wait_for(lambda events: len(events) >= 1)
    assert received.data == first, client.describe()
    client.close()

    # Published while nobody listens: only storage has them.
    publish_from_another_process(live_postgres_env, channel, "progress", second)
    publish_from_another_process(live_postgres_env, channel, "progress", third)

    resumed = open_stream(uvicorn_server, project_id, token=token, last_event_id=received.id)
    events = resumed.wait_for(lambda events: len(events) >= 2)
    assert events == [
        SSEEvent("progress", f"{channel}:2", second),
        SSEEvent("progress", f"{channel}:3", third),
    ], resumed.describe()


PUBLISH_MANY = """
from apps.tasks.events import publish
for n in range({count}):
    publish({channel!r}, "note", {{"n": n, "padding": "x" * 2000}})
"""


def test_a_client_that_falls_behind_gets_every_event_once_in_order(
    uvicorn_server, live_postgres_env, member_project, open_stream
):
    # Events are written to a stream's socket straight from the bridge while
    # the client keeps up; once its server has to wait for the client, they
    # go through the stream's own queue (and storage, past MAX_QUEUED). 6 MB
    # is far more than the socket buffers of a client that stopped reading.
    channel, count = member_project["channel"], 3000
    client = open_stream(uvicorn_server, member_project["project"].id, token=member_project["token"])
    client.wait_opened()
    client.pause()

    manage_shell(live_postgres_env, PUBLISH_MANY.format(count=count, channel=channel))
    client.resume()

    events = client.wait_for_count(count, timeout=60)
    ids = [e.id for e in events]
    assert ids == [f"{channel}:{n}" for n in range(1, count + 1)], f"{len(ids)} events, ending {ids[-3:]}"
    assert [e.data["n"] for e in events] == list(range(count))


CREATE_MEMBER = """
import json
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from apps.projects.services import project_create
owner = User.objects.create_user("ada", "ada@example.com", "correct horse battery")
project = project_create(owner=owner, name="Embedded")
print(json.dumps({"project_id": str(project.id), "token": Token.objects.create(user=owner).key}))
"""


def test_it_delivers_an_event_from_another_process_in_embedded_mode(embedded_env, open_stream):
    run_manage(embedded_env, "migrate", "--noinput")
    member = manage_shell_json(embedded_env, CREATE_MEMBER)
    channel = project_channel(member["project_id"])
    payload = progress(100, "Episode ingestion completed", status="completed")

    with start_uvicorn(embedded_env) as server:
        status, health = server.health()
        assert status == 200, health
        client = open_stream(server, member["project_id"], token=member["token"])
        client.wait_opened()

        publish_from_another_process(embedded_env, channel, "completed", payload)

        events = client.wait_for(lambda events: len(events) >= 1)
        assert events == [SSEEvent("completed", f"{channel}:1", payload)], client.describe()
        client.close()


@pytest.mark.parametrize("last_event_id", ["project-P:abc", "nonsense", "project-P:-1"])
def test_it_answers_400_to_a_malformed_last_event_id(uvicorn_server, member_project, open_stream, last_event_id):
    client = open_stream(
        uvicorn_server, member_project["project"].id, token=member_project["token"], last_event_id=last_event_id
    )
    assert client.wait_status() == 400, client.describe()
    client.finished.wait(10)
    assert "Last-Event-ID" in client.body, client.describe()


def test_it_starts_a_pending_task_stream_with_the_pending_state(uvicorn_server, member_project, open_stream):
    from apps.tasks.models import TaskLog

    task = TaskLog.objects.create(project=member_project["project"], task_type="memory_ingest")
    client = open_stream(uvicorn_server, path=f"/api/v1/tasks/{task.id}/stream", token=member_project["token"])
    [first] = client.wait_for(lambda events: len(events) >= 1)
    assert (first.event, first.data["status"], first.data["progress"]) == ("progress", "pending", 0), client.describe()
    assert first.id == f"task-{task.id}:0"
