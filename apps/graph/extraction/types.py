"""What every extractor takes and returns: plain, immutable data, no Django models.

Entity and edge *type names* in an `Extraction` are suggestions. An extractor
may return a type that the project's `SchemaSpec` does not list (the offline
extractor returns Person/Organization/Location/Event/Product/Entity, an LLM may
invent types); the ingestion pipeline stores those and marks them as generated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

CONTENT_TYPES = ("text", "markdown", "json", "conversation")

# The type given to a thing that is clearly named but of unknown kind. Entity
# resolution treats it as compatible with every other type.
GENERIC_TYPE = "Entity"


class ExtractionError(Exception):
    """Extraction failed; `str(error)` is a sentence a user can act on."""


@dataclass(frozen=True)
class ExtractedEntity:
    name: str
    type: str
    # Values are JSON scalars (str, int, float, bool, None). Left out of the hash
    # (a dict is not hashable); treat it as read-only.
    attributes: dict[str, Any] = field(default_factory=dict, hash=False)
    summary: str = ""


@dataclass(frozen=True)
class ExtractedRelationship:
    source: str  # an ExtractedEntity.name of the same Extraction
    target: str  # likewise
    name: str  # UPPER_SNAKE_CASE, e.g. WORKS_AT
    fact: str  # the sentence stating it, as written
    valid_at: datetime | None = None
    attributes: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Extraction:
    entities: tuple[ExtractedEntity, ...] = ()
    relationships: tuple[ExtractedRelationship, ...] = ()

    def __post_init__(self) -> None:
        # Accept lists from callers but keep the value immutable.
        object.__setattr__(self, "entities", tuple(self.entities))
        object.__setattr__(self, "relationships", tuple(self.relationships))

    def entity(self, name: str) -> ExtractedEntity | None:
        return next((e for e in self.entities if e.name == name), None)


@dataclass(frozen=True)
class EntityTypeSpec:
    name: str
    description: str = ""


@dataclass(frozen=True)
class EdgeTypeSpec:
    name: str
    description: str = ""


@dataclass(frozen=True)
class EdgeTriple:
    """An allowed (source type) -[edge]-> (target type) combination."""

    source_type: str
    target_type: str
    edge: str


@dataclass(frozen=True)
class SchemaSpec:
    """The project's graph schema as the caller knows it at extraction time."""

    entity_types: tuple[EntityTypeSpec, ...] = ()
    edge_types: tuple[EdgeTypeSpec, ...] = ()
    triples: tuple[EdgeTriple, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "entity_types", tuple(self.entity_types))
        object.__setattr__(self, "edge_types", tuple(self.edge_types))
        object.__setattr__(self, "triples", tuple(self.triples))

    @classmethod
    def build(
        cls,
        entity_types: Mapping[str, str] | Iterable[str] = (),
        edge_types: Mapping[str, str] | Iterable[str] = (),
        triples: Iterable[tuple[str, str, str]] = (),
    ) -> SchemaSpec:
        """Shorthand: `SchemaSpec.build({"Person": "A human"}, ["WORKS_AT"], [("Person", "Organization", "WORKS_AT")])`."""
        return cls(
            entity_types=tuple(EntityTypeSpec(n, d) for n, d in _named(entity_types)),
            edge_types=tuple(EdgeTypeSpec(n, d) for n, d in _named(edge_types)),
            triples=tuple(EdgeTriple(*t) for t in triples),
        )

    @property
    def entity_type_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.entity_types)

    @property
    def edge_type_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.edge_types)

    def spell_type(self, kind: str) -> str:
        """The schema's own spelling of an entity type: "person" -> "Person", "Organization" -> "Organisation"."""
        folded = kind.casefold()
        synonyms = next((group for group in _TYPE_SYNONYMS if folded in group), frozenset({folded}))
        names = sorted(self.entity_type_names, key=lambda name: name.casefold() != folded)  # the same word first
        return next((name for name in names if name.casefold() in synonyms), kind)

    def spell_edge(self, name: str) -> str:
        return next((edge for edge in self.edge_type_names if edge.casefold() == name.casefold()), name)


# Names extractors and schemas use for the same kind of thing.
_TYPE_SYNONYMS = (
    frozenset({"person", "people", "human", "individual"}),
    frozenset({"organization", "organisation", "company", "org", "institution"}),
    frozenset({"location", "place", "geo", "geolocation"}),
    frozenset({"event", "occurrence"}),
    frozenset({"product", "artifact", "artefact"}),
    frozenset({GENERIC_TYPE.casefold(), "concept", "thing"}),
)


def _named(items: Mapping[str, str] | Iterable[str]) -> list[tuple[str, str]]:
    if isinstance(items, Mapping):
        return [(name, description) for name, description in items.items()]
    return [(name, "") for name in items]


@runtime_checkable
class Extractor(Protocol):
    def extract(self, text: str, *, content_type: str, schema: SchemaSpec) -> Extraction:
        """Entities and relationships found in `text`; raises ExtractionError on failure."""
        ...
