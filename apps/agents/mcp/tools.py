"""The MCP tools. Names, arguments and defaults are public interface: keep them.

Every tool finds its caller's key (calls.current_key_id), reloads it (a
revoked key stops at the next call) and asks the access rules for the key's
project and the action it needs; then it calls services and selectors, and
answers in the shapes of the REST API. Anything a caller can get wrong
becomes a ToolError with a message saying what, never a broken session.

`search_memory` answers exactly what `GET /api/v1/projects/<id>/search/`
does: the same form checks the arguments, the same search runs, the same
serializer shapes the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError

from apps.agents import selectors, services
from apps.agents.mcp.calls import current_key_id, db
from apps.agents.mcp.follow import task_events
from apps.graph.api.serializers import EntitySerializer, RelationshipSerializer
from apps.memories import selectors as memory_selectors
from apps.memories import services as memory_services
from apps.memories.api import MemoryDetailOutputSerializer, MemoryOutputSerializer
from apps.memories.validation import InvalidMemoryFields, validate_memory_fields
from apps.projects.access import Action, get_project_for_user
from apps.projects.models import Project
from apps.recall.api import SearchResultSerializer
from apps.recall.forms import SearchForm
from apps.recall.search import search
from apps.tasks import selectors as task_selectors
from apps.tasks import services as task_services
from apps.tasks.api import TaskDetailOutputSerializer
from apps.tasks.models import Status

# How long add_memory(wait=True) follows an ingestion before answering with
# where it stands (get_task follows it from there).
WAIT_LIMIT = timedelta(minutes=10)
LIST_LIMIT_MAX = 100
RELATIONSHIPS_SHOWN = 100


# -- the caller ------------------------------------------------------------------


def _project_for_key(key_id: int, action: Action) -> tuple[Any, Project]:
    user = services.key_acting_user(key_id=key_id)
    if user is None:
        raise ToolError("This API key has been revoked; ask a project owner for a new one.")
    try:
        return user, get_project_for_user(user, user.project_key.project_id, action)
    except PermissionDenied as refused:
        raise ToolError(str(refused)) from None
    except Http404:
        raise ToolError("This key's project is gone, or the member who made the key has left it.") from None


async def _caller(action: Action) -> tuple[Any, Project]:
    """The user the key acts as, and its project, if the key may do `action` there."""
    return await db(_project_for_key, current_key_id(), action)


def _validation_message(errors: dict | list) -> str:
    if isinstance(errors, dict):
        return "; ".join(f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in errors.items())
    return " ".join(str(m) for m in errors)


# -- memories --------------------------------------------------------------------


def _create_memory(project: Project, user, fields: dict) -> dict:
    try:
        fields = validate_memory_fields(fields)
    except InvalidMemoryFields as invalid:
        raise ToolError(str(invalid)) from None
    try:
        memory = memory_services.memory_create(project=project, author=user, **fields)
    except memory_services.DuplicateMemory as duplicate:
        existing = duplicate.existing
        return {
            "memory_id": str(existing.id),
            "task_id": str(existing.current_task_id) if existing.current_task_id else None,
            "status": "duplicate",
            "duplicate": True,
            "message": f"{duplicate} Nothing was added; memory_id is the existing memory.",
        }
    except ValidationError as exc:
        raise ToolError(_validation_message(getattr(exc, "message_dict", None) or exc.messages)) from None
    return {"memory_id": str(memory.id), "task_id": str(memory.current_task_id), "status": memory.processing_status}


async def add_memory(
    title: str,
    content: str,
    valid_at: str | None = None,
    tags: list[str] | None = None,
    content_type: str = "text",
    wait: bool = True,
    ctx: Context | None = None,
) -> dict[str, Any]:
    """Remember something: save a memory to the project and ingest it into its knowledge graph.

    With `wait` (the default) this returns when ingestion has ended, reporting
    each stage as progress if you asked for progress; without it, it returns at
    once and `get_task(task_id)` tells how it goes. `valid_at` (ISO 8601) is
    when the content was true, if not now. The same content twice is not
    added again: the answer says "duplicate" and gives the existing memory's id.
    """
    user, project = await _caller(Action.EDIT)
    fields = {"title": title, "content": content, "content_type": content_type, "tags": tags or []}
    if valid_at is not None:
        fields["valid_at"] = valid_at
    created = await db(_create_memory, project, user, fields)
    if not wait or created["status"] == "duplicate":
        return created
    return {**created, **await _wait_for_task(ctx, user, project, created["task_id"])}


async def _wait_for_task(ctx: Context | None, user, project, task_id: str) -> dict[str, Any]:
    """Follow the task's events to its end, passing each new stage on as MCP progress.

    The events are the ones the pages get; the task's row has the last word.
    """
    reported = 0
    try:
        # aclosing: a timeout or a client that gives up stops following at once.
        async with (
            asyncio.timeout(WAIT_LIMIT.total_seconds()),
            contextlib.aclosing(task_events(task_id, user_id=user.pk, project_id=project.pk)) as events,
        ):
            async for event in events:
                progress = event.get("progress") or 0
                # Stages only: "Queued" (0) is not one, and a progress
                # notification must never go back.
                if progress > reported and event.get("status") in (Status.PROCESSING, Status.COMPLETED):
                    reported = progress
                    if ctx is not None:
                        await ctx.report_progress(progress, 100, event.get("message") or None)
    except TimeoutError:
        pass
    task = await db(_task, user, task_id, Action.VIEW)
    answer: dict = {"status": task.status}
    if task.status == Status.FAILED:
        answer["error"] = task.error
    elif task.status == Status.COMPLETED:
        answer["result"] = task.result
    elif task.status != Status.CANCELLED:
        answer["message"] = f"Still {task.status} after {WAIT_LIMIT}; follow it with get_task."
    return answer


def _memory_detail(project: Project, memory_id: str) -> dict:
    memory = selectors.memory_of(project, memory_id)
    if memory is None:
        raise ToolError(f"No memory with id {memory_id} in this project.")
    return dict(MemoryDetailOutputSerializer(memory).data)


async def get_memory(memory_id: str) -> dict[str, Any]:
    """One memory: its content, status, and the entities extracted from it."""
    _, project = await _caller(Action.VIEW)
    return await db(_memory_detail, project, memory_id)


def _memory_list(project: Project, limit: int, status: str | None) -> dict:
    memories = memory_selectors.memories_of(project, status=status)
    return {
        "count": memories.count(),
        "memories": [dict(row) for row in MemoryOutputSerializer(memories[:limit], many=True).data],
    }


async def list_memories(limit: int = 20, status: str | None = None) -> dict[str, Any]:
    """The project's memories, newest first; `status` is one of pending, processing, completed, failed, cancelled."""
    if not 1 <= limit <= LIST_LIMIT_MAX:
        raise ToolError(f"limit must be between 1 and {LIST_LIMIT_MAX}.")
    if status is not None and status not in Status.values:
        raise ToolError(f"status must be one of: {', '.join(Status.values)}.")
    _, project = await _caller(Action.VIEW)
    return await db(_memory_list, project, limit, status)


def _memory_delete(user: Any, project: Project, memory_id: str) -> dict:
    memory = selectors.memory_of(project, memory_id)
    if memory is None:
        raise ToolError(f"No memory with id {memory_id} in this project.")
    memory_services.memory_trash(memory=memory, by=user)
    return {"memory_id": memory_id, "deleted": True}


async def delete_memory(memory_id: str) -> dict[str, Any]:
    """Delete a memory: it leaves searches and the graph at once, and waits in the
    project's trash (restorable from the pages) until MEMORY_TRASH_DAYS have passed."""
    user, project = await _caller(Action.EDIT)
    return await db(_memory_delete, user, project, memory_id)


# -- tasks -----------------------------------------------------------------------


def _task(user, task_id: str, action: Action):
    try:
        return task_selectors.get_task_for_user(user, task_id, action)
    except Http404:
        raise ToolError(f"No task with id {task_id} in this project.") from None
    except PermissionDenied as refused:
        raise ToolError(str(refused)) from None


def _task_detail(user, task_id: str) -> dict:
    return dict(TaskDetailOutputSerializer(_task(user, task_id, Action.VIEW)).data)


async def get_task(task_id: str) -> dict[str, Any]:
    """A background task (an ingestion, say): status, progress, stages, result or error."""
    user, _ = await _caller(Action.VIEW)
    return await db(_task_detail, user, task_id)


def _task_cancel(user, task_id: str) -> dict:
    task = _task(user, task_id, Action.EDIT)
    if not task_services.task_request_cancel(task):
        raise ToolError(f"This task is already {task.status}; there is nothing to cancel.")
    return {"task_id": str(task.id), "status": task.status, "cancel_requested": True}


async def cancel_task(task_id: str) -> dict[str, Any]:
    """Ask a pending or running task to stop; a running one stops at its next stage and takes back its work."""
    user, _ = await _caller(Action.EDIT)
    return await db(_task_cancel, user, task_id)


# -- the graph -------------------------------------------------------------------


def _entity(project: Project, name: str) -> dict:
    entity = selectors.entity_named(project, name)
    if entity is None:
        alike = selectors.entities_like(project, name)
        hint = f" Entities with similar names: {', '.join(alike)}." if alike else ""
        raise ToolError(f"No entity named “{name}” in this project.{hint}")
    relationships = selectors.current_relationships(project, entity, limit=RELATIONSHIPS_SHOWN)
    return {
        "entity": dict(EntitySerializer(entity).data),
        "relationships": [dict(row) for row in RelationshipSerializer(relationships, many=True).data],
    }


async def get_entity(name: str) -> dict[str, Any]:
    """An entity of the knowledge graph by name: its type, summary and current relationships."""
    if not name.strip():
        raise ToolError("Give the name of an entity.")
    _, project = await _caller(Action.VIEW)
    return await db(_entity, project, name.strip())


# -- recall -----------------------------------------------------------------------


def _search(project: Project, arguments: dict) -> dict:
    form = SearchForm(arguments)
    if not form.is_valid():
        raise ToolError(_validation_message(form.errors))
    return dict(SearchResultSerializer(search(project=project, query=form.query())).data)


async def search_memory(query: str, limit: int = 10, as_of: str | None = None) -> dict[str, Any]:
    """Ask the project's memories: the best matching memories (with a snippet, highlighted
    terms, a score and which retrievers found each), the facts (relationships current at
    `as_of`, an ISO datetime) and the entities that match; as the search API answers."""
    _, project = await _caller(Action.VIEW)
    arguments = {"q": query, "limit": limit}
    if as_of is not None:
        arguments["as_of"] = as_of
    return await db(_search, project, arguments)


# The tools the server offers, in the order clients list them.
TOOLS = [add_memory, search_memory, get_memory, list_memories, delete_memory, get_task, cancel_task, get_entity]
