"""Hybrid logical clock (Kulkarni et al.) encoded as a sortable string.

``"{wall_ms:015d}.{counter:06x}.{site_id}"``: comparing two encodings as text
orders them by physical time, then logical counter, then site id, which is the
deterministic tie-break the sync design asks for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_COUNTER_MAX = 0xFFFFFF


@dataclass(frozen=True, order=True)
class Timestamp:
    wall_ms: int
    counter: int
    site: str

    def encode(self) -> str:
        return f"{self.wall_ms:015d}.{self.counter:06x}.{self.site}"

    @classmethod
    def decode(cls, text: str) -> Timestamp:
        wall, counter, site = text.split(".", 2)
        return cls(int(wall), int(counter, 16), site)


class HybridLogicalClock:
    """Monotonic across calls and across restarts (seed it with the last value)."""

    def __init__(
        self,
        site: str,
        last: str | None = None,
        now_ms: Callable[[], int] | None = None,
    ) -> None:
        self.site = site
        self._now = now_ms or (lambda: time.time_ns() // 1_000_000)
        self._lock = threading.Lock()
        if last:
            ts = Timestamp.decode(last)
            self._wall, self._counter = ts.wall_ms, ts.counter
        else:
            self._wall, self._counter = 0, 0

    def _advance(self, wall: int) -> None:
        if wall > self._wall:
            self._wall, self._counter = wall, 0
        elif self._counter >= _COUNTER_MAX:
            self._wall, self._counter = self._wall + 1, 0
        else:
            self._counter += 1

    def tick(self) -> str:
        """A new timestamp for a local event."""
        with self._lock:
            self._advance(self._now())
            return Timestamp(self._wall, self._counter, self.site).encode()

    def observe(self, remote: str) -> None:
        """Merge a timestamp received from another site."""
        ts = Timestamp.decode(remote)
        with self._lock:
            wall = max(self._now(), ts.wall_ms, self._wall)
            if wall == self._wall == ts.wall_ms:
                self._counter = max(self._counter, ts.counter)
                self._advance(wall)
            elif wall == ts.wall_ms:
                self._wall, self._counter = wall, ts.counter
                self._advance(wall)
            else:
                self._advance(wall)

    @property
    def last(self) -> str:
        return Timestamp(self._wall, self._counter, self.site).encode()
