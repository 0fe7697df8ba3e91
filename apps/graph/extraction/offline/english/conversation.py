"""What a whole text says about the names in it: words capitalised mid-sentence, names
a chat types in lower case after a cue ("moved to ottawa"), and the names a sentence speaks to."""

from __future__ import annotations

import re
from collections.abc import Iterable

from apps.graph.extraction.offline import gazetteer
from apps.graph.extraction.offline import lexicon as lx
from apps.graph.extraction.offline.english.names import _at_sentence_start
from apps.graph.extraction.offline.english_edges import looks_like_verb
from apps.graph.extraction.offline.english_words import Token, is_capitalised, tokenize


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


_ADDRESSED = re.compile(
    r"\b(?:"
    + "|".join(sorted(lx.ADDRESSING_WORDS))
    + r")\W+(?P<name>[^\W\d][\w'’-]*(?: [^\W\d][\w'’-]*)?)\s*(?:[,!.?]|$)",
    re.IGNORECASE,
)


def addressed_names(sentence: str) -> frozenset[str]:
    """The names a sentence speaks to ("Thanks, Melanie!"): no "she" later in the turn stands for them."""
    return frozenset(m["name"] for m in _ADDRESSED.finditer(sentence))


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
    r"|(?:i'm|im|i am|we're|she's|he's|she is|he is|is|are|originally|comes|come) from"
    # "hes @ loopbase" (spelled out: "he's at loopbase")
    r"|(?:he's|she's|i'm|im|they're|we're) (?:at|with)"
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
    "this that these those his their our your its one two three she they we you got get advance total row "
    "head post main new old local front back box regional branch sales field".split()
)


def chat_names(sentences: Iterable[str]) -> frozenset[str]:
    """Lower-case words a chat's cues make names: "moved to ottawa", "im from cork", "working at shopify".

    Read over the whole conversation, so a name typed alone elsewhere ("ottawa, we moved there") is one too.
    """
    names = set()
    towns, first_names = gazetteer.places(), gazetteer.first_names()
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
        # "their toronto office", "nah dublin office": a place an organisation works from.
        names.update(m.group(1) for m in _OFFICE_PLACE.finditer(lowered) if _could_name(m.group(1)))
        # "the team is in basel", "my roommate in pune": a town on the large list after a word saying where.
        names.update(m.group(1) for m in _PLACED.finditer(lowered) if m.group(1) in towns and _could_name(m.group(1)))
        # "moving to palo alto", "in jersey city": a town of two words on the list, after a cued first word.
        for word, following in _TWO_WORDS.findall(lowered):
            if word in names and f"{word} {following}" in towns:
                names.add(following)
        # "owen quit accenture", "btw jess started it", "jess and her husband": a census first name opening a
        # clause, before a verb or "and".
        words = _WORD.findall(lowered)
        for at, (word, following) in enumerate(zip(words, words[1:])):
            opens = at == 0 or words[at - 1] in _OPENERS
            if opens and word in first_names and _could_name(word, first_name=True):
                if _verb(following) or following == "and":
                    names.add(word)
            # "her husband wes", "my cousin tariq": a census first name after a word for someone close
            if _close(word) and following in first_names and _could_name(following, first_name=True):
                names.add(following)
    return frozenset(names)


_TWO_WORDS = re.compile(r"\b([a-z][a-z-]{2,}) ([a-z][a-z-]{2,})\b")
_WORD = re.compile(r"[a-z']+|[,;:!?.]")
_OPENERS = frozenset(",;:!?. btw omg and so yeah ya yep lol".split())


def _close(word: str) -> bool:
    return word in lx.KIN_WORDS or word in lx.CHAT_KIN_WORDS or word in lx.CLOSE_PEOPLE


def _verb(word: str) -> bool:
    return (
        word in lx.VERB_EDGES
        or word in lx.IRREGULAR_VERBS
        or word in ("got", "is", "was", "has")
        or (looks_like_verb(word) and word.endswith("ed"))
    )


_PLACED = re.compile(r"\b(?:in|from|near|outside) ([a-z][a-z-]{2,})\b")


_OFFICE_PLACE = re.compile(r"\b(?:the|their|his|her|its|nah|no)\s+([a-z][a-z-]{2,}) office\b")
_LISTED_NAME = re.compile(r"(?:,\s*|\s+and\s+|\s+or\s+)([a-z][a-z-]{2,})\b")


def _could_name(word: str, first_name: bool = False) -> bool:
    """`first_name`: a census first name, which may look like a verb (owen, karen)."""
    if first_name and (word in lx.COMMON_WORD_NAMES or word in lx.VERB_EDGES or word in lx.IRREGULAR_VERBS):
        return False
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
        or (not first_name and (word.endswith(("ing", "ly")) or looks_like_verb(word)))
    )
