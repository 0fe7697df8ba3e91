"""The graph retriever: the entities a question names, and the memories that mention them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Named:
    """The entities a question names, with how many memories mention each and how many the project has."""

    entity_ids: list[int]
    mentions: dict[int, int]
    memories: int

    @property
    def fewest(self) -> int:
        """Memories that mention the least mentioned of the entities."""
        return max(1, min(self.mentions.values(), default=1))

    @property
    def specificity(self) -> float:
        """How much naming these entities narrows down the project's memories, from 0 to 1.

        The same reason the lexical retriever weighs a rare word above a common
        one: an entity mentioned by half the memories (a conversation's speaker)
        says little about which of them holds the answer, one mentioned by a few
        says much. For the least mentioned of the entities, mentioned by n of the
        project's N memories: log(N / n) / log(N), 1 when a single memory
        mentions it, 0 when every memory does.
        """
        if not self.mentions:
            return 0.0
        if self.memories < 2:
            return 1.0
        return max(0.0, math.log(self.memories / self.fewest) / math.log(self.memories))


def named(project: Project, entity_ids: list[int]) -> Named:
    # The project's size moves slowly: cached like the lexical retriever's statistics (hits.STATS_SECONDS).
    total = cached(("memories", project.pk), Memory.objects.filter(project=project).count)
    return Named(entity_ids=entity_ids, mentions=graph.mention_counts(entity_ids), memories=total)


def graph_hits(names: Named, memories: QuerySet[Memory], candidates: list, *, limit: int) -> list[Hit]:
    """Memories that mention the entities: first those the other retrievers found, in their order (the
    question's words and its names agree there), then the others that mention the most of them, newest first."""
    entity_ids = names.entity_ids
    if not entity_ids:
        return []
    mentioning = set(graph.memories_mentioning(entity_ids, memories, limit=len(candidates), among=candidates))
    ordered = [m for m in candidates if m in mentioning]
    # Reading the newest memories until `limit` mention the entity costs about limit × N / n rows; reading its
    # mentions, n: the first is cheaper once n passes sqrt(limit × N).
    by_date = names.fewest**2 >= limit * names.memories
    rest = graph.memories_mentioning(entity_ids, memories, limit=limit, by_date=by_date)
    rest = [m for m in rest if m not in mentioning]
    return [Hit(m, None) for m in [*ordered, *rest][:limit]]
