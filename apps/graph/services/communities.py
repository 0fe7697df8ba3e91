"""Keeping a project's communities up to date as episodes change the graph, incrementally."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils import timezone

from apps.graph.communities import NEW, NewCommunity, assign_incrementally, name_community
from apps.graph.models import Community, Entity, Relationship
from apps.projects.models import Project


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
    # New communities first, all in one insert; an entity's target is then a Community or an id.
    founded: dict[object, Community] = {}
    targets: dict[int, Community | int] = {}
    for entity_id, target in placement.items():
        if target is NEW or isinstance(target, NewCommunity):
            key = (NEW, entity_id) if target is NEW else target
            target = founded.setdefault(key, Community(project=project, name=""))
        targets[entity_id] = target
    Community.objects.bulk_create(founded.values())
    moved = []
    for entity_id, target in targets.items():
        target_id = target.id if isinstance(target, Community) else target
        if community_of.get(entity_id) != target_id:
            moved.append(Entity(id=entity_id, community_id=target_id))  # (only the id and the field are written)
        changed.add(target_id)
    Entity.objects.bulk_update(moved, ["community_id"])
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
    if not ids:  # a new episode's case: even an empty delete costs the collector's work
        return
    Community.objects.filter(project=project, id__in=ids, members__isnull=True).delete()
    communities = list(Community.objects.filter(project=project, id__in=ids))
    if not communities:
        return
    # Their members and facts in one read each, for all of them.
    members: dict[int, list[tuple[str, int]]] = defaultdict(list)
    degrees = (
        Entity.objects.filter(community__in=communities)
        .annotate(degree=Count("outgoing", distinct=True) + Count("incoming", distinct=True))
        .order_by()
        .values_list("community_id", "name", "degree")
    )
    for community_id, name, degree in degrees:
        members[community_id].append((name, degree))
    facts: dict[int, Counter[str]] = defaultdict(Counter)
    held = Relationship.objects.filter(source__community__in=communities, invalid_at__isnull=True)
    for community_id, name in held.values_list("source__community_id", "name"):
        facts[community_id][name] += 1
    now = timezone.now()
    for community in communities:
        community.name, community.summary = name_community(members[community.id], facts[community.id])
        community.member_count = len(members[community.id])
        community.updated_at = now
    Community.objects.bulk_update(communities, ["name", "summary", "member_count", "updated_at"])
