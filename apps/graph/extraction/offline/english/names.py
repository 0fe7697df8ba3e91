"""The names of an English sentence: runs of capitalised words, split by titles, joined by
"&"/"of"/particles, with the words that only start the sentence left out."""

from __future__ import annotations

import re
from collections.abc import Iterable

from apps.graph.extraction.naming import upper_snake
from apps.graph.extraction.offline import lexicon as lx
from apps.graph.extraction.offline.analysis import (
    CONTEXT,
    DEFINITE,
    UNKNOWN,
    Link,
)
from apps.graph.extraction.offline.english.context import EnglishContext
from apps.graph.extraction.offline.english.kinds import _classify
from apps.graph.extraction.offline.english_edges import looks_like_verb
from apps.graph.extraction.offline.english_refs import Span as _Span
from apps.graph.extraction.offline.english_refs import (
    based_in_links,
    is_based,
    kin_links,
    references,
)
from apps.graph.extraction.offline.english_words import Token, is_capitalised
from apps.graph.extraction.types import GENERIC_TYPE

# Titles of someone who runs an organisation: the name before them is one.
_CORPORATE_TITLES = frozenset("ceo cto cfo coo cio cmo chairman chairwoman chairperson".split())
_TITLE_MODIFIERS = frozenset("prime vice deputy".split())
_KNOWN_NAMES = lx.LOCATIONS | lx.KNOWN_ORGANIZATIONS
_HEADS_TAKING_OF = lx.ORG_HEADS | lx.EVENT_HEADS  # "University of X", "Festival of Y"


def _spans(sentence: str, tokens: list[Token], context: EnglishContext) -> tuple[list[_Span], list[Link]]:
    spans: list[_Span] = _quoted_titles(sentence, tokens)
    links: list[Link] = []
    quoted = {i for span in spans for i in range(span.first - 2, span.end + 1)}
    for first, end in _runs(tokens, context):
        if first in quoted:
            continue
        run_spans, run_links = _spans_in_run(sentence, tokens, first, end, context)
        spans += run_spans
        links += run_links
    spans += references(tokens, context, spans)
    spans = sorted(spans, key=lambda s: s.first)
    return spans, links + based_in_links(tokens, spans) + kin_links(tokens, spans, context)


_QUOTES = {'"': '"', "“": "”"}
# Before a quoted title: what it is ("loved reading", "the song", "watched").
_TITLE_CUES = frozenset(
    "read reading reads finished watched watching watch listened listening hear heard book novel song album film "
    "movie show series play wrote written".split()
)


def _quoted_titles(sentence: str, tokens: list[Token]) -> list[_Span]:
    """'reading "The Lean Startup"', '"Brave" by Sara Bareilles': a capitalised title in quotes is one name,
    a work (Product) when a word before it says so."""
    spans = []
    for index, token in enumerate(tokens[:-2]):
        closing = _QUOTES.get(token.text)
        if closing is None or not is_capitalised(tokens[index + 1]):
            continue
        end = next((j for j in range(index + 2, min(index + 9, len(tokens))) if tokens[j].text == closing), None)
        if end is None or any(t.text in ".!?" for t in tokens[index + 1 : end]):
            continue
        before = tokens[index - 1].lower if index > 0 else ""
        kind, strength = ("Product", CONTEXT) if before in _TITLE_CUES else (GENERIC_TYPE, UNKNOWN)
        first = index + 2 if tokens[index + 1].lower == "the" and end > index + 2 else index + 1  # as names elsewhere
        spans.append(_Span(first, end, _name(sentence, tokens, first, end), kind, strength))
    return spans


def _runs(tokens: list[Token], context: EnglishContext) -> Iterable[tuple[int, int]]:
    index = 0
    while index < len(tokens):
        if context.speaker and _introduced_name(tokens, index):
            yield index, index + 1
            index += 1
            continue
        if not _name_word(tokens[index], context) or is_based(tokens[index]) or _not_a_name(tokens, index):
            index += 1
            continue
        end = index + 1
        while end < len(tokens) and not tokens[end - 1].possessive and not is_based(tokens[end]):
            if _name_word(tokens[end], context) and not _not_a_name(tokens, end):
                end += 1
            elif joined := _joiner_length(tokens, end):
                end += joined
            else:
                break
        yield index, end
        index = end


def _name_word(token: Token, context: EnglishContext) -> bool:
    return is_capitalised(token) or (token.kind == "word" and token.lower in context.lowercase_names)


def _introduced_name(tokens: list[Token], index: int) -> bool:
    """ "a startup called tinybird", "my old roommate jess": in a chat, a lower-case word after "called"/"named",
    or after a word for a person close to the speaker, is a name unless it is a word of the sentence."""
    token = tokens[index]
    if index == 0 or token.kind != "word" or token.lower in lx.SENTENCE_STARTERS or "'" in token.text:
        return False
    before = tokens[index - 1].lower
    if before in ("called", "named"):
        return True
    return (
        before in lx.CLOSE_PEOPLE
        and index > 1
        and tokens[index - 2].lower in ("my", "our", "old", "best", "new", "older", "younger", "little", "big")
        and token.lower not in lx.NOT_NAMES
        and token.lower not in lx.ADVERBS
        and token.lower not in lx.REPORTING_VERBS
        and not looks_like_verb(token.lower)
        and len(token.text) > 2
    )


_DEGREES = frozenset("phd mba msc bsc mphil llm dphil".split())


def _not_a_name(tokens: list[Token], index: int) -> bool:
    """Capitalised words that name nothing: "the Polish developer", "in May" (a month, not Ms May)."""
    word = tokens[index].bare
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    alone = following is None or not is_capitalised(following)
    if word in lx.DEMONYMS and alone:
        return True
    if word.lower() in _DEGREES and alone:
        return True  # "to start a PhD at McGill": a degree, not an organisation
    before = tokens[index - 1].lower if index > 0 else ""
    return word in lx.MONTHS and alone and before in lx.DATE_PREPOSITIONS


def _joiner_length(tokens: list[Token], at: int) -> int:
    """How many lower-case tokens at `at` join two capitalised words into one name."""

    def capital(i: int) -> bool:
        return i < len(tokens) and is_capitalised(tokens[i])

    word = tokens[at].lower
    if word == "&" or word in lx.NAME_PARTICLES:
        return 1 if capital(at + 1) else 0
    if word in ("of", "for") and tokens[at - 1].bare in _HEADS_TAKING_OF:
        if capital(at + 1):
            return 1
        if at + 1 < len(tokens) and tokens[at + 1].lower == "the" and capital(at + 2):
            return 2
    return 0


def _spans_in_run(
    sentence: str, tokens: list[Token], first: int, end: int, context: EnglishContext
) -> tuple[list[_Span], list[Link]]:
    if _at_sentence_start(tokens, first) and _name(sentence, tokens, first, end).lower() not in _KNOWN_NAMES:
        while first < end and _opens_sentence_only(tokens[first], context):
            first += 1
    if first == end:
        return [], []
    title_at = next((i for i in range(first, end) if _is_title(tokens, i, end)), None)
    if title_at is None:
        span = _plain_span(sentence, tokens, first, end, context)
        return ([span] if span else []), []
    return _titled_spans(sentence, tokens, first, title_at, end, context)


def _opens_sentence_only(token: Token, context: EnglishContext) -> bool:
    """Capitalised only because it starts the sentence: "The", "Yesterday", "Met Alice ..."."""
    if token.bare in lx.SENTENCE_STARTERS or not _name_word(token, context):
        return True
    return (
        looks_like_verb(token.bare)
        and token.bare not in context.capitalised_mid_sentence
        and token.bare not in lx.GIVEN_NAMES
    )


def _titled_spans(
    sentence: str,
    tokens: list[Token],
    first: int,
    title_at: int,
    end: int,
    context: EnglishContext,
) -> tuple[list[_Span], list[Link]]:
    """ "Acme CEO Alice Chen": Alice Chen is a Person, and CEO_OF Acme."""
    title_end = title_at + 1
    while title_end < end and _is_title(tokens, title_end, end):
        title_end += 1
    title = " ".join(t.text for t in tokens[title_at:title_end])
    spans: list[_Span] = []
    before = _plain_span(sentence, tokens, first, title_at, context) if title_at > first else None
    person = None
    if title_end < end:
        person = _Span(title_end, end, _name(sentence, tokens, title_end, end), "Person", DEFINITE, {"title": title})
    if before is not None:
        if before.strength < CONTEXT and tokens[title_end - 1].bare in _CORPORATE_TITLES:
            before.type, before.strength = "Organization", CONTEXT
        spans.append(before)
    if person is not None:
        spans.append(person)
    links = []
    if before is not None and person is not None and tokens[title_at].bare not in lx.HONORIFICS:
        links.append(Link(person.name, before.name, upper_snake(title.replace(".", "")) + "_OF"))
    return spans, links


def _is_title(tokens: list[Token], index: int, end: int) -> bool:
    word = tokens[index].bare
    if word in lx.HONORIFICS:
        return True
    if word in _TITLE_MODIFIERS:
        return index + 1 < end and tokens[index + 1].bare in lx.TITLES
    # A title inside a run always reads as one; names like "President Hotel" are rare.
    return word in lx.TITLES


def _plain_span(sentence: str, tokens: list[Token], first: int, end: int, context: EnglishContext) -> _Span | None:
    while end > first and not (_name_word(tokens[end - 1], context) or _introduced_name(tokens, end - 1)):
        # a dangling "&" or "van"
        end -= 1
    if end == first:
        return None
    name = _name(sentence, tokens, first, end)
    if (
        end - first == 1
        and _at_sentence_start(tokens, first)
        and not _known_name(tokens[first], context)
        and not _possessive_name(tokens, first, context)
    ):
        # "Researchers found ...": a lone capitalised first word is only a name when something else
        # says so.
        return None
    kind, strength, attributes = _classify(tokens, first, end, name)
    if kind == "Product" and end < len(tokens) and tokens[end].kind == "number" and not tokens[end].in_date:
        end += 1  # "iPhone 15", "Windows 11": the number is part of the name
        name = _name(sentence, tokens, first, end)
    return _Span(first, end, name, kind, strength, attributes)


def _possessive_name(tokens: list[Token], first: int, context: EnglishContext) -> bool:
    """ "Kvist's co-founder ...", "Acme's chief executive ...": a possessive opening a sentence is a name when
    a post follows it or the text writes the word with a capital elsewhere; not "Mom's cooking"."""
    token = tokens[first]
    if not token.possessive or token.bare in lx.SENTENCE_STARTERS:
        return False
    after = tokens[first + 1].lower if first + 1 < len(tokens) else ""
    return token.bare in context.capitalised_mid_sentence or after in lx.TITLE_WORDS or after in lx.PERSON_POSTS


def _known_name(token: Token, context: EnglishContext) -> bool:
    word = token.bare
    return (
        word in lx.GIVEN_NAMES
        or word in lx.LOCATIONS
        or word in lx.KNOWN_ORGANIZATIONS
        or word in context.capitalised_mid_sentence
        or (token.text.islower() and token.lower in context.lowercase_names)  # "ottawa, we moved there"
        or (token.text.isupper() and len(token.text) > 1)  # an acronym
        or bool(re.match(r"[a-z]+[A-Z]", token.text))  # iPhone, eBay
    )


def _name(sentence: str, tokens: list[Token], first: int, end: int) -> str:
    name = sentence[tokens[first].start : tokens[end - 1].end]
    name = re.sub(r"['’]s$|(?<=s)['’]$", "", name)
    if name.endswith(".") and not re.search(r"(?:\b[A-Za-z]\.){2,}$", name):
        name = name[:-1]  # "Acme Corp." -> "Acme Corp"; keep "U.S."
    return re.sub(r"\s+", " ", name).strip()


def _at_sentence_start(tokens: list[Token], index: int) -> bool:
    """Only punctuation (quotes, bullets, dashes) before it, or it follows a colon or an opening quote."""
    if all(t.kind == "punct" for t in tokens[:index]):
        return True
    return tokens[index - 1].text in (":", '"', "“", "(", "—", "–")
