"""Chinese sentences -> mentions and edges, using jieba's part-of-speech tags.

jieba tags person names (nr), places (ns) and organisations (nt); names it
misses that end in an organisation suffix (腾讯 + 公司) are joined here. An edge
is the verb between two names (张伟加入了腾讯), or the verb after "在 <place>"
(张伟在北京大学工作). Pronouns (他/她) and subject-less clauses refer to the
sentence's topic, the way Chinese prose drops repeated subjects; "公司" opening
a clause refers to the organisation named last.

tokens holds jieba's words, names finds the names among them, clauses reads
each clause's subject and groups, and edges the edge between two names.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from apps.graph.extraction.offline import chinese_words as cw
from apps.graph.extraction.offline.analysis import Mention, SentenceAnalysis
from apps.graph.extraction.offline.chinese.clauses import _clause_date, _clause_links, _clauses, _subject
from apps.graph.extraction.offline.chinese.names import (
    PLURAL_PRONOUNS,
    _Name,
    _names,
    _placed_organisations,
    _placed_places,
    owned_organisations,
)
from apps.graph.extraction.offline.chinese.roles import people_in_posts, places_of_work, titled_people
from apps.graph.extraction.offline.chinese.tokens import (
    _join_foreign_names,
    _posseg,
    _split_degrees,
    _split_placed_names,
    _split_stuck,
    _split_suffixes,
    _with_names_introduced,
    _Word,
    split_sentences,
)

__all__ = ["Topic", "analyse", "split_sentences"]


@dataclass(frozen=True)
class Topic:
    """Who 他/她 and a subject-less clause stand for, and which organisation 公司 does."""

    person: str | None = None
    organization: str | None = None
    organizations: frozenset[str] = frozenset()  # named so far, found again however jieba cuts them
    people: tuple[str, ...] = ()  # whom 两人 or 他们 stand for: the people of the last sentence naming several


def _kin_named(clause: list[_Name], words: list[_Word]) -> _Name | None:
    """她的丈夫黄涛: the person a clause opens by naming through kin, whom the clauses after are about."""
    if len(clause) < 2 or not clause[0].pronoun or clause[1].type != "Person":
        return None
    between = [w.text for w in words[clause[0].end : clause[1].first]]
    return clause[1] if between[-1:] and between[-1] in cw.KIN_WORDS and between[:-1] in ([], ["的"]) else None


def analyse(sentence: str, *, speaker: str | None = None, topic: Topic | None = None) -> tuple[SentenceAnalysis, Topic]:
    """The sentence's mentions and links, and the topic later sentences may refer to."""
    topic = topic or Topic()
    words = [_Word(w.word, w.flag) for w in _posseg().cut(sentence)]
    for step in (
        _split_suffixes,
        _split_placed_names,
        _split_degrees,
        _split_stuck,
        _join_foreign_names,
        _with_names_introduced,
    ):
        words = step(words)
    names = _names(words, speaker, topic.organization, topic.organizations)
    people_in_posts(words, names)
    places_of_work(words, names)
    analysis = SentenceAnalysis(text=sentence)
    analysis.mentions = [Mention(n.name, n.type, n.strength) for n in names if not n.pronoun]
    analysis.links += _placed_organisations(words, names) + _placed_places(words, names)
    analysis.links += owned_organisations(words, names)
    analysis.links += titled_people(words, names, topic.organization)
    names = [n for n in names if not n.modifier]
    person = topic.person
    carried: str | None = None  # the topic before a clause named someone through kin
    sentence_subject: _Name | None = None  # a clause with none continues the sentence's (饿了么……，由张旭豪创立)
    for clause in _clauses(words, names):
        if person is None:  # 今天见了陈晓东，他是…: with no topic yet, 他 is the person just named
            person = next(
                (n.name for n in names if n.type == "Person" and not n.pronoun and n.end <= clause[0].first), None
            )
        subject, written = _subject(clause, words, person, sentence_subject)
        if subject is not None and written:
            sentence_subject = sentence_subject or subject
            if subject.type == "Person":
                person = subject.name
        clause_links = _clause_links(clause, words, subject, _clause_date(words, clause))
        if subject is not None and clause[0].pronoun and clause[0].name in PLURAL_PRONOUNS:
            # 两人住在北京海淀区: each of the people named before
            # (婚后两人定居柏林: she and the one she married, named in this sentence)
            people = _people(names, clause[0].first, subject.name) or topic.people
            if subject.name in people:
                clause_links += [
                    replace(link, source=other)
                    for link in clause_links
                    if link.source == subject.name
                    for other in people
                    if other not in (subject.name, link.target)
                ]
        analysis.links += clause_links
        if kin := _kin_named(clause, words):
            # 她的丈夫黄涛是一名律师，在金杜律师事务所工作: he works there; the next sentence is about her again.
            carried = carried or person
            person, sentence_subject = kin.name, kin
    person = carried or person
    if person is None:  # 今天见了周婷。她……: with no subject written, 她 is the person named
        person = next((n.name for n in names if n.type == "Person" and not n.pronoun), None)
    organizations = [n.name for n in names if n.type == "Organization"]
    return analysis, Topic(
        person,
        organizations[-1] if organizations else topic.organization,
        topic.organizations | {n for n in organizations if len(n) >= 4},
        _people(names, len(words)) or topic.people,
    )


def _people(names: list[_Name], before: int, topic: str | None = None) -> tuple[str, ...]:
    """The people named before a position, with the `topic` person if given, if they are several."""
    named = [n.name for n in names if n.type == "Person" and not n.pronoun and n.end <= before]
    people = tuple(dict.fromkeys([topic, *named] if topic else named))
    return people if len(people) > 1 else ()
