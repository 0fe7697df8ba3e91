"""Many episodes into the graph at once: a batch import's ingestions.

The same writes as episode_ingest, episode by episode (each in a savepoint,
so a failing one is taken back alone and the others go on), but under one
graph lock and in the caller's transaction, with the schema loaded once and
one community pass for the whole batch. The caller commits the episodes'
outcomes (its tasks' ends) in that same transaction, so nothing it wrote
needs taking back: a cancel or a replaced attempt finds either all of an
episode's writes with its `completed`, or none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from django.db import transaction

from apps.graph.extraction import Extraction, get_extractor
from apps.graph.models import Entity
from apps.graph.services.communities import communities_update
from apps.graph.services.episodes import BatchReads, Episode, EpisodeIngested, _episode_write
from apps.graph.services.locking import lock_project_graph
from apps.graph.services.schema import schema_load, schema_sync
from apps.projects.models import Project


def episodes_extract(*, project: Project, episodes: Sequence[Episode]) -> dict[UUID, Extraction | Exception]:
    """What each episode says, read against the project's schema (loaded once). No transaction needed.

    An episode the extractor fails on gets its exception instead, and the others go on.
    """
    schema = schema_load(project=project)
    extractor = get_extractor()
    extracted: dict[UUID, Extraction | Exception] = {}
    for episode in episodes:
        try:
            extracted[episode.memory_id] = extractor.extract(
                episode.text, content_type=episode.content_type, schema=schema
            )
        except Exception as exc:
            extracted[episode.memory_id] = exc
    return extracted


def episodes_write(
    *, project: Project, batch: Sequence[tuple[Episode, Extraction]]
) -> dict[UUID, EpisodeIngested | Exception]:
    """Make the graph say what each episode says; an episode whose writes fail gets its exception.

    Call inside a transaction, after the checks that the work is still wanted
    (the caller's fencing), since this takes the project's graph lock until
    that transaction ends.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("episodes_write must run inside the caller's transaction.")
    lock_project_graph(project)
    outcomes: dict[UUID, EpisodeIngested | Exception] = {}
    written = {}
    schema = None  # the schema as the last episode kept left it: read once, carried from one to the next
    reads = BatchReads.read(project, batch)
    for episode, extraction in batch:
        try:
            with transaction.atomic():
                changes = schema_sync(project=project, extraction=extraction, after=schema)
                written[episode.memory_id] = (
                    changes,
                    _episode_write(
                        project,
                        episode.memory_id,
                        extraction,
                        seen_at=episode.valid_at,
                        schema=changes,
                        reads=reads,
                    ),
                )
        except Exception as exc:
            outcomes[episode.memory_id] = exc
            reads.failed()
        else:
            schema = changes
            reads.kept(episode.memory_id, written[episode.memory_id][1])
    touched = set().union(*(w.entity_ids for _changes, w in written.values()))
    if touched:
        communities_update(project=project, entity_ids=touched)
    community_of = dict(Entity.objects.filter(id__in=touched).values_list("id", "community_id")) if touched else {}
    for memory_id, (changes, w) in written.items():
        outcomes[memory_id] = EpisodeIngested(
            entities=len(w.entity_ids),
            relationships=w.relationship_count,
            invalidated_relationships=w.invalidated_count,
            new_entity_types=changes.entity_types,
            new_edge_types=changes.edge_types,
            # The communities its entities are in, all placed by this batch's one pass.
            communities_touched=len({community_of.get(e) for e in w.entity_ids} - {None}),
        )
    return outcomes
