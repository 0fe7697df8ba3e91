"""Reading a batch import — JSON Lines, CSV, a JSON array or a set of text
files — into items, one per memory to create.

Parsing only: nothing here touches the database. A malformed line becomes a
RejectedItem with its line number and the reason, so it rejects that line,
not the import. Only an import that is too big, empty or unreadable as a
whole is refused (ImportRefused), before anything is created.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Protocol

from django.conf import settings

from apps.core.input import InputRefused, check_json, loads_json

FORMATS = {
    "jsonl": "JSON Lines (one object per line)",
    "csv": "CSV with a header row",
    "json": "JSON array of objects",
    "text": "Text or Markdown files (one memory per file)",
}
EXTENSIONS = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".json": "json",
    ".txt": "text", ".text": "text", ".md": "text", ".markdown": "text",
}  # fmt: skip
MARKDOWN_EXTENSIONS = (".md", ".markdown")
CSV_COLUMNS = ("title", "content", "content_type", "tags", "source_description", "valid_at", "metadata")
TAG_SEPARATORS = re.compile(r"[,;]")


# Read at each call, not at import, so that a test's override_settings
# applies; the defaults live in memstack/settings.py alone.
def max_items() -> int:
    return settings.IMPORT_MAX_ITEMS


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


class ImportRefused(ValueError):
    """The import as a whole cannot be taken; the message says why and what to do."""


@dataclass(frozen=True)
class ParsedItem:
    """One memory to create. `line` is where it starts: a line of the text,
    an item of a JSON array, or the position of a file; `source` names the file."""

    line: int
    fields: dict
    source: str = ""


@dataclass(frozen=True)
class RejectedItem:
    line: int
    reason: str
    source: str = ""


Entry = ParsedItem | RejectedItem


@dataclass(frozen=True)
class ParsedImport:
    format: str
    source_name: str
    entries: list[Entry]

    @property
    def size(self) -> int:
        return len(self.entries)


# -- the formats -------------------------------------------------------------------


def parse_jsonl(text: str, *, source: str = "") -> Iterator[Entry]:
    """One JSON object per line; blank lines are skipped."""
    # Not str.splitlines(): it also splits at U+2028 and friends, which JSON
    # allows unescaped inside strings.
    for number, line in enumerate(_strip_bom(text).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = loads_json(line)
        except json.JSONDecodeError as exc:
            yield RejectedItem(number, f"Not valid JSON: {exc.msg} (column {exc.colno}).", source)
        except InputRefused as refused:
            yield RejectedItem(number, refused.where(), source)
        else:
            yield _item(number, value, source)


def parse_json_array(data: Any, *, source: str = "") -> Iterator[Entry]:
    """A JSON array of objects, already decoded; `line` is the item's position (1-based)."""
    if not isinstance(data, list):
        raise ImportRefused(f"Expected a JSON array of objects, not {_json_kind(data)}.")
    for number, value in enumerate(data, start=1):
        yield _item(number, value, source)


def parse_json_text(text: str, *, source: str = "") -> Iterator[Entry]:
    try:
        data = loads_json(_strip_bom(text))
    except InputRefused as refused:
        raise ImportRefused(refused.where()) from None
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}. "
            "A JSON array is read as a whole; to have a bad item reject only itself, use JSON Lines."
        ) from None
    return parse_json_array(data, source=source)


def parse_csv(text: str, *, source: str = "") -> Iterator[Entry]:
    """A header row naming CSV_COLUMNS (title and content required), then one memory per row.

    Tags may be separated by commas or semicolons; metadata is a JSON object.
    An empty cell leaves the field at its default.
    """
    # A memory's content may be longer than csv's default field limit (128 kB);
    # the import's own size limit bounds it instead. The limit is process-wide
    # and only ever raised here.
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes()))
    reader = csv.reader(io.StringIO(_strip_bom(text), newline=""))
    header: list[str] | None = None
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportRefused(
                f"Line {start}: {exc}. The rest of the file cannot be read; fix the quoting there and import again."
            ) from None
        previous_end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = _csv_header(row)
            continue
        if len(row) != len(header):
            yield RejectedItem(start, f"Has {len(row)} fields; the header has {len(header)}.", source)
            continue
        yield _csv_item(start, dict(zip(header, row)), source)


def _csv_header(row: list[str]) -> list[str]:
    names = [cell.strip().lower().replace(" ", "_") for cell in row]
    unknown = [name or "(empty)" for name in names if name not in CSV_COLUMNS]
    if unknown:
        raise ImportRefused(
            f"The CSV header has columns MemStack does not know: {', '.join(unknown)}. "
            f"Name the columns from: {', '.join(CSV_COLUMNS)}."
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ImportRefused(f"The CSV header names {', '.join(repeated)} more than once.")
    missing = [name for name in ("title", "content") if name not in names]
    if missing:
        raise ImportRefused(
            f"The CSV header must have the columns title and content; {' and '.join(missing)} is missing. "
            f"The first row is read as the header: {', '.join(row)}."
        )
    return names


def _csv_item(line: int, row: dict[str, str], source: str) -> Entry:
    fields: dict[str, Any] = {"title": row["title"].strip(), "content": row["content"]}
    for name in ("content_type", "source_description", "valid_at"):
        if row.get(name, "").strip():
            fields[name] = row[name].strip()
    if row.get("tags", "").strip():
        fields["tags"] = _split_tags(row["tags"])
    if row.get("metadata", "").strip():
        try:
            metadata = loads_json(row["metadata"])
        except json.JSONDecodeError as exc:
            return RejectedItem(line, f"metadata is not valid JSON: {exc.msg}.", source)
        except InputRefused as refused:
            return RejectedItem(line, f"metadata: {refused.where()}", source)
        fields["metadata"] = metadata
    return ParsedItem(line, fields, source)


def items_from_files(files: Iterable[tuple[str, str | bytes]]) -> Iterator[Entry]:
    """One memory per file: its name (without the extension) is the title; Markdown for .md."""
    for position, (name, data) in enumerate(files, start=1):
        text = _decode(data)
        if text is None:
            reason = f"{name} is not UTF-8 text; only text and Markdown files can be imported."
            yield RejectedItem(position, reason, name)
            continue
        if not text.strip():
            yield RejectedItem(position, f"{name} is empty.", name)
            continue
        path = PurePath(name)
        fields = {
            "title": (path.stem or path.name)[:200],
            "content": text,
            "content_type": "markdown" if path.suffix.lower() in MARKDOWN_EXTENSIONS else "text",
        }
        yield ParsedItem(position, fields, name)


# -- a whole import: formats, limits ----------------------------------------------


class Upload(Protocol):
    """What an uploaded file offers (Django's UploadedFile)."""

    name: str
    size: int

    def read(self) -> bytes: ...


def read_uploads(uploads: Iterable[Upload]) -> list[tuple[str, bytes]]:
    """The uploaded files' names and bytes, refused before reading when together they are too big."""
    uploads = list(uploads)
    check_size(sum(upload.size or 0 for upload in uploads))
    return [(PurePath(upload.name or "upload").name, upload.read()) for upload in uploads]


def check_size(size: int) -> None:
    if size > max_bytes():
        raise ImportRefused(size_refusal(size))


def size_refusal(size: int) -> str:
    return f"The import is {_megabytes(size)}; the limit is {_megabytes(max_bytes())}. Split it into several imports."


def format_of(filename: str) -> str | None:
    return EXTENSIONS.get(PurePath(filename).suffix.lower())


def read_import(
    *,
    format: str | None = None,
    text: str | None = None,
    items: list | None = None,
    files: list[tuple[str, bytes]] | None = None,
    name: str = "",
) -> ParsedImport:
    """Parse one import from exactly one of pasted `text`, decoded JSON `items` or uploaded `files`.

    `format` None means: from the files' extensions, or from how the text
    starts. Raises ImportRefused when the import is too big, has more than
    IMPORT_MAX_ITEMS items, has none, or cannot be read as a whole.
    """
    if sum(value is not None for value in (text, items, files)) != 1:
        raise ImportRefused("Give the import as text, as JSON items or as files: exactly one of them.")
    if format is not None and format not in FORMATS:
        raise ImportRefused(f"Unknown format {format!r}; choose one of {', '.join(FORMATS)}.")
    if files is not None:
        return _read_files(files, format)
    if items is not None:
        check_size(len(json.dumps(items, ensure_ascii=False).encode()))
        if format not in (None, "json"):
            raise ImportRefused("JSON items are a JSON array; leave the format out or say json.")
        return ParsedImport("json", name or "JSON items", _collect(parse_json_array(items)))
    check_size(len(text.encode()))
    format = format or _sniff(text)
    return ParsedImport(format, name or "pasted text", _collect(_parse_text(text, format, source="")))


def _read_files(files: list[tuple[str, bytes]], format: str | None) -> ParsedImport:
    if not files:
        raise ImportRefused("Choose a file to import.")
    check_size(sum(len(data) for _, data in files))
    names = [name for name, _ in files]
    if format is None:
        formats = {format_of(name) or "text" for name in names}
        format = formats.pop() if len(formats) == 1 else "mixed"
    if format == "text":
        source_name = names[0] if len(files) == 1 else f"{len(files):,} files"
        return ParsedImport("text", source_name, _collect(items_from_files(files)))
    if len(files) > 1:
        raise ImportRefused(
            "Upload one JSON Lines, CSV or JSON file at a time, or any number of text and Markdown files."
        )
    name, data = files[0]
    text = _decode(data)
    if text is None:
        raise ImportRefused(f"{name} is not UTF-8 text. Save it as UTF-8 and import it again.")
    return ParsedImport(format, name, _collect(_parse_text(text, format, source="")))


def _parse_text(text: str, format: str, *, source: str) -> Iterator[Entry]:
    if format == "jsonl":
        return parse_jsonl(text, source=source)
    if format == "csv":
        return parse_csv(text, source=source)
    if format == "json":
        return parse_json_text(text, source=source)
    raise ImportRefused("One memory per file is for uploaded files; paste JSON Lines, CSV or a JSON array.")


def _sniff(text: str) -> str:
    start = _strip_bom(text).lstrip()[:1]
    if start == "[":
        return "json"
    if start == "{":
        return "jsonl"
    if not start:
        raise ImportRefused("There is nothing to import.")
    raise ImportRefused("Choose the format: the text does not start like JSON Lines or a JSON array.")


def _collect(entries: Iterable[Entry]) -> list[Entry]:
    """All entries, refused as soon as there are more than IMPORT_MAX_ITEMS, or if there are none."""
    limit = max_items()
    collected: list[Entry] = []
    for entry in entries:
        collected.append(entry)
        if len(collected) > limit:
            raise ImportRefused(
                f"The import has more than {limit:,} items; the limit is {limit:,}. Split it into several imports."
            )
    if not collected:
        raise ImportRefused("There is nothing to import: no items were found.")
    return collected


# -- small helpers ---------------------------------------------------------------------


def _item(line: int, value: Any, source: str) -> Entry:
    if not isinstance(value, dict):
        return RejectedItem(line, f"Expected an object with title and content, not {_json_kind(value)}.", source)
    try:
        check_json(value)  # items given as decoded JSON were not read by loads_json
    except InputRefused as refused:
        return RejectedItem(line, refused.where(), source)
    if isinstance(value.get("tags"), str):
        value = {**value, "tags": _split_tags(value["tags"])}
    return ParsedItem(line, value, source)


def _split_tags(text: str) -> list[str]:
    return list(dict.fromkeys(tag.strip() for tag in TAG_SEPARATORS.split(text) if tag.strip()))


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return "a number"
    return "an object"


def _decode(data: str | bytes) -> str | None:
    if isinstance(data, str):
        return data
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f}".removesuffix(".0") + " MB"
