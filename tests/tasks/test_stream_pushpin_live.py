"""Through Pushpin: a client whose stream Pushpin holds gets every stage of an
ingestion exactly once, published by a real Celery worker (GRIP)."""

from __future__ import annotations

import httpx
import pytest

from tests.live import SSEClient, start_celery_worker, start_uvicorn
from tests.live.processes import free_port, start_pushpin
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
                project_events = proj.wait_for(lambda events: any(e.event in TERMINAL for e in events), timeout=60)

    for seen, client in ((events, task), (project_events, proj)):
        ids = [e.id for e in seen if e.id]
        assert len(ids) == len(set(ids)), client.describe()
        progress = [e.data["progress"] for e in seen if e.event == "progress"]
        assert progress == sorted(progress), client.describe()
        assert sorted(set(progress) - {0}) == STAGES[1:], client.describe()
        assert len([p for p in progress if p]) == len(STAGES) - 1, "a stage came twice" + client.describe()
        assert [e.event for e in seen if e.event != "progress"] == ["completed"], client.describe()
