"""What the Sync dock and the status bar show: pending changes, peers, open conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from app.core.store.engine import Store
from app.core.store.models import SyncChange, SyncConflict, SyncCursor, SyncPeer
from app.i18n import _

if TYPE_CHECKING:
    from app.core.sync.conflicts import Conflict


@dataclass(frozen=True)
class PeerState:
    peer: str  # "server:host:port/db", "bundle:UN", "bundle-from:<site>"
    label: str
    last_sync: datetime | None
    sent: int
    received: int
    last_result: str


@dataclass(frozen=True)
class SyncStatus:
    pending: int  # local changes the server has not taken (all changes if never synced)
    changes: int
    open_conflicts: int
    peers: list[PeerState]

    @property
    def last_sync(self) -> datetime | None:
        times = [p.last_sync for p in self.peers if p.last_sync]
        return max(times) if times else None


def _label(peer: str, names: dict[str, str]) -> str:
    kind, _sep, rest = peer.partition(":")
    if kind == "server":
        return _("server {name}").format(name=rest)
    if kind == "bundle":
        return _("bundles to {partner}").format(partner=rest)
    if kind == "bundle-from":
        return _("bundles from {site}").format(site=names.get(rest, rest))
    return peer


def sync_status(store: Store) -> SyncStatus:
    with store.session() as session:
        total = int(session.scalar(select(func.count()).select_from(SyncChange)) or 0)
        cursors = list(session.scalars(select(SyncCursor).order_by(SyncCursor.peer)))
        names = {p.site_id: p.name for p in session.scalars(select(SyncPeer))}
        server_sent = max((c.sent for c in cursors if c.peer.startswith("server:")), default=0)
        pending = int(
            session.scalar(
                select(func.count()).select_from(SyncChange).where(SyncChange.seq > server_sent)
            )
            or 0
        )
        conflicts = int(
            session.scalar(
                select(func.count())
                .select_from(SyncConflict)
                .where(SyncConflict.reversed_at.is_(None))
            )
            or 0
        )
    peers = [
        PeerState(c.peer, _label(c.peer, names), c.last_sync, c.sent, c.received, c.last_result)
        for c in cursors
    ]
    return SyncStatus(pending, total, conflicts, peers)


def sync_overview(store: Store) -> tuple[SyncStatus, list[Conflict], list[str]]:
    """What the Sync dock shows: the status, the conflict log and the names of the
    trusted peers (to encrypt a bundle for)."""
    from app.core.sync.conflicts import list_conflicts
    from app.core.sync.keys import trusted_peers

    return sync_status(store), list_conflicts(store), [p.name for p in trusted_peers(store)]
