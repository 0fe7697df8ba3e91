"""A member removed from a project stops receiving its events: their open
streams end within seconds, and the others' go on."""

from __future__ import annotations

import time

import pytest

from apps.projects.models import Membership
from apps.tasks.models import TaskLog

pytestmark = pytest.mark.live


def test_it_closes_the_streams_of_a_member_who_lost_access(
    uvicorn_server, team, token_for, open_stream, live_postgres_env
):
    project = team["project"]
    task = TaskLog.objects.create(project=project, task_type="memory_ingest")
    viewer, owner = token_for(team["viewer"]), token_for(team["owner"])
    removed = [
        open_stream(uvicorn_server, project.id, token=viewer),
        open_stream(uvicorn_server, path=f"/api/v1/tasks/{task.id}/stream", token=viewer),
    ]
    staying = open_stream(uvicorn_server, project.id, token=owner)
    for client in [*removed, staying]:
        client.wait_opened()

    Membership.objects.filter(project=project, user=team["viewer"]).delete()
    removed_at = time.monotonic()

    for client in removed:
        client.finished.wait(10)
        assert client.finished.is_set(), "the stream stayed open" + client.describe()
        assert client.all_events[-1].event == "stream-error", client.describe()
        assert client.all_events[-1].data["condition"] == "forbidden"
    assert time.monotonic() - removed_at < 10
    assert not staying.finished.is_set(), staying.describe()
