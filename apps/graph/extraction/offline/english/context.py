"""What is known about an English sentence beyond its own words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EnglishContext:
    """What is known beyond the sentence."""

    capitalised_mid_sentence: frozenset[str] = frozenset()  # lower-cased words
    speaker: str | None = None
    # Who "he"/"she" and "the company" stand for: the last person and organisation named.
    person: str | None = None
    organization: str | None = None
    people: tuple[str, ...] = ()  # who "they" stands for: the people of the last sentence naming several
    place: str | None = None  # what "moved there" stands for: the last place named
    # Names recognised although written in lower case (chat: "moved to berlin").
    lowercase_names: frozenset[str] = frozenset()
    # Whom "your" stands for: in a chat between two, the other speaker.
    addressee: str | None = None
