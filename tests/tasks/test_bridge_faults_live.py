"""The event bridge through faults, with real processes: a PostgreSQL
restart under open streams, and the embedded bridge's idle backoff."""

from __future__ import annotations

import time

import pytest

from apps.tasks.channels import project_channel
from tests.live import manage_shell_json, publish_from_another_process, run_manage, start_postgres, start_uvicorn

pytestmark = pytest.mark.live

CREATE_MEMBER = """
import json
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from apps.projects.services import project_create
owner = User.objects.create_user("ada", "ada@example.com", "correct horse battery")
project = project_create(owner=owner, name="Faults")
print(json.dumps({"project_id": str(project.id), "token": Token.objects.create(user=owner).key}))
"""


def event(name: str) -> dict:
    return {"task_id": "5d1c9c7e-8a53-4d38-9d43-1f8ab2c9e002", "status": "processing", "message": name}


def wait_for_health(server, wanted: int, timeout: float = 40) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status, body = server.health()
        if status == wanted or time.monotonic() > deadline:
            assert status == wanted, f"/healthz said {status}: {body}\n{server.log_tail()}"
            return body
        time.sleep(0.5)


def test_it_recovers_after_postgresql_restarts(embedded_env, open_stream):
    """Database bridge (no Redis) on PostgreSQL: the case whose bridge failed every 0.1 s forever."""
    with start_postgres() as postgres:
        env = {**embedded_env, "DATABASE_URL": postgres.create_database("memstack_faults")}
        run_manage(env, "migrate", "--noinput")
        member = manage_shell_json(env, CREATE_MEMBER)
        channel = project_channel(member["project_id"])
        with start_uvicorn(env) as server:

            def logs() -> str:
                return f"{server.log_tail()}\n{postgres.log_tail(20)}"

            client = open_stream(server, member["project_id"], token=member["token"], context=logs)
            client.wait_opened()
            publish_from_another_process(env, channel, "progress", event("A"))
            client.wait_for_data([event("A")])

            postgres.stop()
            body = wait_for_health(server, 503)
            assert "database" in body["failing"], body
            postgres.start()

            publish_from_another_process(env, channel, "progress", event("B"))
            publish_from_another_process(env, channel, "progress", event("C"))
            events = client.wait_for_data([event("B"), event("C")], timeout=30)
            assert [e.data for e in events] == [event("A"), event("B"), event("C")], client.describe()
            assert [e.id for e in events] == [f"{channel}:1", f"{channel}:2", f"{channel}:3"], client.describe()
            assert not client.finished.is_set(), "the stream was dropped" + client.describe()
            body = wait_for_health(server, 200)
            assert body["checks"]["event_bridge"] == {"ok": True}, body


def test_the_embedded_bridge_backs_off_while_idle_and_still_delivers_promptly(embedded_env, open_stream):
    run_manage(embedded_env, "migrate", "--noinput")
    member = manage_shell_json(embedded_env, CREATE_MEMBER)
    channel = project_channel(member["project_id"])
    with start_uvicorn({**embedded_env, "LOG_LEVEL": "DEBUG"}) as server:
        client = open_stream(server, member["project_id"], token=member["token"])
        client.wait_opened()
        # Idle: polls slow down to one a second (EVENT_BRIDGE_POLL_MAX_SECONDS), not ten.
        time.sleep(2)  # the interval grows
        before = polls_counted(server)
        time.sleep(4)
        idle_polls = polls_counted(server) - before
        assert idle_polls <= 6, f"{idle_polls} polls in 4 idle seconds"

        # Activity: an event from another process still arrives within the longest interval.
        publish_from_another_process(embedded_env, channel, "progress", event("A"))
        published = time.monotonic()
        client.wait_for_data([event("A")], timeout=10)
        assert time.monotonic() - published < 2.5, client.describe()


def polls_counted(server) -> int:
    """The web process's polls so far, from its log (LOG_LEVEL=DEBUG)."""
    return server.log().count("Event bridge poll ")
