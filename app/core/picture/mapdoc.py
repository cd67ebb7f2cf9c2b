"""The picture on the map page: units and zones as page features and messages,
the whole picture or a delta.

Runs in a worker (it reads the store); the GUI thread only forwards the
result to the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, String, and_, cast, func, select, type_coerce

from app.core.common.markings import Classification, Releasability, banner_text
from app.core.common.sidc import echelon_label, parse_sidc
from app.core.events import Changed
from app.core.mapdoc.protocol import Op, message
from app.core.picture.queries import (
    YIELD_ROWS,
    UnitRow,
    ZoneRow,
    list_units,
    list_zones,
    picture_marking,
    removed_ids,
)
from app.core.store.chunks import READ_CHUNK, chunked
from app.core.store.engine import Store
from app.core.store.models import CrisisZone, Unit
from app.i18n import _


def zone_kind_label(kind: str) -> str:
    labels = {
        "conflict": _("conflict area"),
        "flood": _("flood"),
        "earthquake": _("earthquake"),
        "epidemic": _("epidemic"),
        "no-go": _("no-go zone"),
        "corridor": _("corridor"),
        "safe area": _("safe area"),
        "restricted operating zone": _("restricted operating zone"),
    }
    return labels.get(kind, kind)


@cache
def _rank(sidc: str) -> int:
    try:
        return parse_sidc(sidc).echelon_rank or 0
    except ValueError:
        return 0


@cache
def marking_text(classification: str, releasable_to: Any) -> str:
    return banner_text(Classification.parse(classification), releasable_to)


# units travel to the page as rows of these columns (compact, fast to parse)
UNIT_COLUMNS = (
    "id",
    "lat",
    "lon",
    "sidc",
    "name",
    "callsign",
    "label",
    "aff",
    "rank",
    "stale",
    "detail",
    "marking",
    "last",
    "parent",
)


def unit_values(
    uid: str,
    lat: float,
    lon: float,
    sidc: str,
    name: str,
    callsign: str,
    affiliation: str,
    nation: str,
    echelon: str | None,
    readiness: str,
    classification: str,
    releasable_to: Any,
    stale: bool,
    last_epoch: int | None,
    parent_id: str | None = None,
) -> list[Any]:
    """One unit as a row of UNIT_COLUMNS."""
    detail = " · ".join(p for p in (nation, echelon_label(echelon), _readiness(readiness)) if p)
    return [
        uid,
        lat,
        lon,
        sidc,
        name,
        callsign,
        callsign or name,
        affiliation,
        _rank(sidc),
        bool(stale),
        detail,
        marking_text(classification, releasable_to),
        last_epoch,
        parent_id,
    ]


def _readiness(value: str) -> str:
    return {"green": _("ready"), "amber": _("limited"), "red": _("not ready")}.get(value, value)


def zone_feature(row: ZoneRow) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": row.geometry,
        "properties": {
            "name": row.name,
            "kind": row.kind,
            "kind_label": zone_kind_label(row.kind),
            "severity": row.severity,
            "severity_label": _("severity {n} of 5").format(n=row.severity),
            "marking": marking_text(row.classification, row.releasable_to),
        },
    }


def zones_collection(rows: list[ZoneRow]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [zone_feature(r) for r in rows]}


def picture_bounds(units: list[UnitRow], zones: list[ZoneRow]) -> list[list[float]] | None:
    """[[south, west], [north, east]] around everything, or None when empty."""
    lats = [u.lat for u in units]
    lons = [u.lon for u in units]
    for z in zones:
        coords = z.geometry["coordinates"]
        polys = [coords] if z.geometry["type"] == "Polygon" else coords
        for poly in polys:
            for lon, lat, *_rest in poly[0]:
                lats.append(lat)
                lons.append(lon)
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


@dataclass(frozen=True)
class Marking:
    banner: str
    level: int


def store_marking(store: Store, partner: str | None = None) -> Marking:
    """Highest classification and common releasability of everything live."""
    combos: set[tuple[str, Releasability]] = set()
    with store.session() as session:
        for model in (Unit, CrisisZone):
            stmt = (
                select(model.classification, model.releasable_to)
                .where(model.deleted.is_(False))
                .group_by(model.classification, model.releasable_to)
            )
            combos.update((c, r) for c, r in session.execute(stmt))
    if partner:
        combos = {(c, r) for c, r in combos if r.allows(partner)}
    level, rel = picture_marking(combos)
    return Marking(banner_text(level, rel), int(level.level))


def marking_for(items: Iterable[tuple[str, Releasability]]) -> Marking:
    level, rel = picture_marking(items)
    return Marking(banner_text(level, rel), int(level.level))


@dataclass(frozen=True)
class Picture:
    messages: list[dict[str, Any]]
    bounds: list[list[float]] | None
    marking: Marking
    units: int
    zones: int


def unit_rows(
    store: Store, ids: Iterable[str] | None = None, now: datetime | None = None
) -> list[list[Any]]:
    """Live units as rows of UNIT_COLUMNS, straight from SQL (staleness and the
    report time computed by the database, no ORM objects)."""
    now = now or datetime.now(UTC)
    cols = (
        Unit.id,
        Unit.lat,
        Unit.lon,
        Unit.sidc,
        Unit.name,
        Unit.callsign,
        Unit.affiliation,
        Unit.nation,
        Unit.echelon,
        Unit.readiness,
        Unit.classification,
        Unit.releasable_to,
        and_(Unit.stale_after.is_not(None), Unit.stale_after < now),
        cast(func.strftime("%s", type_coerce(Unit.last_report, String)), Integer),
        Unit.parent_id,
    )
    base = select(*cols).where(Unit.deleted.is_(False))
    with store.session() as session:
        if ids is None:
            return [
                unit_values(*r)  # type: ignore[call-arg]  # a row of the 15 columns
                for r in session.execute(base.execution_options(yield_per=YIELD_ROWS))
            ]
        rows: list[list[Any]] = []
        wanted = list(ids)
        for chunk in chunked(wanted, READ_CHUNK):
            rows.extend(
                unit_values(*r)  # type: ignore[call-arg]
                for r in session.execute(base.where(Unit.id.in_(chunk)))
            )
        return rows


def _bounds(store: Store, zones: list[Any]) -> list[list[float]] | None:
    with store.session() as session:
        s, w, n, e = session.execute(
            select(
                func.min(Unit.lat), func.min(Unit.lon), func.max(Unit.lat), func.max(Unit.lon)
            ).where(Unit.deleted.is_(False))
        ).one()
    box = picture_bounds([], zones)
    if s is None:
        return box
    if box is None:
        return [[s, w], [n, e]]
    return [[min(s, box[0][0]), min(w, box[0][1])], [max(n, box[1][0]), max(e, box[1][1])]]


def full_picture(store: Store, now: datetime | None = None) -> Picture:
    rows = unit_rows(store, now=now)
    zones = list_zones(store)
    messages = [
        message(Op.UNITS_RESET, cols=UNIT_COLUMNS, rows=rows),
        message(Op.ZONES_RESET, zones=zones_collection(zones)),
    ]
    return Picture(messages, _bounds(store, zones), store_marking(store), len(rows), len(zones))


def delta(
    store: Store, changes: Iterable[Changed], now: datetime | None = None
) -> list[dict[str, Any]]:
    """Page messages for what changed: moves carry only the position."""
    now = now or datetime.now(UTC)
    messages: list[dict[str, Any]] = []
    for change in changes:
        if change.kind == "unit":
            moved_only = change.moved - change.added
            full_ids = (change.added | change.updated) - moved_only
            msg = message(Op.UNITS_DELTA, cols=UNIT_COLUMNS, add=[], update=[], remove=[])
            known = {uid: (lat, lon) for uid, lat, lon in change.positions}
            last = int(change.at.timestamp()) if change.at else None
            for uid in moved_only & known.keys():  # the event carries the new positions
                lat, lon = known[uid]
                msg["update"].append({"id": uid, "lat": lat, "lon": lon, "last": last})
            unknown_moves = moved_only - known.keys()
            gone = (
                removed_ids(store, Unit, (full_ids | unknown_moves | change.removed))
                if (full_ids or unknown_moves or change.removed)
                else set()
            )
            msg["remove"] = sorted(gone)
            if unknown_moves - gone:
                for row in list_units(store, unknown_moves - gone):
                    msg["update"].append({"id": row.id, "lat": row.lat, "lon": row.lon})
            if full_ids - gone:
                for values in unit_rows(store, full_ids - gone, now):
                    target = "add" if values[0] in change.added else "update"
                    msg[target].append(values)
            messages.append(msg)
        elif change.kind == "zone":
            gone = removed_ids(store, CrisisZone, change.ids)
            live = (change.added | change.updated) - gone
            rows = list_zones(store, live) if live else []
            messages.append(
                message(
                    Op.ZONES_DELTA,
                    update=[zone_feature(r) for r in rows],
                    remove=sorted(gone),
                )
            )
    return messages


def places_message(bounds: list[list[float]] | None, margin: float = 3.0) -> dict[str, Any]:
    """Place names around the picture, for the page to label the basemap."""
    from app.core.common.gazetteer import places_in

    if not bounds:
        return message(Op.PLACES_RESET, places=[])
    (south, west), (north, east) = bounds
    places = places_in(south - margin, west - margin, north + margin, east + margin)
    return message(
        Op.PLACES_RESET,
        places=[{"name": p.name, "lat": p.lat, "lon": p.lon, "pop": p.population} for p in places],
    )


def trails_message(store: Store, per_unit: int = 12, max_units: int = 2000) -> dict[str, Any]:
    """Each unit's last positions from the stored history, oldest first (breadcrumbs)."""
    from app.core.store.models import UnitPosition

    trails: dict[str, list[list[float]]] = {}
    with store.session() as session:
        ranked = (
            select(
                UnitPosition.unit_id,
                UnitPosition.lat,
                UnitPosition.lon,
                func.row_number()
                .over(partition_by=UnitPosition.unit_id, order_by=UnitPosition.id.desc())
                .label("n"),
            )
            .join(Unit, Unit.id == UnitPosition.unit_id)
            .where(Unit.deleted.is_(False))
            .subquery()
        )
        rows = session.execute(
            select(ranked.c.unit_id, ranked.c.lat, ranked.c.lon)
            .where(ranked.c.n <= per_unit)
            .order_by(ranked.c.unit_id, ranked.c.n.desc())
        )
        for uid, lat, lon in rows:
            trail = trails.setdefault(uid, [])
            if len(trails) > max_units:
                break
            trail.append([lat, lon])
    return message(Op.TRAILS, on=True, trails={uid: t for uid, t in trails.items() if len(t) > 1})


def stale_changes(
    store: Store, known: dict[str, bool], now: datetime | None = None
) -> tuple[list[str], list[str]]:
    """Units whose staleness flipped since ``known`` (updated in place)."""
    now = now or datetime.now(UTC)
    went_stale: list[str] = []
    came_back: list[str] = []
    with store.session() as session:
        for uid, stale_after in session.execute(
            select(Unit.id, Unit.stale_after).where(Unit.deleted.is_(False))
        ):
            stale = stale_after is not None and stale_after < now
            if known.get(uid, stale) != stale:
                (went_stale if stale else came_back).append(uid)
            known[uid] = stale
    return went_stale, came_back


__all__ = [
    "Classification",
    "Marking",
    "Picture",
    "delta",
    "full_picture",
    "stale_changes",
    "store_marking",
]
