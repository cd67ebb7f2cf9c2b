"""Records -> the messages and features the map page draws (Qt-free).

The page receives compact unit objects and GeoJSON zone features; every text
a user typed travels as data and the page only ever puts it in ``textContent``
or draws it on the canvas.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.core.domain.dtg import format_dtg
from app.core.domain.markings import Classification, banner_text
from app.core.domain.sidc import parse_sidc
from app.core.store.queries import UnitRow, ZoneRow
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


def _rank(sidc: str) -> int:
    try:
        return parse_sidc(sidc).echelon_rank or 0
    except ValueError:
        return 0


def marking_text(classification: str, releasable_to: Any) -> str:
    return banner_text(Classification.parse(classification), releasable_to)


def unit_message(row: UnitRow, now: datetime) -> dict[str, Any]:
    """A unit as the page's canvas layer wants it."""
    detail = " · ".join(p for p in (row.nation, row.echelon or "", _readiness(row.readiness)) if p)
    if row.last_report is not None:
        detail += " · " + format_dtg(row.last_report)
    return {
        "id": row.id,
        "lat": row.lat,
        "lon": row.lon,
        "sidc": row.sidc,
        "name": row.name,
        "callsign": row.callsign,
        "label": row.callsign or row.name,
        "aff": row.affiliation,
        "rank": _rank(row.sidc),
        "stale": row.is_stale(now),
        "detail": detail,
        "marking": marking_text(row.classification, row.releasable_to),
    }


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
