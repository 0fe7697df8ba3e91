"""Recovery with no beat running: a worker killed mid-task, and a new worker
that sweeps as it starts, with no `sweep_tasks` run by anyone."""

from __future__ import annotations

import os
import signal
import time

import pytest

from apps.memories import services as memory_services
from apps.memories.models import Memory
from tests.graph.conftest import fake_llm  # noqa: F401 - a real OpenAI-compatible server on 127.0.0.1
from tests.graph.fake_llm import Reply
from tests.live import start_celery_worker, start_uvicorn
from tests.tasks.test_recovery_live import ANSWER, task_of, wait_until

pytestmark = pytest.mark.live


def test_a_new_worker_recovers_the_task_of_a_killed_one_without_beat(live_postgres_env, fake_llm, team):  # noqa: F811
    llm = fake_llm(lambda n: Reply(delay=120) if n == 0 else ANSWER)
    env = {
        **live_postgres_env,
        "GRAPH_EXTRACTOR": "llm", "LLM_BASE_URL": llm.base_url, "LLM_MAX_RETRIES": "0", "LLM_TIMEOUT_SECONDS": "150",
        "TASK_HEARTBEAT_SECONDS": "1", "TASK_STALE_SECONDS": "3", "SWEEPER_LATE_SECONDS": "60",
    }  # fmt: skip
    first = start_celery_worker(env)
    with first:
        memory = memory_services.memory_create(
            project=team["project"], author=team["editor"], title="Team", content="Alice Chen works at Acme Corp."
        )
        wait_until(lambda: task_of(memory).progress == 30 and llm.count == 1, 60, "extraction to start", first.log_tail)
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
    time.sleep(4)  # past TASK_STALE_SECONDS: the task's heartbeat has gone silent
    assert task_of(memory).status == "processing"

    with start_celery_worker(env) as second:
        wait_until(lambda: task_of(memory).is_finished, 90, "the new worker to recover the task", second.log_tail)
        assert "swept at start: 1 requeued" in second.log()

    task = task_of(memory)
    assert (task.status, task.attempts) == ("completed", 2)
    assert Memory.objects.get(pk=memory.pk).processing_status == "completed"
    with start_uvicorn(env) as server:
        status, health = server.health()
    assert health["checks"]["sweeper"]["ok"] is True
    assert health["checks"]["sweeper"]["last_run_seconds_ago"] < 60
