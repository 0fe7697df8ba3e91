"""Episodes into the graph: extract what one says, write it, replace what it said before."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.graph.extraction import get_extractor
from apps.graph.extraction.types import GENERIC_TYPE, Extraction, SchemaSpec
from apps.graph.models import EdgeType, Entity, EntityType, Mention, Relationship
from apps.graph.resolution import find_match, normalize_name
from apps.graph.services.communities import refresh_communities
from apps.projects.models import Project


@dataclass(frozen=True)
class Episode:
    """What extraction needs of a memory."""

    text: str
    content_type: str
    valid_at: datetime

    @classmethod
    def from_memory(cls, memory) -> Episode:
        # The content alone: a title in front would break JSON content and
        # could pass for a speaker in a conversation.
        return cls(text=memory.content, content_type=memory.content_type, valid_at=memory.valid_at)


@dataclass
class Written:
    entity_ids: set[int] = field(default_factory=set)
    relationship_count: int = 0
    invalidated_count: int = 0


def episode_extract(*, episode: Episode, schema: SchemaSpec, check: Callable[[], None] | None = None) -> Extraction:
    extraction = get_extractor().extract(episode.text, content_type=episode.content_type, schema=schema)
    if check is not None:
        check()
    return extraction


def episode_write(*, project: Project, memory, extraction: Extraction) -> Written:
    """Make the graph say what this episode says, replacing what it said before.

    Call with the project's graph lock held (lock_project_graph).
    """
    seen_at = memory.valid_at
    written = Written()
    # What the episode named before, and their communities: the only entities
    # that may be left unmentioned, the only communities that may lose members.
    previous = dict(Entity.objects.filter(mentions__memory=memory).values_list("id", "community_id"))
    entities = _resolve_entities(project, extraction, seen_at)
    written.entity_ids = {entity.id for entity in entities.values()}

    # Mentions: exactly the entities this episode names.
    Mention.objects.filter(memory=memory).exclude(entity_id__in=written.entity_ids).delete()
    present = set(Mention.objects.filter(memory=memory).values_list("entity_id", flat=True))
    Mention.objects.bulk_create(
        [Mention(memory=memory, entity_id=eid) for eid in written.entity_ids - present], ignore_conflicts=True
    )

    # Relationships: support what it states, withdraw support from what it no longer does.
    supported: set[int] = set()
    exclusive = set(EdgeType.objects.filter(project=project, exclusive=True).values_list("name", flat=True))
    for rel in extraction.relationships:
        source, target = entities[rel.source], entities[rel.target]
        if source.id == target.id:
            continue
        relationship, created = _find_or_create_relationship(project, source, target, rel, seen_at)
        relationship.episodes.add(memory)
        supported.add(relationship.id)
        if created and rel.name in exclusive:
            written.invalidated_count += _close_contradicted(relationship)
    written.relationship_count = len(supported)
    _withdraw_support(memory, keep=supported)
    _delete_orphan_entities(previous.keys() - written.entity_ids)
    refresh_communities(project, {cid for cid in previous.values() if cid is not None})
    return written


def episode_remove(*, project: Project, memory) -> None:
    """Take back everything only this episode put in the graph."""
    episode_write(project=project, memory=memory, extraction=Extraction(entities=(), relationships=()))


def _resolve_entities(project: Project, extraction: Extraction, seen_at: datetime) -> dict[str, Entity]:
    """Map each extracted name to an entity of the project, merging with known ones."""
    types = {t.name: t for t in EntityType.objects.filter(project=project)}
    candidates = [
        (entity.id, entity.name, entity.entity_type.name)
        for entity in Entity.objects.filter(project=project).select_related("entity_type")
    ]
    by_id: dict[int, Entity] = {}
    resolved: dict[str, Entity] = {}
    threshold = settings.GRAPH_MATCH_THRESHOLD
    for extracted in extraction.entities:
        match = find_match(extracted.name, extracted.type, candidates, threshold=threshold)
        if match is not None:
            entity = by_id.get(match) or Entity.objects.get(pk=match)
            _refresh_entity(entity, extracted, types, seen_at)
        else:
            entity = Entity.objects.create(
                project=project,
                name=extracted.name,
                normalized_name=normalize_name(extracted.name),
                entity_type=types[extracted.type],
                summary=extracted.summary,
                attributes=dict(extracted.attributes),
                first_seen_at=seen_at,
                last_seen_at=seen_at,
            )
            candidates.append((entity.id, entity.name, extracted.type))
        by_id[entity.id] = entity
        resolved[extracted.name] = entity
    return resolved


def _refresh_entity(entity: Entity, extracted, types: dict[str, EntityType], seen_at: datetime) -> None:
    changed = []
    # A specific type learned later beats the generic one.
    if entity.entity_type.name == GENERIC_TYPE and extracted.type != GENERIC_TYPE:
        entity.entity_type = types[extracted.type]
        changed.append("entity_type")
    if extracted.attributes and not set(extracted.attributes.items()) <= set(entity.attributes.items()):
        entity.attributes = {**entity.attributes, **extracted.attributes}
        changed.append("attributes")
    if extracted.summary and not entity.summary:
        entity.summary = extracted.summary
        changed.append("summary")
    if seen_at < entity.first_seen_at:
        entity.first_seen_at = seen_at
        changed.append("first_seen_at")
    if seen_at > entity.last_seen_at:
        entity.last_seen_at = seen_at
        changed.append("last_seen_at")
    if changed:
        entity.save(update_fields=[*changed, "updated_at"])


def _find_or_create_relationship(project, source, target, rel, seen_at) -> tuple[Relationship, bool]:
    existing = Relationship.objects.filter(
        project=project, source=source, target=target, name=rel.name, invalid_at__isnull=True
    ).first()
    if existing is not None:
        return existing, False
    relationship = Relationship.objects.create(
        project=project,
        source=source,
        target=target,
        name=rel.name,
        fact=rel.fact,
        valid_at=rel.valid_at or seen_at,
    )
    return relationship, True


def _close_contradicted(newer: Relationship) -> int:
    """Close the source's other current edges of this exclusive kind that are older."""
    older = Relationship.objects.filter(
        project_id=newer.project_id, source_id=newer.source_id, name=newer.name, invalid_at__isnull=True
    ).exclude(pk=newer.pk)
    older = older.filter(Q(valid_at__isnull=True) | Q(valid_at__lte=newer.valid_at))
    return older.update(invalid_at=newer.valid_at, invalidated_by=newer, updated_at=timezone.now())


def _withdraw_support(memory, *, keep: set[int]) -> None:
    """Take this episode's support from the relationships it no longer states; drop those left with none."""
    withdrawn = Relationship.episodes.through.objects.filter(memory_id=memory.pk).exclude(relationship_id__in=keep)
    candidates = list(withdrawn.values_list("relationship_id", flat=True))
    if not candidates:
        return
    withdrawn.delete()
    unsupported = list(
        Relationship.objects.filter(id__in=candidates, episodes__isnull=True).values_list("id", flat=True)
    )
    # A fact that loses all support no longer closes the facts it contradicted.
    Relationship.objects.filter(invalidated_by__in=unsupported).update(invalid_at=None, invalidated_by=None)
    Relationship.objects.filter(id__in=unsupported).delete()


def _delete_orphan_entities(entity_ids: Iterable[int]) -> None:
    """Delete those of `entity_ids` that nothing mentions any more."""
    Entity.objects.filter(id__in=list(entity_ids), mentions__isnull=True).delete()
