"""A project's schema: the entity and edge types extraction may use, the ones it adds, and a person's edits."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.graph.extraction import Extraction, SchemaSpec
from apps.graph.models import (
    DEFAULT_ENTITY_TYPES,
    EXCLUSIVE_EDGE_NAMES,
    EdgeType,
    EdgeTypeMap,
    EntityType,
    Relationship,
    Source,
)
from apps.graph.services.locking import lock_project_graph
from apps.projects.models import Project


@dataclass
class SchemaChanges:
    entity_types: int = 0
    edge_types: int = 0
    triples: int = 0
    # The project's types once synced, read under the graph lock: the episode's
    # writes that follow in the same transaction use them instead of reading them again.
    types: dict[str, EntityType] = field(default_factory=dict, repr=False)
    edges: dict[str, EdgeType] = field(default_factory=dict, repr=False)
    known: set[tuple[int, int, int]] = field(default_factory=set, repr=False)  # (source, target, edge) type ids


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
    entity_types = dict(EntityType.objects.filter(project=project).values_list("name", "description"))
    if DEFAULT_ENTITY_TYPES.keys() - entity_types.keys():
        # A project's first use (or a built-in type gone): create them, then read all again, in their order.
        ensure_default_types(project)
        entity_types = dict(EntityType.objects.filter(project=project).values_list("name", "description"))
    edge_types = dict(EdgeType.objects.filter(project=project).values_list("name", "description"))
    triples = set(
        EdgeTypeMap.objects.filter(project=project).values_list(
            "source_type__name", "target_type__name", "edge_type__name"
        )
    )
    return SchemaSpec.build(entity_types, edge_types, sorted(triples))


def schema_sync(*, project: Project, extraction: Extraction, after: SchemaChanges | None = None) -> SchemaChanges:
    """Add the types, edge names and (source, target, edge) triples first seen in this episode.

    `after`: what the previous episode's sync left, in the same transaction
    and under the same graph lock (a batch): the schema as it stands then,
    so it is not read again. Pass it only once that episode's writes are
    kept (a savepoint rolled back takes its new types with it).
    """
    changes = SchemaChanges()
    if after is None:
        types = {t.name: t for t in EntityType.objects.filter(project=project)}
        edges = {e.name: e for e in EdgeType.objects.filter(project=project)}
        known = set(
            EdgeTypeMap.objects.filter(project=project).values_list("source_type_id", "target_type_id", "edge_type_id")
        )
    else:
        types, edges, known = dict(after.types), dict(after.edges), set(after.known)
    for name in sorted({e.type for e in extraction.entities} - types.keys()):
        types[name] = EntityType.objects.create(project=project, name=name, source=Source.GENERATED)
        changes.entity_types += 1

    for name in sorted({r.name for r in extraction.relationships} - edges.keys()):
        edges[name] = EdgeType.objects.create(
            project=project, name=name, source=Source.GENERATED, exclusive=name in EXCLUSIVE_EDGE_NAMES
        )
        changes.edge_types += 1

    type_of = {e.name: e.type for e in extraction.entities}
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
    changes.types, changes.edges, changes.known = types, edges, known
    return changes


# -- a person's writes: the schema page and the API ------------------------------
#
# The forms and serializers check a name's shape; these apply the rules that
# need the project's other types (unique regardless of case, since extraction
# matches types case-insensitively; built-in types keep their names and stay)
# and write under the project's graph lock, as ingestion's schema_sync does.

TYPE_NAME_TAKEN = "This project already has a type named “{name}”."


class TypeInUse(Exception):
    """The type cannot be deleted; the message says why and what to do instead."""


def entity_type_create(*, project: Project, name: str, description: str = "") -> EntityType:
    """Add a type. Raises ValidationError on `name` when the project has it already."""
    entity_type = EntityType(project=project)
    _save_user_type(entity_type, name=name, description=description)
    return entity_type


def entity_type_update(*, entity_type: EntityType, name: str, description: str) -> EntityType:
    """Change a type; a built-in one keeps its name. Raises ValidationError on `name`."""
    _save_user_type(entity_type, name=name, description=description)
    return entity_type


def entity_type_delete(*, entity_type: EntityType) -> None:
    """Delete a type no entity has; raise TypeInUse otherwise, or for a built-in type."""
    with transaction.atomic():
        lock_project_graph(entity_type.project)
        if entity_type.name in DEFAULT_ENTITY_TYPES:
            raise TypeInUse(f"“{entity_type.name}” is a built-in type: ingestion relies on it, so it stays.")
        used = entity_type.entities.count()
        _refuse_if_used(entity_type, used, f"the type of {used} entit{'y' if used == 1 else 'ies'}")
        entity_type.delete()


def edge_type_create(*, project: Project, name: str, description: str = "", exclusive: bool = False) -> EdgeType:
    """Add an edge type. Raises ValidationError on `name` when the project has it already."""
    edge_type = EdgeType(project=project)
    _save_user_type(edge_type, name=name, description=description, exclusive=exclusive)
    return edge_type


def edge_type_update(*, edge_type: EdgeType, name: str, description: str, exclusive: bool) -> EdgeType:
    """Change an edge type; renaming it renames its relationships. Raises ValidationError on `name`."""
    _save_user_type(edge_type, name=name, description=description, exclusive=exclusive)
    return edge_type


def edge_type_delete(*, edge_type: EdgeType) -> None:
    """Delete an edge type no relationship uses; raise TypeInUse otherwise."""
    with transaction.atomic():
        lock_project_graph(edge_type.project)
        used = Relationship.objects.filter(project_id=edge_type.project_id, name=edge_type.name).count()
        _refuse_if_used(edge_type, used, f"used by {used} relationship{'' if used == 1 else 's'}")
        edge_type.delete()


def _save_user_type(schema_type: EntityType | EdgeType, *, name: str, **fields: object) -> None:
    """Give a type the fields a person wrote (theirs now) and save it under the graph lock, renames and all.

    The instance changes only once the rules allow the change.
    """
    model = type(schema_type)
    taken = ValidationError({"name": TYPE_NAME_TAKEN.format(name=name)}, code="unique")
    try:
        with transaction.atomic():
            lock_project_graph(schema_type.project)
            stored = model.objects.filter(pk=schema_type.pk).values_list("name", flat=True).first()
            renamed = stored is not None and stored != name
            if renamed and model is EntityType and stored in DEFAULT_ENTITY_TYPES:
                raise ValidationError(
                    {"name": f"“{stored}” is a built-in type and keeps its name; you can change its description."},
                    code="builtin",
                )
            if model.objects.filter(project=schema_type.project, name__iexact=name).exclude(pk=schema_type.pk).exists():
                raise taken
            schema_type.name = name
            for field_name, value in fields.items():
                setattr(schema_type, field_name, value)
            schema_type.source = Source.USER
            schema_type.save()
            if renamed and model is EdgeType:
                # Relationships name their edge type by name: a renamed type takes its relationships along.
                Relationship.objects.filter(project=schema_type.project, name=stored).update(name=name)
    except IntegrityError:  # the same name added meanwhile outside the lock (ingestion's default types)
        raise taken from None


def _refuse_if_used(schema_type: EntityType | EdgeType, used: int, what: str) -> None:
    if used:
        raise TypeInUse(
            f"“{schema_type.name}” is {what}, so it cannot be deleted. "
            "It can go once the memories that produced them are deleted; meanwhile you can edit it."
        )
