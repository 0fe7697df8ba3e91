"""Keeping a project's communities up to date as episodes change the graph, incrementally."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import Count, Q

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
    if not ids:  # a new episode's case: even an empty delete costs the collector's work
        return
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
