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
    IRREGULAR_PARTICIPLES,
    IRREGULAR_VERBS,
    JOB_WORDS,
    MONTHS,
    NEGATIONS,
    ORGANIZATION_REFERENCES,
    PERSON_NOUNS,
    PREPOSITIONS,
    RELATIVE_PRONOUNS,
    REPORTING_VERBS,
    TITLE_WORDS,
    TRAVEL_WORDS,
    VERB_EDGES,
    WEEKDAYS,
)

# More words than this between the verb and the second name: the verb probably
# belongs to something else.
_MAX_PHRASE_WORDS = 5
_BREAKING_PUNCTUATION = frozenset(';:()[]{}"“”')
_OPENING_QUOTES = frozenset('"“')
_READING = frozenset("read reading reads".split())
# "works for Acme" states the same fact as "works at Acme".
_PREPOSITION_ALIASES = {"WORKS": {"for": "at"}, "WORKED": {"for": "at"}}
_PAST = {"work": "worked", "live": "lived"}  # "used to work for" -> "worked for"
_PARTICLES = frozenset({"up"})  # "grew up in" is GREW_UP_IN, not GREW_IN
_STUDY_WORDS = frozenset("masters master's phd doctorate degree bachelors bachelor's mba undergrad studies".split())
_SUBJECT_PRONOUNS = frozenset({"it", "he", "she", "they", "we"})
# "trained at X before moving to Y": the subject of the first verb moved.
_SUBORDINATORS = frozenset({"before", "after", "while", "then"})
_FLYING = frozenset("fly flies flew flying".split())
_GETTING = frozenset("get gets got getting".split())
# Words saying when something was said: "said on Tuesday that", "announced last week that".
_WHEN_WORDS = (
    WEEKDAYS | frozenset(MONTHS) | frozenset("on in last this week month year today yesterday earlier".split())
)
# Verbs that say nothing of a relation with more words after them: "Maria got back from visiting my sister Sofia".
_LIGHT_VERBS = _GETTING | frozenset("do does did doing".split())
# A name of unknown kind where a place is meant takes the type from the relation ("made it to batumi").
_PLACE = frozenset({"Location", "Entity"})


@dataclass(frozen=True)
class EdgeGuess:
    name: str
    reverse: bool = False  # passive voice: the second name is the subject
    new_clause: bool = False  # "... and moved to X": the sentence's subject moved, not the previous name
    opens_aside: bool = False  # ", who founded X," / ", CEO of X,": an aside about the previous name
    attributes: dict[str, Any] = field(default_factory=dict, hash=False)


def edge_between(words: list[str], *, source_type: str, target_type: str, travel: bool = False) -> EdgeGuess | None:
    """`words`: the lower-cased tokens between two names, dates and numbers removed.

    `travel`: the sentence is about a trip, so "took this pic in X" is a visit.
    """
    if not words or any(w in NEGATIONS or w.endswith("n't") for w in words):
        return None
    if words[-2:-1] and words[-2] in _OPENING_QUOTES and words[-1] == "the":
        words = words[:-1]  # 'reading "The Lean Startup"': "The" is no part of the name
    while words and words[-1] in _OPENING_QUOTES:
        words = words[:-1]  # the title's own quotes
    if not words or any(w in _BREAKING_PUNCTUATION for w in words):
        return None
    if words[-1] in _READING:
        return EdgeGuess(name="READ")  # "loved reading", "i'm currently reading"
    starts_aside = words[0] == ","
    words = _drop_leading_commas(words)
    if words[:1] == ["where"] and words[1:2] and words[1] in _SUBJECT_PRONOUNS - {"it"}:
        words, starts_aside = [",", "and", *words[2:]], False  # "Stripe, where she reports to X": she reports
    relative = bool(words) and words[0] in RELATIVE_PRONOUNS
    if relative:
        words = words[1:]
    # "Acme, based in Leeds, said that it had named X": the aside is closed, and what is said is the subject's.
    reported = starts_aside and not relative and words[:1] != [] and words[0] in REPORTING_VERBS
    words = _after_reporting_verb(words)
    if words and words[0] in REPORTING_VERBS and words[1:2] != ["to"]:
        return None  # "Acme announced that Alice ...": announcing is no relation between them; "reports to" is one
    words, new_clause = _after_last_coordinator(words)
    # "i left amazon, joined a startup called tinybird": a verb and its object after the comma go on
    # with the sentence's subject; ", founded by X" or ", acquired in 2019" are about the name before.
    new_clause = new_clause or (
        starts_aside and not relative and len(words) > 2 and looks_like_verb(words[0]) and words[1] in DETERMINERS
    )
    words, purpose = _after_purpose(words, after_place=source_type == "Location")
    new_clause = new_clause or purpose or reported
    phrase, had_copula = _content_words(_without_description(words))
    if not phrase:
        return None
    guess = (
        _special_edge(phrase, had_copula, source_type, target_type, travel and source_type != "Location")
        or _verb_edge(phrase, had_copula)
        or _role_edge(phrase, had_copula or starts_aside, source_type, target_type)
        or (_verb_edge(_from_first_verb(phrase), had_copula) if starts_aside else None)
    )
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
    if "-" in word and word not in VERB_EDGES:
        return False  # "plant-based", "family-owned": an adjective
    return word in VERB_EDGES or word in IRREGULAR_VERBS or (len(word) > 4 and word.endswith("ed"))


def _after_reporting_verb(words: list[str]) -> list[str]:
    """ "said it had bought", "said on Tuesday that it had named" -> "had bought", "had named": the reported
    clause states the fact, its subject is the name before."""
    for index, word in enumerate(words[:-1]):
        if word in REPORTING_VERBS:
            rest = words[index + 1 :]
            when = rest.index("that") if "that" in rest[:4] else 0
            if all(w in _WHEN_WORDS for w in rest[:when]):  # "said on Tuesday that"
                rest = rest[when:]
            if rest and rest[0] == "that":
                rest = rest[1:]
            if rest and rest[0] in _SUBJECT_PRONOUNS:
                return rest[1:]
    return words


def _after_purpose(words: list[str], after_place: bool) -> tuple[list[str], bool]:
    """ "moved to Seattle in 2015 to work at Amazon": the infinitive's subject is the sentence's.

    Right after a name, "to" opens a purpose only after a place ("Geneva to work at"): after a person
    it is what the person will do ("Alice to join Acme").
    """
    for index in range(len(words) - 1):
        opens = index > 0 or after_place
        if words[index] == "to" and opens and words[index - 1 : index] != ["used"] and words[index + 1] in VERB_EDGES:
            return words[index + 1 :], True
    return words, False


def _from_first_verb(phrase: list[str]) -> list[str]:
    """ ", the satellite maker owned by X": the phrase from its first verb, if a short noun phrase precedes it."""
    index = next((i for i, w in enumerate(phrase) if looks_like_verb(w)), None)
    return phrase[index:] if index is not None and index <= 3 else []


def _special_edge(
    phrase: list[str], had_copula: bool, source_type: str, target_type: str, travel: bool
) -> EdgeGuess | None:
    """Phrases whose verb alone would mislead: "joined us from X", "raised $5m from X", "a trip to X"."""
    last = phrase[-1]
    if last == "of" and any(w in ("acquisition", "purchase", "takeover") for w in phrase):
        return EdgeGuess(name="ACQUIRED")  # "completed its acquisition of X"
    if phrase[:2] == ["set", "up"] and last == "by":
        return EdgeGuess(name="FOUNDED", reverse=True)  # "a start-up set up in 2019 by X"
    if phrase[0] in ("joined", "joins", "joining") and last == "from":
        return EdgeGuess(name="WORKS_AT")  # the employer they came from
    if phrase[0] in ("comes", "came", "coming") and "us" in phrase and last == "from":
        return EdgeGuess(name="WORKED_AT")  # "Tom comes to us from Zalando": his last employer
    if phrase[0] in ("raised", "raises", "secured") and last == "from":
        return EdgeGuess(name="INVESTED_IN", reverse=True)
    if last in ("at", "for") and any(w in JOB_WORDS for w in phrase[:-1]) and target_type != "Location":
        left = phrase[0] in ("lost", "left", "quit")  # "lost my job at X": a past employer
        return EdgeGuess(name="WORKED_AT" if left else "WORKS_AT")  # "got a job at X", "my manager at X"
    if target_type == "Location" and last in ("to", "in") and (travel or any(w in TRAVEL_WORDS for w in phrase)):
        return EdgeGuess(name="VISITED")
    if phrase[0] == "spent" and last == "in" and target_type == "Location":
        # "spent two weeks in Portugal" is a visit, "spent ten years in Oslo" a home.
        return EdgeGuess(name="LIVED_IN" if any(w in ("years", "decade", "decades") for w in phrase) else "VISITED")
    if last == "at" and any(w in _STUDY_WORDS for w in phrase) and target_type != "Location":
        return EdgeGuess(name="STUDIED_AT")  # "starting my masters at X", "did her phd at X"
    if target_type == "Location" and phrase[0] in ("got", "returned", "returning") and "from" in phrase[1:]:
        return EdgeGuess(name="VISITED")  # "got back from a week in porto", "back from visiting my parents in X"
    if target_type in _PLACE and len(phrase) >= 2 and phrase[-2] == "home":
        return EdgeGuess(name="LIVES_IN")  # "flew home to chicago", "back home in Leeds"
    if target_type in _PLACE and phrase[-2:] == ["it", "to"] and phrase[0] in ("make", "made", "making"):
        return EdgeGuess(name="VISITED")  # "we made it to hanoi", "did you make it to osaka?"
    if target_type in _PLACE and phrase[0] in ("explore", "explores", "explored", "exploring"):
        return EdgeGuess(name="VISITED")  # "explored the coast of Portugal"
    if phrase[0] in _GETTING and len(phrase) > 1 and phrase[1] in ("married", "engaged"):
        return EdgeGuess(name=_edge_name(phrase[1], None))  # "got engaged to", "getting married to"
    if phrase[0] in _FLYING and last == "to" and target_type == "Location":
        return EdgeGuess(name="VISITED")  # "flying to denver for work"
    if had_copula and phrase == ["at"] and target_type == "Organization" and source_type == "Person":
        return EdgeGuess(name="WORKS_AT")  # "is he still at boeing?", "she's at google now"
    if target_type == "Location" and source_type == "Person" and phrase == ["from"]:
        return EdgeGuess(name="COMES_FROM")  # "she is from Kenya", "im from cork"
    if target_type == "Location" and had_copula and phrase == ["to"]:
        return EdgeGuess(name="VISITED")  # "I've been to Paris"
    if phrase[0] in ("host", "hosts", "hosted", "hosting") and len(phrase) <= 2:
        return EdgeGuess(name="LOCATED_IN", reverse=True)  # "Lyon will host the Forum"
    return None


_DESCRIPTIONS = ORGANIZATION_REFERENCES | PERSON_NOUNS | TITLE_WORDS


def _without_description(words: list[str]) -> list[str]:
    """ "bought the snack maker", "is led by chief executive": the description of the next name is not the verb's."""
    if len(words) < 2 or words[-1] not in _DESCRIPTIONS:
        return words
    end = len(words)
    while end > 1 and len(words) - end < 3 and words[end - 1] not in PREPOSITIONS and words[end - 1] not in DETERMINERS:
        if looks_like_verb(words[end - 1]) or words[end - 1] in COPULAS:
            break
        end -= 1
    return words[:end]


def _drop_leading_commas(words: list[str]) -> list[str]:
    index = 0
    while index < len(words) and words[index] == ",":
        index += 1
    return words[index:]


def _after_last_coordinator(words: list[str]) -> tuple[list[str], bool]:
    """Keep the last coordinated predicate: "in and later moved to" -> "later moved to"."""
    for index in range(len(words) - 1, -1, -1):
        if (words[index] in COORDINATORS or words[index] in _SUBORDINATORS or words[index] == ",") and any(
            looks_like_verb(w) or (w in COPULAS and words[index] in COORDINATORS) for w in words[index + 1 :]
        ):
            return words[index + 1 :], True
    return words, False


def _content_words(words: list[str]) -> tuple[list[str], bool]:
    """Drop auxiliaries, determiners, adverbs and punctuation; report whether a copula was among them."""
    had_copula = any(w in COPULAS for w in words)
    words = _present_perfect(_without_used_to(words))
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


def _without_used_to(words: list[str]) -> list[str]:
    """ "used to work for" -> "work for": a habit in the past is still the fact."""
    for index in range(len(words) - 2):
        if words[index] == "used" and words[index + 1] == "to":
            verb = words[index + 2]
            return [*words[:index], _PAST.get(verb, verb), *words[index + 3 :]]
    return words


def _present_perfect(words: list[str]) -> list[str]:
    """ "has lived in Cairo all his life": still true, so the present relation."""
    present = {"lived": "lives", "worked": "works"}
    return [
        present[w] if w in present and index > 0 and words[index - 1] in ("has", "have", "'ve") else w
        for index, w in enumerate(words)
    ]


def _verb_edge(phrase: list[str], had_copula: bool) -> EdgeGuess | None:
    if not phrase:
        return None
    verb = phrase[0]
    if not looks_like_verb(verb) or len(phrase) > _MAX_PHRASE_WORDS:
        return None
    if verb in _LIGHT_VERBS and len(phrase) > 2:
        return None  # "got back from visiting my sister"; "got into oxford" says where
    passive = had_copula or verb.endswith("ed") or verb in IRREGULAR_PARTICIPLES
    if len(phrase) >= 2 and phrase[-1] == "by" and passive:  # "(was) founded by", ", run by"
        return EdgeGuess(name=_edge_name(verb, None), reverse=True)
    if passive and "by" in phrase[1:3] and _describes_the_agent(phrase[phrase.index("by") + 1 :]):
        return EdgeGuess(name=_edge_name(verb, None), reverse=True)  # "was started by the brothers X and Y"
    preposition = phrase[-1] if len(phrase) > 1 and phrase[-1] in PREPOSITIONS else None
    if preposition and len(phrase) > 2 and phrase[1] in _PARTICLES:
        verb = f"{verb} {phrase[1]}"
    return EdgeGuess(name=_edge_name(verb, preposition))


def _describes_the_agent(words: list[str]) -> bool:
    """ "brothers", "the chip maker": one or two nouns saying who the agent after "by" is."""
    return 1 <= len(words) <= 2 and not any(looks_like_verb(w) or w in PREPOSITIONS for w in words)


def _role_edge(phrase: list[str], introduced: bool, source_type: str, target_type: str) -> EdgeGuess | None:
    """ "is an engineer at X" -> WORKS_AT (role: engineer); ", CEO of X" -> CEO_OF; "in X" -> LOCATED_IN."""
    # "Acme Corp in Berlin" places Acme; "met Tom in London" places the meeting, not Tom.
    if phrase in (["in"], ["at"]) and target_type == "Location" and source_type != "Person":
        return EdgeGuess(name="LOCATED_IN")
    if phrase == ["from"] and source_type == "Person" and target_type == "Organization":
        return EdgeGuess(name="WORKS_AT")  # "met Grace Lin from Verdant Foods"
    if "of" in phrase[1:4] and len(phrase) - phrase.index("of") <= 2:
        phrase = phrase[: phrase.index("of") + 1]  # "the brother of the journalist X"
    role, last = phrase[:-1], phrase[-1]
    if last in ("at", "for") and role[1:2] == ["of"] and len(role) <= 5 and role[0] in _POSTS_OF_A_FIELD:
        role = role[:1]  # ", professor of marine biology at X": a professor there
    if not introduced or not 1 <= len(role) <= 3:
        return None
    if last == "in" and target_type == "Location" and source_type != "Person" and not any(map(looks_like_verb, role)):
        return EdgeGuess(name="LOCATED_IN")  # ", a biotech startup in Cambridge,"
    if last in ("at", "for") and target_type != "Location":
        return EdgeGuess(name="WORKS_AT", attributes={"role": " ".join(role)})
    if last == "of":
        return EdgeGuess(name=upper_snake(" ".join(role)) + "_OF")
    if (
        last == "from"
        and source_type in ("Person", "Entity")
        and target_type in _PLACE
        and not any(map(looks_like_verb, role))
    ):
        return EdgeGuess(name="COMES_FROM")  # "is a software engineer from Beirut"
    return None


# Posts named with their field before "at": "professor of marine biology at X", "head of risk at X".
_POSTS_OF_A_FIELD = frozenset("professor lecturer head director vp chair dean editor".split())
# "was appointed head of sales at X", "named CFO at X": a post given there.
_APPOINTING = frozenset("appointed named promoted hired".split())


def _edge_name(verb: str, preposition: str | None) -> str:
    if verb in _APPOINTING and preposition == "at":
        return "WORKS_AT"
    base, fixed = VERB_EDGES.get(verb, (upper_snake(verb), False))
    if fixed or preposition is None:
        return base
    preposition = _PREPOSITION_ALIASES.get(base, {}).get(preposition, preposition)
    return f"{base}_{upper_snake(preposition)}"
