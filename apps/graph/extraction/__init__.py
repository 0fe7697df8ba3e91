"""Entity and relationship extraction, chosen by settings.

    extractor = get_extractor()
    extraction = extractor.extract(text, content_type="markdown", schema=schema)

Settings: GRAPH_EXTRACTOR ("offline" or "llm") and the LLM_* values. They
are read from the environment, defaulted and validated in memstack/settings.py
alone; this module takes them as they are.

Layout: `types` (what every extractor takes and returns) and `naming` are
shared; `offline/` is the rule-based extractor, `llm/` the LLM one. Neither
imports the other. `find_dates` (dates stated in a text, as ingestion reads
them) is public too: recall reads a question's dates the same way.
"""

from __future__ import annotations

import threading

from django.conf import settings

from apps.graph.extraction.offline.dates import DateSpan, find_dates
from apps.graph.extraction.types import (
    CONTENT_TYPES,
    GENERIC_TYPE,
    EdgeTriple,
    EdgeTypeSpec,
    EntityTypeSpec,
    ExtractedEntity,
    ExtractedRelationship,
    Extraction,
    ExtractionError,
    Extractor,
    SchemaSpec,
)

__all__ = [
    "CONTENT_TYPES",
    "GENERIC_TYPE",
    "DateSpan",
    "EdgeTriple",
    "EdgeTypeSpec",
    "EntityTypeSpec",
    "ExtractedEntity",
    "ExtractedRelationship",
    "Extraction",
    "ExtractionError",
    "Extractor",
    "SchemaSpec",
    "find_dates",
    "get_extractor",
]

# One extractor per configuration: the LLM extractor holds a connection pool
# that should be reused across memories, not opened and leaked per call.
_cache: dict[tuple[object, ...], Extractor] = {}
_cache_lock = threading.Lock()


def get_extractor() -> Extractor:
    config = (
        settings.GRAPH_EXTRACTOR,
        settings.LLM_BASE_URL,
        settings.LLM_API_KEY,
        settings.LLM_MODEL,
        settings.LLM_TIMEOUT_SECONDS,
        settings.LLM_MAX_RETRIES,
        settings.LLM_MAX_CONCURRENCY,
    )
    with _cache_lock:
        if config not in _cache:
            _cache[config] = _build()
        return _cache[config]


def _build() -> Extractor:
    if settings.GRAPH_EXTRACTOR == "llm":
        from apps.graph.extraction.llm import LLMExtractor

        return LLMExtractor(
            base_url=settings.LLM_BASE_URL,
            api_key=settings.LLM_API_KEY,
            model=settings.LLM_MODEL,
            timeout=float(settings.LLM_TIMEOUT_SECONDS),
            max_retries=settings.LLM_MAX_RETRIES,
            max_concurrency=settings.LLM_MAX_CONCURRENCY,
        )
    from apps.graph.extraction.offline import OfflineExtractor

    return OfflineExtractor()
