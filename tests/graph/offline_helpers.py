"""Shorthands for reading offline extractions in tests."""

from __future__ import annotations

from datetime import UTC, datetime

from apps.graph.extraction.offline import OfflineExtractor
from apps.graph.extraction.types import Extraction, SchemaSpec


def extract(text: str, content_type: str = "text", schema: SchemaSpec | None = None) -> Extraction:
    return OfflineExtractor().extract(text, content_type=content_type, schema=schema or SchemaSpec())


def entities(extraction: Extraction) -> set[tuple[str, str]]:
    return {(e.name, e.type) for e in extraction.entities}


def edges(extraction: Extraction) -> set[tuple[str, str, str]]:
    return {(r.source, r.name, r.target) for r in extraction.relationships}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)
