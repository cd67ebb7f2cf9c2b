"""What the Sync dock reads at once: status, conflict log, trusted peers."""

from __future__ import annotations

from pathlib import Path

from app.core.picture.ops import add_units
from app.core.sync.keys import trust_sender, write_site_key
from app.core.sync.status import sync_overview
from tests.core.sync.helpers import make_stores, unit


def test_the_sync_overview(tmp_path: Path) -> None:
    here, there = make_stores(tmp_path, 2)
    try:
        status, conflicts, peers = sync_overview(here)
        assert (status.changes, status.pending, status.open_conflicts) == (0, 0, 0)
        assert conflicts == [] and peers == [] and status.peers == []
        add_units(here, [unit("Alpha"), unit("Bravo")])
        write_site_key(there, tmp_path / "there.key")
        trust_sender(here, tmp_path / "there.key", "Forward HQ")
        status, conflicts, peers = sync_overview(here)
        assert (status.changes, status.pending) == (2, 2)  # never synced: all pending
        assert conflicts == [] and peers == ["Forward HQ"]
    finally:
        here.close()
        there.close()
