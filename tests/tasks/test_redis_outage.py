"""The Redis event bridge delivers again after Redis was away for 20 seconds,
including what was published while it was away, on the same open stream.
"""

from __future__ import annotations

import time

import pytest

from tests.live import publish_from_another_process, start_uvicorn

pytestmark = pytest.mark.live

OUTAGE_SECONDS = 20
# The bridge backs off to 5 s between attempts; this leaves plenty of room.
RECOVERY_TIMEOUT = 30


def event(name: str) -> dict:
    return {"task_id": "5d1c9c7e-8a53-4d38-9d43-1f8ab2c9e001", "status": "processing", "message": name}


def wait_for_health(server, wanted_status: int, timeout: float = RECOVERY_TIMEOUT) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status, body = server.health()
        if status == wanted_status or time.monotonic() > deadline:
            assert status == wanted_status, f"/healthz said {status}: {body}\n{server.log_tail()}"
            return body
        time.sleep(0.5)


def test_it_delivers_again_after_redis_comes_back(live_postgres_env, private_redis, member_project, open_stream):
    env = {**live_postgres_env, "REDIS_URL": private_redis.url}
    channel = member_project["channel"]
    with start_uvicorn(env) as server:

        def logs() -> str:
            return f"{server.log_tail()}\n{private_redis.log_tail(20)}"

        client = open_stream(server, member_project["project"].id, token=member_project["token"], context=logs)
        client.wait_opened()
        publish_from_another_process(env, channel, "progress", event("A"))
        client.wait_for_data([event("A")])

        private_redis.stop()
        outage_started = time.monotonic()
        body = wait_for_health(server, 503)
        assert {"broker", "event_bridge"} <= set(body["failing"]), body
        # Its Redis publish fails; the event is still stored.
        publish_from_another_process(env, channel, "progress", event("B"))
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_started)))
        private_redis.start()

        publish_from_another_process(env, channel, "progress", event("C"))

        events = client.wait_for_data([event("B"), event("C")], timeout=RECOVERY_TIMEOUT)
        assert [e.data for e in events] == [event("A"), event("B"), event("C")], client.describe()
        assert [e.id for e in events] == [f"{channel}:1", f"{channel}:2", f"{channel}:3"], client.describe()
        assert not client.finished.is_set(), "the stream was dropped" + client.describe()
        wait_for_health(server, 200)
