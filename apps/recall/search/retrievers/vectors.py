"""The dense retriever: passages ranked by cosine to the question's vector (pgvector's HNSW on PostgreSQL,
numpy over the project's vectors, cached, on SQLite)."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import QuerySet

from apps.memories.models import Memory
from apps.projects.models import Project
from apps.recall.models import Passage
from apps.recall.search.retrievers.hits import Hit, _passage_filter

# HNSW's candidate list; with iterative scans (pgvector 0.8) filtered queries
# and limits above it still fill their limit. Set once per database connection
# (only HNSW scans read these), not per query: on a busy server every round
# trip counts.
EF_SEARCH = 100
_tuned: weakref.WeakSet = weakref.WeakSet()


def _tune_hnsw(cursor) -> None:
    # Inside a transaction a SET is undone by a rollback: there it is set for the transaction, each time.
    scope = "LOCAL " if connection.in_atomic_block else ""
    raw = connection.connection
    if not scope and raw in _tuned:
        return
    cursor.execute(f"SET {scope}hnsw.ef_search = {EF_SEARCH}")
    try:
        with transaction.atomic():
            cursor.execute(f"SET {scope}hnsw.iterative_scan = relaxed_order")
    except Exception:  # pgvector before 0.8: no iterative scans
        pass
    if not scope:
        _tuned.add(raw)


def dense(
    project: Project, vector: np.ndarray, model: str, memories: QuerySet[Memory] | None, *, limit: int
) -> list[Hit]:
    if connection.vendor == "postgresql":
        return _dense_postgresql(project, vector, model, memories, limit)
    return _dense_numpy(project, vector, model, memories, limit)


def _dense_postgresql(project, vector, model, memories, limit) -> list[Hit]:
    dimension = int(vector.shape[0])
    where, params = _passage_filter(memories)
    literal = "[" + ",".join(repr(float(x)) for x in vector) + "]"
    # The expression and the dimension test must be the partial HNSW index's own, literally.
    sql = (
        f"SELECT p.id, p.memory_id FROM recall_passage p WHERE p.project_id = %s AND p.embedding_model = %s "
        f"AND p.embedding_dimension = {dimension}{where} "
        f"ORDER BY p.embedding::vector({dimension}) <=> %s::vector({dimension}) LIMIT %s"
    )
    with connection.cursor() as cursor:
        _tune_hnsw(cursor)
        cursor.execute(sql, [project.pk, model, *params, literal, limit])
        return [Hit(m, pid) for pid, m in cursor.fetchall()]


@dataclass
class _Matrix:
    key: tuple
    ids: np.ndarray
    memory_ids: list
    vectors: np.ndarray


_matrices: dict[tuple, _Matrix] = {}
_matrices_lock = threading.Lock()


def _project_matrix(project: Project, model: str) -> _Matrix:
    """The project's vectors as one matrix, read again only when its passages changed (count or newest id)."""
    rows = Passage.objects.filter(project=project, embedding_model=model)
    from django.db.models import Count, Max

    state = rows.aggregate(n=Count("id"), newest=Max("id"))
    key = (project.pk, model, state["n"], state["newest"])
    with _matrices_lock:
        cached = _matrices.get((project.pk, model))
    if cached is not None and cached.key == key:
        return cached
    ids, memory_ids, blobs = [], [], []
    for pid, memory_id, vector in rows.values_list("id", "memory_id", "embedding").iterator(chunk_size=5000):
        ids.append(pid)
        memory_ids.append(memory_id)
        blobs.append(vector)
    vectors = np.vstack(blobs) if blobs else np.zeros((0, 1), dtype=np.float32)
    matrix = _Matrix(key, np.array(ids), memory_ids, vectors)
    with _matrices_lock:
        if len(_matrices) > 16:
            _matrices.clear()
        _matrices[(project.pk, model)] = matrix
    return matrix


def _dense_numpy(project, vector, model, memories, limit) -> list[Hit]:
    matrix = _project_matrix(project, model)
    if not len(matrix.ids) or matrix.vectors.shape[1] != vector.shape[0]:
        return []
    scores = matrix.vectors @ vector
    if memories is not None:
        allowed = set(memories.values_list("id", flat=True))
        scores = np.where([m in allowed for m in matrix.memory_ids], scores, -np.inf)
    k = min(limit, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [Hit(matrix.memory_ids[i], int(matrix.ids[i])) for i in top if np.isfinite(scores[i])]
