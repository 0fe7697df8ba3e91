"""Chinese sentences -> mentions and edges, using jieba's part-of-speech tags.

jieba tags person names (nr), places (ns) and organisations (nt); names it
misses that end in an organisation suffix (腾讯 + 公司) are joined here. An edge
is the verb between two names (张伟加入了腾讯), or the verb after "在 <place>"
(张伟在北京大学工作). Pronouns (他/她) and subject-less clauses refer to the
sentence's topic, the way Chinese prose drops repeated subjects; "公司" opening
a clause refers to the organisation named last.
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
_LOCATIVES = frozenset("在 于 到 去".split())
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
class Topic:
    """Who 他/她 and a subject-less clause stand for, and which organisation 公司 does."""

    person: str | None = None
    organization: str | None = None


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
    modifier: bool = False  # a place describing the organisation after it (杭州康宁医药)


def analyse(sentence: str, *, speaker: str | None = None, topic: Topic | None = None) -> tuple[SentenceAnalysis, Topic]:
    """The sentence's mentions and links, and the topic later sentences may refer to."""
    topic = topic or Topic()
    words = _with_names_introduced(
        _split_degrees(_split_suffixes([_Word(w.word, w.flag) for w in _posseg().cut(sentence)]))
    )
    names = _names(words, speaker, topic.organization)
    analysis = SentenceAnalysis(text=sentence)
    analysis.mentions = [Mention(n.name, n.type, n.strength) for n in names if not n.pronoun]
    analysis.links += _placed_organisations(words, names)
    names = [n for n in names if not n.modifier]
    person = topic.person
    sentence_subject: _Name | None = None  # a clause with none continues the sentence's (饿了么……，由张旭豪创立)
    for clause in _clauses(words, names):
        subject, written = _subject(clause, words, person, sentence_subject)
        if subject is not None and written:
            sentence_subject = sentence_subject or subject
            if subject.type == "Person":
                person = subject.name
        analysis.links += _clause_links(clause, words, subject, _clause_date(words, clause))
    if person is None:  # 今天见了周婷。她……: with no subject written, 她 is the person named
        person = next((n.name for n in names if n.type == "Person" and not n.pronoun), None)
    organizations = [n.name for n in names if n.type == "Organization"]
    return analysis, Topic(person, organizations[-1] if organizations else topic.organization)


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


def _placed_organisations(words: list[_Word], names: list[_Name]) -> list[Link]:
    """杭州康宁医药, 位于上海的蔚蓝生物: the place locates the organisation and takes no other part."""
    links = []
    for place, organisation in zip(names, names[1:]):
        between = [w.text for w in words[place.end : organisation.first] if w.flag != _DESCRIBING]
        if place.type != "Location" or organisation.type != "Organization" or place.pronoun:
            continue
        if between not in ([], ["的"]):
            continue
        links.append(Link(organisation.name, place.name, "LOCATED_IN"))
        place.modifier = True
        for index in range(place.first, organisation.first):
            words[index] = _Word(words[index].text, _SKIPPED)
    return links


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


def _names(words: list[_Word], speaker: str | None, organization: str | None) -> list[_Name]:
    names: list[_Name] = []
    index = 0
    while index < len(words):
        if index > 0 and words[index - 1].flag == _NAMING and (introduced := _introduced(words, index)):
            names.append(introduced)
            index = introduced.end
            continue
        if organization and words[index].text in cw.ORG_NOUNS and _opens_clause(words, index):
            # 公司位于南山区: the organisation named last.
            names.append(_Name(index, index + 1, organization, "Organization", UNKNOWN))
            index += 1
            continue
        if described := _described(words, index):
            names += described
            index = described[-1].end
            continue
        org_end = _organisation_end(words, index)
        if org_end is not None and index > 0 and _QUANTIFIED.match(words[index - 1].text):
            index = org_end  # 一家德国公司, "a German company": names nobody
            continue
        if (
            org_end is not None
            and words[index].flag == "ns"
            and org_end - index >= 3
            and not _registered(words, org_end)
        ):
            # 杭州康宁医药: a place, then the organisation's own name (located there, see _placed_organisations);
            # a registered name keeps its city (北京云图科技有限公司).
            names.append(_Name(index, index + 1, words[index].text, "Location", DEFINITE))
            index += 1
        if org_end is not None:
            found: _Name | None = _Name(
                index, org_end, "".join(w.text for w in words[index:org_end]), "Organization", DEFINITE
            )
        else:
            found = _name_at(words[index], index, speaker)
        if found is None:
            index += 1
            continue
        names.append(_bought(words, found))
        index = names[-1].end
    return names


def _described(words: list[_Word], index: int) -> list[_Name]:
    """深圳物流软件公司速达网络, 医疗器械公司康华医疗: common nouns ending in a kind of organisation describe
    the name after them, which is the organisation (located in the place before them, if any)."""
    start = index + 1 if words[index].flag == "ns" else index
    end = start
    while end < min(start + 4, len(words)) and words[end].flag == "n":
        end += 1
        if words[end - 1].text.endswith(cw.DESCRIPTION_HEADS):
            break
    if end == start or not words[end - 1].text.endswith(cw.DESCRIPTION_HEADS):
        return []
    name_end = _described_name_end(words, end)
    if name_end is None:
        return []
    organisation = _Name(end, name_end, "".join(w.text for w in words[end:name_end]), "Organization", CONTEXT)
    for at in range(start, end):
        words[at] = _Word(words[at].text, _DESCRIBING)
    if start == index:
        return [organisation]
    return [_Name(index, index + 1, words[index].text, "Location", DEFINITE), organisation]


def _described_name_end(words: list[_Word], start: int) -> int | None:
    """The name after a description: nouns up to an organisation suffix (速达 + 网络), a proper noun and
    a noun (康华 + 医疗), or a foreign name (普茨 + 迈斯特); a person's name alone or a role (公司总裁) is
    no organisation."""
    end = start
    while end < min(start + 3, len(words)) and words[end].flag in ("n", "nr", "nrt", "nz", "j", "eng"):
        if words[end].text in cw.AFTER_SUFFIX:
            break
        end += 1
    run = words[start:end]
    suffixed = [i for i, w in enumerate(run) if w.text in ORG_SUFFIXES]
    if len(run) >= 2 and suffixed and suffixed[-1] > 0:
        return start + suffixed[-1] + 1
    if len(run) >= 2 and run[0].flag != "n" and run[-1].flag == "n":
        return end
    if run and all(w.flag in ("nrt", "nz", "eng") for w in run):
        return end
    return None


def _registered(words: list[_Word], end: int) -> bool:
    return any(words[i].text in _LEGAL_FORMS or "有限" in words[i].text for i in range(max(0, end - 2), end))


def _introduced(words: list[_Word], index: int) -> _Name | None:
    """The name after 名叫/叫做: nouns up to 的 or a break; an organisation when it ends like one,
    or when what it names is (一家公司，名叫…, 叫做…的公司)."""
    end = index
    while end < min(index + 4, len(words)) and words[end].flag.startswith(("n", "eng", "j", "l")):
        if words[end].text in cw.ORG_NOUNS and end > index:
            break
        end += 1
    if end == index:
        return None
    name = "".join(w.text for w in words[index:end])
    described = [w.text for w in words[max(0, index - 3) : index - 1]] + [w.text for w in words[end : end + 2]]
    if name.endswith(ORG_SUFFIXES) or any(w in cw.ORG_NOUNS or w.endswith(ORG_SUFFIXES) for w in described):
        return _Name(index, end, name, "Organization", DEFINITE)
    return _Name(index, end, name, GENERIC_TYPE, UNKNOWN)


def _opens_clause(words: list[_Word], index: int) -> bool:
    return index == 0 or words[index - 1].text in _CLAUSE_BREAKS or words[index - 1].flag in ("t", "m", "r")


def _bought(words: list[_Word], found: _Name) -> _Name:
    """收购了摩拜单车: what is bought, invested in or joined is an organisation, with the nouns after it."""
    at = found.first - 1
    while at >= 0 and words[at].flag == "ul":  # 了
        at -= 1
    if at < 0 or VERB_EDGES.get(words[at].text) not in ("ACQUIRED", "INVESTED_IN", "JOINED"):
        return found
    if found.type not in ("Location", GENERIC_TYPE) or found.strength > DEFINITE:
        return found
    end = found.end
    while end < min(found.end + 2, len(words)) and words[end].flag == "n":
        end += 1
    name = "".join(w.text for w in words[found.first : end])
    return _Name(found.first, end, name, "Organization", CONTEXT)


def _name_at(word: _Word, index: int, speaker: str | None) -> _Name | None:
    if word.text in cw.KIN_WORDS:  # jieba tags 哥哥 as a place
        return None
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


def _is_verb(word: _Word) -> bool:
    return word.text in VERB_EDGES or word.flag.startswith("v")


def _clause_links(
    clause: list[_Name], words: list[_Word], subject: _Name | None, valid_at: datetime | None
) -> list[Link]:
    names = [n for n in clause if not n.pronoun]
    if subject is not None and (not names or names[0] is not subject):
        names = [subject, *[n for n in names if n.first >= subject.end]]
    groups = _groups(names, words)
    links: list[Link] = _married_groups(groups, words, valid_at) + _kin_in_groups(groups, words, valid_at)
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


def _kin_in_groups(groups: list[list[_Name]], words: list[_Word], valid_at: datetime | None) -> list[Link]:
    """林涛和妻子王丽住在广州: the kin word between two names of a group relates them."""
    links = []
    for group in groups:
        for before, name in zip(group, group[1:]):
            between = [w.text for w in words[before.end : name.first]]
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
    """和, 、, 以及 join two names; so does 和 + a kin word (和妻子王丽: the two together)."""
    texts = [w.text for w in between]
    if len(texts) == 2 and texts[0] in _COORDINATORS and texts[1] in cw.KIN_WORDS:
        return True
    return bool(texts) and all(t in _COORDINATORS for t in texts)


def _edge(words: list[_Word], gap_start: int, target: _Name, target_end: int) -> tuple[str, dict[str, str]] | None:
    between = _after_reporting([w for w in words[gap_start : target.first] if w.flag not in (_SKIPPED, _DESCRIBING)])
    if len(between) > _MAX_GAP or any(w.text in _NEGATIONS for w in between):
        return None
    edge = _edge_in(between, words, target, target_end)
    if edge is not None and any(w.text in cw.PAST_MARKERS for w in words[max(0, gap_start - 2) : target.first]):
        return PAST_FORMS.get(edge[0], edge[0]), edge[1]
    return edge


def _after_reporting(between: list[_Word]) -> list[_Word]:
    """李强说他在蓝海数据工作: what follows 说 + 他 is the fact, and he is its subject."""
    for index in range(len(between) - 1, 0, -1):
        if between[index - 1].text in cw.REPORTING_VERBS and between[index].text in _PRONOUNS | {"自己"}:
            return between[index + 1 :]
    return between


def _edge_in(
    between: list[_Word], words: list[_Word], target: _Name, target_end: int
) -> tuple[str, dict[str, str]] | None:
    texts = [w.text for w in between]
    if pattern := _pattern_edge(texts, words, target, target_end):
        return pattern if pattern[0] else None
    if place := _place_verb_edge(between, words, target, target_end):
        return place  # 在北京大学工作, 去了拼多多做运营
    verbs = [w for w in between if _is_verb(w)]
    if not verbs:
        return None
    mapped = [w for w in verbs if w.text in VERB_EDGES]
    if mapped:
        if _modifies_a_noun(words, target_end):
            return None  # 投资了一家位于新加坡的游戏公司: the company is in Singapore, not the investor
        return _located(VERB_EDGES[mapped[-1].text], target), {}
    verb = verbs[-1].text
    if target.type == "Location" and verb != "是":
        return None  # 会到广州拜访, 在欧洲建设工厂: a visit or a plan somewhere, no standing fact
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
    if texts and texts[-1] == cw.MOVE_FROM and any(w in cw.LEAVE_WORDS for w in after[:2]):
        return ("WORKED_AT" if target.type == "Organization" else "MOVED_FROM"), {}  # 从京东离职
    if texts and texts[-1] == "对" and after[:1] == ["的"] and len(after) > 1 and after[1] in VERB_EDGES:
        return VERB_EDGES[after[1]], {}  # 完成对康宁医药的收购
    if any(t in cw.APPOINTING_WORDS for t in texts) and after[:1] == ["为"] and target.type in ("Person", GENERIC_TYPE):
        role = "".join(after[1:3])  # 任命王建国为首席执行官: he works for the one appointing him
        name = "CEO_OF" if any(t in role for t in cw.CEO_TITLES) else "WORKS_AT"
        return name, {"reverse": "yes", "role": role}
    if texts and texts[-1] == cw.REPORT_TO[0] and any(w in cw.REPORT_TO[1] for w in after):
        return "REPORTS_TO", {}  # 向刘总汇报
    if "是" in texts and any(t in cw.SPOUSE_WORDS for t in texts) and target.type in ("Person", GENERIC_TYPE):
        return "MARRIED_TO", {}  # 他的妻子是张瑛
    if texts and texts[-1] in cw.KIN_WORDS and texts[:-1] in ([], ["的"]) and target.type in ("Person", GENERIC_TYPE):
        kin = cw.KIN_WORDS[texts[-1]]  # 她的丈夫李明, 我女儿小美
        return (kin[1:], {"reverse": "yes"}) if kin.startswith("~") else (kin, {})
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
    if not between or any(
        w.text not in _LOCATIVES and w.flag not in ("m", "t", "d", "x", "f", "ul", _NAMING, _SKIPPED) for w in between
    ):
        return None
    if target_end + 1 < len(words) and words[target_end].text == "的" and words[target_end + 1].text in cw.ORG_NOUNS:
        target_end += 2  # 在一家叫做蓝海数据的公司做数据分析
    after = words[target_end : target_end + 2]
    verb = next((w.text for w in after if w.text in PLACE_VERBS), None)
    if verb:
        return _located(PLACE_VERBS[verb], target), {}
    if after and after[0].text in cw.POST_VERBS and target.type == "Organization":
        return "WORKS_AT", {}  # 在网易公司担任技术总监, 在四川大学当老师
    return None


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
