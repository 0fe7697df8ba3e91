"""The default extractor: no network, no model download, the same output for the same input.

It reads English and Chinese (detected per segment from the share of CJK
characters) with rules and word lists (see the english and chinese packages). Its types
are Person, Organization, Location, Event, Product and the generic Entity; they
are spelled the way the project's schema spells them when the schema has an
equivalent (Organisation, Company, Place ...), and returned as they are
otherwise — the ingestion pipeline records types missing from the schema as
generated ones. Edge names likewise: the schema's spelling when it has the
name, otherwise the extractor's own (WORKS_AT, JOINED, RELATED_TO ...).

What it cannot do: resolve "he"/"she" in English, read sentences whose verb is
far from its names, or know that an unfamiliar single word opening a sentence
is a name. Precision comes first; recall is what an LLM extractor is for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from apps.graph.extraction.naming import canonical_edge, fits, typed_by_relationships
from apps.graph.extraction.offline import chinese, english, english_turns
from apps.graph.extraction.offline import lexicon as lx
from apps.graph.extraction.offline.analysis import (
    CONTEXT,
    FORMAT,
    GAZETTEER,
    LISTED,
    Link,
    Mention,
    SentenceAnalysis,
    wanted_as,
)
from apps.graph.extraction.offline.content import Segment, segments
from apps.graph.extraction.offline.english_words import spelled_out
from apps.graph.extraction.offline.english_words import split_sentences as split_english
from apps.graph.extraction.types import (
    GENERIC_TYPE,
    ExtractedEntity,
    ExtractedRelationship,
    Extraction,
    SchemaSpec,
)

_CJK_SHARE_FOR_CHINESE = 0.3
_SUMMARY_CHARS = 300


class OfflineExtractor:
    def extract(self, text: str, *, content_type: str, schema: SchemaSpec) -> Extraction:
        analyses = list(_analyse(segments(text, content_type)))
        return _assemble(analyses, schema)


# --- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    segment: Segment
    chinese: bool
    sentences: list[str]  # as read: a chat's texting shorthand written out
    written: list[str]  # as written, for the facts
    # A chat turn that answers the turn before: what the two say together, and the fact's text.
    answered: tuple[str, str] | None = None


def _analyse(parts: list[Segment]) -> Iterator[SentenceAnalysis]:
    prepared = _with_answers([_prepare(segment) for segment in parts])
    capitalised = english.capitalised_mid_sentence(
        sentence for p in prepared if not p.chinese for sentence in p.sentences
    )
    speakers = {p.segment.speaker for p in prepared if p.segment.speaker}
    # In a chat, names are often typed in lower case; only unmistakable ones are read that way:
    # well-known names, the speakers', and words the conversation's own wording makes names.
    lowercase: frozenset[str] = frozenset()
    if speakers:
        said = [sentence for p in prepared if p.segment.speaker and not p.chinese for sentence in p.sentences]
        said += [p.answered[0] for p in prepared if p.answered]
        lowercase = lx.LOWERCASE_NAMES | {s.lower() for s in speakers} | english.chat_names(said)
    topics = english.EnglishContext()  # carried from turn to turn: "maya got a job" ... "she moves"
    for part in prepared:
        for analysis, context in _analyse_segment(part, capitalised, frozenset(lowercase), speakers, topics):
            topics = context
            yield analysis


def _prepare(segment: Segment) -> _Prepared:
    is_chinese = _cjk_share(segment.text) >= _CJK_SHARE_FOR_CHINESE
    if segment.hint_type:
        sentences = [segment.text]
    elif is_chinese:
        sentences = chinese.split_sentences(segment.text)
    else:
        sentences = split_english(segment.text, informal=segment.speaker is not None)
    if segment.speaker and not is_chinese:
        return _Prepared(segment, is_chinese, [spelled_out(s) for s in sentences], sentences)
    return _Prepared(segment, is_chinese, sentences, sentences)


def _with_answers(prepared: list[_Prepared]) -> list[_Prepared]:
    """Mark the chat turns that answer the question closing another speaker's turn before them."""
    marked = prepared[:1]
    for before, part in zip(prepared, prepared[1:]):
        asker, speaker = before.segment.speaker, part.segment.speaker
        if speaker and asker and asker != speaker and not part.chinese and not before.chinese:
            if before.sentences and part.sentences:
                question, answer = before.sentences[-1], part.sentences[0]
                if statement := english_turns.answered(question, answer):
                    quoted = f"{asker}: {before.written[-1]} {speaker}: {part.written[0]}"
                    part = replace(part, answered=(statement, quoted))
        marked.append(part)
    return marked


def _analyse_segment(
    part: _Prepared,
    capitalised: frozenset[str],
    lowercase: frozenset[str],
    speakers: set[str],
    topics: english.EnglishContext,
) -> Iterator[tuple[SentenceAnalysis, english.EnglishContext]]:
    segment = part.segment
    if segment.hint_type:  # a JSON value under a key such as "company": the value is the name
        yield SentenceAnalysis(segment.text, [Mention(segment.text, segment.hint_type, FORMAT)]), topics
        return
    if segment.affiliation:  # a signature's "Talent Partner, Crestline Search": where the signer works
        yield _signature(segment), topics
        return
    speaker = segment.speaker or segment.author  # whom "I" and "my" stand for
    if speaker:
        first = part.written[0] if part.written else ""
        yield SentenceAnalysis(f"{speaker}: {first}", [Mention(speaker, "Person", FORMAT)]), topics
    others = speakers - {segment.speaker}
    context = replace(
        topics,
        capitalised_mid_sentence=capitalised,
        speaker=speaker,
        lowercase_names=lowercase,
        addressee=next(iter(others)) if segment.speaker and len(others) == 1 else segment.addressee,
    )
    topic = chinese.Topic()  # not the speaker: 他 is someone else; 我 is handled as the speaker
    if part.answered:
        statement, quoted = part.answered
        analysis = english.analyse(statement, context)
        context = _with_topics(context, analysis, speaker)
        analysis.text = quoted
        yield analysis, context
    for sentence, written in zip(part.sentences, part.written):
        if part.chinese:
            analysis, topic = chinese.analyse(sentence, speaker=speaker, topic=topic)
        else:
            analysis = english.analyse(sentence, context)
            context = _with_topics(context, analysis, speaker)
            analysis.text = written
        if speaker:  # "I joined Acme" means nothing without who said it
            analysis.text = f"{speaker}: {analysis.text}"
        yield analysis, context


def _signature(segment: Segment) -> SentenceAnalysis:
    author, organisation = segment.author or "", segment.affiliation or ""
    post = segment.text.rpartition(",")[0].strip()
    return SentenceAnalysis(
        f"{author}: {segment.text}",
        [Mention(author, "Person", FORMAT), Mention(organisation, "Organization", CONTEXT)],
        [Link(author, organisation, "WORKS_AT", None, {"role": post} if post else {})],
    )


def _with_topics(
    context: english.EnglishContext, analysis: SentenceAnalysis, speaker: str | None
) -> english.EnglishContext:
    """The person, organisation and place the next sentence's "he", "she", "the company" or "there" stand for."""
    spoken_to = english.addressed_names(analysis.text)
    # "Sophie Martin lives in Paris. Her brother ...": a name of unknown kind that lives somewhere is a person.
    acting = wanted_as("Person", analysis.links, source=True)
    people = [
        m.name
        for m in analysis.mentions
        if (m.type == "Person" or (m.type == GENERIC_TYPE and m.name in acting))
        and m.name != speaker
        and m.name not in spoken_to
    ]
    # "started volunteering at the Riverside Animal Shelter. The manager, ...": what is worked at is one.
    employing = wanted_as("Organization", analysis.links)
    organization = next(
        (
            m.name
            for m in analysis.mentions
            if m.type == "Organization" or (m.type == GENERIC_TYPE and m.name in employing)
        ),
        None,
    )
    places = [m.name for m in analysis.mentions if m.type == "Location"]
    # "He quit Goldman and is joining Ines Moreau. He and his wife ...": a sentence whose subject is "he"
    # or "she" keeps the person it stands for as the topic.
    first = analysis.text.split(maxsplit=1)[0].lower() if analysis.text.strip() else ""
    if context.person and first in lx.PERSON_PRONOUNS:
        people = [context.person, *people]
    return replace(
        context,
        person=people[0] if people else context.person,
        organization=organization or context.organization,
        place=places[-1] if places else context.place,
        people=tuple(dict.fromkeys(people)) if len(set(people)) > 1 else context.people,
    )


def _cjk_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf") / len(letters)


# --- assembling ----------------------------------------------------------------------


@dataclass
class _Entity:
    name: str
    type: str
    strength: int
    attributes: dict[str, Any]
    summary: str


def _assemble(analyses: list[SentenceAnalysis], schema: SchemaSpec) -> Extraction:
    entities = _entities(analyses)
    aliases = _aliases(entities)
    for alias, full in aliases.items():
        short = entities.pop(alias)
        for key, value in short.attributes.items():
            entities[full].attributes.setdefault(key, value)
        if entities[full].type == GENERIC_TYPE and short.strength > LISTED:
            entities[full].type = short.type  # "Halden's chief executive": Halden Stores is an organisation
    relationships = _relationships(analyses, aliases, set(entities))
    # A type only the large lists gave yields to what the name's relations imply ("studied at Columbia").
    listed = {e.name: e.type for e in entities.values() if e.strength == LISTED}
    relationships, types = _typed(
        relationships, {e.name: GENERIC_TYPE if e.name in listed else e.type for e in entities.values()}
    )
    for entity in entities.values():
        implied = types[entity.name]
        entity.type = listed.get(entity.name, implied) if implied == GENERIC_TYPE else implied
    return Extraction(
        entities=[
            ExtractedEntity(e.name, schema.spell_type(e.type), e.attributes, e.summary) for e in entities.values()
        ],
        relationships=[replace(r, name=schema.spell_edge(r.name)) for r in relationships],
    )


def _entities(analyses: list[SentenceAnalysis]) -> dict[str, _Entity]:
    """One entity per name; the strongest evidence of its type wins, the first on a tie."""
    entities: dict[str, _Entity] = {}
    for analysis in analyses:
        for mention in analysis.mentions:
            if not mention.name.strip():
                continue
            entity = entities.get(mention.name)
            if entity is None:
                summary = analysis.text[:_SUMMARY_CHARS]
                entities[mention.name] = _Entity(
                    mention.name, mention.type, mention.strength, dict(mention.attributes), summary
                )
                continue
            if mention.strength > entity.strength:
                entity.type, entity.strength = mention.type, mention.strength
            for key, value in mention.attributes.items():
                entity.attributes.setdefault(key, value)
    return entities


def _aliases(entities: dict[str, _Entity]) -> dict[str, str]:
    """Short forms of a longer name in the same text: "Chen" or "Alice" for Alice Chen, "Acme" for Acme Corp.

    Only when exactly one longer name fits, and only for short forms whose own
    type is weakly established.
    """
    candidates: dict[str, set[str]] = defaultdict(set)
    for entity in entities.values():
        words = entity.name.split()
        if len(words) < 2:
            continue
        if entity.type == "Person":
            candidates[words[0]].add(entity.name)
            candidates[words[-1]].add(entity.name)
        elif entity.type in ("Organization", GENERIC_TYPE):
            candidates[words[0]].add(entity.name)
    aliases = {}
    for short, fulls in candidates.items():
        entity = entities.get(short)
        if entity is None or len(fulls) != 1 or entity.strength >= GAZETTEER:
            continue
        full = next(iter(fulls))
        # "Halden" for Halden Stores, though a town of that name is on the large list
        weak = entity.type == GENERIC_TYPE or entity.strength == LISTED
        if weak or entity.type == entities[full].type or entities[full].type == "Organization":
            aliases[short] = full
    return aliases


def _relationships(
    analyses: list[SentenceAnalysis], aliases: dict[str, str], known: set[str]
) -> list[ExtractedRelationship]:
    found: dict[tuple[str, str, str], ExtractedRelationship] = {}
    for analysis in analyses:
        for link in analysis.links:
            relationship = _relationship(link, analysis.text, aliases)
            key = (relationship.source, relationship.name, relationship.target)
            if relationship.source == relationship.target or not {relationship.source, relationship.target} <= known:
                continue
            found.setdefault(key, relationship)  # the first statement of a fact is its fact
    return list(found.values())


def _typed(
    relationships: list[ExtractedRelationship], types: dict[str, str]
) -> tuple[list[ExtractedRelationship], dict[str, str]]:
    """Relations spelled one way, names of unknown kind typed by their relations, and misfits dropped.

    "lived in" is LIVES_IN; whoever someone works at is an organisation; a
    person "located in" a city lives there; an edge whose ends cannot be what
    the relation joins (a city that works at a company) was misread.
    """
    named = [replace(r, name=canonical_edge(r.name)) for r in relationships]
    types = typed_by_relationships(types, [(r.source, r.name, r.target) for r in named])
    kept: dict[tuple[str, str, str], ExtractedRelationship] = {}
    for relationship in named:
        if relationship.name == "LOCATED_IN" and types[relationship.source] == "Person":
            relationship = replace(relationship, name="LIVES_IN")
        if relationship.name == "LEFT" and types[relationship.source] in ("Person", GENERIC_TYPE):
            # "left Zendesk": a past employer; "left Berlin": a former home.
            left = {"Organization": "WORKED_AT", "Location": "MOVED_FROM"}.get(types[relationship.target])
            relationship = replace(relationship, name=left) if left else relationship
        if relationship.name in ("LEADS", "MANAGES") and types[relationship.target] == "Location":
            # "runs a little studio in Tokyo", "manages the berlin team": someone who leads work in a place
            # works there; a place is led by no one here.
            relationship = replace(relationship, name="WORKS_IN")
        if relationship.name == "HIRED" and types[relationship.target] in ("Person", GENERIC_TYPE):
            # "Acme hired Lena", "was hired by Samsung": what a reader notes is where the person works.
            relationship = replace(
                relationship, source=relationship.target, name="WORKS_AT", target=relationship.source
            )
        if fits(relationship.name, types[relationship.source], types[relationship.target]):
            kept.setdefault((relationship.source, relationship.name, relationship.target), relationship)
    return list(kept.values()), types


def _relationship(link: Link, sentence: str, aliases: dict[str, str]) -> ExtractedRelationship:
    return ExtractedRelationship(
        source=aliases.get(link.source, link.source),
        target=aliases.get(link.target, link.target),
        name=link.name,
        fact=sentence,
        valid_at=link.valid_at,
        attributes=dict(link.attributes),
    )
