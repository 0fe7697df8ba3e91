from __future__ import annotations

from django.db.models import QuerySet

from apps.graph import selectors as graph_selectors
from apps.graph.models import Entity, Relationship
from apps.memories.constants import SUBJECT_TYPE
from apps.memories.models import Memory
from apps.projects.models import Project
from apps.tasks.models import TaskLog


def memories_of(project: Project, *, status: str | None = None) -> QuerySet[Memory]:
    memories = Memory.objects.filter(project=project).select_related("author", "current_task")
    if status:
        memories = memories.filter(processing_status=status)
    return memories.order_by("-created_at", "id")


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
