"""Typed change notifications, published after each commit.

Data flows one way: a core operation commits, then publishes a ``Changed``
naming exactly which records of which kind were added, updated or removed;
each view refreshes only what concerns it.  Subscribers are called on the
thread that committed; UI code re-emits them onto the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

log = logging.getLogger(__name__)


class RecordKind(StrEnum):
    """The kind of record a ``Changed`` names (a ``str``: ``RecordKind.UNIT == "unit"``)."""

    UNIT = "unit"
    ZONE = "zone"
    TASK = "task"
    VIEW = "view"
    ROUTE = "route"
    MESSAGE = "message"
    SUPPLY_ITEM = "supply_item"
    SUPPLY_SITE = "supply_site"
    SUPPLY_STANDARD = "supply_standard"
    STOCK = "stock"
    SHIPMENT = "shipment"
    SUPPLY_REQUEST = "supply_request"
    PRESENCE = "presence"


@dataclass(frozen=True)
class Changed:
    """What one committed operation changed, for one kind of record."""

    kind: RecordKind
    added: frozenset[str] = frozenset()
    updated: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    moved: frozenset[str] = frozenset()  # updated ids whose only change is position
    initiator: str | None = None
    # for moves: the new positions (id, lat, lon) and report time, so views
    # showing positions need not read them back from the store
    positions: tuple[tuple[str, float, float], ...] = ()
    at: datetime | None = None

    @property
    def ids(self) -> frozenset[str]:
        return self.added | self.updated | self.removed

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.removed)


Subscriber = Callable[[list[Changed]], None]


@dataclass
class EventHub:
    """A minimal publish/subscribe hub, one per open store."""

    _subscribers: list[Subscriber] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, changes: Iterable[Changed]) -> None:
        batch = [c for c in changes if c]
        if not batch:
            return
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(batch)
            except Exception:  # a broken view must not undo a committed change
                log.exception("change subscriber failed")
