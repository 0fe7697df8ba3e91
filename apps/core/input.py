"""What text and JSON MemStack accepts, decided once.

Every way in (the API's parsers, the forms, the importer, query strings) asks
these functions, so a value is refused in the same words wherever it comes
from, and nothing PostgreSQL cannot store (NUL in text or jsonb, lone UTF-16
surrogates, NaN and Infinity in jsonb) gets as far as a query:

* text may not contain NUL (U+0000) or a lone surrogate (U+D800-U+DFFF);
* JSON may not contain NaN or Infinity, nor nest deeper than MAX_JSON_DEPTH;
* a request body may not be larger than REQUEST_MAX_BYTES (the middleware).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.exceptions import ValidationError

# Deep enough for any metadata a person writes, shallow enough that no
# recursive code (decoders, serializers, psycopg's jsonb dumper) runs out of stack.
MAX_JSON_DEPTH = 32

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class InputRefused(ValueError):
    """A value MemStack does not store; `path` says where it is in a JSON document."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    @property
    def field(self) -> str | None:
        return str(self.path[0]) if self.path else None

    def where(self) -> str:
        if len(self.path) < 2:
            return self.message
        dotted = ".".join(str(part) for part in self.path)
        return f"{self.message} (at {dotted})"


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None when it can."""
    match = _BAD_TEXT.search(value)
    if match is None:
        return None
    if match.group() == "\x00":
        return "Text may not contain NUL characters (U+0000); remove them."
    return "Text may not contain unpaired UTF-16 surrogates (U+D800 to U+DFFF); send valid Unicode."


def validate_text(value: Any) -> None:
    """A Django/DRF validator for text fields, forms' and serializers' alike."""
    if isinstance(value, str) and (problem := text_problem(value)):
        raise ValidationError(problem, code="bad_text")


def check_json(data: Any) -> None:
    """Refuse JSON that nests too deep or holds text or numbers we cannot store.

    Iterative, so a hostile document cannot exhaust the stack here either.
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if problem := text_problem(value):
                raise InputRefused(problem, path)
        elif isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise InputRefused("Numbers must be finite: NaN and Infinity are not JSON.", path)
        elif isinstance(value, (dict, list)):
            if len(path) >= MAX_JSON_DEPTH:
                raise InputRefused(f"JSON may nest at most {MAX_JSON_DEPTH} levels deep.", path[:1])
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and (problem := text_problem(key)):
                    raise InputRefused(problem, (*path, key))
                stack.append((item, (*path, key)))


def _refuse_constant(name: str) -> Any:
    raise InputRefused(f"{name} is not a JSON number; numbers must be finite.")


def loads_json(text: str | bytes) -> Any:
    """json.loads, refusing what check_json refuses.

    Raises InputRefused for those, ValueError (json.JSONDecodeError) for
    malformed JSON.
    """
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise InputRefused(f"JSON may nest at most {MAX_JSON_DEPTH} levels deep.") from None
    check_json(data)
    return data
