"""Spelling shared by every extractor: how an edge name is written."""

from __future__ import annotations

import re


def upper_snake(text: str) -> str:
    """ "works at" -> "WORKS_AT"; anything that is not a letter or digit separates words."""
    return re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").upper()
