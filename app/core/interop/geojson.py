"""GeoJSON in and out: units as Points, crisis zones as (Multi)Polygons.

Every exported feature has an ``id`` and the properties ``name``, ``kind``
(``"unit"`` for units, the zone kind for zones), ``sidc`` (units),
``callsign``, ``nation``, ``classification`` and ``releasable_to`` (a list of
partner codes).  Coordinates keep full precision.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.domain.dtg import DTGError, parse_dtg
from app.core.domain.entities import UnitData, ValidationError, ZoneData
from app.core.interop.errors import InteropError
from app.core.store.queries import UnitRow, ZoneRow
from app.i18n import _

MAX_BYTES = 512 * 1024 * 1024


def format_iso(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, keeping sub-second precision (round trips exactly)."""
    return value.isoformat().replace("+00:00", "Z")


def unit_feature(row: UnitRow) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
        "properties": {
            "id": row.id,
            "name": row.name,
            "kind": "unit",
            "sidc": row.sidc,
            "callsign": row.callsign,
            "nation": row.nation,
            "affiliation": row.affiliation,
            "echelon": row.echelon,
            "readiness": row.readiness,
            "strength": row.strength,
            "course": row.course,
            "speed": row.speed,
            "last_report": format_iso(row.last_report) if row.last_report else None,
            "stale_after": format_iso(row.stale_after) if row.stale_after else None,
            "remarks": row.remarks,
            "parent_id": row.parent_id,
            "classification": row.classification,
            "releasable_to": row.releasable_to.codes_list(),
        },
    }


def zone_feature(row: ZoneRow) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": row.geometry,
        "properties": {
            "id": row.id,
            "name": row.name,
            "kind": row.kind,
            "severity": row.severity,
            "valid_from": format_iso(row.valid_from) if row.valid_from else None,
            "valid_to": format_iso(row.valid_to) if row.valid_to else None,
            "description": row.description,
            "callsign": None,
            "nation": None,
            "classification": row.classification,
            "releasable_to": row.releasable_to.codes_list(),
        },
    }


def feature_collection(units: list[UnitRow], zones: list[ZoneRow]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [unit_feature(u) for u in units] + [zone_feature(z) for z in zones],
    }


def write(path: Path, units: list[UnitRow], zones: list[ZoneRow]) -> int:
    data = feature_collection(units, zones)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return len(data["features"])


def _time(value: Any, where: str, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return parse_dtg(str(value))
    except DTGError as exc:
        raise InteropError(_("{where}: {field}: {error}").format(where=where, field=field, error=exc)) from exc


def _markings(props: dict[str, Any]) -> dict[str, Any]:
    rel = props.get("releasable_to")
    return {
        "classification": props.get("classification") or "UNCLASSIFIED",
        "releasable_to": rel if rel not in (None, "", []) else "PUBLIC",
    }


def read(path: Path) -> tuple[list[UnitData], list[ZoneData]]:
    """Parse and validate a whole file; raises InteropError naming the feature."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InteropError(_("cannot read {path}: {error}").format(path=path, error=exc.strerror)) from exc
    if size > MAX_BYTES:
        raise InteropError(_("{path} is too large ({size} bytes)").format(path=path, size=size))
    try:
        data = json.loads(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise InteropError(_("{path} is not UTF-8 text").format(path=path.name)) from exc
    except json.JSONDecodeError as exc:
        raise InteropError(
            _("{path} is not valid JSON: {error} (line {line}, column {col})").format(
                path=path.name, error=exc.msg, line=exc.lineno, col=exc.colno
            )
        ) from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    elif isinstance(data, dict) and data.get("type") == "FeatureCollection" and isinstance(
        data.get("features"), list
    ):
        features = data["features"]
    else:
        raise InteropError(_("{path} is not a GeoJSON Feature or FeatureCollection").format(path=path.name))
    units: list[UnitData] = []
    zones: list[ZoneData] = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            raise InteropError(_("feature {n}: it has no geometry").format(n=number))
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise InteropError(_("feature {n}: properties must be an object").format(n=number))
        name = props.get("name")
        where = _("feature {n}").format(n=number) + (f" ('{name}')" if name else "")
        geom = feature["geometry"]
        fid = feature.get("id") or props.get("id")
        fid = str(fid) if fid not in (None, "") else None
        try:
            if geom.get("type") == "Point":
                coords = geom.get("coordinates")
                if not isinstance(coords, list) or len(coords) < 2:
                    raise ValidationError(_("a point needs [longitude, latitude]"))
                if not props.get("sidc"):
                    raise ValidationError(_("a point needs a 'sidc' property to become a unit"))
                unit = UnitData(
                    id=fid,
                    name=str(name or ""),
                    sidc=str(props["sidc"]),
                    lon=coords[0],
                    lat=coords[1],
                    callsign=str(props.get("callsign") or ""),
                    nation=str(props.get("nation") or ""),
                    echelon=props.get("echelon") or None,
                    readiness=props.get("readiness") or "green",
                    strength=int(props.get("strength") if props.get("strength") is not None else 100),
                    course=props.get("course"),
                    speed=props.get("speed"),
                    last_report=_time(props.get("last_report"), where, "last_report"),
                    stale_after=_time(props.get("stale_after"), where, "stale_after"),
                    remarks=str(props.get("remarks") or ""),
                    parent_id=props.get("parent_id") or None,
                    **_markings(props),
                )
                units.append(unit.validate())
            elif geom.get("type") in ("Polygon", "MultiPolygon"):
                zone = ZoneData(
                    id=fid,
                    name=str(name or ""),
                    kind=str(props.get("kind") or ""),
                    geometry=geom,
                    severity=props.get("severity", 3),
                    valid_from=_time(props.get("valid_from"), where, "valid_from"),
                    valid_to=_time(props.get("valid_to"), where, "valid_to"),
                    description=str(props.get("description") or ""),
                    **_markings(props),
                )
                zones.append(zone.validate())
            else:
                raise ValidationError(
                    _("geometry type '{type}' is not supported (Point for units, Polygon or MultiPolygon for zones)").format(
                        type=geom.get("type")
                    )
                )
        except (ValidationError, TypeError, ValueError) as exc:
            if isinstance(exc, InteropError):
                raise
            raise InteropError(f"{where}: {exc}") from exc
    return units, zones
