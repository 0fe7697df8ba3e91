"""How a memory is written into an export: JSON Lines or Markdown files in a zip.

Writing only: nothing here reads the database. A writer takes one memory at
a time and writes it out at once, so an export of any size holds one memory
in memory, never the project.

JSON Lines carries exactly the fields the batch import reads
(apps/memories/imports/parsing.py and validation.py), so importing the file
into another project gives the same memories. Markdown is for people: one
file per memory, its fields in a front matter block, named by date and title.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol

from django.utils.text import slugify

# What the importer reads of an item (validation.MemoryInput), in that order.
IMPORT_FIELDS = ("title", "content", "content_type", "tags", "source_description", "metadata", "valid_at")
NAME_LIMIT = 80  # characters of a title kept in a file name


class ExportedMemory(Protocol):
    """What a writer needs of a memory (apps.memories.models.Memory)."""

    id: object
    title: str
    content: str
    content_type: str
    tags: list
    source_description: str
    metadata: dict
    valid_at: datetime
    created_at: datetime


def import_record(memory: ExportedMemory) -> dict:
    """The memory as one item of a batch import."""
    record = {field: getattr(memory, field) for field in IMPORT_FIELDS}
    record["valid_at"] = memory.valid_at.isoformat()
    return record


def jsonl_line(memory: ExportedMemory) -> str:
    # ensure_ascii=False keeps Chinese readable; json escapes every "\n" inside
    # a string, which is the only character the importer splits lines at.
    return json.dumps(import_record(memory), ensure_ascii=False) + "\n"


def markdown_document(memory: ExportedMemory) -> str:
    """Front matter (YAML; each value written as JSON, which YAML reads as is), then the content."""
    head = {
        "title": memory.title,
        "date": memory.valid_at.isoformat(),
        "type": memory.content_type,
        "tags": list(memory.tags or []),
    }
    if memory.source_description:
        head["source"] = memory.source_description
    if memory.metadata:
        head["metadata"] = memory.metadata
    head["id"] = str(memory.id)
    head["created"] = memory.created_at.isoformat()
    lines = ["---", *(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in head.items()), "---", ""]
    body = memory.content
    if memory.content_type == "json":
        fence = "`" * max(3, _longest_backtick_run(body) + 1)
        body = f"{fence}json\n{body}\n{fence}"
    return "\n".join(lines) + "\n" + body.rstrip("\n") + "\n"


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


class UniqueNames:
    """File names from dates and titles, unique within one export whatever the titles.

    `2024-05-01-standup.md`, then `2024-05-01-standup-2.md` for a second
    memory of the same day and title. Letters of any script stay (a Chinese
    title keeps its characters); anything a file system may refuse goes.
    Names are compared without case, for file systems that ignore it.
    """

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def name_for(self, memory: ExportedMemory, extension: str = ".md") -> str:
        stem = slugify(memory.title, allow_unicode=True)[:NAME_LIMIT].strip("-_") or "memory"
        stem = f"{memory.valid_at:%Y-%m-%d}-{stem}"
        name, number = f"{stem}{extension}", 1
        while name.casefold() in self.taken:
            number += 1
            name = f"{stem}-{number}{extension}"
        self.taken.add(name.casefold())
        return name


class Writer(Protocol):
    def __enter__(self) -> Callable[[ExportedMemory], None]: ...

    def __exit__(self, *exc_info: object) -> None: ...


class JsonLinesWriter:
    def __init__(self, path: Path, folder: str) -> None:
        self.path = path

    def __enter__(self) -> Callable[[ExportedMemory], None]:
        self.file = self.path.open("w", encoding="utf-8", newline="\n")
        return lambda memory: self.file.write(jsonl_line(memory))

    def __exit__(self, *exc_info: object) -> None:
        self.file.close()


class MarkdownZipWriter:
    """A zip of one folder (named for the project) with one Markdown file per memory."""

    def __init__(self, path: Path, folder: str) -> None:
        self.path = path
        self.folder = folder
        self.names = UniqueNames()

    def __enter__(self) -> Callable[[ExportedMemory], None]:
        self.zip = zipfile.ZipFile(self.path, "w", compression=zipfile.ZIP_DEFLATED)
        return self.write

    def write(self, memory: ExportedMemory) -> None:
        entry = zipfile.ZipInfo(f"{self.folder}/{self.names.name_for(memory)}", date_time=_zip_time(memory.valid_at))
        entry.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(entry, markdown_document(memory))

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.zip.close()


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry's time: the memory's date, within what the zip format can say (1980 to 2107)."""
    if moment.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    if moment.year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


@dataclass(frozen=True)
class ExportFormat:
    name: str
    short: str  # in lists and task names
    label: str  # on the choice
    extension: str
    content_type: str
    writer: Callable[[Path, str], Writer]


FORMATS = {
    "jsonl": ExportFormat(
        "jsonl", "JSON Lines", "JSON Lines: every field, to import into a project again", ".jsonl", "application/x-ndjson",
        JsonLinesWriter,
    ),
    "markdown": ExportFormat(
        "markdown", "Markdown", "Markdown: one file per memory, in a zip", ".zip", "application/zip", MarkdownZipWriter,
    ),
}  # fmt: skip
