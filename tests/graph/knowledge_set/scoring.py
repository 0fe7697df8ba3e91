"""Score an extractor against the knowledge-quality set (README.md beside this file).

Relationship pairs: a predicted relationship counts when it joins the same two
gold entities in the gold direction (either direction for symmetric facts);
several predicted edges on one pair count once. Its type is right when one of
the pair's predicted names is among the gold alternatives. Entities: a name
counts when its normalised form is a gold name or alias; type accuracy is over
the gold entities found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from apps.graph.extraction.types import Extraction, Extractor, SchemaSpec
from apps.graph.resolution import normalize_name

HERE = Path(__file__).resolve().parent
# The set's parts, in the order they were written (README.md).
PARTS = ("dev", "dev_chat", *(f"heldout{n}" if n > 1 else "heldout" for n in range(1, 9)))
SYMMETRIC = frozenset({"MARRIED_TO", "SIBLING_OF", "MET", "KNOWS", "PARTNERED_WITH"})
# The types the set is labelled with; a schema's spelling of each counts as it.
_CANONICAL = SchemaSpec.build(["Person", "Organization", "Location", "Event", "Product", "Entity"])
# The schema a new project starts with (apps.graph.models.DEFAULT_ENTITY_TYPES).
PROJECT_SCHEMA = SchemaSpec.build(["Entity", "Person", "Organization", "Location", "Concept", "Event", "Artifact"])


@dataclass(frozen=True)
class Item:
    id: str
    group: str  # en, zh or chat
    text: str
    content_type: str
    entities: dict[str, str]  # gold name -> type
    aliases: dict[str, str]  # normalised name or alias -> gold name
    facts: tuple[tuple[str, tuple[str, ...], str], ...]  # the first name is the fact's label


def load(part: str) -> list[Item]:
    items = []
    for raw in yaml.safe_load((HERE / f"{part}.yaml").read_text(encoding="utf-8")):
        entities, aliases = {}, {}
        for names, kind in raw["entities"].items():
            gold, *_ = names.split("|")
            entities[gold] = kind
            for name in names.split("|"):
                aliases[normalize_name(name)] = gold
        facts = tuple((s, tuple(n.split("|")), t) for s, n, t in raw.get("facts") or [])
        for source, _, target in facts:
            assert source in entities and target in entities, f"{raw['id']}: {source} / {target} not among its entities"
        content_type = raw.get("content_type", "text")
        group = "chat" if content_type == "conversation" else raw["lang"]
        items.append(Item(raw["id"], group, raw["text"], content_type, entities, aliases, facts))
    return items


@dataclass
class Tally:
    gold_pairs: int = 0
    predicted_pairs: int = 0
    right_pairs: int = 0
    typed_right: int = 0
    related_to: int = 0  # predicted pairs named only RELATED_TO
    gold_entities: int = 0
    predicted_entities: int = 0
    found_entities: int = 0
    typed_entities: int = 0
    by_relation: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # found, gold
    misses: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("gold_pairs", "predicted_pairs", "right_pairs", "typed_right", "related_to"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("gold_entities", "predicted_entities", "found_entities", "typed_entities"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for relation, (found, gold) in other.by_relation.items():
            self.by_relation[relation][0] += found
            self.by_relation[relation][1] += gold
        self.misses += other.misses

    @property
    def precision(self) -> float:
        return self.right_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.right_pairs / self.gold_pairs if self.gold_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def type_accuracy(self) -> float:
        """Of the pairs found, how many carry a right relation name."""
        return self.typed_right / self.right_pairs if self.right_pairs else 1.0

    @property
    def entity_f1(self) -> float:
        p = self.found_entities / self.predicted_entities if self.predicted_entities else 1.0
        r = self.found_entities / self.gold_entities if self.gold_entities else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def entity_type_accuracy(self) -> float:
        return self.typed_entities / self.found_entities if self.found_entities else 1.0


def score_item(item: Item, extraction: Extraction) -> Tally:
    tally = Tally()
    gold_of = {e.name: item.aliases.get(normalize_name(e.name)) for e in extraction.entities}
    # Entities.
    found: dict[str, str] = {}
    for entity in extraction.entities:
        gold = gold_of[entity.name]
        if gold is not None and gold not in found:
            found[gold] = _CANONICAL.spell_type(entity.type)
    tally.gold_entities = len(item.entities)
    tally.predicted_entities = len({gold_of[e.name] or e.name for e in extraction.entities})
    tally.found_entities = len(found)
    tally.typed_entities = sum(1 for gold, kind in found.items() if kind == item.entities[gold])
    for gold, kind in found.items():
        if kind != item.entities[gold]:
            tally.misses.append(f"{item.id}: type of {gold} is {kind}, not {item.entities[gold]}")
    # Relationship pairs.
    predicted: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rel in extraction.relationships:
        source = gold_of.get(rel.source) or f"?{rel.source}"
        target = gold_of.get(rel.target) or f"?{rel.target}"
        if source != target:
            predicted[(source, target)].add(rel.name)
    gold_pairs = {(s, t): names for s, names, t in item.facts}
    matched: set[tuple[str, str]] = set()
    for (source, target), labels in gold_pairs.items():
        names, relation = set(labels), labels[0]
        tally.by_relation[relation][1] += 1
        hit = (source, target) if (source, target) in predicted else None
        if hit is None and names & SYMMETRIC and (target, source) in predicted:
            hit = (target, source)
        if hit is None:
            tally.misses.append(f"{item.id}: missed {source} -{relation}-> {target}")
            continue
        matched.add(hit)
        tally.right_pairs += 1
        tally.by_relation[relation][0] += 1
        if predicted[hit] & names:
            tally.typed_right += 1
        else:
            tally.misses.append(f"{item.id}: {source} -> {target} named {sorted(predicted[hit])}, not {relation}")
    tally.gold_pairs = len(gold_pairs)
    tally.predicted_pairs = len(predicted)
    tally.related_to = sum(1 for names in predicted.values() if names == {"RELATED_TO"})
    for pair, names in predicted.items():
        if pair not in matched:
            tally.misses.append(f"{item.id}: extra {pair[0]} -{'/'.join(sorted(names))}-> {pair[1]}")
    return tally


def score(items: Iterable[Item], extractor: Extractor, schema: SchemaSpec = PROJECT_SCHEMA) -> dict[str, Tally]:
    """Per group (en, zh, chat) and "all"."""
    totals: dict[str, Tally] = defaultdict(Tally)
    for item in items:
        tally = score_item(item, extractor.extract(item.text, content_type=item.content_type, schema=schema))
        totals[item.group].add(tally)
        totals["all"].add(tally)
    return dict(totals)
