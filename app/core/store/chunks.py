"""One way to cut a long list of ids into pieces small enough for ``IN (...)``.

SQLite takes at most 32,766 bound parameters a statement (999 in old builds);
queries that filter on many ids run once per chunk.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

CHUNK = 500  # ids per ``IN (...)`` when a statement binds other parameters too
READ_CHUNK = 900  # ids per ``IN (...)`` of a plain read


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size`` (none for an empty sequence)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
