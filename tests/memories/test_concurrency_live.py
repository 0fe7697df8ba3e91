"""Memories written at the same instant by several clients, while a real
worker ingests them: a real uvicorn, a real Celery worker, PostgreSQL, Redis,
and real threads sending the requests."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from apps.memories.models import Memory
from apps.tasks.models import TERMINAL, TaskLog
from tests.live import start_celery_worker

pytestmark = pytest.mark.live


def client(server, token) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Token {token}"}, timeout=60, trust_env=False)


def test_it_answers_two_identical_posts_at_once_with_one_201_and_one_409(uvicorn_server, member_project):
    project, token = member_project["project"], member_project["token"]
    outcomes = []
    for pair in range(10):
        body = {"project_id": str(project.id), "title": "Twin", "content": f"Alice Chen met Bob Stone, take {pair}."}
        barrier = threading.Barrier(2)

        def post(body=body, barrier=barrier):
            with client(uvicorn_server, token) as http:
                barrier.wait()
                return http.post("/api/v1/memories/", json=body)

        with ThreadPoolExecutor(2) as pool:
            responses = list(pool.map(lambda _: post(), range(2)))
        outcomes.append(sorted(r.status_code for r in responses))
        conflict = next(r for r in responses if r.status_code == 409)
        assert conflict.json()["code"] == "duplicate"
    assert outcomes == [[201, 409]] * 10
    assert Memory.objects.filter(project=project).count() == 10
    assert "IntegrityError" not in uvicorn_server.log()


def test_concurrent_edits_during_ingestion_lose_no_state_and_never_deadlock(
    uvicorn_server, live_postgres_env, member_project
):
    project, token = member_project["project"], member_project["token"]
    with client(uvicorn_server, token) as http:
        ids = [
            http.post(
                "/api/v1/memories/",
                json={"project_id": str(project.id), "title": f"M{n}", "content": f"Alice Chen {n} works at Acme."},
            ).json()["id"]
            for n in range(4)
        ]

    def edit(worker: int) -> list[int]:
        statuses = []
        with client(uvicorn_server, token) as http:
            for round_ in range(12):
                memory_id = ids[(worker + round_) % len(ids)]
                if round_ % 2:
                    body = {"title": f"Edited by {worker} in round {round_}"}
                else:
                    body = {"content": f"Carol Diaz {worker}-{round_} founded Initech in Paris."}
                statuses.append(http.patch(f"/api/v1/memories/{memory_id}/", json=body).status_code)
                time.sleep(0.05)
        return statuses

    with start_celery_worker(live_postgres_env, concurrency=2) as worker:
        with ThreadPoolExecutor(6) as pool:
            statuses = Counter(s for result in pool.map(edit, range(6)) for s in result)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            current = list(Memory.objects.filter(pk__in=ids).values_list("current_task__status", flat=True))
            if all(status in TERMINAL for status in current):
                break
            time.sleep(0.5)
        worker_log = worker.log()

    assert statuses == Counter({200: 72}), (statuses, uvicorn_server.log_tail(80))
    for memory in Memory.objects.filter(pk__in=ids).select_related("current_task"):
        assert memory.current_task.status in TERMINAL, f"{memory.title}: {memory.current_task.status}"
        assert memory.processing_status == memory.current_task.status, memory.title
        assert memory.current_task.status == "completed"
    failed = TaskLog.objects.filter(project=project, status="failed")
    assert not failed.exists(), [t.error for t in failed]
    assert "deadlock" not in worker_log.lower()
    assert "deadlock" not in uvicorn_server.log().lower()
    assert " 500 " not in uvicorn_server.log()
