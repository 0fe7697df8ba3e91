"""Reading a project's graph for pages and the API.

"Current" relationships are the ones nothing has closed (`invalid_at` is
null); degrees and graph views count only those, while an entity's own page
also lists the closed ones, marked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404

from apps.graph.constants import REBUILD
from apps.graph.models import Community, EdgeType, EdgeTypeMap, Entity, EntityAlias, EntityType, Mention, Relationship
from apps.projects.models import Project
from apps.tasks.jobs import active_job
from apps.tasks.models import TaskLog

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


def graph_counts(project: Project) -> dict[str, int]:
    """Entities, current relationships and communities of the project: one query."""

    def counted(rows: QuerySet) -> Coalesce:
        n = rows.filter(project_id=OuterRef("pk")).order_by().values("project_id").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(n, output_field=IntegerField()), Value(0))

    # The project's reverse relations already have these names: count under others.
    row = (
        Project.objects.filter(pk=project.pk)
        .annotate(
            n_entities=counted(Entity.objects.all()),
            n_relationships=counted(Relationship.objects.filter(invalid_at__isnull=True)),
            n_communities=counted(Community.objects.all()),
        )
        .values("n_entities", "n_relationships", "n_communities")
        .get()
    )
    return {name.removeprefix("n_"): count for name, count in row.items()}


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
    return active_job(project, REBUILD)


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


def _edges_among(project_id, ids: list[int], *, limit: int = GRAPH_EDGE_LIMIT) -> tuple[list[dict], bool]:
    """The current relationships among `ids`, strongest first: `weight` is how many memories support one."""
    rows = list(
        Relationship.objects.filter(
            project_id=project_id, invalid_at__isnull=True, source_id__in=ids, target_id__in=ids
        )
        .annotate(weight=Count("episodes"))
        .order_by("-weight", "id")
        .values("id", "source_id", "target_id", "name", "fact", "weight")[: limit + 1]
    )
    edges = [
        {
            "id": r["id"],
            "source": r["source_id"],
            "target": r["target_id"],
            "name": r["name"],
            "fact": r["fact"],
            "weight": r["weight"],
        }
        for r in rows[:limit]
    ]
    return edges, len(rows) > limit


def project_graph(project: Project, *, limit: int = GRAPH_NODE_LIMIT, edge_limit: int = GRAPH_EDGE_LIMIT) -> GraphView:
    """The project's best-connected `limit` entities and the strongest current relationships among them."""
    entities = list(
        with_degree(Entity.objects.filter(project=project))
        .select_related("entity_type")
        .order_by("-degree", "name", "id")[:limit]
    )
    total = Entity.objects.filter(project=project).count()
    edges, edges_cut = _edges_among(project.id, [e.id for e in entities], limit=edge_limit)
    return GraphView([_node(e) for e in entities], edges, total, total > len(entities) or edges_cut)


def community_names(community_ids) -> dict[int, str]:
    return dict(Community.objects.filter(pk__in=list(community_ids)).values_list("id", "name"))


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


# -- recall (apps.recall reads the graph through these) ------------------------------


def entities_named_in(project: Project, phrases: list[str], *, limit: int = 20) -> list[Entity]:
    """The project's entities that `phrases` (pieces of a question) name, matched as ingestion matches names.

    Candidates share a normalised name or alias with a phrase (indexed lookups);
    `find_match` then picks, per phrase, the one ingestion would have picked.
    A one-word phrase with no entity of its own is also a short form, as
    ingestion reads short forms in a text: the first or last name of exactly
    one person ("Alice" for Alice Chen), the first word of exactly one
    organisation ("Acme" for Acme Robotics).
    """
    from apps.graph.extraction.types import GENERIC_TYPE
    from apps.graph.resolution import find_match, normalize_name

    wanted = {normalize_name(p): p for p in phrases}
    wanted.pop("", None)
    if not wanted:
        return []
    aliases = list(
        EntityAlias.objects.filter(project=project, normalized_name__in=list(wanted)).values_list("entity_id", "name")[
            : limit * 5
        ]
    )
    candidates = list(
        Entity.objects.filter(
            Q(normalized_name__in=list(wanted)) | Q(id__in=[entity_id for entity_id, _name in aliases]),
            project=project,
        ).select_related("entity_type")[: limit * 5]
    )
    by_id = {e.id: e for e in candidates}
    known = [(e.id, e.name, e.entity_type.name) for e in candidates]
    also = [(entity_id, name, by_id[entity_id].entity_type.name) for entity_id, name in aliases if entity_id in by_id]
    chosen: dict[int, Entity] = {}
    for phrase in wanted.values():
        key = find_match(phrase, GENERIC_TYPE, known, aliases=also)
        if key is not None:
            chosen[key] = by_id[key]
    named = {e.normalized_name for e in candidates}
    # A word of a name found whole ("Chen" of "Alice Chen") is that name's, not another's short form.
    within = {word for entity in chosen.values() for word in entity.normalized_name.split()}
    # As in ingestion, a short form is a name: written with a capital.
    short = [w for w, p in wanted.items() if " " not in w and w not in named | within and p[:1].isupper()]
    for entity in _short_form_of(project, short, limit=limit):
        chosen.setdefault(entity.id, entity)
    return sorted(chosen.values(), key=lambda e: (e.name, e.id))[:limit]


def _short_form_of(project: Project, words: list[str], *, limit: int) -> list[Entity]:
    """The one person whose first or last name, or the one organisation whose first word, each word is."""
    if not words:
        return []
    fits = Q()
    for word in words:
        fits |= Q(normalized_name__startswith=f"{word} ") | Q(
            normalized_name__endswith=f" {word}", entity_type__name="Person"
        )
    found: dict[str, list[Entity]] = {w: [] for w in words}
    rows = (
        Entity.objects.filter(project=project, entity_type__name__in=["Person", "Organization", "Organisation"])
        .filter(fits)
        .select_related("entity_type")
        .order_by("id")[: limit * 5]
    )
    for entity in rows:
        parts = entity.normalized_name.split()
        for word in words:
            if word == parts[0] or (entity.entity_type.name == "Person" and word == parts[-1]):
                found[word].append(entity)
    return [entities[0] for entities in found.values() if len(entities) == 1]


def memories_mentioning(
    entity_ids: list[int], memories: QuerySet, *, limit: int, among: list | None = None, by_date: bool = False
) -> list:
    """Ids of `memories` that mention the most of `entity_ids`, the most recent first among equals
    (only those in `among`, when given).

    Two ways to the same list, for the caller to choose by how common the
    entities are: from their mentions (all of them are read and counted: for
    rare entities), or, `by_date` with one entity, along the memories'
    (project, valid_at) index, each memory looked up in the mentions until
    `limit` are found (about limit × memories / mentions rows: for common ones).
    """
    if among is not None:
        memories = memories.filter(pk__in=among)
    if by_date and len(entity_ids) == 1:
        mentions = Mention.objects.filter(memory_id=OuterRef("pk"), entity_id=entity_ids[0])
        return list(memories.filter(Exists(mentions)).order_by("-valid_at", "id").values_list("id", flat=True)[:limit])
    return list(
        Mention.objects.filter(entity_id__in=entity_ids, memory__in=memories)
        .values("memory_id")
        .annotate(n=Count("entity_id"))
        .order_by("-n", "-memory__valid_at", "memory_id")
        .values_list("memory_id", flat=True)[:limit]
    )


def mention_counts(entity_ids: list[int]) -> dict[int, int]:
    """How many memories mention each of these entities (one row per memory and entity)."""
    rows = Mention.objects.filter(entity_id__in=entity_ids).values("entity_id").annotate(n=Count("memory_id"))
    return {row["entity_id"]: row["n"] for row in rows}


def facts_about(entity_ids: list[int], *, as_of=None, limit: int = 20) -> QuerySet[Relationship]:
    """Relationships of these entities that hold at `as_of` (now, when None): valid by then, not yet closed."""
    from django.utils import timezone

    moment = as_of or timezone.now()
    return (
        Relationship.objects.filter(Q(source_id__in=entity_ids) | Q(target_id__in=entity_ids))
        .filter(Q(valid_at__isnull=True) | Q(valid_at__lte=moment))
        .filter(Q(invalid_at__isnull=True) | Q(invalid_at__gt=moment))
        .select_related("source", "target")
        .order_by("-valid_at", "id")[:limit]
    )
