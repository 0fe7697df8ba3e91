from __future__ import annotations

from django.db.models import QuerySet

from apps.graph.models import Entity, Relationship
from apps.memories.models import Memory
from apps.projects.models import Project
from apps.tasks.models import TaskLog


def memories_of(project: Project, *, status: str | None = None) -> QuerySet[Memory]:
    memories = Memory.objects.filter(project=project).select_related("author", "current_task")
    if status:
        memories = memories.filter(processing_status=status)
    return memories.order_by("-created_at", "id")


def memory_entities(memory: Memory) -> QuerySet[Entity]:
    return Entity.objects.filter(mentions__memory=memory).select_related("entity_type").order_by("name")


def memory_relationships(memory: Memory) -> QuerySet[Relationship]:
    return memory.relationships.select_related("source", "target").order_by("source__name", "name")


def memory_tasks(memory: Memory) -> QuerySet[TaskLog]:
    from apps.memories.services import SUBJECT_TYPE

    return TaskLog.objects.filter(subject_type=SUBJECT_TYPE, subject_id=str(memory.id)).order_by("-created_at")


def memory_of_task(project: Project, task_id) -> Memory | None:
    """The project's memory whose current ingestion is `task_id`, if any."""
    return Memory.objects.filter(project=project, current_task_id=task_id).select_related("current_task").first()


def recent_memories(project: Project, *, limit: int = 8) -> list[Memory]:
    return list(memories_of(project)[:limit])


def memory_count(project: Project) -> int:
    return Memory.objects.filter(project=project).count()
