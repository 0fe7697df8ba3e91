"""Reading a project's graph for pages and the API.

"Current" relationships are the ones nothing has closed (`invalid_at` is
null); degrees and graph views count only those, while an entity's own page
also lists the closed ones, marked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404

from apps.graph.constants import REBUILD
from apps.graph.models import Community, EdgeType, EdgeTypeMap, Entity, EntityType, Mention, Relationship
from apps.projects.models import Project
from apps.tasks.models import Status, TaskLog

GRAPH_NODE_LIMIT = 300
GRAPH_MAX_NODE_LIMIT = 1000
GRAPH_EDGE_LIMIT = 3000


def _current_count(end: str) -> Coalesce:
    """How many current relationships have the outer entity at `end` ("source" or "target")."""
    counted = (
        Relationship.objects.filter(**{end: OuterRef("pk")}, invalid_at__isnull=True)
        .order_by()
        .values(end)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_degree(entities: QuerySet[Entity]) -> QuerySet[Entity]:
    """Annotate `degree`: the entity's current relationships, either way."""
    return entities.annotate(degree=_current_count("source") + _current_count("target"))


# -- entities and relationships ------------------------------------------------


def entities_of(project: Project, *, q: str = "", type_name: str = "") -> QuerySet[Entity]:
    entities = Entity.objects.filter(project=project)
    if q:
        entities = entities.filter(name__icontains=q)
    if type_name:
        entities = entities.filter(entity_type__name__iexact=type_name)
    mentions = (
        Mention.objects.filter(entity=OuterRef("pk")).order_by().values("entity").annotate(n=Count("pk")).values("n")
    )
    entities = entities.select_related("entity_type", "community").annotate(
        mention_count=Coalesce(Subquery(mentions, output_field=IntegerField()), Value(0))
    )
    return with_degree(entities).order_by("name", "id")


# How much of an entity or a community the pages and the API show at once.
RELATIONSHIPS_SHOWN = 100
MEMORIES_SHOWN = 50
MEMBERS_SHOWN = 10


def entity_of(project: Project, entity_id: int) -> Entity | None:
    return (
        with_degree(Entity.objects.filter(project=project, pk=entity_id))
        .select_related("entity_type", "community")
        .first()
    )


def get_entity(project: Project, entity_id: int) -> Entity:
    """The project's entity, or Http404 (pages and API alike)."""
    entity = entity_of(project, entity_id)
    if entity is None:
        raise Http404("No such entity.")
    return entity


def relationships_of(
    project: Project, *, entity_id: int | None = None, name: str = "", current: bool | None = None
) -> QuerySet[Relationship]:
    relationships = Relationship.objects.filter(project=project)
    if entity_id is not None:
        relationships = relationships.filter(Q(source_id=entity_id) | Q(target_id=entity_id))
    if name:
        relationships = relationships.filter(name__iexact=name)
    if current is not None:
        relationships = relationships.filter(invalid_at__isnull=current)
    return relationships.select_related("source", "target").order_by("source__name", "name", "target__name", "id")


def entity_relationships(entity: Entity, *, direction: str) -> QuerySet[Relationship]:
    """Its outgoing or incoming relationships: current ones first, then the closed, newest first."""
    relationships = entity.outgoing if direction == "out" else entity.incoming
    return relationships.select_related("source", "target").order_by(
        F("invalid_at").desc(nulls_first=True), "name", "id"
    )


def episode_entities(episode_id: UUID) -> QuerySet[Entity]:
    """The entities an episode (the memory `episode_id`) names, by name."""
    return Entity.objects.filter(mentions__memory_id=episode_id).select_related("entity_type").order_by("name")


def episode_relationships(episode_id: UUID) -> QuerySet[Relationship]:
    """The relationships an episode supports."""
    return (
        Relationship.objects.filter(episodes=episode_id)
        .select_related("source", "target")
        .order_by("source__name", "name")
    )


def entity_memories(entity: Entity) -> QuerySet:
    """The memories that mention the entity, newest first.

    Reached through the graph's own foreign key (Mention.memory): the graph
    imports nothing of the memories app.
    """
    memories = Mention._meta.get_field("memory").related_model
    return memories.objects.filter(mentions__entity=entity).order_by("-valid_at", "id")


# -- communities -----------------------------------------------------------------


def communities_of(project: Project) -> QuerySet[Community]:
    return Community.objects.filter(project=project).order_by("-member_count", "name", "id")


def top_members(community_ids: list[int], *, limit: int = 10) -> dict[int, list[Entity]]:
    """The best-connected `limit` members of each community."""
    ranked = (
        with_degree(Entity.objects.filter(community_id__in=community_ids))
        .select_related("entity_type")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("community_id"),
                order_by=[F("degree").desc(), F("name").asc(), F("id").asc()],
            )
        )
        .filter(rank__lte=limit)
        .order_by("community_id", "rank")
    )
    members: dict[int, list[Entity]] = {community_id: [] for community_id in community_ids}
    for entity in ranked:
        members[entity.community_id].append(entity)
    return members


def active_rebuild(project: Project) -> TaskLog | None:
    """The project's community rebuild that is pending or running, if any."""
    return (
        TaskLog.objects.filter(project=project, task_type=REBUILD, status__in=[Status.PENDING, Status.PROCESSING])
        .order_by("created_at")
        .first()
    )


# -- schema ------------------------------------------------------------------------


def entity_types_of(project: Project) -> QuerySet[EntityType]:
    return EntityType.objects.filter(project=project).annotate(entity_count=Count("entities")).order_by("name")


def edge_types_of(project: Project) -> QuerySet[EdgeType]:
    used = (
        Relationship.objects.filter(project=project, name=OuterRef("name"))
        .order_by()
        .values("name")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        EdgeType.objects.filter(project=project)
        .annotate(relationship_count=Coalesce(Subquery(used, output_field=IntegerField()), Value(0)))
        .order_by("name")
    )


def edge_type_triples(project: Project) -> dict[int, list[tuple[str, str]]]:
    """For each edge type, the (source type, target type) pairs it has joined."""
    triples: dict[int, list[tuple[str, str]]] = {}
    rows = (
        EdgeTypeMap.objects.filter(project=project)
        .order_by("source_type__name", "target_type__name")
        .values_list("edge_type_id", "source_type__name", "target_type__name")
    )
    for edge_type_id, source, target in rows:
        triples.setdefault(edge_type_id, []).append((source, target))
    return triples


# -- graph views -------------------------------------------------------------------


@dataclass
class GraphView:
    """Nodes and current edges to draw; `truncated` when the cap left some out."""

    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    total_nodes: int = 0
    truncated: bool = False


def _node(entity: Entity, **extra) -> dict:
    return {
        "id": entity.id,
        "name": entity.name,
        "type": entity.entity_type.name,
        "community_id": entity.community_id,
        "degree": entity.degree,
        **extra,
    }


def _edges_among(project_id, ids: list[int]) -> tuple[list[dict], bool]:
    rows = list(
        Relationship.objects.filter(
            project_id=project_id, invalid_at__isnull=True, source_id__in=ids, target_id__in=ids
        )
        .order_by("id")
        .values("id", "source_id", "target_id", "name", "fact")[: GRAPH_EDGE_LIMIT + 1]
    )
    edges = [
        {"id": r["id"], "source": r["source_id"], "target": r["target_id"], "name": r["name"], "fact": r["fact"]}
        for r in rows[:GRAPH_EDGE_LIMIT]
    ]
    return edges, len(rows) > GRAPH_EDGE_LIMIT


def project_graph(project: Project, *, limit: int = GRAPH_NODE_LIMIT) -> GraphView:
    """The project's best-connected `limit` entities and the current relationships among them."""
    entities = list(
        with_degree(Entity.objects.filter(project=project))
        .select_related("entity_type")
        .order_by("-degree", "name", "id")[:limit]
    )
    total = Entity.objects.filter(project=project).count()
    edges, edges_cut = _edges_among(project.id, [e.id for e in entities])
    return GraphView([_node(e) for e in entities], edges, total, total > len(entities) or edges_cut)


def neighbourhood(entity: Entity, *, depth: int = 1, limit: int = GRAPH_NODE_LIMIT) -> GraphView:
    """The entity and what its current relationships reach in `depth` steps, nearest and best-connected first."""
    depth_of = {entity.id: 0}
    frontier = {entity.id}
    cut = False
    for level in range(1, depth + 1):
        if len(depth_of) > limit:  # already more than can be drawn: going further only costs
            cut = True
            break
        pairs = Relationship.objects.filter(project_id=entity.project_id, invalid_at__isnull=True).filter(
            Q(source_id__in=frontier) | Q(target_id__in=frontier)
        )
        reached = set()
        for source_id, target_id in pairs.values_list("source_id", "target_id"):
            for node in (source_id, target_id):
                if node not in depth_of:
                    depth_of[node] = level
                    reached.add(node)
        frontier = reached
        if not frontier:
            break
    entities = sorted(
        with_degree(Entity.objects.filter(pk__in=depth_of)).select_related("entity_type"),
        key=lambda e: (depth_of[e.id], -e.degree, e.name, e.id),
    )[:limit]
    edges, edges_cut = _edges_among(entity.project_id, [e.id for e in entities])
    nodes = [_node(e, depth=depth_of[e.id]) for e in entities]
    return GraphView(nodes, edges, len(depth_of), cut or edges_cut or len(depth_of) > len(entities))
