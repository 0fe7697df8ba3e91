"""The edge between two names of a Chinese clause: the verb between them (张伟加入了腾讯), the verb after
"在 <place>" (张伟在北京大学工作), or a pattern around them (由张一鸣创办, 从南京搬到了上海)."""

from __future__ import annotations

from apps.graph.extraction.naming import PAST_FORMS
from apps.graph.extraction.offline import chinese_words as cw
from apps.graph.extraction.offline.chinese.names import _PRONOUNS, _Name
from apps.graph.extraction.offline.chinese.roles import role_edge
from apps.graph.extraction.offline.chinese.tokens import _CLAUSE_BREAKS, _DESCRIBING, _NAMING, _SKIPPED, _Word
from apps.graph.extraction.offline.chinese_words import PLACE_VERBS, VERB_EDGES
from apps.graph.extraction.types import GENERIC_TYPE

_LOCATIVES = frozenset("在 于 到 去 赴".split())
_NEGATIONS = frozenset("不 没 没有 未 并未 从未".split())


_MAX_GAP = 8  # tokens between two names; further apart, the verb is not theirs


def _is_verb(word: _Word) -> bool:
    return word.text in VERB_EDGES or word.flag.startswith("v")


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
        if _modifies_a_noun(words, target_end) and not _describes_the_subject(texts, words, target_end):
            return None  # 投资了一家位于新加坡的游戏公司: the company is in Singapore, not the investor
        return _located(VERB_EDGES[mapped[-1].text], target), {}
    verb = verbs[-1].text
    if target.type == "Location" and verb != "是":
        return None  # 会到广州拜访, 在欧洲建设工厂: a visit or a plan somewhere, no standing fact
    if verb == "是":  # 陈静是阿里巴巴集团的工程师: a role at the organisation
        role = _role_after(words, target_end)
        if cw.ROLE_EDGES.get(role or "") in ("FOUNDED", "STUDIES_AT"):
            return cw.ROLE_EDGES[role], {}  # 是云帆物流的创始人, 是浙江大学的学生
        return ("WORKS_AT", {"role": role}) if role and target.type == "Organization" else None
    return "RELATED_TO", {"verb": verb}


def _pattern_edge(
    texts: list[str], words: list[_Word], target: _Name, target_end: int
) -> tuple[str, dict[str, str]] | None:
    """Relations stated by a pattern rather than one verb between the names."""
    after = [w.text for w in words[target_end : target_end + 4]]
    if texts and texts[-1] == cw.PASSIVE_AGENT:  # 由张一鸣创办: 张一鸣 founded the subject
        # 由陈立和赵雪于2016年共同创立: past a date and an adverb, up to the clause's end.
        passive = [w.text for w in words[target_end : target_end + 7]]
        passive = passive[: next((i for i, w in enumerate(passive) if w in _CLAUSE_BREAKS), len(passive))]
        verb = next((w for w in passive if w in VERB_EDGES), None)
        if verb is None and any(w in cw.TITLE_VERBS for w in after[:2]) and role_edge(texts[-2:-1]):
            return role_edge(texts[-2:-1]), {"reverse": "yes"}  # 董事长由李明担任
        return (VERB_EDGES[verb], {"reverse": "yes"}) if verb else None
    if target.type in ("Person", GENERIC_TYPE) and (post := _post_before(texts)):
        return post, {"reverse": "yes"}  # 创始人是马建国, 董事长为曾毓群: the subject's founder, chair
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
    if cw.REPORT_TO[0] in texts[-3:] and any(w in cw.REPORT_TO[1] for w in after):
        rest = texts[texts.index(cw.REPORT_TO[0], max(0, len(texts) - 3)) + 1 :]
        if not rest or role_edge(rest):
            return "REPORTS_TO", {}  # 向刘总汇报, 向副总裁陈静汇报
    if "是" in texts and any(t in cw.SPOUSE_WORDS for t in texts) and target.type in ("Person", GENERIC_TYPE):
        return "MARRIED_TO", {}  # 他的妻子是张瑛
    if (
        texts
        and texts[-1] in cw.KIN_WORDS
        and texts[:-1] in ([], ["的"], ["育有"], ["有"])
        and target.type in ("Person", GENERIC_TYPE)
    ):
        kin = cw.KIN_WORDS[texts[-1]]  # 她的丈夫李明, 我女儿小美, 两人育有一女贺小满
        return (kin[1:], {"reverse": "yes"}) if kin.startswith("~") else (kin, {})
    if texts[-2:-1] == ["总部"] and texts[-1] in ("在", "设在", "位于", "设于") and target.type == "Location":
        return "HEADQUARTERED_IN", {}  # 一家总部在广州的快递公司, 总部设在深圳
    if texts[-1:] == ["是"] and after[:1] == ["旗下"] and target.type == "Organization":
        return "SUBSIDIARY_OF", {}  # 岚屿茶业……是鹿鸣集团旗下的高端茶叶品牌
    if texts[-1:] and texts[-1] in ("与", "和", "同", "跟") and after[:1] == ["合作"]:
        return "PARTNERED_WITH", {}  # 与浙江大学合作
    if any(t in cw.HOMETOWN_WORDS for t in texts) and target.type == "Location":
        return "COMES_FROM", {}  # 她老家在西安
    if any(t in cw.TITLE_VERBS for t in texts):
        if target.type not in ("Organization", GENERIC_TYPE):
            return "", {}  # 担任华东区销售总监: a post, not a relation with the region
        role = next((w.text for w in words[target_end : target_end + 2] if w.flag.startswith("n")), None)
        return "WORKS_AT", ({"role": role} if role else {})  # 现任联想集团董事长
    return None


def _post_before(texts: list[str]) -> str | None:
    """创始人是, 董事长为: a post, then 是 or 为, just before the name."""
    if len(texts) < 2 or texts[-1] not in ("是", "为"):
        return None
    return role_edge(texts[-2:-1])


def _describes_the_subject(texts: list[str], words: list[_Word], index: int) -> bool:
    """北辰物流是一家位于天津的货运公司: after 是, the company described is the subject itself."""
    heads = cw.DESCRIPTION_HEADS + tuple(cw.ORG_NOUNS)
    return "是" in texts[:2] and any(w.text.endswith(heads) for w in words[index + 1 : index + 3])


def _modifies_a_noun(words: list[_Word], index: int) -> bool:
    """ "<verb> <name> 的 <noun>": a relative clause describing the noun (not 领投了X的A轮融资: X's round)."""
    return (
        index + 1 < len(words)
        and words[index].text == "的"
        and words[index + 1].flag.startswith(("n", "v"))
        and not words[index + 1].text.endswith(_ROUND_WORDS)
    )


_ROUND_WORDS = ("融资", "轮", "股份", "股权", "业务")


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
    elif (
        target.type == "Location"
        and target_end + 2 < len(words)
        and words[target_end].text == "的"
        and words[target_end + 1].flag == "m"
        and words[target_end + 2].flag in ("n", "j", "nz")
    ):
        target_end += 3  # 在上海的一家外企工作: works in Shanghai
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
