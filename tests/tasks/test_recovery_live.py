"""Recovery, for real: a worker killed or paused mid-ingestion, a broker down when a memory is saved."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import replace

import httpx
import pytest
from django_eventstream.models import Event

from apps.graph.models import Community, Entity, Mention, Relationship
from apps.memories import services as memory_services
from apps.memories.models import Memory
from apps.tasks.models import TaskLog
from tests.graph.conftest import fake_llm  # noqa: F401 - a real OpenAI-compatible server on 127.0.0.1
from tests.graph.fake_llm import Reply, chat_answer
from tests.live import run_manage, start_celery_worker, start_redis, start_uvicorn

pytestmark = pytest.mark.live

ANSWER = chat_answer(
    {
        "entities": [{"name": "Alice Chen", "type": "Person"}, {"name": "Acme Corp", "type": "Organization"}],
        "relationships": [
            {
                "source": "Alice Chen",
                "target": "Acme Corp",
                "name": "WORKS_AT",
                "fact": "Alice Chen works at Acme Corp.",
            }
        ],
    }
)


def wait_until(condition, timeout: float, what: str, context=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{context()}")
        time.sleep(0.2)


def task_of(memory: Memory) -> TaskLog:
    return TaskLog.objects.get(pk=Memory.objects.get(pk=memory.pk).current_task_id)


def requeued(env: dict, memory: Memory) -> bool:
    """A sweep has put the task back: this one, or the new worker's own (at its start, or each
    TASK_SWEEP_SECONDS), whichever came first; then its message says so, or attempt 2 has begun."""
    if "requeued 1" in run_manage(env, "sweep_tasks"):
        return True
    task = task_of(memory)
    return task.message == "Queued again after the worker stopped responding" or task.attempts >= 2


def test_it_finishes_once_after_its_worker_is_killed(live_postgres_env, fake_llm, team):  # noqa: F811
    # The first extraction hangs (the worker is killed during it); later ones answer at once.
    llm = fake_llm(lambda n: Reply(delay=120) if n == 0 else ANSWER)
    env = {
        **live_postgres_env,
        "GRAPH_EXTRACTOR": "llm", "LLM_BASE_URL": llm.base_url, "LLM_MAX_RETRIES": "0", "LLM_TIMEOUT_SECONDS": "150",
        "TASK_HEARTBEAT_SECONDS": "1", "TASK_STALE_SECONDS": "3",
    }  # fmt: skip
    first = start_celery_worker(env)
    with first:
        memory = memory_services.memory_create(
            project=team["project"], author=team["editor"], title="Team", content="Alice Chen works at Acme Corp."
        )
        wait_until(lambda: task_of(memory).progress == 30 and llm.count == 1, 60, "extraction to start", first.log_tail)
        os.killpg(first.process.pid, signal.SIGKILL)  # the whole worker, children included
        first.process.wait(timeout=10)

    with start_celery_worker(env) as second:
        wait_until(lambda: requeued(env, memory), 30, "the sweeper to requeue the task")
        wait_until(lambda: task_of(memory).is_finished, 60, "the second attempt to finish", second.log_tail)

    task = task_of(memory)
    assert (task.status, task.attempts, task.progress) == ("completed", 2, 100)
    assert Memory.objects.get(pk=memory.pk).processing_status == "completed"
    assert sorted(Entity.objects.filter(project=team["project"]).values_list("name", flat=True)) == [
        "Acme Corp",
        "Alice Chen",
    ]
    assert Mention.objects.filter(memory=memory).count() == 2
    terminal = [
        row.type
        for row in Event.objects.filter(channel=f"task-{task.id}", type__in=["completed", "failed", "cancelled"])
    ]
    assert terminal == ["completed"]


# What the paused attempt's extraction says: not what the memory says, so that
# any of it reaching the graph shows in the graph.
STALE_ANSWER = chat_answer(
    {
        "entities": [{"name": "Alice Chen", "type": "Person"}, {"name": "Globex", "type": "Organization"}],
        "relationships": [
            {"source": "Alice Chen", "target": "Globex", "name": "WORKS_AT", "fact": "Alice Chen works at Globex."}
        ],
    }
)


def graph_snapshot(project) -> tuple[list, list, list, list]:
    """The project's graph as a user sees it, without database ids."""
    return (
        sorted(Entity.objects.filter(project=project).values_list("name", "entity_type__name")),
        sorted(
            Relationship.objects.filter(project=project).values_list(
                "source__name", "name", "target__name", "invalid_at"
            )
        ),
        sorted(Mention.objects.filter(entity__project=project).values_list("entity__name", flat=True)),
        sorted(Community.objects.filter(project=project).values_list("name", "member_count")),
    )


def test_it_refuses_the_writes_of_an_attempt_that_was_paused_and_replaced(
    live_postgres_env,
    fake_llm,  # noqa: F811
    team,
    make_project,
):
    # The first extraction is slow, and its worker is paused (SIGSTOP) during it,
    # past the stale window; the sweeper starts attempt 2 on a second worker.
    llm = fake_llm(lambda n: replace(STALE_ANSWER, delay=4) if n == 0 else ANSWER)
    env = {
        **live_postgres_env,
        "GRAPH_EXTRACTOR": "llm", "LLM_BASE_URL": llm.base_url, "LLM_MAX_RETRIES": "0", "LLM_TIMEOUT_SECONDS": "150",
        "TASK_HEARTBEAT_SECONDS": "1", "TASK_STALE_SECONDS": "3", "TASK_SWEEP_SECONDS": "1",
    }  # fmt: skip
    with start_celery_worker(env) as first:
        paused = False
        try:
            memory = memory_services.memory_create(
                project=team["project"], author=team["editor"], title="Team", content="Alice Chen works at Acme Corp."
            )
            wait_until(lambda: task_of(memory).progress == 30 and llm.count == 1, 60, "extraction", first.log_tail)
            os.killpg(first.process.pid, signal.SIGSTOP)
            paused = True
            with start_celery_worker(env) as second:
                wait_until(lambda: requeued(env, memory), 60, "the sweeper to requeue it")
                wait_until(lambda: task_of(memory).is_finished, 60, "attempt 2 to finish", second.log_tail)
                time.sleep(4)  # past the paused attempt's slow answer: it is waiting in its socket
                after_attempt_2 = graph_snapshot(team["project"])
                os.killpg(first.process.pid, signal.SIGCONT)
                paused = False
                wait_until(lambda: "was superseded" in first.log_tail(200), 60, "attempt 1 to stop", first.log_tail)

                # A single run of the same memory, in another project, on the same worker.
                other = make_project(team["owner"], name="Reference")
                single = memory_services.memory_create(
                    project=other, author=team["owner"], title="Team", content="Alice Chen works at Acme Corp."
                )
                wait_until(lambda: task_of(single).is_finished, 60, "the reference run", second.log_tail)
        finally:
            if paused:
                os.killpg(first.process.pid, signal.SIGCONT)

    task = task_of(memory)
    assert (task.status, task.attempts, task.progress, task.message) == (
        "completed", 2, 100, "Episode ingestion completed"
    )  # fmt: skip
    assert llm.count == 3  # attempt 1's answer arrived, and was not used
    terminal = [
        row.type
        for row in Event.objects.filter(channel=f"task-{task.id}", type__in=["completed", "failed", "cancelled"])
    ]
    assert terminal == ["completed"]
    # Nothing of attempt 1's extraction landed, before or after it resumed.
    assert graph_snapshot(team["project"]) == after_attempt_2 == graph_snapshot(other)
    assert "Globex" not in {name for name, _type in graph_snapshot(team["project"])[0]}


def test_it_enqueues_what_was_saved_while_the_broker_was_down(live_postgres_env, member_project):
    with start_redis() as redis:
        env = {**live_postgres_env, "REDIS_URL": redis.url, "TASK_ENQUEUE_GRACE_SECONDS": "1"}
        headers = {"Authorization": f"Token {member_project['token']}"}
        with start_uvicorn(env) as server:
            redis.stop()
            response = httpx.post(
                f"{server.url}/api/v1/memories/",
                json={"project_id": str(member_project["project"].id), "title": "Saved", "content": "Bob Smith lives in Paris."},
                headers=headers, timeout=60, trust_env=False,
            )  # fmt: skip
            assert response.status_code == 201, response.text
            created = response.json()
            task = TaskLog.objects.get(pk=created["task_id"])
            assert (task.status, task.enqueued_at) == ("pending", None)

            redis.start()
            with start_celery_worker(env) as worker:
                time.sleep(1.5)  # past the enqueue grace period
                # Whichever sweep came first enqueued it, once: the worker's own
                # at start (it may already be past the grace period) or this one.
                by_hand = run_manage(env, "sweep_tasks")
                at_start = "0 requeued, 0 failed, 1 enqueued" in worker.log()
                assert ("enqueued 1" in by_hand) != at_start, by_hand + worker.log_tail()
                wait_until(
                    lambda: TaskLog.objects.get(pk=created["task_id"]).is_finished, 60, "ingestion", worker.log_tail
                )
    assert TaskLog.objects.get(pk=created["task_id"]).status == "completed"
    assert Memory.objects.get(pk=created["id"]).processing_status == "completed"
