"""English words that refer to names (he, she, the company, "I" in a chat) and facts fixed by form, not verb.

A pronoun stands for the last person named, "the company" for the last
organisation: memories are short and mostly about one or two subjects, so
this simple rule is right far more often than it is wrong, and a fact left
with no subject is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from apps.graph.extraction.naming import canonical_edge, upper_snake
from apps.graph.extraction.offline import lexicon as lx
from apps.graph.extraction.offline.analysis import CONTEXT, FORMAT, UNKNOWN, Link
from apps.graph.extraction.offline.english_words import Token
from apps.graph.extraction.types import GENERIC_TYPE

_BASED = re.compile(r"^(?P<place>[A-Z][\w]*(?:-[A-Z][\w]*)*)-(?:based|headquartered)$")
_QUOTES = frozenset('"“”')
# In a chat these stand for the speaker ("we moved to Dubai": the speaker moved).
_FIRST_PERSON = frozenset(
    {"I", "i", "I'm", "i'm", "im", "I've", "i've", "ive", "I'd", "i'd", "I'll", "i'll"}
    | {"We", "we", "We're", "we're", "We've", "we've"}
)


@dataclass
class Span:
    first: int  # token indices, end exclusive
    end: int
    name: str
    type: str
    strength: int
    attributes: dict[str, Any] = field(default_factory=dict)
    reference: bool = False  # a pronoun or "the company" standing for a name already known
    modifier: bool = False  # "Berlin" in "Berlin-based Acme": describes the next name, takes no part in clauses


def is_based(token: Token) -> bool:
    """ "Berlin-based": a place fused with a word; it locates the name that follows."""
    return bool(_BASED.match(token.text))


def references(tokens: list[Token], context: Any, named: list[Span]) -> list[Span]:
    """Spans for the words that stand for a known name, and for "Berlin" in "Berlin-based"."""
    taken = {i for span in named for i in range(span.first, span.end)}
    spans: list[Span] = []
    for index, token in enumerate(tokens):
        if index in taken:
            continue
        lower = token.lower
        if match := _BASED.match(token.text):
            spans.append(Span(index, index + 1, match.group("place"), "Location", CONTEXT, modifier=True))
        elif context.speaker and index == 0 and _starts_without_subject(tokens):
            # "Took a trip to Rome last week": a chat turn's subject-less sentence is the speaker's.
            spans.append(Span(0, 0, context.speaker, "Person", FORMAT, reference=True))
            if token.text in _FIRST_PERSON:
                spans.append(Span(index, index + 1, context.speaker, "Person", FORMAT, reference=True))
        elif context.speaker and (
            token.text in _FIRST_PERSON
            or _my_job(tokens, index)
            or _guess_who(tokens, index)
            or (lower == "me" and index > 0 and tokens[index - 1].lower == "to")  # "he'll report to me"
        ):
            spans.append(Span(index, index + 1, context.speaker, "Person", FORMAT, reference=True))
        elif (
            lower == "there"
            and index > 0
            and tokens[index - 1].lower in lx.THERE_VERBS
            and (place := _there(named, index, context))
        ):
            spans.append(Span(index, index + 1, place, "Location", UNKNOWN, reference=True))
        elif lower == "they" and context.people:
            spans += [Span(index, index + 1, name, "Person", UNKNOWN, reference=True) for name in context.people]
        elif lower in lx.PERSON_PRONOUNS and context.person:
            spans.append(Span(index, index + 1, context.person, "Person", UNKNOWN, reference=True))
        elif (end := _organization_reference(tokens, index)) and not _appositive(tokens, index, end, named):
            # The last organisation named before it, in this sentence or an earlier one
            # (a name of unknown kind that "the retail chain" stands for is an organisation).
            earlier = [
                s
                for s in named
                if s.end <= index and s.type in ("Organization", "Entity") and not _after_a_post(tokens, s)
            ]
            if earlier:
                at_least_organization(earlier[-1:])
            organization = earlier[-1].name if earlier else context.organization
            if organization:
                spans.append(Span(index, end, organization, "Organization", UNKNOWN, reference=True))
    return spans


def _after_a_post(tokens: list[Token], span: Span) -> bool:
    """ "co-founder Mette Holm": a name right after a post is a person's, whatever else it could be."""
    return span.type == "Entity" and span.first > 0 and tokens[span.first - 1].lower in lx.PERSON_POSTS


def _there(named: list[Span], index: int, context: Any) -> str | None:
    """ "dublin office, i'm moving there": the place named last, in this sentence or an earlier one."""
    earlier = [s.name for s in named if s.end <= index and s.type == "Location"]
    return earlier[-1] if earlier else context.place


def _starts_without_subject(tokens: list[Token]) -> bool:
    words = [t.lower for t in tokens if t.kind != "punct"]
    while words and words[0] in lx.INTERJECTIONS:
        words = words[1:]
    first = words[0] if words else ""
    return (
        first in lx.VERB_EDGES
        or first in lx.IRREGULAR_VERBS
        or first in ("took", "been", "just", "got", "working", "started", "starting", "finally", "back", "flew", "came")
        or (len(first) > 4 and first.endswith("ed"))  # "signed on friday, starting at monzo"
    )


def _guess_who(tokens: list[Token], index: int) -> bool:
    """ "guess who just got a job at airbnb": the speaker, telling news ("guess who i met" asks of someone else)."""
    after = tokens[index + 1].lower if index + 1 < len(tokens) else ""
    return (
        tokens[index].lower == "who"
        and index > 0
        and tokens[index - 1].lower == "guess"
        and after not in ("i", "i've", "we", "you", "he", "she", "they")
    )


def _my_job(tokens: list[Token], index: int) -> bool:
    """ "my manager at deloitte": the speaker works there."""
    return tokens[index].lower == "my" and index + 1 < len(tokens) and tokens[index + 1].lower in lx.JOB_WORDS


def _appositive(tokens: list[Token], first: int, end: int, named: list[Span]) -> bool:
    """ "the snack maker Crunchy Co", "Orbital Systems, the satellite maker": it describes a name, not refers."""
    starts = {span.first for span in named}
    ends = {span.end for span in named}
    return end in starts or (first > 0 and tokens[first - 1].text == "," and first - 1 in ends)


def _organization_reference(tokens: list[Token], index: int) -> int:
    """Where "the company" / "the hospital chain" / a sentence-opening "It" ends; 0 if none starts here."""
    word = tokens[index].lower
    if word == "the":
        # "the company", "the hospital chain": a lower-case modifier or two, then the noun.
        for end in range(index + 1, min(index + 4, len(tokens))):
            if tokens[end].lower in lx.ORGANIZATION_REFERENCES:
                return end + 1
            if tokens[end].kind != "word" or tokens[end].text != tokens[end].lower:
                return 0
        return 0
    # "It"/"Its" opening a sentence after one about a company; elsewhere too often a thing.
    return index + 1 if word in ("it", "its") and index == 0 else 0


def based_in_links(tokens: list[Token], spans: list[Span]) -> list[Link]:
    """ "Berlin-based Solaris Bank": the next name is located in Berlin."""
    links = []
    for place, following in zip(spans, spans[1:]):
        if place.modifier and not following.reference and following.type != "Location":
            links.append(Link(following.name, place.name, "LOCATED_IN"))
    return links


def kin_links(tokens: list[Token], spans: list[Span], context: Any) -> list[Link]:
    """ "my sister Beth", "with her husband, Erik", "Alice's son Tom", "my home country, Sweden".

    The possessor is the speaker for "my"/"our" in a chat, the person named
    last before the phrase (or in an earlier sentence) for "his"/"her", the
    name itself for "Alice's".
    """
    links = []
    for span in spans:
        if span.reference or span.modifier:
            continue
        at = span.first - 1
        if at >= 2 and tokens[at].lower in lx.PERSON_NOUNS and tokens[at - 1].lower in ("the", "a", "an"):
            at -= 2  # "her husband, the architect Daniel Reyes"
        if at >= 0 and tokens[at].text == ",":
            at -= 1
        if at < 1:
            continue
        relation = lx.KIN_WORDS.get(tokens[at].lower)
        if (
            relation is None
            and context.speaker
            and tokens[at - 1].lower in ("my", "our", "your", "his", "her", "their")
        ):
            relation = lx.CHAT_KIN_WORDS.get(tokens[at].lower)  # "her bf luca", "my buddy Kenji"
        if relation is None:
            continue
        if span.type not in (lx.KIN_TARGET_TYPES[relation], "Entity"):
            continue
        owner_at = at - 1
        while owner_at >= 0 and tokens[owner_at].lower in lx.KIN_MODIFIERS:
            owner_at -= 1
        owner = _possessor(tokens, owner_at, spans, span, context)
        if owner is None or owner == span.name:
            continue
        if lx.KIN_TARGET_TYPES[relation] == "Person":
            span.type, span.strength = "Person", max(span.strength, CONTEXT)
        reverse = relation.startswith("~")  # "my mother X": X is the parent
        name = relation.lstrip("~")
        links.append(Link(span.name, owner, name) if reverse else Link(owner, span.name, name))
    return links


def _possessor(tokens: list[Token], at: int, spans: list[Span], kin: Span, context: Any) -> str | None:
    if at < 0:
        return None
    word = tokens[at].lower
    if word in ("my", "our"):
        return context.speaker
    if word == "your":
        return context.addressee
    if word in ("his", "her"):
        before = [s for s in spans if s.end <= at and s.type in ("Person", "Entity") and s is not kin]
        if not before:
            return context.person
        if before[-1].strength < CONTEXT:  # "Tariq Aziz lives ... with his wife": Tariq is a person
            before[-1].type, before[-1].strength = "Person", CONTEXT
        return before[-1].name
    if tokens[at].possessive:
        owner = next((s for s in spans if s.end == at + 1 and not s.reference), None)
        return owner.name if owner is not None and owner.type in ("Person", "Entity") else None
    return None


def clause_links(groups: list[list[Span]], tokens: list[Token], edge_between: Any) -> list[Link]:
    """An opening phrase is about the subject after its comma.

    "Born in Manchester, he ...", "A native of Manila, he ...", "After studying law at X, she joined ...",
    "Before joining Stripe as head of risk, Lena ...", "Based in Leeds, Northwind ...",
    "Founded in 1998 by X, Halvor ...". The subject may come with a description ("Born in Kraków,
    the physicist Jan Nowak ...").
    """
    if len(groups) < 2 or len(tokens) < 3:
        return []
    words = [t.lower for t in tokens[: groups[0][0].first] if not t.in_date and t.kind != "number"]
    between = [t.lower for t in tokens[groups[0][-1].end : groups[1][0].first]]
    if not _closed_opening(between):
        return []
    subjects, things = groups[1], groups[0]
    kind = subjects[0].type
    if (edge := _OPENING_EDGES.get(tuple(words))) and kind in _OPENING_SUBJECTS[edge]:
        return [Link(subject.name, thing.name, edge) for subject in subjects for thing in things]
    if len(words) >= 2 and words[-1] == "by" and words[0] in ("founded", "started") and kind != "Person":
        return [Link(agent.name, subject.name, "FOUNDED") for subject in subjects for agent in things]
    if kind not in ("Person", GENERIC_TYPE):
        return []
    if words in (["a", "native", "of"], ["native", "of"], ["originally", "from"]):
        return [Link(subject.name, thing.name, "COMES_FROM") for subject in subjects for thing in things]
    if not words or words[0] not in ("after", "before", "while", "since", "having"):
        return []
    guess = edge_between(words[1:], source_type="Person", target_type=things[0].type)
    if guess is None or guess.reverse:
        return []
    return [Link(subject.name, thing.name, guess.name) for subject in subjects for thing in things]


def subject_after_opening(groups: list[list[Span]], tokens: list[Token]) -> list[Span] | None:
    """ "In 2009, after a year in Warsaw, Jan ...", "Born in Kraków, the physicist Jan Nowak ...": when the
    sentence opens with a phrase about its first name, the subject is the name after the phrase's comma."""
    if len(groups) < 2 or groups[1][0].type not in ("Person", "Organization", GENERIC_TYPE):
        return None
    return groups[1] if _closed_opening([t.lower for t in tokens[groups[0][-1].end : groups[1][0].first]]) else None


# "Born in X, ...": the relation of the subject after the comma to X, and what kind of subject it needs.
_OPENING_EDGES = {
    ("born", "in"): "BORN_IN",
    ("raised", "in"): "LIVES_IN",
    ("based", "in"): "LOCATED_IN",
    ("headquartered", "in"): "HEADQUARTERED_IN",
}
_PEOPLE, _ORGANISATIONS = frozenset({"Person", GENERIC_TYPE}), frozenset({"Organization", GENERIC_TYPE})
_OPENING_SUBJECTS = {
    "BORN_IN": _PEOPLE,
    "LIVES_IN": _PEOPLE,
    "LOCATED_IN": _ORGANISATIONS,
    "HEADQUARTERED_IN": _ORGANISATIONS,
}


def _closed_opening(between: list[str]) -> bool:
    """ "as head of risk, " or ", the physicist ": the rest of an opening phrase and the comma that closes
    it, or the comma and a description of the subject (a determiner and up to three words, none a verb)."""
    if not between or any(w in lx.VERB_EDGES for w in between):
        return False
    if between[-1] == ",":
        return len(between) <= 6
    description = between[1:]
    return (
        between[0] == ","
        and description[0] in ("the", "a", "an")
        and len(description) <= 4
        and all(w.isalpha() and w not in lx.COPULAS for w in description)
    )


def appointed(between: list[Token], tokens: list[Token], current: list[Span]) -> str | None:
    """ "Acme named Hiroshi Tanaka as its new president": the post, if the verb gives one."""
    if not any(t.lower in lx.APPOINTING_VERBS for t in between):
        return None
    after = [t.lower for t in tokens[current[-1].end : current[-1].end + 6]]
    if not after or after[0] != "as":
        return None
    title = [w for w in after[1:] if w not in ("its", "their", "the", "a", "an", "new")]
    words = []
    for word in title:
        if word not in lx.TITLE_WORDS:
            break
        words.append(word)
    return " ".join(words) or None


def unverbed_links(
    previous: list[Span], current: list[Span], between: list[Token], subject: list[Span] | None, links: list[Link]
) -> list[Link]:
    """Facts stated without a verb: "Jane Doe (Acme)", "with her husband, Sean", "from Prague to Chicago",
    "joined Acme from Globex"."""
    words = [t.lower for t in between]
    if words == ["("] and all(s.type == "Person" for s in previous) and current[0].type not in ("Person", "Location"):
        at_least_organization(current)
        return [Link(a.name, b.name, "WORKS_AT") for a in previous for b in current]
    title = [w for w in words if w != ","]
    if (
        words[-1:] == [","]
        and title
        and all(w in lx.TITLE_WORDS for w in title)
        and current[0].type in ("Person", GENERIC_TYPE)
    ):
        # "Its chief executive, Claire Dubois": Claire is the chief executive of what "its" stands for.
        name = canonical_edge(upper_snake(" ".join(title)) + "_OF")
        return [Link(b.name, a.name, name) for a in previous for b in current if a.type != "Person"]
    if words[-1:] == [","] and any(w in lx.SPOUSE_WORDS for w in words) and "of" not in words:
        spouse_of = subject if subject is not None and subject[0].type == "Person" else previous
        return [Link(a.name, b.name, "MARRIED_TO") for a in spouse_of for b in current if a.name != b.name]
    if (
        [w for w in words if w not in _QUOTES] == ["by"]
        and words[0] in _QUOTES
        and current[0].type in ("Person", "Entity")
    ):
        # '"Becoming Nicole" by Amy Ellis Nutt': a work and who made it.
        for span in previous:
            if span.strength < CONTEXT and span.type == "Entity":
                span.type, span.strength = "Product", CONTEXT
        return [Link(b.name, a.name, "WROTE") for a in previous for b in current if a.type == "Product"]
    if words == ["to"]:
        moved = [link for link in links if link.name == "MOVED_FROM" and link.target == previous[-1].name]
        return [Link(link.source, b.name, "MOVED_TO", link.valid_at) for link in moved for b in current]
    if words == ["at"] and previous[-1].type == "Location" and current[0].type not in ("Person", "Location"):
        # "works in Zurich at Google": where the work is.
        working = [link for link in links if link.name == "WORKS_IN" and link.target == previous[-1].name]
        if working:
            at_least_organization(current)
        return [Link(link.source, b.name, "WORKS_AT") for link in working for b in current]
    if words == ["from"] and current[0].type not in ("Person", "Location"):
        # "joined Fabrik Labs from IDEO": where they worked before.
        joined = [link for link in links if link.name in ("JOINED", "WORKS_AT") and link.target == previous[-1].name]
        if joined:
            at_least_organization(current)
        return [Link(link.source, b.name, "WORKED_AT") for link in joined for b in current]
    return []


def at_least_organization(group: list[Span]) -> None:
    """Whoever has a CEO, or employs someone, is an organisation unless better known."""
    for span in group:
        if span.strength < CONTEXT:
            span.type, span.strength = "Organization", CONTEXT


def passive_over_place(groups: list[list[Span]], tokens: list[Token]) -> list[Link]:
    """ "Vigil Labs was founded in Kraków in 2018 by Marta Nowak": the place between the verb and its
    "by" places the thing; the names after "by" did what the verb says to it."""
    links: list[Link] = []
    for thing, place, agents in zip(groups, groups[1:], groups[2:]):
        before = [t.lower for t in tokens[thing[-1].end : place[0].first]]
        after = [t.lower for t in tokens[place[-1].end : agents[0].first] if not t.in_date and t.kind != "number"]
        if place[0].type != "Location" or after not in (["by"], ["in", "by"], ["on", "by"]):
            continue
        if len(before) != 3 or before[0] not in lx.COPULAS or before[2] not in ("in", "at"):
            continue
        name = canonical_edge(lx.VERB_EDGES.get(before[1], ("", False))[0])
        if name not in ("FOUNDED", "ACQUIRED"):  # what a company has done to it by someone, and where
            continue
        links += [Link(a.name, t.name, name) for a in agents for t in thing]
        links += [Link(t.name, p.name, "LOCATED_IN") for t in thing for p in place if t.type != "Person"]
    return links
