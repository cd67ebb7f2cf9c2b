"""Writes to the picture: units and crisis zones, added, updated, moved and removed.

Each public function is one transaction through ``app.core.store.writing``;
``save_units`` and ``save_zones`` work inside a batch the caller holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from app.core.picture.records import UnitData, ZoneData
from app.core.store.engine import Store
from app.core.store.models import CrisisZone, Unit
from app.core.store.writing import WriteBatch, tombstone, upsert_records, writing


def save_units(batch: WriteBatch, units: Iterable[UnitData]) -> list[str]:
    """Add or update units (by id) inside an open write batch; each is validated."""
    rows = [(u.id, u.validate().columns()) for u in units]
    return upsert_records(batch, Unit, rows)


def save_zones(batch: WriteBatch, zones: Iterable[ZoneData]) -> list[str]:
    rows = [(z.id, z.validate().columns()) for z in zones]
    return upsert_records(batch, CrisisZone, rows)


def add_units(store: Store, units: Iterable[UnitData], initiator: str | None = None) -> list[str]:
    with writing(store, initiator) as batch:
        return save_units(batch, units)


def add_zones(store: Store, zones: Iterable[ZoneData], initiator: str | None = None) -> list[str]:
    with writing(store, initiator) as batch:
        return save_zones(batch, zones)


def move_units(
    store: Store,
    moves: Sequence[tuple[str, float, float]],
    at: datetime | None = None,
    initiator: str | None = None,
) -> int:
    """Move units to new positions in one transaction (``WriteBatch.move_units``, the
    one way units move: history rows, ``moved`` notes with the new positions)."""
    with writing(store, initiator) as batch:
        return batch.move_units(moves, at)


def delete_records(
    store: Store,
    model: type[Unit] | type[CrisisZone],
    ids: Iterable[str],
    initiator: str | None = None,
) -> int:
    """Tombstone records (kept for sync, hidden everywhere else)."""
    with writing(store, initiator) as batch:
        return len(tombstone(batch, model, ids))
