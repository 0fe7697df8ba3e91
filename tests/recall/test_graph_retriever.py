"""The graph retriever's own list: the memories that mention the named entities, and how much it counts."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.graph.models import Entity
from apps.graph.selectors import entities_named_in, memories_mentioning
from apps.memories.services import memory_trash
from apps.recall.search import SearchQuery, visible_memories
from apps.recall.search.retrievers import graph_hits, named
from apps.recall.search.retrievers.names import phrases


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

    def listed(entity_ids, query=None, candidates=()):
        hits = graph_hits(
            named(project, entity_ids), visible_memories(project, query or SearchQuery()), list(candidates), limit=10
        )
        return [hit.memory_id for hit in hits]

    assert listed([alice]) == [newest.id, both.id, old.id]
    assert listed([alice, acme]) == [both.id, newest.id, old.id]  # the one that mentions both first
    assert listed([alice], SearchQuery(as_of=day(3))) == [both.id, old.id]  # only what existed then
    # What the other retrievers found comes first, in their order.
    assert listed([alice], candidates=[old.id]) == [old.id, newest.id, both.id]


def test_both_ways_to_the_newest_mentions_give_the_same_list(make_user, make_project, ingest):
    owner = make_user()
    project = make_project(owner)
    for n in range(1, 7):
        ingest(project, owner, content=f"Alice Chen wrote report number {n}.", valid_at=day(n))
    ingest(project, owner, content="Bob Martin fixed the car.", valid_at=day(9))
    alice = Entity.objects.get(project=project, name="Alice Chen").id
    memories = visible_memories(project, SearchQuery(as_of=day(5)))
    # by_date reads the memories newest first; without, the entity's mentions. The caller picks the cheaper.
    along_dates = memories_mentioning([alice], memories, limit=3, by_date=True)
    from_mentions = memories_mentioning([alice], memories, limit=3, by_date=False)
    assert along_dates == from_mentions
    assert len(along_dates) == 3


def test_the_words_of_a_name_found_whole_are_not_looked_up_as_short_forms(make_user, make_project, ingest):
    owner = make_user()
    project = make_project(owner)
    ingest(project, owner, content="Alice Chen joined Acme Corporation as a data engineer.")
    question = "What did Alice Chen say about Bob?"
    with CaptureQueriesContext(connection) as queries:
        named = entities_named_in(project, phrases(question))
    assert [e.name for e in named] == ["Alice Chen"]
    # "Bob" is still a possible short form; "Alice" and "Chen" belong to the name found.
    short_form_lookups = [q["sql"] for q in queries.captured_queries if "LIKE" in q["sql"]]
    assert len(short_form_lookups) == 1
    assert "alice" not in short_form_lookups[0].lower() and "bob" in short_form_lookups[0].lower()
