"""What the retrievers share: the Hit each returns, the SQL that keeps passages to the memories a search may
see, and a cache for the statistics they weigh by (a project's size, how common a word is)."""

from __future__ import annotations

import threading
import time
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


# Statistics move slowly: each is computed at most once per STATS_SECONDS per process.
STATS_SECONDS = 300.0
_stats: dict[tuple, tuple[float, object]] = {}
_stats_lock = threading.Lock()


def cached_many(keys: list[tuple], compute) -> dict:
    """The cached value of each key; `compute(missing keys)` -> {key: value} fills in the rest at once."""
    now = time.monotonic()
    out, missing = {}, []
    with _stats_lock:
        for key in keys:
            hit = _stats.get(key)
            if hit is not None and now - hit[0] < STATS_SECONDS:
                out[key] = hit[1]
            else:
                missing.append(key)
    if missing:
        fresh = compute(missing)
        with _stats_lock:
            if len(_stats) > 50_000:
                _stats.clear()
            for key, value in fresh.items():
                _stats[key] = (now, value)
        out.update(fresh)
    return out


def cached(key: tuple, compute):
    return cached_many([key], lambda keys: {keys[0]: compute()})[key]
