"""English sentences -> named mentions and the edges between them, with no model.

Names are runs of capitalised words. Their type comes from the words in and
around them (titles, organisation suffixes, prepositions, a small gazetteer);
an edge comes from the verb phrase between two names (see english_edges).

names finds the names, kinds tells what each is, links reads the edges between
them, conversation reads what the whole text says about names, and context is
what carries from one sentence to the next.
"""

from __future__ import annotations

from apps.graph.extraction.offline import lexicon as lx
from apps.graph.extraction.offline.analysis import CONTEXT, Link, Mention, SentenceAnalysis, wanted_as
from apps.graph.extraction.offline.dates import find_dates
from apps.graph.extraction.offline.english.context import EnglishContext
from apps.graph.extraction.offline.english.conversation import addressed_names, capitalised_mid_sentence, chat_names
from apps.graph.extraction.offline.english.kinds import OFFICE_WORDS
from apps.graph.extraction.offline.english.links import _descriptions, _links, _post
from apps.graph.extraction.offline.english.names import _spans
from apps.graph.extraction.offline.english_refs import Span
from apps.graph.extraction.offline.english_words import Token, tokenize
from apps.graph.extraction.types import GENERIC_TYPE

__all__ = ["EnglishContext", "addressed_names", "analyse", "capitalised_mid_sentence", "chat_names"]


def _offices(spans: list[Span], tokens: list[Token], context: EnglishContext) -> list[Link]:
    """ "their toronto office", "our Rome office": the organisation named last has an office in the place;
    "the berlin team at spotify", "the Lisbon office of Acme": the one named after has."""
    links = []
    for index, place in enumerate(spans):
        if place.end >= len(tokens) or place.type != "Location":
            continue
        office = tokens[place.end].lower
        after = spans[index + 1] if index + 1 < len(spans) else None
        if (
            (office in OFFICE_WORDS or office == "team")
            and after is not None
            and after.first == place.end + 2
            and tokens[place.end + 1].lower in ("at", "of")  # after.first is within the tokens
            and after.type == "Organization"
        ):
            links.append(Link(after.name, place.name, "HAS_OFFICE_IN"))
            continue
        if office not in OFFICE_WORDS:
            continue
        if place.first > 0 and tokens[place.first - 1].lower in ("our", "my"):
            continue  # the writer's employer, whom the text may not name
        named = [s.name for s in spans[:index] if s.type == "Organization" and not s.reference]
        organization = named[-1] if named else context.organization
        if organization:
            links.append(Link(organization, place.name, "HAS_OFFICE_IN"))
    return links


def _places_in_countries(spans: list[Span], tokens: list[Token]) -> list[Link]:
    """ "in Győr, Hungary": a place, a comma and a country locate the place (a list of countries does not)."""
    links = []
    for place, country in zip(spans, spans[1:]):
        if place.type != "Location" or country.type != "Location" or place.reference or country.reference:
            continue
        if [t.text for t in tokens[place.end : country.first]] != [","] or country.name.lower() not in lx.COUNTRIES:
            continue
        if place.name.lower() in lx.COUNTRIES:
            continue
        links.append(Link(place.name, country.name, "LOCATED_IN"))
    return links


# Posts written before a comma and a name, and the relation each gives: "The manager, Greg, ...".
_POSTS = {
    **dict.fromkeys(("manager", "director", "head", "boss", "owner", "president", "chairman"), "LEADS"),
    **dict.fromkeys(("founder", "co-founder"), "FOUNDED"),
    "ceo": "CEO_OF",
}


def _posts_at_the_organisation_talked_about(
    spans: list[Span], tokens: list[Token], context: EnglishContext, links: list[Link]
) -> list[Link]:
    """A post before a name with no organisation before it is at the organisation named last (in this
    sentence or an earlier one): "The manager, Greg, has been so welcoming", "Chief executive Camille
    Roux said ...". The name is a person. A name of unknown kind counts as an organisation when the
    sentence's `links` make it one ("will join Trellis ... and report to chief operating officer X")."""
    employers = wanted_as("Organization", links)
    posts = []
    for index, span in enumerate(spans):
        if span.reference or span.type not in ("Person", GENERIC_TYPE):
            continue
        post = _post_before(tokens, span.first, [s for s in spans[:index] if not s.reference])
        if post is None:
            continue
        if span.strength < CONTEXT:
            span.type, span.strength = "Person", CONTEXT
        named = [s.name for s in spans[:index] if s.type == "Organization" or s.name in employers]
        if organization := named[-1] if named else context.organization:
            posts.append(Link(span.name, organization, post))
    return posts


def _post_before(tokens: list[Token], at: int, before: list[Span]) -> str | None:
    """The relation of the post written before tokens[at]: "the manager, " or "chief executive "."""
    if at >= 3 and tokens[at - 1].text == "," and tokens[at - 3].lower in ("the", "its", "their"):
        return _POSTS.get(tokens[at - 2].lower)
    found, start = None, at
    while start > 0 and at - start < 3 and tokens[start - 1].kind == "word" and tokens[start - 1].lower.isalpha():
        start -= 1
        words = [t.lower for t in tokens[start:at]]
        if words[-1] in lx.PERSON_POSTS and (post := _post(words)):
            found = (start, post)  # the longest: "chief executive", not "executive"
    if found is None:
        return None
    start, post = found
    # Not "Acme chief executive X" (the organisation is written) nor "former chief executive X".
    if any(s.end == start for s in before) or (start > 0 and tokens[start - 1].lower in ("former", "ex")):
        return None
    return post


_KIN_RELATIONS = frozenset(name.lstrip("~") for name in (*lx.KIN_WORDS.values(), *lx.CHAT_KIN_WORDS.values()))


def analyse(sentence: str, context: EnglishContext) -> SentenceAnalysis:
    dates = find_dates(sentence)
    tokens = tokenize(sentence, dates)
    spans, links = _spans(sentence, tokens, context)
    described, skipped = _descriptions(spans, tokens)
    links += described + _links(spans, tokens, dates, skipped) + _offices(spans, tokens, context)
    links += _places_in_countries(spans, tokens)
    links += _posts_at_the_organisation_talked_about(spans, tokens, context, links)
    for span in spans:
        if span.type == "Event" and dates:  # "the Global AI Summit ... on 2023-11-14"
            span.attributes.setdefault("date", dates[0].value.date().isoformat())
    mentions = [Mention(s.name, s.type, s.strength, s.attributes) for s in spans if not s.reference]
    if sentence.rstrip().endswith("?"):
        # "Did Tom move to Berlin?", "can we meet at your office?": a question states no fact, though it
        # takes for granted who is whose kin ("Did I tell you my sister Abby got engaged?").
        links = [link for link in links if link.name in _KIN_RELATIONS]
    return SentenceAnalysis(text=sentence, mentions=mentions, links=links)
