"""KML 2.2 and KMZ in and out: placemarks, polygons, lines, styles, folders.

Out: a Document with one style per affiliation, zone kind and for routes, and
three folders (Units: Points, Zones: Polygons / MultiGeometry, Routes:
LineStrings).  Each placemark's ExtendedData carries the record's fields
(``id``, ``sidc``, ``kind``, markings...), so our export reads back identically;
coordinates keep full precision.

In: every Placemark anywhere in the document (folders nested or not). A Point
becomes a unit (its ``sidc`` from ExtendedData, else an unknown ground track),
a Polygon or a MultiGeometry of polygons a crisis zone (its ``kind`` from
ExtendedData, else from the folder's name, else a restricted operating zone),
a LineString a route.  Other geometries are counted as skipped.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from app.core.common.markings import Releasability
from app.core.exchange.ingest import Exchange, UnitReport
from app.core.exchange.queries import RouteRow, cot_uids, list_routes, unit_cot_types
from app.core.exchange.records import RouteData, record_id, releasability
from app.core.formats.cot import parse_xml
from app.core.formats.cot_types import sidc_for_cot_type
from app.core.formats.errors import InteropError
from app.core.formats.ziputil import SafeZip
from app.core.picture.queries import UnitRow, ZoneRow, list_units, list_zones
from app.core.picture.records import ZONE_KINDS, UnitData, ZoneData
from app.core.store.engine import Store
from app.i18n import _

KML_NS = "http://www.opengis.net/kml/2.2"
UNKNOWN_GROUND = "10011000000000000000"
DEFAULT_ZONE_KIND = "restricted operating zone"
# KML colours are aabbggrr
AFFILIATION_COLOURS = {
    "friend": "ffffc080",
    "hostile": "ff8080ff",
    "neutral": "ff80ff80",
    "unknown": "ff80ffff",
}
ZONE_COLOURS = {
    "conflict": "ff0000d0",
    "flood": "ffd08000",
    "earthquake": "ff2060a0",
    "epidemic": "ff8000a0",
    "no-go": "ff0000ff",
    "corridor": "ff00a000",
    "safe area": "ff00c000",
    "restricted operating zone": "ff0080ff",
}


# ----------------------------------------------------------------------------- writing
def _num(value: float) -> str:
    return repr(float(value))


def _coords(points: list[list[float]]) -> str:
    return " ".join(f"{_num(p[0])},{_num(p[1])}" for p in points)


def _time(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _sub(parent: Any, tag: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, f"{{{KML_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _extended(placemark: Any, values: dict[str, Any]) -> None:
    data = _sub(placemark, "ExtendedData")
    for key, value in values.items():
        item = _sub(data, "Data")
        item.set("name", key)
        _sub(item, "value", "" if value is None else str(value))


def _style(
    document: Any, style_id: str, line: str, poly: str | None = None, icon: bool = False
) -> None:
    style = _sub(document, "Style")
    style.set("id", style_id)
    if icon:
        icon_style = _sub(style, "IconStyle")
        _sub(icon_style, "color", line)
        _sub(icon_style, "scale", "1.1")
    line_style = _sub(style, "LineStyle")
    _sub(line_style, "color", line)
    _sub(line_style, "width", "3")
    if poly:
        poly_style = _sub(style, "PolyStyle")
        _sub(poly_style, "color", poly)


def _placemark(folder: Any, row_id: str, name: str, description: str, style: str) -> Any:
    placemark = _sub(folder, "Placemark")
    placemark.set("id", row_id)
    _sub(placemark, "name", name)
    if description:
        _sub(placemark, "description", description)
    _sub(placemark, "styleUrl", f"#{style}")
    return placemark


def _rel(value: Releasability) -> str:
    return ",".join(value.codes_list())


def _unit_placemark(folder: Any, row: UnitRow, cot_type: str | None, uid: str | None) -> None:
    placemark = _placemark(folder, row.id, row.name, row.remarks, f"unit-{row.affiliation}")
    _extended(
        placemark,
        {
            "id": row.id,
            "kind": "unit",
            "sidc": row.sidc,
            "callsign": row.callsign,
            "nation": row.nation,
            "echelon": row.echelon or "",
            "readiness": row.readiness,
            "strength": row.strength,
            "course": "" if row.course is None else _num(row.course),
            "speed": "" if row.speed is None else _num(row.speed),
            "last_report": _time(row.last_report),
            "stale_after": _time(row.stale_after),
            "parent_id": row.parent_id or "",
            "cot_type": cot_type or "",
            "cot_uid": uid or "",
            "classification": row.classification,
            "releasable_to": _rel(row.releasable_to),
        },
    )
    point = _sub(placemark, "Point")
    _sub(point, "coordinates", f"{_num(row.lon)},{_num(row.lat)}")


def _polygon(parent: Any, rings: list[list[list[float]]]) -> None:
    polygon = _sub(parent, "Polygon")
    for index, ring in enumerate(rings):
        boundary = _sub(polygon, "outerBoundaryIs" if index == 0 else "innerBoundaryIs")
        _sub(_sub(boundary, "LinearRing"), "coordinates", _coords(ring))


def _zone_placemark(folder: Any, row: ZoneRow, uid: str | None) -> None:
    placemark = _placemark(
        folder, row.id, row.name, row.description, "zone-" + row.kind.replace(" ", "-")
    )
    geometry = row.geometry
    shape = geometry.get("shape")
    _extended(
        placemark,
        {
            "id": row.id,
            "kind": row.kind,
            "severity": row.severity,
            "valid_from": _time(row.valid_from),
            "valid_to": _time(row.valid_to),
            "shape": json.dumps(shape, separators=(",", ":")) if shape else "",
            "cot_uid": uid or "",
            "classification": row.classification,
            "releasable_to": _rel(row.releasable_to),
        },
    )
    if geometry["type"] == "Polygon":
        _polygon(placemark, geometry["coordinates"])
    else:
        multi = _sub(placemark, "MultiGeometry")
        for polygon in geometry["coordinates"]:
            _polygon(multi, polygon)


def _route_placemark(folder: Any, row: RouteRow) -> None:
    placemark = _placemark(folder, row.id, row.name, row.description, "route")
    _extended(
        placemark,
        {
            "id": row.id,
            "kind": "route",
            "waypoints": json.dumps(row.waypoints, separators=(",", ":"), ensure_ascii=False),
            "cot_uid": row.cot_uid or "",
            "last_report": _time(row.last_report),
            "stale_after": _time(row.stale_after),
            "classification": row.classification,
            "releasable_to": _rel(row.releasable_to),
        },
    )
    line = _sub(placemark, "LineString")
    _sub(line, "tessellate", "1")
    _sub(line, "coordinates", _coords(row.geometry["coordinates"]))


def document_bytes(
    units: list[UnitRow],
    zones: list[ZoneRow],
    routes: list[RouteRow],
    uids: dict[str, str],
    cot_types: dict[str, str | None],
    name: str = "Coalition COP",
) -> bytes:
    root = etree.Element(f"{{{KML_NS}}}kml", nsmap={None: KML_NS})
    document = _sub(root, "Document")
    _sub(document, "name", name)
    for affiliation, colour in AFFILIATION_COLOURS.items():
        _style(document, f"unit-{affiliation}", colour, icon=True)
    for kind, colour in ZONE_COLOURS.items():
        _style(document, "zone-" + kind.replace(" ", "-"), colour, "40" + colour[2:])
    _style(document, "route", "ff00d0ff")
    for title, rows, writer in (
        (
            _("Units"),
            units,
            lambda f, r: _unit_placemark(f, r, cot_types.get(r.id), uids.get(r.id)),
        ),
        (_("Zones"), zones, lambda f, r: _zone_placemark(f, r, uids.get(r.id))),
        (_("Routes"), routes, _route_placemark),
    ):
        folder = _sub(document, "Folder")
        _sub(folder, "name", title)
        for row in rows:
            writer(folder, row)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def write_kml(
    store: Store, partner: str | None = None, name: str = "Coalition COP"
) -> tuple[bytes, int]:
    units = list_units(store, partner=partner)
    zones = list_zones(store, partner=partner)
    routes = list_routes(store, partner=partner)
    uids = cot_uids(store, [u.id for u in units] + [z.id for z in zones])
    types = unit_cot_types(store, [u.id for u in units])
    return document_bytes(units, zones, routes, uids, types, name), len(units) + len(zones) + len(
        routes
    )


def kmz_bytes(document: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", document)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- reading
def _local(element: Any) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(element: Any, name: str) -> Any:
    return element.find("{*}" + name)


def _text(element: Any, name: str) -> str:
    return (element.findtext("{*}" + name) or "").strip()


def _parse_coords(text: str, where: str) -> list[list[float]]:
    points = []
    for token in text.split():
        parts = token.split(",")
        if len(parts) < 2:
            raise InteropError(
                _("{where}: coordinate '{value}' is not 'lon,lat'").format(
                    where=where, value=token[:60]
                )
            )
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            raise InteropError(
                _("{where}: coordinate '{value}' is not a number").format(
                    where=where, value=token[:60]
                )
            ) from None
        points.append([lon, lat])
    return points


def _ring(element: Any, where: str) -> list[list[float]]:
    ring = _child(element, "LinearRing")
    coords = _child(ring, "coordinates") if ring is not None else None
    if coords is None:
        raise InteropError(_("{where}: a polygon boundary has no coordinates").format(where=where))
    points = _parse_coords(coords.text or "", where)
    if points and points[0] != points[-1]:
        points.append(list(points[0]))
    distinct = {(p[0], p[1]) for p in points}
    if len(distinct) < 3:
        raise InteropError(
            _("{where}: a polygon needs at least 3 distinct points, it has {n}").format(
                where=where, n=len(distinct)
            )
        )
    return points


def _polygon_rings(polygon: Any, where: str) -> list[list[list[float]]]:
    rings: list[list[list[float]]] = []
    for boundary in polygon:
        name = _local(boundary)
        if name == "outerBoundaryIs":
            rings.insert(0, _ring(boundary, where))
        elif name == "innerBoundaryIs":
            rings.append(_ring(boundary, where))
    if not rings:
        raise InteropError(_("{where}: a polygon has no outer boundary").format(where=where))
    return rings


def _data(placemark: Any) -> dict[str, str]:
    values: dict[str, str] = {}
    extended = _child(placemark, "ExtendedData")
    if extended is None:
        return values
    for item in extended.iter("{*}Data", "{*}SimpleData"):
        key = item.get("name")
        if not key:
            continue
        if _local(item) == "Data":
            text = ""
            for child in item:
                if isinstance(child.tag, str) and child.tag.endswith("value"):
                    text = (child.text or "").strip()
                    break
            values[key] = text
        else:
            values[key] = (item.text or "").strip()
    return values


def _opt_time(text: str, where: str, name: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InteropError(
            _("{where}: {name} '{value}' is not an ISO 8601 time").format(
                where=where, name=name, value=text[:40]
            )
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _float(text: str, where: str, name: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InteropError(
            _("{where}: {name} '{value}' is not a number").format(
                where=where, name=name, value=text[:40]
            )
        ) from None


def _strength(text: str, where: str) -> int:
    value = _float(text, where, "strength")
    return 100 if value is None else int(value)


def _folder_kind(placemark: Any) -> str | None:
    parent = placemark.getparent()
    while parent is not None:
        if _local(parent) == "Folder":
            name = _text(parent, "name").lower()
            if name in ZONE_KINDS:
                return name
        parent = parent.getparent()
    return None


def _markings(data: dict[str, str]) -> dict[str, Any]:
    return {
        "classification": data.get("classification") or "UNCLASSIFIED",
        "releasable_to": releasability(data.get("releasable_to") or "PUBLIC"),
    }


def _id(placemark: Any, data: dict[str, str]) -> str | None:
    if data.get("id"):
        return record_id(data["id"])
    if placemark.get("id"):
        return record_id(placemark.get("id"))
    return None


def _read_placemark(placemark: Any, number: int, out: Exchange) -> None:
    name = _text(placemark, "name")
    where = _("placemark {n} '{name}' (line {line})").format(
        n=number, name=name[:80], line=placemark.sourceline
    )
    data = _data(placemark)
    geometry = None
    for child in placemark:
        if _local(child) in (
            "Point",
            "Polygon",
            "LineString",
            "MultiGeometry",
            "LinearRing",
            "Model",
            "Track",
        ):
            geometry = child
            break
    if geometry is None:
        out.ignored["placemark without geometry"] += 1
        return
    kind = _local(geometry)
    description = data.get("description", _text(placemark, "description"))
    rid = _id(placemark, data)
    label = name or _("Placemark {n}").format(n=number)
    if kind == "Point":
        [point] = _parse_coords(_text(geometry, "coordinates"), where)[:1] or [[None, None]]
        if point[0] is None:
            raise InteropError(_("{where}: the point has no coordinates").format(where=where))
        sidc = data.get("sidc") or (
            sidc_for_cot_type(data["cot_type"]) if data.get("cot_type") else UNKNOWN_GROUND
        )
        unit = UnitData(
            id=rid,
            name=label[:200],
            sidc=sidc,
            lat=point[1],
            lon=point[0],
            callsign=data.get("callsign", "")[:64],
            nation=data.get("nation", "")[:16],
            cot_type=data.get("cot_type") or None,
            echelon=data.get("echelon") or None,
            readiness=data.get("readiness") or "green",
            strength=_strength(data.get("strength", ""), where),
            parent_id=data.get("parent_id") or None,
            course=_float(data.get("course", ""), where, "course"),
            speed=_float(data.get("speed", ""), where, "speed"),
            last_report=_opt_time(data.get("last_report", ""), where, "last_report"),
            stale_after=_opt_time(data.get("stale_after", ""), where, "stale_after"),
            remarks=description,
            **_markings(data),
        )
        out.units.append(UnitReport(unit, where))
        if rid and data.get("cot_uid"):
            out.uids[rid] = ("unit", data["cot_uid"])
        return
    if kind == "Polygon" or (
        kind == "MultiGeometry" and all(_local(c) == "Polygon" for c in geometry) and len(geometry)
    ):
        if kind == "Polygon":
            geo: dict[str, Any] = {
                "type": "Polygon",
                "coordinates": _polygon_rings(geometry, where),
            }
        else:
            geo = {
                "type": "MultiPolygon",
                "coordinates": [_polygon_rings(p, where) for p in geometry],
            }
        if data.get("shape"):
            try:
                geo["shape"] = json.loads(data["shape"])
            except ValueError:
                raise InteropError(_("{where}: shape is not JSON").format(where=where)) from None
        zone_kind = (
            data.get("kind")
            if data.get("kind") in ZONE_KINDS
            else (_folder_kind(placemark) or DEFAULT_ZONE_KIND)
        )
        severity = _float(data.get("severity", ""), where, "severity")
        zone = ZoneData(
            id=rid,
            name=label[:200],
            kind=zone_kind,
            geometry=geo,
            severity=3 if severity is None else severity,
            valid_from=_opt_time(data.get("valid_from", ""), where, "valid_from"),
            valid_to=_opt_time(data.get("valid_to", ""), where, "valid_to"),
            description=description,
            **_markings(data),
        )
        out.zones.append((zone, where))
        if rid and data.get("cot_uid"):
            out.uids[rid] = ("zone", data["cot_uid"])
        return
    if kind == "LineString":
        points = _parse_coords(_text(geometry, "coordinates"), where)
        waypoints: list[dict[str, str]] = []
        if data.get("waypoints"):
            try:
                waypoints = json.loads(data["waypoints"])
            except ValueError:
                raise InteropError(
                    _("{where}: waypoints is not JSON").format(where=where)
                ) from None
        route = RouteData(
            id=rid,
            name=label[:200],
            points=[(p[1], p[0]) for p in points],
            waypoints=waypoints,
            description=description,
            cot_uid=data.get("cot_uid") or None,
            last_report=_opt_time(data.get("last_report", ""), where, "last_report"),
            stale_after=_opt_time(data.get("stale_after", ""), where, "stale_after"),
            **_markings(data),
        )
        out.routes.append((route, where))
        return
    out.ignored[f"KML {kind}"] += 1


def read_kml(raw: bytes, name: str) -> Exchange:
    """Every placemark of a KML document; refused whole on any error."""
    root = parse_xml(raw, name)
    if _local(root) != "kml":
        raise InteropError(
            _("{name} is not a KML document (it starts with <{tag}>)").format(
                name=name, tag=_local(root)[:40]
            )
        )
    out = Exchange()
    for number, element in enumerate(root.iter("{*}Placemark"), start=1):
        _read_placemark(element, number, out)
    return out


def read_kmz(path: Path) -> Exchange:
    """The main document of a KMZ (``doc.kml``, else the first ``.kml``)."""
    archive = SafeZip(path)
    member = archive.find("doc.kml") or next(
        (n for n in archive.names if n.lower().endswith(".kml")), None
    )
    if member is None:
        raise InteropError(_("{name} holds no KML document").format(name=path.name))
    return read_kml(archive.read(member), f"{path.name}/{member}")
