"""The links between the names of an English sentence: the verb phrase between two names
(see english_edges), coordinated names acting together, names that describe the next one,
and the dates the links hold from."""

from __future__ import annotations

from datetime import datetime

from apps.graph.extraction.naming import canonical_edge, fits, upper_snake
from apps.graph.extraction.offline import gazetteer
from apps.graph.extraction.offline import lexicon as lx
from apps.graph.extraction.offline.analysis import (
    CONTEXT,
    DEFINITE,
    FORMAT,
    Link,
)
from apps.graph.extraction.offline.dates import DateSpan
from apps.graph.extraction.offline.english.names import _CORPORATE_TITLES
from apps.graph.extraction.offline.english_edges import edge_between
from apps.graph.extraction.offline.english_refs import Span as _Span
from apps.graph.extraction.offline.english_refs import (
    appointed,
    at_least_organization,
    clause_links,
    passive_over_place,
    subject_after_opening,
    unverbed_links,
)
from apps.graph.extraction.offline.english_words import Token
from apps.graph.extraction.types import GENERIC_TYPE


def _links(spans: list[_Span], tokens: list[Token], dates: list[DateSpan], skipped: frozenset[int]) -> list[Link]:
    """`skipped`: positions of tokens the verb phrases between names leave out (see _descriptions)."""
    groups = _groups([s for s in spans if not s.modifier], tokens)
    links: list[Link] = []
    # Of the sentence: whoever did the first thing; the first name, unless a preposition introduces it.
    subject: list[_Span] | None = None
    if groups and not _introduced(tokens, groups[0][0].first):
        subject = groups[0]
    elif groups:
        subject = subject_after_opening(groups, tokens)  # "Born in Kraków, Jan Nowak moved ... to work at CERN"
    aside_of: list[_Span] | None = None  # the name an open ", who ..." / ", CEO of ..." is about
    lead_date = _lead_date(dates, tokens, groups)
    links += clause_links(groups, tokens, edge_between) + _couples(groups, tokens)
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
        source = previous
        if aside_of is not None and (between[0].text == "," or _closes_after_date(between)):
            source, aside_of = aside_of, None  # ", who founded Acme, joined Globex": the aside closed
        elif guess.opens_aside:  # ", who met while studying at X," is about the name before, up to its comma
            aside_of = previous
        elif guess.new_clause:
            if subject is None:  # "She worked at Hooli and moved to Lisbon": not Hooli that moved
                continue
            source = subject
        if (
            not guess.reverse
            and _cannot_do(guess.name, source, current)
            and subject
            and not _cannot_do(guess.name, subject, current)
        ):
            source = subject  # ", studied law at X": not the place just named, the sentence's subject
        subject = subject or source
        if post := appointed(between, tokens, current):
            links += [Link(b.name, a.name, "WORKS_AT", None, {"role": post}) for a in source for b in current]
            continue
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


def _closes_after_date(between: list[Token]) -> bool:
    """ ", run by X since 2020, is based in": the comma after the aside's date closes it."""
    comma = next((i for i, t in enumerate(between) if t.text == ","), None)
    return comma is not None and all(
        t.in_date or t.kind == "number" or t.lower in lx.PREPOSITIONS or t.lower == "since" for t in between[:comma]
    )


_UNIONS = {"married": "MARRIED_TO", "engaged": "ENGAGED_TO"}


def _couples(groups: list[list[_Span]], tokens: list[Token]) -> list[Link]:
    """ "ben and sara got engaged", "Ana and Luis are married": the two of a pair, to each other."""
    links = []
    for group in groups:
        if len(group) != 2 or any(s.type not in ("Person", GENERIC_TYPE) or _other_reference(s) for s in group):
            continue
        after = [t.lower for t in tokens[group[-1].end : group[-1].end + 4]]
        verb = next((i for i, w in enumerate(after) if w in _UNIONS), None)
        if verb is None or not all(
            w in lx.AUXILIARIES
            or w in lx.ADVERBS
            or w in ("got", "get", "gets", "getting", "are", "were", "is", "have", "had", "been")
            for w in after[:verb]
        ):
            continue
        links.append(Link(group[0].name, group[1].name, _UNIONS[after[verb]]))
    return links


def _other_reference(span: _Span) -> bool:
    """A word standing for a name other than the speaker's ("he", "they"): too loose to marry anyone."""
    return span.reference and span.strength != FORMAT


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
    Lisbon, and "runs" is about the fund; "Taiwan's Sunrise Optics" is in Taiwan. Returns the links these state and the
    positions of the tokens the verb phrases between names leave out.
    """
    links: list[Link] = []
    skipped: set[int] = set()
    for index, (a, b) in enumerate(zip(spans, spans[1:])):
        if a.reference or b.reference or a.modifier:
            continue
        between = tokens[a.end : b.first]
        words = [t.lower for t in between]
        post = _post(words)
        if post and a.type in ("Organization", GENERIC_TYPE) and b.type in ("Person", GENERIC_TYPE):
            people = _coordinated(spans, index + 1, tokens)
            relation = post
            if a.first > 0 and tokens[a.first - 1].lower in ("former", "ex"):
                relation = "WORKED_AT" if relation == "WORKS_AT" else relation
            at_least_organization([a])
            for person in people:
                if person.strength < DEFINITE:
                    person.type, person.strength = "Person", max(person.strength, CONTEXT)
                links.append(Link(person.name, a.name, relation))
        elif (
            _kind_of_organisation(between)
            and (a.type == "Location" or (a.type == GENERIC_TYPE and a.strength < CONTEXT))
            and b.type in ("Organization", GENERIC_TYPE)
        ):
            links.append(Link(b.name, a.name, "LOCATED_IN"))  # "Berlin audio startup Wavefold", "the Porto startup"
            if a.type == GENERIC_TYPE:
                a.type, a.strength = "Location", CONTEXT
            if b.strength < CONTEXT:
                b.type, b.strength = "Organization", CONTEXT
        elif (
            not words
            and a.type == "Location"
            and tokens[a.end - 1].possessive
            and b.type in ("Organization", GENERIC_TYPE)
            and (a.name.lower() in lx.LOCATIONS or a.name.lower() in gazetteer.place_names())
        ):
            links.append(Link(b.name, a.name, "LOCATED_IN"))  # "Taiwan's Sunrise Optics", "Oslo's Trellis"
        elif (
            words in ([",", "a"], [",", "an"])
            and b.type == "Location"
            and (kind := _kind_length(tokens, b.end))
            and a.type in ("Organization", GENERIC_TYPE)
        ):
            # "Verdant Seeds, a Nairobi agritech startup,": the name before is an organisation there
            links.append(Link(a.name, b.name, "LOCATED_IN"))
            at_least_organization([a])
            b.modifier = True
            skipped.update(t.start for t in tokens[b.first : b.end + kind])
            continue
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


def _post(words: list[str]) -> str | None:
    """ "graduates", "engineer", "chief executive", "senior vice president": a post written between an
    organisation and a person, and the relation it gives the person."""
    if not 1 <= len(words) <= 3 or words[-1] not in lx.AFFILIATION_NOUNS and words[-1] not in _POST_HEADS:
        return None
    if any(w not in _POST_MODIFIERS for w in words[:-1]):
        return None
    if words in (["chief", "executive"], ["chief", "executive", "officer"], ["ceo"]):
        return "CEO_OF"
    if words[-1] in ("founder", "co-founder"):
        return "FOUNDED"
    return lx.AFFILIATION_NOUNS.get(words[-1], "WORKS_AT")


# Words that, with a title's last word, make a post written between an organisation and a person
# ("Klangbox chief executive Sofia Lindqvist", "Acme senior vice president Jo Park").
_POST_MODIFIERS = frozenset(
    "chief senior junior vice deputy executive managing general lead principal staff technology technical "
    "financial operating marketing product software data research sales design creative".split()
)
_POST_HEADS = frozenset("officer president director manager head chairman chairwoman founder co-founder".split())


def _kind_of_organisation(between: list[Token]) -> bool:
    """ "audio startup", "software maker": lower-case words ending in a kind of organisation."""
    words = [t.text for t in between]
    return (
        1 <= len(words) <= 3
        and all(w.replace("-", "").isalpha() and w.islower() for w in words)  # "start-up"
        and words[-1] in lx.ORGANIZATION_REFERENCES
    )


def _kind_length(tokens: list[Token], at: int) -> int:
    """How many lower-case words from `at` name a kind of organisation ("agritech startup"), or 0."""
    for size in (1, 2, 3):
        if _kind_of_organisation(tokens[at : at + size]):
            return size
    return 0


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
        "and"
        if b.first < a.end or _and_i(a, b, tokens[a.end : b.first])  # "They": several names at one place
        else None
        if a.reference != b.reference
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


def _and_i(a: _Span, b: _Span, between: list[Token]) -> bool:
    """ "Sam and I", "He and his wife Hana": a name joined to a word standing for someone ("worked for Acme,
    and she is" opens a new clause)."""
    words = [t.lower for t in between]
    if b.reference and b.strength == FORMAT and words == ["and"]:
        return True  # the chat's speaker
    kin = words[1:] in ([], ["his", "wife"], ["her", "husband"]) or (
        len(words) == 3 and words[1] in ("his", "her", "their") and words[2] in lx.KIN_WORDS
    )
    return a.reference and a.type == "Person" and not b.reference and words[:1] == ["and"] and kin


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
