"""Writing a memory's passages: the new ones replace all the old, and a memory that went to the trash
while it was being indexed gets none (real PostgreSQL; the embedded mode: test_embedded.py)."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from apps.memories.models import Memory
from apps.memories.services import memory_trash
from apps.recall.models import Passage
from apps.recall.search import SearchQuery, search
from apps.recall.services import memory_index
from tests.concurrency import DatabaseThread, transaction_held_open
from tests.core.schema_support import postgres_only

# Ten sentences of about 200 characters: more than one passage of PASSAGE_CHARS.
LONG = " ".join(
    f"Entry {i}: the greenhouse log notes that the orchids on shelf {i} were watered, fed with a weak "
    f"fertiliser and turned toward the light, and that the humidity stayed near sixty percent all day."
    for i in range(10)
)


def test_a_memory_indexed_again_keeps_only_its_new_passages(make_user, make_project, ingest):
    owner = make_user()
    project = make_project(owner)
    memory = ingest(project, owner, content=LONG)
    assert Passage.objects.filter(memory=memory).count() >= 3

    Memory.objects.filter(pk=memory.pk).update(content="Planted tulips by the gate.")
    memory.refresh_from_db()
    assert memory_index(memory=memory) == {"passages": 1}

    assert list(Passage.objects.filter(memory=memory).values_list("position", "text")) == [
        (0, "Planted tulips by the gate.")
    ]
    assert search(project=project, query=SearchQuery(q="tulips gate")).results[0].memory.pk == memory.pk
    # The old words are gone from the lexical index (the dense one still finds the memory, by meaning).
    old_words = search(project=project, query=SearchQuery(q="orchids greenhouse humidity")).results
    assert all("lexical" not in hit.retrievers for hit in old_words)


def test_a_memory_in_the_trash_gets_no_passages(make_user, make_project, ingest):
    owner = make_user()
    memory = ingest(make_project(owner), owner, content="The spare key is under the blue flowerpot.")
    memory_trash(memory=memory, by=owner)
    assert memory_index(memory=memory) == {"passages": 0}
    assert not Passage.objects.filter(memory_id=memory.pk).exists()


def _a_session_waits_for_a_lock(timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_indexing_that_meets_the_trash_waits_for_it_and_writes_nothing(make_user, make_project, ingest):
    owner = make_user()
    memory = ingest(make_project(owner), owner, content="The spare key is under the blue flowerpot.")
    with transaction_held_open(lambda: memory_trash(memory=Memory.objects.get(pk=memory.pk), by=owner)):
        indexer = DatabaseThread(lambda: memory_index(memory=memory))
        indexer.start()
        assert _a_session_waits_for_a_lock()  # the indexing, on the row the trash's transaction holds
        assert indexer.is_alive()
    indexer.join(10)
    assert indexer.result == {"passages": 0}
    assert not Passage.objects.filter(memory_id=memory.pk).exists()
