"""The words between two English names -> an edge name such as WORKS_AT.

There is no parser here, only patterns that hold in plain factual prose:
"<verb> [<words>] [<preposition>]", "is/was <role> at|of", passive "was <verb> by".
Anything else (negations, long gaps, no verb) gives no edge: a missing edge
costs less than a wrong one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from apps.graph.extraction.naming import upper_snake
from apps.graph.extraction.offline.lexicon import (
    ADVERBS,
    AUXILIARIES,
    COORDINATORS,
    COPULAS,
    DETERMINERS,
    IRREGULAR_VERBS,
    NEGATIONS,
    PREPOSITIONS,
    RELATIVE_PRONOUNS,
    VERB_EDGES,
)

# More words than this between the verb and the second name: the verb probably
# belongs to something else.
_MAX_PHRASE_WORDS = 5
_BREAKING_PUNCTUATION = frozenset(';:()[]{}"“”')
# "works for Acme" states the same fact as "works at Acme".
_PREPOSITION_ALIASES = {"WORKS": {"for": "at"}}


@dataclass(frozen=True)
class EdgeGuess:
    name: str
    reverse: bool = False  # passive voice: the second name is the subject
    new_clause: bool = False  # "... and moved to X": the sentence's subject moved, not the previous name
    opens_aside: bool = False  # ", who founded X," / ", CEO of X,": an aside about the previous name
    attributes: dict[str, Any] = field(default_factory=dict, hash=False)


def edge_between(words: list[str], *, source_type: str, target_type: str) -> EdgeGuess | None:
    """`words`: the lower-cased tokens between two names, dates and numbers removed."""
    if not words or any(w in NEGATIONS or w.endswith("n't") for w in words):
        return None
    if any(w in _BREAKING_PUNCTUATION for w in words):
        return None
    starts_aside = words[0] == ","
    words = _drop_leading_commas(words)
    relative = bool(words) and words[0] in RELATIVE_PRONOUNS
    if relative:
        words = words[1:]
    words, new_clause = _after_last_coordinator(words)
    phrase, had_copula = _content_words(words)
    if not phrase:
        return None
    guess = _verb_edge(phrase, had_copula) or _role_edge(phrase, had_copula or starts_aside, source_type, target_type)
    if guess is None:
        return None
    return EdgeGuess(
        name=guess.name,
        reverse=guess.reverse,
        new_clause=new_clause,
        opens_aside=starts_aside and (relative or not new_clause),
        attributes=guess.attributes,
    )


def looks_like_verb(word: str) -> bool:
    return word in VERB_EDGES or word in IRREGULAR_VERBS or (len(word) > 4 and word.endswith("ed"))


def _drop_leading_commas(words: list[str]) -> list[str]:
    index = 0
    while index < len(words) and words[index] == ",":
        index += 1
    return words[index:]


def _after_last_coordinator(words: list[str]) -> tuple[list[str], bool]:
    """Keep the last coordinated predicate: "in and later moved to" -> "later moved to"."""
    for index in range(len(words) - 1, -1, -1):
        if (words[index] in COORDINATORS or words[index] == ",") and any(
            looks_like_verb(w) for w in words[index + 1 :]
        ):
            return words[index + 1 :], True
    return words, False


def _content_words(words: list[str]) -> tuple[list[str], bool]:
    """Drop auxiliaries, determiners, adverbs and punctuation; report whether a copula was among them."""
    had_copula = any(w in COPULAS for w in words)
    kept = [
        w
        for w in words
        if w not in AUXILIARIES
        and w not in COPULAS
        and w not in DETERMINERS
        and w not in ADVERBS
        and not (len(w) > 4 and w.endswith("ly"))
        and re.search(r"\w", w)
    ]
    return kept, had_copula


def _verb_edge(phrase: list[str], had_copula: bool) -> EdgeGuess | None:
    verb = phrase[0]
    if not looks_like_verb(verb) or len(phrase) > _MAX_PHRASE_WORDS:
        return None
    if had_copula and len(phrase) >= 2 and phrase[-1] == "by":  # "was founded by"
        return EdgeGuess(name=_edge_name(verb, None), reverse=True)
    preposition = phrase[-1] if len(phrase) > 1 and phrase[-1] in PREPOSITIONS else None
    return EdgeGuess(name=_edge_name(verb, preposition))


def _role_edge(phrase: list[str], introduced: bool, source_type: str, target_type: str) -> EdgeGuess | None:
    """ "is an engineer at X" -> WORKS_AT (role: engineer); ", CEO of X" -> CEO_OF; "in X" -> LOCATED_IN."""
    # "Acme Corp in Berlin" places Acme; "met Tom in London" places the meeting, not Tom.
    if phrase in (["in"], ["at"]) and target_type == "Location" and source_type != "Person":
        return EdgeGuess(name="LOCATED_IN")
    role, last = phrase[:-1], phrase[-1]
    if not introduced or not 1 <= len(role) <= 3:
        return None
    if last in ("at", "for") and target_type != "Location":
        return EdgeGuess(name="WORKS_AT", attributes={"role": " ".join(role)})
    if last == "of":
        return EdgeGuess(name=upper_snake(" ".join(role)) + "_OF")
    return None


def _edge_name(verb: str, preposition: str | None) -> str:
    base, fixed = VERB_EDGES.get(verb, (upper_snake(verb), False))
    if fixed or preposition is None:
        return base
    preposition = _PREPOSITION_ALIASES.get(base, {}).get(preposition, preposition)
    return f"{base}_{upper_snake(preposition)}"
