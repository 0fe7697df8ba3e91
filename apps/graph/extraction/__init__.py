"""Entity and relationship extraction, chosen by settings.

    extractor = get_extractor()
    extraction = extractor.extract(text, content_type="markdown", schema=schema)

Settings (read with getattr, so each has a default):

    GRAPH_EXTRACTOR        "offline" (default) or "llm"
    LLM_BASE_URL           "http://127.0.0.1:11434/v1"  (a local Ollama)
    LLM_API_KEY            ""  (Ollama and most local servers need none)
    LLM_MODEL              "llama3.1"
    LLM_TIMEOUT_SECONDS    60
    LLM_MAX_RETRIES        4
    LLM_MAX_CONCURRENCY    4
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

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
    "EdgeTriple",
    "EdgeTypeSpec",
    "EntityTypeSpec",
    "ExtractedEntity",
    "ExtractedRelationship",
    "Extraction",
    "ExtractionError",
    "Extractor",
    "SchemaSpec",
    "get_extractor",
]

DEFAULTS = {
    "GRAPH_EXTRACTOR": "offline",
    "LLM_BASE_URL": "http://127.0.0.1:11434/v1",
    "LLM_API_KEY": "",
    "LLM_MODEL": "llama3.1",
    "LLM_TIMEOUT_SECONDS": 60,
    "LLM_MAX_RETRIES": 4,
    "LLM_MAX_CONCURRENCY": 4,
}

# One extractor per configuration: the LLM extractor holds a connection pool
# that should be reused across memories, not opened and leaked per call.
_cache: dict[tuple[object, ...], Extractor] = {}
_cache_lock = threading.Lock()


def get_extractor() -> Extractor:
    config = tuple(getattr(settings, name, default) for name, default in DEFAULTS.items())
    with _cache_lock:
        if config not in _cache:
            _cache[config] = _build(*config)
        return _cache[config]


def _build(
    kind: object,
    base_url: object,
    api_key: object,
    model: object,
    timeout: object,
    retries: object,
    concurrency: object,
) -> Extractor:
    if kind == "offline":
        from apps.graph.extraction.offline import OfflineExtractor

        return OfflineExtractor()
    if kind != "llm":
        raise ImproperlyConfigured(f'GRAPH_EXTRACTOR must be "offline" or "llm", not {kind!r}.')
    from apps.graph.extraction.llm import LLMExtractor

    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"LLM_BASE_URL must be an http:// or https:// URL, not {base_url!r}.")
    if not isinstance(model, str) or not model:
        raise ImproperlyConfigured("LLM_MODEL must name a model, e.g. gpt-4o-mini or llama3.1.")
    return LLMExtractor(
        base_url=base_url,
        api_key=str(api_key or ""),
        model=model,
        timeout=_number("LLM_TIMEOUT_SECONDS", timeout, float, minimum=0.001),
        max_retries=_number("LLM_MAX_RETRIES", retries, int, minimum=0),
        max_concurrency=_number("LLM_MAX_CONCURRENCY", concurrency, int, minimum=1),
    )


def _number(name: str, value: object, kind: type[int] | type[float], *, minimum: float) -> int | float:
    try:
        number = kind(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum:g}, not {value!r}.")
    return number
