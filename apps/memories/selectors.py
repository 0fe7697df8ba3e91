from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from apps.graph import selectors as graph_selectors
from apps.graph.models import Entity, Relationship
from apps.memories.constants import SUBJECT_TYPE
from apps.memories.models import Memory, MemoryVersion
from apps.projects.access import Action, User, get_project_for_user
from apps.projects.models import Project
from apps.projects.selectors import projects_for_user
from apps.tasks.models import TaskLog


def get_memory_for_user(
    user: User, memory_id: UUID | str, action: Action = Action.VIEW, *, project_id: UUID | str | None = None
) -> Memory:
    """The memory if the user may do `action` in its project; Http404 or PermissionDenied otherwise.

    As get_project_for_user: someone outside the project gets 404, as for an
    id that does not exist; a member whose role lacks the action gets 403.
    `memory.project` carries the user's role (`may(memory.project, ...)`).
    With `project_id` (a page's URL), a memory of another project is not found.
    """
    try:
        memory = Memory.objects.filter(pk=memory_id).select_related("current_task").first()
    except ValidationError:  # not a UUID
        memory = None
    if memory is None or (project_id is not None and str(memory.project_id) != str(project_id)):
        raise Http404("No such memory.")
    memory.project = get_project_for_user(user, memory.project_id, action)
    return memory


def get_trashed_memory_for_user(
    user: User, memory_id: UUID | str, action: Action = Action.EDIT, *, project_id: UUID | str
) -> Memory:
    """A memory in the trash of `project_id`, with the same rules as get_memory_for_user."""
    try:
        memory = trashed_memories(project_id).filter(pk=memory_id).select_related("current_task").first()
    except ValidationError:
        memory = None
    project = get_project_for_user(user, project_id, action)
    if memory is None:
        raise Http404("No such memory in the trash.")
    memory.project = project
    return memory


def trashed_memories(project: Project | UUID | str) -> QuerySet[Memory]:
    """The project's trash, the latest deleted first."""
    return (
        Memory.all_objects.filter(project=project, deleted_at__isnull=False)
        .select_related("deleted_by")
        .order_by("-deleted_at", "id")
    )


def trash_expires_at(memory: Memory) -> datetime:
    """When the memory leaves the trash for good (trash_purge)."""
    return memory.deleted_at + timedelta(days=settings.MEMORY_TRASH_DAYS)


def memory_versions(memory: Memory) -> QuerySet[MemoryVersion]:
    """Earlier versions of the memory, the latest replaced first."""
    return memory.versions.select_related("replaced_by").order_by("-replaced_at", "-id")


def get_memory_version(memory: Memory, version_id: int) -> MemoryVersion:
    version = memory.versions.select_related("replaced_by").filter(pk=version_id).first()
    if version is None:
        raise Http404("No such version of this memory.")
    return version


def memories_for_user(user: User) -> QuerySet[Memory]:
    """The memories of every project the user is a member of, newest first."""
    return Memory.objects.filter(project__in=projects_for_user(user).values("id")).order_by("-created_at", "id")


def memories_of(project: Project, *, status: str | None = None) -> QuerySet[Memory]:
    memories = Memory.objects.filter(project=project).select_related("author", "current_task")
    if status:
        memories = memories.filter(processing_status=status)
    return memories.order_by("-created_at", "id")


# What a row of the memory list shows (templates/memories/_rows.html) and no more: contents can be long.
LIST_ROW_FIELDS = (
    "id",
    "project",
    "title",
    "content_type",
    "processing_status",
    "created_at",
    "updated_at",
    "current_task__progress",
)


def memory_list_rows(project: Project, *, status: str | None = None) -> QuerySet[Memory]:
    """The memory list's rows, newest first (page them with apps.core.pagination)."""
    return (
        memories_of(project, status=status).select_related(None).select_related("current_task").only(*LIST_ROW_FIELDS)
    )


def memory_entities(memory: Memory) -> QuerySet[Entity]:
    return graph_selectors.episode_entities(memory.id)


def memory_relationships(memory: Memory) -> QuerySet[Relationship]:
    return graph_selectors.episode_relationships(memory.id)


def memory_tasks(memory: Memory) -> QuerySet[TaskLog]:
    return TaskLog.objects.filter(subject_type=SUBJECT_TYPE, subject_id=str(memory.id)).order_by("-created_at")


def memory_of_task(project: Project, task_id) -> Memory | None:
    """The project's memory whose current ingestion is `task_id`, if any."""
    return Memory.objects.filter(project=project, current_task_id=task_id).select_related("current_task").first()


def recent_memories(project: Project, *, limit: int = 8) -> list[Memory]:
    return list(memories_of(project)[:limit])


def memory_count(project: Project) -> int:
    return Memory.objects.filter(project=project).count()
