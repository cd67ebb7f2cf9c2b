"""GeoJSON in and out: units as Points, crisis zones as (Multi)Polygons, tasks
with a location as Points or Polygons.

Every exported feature has an ``id`` and the properties ``name``, ``kind``
(``"unit"`` for units, the zone kind for zones, ``"task"`` for tasks), ``sidc``
(units), ``callsign``, ``nation``, ``classification`` and ``releasable_to`` (a
list of partner codes).  Coordinates keep full precision.

A task feature's ``name`` is its title; it also has ``reference``, ``task_type``,
``description``, ``priority``, ``status``, ``originator``, ``start``, ``due``
(ISO 8601 UTC), ``overdue`` (at the time of export), ``assigned_units`` (the
units' callsigns) and ``assigned_unit_ids``.  Importing reads task features back
as tasks: their units from ``assigned_unit_ids``, else from the callsigns.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.common.dtg import DTGError, parse_dtg
from app.core.common.times import iso_z
from app.core.formats.errors import InteropError, read_limited
from app.core.picture.queries import UnitRow, ZoneRow
from app.core.picture.records import UnitData, ValidationError, ZoneData
from app.core.tasks.records import TaskData
from app.i18n import _

if TYPE_CHECKING:
    from app.core.exchange.queries import RouteRow
    from app.core.exchange.records import RouteData
    from app.core.tasks.queries import TaskRow

MAX_BYTES = 512 * 1024 * 1024


def format_iso(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, keeping sub-second precision (round trips exactly)."""
    return iso_z(value)


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
    """A zone; a drawn circle, ellipse or rectangle also has ``shape`` (centre, radii in metres)."""
    geometry = {k: v for k, v in row.geometry.items() if k != "shape"}
    shape = row.geometry.get("shape")
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": geometry,
        "properties": {
            **({"shape": shape} if shape else {}),
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


def task_feature(row: TaskRow) -> dict[str, Any]:
    """A task with a location as a feature (``kind`` ``"task"``, ``name`` its title)."""
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": row.location,
        "properties": {
            "id": row.id,
            "name": row.title,
            "kind": "task",
            "reference": row.reference,
            "task_type": row.type,
            "description": row.description,
            "priority": row.priority,
            "status": row.status,
            "originator": row.originator,
            "start": format_iso(row.start) if row.start else None,
            "due": format_iso(row.due) if row.due else None,
            "overdue": row.overdue,
            "assigned_units": list(row.assigned_callsigns),
            "assigned_unit_ids": list(row.assigned_units),
            "callsign": None,
            "nation": None,
            "classification": row.classification,
            "releasable_to": row.releasable_to.codes_list(),
        },
    }


def route_feature(row: RouteRow) -> dict[str, Any]:
    """A route as a LineString (``kind`` ``"route"``) with its named points."""
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": row.geometry,
        "properties": {
            "id": row.id,
            "name": row.name,
            "kind": "route",
            "description": row.description,
            "waypoints": row.waypoints,
            "cot_uid": row.cot_uid,
            "last_report": format_iso(row.last_report) if row.last_report else None,
            "stale_after": format_iso(row.stale_after) if row.stale_after else None,
            "callsign": None,
            "nation": None,
            "classification": row.classification,
            "releasable_to": row.releasable_to.codes_list(),
        },
    }


def feature_collection(
    units: list[UnitRow],
    zones: list[ZoneRow],
    tasks: Sequence[TaskRow] = (),
    routes: Sequence[RouteRow] = (),
) -> dict[str, Any]:
    """Units, zones, the tasks that have a location, then routes."""
    return {
        "type": "FeatureCollection",
        "features": [unit_feature(u) for u in units]
        + [zone_feature(z) for z in zones]
        + [task_feature(t) for t in tasks if t.location]
        + [route_feature(r) for r in routes],
    }


def write(
    path: Path,
    units: list[UnitRow],
    zones: list[ZoneRow],
    tasks: Sequence[TaskRow] = (),
    routes: Sequence[RouteRow] = (),
) -> int:
    data = feature_collection(units, zones, tasks, routes)
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
        raise InteropError(
            _("{where}: {field}: {error}").format(where=where, field=field, error=exc)
        ) from exc


def _markings(props: dict[str, Any]) -> dict[str, Any]:
    rel = props.get("releasable_to")
    return {
        "classification": props.get("classification") or "UNCLASSIFIED",
        "releasable_to": rel if rel not in (None, "", []) else "PUBLIC",
    }


@dataclass
class Content:
    """What a GeoJSON file holds.

    ``tasks`` are not validated yet: those in ``task_callsigns`` (index -> the
    callsigns of their ``assigned_units``) need their units resolved against the
    store first (``app.core.exchange.files`` does it); ``task_where`` names each
    task's feature for messages.
    """

    units: list[UnitData] = field(default_factory=list)
    zones: list[ZoneData] = field(default_factory=list)
    tasks: list[TaskData] = field(default_factory=list)
    task_callsigns: dict[int, list[str]] = field(default_factory=dict)
    task_where: list[str] = field(default_factory=list)
    routes: list[RouteData] = field(default_factory=list)


def _str_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValidationError(_("assigned units must be a list"))
    return [str(v) for v in value if v not in (None, "")]


def _task(
    fid: str | None, name: Any, geom: dict[str, Any], props: dict[str, Any], where: str
) -> TaskData:
    return TaskData(
        id=fid,
        reference=str(props.get("reference") or "") or None,
        title=str(name or ""),
        type=str(props.get("task_type") or "other"),
        description=str(props.get("description") or ""),
        priority=str(props.get("priority") or "routine"),
        status=str(props.get("status") or "draft"),
        assigned_units=_str_list(props.get("assigned_unit_ids")) or [],
        originator=str(props.get("originator") or ""),
        location=geom,
        start=_time(props.get("start"), where, "start"),
        due=_time(props.get("due"), where, "due"),
        **_markings(props),
    )


def _route(
    fid: str | None, name: Any, geom: dict[str, Any], props: dict[str, Any], where: str
) -> RouteData:
    from app.core.exchange.records import RouteData

    coords = geom.get("coordinates")
    if geom.get("type") != "LineString" or not isinstance(coords, list):
        raise ValidationError(_("a route must be a LineString"))
    points = []
    for point in coords:
        if not isinstance(point, list) or len(point) < 2:
            raise ValidationError(_("a vertex is not a [longitude, latitude] pair"))
        points.append((float(point[1]), float(point[0])))
    waypoints = props.get("waypoints") or []
    if not isinstance(waypoints, list) or not all(isinstance(w, dict) for w in waypoints):
        raise ValidationError(_("waypoints must be a list of objects"))
    route = RouteData(
        id=fid,
        name=str(name or ""),
        points=points,
        waypoints=[{k: str(v) for k, v in w.items()} for w in waypoints],
        description=str(props.get("description") or ""),
        cot_uid=props.get("cot_uid") or None,
        last_report=_time(props.get("last_report"), where, "last_report"),
        stale_after=_time(props.get("stale_after"), where, "stale_after"),
        **_markings(props),
    )
    return route.validate()


def read(path: Path) -> tuple[list[UnitData], list[ZoneData]]:
    """Parse and validate a whole file's units and zones; raises InteropError naming the feature.

    Task features are skipped here; ``read_all`` returns them too.
    """
    content = read_all(path)
    return content.units, content.zones


def read_all(path: Path) -> Content:
    """Parse a whole file: units and zones validated, tasks to be resolved (see ``Content``)."""
    raw = read_limited(path, MAX_BYTES)
    try:
        data = json.loads(raw)
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
    elif (
        isinstance(data, dict)
        and data.get("type") == "FeatureCollection"
        and isinstance(data.get("features"), list)
    ):
        features = data["features"]
    else:
        raise InteropError(
            _("{path} is not a GeoJSON Feature or FeatureCollection").format(path=path.name)
        )
    content = Content()
    units, zones = content.units, content.zones
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            raise InteropError(_("feature {n}: it has no geometry").format(n=number))
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise InteropError(_("feature {n}: properties must be an object").format(n=number))
        if props.get("kind") in ("supply_site", "shipment"):
            continue  # supply sites and shipments (app.core.supply.geojson) travel as HXL
        name = props.get("name")
        where = _("feature {n}").format(n=number) + (f" ('{name}')" if name else "")
        geom = feature["geometry"]
        fid = feature.get("id") or props.get("id")
        fid = str(fid) if fid not in (None, "") else None
        try:
            if props.get("kind") == "task":
                task = _task(fid, name, geom, props, where)
                if props.get("assigned_unit_ids") is None:
                    callsigns = _str_list(props.get("assigned_units")) or []
                    if callsigns:
                        content.task_callsigns[len(content.tasks)] = callsigns
                content.tasks.append(task)
                content.task_where.append(where)
            elif props.get("kind") == "route":
                content.routes.append(_route(fid, name, geom, props, where))
            elif geom.get("type") == "Point":
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
                    strength=int(
                        props.get("strength") if props.get("strength") is not None else 100
                    ),
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
                if isinstance(props.get("shape"), dict):
                    geom = {**geom, "shape": props["shape"]}
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
                    _(
                        "geometry type '{type}' is not supported (Point for units, Polygon or MultiPolygon for zones)"
                    ).format(type=geom.get("type"))
                )
        except (ValidationError, TypeError, ValueError) as exc:
            if isinstance(exc, InteropError):
                raise
            raise InteropError(f"{where}: {exc}") from exc
    return content
