"""Through Pushpin: a client whose stream Pushpin holds gets every stage of an
ingestion exactly once, published by a real Celery worker (GRIP); a task
stream ends after its one terminal event, as a direct one does; and the
streams of a member removed from the project end within seconds."""

from __future__ import annotations

import re
import time

import httpx
import jwt
import pytest
from django.db import connection

from apps.tasks.models import TaskLog
from tests.live import SSEClient, start_celery_worker, start_uvicorn
from tests.live.processes import free_port, manage_shell, start_pushpin
from tests.stages import INGESTION_STAGES

pytestmark = pytest.mark.live

STAGES = [0] + [progress for progress, _ in INGESTION_STAGES]
TERMINAL = {"completed", "failed", "cancelled"}


def test_a_client_through_pushpin_gets_every_stage_once(live_postgres_env, member_project):
    project, token = member_project["project"], member_project["token"]
    port = free_port()
    with start_pushpin(port) as pushpin:
        env = {**live_postgres_env, "GRIP_URL": pushpin.grip_url}
        with start_uvicorn(env, port=port) as server, start_celery_worker(env):
            headers = {"Authorization": f"Token {token}"}

            def logs() -> str:
                return server.log_tail() + "\n" + pushpin.log_tail()

            # The project stream opens first: it shows tasks that run while it is open.
            with SSEClient(f"{pushpin.url}/api/v1/projects/{project.id}/stream", headers=headers, context=logs) as proj:
                proj.wait_opened()
                response = httpx.post(
                    f"{server.url}/api/v1/memories/",
                    json={"project_id": str(project.id), "title": "News", "content": "Alice Chen works at Acme Corp."},
                    headers=headers,
                    timeout=30,
                    trust_env=False,
                )
                assert response.status_code == 201, response.text
                task_id = response.json()["task_id"]
                with SSEClient(f"{pushpin.url}/api/v1/tasks/{task_id}/stream", headers=headers, context=logs) as task:
                    events = task.wait_for(lambda events: any(e.event in TERMINAL for e in events), timeout=90)
                    # The terminal event ends a task stream: Pushpin closes it.
                    assert task.finished.wait(10), "the task stream stayed open after its end" + task.describe()
                    assert task.error is None, task.describe()
                project_events = proj.wait_for(lambda events: any(e.event in TERMINAL for e in events), timeout=60)

            # A client that comes after the end gets the end, once, and the stream ends.
            with SSEClient(f"{pushpin.url}/api/v1/tasks/{task_id}/stream", headers=headers, context=logs) as late:
                assert late.finished.wait(30), "the stream of an ended task stayed open" + late.describe()
            assert [e.event for e in late.events] == ["completed"], late.describe()
            assert late.events[0].data["progress"] == 100, late.describe()
            # ... and one that resumes from there is told there is nothing more (204: EventSource stops).
            resumed = httpx.get(
                f"{pushpin.url}/api/v1/tasks/{task_id}/stream",
                headers={**headers, "Last-Event-ID": late.last_event_id},
                timeout=30,
                trust_env=False,
            )
            assert resumed.status_code == 204, resumed.text

    for seen, client in ((events, task), (project_events, proj)):
        ids = [e.id for e in seen if e.id]
        assert len(ids) == len(set(ids)), client.describe()
        # Queued (0) may come first or not: the worker may have moved on before the stream opened.
        stages = [e.data["progress"] for e in seen if e.event == "progress" and e.data["progress"]]
        if client is proj:
            assert stages == STAGES[1:], "not every stage once, in order" + client.describe()
        elif stages:
            # The task's stream opens after the task was created: a busy worker may
            # be past its first stages by then. It gets where the task is, then every later stage.
            assert stages == STAGES[STAGES.index(stages[0]) :], (
                "not every later stage once, in order" + client.describe()
            )
        assert [e.event for e in seen if e.event != "progress"] == ["completed"], client.describe()


# The ways a membership goes, each run in a process of the deployment (GRIP_URL set):
# as the members page does it, as the admin's bulk delete does it, and with the user.
REMOVALS = {
    "membership_remove": (
        "from apps.projects.models import Project; from apps.projects.services import membership_remove; "
        "membership_remove(project=Project.objects.get(pk={project!r}), membership_id={membership})"
    ),
    "queryset_delete": "from apps.projects.models import Membership; Membership.objects.filter(pk={membership}).delete()",
    "user_deleted": "from django.contrib.auth import get_user_model; get_user_model().objects.filter(pk={user}).delete()",
}


@pytest.mark.parametrize("removal", list(REMOVALS))
def test_it_closes_the_streams_pushpin_holds_for_a_member_who_lost_access(live_postgres_env, team, token_for, removal):
    project = team["project"]
    task = TaskLog.objects.create(project=project, task_type="memory_ingest")
    viewer, owner = token_for(team["viewer"]), token_for(team["owner"])
    port = free_port()
    with start_pushpin(port) as pushpin:
        env = {**live_postgres_env, "GRIP_URL": pushpin.grip_url}
        with start_uvicorn(env, port=port) as server:

            def logs() -> str:
                return server.log_tail() + "\n" + pushpin.log_tail()

            def through_pushpin(path: str, token: str) -> SSEClient:
                return SSEClient(f"{pushpin.url}{path}", headers={"Authorization": f"Token {token}"}, context=logs)

            removed = [
                through_pushpin(f"/api/v1/projects/{project.id}/stream", viewer),
                through_pushpin(f"/api/v1/tasks/{task.id}/stream", viewer),
            ]
            staying = through_pushpin(f"/api/v1/projects/{project.id}/stream", owner)
            clients = [*removed, staying]
            try:
                for client in clients:
                    client.start().wait_opened()

                membership = project.memberships.get(user=team["viewer"])
                manage_shell(
                    env,
                    REMOVALS[removal].format(project=str(project.id), membership=membership.id, user=team["viewer"].pk),
                )
                removed_at = time.monotonic()

                for client in removed:
                    assert client.finished.wait(10), "the stream stayed open" + client.describe()
                    assert client.all_events[-1].event == "stream-error", client.describe()
                    assert client.all_events[-1].data["condition"] == "forbidden", client.describe()
                assert time.monotonic() - removed_at < 10
                assert not staying.finished.is_set(), staying.describe()
            finally:
                for client in clients:
                    client.close()


def test_it_closes_a_stream_pushpin_began_to_hold_as_the_member_left(live_postgres_env, team, token_for):
    """Access is checked before Pushpin holds a stream: a close published in
    between reaches no one. Here the membership goes with no close at all (a
    raw delete), which is what Pushpin sees then; the web process that
    handed the stream over checks its reader again and closes it."""
    project = team["project"]
    viewer = token_for(team["viewer"])
    port = free_port()
    with start_pushpin(port) as pushpin:
        env = {**live_postgres_env, "GRIP_URL": pushpin.grip_url}
        with start_uvicorn(env, port=port) as server:
            stream = SSEClient(
                f"{pushpin.url}/api/v1/projects/{project.id}/stream",
                headers={"Authorization": f"Token {viewer}"},
                context=lambda: server.log_tail() + "\n" + pushpin.log_tail(),
            )
            try:
                stream.start().wait_opened()
                with connection.cursor() as cursor:
                    cursor.execute(
                        "DELETE FROM projects_membership WHERE project_id = %s AND user_id = %s",
                        [project.id, team["viewer"].pk],
                    )
                assert stream.finished.wait(10), "the stream stayed open" + stream.describe()
                assert stream.all_events[-1].event == "stream-error", stream.describe()
                assert stream.all_events[-1].data["condition"] == "forbidden", stream.describe()
            finally:
                stream.close()


def test_it_ends_the_stream_when_pushpin_asks_again_for_a_reader_who_left(live_postgres_env, team, token_for):
    """What a web process answers Pushpin's follow-up request (a recovery, the
    next link) for a reader who lost access since the stream opened: the
    forbidden frame with no hold, which ends the stream. An error status
    made Pushpin retry it and keep the stream open. Here the test sends the
    requests Pushpin would, signed with its key."""
    project = team["project"]
    key = "memstack-test-grip-key"
    env = {**live_postgres_env, "GRIP_URL": f"http://127.0.0.1:{free_port()}/?iss=pushpin&key={key}"}
    with start_uvicorn(env) as server:

        def as_pushpin(path: str, **headers: str) -> httpx.Response:
            signature = jwt.encode({"iss": "pushpin", "exp": int(time.time()) + 600}, key, algorithm="HS256")
            return httpx.get(
                f"{server.url}{path}", headers={"Grip-Sig": signature, **headers}, timeout=30, trust_env=False
            )

        opened = as_pushpin(f"/api/v1/projects/{project.id}/stream", Authorization=f"Token {token_for(team['viewer'])}")
        assert opened.status_code == 200, opened.text
        assert opened.headers.get("Grip-Hold") == "stream", opened.headers
        next_link = re.search(r"<([^>]+)>; rel=next", opened.headers["Grip-Link"]).group(1)

        with connection.cursor() as cursor:  # no close published: only the follow-up can end it
            cursor.execute(
                "DELETE FROM projects_membership WHERE project_id = %s AND user_id = %s",
                [project.id, team["viewer"].pk],
            )
        again = as_pushpin(next_link)
        assert again.status_code == 200, again.text
        assert "Grip-Hold" not in again.headers, again.headers
        assert "event: stream-error" in again.text and '"forbidden"' in again.text, again.text
