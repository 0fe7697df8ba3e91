"""Writing the recall index: a memory's passages, and the reindex task.

`memory_index` is ingestion's one call into recall (stage 90 of
apps.memories.services.memory_ingest). It replaces the memory's passages in
one transaction, so a search sees the old passages or the new, never none.
Passages go with their memory (foreign key, CASCADE) when it is deleted
forever; a memory put in the trash loses them by `memory_unindex`, in the
trash's transaction, and leaves results at once.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from apps.memories.models import Memory
from apps.projects.models import Project
from apps.recall import indexes, text
from apps.recall.embeddings import Embedder, get_embedder
from apps.recall.models import Passage
from apps.tasks.jobs import job_start
from apps.tasks.models import TaskLog
from apps.tasks.reporter import ProgressReporter

REINDEX = "reindex_recall"
SUBJECT_TYPE = "recall.index"

LOADING = (5, "Counting memories...")
INDEXING = (10, "Indexing memories...")
INDEXING_LAST = 94
CLEANING = (95, "Removing vectors of other models...")
DONE_MESSAGE = "Recall index rebuilt"
BATCH = 100  # memories embedded and written per transaction
REPORT_EVERY_SECONDS = 1.0


def memory_text(memory: Memory) -> str:
    """What is indexed of a memory: its title (when it says more than a default) and its content."""
    return memory.content


def _pieces(memory: Memory) -> list[text.Piece]:
    return text.split_passages(memory_text(memory)) or [text.Piece(0, memory.title)]


@dataclass(frozen=True)
class Embedded:
    """Memories' passages and their vectors, from `embedder`: memory pk → (pieces, one row per piece)."""

    embedder: Embedder
    passages: dict


def _embed(embedder: Embedder, pieces: dict) -> Embedded:
    vectors = embedder.embed([piece.text for each in pieces.values() for piece in each])
    rows, at = {}, 0
    for pk, each in pieces.items():
        rows[pk] = (each, vectors[at : at + len(each)])
        at += len(each)
    return Embedded(embedder, rows)


_background: tuple[int, ThreadPoolExecutor] | None = None
_background_lock = threading.Lock()


def _embedding_thread() -> ThreadPoolExecutor:
    """This process's one embedding thread, made in the process that uses it (never inherited by a fork)."""
    global _background
    with _background_lock:
        if _background is None or _background[0] != os.getpid():
            _background = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="recall-embedding"))
        return _background[1]


def embedding_start(memories: Sequence[Memory]) -> Future:
    """Start embedding these memories' passages beside the caller; the Future gives an `Embedded`.

    Ingestion starts it before the graph's stages and hands it to the
    indexing stage: the model (ONNX Runtime, or an HTTP endpoint) runs
    without the interpreter's lock, so its milliseconds pass while the
    graph's stages wait on the database, not after them (docs/benchmarks.md,
    "Recall"). A failure is raised where the result is asked for, by the
    indexing stage, as if it had embedded there.
    """
    pieces = {memory.pk: _pieces(memory) for memory in memories}
    return _embedding_thread().submit(_embed, get_embedder(), pieces)


def _passages(memory: Memory, embedded: Embedded) -> list[Passage]:
    pieces, vectors = embedded.passages[memory.pk]
    embedder = embedded.embedder
    return [
        Passage(
            project_id=memory.project_id,
            memory_id=memory.pk,
            position=i,
            start=piece.start,
            text=piece.text,
            lexemes=text.index_text(f"{memory.title} {piece.text}" if i == 0 else piece.text),
            analyzer=text.ANALYZER,
            embedding=vector,
            embedding_model=embedder.name,
            embedding_dimension=int(vector.shape[0]),
        )
        for i, (piece, vector) in enumerate(zip(pieces, vectors, strict=True))
    ]


def _embedded_now(memories: Sequence[Memory], embedder: Embedder) -> Embedded:
    return _embed(embedder, {memory.pk: _pieces(memory) for memory in memories})


def memory_index(*, memory: Memory, embedding: Future | None = None) -> dict:
    """(Re)build the passages of one memory. Returns {"passages": n}; 0 if it left the live memories.

    `embedding`: its passages' vectors, from `embedding_start([memory])`; without it they are made here.
    """
    embedded = embedding.result() if embedding else _embedded_now([memory], get_embedder())
    embedder = embedded.embedder
    passages = _passages(memory, embedded)  # embedding happens before any lock is taken
    if connection.vendor == "postgresql":
        written = _replace_in_one_statement(memory, passages)
    else:
        with transaction.atomic():
            # The memory may have gone to the trash, or been deleted, meanwhile: then there is nothing to index.
            if not Memory.objects.filter(pk=memory.pk).exists():
                return {"passages": 0}
            Passage.objects.filter(memory_id=memory.pk).delete()
            written = len(Passage.objects.bulk_create(passages, batch_size=500))
    ensure_vector_index(embedder.dimension)
    return {"passages": written}


# Locks the project (key share, as hold_project) then the memory row (if it is still live: not in the
# trash), the lock order of apps/memories/services.py; deletes the passages past the new last one and
# writes the new ones over the old. One statement, so one round trip and, outside a transaction, one
# commit: a short memory's recall stage went from 6 round trips to 1 (docs/benchmarks.md, "Recall").
# The deletion and the upsert touch different rows, so their order within the statement does not matter.
_REPLACE_PASSAGES = f"""
WITH project AS (
    SELECT 1 FROM {Project._meta.db_table} WHERE id = %(project)s FOR KEY SHARE
),
live AS (
    SELECT id, project_id FROM {Memory._meta.db_table}
    WHERE id = %(memory)s AND deleted_at IS NULL AND EXISTS (SELECT 1 FROM project)
    FOR UPDATE
),
past_the_end AS (
    DELETE FROM {Passage._meta.db_table} WHERE memory_id IN (SELECT id FROM live) AND position >= %(count)s
)
INSERT INTO {Passage._meta.db_table} (
    project_id, memory_id, position, start, text, lexemes, analyzer,
    embedding, embedding_model, embedding_dimension, created_at
)
SELECT
    live.project_id, live.id, p.position, p.start, p.text, to_tsvector('simple', p.words), %(analyzer)s,
    p.embedding::vector, %(model)s, %(dimension)s, %(now)s
FROM live, unnest(%(positions)s::integer[], %(starts)s::integer[], %(texts)s::text[], %(words)s::text[],
                  %(embeddings)s::text[]) AS p (position, start, text, words, embedding)
ON CONFLICT (memory_id, position) DO UPDATE SET
    start = EXCLUDED.start, text = EXCLUDED.text, lexemes = EXCLUDED.lexemes, analyzer = EXCLUDED.analyzer,
    embedding = EXCLUDED.embedding, embedding_model = EXCLUDED.embedding_model,
    embedding_dimension = EXCLUDED.embedding_dimension, created_at = EXCLUDED.created_at
RETURNING 1
"""


def _replace_in_one_statement(memory: Memory, passages: list[Passage]) -> int:
    """PostgreSQL: `passages` become the memory's, unless it left the live memories; how many were written."""
    first = passages[0]
    vector = Passage._meta.get_field("embedding")
    with connection.cursor() as cursor:
        cursor.execute(
            _REPLACE_PASSAGES,
            {
                "project": memory.project_id,
                "memory": memory.pk,
                "count": len(passages),
                "analyzer": first.analyzer,
                "model": first.embedding_model,
                "dimension": first.embedding_dimension,
                "now": timezone.now(),
                "positions": [p.position for p in passages],
                "starts": [p.start for p in passages],
                "texts": [p.text for p in passages],
                "words": [p.lexemes for p in passages],
                "embeddings": [vector.get_db_prep_value(p.embedding, connection) for p in passages],
            },
        )
        return len(cursor.fetchall())


def memory_unindex(*, memory_id) -> int:
    """Remove a memory's passages (it went to the trash). Returns how many."""
    removed, _ = Passage.objects.filter(memory_id=memory_id).delete()
    return removed


def memories_index(*, memories: Sequence[Memory], embedder: Embedder) -> int:
    """Index many memories in one transaction (the reindex task, the benchmark). Returns the passage count."""
    return sum(memories_index_each(memories=memories, embedded=_embedded_now(memories, embedder)).values())


def memories_index_each(*, memories: Sequence[Memory], embedded: Embedded) -> dict:
    """Index many memories in one transaction (a batch import's ingestions); returns each one's passage count.

    `embedded` holds their passages (`embedding_start`, or made at once), and may hold others'.
    """
    each = {memory.pk: _passages(memory, embedded) for memory in memories}
    with transaction.atomic():
        Passage.objects.filter(memory_id__in=list(each)).delete()
        Passage.objects.bulk_create([p for passages in each.values() for p in passages], batch_size=500)
    return {memory_id: len(passages) for memory_id, passages in each.items()}


_indexed_dimensions: set[int] = set()


def ensure_vector_index(dimension: int) -> None:
    """PostgreSQL: an HNSW index for vectors of this dimension (migration 0001 made the default model's)."""
    if connection.vendor != "postgresql" or not dimension or dimension in _indexed_dimensions:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [indexes.hnsw_index_name(dimension)])
        exists = cursor.fetchone() is not None
        if not exists and not connection.in_atomic_block:
            cursor.execute(indexes.hnsw_sql(dimension, concurrently=True))
            exists = True
    if exists:
        _indexed_dimensions.add(dimension)


def current_dimension() -> int:
    """The configured model's vector dimension (for openai, as recorded by its vectors; 0 if none yet)."""
    embedder = get_embedder()
    if embedder.dimension:
        return embedder.dimension
    row = (
        Passage.objects.filter(embedding_model=embedder.name)
        .exclude(embedding_dimension=None)
        .values_list("embedding_dimension", flat=True)
        .first()
    )
    return row or 0


# --- the reindex task ---------------------------------------------------------------


def reindex_request(*, project: Project, by: AbstractBaseUser | None) -> TaskLog:
    """Start rebuilding the project's recall index, or raise JobRunning with the one under way."""
    return job_start(
        project=project,
        task_type=REINDEX,
        by=by,
        subject_type=SUBJECT_TYPE,
        subject_label=f"Recall index of {project.name}",
        what="A rebuild of this project's recall index",
    )


def recall_reindex(task: TaskLog, reporter: ProgressReporter) -> dict:
    """Index every memory of the project again with the configured model, then drop other models' vectors.

    Memories are done in batches, each its own transaction: a cancel keeps
    what was done (every passage stays searchable by its words) and a rerun
    starts over. Returns {"memories", "passages", "model", "removed_stale"}.
    """
    project = Project.objects.get(pk=task.project_id)
    reporter.stage(*LOADING)
    embedder = get_embedder()
    ids = list(Memory.objects.filter(project=project).order_by("created_at", "id").values_list("id", flat=True))
    reporter.stage(*INDEXING)
    passages = 0
    last = time.monotonic()
    for start in range(0, len(ids), BATCH):
        batch = list(Memory.objects.filter(pk__in=ids[start : start + BATCH]))
        passages += memories_index(memories=batch, embedder=embedder)
        done = min(start + BATCH, len(ids))
        if time.monotonic() - last >= REPORT_EVERY_SECONDS or done == len(ids):
            percent = INDEXING[0] + (INDEXING_LAST - INDEXING[0]) * done // max(len(ids), 1)
            reporter.stage(percent, f"Indexed {done:,} of {len(ids):,} memories")
            last = time.monotonic()
        else:
            reporter.check_cancelled()
    ensure_vector_index(embedder.dimension)
    reporter.stage(*CLEANING)
    removed, _ = Passage.objects.filter(project=project).exclude(embedding_model=embedder.name).delete()
    return {"memories": len(ids), "passages": passages, "model": embedder.name, "removed_stale": removed}
