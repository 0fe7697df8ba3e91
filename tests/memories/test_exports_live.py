"""An export as a user meets it: a real uvicorn, a real Celery worker, Redis and
PostgreSQL. Started over the API, followed on the task's stream, downloaded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from apps.memories.models import Memory, content_hash
from apps.tasks.models import Status

pytestmark = pytest.mark.live

COUNT = 450  # past the first progress report, after 200 memories


@pytest.fixture
def live_postgres_env(live_postgres_env, settings, tmp_path) -> dict[str, str]:
    """The servers and this test read and write the same export folder."""
    settings.EXPORT_DIR = tmp_path / "exports"
    return {**live_postgres_env, "EXPORT_DIR": str(settings.EXPORT_DIR)}


def ingested_memories(project, count: int) -> None:
    """Memories as they stand once ingested; their ingestion is not what this test is about."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    Memory.objects.bulk_create(
        Memory(
            project=project,
            title=f"Note {n:03}",
            content=f"Note {n}: Alice Chen met Bob Stone in Paris.",
            content_hash=content_hash(f"Note {n}: Alice Chen met Bob Stone in Paris."),
            tags=["live", f"n{n % 3}"],
            valid_at=start + timedelta(hours=n),
            processing_status=Status.COMPLETED,
        )
        for n in range(count)
    )


def test_it_exports_with_live_progress_then_offers_the_file(uvicorn_server, celery_worker, member_project, open_stream):
    project, token = member_project["project"], member_project["token"]
    ingested_memories(project, COUNT)
    headers = {"Authorization": f"Token {token}"}
    # The project's stream, open before the export starts: a fast worker may
    # finish before a stream of the task itself could open, and a stream that
    # opens late shows the end, not the way there.
    stream = open_stream(uvicorn_server, project.id, token=token)
    stream.wait_opened()
    with httpx.Client(base_url=uvicorn_server.url, headers=headers, timeout=60, trust_env=False) as client:
        started = client.post(f"/api/v1/projects/{project.id}/export/", json={"format": "jsonl"})
        assert started.status_code == 202, started.text
        task_id = started.json()["task_id"]
        stream.wait_for(
            lambda events: any(e.data["task_id"] == task_id and e.event != "progress" for e in events), timeout=120
        )
        events = [e for e in stream.events if e.data["task_id"] == task_id]

        assert [e.event for e in events if e.event != "progress"] == ["completed"]
        progress = [(e.data["progress"], e.data["message"]) for e in events if e.event == "progress"]
        # The first report after 200 memories; later ones at most every REPORT_SECONDS.
        assert (44, "Exported 200 of 450 memories") in progress
        assert set(progress) <= {
            (0, "Queued"),
            (1, "Exporting 450 memories..."),
            (44, "Exported 200 of 450 memories"),
            (88, "Exported 400 of 450 memories"),
        }
        assert [p for p, _ in progress] == sorted(p for p, _ in progress)
        done = events[-1].data
        assert (done["progress"], done["message"], done["result"]["memories"]) == (100, "Export completed", COUNT)

        download = client.get(started.json()["download_url"])
        assert download.status_code == 200
        assert download.headers["content-disposition"] == f'attachment; filename="{done["result"]["filename"]}"'
        lines = download.text.split("\n")
        assert lines[-1] == "" and len(lines) == COUNT + 1
        records = {record["title"]: record for record in map(json.loads, lines[:-1])}
        assert sorted(records) == [f"Note {n:03}" for n in range(COUNT)]
        assert records["Note 000"] == {
            "title": "Note 000",
            "content": "Note 0: Alice Chen met Bob Stone in Paris.",
            "content_type": "text",
            "tags": ["live", "n0"],
            "source_description": "",
            "metadata": {},
            "valid_at": "2024-01-01T00:00:00+00:00",
        }
        assert client.get(f"/api/v1/tasks/{task_id}/").json()["status"] == "completed"
