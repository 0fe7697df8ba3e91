"""Reciprocal rank fusion: merge ranked lists without comparing their scores.

A memory's score is the sum, over the retrievers that found it, of
weight / (k + rank), rank counted from 1 at the memory's best hit in that
list. k (RECALL_RRF_K, 60 by default as in the original paper) damps the
difference between the first few places.
"""

from __future__ import annotations


def fuse(ranked: dict[str, list], weights: dict[str, float], *, k: int) -> list[tuple[object, float, list[str]]]:
    """[(memory_id, score, retrievers that found it)], best first; ties broken by the first list's order."""
    scores: dict[object, float] = {}
    found_by: dict[object, list[str]] = {}
    first_seen: dict[object, int] = {}
    for name, hits in ranked.items():
        weight = weights.get(name, 0.0)
        rank = 0
        seen: set = set()
        for hit in hits:
            if hit.memory_id in seen:
                continue  # a memory counts once per retriever, at its best passage
            seen.add(hit.memory_id)
            rank += 1
            scores[hit.memory_id] = scores.get(hit.memory_id, 0.0) + weight / (k + rank)
            found_by.setdefault(hit.memory_id, []).append(name)
            first_seen.setdefault(hit.memory_id, len(first_seen))
    order = sorted(scores, key=lambda m: (-scores[m], first_seen[m]))
    return [(m, scores[m], found_by[m]) for m in order]
