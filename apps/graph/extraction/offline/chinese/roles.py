"""Posts that relate a person to an organisation in Chinese: written before the person's name
(小米集团创始人雷军, 前美敦力高管徐建国, ，创始人张伟将…) or after 是/为 and before 由…担任
(创始人是马建国, 董事长为曾毓群, 董事长由李明担任)."""

from __future__ import annotations

from apps.graph.extraction.naming import PAST_FORMS
from apps.graph.extraction.offline import chinese_words as cw
from apps.graph.extraction.offline.analysis import Link
from apps.graph.extraction.offline.chinese.names import _Name
from apps.graph.extraction.offline.chinese.tokens import _CLAUSE_BREAKS, _SKIPPED, _Word
from apps.graph.extraction.types import GENERIC_TYPE

_ROLE_FLAGS = ("n", "b", "vn", "eng", "nz")


def role_edge(texts: list[str]) -> str | None:
    """The relation a post of one to three words gives (技术 副总裁, 首席 执行官): its last word's."""
    if not 1 <= len(texts) <= 3:
        return None
    return cw.ROLE_EDGES.get(texts[-1]) or cw.ROLE_EDGES.get("".join(texts[-2:]))


def titled_people(words: list[_Word], names: list[_Name], organization: str | None) -> list[Link]:
    """小米集团创始人雷军: the person holds the post at the organisation, which takes no other part in
    the clause (雷军 is who 出生于仙桃). A post opening a clause (，创始人张伟将…) is at the
    organisation the sentence named before it or, failing that, the one the text is about
    (`organization`), for founders, chairs and chief executives only."""
    links = []
    for index, person in enumerate(names):
        if person.type not in ("Person", GENERIC_TYPE) or person.pronoun:
            continue
        before = names[index - 1] if index > 0 else None
        limit = before.end if before is not None else 0
        start = person.first
        while start > limit and person.first - start < 3 and words[start - 1].flag.startswith(_ROLE_FLAGS):
            start -= 1
        post = [w.text for w in words[start : person.first]]
        while post and role_edge(post) is None:  # 好友 副总裁 → the longest tail that is a post
            post.pop(0)
            start += 1
        edge = role_edge(post)
        if edge is None:
            continue
        if start > 0 and words[start - 1].text == "的":
            start -= 1
        if before is not None and 1 <= start - before.end <= 2 and words[start - 1].text.endswith(cw.SCHOOL_UNITS):
            start = before.end  # 浙江大学化学系的研究生孙悦, 北京大学物理学院的研究生: of the university
        if before is not None and before.type == "Organization" and before.end == start:
            if before.first > 0 and words[before.first - 1].text == "前":  # 前美敦力高管: a past post
                edge = PAST_FORMS.get(edge, edge)
            links.append(Link(person.name, before.name, edge))
            before.modifier = True
            for at in range(before.first, before.end):
                words[at] = _Word(words[at].text, _SKIPPED)
        elif post[-1] in cw.LEADING_ROLES and (start == 0 or words[start - 1].text in _CLAUSE_BREAKS):
            # 创始人吴振华毕业于复旦大学: not the founder of a university named after the post
            named = [n.name for n in names[:index] if n.type == "Organization"]
            if at := named[-1] if named else organization:
                links.append(Link(person.name, at, edge))
    return links


def places_of_work(words: list[_Word], names: list[_Name]) -> None:
    """之前在宝洁/nr 任职, 在博世/nrt 工作: where someone works or studies is no person, whatever jieba says;
    a name it takes for a person there is an organisation."""
    for name in names:
        if name.type != "Person" or name.pronoun or name.first == 0 or words[name.first - 1].text != "在":
            continue
        after = words[name.end].text if name.end < len(words) else ""
        if cw.PLACE_VERBS.get(after) in ("WORKS_AT", "STUDIED_AT"):
            name.type = "Organization"


def people_in_posts(words: list[_Word], names: list[_Name]) -> None:
    """创始人是马建国 (jieba: 马建国/ns): the name a post is given to is a person's."""
    for name in names:
        texts = [w.text for w in words[max(0, name.first - 2) : name.first]]
        if name.type != "Person" and len(texts) == 2 and texts[1] in ("是", "为") and role_edge(texts[:1]):
            name.type = "Person"
