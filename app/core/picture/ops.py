"""Writes to the picture: units and crisis zones, added, updated, moved and removed.

Each public function is one transaction through ``app.core.store.writing``;
``save_units`` and ``save_zones`` work inside a batch the caller holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select, update

from app.core.common.markings import Releasability
from app.core.picture.records import UnitData, ZoneData
from app.core.store.engine import Store
from app.core.store.models import CrisisZone, Unit, UnitPosition
from app.core.store.writing import WriteBatch, sqlite_time, tombstone, upsert_records, writing


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
    """Move units to new positions: the fast path for tracks (one statement per table)."""
    from app.core.common.geo import validate_latlon

    for _uid, lat, lon in moves:
        validate_latlon(lat, lon)
    with writing(store, initiator) as batch:
        when = at or batch.now
        conn = batch.session.connection()
        if conn.dialect.name != "sqlite":
            return _move_units_generic(batch, moves, when)
        # the hot path for tracks: plain executemany with ready-made parameters
        ids = [m[0] for m in moves]
        current: dict[str, tuple[str, str, str, float, float]] = {}
        query = (
            "SELECT id, hlc, classification, releasable_to, lat, lon FROM unit WHERE deleted = 0"
        )
        if len(ids) > 2000:
            wanted = set(ids)
            for row in conn.exec_driver_sql(query):
                if row[0] in wanted:
                    current[row[0]] = row[1:]
        else:
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                sql = f"{query} AND id IN ({', '.join('?' * len(chunk))})"
                for row in conn.exec_driver_sql(sql, tuple(chunk)):
                    current[row[0]] = row[1:]
        when_text, now_text, hlc = sqlite_time(when), sqlite_time(batch.now), batch.hlc
        when_iso = when.isoformat()
        updates, positions = [], []
        for uid, lat, lon in moves:
            old = current.get(uid)
            if old is None or (old[3], old[4]) == (lat, lon):
                continue
            updates.append((lat, lon, when_text, now_text, hlc, uid))
            positions.append((uid, when_text, lat, lon))
            batch.capture_json(
                "unit",
                uid,
                "update",
                f'{{"lat":{float(lat)!r},"lon":{float(lon)!r},"last_report":"{when_iso}"}}',
                old[0],
                old[1],
                old[2],
            )
        if updates:
            conn.exec_driver_sql(
                "UPDATE unit SET lat = ?, lon = ?, last_report = ?, updated_at = ?, hlc = ? WHERE id = ?",
                updates,
            )
            conn.exec_driver_sql(
                "INSERT INTO unit_position (unit_id, at, lat, lon) VALUES (?, ?, ?, ?)", positions
            )
            moved = frozenset(u[5] for u in updates)
            batch.positions.extend((u[5], u[0], u[1]) for u in updates)
            batch.moved_at = when
            sets = batch.touched.setdefault(
                "unit", {"added": set(), "updated": set(), "removed": set(), "moved": set()}
            )
            sets["updated"] |= moved
            sets["moved"] |= moved
        return len(updates)


def _move_units_generic(
    batch: WriteBatch, moves: Sequence[tuple[str, float, float]], when: datetime
) -> int:
    current: dict[str, tuple[str, str, Releasability, float, float]] = {}
    ids = [m[0] for m in moves]
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        stmt = select(
            Unit.id, Unit.hlc, Unit.classification, Unit.releasable_to, Unit.lat, Unit.lon
        ).where(Unit.id.in_(chunk), Unit.deleted.is_(False))
        for rid, hlc, cls, rel, lat0, lon0 in batch.session.execute(stmt):
            current[rid] = (hlc, cls, rel, lat0, lon0)
    updates = []
    positions = []
    for uid, lat, lon in moves:
        if uid not in current:
            continue
        hlc, cls, rel, lat0, lon0 = current[uid]
        if (lat0, lon0) == (lat, lon):
            continue
        updates.append(
            {
                "id": uid,
                "lat": lat,
                "lon": lon,
                "last_report": when,
                "updated_at": batch.now,
                "hlc": batch.hlc,
            }
        )
        positions.append({"unit_id": uid, "at": when, "lat": lat, "lon": lon})
        batch.capture(
            "unit", uid, "update", {"lat": lat, "lon": lon, "last_report": when}, hlc, cls, rel
        )
        batch._note("unit", "updated", uid)
        batch._note("unit", "moved", uid)
    if updates:
        batch.session.execute(update(Unit), updates)
        batch.session.execute(UnitPosition.__table__.insert(), positions)
    return len(updates)


def delete_records(
    store: Store,
    model: type[Unit] | type[CrisisZone],
    ids: Iterable[str],
    initiator: str | None = None,
) -> int:
    """Tombstone records (kept for sync, hidden everywhere else)."""
    with writing(store, initiator) as batch:
        return len(tombstone(batch, model, ids))
