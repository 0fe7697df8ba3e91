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

from apps.graph.extraction.naming import PAST_FORMS, expects
from apps.graph.extraction.offline import chinese_words as cw
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
from apps.graph.extraction.offline.chinese_words import KNOWN_ORGANIZATIONS, ORG_SUFFIXES, PLACE_VERBS, VERB_EDGES
from apps.graph.extraction.offline.dates import find_dates
from apps.graph.extraction.types import GENERIC_TYPE

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
                for name in sorted(KNOWN_ORGANIZATIONS):
                    jieba.add_word(name, freq=100_000, tag="nt")
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
    sentence_subject: _Name | None = None  # a clause with none continues the sentence's (饿了么……，由张旭豪创立)
    for clause in _clauses(words, names):
        subject, written = _subject(clause, words, topic, sentence_subject)
        if subject is not None and written:
            sentence_subject = sentence_subject or subject
            if subject.type == "Person":
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
            return _longest_suffix(words, end) + 1
        if not words[end].flag.startswith(("n", "l")):
            return None
    return None


_LEGAL_FORMS = frozenset("有限 有限责任 股份 股份有限".split())


def _longest_suffix(words: list[_Word], end: int) -> int:
    """小米 + 科技 + 有限责任 + 公司: past an industry word, the legal form belongs to the name too."""
    last = end
    for index in range(end + 1, min(end + 4, len(words))):
        text = words[index].text
        if text in ORG_SUFFIXES:
            last = index
        elif text not in _LEGAL_FORMS:
            break
    return last


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


def _subject(
    clause: list[_Name], words: list[_Word], topic: str | None, sentence_subject: _Name | None = None
) -> tuple[_Name | None, bool]:
    """The clause's subject, and whether it is written out (not a pronoun or left implicit).

    The first name is the subject when nothing but adverbs and dates precede it;
    otherwise (在上海工作, 他住在深圳) the subject is the topic.
    """
    first = clause[0]
    start = _clause_start(words, first.first)
    introduced = any(_is_verb(w) or w.flag == "p" for w in words[start : first.first])
    if not first.pronoun and not introduced:
        return first, True
    if not first.pronoun and sentence_subject is not None:
        return _Name(start, start, sentence_subject.name, sentence_subject.type, UNKNOWN), False
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
    links: list[Link] = _married_groups(groups, words, valid_at)
    for previous, current in zip(groups, groups[1:]):
        edge = _edge(words, previous[-1].end, current[0], current[-1].end)
        if edge is None:
            continue
        name, attributes = edge
        source, target = previous, current
        if attributes.pop("reverse", None):
            source, target = current, previous
        elif subject is not None and previous[0] is not subject and _needs_person(name, previous[-1]):
            source = [subject]  # 从南京搬到了上海: it is the subject who moved, not 南京
        links += [
            Link(a.name, b.name, name, valid_at, dict(attributes)) for a in source for b in target if a.name != b.name
        ]
    return links


def _needs_person(edge: str, name: _Name) -> bool:
    return expects(edge)[0] == "Person" and name.type in ("Location", "Organization")


def _married_groups(groups: list[list[_Name]], words: list[_Word], valid_at: datetime | None) -> list[Link]:
    """她和刘洋于2019年结婚: the names of one group married each other."""
    links = []
    for group in groups:
        after = words[group[-1].end : group[-1].end + 6]
        if len(group) >= 2 and any(w.text in cw.MARRY_WORDS for w in after):
            links += [Link(group[0].name, other.name, "MARRIED_TO", valid_at) for other in group[1:]]
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
    edge = _edge_in(between, words, target, target_end)
    if edge is not None and any(w.text in cw.PAST_MARKERS for w in words[max(0, gap_start - 2) : target.first]):
        return PAST_FORMS.get(edge[0], edge[0]), edge[1]
    return edge


def _edge_in(
    between: list[_Word], words: list[_Word], target: _Name, target_end: int
) -> tuple[str, dict[str, str]] | None:
    texts = [w.text for w in between]
    if pattern := _pattern_edge(texts, words, target, target_end):
        return pattern if pattern[0] else None
    verbs = [w for w in between if _is_verb(w)]
    if not verbs:
        return _place_verb_edge(between, words, target, target_end)
    mapped = [w for w in verbs if w.text in VERB_EDGES]
    if mapped:
        if _modifies_a_noun(words, target_end):
            return None  # 投资了一家位于新加坡的游戏公司: the company is in Singapore, not the investor
        return _located(VERB_EDGES[mapped[-1].text], target), {}
    verb = verbs[-1].text
    if verb == "是":  # 陈静是阿里巴巴集团的工程师: a role at the organisation
        role = _role_after(words, target_end)
        if role in cw.FOUNDER_ROLES:
            return "FOUNDED", {}
        return ("WORKS_AT", {"role": role}) if role and target.type == "Organization" else None
    return "RELATED_TO", {"verb": verb}


def _pattern_edge(
    texts: list[str], words: list[_Word], target: _Name, target_end: int
) -> tuple[str, dict[str, str]] | None:
    """Relations stated by a pattern rather than one verb between the names."""
    after = [w.text for w in words[target_end : target_end + 4]]
    if texts and texts[-1] == cw.PASSIVE_AGENT:  # 由张一鸣创办: 张一鸣 founded the subject
        verb = next((w for w in after if w in VERB_EDGES), None)
        return (VERB_EDGES[verb], {"reverse": "yes"}) if verb else None
    if texts and texts[-1] == cw.MOVE_FROM and any(VERB_EDGES.get(w) == "MOVED_TO" for w in after):
        return "MOVED_FROM", {}  # 从南京搬到了上海
    if texts and texts[-1] == cw.REPORT_TO[0] and any(w in cw.REPORT_TO[1] for w in after):
        return "REPORTS_TO", {}  # 向刘总汇报
    if "是" in texts and any(t in cw.SPOUSE_WORDS for t in texts) and target.type in ("Person", GENERIC_TYPE):
        return "MARRIED_TO", {}  # 他的妻子是张瑛
    if any(t in cw.HOMETOWN_WORDS for t in texts) and target.type == "Location":
        return "COMES_FROM", {}  # 她老家在西安
    if any(t in cw.TITLE_VERBS for t in texts):
        if target.type not in ("Organization", GENERIC_TYPE):
            return "", {}  # 担任华东区销售总监: a post, not a relation with the region
        role = next((w.text for w in words[target_end : target_end + 2] if w.flag.startswith("n")), None)
        return "WORKS_AT", ({"role": role} if role else {})  # 现任联想集团董事长
    return None


def _modifies_a_noun(words: list[_Word], index: int) -> bool:
    """ "<verb> <name> 的 <noun>": a relative clause describing the noun."""
    return index + 1 < len(words) and words[index].text == "的" and words[index + 1].flag.startswith(("n", "v"))


def _place_verb_edge(
    between: list[_Word], words: list[_Word], target: _Name, target_end: int
) -> tuple[str, dict[str, str]] | None:
    """张伟在北京大学工作: the preposition before the name, the verb after it."""
    if not between or any(w.text not in _LOCATIVES and w.flag not in ("m", "t", "d", "x", "f") for w in between):
        return None
    after = words[target_end : target_end + 2]
    verb = next((w.text for w in after if w.text in PLACE_VERBS), None)
    return (_located(PLACE_VERBS[verb], target), {}) if verb else None


def _located(edge: str, target: _Name) -> str:
    # "works in Shanghai", but "works at Peking University".
    return "WORKS_IN" if edge == "WORKS_AT" and target.type == "Location" else edge


def _role_after(words: list[_Word], index: int) -> str | None:
    """陈静是阿里巴巴集团的(高级)工程师: the noun after 的, past one modifier."""
    if index + 1 >= len(words) or words[index].text != "的":
        return None
    for word in words[index + 1 : index + 3]:
        if word.flag.startswith("n"):
            return word.text
        if word.flag not in ("b", "a", "ad", "an"):
            return None
    return None
