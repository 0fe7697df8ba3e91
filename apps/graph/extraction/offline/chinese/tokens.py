"""The words of a Chinese sentence as jieba cuts and tags them, re-split where jieba keeps two words
as one (公司总裁, 本科毕业), and the flags this package gives words no edge is read from."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from apps.graph.extraction.offline import chinese_words as cw
from apps.graph.extraction.offline.chinese_words import KNOWN_ORGANIZATIONS, ORG_SUFFIXES

_CLAUSE_BREAKS = frozenset("， , ： : “ ” ‘ ’".split())


_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")

_jieba_lock = threading.Lock()
_jieba_ready = False


def _posseg() -> Any:
    """jieba, imported and initialised once, on first use, without its console chatter."""
    global _jieba_ready
    import jieba
    import jieba.posseg

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()  # the dictionary ships inside the package; no download
                for name in sorted(KNOWN_ORGANIZATIONS):
                    jieba.add_word(name, freq=100_000, tag="nt")
                for post in sorted(cw.ROLE_EDGES):  # 前百度高管赵刚: jieba would cut 高 + 管
                    jieba.add_word(post, tag="n")
                for verb in sorted(cw.DEAL_VERBS):  # 启源资本领投了…: jieba would cut 领 + 投
                    jieba.add_word(verb, tag="v")
                _jieba_ready = True
    return jieba.posseg


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


@dataclass(frozen=True)
class _Word:
    text: str
    flag: str


_SKIPPED = "skip"  # the flag of words no edge is read from (a place describing an organisation)
_DESCRIBING = "describing"  # the flag of a description before an organisation's name (物流软件公司)


def _split_suffixes(words: list[_Word]) -> list[_Word]:
    """公司总裁, 公司总部: jieba keeps an organisation suffix and the word after it as one."""
    split: list[_Word] = []
    for word in words:
        suffix = next(
            (x for x in ORG_SUFFIXES if word.text.startswith(x) and word.text[len(x) :] in cw.AFTER_SUFFIX), None
        )
        if suffix is None:
            split.append(word)
        else:
            split += [_Word(suffix, "n"), _Word(word.text[len(suffix) :], "n")]
    return split


def _split_placed_names(words: list[_Word]) -> list[_Word]:
    """美国麻省理工学院/nt -> 美国 + 麻省理工学院; 清华大学建筑学院/nt -> 清华大学 + 建筑学院: the country and
    the school are said apart from the organisation meant."""
    split: list[_Word] = []
    for word in words:
        text = word.text
        country = next((c for c in cw.COUNTRIES if text.startswith(c)), None) if word.flag == "nt" else None
        if country and len(text) - len(country) >= 4:
            split.append(_Word(country, "ns"))
            text = text[len(country) :]
        at = text.find("大学")
        if word.flag == "nt" and 0 < at and at + 2 < len(text) and text.endswith(cw.SCHOOL_UNITS):
            split += [_Word(text[: at + 2], "nt"), _Word(text[at + 2 :], "n")]
        else:
            split.append(_Word(text, word.flag))
    return split


def _split_degrees(words: list[_Word]) -> list[_Word]:
    """本科毕业于四川大学: jieba keeps the degree and the verb as one noun; the verb is 毕业."""
    split: list[_Word] = []
    for word in words:
        degree, verb = word.text[:-2], word.text[-2:]
        if verb == "毕业" and degree in cw.DEGREES:
            split += [_Word(degree, "n"), _Word(verb, "v")]
        else:
            split.append(word)
    return split


# One character jieba sticks to a two-character name: a preposition before it (向雷军汇报) or an
# adverb after it (刘洋曾在华为工作, 王刚也住在北京).
_STUCK_BEFORE = frozenset("向 和 与 跟 被 由 给 对".split())
_STUCK_AFTER = frozenset("曾 也 将 已 还 都 就 又 才 便 却".split())


def _split_stuck(words: list[_Word]) -> list[_Word]:
    """刘洋曾/nr 在, 向雷军/nr 汇报: the name is the two characters, the other one is a word of its own."""
    split: list[_Word] = []
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else None
        if word.flag != "nr" or len(word.text) != 3:
            split.append(word)
        elif word.text[0] in _STUCK_BEFORE and following is not None and following.flag.startswith(("v", "nz", "p")):
            split += [_Word(word.text[0], "p"), _Word(word.text[1:], "nr")]
        elif word.text[-1] in _STUCK_AFTER and following is not None and following.flag in ("p", "v", "d"):
            split += [_Word(word.text[:-1], "nr"), _Word(word.text[-1], "d")]
        else:
            split.append(word)
    return split


def _join_foreign_names(words: list[_Word]) -> list[_Word]:
    """马库斯/nr ·/x 韦伯/nr: a foreign name written with a middle dot is one person's."""
    joined: list[_Word] = []
    for word in words:
        if (
            len(joined) >= 2
            and joined[-1].text in ("·", "•", "・")
            and joined[-2].flag in ("nr", "nrt", "nrfg")
            and word.flag in ("nr", "nrt", "nrfg", "ns")
        ):
            first = joined[-2]
            joined[-2:] = [_Word(first.text + "·" + word.text, "nrt")]
        else:
            joined.append(word)
    return joined


_NAMING = "naming"  # the flag of 名叫/叫做: neither a verb nor a clause break


def _with_names_introduced(words: list[_Word]) -> list[_Word]:
    """ "一家机器人公司，名叫优创科技": one clause, whose naming word the edge reader passes over."""
    kept: list[_Word] = []
    for index, word in enumerate(words):
        following = words[index + 1].text if index + 1 < len(words) else ""
        if word.text in _CLAUSE_BREAKS and following in cw.NAMING_WORDS:
            continue
        kept.append(_Word(word.text, _NAMING) if word.text in cw.NAMING_WORDS else word)
    return kept
