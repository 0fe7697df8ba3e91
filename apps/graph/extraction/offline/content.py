"""Turn a memory's content (text, markdown, json, conversation) into plain-text segments.

Each segment is prose the sentence-level extractors can read, plus what the
format itself tells us: who is speaking, or which JSON key a value sits under.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from apps.graph.extraction.types import CONTENT_TYPES, ExtractionError


@dataclass(frozen=True)
class Segment:
    text: str
    speaker: str | None = None  # conversation: the speaker of this line, a Person
    hint_type: str | None = None  # json: the type the value's key implies, for short values
    # A letter or an e-mail: who signed it ("I", "my"), whom it greets ("your"), and the organisation
    # its signature names after the signer's post ("Talent Partner, Crestline Search").
    author: str | None = None
    addressee: str | None = None
    affiliation: str | None = None


def segments(text: str, content_type: str) -> list[Segment]:
    if content_type not in CONTENT_TYPES:
        raise ExtractionError(f"Unknown content type {content_type!r}; expected one of {', '.join(CONTENT_TYPES)}.")
    if content_type == "markdown":
        return [Segment(markdown_to_text(text))]
    if content_type == "json":
        return list(_json_segments(text))
    if content_type == "conversation":
        return list(_conversation_segments(text))
    return _letter(text)


# --- letters and e-mails -------------------------------------------------------------

_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good morning|good afternoon)\b[ ,]*(?P<name>[^,\n!:]*)[,!:]?\s*$", re.I
)
_SIGN_OFF = re.compile(
    r"^\s*(?:best|cheers|regards|best regards|kind regards|warm regards|warmly|many thanks|thanks|thank you"
    r"|sincerely|yours|yours sincerely|all the best|talk soon|take care)[,.!]?\s*$",
    re.I,
)
_GREETS = re.compile(r"^\s*(?:hi|hello|hey|dear)\b", re.I)
_PERSON_NAME = re.compile(r"(?:[A-Z][\w'’-]*\.?)(?: [A-Z][\w'’-]*\.?){0,3}")
_GROUPS = frozenset("all team everyone everybody folks there guys colleagues friends".split())


def _letter(text: str) -> list[Segment]:
    """A text signed at its end (after a sign-off, or greeting someone at its start) is a letter: its signer
    is whom "I" and "my" stand for, the one it greets whom "your" stands for. Otherwise one plain segment."""
    lines = text.strip().splitlines()
    greeting = _GREETING.match(lines[0]) if lines else None  # a line of its own: "Hi Priyanka,"
    greets = bool(lines) and bool(_GREETS.match(lines[0]))  # "Hi all, quick update: ..."
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    sign_off = next((i for i in range(end - 1, max(-1, end - 5), -1) if _SIGN_OFF.match(lines[i])), None)
    signature_at = sign_off + 1 if sign_off is not None else None
    if signature_at is None and greets and end > 1:
        signature_at = end - 1  # "Hi all, ... \n Lena Hoffmann, VP Engineering"
    if signature_at is None or signature_at >= end:
        return [Segment(text)]
    first, _, post = lines[signature_at].strip().partition(",")
    if _SIGN_OFF.match(first) and post.strip():  # "Best, Karen", "Best regards, Hélène Dubois, Lab Coordinator"
        first, _, post = post.strip().partition(",")
        sign_off = signature_at
    if not _PERSON_NAME.fullmatch(first.strip()) or first.strip().lower() in _GROUPS:
        return [Segment(text)]
    author = first.strip()
    addressee = greeting["name"].strip() if greeting else None
    if not addressee or not _PERSON_NAME.fullmatch(addressee) or addressee.lower() in _GROUPS:
        addressee = None
    body = "\n".join(lines[1 if greeting else 0 : sign_off if sign_off is not None else signature_at])
    segments = [Segment(body, author=author, addressee=addressee)]
    for line in [post, *lines[signature_at + 1 : end]]:
        role, comma, organisation = line.strip().rpartition(",")
        if comma and _PERSON_NAME.fullmatch(organisation.strip()):
            segments.append(Segment(line.strip(), author=author, affiliation=organisation.strip()))
    return segments


# --- markdown ------------------------------------------------------------------------

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^>]+>")
_LINK_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s+\S+.*$")
_INLINE_CODE = re.compile(r"`+([^`]*)`+")
_EMPHASIS = re.compile(r"(?<![\w*_~])(\*{1,3}|_{1,3}|~~)(?=\S)(.+?)(?<=\S)\1(?![\w*_~])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_SETEXT_OR_RULE = re.compile(r"^\s{0,3}([=\-*_])(\s*\1){2,}\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def markdown_to_text(text: str) -> str:
    """Markdown without its syntax. Headings, list items and table rows become sentences of their own.

    Fenced code is dropped: it is not prose, and identifiers in it would become
    entities.
    """
    text = _HTML_COMMENT.sub("", _FENCE.sub("", text))
    blocks: list[str] = []
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph:
            blocks.append(" ".join(paragraph))
            paragraph.clear()

    for raw in text.splitlines():
        line = _QUOTE.sub("", raw)
        if not line.strip() or _SETEXT_OR_RULE.match(line) or _TABLE_RULE.match(line) or _LINK_DEFINITION.match(line):
            end_paragraph()
            continue
        block = _block_text(line)
        if block is None:
            paragraph.append(_inline(line.strip()))
        else:
            end_paragraph()
            blocks.append(_as_sentence(_inline(block)))
    end_paragraph()
    return "\n\n".join(b for b in blocks if b.strip())


def _block_text(line: str) -> str | None:
    """The text of a heading, list item or table row; None for a paragraph line."""
    if match := _HEADING.match(line):
        return match.group(1)
    if match := _LIST_ITEM.match(line):
        return match.group(1)
    if line.strip().startswith("|"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        return ". ".join(c for c in cells if c)
    return None


def _inline(text: str) -> str:
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = _AUTOLINK.sub("", text)
    text = _INLINE_CODE.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    for _ in range(3):  # nested emphasis: ***x***, **_x_**
        text = _EMPHASIS.sub(r"\2", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _as_sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?。！？:;" else text + "."


# --- json ------------------------------------------------------------------------------

# A JSON key containing one of these words says what kind of thing a short value names.
_KEY_HINTS = {
    "person": "Person", "author": "Person", "speaker": "Person", "user": "Person",
    "owner": "Person", "manager": "Person", "employee": "Person", "contact": "Person",
    "founder": "Person", "ceo": "Person", "assignee": "Person", "reporter": "Person",
    "company": "Organization", "organization": "Organization", "organisation": "Organization",
    "org": "Organization", "employer": "Organization", "university": "Organization",
    "city": "Location", "country": "Location", "location": "Location", "place": "Location",
    "region": "Location",
    "product": "Product", "event": "Event",
}  # fmt: skip

_KEY_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _json_segments(text: str) -> Iterator[Segment]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExtractionError(
            f"The content is marked as JSON but is not valid JSON ({error.msg} at line "
            f"{error.lineno}, column {error.colno}). Fix it, or save the memory as text."
        ) from None
    for key, value in _string_values(data, key=None):
        yield Segment(value, hint_type=_hint_for(key, value))


def _string_values(data: Any, key: str | None) -> Iterator[tuple[str | None, str]]:
    # Values only: keys are field names, not content.
    if isinstance(data, str):
        if data.strip():
            yield key, data.strip()
    elif isinstance(data, dict):
        for child_key, child in data.items():
            yield from _string_values(child, str(child_key))
    elif isinstance(data, list):
        for child in data:
            yield from _string_values(child, key)


def _hint_for(key: str | None, value: str) -> str | None:
    # Only a short, name-like value is the thing itself; a long one is prose about it.
    if key is None or len(value.split()) > 6 or not any(c.isupper() or _is_cjk(c) for c in value):
        return None
    for word in _KEY_WORD.findall(key):
        if hint := _KEY_HINTS.get(word.lower()):
            return hint
    return None


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


# --- conversation -------------------------------------------------------------------

_TIMESTAMP = re.compile(r"^\s*(?:\[[^\]]*\]|\(?\d{1,2}:\d{2}(?::\d{2})?\)?)\s*")
_SPEAKER_LINE = re.compile(r"^\s*(?P<speaker>[^\s:：][^:：]{0,39}?)\s*[:：]\s*(?P<line>.*)$")

# Roles, not people: a chat log between "user" and "assistant" names nobody.
_ROLE_SPEAKERS = frozenset(
    "user assistant system bot ai human agent model tool me you moderator narrator 用户 助手 系统".split()
)


def _conversation_segments(text: str) -> Iterator[Segment]:
    speaker: str | None = None
    lines: list[str] = []
    for raw in text.splitlines():
        line = _TIMESTAMP.sub("", raw)
        match = _SPEAKER_LINE.match(line)
        if match and _looks_like_speaker(match.group("speaker")):
            if lines:
                yield Segment(" ".join(lines), speaker=speaker)
            speaker, lines = _person_or_none(match.group("speaker")), [match.group("line").strip()]
        elif line.strip():
            lines.append(line.strip())  # a continuation of the current turn
    if lines:
        yield Segment(" ".join(lines), speaker=speaker)


# "note: ...", "re: ...", "https://...": a label or a link, not someone speaking.
_NOT_SPEAKERS = frozenset(
    "note notes re fw fwd ps fyi edit update todo http https ftp mailto subject to cc from".split()
)


def _looks_like_speaker(name: str) -> bool:
    name = name.strip()
    if not name or len(name.split()) > 4 or any(c.isdigit() for c in name):
        return False
    if name.lower() in _NOT_SPEAKERS:
        return False
    # Chats are often typed in lower case: "alex: hey" names alex as much as "Alex: hey".
    lower_case_name = len(name.split()) == 1 and name.isalpha() and len(name) <= 20
    return name[0].isupper() or _is_cjk(name[0]) or name.lower() in _ROLE_SPEAKERS or lower_case_name


def _person_or_none(name: str) -> str | None:
    name = name.strip()
    return None if name.lower() in _ROLE_SPEAKERS else name
