"""The graph retriever's own list: the memories that mention the named entities, and how much it counts."""

from __future__ import annotations

from datetime import UTC, datetime

from apps.graph.models import Entity
from apps.memories.services import memory_trash
from apps.recall.search import SearchQuery, visible_memories
from apps.recall.search.retrievers import graph_hits


def day(n: int) -> datetime:
    return datetime(2024, 3, n, tzinfo=UTC)


def test_it_lists_the_memories_that_mention_most_of_the_entities_newest_first(make_user, make_project, ingest):
    owner = make_user()
    project = make_project(owner)
    old = ingest(project, owner, content="Alice Chen went hiking near Lake Tahoe.", valid_at=day(1))
    both = ingest(project, owner, content="Alice Chen joined Acme Corporation as an engineer.", valid_at=day(2))
    newest = ingest(project, owner, content="Alice Chen bought new boots.", valid_at=day(4))
    trashed = ingest(project, owner, content="Alice Chen painted the fence.", valid_at=day(5))
    ingest(project, owner, content="Bob Martin fixed the car.", valid_at=day(3))
    memory_trash(memory=trashed, by=owner)
    alice, acme = (Entity.objects.get(project=project, name=n).id for n in ("Alice Chen", "Acme Corporation"))

    def listed(entity_ids, query=SearchQuery(), candidates=()):
        hits = graph_hits(entity_ids, visible_memories(project, query), list(candidates), limit=10)
        return [hit.memory_id for hit in hits]

    assert listed([alice]) == [newest.id, both.id, old.id]
    assert listed([alice, acme]) == [both.id, newest.id, old.id]  # the one that mentions both first
    assert listed([alice], SearchQuery(as_of=day(3))) == [both.id, old.id]  # only what existed then
    # What the other retrievers found comes first, in their order.
    assert listed([alice], candidates=[old.id]) == [old.id, newest.id, both.id]
