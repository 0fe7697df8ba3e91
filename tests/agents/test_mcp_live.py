"""The MCP server as an agent meets it: the SDK's own client against a real
uvicorn (and a real Celery worker where ingestion must run), over streamable
HTTP at /mcp and over stdio (`manage.py mcp --key`)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import httpx2
import pytest
from django.db import connection
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from apps.agents.models import ProjectAPIKey
from apps.agents.services import key_revoke
from apps.memories.models import Memory
from apps.tasks.models import TaskLog
from tests.live import SSEClient, Uvicorn, run_manage
from tests.live.processes import BASE_DIR, MANAGE
from tests.stages import COMPLETED, INGESTION_STAGES

pytestmark = [pytest.mark.live, pytest.mark.shared_uvicorn]

STAGES = [*INGESTION_STAGES, COMPLETED]
# Bounds, not speed targets: a loaded machine may be slow.
SESSION_TIMEOUT = 120.0

Session = Callable[[Client], Awaitable[Any]]


def over_http(server, secret: str | None, session: Session) -> Any:
    """Run `session` with an SDK client connected to the server's /mcp with `secret`."""
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    async def run():
        async with (
            httpx2.AsyncClient(headers=headers, timeout=60) as http,
            Client(streamable_http_client(f"{server.url}/mcp", http_client=http)) as client,
        ):
            return await session(client)

    return asyncio.run(asyncio.wait_for(run(), SESSION_TIMEOUT))


def over_stdio(env: dict[str, str], secret: str, session: Session) -> Any:
    params = StdioServerParameters(
        command=sys.executable, args=[MANAGE, "mcp", "--key", secret], env=env, cwd=str(BASE_DIR)
    )

    async def run():
        async with Client(params) as client:
            return await session(client)

    return asyncio.run(asyncio.wait_for(run(), SESSION_TIMEOUT))


def result(answer) -> dict:
    assert not answer.is_error, answer.content[0].text
    return answer.structured_content


def error(answer) -> str:
    assert answer.is_error, answer.structured_content
    return answer.content[0].text


@pytest.fixture
def keys(member_project, make_project, make_key):
    """Keys of one project (read, write), and a write key of another project of the same owner."""
    project, owner = member_project["project"], member_project["owner"]
    other = make_project(owner, name="Other")
    return {
        "project": project,
        "read": make_key(project, owner, "read"),
        "write": make_key(project, owner, "write"),
        "other": make_key(other, owner, "write"),
    }


def test_it_adds_a_memory_reporting_every_stage_then_reads_it_back(uvicorn_server, celery_worker, keys):
    # A script following the project with a read key sees the same ingestion.
    stream = SSEClient(
        f"{uvicorn_server.url}/api/v1/projects/{keys['project'].id}/stream",
        headers={"Authorization": f"Bearer {keys['read']}"},
        context=uvicorn_server.log_tail,
    ).start()
    stream.wait_opened()
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    async def session(client: Client):
        added = result(
            await client.call_tool(
                "add_memory",
                {"title": "Team news", "content": "Alice Chen works at Acme Corp.", "tags": ["team"]},
                progress_callback=on_progress,
            )
        )
        memory = result(await client.call_tool("get_memory", {"memory_id": added["memory_id"]}))
        entity = result(await client.call_tool("get_entity", {"name": "alice chen"}))
        again = result(
            await client.call_tool("add_memory", {"title": "Again", "content": "Alice Chen works at Acme Corp."})
        )
        return added, memory, entity, again

    try:
        added, memory, entity, again = over_http(uvicorn_server, keys["write"], session)
        events = stream.wait_for(lambda events: any(e.event == "completed" for e in events), timeout=30)
    finally:
        stream.close()

    assert [(int(value), message) for value, _, message in progress] == STAGES, uvicorn_server.log_tail()
    assert {total for _, total, _ in progress} == {100}
    assert added["status"] == "completed" and added["result"]["entities"] == 2
    assert TaskLog.objects.get(pk=added["task_id"]).status == "completed"

    assert (memory["id"], memory["processing_status"], memory["tags"]) == (added["memory_id"], "completed", ["team"])
    assert {(e["name"], e["type"]) for e in memory["entities"]} == {
        ("Alice Chen", "Person"),
        ("Acme Corp", "Organization"),
    }

    assert (entity["entity"]["name"], entity["entity"]["type"]) == ("Alice Chen", "Person")
    assert [(r["name"], r["target"]["name"], r["current"]) for r in entity["relationships"]] == [
        ("WORKS_AT", "Acme Corp", True)
    ]

    assert (again["status"], again["memory_id"]) == ("duplicate", added["memory_id"])
    assert Memory.objects.count() == 1
    assert [e.data["task_id"] for e in events if e.event == "completed"] == [added["task_id"]]

    # A read key asks for it back, as the search API would answer; another project's key finds nothing.
    async def search_session(client: Client):
        return (
            result(await client.call_tool("search_memory", {"query": "Where does Alice Chen work?"})),
            error(await client.call_tool("search_memory", {"query": "Alice", "limit": 0})),
            error(await client.call_tool("search_memory", {"query": "Alice", "as_of": "last week"})),
        )

    found, bad_limit, bad_date = over_http(uvicorn_server, keys["read"], search_session)
    assert found["query"] == "Where does Alice Chen work?"
    assert found["results"][0]["memory"]["id"] == added["memory_id"]
    assert "Alice Chen works at Acme Corp" in found["results"][0]["snippet"]
    assert [(f["name"], f["source"]["name"], f["target"]["name"]) for f in found["facts"]] == [
        ("WORKS_AT", "Alice Chen", "Acme Corp")
    ]
    assert "limit" in bad_limit and "as_of" in bad_date

    async def other_search(client: Client):
        return result(await client.call_tool("search_memory", {"query": "Where does Alice Chen work?"}))

    assert over_http(uvicorn_server, keys["other"], other_search)["results"] == []


def test_it_holds_each_key_to_its_project_and_scope(uvicorn_server, keys):
    async def write_session(client: Client):
        names = {tool.name for tool in (await client.list_tools()).tools}
        added = result(await client.call_tool("add_memory", {"title": "Plan", "content": "Ship v2.", "wait": False}))
        problems = [
            error(await client.call_tool("add_memory", {"title": "Empty", "content": "  "})),
            error(await client.call_tool("add_memory", {"title": "When", "content": "x", "valid_at": "yesterday"})),
            error(await client.call_tool("list_memories", {"limit": 0})),
            error(await client.call_tool("list_memories", {"status": "lost"})),
            error(await client.call_tool("get_entity", {"name": "Nobody"})),
        ]
        return names, added, problems

    names, added, problems = over_http(uvicorn_server, keys["write"], write_session)
    assert names == {
        "add_memory",
        "search_memory",
        "get_memory",
        "list_memories",
        "delete_memory",
        "get_task",
        "cancel_task",
        "get_entity",
    }
    assert added["status"] == "pending"
    assert "content" in problems[0] and "Write something to remember" in problems[0]
    assert "valid_at" in problems[1]
    assert "limit must be between 1 and 100" in problems[2]
    assert "status must be one of" in problems[3]
    assert "No entity named “Nobody”" in problems[4]
    memory_id, task_id = added["memory_id"], added["task_id"]

    async def read_session(client: Client):
        return (
            result(await client.call_tool("get_memory", {"memory_id": memory_id})),
            result(await client.call_tool("list_memories", {})),
            result(await client.call_tool("get_task", {"task_id": task_id})),
            error(await client.call_tool("add_memory", {"title": "No", "content": "Not allowed."})),
            error(await client.call_tool("delete_memory", {"memory_id": memory_id})),
            error(await client.call_tool("cancel_task", {"task_id": task_id})),
        )

    memory, listed, task, *refusals = over_http(uvicorn_server, keys["read"], read_session)
    assert memory["title"] == "Plan" and [m["id"] for m in listed["memories"]] == [memory_id]
    assert task["id"] == task_id and task["status"] == "pending"
    assert all("read-only" in refusal for refusal in refusals), refusals

    async def other_session(client: Client):
        return (
            error(await client.call_tool("get_memory", {"memory_id": memory_id})),
            result(await client.call_tool("list_memories", {})),
            error(await client.call_tool("get_task", {"task_id": task_id})),
            error(await client.call_tool("delete_memory", {"memory_id": memory_id})),
            error(await client.call_tool("cancel_task", {"task_id": task_id})),
        )

    missing_memory, other_list, missing_task, no_delete, no_cancel = over_http(
        uvicorn_server, keys["other"], other_session
    )
    assert f"No memory with id {memory_id}" in missing_memory and f"No memory with id {memory_id}" in no_delete
    assert f"No task with id {task_id}" in missing_task and f"No task with id {task_id}" in no_cancel
    assert other_list == {"count": 0, "memories": []}
    assert Memory.objects.filter(pk=memory_id).exists()
    assert TaskLog.objects.get(pk=task_id).status == "pending"

    async def cancel_and_delete(client: Client):
        return (
            result(await client.call_tool("cancel_task", {"task_id": task_id})),
            error(await client.call_tool("cancel_task", {"task_id": task_id})),
            result(await client.call_tool("delete_memory", {"memory_id": memory_id})),
        )

    cancelled, again, deleted = over_http(uvicorn_server, keys["write"], cancel_and_delete)
    assert cancelled["cancel_requested"] is True and TaskLog.objects.get(pk=task_id).status == "cancelled"
    assert "already cancelled" in again
    assert deleted == {"memory_id": memory_id, "deleted": True}
    assert not Memory.objects.filter(pk=memory_id).exists()


@pytest.fixture
def procfile_uvicorn(live_postgres_env):
    """uvicorn as the Procfile runs it: without ASGI lifespan, so /mcp must start its sessions itself."""
    server = Uvicorn(live_postgres_env)
    server.args += ["--lifespan", "off"]
    with server:
        yield server


def test_it_answers_401_without_a_valid_key(procfile_uvicorn, keys):
    uvicorn_server = procfile_uvicorn
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }

    def post(headers: dict[str, str]) -> httpx.Response:
        headers = {"Accept": "application/json, text/event-stream", **headers}
        return httpx.post(f"{uvicorn_server.url}/mcp", json=initialize, headers=headers, timeout=30, trust_env=False)

    assert post({}).status_code == 401
    refused = post({"Authorization": "Bearer ms_made-up"})
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    assert post({"Authorization": f"Bearer {keys['read']}"}).status_code == 200

    def revoke() -> None:
        try:
            key_revoke(key=ProjectAPIKey.objects.get(prefix=keys["read"][:11]))
        finally:
            connection.close()

    # Revoked: refused at once, also inside a session that was open before.
    async def revoked_mid_session(client: Client):
        result(await client.call_tool("list_memories", {}))
        await asyncio.to_thread(revoke)
        with pytest.raises(Exception):  # noqa: B017 - the SDK's client raises on the 401
            await client.call_tool("list_memories", {})

    over_http(uvicorn_server, keys["read"], revoked_mid_session)
    assert post({"Authorization": f"Bearer {keys['read']}"}).status_code == 401


def test_it_speaks_mcp_over_stdio(live_postgres_env, keys):
    async def session(client: Client):
        added = result(await client.call_tool("add_memory", {"title": "Via stdio", "content": "Hello.", "wait": False}))
        memory = result(await client.call_tool("get_memory", {"memory_id": added["memory_id"]}))
        refused = error(await client.call_tool("get_memory", {"memory_id": "not-an-id"}))
        return added, memory, refused

    added, memory, refused = over_stdio(live_postgres_env, keys["write"], session)
    assert memory["title"] == "Via stdio" and memory["project_id"] == str(keys["project"].id)
    assert Memory.objects.get(pk=added["memory_id"]).project == keys["project"]
    assert "No memory with id not-an-id" in refused

    with pytest.raises(AssertionError, match="Unknown or revoked API key"):
        run_manage(live_postgres_env, "mcp", "--key", "ms_made-up")
