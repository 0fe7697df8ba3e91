"""Chinese sentences -> mentions and edges, using jieba's part-of-speech tags.

jieba tags person names (nr), places (ns) and organisations (nt); names it
misses that end in an organisation suffix (腾讯 + 公司) are joined here. An edge
is the verb between two names (张伟加入了腾讯), or the verb after "在 <place>"
(张伟在北京大学工作). Pronouns (他/她) and subject-less clauses refer to the
sentence's topic, the way Chinese prose drops repeated subjects.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apps.graph.extraction.offline import lexicon as lx
from apps.graph.extraction.offline.analysis import (
    CONTEXT,
    DEFINITE,
    FORMAT,
    GAZETTEER,
    UNKNOWN,
    Link,
    Mention,
    SentenceAnalysis,
)
from apps.graph.extraction.offline.dates import find_dates
from apps.graph.extraction.types import GENERIC_TYPE

ORG_SUFFIXES = (
    "有限责任公司",
    "有限公司",
    "公司",
    "集团",
    "大学",
    "学院",
    "银行",
    "研究院",
    "研究所",
    "医院",
    "协会",
    "基金会",
    "实验室",
    "出版社",
)
# jieba tags some companies as people or common nouns (华为 nr, 百度 n).
KNOWN_ORGANIZATIONS = frozenset(
    "华为 腾讯 阿里巴巴 百度 小米 京东 字节跳动 美团 网易 新浪 联想 比亚迪 滴滴 拼多多 蚂蚁集团".split()
)

# verb -> edge; a verb after "在 <name>" uses _PLACE_VERBS instead.
VERB_EDGES = {
    **dict.fromkeys(("加入", "加盟"), "JOINED"),
    **dict.fromkeys(("创立", "创办", "创建", "成立", "建立", "创始"), "FOUNDED"),
    **dict.fromkeys(("位于", "坐落", "坐落于", "地处"), "LOCATED_IN"),
    **dict.fromkeys(("工作", "任职", "就职", "上班", "担任"), "WORKS_AT"),
    **dict.fromkeys(("学习", "读书", "就读", "上学"), "STUDIED_AT"),
    **dict.fromkeys(("毕业",), "GRADUATED_FROM"),
    **dict.fromkeys(("住", "居住", "生活", "定居"), "LIVES_IN"),
    **dict.fromkeys(("出生", "生于"), "BORN_IN"),
    **dict.fromkeys(("来自",), "COMES_FROM"),
    **dict.fromkeys(("收购", "并购"), "ACQUIRED"),
    **dict.fromkeys(("投资",), "INVESTED_IN"),
    **dict.fromkeys(("领导", "管理", "负责"), "LEADS"),
    **dict.fromkeys(("认识",), "KNOWS"),
    **dict.fromkeys(("见面", "会见", "会面"), "MET"),
    **dict.fromkeys(("嫁给", "娶"), "MARRIED"),
}  # fmt: skip
_PLACE_VERBS = {v for v, e in VERB_EDGES.items() if e in ("WORKS_AT", "STUDIED_AT", "LIVES_IN")}
_COORDINATORS = frozenset("和 与 及 以及 跟 同 、".split())
_LOCATIVES = frozenset("在 于 到".split())
_NEGATIONS = frozenset("不 没 没有 未 并未 从未".split())
_PRONOUNS = frozenset("他 她 他们 她们 其".split())
_CLAUSE_BREAKS = frozenset("， , ： : “ ” ‘ ’".split())
_QUANTIFIED = re.compile(r"^[一两几这那该每某各][家个所间位名]?$|^\d+[家个所间]$")
_MAX_GAP = 8  # tokens between two names; further apart, the verb is not theirs

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
                _jieba_ready = True
    return jieba.posseg


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


@dataclass(frozen=True)
class _Word:
    text: str
    flag: str


@dataclass
class _Name:
    first: int  # token indices, end exclusive
    end: int
    name: str
    type: str
    strength: int
    pronoun: bool = False  # a 他/她 standing for the topic


def analyse(
    sentence: str, *, speaker: str | None = None, topic: str | None = None
) -> tuple[SentenceAnalysis, str | None]:
    """The sentence's mentions and links, and the topic (subject) later sentences may refer to."""
    words = [_Word(w.word, w.flag) for w in _posseg().cut(sentence)]
    names = _names(words, speaker)
    analysis = SentenceAnalysis(text=sentence)
    analysis.mentions = [Mention(n.name, n.type, n.strength) for n in names if not n.pronoun]
    for clause in _clauses(words, names):
        subject, written = _subject(clause, words, topic)
        if subject is not None and written and subject.type == "Person":
            topic = subject.name
        analysis.links += _clause_links(clause, words, subject, _clause_date(words, clause))
    return analysis, topic


def _names(words: list[_Word], speaker: str | None) -> list[_Name]:
    names: list[_Name] = []
    index = 0
    while index < len(words):
        org_end = _organisation_end(words, index)
        if org_end is not None and index > 0 and _QUANTIFIED.match(words[index - 1].text):
            index = org_end  # 一家德国公司, "a German company": names nobody
            continue
        if org_end is not None:
            found: _Name | None = _Name(
                index, org_end, "".join(w.text for w in words[index:org_end]), "Organization", DEFINITE
            )
        else:
            found = _name_at(words[index], index, speaker)
        if found is None:
            index += 1
            continue
        names.append(found)
        index = found.end
    return names


def _name_at(word: _Word, index: int, speaker: str | None) -> _Name | None:
    if word.text in _PRONOUNS:
        return _Name(index, index + 1, word.text, "Person", UNKNOWN, pronoun=True)
    if word.text == "我" and speaker:  # in a conversation, "I" is the speaker
        return _Name(index, index + 1, speaker, "Person", FORMAT)
    return _single_word_name(word.text, word.flag, index)


def _single_word_name(word: str, flag: str, index: int) -> _Name | None:
    if word in KNOWN_ORGANIZATIONS:
        return _Name(index, index + 1, word, "Organization", GAZETTEER)
    if flag == "eng":
        return _english_word(word, index)
    if len(word) < 2:
        return None
    kind = {"nr": "Person", "nrfg": "Person", "ns": "Location", "nt": "Organization"}.get(flag)
    if kind:
        return _Name(index, index + 1, word, kind, DEFINITE)
    if flag == "nrt":  # transliterated foreign names
        return _Name(index, index + 1, word, "Person", CONTEXT)
    if flag == "nz":  # other proper nouns
        return _Name(index, index + 1, word, GENERIC_TYPE, UNKNOWN)
    return None


def _english_word(word: str, index: int) -> _Name | None:
    lowered = word.lower()
    if lowered in lx.KNOWN_ORGANIZATIONS:
        return _Name(index, index + 1, word, "Organization", GAZETTEER)
    if lowered in lx.LOCATIONS:
        return _Name(index, index + 1, word, "Location", GAZETTEER)
    if word[:1].isupper() and len(word) > 1:
        return _Name(index, index + 1, word, GENERIC_TYPE, UNKNOWN)
    return None


def _organisation_end(words: list[_Word], index: int) -> int | None:
    """腾讯 + 公司, 小米 + 科技 + 有限责任 + 公司: a proper noun, up to three nouns, a suffix."""
    first = words[index]
    if (
        first.text.endswith(ORG_SUFFIXES)
        and first.text not in ORG_SUFFIXES
        and first.flag.startswith("n")
        and first.flag != "n"
    ):
        return index + 1  # jieba kept it whole (华为公司 nt)
    if not (first.flag in ("nr", "nrt", "nz", "ns", "nt", "j", "eng") or first.text in KNOWN_ORGANIZATIONS):
        return None
    for end in range(index + 1, min(index + 5, len(words))):
        if words[end].text in ORG_SUFFIXES:
            return end + 1
        if not words[end].flag.startswith(("n", "l")):
            return None
    return None


def _clauses(words: list[_Word], names: list[_Name]) -> list[list[_Name]]:
    """The names of each clause, split at commas and colons."""
    breaks = [i for i, w in enumerate(words) if w.text in _CLAUSE_BREAKS]
    clauses: list[list[_Name]] = [[]]
    for name in names:
        while breaks and breaks[0] < name.first:
            breaks.pop(0)
            clauses.append([])
        clauses[-1].append(name)
    return [c for c in clauses if c]


def _subject(clause: list[_Name], words: list[_Word], topic: str | None) -> tuple[_Name | None, bool]:
    """The clause's subject, and whether it is written out (not a pronoun or left implicit).

    The first name is the subject when nothing but adverbs and dates precede it;
    otherwise (在上海工作, 他住在深圳) the subject is the topic.
    """
    first = clause[0]
    start = _clause_start(words, first.first)
    introduced = any(_is_verb(w) or w.flag == "p" for w in words[start : first.first])
    if not first.pronoun and not introduced:
        return first, True
    if topic is None:
        return None, False
    position = first.first if first.pronoun else start
    return _Name(position, first.end if first.pronoun else start, topic, "Person", UNKNOWN), False


def _clause_date(words: list[_Word], clause: list[_Name]) -> datetime | None:
    start = _clause_start(words, clause[0].first)
    end = next((i for i in range(clause[-1].end, len(words)) if words[i].text in _CLAUSE_BREAKS), len(words))
    dates = find_dates("".join(w.text for w in words[start:end]))
    return dates[0].value if dates else None


def _clause_start(words: list[_Word], index: int) -> int:
    while index > 0 and words[index - 1].text not in _CLAUSE_BREAKS:
        index -= 1
    return index


def _is_verb(word: _Word) -> bool:
    return word.text in VERB_EDGES or word.flag.startswith("v")


def _clause_links(
    clause: list[_Name], words: list[_Word], subject: _Name | None, valid_at: datetime | None
) -> list[Link]:
    names = [n for n in clause if not n.pronoun]
    if subject is not None and (not names or names[0] is not subject):
        names = [subject, *[n for n in names if n.first >= subject.end]]
    groups = _groups(names, words)
    links: list[Link] = []
    for previous, current in zip(groups, groups[1:]):
        edge = _edge(words, previous[-1].end, current[0], current[-1].end)
        if edge is None:
            continue
        name, attributes = edge
        links += [
            Link(a.name, b.name, name, valid_at, dict(attributes))
            for a in previous
            for b in current
            if a.name != b.name
        ]
    return links


def _groups(names: list[_Name], words: list[_Word]) -> list[list[_Name]]:
    groups: list[list[_Name]] = []
    for name in names:
        between = words[groups[-1][-1].end : name.first] if groups else []
        if groups and between and all(w.text in _COORDINATORS for w in between):
            groups[-1].append(name)
        else:
            groups.append([name])
    return groups


def _edge(words: list[_Word], gap_start: int, target: _Name, target_end: int) -> tuple[str, dict[str, str]] | None:
    between = words[gap_start : target.first]
    if len(between) > _MAX_GAP or any(w.text in _NEGATIONS for w in between):
        return None
    verbs = [w for w in between if _is_verb(w)]
    if not verbs:
        return _place_verb_edge(between, words, target, target_end)
    mapped = [w for w in verbs if w.text in VERB_EDGES]
    if mapped:
        return _located(VERB_EDGES[mapped[-1].text], target), {}
    verb = verbs[-1].text
    if verb == "是":  # 陈静是阿里巴巴集团的工程师: a role at the organisation
        role = _role_after(words, target_end)
        return ("WORKS_AT", {"role": role}) if role and target.type == "Organization" else None
    return "RELATED_TO", {"verb": verb}


def _place_verb_edge(
    between: list[_Word], words: list[_Word], target: _Name, target_end: int
) -> tuple[str, dict[str, str]] | None:
    """张伟在北京大学工作: the preposition before the name, the verb after it."""
    if not between or any(w.text not in _LOCATIVES and w.flag not in ("m", "t", "d", "x") for w in between):
        return None
    after = words[target_end : target_end + 2]
    verb = next((w.text for w in after if w.text in _PLACE_VERBS), None)
    return (_located(VERB_EDGES[verb], target), {}) if verb else None


def _located(edge: str, target: _Name) -> str:
    # "works in Shanghai", but "works at Peking University".
    return "WORKS_IN" if edge == "WORKS_AT" and target.type == "Location" else edge


def _role_after(words: list[_Word], index: int) -> str | None:
    if index + 1 < len(words) and words[index].text == "的" and words[index + 1].flag.startswith("n"):
        return words[index + 1].text
    return None
