"""What a list page prints in every row, without the general machinery's cost per row.

A page of 50 rows prints about 150 timestamps and 100 links. Django's `date`
filter and `{% url %}` tag cost more than the rest of a row together
(docs/benchmarks.md, "lists"); these print the same text.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from uuid import UUID

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()


@register.filter(expects_localtime=True)
def iso_time(value: datetime | None) -> str:
    """`value|date:"c"` (ISO 8601) in the current time zone."""
    return value.isoformat() if isinstance(value, datetime) else ""


@register.filter(expects_localtime=True)
def to_second(value: datetime | None) -> str:
    """`value|date:"Y-m-d H:i:s"` in the current time zone."""
    if not isinstance(value, datetime):
        return ""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}:{value.second:02d}"


@register.filter(expects_localtime=True)
def to_minute(value: datetime | None) -> str:
    """`value|date:"Y-m-d H:i"` in the current time zone."""
    if not isinstance(value, datetime):
        return ""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"


# Stand-ins for the ids, reversed once per URL name: every id is a UUID of
# the same shape, so the rest of the path is the same for every row.
_PLACEHOLDERS = tuple(UUID(int=n + 1) for n in range(4))


@lru_cache(maxsize=128)
def _parts(name: str, count: int, script_prefix: str) -> tuple[str, ...] | None:
    url = reverse(name, args=_PLACEHOLDERS[:count])
    parts = []
    for placeholder in map(str, _PLACEHOLDERS[:count]):
        head, found, url = url.partition(placeholder)
        if not found:
            return None
        parts.append(head)
    return (*parts, url)


@register.simple_tag
def id_url(name: str, *ids: UUID) -> str:
    """`{% url name id ... %}` for a URL whose arguments are all UUIDs (any other argument: `reverse` itself)."""
    parts = _parts(name, len(ids), get_script_prefix()) if 0 < len(ids) <= len(_PLACEHOLDERS) else None
    if parts is None or not all(isinstance(value, UUID) for value in ids):
        return reverse(name, args=ids)
    return "".join(part + str(value) for part, value in zip(parts, ids, strict=False)) + parts[-1]
