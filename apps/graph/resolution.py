"""Is this extracted name an entity the project already has?

`find_match` tries the same normalised name (among candidates that can be the
same thing: "Acme Robotics" seen once as an Organization and once as a
Location is one entity, whose type `better_type` decides from how many
memories give it each type), then another name the entity is known by (an
alias: the name of an entity merged into it), then a fuzzy match (RapidFuzz
token_sort_ratio) at or above a threshold among candidates of a compatible
type.

Known limit: string similarity cannot tell a typo from a different name.
"Alice Chen" and "Alice Cheng" score 0.95 and match at the default 0.9, as
"Acme Corporaton" and "Acme Corporation" should. Names whose numbers differ
("iPhone 14" / "iPhone 15", "Python 3.11" / "Python 3.12") never match fuzzily.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence

from rapidfuzz import fuzz, process

from apps.graph.extraction.types import GENERIC_TYPE
from apps.graph.ordering import stable_key

# Legal-form words that say nothing about which organisation it is. Dropped only
# at the end of a name, and never when nothing else would remain ("Company").
_ORG_SUFFIXES = frozenset(
    "co company corp corporation inc incorporated ltd limited llc llp plc gmbh ag sa nv bv pty".split()
)
_CJK_ORG_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "公司", "集团")
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_DIGITS = re.compile(r"\d+")


def normalize_name(name: str) -> str:
    """A comparison key: "Acme Corp." and "ACME Corporation" -> "acme"; "北京 大学" -> "北京大学"."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    # Punctuation and symbols separate words; they do not distinguish names.
    text = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in text)
    text = _SPACE_BETWEEN_CJK.sub("", " ".join(text.split()))
    words = text.split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and words[-1] in _ORG_SUFFIXES:
        words.pop()
    text = " ".join(words)
    for suffix in _CJK_ORG_SUFFIXES:
        if text.endswith(suffix) and len(text) - len(suffix) >= 2:
            return text[: -len(suffix)]
    return text


def types_compatible(a: str, b: str) -> bool:
    return a == b or GENERIC_TYPE in (a, b)


# Kinds of named thing that extraction confuses with each other ("Acme Robotics"
# read as a place after "in"): one exact name of these kinds is one thing, whatever
# type each memory gave it. A person and a place may share a name (Jordan, Georgia),
# and a concept is not the company (apple, Apple): those stay apart.
_NAMED_KINDS = frozenset({"person", "organization", "organisation", "location", "event", "product", "artifact"})
_DISTINCT_KINDS = frozenset({frozenset({"person", "location"})})
# Which of two conflicting types the kind of evidence supports better, when as many
# memories support each. Extractors give a place from the weakest evidence (a
# preposition before the name), an organisation or a person from the strongest
# (a legal suffix, a title, someone working there).
_TYPE_STRENGTH = {"organization": 5, "organisation": 5, "person": 4, "event": 3, "product": 2, "artifact": 2}


def same_thing(type_a: str, type_b: str) -> bool:
    """Whether one exact name seen with these two types is one entity."""
    if types_compatible(type_a, type_b):
        return True
    a, b = type_a.casefold(), type_b.casefold()
    return a in _NAMED_KINDS and b in _NAMED_KINDS and frozenset({a, b}) not in _DISTINCT_KINDS


def better_type(current: str, seen: str, support: Mapping[str, int] | None = None) -> str:
    """The type an entity keeps when a memory names it as `seen`.

    A specific type beats the generic one. Of two specific types that can be
    one thing, the one more memories give it wins (`support`: type -> how many
    memories, the one naming it as `seen` included); on a tie, or with no
    counts, the one with the stronger kind of evidence.
    """
    if current == GENERIC_TYPE or current == seen:
        return seen
    if seen == GENERIC_TYPE or not same_thing(current, seen):
        return current
    if support is not None and support.get(current, 0) != support.get(seen, 0):
        return seen if support.get(seen, 0) > support.get(current, 0) else current
    strength = _TYPE_STRENGTH.get(current.casefold(), 1), _TYPE_STRENGTH.get(seen.casefold(), 1)
    return seen if strength[1] > strength[0] else current


def supported_type(support: Mapping[str, int]) -> str:
    """The type an entity's mentions give it (`support`: type -> how many memories give it).

    The same decision as `better_type` made over all of them at once, most
    supported first: the type most memories give, of those that can be one
    thing with it; the generic type when none gives a specific one.
    """
    kept = GENERIC_TYPE
    for seen in sorted(support, key=lambda t: (-support[t], -_TYPE_STRENGTH.get(t.casefold(), 1), t)):
        kept = better_type(kept, seen, support)
    return kept


def find_match(
    name: str,
    type: str,
    candidates: Iterable[tuple[Hashable, str, str]],
    threshold: float = 0.9,
    aliases: Iterable[tuple[Hashable, str, str]] = (),
) -> Hashable | None:
    """The key of the candidate `(key, name, type)` that is the same thing as `name`, or None.

    `aliases` are `(key, other name, type)` of the candidates' other names;
    they match only exactly. Exact normalised names come first, then aliases,
    then fuzzy matches; among equals an exact type beats the generic one, then
    the higher score, then the lowest key — so the answer never depends on the
    candidates' order.
    """
    wanted = normalize_name(name)
    if not wanted:
        return None
    best: tuple[tuple[object, ...], Hashable] | None = None
    for key, candidate_name, candidate_type in candidates:
        candidate = normalize_name(candidate_name)
        # A fuzzy match needs compatible types; an exact one only that the two can be one thing.
        allowed = same_thing(type, candidate_type) if candidate == wanted else types_compatible(type, candidate_type)
        if not allowed:
            continue
        score = _score(wanted, candidate, threshold)
        if score is None:
            continue
        rank = (2 * (candidate != wanted), candidate_type != type, -score, stable_key(key))
        if best is None or rank < best[0]:
            best = (rank, key)
    for key, alias, candidate_type in aliases:
        if normalize_name(alias) != wanted or not same_thing(type, candidate_type):
            continue
        rank = (1, candidate_type != type, -1.0, stable_key(key))
        if best is None or rank < best[0]:
            best = (rank, key)
    return best[1] if best else None


def within_reach(wanted: str, keys: Sequence[str], threshold: float) -> list[int]:
    """The positions of those normalised `keys` that `find_match` might take for the normalised `wanted`.

    The same key, or one whose token-sort ratio reaches the threshold: a
    prefilter at C speed over many keys, never stricter than `_score`.
    """
    cutoff = threshold * 100 - 1e-6  # (score / 100 >= threshold, as _score tests it, despite rounding)
    found = process.extract(wanted, keys, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, limit=None)
    return [index for _key, _score, index in found]


def _score(wanted: str, candidate: str, threshold: float) -> float | None:
    if not candidate:
        return None
    if candidate == wanted:
        return 1.0
    if _DIGITS.findall(candidate) != _DIGITS.findall(wanted):
        return None
    score = fuzz.token_sort_ratio(wanted, candidate) / 100
    return score if score >= threshold else None
