"""Ingestion embeds a memory's passages on a thread of its own, beside the graph's stages, and indexes
the same vectors it would have made in place; the thread is the process's own, also after a fork."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

from apps.memories import services as memory_services
from apps.memories.imports.tasks import ingest_batch
from apps.memories.tasks import ingest_memory
from apps.recall import services as recall
from apps.recall.embeddings import get_embedder
from apps.recall.models import Passage
from tests.concurrency import DatabaseThread
from tests.memories.test_import import numbered, run_parent, start  # noqa: F401 - fixtures

TEXT = "Alice Chen works at Acme Corp in Berlin. She moved there from Lyon in 2019."


@pytest.fixture
def embedding_threads(monkeypatch):
    """The names of the threads the configured embedder ran in, the real model doing the work."""
    embedder = get_embedder()
    real = embedder.embed
    seen: list[str] = []

    def embed(texts):
        seen.append(threading.current_thread().name)
        return real(texts)

    monkeypatch.setattr(embedder, "embed", embed)
    return seen


def test_a_memory_is_embedded_beside_its_ingestion_with_the_same_vectors(team, ingest, embedding_threads):
    memory = ingest(team["project"], team["editor"], content=TEXT)

    assert memory.processing_status == "completed"
    assert len(embedding_threads) == 1 and embedding_threads[0].startswith("recall-embedding")
    assert embedding_threads[0] != threading.current_thread().name
    passage = Passage.objects.get(memory=memory)
    in_place = get_embedder().embed([passage.text])[0]
    np.testing.assert_array_equal(np.asarray(passage.embedding, dtype=np.float32), in_place)


def test_an_import_embeds_its_batch_beside_the_graph_writes(
    start,  # noqa: F811
    run_parent,  # noqa: F811
    embedding_threads,
    django_capture_on_commit_callbacks,
):
    task = run_parent(start(numbered(3)))
    with django_capture_on_commit_callbacks(execute=True):
        ingest_batch([str(child.id) for child in task.children.all()])

    task.refresh_from_db()
    assert task.result["children"] == {"completed": 3}
    assert embedding_threads == ["recall-embedding_0"]  # the batch's passages, in one call
    assert Passage.objects.filter(project=task.project).count() == 3


@pytest.mark.django_db(transaction=True)
def test_ingestions_running_at_once_each_index_their_own_vectors(make_user, make_project):
    # Two worker threads of one process share its embedding thread: each memory must get its own vectors.
    owner = make_user()
    contents = [f"Note {i}: the {word} is kept in the {place}." for i, (word, place) in enumerate(
        [("spare key", "blue flowerpot"), ("passport", "desk drawer"), ("bike lock", "garage"), ("ladder", "shed")]
    )]  # fmt: skip
    memories = [
        memory_services.memory_create(project=make_project(owner), author=owner, title=f"Note {i}", content=content)
        for i, content in enumerate(contents)
    ]
    threads = [DatabaseThread(lambda m=memory: ingest_memory(str(m.current_task_id))) for memory in memories]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
        assert thread.finished.is_set()

    embedder = get_embedder()
    for memory in memories:
        passage = Passage.objects.get(memory=memory)
        assert passage.text == memory.content
        np.testing.assert_array_equal(
            np.asarray(passage.embedding, dtype=np.float32), embedder.embed([memory.content])[0]
        )


def test_a_forked_process_gets_an_embedding_thread_of_its_own():
    assert recall._embedding_thread().submit(os.getpid).result(timeout=5) == os.getpid()
    child = os.fork()
    if child == 0:  # the child: an executor inherited from the parent has no thread and would never run this
        try:
            ran = recall._embedding_thread().submit(os.getpid).result(timeout=5)
            os._exit(0 if ran == os.getpid() else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
