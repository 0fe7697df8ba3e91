"""Long lists paged by position (keyset pagination): newest first, by `-created_at, id`.

A page starts where the one before it ended (a cursor: the last row's
`created_at` and `id`), not after skipping rows from the top, so with an index
on the list's filter followed by `(created_at DESC, id)` page 2,000 costs what
page 1 costs, no COUNT(*) is needed, and rows added while someone pages on
neither repeat nor shift a page: following "Older" from the first page shows
every row that was there exactly once. A page number (`?page=N`, the links of
before) still works: it skips rows as it always did, and its links are cursors.

Used by the memory list and the task dashboard (pages) and their API lists
(`KeysetPagination`).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import QueryDict
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

ORDER = ("-created_at", "id")
# Page numbers are still read (old links), up to where skipping rows would cost too much.
MAX_PAGE_NUMBER = 100_000


class InvalidPosition(ValueError):
    pass


@dataclass(frozen=True)
class Position:
    """Where a page starts, exclusive: after this row (`newer=False`), or before it (`newer=True`)."""

    created_at: datetime
    id: uuid.UUID
    newer: bool = False

    def encode(self) -> str:
        text = f"{'n' if self.newer else 'o'}{self.created_at.isoformat()}~{self.id}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> Position:
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            kind, (created_at, row_id) = text[0], text[1:].split("~")
            when = datetime.fromisoformat(created_at)
            if kind not in ("n", "o") or when.tzinfo is None:
                raise ValueError(text)
            # In UTC, as the database compares it (a time at the calendar's very ends has none: OverflowError).
            return cls(when.astimezone(UTC), uuid.UUID(row_id), newer=kind == "n")
        except (binascii.Error, UnicodeDecodeError, ValueError, IndexError, OverflowError):
            raise InvalidPosition("This cursor is not one of this list's: follow the list's own links.") from None

    @classmethod
    def of(cls, row, *, newer: bool = False) -> Position:
        return cls(row.created_at, row.pk, newer=newer)


@dataclass
class KeysetPage:
    object_list: list
    older: Position | None = None  # where the next page (older rows) starts
    newer: Position | None = None  # where the previous page (newer rows) ends
    is_first: bool = True  # the top of the list: the page that shows rows as they are added
    links: dict[str, str] | None = None  # query strings of the pages around it (page_of_request)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.older or self.newer or not self.is_first)

    @property
    def older_cursor(self) -> str | None:
        return self.older.encode() if self.older else None

    @property
    def newer_cursor(self) -> str | None:
        return self.newer.encode() if self.newer else None


def parse_page_number(number: str | None) -> int:
    """A page number of the old links; 1 if none. InvalidPosition if it is not one."""
    if number in (None, ""):
        return 1
    try:
        page = int(number)
    except ValueError:
        raise InvalidPosition("A page number is a whole number from 1; the list's links say where to go.") from None
    if not 1 <= page <= MAX_PAGE_NUMBER:
        raise InvalidPosition(f"A page number is from 1 to {MAX_PAGE_NUMBER:,}; follow the list's links instead.")
    return page


def keyset_page(
    queryset: QuerySet, *, size: int, cursor: str | None = None, page_number: str | None = None
) -> KeysetPage:
    """One page of `queryset` (newest first) from a cursor, else from a page number, else the first.

    InvalidPosition for a cursor or page number that is not one. One query.
    """
    rows = queryset.order_by(*ORDER)
    if cursor:
        position = Position.decode(cursor)
        if position.newer:
            # The rows just newer than the position, read upwards, then shown newest first.
            before = Q(created_at__gt=position.created_at) | Q(id__lt=position.id)
            found = list(
                rows.filter(before, created_at__gte=position.created_at).order_by("created_at", "-id")[: size + 1]
            )
            more = len(found) > size
            shown = found[:size][::-1]
            return KeysetPage(
                shown,
                older=Position.of(shown[-1]) if shown else None,
                newer=Position.of(shown[0], newer=True) if more else None,
                is_first=not more,
            )
        after = Q(created_at__lt=position.created_at) | Q(id__gt=position.id)
        found = list(rows.filter(after, created_at__lte=position.created_at)[: size + 1])
        shown = found[:size]
        return KeysetPage(
            shown,
            older=Position.of(shown[-1]) if len(found) > size else None,
            newer=Position.of(shown[0], newer=True) if shown else None,
            is_first=False,
        )
    number = parse_page_number(page_number)
    start = (number - 1) * size
    # Skip rows in the list's own order alone (an index), then read the page's rows with what they join.
    found = list(rows.filter(pk__in=rows.values("pk")[start : start + size + 1]))
    shown = found[:size]
    return KeysetPage(
        shown,
        older=Position.of(shown[-1]) if len(found) > size else None,
        newer=Position.of(shown[0], newer=True) if shown and number > 1 else None,
        is_first=number == 1,
    )


def page_of_request(queryset: QuerySet, query: QueryDict, *, size: int) -> KeysetPage:
    """For pages: the page the query string asks for, or the first page if it names none it could read.

    `page.links` holds the query strings of the first, newer and older pages, with the other parameters kept.
    """
    try:
        page = keyset_page(queryset, size=size, cursor=query.get("cursor"), page_number=query.get("page"))
    except InvalidPosition:
        page = keyset_page(queryset, size=size)
    others = query.copy()
    for name in ("cursor", "page"):
        others.pop(name, None)
    page.links = {"newest": others.urlencode()}
    for name, position in (("newer", page.newer), ("older", page.older)):
        if position:
            others["cursor"] = position.encode()
            page.links[name] = others.urlencode()
    return page


class KeysetPagination(BasePagination):
    """The API's lists of memories and tasks: `{"next", "previous", "results"}`, newest first.

    `next` and `previous` are links with a `cursor` (null at either end); there
    is no `count`. `?page=N` is still read, and answers with cursor links; a
    cursor or page number that is not one is a 400 naming it.
    """

    page_size_setting = "PAGE_SIZE"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            self.page = keyset_page(
                queryset,
                size=settings.REST_FRAMEWORK[self.page_size_setting],
                cursor=request.query_params.get("cursor"),
                page_number=request.query_params.get("page"),
            )
        except InvalidPosition as invalid:
            name = "cursor" if request.query_params.get("cursor") else "page"
            raise ValidationError({name: [str(invalid)]}) from None
        return self.page.object_list

    def _link(self, position: Position | None) -> str | None:
        if position is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), "page")
        return replace_query_param(url, "cursor", position.encode())

    def get_paginated_response(self, data) -> Response:
        return Response({"next": self._link(self.page.older), "previous": self._link(self.page.newer), "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "The next (older) page; null on the last."},
                "previous": {**link, "description": "The previous (newer) page; null on the first."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Where the page starts: taken from a list's `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": "A page number, as in links of before (slower for deep pages); `next` and `previous` are cursors.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_NUMBER},
            },
        ]
