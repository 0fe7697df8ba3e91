"""A batch import as a script meets it: a real uvicorn, real Celery workers, Redis and PostgreSQL.

A 1,000-line JSONL with 3 malformed lines and 5 duplicates is posted over
HTTP; the parent's stream is followed until it completes, and the result
says exactly that, line by line.
"""

from __future__ import annotations

import json

import httpx
import pytest

from apps.memories.models import Memory
from apps.tasks.models import TaskLog
from tests.live import start_celery_worker

pytestmark = pytest.mark.live

LINES = 1000
MALFORMED = {
    137: (
        '{"title": "Broken", "content": "never closed',
        "Not valid JSON: Unterminated string starting at (column 32).",
    ),
    500: ("not json at all", "Not valid JSON: Expecting value (column 1)."),
    863: (
        '{"title": "Trailing", "content": "comma",}',
        "Not valid JSON: Expecting property name enclosed in double quotes (column 42).",
    ),
}
REPEATS = {250: 10, 400: 11, 640: 12, 999: 13}  # a line -> the earlier line whose content it repeats
KNOWN_LINE = 720  # repeats a memory that was in the project before the import
KNOWN = "The quarterly review is on Friday."
CREATED = LINES - len(MALFORMED) - len(REPEATS) - 1
TERMINAL = {"completed", "failed", "cancelled"}
WORKERS = 4
# Not a speed assertion: about 1,000 ingestions, each storing ~16 events.
WAIT_SECONDS = 480


def content(n: int) -> str:
    return f"Meeting note {n} says the roadmap review went well."


def import_text() -> str:
    lines = []
    for n in range(1, LINES + 1):
        if n in MALFORMED:
            lines.append(MALFORMED[n][0])
        else:
            text = KNOWN if n == KNOWN_LINE else content(REPEATS.get(n, n))
            lines.append(json.dumps({"title": f"Note {n}", "content": text, "tags": ["import"]}))
    return "\n".join(lines)


def post(server, token, path, body) -> httpx.Response:
    return httpx.post(
        f"{server.url}{path}", json=body, headers={"Authorization": f"Token {token}"}, timeout=60, trust_env=False
    )


def test_it_imports_a_thousand_lines_reporting_each(live_postgres_env, uvicorn_server, member_project, open_stream):
    project, token = member_project["project"], member_project["token"]
    with start_celery_worker(live_postgres_env, concurrency=WORKERS):
        known = post(
            uvicorn_server,
            token,
            "/api/v1/memories/",
            {"project_id": str(project.id), "title": "Review", "content": KNOWN},
        )
        assert known.status_code == 201, known.text

        started = post(
            uvicorn_server, token, "/api/v1/memories/import/",
            {"project_id": str(project.id), "format": "jsonl", "content": import_text()},
        )  # fmt: skip
        assert started.status_code == 202, started.text
        assert started.json()["items"] == LINES
        task_id = started.json()["task_id"]

        stream = open_stream(uvicorn_server, path=started.json()["stream_url"], token=token)
        events = stream.wait_for(lambda events: any(e.event in TERMINAL for e in events), timeout=WAIT_SECONDS)

    # The parent's stream: only forward, "N of 992 imported" on the way, one terminal event.
    assert [e.event for e in events if e.event != "progress"] == ["completed"], stream.describe()
    progress = [e.data["progress"] for e in events]
    assert progress == sorted(progress), f"progress went backwards: {progress}"
    last = events[-1].data
    assert (last["status"], last["progress"], last["message"]) == ("completed", 100, f"{CREATED} of {CREATED} imported")
    counted = {e.data["message"] for e in events if e.data["message"].endswith(f" of {CREATED} imported")}
    assert len(counted) > 10  # the bar moved with the children, not in one jump

    auth = {"Authorization": f"Token {token}"}
    task = httpx.get(f"{uvicorn_server.url}/api/v1/tasks/{task_id}/", headers=auth, trust_env=False).json()
    result = task["result"]
    assert result == {
        "total": LINES,
        "created": CREATED,
        "duplicates": 5,
        "rejected": 3,
        "children": {"completed": CREATED},
    }
    # Each item's outcome, page by page.
    items, url = [], f"{uvicorn_server.url}{started.json()['items_url']}"
    while url:
        page = httpx.get(url, headers=auth, trust_env=False).json()
        items, url = items + page["results"], page["next"]
    by_line = {item["line"]: item for item in items}
    assert sorted(by_line) == list(range(1, LINES + 1))
    rejected = {item["line"]: item["reason"] for item in items if item["status"] == "rejected"}
    assert rejected == {line: reason for line, (_, reason) in MALFORMED.items()}
    duplicates = {item["line"]: item["existing_id"] for item in items if item["status"] == "duplicate"}
    assert duplicates == {
        **{line: by_line[earlier]["memory_id"] for line, earlier in REPEATS.items()},
        KNOWN_LINE: known.json()["id"],
    }
    assert "entries" not in task["payload"]

    imported = Memory.objects.filter(project=project).exclude(pk=known.json()["id"])
    assert imported.count() == CREATED
    assert set(imported.values_list("processing_status", flat=True)) == {"completed"}
    assert {str(memory_id) for memory_id in imported.values_list("id", flat=True)} == {
        item["memory_id"] for item in items if item["status"] == "created"
    }
    assert TaskLog.objects.filter(parent_id=task_id, status="completed").count() == CREATED
