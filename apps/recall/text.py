"""Text for the recall index: words for the lexical index, passages, highlights.

One tokenizer serves indexing and querying, on PostgreSQL and SQLite alike:
Chinese runs are segmented with jieba (so 北京 and 阿里巴巴 are words, not one
run of characters), other text is split on word boundaries, lower-cased and
stemmed with Snowball's English stemmer. The result is a space-separated string that both PostgreSQL's
`simple` configuration and SQLite FTS5's `unicode61` tokenizer take word for
word.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass

import jieba
import snowballstemmer

jieba.setLogLevel(logging.WARNING)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[^\W_]+(?:['’][^\W_]+)*")
_IS_CJK = re.compile(rf"[{_CJK}]")

# Words that occur in nearly every question and passage: kept out of queries,
# where they would match everything (they stay in the index, which costs little).
STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does doing for from had has have having he her
    hers him his how i if in into is it its itself me my myself of on or our ours she so some than that the
    their theirs them then there these they this those to too us very was we were what when where which
    while who whom why will with would you your yours yourself yourselves about any all also just
    s t d ll re ve m don doesn didn isn aren wasn weren hasn haven hadn won wouldn couldn shouldn
    的 了 是 在 和 与 及 或 吗 呢 吧 啊 么 什么 哪 哪里 哪儿 谁 何 怎么 怎样 为什么 几 多少 有 没有 这 那 这个 那个 一个 我 你 他 她 它 我们 你们 他们 吗 呀 过 着 把 被 从 到 对 于 就 都 也 还 又 很 请 问""".split()
)


# Which analysis made a passage's words: recorded with each passage, so that a
# change here is seen as a stale index (check_schema) and `reindex` redoes it.
ANALYZER = "snowball-english-1"
_english = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """Snowball's English stemmer ("paintings", "painted", "painting" -> "paint"); other scripts as they are."""
    if len(word) <= 2 or not word.isalpha() or _IS_CJK.match(word):
        return word
    return _english.stemWord(word)


def _tokens(text: str) -> list[str]:
    """The words of `text` before stemming, case-folded, in order."""
    text = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    for match in _RUN.finditer(text):
        run = match.group().replace("’", "'")
        if _IS_CJK.match(run):
            out.extend(w for w in jieba.cut(run) if w.strip())
        else:
            out.extend(part for part in run.split("'") if part)
    return out


def words(text: str) -> list[str]:
    """The index words of `text`, in order."""
    return [_stem(token) for token in _tokens(text)]


def index_text(text: str) -> str:
    """What the lexical index stores for a passage."""
    return " ".join(words(text))


def query_words(text: str) -> list[str]:
    """The distinct words of a question that are worth looking up, in order (stop words are
    recognised before stemming: "does" is one, its stem "doe" would not be)."""
    seen: dict[str, None] = {}
    for token in _tokens(text):
        word = _stem(token)
        if token not in STOPWORDS and word not in STOPWORDS and word not in seen:
            seen[word] = None
    return list(seen)


# --- passages -------------------------------------------------------------------

# A passage is a few sentences: long enough to carry its context, short enough
# that a hit points at the part of a memory that answers.
PASSAGE_CHARS = 700
OVERLAP_SENTENCES = 1
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；;])[\"'”’)\]]*\s+|(?<=[。！？])|\n\s*\n")


@dataclass(frozen=True)
class Piece:
    start: int  # offset in the memory's content
    text: str


def sentences(text: str) -> list[Piece]:
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if text[start:end].strip():
            pieces.append(Piece(start, text[start:end]))
        start = end
    if text[start:].strip():
        pieces.append(Piece(start, text[start:]))
    # A sentence longer than a passage is cut at word boundaries.
    out = []
    for piece in pieces:
        while len(piece.text) > PASSAGE_CHARS:
            cut = piece.text.rfind(" ", 0, PASSAGE_CHARS)
            cut = cut if cut > PASSAGE_CHARS // 2 else PASSAGE_CHARS
            out.append(Piece(piece.start, piece.text[:cut]))
            piece = Piece(piece.start + cut, piece.text[cut:])
        out.append(piece)
    return out


def split_passages(text: str) -> list[Piece]:
    """Consecutive sentences grouped up to PASSAGE_CHARS; each passage repeats the last sentence of the one before."""
    parts = sentences(text)
    passages: list[Piece] = []
    i = 0
    while i < len(parts):
        j, size = i, 0
        while j < len(parts) and (j == i or size + len(parts[j].text) <= PASSAGE_CHARS):
            size += len(parts[j].text)
            j += 1
        start = parts[i].start
        end = parts[j - 1].start + len(parts[j - 1].text)
        passages.append(Piece(start, text[start:end].strip()))
        if j >= len(parts):
            break
        i = max(j - OVERLAP_SENTENCES, i + 1)
    return passages


# --- highlights -----------------------------------------------------------------


def highlights(snippet: str, query: str) -> list[dict]:
    """Where the query's words occur in `snippet`: [{"start", "end", "text"}], in order, not overlapping."""
    wanted = set(query_words(query))
    if not wanted:
        return []
    found = []
    for match in _RUN.finditer(snippet):
        run = match.group()
        if _IS_CJK.match(run):
            offset = match.start()
            for word in jieba.cut(run):
                if word.casefold() in wanted:
                    found.append(
                        {"start": offset, "end": offset + len(word), "text": snippet[offset : offset + len(word)]}
                    )
                offset += len(word)
        elif any(_stem(part) in wanted for part in run.casefold().replace("’", "'").split("'") if part):
            found.append({"start": match.start(), "end": match.end(), "text": snippet[match.start() : match.end()]})
    return found
