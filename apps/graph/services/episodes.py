"""Episodes into the graph: extract what one says, write it, replace what it said before.

An episode is what the graph needs of a memory (apps.memories builds it); the
graph keeps the memory's id in its foreign keys (mentions, a relationship's
supporting episodes) and knows nothing else of memories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from apps.graph.extraction import Extraction, get_extractor
from apps.graph.models import EdgeType, Entity, EntityAlias, EntityType, Mention, Relationship
from apps.graph.resolution import better_type, find_match, normalize_name, supported_type, within_reach
from apps.graph.services.communities import communities_update, refresh_communities
from apps.graph.services.locking import lock_project_graph
from apps.graph.services.schema import SchemaChanges, schema_load, schema_sync
from apps.projects.models import Project
from apps.tasks.reporter import ProgressReporter

# The graph's stages of an ingestion (DESIGN.md: 20 to 75); each names the work done after it.
LOADING_SCHEMA = (20, "Loading schema...")
EXTRACTING = (30, "Extracting entities and relationships...")
SYNCING_SCHEMA = (50, "Syncing schema...")
UPDATING_COMMUNITIES = (75, "Updating communities...")


@dataclass(frozen=True)
class Episode:
    """What the graph needs of a memory: which one it is, what it says, how to read it, when it holds."""

    memory_id: UUID
    text: str
    content_type: str
    valid_at: datetime


@dataclass(frozen=True)
class EpisodeIngested:
    """What an episode changed in the graph; the ingestion task's result reports these, by these names."""

    entities: int
    relationships: int
    invalidated_relationships: int
    new_entity_types: int
    new_edge_types: int
    communities_touched: int


@dataclass
class Written:
    entity_ids: set[int] = field(default_factory=set)
    relationship_count: int = 0
    invalidated_count: int = 0
    # What it changed on entities it shares with other episodes: id -> field -> (before, after).
    refreshed: dict[int, dict[str, tuple]] = field(default_factory=dict)
    # The type it gives each entity it names (its mentions): id -> type name.
    given: dict[int, str] = field(default_factory=dict)
    # The entities it named before this run.
    named_before: set[int] = field(default_factory=set)


class TypeCounts:
    """How many memories give each entity each type, for a batch of episodes under one graph lock.

    Read once an entity from the mentions, then kept up to date with each
    kept new episode's mentions (`add`), since nothing else adds mentions
    while the batch holds the lock. An episode written before changes its
    mentions in other ways: its entities are read again (`forget`).
    """

    def __init__(self) -> None:
        self._counts: dict[int, Counter[str]] = {}

    def of(self, entity_ids: Iterable[int]) -> dict[int, Counter[str]]:
        wanted = list(entity_ids)
        if missing := [entity_id for entity_id in wanted if entity_id not in self._counts]:
            read = _type_support(missing, None)
            self._counts.update((entity_id, read.get(entity_id, Counter())) for entity_id in missing)
        return {entity_id: self._counts[entity_id] for entity_id in wanted}

    def add(self, given: dict[int, str]) -> None:
        for entity_id, type_name in given.items():
            if entity_id in self._counts:  # the others are read when first wanted, this episode's mention with them
                self._counts[entity_id][type_name] += 1

    def forget(self, entity_ids: Iterable[int]) -> None:
        for entity_id in entity_ids:
            self._counts.pop(entity_id, None)


@dataclass
class BatchReads:
    """What writing some episodes under one graph lock reads once for all of them, not once an episode.

    Nothing else writes the project's graph while the lock is held, and one
    episode's writes never touch another's mentions or supported facts; so:
    which episodes the graph holds nothing of yet (`episodes_new`), the
    aliases of every name they give (only a merge adds one; an episode that
    leaves an aliased entity unnamed deletes it, which `_resolve_entities`
    allows for), each entity's type support (`TypeCounts`) and the entities
    each name might be (`Candidates`, for the new episodes).
    """

    new: set[UUID]
    aliases: Aliases
    candidates: Candidates | None
    type_counts: TypeCounts = field(default_factory=TypeCounts)

    @classmethod
    def read(cls, project: Project, batch: Sequence[tuple[Episode, Extraction]]) -> BatchReads:
        names = {e.name for _episode, extraction in batch for e in extraction.entities}
        new = episodes_new(episode.memory_id for episode, _extraction in batch)
        return cls(
            new=new,
            aliases=aliases_of(project, {normalize_name(name) for name in names}),
            candidates=Candidates(project, names) if new and names else None,
        )

    def kept(self, episode_id: UUID, written: Written) -> None:
        """Count in the mentions of an episode whose writes are kept."""
        if episode_id in self.new:
            self.type_counts.add(written.given)
        else:  # what it named before lost its mentions, what it names now has them anew
            self.type_counts.forget(written.given.keys() | written.named_before)
            self.candidates = None

    def failed(self) -> None:
        """An episode's writes were taken back, but perhaps not from the candidates' objects."""
        self.candidates = None


def episode_ingest(*, project: Project, episode: Episode, reporter: ProgressReporter) -> EpisodeIngested:
    """Make the project's graph say what the episode says, reporting the graph's stages (20 to 75).

    Every stage report is a cancellation check. Writes hold the project's
    graph lock for their transaction (so ingestions in one project take turns)
    and replace what an earlier run of the same episode wrote (so a rerun
    leaves the same graph). A cancel or failure once the episode is written
    takes back what it wrote before it propagates; one before that finds
    nothing written but types it may share with others.

    Every write checks, in its transaction and under the lock, that the
    reporter's attempt is still the task's current one: an attempt taken for
    dead and replaced writes nothing more, and takes back nothing (what is
    there is the current attempt's). It checks there for a cancel too, so a
    stop asked under the same lock (a memory put in the trash withdraws its
    episode in that transaction) is never followed by a write of this run.
    """
    reporter.stage(*LOADING_SCHEMA)
    schema = schema_load(project=project)

    reporter.stage(*EXTRACTING)
    extraction = get_extractor().extract(episode.text, content_type=episode.content_type, schema=schema)

    reporter.stage(*SYNCING_SCHEMA)  # also the check for a stop asked during the extraction
    with transaction.atomic():
        lock_project_graph(project)
        reporter.check_cancelled()
        schema_changes = schema_sync(project=project, extraction=extraction)
        written = _episode_write(
            project,
            episode.memory_id,
            extraction,
            seen_at=episode.valid_at,
            schema=schema_changes,
            reads=BatchReads.read(project, [(episode, extraction)]),
        )

    try:
        reporter.stage(*UPDATING_COMMUNITIES)
        with transaction.atomic():
            lock_project_graph(project)
            reporter.check_cancelled()
            communities = communities_update(project=project, entity_ids=written.entity_ids)
    except BaseException:
        # Cancelled or failed after writing: take back what this episode wrote
        # (unless this attempt was replaced: then the check raises instead).
        with transaction.atomic():
            lock_project_graph(project)
            reporter.check_current()
            _episode_write(project, episode.memory_id, Extraction(entities=(), relationships=()), seen_at=None)
            _restore_entities(written.refreshed)
        raise

    return EpisodeIngested(
        entities=len(written.entity_ids),
        relationships=written.relationship_count,
        invalidated_relationships=written.invalidated_count,
        new_entity_types=schema_changes.entity_types,
        new_edge_types=schema_changes.edge_types,
        communities_touched=communities,
    )


def episode_remove(*, project: Project, episode_id: UUID) -> None:
    """Take back everything only this episode (the memory `episode_id`) put in the graph.

    Holds the project's graph lock until the surrounding transaction ends (or
    its own, outside one), so a caller that deletes the memory in the same
    transaction does so before the next ingestion of the project goes on.
    """
    with transaction.atomic():
        lock_project_graph(project)
        _episode_write(project, episode_id, Extraction(entities=(), relationships=()), seen_at=None)


def _episode_write(
    project: Project,
    episode_id: UUID,
    extraction: Extraction,
    *,
    seen_at: datetime | None,
    schema: SchemaChanges | None = None,
    reads: BatchReads | None = None,
) -> Written:
    """Make the graph say what this episode says, replacing what it said before.

    Call with the project's graph lock held. `seen_at` (when the episode
    holds) dates what it names; it is None only for a removal (an empty
    extraction), which names nothing to date. `schema`: what schema_sync
    returned for this extraction under the same lock, so the project's types
    are not read again. `reads`: what was read once under the same lock for
    this episode and the others written with it; when it says the graph
    holds nothing of this episode yet, there is nothing it said before to
    read or replace.
    """
    written = Written()
    new = reads is not None and episode_id in reads.new
    # What the episode named before, and their communities: the only entities
    # that may be left unmentioned, the only communities that may lose members.
    previous = (
        {} if new else dict(Entity.objects.filter(mentions__memory_id=episode_id).values_list("id", "community_id"))
    )
    written.named_before = set(previous)
    types = schema.types if schema is not None else None
    entities = _resolve_entities(
        project,
        episode_id,
        extraction,
        seen_at,
        refreshed=written.refreshed,
        types=types,
        aliases=reads.aliases if reads is not None else None,
        type_counts=reads.type_counts if new else None,
        candidates=reads.candidates if new else None,
    )
    written.entity_ids = {entity.id for entity in entities.values()}

    # Mentions: exactly the entities this episode names, with the type it gives each.
    given = written.given
    for extracted in extraction.entities:
        entity_id = entities[extracted.name].id
        given[entity_id] = better_type(given.get(entity_id, extracted.type), extracted.type)
    present: dict[int, str] = {}
    if previous:  # an episode that named nothing before has no mentions to replace
        Mention.objects.filter(memory_id=episode_id).exclude(entity_id__in=written.entity_ids).delete()
        present = dict(Mention.objects.filter(memory_id=episode_id).values_list("entity_id", "entity_type_name"))
    Mention.objects.bulk_create(
        [Mention(memory_id=episode_id, entity_id=eid, entity_type_name=given[eid]) for eid in given.keys() - present],
        ignore_conflicts=True,
    )
    retyped = {entity_id for entity_id, type_name in present.items() if given[entity_id] != type_name}
    for entity_id in retyped:
        Mention.objects.filter(memory_id=episode_id, entity_id=entity_id).update(entity_type_name=given[entity_id])

    # Relationships: support what it states, withdraw support from what it no longer does.
    if schema is not None:
        exclusive = {name for name, edge_type in schema.edges.items() if edge_type.exclusive}
    else:
        exclusive = set(EdgeType.objects.filter(project=project, exclusive=True).values_list("name", flat=True))
    supported, created = _support_relationships(project, episode_id, extraction, entities, seen_at)
    for source_id, name in sorted({(r.source_id, r.name) for r in created if r.name in exclusive}):
        written.invalidated_count += _retime_exclusive(project.id, source_id, name)
    written.relationship_count = len(supported)
    for source_id, name in () if new else _withdraw_support(episode_id, keep=supported):
        if name in exclusive:
            _retime_exclusive(project.id, source_id, name)
    _delete_orphan_entities(previous.keys() - written.entity_ids)
    # The entities this episode stopped naming, or names with another type now, lost its support for their type.
    _retype_entities(project, (previous.keys() - written.entity_ids) | retyped)
    refresh_communities(project, {cid for cid in previous.values() if cid is not None})
    return written


def episodes_new(episode_ids: Iterable[UUID]) -> set[UUID]:
    """Those of these episodes the graph holds nothing of: no mention, no supported fact (one query for all).

    Everything an episode writes hangs on one of the two (an entity lives on
    through its mentions, a relationship through its supporting episodes),
    so for these `_episode_write` has nothing to read back or take away.
    """
    ids = list(episode_ids)
    held = (
        Mention.objects.filter(memory_id__in=ids)
        .values_list("memory_id", flat=True)
        .union(Relationship.episodes.through.objects.filter(memory_id__in=ids).values_list("memory_id", flat=True))
    )
    return set(ids) - set(held)


def entity_candidates(project: Project, names: Iterable[str]) -> dict[str, list[Entity]]:
    """Each normalised name of `names` -> the project's entities it might be: the same name, or a similar one.

    On PostgreSQL the database prefilters with pg_trgm (a GIN index on the
    normalised name, migration graph 0004), so the cost of resolving a name
    stays flat as the project grows; RapidFuzz (`find_match`) then decides
    among the few candidates. Trigram similarity at pg_trgm's default
    threshold (0.3) is well below what a 0.9 token-sort ratio implies, so the
    prefilter drops no name `find_match` would accept. Elsewhere (SQLite)
    every entity of the project is a candidate of every name. Two statements
    for any number of names; an entity several names might be is one object.
    """
    wanted = sorted({key for key in (normalize_name(name) for name in names) if key})
    entities = Entity.objects.filter(project=project).select_related("entity_type").order_by()
    if not wanted:
        return {}
    if connection.vendor != "postgresql":
        everyone = list(entities)
        return {key: everyone for key in wanted}
    # Each name on its own, so the database looks up each in the (project,
    # name) index and the trigram index: a name's few neighbours, never every
    # name against every neighbour of the others.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT w.key, e.id FROM unnest(%s::text[]) AS w(key)
            CROSS JOIN LATERAL (
                SELECT id FROM {Entity._meta.db_table}
                WHERE project_id = %s AND (normalized_name = w.key OR normalized_name %% w.key)
            ) AS e
            """,
            [wanted, project.pk],
        )
        pairs = cursor.fetchall()
    found: dict[str, list[Entity]] = {key: [] for key in wanted}
    if pairs:
        by_id = entities.in_bulk({entity_id for _key, entity_id in pairs})
        for key, entity_id in pairs:
            found[key].append(by_id[entity_id])
    return found


class Candidates:
    """The entities a batch's names might be: read once for all of its episodes, then kept up to date.

    Ingestion never renames an entity, so what a name might be changes only
    by the entities the batch creates (each one a candidate of the later
    names `within_reach` of its own; `find_match` decides) and deletes.
    Every episode works on the same objects, so what one changes on an
    entity the next one sees. Only new episodes (`BatchReads.new`) may use
    them: one written before deletes and retypes entities through objects
    of its own, and a failed one may leave changes on these objects that its
    savepoint took back from the database; after either, `BatchReads`
    drops them and each episode reads its own.
    """

    def __init__(self, project: Project, names: Iterable[str]) -> None:
        self._of = entity_candidates(project, names)
        self._pool = {entity.id: entity for found in self._of.values() for entity in found}
        self._created: list[Entity] = []

    def of(self, keys: Iterable[str]) -> dict[int, Entity]:
        """By id, the entities these normalised names might be."""
        found = {entity.id: entity for key in keys for entity in self._of.get(key, ())}
        made = [entity.normalized_name for entity in self._created]
        threshold = settings.GRAPH_MATCH_THRESHOLD
        for key in keys:
            for index in within_reach(key, made, threshold):
                found[self._created[index].id] = self._created[index]
        return found

    def by_id(self, ids: Iterable[int]) -> dict[int, Entity]:
        """These entities (an alias's), as the same objects as the candidates'."""
        if missing := set(ids) - self._pool.keys():
            self._pool.update(Entity.objects.select_related("entity_type").in_bulk(missing))
        return {entity_id: self._pool[entity_id] for entity_id in ids if entity_id in self._pool}

    def add(self, created: Iterable[Entity]) -> None:
        for entity in created:
            self._created.append(entity)
            self._pool[entity.id] = entity


# A normalised name -> the (entity id, alias) pairs of the entities known by it.
Aliases = Mapping[str, list[tuple[int, str]]]


def aliases_of(project: Project, keys: Iterable[str]) -> Aliases:
    """The aliases among these normalised names. Aliases match only exactly, so only those of these very
    names can; they change only by a merge, under the graph lock, so a batch reads them once for all."""
    found: dict[str, list[tuple[int, str]]] = {}
    rows = EntityAlias.objects.filter(project=project, normalized_name__in=set(keys))
    for key, entity_id, name in rows.values_list("normalized_name", "entity_id", "name"):
        found.setdefault(key, []).append((entity_id, name))
    return found


# Keys for the entities an extraction names for the first time, until they are
# saved: after every database id, so ties between candidates still go to the oldest.
_NEW_KEYS = 10**15


def _resolve_entities(
    project: Project,
    episode_id: UUID,
    extraction: Extraction,
    seen_at: datetime,
    *,
    refreshed: dict[int, dict[str, tuple]],
    types: dict[str, EntityType] | None = None,
    aliases: Aliases | None = None,
    type_counts: TypeCounts | None = None,
    candidates: Candidates | None = None,
) -> dict[str, Entity]:
    """Map each extracted name to an entity of the project, merging with known ones (or their aliases).

    The names first seen here are created together, in one statement.
    `aliases`: `aliases_of` these names, read under the same lock (else read here).
    `type_counts`: a batch's counts, for an episode with no mentions yet (else counted here).
    `candidates`: a batch's, for an episode with no mentions yet (else read here).
    """
    if not extraction.entities:
        return {}
    if types is None:
        types = {t.name: t for t in EntityType.objects.filter(project=project)}
    names = [e.name for e in extraction.entities]
    keys = {normalize_name(name) for name in names}
    if candidates is None:
        candidates = Candidates(project, names)
    by_key: dict[int, Entity] = candidates.of(keys)
    if aliases is None:
        aliases = aliases_of(project, keys)
    aliased = [pair for key in keys for pair in aliases.get(key, ())]
    if missing := {key for key, _alias in aliased} - by_key.keys():
        by_key.update(candidates.by_id(missing))
    choices = [(key, entity.name, entity.entity_type.name) for key, entity in by_key.items()]
    # (An alias read for a whole batch may be of an entity an earlier episode of it left unnamed and deleted.)
    alias_candidates = [(key, alias, by_key[key].entity_type.name) for key, alias in aliased if key in by_key]
    if type_counts is not None:
        others = type_counts.of(by_key.keys())
    else:
        others = _type_support(by_key.keys(), episode_id) if by_key else {}
    new: list[Entity] = []
    resolved: dict[str, Entity] = {}
    threshold = settings.GRAPH_MATCH_THRESHOLD
    for extracted in extraction.entities:
        match = find_match(extracted.name, extracted.type, choices, threshold=threshold, aliases=alias_candidates)
        if match is None:
            entity = Entity(
                project=project,
                name=extracted.name,
                normalized_name=normalize_name(extracted.name),
                entity_type=types[extracted.type],
                summary=extracted.summary,
                attributes=dict(extracted.attributes),
                first_seen_at=seen_at,
                last_seen_at=seen_at,
            )
            new.append(entity)
            key = _NEW_KEYS + len(new)
            by_key[key] = entity
            choices.append((key, entity.name, extracted.type))
        elif match >= _NEW_KEYS:  # named twice in this episode: not saved yet, nothing to take back
            entity = by_key[match]
            # No other memory names it yet: the stronger kind of type wins, as between its mentions here.
            _refresh_entity(entity, extracted, types, seen_at, None, save=False)
        else:
            entity = by_key[match]
            support = _support_with(entity, others.get(entity.id), extracted.type)
            # Keep the value from before this run for a field that it changes twice.
            for name, (before, after) in _refresh_entity(entity, extracted, types, seen_at, support).items():
                first = refreshed.setdefault(entity.id, {}).get(name, (before, after))[0]
                refreshed[entity.id][name] = (first, after)
        resolved[extracted.name] = entity
    Entity.objects.bulk_create(new)
    candidates.add(new)
    return resolved


def _type_support(entity_ids: Iterable[int], episode_id: UUID | None) -> dict[int, Counter[str]]:
    """How many memories (but the episode's own) give each entity each type (one query for all of them).

    Mentions from before types were recorded (an empty type) count for the
    entity's current type, which they led to (see `_support_with`).
    """
    support: dict[int, Counter[str]] = {}
    rows = Mention.objects.filter(entity_id__in=list(entity_ids))
    if episode_id is not None:
        rows = rows.exclude(memory_id=episode_id)
    rows = rows.values_list("entity_id", "entity_type_name").annotate(n=Count("id"))
    for entity_id, type_name, n in rows:
        support.setdefault(entity_id, Counter())[type_name] += n
    return support


def _retype_entities(project: Project, entity_ids: set[int]) -> None:
    """Decide the type of these entities again from the mentions they have left (a memory removed or re-read)."""
    if not entity_ids:
        return
    support = _type_support(entity_ids, None)
    types = {t.name: t for t in EntityType.objects.filter(project=project)}
    for entity in Entity.objects.filter(id__in=list(entity_ids)).select_related("entity_type"):
        decided = types.get(supported_type(+_support_of(entity, support.get(entity.id))))
        if decided is not None and decided.pk != entity.entity_type_id:
            entity.entity_type = decided
            entity.save(update_fields=["entity_type", "updated_at"])


def _support_of(entity: Entity, counted: Counter[str] | None) -> Counter[str]:
    """The entity's type support from `_type_support`'s counts: untyped mentions count for its current type."""
    support = Counter(counted or {})
    support[entity.entity_type.name] += support.pop("", 0)
    return support


def _support_with(entity: Entity, others: Counter[str] | None, seen: str) -> Counter[str]:
    """The entity's type support with this memory's `seen` type counted in."""
    support = _support_of(entity, others)
    support[seen] += 1
    return support


def _refresh_entity(
    entity: Entity,
    extracted,
    types: dict[str, EntityType],
    seen_at: datetime,
    support: Counter[str] | None,
    *,
    save: bool = True,
) -> dict[str, tuple]:
    """Update a known entity with what this episode says of it; returns field -> (before, after)."""
    before = {
        name: getattr(entity, name)
        for name in ("entity_type_id", "attributes", "summary", "first_seen_at", "last_seen_at")
    }
    changed = []
    # A specific type learned later beats the generic one; of two specific ones, the one more memories give.
    if better_type(entity.entity_type.name, extracted.type, support) != entity.entity_type.name:
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
    if changed and save:
        entity.save(update_fields=[*changed, "updated_at"])
    names = ["entity_type_id" if name == "entity_type" else name for name in changed]
    return {name: (before[name], getattr(entity, name)) for name in names}


def _restore_entities(refreshed: dict[int, dict[str, tuple]]) -> None:
    """Undo what a taken-back run changed on shared entities, field by field, where nothing changed it since."""
    for entity in Entity.objects.filter(id__in=list(refreshed)):
        restore = [name for name, (_before, after) in refreshed[entity.id].items() if getattr(entity, name) == after]
        for name in restore:
            setattr(entity, name, refreshed[entity.id][name][0])
        if restore:
            entity.save(update_fields=[*restore, "updated_at"])


def _support_relationships(
    project: Project, episode_id: UUID, extraction: Extraction, entities: dict[str, Entity], seen_at: datetime
) -> tuple[set[int], list[Relationship]]:
    """Make the episode support each relationship it states: the open one with the same
    source, target and name, or a new one. Returns the ids supported and the ones created."""
    stated = [
        (entities[rel.source], entities[rel.target], rel)
        for rel in extraction.relationships
        if entities[rel.source].id != entities[rel.target].id
    ]
    if not stated:
        return set(), []
    wanted = Q()
    for source, target, rel in stated:
        wanted |= Q(source_id=source.id, target_id=target.id, name=rel.name)
    by_key: dict[tuple[int, int, str], Relationship] = {}
    for relationship in Relationship.objects.filter(wanted, project=project, invalid_at__isnull=True).order_by("id"):
        by_key.setdefault((relationship.source_id, relationship.target_id, relationship.name), relationship)
    created = []
    for source, target, rel in stated:
        key = (source.id, target.id, rel.name)
        if key not in by_key:
            by_key[key] = Relationship(
                project=project, source=source, target=target, name=rel.name, fact=rel.fact,
                valid_at=rel.valid_at or seen_at,
            )  # fmt: skip
            created.append(by_key[key])
    Relationship.objects.bulk_create(created)
    supported = {by_key[(source.id, target.id, rel.name)].id for source, target, rel in stated}
    Support = Relationship.episodes.through
    Support.objects.bulk_create(
        [Support(relationship_id=rid, memory_id=episode_id) for rid in sorted(supported)], ignore_conflicts=True
    )
    return supported, created


def _retime_exclusive(project_id: int, source_id: int, name: str) -> int:
    """Make the source's facts of this exclusive kind follow their own time, not their arrival.

    Ordered by valid_at, each fact holds until the next one with a later
    valid_at (its invalid_at is that one's valid_at, closed by it) and the
    latest one is current. Recomputed from the facts alone, so ingesting A
    then B, or B then A, or removing one, leaves the same timeline. Returns
    how many facts it closed or re-dated.
    """
    chain = list(
        Relationship.objects.filter(project_id=project_id, source_id=source_id, name=name)
        .order_by(F("valid_at").asc(nulls_first=True), "id")
        .only("id", "valid_at", "invalid_at", "invalidated_by_id")
    )
    changed = 0
    now = timezone.now()
    for index, fact in enumerate(chain):
        newer = next(
            (
                later
                for later in chain[index + 1 :]
                if later.valid_at is not None and (fact.valid_at is None or later.valid_at > fact.valid_at)
            ),
            None,
        )
        wanted = (newer.valid_at, newer.id) if newer is not None else (None, None)
        if (fact.invalid_at, fact.invalidated_by_id) != wanted:
            Relationship.objects.filter(pk=fact.pk).update(
                invalid_at=wanted[0], invalidated_by_id=wanted[1], updated_at=now
            )
            changed += wanted[0] is not None
    return changed


def _withdraw_support(episode_id: UUID, *, keep: set[int]) -> set[tuple[int, str]]:
    """Take this episode's support from the relationships it no longer states; drop those left with none.

    Returns the (source, name) of the dropped ones, whose timelines may need retiming.
    """
    withdrawn = Relationship.episodes.through.objects.filter(memory_id=episode_id).exclude(relationship_id__in=keep)
    candidates = list(withdrawn.values_list("relationship_id", flat=True))
    if not candidates:
        return set()
    withdrawn.delete()
    dropped = list(
        Relationship.objects.filter(id__in=candidates, episodes__isnull=True).values_list("id", "source_id", "name")
    )
    unsupported = [rid for rid, _source, _name in dropped]
    # A fact that loses all support no longer closes the facts it contradicted.
    Relationship.objects.filter(invalidated_by__in=unsupported).update(invalid_at=None, invalidated_by=None)
    Relationship.objects.filter(id__in=unsupported).delete()
    return {(source_id, name) for _rid, source_id, name in dropped}


def _delete_orphan_entities(entity_ids: Iterable[int]) -> None:
    """Delete those of `entity_ids` that nothing mentions any more."""
    if ids := list(entity_ids):
        Entity.objects.filter(id__in=ids, mentions__isnull=True).delete()
