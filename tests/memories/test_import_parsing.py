"""Reading imports into items: no database, only the formats and the limits."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from apps.memories.imports.parsing import (
    ImportRefused,
    ParsedItem,
    RejectedItem,
    items_from_files,
    parse_csv,
    parse_json_array,
    parse_jsonl,
    read_import,
    read_uploads,
)


def line(**fields) -> str:
    return json.dumps({"title": "Standup", "content": "Alice Chen works at Acme Corp.", **fields})


class Upload:
    def __init__(self, name: str, data: bytes) -> None:
        self.name, self.size, self._data, self.reads = name, len(data), data, 0

    def read(self) -> bytes:
        self.reads += 1
        return self._data


# -- JSON Lines ------------------------------------------------------------------


def test_it_reads_json_lines_with_their_line_numbers():
    text = "\n".join([line(), "", line(title="Retro", tags="a, b; c"), "   "])
    assert list(parse_jsonl(text)) == [
        ParsedItem(1, json.loads(line())),
        ParsedItem(3, {**json.loads(line(title="Retro")), "tags": ["a", "b", "c"]}),
    ]


def test_it_rejects_a_malformed_line_and_reads_on():
    text = "\n".join([line(), '{"title": "Broken", "content": ', "[1, 2]", line(title="After")])
    entries = list(parse_jsonl(text))
    assert [type(entry) for entry in entries] == [ParsedItem, RejectedItem, RejectedItem, ParsedItem]
    assert entries[1].line == 2 and entries[1].reason.startswith("Not valid JSON: Expecting value (column 32)")
    assert entries[2] == RejectedItem(3, "Expected an object with title and content, not an array.")
    assert entries[3].line == 4


def test_it_keeps_a_line_separator_inside_a_json_string():
    text = line(content="one\u2028two") + "\r\n" + line(title="Second", content="three")
    entries = list(parse_jsonl("\ufeff" + text))
    assert [entry.line for entry in entries] == [1, 2]
    assert entries[0].fields["content"] == "one\u2028two"


# -- CSV -------------------------------------------------------------------------------


def test_it_reads_csv_rows_with_the_line_each_starts_on():
    text = (
        "Title,content,tags,metadata\r\n"
        'Standup,"Alice Chen\nworks at Acme Corp.","work; team",\r\n'
        "\r\n"
        'Retro,Bob left.,,"{""mood"": ""calm""}"\r\n'
        "Short row\r\n"
        'Meta,Broken metadata.,,"{nope"\r\n'
    )
    entries = list(parse_csv(text))
    assert entries[0] == ParsedItem(
        2, {"title": "Standup", "content": "Alice Chen\nworks at Acme Corp.", "tags": ["work", "team"]}
    )
    assert entries[1] == ParsedItem(5, {"title": "Retro", "content": "Bob left.", "metadata": {"mood": "calm"}})
    assert entries[2] == RejectedItem(6, "Has 1 fields; the header has 4.")
    assert entries[3].line == 7 and entries[3].reason.startswith("metadata is not valid JSON")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("title,body", "columns MemStack does not know: body"),
        ("title,content,title", "names title more than once"),
        ("content,tags", "title is missing"),
    ],
)
def test_it_refuses_a_csv_header_it_cannot_use(header, message):
    with pytest.raises(ImportRefused, match=message):
        list(parse_csv(f"{header}\nStandup,Alice\n"))


def test_it_reads_a_csv_field_longer_than_the_csv_module_default():
    long = "word " * 40_000
    [entry] = parse_csv(f"title,content\nLong,{long}\n")
    assert entry.fields["content"] == long


# -- JSON arrays and files ---------------------------------------------------------


def test_it_reads_a_json_array_by_item_position():
    entries = list(parse_json_array([json.loads(line()), "nope", None]))
    assert entries[0] == ParsedItem(1, json.loads(line()))
    assert entries[1] == RejectedItem(2, "Expected an object with title and content, not a string.")
    assert entries[2] == RejectedItem(3, "Expected an object with title and content, not null.")


def test_it_makes_one_item_per_file():
    files = [
        ("notes/standup.md", b"# Standup\nAlice Chen works at Acme Corp."),
        ("retro.txt", "Bob left."),
        ("empty.txt", b"  \n"),
        ("photo.txt", b"\xff\xd8\xff"),
    ]
    entries = list(items_from_files(files))
    assert entries[0] == ParsedItem(
        1,
        {"title": "standup", "content": "# Standup\nAlice Chen works at Acme Corp.", "content_type": "markdown"},
        "notes/standup.md",
    )
    assert entries[1] == ParsedItem(2, {"title": "retro", "content": "Bob left.", "content_type": "text"}, "retro.txt")
    assert entries[2] == RejectedItem(3, "empty.txt is empty.", "empty.txt")
    assert entries[3].line == 4 and "not UTF-8 text" in entries[3].reason


# -- whole imports -------------------------------------------------------------------


def test_it_detects_the_format_from_the_file_name_or_the_text():
    assert read_import(files=[("notes.JSONL", line().encode())]).format == "jsonl"
    assert read_import(files=[("notes.csv", b"title,content\nA,B\n")]).format == "csv"
    assert read_import(files=[("a.md", b"A"), ("b.txt", b"B")]).source_name == "2 files"
    assert read_import(text=f"[{line()}]").format == "json"
    parsed = read_import(text=line())
    assert (parsed.format, parsed.source_name, parsed.size) == ("jsonl", "pasted text", 1)
    with pytest.raises(ImportRefused, match="Choose the format"):
        read_import(text="title,content\nA,B\n")
    assert read_import(text="title,content\nA,B\n", format="csv").size == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "  \n"}, "nothing to import"),
        ({"text": "title,content\n", "format": "csv"}, "nothing to import"),
        ({"items": []}, "nothing to import"),
        ({"items": {"title": "A"}}, "Expected a JSON array"),
        ({"text": "[1, 2", "format": "json"}, "Not valid JSON"),
        ({"files": [("a.jsonl", b"{}"), ("b.jsonl", b"{}")]}, "one JSON Lines, CSV or JSON file at a time"),
        ({"files": [("a.csv", b"\xff\xfe")]}, "not UTF-8 text"),
        ({"files": [("a.csv", b"title,content\n"), ("b.md", b"B")]}, "one JSON Lines, CSV or JSON file at a time"),
        ({"text": "A", "format": "text"}, "for uploaded files"),
        ({"text": "{}", "items": []}, "exactly one"),
        ({"text": "{}", "format": "xml"}, "Unknown format"),
    ],
)
def test_it_refuses_an_import_it_cannot_read_as_a_whole(kwargs, message):
    with pytest.raises(ImportRefused, match=message):
        read_import(**kwargs)


def test_it_refuses_more_items_than_the_limit():
    with override_settings(IMPORT_MAX_ITEMS=3):
        assert read_import(text="\n".join(line(title=str(n)) for n in range(3))).size == 3
        with pytest.raises(ImportRefused, match="more than 3 items; the limit is 3. Split it"):
            read_import(text="\n".join([line(), "{broken", line(), line()]))


def test_it_refuses_an_import_over_the_size_limit_before_reading_the_files():
    upload = Upload("notes.jsonl", b"x" * 2_000_000)
    with override_settings(IMPORT_MAX_BYTES=1024 * 1024):
        with pytest.raises(ImportRefused, match=r"The import is 1.9 MB; the limit is 1 MB\. Split it"):
            read_uploads([upload])
        with pytest.raises(ImportRefused, match="the limit is 1 MB"):
            read_import(text="é" * 600_000)  # 1.2 MB in UTF-8
    assert upload.reads == 0
