"""Each event once, in order, on every stream: many ingestions by two worker
processes, with task and project streams opened before, during and after
them, resumed with Last-Event-ID, through a Redis restart and a restart of
the web process. A real uvicorn, Celery worker, redis-server and PostgreSQL.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from apps.tasks.models import TaskLog
from tests.live import SSEClient, SSEEvent, start_celery_worker, start_redis
from tests.live.processes import ServerProcess, Uvicorn

pytestmark = pytest.mark.live

TERMINAL = {"completed", "failed", "cancelled"}
WAVE = 6
WAIT = 90.0


class FollowingClient:
    """A stream read as a browser's EventSource does: when the connection
    ends without a terminal event, it connects again with Last-Event-ID."""

    def __init__(self, server: Uvicorn, path: str, token: str, *, task: bool, last_event_id: str | None = None):
        self.server, self.path, self.token, self.task = server, path, token, task
        self._seen: list[SSEEvent] = []  # of the connections that ended
        self.connections = 0
        self.statuses: list[int] = []
        self.client: SSEClient | None = None
        self.last_event_id = last_event_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            headers = {"Authorization": f"Token {self.token}"}
            if self.last_event_id:
                headers["Last-Event-ID"] = self.last_event_id
            client = SSEClient(f"{self.server.url}{self.path}", headers=headers, context=self.server.log_tail)
            self.client = client.start()
            self.connections += 1
            client.finished.wait()
            self.statuses.append(client.status_code)
            self._seen.extend(client.events)
            self.client = None
            self.last_event_id = client.last_event_id or self.last_event_id
            if self.ended or client.status_code == 204:
                return
            self._stop.wait(0.3)  # the web process may be restarting

    @property
    def events(self) -> list[SSEEvent]:
        client = self.client
        return self._seen + (client.events if client is not None else [])

    @property
    def ended(self) -> bool:
        """A task stream ends with its task; a project stream goes on."""
        return self.task and any(e.event in TERMINAL for e in self.events)

    def close(self) -> None:
        self._stop.set()
        client = self.client
        if client is not None:
            client.close()
        self._thread.join(10)

    def describe(self) -> str:
        lines = [f"{self.path}: {self.connections} connection(s), statuses {self.statuses}"]
        lines += [
            f"  {e.event} id={e.id} {e.data.get('task_id', '')[:8]} {e.data.get('progress')}" for e in self.events
        ]
        return "\n".join(lines)


def assert_exactly_once(follower: FollowingClient, task_ids: set[str]) -> None:
    """No id twice, ids strictly increasing, each task's progress never down, one terminal per task."""
    ids = [int(e.id.rsplit(":", 1)[1]) for e in follower.events if e.id]
    assert ids == sorted(set(ids)), "ids repeat or go back\n" + follower.describe()
    progress: dict[str, int] = {}
    terminals: dict[str, int] = {}
    for event in follower.events:
        task_id = event.data["task_id"]
        assert task_id not in terminals, f"an event after {task_id}'s end\n" + follower.describe()
        assert event.data["progress"] >= progress.get(task_id, 0), "progress went back\n" + follower.describe()
        progress[task_id] = event.data["progress"]
        if event.event in TERMINAL:
            terminals[task_id] = 1
    assert set(terminals) == task_ids, "not every task ended exactly once\n" + follower.describe()
    assert all(event.data["task_id"] in task_ids for event in follower.events)


def wait_until(condition, what: str, timeout: float = WAIT, context=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}\n{context()}"
        time.sleep(0.2)


@contextmanager
def started_again_when_it_exits(process: ServerProcess) -> Iterator[list[int | None]]:
    """Start `process` again whenever it exits on its own, as the deployment's
    process manager does; yields the exit codes of the runs that ended so.

    Celery's worker can exit when Redis goes away: kombu's Redis transport
    fails while restoring a late-acked message as the worker drops its broker
    connection ("Unrecoverable error: AttributeError(... 'hostname')").
    A worker started again recovers what its predecessor left (docs/operations.md).
    """
    exits: list[int | None] = []
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.5):
            running = process.process
            if running is not None and running.poll() is not None:
                exits.append(running.returncode)
                process.restart()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield exits
    finally:
        done.set()
        watcher.join(60)


def test_it_sends_each_event_once_in_order_through_restarts(live_postgres_env, member_project):
    project, token = member_project["project"], member_project["token"]
    rng = random.Random(7)
    followers: list[FollowingClient] = []
    task_ids: list[str] = []

    with start_redis() as redis:
        env = {**live_postgres_env, "REDIS_URL": redis.url}
        server = Uvicorn({**env, "GRACEFUL_SHUTDOWN_SECONDS": "30"})
        # Long enough that only closing the streams ourselves stops it quickly.
        server.args[server.args.index("--timeout-graceful-shutdown") + 1] = "30"
        with server, start_celery_worker(env, concurrency=2) as worker, started_again_when_it_exits(worker):

            def follow(path: str, *, task: bool, last_event_id: str | None = None) -> FollowingClient:
                follower = FollowingClient(server, path, token, task=task, last_event_id=last_event_id)
                followers.append(follower)
                return follower

            def create(n: int) -> list[str]:
                created = []
                for i in range(n):
                    response = httpx.post(
                        f"{server.url}/api/v1/memories/",
                        json={
                            "project_id": str(project.id),
                            "title": f"Note {len(task_ids) + i}",
                            "content": f"Alice Chen {len(task_ids) + i} works at Acme Corp with Bob Smith in Paris.",
                        },
                        headers={"Authorization": f"Token {token}"},
                        timeout=30,
                        trust_env=False,
                    )
                    assert response.status_code == 201, response.text + server.log_tail()
                    task_id = response.json()["task_id"]
                    created.append(task_id)
                    # Before it starts (usually), and at a random moment later.
                    follow(f"/api/v1/tasks/{task_id}/stream", task=True)
                    threading.Timer(
                        rng.uniform(0, 3), lambda t=task_id: follow(f"/api/v1/tasks/{t}/stream", task=True)
                    ).start()
                task_ids.extend(created)
                return created

            project_follower = follow(f"/api/v1/projects/{project.id}/stream", task=False)
            wait_until(lambda: (c := project_follower.client) is not None and c.opened.is_set(), "the stream")

            # Wave 1, then Redis goes away while its last tasks run.
            first = create(WAVE)
            wait_until(lambda: TaskLog.objects.filter(pk__in=first, status="pending").count() == 0, "wave 1 to start")
            redis.stop()
            time.sleep(2)
            redis.start()
            wait_until(lambda: TaskLog.objects.filter(pk__in=first, status="processing").count() == 0, "wave 1")

            # Wave 2, and the web process restarts in the middle of it.
            second = create(WAVE)
            # The worker reconnects to the restarted Redis with a backoff of its own.
            wait_until(
                lambda: TaskLog.objects.filter(pk__in=second).exclude(status="pending").exists(),
                "wave 2",
                2 * WAIT,
                lambda: (
                    str(list(TaskLog.objects.filter(pk__in=second).values_list("status", "enqueued_at")))
                    + server.log_tail()
                    + worker.log_tail()
                ),
            )
            stopping = time.monotonic()
            server.stop()
            stopped_in = time.monotonic() - stopping
            server.start()

            # A client that resumes after a few events, and one after the end.
            follow(f"/api/v1/tasks/{second[-1]}/stream", task=True, last_event_id=f"task-{second[-1]}:2")
            wait_until(lambda: TaskLog.objects.filter(pk__in=task_ids, completed_at=None).count() == 0, "all tasks")
            follow(f"/api/v1/tasks/{first[0]}/stream", task=True, last_event_id=f"task-{first[0]}:1")
            after_end = follow(f"/api/v1/tasks/{first[1]}/stream", task=True)
            time.sleep(3.5)  # the last timers fire
            for follower in followers:
                if follower.task:
                    wait_until(lambda f=follower: f.ended or 204 in f.statuses, f"{follower.path} to end", 30)
            wait_until(lambda: len({e.data["task_id"] for e in project_follower.events if e.event in TERMINAL})
                       == len(task_ids), "the project stream to see every end", 30,
                       lambda: project_follower.describe() + server.log_tail())  # fmt: skip
            for follower in followers:
                follower.close()
            worker_log = worker.log_tail()

    assert stopped_in < 10, f"stopping the web process with streams open took {stopped_in:.1f} s"
    statuses = {task.status for task in TaskLog.objects.filter(pk__in=task_ids)}
    assert statuses == {"completed"}, worker_log
    assert project_follower.connections >= 2  # it lived through the web restart
    assert_exactly_once(project_follower, set(task_ids))
    for follower in followers:
        if follower.task and 204 not in follower.statuses:
            task_id = follower.path.split("/")[4]
            assert_exactly_once(follower, {task_id})
            assert follower.events[-1].event in TERMINAL, follower.describe()
    assert [e.event for e in after_end.events] == ["completed"], after_end.describe()


def test_it_tells_a_client_that_saw_the_end_to_stop_reconnecting(uvicorn_server, member_project, open_stream):
    from apps.tasks.events import publish
    from apps.tasks.models import TaskLog as Task

    task = Task.objects.create(project=member_project["project"], task_type="memory_ingest", status="completed")
    publish(f"task-{task.id}", "completed", {"task_id": str(task.id), "status": "completed", "progress": 100})
    path = f"/api/v1/tasks/{task.id}/stream"
    client = open_stream(uvicorn_server, path=path, token=member_project["token"])
    [event] = client.wait_for(lambda events: len(events) >= 1)
    assert event.event == "completed"
    client.finished.wait(10)
    assert client.finished.is_set(), "the task stream did not end after its terminal event" + client.describe()

    resumed = open_stream(uvicorn_server, path=path, token=member_project["token"], last_event_id=event.id)
    assert resumed.wait_status() == 204, resumed.describe()
