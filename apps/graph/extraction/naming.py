"""What every extractor shares about naming: one spelling per relation, and the kinds of thing each joins.

Both extractors (offline and LLM) pass their output through `canonical_edge`
and `typed_by_relationships`, so "works for", "worked at" and "employed at"
become one WORKS_AT edge whichever extractor read the memory, and a name of
unknown kind that someone "works at" is an Organization.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from apps.graph.extraction.types import GENERIC_TYPE

PERSON, ORGANIZATION, LOCATION = "Person", "Organization", "Location"


def upper_snake(text: str) -> str:
    """ "works at" -> "WORKS_AT"; anything that is not a letter or digit separates words."""
    return re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").upper()


# Other spellings of the same relation -> the one the graph keeps. Tense is not
# part of a relation (a fact's dates are); neither is the verb's inflection.
_SYNONYMS = {
    # A past job or home is a relation of its own: WORKS_AT and LIVES_IN are exclusive (a newer
    # one closes the older), and "used to work at Google" must not close "works at Revolut".
    "WORKS_AT": "WORKS_FOR WORKING_AT WORK_AT EMPLOYED_AT EMPLOYED_BY TEACHES_AT STARTED_AT",
    "WORKED_AT": "WORKED_FOR SPENT_AT TAUGHT_AT",
    "LIVES_IN": "LIVE_IN LIVING_IN RESIDES_IN RESIDENT_OF LIVES",
    "LIVED_IN": "RESIDED_IN GREW_UP_IN LIVED RAISED_IN",
    "LOCATED_IN": "HEADQUARTERED_IN BASED_IN SITUATED_IN HQ_IN LOCATED_AT",
    "FOUNDED": "CO_FOUNDED COFOUNDED ESTABLISHED STARTED CREATED FOUNDER_OF CO_FOUNDER_OF",
    "ACQUIRED": "BOUGHT BUYS ACQUIRES PURCHASED TOOK_OVER",
    "MARRIED_TO": "MARRIED SPOUSE_OF WIFE_OF HUSBAND_OF MARRIES",
    "STUDIED_AT": "STUDIES_AT STUDY_AT STUDIED_IN ATTENDED STUDENT_AT STUDENT_OF TRAINED_AT ADMITTED_TO GOT_INTO",
    "MOVED_TO": "RELOCATED_TO EMIGRATED_TO IMMIGRATED_TO MOVES_TO MOVE_TO MOVED RETURNED_TO",  # "moved there"
    "MOVED_FROM": "RELOCATED_FROM EMIGRATED_FROM IMMIGRATED_FROM MOVES_FROM",
    "MANAGES": "MANAGED MANAGER_OF",
    "REPORTS_TO": "REPORTED_TO REPORTING_TO REPORTS",
    "SIBLING_OF": "BROTHER_OF SISTER_OF",
    "OWNS": "OWNED OWN",
    "CEO_OF": "CHIEF_EXECUTIVE_OF CHIEF_EXECUTIVE_OFFICER_OF",
    "CFO_OF": "CHIEF_FINANCIAL_OFFICER_OF",
    "CTO_OF": "CHIEF_TECHNOLOGY_OFFICER_OF CHIEF_TECHNICAL_OFFICER_OF",
    "COO_OF": "CHIEF_OPERATING_OFFICER_OF",
    "BORN_IN": "WAS_BORN_IN BIRTHPLACE",
    "VISITED": "TRAVELLED_TO TRAVELED_TO WENT_TO VISITS TRIP_TO",
    "INVESTED_IN": "INVESTS_IN FUNDED INVESTED",
}
_CANONICAL = {alias: name for name, aliases in _SYNONYMS.items() for alias in aliases.split()}

# What each relation joins (None: anything). A name of unknown kind on one end
# takes that end's type; a relation whose person end is a place is not that relation.
SIGNATURES: dict[str, tuple[str | None, str | None]] = {
    "WORKS_AT": (PERSON, ORGANIZATION),
    "WORKED_AT": (PERSON, ORGANIZATION),
    "JOINED": (PERSON, ORGANIZATION),
    "LIVES_IN": (PERSON, LOCATION),
    "LIVED_IN": (PERSON, LOCATION),
    "BORN_IN": (PERSON, LOCATION),
    "MOVED_TO": (PERSON, LOCATION),
    "MOVED_FROM": (PERSON, LOCATION),
    "VISITED": (PERSON, LOCATION),
    "COMES_FROM": (PERSON, LOCATION),
    "FOUNDED": (None, ORGANIZATION),
    "ACQUIRED": (None, ORGANIZATION),
    "INVESTED_IN": (None, ORGANIZATION),
    "MARRIED_TO": (PERSON, PERSON),
    "ENGAGED_TO": (PERSON, PERSON),
    "REPORTS_TO": (PERSON, PERSON),
    "PARTNER_OF": (PERSON, PERSON),
    "COUSIN_OF": (PERSON, PERSON),
    "FRIEND_OF": (PERSON, PERSON),
    "MANAGES": (PERSON, None),
    "STUDIED_AT": (PERSON, ORGANIZATION),
    "GRADUATED_FROM": (PERSON, ORGANIZATION),
    "LOCATED_IN": (None, LOCATION),
    "CEO_OF": (PERSON, ORGANIZATION),
    "LEADS": (PERSON, None),
}


def canonical_edge(name: str) -> str:
    name = upper_snake(name)
    return _CANONICAL.get(name, name)


def expects(name: str) -> tuple[str | None, str | None]:
    """The (source, target) types a relation joins; titles such as CTO_OF join a Person to an Organization."""
    if name in SIGNATURES:
        return SIGNATURES[name]
    if name.endswith("_OF") and len(name) <= 6:  # CEO_OF, CTO_OF, COO_OF
        return PERSON, ORGANIZATION
    return None, None


def fits(name: str, source_type: str, target_type: str) -> bool:
    """Whether the known types of both ends allow the relation (the generic type allows anything)."""
    wanted_source, wanted_target = expects(name)
    if wanted_source == PERSON and source_type == ORGANIZATION and name not in _DONE_BY_ORGANISATIONS_TOO:
        return False  # an organisation is born nowhere and works for no one
    return _allows(wanted_source, source_type) and _allows(wanted_target, target_type)


# A person's relations an organisation may have too: "moved its headquarters from Denver to Dallas".
_DONE_BY_ORGANISATIONS_TOO = frozenset({"MOVED_TO", "MOVED_FROM", "VISITED", "MANAGES", "LEADS", "COMES_FROM"})


# Types that cannot stand where another is wanted: a place works nowhere, a person is not
# acquired. Other types (an Event founded, a Product acquired) are allowed.
_INCOMPATIBLE = {PERSON: {LOCATION}, ORGANIZATION: {PERSON, LOCATION}, LOCATION: {PERSON}}


def _allows(wanted: str | None, actual: str) -> bool:
    return wanted is None or actual not in _INCOMPATIBLE[wanted]


def typed_by_relationships(types: dict[str, str], relationships: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """`types` (name -> type) with generic names given the type their relationships imply.

    `relationships` are (source, name, target). When two relationships imply
    different types for a name, the name keeps the generic type.
    """
    implied: dict[str, set[str]] = {}
    for source, name, target in relationships:
        wanted_source, wanted_target = expects(name)
        for end, wanted in ((source, wanted_source), (target, wanted_target)):
            if wanted is not None and types.get(end) == GENERIC_TYPE:
                implied.setdefault(end, set()).add(wanted)
    return {
        name: (next(iter(implied[name])) if len(implied.get(name, ())) == 1 else kind) for name, kind in types.items()
    }


# Past forms of exclusive relations, for words that put a fact in the past (之前, 原来).
PAST_FORMS = {"WORKS_AT": "WORKED_AT", "LIVES_IN": "LIVED_IN"}
