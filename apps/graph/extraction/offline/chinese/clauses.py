"""The links of a Chinese sentence clause by clause: each clause's subject (written, or the topic
Chinese prose drops), names joined into groups (和, 、), couples and kin within a group, and the
edges between groups."""

from __future__ import annotations

from datetime import datetime

from apps.graph.extraction.naming import expects
from apps.graph.extraction.offline import chinese_words as cw
from apps.graph.extraction.offline.analysis import (
    UNKNOWN,
    Link,
)
from apps.graph.extraction.offline.chinese.edges import _edge, _is_verb
from apps.graph.extraction.offline.chinese.names import _Name
from apps.graph.extraction.offline.chinese.tokens import _CLAUSE_BREAKS, _Word
from apps.graph.extraction.offline.dates import find_dates

_COORDINATORS = frozenset("和 与 及 以及 跟 同 、".split())


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
    # 现任蚂蚁集团副总裁 (jieba tags 现任 a noun), 和丈夫周明住在北京: the name is not who the clause is about.
    introduced = any(
        _is_verb(w) or w.flag == "p" or w.text in cw.TITLE_VERBS or w.text in _COORDINATORS
        for w in words[start : first.first]
    )
    headed = first.first > 0 and words[first.first - 1].text == "的" and first.type != "Location"
    if not first.pronoun and (not introduced or headed):  # 总部位于上海的蔚蓝生物宣布: the head noun
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


def _clause_links(
    clause: list[_Name], words: list[_Word], subject: _Name | None, valid_at: datetime | None
) -> list[Link]:
    names = [n for n in clause if not n.pronoun]
    if subject is not None and (not names or names[0] is not subject):
        names = [subject, *[n for n in names if n.first >= subject.end]]
    groups = _groups(names, words)
    links: list[Link] = _married_groups(groups, words, valid_at) + _kin_in_groups(groups, words, valid_at)
    links += _partnered_groups(groups, words, valid_at)
    for previous, current in zip(groups, groups[1:]):
        edge = _edge(words, previous[-1].end, current[0], current[-1].end)
        if edge is None:
            continue
        name, attributes = edge
        source, target = previous, current
        if attributes.pop("reverse", None):
            source, target = current, previous
        elif (
            subject is not None
            and previous[0] is not subject
            and (_needs_person(name, previous[-1]) or _introduced_by_preposition(words, previous[0]))
        ):
            source = [subject]  # 从南京搬到了上海, 在深圳创立了…: the subject moved and founded, not the place
        links += [
            Link(a.name, b.name, name, valid_at, dict(attributes)) for a in source for b in target if a.name != b.name
        ]
    return links


def _introduced_by_preposition(words: list[_Word], name: _Name) -> bool:
    return name.first > 0 and words[name.first - 1].flag == "p"


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


def _partnered_groups(groups: list[list[_Name]], words: list[_Word], valid_at: datetime | None) -> list[Link]:
    """睿康医疗与浙江大学合作: organisations of one group working together."""
    links = []
    for group in groups:
        after = [w.text for w in words[group[-1].end : group[-1].end + 3]]
        if len(group) >= 2 and any(w in _PARTNERING for w in after) and all(n.type != "Person" for n in group):
            links += [Link(group[0].name, other.name, "PARTNERED_WITH", valid_at) for other in group[1:]]
    return links


_PARTNERING = frozenset("合作 携手 联手 共建".split())


def _kin_in_groups(groups: list[list[_Name]], words: list[_Word], valid_at: datetime | None) -> list[Link]:
    """林涛和妻子王丽住在广州: the kin word between two names of a group relates them."""
    links = []
    for group in groups:
        for before, name in zip(group, group[1:]):
            between = [w.text for w in _without_adverbs(words[before.end : name.first])]
            if len(between) == 2 and between[1] in cw.KIN_WORDS:
                kin = cw.KIN_WORDS[between[1]]
                source, target = (name, before) if kin.startswith("~") else (before, name)
                links.append(Link(source.name, target.name, kin.lstrip("~"), valid_at))
    return links


def _groups(names: list[_Name], words: list[_Word]) -> list[list[_Name]]:
    groups: list[list[_Name]] = []
    for name in names:
        between = words[groups[-1][-1].end : name.first] if groups else []
        if groups and _joined(between):
            groups[-1].append(name)
        else:
            groups.append([name])
    return groups


def _joined(between: list[_Word]) -> bool:
    """和, 、, 以及 join two names; so does 和 + a kin word or a companion (和妻子王丽, 与好友周磊: the two together),
    after a time word or an adverb (后来和丈夫林峰)."""
    texts = [w.text for w in _without_adverbs(between)]
    if len(texts) == 2 and texts[0] in _COORDINATORS and (texts[1] in cw.KIN_WORDS or texts[1] in cw.COMPANION_WORDS):
        return True
    return bool(texts) and all(t in _COORDINATORS for t in texts)


def _without_adverbs(words: list[_Word]) -> list[_Word]:
    """后来和丈夫: the words joining two names, past the time words and adverbs before them."""
    start = 0
    while start < len(words) and words[start].flag in ("t", "d"):
        start += 1
    return words[start:]
