"""What a sentence analyser (English or Chinese) reports about one sentence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apps.graph.extraction.naming import canonical_edge, expects

# How sure the analyser is of a mention's type; the strongest evidence across
# all mentions of a name decides the entity's type.
FORMAT = 6  # the format says so: a conversation's speaker, a JSON "person" field
DEFINITE = 5  # a title (Dr., CEO), an organisation suffix (Inc, University), a tagger's tag
GAZETTEER = 4  # a known country, city or organisation
GIVEN_NAME = 3  # the first word is a common first name
CONTEXT = 2  # the words around it: "in X" (a place), "launched X" (a product)
LISTED = 1  # only the large lists of towns and census names say so: what its relations imply wins
UNKNOWN = 0  # just a capitalised name


@dataclass(frozen=True)
class Mention:
    name: str
    type: str
    strength: int
    attributes: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    name: str
    valid_at: datetime | None = None
    attributes: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass
class SentenceAnalysis:
    text: str
    mentions: list[Mention] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def wanted_as(kind: str, links: Iterable[Link], *, source: bool = False) -> set[str]:
    """The names the links' relations want to be of `kind`: at the target ("works at X": X is an
    organisation), or at the source (`source`: "X lives in Paris": X is a person)."""
    at = 0 if source else 1
    found = set()
    for link in links:
        if expects(canonical_edge(link.name))[at] == kind:
            found.add(link.source if source else link.target)
    return found
