"""One deterministic order for keys of unknown type (ints, UUIDs, strings, tuples)."""

from __future__ import annotations

from collections.abc import Hashable


def stable_key(value: Hashable) -> tuple[int, object]:
    """Sort key that never compares unlike types: numbers first by value, then the rest by str().

    Database keys are usually ints or UUIDs; mixing them must not raise, and the
    order must not depend on hash seeds or insertion order.
    """
    if isinstance(value, bool):  # bool is an int subclass; keep it out of the numbers
        return (1, str(value))
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value))
