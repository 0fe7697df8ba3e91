"""Reads for the keys pages and API, and for the MCP tools (built on the other rooms' selectors)."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from apps.agents.models import ProjectAPIKey
from apps.graph import selectors as graph
from apps.graph.models import Entity, Relationship
from apps.graph.resolution import normalize_name
from apps.memories import selectors as memories
from apps.memories.models import Memory
from apps.projects.models import Project


def keys_of(project: Project) -> QuerySet[ProjectAPIKey]:
    """The project's keys, revoked ones included (they say when they stopped)."""
    return project.api_keys.select_related("created_by").order_by("revoked_at", "-created_at", "id")


def key_of_project(project: Project, key_id: int) -> ProjectAPIKey | None:
    return keys_of(project).filter(pk=key_id).first()


def memory_of(project: Project, memory_id: UUID | str) -> Memory | None:
    """The project's memory with this id; None for another project's, or no such id."""
    try:
        return memories.memories_of(project).filter(pk=memory_id).first()
    except ValidationError:  # not a UUID
        return None


def entity_named(project: Project, name: str) -> Entity | None:
    """The project's entity called `name`: exactly (any case) or, failing that, by its normalised name."""
    entities = graph.entities_of(project)
    return entities.filter(name__iexact=name).first() or entities.filter(normalized_name=normalize_name(name)).first()


def entities_like(project: Project, name: str, *, limit: int = 5) -> list[str]:
    """Names close to `name`, for a helpful "no such entity" message."""
    return list(graph.entities_of(project, q=name).values_list("name", flat=True)[:limit])


def current_relationships(project: Project, entity: Entity, *, limit: int) -> QuerySet[Relationship]:
    return graph.relationships_of(project, entity_id=entity.id, current=True)[:limit]
