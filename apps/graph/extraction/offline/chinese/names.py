"""The names of a Chinese sentence: jieba's tagged names, organisations joined from a proper noun and
a suffix (腾讯 + 公司), names introduced or described (名叫优创科技, 医疗器械公司康华医疗), pronouns
standing for the topic, and a place that locates the organisation after it (杭州康宁医药)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from apps.graph.extraction.offline import chinese_words as cw
from apps.graph.extraction.offline import gazetteer
from apps.graph.extraction.offline import lexicon as lx
from apps.graph.extraction.offline.analysis import (
    CONTEXT,
    DEFINITE,
    FORMAT,
    GAZETTEER,
    LISTED,
    UNKNOWN,
    Link,
)
from apps.graph.extraction.offline.chinese.tokens import _CLAUSE_BREAKS, _DESCRIBING, _NAMING, _SKIPPED, _Word
from apps.graph.extraction.offline.chinese_words import KNOWN_ORGANIZATIONS, ORG_SUFFIXES, VERB_EDGES
from apps.graph.extraction.types import GENERIC_TYPE

_PRONOUNS = frozenset("他 她 他们 她们 其".split())
# Words for the two or more people named before: 两人住在北京, 夫妻俩, 他们.
PLURAL_PRONOUNS = frozenset("他们 她们 两人 二人 夫妻俩 两口子 夫妻二人".split())
# Those jieba does not already give as one pronoun word (两/m 人/n, 夫妻俩).
_PLURAL_WORDS = PLURAL_PRONOUNS - _PRONOUNS


_QUANTIFIED = re.compile(r"^[一两几这那该每某各][家个所间位名]?$|^\d+[家个所间]$")


@dataclass
class _Name:
    first: int  # token indices, end exclusive
    end: int
    name: str
    type: str
    strength: int
    pronoun: bool = False  # a 他/她 standing for the topic
    modifier: bool = False  # a place describing the organisation after it (杭州康宁医药)


def owned_organisations(words: list[_Word], names: list[_Name]) -> list[Link]:
    """星河集团旗下的远航物流: the organisation after 旗下(的) belongs to the one before, which takes no other
    part in the clause."""
    links = []
    for owner, owned in zip(names, names[1:]):
        between = [w.text for w in words[owner.end : owned.first] if w.flag != _DESCRIBING]
        if owner.type == "Organization" and owned.type == "Organization" and between in (["旗下"], ["旗下", "的"]):
            links.append(Link(owned.name, owner.name, "SUBSIDIARY_OF"))
            owner.modifier = True
            for index in range(owner.first, owned.first):
                words[index] = _Word(words[index].text, _SKIPPED)
    return links


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


def _placed_places(words: list[_Word], names: list[_Name]) -> list[Link]:
    """福建宁德, 印度班加罗尔: a place written right before another names the region the second is in;
    the second is the place meant, and the region takes no other part."""
    links = []
    for region, place in zip(names, names[1:]):
        if region.type != "Location" or place.type != "Location" or region.pronoun or region.end != place.first:
            continue
        links.append(Link(place.name, region.name, "LOCATED_IN"))
        region.modifier = True
        for index in range(region.first, region.end):
            words[index] = _Word(words[index].text, _SKIPPED)
    return links


# Where a place is said to be: before "<region> <place>" these make a name jieba tags as a person's or
# a common noun (在匈牙利塞格德, 老家在安徽合肥, 在湖南涟源创立) the place inside the region.
_BEFORE_PLACE = frozenset(
    "在 于 位于 到 去 赴 来自 生于 出生 老家 家乡 设在 设于 地处 坐落 搬到 搬往 移居 常驻".split()
)
_INNER_PLACE_FLAGS = frozenset("ns nr nrt nrfg n".split())
_PREMISES = tuple("室 部 厂 中心 店 馆 处 行 楼 厦 所 家 里 村 区 地 园 校 舍".split())


def _inner_place(words: list[_Word], index: int, names: list[_Name]) -> _Name | None:
    """The place after a region that follows a word saying where (在福建宁德): its name, typed a Location."""
    if not names or names[-1].type != "Location" or names[-1].end != index or names[-1].end - names[-1].first != 1:
        return None
    word, region_at = words[index], names[-1].first
    if word.flag not in _INNER_PLACE_FLAGS or not 2 <= len(word.text) <= 4 or word.text in cw.KIN_WORDS:
        return None
    if word.text in cw.PLACE_VERBS:  # 在西安长大
        return None
    if region_at == 0 or words[region_at - 1].text not in _BEFORE_PLACE:
        return None
    following = words[index + 1] if index + 1 < len(words) else None
    if following is not None and not (
        following.text in _CLAUSE_BREAKS or following.text in ("。", "的") or following.flag.startswith(("v", "p", "x"))
    ):
        return None  # 在德国混凝土泵制造商: a noun describing what follows, not a place
    if word.text.endswith(ORG_SUFFIXES) or (word.flag == "n" and word.text.endswith(_PREMISES)):
        return None  # 常驻上海办公室: a room in the city, not a place within it
    return _Name(index, index + 1, word.text, "Location", CONTEXT)


def _names(
    words: list[_Word], speaker: str | None, organization: str | None, known: frozenset[str] = frozenset()
) -> list[_Name]:
    names: list[_Name] = []
    index = 0
    while index < len(words):
        if again := _named_before(words, index, known):
            names.append(again)
            index = again.end
            continue
        if index > 0 and words[index - 1].flag == _NAMING and (introduced := _introduced(words, index)):
            names.append(introduced)
            index = introduced.end
            continue
        # 公司位于南山区, 阿里巴巴宣布，公司将在新加坡设立…: the organisation named last, before in the
        # sentence (when 公司 opens a clause after a comma) or in an earlier one.
        if words[index].text in cw.ORG_NOUNS and _opens_clause(words, index):
            after_comma = index > 0 and words[index - 1].text in _COMMAS
            named = [n.name for n in names if n.type == "Organization"] if after_comma else []
            if named or organization:
                names.append(_Name(index, index + 1, named[-1] if named else organization, "Organization", UNKNOWN))
                index += 1
                continue
        if described := _described(words, index):
            names += described
            index = described[-1].end
            continue
        if person := _person_split(words, index):
            names.append(person)
            index = person.end
            continue
        if inner := _inner_place(words, index, names):
            names.append(inner)
            index = inner.end
            continue
        if plural := _plural_at(words, index):
            names.append(plural)
            index = plural.end
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
            # 智能家居/nr 企业 栖梧科技, 传感器厂商芯澜微电子: the words up to a kind of company describe the name
            # after them, which is the organisation.
            heads = [i for i in range(index, org_end - 1) if words[i].text.endswith(cw.DESCRIPTION_HEADS)]
            if heads and org_end - heads[-1] > 2:
                for at in range(index, heads[-1] + 1):
                    words[at] = _Word(words[at].text, _DESCRIBING)
                index = heads[-1] + 1
            found: _Name | None = _Name(
                index, org_end, "".join(w.text for w in words[index:org_end]), "Organization", DEFINITE
            )
        else:
            found = _listed_place(words, index) or _name_at(words[index], index, speaker)
        if found is None:
            index += 1
            continue
        names.append(_bought(words, found))
        index = names[-1].end
    return names


def _named_before(words: list[_Word], index: int, known: frozenset[str]) -> _Name | None:
    """速达网络由王海涛创立: an organisation an earlier sentence named, however jieba cuts it this time."""
    for end in range(min(index + 4, len(words)), index + 1, -1):
        if "".join(w.text for w in words[index:end]) in known:
            return _Name(index, end, "".join(w.text for w in words[index:end]), "Organization", CONTEXT)
    return None


def _person_split(words: list[_Word], index: int) -> _Name | None:
    """徐/nr 建国/ns, 张/q 振华/nz: jieba cut a name after its one-character surname; the two are one person.

    A surname jieba tags as another word counts only before a proper noun, not after a number (一张)
    and not where it is a function word (向雷军汇报).
    """
    if index + 1 >= len(words) or len(words[index].text) != 1:
        return None
    given = words[index + 1]
    if words[index].flag != "nr" and not (
        words[index].text in cw.SURNAMES
        and words[index].flag[:1] not in ("p", "d", "r", "m", "c", "u")  # 向/p 雷军: "to", not a surname
        and given.flag in ("nr", "nz")
        and (index == 0 or words[index - 1].flag != "m")
    ):
        return None
    if given.flag not in ("ns", "n", "nr", "ng", "nz") or not 1 <= len(given.text) <= 2 or given.text in cw.KIN_WORDS:
        return None
    return _Name(index, index + 2, words[index].text + given.text, "Person", CONTEXT)


def _described(words: list[_Word], index: int) -> list[_Name]:
    """深圳物流软件公司速达网络, 医疗器械公司康华医疗, 芯片设计公司锐芯科技: common nouns ending in a kind of organisation describe
    the name after them, which is the organisation (located in the place before them, if any)."""
    start = index + 1 if words[index].flag == "ns" else index
    end = start
    while end < min(start + 4, len(words)) and words[end].flag in ("n", "vn", "l"):  # 芯片/n 设计/vn 公司/n
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
    """The name after a description: words up to an organisation suffix (速达 + 网络, 沐瞳 + 科技), a proper noun and
    a noun (康华 + 医疗), or a foreign name (普茨 + 迈斯特); a person's name alone or a role (公司总裁) is
    no organisation."""
    end = start
    while end < min(start + 3, len(words)) and (
        words[end].flag in ("n", "ng", "nr", "nrt", "nz", "j", "eng", "v") or words[end].text in ORG_SUFFIXES
    ):
        if words[end].text in cw.AFTER_SUFFIX:
            break
        end += 1
    run = words[start:end]
    suffixed = [i for i, w in enumerate(run) if w.text in ORG_SUFFIXES]
    if len(run) >= 2 and suffixed and suffixed[-1] > 0:
        return start + suffixed[-1] + 1
    if any(w.flag == "v" for w in run):
        return None  # 沐瞳/v 科技 is a name; 公司发布/v 产品 is not
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
    if found.type == "Location" and found.end < len(words) and words[found.end].text == "的":
        return found  # 收购了苏州的芯动半导体: the place of what was bought
    end = found.end
    while end < min(found.end + 2, len(words)) and words[end].flag == "n":
        end += 1
    name = "".join(w.text for w in words[found.first : end])
    return _Name(found.first, end, name, "Organization", CONTEXT)


def _plural_at(words: list[_Word], index: int) -> _Name | None:
    """两/m 人/n, 夫妻/n 二人/nrt, 夫妻俩: the people named before, as one pronoun."""
    for size in (2, 1):
        text = "".join(w.text for w in words[index : index + size])
        if len(words) - index >= size and text in _PLURAL_WORDS:
            return _Name(index, index + size, text, "Person", UNKNOWN, pronoun=True)
    return None


_BEFORE_TOWN = _BEFORE_PLACE | frozenset("定居 生于 出生于 迁往 前往".split())
_COMMAS = frozenset("， , ； ;".split())


def _listed_place(words: list[_Word], index: int) -> _Name | None:
    """定居柏林/nr, 生于大连/d: a town on GeoNames' list that jieba takes for someone or for another word,
    where it is tagged as a name or follows a word saying where. A three-character name opening with a
    surname stays a person (马德里 is tagged a place anyway)."""
    word = words[index]
    if word.flag == "ns" or word.text not in gazetteer.chinese_places():
        return None
    named = word.flag in ("nr", "nrt", "nz", "nrfg")
    placed = index > 0 and words[index - 1].text in _BEFORE_TOWN
    if not (named or placed) or (named and len(word.text) >= 3 and word.text[0] in cw.SURNAMES):
        return None
    return _Name(index, index + 1, word.text, "Location", LISTED)


def _name_at(word: _Word, index: int, speaker: str | None) -> _Name | None:
    if word.text in cw.KIN_WORDS or word.text in cw.PLACE_VERBS:  # jieba tags 哥哥 and 长大 as places
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
    if flag == "nz" and word not in cw.REPORT_TO[1] and word not in cw.NOT_NAMES:  # (jieba tags 汇报 nz too)
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
    if not (
        first.flag in ("nr", "nrt", "nz", "ns", "nt", "j", "eng")
        or first.text in KNOWN_ORGANIZATIONS
        or _placed_common_noun(words, index)
    ):
        return None
    for end in range(index + 1, min(index + 5, len(words))):
        if _is_suffix(words[end].text):
            return _longest_suffix(words, end) + 1
        if not words[end].flag.startswith(("n", "l")):
            return None
    return None


# Words after which a common noun + an organisation suffix is a name (在星展银行工作, 他是星辰资本的合伙人).
_BEFORE_ORGANISATION = frozenset("在 于 加入 是 收购 由 到 离开 从 为".split()) | cw.POST_VERBS  # 担任天府出版社主编
# The flags of the words jieba makes of a name it does not know: 星展/n, 锐/nr 芯/ng, 沐瞳/v, 华润/nz, 睿康/a.
_BRAND_FLAGS = frozenset("n ng nr nz v vn j a".split())


def _placed_common_noun(words: list[_Word], index: int) -> bool:
    """星展/n 银行, 锐/nr 芯/ng 科技, 沐瞳/v 科技: jieba knows a name's words only as common words; where an
    organisation is expected (after 在, 加入, 是 …, after a place and 的, after a description ending in 公司,
    or opening the sentence before a verb) two to four characters and a suffix are a name."""
    brand = 0
    end = index
    while end < min(index + 2, len(words)) and _brand_word(words[end]):
        brand += len(words[end].text)
        end += 1
        if end < len(words) and _is_suffix(words[end].text) and 2 <= brand <= 4:
            break
    else:
        return False
    if index == 0:
        after = words[end + 1] if end + 1 < len(words) else None
        return after is not None and (after.flag.startswith(("v", "p")) or after.text == "旗下")
    before = words[index - 1]
    if before.text == "的":  # 位于武汉的光谷微电子, 星河集团旗下的远航物流; but 总部在北京的游戏公司 only describes
        return (
            index > 1
            and (words[index - 2].flag == "ns" or words[index - 2].text == "旗下")
            and not words[end].text.endswith(cw.DESCRIPTION_HEADS)
        )
    return before.text in _BEFORE_ORGANISATION or before.flag == _DESCRIBING


def _brand_word(word: _Word) -> bool:
    text = word.text
    return (
        word.flag in _BRAND_FLAGS
        and text not in cw.ROLE_EDGES
        and text not in cw.KIN_WORDS
        and text not in VERB_EDGES
        and text not in cw.POST_VERBS
        and not _is_suffix(text)
    )


def _is_suffix(text: str) -> bool:
    """科技, and 微电子 (an industry word jieba keeps with the character before it)."""
    return text in ORG_SUFFIXES or (len(text) == 3 and text[1:] in ORG_SUFFIXES)


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
