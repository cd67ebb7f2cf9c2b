"""One search box for everything: coordinates, units, SIDCs and places.

Qt-free; the UI runs it in a worker and flies to what the user picks.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from app.core.common.geo import CoordinateError, format_dd, parse_coordinate, to_mgrs
from app.core.store.engine import Store
from app.core.store.models import Unit
from app.i18n import _


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str  # "coordinate", "unit" or "place"
    label: str
    lat: float
    lon: float
    unit_id: str | None = None


def search(store: Store, text: str, limit: int = 25) -> list[Hit]:
    """Hits for ``text``, best first: a coordinate, then units, then places."""
    query = text.strip()
    if not query:
        return []
    hits: list[Hit] = []
    try:
        lat, lon = parse_coordinate(query)
    except CoordinateError:
        pass
    else:
        try:
            grid = to_mgrs(lat, lon, precision=5)
        except ValueError:
            grid = ""
        hits.append(Hit("coordinate", f"{grid}  ({format_dd(lat, lon)})".strip(), lat, lon))
    needle = f"%{query.lower()}%"
    with store.session() as session:
        rows = session.execute(
            select(Unit.id, Unit.name, Unit.callsign, Unit.lat, Unit.lon)
            .where(
                Unit.deleted.is_(False),
                or_(
                    func.lower(Unit.name).like(needle),
                    func.lower(Unit.callsign).like(needle),
                    Unit.sidc == query.replace(" ", ""),
                ),
            )
            .order_by(Unit.name)
            .limit(limit)
        ).all()
    for uid, name, callsign, lat, lon in rows:
        label = f"{name} ({callsign})" if callsign else name
        hits.append(Hit("unit", label, lat, lon, uid))
    if len(hits) < limit and len(query) >= 3:
        from app.core.common.gazetteer import all_places

        lowered = query.casefold()
        starts, contains = [], []
        for place in all_places():
            name = place.name.casefold()
            if name.startswith(lowered):
                starts.append(place)
            elif lowered in name:
                contains.append(place)
            if len(starts) >= limit:
                break
        for place in (starts + contains)[: limit - len(hits)]:
            hits.append(
                Hit(
                    "place",
                    _("{place} ({country})").format(place=place.name, country=place.country),
                    place.lat,
                    place.lon,
                )
            )
    return hits
