"""What kind of thing a name is: a person, an organisation, a place, an event or a product,
read from the words in and around it."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from apps.graph.extraction.offline import gazetteer
from apps.graph.extraction.offline import lexicon as lx
from apps.graph.extraction.offline.analysis import (
    CONTEXT,
    DEFINITE,
    GAZETTEER,
    GIVEN_NAME,
    LISTED,
    UNKNOWN,
)
from apps.graph.extraction.offline.english_words import Token
from apps.graph.extraction.types import GENERIC_TYPE


def _classify(tokens: list[Token], first: int, end: int, name: str) -> tuple[str, int, dict[str, Any]]:
    words = [t.bare for t in tokens[first:end]]
    lowered = name.lower()
    before = tokens[first - 1].lower if first > 0 else ""
    before_that = tokens[first - 2].lower if first > 1 else ""
    if before in lx.TITLES:
        return "Person", DEFINITE, {"title": tokens[first - 1].text}
    if words[-1] in lx.ORG_SUFFIXES or (words[0] in lx.ORG_HEADS and len(words) > 2):
        return "Organization", DEFINITE, {}
    if words[-1] in lx.EVENT_HEADS and len(words) > 1:
        return "Event", DEFINITE, {}
    if lowered in lx.LOCATIONS:
        return "Location", GAZETTEER, {}
    if lowered in lx.KNOWN_ORGANIZATIONS:
        return "Organization", GAZETTEER, {}
    if _followed_by_title(tokens, end):
        return "Person", GAZETTEER, {}
    if words[0] in lx.GIVEN_NAMES and len(words) <= 3:
        return "Person", GIVEN_NAME, {}
    if _described_as_a_person(tokens, end):
        return "Person", CONTEXT, {}  # "Samir Haddad is a software engineer"
    if before in ("called", "named") and before_that in lx.ORGANIZATION_REFERENCES:
        return "Organization", CONTEXT, {}  # "a startup called Tinybird"
    if before in lx.ORGANIZATION_REFERENCES:
        return "Organization", CONTEXT, {}  # "robotics company Tessellate", "the carrier Northwind Air"
    if _addressed(tokens, first, end):
        return "Person", CONTEXT, {}  # "Thanks, Melanie!", "Hey Jon, ..."
    if before in lx.PERSON_NOUNS or before in lx.CLOSE_PEOPLE:
        return "Person", CONTEXT, {}  # "the photographer Jonas Weber", "my roommate Jess"
    if before in lx.LOCATION_PREPOSITIONS or (before in ("to", "at") and before_that in lx.MOTION_VERBS):
        return "Location", CONTEXT, {}
    if end < len(tokens) and tokens[end].lower in OFFICE_WORDS:
        return "Location", CONTEXT, {}  # "their toronto office", "our Rome office"
    if before == "from" and before_that in lx.FROM_PLACE_WORDS:  # "moved from Prague", "she is from Kenya"
        return "Location", CONTEXT, {}
    if before in lx.PRODUCT_VERBS or re.match(r"[a-z]+[A-Z]", tokens[first].text) or _followed_by_version(tokens, end):
        return "Product", CONTEXT, {}
    return _by_census_or_map(words, before)


def _by_census_or_map(words: list[str], before: str) -> tuple[str, int, dict[str, Any]]:
    """What the large lists say, when nothing around the name does (see gazetteer).

    A person's name is two or three words, a first name followed by more ("Camille Roux",
    "Hélène Dubois"); not after "the", and not with a word of an institution's name in it
    ("Trinity College Dublin"). A town or a country is its whole name ("Kyoto", "Kraków").
    """
    person = (
        1 < len(words) <= 3
        and before not in lx.DETERMINERS
        and not any(w in lx.ORG_SUFFIXES or w in lx.ORG_HEADS for w in words)  # "Trinity College Dublin"
    )
    if person and _unaccented(words[0]) in gazetteer.first_names():
        return "Person", LISTED, {}
    if " ".join(words) in gazetteer.place_names() and not (len(words) == 1 and words[0] in gazetteer.first_names()):
        return "Location", LISTED, {}  # not "Kyle" or "Austin" alone: a town, and as often someone
    return GENERIC_TYPE, UNKNOWN, {}


def _unaccented(word: str) -> str:
    """ "hélène" -> "helene": the census writes names in ASCII."""
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii")


# After a place: where an organisation works from.
OFFICE_WORDS = frozenset("office offices campus branch hub".split())


def _described_as_a_person(tokens: list[Token], end: int) -> bool:
    """ "X is a (software) engineer", "X, a pediatric nurse,": what X is said to be is a person's job."""
    words = [t.lower for t in tokens[end : end + 6]]
    if words[:1] == [","]:
        words = words[1:]
    elif words[:1] in (["is"], ["was"]):
        words = words[1:]
    else:
        return False
    if words[:1] not in (["a"], ["an"]):
        return False
    noun = next((i for i, w in enumerate(words[1:4], start=1) if w in lx.PERSON_NOUNS), None)
    return noun is not None and all(w.isalpha() for w in words[1:noun])


def _addressed(tokens: list[Token], first: int, end: int) -> bool:
    """ "Thanks, Melanie!", "Hey Jon,": a short name after a greeting, closed by punctuation, is someone spoken to."""
    words = [t.lower for t in tokens[max(0, first - 2) : first] if t.text != ","]
    closed = end == len(tokens) or tokens[end].text in (",", "!", ".", "?")
    return closed and end - first <= 2 and bool(words) and words[-1] in lx.ADDRESSING_WORDS


def _followed_by_title(tokens: list[Token], end: int) -> bool:
    """ "Alice Chen, CEO of ..." / "Alice Chen, the CTO": an appositive title."""
    rest = [t.bare for t in tokens[end : end + 3]]
    if len(rest) < 2 or rest[0] != ",":
        return False
    return rest[1] in lx.TITLES or (rest[1] in ("the", "a", "an") and rest[2:] != [] and rest[2] in lx.TITLES)


def _followed_by_version(tokens: list[Token], end: int) -> bool:
    return end < len(tokens) and tokens[end].kind == "number" and "." in tokens[end].text
