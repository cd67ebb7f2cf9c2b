"""Records -> the messages and features the map page draws (Qt-free).

The page receives compact unit objects and GeoJSON zone features; every text
a user typed travels as data and the page only ever puts it in ``textContent``
or draws it on the canvas.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from app.core.common.markings import Classification, banner_text
from app.core.common.sidc import echelon_label, parse_sidc
from app.core.picture.queries import UnitRow, ZoneRow
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


def task_feature(row: Any) -> dict[str, Any]:
    """A task that has a location (a ``TaskRow``) as the page draws it."""
    from app.core.tasks.records import priority_label, status_label

    return {
        "type": "Feature",
        "id": row.id,
        "geometry": row.location,
        "properties": {
            "reference": row.reference,
            "title": row.title,
            "status": row.status,
            "status_label": status_label(row.status),
            "priority_label": priority_label(row.priority),
            "overdue": row.overdue,
            "units": ", ".join(row.assigned_callsigns),
        },
    }


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
