"""Hybrid search over one project's memories and graph.

    result = search(project=project, query=SearchQuery(q="Where does Alice work?"))

Four retrievers (retrievers/) each rank what they find; reciprocal rank
fusion (fusion.py) merges their lists with the weights in settings
(RECALL_WEIGHTS, RECALL_RRF_K). Results are memories, best first, each with
its best passage as a snippet; the facts and entities the question names come
separately. Filters (`as_of`, `from`, `to`, `tags`) restrict every retriever.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet

from apps.graph import selectors as graph
from apps.memories.models import Memory
from apps.projects.models import Project
from apps.recall import text
from apps.recall.embeddings import get_embedder
from apps.recall.models import Passage
from apps.recall.search import retrievers
from apps.recall.search.fusion import fuse

SNIPPET_CHARS = 300
# Questions being embedded at once in this process; more would only queue for the same cores.
_embedding = ThreadPoolExecutor(max_workers=2, thread_name_prefix="recall-question")


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    limit: int = 10
    as_of: datetime | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    tags: tuple[str, ...] = ()

    @property
    def filtered(self) -> bool:
        return bool(self.as_of or self.date_from or self.date_to or self.tags)


@dataclass
class Result:
    memory: Memory
    snippet: str
    highlights: list[dict]
    score: float
    retrievers: list[str]


@dataclass
class SearchResult:
    query: SearchQuery
    took_ms: float
    results: list[Result] = field(default_factory=list)
    facts: list = field(default_factory=list)
    entities: list = field(default_factory=list)


def visible_memories(project: Project, query: SearchQuery) -> QuerySet[Memory]:
    """The memories a search may return. `as_of`: only those that existed then (dated no later)."""
    memories = Memory.objects.filter(project=project)
    if query.as_of:
        memories = memories.filter(valid_at__lte=query.as_of)
    if query.date_from:
        memories = memories.filter(valid_at__gte=query.date_from)
    if query.date_to:
        memories = memories.filter(valid_at__lte=query.date_to)
    for tag in query.tags:
        memories = memories.filter(_has_tag(tag))
    return memories


def _has_tag(tag: str) -> Q:
    from django.db import connection

    if connection.vendor == "postgresql":
        return Q(tags__contains=[tag])
    # SQLite has no JSON containment; the tag as a quoted JSON string inside the list.
    import json

    return Q(tags__icontains=json.dumps(tag))


def search(*, project: Project, query: SearchQuery) -> SearchResult:
    started = time.perf_counter()
    limit = query.limit
    candidates = max(settings.RECALL_CANDIDATES, limit * 3)
    memories = visible_memories(project, query)
    restricted = memories if query.filtered else None
    words = text.query_words(query.q)
    weights = settings.RECALL_WEIGHTS

    ranked: dict[str, list[retrievers.Hit]] = {}
    entities = []
    if query.q.strip():
        if weights["dense"]:
            # The question's vector is computed while the lexical retriever waits on the database.
            embedder = get_embedder()
            vector = _embedding.submit(lambda: embedder.embed([query.q])[0])
        if weights["lexical"]:
            ranked["lexical"] = retrievers.lexical(project, words, restricted, limit=candidates)
        if weights["dense"]:
            ranked["dense"] = retrievers.dense(project, vector.result(), embedder.name, restricted, limit=candidates)
        entities = retrievers.entities(project, query.q)
        # What the words and the meaning found, in their fused order: the graph and time retrievers
        # put those of the named entities or dates first.
        seen = [m for m, *_ in fuse(ranked, weights, k=settings.RECALL_RRF_K)]
        if weights["graph"] and entities:
            names = retrievers.named(project, [e.id for e in entities])
            ranked["graph"] = retrievers.graph_hits(names, memories, seen, limit=candidates)
            # Its list counts for as much as the names narrow the project down.
            weights = {**weights, "graph": weights["graph"] * names.specificity}
        if weights["time"]:
            ranked["time"] = retrievers.time_hits(
                retrievers.spans(query.q), memories, seen, limit=candidates, asks=retrievers.asks_when(query.q)
            )
        fused = fuse(ranked, weights, k=settings.RECALL_RRF_K)[:limit]
    else:
        # Filters alone: the newest matching memories.
        newest = memories.order_by("-valid_at", "id").values_list("id", flat=True)[:limit]
        fused = [(m, 0.0, []) for m in newest]

    results = _results(fused, query.q, ranked)
    facts = list(graph.facts_about([e.id for e in entities], as_of=query.as_of)) if entities else []
    took = (time.perf_counter() - started) * 1000
    return SearchResult(query=query, took_ms=round(took, 1), results=results, facts=facts, entities=entities)


def _results(fused: list, q: str, ranked: dict[str, list[retrievers.Hit]]) -> list[Result]:
    memory_ids = [m for m, *_ in fused]
    memories = Memory.objects.in_bulk(memory_ids)
    # The snippet: the passage the lexical or dense retriever ranked best; else the memory's first.
    best_passage: dict = {}
    for name in ("lexical", "dense"):
        for rank, hit in enumerate(ranked.get(name, [])):
            if hit.passage_id is not None and hit.memory_id in memories:
                if hit.memory_id not in best_passage or rank < best_passage[hit.memory_id][0]:
                    best_passage[hit.memory_id] = (rank, hit.passage_id)
    passage_text = dict(Passage.objects.filter(pk__in=[p for _, p in best_passage.values()]).values_list("id", "text"))
    results = []
    for memory_id, score, found_by in fused:
        memory = memories.get(memory_id)
        if memory is None:
            continue  # deleted between the retrievers and here
        passage = best_passage.get(memory_id)
        snippet = _snippet(passage_text.get(passage[1], "") if passage else memory.content, q)
        results.append(
            Result(
                memory=memory,
                snippet=snippet,
                highlights=text.highlights(snippet, q),
                score=round(score, 6),
                retrievers=found_by,
            )
        )
    return results


def _snippet(passage: str, q: str) -> str:
    """The passage, cut around its first highlighted word when it is long."""
    passage = " ".join(passage.split())
    if len(passage) <= SNIPPET_CHARS:
        return passage
    marks = text.highlights(passage, q)
    start = max(0, marks[0]["start"] - SNIPPET_CHARS // 3) if marks else 0
    cut = passage[start : start + SNIPPET_CHARS]
    return ("…" if start else "") + cut + ("…" if start + SNIPPET_CHARS < len(passage) else "")
