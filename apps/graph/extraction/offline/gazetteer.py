"""Names of the world, from data packages installed with MemStack, read once per process.

The word lists in `lexicon` are small and hand-written: they say for sure. These
lists are large and say "probably": every town of 15,000 people or more and every
country (GeoNames, through the `geotext` package; CC BY; the towns in Latin
letters and in Chinese characters), and the first names of
the United States census (through the `names` package). They type a name nothing
else explains ("Kyoto", "Camille Roux"); they never make a word a name. The
census's surnames are left out: too many are words ("Park", "Dash", "Phoenix").
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import NamedTuple

_CITIES = "cities15000.txt"
_COUNTRIES = "countryInfo.txt"
_FIRST_NAMES = ("dist.male.first", "dist.female.first")
_HAN = re.compile(r"[\u4e00-\u9fff]{2,5}")
_WRITTEN_AS_A_NAME = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}")


@functools.cache
def places() -> frozenset[str]:
    """Lower-cased names of towns and countries, as written there and in ASCII ("kraków", "krakow")."""
    names = set(_towns().written)
    with (resources.files("geotext") / "data" / _COUNTRIES).open(encoding="utf-8-sig") as lines:
        for line in lines:
            if not line.startswith("#"):
                names.add(line.split("\t")[4].lower())
    return frozenset(names)


@functools.cache
def place_names() -> frozenset[str]:
    """`places()`, and the towns' other names written as names in Latin letters ("antwerp", "cologne",
    "gothenburg"): for a capitalised name only, as some are words in a language ("port", "big")."""
    return places() | _towns().latin


def chinese_places() -> frozenset[str]:
    """The towns' names as GeoNames writes them in Chinese characters (柏林, 大连, 班加罗尔)."""
    return _towns().chinese


class _Towns(NamedTuple):
    written: frozenset[str]  # the name and its ASCII spelling, lower-cased
    latin: frozenset[str]  # other names written as names in Latin letters, lower-cased
    chinese: frozenset[str]  # other names in Chinese characters


@functools.cache
def _towns() -> _Towns:
    """The town list's names, read in one pass: its lines are id, name, ASCII name, other names, ..."""
    written: set[str] = set()
    latin: set[str] = set()
    chinese: set[str] = set()
    with (resources.files("geotext") / "data" / _CITIES).open(encoding="utf-8") as lines:
        for line in lines:
            _, name, ascii_name, others, _ = line.split("\t", 4)
            written.update((name.lower(), ascii_name.lower()))
            for other in others.split(","):
                if _WRITTEN_AS_A_NAME.fullmatch(other):
                    latin.add(other.lower())
                elif _HAN.fullmatch(other):
                    chinese.add(other)
    return _Towns(frozenset(written), frozenset(latin), frozenset(chinese))


@functools.cache
def first_names() -> frozenset[str]:
    return frozenset(word for table in _FIRST_NAMES for word in _census(table))


def _census(table: str) -> list[str]:
    """The names of a census table, whose lines are a name and its shares: "SMITH 1.006 1.006 1" -> "smith"."""
    text = (resources.files("names") / table).read_text(encoding="ascii")
    return [line.split(maxsplit=1)[0].lower() for line in text.splitlines() if line.strip()]
