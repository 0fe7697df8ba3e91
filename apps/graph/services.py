"""Writing a project's graph: schema, episodes, communities.

The ingestion pipeline (apps.memories.services.memory_ingest) calls these in
order: schema_load, episode_extract, then, holding the project's graph lock,
schema_sync + episode_write, and communities_update.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from apps.graph.communities import NEW, NewCommunity, assign_incrementally, name_community
from apps.graph.extraction import get_extractor
from apps.graph.extraction.types import Extraction, SchemaSpec
from apps.graph.models import (
    DEFAULT_ENTITY_TYPES,
    EXCLUSIVE_EDGE_NAMES,
    Community,
    EdgeType,
    EdgeTypeMap,
    Entity,
    EntityType,
    Mention,
    Relationship,
    Source,
)
from apps.graph.resolution import better_type, find_match, normalize_name
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
class SchemaChanges:
    entity_types: int = 0
    edge_types: int = 0
    triples: int = 0


@dataclass
class Written:
    entity_ids: set[int] = field(default_factory=set)
    relationship_count: int = 0
    invalidated_count: int = 0


def lock_project_graph(project: Project) -> None:
    """Serialise graph writes in a project until the current transaction ends.

    A row lock on the project on PostgreSQL; SQLite takes its write lock at
    the start of every transaction (IMMEDIATE mode), which serialises too.
    """
    Project.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True).first()


# -- schema -----------------------------------------------------------------


def ensure_default_types(project: Project) -> None:
    existing = set(EntityType.objects.filter(project=project).values_list("name", flat=True))
    EntityType.objects.bulk_create(
        [
            EntityType(project=project, name=name, description=description, source=Source.USER)
            for name, description in DEFAULT_ENTITY_TYPES.items()
            if name not in existing
        ],
        ignore_conflicts=True,
    )


def schema_load(*, project: Project) -> SchemaSpec:
    ensure_default_types(project)
    entity_types = dict(EntityType.objects.filter(project=project).values_list("name", "description"))
    edge_types = dict(EdgeType.objects.filter(project=project).values_list("name", "description"))
    triples = set(
        EdgeTypeMap.objects.filter(project=project).values_list(
            "source_type__name", "target_type__name", "edge_type__name"
        )
    )
    return SchemaSpec.build(entity_types, edge_types, sorted(triples))


def schema_sync(*, project: Project, extraction: Extraction) -> SchemaChanges:
    """Add the types, edge names and (source, target, edge) triples first seen in this episode."""
    changes = SchemaChanges()
    types = {t.name: t for t in EntityType.objects.filter(project=project)}
    for name in sorted({e.type for e in extraction.entities} - types.keys()):
        types[name] = EntityType.objects.create(project=project, name=name, source=Source.GENERATED)
        changes.entity_types += 1

    edges = {e.name: e for e in EdgeType.objects.filter(project=project)}
    for name in sorted({r.name for r in extraction.relationships} - edges.keys()):
        edges[name] = EdgeType.objects.create(
            project=project, name=name, source=Source.GENERATED, exclusive=name in EXCLUSIVE_EDGE_NAMES
        )
        changes.edge_types += 1

    type_of = {e.name: e.type for e in extraction.entities}
    known = set(
        EdgeTypeMap.objects.filter(project=project).values_list("source_type_id", "target_type_id", "edge_type_id")
    )
    for rel in extraction.relationships:
        key = (types[type_of[rel.source]].id, types[type_of[rel.target]].id, edges[rel.name].id)
        if key not in known:
            EdgeTypeMap.objects.create(
                project=project,
                source_type_id=key[0],
                target_type_id=key[1],
                edge_type_id=key[2],
                source=Source.GENERATED,
            )
            known.add(key)
            changes.triples += 1
    return changes


# -- episodes -----------------------------------------------------------------


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
    # A specific type learned later beats the generic one; of two specific ones, the better supported.
    if better_type(entity.entity_type.name, extracted.type) != entity.entity_type.name:
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


# -- communities ----------------------------------------------------------------


def communities_update(*, project: Project, entity_ids: Iterable[int]) -> int:
    """Place the entities an episode touched into communities, incrementally.

    Each joins the community most of its neighbours are in, or starts a new
    one; the communities that changed are recounted and renamed. Returns how
    many communities changed.
    """
    touched = set(entity_ids)
    neighbours = _neighbours(project, touched)
    community_of = dict(
        Entity.objects.filter(project=project, id__in=set().union(*neighbours.values(), touched)).values_list(
            "id", "community_id"
        )
    )
    placement = assign_incrementally(
        touched, neighbours_of=lambda e: neighbours.get(e, ()), community_of=community_of.get, group_new=True
    )
    changed: set[int] = {cid for cid in (community_of.get(e) for e in touched) if cid is not None}
    founded: dict[object, int] = {}
    for entity_id, target in placement.items():
        if target is NEW or isinstance(target, NewCommunity):
            key = (NEW, entity_id) if target is NEW else target
            if key not in founded:
                founded[key] = Community.objects.create(project=project, name="").id
            target = founded[key]
        if community_of.get(entity_id) != target:
            Entity.objects.filter(pk=entity_id).update(community_id=target)
        changed.add(target)
    refresh_communities(project, changed)
    return len(changed)


def _neighbours(project: Project, entity_ids: set[int]) -> dict[int, set[int]]:
    neighbours: dict[int, set[int]] = {e: set() for e in entity_ids}
    edges = Relationship.objects.filter(project=project, invalid_at__isnull=True).filter(
        Q(source_id__in=entity_ids) | Q(target_id__in=entity_ids)
    )
    for source_id, target_id in edges.values_list("source_id", "target_id"):
        if source_id in neighbours:
            neighbours[source_id].add(target_id)
        if target_id in neighbours:
            neighbours[target_id].add(source_id)
    return neighbours


def refresh_communities(project: Project, community_ids: Iterable[int]) -> None:
    """Recount, rename and resummarise communities; drop the ones left empty."""
    ids = set(community_ids)
    Community.objects.filter(project=project, id__in=ids, members__isnull=True).delete()
    for community in Community.objects.filter(project=project, id__in=ids):
        members = list(
            Entity.objects.filter(community=community).annotate(
                degree=Count("outgoing", distinct=True) + Count("incoming", distinct=True)
            )
        )
        facts = Counter(
            Relationship.objects.filter(source__community=community, invalid_at__isnull=True).values_list(
                "name", flat=True
            )
        )
        community.name, community.summary = name_community([(m.name, m.degree) for m in members], facts)
        community.member_count = len(members)
        community.save(update_fields=["name", "summary", "member_count", "updated_at"])


# -- merging entities by hand -------------------------------------------------------


class EntityMergeError(ValueError):
    """Why two entities cannot be merged, in words for the person who asked."""


def entity_merge(*, project: Project, keep: Entity, merge: Entity) -> Entity:
    """Fold `merge` into `keep`: one entity for what extraction stored as two.

    `keep` keeps its name and type and gains `merge`'s mentions, relationships
    (a fact both stated is kept once, supported by the episodes of both; one
    between the two becomes a loop and is dropped), attributes it lacked and
    the earlier first sighting. Then `merge` is deleted. Atomic, under the
    project's graph lock, so ingestion never sees half a merge.
    """
    if keep.pk == merge.pk:
        raise EntityMergeError("Choose two different entities.")
    if keep.project_id != project.pk or merge.project_id != project.pk:
        raise EntityMergeError("Both entities must belong to this project.")
    with transaction.atomic():
        lock_project_graph(project)
        keep = Entity.objects.select_for_update().get(pk=keep.pk)
        merge = Entity.objects.select_for_update().get(pk=merge.pk)
        communities = {keep.community_id, merge.community_id} - {None}

        already = Mention.objects.filter(entity=keep).values_list("memory_id", flat=True)
        Mention.objects.filter(entity=merge).exclude(memory_id__in=list(already)).update(entity=keep)
        Mention.objects.filter(entity=merge).delete()

        Relationship.objects.filter(source=merge, target=keep).delete()
        Relationship.objects.filter(source=keep, target=merge).delete()
        for relationship in Relationship.objects.filter(Q(source=merge) | Q(target=merge)):
            _move_relationship(relationship, merge=merge, keep=keep)

        keep.attributes = {**merge.attributes, **keep.attributes}
        keep.summary = keep.summary or merge.summary
        keep.first_seen_at = min(keep.first_seen_at, merge.first_seen_at)
        keep.last_seen_at = max(keep.last_seen_at, merge.last_seen_at)
        keep.save(update_fields=["attributes", "summary", "first_seen_at", "last_seen_at", "updated_at"])
        merge.delete()
        refresh_communities(project, communities)
    return keep


def _move_relationship(relationship: Relationship, *, merge: Entity, keep: Entity) -> None:
    source_id = keep.pk if relationship.source_id == merge.pk else relationship.source_id
    target_id = keep.pk if relationship.target_id == merge.pk else relationship.target_id
    twin = (
        Relationship.objects.filter(
            project_id=relationship.project_id,
            source_id=source_id,
            target_id=target_id,
            name=relationship.name,
            invalid_at__isnull=relationship.invalid_at is None,
        )
        .exclude(pk=relationship.pk)
        .first()
    )
    if twin is None:
        Relationship.objects.filter(pk=relationship.pk).update(
            source_id=source_id, target_id=target_id, updated_at=timezone.now()
        )
        return
    twin.episodes.add(*relationship.episodes.all())
    Relationship.objects.filter(invalidated_by=relationship).update(invalidated_by=twin)
    relationship.delete()
