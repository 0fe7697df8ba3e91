"""A project's schema: the entity and edge types extraction may use, and the ones it adds."""

from __future__ import annotations

from dataclasses import dataclass

from apps.graph.extraction.types import Extraction, SchemaSpec
from apps.graph.models import DEFAULT_ENTITY_TYPES, EXCLUSIVE_EDGE_NAMES, EdgeType, EdgeTypeMap, EntityType, Source
from apps.projects.models import Project


@dataclass
class SchemaChanges:
    entity_types: int = 0
    edge_types: int = 0
    triples: int = 0


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
