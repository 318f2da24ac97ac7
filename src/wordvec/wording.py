"""Small helpers for messages: counts with the right plural ("1 epoch", "2 epochs")."""

from __future__ import annotations

__all__ = ["counted"]

_IRREGULAR = {"index": "indices", "matrix": "matrices", "entry": "entries"}


def counted(n: int | float, noun: str, plural: str | None = None, sep: bool = False) -> str:
    """``n`` and ``noun``, plural unless ``n`` is exactly 1.

    ``plural`` overrides the plural form (default: a few irregular nouns, else
    ``noun + "s"``); ``sep`` writes thousands separators (``12,345 words``).

    >>> counted(1, "epoch"), counted(0, "number"), counted(12345, "word", sep=True)
    ('1 epoch', '0 numbers', '12,345 words')
    """
    shown = f"{n:,}" if sep else f"{n}"
    if n == 1:
        return f"{shown} {noun}"
    return f"{shown} {plural or _IRREGULAR.get(noun) or noun + 's'}"
