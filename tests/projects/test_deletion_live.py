"""Deleting a project as a user meets it: a real uvicorn and Celery worker;
the project's stream shows the deletion's progress, then completed, and the project is gone."""

from __future__ import annotations

import httpx
import pytest

from apps.graph.models import Entity, EntityType
from apps.memories.models import Memory
from apps.projects.models import Project
from tests.memories.test_ingestion_live import create_memory

pytestmark = pytest.mark.live


def test_it_deletes_a_project_in_the_background_with_live_progress(
    uvicorn_server, celery_worker, member_project, open_stream
):
    project, token = member_project["project"], member_project["token"]
    for n in range(3):
        create_memory(uvicorn_server, token, project, content=f"Alice Chen {n} works at Acme Corp in Paris.")
    project_stream = open_stream(uvicorn_server, project.id, token=token)
    project_stream.wait_for(lambda events: sum(e.event == "completed" for e in events) == 3, timeout=120)
    assert Entity.objects.filter(project=project).exists()

    response = httpx.delete(
        f"{uvicorn_server.url}/api/v1/projects/{project.id}/",
        headers={"Authorization": f"Token {token}"},
        timeout=30,
        trust_env=False,
    )
    assert response.status_code == 202, response.text
    task_id = response.json()["task_id"]
    # Followed on the project's stream, open since before the request: the deletion's task goes with the
    # project, so its own stream, opened after a quick deletion has finished, would find nothing (404).
    project_stream.wait_for(
        lambda events: any(e.data["task_id"] == task_id and e.event in {"completed", "failed"} for e in events),
        timeout=120,
    )
    events = [e for e in project_stream.events if e.data["task_id"] == task_id]

    assert [e.event for e in events if e.event != "progress"] == ["completed"]
    assert any(e.data["message"].startswith("Deleting") for e in events if e.event == "progress")
    assert events[-1].data["message"] == "Project deleted"
    assert not Project.objects.filter(pk=project.id).exists()
    assert not Memory.objects.filter(project_id=project.id).exists()
    assert not EntityType.objects.filter(project_id=project.id).exists()
