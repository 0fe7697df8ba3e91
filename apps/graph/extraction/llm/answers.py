"""What the LLM extractor asks, and how it checks what comes back.

An answer is only trusted after validation: a model that drifts from the
requested shape fails the extraction with a message saying what was wrong,
instead of writing half-understood data into the graph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from apps.graph.extraction.naming import canonical_edge, typed_by_relationships, upper_snake
from apps.graph.extraction.types import (
    GENERIC_TYPE,
    ExtractedEntity,
    ExtractedRelationship,
    Extraction,
    ExtractionError,
    SchemaSpec,
)

MAX_NAME_LENGTH = 255
_MAX_MEMBERS_IN_PROMPT = 30
_MAX_FACTS_IN_PROMPT = 40
_MAX_FACT_CHARS = 300

_CONTENT_HINTS = {
    "text": "",
    "markdown": "It is Markdown; ignore the markup.",
    "json": "It is JSON; read the string values, not the keys.",
    "conversation": "It is a conversation of 'Speaker: line' lines; speakers are people and 'I' is the speaker.",
}

_ANSWER_SHAPE = """Answer with one JSON object and nothing else, shaped like this:
{"entities": [{"name": "as written in the text", "type": "a type", "summary": "one sentence on what the text says about it", "attributes": {}}],
 "relationships": [{"source": "an entity name", "target": "an entity name", "name": "UPPER_SNAKE_CASE", "fact": "the sentence that states it", "valid_at": "YYYY-MM-DD or null"}]}
Every source and target must be exactly the name of an entity in "entities". State only what the text states. Empty lists are a fine answer."""


def extraction_messages(text: str, content_type: str, schema: SchemaSpec) -> list[dict[str, str]]:
    system = "\n\n".join(
        [
            "You extract a knowledge graph from a memory: the named people, organisations, places, "
            "events, products and concepts it mentions, and the relationships between them it states.",
            _entity_types_section(schema),
            _edge_types_section(schema),
            _ANSWER_SHAPE,
        ]
    )
    hint = _CONTENT_HINTS.get(content_type, "")
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"{hint}\n\n{text}".strip()},
    ]


def _entity_types_section(schema: SchemaSpec) -> str:
    if not schema.entity_types:
        return (
            "Entity types: use short PascalCase types such as Person, Organization, Location, Event, Product, Concept."
        )
    lines = [f"- {t.name}: {t.description}".rstrip(": ") for t in schema.entity_types]
    return "Entity types (use the best fit; if none fits, a short PascalCase type of your own):\n" + "\n".join(lines)


def _edge_types_section(schema: SchemaSpec) -> str:
    parts = []
    if schema.edge_types:
        lines = [f"- {t.name}: {t.description}".rstrip(": ") for t in schema.edge_types]
        parts.append(
            "Relationship names (use one when it fits; otherwise a short UPPER_SNAKE_CASE verb phrase):\n"
            + "\n".join(lines)
        )
    else:
        parts.append("Relationship names: short UPPER_SNAKE_CASE verb phrases such as WORKS_AT, FOUNDED, LOCATED_IN.")
    if schema.triples:
        lines = [f"- ({t.source_type})-[{t.edge}]->({t.target_type})" for t in schema.triples]
        parts.append("Expected combinations:\n" + "\n".join(lines))
    return "\n\n".join(parts)


def community_messages(member_names: Sequence[str], facts: Iterable[str]) -> list[dict[str, str]]:
    facts = [f[:_MAX_FACT_CHARS] for f in list(facts)[:_MAX_FACTS_IN_PROMPT]]
    members = ", ".join(member_names[:_MAX_MEMBERS_IN_PROMPT])
    if len(member_names) > _MAX_MEMBERS_IN_PROMPT:
        members += f" and {len(member_names) - _MAX_MEMBERS_IN_PROMPT} more"
    fact_lines = "\n".join(f"- {f}" for f in facts) or "- (none)"
    return [
        {
            "role": "system",
            "content": "You name a community of related entities in a knowledge graph. Answer with one JSON "
            'object and nothing else: {"name": "at most six words", "summary": "one or two sentences"}. '
            "Use only the members and facts given.",
        },
        {"role": "user", "content": f"Members: {members}\nFacts:\n{fact_lines}"},
    ]


# --- reading answers ---------------------------------------------------------------------


def load_json_object(content: str, endpoint: str, *, truncated: bool = False) -> dict[str, Any]:
    # Some servers wrap JSON in a ``` fence even in JSON mode.
    stripped = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", content)
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as error:
        cut = (
            " The answer was cut off (finish_reason=length); shorten the memory or allow more tokens."
            if truncated
            else ""
        )
        raise ExtractionError(
            f"{endpoint} returned invalid JSON: {error}; the answer began {content[:120]!r}.{cut}"
        ) from None
    if not isinstance(data, dict):
        raise _shape(endpoint, f"expected a JSON object, got {type(data).__name__}")
    return data


def parse_extraction(data: dict[str, Any], endpoint: str, schema: SchemaSpec) -> Extraction:
    entities = _entities(_list(data, "entities", endpoint, required=True), endpoint)
    by_folded_name = {e.name.casefold(): e.name for e in entities}
    relationships = [
        _relationship(i, item, by_folded_name, endpoint)
        for i, item in enumerate(_list(data, "relationships", endpoint, required=False))
    ]
    # The same typing as the offline extractor's: one spelling per relation, and
    # names the model left untyped typed by what they are related to.
    relationships = [replace(r, name=canonical_edge(r.name)) for r in relationships]
    generic = {e.name for e in entities if e.type.casefold() == GENERIC_TYPE.casefold()}
    types = typed_by_relationships(
        {e.name: GENERIC_TYPE if e.name in generic else e.type for e in entities},
        [(r.source, r.name, r.target) for r in relationships],
    )
    # A model writes "person" or "works_at" as readily as the schema's "Person" and "WORKS_AT".
    return Extraction(
        entities=[replace(e, type=schema.spell_type(types[e.name])) for e in entities],
        relationships=[replace(r, name=schema.spell_edge(r.name)) for r in relationships],
    )


def parse_community(data: dict[str, Any], endpoint: str) -> tuple[str, str]:
    name = _text(data, "name", "answer", endpoint, required=True)
    summary = _text(data, "summary", "answer", endpoint, required=False)
    return name[:MAX_NAME_LENGTH], summary


def _list(data: dict[str, Any], key: str, endpoint: str, *, required: bool) -> list[Any]:
    value = data.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise _shape(endpoint, f'"{key}" must be a list')
    return value


def _entities(items: list[Any], endpoint: str) -> list[ExtractedEntity]:
    found: dict[str, ExtractedEntity] = {}
    for index, item in enumerate(items):
        where = f"entities[{index}]"
        if not isinstance(item, dict):
            raise _shape(endpoint, f"{where} must be an object")
        name = _text(item, "name", where, endpoint, required=True)
        kind = _text(item, "type", where, endpoint, required=False) or GENERIC_TYPE
        attributes = item.get("attributes") or {}
        if not isinstance(attributes, dict):
            raise _shape(endpoint, f"{where}.attributes must be an object")
        entity = ExtractedEntity(name, kind, _flat(attributes), _text(item, "summary", where, endpoint, required=False))
        found.setdefault(name.casefold(), entity)  # a model may list a name twice; the first stands
    return list(found.values())


def _flat(attributes: dict[str, Any]) -> dict[str, str | int | float | bool | None]:
    """Attribute values as JSON scalars, as the offline extractor gives them; nested values become JSON text."""
    return {
        str(key): value
        if value is None or isinstance(value, (str, int, float, bool))
        else json.dumps(value, ensure_ascii=False)
        for key, value in attributes.items()
    }


def _relationship(index: int, item: Any, names: dict[str, str], endpoint: str) -> ExtractedRelationship:
    where = f"relationships[{index}]"
    if not isinstance(item, dict):
        raise _shape(endpoint, f"{where} must be an object")
    source = _text(item, "source", where, endpoint, required=True)
    target = _text(item, "target", where, endpoint, required=True)
    name = upper_snake(_text(item, "name", where, endpoint, required=True))
    if not name:
        raise _shape(endpoint, f"{where}.name has no letters or digits")
    for end in (source, target):
        if end.casefold() not in names:
            raise _shape(
                endpoint, f"{where} ({source} -{name}-> {target}) names {end!r}, which is not among the entities"
            )
    return ExtractedRelationship(
        source=names[source.casefold()],
        target=names[target.casefold()],
        name=name,
        fact=_text(item, "fact", where, endpoint, required=False),
        valid_at=_date(item.get("valid_at")),
    )


def _text(item: dict[str, Any], key: str, where: str, endpoint: str, *, required: bool) -> str:
    value = item.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise _shape(endpoint, f"{where}.{key} must be a string")
    value = " ".join(value.split())
    if required and not value:
        raise _shape(endpoint, f"{where}.{key} is empty")
    if key in ("name", "source", "target") and len(value) > MAX_NAME_LENGTH:
        raise _shape(endpoint, f"{where}.{key} is longer than {MAX_NAME_LENGTH} characters")
    return value


def _date(value: Any) -> datetime | None:
    """A fact's date is optional; an unreadable one is dropped rather than failing the memory."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _shape(endpoint: str, problem: str) -> ExtractionError:
    return ExtractionError(f"{endpoint} returned JSON of the wrong shape: {problem}.")
