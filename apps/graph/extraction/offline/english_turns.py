"""Facts a chat spreads over two turns: a question and its answer.

"is he still at boeing?" / "yeah 8 years now": the answer affirms the
question's statement, "he is still at boeing". "where are you working these
days?" / "at spotify": the answer completes it, "I work at spotify". The
statement is read like any sentence of the answering speaker; the fact quotes
both turns.
"""

from __future__ import annotations

import re

from apps.graph.extraction.offline import lexicon as lx

_YES = frozenset("yes yeah yep yup ya yea yess definitely exactly correct sure totally".split())
_YES_NO_QUESTION = re.compile(
    r"^(?:(?:so|and|but|wait|oh)\s+)?"
    r"(?P<aux>is|are|was|were|did|does|do|has|have|isn'?t|aren'?t|wasn'?t|weren'?t|didn'?t|doesn'?t|don'?t"
    r"|hasn'?t|haven'?t)\s+(?P<subject>you|he|she|they|[A-Z][\w'’-]*)\s+(?P<rest>[^?]+?)\s*\?+$",
    re.IGNORECASE,
)
_WHERE_QUESTION = re.compile(
    r"\bwhere\s+(?:are|do|did|have|is|was|were|does|has)\s+(?P<subject>you|he|she|they)\s+(?P<rest>[^?]*)\?+$",
    re.IGNORECASE,
)
# What a where-question asks, by its words: the verb and preposition of the statement its answer completes.
_WHERE_VERBS = (
    (frozenset("work working job".split()), {"you": "work", "he": "works", "she": "works", "they": "work"}, "at"),
    (frozenset("study studying".split()), {"you": "study", "he": "studies", "she": "studies", "they": "study"}, "at"),
    (
        frozenset("live living based staying".split()),
        {"you": "live", "he": "lives", "she": "lives", "they": "live"},
        "in",
    ),
    (frozenset("from".split()), {"you": "am", "he": "is", "she": "is", "they": "are"}, "from"),
    (
        frozenset("go going went travel travelling traveling visit visiting end headed heading been".split()),
        dict.fromkeys(("you", "he", "she", "they"), "travelled"),
        "to",
    ),
)
_ANSWER_PREPOSITIONS = frozenset("at in to from".split())
# An answer opening with these states its own subject and verb, or declines.
_NOT_A_COMPLETION = (
    lx.INTERJECTIONS
    | lx.SENTENCE_STARTERS
    | frozenset("i i'm im i've we we're he she they it not nowhere dunno idk".split())
)


def answered(question: str, answer: str) -> str | None:
    """The statement a question and the answer's first sentence make together, if they make one."""
    question, answer = question.strip(), answer.strip()
    words = re.findall(r"[\w'’]+", answer.lower())
    if not words or not question.endswith("?"):
        return None
    # "omg congrats to him, is he moving to boston?": the question after the turn's last comma or "!"
    question = re.split(r"[,!]\s+", question)[-1]
    if match := _YES_NO_QUESTION.match(question):
        if words[0] not in _YES:
            return None
        subject = match["subject"]  # a pronoun, or a name: "Is Layla still working at Emirates?"
        subject = subject.lower() if subject.lower() in ("you", "he", "she", "they") else subject
        aux = match["aux"].lower().replace("n't", "").replace("’", "")
        aux = aux[:-2] if aux.endswith("nt") and aux not in ("want",) else aux  # "isnt" -> "is"
        if subject == "you":
            subject, aux = "I", {"are": "am", "were": "was", "has": "have"}.get(aux, aux)
        return f"{subject} {aux} {match['rest']}"
    if match := _WHERE_QUESTION.search(question):
        if words[0] not in _ANSWER_PREPOSITIONS and words[0] in _NOT_A_COMPLETION:
            return None
        asked = set(re.findall(r"[a-z]+", match["rest"].lower()))
        subject = match["subject"].lower()
        for cues, verbs, preposition in _WHERE_VERBS:
            if asked & cues:
                said = "I" if subject == "you" else subject
                completion = answer if words[0] in _ANSWER_PREPOSITIONS else f"{preposition} {answer}"
                return f"{said} {verbs[subject]} {completion}"
    return None
