"""The time retriever: the days, months or years a question names, and the memories dated within them; for a
question that asks when, the candidates that say when."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet

from apps.graph.extraction import find_dates
from apps.memories.models import Memory
from apps.recall.search.retrievers.hits import Hit


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime


def spans(question: str) -> list[Span]:
    """The days, months or years a question names ("on 8 May 2023", "in June 2023", "2023年5月")."""
    out = []
    for found in find_dates(question):
        written = question[found.start : found.end]
        start = found.value
        if re.search(
            r"\d{4}-\d{1,2}-\d{1,2}|[日号]|\b\d{1,2}(?:st|nd|rd|th)?\b(?!\d)", written.replace(str(start.year), "")
        ):
            end = start + timedelta(days=1)
        elif re.search(r"[a-zA-Z]{3,}|月", written.replace("in ", "").replace("since ", "")):
            end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            end = start.replace(year=start.year + 1)
        out.append(Span(start, end))
    return out


# A question that asks when ("When did…", "what year…", "什么时候…") is answered by a memory that says
# when: a date, a day or month name, or words like "yesterday", "last week", "两年前".
_ASKS_WHEN = re.compile(
    r"^\W*(?:when|since when|until when|what (?:year|month|day|date|time)|which (?:year|month|day|date)|"
    r"how long ago)\b|什么时候|何时|哪天|哪一天|哪年|哪一年|几月|几号|哪个月",
    re.IGNORECASE,
)
_SAYS_WHEN = re.compile(
    r"\b(?:yesterday|today|tonight|tomorrow|ago|weekend|(?:last|next|this|past|coming) (?:week|month|year|"
    r"night|weekend|summer|winter|spring|fall|autumn|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|april|june|july|august|september|"
    r"october|november|december|(?:19|20)\d\d)\b|昨天|今天|明天|前天|后天|上周|下周|上个月|下个月|去年|今年|明年|周末|星期|\d+\s*[年月日号]",
    re.IGNORECASE,
)
WHEN_CANDIDATES = 30


def asks_when(question: str) -> bool:
    return bool(_ASKS_WHEN.search(question))


def time_hits(
    found: list[Span], memories: QuerySet[Memory], candidates: list, *, limit: int, asks: bool = False
) -> list[Hit]:
    """Memories dated within the named spans: the other retrievers' candidates first, in their order,
    then the rest of the span, oldest first. A question that asks when and names no date: the best
    candidates that say when, in their order."""
    if not found:
        if not asks or not candidates:
            return []
        top = candidates[:WHEN_CANDIDATES]
        contents = dict(memories.filter(pk__in=top).values_list("id", "content"))
        return [Hit(m, None) for m in top if m in contents and _SAYS_WHEN.search(contents[m])][:limit]
    from django.db.models import Q

    within = Q()
    for span in found:
        within |= Q(valid_at__gte=span.start, valid_at__lt=span.end)
    dated = memories.filter(within)
    first = set(dated.filter(pk__in=candidates).values_list("id", flat=True)) if candidates else set()
    ordered = [m for m in candidates if m in first]
    rest = (
        dated.exclude(pk__in=first)
        .order_by("valid_at", "id")
        .values_list("id", flat=True)[: max(limit - len(ordered), 0)]
    )
    return [Hit(m, None) for m in [*ordered, *rest][:limit]]
