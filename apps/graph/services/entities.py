"""Merging two entities by hand: one entity for what extraction stored as two."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.graph.models import Entity, EntityAlias, Mention, Relationship
from apps.graph.resolution import normalize_name
from apps.graph.services.communities import refresh_communities
from apps.graph.services.locking import lock_project_graph
from apps.projects.models import Project


class EntityMergeError(ValueError):
    """Why two entities cannot be merged, in words for the person who asked."""


def entity_merge(*, project: Project, keep: Entity, merge: Entity) -> Entity:
    """Fold `merge` into `keep`: one entity for what extraction stored as two.

    `keep` keeps its name and type and gains `merge`'s mentions, relationships
    (a fact both stated is kept once, supported by the episodes of both; one
    between the two becomes a loop and is dropped), attributes it lacked and
    the earlier first sighting, and `merge`'s name and aliases as its own
    aliases, so that a later memory naming "Alice" resolves to the kept "Alice
    Chen". The moved mentions count for `keep`'s type from then on: the
    person who merged chose it. Then `merge` is deleted. Atomic, under the
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
        Mention.objects.filter(entity=merge).exclude(memory_id__in=list(already)).update(
            entity=keep, entity_type_name=""
        )
        Mention.objects.filter(entity=merge).delete()
        _keep_names(project, keep=keep, merge=merge)

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


def _keep_names(project: Project, *, keep: Entity, merge: Entity) -> None:
    """`merge`'s name and aliases become `keep`'s aliases, unless they normalise to `keep`'s own name."""
    names = [merge.name, *merge.aliases.values_list("name", flat=True)]
    known = {keep.normalized_name, *keep.aliases.values_list("normalized_name", flat=True)}
    new: dict[str, str] = {}
    for name in names:
        normalized = normalize_name(name)
        if normalized and normalized not in known:
            new.setdefault(normalized, name)
    EntityAlias.objects.bulk_create(
        [EntityAlias(project=project, entity=keep, name=name, normalized_name=key) for key, name in new.items()]
    )


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
