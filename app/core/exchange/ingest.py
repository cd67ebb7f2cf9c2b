"""What an exchange file or a live-feed batch brings, and storing it in one transaction.

Every format (CoT, KML/KMZ, TAK data packages) reads into an ``Exchange``;
``apply`` validates everything first, then writes units, zones, routes,
messages and removals in one ``writing()`` batch: a refused file changes
nothing.  A unit reported several times keeps every position in its history;
a report older than what the store holds does not move it back.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.core.common.times import from_sqlite
from app.core.exchange.ops import (
    remember_details,
    remember_uids,
    remove_records,
    save_messages,
    save_routes,
)
from app.core.exchange.records import MessageData, RouteData
from app.core.formats.errors import InteropError
from app.core.picture.ops import save_zones
from app.core.picture.records import UnitData, ValidationError, ZoneData
from app.core.store.chunks import chunked
from app.core.store.engine import Store
from app.core.store.models import Unit, UnitPosition
from app.core.store.writing import TRACK_COLUMNS, TrackRow, WriteBatch, upsert_records, writing
from app.i18n import _

# fields a CoT event from another system does not carry: kept from the stored unit
_EARLIEST = datetime.min.replace(tzinfo=UTC)
KEPT_ON_PARTIAL = (
    "name",
    "nation",
    "echelon",
    "readiness",
    "strength",
    "parent_id",
    "classification",
    "releasable_to",
)


@dataclass
class UnitReport:
    """A unit as one report gives it; ``partial``: only position, time, type and remarks are known."""

    data: UnitData
    where: Any  # str, or a lazy name (``cot.Where``)
    partial: bool = False


@dataclass
class Exchange:
    units: list[UnitReport] = field(default_factory=list)
    zones: list[tuple[ZoneData, Any]] = field(default_factory=list)
    routes: list[tuple[RouteData, Any]] = field(default_factory=list)
    messages: list[MessageData] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    uids: dict[str, tuple[str, str]] = field(default_factory=dict)  # record id -> (kind, CoT uid)
    # unit id -> CoT detail the unit has no field for (team, height, errors): see CotIdentity
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    ignored: Counter[str] = field(default_factory=Counter)  # event types not shown on the picture

    def extend(self, other: Exchange) -> None:
        self.units += other.units
        self.zones += other.zones
        self.routes += other.routes
        self.messages += other.messages
        self.removed += other.removed
        self.uids.update(other.uids)
        self.details.update(other.details)
        self.ignored.update(other.ignored)

    def __len__(self) -> int:
        return (
            len(self.units)
            + len(self.zones)
            + len(self.routes)
            + len(self.messages)
            + len(self.removed)
        )


@dataclass(frozen=True)
class Applied:
    units: int
    zones: int
    routes: int
    messages: int
    removed: int
    positions: int
    ignored: int


def _latest(reports: list[UnitReport]) -> tuple[dict[str, UnitReport], dict[str, list[UnitReport]]]:
    """Per unit id: the latest report and every report in time order."""
    by_id: dict[str, list[UnitReport]] = {}
    for report in reports:
        by_id.setdefault(report.data.id or "", []).append(report)
    latest = {}
    for rid, items in by_id.items():
        items.sort(key=lambda r: r.data.last_report or _EARLIEST)
        latest[rid] = items[-1]
    return latest, by_id


def apply(store: Store, exchange: Exchange, initiator: str | None = "import") -> Applied:
    """Validate, then store everything in one transaction; ``InteropError`` names what was refused."""
    from app.core.store.engine import new_id

    for record in (
        [r.data for r in exchange.units]
        + [z for z, _w in exchange.zones]
        + [r for r, _w in exchange.routes]
    ):
        if record.id is None:  # a placemark without an id: a new record each time
            record.id = new_id()
    latest, history = _latest(exchange.units)
    zones = {z.id: (z, w) for z, w in exchange.zones}  # the last of one id wins
    routes = {r.id: (r, w) for r, w in exchange.routes}
    for zone, where in zones.values():
        _checked(zone, where)
    for route, where in routes.values():
        _checked(route, where)
    messages = {m.id: m for m in exchange.messages}
    positions = 0
    with writing(store, initiator=initiator) as batch:
        current = _current_units(batch, list(latest))
        units: list[UnitData] = []
        extra_positions: list[dict[str, Any]] = []
        tracks = _TrackUpdates(batch)
        backfill: list[tuple[str, UnitReport]] = []  # reports older than what is shown
        for rid, report in latest.items():
            old = current.get(rid)
            data = report.data
            shown = old.last_report if old is not None and not old.deleted else None
            if shown and data.last_report and data.last_report < shown:
                backfill += [(rid, item) for item in history[rid]]  # older than shown: history only
                continue
            if old is not None and report.partial and not old.deleted and tracks.add(old, data):
                pass  # only the track changed: the fast path
            else:
                if old is not None and report.partial:
                    for name in KEPT_ON_PARTIAL:
                        setattr(data, name, getattr(old, name))
                    if old.cot_type == data.cot_type:
                        data.sidc = old.sidc
                    data.affiliation = None
                    data.echelon = old.echelon
                _checked(data, report.where)
                units.append(data)
            for item in history[rid][:-1]:
                if shown and item.data.last_report and item.data.last_report <= shown:
                    backfill.append((rid, item))
                else:
                    extra_positions.append(
                        {
                            "unit_id": rid,
                            "at": item.data.last_report or batch.now,
                            "lat": float(item.data.lat),
                            "lon": float(item.data.lon),
                        }
                    )
        extra_positions += _new_history(batch, backfill)
        tracks.flush()
        for item in extra_positions:
            lat, lon = item["lat"], item["lon"]
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise InteropError(
                    _("a reported position is out of range: {lat}, {lon}").format(lat=lat, lon=lon)
                )
        # validated above (each refusal names its event or placemark): stored as they are
        upsert_records(batch, Unit, [(u.id, u.columns()) for u in units])
        if extra_positions:
            batch.add_history(
                [(p["unit_id"], p["at"], p["lat"], p["lon"]) for p in extra_positions]
            )
            positions = len(extra_positions)
        save_zones(batch, [z for z, _w in zones.values()])
        save_routes(batch, [r for r, _w in routes.values()])
        save_messages(batch, messages.values())
        remember_uids(batch, exchange.uids)
        remember_details(batch, exchange.details)
        removed = remove_records(batch, exchange.removed) if exchange.removed else 0
    return Applied(
        len(units) + tracks.count,
        len(zones),
        len(routes),
        len(messages),
        removed,
        positions,
        sum(exchange.ignored.values()),
    )


def check(exchange: Exchange) -> None:
    """Validate what can be validated without the store (raises ``InteropError``)."""
    for report in exchange.units:
        _checked(report.data, report.where)
    for zone, where in exchange.zones:
        _checked(zone, where)
    for route, where in exchange.routes:
        _checked(route, where)
    for message in exchange.messages:
        _checked(message, message.cot_uid)


def _checked(record: Any, where: Any) -> None:
    try:
        record.validate()
    except (ValidationError, TypeError, ValueError) as exc:
        raise InteropError(f"{where}: {exc}") from None


_UNIT_READ = (
    "id",
    "deleted",
    "last_report",
    "lat",
    "lon",
    "course",
    "speed",
    "stale_after",
    "callsign",
    "cot_type",
    "remarks",
    "sidc",
    "hlc",
    "echelon",
    *[f for f in KEPT_ON_PARTIAL if f != "echelon"],
)
TRACK_FIELDS = TRACK_COLUMNS


class _StoredUnit:
    """A stored unit read straight from SQLite; its markings are parsed only when asked for."""

    __slots__ = (*(n for n in _UNIT_READ if n != "releasable_to"), "_rel")

    def __init__(self, values: tuple[Any, ...]) -> None:
        for name, value in zip(_UNIT_READ, values, strict=True):
            if name in ("last_report", "stale_after") and value is not None:
                value = from_sqlite(value)
            elif name == "releasable_to":
                name = "_rel"
            elif name == "deleted":
                value = bool(value)
            object.__setattr__(self, name, value)

    @property
    def releasable_to(self) -> Any:
        from app.core.common.markings import Releasability

        return Releasability.from_storage(self._rel)

    @property
    def releasable_storage(self) -> str:
        return str(self._rel)


def _current_units(batch: Any, ids: list[str]) -> dict[str, Any]:
    """The stored units among ``ids`` as plain rows (attribute access, no ORM objects)."""
    found: dict[str, Any] = {}
    conn = batch.session.connection()
    if conn.dialect.name == "sqlite":
        columns = ", ".join(_UNIT_READ)
        for chunk in chunked(ids):
            sql = f"SELECT {columns} FROM unit WHERE id IN ({', '.join('?' * len(chunk))})"
            for values in conn.exec_driver_sql(sql, tuple(chunk)):
                found[values[0]] = _StoredUnit(tuple(values))
        return found
    cols = [getattr(Unit, name) for name in _UNIT_READ]
    for chunk in chunked(ids):
        for row in batch.session.execute(select(*cols).where(Unit.id.in_(chunk))):
            found[row.id] = row
    return found


class _TrackUpdates:
    """Reports that only move a known unit (the live-feed case): written together by
    ``WriteBatch.write_tracks``, the one way units move."""

    def __init__(self, batch: WriteBatch) -> None:
        self.batch = batch
        self.rows: list[TrackRow] = []
        self.count = 0

    def add(self, old: Any, data: UnitData) -> bool:
        if (data.callsign, data.cot_type, data.remarks) != (
            old.callsign,
            old.cot_type,
            old.remarks,
        ):
            return False
        values = {name: getattr(data, name) for name in TRACK_FIELDS}
        if values["lat"] is None or values["lon"] is None:
            return False
        values["lat"], values["lon"] = float(values["lat"]), float(values["lon"])
        changed = {k: v for k, v in values.items() if getattr(old, k) != v}
        self.count += 1
        if not changed:
            return True
        batch = self.batch
        batch.capture_json(
            "unit",
            old.id,
            "update",
            json.dumps(
                {k: v.isoformat() if isinstance(v, datetime) else v for k, v in changed.items()},
                separators=(",", ":"),
            ),
            old.hlc,
            old.classification,
            getattr(old, "releasable_storage", None) or old.releasable_to,
        )
        was_stale = old.stale_after is not None and old.stale_after < batch.now
        self.rows.append(
            TrackRow(
                old.id,
                tuple(values.values()),
                values["lat"],
                values["lon"],
                values["last_report"] or batch.now,
                position="lat" in changed or "lon" in changed,
                announce=not was_stale,
            )
        )
        return True

    def flush(self) -> None:
        self.batch.write_tracks(self.rows, TRACK_FIELDS)


def _new_history(batch: Any, reports: list[tuple[str, UnitReport]]) -> list[dict[str, Any]]:
    """Positions of older reports not yet in the history (a file imported twice adds nothing)."""
    if not reports:
        return []
    ids = sorted({rid for rid, _r in reports})
    known: set[tuple[str, Any]] = set()
    for chunk in chunked(ids):
        stmt = select(UnitPosition.unit_id, UnitPosition.at).where(UnitPosition.unit_id.in_(chunk))
        known.update((uid, at) for uid, at in batch.session.execute(stmt))
    rows = []
    for rid, report in reports:
        at = report.data.last_report
        if at is None or (rid, at) in known:
            continue
        known.add((rid, at))
        rows.append(
            {"unit_id": rid, "at": at, "lat": float(report.data.lat), "lon": float(report.data.lon)}
        )
    return rows
