"""English sentences -> named mentions and the edges between them, with no model.

Names are runs of capitalised words. Their type comes from the words in and
around them (titles, organisation suffixes, prepositions, a small gazetteer);
an edge comes from the verb phrase between two names (see english_edges).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apps.graph.extraction.naming import canonical_edge, fits, upper_snake
from apps.graph.extraction.offline import lexicon as lx
from apps.graph.extraction.offline.analysis import (
    CONTEXT,
    DEFINITE,
    GAZETTEER,
    GIVEN_NAME,
    UNKNOWN,
    Link,
    Mention,
    SentenceAnalysis,
)
from apps.graph.extraction.offline.dates import DateSpan, find_dates
from apps.graph.extraction.offline.english_edges import edge_between, looks_like_verb
from apps.graph.extraction.offline.english_refs import Span as _Span
from apps.graph.extraction.offline.english_refs import (
    appointed,
    at_least_organization,
    based_in_links,
    clause_links,
    is_based,
    kin_links,
    passive_over_place,
    references,
    unverbed_links,
)
from apps.graph.extraction.offline.english_words import Token, is_capitalised, tokenize
from apps.graph.extraction.types import GENERIC_TYPE

# Titles of someone who runs an organisation: the name before them is one.
_CORPORATE_TITLES = frozenset("ceo cto cfo coo cio cmo chairman chairwoman chairperson".split())
_TITLE_MODIFIERS = frozenset("prime vice deputy".split())
_KNOWN_NAMES = lx.LOCATIONS | lx.KNOWN_ORGANIZATIONS
_HEADS_TAKING_OF = lx.ORG_HEADS | lx.EVENT_HEADS  # "University of X", "Festival of Y"


@dataclass(frozen=True)
class EnglishContext:
    """What is known beyond the sentence."""

    capitalised_mid_sentence: frozenset[str] = frozenset()  # lower-cased words
    speaker: str | None = None
    # Who "he"/"she" and "the company" stand for: the last person and organisation named.
    person: str | None = None
    organization: str | None = None
    people: tuple[str, ...] = ()  # who "they" stands for: the people of the last sentence naming several
    place: str | None = None  # what "moved there" stands for: the last place named
    # Names recognised although written in lower case (chat: "moved to berlin").
    lowercase_names: frozenset[str] = frozenset()
    # Whom "your" stands for: in a chat between two, the other speaker.
    addressee: str | None = None


def analyse(sentence: str, context: EnglishContext) -> SentenceAnalysis:
    dates = find_dates(sentence)
    tokens = tokenize(sentence, dates)
    spans, links = _spans(sentence, tokens, context)
    described, skipped = _descriptions(spans, tokens)
    links += described + _links(spans, tokens, dates, skipped)
    for span in spans:
        if span.type == "Event" and dates:  # "the Global AI Summit ... on 2023-11-14"
            span.attributes.setdefault("date", dates[0].value.date().isoformat())
    mentions = [Mention(s.name, s.type, s.strength, s.attributes) for s in spans if not s.reference]
    return SentenceAnalysis(text=sentence, mentions=mentions, links=links)


def capitalised_mid_sentence(sentences: Iterable[str]) -> frozenset[str]:
    """Words written with a capital where grammar does not require one: evidence of a name."""
    seen: set[str] = set()
    for sentence in sentences:
        tokens = tokenize(sentence, [])
        for index, token in enumerate(tokens):
            if is_capitalised(token) and not _at_sentence_start(tokens, index):
                seen.add(token.bare)
            elif _opens_a_longer_name(tokens, index):
                seen.add(token.bare)  # "Halden Stores opened ...": "Halden's" later is that name
    return frozenset(seen)


def _opens_a_longer_name(tokens: list[Token], index: int) -> bool:
    token = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return (
        following is not None
        and is_capitalised(token)
        and is_capitalised(following)
        and not token.possessive
        and token.bare not in lx.SENTENCE_STARTERS
        and not looks_like_verb(token.bare)
    )


# --- names -----------------------------------------------------------------------------


def _spans(sentence: str, tokens: list[Token], context: EnglishContext) -> tuple[list[_Span], list[Link]]:
    spans: list[_Span] = []
    links: list[Link] = []
    for first, end in _runs(tokens, context):
        run_spans, run_links = _spans_in_run(sentence, tokens, first, end, context)
        spans += run_spans
        links += run_links
    spans += references(tokens, context, spans)
    spans = sorted(spans, key=lambda s: s.first)
    return spans, links + based_in_links(tokens, spans) + kin_links(tokens, spans, context)


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


def _not_a_name(tokens: list[Token], index: int) -> bool:
    """Capitalised words that name nothing: "the Polish developer", "in May" (a month, not Ms May)."""
    word = tokens[index].bare
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    alone = following is None or not is_capitalised(following)
    if word in lx.DEMONYMS and alone:
        return True
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
    if end - first == 1 and _at_sentence_start(tokens, first) and not _known_name(tokens[first], context):
        # "Researchers found ...": a lone capitalised first word is only a name
        # when something else says so.
        return None
    kind, strength, attributes = _classify(tokens, first, end, name)
    if kind == "Product" and end < len(tokens) and tokens[end].kind == "number" and not tokens[end].in_date:
        end += 1  # "iPhone 15", "Windows 11": the number is part of the name
        name = _name(sentence, tokens, first, end)
    return _Span(first, end, name, kind, strength, attributes)


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
    if before == "from" and before_that in lx.FROM_PLACE_WORDS:  # "moved from Prague", "she is from Kenya"
        return "Location", CONTEXT, {}
    if before in lx.PRODUCT_VERBS or re.match(r"[a-z]+[A-Z]", tokens[first].text) or _followed_by_version(tokens, end):
        return "Product", CONTEXT, {}
    return GENERIC_TYPE, UNKNOWN, {}


def _addressed(tokens: list[Token], first: int, end: int) -> bool:
    """ "Thanks, Melanie!", "Hey Jon,": a short name after a greeting, closed by punctuation, is someone spoken to."""
    words = [t.lower for t in tokens[max(0, first - 2) : first] if t.text != ","]
    closed = end == len(tokens) or tokens[end].text in (",", "!", ".", "?")
    return closed and end - first <= 2 and bool(words) and words[-1] in lx.ADDRESSING_WORDS


_ADDRESSED = re.compile(
    r"\b(?:"
    + "|".join(sorted(lx.ADDRESSING_WORDS))
    + r")\W+(?P<name>[^\W\d][\w'’-]*(?: [^\W\d][\w'’-]*)?)\s*(?:[,!.?]|$)",
    re.IGNORECASE,
)


def addressed_names(sentence: str) -> frozenset[str]:
    """The names a sentence speaks to ("Thanks, Melanie!"): no "she" later in the turn stands for them."""
    return frozenset(m["name"] for m in _ADDRESSED.finditer(sentence))


def _followed_by_title(tokens: list[Token], end: int) -> bool:
    """ "Alice Chen, CEO of ..." / "Alice Chen, the CTO": an appositive title."""
    rest = [t.bare for t in tokens[end : end + 3]]
    if len(rest) < 2 or rest[0] != ",":
        return False
    return rest[1] in lx.TITLES or (rest[1] in ("the", "a", "an") and rest[2:] != [] and rest[2] in lx.TITLES)


def _followed_by_version(tokens: list[Token], end: int) -> bool:
    return end < len(tokens) and tokens[end].kind == "number" and "." in tokens[end].text


def _name(sentence: str, tokens: list[Token], first: int, end: int) -> str:
    name = sentence[tokens[first].start : tokens[end - 1].end]
    name = re.sub(r"['’]s$", "", name)
    if name.endswith(".") and not re.search(r"(?:\b[A-Za-z]\.){2,}$", name):
        name = name[:-1]  # "Acme Corp." -> "Acme Corp"; keep "U.S."
    return re.sub(r"\s+", " ", name).strip()


def _at_sentence_start(tokens: list[Token], index: int) -> bool:
    """Only punctuation (quotes, bullets, dashes) before it, or it follows a colon or an opening quote."""
    if all(t.kind == "punct" for t in tokens[:index]):
        return True
    return tokens[index - 1].text in (":", '"', "“", "(", "—", "–")


# --- edges ---------------------------------------------------------------------------


def _links(spans: list[_Span], tokens: list[Token], dates: list[DateSpan], skipped: frozenset[int]) -> list[Link]:
    """`skipped`: positions of tokens the verb phrases between names leave out (see _descriptions)."""
    groups = _groups([s for s in spans if not s.modifier], tokens)
    links: list[Link] = []
    # Of the sentence: whoever did the first thing; the first name, unless a preposition introduces it.
    subject: list[_Span] | None = None
    if groups and not _introduced(tokens, groups[0][0].first):
        subject = groups[0]
    aside_of: list[_Span] | None = None  # the name an open ", who ..." / ", CEO of ..." is about
    lead_date = _lead_date(dates, tokens, groups)
    links += clause_links(groups, tokens, edge_between)
    placed = passive_over_place(groups, tokens)
    links += placed
    for index, (previous, current) in enumerate(zip(groups, groups[1:]), start=1):
        if any(link.source == previous[0].name and link.target == current[0].name for link in placed):
            continue  # "was started in Leeds by": placed there, read already
        between = tokens[previous[-1].end : current[0].first]
        if not between:  # split from one run by a title; linked already
            continue
        words = _words([t for t in between if t.start not in skipped])
        if contracted := lx.CONTRACTED_VERBS.get(tokens[previous[-1].end - 1].lower):
            words = [contracted, *words]  # "i'm at deloitte", "we've lived in oslo": the verb is in the name's word
        guess = edge_between(
            words,
            source_type=previous[-1].type,
            target_type=current[0].type,
            travel=_about_travel(tokens, current[0].first),
        )
        if guess is None:
            links += unverbed_links(previous, current, between, subject, links)
            links += _titled_by_possessive(previous, current, between, tokens)
            continue
        if post := appointed(between, tokens, current):
            links += [Link(b.name, a.name, "WORKS_AT", None, {"role": post}) for a in previous for b in current]
            continue
        source = previous
        if aside_of is not None and between[0].text == ",":
            source, aside_of = aside_of, None  # ", who founded Acme, joined Globex": the aside closed
        elif guess.new_clause:
            if subject is None:  # "She worked at Hooli and moved to Lisbon": not Hooli that moved
                continue
            source = subject
        elif guess.opens_aside:
            aside_of = previous
        if (
            not guess.reverse
            and _cannot_do(guess.name, source, current)
            and subject
            and not _cannot_do(guess.name, subject, current)
        ):
            source = subject  # ", studied law at X": not the place just named, the sentence's subject
        subject = subject or source
        if guess.name.split("_")[0].lower() in _CORPORATE_TITLES or guess.name in ("WORKS_AT", "WORKED_AT"):
            at_least_organization(current)
        clause_end = tokens[groups[index + 1][0].first].start if index + 1 < len(groups) else tokens[-1].end
        valid_at = _date_within(dates, between[0].start, clause_end) or lead_date
        for a in source:
            for b in current:
                s, t = (b, a) if guess.reverse else (a, b)
                if s.name != t.name:
                    links.append(Link(s.name, t.name, guess.name, valid_at, dict(guess.attributes)))
    return links


def _introduced(tokens: list[Token], first: int) -> bool:
    """A preposition before the first name makes it no subject ("In Berlin, ..."); one before a date does not
    ("Since 2021 she ...")."""
    return any(
        t.lower in lx.PREPOSITIONS and not (i + 1 < first and (tokens[i + 1].in_date or tokens[i + 1].kind == "number"))
        for i, t in enumerate(tokens[:first])
    )


def _descriptions(spans: list[_Span], tokens: list[Token]) -> tuple[list[Link], frozenset[int]]:
    """Names that describe the next one rather than take part in the clause.

    "MIT graduates Ayesha Khan and Ben Ortiz": they studied at MIT, and "founded
    by" is theirs; "a fund in Lisbon called Atlantic Partners": the fund is in
    Lisbon, and "runs" is about the fund. Returns the links these state and the
    positions of the tokens the verb phrases between names leave out.
    """
    links: list[Link] = []
    skipped: set[int] = set()
    for index, (a, b) in enumerate(zip(spans, spans[1:])):
        if a.reference or b.reference or a.modifier:
            continue
        between = tokens[a.end : b.first]
        words = [t.lower for t in between]
        if len(words) == 1 and words[0] in lx.AFFILIATION_NOUNS and a.type in ("Organization", GENERIC_TYPE):
            people = _coordinated(spans, index + 1, tokens)
            relation = lx.AFFILIATION_NOUNS[words[0]]
            if a.first > 0 and tokens[a.first - 1].lower in ("former", "ex"):
                relation = "WORKED_AT" if relation == "WORKS_AT" else relation
            at_least_organization([a])
            for person in people:
                if person.strength < DEFINITE:
                    person.type, person.strength = "Person", max(person.strength, CONTEXT)
                links.append(Link(person.name, a.name, relation))
        elif words in (["called"], ["named"]) and a.type == "Location" and a.first > 0:
            preposition = tokens[a.first - 1]
            if preposition.lower not in ("in", "at"):
                continue
            links.append(Link(b.name, a.name, "LOCATED_IN"))
            if a.first > 1 and tokens[a.first - 2].lower in lx.ORGANIZATION_REFERENCES and b.strength < CONTEXT:
                b.type, b.strength = "Organization", CONTEXT  # "a fund in Lisbon called ..."
            skipped.add(preposition.start)
        else:
            continue
        a.modifier = True
        skipped.update(t.start for t in tokens[a.first : b.first])
    return links, frozenset(skipped)


def _coordinated(spans: list[_Span], index: int, tokens: list[Token]) -> list[_Span]:
    """spans[index] and the names joined to it by "and" or commas."""
    group = [spans[index]]
    for following in spans[index + 1 :]:
        if _coordination(tokens[group[-1].end : following.first]) is None:
            break
        group.append(following)
    return group


def _cannot_do(edge: str, source: list[_Span], target: list[_Span]) -> bool:
    return not fits(canonical_edge(edge), source[0].type, target[0].type)


def _about_travel(tokens: list[Token], before: int) -> bool:
    """ "took a solo trip and took this pic in Spain": a trip earlier in the sentence makes "in X" a visit."""
    return any(t.lower in lx.TRAVEL_WORDS for t in tokens[:before])


def _titled_by_possessive(
    previous: list[_Span], current: list[_Span], between: list[Token], tokens: list[Token]
) -> list[Link]:
    """ "Meridian's chief executive is Robert Hayes": the title of the possessor's."""
    words = [t.lower for t in between]
    owner = previous[-1]
    if len(words) < 2 or words[-1] not in ("is", "was") or owner.type == "Person" or owner.reference:
        return []
    if not tokens[owner.end - 1].possessive:
        return []
    title = words[:-1]
    if not all(w in lx.TITLE_WORDS for w in title) or current[0].type not in ("Person", GENERIC_TYPE):
        return []
    name = canonical_edge(upper_snake(" ".join(title)) + "_OF")
    return [Link(person.name, owner.name, name) for person in current]


def _groups(spans: list[_Span], tokens: list[Token]) -> list[list[_Span]]:
    """Coordinated names act together: "Alice and Bob founded Acme" -> both FOUNDED Acme.

    A chain of commas counts only if an "and"/"or" closes it; otherwise "In Berlin,
    Alice ..." would make Berlin and Alice one group.
    """
    if not spans:
        return []
    # "Alice and Acme Corp" is rarely a list; "... in Paris, and Priya works ..." joins clauses.
    joins = [
        None
        if a.reference != b.reference and b.first >= a.end  # "worked for Acme, and she is": a new clause
        else "and"
        if b.first < a.end  # "They": several names at one place
        else _coordination(tokens[a.end : b.first])
        if GENERIC_TYPE in (a.type, b.type) or a.type == b.type
        else None
        for a, b in zip(spans, spans[1:])
    ]
    groups: list[list[_Span]] = []
    start = 0
    while start < len(spans):
        end = start  # the chain of joined names is spans[start : end + 1]
        while end < len(joins) and joins[end] is not None:
            end += 1
        closed = end > start and end < len(spans) and _closed_by_and(tokens, spans[end].end)
        if any(joins[k] == "and" for k in range(start, end)) or closed:
            groups.append(spans[start : end + 1])
        else:
            groups.extend([s] for s in spans[start : end + 1])
        start = end + 1
    return groups


def _closed_by_and(tokens: list[Token], at: int) -> bool:
    """ "kyoto, osaka and a couple days in seoul": a comma chain that an "and" closes is a list."""
    return at < len(tokens) and tokens[at].lower in ("and", "or")


def _coordination(between: list[Token]) -> str | None:
    """ "and" for "and"/"or"/"&" (with optional commas), "," for commas only, None otherwise."""
    words = [t.lower for t in between]
    if not words or any(w not in (",", "and", "or", "&") for w in words):
        return None
    return "and" if any(w != "," for w in words) else ","


def _words(tokens: list[Token]) -> list[str]:
    return [t.lower for t in tokens if not t.in_date and t.kind != "number" and t.text not in ("$", "€", "£", "%")]


def _date_within(dates: list[DateSpan], start: int, end: int) -> datetime | None:
    """The date stated between the verb and the next name: "joined Acme in 2021"."""
    return next((d.value for d in dates if start <= d.start < end), None)


def _lead_date(dates: list[DateSpan], tokens: list[Token], groups: list[list[_Span]]) -> datetime | None:
    """A date opening the sentence dates all of it: "In March 2022, Acme acquired Globex"."""
    if not groups or not dates:
        return None
    first_name_at = tokens[groups[0][0].first].start
    return dates[0].value if dates[0].end <= first_name_at else None


# --- names typed in lower case in a chat -----------------------------------------------------

_CUED_NAME = re.compile(
    r"\b(?:"
    # "moved to ottawa", "flying to denver", "a trip to kyoto"
    r"(?:moved|moving|move|moves|relocated|relocating|flew|flying|fly|trip|travelled|traveled|drove|headed|heading)"
    r"(?: (?:up|down|over|back|out|home))? to"
    # "made it to hanoi", "did you make it to kyoto?", "got engaged to samir"
    r"|(?:make|made|making) it to|(?:engaged|married) to"
    # "grew up in leeds", "living in bristol", "are you in ottawa", "she's in vancouver"
    r"|(?:live|lives|living|lived|grew up|born|based|staying|settled|i'm|im|i am|you're|are you|we're|she's|he's"
    r"|is she|is he|she is|he is|they're|still) in"
    # "visiting my parents in porto", "back from seeing my aunt in accra", "a few nights in bangkok"
    r"|(?:visiting|visited|visit)(?: [a-z']+){0,2} in|back from(?: [a-z']+){0,3} in"
    r"|(?:nights?|days|weeks|weekend|holiday|vacation|trip) in"
    # "im from cork", "originally from porto"
    r"|(?:i'm|im|i am|we're|she's|he's|she is|he is|originally|comes|come) from"
    # "working at shopify", "interning at airbus", "a phd at mcgill", "still at boeing"
    r"|(?:work|works|working|worked|job|intern|interns|interning|internship|started|starting|phd|masters|degree"
    r"|studying|studies|study|still) (?:at|for)"
    # "i left amazon", "she joined tinybird", "got into oxford"
    r"|(?:left|quit|joined|joining|got into|get into)"
    r") ([a-z][a-z-]{2,})\b"
)
# Words those cues are often followed by that name nothing.
_CUED_NOT_NAMES = frozenset(
    "home work school bed church college uni university class town city lunch dinner breakfast night first least "
    "all once length office hospital gym shop store beach park bar mall market airport party concert camp sleep "
    "me you him her them us myself yourself herself himself it there here now then years ages months weeks days "
    "some free fun real sure nothing everything something anything places each other money food fact case love "
    "touch time mind line person general town charge front bad good tears pieces shape contact trouble "
    "this that these those his their our your its one two three she they we you got get advance total row".split()
)


def chat_names(sentences: Iterable[str]) -> frozenset[str]:
    """Lower-case words a chat's cues make names: "moved to ottawa", "im from cork", "working at shopify".

    Read over the whole conversation, so a name typed alone elsewhere ("ottawa, we moved there") is one too.
    """
    names = set()
    for sentence in sentences:
        lowered = sentence.lower()
        for match in _CUED_NAME.finditer(lowered):
            if not _could_name(match.group(1)):
                continue
            names.add(match.group(1))
            # "travelled to kyoto, osaka and ...": the words listed with it are names too.
            at = match.end()
            while listed := _LISTED_NAME.match(lowered, at):
                if not _could_name(listed.group(1)):
                    break
                names.add(listed.group(1))
                at = listed.end()
    return frozenset(names)


_LISTED_NAME = re.compile(r"(?:,\s*|\s+and\s+|\s+or\s+)([a-z][a-z-]{2,})\b")


def _could_name(word: str) -> bool:
    return not (
        word in _CUED_NOT_NAMES
        or word in lx.CLOSE_PEOPLE  # "grew up in cork, dad is from derry"
        or word in lx.SENTENCE_STARTERS
        or word in lx.DETERMINERS
        or word in lx.PREPOSITIONS
        or word in lx.ADVERBS
        or word in lx.NOT_NAMES
        or word in lx.MONTHS
        or word in lx.WEEKDAYS
        or word in lx.INTERJECTIONS
        or word.endswith(("ing", "ly"))
        or looks_like_verb(word)
    )
