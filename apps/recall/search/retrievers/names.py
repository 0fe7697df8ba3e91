"""The graph retriever: the entities a question names, and the memories that mention them."""

from __future__ import annotations

import math
import re

from django.db.models import QuerySet

from apps.graph import selectors as graph
from apps.memories.models import Memory
from apps.projects.models import Project
from apps.recall import text
from apps.recall.search.retrievers.hits import Hit, cached

_PHRASE_SPLIT = re.compile(r"[^\w'’&.-]+")


def phrases(question: str, max_words: int = 4) -> list[str]:
    """Pieces of a question that could name an entity: runs of 1..4 words, and Chinese words and pairs."""
    tokens = [t.strip(".'’-") for t in _PHRASE_SPLIT.split(question) if t.strip(".'’-")]
    out = {" ".join(tokens[i : i + n]) for n in range(1, max_words + 1) for i in range(len(tokens) - n + 1)}
    cjk = [w for w in text.words(question) if not w.isascii()]
    out |= set(cjk) | {a + b for a, b in zip(cjk, cjk[1:], strict=False)}
    return sorted(p for p in out if p.casefold() not in text.STOPWORDS and len(p) >= 2)


def entities(project: Project, question: str) -> list:
    return graph.entities_named_in(project, phrases(question))


def graph_hits(entity_ids: list[int], memories: QuerySet[Memory], candidates: list, *, limit: int) -> list[Hit]:
    """Memories that mention the entities: first those the other retrievers found, in their order (the
    question's words and its names agree there), then the others that mention the most of them, newest first."""
    if not entity_ids:
        return []
    mentioning = set(graph.memories_mentioning(entity_ids, memories, limit=len(candidates), among=candidates))
    ordered = [m for m in candidates if m in mentioning]
    rest = [m for m in graph.memories_mentioning(entity_ids, memories, limit=limit) if m not in mentioning]
    return [Hit(m, None) for m in [*ordered, *rest][:limit]]


def specificity(project: Project, entity_ids: list[int]) -> float:
    """How much naming these entities narrows down the project's memories, from 0 to 1.

    The same reason the lexical retriever weighs a rare word above a common
    one: an entity mentioned by half the memories (a conversation's speaker)
    says little about which of them holds the answer, one mentioned by a few
    says much. For the least mentioned of the entities, mentioned by n of the
    project's N memories: log(N / n) / log(N), 1 when a single memory
    mentions it, 0 when every memory does. N is cached like the lexical
    retriever's statistics (hits.STATS_SECONDS): it moves slowly.
    """
    counts = graph.mention_counts(entity_ids)
    if not counts:
        return 0.0
    total = cached(("memories", project.pk), Memory.objects.filter(project=project).count)
    if total < 2:
        return 1.0
    fewest = max(1, min(counts.values()))
    return max(0.0, math.log(total / fewest) / math.log(total))
