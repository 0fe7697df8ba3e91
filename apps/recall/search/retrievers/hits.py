"""What the retrievers share: the Hit each returns, and the SQL that keeps passages to the memories a search may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from apps.memories.models import Memory


@dataclass(frozen=True)
class Hit:
    memory_id: object
    passage_id: int | None  # None: the retriever found the memory, not a passage of it


def _passage_filter(memories: QuerySet[Memory] | None) -> tuple[str, list]:
    """SQL restricting passages to the memories a search may see (None: the whole project)."""
    if memories is None:
        return "", []
    sql, params = memories.values("id").query.sql_with_params()
    return f" AND p.memory_id IN ({sql})", list(params)
