"""Sentences and tokens of English text, with just enough knowledge of abbreviations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from apps.graph.extraction.offline import lexicon as lx
from apps.graph.extraction.offline.dates import DateSpan

_TOKEN = re.compile(
    r"(?P<initials>(?:[A-Za-z]\.){2,})"  # U.S., U.K.
    r"|(?P<word>[^\W\d_](?:[\w&'’-]*\w)?(?:(?<=s)['’](?!\w))?)"  # "Textiles'": the possessive of a plural
    r"|(?P<number>\d(?:[\d.,:/]*\d)?)"
    r"|(?P<punct>[^\w\s])"
)
_POSSESSIVE = re.compile(r"['’]s$|(?<=s)['’]$")
# Full month and weekday names are dates, never names; "Jan" or "May" alone may be a person.
_CALENDAR_WORDS = frozenset(m for m in lx.MONTHS if len(m) > 3 and m != "sept") | lx.WEEKDAYS
_FIRST_PERSON = frozenset({"I", "I'm", "I've", "I'll", "I'd", "I’m", "I’ve", "I’ll", "I’d"})


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    kind: str  # "word", "initials", "number" or "punct"
    in_date: bool = False

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def possessive(self) -> bool:
        return self.kind == "word" and bool(_POSSESSIVE.search(self.text))

    @property
    def bare(self) -> str:
        """Lower case without a possessive or an abbreviation's period: "Corp." -> "corp"."""
        return _POSSESSIVE.sub("", self.lower).rstrip(".")


def tokenize(sentence: str, dates: Sequence[DateSpan]) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN.finditer(sentence):
        kind = match.lastgroup or "punct"
        start, end = match.span()
        if kind == "punct" and match.group() == "." and tokens and _takes_period(tokens[-1], start):
            previous = tokens.pop()  # "Corp." and "Dr." keep their period
            tokens.append(Token(sentence[previous.start : end], previous.start, end, previous.kind, previous.in_date))
            continue
        in_date = any(d.start <= start and end <= d.end for d in dates)
        tokens.append(Token(match.group(), start, end, kind, in_date))
    return tokens


def _takes_period(token: Token, period_at: int) -> bool:
    if token.end != period_at or token.kind != "word":
        return False
    return token.lower in lx.WORD_ABBREVIATIONS or (len(token.text) == 1 and token.text.isupper())


def is_capitalised(token: Token) -> bool:
    if token.kind == "initials":
        return True
    if token.kind != "word" or token.in_date or token.text in _FIRST_PERSON or token.bare in _CALENDAR_WORDS:
        return False
    text = token.text
    return text[0].isupper() or bool(re.match(r"[a-z]+[A-Z]", text))


# --- sentences -------------------------------------------------------------------------

# A line at least this long that stops mid-sentence was wrapped, not ended.
_WRAPPED_LINE_CHARS = 50
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)|\n[ \t]*\n\s*|\n")


def split_sentences(text: str, *, informal: bool = False) -> list[str]:
    """`informal`: chat, where a sentence may start in lower case ("good! working at nvidia")."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if _ends_sentence(text, match, informal=informal):
            sentences.append(text[start : match.end()])
            start = match.end()
    sentences.append(text[start:])
    return [re.sub(r"\s+", " ", s).strip() for s in sentences if s.strip()]


def _ends_sentence(text: str, match: re.Match[str], *, informal: bool = False) -> bool:
    # Look at bounded windows: slicing to the end of a long text per boundary is quadratic.
    following = re.match(r"\s*(\S?)", text[match.end() : match.end() + 200])
    next_char = following.group(1) if following else ""
    if match.group().strip() == "":  # a line break
        # A blank line always ends a sentence; a single break only when the line before
        # looks complete (it ends in punctuation, or is short: a greeting, a heading, a
        # list item) and the next line does not continue it in lower case. Hard-wrapped
        # prose ("worked at\nMaersk") reads on.
        if match.group().count("\n") > 1:
            return True
        line = text[max(0, match.start() - 200) : match.start()].rsplit("\n", 1)[-1].rstrip()
        complete = not line or line[-1] in ".!?:;,)" or len(line) < _WRAPPED_LINE_CHARS
        return complete and not next_char.islower()
    if next_char.islower() and not informal:
        return False
    if match.group().startswith("."):
        word = re.search(r"(\S+)$", text[max(0, match.start() - 100) : match.start()])
        previous = word.group(1).lower().lstrip("\"'(“‘") if word else ""
        if previous in lx.NON_FINAL_ABBREVIATIONS or re.fullmatch(r"[a-z]", previous):
            return False  # "Dr. Chen", "J. Smith"
    return True


# Texting shorthand, spelled out for reading a chat: "hes @ loopbase", "moving 2 palo alto", "jess n wes".
_SHORTHAND = {
    "@": "at", "w": "with", "w/": "with", "n": "and", "u": "you", "ur": "your", "r": "are",
    "hes": "he's", "shes": "she's", "theyre": "they're", "ive": "I've", "bc": "because", "cuz": "because",
    "bro": "brother", "sis": "sister", "fam": "family", "bday": "birthday", "rn": "now",
}  # fmt: skip
_SHORT_WORD = re.compile(r"(?<![\w@/'’.])(?:@|w/|[A-Za-z]+)(?![\w/'’@]|\.\w)")  # not "U.S.", "w/o"
_NUMBER_WORD = re.compile(r"(?<=[a-z] )(2|4)(?= [a-z])")  # "moving 2 palo alto", "love that 4 him"


def spelled_out(sentence: str) -> str:
    """A chat sentence with its texting shorthand written out, for reading only: facts keep the words written."""
    sentence = _NUMBER_WORD.sub(lambda m: "to" if m.group(1) == "2" else "for", sentence)
    return _SHORT_WORD.sub(lambda m: _SHORTHAND.get(m.group(0).lower(), m.group(0)), sentence)
