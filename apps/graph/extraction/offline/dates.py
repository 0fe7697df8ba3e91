"""Dates written in a sentence, as UTC datetimes (a fact's `valid_at`).

A date with no day means the first day of its month, a bare year the first of
January: "joined in 2021" is valid from 2021-01-01. That is coarse but never
later than the truth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from apps.graph.extraction.offline.lexicon import MONTHS

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[89]\d\d|2[01]\d\d)"

_ENGLISH_PATTERNS = [
    re.compile(rf"\b{_YEAR}-(?P<mm>\d{{1,2}})-(?P<day>\d{{1,2}})\b"),  # 2024-03-03
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),  # March 3, 2024
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),  # 3 March 2024
    re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),  # March 2024
    # A bare year only after a preposition: "in 2021", not "2021 employees".
    re.compile(rf"\b(?:in|since|from|by|until|during|early|late|mid)\s+{_YEAR}\b", re.IGNORECASE),
]

_CHINESE_PATTERN = re.compile(r"(?P<year>\d{4})\s*年(?:\s*(?P<mm>\d{1,2})\s*月(?:\s*(?P<day>\d{1,2})\s*[日号])?)?")


@dataclass(frozen=True)
class DateSpan:
    start: int
    end: int
    value: datetime


def find_dates(text: str) -> list[DateSpan]:
    """Non-overlapping dates in `text`, in order; earlier patterns (more precise) win."""
    found: list[DateSpan] = []
    for pattern in [*_ENGLISH_PATTERNS, _CHINESE_PATTERN]:
        for match in pattern.finditer(text):
            value = _to_datetime(match)
            if value is None or any(_overlaps(match, span) for span in found):
                continue
            found.append(DateSpan(match.start(), match.end(), value))
    return sorted(found, key=lambda span: span.start)


def _overlaps(match: re.Match[str], span: DateSpan) -> bool:
    return match.start() < span.end and span.start < match.end()


def _to_datetime(match: re.Match[str]) -> datetime | None:
    groups = match.groupdict()
    year = int(groups["year"])
    if groups.get("month"):
        month = MONTHS[groups["month"].lower()]
    elif groups.get("mm"):
        month = int(groups["mm"])
    else:
        month = 1
    day = int(groups["day"]) if groups.get("day") else 1
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:  # "2024-02-31": not a date, so not a fact's date either
        return None
