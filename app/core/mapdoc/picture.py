"""What the map shows, as page messages: the whole picture, or a delta.

Runs in a worker (it reads the store); the GUI thread only forwards the
result to the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.core.domain.markings import Classification, Releasability, banner_text
from app.core.events import Changed
from app.core.mapdoc.features import picture_bounds, unit_message, zone_feature, zones_collection
from app.core.store.engine import Store
from app.core.store.models import CrisisZone, Unit
from app.core.store.queries import list_units, list_zones, picture_marking, removed_ids


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


def full_picture(store: Store, now: datetime | None = None) -> Picture:
    now = now or datetime.now(UTC)
    units = list_units(store)
    zones = list_zones(store)
    messages = [
        {"op": "units.reset", "units": [unit_message(u, now) for u in units]},
        {"op": "zones.reset", "zones": zones_collection(zones)},
    ]
    return Picture(messages, picture_bounds(units, zones), store_marking(store), len(units), len(zones))


def delta(store: Store, changes: Iterable[Changed], now: datetime | None = None) -> list[dict[str, Any]]:
    """Page messages for what changed: moves carry only the position."""
    now = now or datetime.now(UTC)
    messages: list[dict[str, Any]] = []
    for change in changes:
        if change.kind == "unit":
            moved_only = change.moved - change.added
            full_ids = (change.added | change.updated) - moved_only
            msg: dict[str, Any] = {"op": "units.delta", "add": [], "update": [], "remove": []}
            gone = removed_ids(store, Unit, change.ids)
            msg["remove"] = sorted(gone)
            if moved_only - gone:
                for row in list_units(store, moved_only - gone):
                    msg["update"].append(
                        {"id": row.id, "lat": row.lat, "lon": row.lon, "stale": row.is_stale(now)}
                    )
            if full_ids - gone:
                for row in list_units(store, full_ids - gone):
                    target = "add" if row.id in change.added else "update"
                    msg[target].append(unit_message(row, now))
            messages.append(msg)
        elif change.kind == "zone":
            gone = removed_ids(store, CrisisZone, change.ids)
            live = (change.added | change.updated) - gone
            rows = list_zones(store, live) if live else []
            messages.append(
                {"op": "zones.delta", "update": [zone_feature(r) for r in rows], "remove": sorted(gone)}
            )
    return messages


def places_message(bounds: list[list[float]] | None, margin: float = 3.0) -> dict[str, Any]:
    """Place names around the picture, for the page to label the basemap."""
    from app.core.domain.gazetteer import places_in

    if not bounds:
        return {"op": "places.reset", "places": []}
    (south, west), (north, east) = bounds
    places = places_in(south - margin, west - margin, north + margin, east + margin)
    return {
        "op": "places.reset",
        "places": [{"name": p.name, "lat": p.lat, "lon": p.lon, "pop": p.population} for p in places],
    }


def stale_changes(
    store: Store, known: dict[str, bool], now: datetime | None = None
) -> tuple[list[str], list[str]]:
    """Units whose staleness flipped since ``known`` (updated in place)."""
    now = now or datetime.now(UTC)
    went_stale, came_back = [], []
    with store.session() as session:
        for uid, stale_after in session.execute(
            select(Unit.id, Unit.stale_after).where(Unit.deleted.is_(False))
        ):
            stale = stale_after is not None and stale_after < now
            if known.get(uid, stale) != stale:
                (went_stale if stale else came_back).append(uid)
            known[uid] = stale
    return went_stale, came_back


__all__ = ["Classification", "Marking", "Picture", "delta", "full_picture", "stale_changes", "store_marking"]
