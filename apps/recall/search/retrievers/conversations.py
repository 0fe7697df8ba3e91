"""Conversation context for the lexical retriever: a turn's score takes a share of its neighbouring turns'."""

from __future__ import annotations

from apps.memories.models import Memory
from apps.recall.search.retrievers.hits import Hit

# A turn of a conversation often means something only with the turns around it
# ("Yes, last Tuesday!"). For memories of type conversation, a share of the
# neighbouring turns' scores (the memories created just before and after, of
# the same type) is added to each turn's own; a turn with no word of the
# question can so be found through its neighbours.
CONTEXT_SHARE = 0.5
CONTEXT_OF = 30  # the best hits whose neighbours are looked up


def _with_context(
    scored: list[tuple[float, int, object]], memories, limit: int, *, conversations: set | None = None
) -> list[Hit]:
    """`scored`: (negated score, passage id, memory id) → Hits ranked by score with context.
    `conversations`: which of them are conversation turns, when known (None: look it up)."""
    scored.sort()
    best: dict = {}  # memory id -> (negated score, passage id)
    for score, pid, memory_id in scored:
        best.setdefault(memory_id, (score, pid))
    top = list(best)[:CONTEXT_OF]
    if conversations is not None:
        top = [m for m in top if m in conversations]
    neighbours = _conversation_neighbours(top, memories)
    if not neighbours:
        return [Hit(m, pid) for _, pid, m in scored[:limit]]
    total: dict = {m: -s for m, (s, _) in best.items()}
    for memory_id, around in neighbours.items():
        for other in around:
            share = CONTEXT_SHARE * -best[other][0] if other in best else 0.0
            if memory_id in best:
                total[memory_id] += share
            # a neighbour of a strong hit, itself without the question's words
            if other not in best:
                total[other] = total.get(other, 0.0) + CONTEXT_SHARE * -best[memory_id][0]
    ranked = sorted(total, key=lambda m: -total[m])[:limit]
    return [Hit(m, best[m][1] if m in best else None) for m in ranked]


def _conversation_neighbours(memory_ids: list, memories) -> dict:
    """For each of these memories of type conversation, the ids of the conversation memories created
    just before and just after it in its project (and visible to the search). One query, on the
    (project, created_at) index."""
    if not memory_ids:
        return {}
    from django.db.models import OuterRef, Subquery

    same = Memory.objects.filter(project_id=OuterRef("project_id"), content_type="conversation")
    rows = list(
        Memory.objects.filter(pk__in=memory_ids, content_type="conversation")
        .annotate(
            before=Subquery(
                same.filter(created_at__lt=OuterRef("created_at")).order_by("-created_at").values("id")[:1]
            ),
            after=Subquery(same.filter(created_at__gt=OuterRef("created_at")).order_by("created_at").values("id")[:1]),
        )
        .values_list("id", "before", "after")
    )
    found = {n for _, before, after in rows for n in (before, after) if n is not None}
    if memories is not None and found:
        found = set(memories.filter(pk__in=found).values_list("id", flat=True))
    return {m: [n for n in (before, after) if n in found] for m, before, after in rows}
